"""Uploading media into a draft from the lesson editor: the content is sniffed, names made safe,
and every refusal says why and writes nothing."""

from __future__ import annotations

import io

import pytest

from lms.authoring import drafts
from lms.extensions import session
from tests.authoring import test_lesson_editor as editor
from tests.conftest import csrf_token, post_form

signed_in = editor.signed_in  # the editor's fixture; course and owner come from conftest.py
URL = editor.URL
UPLOAD = URL + "/media"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def upload(client, name: str, content: bytes, **headers):
    return post_form(
        client,
        UPLOAD,
        {"file": (io.BytesIO(content), name)},
        page=URL,
        content_type="multipart/form-data",
        headers=headers,
    )


def media_in_draft(course) -> list[str]:
    session.expire_all()
    draft = drafts.existing_draft(course)
    return sorted(p for p in drafts.files(draft) if p.startswith("media/"))


def test_a_png_is_stored_and_the_markdown_to_paste_is_shown(signed_in, course):
    response = upload(signed_in, "Flow Chart.PNG", PNG)
    assert response.status_code == 302
    assert media_in_draft(course) == ["media/flow-chart.png"]
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "](media/flow-chart.png)" in page and "![" in page
    served = signed_in.get("/authoring/exec-digital-leadership/media/flow-chart.png")
    assert served.status_code == 200
    assert served.data == PNG
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline")


def test_with_javascript_the_upload_answers_json(signed_in, course):
    response = upload(signed_in, "clip.pdf", b"%PDF-1.7\n" + bytes(40), Accept="application/json")
    assert response.status_code == 200
    assert response.get_json()["markdown"].endswith("](media/clip.pdf)")
    assert not response.get_json()["markdown"].startswith("!")
    served = signed_in.get("/authoring/exec-digital-leadership/media/clip.pdf")
    assert served.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("photo.jpg", PNG, "JPEG"),
        ("page.png", b"<html><script>alert(1)</script></html>", "PNG"),
        ("drawing.svg", SVG, "SVG"),
        ("empty.png", b"", "ว่าง"),
        ("../../etc/x.png", PNG, ".."),
        ("รูปภาพ.png", PNG, "a-z"),
        ("notes.txt", b"hello", "pdf"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(signed_in, course, name, content, says):
    response = upload(signed_in, name, content)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = page.split('id="file-error"', 1)[1].split("</p>", 1)[0]
    assert says in error
    assert media_in_draft(course) == []


def test_a_file_over_the_media_limit_is_refused(app, signed_in, course):
    """Over LMS_MEDIA_MAX_MB but within the request allowance: the checker's size problem."""
    app.config["LMS_MEDIA_MAX_MB"] = 0.001  # about 1 KB
    response = upload(signed_in, "big.png", PNG + bytes(4096))
    assert response.status_code == 400
    assert "LMS_MEDIA_MAX_MB" in response.get_data(as_text=True)
    assert media_in_draft(course) == []


def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(app, signed_in, course):
    app.config["LMS_MEDIA_MAX_MB"] = 0.001  # about 1 KB, plus 64 KB for the form's other fields
    token = csrf_token(signed_in, URL)
    response = signed_in.post(
        UPLOAD,
        data={"csrf_token": token, "file": (io.BytesIO(PNG + bytes(100 * 1024)), "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "LMS_MEDIA_MAX_MB" in page.split('class="flashes"', 1)[1]
    assert media_in_draft(course) == []


def test_no_file_chosen_is_refused(signed_in, course):
    response = post_form(signed_in, UPLOAD, {}, page=URL)
    assert response.status_code == 400
    assert 'id="file-error"' in response.get_data(as_text=True)


def test_draft_media_are_for_authors_only(client, signed_in, course):
    upload(signed_in, "flow.png", PNG)
    signed_in.post("/logout", data={"csrf_token": csrf_token(signed_in, URL)})
    from lms.accounts.models import Role
    from tests.conftest import login, make_user

    learner = make_user(Role.LEARNER, email="learner-m@example.org")
    login(client, learner.email)
    assert client.get("/authoring/exec-digital-leadership/media/flow.png").status_code == 403


def test_the_editor_links_each_file_of_the_draft_to_open_it(signed_in, course):
    """An uploaded file is reachable from the editor before any lesson shows it (the list of the
    course's files used to be plain text), in a new tab so the text being typed stays."""
    upload(signed_in, "flow.png", PNG)
    page = signed_in.get(URL).get_data(as_text=True)
    link = '<a href="/authoring/exec-digital-leadership/media/flow.png" target="_blank" rel="noopener">'
    assert link + "<code>media/flow.png</code>" in page
    assert "(เปิดในแท็บใหม่)" in page
    assert signed_in.get("/authoring/exec-digital-leadership/media/flow.png").status_code == 200


def test_the_preview_shows_an_uploaded_picture_from_the_draft(signed_in, course):
    upload(signed_in, "flow.png", PNG)
    response = signed_in.post(
        URL + "/preview",
        json={"body": "![แผนภาพขั้นตอน](media/flow.png)\n"},
        headers={"X-CSRFToken": csrf_token(signed_in, URL)},
    )
    data = response.get_json()
    assert data["problems"] == []
    assert '<img src="/authoring/exec-digital-leadership/media/flow.png" alt="แผนภาพขั้นตอน">' in data["html"]


def test_with_javascript_a_too_large_upload_answers_json(app, signed_in, course):
    app.config["LMS_MEDIA_MAX_MB"] = 0.001
    response = signed_in.post(
        UPLOAD,
        data={"csrf_token": csrf_token(signed_in, URL), "file": (io.BytesIO(bytes(100 * 1024)), "big.png")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    assert "LMS_MEDIA_MAX_MB" in response.get_json()["error"]
    assert media_in_draft(course) == []
