"""Sign-in throttling per account: a growing delay after repeated failures (ADR 0029).

The per-address limit (``LMS_LOGIN_RATE_LIMIT``) is Flask-Limiter's. This adds one per
email address: after ``LMS_LOGIN_FAILURES_BEFORE_DELAY`` failures, the address is refused for
2^n seconds (n failures, at most an hour), whether or not an account has it, so the answer
says nothing about which accounts exist. The counters live in the limiter's storage: Redis
with ``LMS_REDIS_URL`` (shared by every worker), else this process's memory.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from flask import Flask, current_app
from limits.storage import Storage, storage_from_string

log = logging.getLogger(__name__)

MAX_DELAY_SECONDS = 3600
#: Failures are forgotten a day after the first one (or at the next successful sign-in).
FAILURES_KEPT_SECONDS = 24 * 3600


def warn_if_limits_in_memory(app: Flask) -> None:
    """Log at start-up when limits are kept per process, where several workers would not share them."""
    if app.debug or app.testing or app.config.get("LMS_REDIS_URL"):
        return
    log.warning(
        "LMS_REDIS_URL is not set: sign-in limits are kept in this process's memory. Under several "
        "workers (gunicorn -w N) each keeps its own count and the limits do not hold; set LMS_REDIS_URL."
    )


def _storage() -> Storage:
    """This app's counter storage: the limiter's storage URI, opened on first use."""
    extensions = current_app.extensions
    if "lms.login_throttle" not in extensions:
        extensions["lms.login_throttle"] = storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
    return extensions["lms.login_throttle"]


def _keys(email: str) -> tuple[str, str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    return f"{prefix}lms-login-account:failures:{digest}", f"{prefix}lms-login-account:locked:{digest}"


def seconds_refused(email: str) -> int:
    """How long sign-ins for this email are still refused (0: not refused)."""
    storage = _storage()
    _failures, locked = _keys(email)
    if not storage.get(locked):
        return 0
    return max(1, math.ceil(storage.get_expiry(locked) - time.time()))


def record_failure(email: str) -> None:
    storage = _storage()
    failures, locked = _keys(email)
    count = storage.incr(failures, FAILURES_KEPT_SECONDS)
    if count >= current_app.config["LMS_LOGIN_FAILURES_BEFORE_DELAY"]:
        delay = min(2**count, MAX_DELAY_SECONDS)
        storage.clear(locked)
        storage.incr(locked, delay)
        log.warning("sign-in failure %d for one email address: refused for %d s", count, delay)


def record_success(email: str) -> None:
    storage = _storage()
    for key in _keys(email):
        storage.clear(key)
