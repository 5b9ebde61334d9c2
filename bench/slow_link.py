"""A cold page load over a slow link: the lesson page and the HR overview by unit, against a bare
Flask page, from the bytes each costs on the wire.

The LMS (``lms:create_app()``, so compressed as ``make run`` serves it) and ``bare_app.py`` run
on gunicorn on loopback. The bench loads a page as a browser with an empty cache does, over
HTTP/1.1 with ``Accept-Encoding: gzip, deflate`` (what Chromium sends over plain HTTP; Brotli
is offered over HTTPS only):

1. the page's HTML;
2. then, together, what its HTML names: stylesheets, preloads, scripts, images;
3. then what the stylesheets name and were not fetched yet (the fonts that are not preloaded).

Every resource is fetched for real and its status checked; the bytes counted are those on the
wire (the status line, the headers and the encoded body). The time of the load on a link is
then modelled, not measured: one round trip to open the connection, one per step above, plus
all the bytes at the link's bandwidth (resources of one step share it). Every font a
stylesheet names is counted, though a browser fetches only the faces a page uses: an upper
bound. The same load with ``Accept-Encoding: identity`` shows what compression saves.

Links (Lighthouse's and Chrome DevTools' presets): "slow 4G" 1.6 Mbit/s with a 150 ms round
trip; "3G" 400 kbit/s with a 400 ms round trip.
"""

from __future__ import annotations

import http.client
import re
import secrets
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from harness import (
    HOST,
    REQUEST_TIMEOUT,
    BenchError,
    Server,
    bare_server,
    bench_app,
    lms_env,
    report_logs,
    sign_in,
)

LINKS = {"slow 4G": (1_600_000, 0.150), "3G": (400_000, 0.400)}
BROWSER_ENCODING = "gzip, deflate"
EMAIL = "bench-slow-learner@example.org"
ADMIN_EMAIL = "bench-slow-hr@example.org"
PASSWORD = "bench-slow-" + secrets.token_hex(6)
FIRST_NAME = "ผู้เรียน"
ADMIN_FIRST_NAME = "เจ้าหน้าที่"
LESSON_PATH = "/courses/practitioner-digital-skills/lessons/m1-l1"
REPORT_PATH = "/reports?breakdown=unit"
HTML_REFS = re.compile(
    r'<(?:link[^>]*\brel="(?:stylesheet|preload)"[^>]*\bhref|script[^>]*\bsrc|img[^>]*\bsrc)="([^"]+)"'
)
CSS_REFS = re.compile(r'url\("?([^")]+)"?\)')


@dataclass
class Fetched:
    path: str
    status: int
    wire_bytes: int
    body_bytes: int
    encoding: str


@dataclass
class Load:
    name: str
    steps: list[list[Fetched]] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(step) for step in self.steps)

    @property
    def wire_bytes(self) -> int:
        return sum(f.wire_bytes for step in self.steps for f in step)

    def seconds(self, bandwidth: float, rtt: float) -> float:
        return rtt * (1 + len(self.steps)) + self.wire_bytes * 8 / bandwidth


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[Fetched, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        head = f"HTTP/1.1 {response.status} {response.reason}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in response.getheaders()
        )
        encoding = response.getheader("Content-Encoding", "identity")
        if response.status != 200:
            raise BenchError(f"GET {path} answered {response.status}")
        return Fetched(path, response.status, len(head) + 2 + len(body), len(body), encoding), body
    finally:
        conn.close()


def _decoded(body: bytes, encoding: str) -> str:
    import zlib

    if encoding == "gzip":
        return zlib.decompress(body, 16 + zlib.MAX_WBITS).decode()
    if encoding == "deflate":
        return zlib.decompress(body).decode()
    return body.decode()


def _local(base: str, ref: str) -> str | None:
    url = urlsplit(urljoin(base, ref))
    if url.scheme not in ("", "http") or url.netloc not in ("", HOST) or ref.startswith("data:"):
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def cold_load(name: str, port: int, path: str, cookie: str, encoding: str, expect: str) -> Load:
    headers = {"Accept-Encoding": encoding, **({"Cookie": cookie} if cookie else {})}
    load = Load(name)
    page, body = fetch(port, path, headers)
    html = _decoded(body, page.encoding)
    if expect not in html:
        raise BenchError(f"{name}: {path} is not the expected page")
    load.steps.append([page])
    named = list(dict.fromkeys(p for ref in HTML_REFS.findall(html) if (p := _local(path, ref))))
    second, stylesheets = [], []
    for ref in named:
        fetched, data = fetch(port, ref, headers)
        second.append(fetched)
        if ref.split("?")[0].endswith(".css"):
            stylesheets.append((ref, _decoded(data, fetched.encoding)))
    if second:
        load.steps.append(second)
    third = []
    for ref, css in stylesheets:
        for inner in CSS_REFS.findall(css):
            local = _local(f"http://{HOST}{ref}", inner)
            if local and local not in named and local not in {f.path for f in third}:
                third.append(fetch(port, local, headers)[0])
    if third:
        load.steps.append(third)
    return load


