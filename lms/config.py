"""Every deploy-time setting of the LMS, with its default.

Each key is prefixed ``LMS_``. :func:`apply_defaults` sets the defaults on a Flask config
with ``setdefault``, so a host app's own values win. :func:`from_environ` reads the same keys
from environment variables for the standalone app. The README lists every key; a test
keeps the two in step.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    default: Any
    help: str


SETTINGS: dict[str, Setting] = {
    "LMS_DATABASE_URL": Setting(
        None,
        "SQLAlchemy URL of the standalone app's database. Unset: SQLite at instance/lms.sqlite3.",
    ),
    "LMS_SECRET_KEY": Setting(
        None,
        "Flask secret key. Unset: read from instance/secret_key, created on the first run.",
    ),
    "LMS_URL_PREFIX": Setting("", "Where the LMS is mounted in the host app, e.g. /learn."),
    "LMS_ENV": Setting(
        "development",
        "production or development. In production the standalone app refuses to start without "
        "LMS_BASE_URL (a plugin logs an error). See ADR 0022.",
    ),
    "LMS_BASE_TEMPLATE": Setting("lms/base.html", "Template every LMS page extends; a host may restyle."),
    "LMS_SITE_NAME": Setting(None, "Name shown in the header. Unset: the translated default."),
    "LMS_DEFAULT_LOCALE": Setting("th", "Language for a visitor who has not chosen one."),
    "LMS_LOCALES": Setting(("th", "en"), "Languages offered by the language switch."),
    "LMS_TIMEZONE": Setting("Asia/Bangkok", "Time zone for dates shown to people."),
    "LMS_REDIS_URL": Setting(
        None,
        "Redis URL. Set: rate limits are kept in Redis and background jobs run on RQ workers "
        "(flask lms jobs worker). Unset: limits in memory, jobs on a thread of the web process.",
    ),
    "LMS_LOGIN_RATE_LIMIT": Setting("10 per minute", "Login attempts allowed per client address."),
    "LMS_LOGIN_FAILURES_BEFORE_DELAY": Setting(
        5, "Failed sign-ins for one email before it is refused for 2^n seconds (n failures, at most 1 h)."
    ),
    "LMS_TRUSTED_PROXIES": Setting(
        0,
        "Reverse proxies in front of the standalone app whose X-Forwarded-For/-Proto are trusted "
        "(Werkzeug's ProxyFix), so limits key on the real client. 0: none.",
    ),
    "LMS_SESSION_IDLE_MINUTES": Setting(
        60, "A sign-in session ends after this many minutes without a request."
    ),
    "LMS_SESSION_MAX_HOURS": Setting(
        12, "A sign-in session ends this many hours after signing in, whatever."
    ),
    "LMS_SESSION_COOKIE_SECURE": Setting(True, "Send the session cookie over HTTPS only (standalone app)."),
    "LMS_PASSWORD_MIN_LENGTH": Setting(10, "Shortest password a person may choose."),
    "LMS_USERS_PER_PAGE": Setting(50, "Rows per page in the admin user list."),
    "LMS_AUDIT_PER_PAGE": Setting(50, "Rows per page in the audit log (authoring, for administrators)."),
    "LMS_IMPORT_MAX_ROWS": Setting(20000, "Largest staff list accepted by one import."),
    "LMS_IMPORT_BACKGROUND_ROWS": Setting(
        1000, "Staff lists with more rows are imported by a background job from the admin page."
    ),
    "LMS_IMPORT_DIR": Setting(
        None, "Where uploaded staff lists wait for their background import. Unset: instance/imports."
    ),
    "LMS_BASE_URL": Setting(
        "http://127.0.0.1:5000",
        "The site's public base URL (scheme, host, port; the LMS mount prefix is added). xAPI actor "
        "homePages, activity ids and certificate verification links are built on it: set it once in "
        "production (required with LMS_ENV=production) and keep it.",
    ),
    "LMS_TRUSTED_HOSTS": Setting(
        (),
        "Comma-separated host names the standalone app answers to (Flask's TRUSTED_HOSTS; a request "
        "for another Host gets 400). Unset: any. Absolute links are built on LMS_BASE_URL either way.",
    ),
    "LMS_HSTS_MAX_AGE": Setting(
        31536000, "Strict-Transport-Security max-age (seconds) sent on HTTPS responses; 0 sends none."
    ),
    "LMS_COMPRESS": Setting(
        True,
        "The standalone app compresses HTML, CSS, JS, JSON and CSV responses (gzip or Brotli, "
        "CSV exports still stream). Turn off when a reverse proxy compresses (docs/deployment.md).",
    ),
    "LMS_COURSE_IRI_BASE": Setting(
        "https://dg-lms.example/course/",
        "Start of the IRI of a course made in the browser (the slug follows); keep it once set.",
    ),
    "LMS_MEDIA_DIR": Setting(None, "Where imported course media are kept. Unset: instance/media."),
    "LMS_MEDIA_MAX_MB": Setting(
        200, "Largest media file a course package may hold, in MB (1 MB = 1024 KiB)."
    ),
    "LMS_PACKAGE_MAX_MB": Setting(
        500,
        "Largest course package zip a trainer may upload, in MB, counted unzipped (the upload itself "
        "may be no larger either).",
    ),
    "LMS_PACKAGE_MAX_FILES": Setting(2000, "Most entries an uploaded course package zip may hold."),
    "LMS_CERTIFICATE_DIR": Setting(
        None, "Where rendered certificate PDFs are stored. Unset: instance/certificates."
    ),
    "LMS_CERTIFICATE_TEMPLATES_DIR": Setting(
        None,
        "Folder of your own certificate templates (one folder each), searched before the built-in "
        "formal-th and bilingual. Unset: instance/certificate-templates.",
    ),
    "LMS_VERIFY_RATE_LIMIT": Setting(
        "30 per minute", "Verification-page requests allowed per client address."
    ),
    "LMS_CERTIFICATE_PREFIX": Setting("DG", "First part of every certificate serial."),
    "LMS_CERTIFICATE_SERIAL": Setting(
        "{prefix}-{BE_year}-{seq:06d}", "Serial pattern: {prefix}, {BE_year} or {year}, and {seq} (a number)."
    ),
    "LMS_CERTIFICATE_ISSUER_TH": Setting(
        "", "The issuing organisation's name in Thai, printed on certificates."
    ),
    "LMS_CERTIFICATE_ISSUER_EN": Setting("", "The issuing organisation's name in English."),
    "LMS_CERTIFICATE_SIGNATORIES": Setting(
        (),
        "Signatories printed on certificates: a list of dicts (name_th, position_th, name_en, position_en).",
    ),
    "LMS_CERTIFICATE_SIGNING_KEY": Setting(
        None,
        "Path to the PEM private key that signs certificate PDFs (PAdES). Unset: PDFs are not signed. "
        "Keep it outside the repository.",
    ),
    "LMS_CERTIFICATE_SIGNING_CERT": Setting(
        None, "Path to the PEM certificate of LMS_CERTIFICATE_SIGNING_KEY (the signer's certificate only)."
    ),
    "LMS_CERTIFICATE_SIGNING_CHAIN": Setting(
        None, "Path to a PEM file of the signer's intermediate and CA certificates, embedded in signatures."
    ),
    "LMS_CERTIFICATE_SIGNING_KEY_PASSPHRASE": Setting(
        None, "Passphrase of an encrypted signing key: set it in the environment, never in the repository."
    ),
    "LMS_MIN_LESSON_TIME_RATIO": Setting(
        0.5,
        "Share of a lesson's estimated minutes a learner must spend on it before it completes "
        "(measured on the server; 0 turns the rule off). A package may set its own "
        "completion.min_time_ratio.",
    ),
    "LMS_TRAINING_HOURS_TARGET": Setting(
        12, "Training hours each person should complete in a fiscal year (the hours report's target)."
    ),
    "LMS_API_MAX_PER_PAGE": Setting(1000, "Largest page (per_page) the JSON API returns."),
    "LMS_REPORT_ROWS_PER_PAGE": Setting(50, "Rows per page in report drill-downs and the hours report."),
    "LMS_EXPORT_BACKGROUND_ROWS": Setting(
        50000, "XLSX exports with more rows than this are prepared as a background job (CSV always streams)."
    ),
    "LMS_EXPORT_CHUNK_ROWS": Setting(10000, "Rows per chunk of a background XLSX export."),
    "LMS_EXPORT_DIR": Setting(None, "Where background exports are written. Unset: instance/exports."),
    "LMS_REPORT_PG_SETTINGS": Setting(
        ("jit=off", "work_mem=64MB"),
        "PostgreSQL settings for report queries (name=value, set for the report's transaction only).",
    ),
    "LMS_JOBS_QUEUE": Setting("lms", "Name of the RQ queue background jobs use (with LMS_REDIS_URL)."),
    "LMS_JOBS_CHUNK_SIZE": Setting(50, "Items per chunk of a background job; workers share chunks."),
    "LMS_JOBS_STALE_AFTER": Setting(
        300, "Seconds without a heartbeat after which an unfinished job shows as stopped (may be resumed)."
    ),
    "LMS_LRS_LAUNCH_TOKEN_MINUTES": Setting(
        120, "Minutes a launch token (the LRS access given to content the LMS launches) stays valid."
    ),
    "LMS_XAPI_FORWARD": Setting(
        (),
        "External LRSs every statement is relayed to: a JSON list of {name, endpoint, username, "
        "password, version, filter} (docs/xapi-relay.md). Each matching statement is queued for each.",
    ),
    "LMS_LRS_PAGE_SIZE": Setting(
        100, "Most statements one page of GET /xapi/statements returns (limit=0 asks for this many)."
    ),
    "LMS_XAPI_FORWARD_TO": Setting(
        (), "Deprecated (use LMS_XAPI_FORWARD): statement URLs of external LRSs, without credentials."
    ),
    "LMS_XAPI_RELAY_BATCH": Setting(100, "Statements the relay POSTs to an external LRS in one request."),
    "LMS_XAPI_RELAY_TIMEOUT": Setting(10.0, "Seconds the relay waits for an external LRS (connect, answer)."),
    "LMS_XAPI_RELAY_RETRY_BASE": Setting(2.0, "Seconds before a first retry; doubled for each next one."),
    "LMS_XAPI_RELAY_RETRY_MAX": Setting(3600.0, "Longest wait in seconds between two retries."),
    "LMS_XAPI_RELAY_POLL": Setting(5.0, "Seconds `flask lms xapi relay` waits after an idle pass."),
}


def apply_defaults(config: dict[str, Any]) -> None:
    """Fill in every LMS setting the host has not set."""
    for key, setting in SETTINGS.items():
        config.setdefault(key, setting.default)


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, tuple):
        if raw.lstrip().startswith("["):
            return tuple(json.loads(raw))
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def from_environ(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The LMS settings found in the environment, converted to their default's type."""
    environ = os.environ if environ is None else environ
    found = {}
    for key, setting in SETTINGS.items():
        if key in environ:
            try:
                found[key] = _coerce(environ[key], setting.default)
            except ValueError as exc:
                raise ValueError(f"{key}={environ[key]!r} is not a valid value: {exc}") from None
    return found
