"""Certificate templates written in the browser: drafts, a preview, the layout check, publishing.

A draft (:class:`CertificateTemplateDraft`) holds a template's three files in the database, so
editing never changes a live template. The preview and the check render the draft with the real
renderer, pointed at a temporary folder holding it, from sample data; the check also lays it out
with worst-case data (a two-line Thai name, a 130-character course title, three signatories)
and lists what overlaps or leaves the page. Publishing re-runs the check and, only if it passes,
installs the files into the site's templates folder the way a course package's template is
installed (a folder beside it, then swapped in: ``lms.packages.certificates.install``).

Authored HTML is rendered only by the certificate renderer (a sandboxed Jinja environment) and
only into PDFs, never into an LMS page.

Who: administrators and trainers (``AUTHOR_COURSES``) may start a draft; a trainer edits and
publishes only the drafts they started, an administrator every one. Services flush, never commit.
"""

from __future__ import annotations

import copy
import difflib
import logging
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import Role, User, utcnow
from lms.accounts.policy import NotAllowed, require
from lms.audit.models import AuditEntry
from lms.audit.service import audit
from lms.authoring.access import AUTHOR_COURSES
from lms.authoring.template_models import CertificateTemplateDraft
from lms.certificates import render
from lms.certificates.data import SAMPLE
from lms.certificates.errors import CertificateError, ResourceRefused
from lms.content.models import Course, CourseVersion
from lms.extensions import session
from lms.packages.certificates import install

log = logging.getLogger(__name__)

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")
_ANY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
"""What the renderer takes as a template name (a package may bring longer names than ours)."""
#: The draft's files: (attribute of the draft, file name in the template's folder).
FILES = (
    ("template_html", render.TEMPLATE_FILE),
    ("theme_css", render.THEME_FILE),
    ("metadata_yaml", render.METADATA_FILE),
)
MAX_FILE_CHARS = 200_000
DIFF_LIMIT = 20_000
DEFAULT_TEMPLATE = "formal-th"
"""What a course whose version names no template gets (``certificates.service``)."""

_LONG_TITLE_TH = (
    "การบริหารจัดการข้อมูลภาครัฐและการเปิดเผยข้อมูลเพื่อการพัฒนาบริการดิจิทัลที่ยึดประชาชนเป็นศูนย์กลาง"
    "สำหรับผู้บริหารระดับกลางของส่วนราชการ"
)
_SIGNATORIES = [
    {
        "name_th": "นายศักดิ์สิทธิ์ วิจิตรไพบูลย์ณอยุธยา",
        "position_th": "ผู้อำนวยการสำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)",
        "name_en": "Mr Saksit Wijitpaiboonnaayutthaya",
        "position_en": "Director, Digital Government Development Agency",
    },
    {
        "name_th": "นางสาวปิ่นมณีรัตน์ รุ่งเรืองศรีสวัสดิ์",
        "position_th": "ผู้อำนวยการสถาบันพัฒนาบุคลากรภาครัฐด้านดิจิทัล",
        "name_en": "Ms Pinmaneerat Rungruangsrisawat",
        "position_en": "Director, Digital Government Academy",
    },
    {
        "name_th": "ดร.สมชาย ใจงาม",
        "position_th": "รองผู้อำนวยการฝ่ายพัฒนาบุคลากรและการเรียนรู้",
        "name_en": "Dr Somchai Jai-ngam",
        "position_en": "Deputy Director, People and Learning Development",
    },
]


