"""Import HR's staff list (CSV or XLSX): check the whole file, then write all of it or nothing.

The email is the key: a row whose email exists updates that user, a new email creates one.
Re-importing the same file changes nothing. Users absent from the file are left alone.
Reading the file (separators, row widths, invisible characters) is :mod:`lms.accounts.staff_table`;
a file too large for one request is imported by a job (:mod:`lms.accounts.import_jobs`). New
users are written with multi-row INSERTs, so 20,000 rows take seconds, not minutes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, select

from lms.accounts.models import OrgUnit, Role, StaffGroup, User, UserRole
from lms.accounts.province_lookup import ProvinceLookup
from lms.accounts.service import find_by_email, normalise_email, set_roles
from lms.accounts.staff_table import ImportFileError, RowError, Table, read_table
from lms.extensions import session
from lms.signals import user_changed

__all__ = [
    "COLUMNS",
    "ImportFileError",
    "ImportReport",
    "RowError",
    "Table",
    "check_rows",
    "find_by_email",
    "import_staff",
    "import_table",
    "read",
]

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
#: Existing users are loaded this many emails at a time (one query each, not one per row).
LOAD_BATCH = 500


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def read(filename: str, data: bytes) -> Table:
    """The file's rows (see :mod:`lms.accounts.staff_table`); raises :class:`ImportFileError`."""
    return read_table(filename, data, COLUMNS, REQUIRED)


class _Lookups:
    """Org units by code and provinces by code or name, loaded once per import."""

    def __init__(self) -> None:
        self.units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
        self.provinces = ProvinceLookup()


def check_rows(table: Table, max_rows: int) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Validate every row; return the cleaned rows and every error found (the file's own first)."""
    errors: list[RowError] = list(table.errors)
    count = len(table.rows) + len(table.errors)
    if count > max_rows:
        message = _("the file has %(n)d rows; at most %(max)d are accepted.", n=count, max=max_rows)
        return [], [RowError(1, "-", message)]
    lookups = _Lookups()
    seen: dict[str, int] = {}
    cleaned = []
    for number, row in table.rows:
        clean, row_errors = _check_row(number, row, table.raw.get(number, {}), lookups)
        email = clean.get("email")
        if email and email in seen:
            row_errors.append(
                RowError(number, "email", _("the same email is on row %(row)d.", row=seen[email]))
            )
        elif email:
            seen[email] = number
        errors.extend(row_errors)
        cleaned.append(clean)
    errors.sort(key=lambda e: e.row)
    return cleaned, errors


def _check_row(
    number: int, row: dict[str, str], invisible: dict[str, str], lookups: _Lookups
) -> tuple[dict[str, Any], list[RowError]]:
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    clean: dict[str, Any] = {}
    for column in REQUIRED:
        if column in invisible:
            fail(column, _("this value is required; the cell holds only invisible characters."))
        elif not row.get(column):
            fail(column, _("this value is required."))
    if row.get("email"):
        from email_validator import EmailNotValidError, validate_email

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
    _check_group(row, clean, fail)
    _check_unit(row, lookups, clean, fail)
    _check_province(row, lookups, clean, fail)
    _check_roles(row, clean, fail)
    if row.get("is_active"):
        word = row["is_active"].strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            clean["is_active"] = word in TRUE_WORDS
        else:
            fail("is_active", _("%(value)s is not yes or no (use 1 or 0).", value=row["is_active"]))
    return clean, errors


def _check_group(row, clean, fail) -> None:
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


def _check_unit(row, lookups: _Lookups, clean, fail) -> None:
    if "org_unit_code" not in row:
        return
    code = row["org_unit_code"]
    clean["org_unit_id"] = lookups.units.get(code) if code else None
    if code and clean["org_unit_id"] is None:
        fail("org_unit_code", _("no org unit has the code %(code)s.", code=code))


def _check_province(row, lookups: _Lookups, clean, fail) -> None:
    if "province_code" not in row:
        return
    text = row["province_code"]
    clean["province_id"] = lookups.provinces.find(text) if text else None
    if not text or clean["province_id"] is not None:
        return
    closest = lookups.provinces.closest(text)
    if closest:
        fail(
            "province_code",
            _(
                "%(value)s is not a province name or code; closest: %(closest)s. Use the Thai or "
                "English name, or the ISO 3166-2 code (e.g. TH-10 for Bangkok).",
                value=text,
                closest="; ".join(closest),
            ),
        )
    else:
        fail(
            "province_code",
            _(
                "%(value)s is not a province name or code; use the Thai or English name, or the ISO "
                "3166-2 code (e.g. TH-10 for Bangkok).",
                value=text,
            ),
        )


def _check_roles(row, clean, fail) -> None:
    if "roles" not in row:
        return
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


def import_staff(filename: str, data: bytes, max_rows: int = 20000) -> ImportReport:
    """Check the whole file; when it is clean, create or update every user in it. Flushes once."""
    return import_table(filename, read(filename, data), max_rows)


def import_table(filename: str, table: Table, max_rows: int = 20000) -> ImportReport:
    """:func:`import_staff` for a file already read."""
    report = ImportReport()
    cleaned, report.errors = check_rows(table, max_rows)
    if report.errors:
        log.info("staff import of %s refused: %d errors", filename, len(report.errors))
        return report
    known = _known_users([values["email"] for values in cleaned])
    fresh = [values for values in cleaned if values["email"] not in known]
    changed = [user for values in cleaned if (user := _update_row(values, known, report)) is not None]
    changed += _create_users(fresh)
    report.created = len(fresh)
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


def _known_users(emails: list[str]) -> dict[str, User]:
    known: dict[str, User] = {}
    for start in range(0, len(emails), LOAD_BATCH):
        batch = emails[start : start + LOAD_BATCH]
        known.update(
            (user.email, user) for user in session.scalars(select(User).where(User.email.in_(batch)))
        )
    return known


def _create_users(rows: list[dict[str, Any]]) -> list[User]:
    """Insert the new users and their roles with multi-row INSERTs (an ORM flush of 20,000
    objects takes several times longer, and so does INSERT ... RETURNING on PostgreSQL);
    return the users, loaded."""
    if not rows:
        return []
    roles = {values["email"]: sorted(values.pop("roles", None) or {Role.LEARNER.value}) for values in rows}
    session.execute(insert(User), rows)
    emails = list(roles)
    ids: dict[str, int] = {}
    for start in range(0, len(emails), LOAD_BATCH):
        batch = emails[start : start + LOAD_BATCH]
        ids.update(session.execute(select(User.email, User.id).where(User.email.in_(batch))).all())
    session.execute(
        insert(UserRole),
        [{"user_id": ids[email], "role": role} for email, wanted in roles.items() for role in wanted],
    )
    new_ids = sorted(ids.values())
    people: list[User] = []
    for start in range(0, len(new_ids), LOAD_BATCH):
        people += session.scalars(select(User).where(User.id.in_(new_ids[start : start + LOAD_BATCH])))
    return people


def _update_row(values: dict[str, Any], known: dict[str, User], report: ImportReport) -> User | None:
    """Update the row's known user; the user when changed, else None (and None for a new one)."""
    user = known.get(values["email"])
    if user is None:
        return None
    values = dict(values)
    roles = values.pop("roles", None)
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
