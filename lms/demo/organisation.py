"""The simulated ministry: departments with their divisions, and an office in each province.

The structure is fixed (``data/ministry.yaml``); only the people in it vary with the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from sqlalchemy import insert, select

from lms.accounts.models import OrgKind, OrgUnit, Province
from lms.extensions import session

#: Share of a department's central staff who sit in the department's own office, not a division.
DEPARTMENT_OFFICE_SHARE = 0.15
#: The Bangkok office is larger than the others.
BANGKOK_WEIGHT = 2.5
PROVINCE_COUNT = 77


@cache
def plan() -> dict:
    text = resources.files("lms.demo").joinpath("data/ministry.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def ministry_code() -> str:
    return plan()["ministry"]["code"]


@dataclass(frozen=True)
class Organisation:
    """The seeded units, as the people generator needs them: where people can work, and how many."""

    ids: dict[str, int]
    central_units: list[int]
    central_weights: list[float]
    offices: list[tuple[int, int]]
    office_weights: list[float]
    bangkok_id: int
    created: int

    @property
    def department_ids(self) -> dict[str, int]:
        return {d["code"]: self.ids[d["code"]] for d in plan()["departments"]}


def exists() -> bool:
    return session.scalar(select(OrgUnit.id).where(OrgUnit.code == ministry_code())) is not None


def provinces() -> list[tuple[int, str, str, str]]:
    """(id, ISO code, Thai name, English name) of the provinces, by ISO code."""
    query = select(Province.id, Province.iso_code, Province.name_th, Province.name_en)
    return [tuple(row) for row in session.execute(query.order_by(Province.iso_code))]


def build() -> Organisation:
    """Create the units that are missing (matched by code) and describe them all."""
    spec = plan()
    all_provinces = provinces()
    ids: dict[str, int] = {}
    created = 0
    for level in _levels(spec, all_provinces):
        codes = [row["code"] for row in level]
        ids.update(session.execute(select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(codes))).all())
        missing = [
            {**row, "parent_id": ids[row["parent"]] if row["parent"] else None}
            for row in level
            if row["code"] not in ids
        ]
        for row in missing:
            del row["parent"]
        if missing:
            ids.update(session.execute(insert(OrgUnit).returning(OrgUnit.code, OrgUnit.id), missing).all())
            created += len(missing)
    central, central_weights = _central(spec, ids)
    office = spec["provincial_office"]
    offices = [(ids[office["code"].format(iso_code=iso)], pid) for pid, iso, _th, _en in all_provinces]
    weights = _office_weights([iso for _pid, iso, _th, _en in all_provinces], office["bangkok"])
    bangkok_id = next(pid for pid, iso, _th, _en in all_provinces if iso == office["bangkok"])
    return Organisation(ids, central, central_weights, offices, weights, bangkok_id, created)


def _levels(spec: dict, all_provinces: list) -> list[list[dict]]:
    """The units to create, parents before children."""
    ministry = spec["ministry"]
    departments, divisions = [], []
    for department in spec["departments"]:
        departments.append(_unit(department, OrgKind.DEPARTMENT, ministry["code"]))
        divisions += [_unit(d, OrgKind.DIVISION, department["code"]) for d in department["divisions"]]
    office = spec["provincial_office"]
    offices = [
        _unit(
            {
                "code": office["code"].format(iso_code=iso),
                "name_th": office["name_th"].format(province_th=_province_th(iso, name_th, office)),
                "name_en": office["name_en"].format(name_en=name_en),
            },
            OrgKind.PROVINCIAL_OFFICE,
            office["parent"],
            province_id=pid,
        )
        for pid, iso, name_th, name_en in all_provinces
    ]
    return [[_unit(ministry, OrgKind.MINISTRY, None)], departments, divisions + offices]


def _province_th(iso: str, name_th: str, office: dict) -> str:
    # Bangkok is a special administrative area, not a จังหวัด (province).
    return name_th if iso == office["bangkok"] else f"จังหวัด{name_th}"


def _unit(spec: dict, kind: OrgKind, parent: str | None, province_id: int | None = None) -> dict:
    return {
        "code": spec["code"],
        "name_th": spec["name_th"],
        "name_en": spec["name_en"],
        "kind": kind.value,
        "is_central": kind != OrgKind.PROVINCIAL_OFFICE,
        "parent": parent,
        "province_id": province_id,
    }


def _central(spec: dict, ids: dict[str, int]) -> tuple[list[int], list[float]]:
    units, weights = [], []
    for department in spec["departments"]:
        units.append(ids[department["code"]])
        weights.append(department["weight"] * DEPARTMENT_OFFICE_SHARE)
        share = department["weight"] * (1 - DEPARTMENT_OFFICE_SHARE) / len(department["divisions"])
        for division in department["divisions"]:
            units.append(ids[division["code"]])
            weights.append(share)
    return units, weights


def _office_weights(iso_codes: list[str], bangkok: str) -> list[float]:
    """Illustrative office sizes: fixed (not seeded), between half and twice the average."""
    rng = random.Random("lms-demo-province-offices")  # noqa: S311 (a fixed shape, not a secret)
    return [BANGKOK_WEIGHT if iso == bangkok else round(rng.uniform(0.5, 2.0), 2) for iso in iso_codes]
