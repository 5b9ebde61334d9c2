"""Hands each recorded statement to the projectors registered for its verb.

In the style of Open edX's event routing: the ledger knows no projection. Areas register a
projector per verb IRI (and one re-deriver of a registration) in ``init_app``; a new kind of
learning event adds a projector, never a branch in ``record``. The router lives in
``app.extensions["lms"].projectors``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Projector(Protocol):
    def __call__(self, statement: dict[str, Any], user_id: int | None, *, replaying: bool) -> None: ...


Rederiver = Callable[[str | None], int]


class ProjectorRouter:
    """Projectors by verb IRI, called in the order they were registered."""

    def __init__(self) -> None:
        self._by_verb: dict[str, list[Projector]] = {}
        self._rederivers: list[Rederiver] = []

    def register(self, verb_iri: str, projector: Projector) -> None:
        projectors = self._by_verb.setdefault(verb_iri, [])
        if projector in projectors:
            raise ValueError(f"{projector!r} is already registered for {verb_iri}.")
        projectors.append(projector)

    def register_rederiver(self, rederiver: Rederiver) -> None:
        """A function that re-derives one registration's projection (all, given None)."""
        self._rederivers.append(rederiver)

    def verbs(self) -> set[str]:
        return set(self._by_verb)

    def project(self, statement: dict[str, Any], user_id: int | None, *, replaying: bool = False) -> None:
        for projector in self._by_verb.get(statement["verb"]["id"], ()):
            projector(statement, user_id, replaying=replaying)

    def rederive(self, registration: str | None) -> int:
        """Re-derive one registration (every registration for None); the statements replayed."""
        return sum(rederiver(registration) for rederiver in self._rederivers)
