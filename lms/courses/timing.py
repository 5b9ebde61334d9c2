"""Time on a lesson, measured on the server from a signed stamp in the page's form.

The page carries when it was served, signed with the app's secret key, so the learner's
browser cannot inflate the time and no JavaScript is needed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "lms-lesson-opened"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def opened_stamp(lesson_key: str) -> str:
    return _serializer().dumps({"lesson": lesson_key})


def seconds_since(stamp: str | None, lesson_key: str) -> int:
    """Seconds since the page was served; 0 if the stamp is missing, forged or for another lesson."""
    try:
        data, signed_at = _serializer().loads(stamp or "", return_timestamp=True)
    except BadSignature:
        return 0
    if data.get("lesson") != lesson_key:
        return 0
    return max(int((datetime.now(UTC) - signed_at).total_seconds()), 0)
