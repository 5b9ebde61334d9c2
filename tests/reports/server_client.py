"""A test client that runs requests as a WSGI server does, and a crawler of the report pages.

The usual test client runs each request inside an app context the test opened, so Flask does
not tear the request's database session down until the body is read. A server has no such
context: the view returns, the session is closed, and only then is a streamed body read.
:class:`ServerClient` runs each request in a fresh ``contextvars`` context, as a server's
worker thread would, so a download that needs the closed session fails here too.
"""

from __future__ import annotations

import contextvars
import csv
import html
import io
import re
import time
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

HREF = re.compile(r'href="([^"]+)"')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ServerClient(FlaskClient):
    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def server_client(app, language: str = "en") -> ServerClient:
    client = ServerClient(app, app.response_class, use_cookies=True)
    client.set_cookie("lms_lang", language)
    return client


def links(page: str) -> list[str]:
    return [html.unescape(href) for href in HREF.findall(page)]


def crawl(client, start: str = "/reports") -> tuple[list[str], list[str]]:
    """Visit every report page reachable from ``start`` (each path once, in the form first
    linked, the start without filters) and collect every CSV and XLSX link on them."""
    pages, exports, queue, seen = [], [], [start], set()
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen:
            continue
        seen.add(path)
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, (url, response.status_code)
        pages.append(url)
        for href in links(response.get_data(as_text=True)):
            target = urlsplit(href).path
            if not target.startswith("/reports") or target.startswith("/reports/exports"):
                continue
            if target.endswith((".csv", ".xlsx")):
                exports.append(href) if href not in exports else None
            else:
                queue.append(href)
    return pages, exports


def download(client, url: str):
    """The file behind an export link; a large XLSX is prepared in the background first."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
    if response.mimetype != "text/html":
        return response
    page = response.get_data(as_text=True)
    action = html.unescape(re.search(r'<form method="post" action="(/reports/exports/[^"]+)"', page).group(1))
    return prepared(client, action, page)


def prepared(client, action: str, page: str, seconds: float = 30):
    """Submit the "prepare the file" form of ``page`` to ``action``, follow the status page
    until the file is ready, and download it."""
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    started = client.post(action, data={"csrf_token": token})
    assert started.status_code == 303, (action, started.status_code)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(started.location).get_data(as_text=True)
        ready = re.search(r'id="download" href="([^"]+)"', status)
        if ready:
            return client.get(html.unescape(ready.group(1)))
        assert 'role="alert"' not in status, status
        time.sleep(0.1)
    pytest.fail(f"the export started at {action} was not ready in {seconds} s")


def table(response) -> list[list]:
    """The rows of a CSV or XLSX download, the header first."""
    assert response.status_code == 200
    if response.mimetype == "text/csv":
        return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert response.mimetype == XLSX, response.mimetype
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]
