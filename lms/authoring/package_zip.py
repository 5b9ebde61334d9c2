"""Package zips: reading an uploaded one safely, and writing one of a version or a draft.

An upload is untrusted. :func:`extract` refuses, before writing anything, names that would leave
the folder (``..``, absolute paths, drive letters, backslashes), symbolic links, duplicate
names, encrypted entries, too many entries and declared sizes over the limit or compressed
suspiciously well (a "zip bomb"); while extracting it counts the bytes really inflated and stops
at the limit, since declared sizes can lie. Everything goes into a temporary folder that
:func:`unpacked` always removes.

A written zip is deterministic (sorted names, a fixed date), and its files, unzipped, hash to
the version's content hash, so importing it elsewhere gives the same course.
"""

from __future__ import annotations

import io
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from flask import current_app
from flask_babel import gettext as _

from lms.authoring import drafts
from lms.authoring.models import CourseDraft
from lms.content.models import CourseVersion
from lms.packages.exporter import write_version
from lms.packages.files import COURSE_FILE
from lms.packages.media import MEGABYTE

CHUNK = 1 << 16
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
DRIVE = re.compile(r"^[A-Za-z]:")
IGNORED_TOP = "__MACOSX"
"""The folder of resource forks macOS's "Compress" adds; it is no part of any package."""
RATIO_FLOOR = MEGABYTE
"""Entries smaller than this are never refused for their compression ratio (text compresses well)."""


@dataclass(frozen=True)
class ZipLimits:
    max_bytes: int
    """Largest total size of all entries once inflated."""
    max_files: int
    max_ratio: int = 200
    """Largest inflated/compressed ratio of an entry of RATIO_FLOOR or more."""

    @classmethod
    def from_config(cls) -> ZipLimits:
        config = current_app.config
        return cls(
            max_bytes=int(float(config["LMS_PACKAGE_MAX_MB"]) * MEGABYTE),
            max_files=int(config["LMS_PACKAGE_MAX_FILES"]),
        )


class ZipRefused(ValueError):
    """The upload is not a package zip we accept; ``entry`` names the entry at fault (or None)."""

    def __init__(self, message: str, entry: str | None = None) -> None:
        self.entry = entry
        super().__init__(message)


@contextmanager
def unpacked(stream: IO[bytes], limits: ZipLimits) -> Iterator[Path]:
    """Extract the zip in ``stream`` into a temporary folder and yield the package's root (the
    folder itself, or its one top folder); the folder is removed afterwards, whatever happens."""
    with tempfile.TemporaryDirectory(prefix="lms-package-") as folder:
        yield extract(stream, Path(folder), limits)


def extract(stream: IO[bytes], folder: Path, limits: ZipLimits) -> Path:
    """Extract the zip in ``stream`` into the empty ``folder``; return the package's root.
    Raises :class:`ZipRefused` (having checked every name before writing any file)."""
    archive = _open(stream)
    with archive:
        entries = _checked_entries(archive, limits)
        prefix = _top_folder([name for name, _info in entries])
        written = 0
        for name, info in entries:
            target = _target(folder, name)
            written = _inflate(archive, info, name, target, written, limits)
    return folder / prefix if prefix else folder


def _open(stream: IO[bytes]) -> zipfile.ZipFile:
    """The zip in ``stream``, which must be seekable (an upload's spooled file is)."""
    stream.seek(0, io.SEEK_END)
    if stream.tell() == 0:
        raise ZipRefused(_("The uploaded file is empty; choose the package's .zip file."))
    stream.seek(0)
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        raise ZipRefused(
            _(
                "The file is not a zip file, or it is incomplete (%(reason)s); zip the course "
                "folder again and upload the .zip.",
                reason=str(error),
            )
        ) from error


def _checked_entries(archive: zipfile.ZipFile, limits: ZipLimits) -> list[tuple[str, zipfile.ZipInfo]]:
    """The file entries to extract, by name, after every check that needs no inflating."""
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        raise ZipRefused(
            _(
                "The zip holds %(n)d entries; a package may hold at most %(limit)d (LMS_PACKAGE_MAX_FILES).",
                n=len(infos),
                limit=limits.max_files,
            )
        )
    seen: set[str] = set()
    entries = []
    declared = 0
    for info in infos:
        name = _checked_name(info.filename)
        if name in seen:
            raise ZipRefused(_("%(entry)s is in the zip twice; keep one of them.", entry=name), name)
        seen.add(name)
        _check_entry(info, name, limits)
        if info.is_dir() or PurePosixPath(name).parts[0] == IGNORED_TOP:
            continue
        declared += info.file_size
        if declared > limits.max_bytes:
            raise _too_large(name, limits)
        entries.append((name, info))
    return entries


