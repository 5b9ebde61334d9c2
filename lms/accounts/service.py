"""Domain functions for users, roles and HR scope.

Services flush but never commit: the caller (a view or a CLI command) commits once.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from lms.accounts.models import HRScope, OrgUnit, Province, Role, StaffGroup, User, UserRole
from lms.accounts.passwords import (
    context_words,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from lms.audit.service import audit
from lms.core.search import contains
from lms.extensions import session
from lms.signals import user_changed

log = logging.getLogger(__name__)


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


class EmailTaken(AccountError):
    """Another user already has the email (also what a double-submitted create finds)."""


def site_names() -> list[str]:
    """The site's name as configured and as shown in each offered language."""
    names = [current_app.config.get("LMS_SITE_NAME") or ""]
    for locale in current_app.config.get("LMS_LOCALES", ()):
        with force_locale(locale):
            names.append(_("Digital Government Learning"))
    return names


def password_context(user: User) -> list[str]:
    """What a password of this person must not be made of: their email, names, the site's name."""
    keys = ("email", "first_name_th", "last_name_th", "first_name_en", "last_name_en")
    return context_words([*(getattr(user, key) for key in keys), *site_names()])


def check_password_strength(password: str, min_length: int, context: Iterable[str] = ()) -> None:
    """Refuse a short, common or context-specific password (ADR 0030)."""
    problem = password_problem(password, min_length, context)
    if problem:
        raise AccountError(problem)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Upgrades an old hash."""
    user = find_by_email(email)
    if user is None or not user.is_active:
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def end_sessions(user: User) -> None:
    """End every session of the user: each holds the epoch it began in (ADR 0029)."""
    user.session_epoch = User.session_epoch + 1
    session.flush()
    log.info("sessions ended for user %s", user.id)


def set_password(user: User, password: str, min_length: int) -> None:
    """Set a chosen password; the user's other sessions end (the caller may renew its own)."""
    check_password_strength(password, min_length, password_context(user))
    if user.password_hash and verify_password(user.password_hash, password):
        raise AccountError(_("The new password must differ from the current one."))
    user.password_hash = hash_password(password)
    user.must_change_password = False
    end_sessions(user)
    log.info("password set for user %s", user.id)


def reset_password(user: User, *, must_change: bool = True) -> str:
    """Give the user a new random password and return it, to be shown once.

    Every session of the user ends, and the password must be changed at the next sign-in
    unless ``must_change`` is false (the demo accounts).
    """
    password = secrets.token_urlsafe(12)
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    end_sessions(user)
    log.info("password reset for user %s", user.id)
    return password


def set_roles(user: User, roles: Iterable[str]) -> None:
    wanted = set(roles)
    unknown = wanted - {r.value for r in Role}
    if unknown:
        raise AccountError(_("Unknown role(s): %(roles)s.", roles=", ".join(sorted(unknown))))
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    for role in sorted(wanted - user.roles):
        user.role_rows.append(UserRole(role=role))
    session.flush()


def change_role(user: User, role: str, *, remove: bool = False) -> bool:
    """Give the user one role, or take it away (with the HR scope, for ``hr``); audited.

    Returns False when there was nothing to change. Used by ``flask lms users set-role``.
    """
    if role not in {r.value for r in Role}:
        raise AccountError(_("Unknown role(s): %(roles)s.", roles=role))
    if (role in user.roles) != remove:
        return False
    set_roles(user, user.roles - {role} if remove else user.roles | {role})
    if remove and role == Role.HR:
        set_scopes(user, (), ())
    audit(None, "user.role_removed" if remove else "user.role_added", f"user:{user.id}", role=role)
    log.info("user %s: role %s %s", user.id, role, "removed" if remove else "added")
    return True


def set_scopes(user: User, org_unit_ids: Iterable[int], province_ids: Iterable[int]) -> None:
    """Replace the HR user's scope with these units (and their sub-units) and provinces."""
    user.scopes = [HRScope(org_unit_id=uid) for uid in sorted(set(org_unit_ids))] + [
        HRScope(province_id=pid) for pid in sorted(set(province_ids))
    ]
    session.flush()


