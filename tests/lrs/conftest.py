"""Fixtures for the LRS endpoint: credentials with scopes, and a client that speaks xAPI."""

from __future__ import annotations

import base64
import secrets

import pytest

from lms.extensions import session
from lms.xapi.lrs.auth import digest
from lms.xapi.lrs.models import LrsCredential

VERSION = {"X-Experience-API-Version": "1.0.3"}


def make_credential(scopes=("all",), name="test tool") -> tuple[LrsCredential, str]:
    """A stored credential and its Authorization header value."""
    key, secret = secrets.token_hex(8), secrets.token_urlsafe(24)
    credential = LrsCredential(name=name, key=key, secret_sha256=digest(secret), scopes=list(scopes))
    session.add(credential)
    session.commit()
    return credential, "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


class LrsClient:
    """The app's test client with the credential's Authorization and the version header."""

    def __init__(self, client, authorization: str | None) -> None:
        self.client = client
        self.headers = {**VERSION, **({"Authorization": authorization} if authorization else {})}

    def open(self, method: str, path: str, *, headers: dict | None = None, **kwargs):
        return self.client.open(path, method=method, headers={**self.headers, **(headers or {})}, **kwargs)

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def post(self, path, **kw):
        return self.open("POST", path, **kw)

    def put(self, path, **kw):
        return self.open("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.open("DELETE", path, **kw)

    def head(self, path, **kw):
        return self.open("HEAD", path, **kw)


@pytest.fixture
def lrs(app, client):
    """A client with an ``all``-scoped credential; ``lrs.as_scopes("statements/write")`` for others."""
    _, authorization = make_credential()
    made = LrsClient(client, authorization)
    made.as_scopes = lambda *scopes: LrsClient(client, make_credential(scopes)[1])
    return made
