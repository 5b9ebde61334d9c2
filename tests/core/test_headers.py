"""Caching and transport headers: personal data is never stored by a browser or a proxy, static
files are cached for a year under a fingerprinted URL, HTTPS responses carry HSTS, absolute
links never come from the request's Host header (ADR 0033), and text responses are compressed.

The organisation is tests/reports/conftest.py's, built once per module; ``hr_a`` is an HR officer
who sees department T-DA (a1..a4); ``a1`` is a learner there with a certificate.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from flask import Flask, url_for
from flask_sqlalchemy import SQLAlchemy
from fontTools.ttLib import TTFont
from sqlalchemy import select

from lms import LMS
from lms.api import tokens
from lms.certificates.models import Certificate
from lms.extensions import session
from tests.conftest import login, make_app
from tests.reports import conftest as reports_conftest

STATIC = Path(__file__).resolve().parents[2] / "lms" / "static"
YEAR = 365 * 24 * 3600
BASE_URL = "https://learn.example.go.th"
FORGED_HOST = "evil.example"

built = reports_conftest.built  # the organisation, built once for the module
shared = reports_conftest.shared


def _content_hash(relative: str) -> str:
    return hashlib.sha256((STATIC / relative).read_bytes()).hexdigest()[:12]


def _cache(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def app(shared):
    return shared[0]


@pytest.fixture
def org(shared):
    return shared[1]


@pytest.fixture
def signed_in(app, org):
    def client_of(key: str):
        client = app.test_client()
        assert login(client, org.email(key)).status_code == 302
        return client

    return client_of


@pytest.fixture
def bearer(org):
    _row, plain = tokens.create_token(org.user("hr_a"), "headers test")
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


# --- personal data is never stored ---------------------------------------------------------


def test_reports_transcripts_and_exports_of_an_hr_officer_are_not_stored(signed_in, org):
    hr = signed_in("hr_a")
    a1 = org.uuid("a1")
    for path in [
        "/",
        "/reports?breakdown=unit",
        "/reports/drilldown?course=dg-basics",
        f"/reports/learners/{a1}",
        f"/reports/learners/{a1}.csv",
        "/reports/drilldown.csv?course=dg-basics",
        "/reports/drilldown.xlsx?course=dg-basics",
    ]:
        response = hr.get(path)
        assert response.status_code == 200, path
        assert _cache(response) == {"no-store"}, (path, response.headers.get("Cache-Control"))
        assert "Expires" not in response.headers, path


def test_a_learners_own_record_transcript_and_certificate_are_not_stored(signed_in, org):
    learner = signed_in("a1")
    paths = [f"/reports/learners/{org.uuid('a1')}", "/learning/record", "/learning/record.json"]
    for path in [*paths, "/learning/certificates"]:
        response = learner.get(path)
        assert response.status_code == 200, path
        assert _cache(response) == {"no-store"}, path
    serial = session.scalar(select(Certificate.serial).where(Certificate.user_id == org.ids["a1"]))
    assert serial, "a1 completed dg-basics: a certificate is issued"
    pdf = learner.get(f"/certificates/{serial}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert _cache(pdf) == {"no-store"}


def test_a_refused_page_and_the_sign_in_page_are_not_stored_either(app, signed_in, org):
    learner = signed_in("a2")
    refused = learner.get(f"/reports/learners/{org.uuid('a1')}")
    assert refused.status_code in (403, 404)
    assert _cache(refused) == {"no-store"}
    assert _cache(app.test_client().get("/login")) == {"no-store"}


def test_api_responses_for_a_token_are_not_stored(app, bearer):
    client = app.test_client()
    for path in ["/api/v1/reports/completion?course=dg-basics", "/api/v1/reports/learners?per_page=2"]:
        response = client.get(path, headers=bearer)
        assert response.status_code == 200, path
        assert _cache(response) == {"no-store"}, path
    unauthorised = client.get("/api/v1/reports/completion")
    assert unauthorised.status_code == 401 and _cache(unauthorised) == {"no-store"}


# --- static files: fingerprinted, immutable --------------------------------------------------


def test_pages_link_static_files_by_their_content_hash_and_they_are_cached_for_a_year(signed_in):
    hr = signed_in("hr_a")
    page = hr.get("/").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]+)"', page)
    assert ("/static/css/lms.css", _content_hash("css/lms.css")) in links
    for path, version in links:
        response = hr.get(f"{path}?v={version}")
        assert response.status_code == 200, path
        assert _cache(response) == {"public", f"max-age={YEAR}", "immutable"}, path
        assert "Set-Cookie" not in response.headers, path
        assert "cookie" not in response.headers.get("Vary", "").lower(), path


def test_a_static_file_asked_for_without_or_with_an_old_fingerprint_is_revalidated(app):
    client = app.test_client()
    for url in ["/static/css/lms.css", "/static/css/lms.css?v=000000000000"]:
        response = client.get(url)
        assert response.status_code == 200
        assert _cache(response) == {"no-cache"}, url


def test_the_stylesheet_names_its_fonts_by_their_current_fingerprints():
    """If this fails, run scripts/build_fonts.py after changing a font."""
    css = (STATIC / "css" / "lms.css").read_text(encoding="utf-8")
    fonts = re.findall(r'url\("\.\./fonts/([^"?]+)\?v=([0-9a-f]+)"\)', css)
    assert {name for name, _ in fonts} == {
        "Sarabun-Regular.woff2",
        "Sarabun-SemiBold.woff2",
        "Sarabun-Bold.woff2",
    }
    for name, version in fonts:
        assert version == _content_hash(f"fonts/{name}"), name
        assert (STATIC / "fonts" / name).read_bytes()[:4] == b"wOF2", name
    assert ".ttf" not in css


def test_web_fonts_are_small_with_thai_and_the_pdf_fonts_are_still_there():
    for weight in ("Regular", "SemiBold", "Bold"):
        woff2 = STATIC / "fonts" / f"Sarabun-{weight}.woff2"
        assert woff2.stat().st_size < 30_000
        covered = set(TTFont(woff2).getBestCmap())
        assert {ord(c) for c in "กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรฤลฦวศษสหฬอฮ"} <= covered, weight
        assert {ord(c) for c in "ะัาำิีึืุู็่้๊๋์ๆฯ฿๐๑๒๓๔๕๖๗๘๙"} <= covered, weight
        assert set(range(0x20, 0x7F)) | {ord(c) for c in "·–—“”…"} <= covered, weight
        assert (STATIC / "fonts" / f"Sarabun-{weight}.ttf").read_bytes()[:4] == b"\x00\x01\x00\x00"


def _plugin_host() -> Flask:
    host = Flask("host")
    host.config.update(
        SECRET_KEY="host-secret",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        LMS_BASE_URL=BASE_URL,
        TESTING=True,
    )
    SQLAlchemy(host)
    LMS(host, url_prefix="/learn")
    return host


def test_static_files_under_a_plugin_prefix_are_fingerprinted_and_immutable():
    host = _plugin_host()
    with host.test_request_context("/learn/"):
        url = url_for("lms.static", filename="css/lms.css")
    assert url == f"/learn/static/css/lms.css?v={_content_hash('css/lms.css')}"
    response = host.test_client().get(url, buffered=True)
    assert response.status_code == 200
    assert _cache(response) == {"public", f"max-age={YEAR}", "immutable"}


# --- HTTPS: HSTS ------------------------------------------------------------------------------


def test_https_responses_carry_strict_transport_security_and_http_ones_do_not(app):
    client = app.test_client()
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == f"max-age={YEAR}"
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_behind_a_trusted_proxy_https_is_seen_from_x_forwarded_proto(app_factory):
    app = app_factory(LMS_TRUSTED_PROXIES=1)
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == f"max-age={YEAR}"
    untrusting = app_factory().test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in untrusting.headers


@pytest.fixture
def app_factory(database_url):
    """Apps on the module's database with other settings (the org stays in place)."""
    built_apps = []

    def build(**extra):
        built_apps.append(make_app(database_url, **extra))
        return built_apps[-1]

    yield build
    for other in built_apps:
        with other.app_context():
            other.extensions["sqlalchemy"].session.remove()
            other.extensions["sqlalchemy"].engine.dispose()


