"""Check a course package (or a folder of them) whole, before anything is written.

:func:`check_package` reads every file once and returns every problem it finds, each naming
the file, the line and what to fix, together with the parsed package the importer writes
from. Nothing here touches the database.

A lesson or quiz file that course.yaml does not list is an error, not a warning: it would be
stored but never shown, and it is most often a typo in the module's list.
Media files no lesson or quiz uses are only a warning: they are stored and do no harm. So is
a quiz that can be retaken but has no pool to draw other questions from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from flask_babel import gettext as _

from lms.packages import certificates, schema, titles
from lms.packages.files import CERTIFICATES_FOLDER, COURSE_FILE, PackageFiles, read_package
from lms.packages.lessons import FrontMatterError, check_markdown, split_front_matter
from lms.packages.media import media_problems, size_problem
from lms.packages.paths import PATHS_FILE, check_learning_paths
from lms.packages.problems import Problem, errors, ordered
from lms.packages.quizzes import quiz_problems
from lms.packages.schema import show
from lms.packages.yamlsource import YamlDocument, YamlSyntaxError, load_yaml

KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SLUG_HINT = "lower-case letters a-z, digits and '-'"


@dataclass
class LessonSource:
    key: str
    file: str
    meta: dict[str, Any]
    body: str


@dataclass
class CheckedPackage:
    """A package as read from disk: its problems, and (when it has no errors) what to import."""

    root: Path
    files: PackageFiles
    course: dict[str, Any] = field(default_factory=dict)
    course_doc: YamlDocument | None = None
    lessons: dict[str, LessonSource] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)

    @property
    def iri(self) -> str:
        iri = self.course.get("id")
        return iri if isinstance(iri, str) else ""

    @property
    def slug(self) -> str:
        slug = self.course.get("slug")
        return slug if isinstance(slug, str) else slug_from_iri(self.iri)

    def summary(self) -> str:
        modules = self.course.get("modules") or []
        return (
            f"{self.slug}: {len(modules)} modules, {len(self.lessons)} lessons, "
            f"{len(self.files.quizzes())} quizzes, {len(self.files.media)} media files"
        )


def slug_from_iri(iri: str) -> str:
    """The default slug: the last segment of the IRI's path."""
    return urlsplit(iri).path.rstrip("/").rsplit("/", 1)[-1]


def check_package(root: Path | str, shipped_templates: set[str] | None = None) -> CheckedPackage:
    """Every problem in the package at ``root``; see the module docstring. ``shipped_templates``:
    certificate templates its folder of packages brings, which course.yaml may name too."""
    root = Path(root)
    if not root.is_dir():
        missing = Problem(root.name or str(root), None, "is not a folder")
        return CheckedPackage(root, PackageFiles(root), problems=[missing])
    files = read_package(root)
    package = CheckedPackage(root, files, problems=list(files.problems))
    if COURSE_FILE not in files.texts:
        if not (root / COURSE_FILE).is_file():
            package.problems.append(
                Problem(COURSE_FILE, None, "missing course.yaml: every package needs one at its top level")
            )
        package.problems = ordered(package.problems)
        return package
    used_media: set[str] = set()
    quiz_warnings: list[Problem] = []
    doc = _parse(files.texts[COURSE_FILE], COURSE_FILE, package.problems)
    if doc is not None:
        package.problems += schema.schema_problems(doc, schema.COURSE, COURSE_FILE)
        package.problems += _course_problems(doc, files)
        package.problems += titles.html_problems(doc, COURSE_FILE, titles.course_fields(doc.data))
        shipped = set(files.certificates) | (shipped_templates or set())
        certificate = doc.data.get("certificate") if isinstance(doc.data, dict) else None
        package.problems += filter(
            None, [certificates.name_problem(certificate, doc.line(["certificate"]), shipped)]
        )
        package.course = doc.data if isinstance(doc.data, dict) else {}
        package.course_doc = doc
    for key, file in files.lessons().items():
        used_media |= _check_lesson(package, key, file)
    for key, file in files.quizzes().items():
        used_media |= _check_quiz(package, key, file, quiz_warnings)
    package.problems += _media_problems(files)
    package.problems += certificates.template_problems(files.certificates)
    if package.ok:  # with errors, some texts may be unread and the warnings misleading
        package.problems += quiz_warnings + _unused_media(files, used_media) + _completion_warnings(package)
    package.problems = ordered(package.problems)
    return package


def _parse(text: str, file: str, problems: list[Problem], first_line: int = 1) -> YamlDocument | None:
    try:
        doc = load_yaml(text, first_line)
    except YamlSyntaxError as exc:
        problems.append(Problem(file, exc.line, str(exc)))
        return None
    for line, key, first in doc.duplicate_keys():
        problems.append(
            Problem(
                file, line, f"the key '{key}' appears twice in one block (first on line {first}); keep one"
            )
        )
    return doc


