"""Rendered certificates, stored once by content hash and served from the store."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app

from lms.certificates import service, signing
from lms.certificates.models import Certificate
from lms.extensions import session

if TYPE_CHECKING:  # WeasyPrint is imported on the first render only
    from lms.certificates.render import CertificateRenderer

RENDERER_KEY = "lms_certificate_renderer"


def store_dir() -> Path:
    configured = current_app.config["LMS_CERTIFICATE_DIR"]
    return Path(configured) if configured else Path(current_app.instance_path) / "certificates"


def renderer() -> CertificateRenderer:
    """One renderer per app and process: it keeps the fonts and parsed stylesheets."""
    found = current_app.extensions.get(RENDERER_KEY)
    if found is None:
        from lms.certificates.render import CertificateRenderer, template_roots

        found = CertificateRenderer(template_roots(current_app))
        current_app.extensions[RENDERER_KEY] = found
    return found


def pdf_path(certificate: Certificate) -> Path:
    """The certificate's PDF, rendered (and signed, when signing is configured) and stored on
    first use; never rendered again. The hash names the bytes stored: the signed ones."""
    if certificate.pdf_sha256:
        path = store_dir() / f"{certificate.pdf_sha256}.pdf"
        if path.exists():
            return path
    signer = signing.signer()
    data = service.render_data(certificate)
    pdf = renderer().render(certificate.template, data)
    if signer is not None:
        pdf = signer.sign(pdf, data)
    digest = hashlib.sha256(pdf).hexdigest()
    path = store_dir() / f"{digest}.pdf"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(pdf)
        partial.replace(path)
    certificate.pdf_sha256 = digest
    session.flush()
    return path
