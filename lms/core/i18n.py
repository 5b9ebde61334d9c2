"""Thai-first translations and dates.

The LMS ships its catalogue in ``lms/translations``. If the host already uses Flask-Babel,
the LMS adds its folder to the host's and leaves the host's locale selector in charge;
otherwise it registers Flask-Babel with a selector that reads the visitor's choice from a
cookie and falls back to ``LMS_DEFAULT_LOCALE`` (Thai).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, get_locale

LANG_COOKIE = "lms_lang"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
BUDDHIST_ERA_OFFSET = 543


def select_locale() -> str:
    """The visitor's choice (the language cookie); an API client's is its Accept-Language."""
    locales = current_app.config["LMS_LOCALES"]
    if has_request_context():
        if _is_api_request():
            asked = request.accept_languages.best_match(locales)
            if asked:
                return asked
        chosen = request.cookies.get(LANG_COOKIE)
        if chosen in locales:
            return chosen
    return current_app.config["LMS_DEFAULT_LOCALE"]


def _is_api_request() -> bool:
    from lms.api.errors import is_api_path

    return "lms" in current_app.extensions and is_api_path(request.path)


def init_i18n(app: Flask) -> None:
    babel_state = app.extensions.get("babel")
    if babel_state is None:
        app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["LMS_DEFAULT_LOCALE"])
        app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["LMS_TIMEZONE"])
        directories = app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = f"{directories};{TRANSLATIONS_DIR}"
        Babel(app, locale_selector=select_locale)
    elif str(TRANSLATIONS_DIR) not in babel_state.default_directories:
        babel_state.default_directories.append(str(TRANSLATIONS_DIR))


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else current_app.config["LMS_DEFAULT_LOCALE"]


def thai_date(value: date) -> str:
    """A date as Thai readers expect it, in the Buddhist Era: 24 กรกฎาคม พ.ศ. 2563."""
    return f"{value.day} {THAI_MONTHS[value.month - 1]} พ.ศ. {value.year + BUDDHIST_ERA_OFFSET}"


def format_date(value: date | datetime | None, language: str | None = None) -> str:
    """A date in the reader's language: Buddhist Era in Thai, Gregorian in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(ZoneInfo(current_app.config["LMS_TIMEZONE"]))
        value = value.date()
    language = language or current_language()
    if language == "th":
        return thai_date(value)
    return babel_format_date(value, format="d MMMM y", locale=language)


def format_datetime(value: datetime | str | None, language: str | None = None) -> str:
    """A moment as date and Bangkok time: 24 กรกฎาคม พ.ศ. 2563 14:05."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(ZoneInfo(current_app.config["LMS_TIMEZONE"]))
    return f"{format_date(local.date(), language)} {local:%H:%M}"
