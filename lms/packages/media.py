"""Package media: which files are accepted, and the content-addressed store they are copied to.

The store keeps each file once, as ``<sha256><suffix>`` in ``LMS_MEDIA_DIR`` (default:
``<instance>/media``), whatever package or version it came from. A name never changes
meaning, so the files can be served with a long cache lifetime and are never deleted by an
import.

SVG is refused rather than sanitized. An SVG is a document that can carry scripts, event
handlers and external references; opened directly from our origin it would run them there.
Cleaning it would change its bytes (an export could no longer reproduce the package) and
any gap in the cleaner would be a cross-site-scripting hole. PNG or WebP carry no code.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from flask import current_app
from flask_babel import gettext as _

from lms.packages.files import MediaFile

SIGNATURES = {
    ".png": ("a PNG image", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("a JPEG image", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("a JPEG image", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".gif": ("a GIF image", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("a WebP image", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    ".mp4": ("an MP4 video", lambda h: h[4:8] == b"ftyp"),
    ".webm": ("a WebM video", lambda h: h.startswith(b"\x1a\x45\xdf\xa3")),
    ".mp3": ("an MP3 file", lambda h: h.startswith(b"ID3") or (len(h) > 1 and h[0] == 0xFF and h[1] >= 0xE0)),
    ".pdf": ("a PDF document", lambda h: h.startswith(b"%PDF-")),
}
ALLOWED_SUFFIXES = frozenset(SIGNATURES)
MEGABYTE = 1024 * 1024
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SVG_REFUSED = (
    "SVG files are refused: they can carry scripts that would run on the LMS's own site; "
    "export the picture as PNG or WebP"
)


def media_problems(relative: str, media: MediaFile) -> list[str]:
    """What is wrong with one file under media/ (nothing, usually)."""
    parts = PurePosixPath(relative).parts[1:]
    bad_names = [part for part in parts if not NAME.match(part)]
    if bad_names:
        return [
            f"the name {bad_names[0]!r} may use only letters A-Z and a-z, digits, '.', '_' and '-' "
            "(starting with a letter or digit); rename it and its links"
        ]
    suffix = media.suffix
    if suffix == ".svg":
        return [SVG_REFUSED]
    if suffix not in ALLOWED_SUFFIXES:
        allowed = ", ".join(sorted(s.lstrip(".") for s in ALLOWED_SUFFIXES))
        return [f"{suffix or 'files without an extension'} is not accepted as media; use one of: {allowed}"]
    if media.size == 0:
        return ["the file is empty"]
    kind, looks_right = SIGNATURES[suffix]
    with media.path.open("rb") as stream:
        head = stream.read(16)
    if not looks_right(head):
        return [f"the file's content is not {kind}; check the file or correct its extension"]
    return []


def size_problem(media: MediaFile, limit_mb: float | None) -> str | None:
    """The problem of a file larger than ``LMS_MEDIA_MAX_MB`` (``limit_mb``; None: no limit)."""
    if not limit_mb or media.size <= limit_mb * MEGABYTE:
        return None
    return _(
        "the file is %(size)s MB; media files may be at most %(limit)s MB (LMS_MEDIA_MAX_MB): "
        "make it smaller (e.g. a lower video resolution) or split it",
        size=f"{media.size / MEGABYTE:.1f}",
        limit=f"{limit_mb:g}",
    )


def media_dir() -> Path:
    """The media store of the current app: ``LMS_MEDIA_DIR``, or ``<instance>/media``."""
    configured = current_app.config.get("LMS_MEDIA_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "media"


def stored_name(sha256: str, suffix: str) -> str:
    """The store's file name for content with this hash: ``<sha256><suffix>``."""
    return f"{sha256}{suffix.lower()}"


def lesson_media_url(sha256: str, suffix: str) -> str:
    """The URL of a stored file relative to a lesson page: lessons are served at
    ``<prefix>/courses/<slug>/lessons/<key>`` and media at ``<prefix>/courses/<slug>/media/<name>``."""
    return f"../media/{stored_name(sha256, suffix)}"


def store(media: MediaFile) -> Path:
    """Copy a media file into the store, unless content with its hash is there already.

    The copy goes to a temporary file first and is renamed into place, so a reader never
    sees half a file and two imports at once cannot corrupt it.
    """
    folder = media_dir()
    target = folder / stored_name(media.sha256, media.suffix)
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out, media.path.open("rb") as source:
            shutil.copyfileobj(source, out)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
