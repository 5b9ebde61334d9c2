"""Uploading a picture, clip, sound or PDF into a draft's ``media/`` folder.

The checks are the package checker's (:func:`lms.packages.media.media_problems` and
:func:`~lms.packages.media.size_problem`): the content is sniffed, so neither the file's name
nor the browser's content type is trusted, and SVG is refused. The name is made safe first
(lowercase, spaces to '-') and a name that still does not fit, or that names a folder, is
refused rather than silently changed into something the trainer did not write.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from flask import current_app
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.authoring import drafts
from lms.authoring.access import require_author
from lms.authoring.models import CourseDraft
from lms.packages.files import MediaFile
from lms.packages.markdown import AUDIO_SUFFIXES, IMAGE_SUFFIXES, VIDEO_SUFFIXES
from lms.packages.media import ALLOWED_SUFFIXES, NAME, SVG_REFUSED, media_problems, size_problem

SPACES = re.compile(r"\s+")
EMBEDDED = IMAGE_SUFFIXES | VIDEO_SUFFIXES | AUDIO_SUFFIXES


class UploadError(ValueError):
    """The upload was refused; the message says why. Nothing was written."""


@dataclass(frozen=True)
class Uploaded:
    path: str
    markdown: str
    """What to paste into the lesson to show (or link to) the file."""
    replaced: bool


def safe_name(filename: str | None) -> str:
    """The media file name for an uploaded file's name, or :class:`UploadError`."""
    raw = (filename or "").strip()
    if not raw:
        raise UploadError(_("Choose a file to upload."))
    if "/" in raw or "\\" in raw or ".." in raw:
        raise UploadError(
            _(
                "The file name %(name)s names a folder or contains '..'; upload the file itself, "
                "with a plain name such as photo.png.",
                name=raw,
            )
        )
    name = SPACES.sub("-", raw.lower())
    suffix = PurePosixPath(name).suffix
    if suffix == ".svg":
        raise UploadError(_(SVG_REFUSED))
    if suffix not in ALLOWED_SUFFIXES:
        allowed = ", ".join(sorted(s.lstrip(".") for s in ALLOWED_SUFFIXES))
        raise UploadError(
            _(
                "%(name)s is not a picture, clip, sound or PDF the LMS accepts; use one of: %(allowed)s.",
                name=raw,
                allowed=allowed,
            )
        )
    if not NAME.match(name):
        raise UploadError(
            _(
                "The file name %(name)s may use only the letters a-z, digits, '.', '_' and '-' "
                "(spaces become '-'), starting with a letter or digit; rename the file and upload it "
                "again.",
                name=raw,
            )
        )
    return name


def upload(draft: CourseDraft, actor: User, filename: str | None, stream: IO[bytes]) -> Uploaded:
    """Check the uploaded file and store it in the draft as ``media/<safe name>`` (a file of
    that name is replaced). Raises :class:`UploadError`; then nothing is written."""
    require_author(actor, draft.course)
    name = safe_name(filename)
    path = f"media/{name}"
    with tempfile.TemporaryDirectory(prefix="lms-upload-") as folder:
        source = Path(folder) / name
        with source.open("wb") as out:
            _copy(stream, out)
        _refuse_bad_content(path, source)
        replaced = path in drafts.files(draft)
        drafts.save_media(draft, actor, path, source, drafts.revision(draft, path))
    return Uploaded(path, snippet(path), replaced)


def snippet(path: str) -> str:
    """The Markdown that shows a media file (a link, for a PDF)."""
    description = _("description")
    if PurePosixPath(path).suffix.lower() in EMBEDDED:
        return f"![{description}]({path})"
    return f"[{description}]({path})"


def _copy(stream: IO[bytes], out: IO[bytes]) -> None:
    if stream.seekable():
        stream.seek(0)  # from the start, also when commit_once runs the upload a second time
    while chunk := stream.read(1 << 20):
        out.write(chunk)


def _refuse_bad_content(path: str, source: Path) -> None:
    media = MediaFile(source, "", source.stat().st_size)
    problems = [_(problem) for problem in media_problems(path, media)]
    too_large = size_problem(media, current_app.config.get("LMS_MEDIA_MAX_MB"))
    if too_large:
        problems.append(too_large)
    if problems:
        raise UploadError(" ".join(problems))
