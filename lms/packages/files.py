"""Reading a package folder: which files it holds, their text, and its content hash.

Hidden names (starting with ``.``, e.g. ``.DS_Store`` or ``.git``) are skipped everywhere and
are not part of the package. Nor are certificate templates (``certificates/<name>/``): they are
checked and installed into the site (:mod:`lms.packages.certificates`), not stored in a version.
Every other file must have a place in the format, so that what is imported is exactly what the
trainer wrote and an export reproduces it byte for byte.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flask_babel import gettext as _

from lms.packages.problems import Problem

COURSE_FILE = "course.yaml"
CERTIFICATES_FOLDER = "certificates"
CHUNK = 1 << 20


@dataclass(frozen=True)
class MediaFile:
    path: Path
    sha256: str
    size: int

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()


@dataclass
class PackageFiles:
    root: Path
    texts: dict[str, str] = field(default_factory=dict)
    media: dict[str, MediaFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    content_hash: str = ""
    unreadable: set[str] = field(default_factory=set)
    """Text files that are there but could not be decoded (and have a problem saying so)."""
    certificates: dict[str, Path] = field(default_factory=dict)
    """Certificate templates shipped with the package (``certificates/<name>/``), by name."""

    def has(self, relative: str) -> bool:
        return relative in self.texts or relative in self.unreadable

    def lessons(self) -> dict[str, str]:
        """Lesson files by lesson id (the file name without .md)."""
        return {PurePosixPath(p).stem: p for p in self.texts if p.startswith("lessons/")}

    def quizzes(self) -> dict[str, str]:
        return {PurePosixPath(p).stem: p for p in self.texts if p.startswith("quizzes/")}


def kind_of(relative: str) -> str | None:
    """'text', 'media' or None (no place in the format) for a path relative to the package."""
    parts = PurePosixPath(relative).parts
    if relative == COURSE_FILE:
        return "text"
    if len(parts) == 2 and (parts[0], PurePosixPath(parts[1]).suffix) in {
        ("lessons", ".md"),
        ("quizzes", ".yaml"),
    }:
        return "text"
    if len(parts) >= 2 and parts[0] == "media":
        return "media"
    return None


def walk(root: Path) -> tuple[list[str], list[Problem]]:
    """Every file below ``root`` (relative, '/'-separated, sorted), skipping hidden names.

    Symbolic links are refused, since they could pull in files from outside the package, and
    so is anything that is not a plain file (a pipe or a device would block the reader).
    """
    found, problems = [], []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in [d for d in dirs if (here / d).is_symlink()] + [
            n for n in names if not n.startswith(".")
        ]:
            path = here / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                problems.append(
                    Problem(relative, None, "symbolic links are not allowed; copy the file in instead")
                )
            elif not path.is_file():
                problems.append(Problem(relative, None, "this is not a plain file; remove it"))
            else:
                found.append(relative)
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
    return sorted(found), problems


def read_package(root: Path) -> PackageFiles:
    """Read every file of the package at ``root`` once: text files decoded, media hashed."""
    files = PackageFiles(root)
    relatives, files.problems = walk(root)
    total = hashlib.sha256()
    for relative in relatives:
        parts = PurePosixPath(relative).parts
        if parts[0] == CERTIFICATES_FOLDER and len(parts) > 2:
            files.certificates.setdefault(parts[1], root / CERTIFICATES_FOLDER / parts[1])
            continue  # installed into the site, not part of the course version (nor of its hash)
        kind = kind_of(relative)
        if kind is None:
            files.problems.append(
                Problem(
                    relative,
                    None,
                    _(
                        "unexpected file: a package holds only course.yaml, lessons/<id>.md, "
                        "quizzes/<id>.yaml, files under media/ and certificate templates under "
                        "certificates/<name>/; move or delete it"
                    ),
                )
            )
        sha256, size, data = _hash_into(total, root / relative, relative, keep=kind == "text")
        if kind == "text":
            _add_text(files, relative, data)
        elif kind == "media":
            files.media[relative] = MediaFile(root / relative, sha256, size)
    files.content_hash = total.hexdigest()
    return files


def _hash_into(total, path: Path, relative: str, keep: bool) -> tuple[str, int, bytes]:
    """Feed one file into the package hash; return its own sha256, its size and (with
    ``keep``) its bytes.

    Each file adds its relative path, a NUL, its size in decimal, a NUL, then its bytes: the
    sizes make the stream unambiguous, so two different packages cannot hash alike.
    """
    size = path.stat().st_size
    total.update(relative.encode("utf-8") + b"\0" + str(size).encode("ascii") + b"\0")
    own = hashlib.sha256()
    kept = bytearray()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            total.update(chunk)
            own.update(chunk)
            if keep:
                kept += chunk
    return own.hexdigest(), size, bytes(kept)


def _add_text(files: PackageFiles, relative: str, data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        files.problems.append(
            Problem(relative, line, f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8")
        )
        files.unreadable.add(relative)
        return
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        files.problems.append(Problem(relative, line, "the file contains a NUL character; remove it"))
        files.unreadable.add(relative)
        return
    files.texts[relative] = text


def content_hash(root: Path) -> str:
    """The package hash of a folder, as :func:`read_package` computes it."""
    return read_package(root).content_hash
