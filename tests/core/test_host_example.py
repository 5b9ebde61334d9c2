"""The example host app (examples/host_app) run as a real host: its own users, login, logout
and layout, the LMS at /learn. Every page a person follows answers, and no link on them is a 404."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from examples.host_app.app import create_app, db
from tests.conftest import BACKENDS, RequestIsolatedClient, csrf_token, empty_database, post_form

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
HREF = re.compile(r'href="(/[^"#]*)')
PASSWORD = "host-password-1"


@pytest.fixture(scope="module", params=BACKENDS)
def host(request, tmp_path_factory):
    """The example app on an empty database, set up as its README says."""
    with empty_database(request.param, tmp_path_factory) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "example-secret", "TESTING": True})
        app.test_client_class = RequestIsolatedClient
        runner = app.test_cli_runner()
        steps = [
            ["host", "init"],
            ["lms", "db", "upgrade"],
            ["lms", "content", "import", str(CONTENT)],
            [
                "host",
                "add-user",
                "prasert@host.example",
                "--first-name",
                "ประเสริฐ",
                "--last-name",
                "นำทาง",
                "--staff-group",
                "executive",
                "--unit",
                "DEMO-OPS",
                "--province",
                "TH-10",
                "--password",
                PASSWORD,
            ],
        ]
        for args in steps:
            result = runner.invoke(args=args)
            assert result.exit_code == 0, (args, result.output)
            if args[:3] == ["lms", "db", "upgrade"]:
                load_demo_units(app)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def load_demo_units(app) -> None:
    """The demo organisation the README loads with ``flask lms demo load``, without its
    password accounts (hashing them is slow, and plugin mode does not use them)."""
    from lms.accounts.demo import demo_data, load_units

    with app.app_context():
        load_units(demo_data()["units"])
        db.session.commit()


def visit(client, url: str, opened: set[str]) -> str:
    """Open a page, then every link on it on this site not opened yet: none is missing or broken."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.location)
    page = response.get_data(as_text=True)
    for href in sorted(set(HREF.findall(page)) - opened):
        opened.add(href)
        status = client.get(href).status_code
        assert status not in (404, 405) and status < 500, (href, status)
    return page


def test_sign_in_at_the_host_learn_and_sign_out_back_to_the_host(host):
    client, opened = host.test_client(), set()
    assert "Not signed in" in visit(client, "/", opened)
    sent = client.get("/learn/")
    assert sent.status_code == 302 and sent.location == "/login?next=/learn/"

    signed_in = post_form(client, sent.location, {"email": "prasert@host.example", "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in.location == "/learn/"

    home = visit(client, "/learn/", opened)
    assert "ยินดีต้อนรับ ประเสริฐ นำทาง" in home
    assert "สำนักงานปลัดกระทรวงตัวอย่าง" in home
    assert "เส้นทางการเรียนรู้สำหรับผู้บริหารระดับสูง" in home
    assert '<a href="/" class="host-home">กลับสู่เว็บไซต์หลัก</a>' in home
    assert "/learn/account/password" not in home

    visit(client, "/learn/courses/exec-digital-leadership", opened)
    post_form(
        client, "/learn/courses/exec-digital-leadership/enrol", page="/learn/courses/exec-digital-leadership"
    )
    course = visit(client, "/learn/courses/exec-digital-leadership", opened)
    lesson = re.search(r'href="(/learn/courses/exec-digital-leadership/lessons/[^"]+)"', course).group(1)
    visit(client, lesson, opened)

    form = {"csrf_token": csrf_token(client, "/learn/")}
    sent_on = client.post("/learn/logout", data=form)
    assert sent_on.status_code == 307 and sent_on.location == "/logout"
    # A browser sends the same form on after a 307; Werkzeug's client would drop the body.
    signed_out = client.post(sent_on.location, data=form, follow_redirects=True)
    assert signed_out.request.path == "/"
    page = signed_out.get_data(as_text=True)
    assert signed_out.status_code == 200
    assert "You have signed out." in page and "Not signed in" in page
    assert client.get("/learn/").location == "/login?next=/learn/"


def calls(source: str, name: str) -> list[dict[str, str]]:
    """The keyword arguments of every call of ``name`` in this Python source, as source text."""
    return [
        {k.arg: ast.unparse(k.value) for k in node.keywords}
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
    ]


def test_the_readme_snippet_is_the_example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Plugging it into your own Flask app", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    example = (ROOT / "examples/host_app/app.py").read_text(encoding="utf-8")
    assert calls(snippet, "LMS") == calls(example, "LMS")
    assert calls(snippet, "Identity") == calls(example, "Identity")
