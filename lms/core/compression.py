"""Compressed responses in the standalone app (``LMS_COMPRESS``), with Flask-Compress.

Text responses (HTML, CSS, JavaScript, JSON, CSV, SVG) of at least 500 bytes are sent with
Brotli or gzip, whichever the client prefers (browsers offer Brotli over HTTPS only). A streamed
response (a CSV export) stays streamed: it is compressed chunk by chunk as it is produced. Fonts
(WOFF2 is compressed already) and images are left as they are. Behind a reverse proxy that
compresses, turn it off (docs/deployment.md); a proxy does not compress a response twice.
"""

from __future__ import annotations

from flask import Flask, Response
from flask_compress import Compress

MIMETYPES = [
    "text/html",
    "text/css",
    "text/csv",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]
ALGORITHMS = ["br", "gzip"]


class _Compress(Compress):
    """Flask-Compress, closing what it replaces: a file's response (a static file) is replaced
    by its compressed stream (or bytes), and the file would stay open until the garbage
    collector found it. It is closed when the response is."""

    def after_request(self, response: Response) -> Response:
        original = response.response
        response = super().after_request(response)
        if response.response is not original and hasattr(original, "close"):
            if response.is_streamed:
                response.call_on_close(original.close)
            else:
                original.close()
        return response


def init_compression(app: Flask) -> None:
    if not app.config["LMS_COMPRESS"]:
        return
    for key, value in {
        "COMPRESS_MIMETYPES": MIMETYPES,
        "COMPRESS_ALGORITHM": ALGORITHMS,
        "COMPRESS_ALGORITHM_STREAMING": ALGORITHMS,
        "COMPRESS_STREAMS": True,
        "COMPRESS_MIN_SIZE": 500,
        "COMPRESS_STREAMING_ENDPOINT_CONDITIONAL": ["lms.static"],
    }.items():
        app.config.setdefault(key, value)
    _Compress().init_app(app)
