"""Import HR's staff list (CSV or XLSX): check the whole file, then write all of it or nothing.

The email is the key: a row whose email exists updates that user, a new email creates one.
Re-importing the same file changes nothing. Users absent from the file are left alone.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import OrgUnit, Province, Role, StaffGroup, User
from lms.accounts.service import find_by_email, normalise_email, set_roles
from lms.extensions import session
from lms.signals import user_changed

log = logging.getLogger(__name__)

COLUMNS = (
    "email",
    "title_th",
    "first_name_th",
    "last_name_th",
    "title_en",
    "first_name_en",
    "last_name_en",
    "staff_group",
    "position",
    "level",
    "org_unit_code",
    "province_code",
    "roles",
    "is_active",
)
REQUIRED = ("email", "first_name_th", "last_name_th", "staff_group")
TEXT_LIMITS = {
    "title_th": 64,
    "first_name_th": 100,
    "last_name_th": 100,
    "title_en": 64,
    "first_name_en": 100,
    "last_name_en": 100,
    "position": 255,
    "level": 100,
}
TRUE_WORDS = {"1", "true", "yes", "y", "ใช่", "จริง"}
FALSE_WORDS = {"0", "false", "no", "n", "ไม่", "ไม่ใช่", "เท็จ"}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, not UTF-8, no header...)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _(
            "row %(row)d, column %(column)s: %(message)s",
            row=self.row,
            column=self.column,
            message=self.message,
        )


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def read_table(filename: str, data: bytes) -> list[dict[str, str]]:
    """The file's rows as dicts keyed by the header row, with every value a stripped string."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(data)
    elif suffix == ".xlsx":
        rows = _read_xlsx(data)
    else:
        raise ImportFileError(_("%(name)s: use a .csv or .xlsx file.", name=filename))
    if not rows:
        raise ImportFileError(_("%(name)s is empty: the first row must be the column names.", name=filename))
    header = [h.strip().lower() for h in rows[0]]
    _check_header(filename, header)
    return [
        {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(header)}
        for cells in rows[1:]
    ]


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _(
                "The file is not UTF-8 text (byte %(pos)d). Save it as 'CSV UTF-8' and try again.",
                pos=exc.start,
            )
        ) from None
    return [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from None
    sheet = book.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        cells = ["" if v is None else _cell_text(v) for v in values]
        if any(c.strip() for c in cells):
            rows.append(cells)
    book.close()
    return rows


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_header(filename: str, header: list[str]) -> None:
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ImportFileError(
            _(
                "%(name)s: unknown column(s) %(cols)s. Allowed columns: %(allowed)s.",
                name=filename,
                cols=", ".join(unknown),
                allowed=", ".join(COLUMNS),
            )
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(
            _("%(name)s: required column(s) missing: %(cols)s.", name=filename, cols=", ".join(missing))
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ImportFileError(
            _("%(name)s: column(s) appear twice: %(cols)s.", name=filename, cols=", ".join(duplicated))
        )


class _Lookups:
    """Org units and provinces by code, loaded once per import."""

    def __init__(self) -> None:
        self.units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
        self.provinces = {p.iso_code: p.id for p in session.scalars(select(Province))}


def check_rows(rows: list[dict[str, str]], max_rows: int) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Validate every row; return the cleaned rows and every error found."""
    errors: list[RowError] = []
    if len(rows) > max_rows:
        errors.append(
            RowError(
                1, "-", _("the file has %(n)d rows; at most %(max)d are accepted.", n=len(rows), max=max_rows)
            )
        )
        return [], errors
    lookups = _Lookups()
    seen: dict[str, int] = {}
    cleaned = []
    for number, row in enumerate(rows, start=2):
        clean, row_errors = _check_row(number, row, lookups)
        email = clean.get("email")
        if email and email in seen:
            row_errors.append(
                RowError(number, "email", _("the same email is on row %(row)d.", row=seen[email]))
            )
        elif email:
            seen[email] = number
        errors.extend(row_errors)
        cleaned.append(clean)
    return cleaned, errors


def _check_row(number: int, row: dict[str, str], lookups: _Lookups) -> tuple[dict[str, Any], list[RowError]]:
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    clean: dict[str, Any] = {}
    for column in REQUIRED:
        if not row.get(column):
            fail(column, _("this value is required."))
    if row.get("email"):
        try:
            clean["email"] = normalise_email(
                validate_email(row["email"], check_deliverability=False).normalized
            )
        except EmailNotValidError:
            fail("email", _("%(value)s is not a valid email address.", value=row["email"]))
    for column, limit in TEXT_LIMITS.items():
        if column in row:
            if len(row[column]) > limit:
                fail(column, _("longer than %(n)d characters.", n=limit))
            clean[column] = row[column]
    group = row.get("staff_group", "")
    if group and group not in set(StaffGroup):
        fail(
            "staff_group",
            _(
                "%(value)s is not a staff group; use one of: %(allowed)s.",
                value=group,
                allowed=", ".join(StaffGroup),
            ),
        )
    clean["staff_group"] = group
    _check_code(
        row,
        "org_unit_code",
        lookups.units,
        "org_unit_id",
        clean,
        fail,
        _("no org unit has the code %(code)s."),
    )
    _check_code(
        row,
        "province_code",
        lookups.provinces,
        "province_id",
        clean,
        fail,
        _("%(code)s is not a province code; use the ISO 3166-2 code, e.g. TH-10 for Bangkok."),
    )
    if "roles" in row:
        roles = {r.strip() for r in row["roles"].replace(",", ";").split(";") if r.strip()}
        unknown = sorted(roles - set(Role))
        if unknown:
            fail(
                "roles",
                _(
                    "unknown role(s) %(roles)s; use any of: %(allowed)s, separated by ';'.",
                    roles=", ".join(unknown),
                    allowed=", ".join(Role),
                ),
            )
        clean["roles"] = roles or {Role.LEARNER.value}
    if row.get("is_active"):
        word = row["is_active"].strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            clean["is_active"] = word in TRUE_WORDS
        else:
            fail("is_active", _("%(value)s is not yes or no (use 1 or 0).", value=row["is_active"]))
    return clean, errors


def _check_code(row, column, known, target, clean, fail, unknown_message) -> None:
    if column not in row:
        return
    code = row[column]
    if not code:
        clean[target] = None
    elif code in known:
        clean[target] = known[code]
    else:
        fail(column, unknown_message % {"code": code})


def import_staff(filename: str, data: bytes, max_rows: int = 20000) -> ImportReport:
    """Check the whole file; when it is clean, create or update every user in it."""
    report = ImportReport()
    rows = read_table(filename, data)
    cleaned, report.errors = check_rows(rows, max_rows)
    if report.errors:
        log.info("staff import of %s refused: %d errors", filename, len(report.errors))
        return report
    changed = [user for values in cleaned if (user := _apply_row(values, report)) is not None]
    session.flush()
    user_changed.send(current_app._get_current_object(), users=changed)
    log.info(
        "staff import of %s: %d created, %d updated, %d unchanged",
        filename,
        report.created,
        report.updated,
        report.unchanged,
    )
    return report


def _apply_row(values: dict[str, Any], report: ImportReport) -> User | None:
    """Create or update the row's user; the user when created or changed, else None."""
    roles = values.pop("roles", None)
    user = find_by_email(values["email"])
    if user is None:
        user = User(**values)
        session.add(user)
        set_roles(user, roles or {Role.LEARNER.value})
        report.created += 1
        return user
    changed = [key for key, value in values.items() if getattr(user, key) != value]
    for key in changed:
        setattr(user, key, values[key])
    if roles is not None and roles != user.roles:
        set_roles(user, roles)
        changed.append("roles")
    if changed:
        report.updated += 1
        return user
    report.unchanged += 1
    return None
