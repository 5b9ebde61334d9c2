"""Reading the insights pages as a person does: the cells of a table, by its id."""

from __future__ import annotations

import html
import re


def table(text: str, table_id: str) -> dict[str, list[str]]:
    """The body rows of the table ``table_id``: the row heading -> the other cells' texts."""
    found = re.search(rf'<table[^>]* id="{table_id}">(.*?)</table>', text, re.S)
    assert found, f"no table {table_id}"
    body = found.group(1).split("</thead>", 1)[-1]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows
