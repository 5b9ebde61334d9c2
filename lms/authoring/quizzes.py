"""The quiz editor's service: quiz files of a draft read as data, changed, checked, saved.

Every change builds the whole quiz file, dumps it with :mod:`lms.authoring.yaml_text` and runs
the package checker's quiz checks (schema, titles, :func:`lms.packages.quizzes.quiz_problems`)
on the would-be text; nothing is written while the change adds an error. Only errors the
change *adds* refuse it: a quiz that already had one (a new quiz has no questions yet) can
still be edited towards a valid file. Saves go through :func:`lms.authoring.drafts.save_text`
with the revision the page was opened at, so a stale save raises ``drafts.StaleEdit``.

Services here flush and never commit; the view commits once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.authoring import course_file, drafts, yaml_text
from lms.authoring.models import CourseDraft
from lms.packages import schema, titles
from lms.packages.problems import Problem, errors
from lms.packages.quizzes import quiz_problems
from lms.packages.yamlsource import YamlSyntaxError, load_yaml

QUIZ_DIR = "quizzes/"
QUESTION_TYPES = (
    "single_choice",
    "multiple_response",
    "true_false",
    "fill_in",
    "numeric",
    "matching",
    "sequencing",
)
DEFAULT_SETTINGS: dict[str, Any] = {
    "pass_mark": 70,
    "attempts": 3,
    "time_limit_minutes": None,
    "shuffle_questions": True,
    "shuffle_choices": True,
    "draw": None,
    "show_feedback": "after_pass_or_last_attempt",
    "attempt_counts": "best",
}
SETTING_KEYS = ("title", *DEFAULT_SETTINGS)
_LINE = re.compile(r"\(also on line \d+\)")


class QuizRefused(ValueError):
    """A change that cannot be saved; ``problems`` are the checker's messages (English)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


@dataclass
class QuizSummary:
    key: str
    path: str
    revision: int
    title: dict[str, str]
    modules: list[str] = field(default_factory=list)
    questions: int = 0


def path_of(key: str) -> str:
    return f"{QUIZ_DIR}{key}.yaml"


def key_of(path: str) -> str | None:
    if path.startswith(QUIZ_DIR) and path.endswith(".yaml") and path.count("/") == 1:
        return path[len(QUIZ_DIR) : -len(".yaml")]
    return None


def module_quizzes(data: dict) -> dict[str, str]:
    """Module id -> quiz id, for the modules of course.yaml data that name a quiz."""
    return {
        m["id"]: m["quiz"]
        for m in course_file.modules(data)
        if isinstance(m, dict) and isinstance(m.get("id"), str) and isinstance(m.get("quiz"), str)
    }


def summaries(draft: CourseDraft) -> list[QuizSummary]:
    """Every quiz file of the draft (by id), with the modules that use it and its pool size."""
    data, _revision = course_file.read(draft)
    users = module_quizzes(data)
    found = []
    for path, stored in sorted(drafts.files(draft).items()):
        key = key_of(path)
        if key is None or stored.text is None:
            continue
        quiz = _data_or_empty(stored.text)
        questions = quiz.get("questions") if isinstance(quiz.get("questions"), list) else []
        title = quiz.get("title") if isinstance(quiz.get("title"), dict) else {}
        modules = [module for module, quiz_key in users.items() if quiz_key == key]
        found.append(QuizSummary(key, path, stored.revision, title, modules, len(questions)))
    return found


def read(draft: CourseDraft, key: str) -> tuple[dict[str, Any], int] | None:
    """A quiz's data and revision, or None when the draft has no such file."""
    stored = drafts.files(draft).get(path_of(key))
    if stored is None or stored.text is None:
        return None
    return _data_or_empty(stored.text), stored.revision


def default_quiz(key: str, title_th: str, title_en: str) -> dict[str, Any]:
    """A new quiz: the editor's sensible defaults and an empty pool."""
    return {"id": key, "title": {"th": title_th, "en": title_en}, **DEFAULT_SETTINGS, "questions": []}


def problems(draft: CourseDraft, key: str, text: str) -> list[Problem]:
    """What the package checker says of ``text`` as the draft's quiz ``key`` (warnings too)."""
    path = path_of(key)
    try:
        doc = load_yaml(text)
    except YamlSyntaxError as exc:
        return [Problem(path, exc.line, str(exc))]
    found = schema.schema_problems(doc, schema.QUIZ, path)
    found += titles.html_problems(doc, path, [["title"]])
    media = [p for p, f in drafts.files(draft).items() if f.media_sha256 is not None]
    checked, _used = quiz_problems(doc, path, key, media)
    return found + checked


