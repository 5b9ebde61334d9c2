"""What a deployment must set before certificates are fit to hand out, checked at start-up.

"Production" is ``LMS_ENV=production`` (ADR 0022): there the standalone app refuses to start
without ``LMS_BASE_URL`` (every verification link and xAPI id is built on it, and the
development default would print ``127.0.0.1`` on certificates); a host app using the LMS as a
plugin gets an error in its log instead. With the default settings a certificate names no
issuer and no signatory: :func:`certificate_warnings` says so, for the log at start-up and for
``flask lms certificates signing-check``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)


class MissingBaseURL(RuntimeError):
    """Production without LMS_BASE_URL."""


def is_production(config: Mapping[str, Any]) -> bool:
    return str(config.get("LMS_ENV") or "").strip().lower() == "production"


def base_url_problem(config: Mapping[str, Any]) -> str | None:
    """Why the config cannot serve certificates in production, or None. Call it before the
    LMS defaults are applied: it tells a base URL that was set from the default."""
    if not is_production(config) or config.get("LMS_BASE_URL"):
        return None
    return (
        "LMS_BASE_URL is not set and LMS_ENV is production: set it to the site's public address, "
        "e.g. https://lms.example.go.th (certificate verification links and xAPI ids are built on it)"
    )


def require_base_url(config: Mapping[str, Any]) -> None:
    """The standalone app's check: raise :class:`MissingBaseURL` in production without it."""
    problem = base_url_problem(config)
    if problem:
        raise MissingBaseURL(problem)


def certificate_warnings(config: Mapping[str, Any]) -> list[str]:
    """What a certificate issued now would lack: its issuer's name, any signatory."""
    found = []
    if not (config.get("LMS_CERTIFICATE_ISSUER_TH") or config.get("LMS_CERTIFICATE_ISSUER_EN")):
        found.append(
            "certificates name no issuer: set LMS_CERTIFICATE_ISSUER_TH and LMS_CERTIFICATE_ISSUER_EN "
            "(เกียรติบัตรยังไม่มีชื่อหน่วยงานผู้ออก)"
        )
    if not config.get("LMS_CERTIFICATE_SIGNATORIES"):
        found.append(
            "certificates have no signatory and a blank signature area: set LMS_CERTIFICATE_SIGNATORIES "
            "(เกียรติบัตรยังไม่มีผู้ลงนาม)"
        )
    return found


def log_problems(config: Mapping[str, Any], *, base_url_given: bool) -> None:
    """At start-up (not under TESTING): an error for production without a base URL, a warning
    for each thing a certificate would lack."""
    if config.get("TESTING"):
        return
    if not base_url_given and is_production(config):
        log.error(base_url_problem({**config, "LMS_BASE_URL": None}))
    for warning in certificate_warnings(config):
        log.warning("%s", warning)
