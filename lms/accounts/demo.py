"""The demo organisation and one demo account per role, for trying the LMS."""

from __future__ import annotations

import logging
from importlib import resources

import yaml
from sqlalchemy import select

from lms.accounts import service
from lms.accounts.models import OrgUnit, Province

log = logging.getLogger(__name__)


def demo_data() -> dict:
    text = resources.files("lms.accounts").joinpath("data/demo_org.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_units(units: list[dict]) -> int:
    """Create or update org units by code, parents before children. Returns how many are new."""
    provinces = {p.iso_code: p.id for p in service.session.scalars(select(Province))}
    by_code = {u.code: u for u in service.session.scalars(select(OrgUnit))}
    created = 0
    for spec in units:
        unit = by_code.get(spec["code"])
        if unit is None:
            unit = OrgUnit(code=spec["code"])
            service.session.add(unit)
            by_code[unit.code] = unit
            created += 1
        unit.name_th = spec["name_th"]
        unit.name_en = spec["name_en"]
        unit.kind = spec["kind"]
        unit.is_central = spec["is_central"]
        unit.parent = by_code[spec["parent"]] if spec.get("parent") else None
        unit.province_id = provinces[spec["province"]] if spec.get("province") else None
    service.session.flush()
    return created


def load_demo(min_password_length: int) -> list[tuple[str, str | None]]:
    """Load the demo org and accounts. Returns (email, new password or None if it existed)."""
    data = demo_data()
    load_units(data["units"])
    units = {u.code: u.id for u in service.session.scalars(select(OrgUnit))}
    provinces = {p.iso_code: p.id for p in service.session.scalars(select(Province))}
    result = []
    for spec in data["accounts"]:
        spec = dict(spec)
        email = spec.pop("email")
        if service.find_by_email(email) is not None:
            result.append((email, None))
            continue
        roles = spec.pop("roles")
        scope = spec.pop("hr_scope", None)
        spec["org_unit_id"] = units[spec.pop("org_unit")]
        spec["province_id"] = provinces[spec.pop("province")]
        user = service.create_user(email=email, roles=roles, **spec)
        if scope:
            service.set_scopes(
                user, [units[c] for c in scope["units"]], [provinces[c] for c in scope["provinces"]]
            )
        result.append((email, service.reset_password(user, must_change=False)))
    log.info("demo data loaded")
    return result