def _checked_name(raw: str) -> str:
    name = raw.rstrip("/")
    parts = name.split("/")
    if (
        "\\" in raw
        or "\0" in raw
        or raw.startswith("/")
        or DRIVE.match(raw)
        or not name
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise ZipRefused(
            _(
                "%(entry)s: the name leaves the package folder (.., an absolute path, a drive letter "
                "or a backslash); zip the course folder itself.",
                entry=raw,
            ),
            raw,
        )
    return name


def _check_entry(info: zipfile.ZipInfo, name: str, limits: ZipLimits) -> None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ZipRefused(
            _("%(entry)s is a symbolic link; links are not allowed, copy the file in instead.", entry=name),
            name,
        )
    if info.flag_bits & 0x1:
        raise ZipRefused(_("%(entry)s is encrypted; zip the package without a password.", entry=name), name)
    if info.file_size > limits.max_bytes:
        raise _too_large(name, limits)
    compressed = max(info.compress_size, 1)
    if info.file_size >= RATIO_FLOOR and info.file_size / compressed > limits.max_ratio:
        raise ZipRefused(
            _(
                "%(entry)s inflates %(ratio)d times its compressed size; such a file is refused as a "
                "possible zip bomb.",
                entry=name,
                ratio=info.file_size // compressed,
            ),
            name,
        )


def _too_large(name: str, limits: ZipLimits) -> ZipRefused:
    return ZipRefused(
        _(
            "%(entry)s: the package's files take more than %(limit)s MB once unzipped "
            "(LMS_PACKAGE_MAX_MB); make the media smaller.",
            entry=name,
            limit=f"{limits.max_bytes / MEGABYTE:g}",
        ),
        name,
    )


def _top_folder(names: list[str]) -> str | None:
    """The one folder every file sits in (``my-course/course.yaml``), if course.yaml is not at
    the root; None for a zip of the package's files themselves."""
    if COURSE_FILE in names or not names:
        return None
    tops = {PurePosixPath(name).parts[0] for name in names}
    if len(tops) == 1 and all(len(PurePosixPath(name).parts) > 1 for name in names):
        return tops.pop()
    return None


def _target(folder: Path, name: str) -> Path:
    target = folder.joinpath(*PurePosixPath(name).parts)
    if not target.resolve().is_relative_to(folder.resolve()):
        raise ZipRefused(_("%(entry)s: the name leaves the package folder.", entry=name), name)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _inflate(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, target: Path, written: int, limits: ZipLimits
) -> int:
    """Inflate one entry into ``target``, counting the bytes: more than declared, or past the
    limit, stops it. Returns the total inflated so far."""
    own = 0
    try:
        with archive.open(info) as source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                own += len(chunk)
                written += len(chunk)
                if written > limits.max_bytes or own > info.file_size:
                    raise _too_large(name, limits)
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as error:
        raise ZipRefused(
            _(
                "%(entry)s could not be unzipped (%(reason)s); zip the course folder again.",
                entry=name,
                reason=str(error),
            ),
            name,
        ) from error
    return written


def version_zip(version: CourseVersion) -> bytes:
    """The package of ``version`` as a zip (its files in a folder named after the course)."""
    buffer = io.BytesIO()
    write_version_zip(version, buffer)
    return buffer.getvalue()


def draft_zip(draft: CourseDraft) -> bytes:
    """The draft's files as a package zip, as they are now (checked or not)."""
    buffer = io.BytesIO()
    write_draft_zip(draft, buffer)
    return buffer.getvalue()


def write_version_zip(version: CourseVersion, out: IO[bytes]) -> None:
    """Write :func:`version_zip` into ``out`` (a temporary file, for a large package)."""
    with tempfile.TemporaryDirectory(prefix="lms-export-") as folder:
        write_version(version, Path(folder))
        zip_folder(Path(folder), version.course.slug, out)


def write_draft_zip(draft: CourseDraft, out: IO[bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix="lms-export-") as folder:
        drafts.write_to(draft, Path(folder))
        zip_folder(Path(folder), draft.course.slug, out)


def zip_folder(folder: Path, top: str, out: IO[bytes]) -> None:
    """Zip every file below ``folder`` under the folder name ``top`` into ``out``: the same
    bytes every time (sorted names, a fixed date), each file copied in chunks."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{top}/{path.relative_to(folder).as_posix()}", date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.file_size = path.stat().st_size
            with path.open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, CHUNK)


def download_name(slug: str, number: int | None) -> str:
    """``<slug>-v<number>.zip`` for a version, ``<slug>-draft.zip`` for the draft."""
    return f"{slug}-v{number}.zip" if number is not None else f"{slug}-draft.zip"
