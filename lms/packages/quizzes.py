"""Quiz checks the schema cannot express: ids that must be unique, answers that must name
existing choices, accepted answers that show something, a draw no larger than the pool; and
one warning, for a quiz that can be retaken but asks the same questions every time.

These run on data that may also have schema errors, so every step checks the shape it needs
and skips what it cannot read (the schema problems already say what is wrong there).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from typing import Any

from lms.packages.lessons import check_markdown
from lms.packages.problems import Problem
from lms.packages.schema import field_name, show
from lms.packages.yamlsource import YamlDocument
from lms.quizzes.normalise import is_blank

OPTION_LISTS = ("choices", "sources", "targets", "items")
MARKDOWN_FIELDS = ("prompt", "feedback")


def quiz_problems(doc: YamlDocument, file: str, quiz_id: str, media_files: Collection[str]):
    """(problems, media files used) for one quiz file whose name says it is ``quiz_id``; the
    problems include warnings (``is_warning``), which the caller shows only without errors."""
    data = doc.data if isinstance(doc.data, dict) else {}
    found: list[tuple[list, str]] = []
    if isinstance(data.get("id"), str) and data["id"] != quiz_id:
        found.append(
            (
                ["id"],
                f"the quiz id {show(data['id'])} differs from the file name; "
                f"use id: {quiz_id} or rename the file",
            )
        )
    questions = data.get("questions") if isinstance(data.get("questions"), list) else []
    found += _duplicate_ids(doc, questions, ["questions"], "question")
    for index, question in enumerate(questions):
        if isinstance(question, dict):
            name = f"question {question['id']}: " if isinstance(question.get("id"), str) else ""
            found += [
                (where, name + message)
                for where, message in _question_problems(doc, question, ["questions", index])
            ]
    draw = data.get("draw")
    if isinstance(draw, int) and not isinstance(draw, bool) and questions and draw > len(questions):
        found.append(
            (
                ["draw"],
                f"draw is {draw} but the pool has only {len(questions)} question(s); "
                "lower draw or add questions",
            )
        )
    problems = [Problem(file, doc.line(path), message) for path, message in found]
    problems += [
        Problem(file, doc.line(path), message, is_warning=True) for path, message in _no_pool(data, questions)
    ]
    media = _markdown_problems(doc, questions, file, media_files, problems)
    return problems, media


def _no_pool(data: dict, questions: list) -> list[tuple[list, str]]:
    """A quiz that can be taken again but asks every question every time: a learner can pass
    a later attempt by remembering the answers rather than by learning. Allowed (a short quiz
    may have no more questions), so only a warning."""
    attempts, draw = data.get("attempts"), data.get("draw")
    retaken = attempts == "unlimited" or (_whole(attempts) and attempts > 1)
    if not retaken or not questions or not (draw is None or (_whole(draw) and draw == len(questions))):
        return []
    allowed = "unlimited attempts" if attempts == "unlimited" else f"{attempts} attempts"
    drawn = "null" if draw is None else f"{draw}, the whole pool"
    return [
        (
            ["draw"],
            f"the quiz allows {allowed} but has no pool (draw is {drawn}): every attempt asks the "
            f"same {len(questions)} question(s), so a later attempt can be passed from memory; add "
            "questions and set draw below their number, so that each attempt draws other ones",
        )
    ]


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _duplicate_ids(doc: YamlDocument, items: list, path: list, what: str) -> list[tuple[list, str]]:
    found, first = [], {}
    for index, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in first:
            line = doc.line([*path, first[ident]])
            found.append(([*path, index], f"duplicate {what} id {show(ident)} (also on line {line})"))
        else:
            first[ident] = index
    return found


def _ids(question: dict, key: str) -> list[str]:
    items = question.get(key)
    if not isinstance(items, list):
        return []
    return [item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]


def _question_problems(doc: YamlDocument, question: dict, path: list) -> list[tuple[list, str]]:
    found = []
    for key in OPTION_LISTS:
        if isinstance(question.get(key), list):
            found += _duplicate_ids(doc, question[key], [*path, key], key.rstrip("s"))
    kind, correct = question.get("type"), question.get("correct")
    if kind in ("single_choice", "multiple_response"):
        found += _choice_answers(question, correct, [*path, "correct"])
    elif kind == "matching":
        found += _matching(question, correct, [*path, "correct"])
    elif kind == "numeric":
        found += _numeric_range(question.get("range"), [*path, "range"])
    elif kind == "fill_in":
        found += _invisible_answers(question.get("accepted"), [*path, "accepted"])
    return found


def _invisible_answers(accepted: Any, path: list) -> list[tuple[list, str]]:
    """Accepted answers that show nothing (``is_blank``): the learner's page cannot show what
    to type, and a response that looks empty must never match. Answers of whitespace only
    are left to the schema, which already says they must not be empty."""
    if not isinstance(accepted, list):
        return []
    return [
        (
            [*path, index],
            f"accepted answer {index + 1} is made only of invisible characters "
            f"({_characters(answer)}); write the answer in visible letters or delete it",
        )
        for index, answer in enumerate(accepted)
        if isinstance(answer, str) and re.search(r"\S", answer) and is_blank(answer)
    ]


def _characters(text: str) -> str:
    """The distinct characters of an invisible text, by code point and name."""
    distinct = list(dict.fromkeys(text))
    named = [f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip() for char in distinct[:3]]
    return ", ".join(named) + (", ..." if len(distinct) > 3 else "")


def _choice_answers(question: dict, correct: Any, path: list) -> list[tuple[list, str]]:
    choices = _ids(question, "choices")
    answers = correct if isinstance(correct, list) else [correct]
    return [
        (path, f"the correct answer {show(answer)} is not one of the choices ({', '.join(choices)})")
        for answer in answers
        if isinstance(answer, str) and choices and answer not in choices
    ]


def _matching(question: dict, correct: Any, path: list) -> list[tuple[list, str]]:
    if not isinstance(correct, dict):
        return []
    sources, targets = _ids(question, "sources"), _ids(question, "targets")
    found = [
        (path, f"source {show(source)} has no target in correct; add {source}: <target id>")
        for source in sources
        if source not in correct
    ]
    for source, target in correct.items():
        if sources and source not in sources:
            found.append(
                ([*path, source], f"{show(source)} is not one of the sources ({', '.join(sources)})")
            )
        elif isinstance(target, str) and targets and target not in targets:
            found.append(
                (
                    [*path, source],
                    f"{source} is matched to {show(target)}, which is not one of the targets "
                    f"({', '.join(targets)})",
                )
            )
    return found


def _numeric_range(bounds: Any, path: list) -> list[tuple[list, str]]:
    if not isinstance(bounds, dict):
        return []
    low, high = bounds.get("min"), bounds.get("max")
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high))
    if numbers and low > high:
        return [(path, f"min ({low}) is greater than max ({high}); swap them")]
    return []


def _markdown_problems(doc, questions: list, file: str, media_files, problems: list[Problem]) -> set[str]:
    """Raw HTML and bad links in question texts, reported on the line of the field's key."""
    media: set[str] = set()
    for path, text in _markdown_texts(questions):
        line = doc.line(path)
        findings = check_markdown(text, 1, media_files)
        media |= findings.media
        problems += [
            Problem(file, line, f"{field_name(path)}: {message}") for _, message in findings.problems
        ]
    return media


def _markdown_texts(questions: list):
    for index, question in enumerate(questions):
        if not isinstance(question, dict):
            continue
        path = ["questions", index]
        for key in MARKDOWN_FIELDS:
            if isinstance(question.get(key), str):
                yield [*path, key], question[key]
        for key in OPTION_LISTS:
            for number, option in enumerate(question.get(key) if isinstance(question.get(key), list) else []):
                for field in ("text", "feedback"):
                    if isinstance(option, dict) and isinstance(option.get(field), str):
                        yield [*path, key, number, field], option[field]
