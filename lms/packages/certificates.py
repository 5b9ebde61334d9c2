"""Certificate templates: the name course.yaml asks for, and the templates a package brings.

``certificate:`` in course.yaml must name a template the site can render (see
:func:`lms.certificates.render.available_templates`), or one the package ships in
``certificates/<name>/`` (``template.html``, ``theme.css``, ``metadata.yaml``). A shipped
template is rendered once with sample data while the package is checked, so a template that
cannot render is refused before any learner earns a certificate from it. ``content import``
then copies it into the site's templates folder (``LMS_CERTIFICATE_TEMPLATES_DIR``, or
``<instance>/certificate-templates``), replacing an earlier copy of the same name. A built-in
template's name cannot be taken: a package would change every course's certificates.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _

from lms.certificates import render
from lms.certificates.data import SAMPLE
from lms.packages.files import CERTIFICATES_FOLDER, COURSE_FILE
from lms.packages.problems import Problem

log = logging.getLogger(__name__)


def site_templates() -> list[str]:
    """The names the site can render today (the built-in ones without an app)."""
    if has_app_context():
        return render.available_templates(current_app)
    return render.CertificateRenderer().template_names()


def builtin_templates() -> set[str]:
    return set(render.CertificateRenderer().template_names())


def name_problem(name: object, line: int | None, shipped: set[str]) -> Problem | None:
    """The problem with course.yaml's ``certificate`` value, if it names no template."""
    if not isinstance(name, str):
        return None  # the schema reports a wrong type
    valid = sorted(set(site_templates()) | shipped)
    if name in valid:
        return None
    return Problem(
        COURSE_FILE,
        line,
        _(
            "certificate: '%(name)s' is not a certificate template; use one of: %(valid)s (or ship "
            "the template in certificates/%(name)s/)",
            name=name,
            valid=", ".join(valid),
        ),
    )


def template_problems(templates: dict[str, Path]) -> list[Problem]:
    """Every shipped template that cannot be rendered, or that takes a built-in name."""
    builtin = builtin_templates()
    found = []
    for name, folder in sorted(templates.items()):
        where = f"{CERTIFICATES_FOLDER}/{name}"
        if name in builtin:
            message = _(
                "'%(name)s' is the name of a built-in certificate template; give the package's "
                "template another name (the folder's name is the template's name)",
                name=name,
            )
            found.append(Problem(where, None, message))
            continue
        error = _render_error(name, folder)
        if error:
            found.append(
                Problem(
                    where,
                    None,
                    _("the certificate template does not render: %(error)s", error=error),
                )
            )
    return found


def _render_error(name: str, folder: Path) -> str | None:
    renderer = render.CertificateRenderer(folder.parent)
    if name not in renderer.template_names():
        return _(
            "a template is a folder with template.html, theme.css and metadata.yaml; "
            "metadata.yaml is missing or the name is not lower-case a-z, digits and '-'"
        )
    try:
        renderer.render(name, SAMPLE)
    except Exception as exc:  # a package's template is untrusted input: any failure is its problem
        return f"{type(exc).__name__}: {exc}"
    return None


def install(templates: dict[str, Path]) -> list[str]:
    """Copy the shipped templates into the site's templates folder; their names.

    Each is copied beside its destination first and then swapped in, so a renderer never
    reads half a template."""
    if not templates:
        return []
    target_root = render.templates_dir(current_app)
    target_root.mkdir(parents=True, exist_ok=True)
    for name, folder in sorted(templates.items()):
        staging = Path(tempfile.mkdtemp(dir=target_root, prefix=f".incoming-{name}-"))
        shutil.copytree(folder, staging / name, symlinks=False)
        target = target_root / name
        if target.exists():
            retired = staging / ".retired"
            os.replace(target, retired)
        os.replace(staging / name, target)
        shutil.rmtree(staging, ignore_errors=True)
        log.info("certificate template %s installed in %s", name, target_root)
    return sorted(templates)
