"""The URL fetcher certificates are rendered with: local files from a few folders, ``data:``
URIs, and nothing else.

WeasyPrint fetches every stylesheet, font, image and attachment a document names through its
URL fetcher. Ours serves:

- ``file:`` URLs of regular files inside the allowed folders (the template's own folder and
  ``lms/static/fonts``), after resolving the path: ``..`` escapes and symbolic links that
  lead outside are refused;
- ``data:`` URIs (the QR code is one), which name nothing outside the document, up to
  :data:`MAX_DATA_URI` characters;

and refuses everything else (``http:``, ``https:``, ``ftp:``, files elsewhere) by raising
:class:`ResourceRefused`. Built with ``fail_on_errors=True`` (the default here), so WeasyPrint
stops the rendering instead of leaving the resource out.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import ResourceRefused

#: The longest ``data:`` URI served (a QR code of a long URL is about 30,000 characters).
MAX_DATA_URI = 1_000_000
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_MEDIA_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


class CertificateURLFetcher(URLFetcher):
    """Serve files inside ``roots`` and ``data:`` URIs; refuse everything else."""

    def __init__(self, roots: Iterable[Path | str], *, fail_on_errors: bool = True):
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=fail_on_errors)
        self.roots = tuple(Path(root).resolve(strict=True) for root in roots)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        match = _SCHEME.match(url)
        scheme = match[1].lower() if match else ""
        if scheme == "data":
            return self._data(url)
        if scheme == "file":
            return self._file(url)
        raise ResourceRefused(f"certificates may not fetch {_shorten(url)}: only their own files")

    def allowed_path(self, url: str) -> Path:
        """The file a ``file:`` URL names, if it is a regular file inside one of the roots."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"not a local file URL: {_shorten(url)}")
        try:
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            raise ResourceRefused(f"no such file: {_shorten(url)}") from None
        if not any(path.is_relative_to(root) for root in self.roots):
            raise ResourceRefused(f"outside the template's folder and the fonts: {_shorten(url)}")
        if not path.is_file():
            raise ResourceRefused(f"not a file: {_shorten(url)}")
        return path

    def _file(self, url: str) -> URLFetcherResponse:
        path = self.allowed_path(url)
        media_type = _MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": media_type})

    def _data(self, url: str) -> URLFetcherResponse:
        if len(url) > MAX_DATA_URI:
            raise ResourceRefused(f"data: URI longer than {MAX_DATA_URI} characters")
        header, comma, payload = url[5:].partition(",")
        if not comma:
            raise ResourceRefused("malformed data: URI (no comma)")
        params = header.split(";")
        is_base64 = params[-1].strip().lower() == "base64"
        if is_base64:
            params.pop()
        media_type = params[0].strip() or "text/plain"
        raw = unquote_to_bytes(payload)
        try:
            body = base64.b64decode(raw, validate=False) if is_base64 else raw
        except ValueError:
            raise ResourceRefused("malformed base64 in a data: URI") from None
        content_type = ";".join([media_type, *(p.strip() for p in params[1:] if p.strip())])
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def _shorten(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[:limit] + "…"