def _worst_case() -> dict[str, Any]:
    """The longest realistic certificate: the worst case of tests/certificates/worst_cases.py."""
    data = copy.deepcopy(SAMPLE)
    data["learner"] = {
        "title_th": "พลตำรวจตรีหญิง ดร.",
        "first_name_th": "วิมลรัตน์ประภาพรรณราย",
        "last_name_th": "ศรีสุวรรณภูมิพิทักษ์ไพศาลวงศ์",
        "title_en": "Police Major General Dr",
        "first_name_en": "Wimonratprapaphanrai",
        "last_name_en": "Srisuwannaphumphithakphaisanwong",
        "full_name_th": "พลตำรวจตรีหญิง ดร.วิมลรัตน์ประภาพรรณราย ศรีสุวรรณภูมิพิทักษ์ไพศาลวงศ์",
        "full_name_en": "Police Major General Dr Wimonratprapaphanrai Srisuwannaphumphithakphaisanwong",
    }
    data["course"]["title_th"] = _LONG_TITLE_TH
    data["course"]["title_en"] = (
        "Government data management and open data for developing citizen-centred digital "
        "services, for middle managers of agencies"
    )
    data["signatories"] = copy.deepcopy(_SIGNATORIES)
    data["issuer"] = {
        "name_th": "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน) สถาบันพัฒนาบุคลากรภาครัฐด้านดิจิทัล",
        "name_en": "Digital Government Development Agency (Public Organization), Digital Government Academy",
    }
    return data


WORST_CASE = _worst_case()


class TemplateDraftError(ValueError):
    """A name or a file that cannot be taken; ``field`` is the form field it belongs to."""

    def __init__(self, message: str, field: str = "name") -> None:
        super().__init__(message)
        self.field = field


class StaleTemplateEdit(Exception):
    """Another save came in after the editor opened the draft; nothing was written."""

    def __init__(self, draft: CertificateTemplateDraft, base_revision: int) -> None:
        self.draft = draft
        self.base_revision = base_revision
        who = draft.updated_by.full_name() if draft.updated_by else _("someone")
        super().__init__(
            _(
                "The template %(name)s was changed by %(who)s at %(at)s after you opened it (your "
                "copy is revision %(base)d, the draft is at %(current)d). Your changes were not "
                "saved: see the other change below, then apply yours to the current text.",
                name=draft.name,
                who=who,
                at=draft.updated_at.strftime("%Y-%m-%d %H:%M UTC"),
                base=base_revision,
                current=draft.revision,
            )
        )


@dataclass
class CheckResult:
    """What rendering a draft found. ``errors``: it does not render at all; ``problems``: the
    layout check failed; ``warnings``: CSS the renderer ignored (shown, not blocking)."""

    errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.errors and not self.problems


class PublishRefused(Exception):
    def __init__(self, result: CheckResult) -> None:
        super().__init__(_("The template was not published: correct the problems below first."))
        self.result = result


@dataclass(frozen=True)
class TemplateRow:
    """One line of the templates page."""

    name: str
    titles: dict[str, str]
    """The template's title by language (``th``, ``en``), from its metadata.yaml."""
    builtin: bool
    live: bool
    draft: CertificateTemplateDraft | None
    courses: list[str]
    changed_at: datetime | None
    may_edit: bool


# --- who ---------------------------------------------------------------------------------------


def may_edit(actor: User | None, draft: CertificateTemplateDraft) -> bool:
    if actor is None or not actor.is_active:
        return False
    if actor.has_role(Role.ADMIN):
        return True
    return actor.has_role(Role.TRAINER) and draft.created_by_id == actor.id


def require_editor(actor: User, draft: CertificateTemplateDraft) -> None:
    require(actor, AUTHOR_COURSES)
    if not may_edit(actor, draft):
        raise NotAllowed(
            _(
                "Only the person who started the template %(name)s, or an administrator, may edit it.",
                name=draft.name,
            )
        )


# --- reading -----------------------------------------------------------------------------------


def builtin_names() -> list[str]:
    return render.CertificateRenderer(render.BUILTIN_TEMPLATES_ROOT).template_names()


def site_names() -> list[str]:
    """The templates of the site's own folder (not the built-in ones)."""
    folder = render.templates_dir(current_app)
    return render.CertificateRenderer(folder).template_names() if folder.is_dir() else []


