"""Who may do what, and to whom: roles and HR scope, written once (ADR 0023).

Views, ``flask lms`` commands and the API call the same services, and the services ask this
module, with the acting user, before they write anything. So ``--by`` on the command line is
held to exactly the rules of the browser:

- an administrator acts on everyone;
- an HR officer acts on the people of their org units (with every unit below) and of their
  provinces, and on nobody else;
- anyone else acts on nobody (reports still show everyone their own transcript).

A :class:`Scope` is resolved to plain ids up front: it can be kept after the request's
database session is gone (a streamed export) and turned into SQL at any time.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, false, or_, select, true

from lms.accounts.models import Role, User
from lms.accounts.service import find_by_email, unit_and_descendant_ids
from lms.extensions import session


class NotAllowed(PermissionError):
    """The acting user may not do this; the message (in the request's language) says why."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Permission:
    """An action, the roles that may take it, and what a refused person is told."""

    roles: tuple[str, ...]
    refusal: str
    scoped: bool = True  # an HR officer acts only on people in their scope


MANAGE_CERTIFICATES = Permission(
    (Role.HR, Role.ADMIN), _l("Only HR officers and administrators may revoke or re-issue certificates.")
)
ASSIGN_COURSES = Permission((Role.HR, Role.ADMIN), _l("Only HR users and administrators can assign courses."))
VOID_STATEMENTS = Permission((Role.ADMIN,), _l("Only an administrator may void a statement."), scoped=False)


@dataclass(frozen=True)
class Scope:
    """The people an actor reaches: everyone, or those of some unit trees and provinces."""

    actor_id: int
    everyone: bool = False
    unit_ids: frozenset[int] = frozenset()
    province_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not self.everyone and not self.unit_ids and not self.province_ids

    def condition(self) -> ColumnElement[bool]:
        """A NULL-safe condition on ``lms_users``: the person is inside this scope."""
        if self.everyone:
            return true()
        conditions = []
        if self.unit_ids:
            conditions.append(
                and_(User.org_unit_id.is_not(None), User.org_unit_id.in_(sorted(self.unit_ids)))
            )
        if self.province_ids:
            conditions.append(
                and_(User.province_id.is_not(None), User.province_id.in_(sorted(self.province_ids)))
            )
        return or_(*conditions) if conditions else false()

    def includes(self, user_id: int) -> bool:
        """Whether the person with this id is inside the scope (one query; none for everyone)."""
        if self.everyone:
            return True
        if self.is_empty:
            return False
        return session.scalar(select(User.id).where(User.id == user_id, self.condition())) is not None


def scope_of(actor: User) -> Scope:
    """The actor's scope: everyone for an administrator, their units and provinces for HR."""
    if actor.has_role(Role.ADMIN):
        return Scope(actor.id, everyone=True)
    if not actor.has_role(Role.HR):
        return Scope(actor.id)
    units = unit_and_descendant_ids(s.org_unit_id for s in actor.scopes if s.org_unit_id)
    provinces = {s.province_id for s in actor.scopes if s.province_id}
    return Scope(actor.id, unit_ids=frozenset(units), province_ids=frozenset(provinces))


def may(actor: User | None, permission: Permission, person_id: int | None = None) -> bool:
    """Whether ``actor`` may take the action (on the person with ``person_id``, if given)."""
    if actor is None or not actor.is_active or not actor.has_role(*permission.roles):
        return False
    if person_id is None or not permission.scoped:
        return True
    return scope_of(actor).includes(person_id)


def require(actor: User, permission: Permission) -> None:
    """Refuse with the permission's message unless ``actor`` is active and holds its role."""
    if not may(actor, permission):
        raise NotAllowed(str(permission.refusal))


def require_person(actor: User, permission: Permission, person_id: int, refusal: str) -> None:
    """Refuse unless ``actor`` may take the action on this person; ``refusal`` says why not."""
    require(actor, permission)
    if not may(actor, permission, person_id):
        raise NotAllowed(refusal)


def is_owner_or_admin(actor: User | None, owner_id: int) -> bool:
    """Whether ``actor`` is active and the owner (of a token, say) or an administrator."""
    return actor is not None and actor.is_active and (actor.id == owner_id or actor.has_role(Role.ADMIN))


def require_owner_or_admin(actor: User, owner_id: int, refusal: str) -> None:
    """Refuse unless ``actor`` is the owner (of a token, say) or an administrator."""
    if not is_owner_or_admin(actor, owner_id):
        raise NotAllowed(refusal)


def visible_people(actor: User, *, include_self: bool = False) -> ColumnElement[bool]:
    """A condition on ``lms_users``: the people ``actor`` may see in reports (and the actor,
    with ``include_self``: everyone may read their own transcript)."""
    scope = scope_of(actor)
    if scope.everyone:
        return true()
    if not actor.has_role(Role.HR):
        return User.id == actor.id
    return or_(User.id == actor.id, scope.condition()) if include_self else scope.condition()


def acting_user(email: str) -> User:
    """The active account a command acts for (``--by EMAIL``); refused when there is none."""
    user = find_by_email(email)
    if user is None or not user.is_active:
        raise NotAllowed(_("No active user has the email %(email)s.", email=email))
    return user
