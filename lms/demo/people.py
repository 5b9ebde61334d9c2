"""The fictional learners: staff group, name, position and where they work.

Learner number ``index`` is drawn from its own generator, seeded with the run's seed and the
index, so the same seed makes the same people whatever the batch size, and ``--append`` goes on
with new indexes.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from importlib import resources

import yaml

from lms.accounts.models import StaffGroup
from lms.demo.organisation import Organisation

EMAIL_DOMAIN = "demo.example.org"
#: Staff groups come in blocks of 50 people, shuffled: 2 executives, 9 practitioners and 39
#: general staff (4 %, 18 %, 78 %: illustrative, not official figures).
BLOCK = (
    (StaffGroup.EXECUTIVE.value, 2),
    (StaffGroup.PRACTITIONER.value, 9),
    (StaffGroup.GENERAL.value, 39),
)
BLOCK_SIZE = sum(n for _group, n in BLOCK)
#: Share of each group that works centrally (the rest in the provincial offices).
CENTRAL_SHARE = {"executive": 0.6, "practitioner": 0.45, "general": 0.3}
#: Women among learners; a woman's title is นาง (Mrs) or นางสาว (Ms).
FEMALE_SHARE = 0.55


@cache
def lists() -> dict:
    text = resources.files("lms.demo").joinpath("data/people.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def learner_random(seed: int, index: int) -> random.Random:
    """The generator of learner ``index``: reproducible demo data, not a secret."""
    return random.Random(f"{seed}/{index}")  # noqa: S311


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@lru_cache(maxsize=8)
def _block(seed: int, block: int) -> tuple[str, ...]:
    groups = [group for group, n in BLOCK for _ in range(n)]
    random.Random(f"{seed}/groups/{block}").shuffle(groups)  # noqa: S311 (demo data)
    return tuple(groups)


def staff_group(seed: int, index: int) -> str:
    block, position = divmod(index - 1, BLOCK_SIZE)
    return _block(seed, block)[position]


@dataclass(frozen=True)
class Person:
    index: int
    uuid: str
    staff_group: str
    org_unit_id: int
    province_id: int
    row: dict


def make_person(rng: random.Random, seed: int, index: int, org: Organisation, known_from: datetime) -> Person:
    """Learner ``index``: a user row with no password (nobody can sign in as them)."""
    group = staff_group(seed, index)
    is_central = rng.random() < CENTRAL_SHARE[group]
    if is_central:
        unit_id = rng.choices(org.central_units, org.central_weights)[0]
        province_id = org.bangkok_id
    else:
        unit_id, province_id = rng.choices(org.offices, org.office_weights)[0]
    data = lists()
    sex = "female" if rng.random() < FEMALE_SHARE else "male"
    title = rng.choice(data["titles"][sex])
    first_th, first_en = rng.choice(data["given_names"][sex])
    last_th, last_en = rng.choice(data["surnames"])
    positions = data["positions"][group]
    if group == StaffGroup.EXECUTIVE.value:
        positions = positions["central" if is_central else "provincial"]
    position, level = rng.choice(positions)
    person_uuid = new_uuid(rng)
    created_at = known_from - timedelta(days=rng.randint(1, 720), minutes=rng.randint(0, 1439))
    row = {
        "uuid": person_uuid,
        "email": f"{first_en}.{last_en}.{index}@{EMAIL_DOMAIN}".lower(),
        "password_hash": None,
        "title_th": title["th"],
        "first_name_th": first_th,
        "last_name_th": last_th,
        "title_en": title["en"],
        "first_name_en": first_en,
        "last_name_en": last_en,
        "staff_group": group,
        "position": position,
        "level": level,
        "org_unit_id": unit_id,
        "province_id": province_id,
        "is_active": True,
        "created_at": created_at,
        "updated_at": created_at,
    }
    return Person(index, person_uuid, group, unit_id, province_id, row)
