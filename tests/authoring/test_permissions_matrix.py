"""Who may open which authoring and insights page: every rule of ``/authoring`` and ``/insights``
requested as each kind of visitor, against one imported course.

The rules are read from ``app.url_map``: a new route without a line in ``RULES`` fails
``test_every_authoring_and_insights_rule_has_an_expectation``, so none is forgotten.

What the product promises (docs/authoring.md):

* signed out: every page sends the visitor to sign in;
* learners and HR officers: 403 everywhere (the menu entry is for trainers and administrators);
* a trainer who does not own the course: 403 on every page about the course, and on the
  certificate template draft another trainer started; the pages that are about no course (the
  authoring list, which shows only their own courses, New course, Import a package and the list
  of certificate templates) are open to every trainer (200);
* the owning trainer (who also started the certificate template draft) and an administrator:
  never 403; the audit log is an administrator's alone;
* nobody ever gets a 500.

GET is requested for every rule that has it; POST-only rules are posted with a valid CSRF token
and no other field (or only the ones that keep the action harmless), so the shared data stays as
built: each such action is refused as incomplete (400), stale (409) or not needed (a redirect
with a message), never carried out.
"""

from __future__ import annotations

import html
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.authoring import certificate_templates, drafts
from lms.authoring.models import CourseOwner
from lms.content.models import Course
from lms.extensions import session
from lms.packages.importer import import_package
from tests.conftest import csrf_token, login, make_user, post_form, shared_app

PACKAGE = Path(__file__).resolve().parents[2] / "content" / "exec-digital-leadership"
SLUG = "exec-digital-leadership"
TEMPLATE = "matrix-cert"
MEDIA = "chart.png"
EMAIL = {
    "learner": "matrix-learner@example.org",
    "hr": "matrix-hr@example.org",
    "other_trainer": "matrix-other-trainer@example.org",
    "owner": "matrix-owner@example.org",
    "admin": "matrix-admin@example.org",
}
ROLE_OF = {
    "learner": Role.LEARNER,
    "hr": Role.HR,
    "other_trainer": Role.TRAINER,
    "owner": Role.TRAINER,
    "admin": Role.ADMIN,
}
VISITORS = ["signed_out", *EMAIL]

# What a visitor gets, beyond "not 403, not 500":
OPEN = "open"  # 200
DONE = "redirect"  # a 302/303 back to a page (a refused or harmless action, with a message)
REFUSED = "refused"  # 400 (incomplete form), 409 (stale revision) or 422 (no upload)
FORBIDDEN = "forbidden"  # 403
SIGN_IN = "sign in"  # a redirect to the sign-in page


@dataclass(frozen=True)
class Rule:
    path: str  # the URL to request
    method: str = "GET"
    data: tuple = ()  # form fields besides the CSRF token
    for_author: str = OPEN  # what the owner and an administrator get
    other_trainer: str = FORBIDDEN  # what a trainer who does not own the course gets
    admin_only: bool = False


