"""Reliability of the relay against a real LRS: Ralph 5.1 (``ralph-malph[lrs,cli]==5.1.0``).

Ralph runs on 127.0.0.1 from this test, with its filesystem backend. Ralph 5.1's filesystem
backend writes in CREATE mode, so every POST after the first answers 500 (the file exists): the
launcher written into the test's tmp dir sets the backend's default operation type to APPEND
before it starts Ralph's app. 5,000 statements are recorded (``record_many``) and two relays
send them through a small proxy in front of Ralph; partway Ralph is killed (SIGKILL) and
restarted, and later the proxy answers 500 for a while. At the end every statement is in Ralph
exactly once: compared by id over a full GET, since Ralph's file backend ignores the
``activity=`` and ``verb=`` filters and voiding.
"""

from __future__ import annotations

import collections
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import bcrypt
import pytest
import requests
from sqlalchemy import func, select

from lms.extensions import session
from lms.xapi.models import OutboxEntry
from lms.xapi.relay.runner import Relay
from lms.xapi.service import record_many
from tests.relay.conftest import a_statement

pytestmark = pytest.mark.slow
STATEMENTS = 5000
USER, PASSWORD = "relay", "relay-password"
LAUNCHER = """
    import sys
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.data.fs import FSDataBackend

    # Ralph 5.1's file backend writes in CREATE mode: every POST after the first would be a 500.
    FSDataBackend.default_operation_type = BaseOperationType.APPEND

    import uvicorn

    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Ralph:
    def __init__(self, tmp_path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (tmp_path / "data").mkdir()
        auth = [
            {
                "username": USER,
                "hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode(),
                "scopes": ["all"],
                "agent": {"mbox": "mailto:relay@example.org"},
            }
        ]
        (tmp_path / "auth.json").write_text(json.dumps(auth))
        self.launcher = tmp_path / "launch_ralph.py"
        self.launcher.write_text(textwrap.dedent(LAUNCHER))
        self.env = {
            **os.environ,
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_AUTH_FILE": str(tmp_path / "auth.json"),
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(tmp_path / "data"),
            "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": str(STATEMENTS * 2),
            "RALPH_APP_DIR": str(tmp_path / "app"),
        }
        self.log = open(tmp_path / "ralph.log", "ab")  # noqa: SIM115 (kept for the server's life)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(self.launcher), str(self.port)],
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/__heartbeat__", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("Ralph did not start: see ralph.log")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.log.close()

    def all_ids(self) -> list[str]:
        """Every statement id Ralph holds, following ``more`` (no filter: Ralph's file backend
        ignores them)."""
        ids: list[str] = []
        url = self.url + f"/xAPI/statements?limit={STATEMENTS * 2}"
        with requests.Session() as http:
            while url:
                page = http.get(
                    url, auth=(USER, PASSWORD), headers={"X-Experience-API-Version": "1.0.3"}, timeout=30
                )
                assert page.status_code == 200, page.text
                body = page.json()
                ids += [s["id"] for s in body["statements"]]
                url = self.url + body["more"] if body.get("more") else None
        return ids


class FailingProxy:
    """Passes requests to Ralph; answers 500 while ``failing``; drops the connection without an
    answer when Ralph is down (as a dead server does)."""

    def __init__(self, upstream_port: int) -> None:
        self.failing = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if proxy.failing.is_set():
                    self.reply(500, b'{"detail": "injected failure"}')
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
                try:
                    upstream.request("POST", self.path, body=body, headers=dict(self.headers))
                    answer = upstream.getresponse()
                    self.reply(answer.status, answer.read())
                except OSError:
                    self.close_connection = True
                finally:
                    upstream.close()

            def reply(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xAPI/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ralph(tmp_path):
    server = Ralph(tmp_path)
    server.start()
    yield server
    server.stop()


def delivered() -> int:
    session.rollback()
    return session.scalar(
        select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_not(None))
    )


def wait_for(count: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while delivered() < count:
        assert time.monotonic() < deadline, f"only {delivered()} of {count} delivered in {seconds} s"
        time.sleep(0.1)


def test_every_statement_reaches_ralph_exactly_once_across_a_crash_and_500s(app_factory, ralph):
    proxy = FailingProxy(ralph.port)
    app = app_factory(
        LMS_XAPI_FORWARD=({"name": "ralph", "endpoint": proxy.url, "username": USER, "password": PASSWORD},),
        LMS_XAPI_RELAY_BATCH=100,
        LMS_XAPI_RELAY_RETRY_BASE=0.05,
        LMS_XAPI_RELAY_RETRY_MAX=0.5,
        LMS_XAPI_RELAY_TIMEOUT=10.0,
    )
    stop = threading.Event()
    with app.app_context():
        ids = []
        for _ in range(STATEMENTS // 500):
            ids += [row.id for row in record_many([a_statement() for _ in range(500)])]
            session.commit()
        relays = [threading.Thread(target=_relay, args=(app, stop)) for _ in range(2)]
        try:
            for relay in relays:
                relay.start()
            wait_for(1000, 60)
            ralph.kill()
            time.sleep(1)
            ralph.start()
            wait_for(3000, 60)
            proxy.failing.set()
            time.sleep(1.5)
            proxy.failing.clear()
            wait_for(STATEMENTS, 60)
        finally:
            stop.set()
            for relay in relays:
                relay.join(30)
            proxy.close()
        held = collections.Counter(ralph.all_ids())
        assert set(held) == set(ids), "none lost, none foreign"
        assert [i for i, n in held.items() if n > 1] == [], "none duplicated"
        failed = session.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.attempts > 1))
        assert failed > 0, "the crash and the 500s were seen, and retried"


def _relay(app, stop: threading.Event) -> None:
    with app.app_context():
        relay = Relay()
        try:
            relay.run(stop, poll=0.05)
        finally:
            relay.close()
            session.remove()
