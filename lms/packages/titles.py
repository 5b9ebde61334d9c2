"""Plain-text fields (titles, the course summary): no raw HTML, as in lesson bodies.

Titles are shown as text, escaped, so ``<b>ด่วน</b>`` would reach learners as literal tags.
The checker refuses tags, comments and character references that only make sense as HTML,
naming the file, the line and the field. A ``<`` that starts no tag (``อายุ < 60 ปี``) is fine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from flask_babel import gettext as _

from lms.packages.problems import Problem
from lms.packages.schema import field_name
from lms.packages.yamlsource import YamlDocument

HTML = re.compile(
    r"<!--|<\s*/?\s*([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?\s*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-z]+);"
)
LANGUAGES = ("th", "en")


def _value(data: object, path: Sequence[str | int]) -> object:
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def html_problems(doc: YamlDocument, file: str, fields: Iterable[Sequence[str | int]]) -> list[Problem]:
    """A problem for each of ``fields`` (paths into the document, each a {th, en} text) that
    holds raw HTML."""
    found = []
    for path in fields:
        for language in LANGUAGES:
            where = [*path, language]
            text = _value(doc.data, where)
            match = HTML.search(text) if isinstance(text, str) else None
            if match:
                what = f"<{match.group(1).lower()}>" if match.group(1) else match.group(0)
                message = _(
                    "%(field)s: raw HTML is not allowed in a title or summary (%(what)s); write plain text",
                    field=field_name(where),
                    what=what,
                )
                found.append(Problem(file, doc.line(where), message))
    return found


def course_fields(data: object) -> list[list[str | int]]:
    modules = _value(data, ["modules"])
    count = len(modules) if isinstance(modules, list) else 0
    return [["title"], ["summary"], *(["modules", index, "title"] for index in range(count))]
