-- wrk script for bench/run.py: one machine-readable line with what the table needs.
-- Latencies are in microseconds; "errors" counts sockets that failed or timed out and
-- responses with a status of 400 or more (wrk's own "status" errors).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d errors=%d status_errors=%d " ..
    "p50_us=%d p95_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.status + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