def create(draft: CourseDraft, actor: User, module: str, key: str, title: dict, course_revision: int) -> None:
    """A new quiz file with the defaults, set as ``module``'s quiz in course.yaml."""
    path = path_of(key)
    if path in drafts.files(draft):
        raise QuizRefused(_("There is already a quiz %(key)s; choose another id.", key=key))
    data, _revision = course_file.read(draft)
    found = course_file.find_module(data, module)
    if found is None:
        raise QuizRefused(_("There is no module %(module)s; reload the page.", module=module))
    if found.get("quiz"):
        raise QuizRefused(
            _(
                "Module %(module)s already has the quiz %(quiz)s; detach it first.",
                module=module,
                quiz=found["quiz"],
            )
        )
    baseline = problems(draft, "quiz", yaml_text.dump(default_quiz("quiz", "x", "x")))
    _save(
        draft, actor, key, default_quiz(key, title["th"], title["en"]), drafts.revision(draft, path), baseline
    )
    course_file.update(
        draft, actor, course_revision, lambda d: course_file.find_module(d, module).update(quiz=key)
    )


def detach(draft: CourseDraft, actor: User, module: str, course_revision: int) -> None:
    """The module no longer has a quiz (its file stays, to be attached again or deleted)."""

    def change(data: dict) -> None:
        found = course_file.find_module(data, module)
        if found is None:
            raise QuizRefused(_("There is no module %(module)s; reload the page.", module=module))
        found.pop("quiz", None)

    course_file.update(draft, actor, course_revision, change)


def delete(draft: CourseDraft, actor: User, key: str, revision: int) -> None:
    """Delete a quiz file that no module uses."""
    data, _revision = course_file.read(draft)
    used = sorted(m for m, quiz in module_quizzes(data).items() if quiz == key)
    if used:
        raise QuizRefused(
            _(
                "The quiz %(key)s is used by module %(modules)s; detach it first.",
                key=key,
                modules=", ".join(used),
            )
        )
    drafts.delete(draft, actor, path_of(key), revision)


def save_settings(draft: CourseDraft, actor: User, key: str, settings: dict, revision: int) -> None:
    """Replace the quiz's title and settings, keeping its questions."""
    data = _current(draft, key)
    updated = {"id": key, **{k: settings[k] for k in SETTING_KEYS if k in settings}}
    if "show_feedback" not in settings and "show_feedback" in data:
        updated["show_feedback"] = data["show_feedback"]
    updated["questions"] = data.get("questions", [])
    _save(draft, actor, key, updated, revision)


def save_question(
    draft: CourseDraft, actor: User, key: str, qid: str | None, question: dict, revision: int
) -> None:
    """Replace question ``qid`` by ``question`` (in its place), or add it at the end (``qid`` None)."""
    data = _current(draft, key)
    questions = _questions(data)
    if qid is None:
        questions.append(question)
    else:
        questions[_index(questions, qid)] = question
    _save(draft, actor, key, data, revision)


def delete_question(draft: CourseDraft, actor: User, key: str, qid: str, revision: int) -> None:
    data = _current(draft, key)
    questions = _questions(data)
    del questions[_index(questions, qid)]
    _save(draft, actor, key, data, revision)


def move_question(draft: CourseDraft, actor: User, key: str, qid: str, step: int, revision: int) -> None:
    """Move a question one place up (``step`` -1) or down (+1); at either end nothing moves."""
    data = _current(draft, key)
    questions = _questions(data)
    index = _index(questions, qid)
    target = index + step
    if 0 <= target < len(questions):
        questions[index], questions[target] = questions[target], questions[index]
        _save(draft, actor, key, data, revision)


def new_question_id(data: dict) -> str:
    """The first of q1, q2, ... that the quiz does not use."""
    used = {q.get("id") for q in _questions(data) if isinstance(q, dict)}
    number = 1
    while f"q{number}" in used:
        number += 1
    return f"q{number}"


def find_question(data: dict, qid: str) -> dict | None:
    return next((q for q in _questions(data) if isinstance(q, dict) and q.get("id") == qid), None)


def _current(draft: CourseDraft, key: str) -> dict:
    found = read(draft, key)
    if found is None:
        raise QuizRefused(_("There is no quiz %(key)s in the draft; reload the page.", key=key))
    return found[0]


def _questions(data: dict) -> list:
    if not isinstance(data.get("questions"), list):
        data["questions"] = []
    return data["questions"]


def _index(questions: list, qid: str) -> int:
    for index, question in enumerate(questions):
        if isinstance(question, dict) and question.get("id") == qid:
            return index
    raise QuizRefused(_("There is no question %(qid)s in this quiz; reload the page.", qid=qid))


def _save(
    draft: CourseDraft,
    actor: User,
    key: str,
    data: dict,
    revision: int,
    baseline: list[Problem] | None = None,
) -> None:
    """Check the would-be file and save it; refuse (writing nothing) if it adds an error."""
    text = yaml_text.dump(data)
    if baseline is None:
        current = drafts.text(draft, path_of(key))
        baseline = problems(draft, key, current) if current else []
    before = {_plain(p) for p in errors(baseline)}
    added = [p for p in errors(problems(draft, key, text)) if _plain(p) not in before]
    if added:
        raise QuizRefused(
            _("The quiz was not saved: the course-package checker found these problems."),
            [p.message for p in added],
        )
    drafts.save_text(draft, actor, path_of(key), text, revision)


def _plain(problem: Problem) -> str:
    """A problem without line numbers, to tell a problem the change added from one it kept."""
    return _LINE.sub("", problem.message)


def _data_or_empty(text: str) -> dict:
    try:
        data = yaml_text.load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}
