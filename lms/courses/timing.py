"""Time on a lesson, measured on the server from a signed stamp in the page's form.

The page carries when it was served and a page-view id, signed with the app's secret key, so
the learner's browser cannot inflate the time and no JavaScript is needed. The view id lets the
same page report its time more than once (leaving the tab and coming back) without the time
counting twice: the player counts only the seconds not yet counted for that view.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "lms-lesson-opened"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


@dataclass(frozen=True)
class Opened:
    """What a lesson page's stamp says: seconds since it was served, and which view it was."""

    seconds: int
    view: str | None


def opened_stamp(lesson_key: str) -> str:
    return _serializer().dumps({"lesson": lesson_key, "view": str(uuid.uuid4())})


def read_stamp(stamp: str | None, lesson_key: str) -> Opened:
    """0 seconds and no view if the stamp is missing, forged or for another lesson."""
    try:
        data, signed_at = _serializer().loads(stamp or "", return_timestamp=True)
    except BadSignature:
        return Opened(0, None)
    if not isinstance(data, dict) or data.get("lesson") != lesson_key:
        return Opened(0, None)
    seconds = max(int((datetime.now(UTC) - signed_at).total_seconds()), 0)
    view = data.get("view")
    return Opened(seconds, view if isinstance(view, str) and len(view) <= 36 else None)
