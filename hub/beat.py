"""Beat's scheduler: the schedule lives in memory only, never in a file read back at start.

Celery's default PersistentScheduler keeps ``celerybeat-schedule`` (a shelve) and reads it
when beat starts. A beat restarted while the previous one was still writing it died on the
half-written file (EOFError), and under honcho that stopped the web server and the worker
too. Nothing in that file is worth keeping: every periodic task is a sweep that is safe to
run again (it takes its lock in ``hub.locks`` and redoes only what is still undone), so a
beat that starts simply runs each sweep once and then keeps the configured intervals. Two
beats started by mistake send each sweep twice, and the lock lets one of them do the work.
"""

from __future__ import annotations

from datetime import timedelta

from celery.beat import Scheduler


class MemoryScheduler(Scheduler):
    """``CELERY_BEAT_SCHEDULE`` in memory; each sweep is due as soon as beat starts."""

    def setup_schedule(self) -> None:
        super().setup_schedule()
        # A beat that restarts (or is restarted in a loop by bin/keep-running) must not
        # push every sweep a full interval further away each time it comes back.
        for entry in self.schedule.values():
            entry.last_run_at = entry.default_now() - timedelta(days=1)