def create_user(
    *,
    email: str,
    first_name_th: str,
    last_name_th: str,
    roles: Iterable[str] = (Role.LEARNER,),
    password: str | None = None,
    min_password_length: int = 10,
    **fields,
) -> User:
    email = normalise_email(email)
    if find_by_email(email):
        raise EmailTaken(_("A user with the email %(email)s already exists.", email=email))
    if fields.get("staff_group", StaffGroup.GENERAL) not in set(StaffGroup):
        raise AccountError(_("Unknown staff group %(group)s.", group=fields["staff_group"]))
    user = User(email=email, first_name_th=first_name_th, last_name_th=last_name_th, **fields)
    if password is not None:
        check_password_strength(password, min_password_length, password_context(user))
        user.password_hash = hash_password(password)
    session.add(user)
    set_roles(user, roles)
    session.flush()
    log.info("user %s created: %s", user.id, email)
    user_changed.send(current_app._get_current_object(), users=[user])
    return user


def search_users(query: str = "", page: int = 1, per_page: int = 50) -> tuple[list[User], int]:
    """A page of users matching the query in any name or the email, and the total count."""
    stmt = select(User)
    words = query.strip().lower()
    if words:
        stmt = stmt.where(
            or_(
                contains(User.email, words),
                contains(User.first_name_th, words),
                contains(User.last_name_th, words),
                contains(User.first_name_en, words),
                contains(User.last_name_en, words),
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(
        stmt.options(selectinload(User.org_unit), selectinload(User.province))
        .order_by(User.first_name_th, User.last_name_th, User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def unit_and_descendant_ids(unit_ids: Iterable[int]) -> set[int]:
    """The given org units and every unit below them, with one recursive query."""
    unit_ids = list(unit_ids)
    if not unit_ids:
        return set()
    tree = select(OrgUnit.id).where(OrgUnit.id.in_(unit_ids)).cte("tree", recursive=True)
    tree = tree.union_all(select(OrgUnit.id).where(OrgUnit.parent_id == tree.c.id))
    return set(session.scalars(select(tree.c.id)))


def users_in_scope(hr_user: User):
    """A select of the users the HR user may see: in a scoped unit tree or province."""
    unit_ids = unit_and_descendant_ids(s.org_unit_id for s in hr_user.scopes if s.org_unit_id)
    province_ids = {s.province_id for s in hr_user.scopes if s.province_id}
    conditions = []
    if unit_ids:
        conditions.append(User.org_unit_id.in_(unit_ids))
    if province_ids:
        conditions.append(User.province_id.in_(province_ids))
    if not conditions:
        return select(User).where(false())
    return select(User).where(or_(*conditions))


def all_units() -> list[OrgUnit]:
    return list(session.scalars(select(OrgUnit).order_by(OrgUnit.code)))


def all_provinces() -> list[Province]:
    return list(session.scalars(select(Province).order_by(Province.name_th)))


PROFILE_FIELDS = (
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
    "org_unit_id",
    "province_id",
    "is_active",
)


def update_user(
    user: User,
    values: dict,
    roles: Iterable[str],
    scope_units: Iterable[int] = (),
    scope_provinces: Iterable[int] = (),
) -> None:
    """Apply an admin's edit: profile fields, roles and HR scope (kept only for HR users)."""
    values = {k: v for k, v in values.items() if k in PROFILE_FIELDS}
    if "email" in values:
        values["email"] = normalise_email(values["email"])
        other = find_by_email(values["email"])
        if other is not None and other.id != user.id:
            raise AccountError(_("A user with the email %(email)s already exists.", email=values["email"]))
    if values.get("staff_group", user.staff_group) not in set(StaffGroup):
        raise AccountError(_("Unknown staff group %(group)s.", group=values["staff_group"]))
    deactivated = user.is_active and values.get("is_active") is False
    for key, value in values.items():
        setattr(user, key, value)
    if deactivated:
        end_sessions(user)
    roles = set(roles)
    set_roles(user, roles)
    if Role.HR in roles:
        set_scopes(user, scope_units, scope_provinces)
    else:
        set_scopes(user, (), ())
    session.flush()
    log.info("user %s updated", user.id)
    user_changed.send(current_app._get_current_object(), users=[user])