def draft_named(name: str) -> CertificateTemplateDraft | None:
    return session.scalar(select(CertificateTemplateDraft).where(CertificateTemplateDraft.name == name))


def courses_using() -> dict[str, list[str]]:
    """Template name -> the slugs of the courses with a version that names it."""
    rows = session.execute(
        select(CourseVersion.certificate_template, Course.slug).join(Course).distinct()
    ).all()
    found: dict[str, set[str]] = {}
    for template, slug in rows:
        found.setdefault(template or DEFAULT_TEMPLATE, set()).add(slug)
    return {name: sorted(slugs) for name, slugs in found.items()}


def listing(actor: User) -> list[TemplateRow]:
    """The built-in templates, the site's and the drafts, built-in ones first."""
    require(actor, AUTHOR_COURSES)
    builtin = builtin_names()
    site = site_names()
    drafts = {d.name: d for d in session.scalars(select(CertificateTemplateDraft))}
    used = courses_using()
    rows = []
    for name in [*builtin, *sorted((set(site) | set(drafts)) - set(builtin))]:
        draft = drafts.get(name)
        live = name in site or name in builtin
        rows.append(
            TemplateRow(
                name=name,
                titles=_titles(name) if live else {},
                builtin=name in builtin,
                live=live,
                draft=draft,
                courses=used.get(name, []),
                changed_at=draft.updated_at if draft else _folder_time(name, site),
                may_edit=draft is not None and may_edit(actor, draft),
            )
        )
    return rows


def sources(actor: User) -> list[str]:
    """The templates a new draft may copy: every template the site can render."""
    require(actor, AUTHOR_COURSES)
    return render.available_templates(current_app)


def other_changes(draft: CertificateTemplateDraft, since_revision: int) -> list[AuditEntry]:
    """The audited saves of ``draft`` after ``since_revision``: what a stale editor missed."""
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject == _subject(draft.name), AuditEntry.action == "authoring.template_saved")
        .order_by(AuditEntry.id)
    )
    return [e for e in entries if int(e.details.get("revision", 0)) > since_revision]


def diff_from_draft(draft: CertificateTemplateDraft, texts: dict[str, str]) -> str:
    """How ``texts`` (an editor's unsaved files) differ from the draft as it is."""
    return "".join(_diff(file, getattr(draft, attr), texts[attr]) for attr, file in FILES)


def _titles(name: str) -> dict[str, str]:
    folder = _live_folder(name)
    try:
        metadata = render.TemplateMetadata.load(folder) if folder else None
    except CertificateError:
        return {}
    return {"th": metadata.title_th, "en": metadata.title_en} if metadata else {}


def _folder_time(name: str, site: list[str]) -> datetime | None:
    if name not in site:
        return None
    stamp = (render.templates_dir(current_app) / name).stat().st_mtime
    return datetime.fromtimestamp(stamp, UTC)


# --- writing -----------------------------------------------------------------------------------


def create_draft(actor: User, name: str, source: str) -> CertificateTemplateDraft:
    """A new draft named ``name``, a copy of the template ``source``.

    The name may not be a built-in template's, nor another draft's. A site template's name is
    taken only by an administrator editing that template itself (``source == name``)."""
    require(actor, AUTHOR_COURSES)
    _check_name(actor, name, source)
    if source not in render.available_templates(current_app):
        raise TemplateDraftError(
            _("There is no certificate template %(name)s to copy.", name=source), "source"
        )
    folder = _live_folder(source)
    texts = {attr: (folder / file).read_text(encoding="utf-8") for attr, file in FILES}
    draft = CertificateTemplateDraft(
        name=name, source_name=source, revision=1, created_by_id=actor.id, updated_by_id=actor.id, **texts
    )
    session.add(draft)
    session.flush()
    audit(actor, "authoring.template_created", _subject(name), source=source)
    return draft


