"""What a first visit costs over the network: the sign-in page, cold, in Chromium.

The sum of the encoded (compressed, as sent) body sizes of every response of a cold load, from
the browser's own network events, stays under 120 KB; the Thai text is drawn in the site's
font (the WOFF2 subsets carry the Thai glyphs); and a second visit fetches no static file again
(fingerprinted URLs, cached immutable).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

BUDGET = 120_000
THAI = "เข้าสู่ระบบด้วยอีเมลของหน่วยงาน"
FONT_FACES_LOADED = """() => document.fonts.ready.then(() =>
    [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'Sarabun' && f.status === 'loaded')
                       .map(f => String(f.weight)))"""
WIDTHS = """(text) => {
    const ctx = document.createElement('canvas').getContext('2d');
    const width = font => { ctx.font = font; return ctx.measureText(text).width; };
    return [width('16px Sarabun, monospace'), width('16px monospace')];
}"""


def _load(page, path: str) -> list:
    finished = []

    def record(request) -> None:
        finished.append(request)

    page.on("requestfinished", record)
    page.goto(path, wait_until="networkidle")
    page.evaluate(FONT_FACES_LOADED)
    page.remove_listener("requestfinished", record)
    return finished


def _weights(requests) -> dict[str, int]:
    return {request.url: request.sizes()["responseBodySize"] for request in requests}


def test_a_cold_first_visit_to_the_sign_in_page_is_under_120_kb(browser_context):
    page = browser_context().new_page()
    sent = _weights(_load(page, "/login"))
    assert any("/static/fonts/Sarabun-Regular.woff2?v=" in url for url in sent), sent
    assert not any(url.endswith(".ttf") or ".ttf?" in url for url in sent), sent
    assert sum(sent.values()) < BUDGET, sent


def test_the_thai_text_is_drawn_in_sarabun(browser_context):
    page = browser_context().new_page()
    _load(page, "/login")
    assert "400" in page.evaluate(FONT_FACES_LOADED)
    assert page.evaluate("(text) => document.fonts.check('16px Sarabun', text)", THAI)
    with_sarabun, fallback = page.evaluate(WIDTHS, THAI)
    assert with_sarabun != fallback, "Sarabun has no Thai glyphs: the text fell back to another font"
    family = page.locator("body").evaluate("el => getComputedStyle(el).fontFamily")
    assert family.startswith('"Sarabun"') or family.startswith("Sarabun")


def _static_requests_served(live_server) -> int:
    """How many static-file requests the server has answered (its request log)."""
    log = live_server.log_path.read_text(errors="replace")
    return sum(1 for line in log.splitlines() if '"GET /static/' in line)


def test_a_second_visit_asks_the_server_for_no_static_file(browser_context, live_server):
    page = browser_context().new_page()
    before = _static_requests_served(live_server)
    _load(page, "/login")
    after_first = _static_requests_served(live_server)
    assert after_first - before >= 2, "the stylesheet and a font"
    _load(page.context.new_page(), "/login")
    assert _static_requests_served(live_server) == after_first