# --- absolute links never come from the Host header -------------------------------------------


def test_api_next_links_and_openapi_servers_ignore_a_forged_host(app_factory, bearer):
    app = app_factory(LMS_BASE_URL=BASE_URL)
    client = app.test_client()
    headers = {**bearer, "Host": FORGED_HOST}
    page = client.get("/api/v1/reports/learners?course=dg-basics&per_page=2", headers=headers)
    assert page.status_code == 200
    next_link = page.get_json()["next"]
    assert next_link.startswith(f"{BASE_URL}/api/v1/reports/learners?"), next_link
    assert FORGED_HOST not in next_link and "page=2" in next_link
    document = client.get("/api/v1/openapi.json", headers={"Host": FORGED_HOST}).get_json()
    assert document["servers"] == [{"url": f"{BASE_URL}/api/v1"}]


def test_under_a_plugin_prefix_the_openapi_server_keeps_the_prefix():
    host = _plugin_host()
    response = host.test_client().get(
        "/learn/api/v1/openapi.json", headers={"Host": FORGED_HOST}, buffered=True
    )
    assert response.status_code == 200
    assert response.get_json()["servers"] == [{"url": f"{BASE_URL}/learn/api/v1"}]


def test_with_trusted_hosts_a_request_for_another_host_is_refused(app_factory):
    app = app_factory(LMS_TRUSTED_HOSTS=("learn.example.go.th",))
    client = app.test_client()
    assert client.get("/login", headers={"Host": "learn.example.go.th"}).status_code == 200
    assert client.get("/login", headers={"Host": FORGED_HOST}).status_code == 400