def save(draft: CertificateTemplateDraft, actor: User, texts: dict[str, str], base_revision: int) -> bool:
    """Save the three files (keys: ``template_html``, ``theme_css``, ``metadata_yaml``). Raises
    :class:`StaleTemplateEdit` if the draft moved past ``base_revision``; whether anything changed."""
    require_editor(actor, draft)
    if draft.revision != base_revision:
        raise StaleTemplateEdit(draft, base_revision)
    changed = [(attr, file) for attr, file in FILES if texts[attr] != getattr(draft, attr)]
    if not changed:
        return False
    for attr, _file in FILES:
        if len(texts[attr]) > MAX_FILE_CHARS:
            raise TemplateDraftError(_("A file may hold at most %(n)d characters.", n=MAX_FILE_CHARS), attr)
    diff = "".join(_diff(file, getattr(draft, attr), texts[attr]) for attr, file in changed)
    for attr, _file in changed:
        setattr(draft, attr, texts[attr])
    draft.revision += 1
    draft.updated_at, draft.updated_by_id = utcnow(), actor.id
    draft.updated_by = actor
    session.flush()
    if len(diff) > DIFF_LIMIT:
        diff = diff[:DIFF_LIMIT] + f"\n[... diff cut at {DIFF_LIMIT} characters]\n"
    audit(
        actor,
        "authoring.template_saved",
        _subject(draft.name),
        revision=draft.revision,
        files=[file for _attr, file in changed],
        diff=diff,
    )
    return True


def publish(draft: CertificateTemplateDraft, actor: User) -> CheckResult:
    """Check the draft and, if it passes, install it as the site template of its name.
    Raises :class:`PublishRefused` (nothing installed) when the check fails."""
    require_editor(actor, draft)
    with _draft_folder(draft) as folder:
        result = _check_folder(draft.name, folder)
        if not result.passed:
            raise PublishRefused(result)
        install({draft.name: folder})
    draft.published_revision, draft.published_at, draft.published_by_id = draft.revision, utcnow(), actor.id
    session.flush()
    from lms.certificates.store import RENDERER_KEY  # the certificate service loads where used

    current_app.extensions.pop(RENDERER_KEY, None)  # this process's renderer loads it afresh
    audit(actor, "authoring.template_published", _subject(draft.name), revision=draft.revision)
    return result


# --- rendering ---------------------------------------------------------------------------------


def check(draft: CertificateTemplateDraft) -> CheckResult:
    """Render the draft from the sample data and lay it out with the worst case."""
    with _draft_folder(draft) as folder:
        return _check_folder(draft.name, folder)


def preview_pdf(draft: CertificateTemplateDraft) -> bytes:
    """The draft rendered from the sample data; raises :class:`CertificateError` with a clear
    message when it does not render."""
    with _draft_folder(draft) as folder:
        renderer = render.CertificateRenderer(folder.parent)
        try:
            return renderer.render(draft.name, SAMPLE)
        except CertificateError as exc:
            raise CertificateError(_error_text(exc)) from exc
        except Exception as exc:  # authored input: any failure is the template's, never a 500
            log.info("certificate template %s does not render: %r", draft.name, exc)
            raise CertificateError(_("The template does not render: %(error)s", error=exc)) from exc


def _check_folder(name: str, folder: Path) -> CheckResult:
    result = CheckResult()
    renderer = render.CertificateRenderer(folder.parent)
    with _weasyprint_warnings(result.warnings):
        for label, data in ((_("Sample data"), SAMPLE), (_("Worst case"), WORST_CASE)):
            try:
                document = renderer.layout(name, data)
            except CertificateError as exc:
                result.errors.append(_error_text(exc))
                return result
            except Exception as exc:  # authored input: any failure is the template's
                log.info("certificate template %s does not render: %r", name, exc)
                result.errors.append(_("The template does not render: %(error)s", error=exc))
                return result
            result.problems.extend(f"{label}: {problem}" for problem in layout_problems(document))
    return result


