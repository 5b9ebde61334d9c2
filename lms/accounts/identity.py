"""A host app's signed-in user, as the LMS sees it in plugin mode (ADR 0003, ADR 0025).

The host's ``identity_loader`` returns an :class:`Identity` on every LMS request.
:func:`profile_for_identity` maps it to an LMS profile by external id and keeps the profile in
step with what the host says, writing only when something changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import OrgUnit, Province, StaffGroup, User
from lms.accounts.service import create_user, find_by_email, normalise_email
from lms.extensions import session
from lms.signals import user_changed

log = logging.getLogger(__name__)

TEXT_FIELDS = (
    "title_th",
    "first_name_th",
    "last_name_th",
    "title_en",
    "first_name_en",
    "last_name_en",
    "position",
    "level",
)


@dataclass(frozen=True)
class Identity:
    """What a host app tells the LMS about its signed-in user (see ``identity_loader``).

    Only ``external_id`` and ``email`` are required. Every other field left at ``None`` is not
    managed by the host: the LMS keeps its own value (an admin may set it). A field given a
    value is copied onto the profile whenever it differs; ``""`` clears it.
    ``org_unit_code`` is an LMS org-unit code and ``province_code`` an ISO 3166-2:TH code
    (``TH-50``); an unknown code is logged as a warning and the profile keeps its unit or province.
    """

    external_id: str
    email: str
    first_name_th: str | None = None
    last_name_th: str | None = None
    first_name_en: str | None = None
    last_name_en: str | None = None
    title_th: str | None = None
    title_en: str | None = None
    staff_group: str | None = None
    position: str | None = None
    level: str | None = None
    org_unit_code: str | None = None
    province_code: str | None = None


def profile_for_identity(identity: Identity) -> tuple[User, bool]:
    """The LMS profile for a host app's user, and whether anything was written just now.

    A new identity is linked to the profile with the same email, or becomes a new learner.
    The profile then takes the host's values (:func:`sync_profile`).
    """
    user = session.scalar(select(User).where(User.external_id == identity.external_id))
    created = False
    if user is None:
        user = find_by_email(identity.email)
        if user is not None and user.external_id is None:
            user.external_id = identity.external_id
            log.info("user %s linked to host identity %s", user.id, identity.external_id)
        else:
            user = _create_profile(identity)
        created = True
    changed = sync_profile(user, identity)
    if changed:
        user_changed.send(current_app._get_current_object(), users=[user])
    return user, created or changed


def _create_profile(identity: Identity) -> User:
    first_th = identity.first_name_th or identity.first_name_en or identity.email
    return create_user(
        email=identity.email,
        external_id=identity.external_id,
        first_name_th=first_th,
        last_name_th=identity.last_name_th or identity.last_name_en or "",
    )


def sync_profile(user: User, identity: Identity) -> bool:
    """Copy the host's values that differ onto the profile; True if any did. Flushes."""
    changes = {
        name: value for name, value in _managed_values(user, identity).items() if getattr(user, name) != value
    }
    for name, value in changes.items():
        setattr(user, name, value)
    if changes:
        session.flush()
        log.info("user %s updated from host identity: %s", user.id, ", ".join(sorted(changes)))
    return bool(changes)


def _managed_values(user: User, identity: Identity) -> dict[str, object]:
    """The profile columns the host manages, with the host's values (a unit of ``None`` clears it)."""
    values: dict[str, object] = {
        name: getattr(identity, name)
        for name in TEXT_FIELDS
        if getattr(identity, name) is not None and _fits(user, name, getattr(identity, name))
    }
    if not values.get("first_name_th", True):
        del values["first_name_th"]  # a Thai first name is required: keep the profile's
    email = normalise_email(identity.email)
    if email != user.email and _email_is_free(user, email):
        values["email"] = email
    if identity.staff_group is not None and _staff_group_known(user, identity.staff_group):
        values["staff_group"] = identity.staff_group
    if identity.org_unit_code is not None:
        values.update(_reference(user, "org_unit_id", OrgUnit.id, OrgUnit.code, identity.org_unit_code))
    if identity.province_code is not None:
        code = identity.province_code.upper()
        values.update(_reference(user, "province_id", Province.id, Province.iso_code, code))
    return values


def _fits(user: User, name: str, value: str) -> bool:
    limit = User.__table__.c[name].type.length
    if len(value) <= limit:
        return True
    log.warning("host identity of user %s: %s is longer than %d characters; kept", user.id, name, limit)
    return False


def _email_is_free(user: User, email: str) -> bool:
    other = find_by_email(email)
    if other is not None and other.id != user.id:
        log.warning(
            "host identity of user %s: the email %s belongs to user %s; kept", user.id, email, other.id
        )
        return False
    return True


def _staff_group_known(user: User, group: str) -> bool:
    if group in set(StaffGroup):
        return True
    log.warning("host identity of user %s: unknown staff group %r; kept %s", user.id, group, user.staff_group)
    return False


def _reference(user: User, column: str, id_column, code_column, code: str) -> dict[str, int | None]:
    """``{column: id}`` of the unit or province with this code, ``{column: None}`` for ``""``,
    and nothing (the profile keeps its value) for an unknown code, which is logged."""
    if code == "":
        return {column: None}
    found = session.scalar(select(id_column).where(code_column == code))
    if found is None:
        log.warning("host identity of user %s: unknown code %r for %s; kept", user.id, code, column)
        return {}
    return {column: found}
