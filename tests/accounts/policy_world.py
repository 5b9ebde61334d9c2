"""A small organisation for the authorization tests: two units, two HR officers and their people.

    U-IN   unit (central)     people: inside (TH-10)
    U-OUT  unit (central)     people: outside (TH-10)
    (no unit)                 people: northern (TH-50)

``hr_unit`` has the scope U-IN, ``hr_province`` the province TH-50; ``admin`` sees everyone,
``learner`` nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lms.accounts import service as accounts
from lms.accounts.models import OrgUnit, Province, User
from lms.extensions import session
from tests.conftest import make_user


@dataclass
class World:
    ids: dict[str, int]
    units: dict[str, int]

    def user(self, key: str) -> User:
        return session.get(User, self.ids[key])

    @staticmethod
    def email(key: str) -> str:
        return f"{key}@policy.example.org"


def province_id(code: str) -> int:
    return session.scalar(select(Province.id).where(Province.iso_code == code))


def build_world(password: str | None = None) -> World:
    """The organisation; only the staff accounts get ``password`` (hashing takes time)."""
    units = {}
    for code, name in (("U-IN", "กองใน"), ("U-OUT", "กองนอก")):
        unit = OrgUnit(code=code, name_th=name, name_en=code, kind="division", is_central=True)
        session.add(unit)
        session.flush()
        units[code] = unit.id
    bangkok, chiang_mai = province_id("TH-10"), province_id("TH-50")
    people = {
        "inside": {"org_unit_id": units["U-IN"], "province_id": bangkok},
        "outside": {"org_unit_id": units["U-OUT"], "province_id": bangkok},
        "northern": {"province_id": chiang_mai},
    }
    ids = {}
    for key, where in people.items():
        ids[key] = make_user(
            email=World.email(key), password=None, first_name_th=key, last_name_th="ทดสอบ", **where
        ).id
    for key, role in (("hr_unit", "hr"), ("hr_province", "hr"), ("admin", "admin"), ("learner", "learner")):
        ids[key] = make_user(role, email=World.email(key), password=password).id
    accounts.set_scopes(session.get(User, ids["hr_unit"]), [units["U-IN"]], [])
    accounts.set_scopes(session.get(User, ids["hr_province"]), [], [chiang_mai])
    session.commit()
    return World(ids, units)
