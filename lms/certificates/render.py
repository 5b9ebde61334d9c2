"""Certificates as PDF/A-3b, rendered with WeasyPrint from a plain dict.

One :class:`CertificateRenderer` per worker process. It keeps what does not change between
certificates: one WeasyPrint ``FontConfiguration`` with the Sarabun faces of
``lms/static/fonts`` loaded once, and, per template, the compiled Jinja template and the
pre-parsed stylesheets (page size from ``metadata.yaml``, then ``theme.css``)::

    renderer = CertificateRenderer()                 # the built-in templates (designs/)
    pdf = renderer.render("formal-th", data)          # bytes of a PDF/A-3b

In an app, :func:`template_roots` gives the folders to search (``LMS_CERTIFICATE_TEMPLATES_DIR``
or ``instance/certificate-templates`` first, then the built-in ones) and
:func:`available_templates` the valid template names.

A template is a folder ``<templates root>/<name>/`` with ``template.html`` (Jinja, rendered
in an ``ImmutableSandboxedEnvironment`` with autoescaping), ``theme.css`` and
``metadata.yaml``. Every file, font and image is fetched through
:class:`~lms.certificates.fetcher.CertificateURLFetcher`: the template's folder, the fonts and
``data:`` URIs only. The data is checked (:func:`lms.certificates.data.check`) and attached to
the PDF as ``certificate.json`` (canonical JSON); the template sees that same JSON, loaded
back. See docs/certificates.md.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import data as certificate_data
from .dates import english_date, thai_date, thai_digits
from .errors import CertificateError, ResourceRefused, TemplateError
from .qr import qr_data_uri

if TYPE_CHECKING:
    from flask import Flask
    from weasyprint import CSS
    from weasyprint.css import ColorProfile
    from weasyprint.urls import FatalURLFetchingError

    from .fetcher import CertificateURLFetcher

PACKAGE_DIR = Path(__file__).resolve().parent
FONTS_DIR = PACKAGE_DIR.parent / "static" / "fonts"
#: The built-in templates, shipped in the package (``formal-th``, ``bilingual``).
BUILTIN_TEMPLATES_ROOT = PACKAGE_DIR / "designs"
DEFAULT_TEMPLATES_ROOT = BUILTIN_TEMPLATES_ROOT
#: Where an app's own templates go when ``LMS_CERTIFICATE_TEMPLATES_DIR`` is unset.
INSTANCE_TEMPLATES_FOLDER = "certificate-templates"
ATTACHMENT_NAME = "certificate.json"
PDF_VARIANT = "pdf/a-3b"
TEMPLATE_FILE = "template.html"
THEME_FILE = "theme.css"
METADATA_FILE = "metadata.yaml"

#: The faces every template can use as ``font-family: Sarabun`` (400, 600 and 700; no italics).
FONT_FACES = {400: "Sarabun-Regular.ttf", 600: "Sarabun-SemiBold.ttf", 700: "Sarabun-Bold.ttf"}
FONT_FACE_CSS = "".join(
    f'@font-face{{font-family:"Sarabun";src:url("{file}") format("truetype");'
    f"font-weight:{weight};font-style:normal}}\n"
    for weight, file in FONT_FACES.items()
)
PAGE_SIZES = frozenset({"A3", "A4", "A5", "B4", "B5", "letter", "legal"})
ORIENTATIONS = frozenset({"portrait", "landscape"})
LANGUAGES = ("th", "en")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
#: Our name for WeasyPrint's own sRGB profile, the PDF/A output intent (see ``_srgb_profile``).
OUTPUT_INTENT = "lms-srgb"
#: WeasyPrint's options for every certificate: PDF/A-3b, tagged (a structure tree, so screen
#: readers read it in order), the sRGB output intent.
PDF_OPTIONS = {"pdf_variant": PDF_VARIANT, "pdf_tags": True, "output_intent": OUTPUT_INTENT}
#: Fit levels a template may style (``<html class="fit-0">`` ... ``fit-3``): smaller type each.
FIT_LEVELS = 4
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TemplateMetadata:
    """What ``metadata.yaml`` says about a template."""

    name: str
    title_th: str
    title_en: str
    page_size: str
    orientation: str
    languages: tuple[str, ...]
    folder: Path

    @property
    def page_css(self) -> str:
        return f"@page {{ size: {self.page_size} {self.orientation}; }}\n"

    def as_context(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title_th": self.title_th,
            "title_en": self.title_en,
            "languages": list(self.languages),
            "lang": self.languages[0],
        }

    @classmethod
    def load(cls, folder: Path) -> TemplateMetadata:
        """Read and check ``folder/metadata.yaml``; raise :class:`TemplateError` if wrong."""
        path = folder / METADATA_FILE
        try:
            spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise TemplateError(f"{folder.name}: cannot read {METADATA_FILE}: {exc}") from exc
        problems = []
        if not isinstance(spec, dict):
            raise TemplateError(f"{folder.name}/{METADATA_FILE}: must be a mapping")
        title = spec.get("name") if isinstance(spec.get("name"), dict) else {}
        if not all(isinstance(title.get(lang), str) and title[lang].strip() for lang in LANGUAGES):
            problems.append("name: needs th and en")
        page = spec.get("page") if isinstance(spec.get("page"), dict) else {}
        if page.get("size") not in PAGE_SIZES:
            problems.append(f"page.size: one of {', '.join(sorted(PAGE_SIZES))}")
        if page.get("orientation") not in ORIENTATIONS:
            problems.append("page.orientation: portrait or landscape")
        languages = spec.get("languages")
        if (
            not isinstance(languages, list)
            or not languages
            or not set(languages) <= set(LANGUAGES)
            or len(set(languages)) != len(languages)
        ):
            problems.append("languages: a list of th and/or en, the main language first")
        if problems:
            raise TemplateError(f"{folder.name}/{METADATA_FILE}: " + "; ".join(problems))
        return cls(
            name=folder.name,
            title_th=title["th"],
            title_en=title["en"],
            page_size=page["size"],
            orientation=page["orientation"],
            languages=tuple(languages),
            folder=folder,
        )


@dataclass(frozen=True)
class _Template:
    metadata: TemplateMetadata
    base_url: str
    fetcher: CertificateURLFetcher
    jinja: jinja2.Template
    stylesheets: tuple[CSS, ...]


class _FolderLoader(jinja2.BaseLoader):
    """Templates from one folder only: no ``..``, no symbolic link leading outside."""

    def __init__(self, folder: Path):
        self.folder = folder.resolve()

    def get_source(self, environment: jinja2.Environment, template: str):
        path = self.folder.joinpath(*split_template_path(template)).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            raise jinja2.TemplateNotFound(template)
        return path.read_text(encoding="utf-8"), str(path), lambda: True


def number(value: Any) -> str:
    """``8`` and ``8.0`` -> ``"8"``, ``8.5`` -> ``"8.5"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class CertificateRenderer:
    """Render certificates from the templates in ``templates_root``; one per worker.

    Templates are loaded on first use and kept: a changed template needs a new renderer
    (or a new worker). ``render`` holds a lock, so a renderer shared by threads renders one
    certificate at a time (WeasyPrint's font configuration is not thread-safe).
    """

    def __init__(
        self,
        templates_root: Path | str | Sequence[Path | str] | None = None,
        *,
        fonts_dir: Path | str = FONTS_DIR,
    ):
        if templates_root is None:
            roots: Sequence[Path | str] = [BUILTIN_TEMPLATES_ROOT]
        elif isinstance(templates_root, (str, Path)):
            roots = [templates_root]
        else:
            roots = templates_root
        #: The folders searched for a template, in order: the first holding it wins.
        self.templates_roots = tuple(dict.fromkeys(Path(root).resolve() for root in roots))
        self.templates_root = self.templates_roots[0]
        self.fonts_dir = Path(fonts_dir).resolve()
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        from .fetcher import CertificateURLFetcher

        self.font_config = FontConfiguration()
        self._fonts_css = CSS(
            string=FONT_FACE_CSS,
            base_url=self.fonts_dir.as_uri() + "/",
            url_fetcher=CertificateURLFetcher([self.fonts_dir]),
            font_config=self.font_config,
        )
        self._srgb = _srgb_profile()
        self._templates: dict[str, tuple[tuple, _Template]] = {}
        self._lock = threading.RLock()

    # --- templates ----------------------------------------------------------------------

    def template_names(self) -> list[str]:
        """The templates under the roots: folders with a ``metadata.yaml``."""
        return sorted({name for root in self.templates_roots for name in _names_in(root)})

    def metadata(self, template_name: str) -> TemplateMetadata:
        return self._template(template_name).metadata

    def _template(self, name: str) -> _Template:
        """The parsed template, parsed again when its files changed on disk: a template
        published in the browser reaches every worker process, not only the one that wrote it."""
        with self._lock:
            stamp = self._stamp(name)
            cached = self._templates.get(name)
            if cached is None or cached[0] != stamp:
                cached = self._templates[name] = (stamp, self._load(name))
            return cached[1]

    def _stamp(self, name: str) -> tuple:
        if not isinstance(name, str) or not _NAME.match(name):
            return ()
        try:
            folder = self._folder(name)
        except TemplateError:
            return ()
        stamp: list = [str(folder)]
        for file in (TEMPLATE_FILE, THEME_FILE, METADATA_FILE):
            try:
                found = (folder / file).stat()
            except OSError:
                stamp.append(None)
            else:
                stamp.append((found.st_mtime_ns, found.st_size, found.st_ino))
        return tuple(stamp)

    def _load(self, name: str) -> _Template:
        from weasyprint import CSS
        from weasyprint.urls import FatalURLFetchingError

        from .fetcher import CertificateURLFetcher

        if not isinstance(name, str) or not _NAME.match(name):
            raise TemplateError(f"not a template name: {name!r}")
        folder = self._folder(name)
        for file in (TEMPLATE_FILE, THEME_FILE, METADATA_FILE):
            if not (folder / file).is_file():
                raise TemplateError(f"{name}: {file} is missing")
        metadata = TemplateMetadata.load(folder)
        fetcher = CertificateURLFetcher([folder, self.fonts_dir])
        base_url = folder.as_uri() + "/"
        environment = ImmutableSandboxedEnvironment(
            loader=_FolderLoader(folder),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.filters.update(
            thai_date=thai_date,
            english_date=english_date,
            thai_digits=thai_digits,
            number=number,
            name_parts=certificate_data.name_parts,
            code_groups=certificate_data.code_groups,
        )
        try:
            jinja = environment.get_template(TEMPLATE_FILE)
            stylesheets = (
                CSS(string=metadata.page_css, base_url=base_url, url_fetcher=fetcher),
                CSS(
                    string=(folder / THEME_FILE).read_text(encoding="utf-8"),
                    base_url=base_url,
                    url_fetcher=fetcher,
                    font_config=self.font_config,
                ),
            )
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{name}/{TEMPLATE_FILE}: {exc}") from exc
        except FatalURLFetchingError as exc:
            raise _refused(name, exc) from exc
        return _Template(metadata, base_url, fetcher, jinja, stylesheets)

    def _folder(self, name: str) -> Path:
        for root in self.templates_roots:
            folder = (root / name).resolve()
            if folder.parent == root and folder.is_dir():
                return folder
        where = ", ".join(str(root) for root in self.templates_roots)
        raise TemplateError(f"no certificate template {name!r} in {where}")

    # --- rendering ----------------------------------------------------------------------

    def context(self, template_name: str, data: dict[str, Any]) -> dict[str, Any]:
        """What the template sees: the checked data as its canonical JSON loaded back, plus
        ``qr_svg`` (the QR code of ``verify_url`` as a ``data:`` URI) and ``template``."""
        certificate_data.check(data)
        context = json.loads(certificate_data.canonical_json(data))
        context["qr_svg"] = qr_data_uri(context["verify_url"])
        context["template"] = self.metadata(template_name).as_context()
        return context

    def render_html(self, template_name: str, data: dict[str, Any], *, fit: int = 0) -> str:
        """The template's HTML for ``data`` at fit level ``fit`` (what :meth:`render` lays out)."""
        template = self._template(template_name)
        context = self.context(template_name, data)
        self._check_signatures(template, context)
        return self._html(template, {**context, "fit": fit})

    def layout(self, template_name: str, data: dict[str, Any]) -> Any:
        """The certificate laid out (a WeasyPrint ``Document``, no PDF written) at the first fit
        level where it fits: one page, no text over other text or an image, nothing off the page.
        ``document.pages[0]._page_box`` holds the boxes."""
        template = self._template(template_name)
        context = self.context(template_name, data)
        self._check_signatures(template, context)
        with self._lock:
            return self._fitted(template, context)

    def _fitted(self, template: _Template, context: dict[str, Any]) -> Any:
        """Lay out at fit level 0, then 1, 2... (the template's ``fit-N`` class on ``<html>``
        sets smaller type) until it fits; the last level if none does (logged)."""
        from .layout import problems

        for fit in range(FIT_LEVELS):
            document = self._document(template, {**context, "fit": fit})
            found = problems(document)
            if not found:
                return document
        log.warning("certificate %s (%s) does not fit: %s", context["serial"], template.metadata.name, found)
        return document

    def _document(self, template: _Template, context: dict[str, Any]) -> Any:
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError

        html = self._html(template, context)
        try:
            return HTML(string=html, base_url=template.base_url, url_fetcher=template.fetcher).render(
                stylesheets=[self._fonts_css, *template.stylesheets],
                font_config=self.font_config,
                color_profiles={OUTPUT_INTENT: self._srgb},
                **PDF_OPTIONS,
            )
        except FatalURLFetchingError as exc:
            raise _refused(template.metadata.name, exc) from exc

    def render(self, template_name: str, data: dict[str, Any]) -> bytes:
        """A tagged PDF/A-3b of the certificate, with ``data`` attached as ``certificate.json``."""
        from weasyprint import Attachment
        from weasyprint.urls import FatalURLFetchingError

        template = self._template(template_name)
        context = self.context(template_name, data)
        self._check_signatures(template, context)
        attached = certificate_data.canonical_json(data)
        issued = datetime.fromisoformat(context["issued_at"]).astimezone(UTC)
        with self._lock:
            document = self._fitted(template, context)
            try:
                return document.write_pdf(
                    **PDF_OPTIONS,
                    finisher=_finish,
                    attachments=[
                        Attachment(
                            string=attached,
                            name=ATTACHMENT_NAME,
                            description="Certificate data (canonical JSON)",
                            created=issued,
                            modified=issued,
                            relationship="Data",
                        )
                    ],
                )
            except FatalURLFetchingError as exc:
                raise _refused(template_name, exc) from exc

    def _html(self, template: _Template, context: dict[str, Any]) -> str:
        try:
            return template.jinja.render(context)
        except jinja2.TemplateError as exc:
            name = template.metadata.name
            raise TemplateError(f"{name}/{TEMPLATE_FILE}: {type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _check_signatures(template: _Template, context: dict[str, Any]) -> None:
        for signatory in context["signatories"]:
            if signatory.get("signature_image"):
                path = template.metadata.folder / signatory["signature_image"]
                template.fetcher.allowed_path(path.as_uri())


def _names_in(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return [
        p.name for p in root.iterdir() if _NAME.match(p.name) and p.is_dir() and (p / METADATA_FILE).is_file()
    ]


def templates_dir(app: Flask) -> Path:
    """The app's own folder of templates: ``LMS_CERTIFICATE_TEMPLATES_DIR``, or
    ``<instance>/certificate-templates`` when it is unset. Templates added to a deployment
    (``flask lms content import`` copies a package's ``certificates/<name>/`` here) go in it."""
    configured = app.config.get("LMS_CERTIFICATE_TEMPLATES_DIR")
    return Path(configured) if configured else Path(app.instance_path) / INSTANCE_TEMPLATES_FOLDER


def template_roots(app: Flask) -> list[Path]:
    """Where the app's renderer looks for a template: :func:`templates_dir` first (a template
    there overrides a built-in one of the same name), then the built-in templates."""
    return [templates_dir(app), BUILTIN_TEMPLATES_ROOT]


def available_templates(app: Flask) -> list[str]:
    """The names of the certificate templates the app can render, sorted: the built-in ones
    (``bilingual``, ``formal-th``) and those of :func:`templates_dir`."""
    return CertificateRenderer(template_roots(app)).template_names()


def _srgb_profile() -> ColorProfile:
    """WeasyPrint's sRGB profile (``weasyprint/pdf/sRGB2014.icc``), loaded once.

    A PDF/A variant sets ``output_intent="srgb"``, and WeasyPrint 70 then opens that file for
    every PDF without closing it (a ``ResourceWarning`` per render, an error under
    ``filterwarnings = error``). Naming our own copy as the output intent gives the same
    ``/OutputIntents`` entry and colour space, with the file read once and closed.
    """
    from weasyprint.css import ColorProfile

    with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as icc:
        return ColorProfile(icc, "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


def _finish(document: Any, pdf: Any) -> None:
    from .text_layer import add_actual_text

    _single_af_entries(document, pdf)
    add_actual_text(document, pdf)


def _single_af_entries(document: Any, pdf: Any) -> None:
    """WeasyPrint 70 lists each attachment twice in the catalog's ``/AF`` array (once from the
    ``/EmbeddedFiles`` name tree, once from its ``/Filespec``); keep one entry of each."""
    entries = pdf.catalog.get("AF")
    if entries:
        unique = list(dict.fromkeys(entries))
        entries.clear()
        entries.extend(unique)


def _refused(name: str, exc: FatalURLFetchingError) -> CertificateError:
    cause = exc.__cause__
    if isinstance(cause, ResourceRefused):
        return ResourceRefused(f"{name}: {cause}")
    return CertificateError(f"{name}: {exc}: {cause}")