def _course_problems(doc: YamlDocument, files: PackageFiles) -> list[Problem]:
    data = doc.data if isinstance(doc.data, dict) else {}
    found: list[tuple[list, str]] = []
    if isinstance(data.get("id"), str) and "slug" not in data:
        slug = slug_from_iri(data["id"])
        if not KEY.match(slug):
            found.append(
                (
                    ["id"],
                    f"the id ends in {show(slug)}, which cannot be the course's slug; "
                    f"add slug: with {SLUG_HINT}",
                )
            )
    hours = data.get("hours")
    if isinstance(hours, int | float) and not isinstance(hours, bool) and round(hours, 1) != hours:
        found.append(
            (["hours"], f"hours {hours} has more than one decimal place; round it, e.g. to {hours:.1f}")
        )
    modules = data.get("modules") if isinstance(data.get("modules"), list) else []
    found += _listed_twice(doc, modules)
    found += _missing_files(modules, files)
    problems = [Problem(COURSE_FILE, doc.line(path), message) for path, message in found]
    return problems + _unlisted_files(modules, files)


def _references(modules: list) -> Iterable[tuple[str, list, str]]:
    """(kind, path, id) for every module id, lesson id and quiz id in course.yaml."""
    for index, module in enumerate(modules):
        if not isinstance(module, dict):
            continue
        path = ["modules", index]
        if isinstance(module.get("id"), str):
            yield "module", [*path, "id"], module["id"]
        for number, lesson in enumerate(
            module.get("lessons") if isinstance(module.get("lessons"), list) else []
        ):
            if isinstance(lesson, str):
                yield "lesson", [*path, "lessons", number], lesson
        if isinstance(module.get("quiz"), str):
            yield "quiz", [*path, "quiz"], module["quiz"]


def _listed_twice(doc: YamlDocument, modules: list) -> list[tuple[list, str]]:
    """Ids used twice: the same kind twice, or one id for two kinds (a module and a lesson...);
    module, lesson and quiz ids share one namespace, the course."""
    found, first = [], {}
    for kind, path, ident in _references(modules):
        if ident not in first:
            first[ident] = (kind, path)
            continue
        first_kind, first_path = first[ident]
        line = doc.line(first_path)
        if first_kind == kind:
            found.append((path, _duplicate_message(kind, ident, line)))
        else:
            found.append((path, _id_clash_message(kind, ident, first_kind, line)))
    return found


def _duplicate_message(kind: str, ident: str, line: int | None) -> str:
    messages = {
        "module": _("duplicate module id %(id)s (also on line %(line)s); list each module once"),
        "lesson": _("duplicate lesson id %(id)s (also on line %(line)s); list each lesson once"),
        "quiz": _("duplicate quiz id %(id)s (also on line %(line)s); list each quiz once"),
    }
    return messages[kind] % {"id": show(ident), "line": line}


def _id_clash_message(kind: str, ident: str, first_kind: str, line: int | None) -> str:
    kinds = {"module": _("module"), "lesson": _("lesson"), "quiz": _("quiz")}
    return _(
        "the %(kind)s id %(id)s is also the id of a %(first_kind)s (line %(line)s); module, lesson and "
        "quiz ids must be unique in the whole course: rename one",
        kind=kinds[kind],
        id=show(ident),
        first_kind=kinds[first_kind],
        line=line,
    )


def _missing_files(modules: list, files: PackageFiles) -> list[tuple[list, str]]:
    found = []
    for kind, path, ident in _references(modules):
        if kind == "lesson" and not files.has(f"lessons/{ident}.md"):
            found.append((path, f"lesson {show(ident)} has no file: create lessons/{ident}.md or fix the id"))
        elif kind == "quiz" and not files.has(f"quizzes/{ident}.yaml"):
            found.append((path, f"quiz {show(ident)} has no file: create quizzes/{ident}.yaml or fix the id"))
    return found


def _unlisted_files(modules: list, files: PackageFiles) -> list[Problem]:
    listed = {(kind, ident) for kind, _, ident in _references(modules)}
    found = [
        Problem(
            file,
            None,
            f"lesson {key} is not listed in course.yaml; add it to a module's lessons or delete the file",
        )
        for key, file in files.lessons().items()
        if ("lesson", key) not in listed
    ]
    found += [
        Problem(
            file, None, f"quiz {key} is not used in course.yaml; set it as a module's quiz or delete the file"
        )
        for key, file in files.quizzes().items()
        if ("quiz", key) not in listed
    ]
    return found


def _check_lesson(package: CheckedPackage, key: str, file: str) -> set[str]:
    problems = package.problems
    try:
        text = split_front_matter(package.files.texts[file])
    except FrontMatterError as exc:
        problems.append(Problem(file, exc.line, str(exc)))
        return set()
    doc = _parse(text.front, file, problems, first_line=2)
    if doc is not None:
        problems += schema.schema_problems(doc, schema.LESSON, file)
        problems += titles.html_problems(doc, file, [["title"]])
        meta = doc.data if isinstance(doc.data, dict) else {}
        if isinstance(meta.get("id"), str) and meta["id"] != key:
            problems.append(
                Problem(
                    file,
                    doc.line(["id"]),
                    f"the front-matter id {show(meta['id'])} differs from the file name; "
                    f"use id: {key} or rename the file",
                )
            )
        package.lessons[key] = LessonSource(key, file, meta, text.body)
    if not text.body.strip():
        problems.append(Problem(file, text.body_line, "the lesson has no text after its front matter"))
    findings = check_markdown(text.body, text.body_line, package.files.media)
    problems += [Problem(file, line, message) for line, message in findings.problems]
    return findings.media


