"""What the checker reports: one :class:`Problem` per thing a trainer must fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Problem:
    """A problem in one file of a package.

    ``file`` is relative to the package (or, for a folder of packages, to the folder), with
    ``/`` separators. ``line`` counts from 1; it is None when the problem is about the whole
    file. A warning does not stop an import; an error does.
    """

    file: str
    line: int | None
    message: str
    is_warning: bool = False

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        kind = "warning: " if self.is_warning else ""
        return f"{where}: {kind}{self.message}"

    def under(self, prefix: str) -> Problem:
        """The same problem, with its file named from a parent folder."""
        return replace(self, file=f"{prefix}/{self.file}")


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_warning]


def ordered(problems: Iterable[Problem]) -> list[Problem]:
    """Problems by file, then line (whole-file problems first), keeping the order found otherwise."""
    return sorted(problems, key=lambda p: (p.file, p.line or 0))


class PackageError(Exception):
    """A package (or a folder of them) cannot be imported; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = ordered(problems)
        super().__init__(f"{len(errors(self.problems))} error(s) found; nothing was imported")