def set_up(database_url: str, learners: int) -> None:
    """The reports bench's data set (the demo ministry, both courses of content/, N learners),
    a learner enrolled in the practitioner course and an administrator, with passwords."""
    from reports_data import build

    from lms.accounts import service as accounts
    from lms.accounts.models import Role
    from lms.content.models import Course
    from lms.courses.service import enrol
    from lms.extensions import session

    app = bench_app(database_url)
    with app.app_context():
        try:
            build(learners, 2)
            learner = accounts.create_user(
                email=EMAIL, first_name_th=FIRST_NAME, last_name_th="ช้า", password=PASSWORD
            )
            accounts.create_user(
                email=ADMIN_EMAIL,
                first_name_th=ADMIN_FIRST_NAME,
                last_name_th="ช้า",
                roles={Role.LEARNER.value, Role.ADMIN.value},
                password=PASSWORD,
            )
            session.commit()
            course = session.query(Course).filter_by(slug="practitioner-digital-skills").one()
            enrol(learner, course)
            session.commit()
        finally:
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()


def _print(loads: list[Load], bare: Load) -> None:
    print(f"{'load':<40} {'requests':>8} {'steps':>5} {'KB on wire':>10}", end="")
    for link in LINKS:
        print(f" {link + ' s':>10} {'x bare':>7}", end="")
    print()
    for load in [*loads, bare]:
        print(
            f"{load.name:<40} {load.requests:>8} {len(load.steps):>5} {load.wire_bytes / 1000:>10.1f}", end=""
        )
        for bandwidth, rtt in LINKS.values():
            seconds = load.seconds(bandwidth, rtt)
            print(f" {seconds:>10.2f} {seconds / bare.seconds(bandwidth, rtt):>7.1f}", end="")
        print()
    print()
    for load in loads:
        detail = ", ".join(
            f"{f.path.split('?')[0].rsplit('/', 1)[-1] or '/'} {f.wire_bytes / 1000:.1f}"
            for s in load.steps
            for f in s
        )
        print(f"{load.name}: {detail} (KB)")


def run(args) -> int:
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="lms-bench-slow-") as tmp:
        workdir = Path(tmp)
        env = lms_env(workdir)
        try:
            set_up(env["LMS_DATABASE_URL"], args.slow_learners)
            lms = Server("lms", "lms:create_app()", env, workdir, 1)
            bare = bare_server(env, workdir, 1)
            servers += [lms, bare]
            lms.wait_ready("/login")
            bare.wait_ready("/")
            learner = sign_in(lms.port, EMAIL, PASSWORD, FIRST_NAME)
            admin = sign_in(lms.port, ADMIN_EMAIL, PASSWORD, ADMIN_FIRST_NAME)
            loads = []
            for label, path, cookie, expect in [
                ("lesson page", LESSON_PATH, learner, 'id="lesson-title"'),
                ("admin overview by unit", REPORT_PATH, admin, "<table"),
                ("sign-in page", "/login", "", 'name="csrf_token"'),
            ]:
                loads.append(
                    cold_load(f"{label}, compressed", lms.port, path, cookie, BROWSER_ENCODING, expect)
                )
                loads.append(cold_load(f"{label}, identity", lms.port, path, cookie, "identity", expect))
            baseline = cold_load('bare Flask "hello"', bare.port, "/", "", BROWSER_ENCODING, "hello")
        except BenchError as exc:
            report_logs(servers)
            print(f"bench failed: {exc}", file=sys.stderr)
            return 1
        finally:
            for server in servers:
                server.stop()
    print(f"data:     {args.slow_learners:,} learners (the reports bench's data set); one cold load each")
    print("model:    (1 + steps) round trips + all bytes at the link's bandwidth; fonts: all faces named")
    print()
    _print(loads, baseline)
    return 0