def layout_problems(document: Any) -> list[str]:
    """What ``lms.certificates.layout`` finds wrong with a laid-out certificate, in the reader's
    language: the same areas and the same overlap test as ``layout.problems``."""
    from lms.certificates import layout

    found = []
    if len(document.pages) != 1:
        found.append(_("the certificate takes %(n)d pages; it must fit on one", n=len(document.pages)))
    for page in document.pages:
        placed = list(layout.areas(page._page_box))
        for n, area in enumerate(placed):
            if area.left < 0 or area.top < 0 or area.right > page.width or area.bottom > page.height:
                found.append(_("“%(box)s” leaves the page", box=area.label))
            found.extend(
                _("“%(a)s” overlaps “%(b)s”", a=area.label, b=other.label)
                for other in placed[n + 1 :]
                if area.overlaps(other)
            )
    return found


def _error_text(exc: CertificateError) -> str:
    """The renderer's message, with the line of a Jinja error and without the temporary folder."""
    cause = exc.__cause__
    line = getattr(cause, "lineno", None)
    message = str(exc)
    if isinstance(exc, ResourceRefused):
        return _("The template asks for a file certificates may not use: %(error)s", error=message)
    if line:
        return _("%(error)s (line %(line)d)", error=message, line=line)
    return message


@contextmanager
def _weasyprint_warnings(into: list[str]) -> Iterator[None]:
    """Collect what WeasyPrint logs while this thread renders (ignored CSS, mostly)."""
    thread = threading.get_ident()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread == thread and record.getMessage() not in into:
                into.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


@contextmanager
def _draft_folder(draft: CertificateTemplateDraft) -> Iterator[Path]:
    """A temporary ``<root>/<name>/`` holding the draft: its source's other files (images), then
    its three files."""
    with tempfile.TemporaryDirectory(prefix="lms-template-") as root:
        folder = Path(root) / draft.name
        folder.mkdir()
        _copy_assets(draft, folder)
        for attr, file in FILES:
            (folder / file).write_text(getattr(draft, attr), encoding="utf-8")
        yield folder


def _copy_assets(draft: CertificateTemplateDraft, folder: Path) -> None:
    """The files beside the three (signature images...) of the live template of that name, or
    else of the template it was copied from. Symbolic links are left behind."""
    source = _live_folder(draft.name) or _live_folder(draft.source_name)
    if source is not None:
        for path in source.rglob("*"):
            relative = path.relative_to(source)
            if path.is_symlink() or path.is_dir() or relative.as_posix() in {f for _a, f in FILES}:
                continue
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def _live_folder(name: str) -> Path | None:
    """The folder the app's renderer takes the template ``name`` from (the site's first)."""
    if not _ANY_NAME.match(name or ""):
        return None
    for root in render.template_roots(current_app):
        folder = root / name
        if (folder / render.METADATA_FILE).is_file():
            return folder
    return None


def _check_name(actor: User, name: str, source: str) -> None:
    if not NAME.match(name or ""):
        raise TemplateDraftError(
            _(
                "A template name is 2 to 41 characters: small letters a-z, digits and '-', "
                "starting with a letter or a digit."
            )
        )
    if name in builtin_names():
        raise TemplateDraftError(_("%(name)s is a built-in template: copy it under another name.", name=name))
    if draft_named(name) is not None:
        raise TemplateDraftError(_("A template draft named %(name)s exists already.", name=name))
    if name in site_names():
        if not actor.has_role(Role.ADMIN):
            raise TemplateDraftError(
                _("The site has a template named %(name)s already: choose another name.", name=name)
            )
        if source != name:
            raise TemplateDraftError(
                _(
                    "The site has a template named %(name)s already: to change it, copy it under "
                    "its own name.",
                    name=name,
                )
            )


def _diff(file: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{file}", f"b/{file}"
        )
    )


def _subject(name: str) -> str:
    return f"certificate-template:{name}"
