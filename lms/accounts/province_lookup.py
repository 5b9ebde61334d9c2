"""Find a province the way HR files name it: its Thai or English name, or its ISO 3166-2 code.

``เชียงใหม่``, ``จังหวัดเชียงใหม่``, ``Chiang Mai``, ``chiang mai province`` and ``TH-50`` all
name the same province. Names are compared after removing invisible characters, the
``จังหวัด`` prefix (or ``Province`` suffix), case and spaces. For a name that matches none, the
closest names and codes are offered, so a typo can be fixed from the message alone.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from sqlalchemy import select

from lms.accounts.models import Province
from lms.extensions import session

PREFIX_TH = "จังหวัด"
SUFFIX_EN = re.compile(r"\s+province$")
#: Names for Bangkok that HR files use besides the official one.
BANGKOK_ALIASES = ("กรุงเทพฯ", "กรุงเทพ", "กทม", "กทม.")
SUGGESTIONS = 3


def name_key(text: str) -> str:
    """The form names are compared in: no invisible characters, prefix or suffix; one case."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    key = unicodedata.normalize("NFC", kept).strip().casefold()
    key = key.removeprefix(PREFIX_TH).strip()
    key = SUFFIX_EN.sub("", key)
    return re.sub(r"[\s\-]+", " ", key)


class ProvinceLookup:
    """Every province by code and by name, loaded once per import."""

    def __init__(self) -> None:
        self.by_key: dict[str, int] = {}
        self.labels: dict[str, str] = {}
        for province in session.scalars(select(Province).order_by(Province.iso_code)):
            label = f"{province.name_th} / {province.name_en} ({province.iso_code})"
            self.by_key[name_key(province.iso_code)] = province.id
            for name in (province.name_th, province.name_en):
                self.by_key[name_key(name)] = province.id
                self.labels[name_key(name)] = label
            self.labels[name_key(province.iso_code)] = label
            if province.iso_code == "TH-10":
                for alias in BANGKOK_ALIASES:
                    self.by_key[name_key(alias)] = province.id

    def find(self, text: str) -> int | None:
        """The province's id, or None."""
        return self.by_key.get(name_key(text))

    def closest(self, text: str) -> list[str]:
        """Up to three provinces whose name or code is nearest ``text``, as ``ชื่อ / Name (TH-xx)``."""
        found = difflib.get_close_matches(name_key(text), list(self.labels), n=SUGGESTIONS * 2, cutoff=0.5)
        labels = list(dict.fromkeys(self.labels[key] for key in found))
        return labels[:SUGGESTIONS]
