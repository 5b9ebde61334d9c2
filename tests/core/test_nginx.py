"""The reverse proxy of docs/deployment.md, for real: Debian's nginx started with the
configuration printed there (certificate paths, ports and the HTTP/2 syntax of nginx 1.22
replaced) in front of the app on gunicorn, with the settings the page gives
(``LMS_COMPRESS=0``, ``LMS_TRUSTED_PROXIES=1``, ``LMS_TRUSTED_HOSTS``, ``LMS_BASE_URL``).

nginx compresses HTML, CSS, JavaScript and JSON; over its HTTPS the app sends HSTS and builds
its links on LMS_BASE_URL; a forged Host is refused; plain HTTP is redirected.
"""

from __future__ import annotations

import datetime
import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "learn.example.go.th"
GZIP = {"Accept-Encoding": "gzip", "Host": HOST}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    proc.terminate()
    pytest.fail(f"{proc.args[0]} did not listen on {port}:\n{log.read_text(errors='replace')}", pytrace=False)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def documented_config() -> str:
    text = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 1, "docs/deployment.md has one nginx block"
    return blocks[0]


def nginx_config(folder: Path, app_port: int, http_port: int, https_port: int) -> str:
    cert, key = _certificate(folder)
    site = documented_config()
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;\n    http2 on;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/ssl/certs/learn.example.go.th.pem", str(cert)),
        ("/etc/ssl/private/learn.example.go.th.key", str(key)),
    ]:
        assert old in site, old
        site = site.replace(old, new)
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"user root;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n    access_log off;\n{temp}\n{site}\n}}\n"
    )


@pytest.fixture(scope="module")
def proxy(database_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("nginx")
    app_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    env = {
        **os.environ,
        "LMS_DATABASE_URL": database_url,
        "LMS_SECRET_KEY": secrets.token_hex(16),
        "LMS_BASE_URL": f"https://{HOST}",
        "LMS_COMPRESS": "0",
        "LMS_TRUSTED_PROXIES": "1",
        "LMS_TRUSTED_HOSTS": HOST,
    }
    app_log = folder / "gunicorn.log"
    with open(app_log, "wb") as log:
        app = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{app_port}",
                "lms:create_app()",
            ],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    try:
        _wait_for(app_port, app, app_log)
        conf = folder / "nginx.conf"
        conf.write_text(nginx_config(folder, app_port, http_port, https_port))
        nginx_log = folder / "nginx.out"
        with open(nginx_log, "wb") as log:
            nginx = subprocess.Popen(
                [NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        try:
            _wait_for(https_port, nginx, nginx_log)
            yield http_port, https_port
        finally:
            _stop(nginx)
    finally:
        _stop(app)


def _get(
    port: int, path: str, headers: dict[str, str], tls: bool = True
) -> tuple[http.client.HTTPResponse, bytes]:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def test_nginx_compresses_html_css_javascript_and_json(proxy):
    _http, https = proxy
    page, body = _get(https, "/login", GZIP)
    assert page.status == 200 and page.getheader("Content-Encoding") == "gzip"
    html = gzip.decompress(body).decode()
    assert 'name="csrf_token"' in html
    for kind, path in [
        ("text/css", re.search(r'href="(/static/css/lms\.css\?v=[0-9a-f]+)"', html)[1]),
        ("text/javascript", "/static/js/lesson.js"),
        ("application/json", "/api/v1/openapi.json"),
    ]:
        response, data = _get(https, path, GZIP)
        assert response.status == 200, path
        assert response.getheader("Content-Type").startswith(kind), path
        assert response.getheader("Content-Encoding") == "gzip", path
        assert gzip.decompress(data), path


def test_over_the_proxys_https_the_app_sends_hsts_and_links_on_its_base_url(proxy):
    _http, https = proxy
    page, _ = _get(https, "/login", GZIP)
    assert page.getheader("Strict-Transport-Security") == "max-age=31536000"
    assert page.getheader("Cache-Control") == "no-store"
    assert "Secure" in page.getheader("Set-Cookie")
    _response, data = _get(https, "/api/v1/openapi.json", GZIP)
    assert json.loads(gzip.decompress(data))["servers"] == [{"url": f"https://{HOST}/api/v1"}]


def test_a_forged_host_is_refused_and_plain_http_is_redirected(proxy):
    http_port, https = proxy
    forged, _ = _get(https, "/login", {"Host": "evil.example"})
    assert forged.status == 400
    redirect, _ = _get(http_port, "/login", {"Host": HOST}, tls=False)
    assert redirect.status == 301 and redirect.getheader("Location") == f"https://{HOST}/login"


def test_the_documented_config_compresses_csv_exports_too():
    """A CSV export needs a signed-in officer; the app-level test reads one back compressed
    (tests/core/test_headers.py). Here: the proxy is told to compress the type."""
    types = re.search(r"gzip_types([^;]+);", documented_config())[1].split()
    assert {"text/css", "text/csv", "application/javascript", "application/json"} <= set(types)
