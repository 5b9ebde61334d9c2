"""Who a report may show: the acting user's scope and the filters on people, written once.

Every report query starts from :func:`people`, a select of the people the actor may see who
match the filters. Nothing else in ``lms.reports`` decides scope:

- an administrator sees everyone;
- an HR officer sees the people of their org units (with every unit below) and of their
  provinces (:mod:`lms.accounts.policy`, which also decides what the other areas allow);
- anyone else sees only themselves.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, case, select
from sqlalchemy.orm import aliased

from lms.accounts import policy
from lms.accounts.models import OrgUnit, Role, User
from lms.accounts.service import unit_and_descendant_ids
from lms.extensions import session
from lms.reports.filters import NONE, ReportFilters

PersonUnit = aliased(OrgUnit, name="person_unit")


def visible(actor: User, *, include_self: bool = False) -> ColumnElement[bool]:
    """A condition on ``lms_users``: the people ``actor`` may see in reports (and the actor,
    with ``include_self``: everyone may read their own transcript). Resolved at once, so a
    select built from it needs nothing of ``actor`` afterwards (a streamed export)."""
    return policy.visible_people(actor, include_self=include_self)


def region_of_unit():
    """'central' or 'regional' by the person's unit (``is_central``); NULL without a unit."""
    return case((PersonUnit.is_central.is_(True), "central"), (PersonUnit.is_central.is_(False), "regional"))


def people(actor: User, filters: ReportFilters, *, user_id: int | None = None) -> Select:
    """The people a report covers: visible to ``actor`` and matching the filters on people.

    Columns: user_id, first_name_th, last_name_th (the sort order), staff_group, unit_id,
    province_id, region. Only active accounts count, unless one person is asked for by
    ``user_id`` (a transcript outlives a deactivation, and the actor may ask for their own).
    """
    stmt = select(
        User.id.label("user_id"),
        User.first_name_th,
        User.last_name_th,
        User.staff_group.label("staff_group"),
        User.org_unit_id.label("unit_id"),
        User.province_id.label("province_id"),
        region_of_unit().label("region"),
    ).outerjoin(PersonUnit, PersonUnit.id == User.org_unit_id)
    if user_id is not None:
        return stmt.where(User.id == user_id, visible(actor, include_self=True))
    return stmt.where(visible(actor), User.is_active.is_(True), *person_conditions(filters))


def is_narrowed(actor: User, filters: ReportFilters) -> bool:
    """Whether the people are a part of everyone (a scope or a filter on people), so that
    reading only their rows beats reading every row once."""
    return not actor.has_role(Role.ADMIN) or bool(person_conditions(filters))


def person_conditions(filters: ReportFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.staff_group:
        conditions.append(User.staff_group == filters.staff_group)
    if filters.unit_code == NONE:
        conditions.append(User.org_unit_id.is_(None))
    elif filters.unit_id is not None:
        conditions.append(User.org_unit_id.in_(sorted(unit_and_descendant_ids([filters.unit_id]))))
    if filters.province_code == NONE:
        conditions.append(User.province_id.is_(None))
    elif filters.province_id is not None:
        conditions.append(User.province_id == filters.province_id)
    if filters.region == NONE:
        conditions.append(User.org_unit_id.is_(None))
    elif filters.region:
        conditions.append(PersonUnit.is_central.is_(filters.region == "central"))
    return conditions


def can_see(actor: User, person: User) -> bool:
    """Whether ``actor`` may open ``person``'s transcript: themselves, or in the actor's scope."""
    found = session.scalar(select(User.id).where(User.id == person.id, visible(actor, include_self=True)))
    return found is not None
