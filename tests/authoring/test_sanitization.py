"""Script in a lesson never reaches a learner: the editor refuses it with its line, the
package checker refuses it at import, and the renderer removes it even when both are bypassed."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from lms.accounts.models import Role
from lms.authoring import drafts
from lms.content.models import Lesson
from lms.courses.service import enrol
from lms.extensions import session
from lms.packages.importer import import_package
from lms.packages.markdown import render_lesson
from lms.packages.problems import PackageError
from tests.authoring import test_lesson_editor as editor
from tests.conftest import csrf_token, login, make_course, make_user, post_form

signed_in = editor.signed_in  # the editor's fixture; course and owner come from conftest.py
LESSON, URL = editor.LESSON, editor.URL
lesson_form, page_revision, saved_text = editor.lesson_form, editor.page_revision, editor.saved_text

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "link-javascript": "[x](javascript:alert(1))",
    "image-javascript": "![x](javascript:alert(1))",
    "link-data": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "image-data": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "entity-javascript": "[x](&#106;avascript:alert(1))",
    "mixed-case": "[x](JaVaScRiPt:alert(1))",
    "inline-a": 'ข้อความ <a href="javascript:alert(1)" onclick="alert(1)">x</a>',
    "svg-inline": "<svg onload=alert(1)></svg>",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class Tags(HTMLParser):
    """Every start tag with its attributes, entities decoded as a browser decodes them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def assert_harmless(html: str) -> None:
    """Nothing can run: the only scripts are the site's own files, no tag has an on...=
    handler, no URL attribute uses javascript:, vbscript: or data:, and there is no svg,
    iframe or object. (Such words may appear as text the learner reads; text does not run.)"""
    parser = Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ("svg", "iframe", "object", "embed", "math"), tag
        if tag == "link" and attrs.get("rel") == "icon":
            continue  # the base page's empty icon (href="data:,"), not lesson content
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/js/"), attrs
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in URL_ATTRIBUTES & set(attrs):
            value = re.sub(r"[\x00-\x20]", "", attrs[name]).lower()
            assert not value.startswith(BAD_SCHEMES), (tag, name, attrs[name])
    assert "<script>alert" not in html.lower()


def body_with(payload: str) -> str:
    return f"## หัวข้อ\n\nย่อหน้าแรก\n\n{payload}\n"


def test_the_editor_refuses_each_payload_with_its_line(signed_in, course):
    page = signed_in.get(URL).get_data(as_text=True)
    before = saved_text(course)
    for name, payload in PAYLOADS.items():
        response = post_form(signed_in, URL, lesson_form(body_with(payload), revision=page_revision(page)))
        assert response.status_code == 400, name
        problems = re.search(r'id="problems".*?</div>', response.get_data(as_text=True), re.S).group(0)
        assert "13" in problems, name  # 8 lines of front matter, then the payload on body line 5
        assert saved_text(course) == before, name


def test_the_preview_of_each_payload_is_sanitized(signed_in):
    token = csrf_token(signed_in, URL)
    for name, payload in PAYLOADS.items():
        response = signed_in.post(
            URL + "/preview", json={"body": body_with(payload)}, headers={"X-CSRFToken": token}
        )
        data = response.get_json()
        assert_harmless(data["html"])
        assert "<h2>หัวข้อ</h2>" in data["html"], name
        assert data["problems"], name


def test_a_draft_with_the_payloads_is_refused_by_the_importer(course, owner, tmp_path):
    """Saved past the editor (straight through the draft service), the checker still refuses."""
    draft = drafts.draft_of(owner, course)
    text = drafts.text(draft, LESSON) + "\n" + "\n\n".join(PAYLOADS.values()) + "\n"
    drafts.save_text(draft, owner, LESSON, text, drafts.revision(draft, LESSON))
    drafts.write_to(draft, tmp_path)
    with pytest.raises(PackageError) as refused:
        import_package(tmp_path)
    messages = " ".join(p.message for p in refused.value.problems)
    assert "raw HTML" in messages and "javascript" in messages and "data" in messages


def test_an_svg_stored_past_the_upload_check_is_refused_by_the_importer(course, owner, tmp_path):
    draft = drafts.draft_of(owner, course)
    svg = tmp_path / "evil.svg"
    svg.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    drafts.save_media(draft, owner, "media/evil.svg", svg, 0)
    text = drafts.text(draft, LESSON) + "\n![แผนภาพ](media/evil.svg)\n"
    drafts.save_text(draft, owner, LESSON, text, drafts.revision(draft, LESSON))
    package = tmp_path / "package"
    drafts.write_to(draft, package)
    with pytest.raises(PackageError) as refused:
        import_package(package)
    assert any("SVG" in p.message for p in refused.value.problems)


def test_the_draft_media_route_does_not_serve_svg(signed_in, course, owner, tmp_path):
    signed_in.get(URL)
    draft = drafts.existing_draft(course)
    svg = tmp_path / "evil.svg"
    svg.write_bytes(b"<svg><script>alert(1)</script></svg>")
    drafts.save_media(draft, owner, "media/evil.svg", svg, 0)
    session.commit()
    assert signed_in.get("/authoring/exec-digital-leadership/media/evil.svg").status_code == 404


def test_a_learner_never_gets_script_even_when_the_checker_is_bypassed(app, client):
    """The renderer alone: every payload rendered into a version's lesson and opened as a learner."""
    made = make_course("bypass", modules=1, lessons_per_module=1)
    lesson = session.query(Lesson).filter_by(key="m1-l1").one()
    lesson.body_markdown = "\n\n".join(PAYLOADS.values())
    lesson.body_html = render_lesson(lesson.body_markdown, {})
    learner = make_user(Role.LEARNER, email="learner-s@example.org")
    enrol(learner, made)
    session.commit()
    login(client, learner.email)
    response = client.get("/courses/bypass/lessons/m1-l1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_harmless(page)
    assert "&lt;script&gt;" in page  # shown as text, not run
