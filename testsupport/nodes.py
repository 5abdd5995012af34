"""Real hub processes for the two-node test and bench/recovery.py: gunicorn nodes, Celery
workers and beat, started as the production profile would run them, and a browser-like HTTP
client that logs in and posts forms with the CSRF token each form carries.

The nodes are plain HTTP on loopback but believe they sit behind an HTTPS proxy
(``X-Forwarded-Proto: https``, which the production profile trusts), so the secure session
and CSRF cookies, the SSL redirect and the CSRF origin check all work as in production.
Never used by the hub itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from email import message_from_string
from email.message import Message
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], object], *, timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def start(argv: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    """Start one process in its own process group (so stop() ends its children too)."""
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen | None, *, timeout: float = 15) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass


def stop_all(processes) -> None:
    """Stop several processes at once: each gets SIGTERM before any is waited for."""
    processes = [p for p in processes if p is not None and p.poll() is None]
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        stop(process)


def gunicorn(port: int, *, env: dict, log: Path) -> subprocess.Popen:
    node_env = {"PORT": str(port), "GUNICORN_BIND_HOST": "127.0.0.1", **env}
    return start([str(BIN / "gunicorn"), "--config", "gunicorn.conf.py"], env=node_env, log=log)


def worker(
    name: str, *, env: dict, log: Path, concurrency: int = 1, keep_running: bool = False
) -> subprocess.Popen:
    # keep_running: under bin/keep-running, as deploy/Procfile runs it (kombu's Redis
    # transport can end the worker when the broker vanishes mid-restore; it comes back).
    wrapper = [str(ROOT / "bin" / "keep-running")] if keep_running else []
    return start(
        [
            *wrapper,
            str(BIN / "celery"),
            "-A",
            "hub",
            "worker",
            f"--concurrency={concurrency}",
            f"--hostname={name}@%h",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        env={"KEEP_RUNNING_DELAY": "1", **env},
        log=log,
    )


def beat(*, env: dict, log: Path) -> subprocess.Popen:
    return start(
        [
            str(ROOT / "bin" / "keep-running"),
            str(BIN / "celery"),
            "-A",
            "hub",
            "beat",
            "-l",
            "INFO",
        ],
        env={"KEEP_RUNNING_DELAY": "1", **env},
        log=log,
    )


def wait_until_serving(base_url: str, *, timeout: float = 60) -> bool:
    def answers() -> bool:
        try:
            return requests.get(f"{base_url}/healthz", timeout=2, allow_redirects=False).ok
        except requests.RequestException:
            return False

    return wait_for(answers, timeout=timeout)


class Browser:
    """One person's browser: a cookie jar shared by every node it talks to."""

    def __init__(self, *, timeout: float = 20) -> None:
        self.http = requests.Session()
        self.http.headers["X-Forwarded-Proto"] = "https"
        self.timeout = timeout

    def _sent_back_over_loopback(self, response: requests.Response) -> requests.Response:
        # The node marks its cookies Secure (it is behind "HTTPS"); the jar would then never
        # send them to a plain http:// address, so they are kept as ordinary cookies.
        for cookie in self.http.cookies:
            cookie.secure = False
        return response

    def get(self, url: str, **kwargs) -> requests.Response:
        return self._sent_back_over_loopback(self.http.get(url, timeout=self.timeout, **kwargs))

    def submit(self, form_url: str, data: dict, *, action: str | None = None, files=None):
        """Open the page with the form, then post it with that form's CSRF token."""
        page = self.get(form_url)
        page.raise_for_status()
        token = _CSRF.search(page.text)
        if token is None:
            raise AssertionError(f"No form with a CSRF token on {form_url}")
        target = action or form_url
        origin = re.match(r"^https?://[^/]+", target).group(0).replace("http://", "https://")
        response = self.http.post(
            target,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            files=files,
            headers={"Origin": origin, "Referer": form_url.replace("http://", "https://")},
            timeout=self.timeout,
            allow_redirects=False,
        )
        return self._sent_back_over_loopback(response)

    def log_in(self, base_url: str, *, email: str, password: str) -> requests.Response:
        response = self.submit(
            f"{base_url}/accounts/login/", {"username": email, "password": password}
        )
        if response.status_code != 302:
            raise AssertionError(f"Log in as {email} answered {response.status_code}")
        return response


def emails_in(folder: Path) -> list[Message]:
    """Every message Django's file email backend wrote into ``folder``."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        # The file backend separates messages with a line of 79 dashes.
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(message_from_string(chunk.strip()))
    return messages


_RECEIVED = re.compile(r"Task [\w.]+\[([0-9a-f-]{36})\] received")
_FINISHED = re.compile(r"Task [\w.]+\[([0-9a-f-]{36})\] (?:succeeded|failed|retry|raised)")


def redeliver_unacked(app, queue: str) -> int:
    """Give back every unacknowledged message of ``queue`` now, as kombu does once the
    visibility timeout has passed (its scan runs every ~100 s by default, too seldom for a
    test to wait on). Only for a queue whose worker is dead: a live worker's message would
    run twice. Returns how many were given back."""
    restored = 0
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        client = channel.client
        for tag, raw in client.hgetall("unacked").items():
            if queue.encode() in raw:
                channel.qos.restore_by_tag(tag, client)
                restored += 1
    return restored


def broker_unsettled(app, queue: str, worker_logs: list[Path]) -> str:
    """Why messages for ``queue`` may still run, or "" once none can: none waiting in the
    Redis list, none held unacknowledged (a killed worker's message stays there until the
    visibility timeout gives it back), and every task the workers received has finished.

    Tests wait for "" instead of sleeping "long enough" for redeliveries to run.
    """
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        if waiting := client.llen(queue):
            return f"{waiting} message(s) waiting in {queue}"
        # kombu keeps each unacknowledged message in one hash for the whole Redis db, as
        # JSON [message, exchange, routing key]: the queue's unique name appears in it.
        held = [raw[:200] for raw in client.hvals("unacked") if queue.encode() in raw]
        if held:
            return f"{len(held)} message(s) unacknowledged: {held}"
    for log in worker_logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        running = set(_RECEIVED.findall(text)) - set(_FINISHED.findall(text))
        if running:
            return f"{log.name}: tasks received and not finished: {sorted(running)}"
    return ""


def broker_settled(app, queue: str, worker_logs: list[Path]) -> bool:
    return not broker_unsettled(app, queue, worker_logs)
