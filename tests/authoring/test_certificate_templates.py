"""The certificate template editor: copy a template, edit it, preview the PDF, publish it; the
layout check refuses a template whose boxes overlap; broken or unsafe templates give a clear
error; stale saves, built-in names and people without the right are refused."""

from __future__ import annotations

import re
import subprocess
from html import unescape

import pytest

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.authoring import certificate_templates as service
from lms.authoring.template_models import CertificateTemplateDraft
from lms.certificates.render import BUILTIN_TEMPLATES_ROOT, available_templates
from lms.extensions import session
from tests.conftest import PASSWORD, login, make_course, make_user, post_form

LIST = "/authoring/certificate-templates"
FORMAL_CSS = (BUILTIN_TEMPLATES_ROOT / "formal-th" / "theme.css").read_text(encoding="utf-8")
FORMAL_HTML = (BUILTIN_TEMPLATES_ROOT / "formal-th" / "template.html").read_text(encoding="utf-8")
FORMAL_METADATA = (BUILTIN_TEMPLATES_ROOT / "formal-th" / "metadata.yaml").read_text(encoding="utf-8")
#: Puts the date ("ให้ไว้ ณ วันที่ ...") across the bottom of the page, where the signatories are.
DATE_OVER_SIGNATURES = "\n.given { position: absolute; left: 0; right: 0; bottom: 30mm; }\n"


def edit_url(name: str) -> str:
    return f"{LIST}/{name}"


@pytest.fixture
def site_folder(app, tmp_path):
    folder = tmp_path / "site-templates"
    app.config["LMS_CERTIFICATE_TEMPLATES_DIR"] = str(folder)
    return folder


@pytest.fixture
def trainer(site_folder):
    return make_user(Role.TRAINER, email="trainer@example.org")


def signed_in(client, user):
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 302
    return client


def create(client, name: str, source: str = "formal-th"):
    return post_form(client, LIST, {"source": source, "name": name})


def form_fields(page: str) -> dict[str, str]:
    """The edit form's three files and revision, as the page holds them."""
    found = {
        field: unescape(
            re.search(rf'<textarea[^>]*name="{field}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)[1]
        )
        for field in ("template_html", "theme_css", "metadata_yaml")
    }
    found["revision"] = re.search(r'name="revision" type="hidden" value="(\d+)"', page)[1]
    return found


def submit(client, name: str, button: str, *, revision: str | None = None, **files: str):
    """Post the edit form as a browser does, with the page's current text except ``files``
    (``css``, ``html``, ``metadata``)."""
    current = form_fields(client.get(edit_url(name)).get_data(as_text=True))
    for key, field in (("css", "theme_css"), ("html", "template_html"), ("metadata", "metadata_yaml")):
        if key in files:
            current[field] = files[key]
    if revision is not None:
        current["revision"] = revision
    current[button] = "x"
    return post_form(client, edit_url(name), current)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "preview.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_list_shows_the_built_in_templates_and_the_courses_that_use_them(client, trainer):
    make_course("uses-the-default")
    page = signed_in(client, trainer).get(LIST)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for name in ("formal-th", "bilingual"):
        assert f"<code>{name}</code>" in text
    row = re.search(r"<code>formal-th</code>.*?</tr>", text, re.S)[0]
    assert "uses-the-default" in row
    assert "/certificate-templates/formal-th" not in text  # built-in: no edit link, only "copy"
    assert "?source=formal-th" in text


def test_copy_edit_preview_and_publish_a_template(client, trainer, site_folder, app, tmp_path):
    signed_in(client, trainer)
    created = create(client, "ministry-formal")
    assert created.status_code == 302 and created.location.endswith(edit_url("ministry-formal"))
    page = client.get(edit_url("ministry-formal")).get_data(as_text=True)
    assert "&lt;main class=" in page and '<main class="sheet">' not in page  # the source, as text
    assert not (site_folder / "ministry-formal").exists()  # nothing is live before publishing

    edited_css = FORMAL_CSS.replace("#1d2d50", "#7a1020")
    saved = submit(client, "ministry-formal", "save", css=edited_css)
    assert saved.status_code == 302
    entry = session.query(AuditEntry).filter_by(action="authoring.template_saved").one()
    assert (
        entry.actor_id == trainer.id and "+" in entry.details["diff"] and "#7a1020" in entry.details["diff"]
    )

    previewed = submit(client, "ministry-formal", "preview")
    assert previewed.status_code == 200
    assert "/certificate-templates/ministry-formal/preview.pdf" in previewed.get_data(as_text=True)
    pdf = client.get(edit_url("ministry-formal") + "/preview.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "นางสาวปิ่นมณี รุ่งเรืองศรี" in pdf_text(pdf.data, tmp_path)

    published = submit(client, "ministry-formal", "publish")
    assert published.status_code == 302
    assert (site_folder / "ministry-formal" / "theme.css").read_text(encoding="utf-8") == edited_css
    assert "ministry-formal" in available_templates(app)
    assert session.query(AuditEntry).filter_by(action="authoring.template_published").count() == 1
    listed = client.get(LIST).get_data(as_text=True)
    assert re.search(r"<code>ministry-formal</code>.*?</tr>", listed, re.S)


def test_a_template_whose_date_covers_the_signatures_is_not_published(client, trainer, site_folder, app):
    signed_in(client, trainer)
    create(client, "overlapping")
    refused = submit(client, "overlapping", "publish", css=FORMAL_CSS + DATE_OVER_SIGNATURES)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    problems = re.findall(r'<li class="error">(.*?)</li>', text)
    assert any("ให้ไว้ ณ วันที่" in p and "(นายศักดิ์สิทธิ์" in unescape(p) for p in problems), problems
    assert not (site_folder / "overlapping").exists()
    assert "overlapping" not in available_templates(app)
    draft = session.query(CertificateTemplateDraft).filter_by(name="overlapping").one()
    assert draft.published_at is None and DATE_OVER_SIGNATURES in draft.theme_css  # saved, not live


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        ("{% if %}", "template.html"),
        ("{{ ''.__class__.__mro__ }}", "__class__"),
        ("{{ cycler.__init__.__globals__ }}", "__init__"),
        ("{{ serial|no_such_filter }}", "no_such_filter"),
        ('<img src="https://example.org/tracker.png" alt="">', "https://example.org/tracker.png"),
    ],
)
def test_a_broken_or_unsafe_template_gives_a_clear_error(client, trainer, bad, said):
    signed_in(client, trainer)
    create(client, "broken")
    html = FORMAL_HTML.replace("<body>", "<body>\n" + bad, 1)
    errors = preview_errors(client, "broken", html=html)
    assert errors and said in errors[0], errors
    if bad == "{% if %}":  # a syntax error names its line
        line = html.splitlines().index(bad) + 1
        assert re.search(rf"\b{line}\)", errors[0]), errors
    pdf = client.get(edit_url("broken") + "/preview.pdf")
    assert pdf.status_code == 422 and said in unescape(pdf.get_data(as_text=True))
    refused = submit(client, "broken", "publish")
    assert refused.status_code == 422 and not service.site_names()


