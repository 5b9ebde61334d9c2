"""The certificate's QR code: its verification URL as an SVG ``data:`` URI."""

from __future__ import annotations

import segno


def qr_data_uri(url: str) -> str:
    """A ``data:image/svg+xml`` URI of a QR code (error correction M, no quiet zone, a
    ``viewBox`` and no fixed size, so CSS sizes it) encoding ``url``. The template places it
    with ``<img src="{{ qr_svg }}">`` and leaves a white margin around it."""
    code = segno.make(url, error="m", boost_error=False)
    return code.svg_data_uri(scale=1, border=0, omitsize=True, dark="#000", light=None)