# --- compression --------------------------------------------------------------------------------

GZIP = {"Accept-Encoding": "gzip"}


def test_the_hr_overview_by_unit_is_sent_gzipped(signed_in):
    hr = signed_in("hr_a")
    plain = hr.get("/reports?breakdown=unit")
    packed = hr.get("/reports?breakdown=unit", headers=GZIP)
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["Vary"].lower()
    html = gzip.decompress(packed.data).decode()
    assert html.count("<tr") == plain.get_data(as_text=True).count("<tr") > 3
    assert len(packed.data) * 3 < len(plain.data)
    assert "Content-Encoding" not in plain.headers


def test_a_csv_export_is_gzipped_and_still_streamed(signed_in):
    hr = signed_in("hr_a")
    response = hr.get("/reports/drilldown.csv?course=dg-basics", headers=GZIP, buffered=False)
    try:
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.is_streamed and "Content-Length" not in response.headers
        rows = list(csv.reader(io.StringIO(gzip.decompress(response.get_data()).decode("utf-8-sig"))))
    finally:
        response.close()
    assert len(rows) == 1 + 4, "the header and dg-basics's four learners of T-DA"


def test_api_json_and_the_stylesheet_are_compressed_and_fonts_are_not(app, bearer):
    client = app.test_client()
    api = client.get("/api/v1/openapi.json", headers={**bearer, **GZIP})
    assert api.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(api.data))["openapi"].startswith("3.1")
    css = client.get("/static/css/lms.css", headers=GZIP)
    assert css.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(css.data) == (STATIC / "css" / "lms.css").read_bytes()
    font = client.get("/static/fonts/Sarabun-Regular.woff2", headers=GZIP)
    assert "Content-Encoding" not in font.headers and font.data[:4] == b"wOF2"


def test_with_lms_compress_off_nothing_is_compressed(app_factory):
    client = app_factory(LMS_COMPRESS=False).test_client()
    response = client.get("/login", headers=GZIP)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