def test_a_stylesheet_from_elsewhere_and_a_wrong_page_size_are_named(client, trainer):
    signed_in(client, trainer)
    create(client, "broken-css")
    css = '@import url("https://example.org/theme.css");\n' + FORMAL_CSS
    errors = preview_errors(client, "broken-css", css=css)
    assert errors and "https://example.org/theme.css" in errors[0], errors
    errors = preview_errors(
        client, "broken-css", css=FORMAL_CSS, metadata=FORMAL_METADATA.replace("size: A4", "size: A9")
    )
    assert errors and "page.size" in errors[0], errors


def preview_errors(client, name: str, **files: str) -> list[str]:
    """The errors the check lists after "Save and preview"."""
    checked = submit(client, name, "preview", **files)
    assert checked.status_code == 200
    return [
        unescape(e) for e in re.findall(r'<li class="error">(.*?)</li>', checked.get_data(as_text=True), re.S)
    ]


def test_a_stale_save_is_refused_and_shows_the_other_change(client, trainer, app):
    signed_in(client, trainer)
    create(client, "shared")
    admin = make_user(Role.ADMIN, email="admin2@example.org")
    draft = service.draft_named("shared")
    texts = {"template_html": FORMAL_HTML, "theme_css": FORMAL_CSS + "\n/* ปรับโดยผู้ดูแล */\n"}
    service.save(draft, admin, {**texts, "metadata_yaml": FORMAL_METADATA}, 1)
    session.commit()
    refused = submit(client, "shared", "save", css=FORMAL_CSS + "\n/* ของฉัน */\n", revision="1")
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "ปรับโดยผู้ดูแล" in text and "ของฉัน" in text
    session.expire_all()
    saved = service.draft_named("shared")
    assert "ปรับโดยผู้ดูแล" in saved.theme_css and "ของฉัน" not in saved.theme_css and saved.revision == 2


@pytest.mark.parametrize("name", ["formal-th", "bilingual", "Formal_TH", "x", "-leading-dash"])
def test_a_built_in_or_malformed_name_is_refused(client, trainer, name):
    refused = create(signed_in(client, trainer), name)
    assert refused.status_code == 400
    assert 'class="error"' in refused.get_data(as_text=True)
    assert session.query(CertificateTemplateDraft).count() == 0


def test_only_the_trainer_who_made_it_and_administrators_may_edit_it(client, app, trainer):
    signed_in(client, trainer)
    create(client, "mine")
    client.post("/logout")
    other = make_user(Role.TRAINER, email="other-trainer@example.org")
    learner = make_user(Role.LEARNER, email="learner@example.org")
    hr = make_user(Role.HR, email="hr@example.org")
    admin = make_user(Role.ADMIN, email="admin@example.org")
    for user in (other, learner, hr):
        refused = signed_in(app.test_client(), user)
        assert refused.get(edit_url("mine")).status_code == 403, user.email
        assert refused.get(edit_url("mine") + "/preview.pdf").status_code == 403, user.email
    assert signed_in(app.test_client(), admin).get(edit_url("mine")).status_code == 200
    for user in (learner, hr):
        assert signed_in(app.test_client(), user).get(LIST).status_code == 403
    stranger = signed_in(app.test_client(), other)
    assert post_form(stranger, edit_url("mine"), {"save": "x"}, page=LIST).status_code == 403
    assert signed_in(app.test_client(), admin).get(LIST).status_code == 200
    assert app.test_client().get(edit_url("mine")).status_code == 302  # signed out: to the login


def test_the_editor_shows_authored_html_as_text_only(client, trainer):
    signed_in(client, trainer)
    create(client, "escaped")
    html = FORMAL_HTML.replace("<body>", '<body><script>alert("x")</script>', 1)
    submit(client, "escaped", "save", html=html)
    page = client.get(edit_url("escaped")).get_data(as_text=True)
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(" in page