def _check_quiz(package: CheckedPackage, key: str, file: str, warnings: list[Problem]) -> set[str]:
    """Adds the quiz's errors to the package's problems and its warnings to ``warnings``."""
    doc = _parse(package.files.texts[file], file, package.problems)
    if doc is None:
        return set()
    package.problems += schema.schema_problems(doc, schema.QUIZ, file)
    package.problems += titles.html_problems(doc, file, [["title"]])
    problems, media = quiz_problems(doc, file, key, package.files.media)
    package.problems += errors(problems)
    warnings += [problem for problem in problems if problem.is_warning]
    return media


def _media_problems(files: PackageFiles) -> list[Problem]:
    limit = current_app.config["LMS_MEDIA_MAX_MB"] if has_app_context() else None
    found = [
        Problem(relative, None, message)
        for relative, media in files.media.items()
        for message in media_problems(relative, media)
    ]
    found += [
        Problem(relative, None, message)
        for relative, media in files.media.items()
        if (message := size_problem(media, limit))
    ]
    return found


def _unused_media(files: PackageFiles, used: set[str]) -> list[Problem]:
    return [
        Problem(relative, None, "no lesson or quiz uses this file; link to it or delete it", is_warning=True)
        for relative in files.media
        if relative not in used
    ]


def _completion_warnings(package: CheckedPackage) -> list[Problem]:
    """Rules that can never be met, or are met by nothing: allowed, but rarely meant."""
    completion = package.course.get("completion")
    if not isinstance(completion, dict):
        return []
    found = []
    if (
        completion.get("lessons") == "required"
        and package.lessons
        and not any(lesson.meta.get("required") is True for lesson in package.lessons.values())
    ):
        found.append("completion.lessons is 'required' but no lesson has required: true")
    modules = package.course.get("modules") if isinstance(package.course.get("modules"), list) else []
    if completion.get("quizzes") == "pass" and not any(
        isinstance(m, dict) and m.get("quiz") for m in modules
    ):
        found.append("completion.quizzes is 'pass' but no module has a quiz")
    return [Problem(COURSE_FILE, None, message, is_warning=True) for message in found]


@dataclass
class CheckedFolder:
    """A folder of packages (each subfolder with a course.yaml) and its learning paths."""

    root: Path
    packages: list[CheckedPackage] = field(default_factory=list)
    paths: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    certificates: dict[str, Path] = field(default_factory=dict)
    """Certificate templates of the folder itself (``certificates/<name>/``), by name."""

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


def is_package(root: Path | str) -> bool:
    return (Path(root) / COURSE_FILE).is_file()


def check_folder(root: Path | str) -> CheckedFolder:
    """Check every package in ``root`` and its learning-paths.yaml; problems name files
    from ``root`` (``exec-digital-leadership/lessons/m1-l2.md``). Subfolders without a
    course.yaml (e.g. certificate templates) are not packages and are left alone."""
    root = Path(root)
    folder = CheckedFolder(root)
    if not root.is_dir():
        folder.problems.append(Problem(root.name or str(root), None, "is not a folder"))
        return folder
    templates = root / CERTIFICATES_FOLDER
    if templates.is_dir() and not is_package(templates):
        folder.certificates = {
            p.name: p for p in templates.iterdir() if p.is_dir() and not p.name.startswith(".")
        }
        folder.problems += certificates.template_problems(folder.certificates)
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if is_package(sub):
            package = check_package(sub, shipped_templates=set(folder.certificates))
            folder.packages.append(package)
            folder.problems += [problem.under(sub.name) for problem in package.problems]
    if not folder.packages:
        folder.problems.append(
            Problem(".", None, "no packages found: each package is a subfolder with a course.yaml")
        )
    folder.problems += _clashes(folder.packages)
    if (root / PATHS_FILE).is_file():
        slugs = {package.slug for package in folder.packages if package.course}
        folder.paths, problems = check_learning_paths(root / PATHS_FILE, slugs)
        folder.problems += problems
    if not folder.ok:  # nothing of the folder is imported: show only what must be fixed, as for a package
        folder.problems = errors(folder.problems)
    folder.problems = ordered(folder.problems)
    return folder


def _clashes(packages: list[CheckedPackage]) -> list[Problem]:
    """Two packages of one folder with the same IRI or slug."""
    found, seen = [], {}
    for package in packages:
        if not package.course:
            continue
        for what, value in (("id", package.iri), ("slug", package.slug)):
            if (what, value) in seen:
                doc = package.course_doc
                found.append(
                    Problem(
                        f"{package.root.name}/{COURSE_FILE}",
                        (doc.line([what]) or doc.line(["id"])) if doc else None,
                        f"the course {what} {show(value)} is also used by {seen[what, value]}; "
                        "each course needs its own",
                    )
                )
            else:
                seen[what, value] = package.root.name
    return found