C = f"/authoring/{SLUG}"
QUIZ = f"{C}/quizzes/m1-quiz"
RULES: dict[str, Rule] = {
    # Pages about no course: every trainer may open them (the list shows only their courses).
    "lms.authoring.index": Rule("/authoring/", other_trainer=OPEN),
    "lms.authoring.course_new": Rule("/authoring/new", other_trainer=OPEN),
    "lms.authoring.package_import": Rule("/authoring/import", other_trainer=OPEN),
    "lms.authoring.templates": Rule("/authoring/certificate-templates", other_trainer=OPEN),
    "lms.authoring.audit_log": Rule("/authoring/audit", admin_only=True),
    # A certificate template draft: the trainer who started it (the owner here) and admins.
    "lms.authoring.template_edit": Rule(f"/authoring/certificate-templates/{TEMPLATE}"),
    "lms.authoring.template_preview": Rule(f"/authoring/certificate-templates/{TEMPLATE}/preview.pdf"),
    # The course's pages.
    "lms.authoring.course_edit": Rule(f"{C}/details"),
    "lms.authoring.owner_add": Rule(f"{C}/owners", "POST", for_author=REFUSED),  # no email
    "lms.authoring.owner_remove": Rule(f"{C}/owners/remove", "POST", for_author=DONE),  # no one
    "lms.authoring.structure": Rule(f"{C}/structure"),
    "lms.authoring.module_add": Rule(f"{C}/structure/modules", "POST", for_author=REFUSED),
    "lms.authoring.module_rename": Rule(f"{C}/structure/modules/m1/rename", "POST", for_author=REFUSED),
    "lms.authoring.module_delete": Rule(f"{C}/structure/modules/m1/delete", "POST", for_author=REFUSED),
    "lms.authoring.module_move": Rule(f"{C}/structure/modules/m1/move", "POST", for_author=REFUSED),
    "lms.authoring.lesson_add": Rule(f"{C}/structure/modules/m1/lessons", "POST", for_author=REFUSED),
    "lms.authoring.lesson_delete": Rule(f"{C}/structure/lessons/m1-l1/delete", "POST", for_author=REFUSED),
    "lms.authoring.lesson_move": Rule(f"{C}/structure/lessons/m1-l1/move", "POST", for_author=REFUSED),
    "lms.authoring.lesson_edit": Rule(f"{C}/lessons/m1-l1"),
    "lms.authoring.lesson_preview": Rule(
        f"{C}/lessons/m1-l1/preview", "POST", data=(("body", "**ตัวหนา**"),), for_author=OPEN
    ),
    "lms.authoring.lesson_upload": Rule(f"{C}/lessons/m1-l1/media", "POST", for_author=REFUSED),  # no file
    "lms.authoring.draft_media": Rule(f"{C}/media/{MEDIA}"),
    "lms.authoring.quizzes": Rule(f"{C}/quizzes"),
    "lms.authoring.quiz_create": Rule(f"{C}/quizzes/new", "POST", for_author=REFUSED),
    "lms.authoring.quiz_detach": Rule(f"{C}/quizzes/detach", "POST", for_author=DONE),  # no revision
    "lms.authoring.quiz_edit": Rule(QUIZ),
    "lms.authoring.quiz_delete": Rule(f"{QUIZ}/delete", "POST", for_author=DONE),  # no revision
    "lms.authoring.question_new": Rule(f"{QUIZ}/questions/new?type=single_choice"),
    "lms.authoring.question_edit": Rule(f"{QUIZ}/questions/q1"),
    "lms.authoring.question_delete": Rule(f"{QUIZ}/questions/q1/delete", "POST", for_author=DONE),
    "lms.authoring.question_move": Rule(f"{QUIZ}/questions/q1/move", "POST", for_author=DONE),
    "lms.authoring.preview": Rule(f"{C}/preview"),
    "lms.authoring.preview_lesson": Rule(f"{C}/preview/lessons/m1-l1"),
    "lms.authoring.preview_start": Rule(f"{C}/preview/start", "POST", for_author=DONE),
    "lms.authoring.preview_leave": Rule(
        f"{C}/preview/lessons/m1-l1/leave", "POST", data=(("action", "next"),), for_author=DONE
    ),
    "lms.authoring.publish": Rule(f"{C}/publish"),
    "lms.authoring.discard": Rule(f"{C}/discard", "POST", for_author=REFUSED),  # box not ticked
    "lms.authoring.history": Rule(f"{C}/versions"),
    "lms.authoring.rollback": Rule(f"{C}/versions/1/rollback", "POST", for_author=DONE),  # the newest
    "lms.authoring.file_changes": Rule(f"{C}/changes?path=course.yaml&since=0"),
    "lms.authoring.package": Rule(f"{C}/package"),
    "lms.authoring.version_zip": Rule(f"{C}/versions/1.zip"),
    "lms.authoring.draft_zip": Rule(f"{C}/draft.zip"),
    # Insights: the course's owners and administrators.
    "lms.insights.dashboard": Rule(f"/insights/{SLUG}"),
    "lms.insights.dropoff": Rule(f"/insights/{SLUG}/lessons"),
    "lms.insights.quiz_items": Rule(f"/insights/{SLUG}/quizzes/m1-quiz"),
}


