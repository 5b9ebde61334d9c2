"""Fixtures for the relay: a real local HTTP server playing the external LRS, and statements."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lms.xapi import builder

BASE = "http://127.0.0.1:5000"
LESSON = "https://lms.example/courses/python/lessons/1"


def a_statement(verb: str = "experienced", activity: str = LESSON) -> dict:
    return builder.statement(
        BASE,
        str(uuid.uuid4()),
        verb,
        builder.activity(activity, "lesson", "บท", "Lesson"),
        registration=str(uuid.uuid4()),
    )


class FakeLrs:
    """Records every request; ``answer(statements) -> (status, body)`` decides each POST's answer
    (the default stores them and answers 200 with their ids, 409 for an id it holds already)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.stored: dict[str, dict] = {}
        self.answer: Callable[[list[dict]], tuple[int, str]] = self.store
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                fake.note(self, None)
                self.reply(200, json.dumps({"version": ["1.0.3"]}))

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.note(self, body)
                with fake.lock:
                    status, text = fake.answer(body)
                self.reply(status, text)

            def reply(self, status: int, text: str) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xapi/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def note(self, handler: BaseHTTPRequestHandler, body) -> None:
        with self.lock:
            self.requests.append(
                {
                    "method": handler.command,
                    "path": handler.path,
                    "headers": dict(handler.headers),
                    "body": body,
                }
            )

    def store(self, statements: list[dict]) -> tuple[int, str]:
        if len(statements) == 1 and statements[0]["id"] in self.stored:
            return 409, '{"error": "already stored"}'
        for statement in statements:
            self.stored[statement["id"]] = statement
        return 200, json.dumps([s["id"] for s in statements])

    @property
    def posts(self) -> list[list[dict]]:
        return [r["body"] for r in self.requests if r["method"] == "POST"]


@pytest.fixture
def fake_lrs():
    lrs = FakeLrs()
    lrs.thread.start()
    yield lrs
    lrs.server.shutdown()
    lrs.server.server_close()


def target(url: str, name: str = "ministry", **extra) -> dict:
    return {"name": name, "endpoint": url, "username": "lms", "password": "s3cret-pass", **extra}


@pytest.fixture
def relaying(app_factory, fake_lrs):
    """An app (context pushed) relaying to the fake LRS, in batches of 10, retrying after 0.01 s."""
    made = app_factory(
        LMS_XAPI_FORWARD=(target(fake_lrs.url),),
        LMS_XAPI_RELAY_BATCH=10,
        LMS_XAPI_RELAY_RETRY_BASE=0.01,
        LMS_XAPI_RELAY_RETRY_MAX=0.05,
        LMS_XAPI_RELAY_TIMEOUT=5.0,
    )
    with made.app_context():
        yield made
