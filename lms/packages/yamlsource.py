"""YAML with line numbers: the data, plus where each key and list item sits in the file.

PyYAML's ``safe_load`` forgets positions. Composing the node tree first and constructing the
data from it keeps both, so a problem found in the data can name the line of the offending key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = Sequence[str | int]


class YamlSyntaxError(ValueError):
    """The text is not valid YAML; ``line`` is where the parser stopped (from 1)."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        super().__init__(message)


@dataclass
class YamlDocument:
    data: Any
    root: Node | None
    first_line: int

    def line(self, path: Path) -> int | None:
        """The line of the deepest node found along ``path``: a mapping key's own line, or a
        list item's first line. The empty path (the document itself) has no line."""
        node, line = self.root, None
        for part in path:
            if isinstance(node, MappingNode):
                found = _entry(node, part)
                if found is None:
                    break
                key, node = found
                line = key.start_mark.line
            elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line
            else:
                break
        return None if line is None else line + self.first_line

    def duplicate_keys(self) -> list[tuple[int, str, int]]:
        """Every key written twice in one mapping, as (line, key, line of the first one)."""
        found: list[tuple[int, str, int]] = []
        _find_duplicates(self.root, found)
        return [(line + self.first_line, key, first + self.first_line) for line, key, first in found]


def _entry(node: MappingNode, part: str | int) -> tuple[Node, Node] | None:
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == str(part):
            return key, value
    return None


def _find_duplicates(node: Node | None, found: list[tuple[int, str, int]]) -> None:
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                if key.value in seen:
                    found.append((key.start_mark.line, key.value, seen[key.value]))
                else:
                    seen[key.value] = key.start_mark.line
            _find_duplicates(value, found)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            _find_duplicates(item, found)


class _Loader(yaml.SafeLoader):
    """The safe loader without anchors and aliases (``&name`` / ``*name``).

    Packages have no use for them, and nested aliases can make a few lines expand into
    billions of values for everything that walks the data afterwards.
    """

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            mark = self.peek_event().start_mark
            raise ComposerError(None, None, "aliases (*name) are not allowed; write the value out", mark)
        return super().compose_node(parent, index)


def load_yaml(text: str, first_line: int = 1) -> YamlDocument:
    """Parse ``text`` (safe tags only). ``first_line`` is the file line the text starts on, for
    YAML embedded in another file such as a lesson's front matter."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + first_line
        raise YamlSyntaxError(line, _describe(exc, first_line)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(None, f"YAML syntax error: {exc}") from None
    except RecursionError:
        raise YamlSyntaxError(None, "the YAML is nested too deeply; simplify it") from None
    finally:
        loader.dispose()
    return YamlDocument(data, root, first_line)


def _describe(exc: yaml.MarkedYAMLError, first_line: int) -> str:
    """PyYAML's problem, plus where the enclosing block began when that is another line: a
    missing ``}`` or quote is usually noticed a line or more after the mistake."""
    message = exc.problem or exc.context or "unreadable YAML"
    context, start = exc.context, exc.context_mark
    if (
        context
        and exc.problem
        and start is not None
        and start.line != getattr(exc.problem_mark, "line", None)
    ):
        what = context.removeprefix("while parsing ").removeprefix("while scanning ")
        message += f" ({what} that starts on line {start.line + first_line})"
    return f"YAML syntax error: {message}; check the indentation, colons and quotes"
