"""bin/keep-running: beat that exits comes back, so honcho never stops web and worker for it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = ROOT / "bin" / "keep-running"


def wait_for(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_command_that_exits_is_started_again_until_the_wrapper_is_stopped(tmp_path):
    runs = tmp_path / "runs"
    process = subprocess.Popen(
        [str(WRAPPER), "sh", "-c", f"echo run >> {runs}; exit 3"],
        env={**os.environ, "KEEP_RUNNING_DELAY": "0.05"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(lambda: runs.exists() and len(runs.read_text().split()) >= 3)
        assert process.poll() is None  # still running: honcho would see nothing exit
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert "exited with status 3; starting it again" in process.stderr.read()


def test_stopping_the_wrapper_stops_the_command_and_ends_the_loop(tmp_path):
    pid_file = tmp_path / "pid"
    runs = tmp_path / "runs"
    # exec: the shell becomes the long-running command, as celery beat would be.
    process = subprocess.Popen(
        [str(WRAPPER), "sh", "-c", f"echo run >> {runs}; echo $$ > {pid_file}; exec sleep 300"],
        env={**os.environ, "KEEP_RUNNING_DELAY": "0.05"},
    )
    assert wait_for(lambda: pid_file.exists() and pid_file.read_text().strip())
    command_pid = int(pid_file.read_text())

    process.send_signal(signal.SIGTERM)  # what honcho and systemd send
    process.wait(timeout=10)

    assert wait_for(lambda: not _alive(command_pid), timeout=5)
    # The wrapper has exited (wait() above) and its command with it: nothing is left that
    # could start the command again, so the runs file is final now.
    assert runs.read_text().split() == ["run"]  # not started again after being told to stop


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie already exited; only its parent (gone now) would reap it.
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split()[2] != "Z"