def tiny_png(path: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
    return path


@pytest.fixture(scope="module")
def site(database_url, tmp_path_factory):
    """The course (imported, published as version 1), its draft with a media file, an owner,
    a certificate template draft the owner started, and one user per visitor."""
    folder = tmp_path_factory.mktemp("matrix")

    def build():
        users = {name: make_user(ROLE_OF[name], email=email) for name, email in EMAIL.items()}
        course = import_package(PACKAGE).course
        session.add(CourseOwner(course_id=course.id, user_id=users["owner"].id))
        draft = drafts.draft_of(users["owner"], course)
        drafts.save_media(draft, users["owner"], f"media/{MEDIA}", tiny_png(folder / MEDIA), 0)
        certificate_templates.create_draft(users["owner"], TEMPLATE, "formal-th")
        session.commit()
        assert course.slug == SLUG

    with shared_app(
        database_url,
        build,
        LMS_LOGIN_RATE_LIMIT="1000 per minute",
        LMS_MEDIA_DIR=str(folder / "media"),
        LMS_CERTIFICATE_TEMPLATES_DIR=str(folder / "certificate-templates"),
    ) as (app, _):
        yield app


@pytest.fixture(scope="module")
def clients(site):
    """A client per visitor, signed in once, with its CSRF token."""
    made = {}
    with site.app_context():
        for visitor in VISITORS:
            client = site.test_client()
            if visitor != "signed_out":
                assert login(client, EMAIL[visitor]).status_code == 302
            made[visitor] = (client, csrf_token(client, "/login" if visitor == "signed_out" else "/courses"))
        session.remove()
    return made


def expected(rule: Rule, visitor: str) -> str:
    if visitor == "signed_out":
        return SIGN_IN
    if visitor in ("learner", "hr"):
        return FORBIDDEN
    if rule.admin_only:
        return rule.for_author if visitor == "admin" else FORBIDDEN
    if visitor == "other_trainer":
        return rule.other_trainer
    return rule.for_author


def outcome(response) -> str:
    code = response.status_code
    if code in (302, 303):
        return SIGN_IN if "/login" in response.headers["Location"] else DONE
    return {200: OPEN, 403: FORBIDDEN, 400: REFUSED, 409: REFUSED, 422: REFUSED}.get(code, str(code))


def test_every_authoring_and_insights_rule_has_an_expectation(site):
    rules = {
        rule.endpoint
        for rule in site.url_map.iter_rules()
        if rule.endpoint.startswith(("lms.authoring.", "lms.insights."))
    }
    assert rules - RULES.keys() == set(), "add these rules to RULES"
    assert RULES.keys() - rules == set(), "these rules are gone: remove them from RULES"
    adapter = site.url_map.bind("localhost")
    for endpoint, expectation in RULES.items():
        methods = next(r.methods for r in site.url_map.iter_rules() if r.endpoint == endpoint)
        if "GET" in methods:
            assert expectation.method == "GET", endpoint
        else:
            assert expectation.method in methods, endpoint
        path = urlsplit(expectation.path).path
        assert adapter.match(path, method=expectation.method)[0] == endpoint, "the path is another rule's"


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_who_may_open_what(site, clients, endpoint, visitor):
    rule = RULES[endpoint]
    client, token = clients[visitor]
    with site.app_context():
        if rule.method == "GET":
            response = client.get(rule.path)
        else:
            response = client.post(rule.path, data={"csrf_token": token, **dict(rule.data)})
        session.remove()
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    assert outcome(response) == expected(rule, visitor), (
        response.status_code,
        response.headers.get("Location"),
        response.get_data(as_text=True)[:1500],
    )


def test_the_shared_course_was_not_changed(site, clients):
    """The matrix posted to every action: none of them was carried out."""
    with site.app_context():
        course = session.query(Course).filter_by(slug=SLUG).one()
        assert [v.number for v in course.versions] == [1]
        actions = {entry.action for entry in session.query(AuditEntry)}
        assert actions == {"authoring.template_created", "authoring.media_saved"}, actions
        session.remove()


LINK_RE = re.compile(r'\b(href|action)="(/(?:authoring|insights)[^"#]*)')


def crawl(site, client, start: str) -> tuple[dict[str, int], set[str]]:
    """Follow every authoring and insights link (GET) from ``start``: each page's status, and the
    endpoints of the forms' actions."""
    adapter = site.url_map.bind("localhost")
    pages, actions, queue = {}, set(), [start]
    while queue:
        url = html.unescape(queue.pop())
        if url in pages:
            continue
        with site.app_context():
            response = client.get(url)
            session.remove()
        pages[url] = response.status_code
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for kind, found in LINK_RE.findall(response.get_data(as_text=True)):
            found = html.unescape(found)
            if kind == "action":
                actions.add(adapter.match(urlsplit(found).path, method="POST")[0])
            elif found not in pages:
                queue.append(found)
    return pages, actions


def test_a_trainer_reaches_every_page_from_the_menu(site, clients):
    """From the Authoring menu entry, links lead to every page of the course (no link is broken),
    and the pages' forms post to every action; what is reached only otherwise is named here."""
    client, _token = clients["owner"]
    with site.app_context():
        home = client.get("/courses").get_data(as_text=True)
        session.remove()
    assert 'href="/authoring/"' in home
    pages, actions = crawl(site, client, "/authoring/")
    broken = {url: code for url, code in pages.items() if code != 200}
    assert broken == {}
    adapter = site.url_map.bind("localhost")
    reached = {adapter.match(urlsplit(url).path)[0] for url in pages} | actions
    not_linked = {  # linked only in a state the shared course is not in, or not by an <a>
        "lms.authoring.audit_log": "administrators only (linked for them: see below)",
        "lms.authoring.file_changes": "linked from a refused (stale) save",
        "lms.authoring.rollback": "a button on every version but the newest (there is one)",
        "lms.authoring.owner_remove": "a button while the course has two owners or more",
        "lms.authoring.quiz_delete": "a button on a quiz no module uses",
        "lms.authoring.lesson_preview": "the editor's script posts to its data-preview-url",
        "lms.authoring.template_preview": "linked after Save and preview renders without errors",
    }
    assert set(RULES) - reached == set(not_linked)
    admin, _token = clients["admin"]
    with site.app_context():
        assert 'href="/authoring/audit"' in admin.get("/authoring/").get_data(as_text=True)
        session.remove()


def test_every_page_of_a_new_unpublished_course_opens(app, client, tmp_path):
    """The matrix's course is published and has a draft; a course made with New course has no
    version yet (and no quiz, no media): every page linked from its tabs still opens."""
    app.config["LMS_MEDIA_DIR"] = str(tmp_path / "media")
    trainer = make_user(Role.TRAINER)
    login(client, trainer.email)
    new = {"slug": "matrix-new", "title_th": "ใหม่", "title_en": "New", "summary_th": "สรุป"}
    new |= {"summary_en": "Summary", "audience": ["general"], "hours": "1"}
    created = post_form(client, "/authoring/new", new)
    assert created.status_code == 302, created.get_data(as_text=True)
    pages, actions = crawl(app, client, created.headers["Location"])
    assert {url: code for url, code in pages.items() if code != 200} == {}
    assert "/insights/matrix-new" in pages and "/authoring/matrix-new/preview" in pages
    assert {"lms.authoring.publish", "lms.authoring.lesson_add", "lms.authoring.quiz_create"} <= actions
