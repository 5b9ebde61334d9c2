"""What rendering a certificate can raise; all are :class:`CertificateError`."""

from __future__ import annotations


class CertificateError(Exception):
    """A certificate could not be rendered."""


class CertificateDataError(CertificateError, ValueError):
    """The data dict is not what templates are promised (see docs/certificates.md)."""


class TemplateError(CertificateError):
    """A template is missing, malformed, or failed while rendering (including the sandbox
    refusing an unsafe operation: the Jinja exception is the ``__cause__``)."""


class ResourceRefused(CertificateError, ValueError):
    """A template asked for a resource certificates may not use: an external URL, or a file
    outside the template's folder and the fonts."""
