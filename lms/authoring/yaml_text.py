"""The package's YAML files as the forms read and write them.

A form loads a file into plain data, changes it, and dumps it back as a trainer would have
written it: keys in the order given, Thai as Thai (not ``\\u0e01``), multi-line text as a ``|``
block. Comments in a hand-written file do not survive a save from a form; everything else
does, and the checker reads the result exactly as it reads a file from a package.
"""

from __future__ import annotations

from typing import Any

import yaml

from lms.packages.lessons import split_front_matter

FENCE = "---\n"


class _Dumper(yaml.SafeDumper):
    """Block style, lists of scalars inline, multi-line strings as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip("\n") or value.endswith("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    flow = bool(value) and all(isinstance(v, str | int | float) and "\n" not in str(v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def dump(data: Any) -> str:
    """YAML text for ``data``, keys in insertion order."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000)


def load(text: str | None) -> Any:
    """The data of a YAML file (None for an empty or missing one). Raises ``yaml.YAMLError``."""
    return yaml.safe_load(text) if text else None


def split_lesson(text: str) -> tuple[dict, str]:
    """A lesson file's front matter (as data) and its Markdown body."""
    parts = split_front_matter(text)
    return (yaml.safe_load(parts.front) or {}), parts.body


def join_lesson(meta: dict, body: str) -> str:
    """A lesson file from its front matter and body."""
    return FENCE + dump(meta) + FENCE + body
