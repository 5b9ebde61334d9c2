"""The data a certificate is rendered from: a plain dict, checked, and its canonical JSON.

The dict (documented in docs/certificates.md) is built by the certificate service from the
database; templates never see ORM objects. What the template sees is exactly what is attached
to the PDF as ``certificate.json``: the canonical JSON of the dict, loaded back.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from numbers import Real
from pathlib import PurePosixPath
from typing import Any

from .errors import CertificateDataError

#: Names the renderer adds to the template's context; the data may not use them.
RESERVED = frozenset({"qr_svg", "template", "fit"})

#: Keys every certificate has. "text": a non-empty string; "optional": a string, possibly
#: empty, or None (templates leave out what is empty).
_LEARNER = {
    "title_th": "optional",
    "first_name_th": "optional",
    "last_name_th": "optional",
    "title_en": "optional",
    "first_name_en": "optional",
    "last_name_en": "optional",
    "full_name_th": "text",
    "full_name_en": "optional",
}
_COURSE = {"title_th": "text", "title_en": "text"}
_ISSUER = {"name_th": "optional", "name_en": "optional"}
_SIGNATORY = {"name_th": "text", "position_th": "text", "name_en": "optional", "position_en": "optional"}
MAX_SIGNATORIES = 3

#: Example data: a fictional learner, course run and signatory, for previews, tests and the
#: benchmark. The learner's Thai name stacks a tone mark on an upper vowel (ปิ่น), a good
#: test of the font's mark positioning.
SAMPLE: dict[str, Any] = {
    "serial": "DG-2569-000123",
    "verification_code": "7KQ2-M9XP-4TJD",
    "verify_url": "https://dg-lms.example/verify/DG-2569-000123?c=7KQ2-M9XP-4TJD",
    "learner": {
        "title_th": "นางสาว",
        "first_name_th": "ปิ่นมณี",
        "last_name_th": "รุ่งเรืองศรี",
        "title_en": "Ms",
        "first_name_en": "Pinmanee",
        "last_name_en": "Rungruangsri",
        "full_name_th": "นางสาวปิ่นมณี รุ่งเรืองศรี",
        "full_name_en": "Ms Pinmanee Rungruangsri",
    },
    "course": {
        "title_th": "ทักษะดิจิทัลสำหรับผู้ปฏิบัติงานด้านเทคโนโลยีดิจิทัล",
        "title_en": "Digital skills for digital-technology practitioners",
        "hours": 8.5,
    },
    "completed_on": "2026-09-30",
    "issued_at": "2026-09-30T03:15:00+00:00",
    "signatories": [
        {
            "name_th": "นายสมชาย ใจงาม",
            "position_th": "ผู้อำนวยการสถาบันฝึกอบรมตัวอย่าง",
            "name_en": "Mr Somchai Jai-ngam",
            "position_en": "Director, Example Training Institute",
        }
    ],
    "issuer": {"name_th": "สถาบันฝึกอบรมตัวอย่าง", "name_en": "Example Training Institute"},
}


def name_parts(full_name: str | None, last_name: str | None = None) -> list[str]:
    """``full_name`` cut where a line may break: between the given name (with its title) and
    the surname ``last_name``; at each space when the surname is not at its end."""
    full_name, last_name = (full_name or "").strip(), (last_name or "").strip()
    if last_name and full_name.endswith(f" {last_name}"):
        return [full_name[: -len(last_name)].strip(), last_name]
    return full_name.split()


def code_groups(code: str) -> str:
    """A verification code as printed, in groups of four to read aloud: ``7KQ2M9XP4T`` ->
    ``7KQ2-M9XP-4T`` (spaces and hyphens given are dropped first)."""
    plain = "".join(char for char in code.upper() if char.isalnum())
    return "-".join(plain[start : start + 4] for start in range(0, len(plain), 4))


def canonical_json(data: dict[str, Any]) -> bytes:
    """The data as canonical JSON, UTF-8: keys sorted, non-ASCII kept, no spaces, no NaN.
    The same data always gives the same bytes. Raises :class:`CertificateDataError` for
    anything that is not plain JSON data (an ORM object, a ``date``, a set...)."""
    try:
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise CertificateDataError(f"certificate data must be plain JSON data: {exc}") from None
    return text.encode("utf-8")


def check(data: Any) -> None:
    """Check ``data`` has what every template may use; raise :class:`CertificateDataError`
    listing every problem. Extra keys are allowed (a template may use them)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CertificateDataError(f"certificate data must be a dict, not {type(data).__name__}")
    for name in sorted(RESERVED & set(data)):
        problems.append(f"{name}: reserved for the renderer")
    _fields(data, {"serial": "text", "verification_code": "text", "verify_url": "text"}, "", problems)
    if isinstance(data.get("verify_url"), str) and not data["verify_url"].startswith(("https://", "http://")):
        problems.append("verify_url: must be an absolute http(s) URL")
    _fields(_mapping(data, "learner", problems), _LEARNER, "learner.", problems)
    course = _mapping(data, "course", problems)
    _fields(course, _COURSE, "course.", problems)
    hours = course.get("hours")
    if isinstance(hours, bool) or not isinstance(hours, Real) or not hours > 0:
        problems.append("course.hours: must be a number above 0")
    if _fields(data, {"completed_on": "text"}, "", problems):
        try:
            if len(data["completed_on"]) != 10:
                raise ValueError
            date.fromisoformat(data["completed_on"])
        except ValueError:
            problems.append("completed_on: must be an ISO date, YYYY-MM-DD")
    if _fields(data, {"issued_at": "text"}, "", problems):
        try:
            if datetime.fromisoformat(data["issued_at"]).tzinfo is None:
                problems.append("issued_at: must include its UTC offset")
        except ValueError:
            problems.append("issued_at: must be an ISO datetime")
    signatories = data.get("signatories")
    if not isinstance(signatories, list) or len(signatories) > MAX_SIGNATORIES:
        problems.append(f"signatories: must be a list of at most {MAX_SIGNATORIES}")
        signatories = []
    for n, signatory in enumerate(signatories):
        if not isinstance(signatory, dict):
            problems.append(f"signatories[{n}]: must be a dict")
            continue
        _fields(signatory, _SIGNATORY, f"signatories[{n}].", problems)
        image = signatory.get("signature_image")
        if image is not None and not _is_relative_file(image):
            problems.append(
                f"signatories[{n}].signature_image: must be a relative path inside the template's folder"
            )
    _fields(_mapping(data, "issuer", problems), _ISSUER, "issuer.", problems)
    if problems:
        raise CertificateDataError("certificate data: " + "; ".join(problems))


def _mapping(data: dict, key: str, problems: list[str]) -> dict:
    value = data.get(key)
    if isinstance(value, dict):
        return value
    problems.append(f"{key}: must be a dict")
    return {}


def _fields(data: dict, spec: dict[str, str], prefix: str, problems: list[str]) -> bool:
    """Check ``data`` against ``spec``; True if every field is right."""
    found = len(problems)
    for key, kind in spec.items():
        if key not in data:
            problems.append(f"{prefix}{key}: missing")
            continue
        value = data[key]
        if kind == "optional" and (value is None or isinstance(value, str)):
            continue
        if not isinstance(value, str) or not value.strip():
            wanted = "a string or null" if kind == "optional" else "a non-empty string"
            problems.append(f"{prefix}{key}: must be {wanted}")
    return len(problems) == found


def _is_relative_file(value: Any) -> bool:
    if not isinstance(value, str) or not value or ":" in value or "\\" in value:
        return False
    path = PurePosixPath(value)
    return not path.is_absolute() and ".." not in path.parts
