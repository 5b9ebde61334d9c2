"""The URL fetcher: the template's folder, the fonts and data: URIs; nothing else.

External URLs point at 127.0.0.1 port 9 (discard), so that even a broken fetcher would never
leave the machine; none of them is ever connected to."""

from __future__ import annotations

import base64
import copy

import pytest

from lms.certificates.data import SAMPLE
from lms.certificates.errors import ResourceRefused
from lms.certificates.fetcher import MAX_DATA_URI, CertificateURLFetcher
from lms.certificates.render import FONTS_DIR, CertificateRenderer

from .conftest import make_template

HTTP = "http://127.0.0.1:9/logo.png"
HTTPS = "https://127.0.0.1:9/logo.png"


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "templates" / "mine"
    folder.mkdir(parents=True)
    (folder / "seal.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (tmp_path / "templates" / "secret.txt").write_text("secret", encoding="utf-8")
    return folder


@pytest.fixture
def fetcher(folder):
    return CertificateURLFetcher([folder, FONTS_DIR])


def read(response) -> bytes:
    try:
        return response.read()
    finally:
        response.close()


def test_serves_the_template_folder_and_the_fonts(fetcher, folder):
    response = fetcher.fetch((folder / "seal.svg").as_uri())
    assert response.content_type == "image/svg+xml"
    assert read(response).startswith(b"<svg")
    font = fetcher.fetch((FONTS_DIR / "Sarabun-Regular.ttf").as_uri())
    assert font.content_type == "font/ttf"
    assert read(font) == (FONTS_DIR / "Sarabun-Regular.ttf").read_bytes()


def test_serves_data_uris(fetcher):
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    response = fetcher.fetch(
        "data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns%3D%27http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%27%2F%3E"
    )
    assert (response.content_type, read(response)) == ("image/svg+xml", svg)
    response = fetcher.fetch("data:image/svg+xml;base64," + base64.b64encode(svg).decode())
    assert read(response) == svg


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://example.org/etc/passwd",
        HTTP,
        HTTPS,
        "ftp://127.0.0.1:9/x",
        "//127.0.0.1:9/x",
        "javascript:alert(1)",
    ],
)
def test_refuses_everything_else(fetcher, url):
    with pytest.raises(ResourceRefused):
        fetcher.fetch(url)
    with pytest.raises(ResourceRefused):
        fetcher(url)  # how WeasyPrint calls it


def test_refuses_escapes_from_the_folder(fetcher, folder, tmp_path):
    base = folder.as_uri() + "/"
    for escape in (
        "../secret.txt",
        "../../templates/secret.txt",
        "../../../../../../etc/passwd",
        "%2e%2e/secret.txt",
    ):
        with pytest.raises(ResourceRefused):
            fetcher.fetch(base + escape)
    (folder / "inside.svg").symlink_to(folder / "seal.svg")
    assert read(fetcher.fetch(base + "inside.svg")).startswith(b"<svg")
    (folder / "outside.txt").symlink_to(tmp_path / "templates" / "secret.txt")
    (folder / "passwd").symlink_to("/etc/passwd")
    for link in ("outside.txt", "passwd"):
        with pytest.raises(ResourceRefused, match="outside"):
            fetcher.fetch(base + link)
    with pytest.raises(ResourceRefused, match="not a file"):
        fetcher.fetch(folder.as_uri())
    with pytest.raises(ResourceRefused, match="no such file"):
        fetcher.fetch(base + "missing.png")


def test_refuses_huge_data_uris(fetcher):
    with pytest.raises(ResourceRefused, match="longer"):
        fetcher.fetch("data:text/plain," + "a" * MAX_DATA_URI)


# --- through templates -------------------------------------------------------------------------

OUTSIDE = "outside the template's folder"
EXTERNAL = "may not fetch"
#: name: (body of template.html, theme.css, why it is refused)
MALICIOUS = {
    "img-passwd": ('<img src="file:///etc/passwd">', "", OUTSIDE),
    "img-escape": ('<img src="../../../../../../../../etc/passwd">', "", OUTSIDE),
    "img-sibling": ('<img src="../secret.svg">', "", OUTSIDE),
    "img-other-template": ('<img src="../harmless/template.html">', "", OUTSIDE),
    "base-href": ('<base href="file:///etc/"><img src="passwd">', "", OUTSIDE),
    "img-http": (f'<img src="{HTTP}">', "", EXTERNAL),
    "img-https": (f'<img src="{HTTPS}">', "", EXTERNAL),
    "link-css": ('<link rel="stylesheet" href="https://127.0.0.1:9/x.css"><p>x</p>', "", EXTERNAL),
    "attachment": ('<link rel="attachment" href="file:///etc/passwd"><p>x</p>', "", OUTSIDE),
    "background": ('<p class="x">x</p>', f".x {{ background: url({HTTPS}) }}", EXTERNAL),
    "style-import": ('<style>@import url("http://127.0.0.1:9/x.css");</style><p>x</p>', "", EXTERNAL),
    "theme-import": ("<p>x</p>", '@import url("file:///etc/passwd");', OUTSIDE),
    "theme-font": (
        "<p>x</p>",
        '@font-face { font-family: X; src: url("file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") }',
        OUTSIDE,
    ),
}


@pytest.fixture(scope="module")
def malicious(tmp_path_factory) -> CertificateRenderer:
    root = tmp_path_factory.mktemp("malicious")
    (root / "secret.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    for name, (body, css, _) in MALICIOUS.items():
        make_template(root, name, f'<!DOCTYPE html><html lang="th"><body>{body}</body></html>', css)
    make_template(root, "harmless", "<!DOCTYPE html><html><body><p>{{ serial }}</p></body></html>")
    return CertificateRenderer(root)


@pytest.mark.parametrize("name", sorted(MALICIOUS))
def test_a_template_cannot_reach_outside(malicious, name):
    with pytest.raises(ResourceRefused, match=MALICIOUS[name][2]):
        malicious.render(name, SAMPLE)


def test_a_harmless_template_in_the_same_root_renders(malicious):
    assert malicious.render("harmless", copy.deepcopy(SAMPLE)).startswith(b"%PDF-")
