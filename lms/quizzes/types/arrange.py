"""Questions answered by arranging given options: matching (pairs) and sequencing (order)."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from lms.quizzes.types.base import (
    LIST_DELIMITER,
    PAIR_DELIMITER,
    LanguageMapFn,
    QuestionType,
    ResponseError,
    Spec,
    UnclearAnswer,
    only_value,
    refuse_parts,
    shown,
)
from lms.quizzes.types.content import components, options, texts_by_id

POSITION = re.compile(r"[1-9][0-9]{0,3}")


def _feedback(items: list[Mapping[str, Any]], used: set[str]) -> list[str]:
    return [item["feedback"] for item in items if item["id"] in used and item.get("feedback")]


class Matching(QuestionType):
    """A dict ``{source id: target id}`` of the sources the learner matched (others are left
    out), in the order of the YAML. Partial credit by pairs::

        earned = points * right pairs / number of sources

    Several sources may share a target, as the xAPI matching interaction allows. Feedback
    shown: that of every source the learner matched and every target the learner chose."""

    name = "matching"
    interaction_type = "matching"

    def public_options(
        self, spec: Spec, rng: random.Random, shuffle: bool, media_urls: Mapping[str, str] | None
    ) -> dict[str, Any]:
        return {
            "sources": options(spec["sources"], rng, shuffle, media_urls),
            "targets": options(spec["targets"], rng, shuffle, media_urls),
        }

    def parse_fields(self, spec: Spec, fields: dict[str | None, list[str]]) -> dict[str, str] | None:
        sources = [source["id"] for source in spec["sources"]]
        targets = {target["id"] for target in spec["targets"]}
        refuse_parts(fields, sources)
        pairs = {}
        for source in sources:
            target = only_value(fields, source)
            if target is None:
                continue
            if target not in targets:
                raise ResponseError(f"{shown(target)} is not one of the targets")
            pairs[source] = target
        return pairs or None

    def score(self, spec: Spec, response: dict[str, str]) -> float:
        correct = spec["correct"]
        return sum(response.get(source) == target for source, target in correct.items()) / len(correct)

    def chosen_feedback(self, spec: Spec, response: dict[str, str]) -> list[str]:
        return _feedback(spec["sources"], set(response)) + _feedback(spec["targets"], set(response.values()))

    def correct_patterns(self, spec: Spec) -> list[str]:
        correct = spec["correct"]
        return [
            LIST_DELIMITER.join(
                f"{s['id']}{PAIR_DELIMITER}{correct[s['id']]}" for s in spec["sources"] if s["id"] in correct
            )
        ]

    def xapi_components(self, spec: Spec, language_map_fn: LanguageMapFn) -> dict[str, Any]:
        return {
            "source": components(spec["sources"], language_map_fn),
            "target": components(spec["targets"], language_map_fn),
        }

    def to_xapi_response(self, spec: Spec, response: dict[str, str]) -> str:
        return LIST_DELIMITER.join(f"{source}{PAIR_DELIMITER}{target}" for source, target in response.items())

    def correct_answer(self, spec: Spec) -> str:
        sources, targets = texts_by_id(spec["sources"]), texts_by_id(spec["targets"])
        correct = spec["correct"]
        return "; ".join(
            f"{sources[s['id']]} → {targets[correct[s['id']]]}" for s in spec["sources"] if s["id"] in correct
        )

    def response_text(self, spec: Spec, response: dict[str, str]) -> str:
        sources, targets = texts_by_id(spec["sources"]), texts_by_id(spec["targets"])
        return "; ".join(f"{sources[source]} → {targets[target]}" for source, target in response.items())


def _tie(position: int) -> str:
    """The learner may see this one (a slip easy to make without JavaScript), so it is translated."""
    return gettext(
        "position %(position)d is given to more than one item; give each item its own position",
        position=position,
    )


class Sequencing(QuestionType):
    """A dict ``{item id: position}`` (1-based) of the items the learner placed. The YAML
    lists the items in the correct order; the page always shows them shuffled.

    All or nothing: right only when every item is at its position. (Partial credit for
    orders is easy to game and hard to explain; a longer sequence can be split into
    several questions instead.) Feedback shown: that of every item the learner placed.

    Two items at one position is not an order at all, so it is refused (``ResponseError``,
    a 400 that names the position) rather than graded: otherwise a tie would be stored as
    the learner's order and marked wrong without the learner knowing why."""

    name = "sequencing"
    interaction_type = "sequencing"

    def public_options(
        self, spec: Spec, rng: random.Random, shuffle: bool, media_urls: Mapping[str, str] | None
    ) -> dict[str, Any]:
        return {"items": options(spec["items"], rng, True, media_urls)}

    def parse_fields(self, spec: Spec, fields: dict[str | None, list[str]]) -> dict[str, int] | None:
        items = [item["id"] for item in spec["items"]]
        refuse_parts(fields, items)
        placed: dict[str, int] = {}
        for item in items:
            value = only_value(fields, item)
            if value is None:
                continue
            if not POSITION.fullmatch(value) or int(value) > len(items):
                raise ResponseError(f"{shown(value)} is not a position from 1 to {len(items)}")
            if int(value) in placed.values():
                raise UnclearAnswer(_tie(int(value)))
            placed[item] = int(value)
        return placed or None

    def score(self, spec: Spec, response: dict[str, int]) -> float:
        right = all(response.get(item["id"]) == n for n, item in enumerate(spec["items"], start=1))
        return 1.0 if right else 0.0

    def chosen_feedback(self, spec: Spec, response: dict[str, int]) -> list[str]:
        return _feedback(spec["items"], set(response))

    def correct_patterns(self, spec: Spec) -> list[str]:
        return [LIST_DELIMITER.join(item["id"] for item in spec["items"])]

    def xapi_components(self, spec: Spec, language_map_fn: LanguageMapFn) -> dict[str, Any]:
        # xAPI 1.0.3 lists the items of a sequencing interaction under "choices" ("steps" is
        # the component list of performance interactions).
        return {"choices": components(spec["items"], language_map_fn)}

    def to_xapi_response(self, spec: Spec, response: dict[str, int]) -> str:
        return LIST_DELIMITER.join(sorted(response, key=response.__getitem__))

    def correct_answer(self, spec: Spec) -> str:
        texts = texts_by_id(spec["items"])
        return "; ".join(f"{n}. {texts[item['id']]}" for n, item in enumerate(spec["items"], start=1))

    def response_text(self, spec: Spec, response: dict[str, int]) -> str:
        texts = texts_by_id(spec["items"])
        return "; ".join(
            f"{response[item]}. {texts[item]}" for item in sorted(response, key=response.__getitem__)
        )
