"""A template changed on disk (published in the browser by another worker process) is used
by a renderer that had already parsed the old one: no restart needed."""

from __future__ import annotations

import copy
import shutil

from lms.certificates.data import SAMPLE
from lms.certificates.render import BUILTIN_TEMPLATES_ROOT, CertificateRenderer


def test_a_republished_template_reaches_a_renderer_that_parsed_the_old_one(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(BUILTIN_TEMPLATES_ROOT / "formal-th", site / "ours")
    renderer = CertificateRenderer([site, BUILTIN_TEMPLATES_ROOT])
    before = renderer.render_html("ours", copy.deepcopy(SAMPLE))
    assert "ฉบับปรับปรุงใหม่" not in before

    # Another process publishes a new copy: a new folder renamed into place (as install does).
    incoming = site / ".incoming"
    shutil.copytree(site / "ours", incoming)
    page = incoming / "template.html"
    page.write_text(
        page.read_text(encoding="utf-8")
        .replace("<body", "<body data-x='1'", 1)
        .replace("</body>", "<p>ฉบับปรับปรุงใหม่</p></body>", 1),
        encoding="utf-8",
    )
    shutil.rmtree(site / "ours")
    incoming.rename(site / "ours")

    assert "ฉบับปรับปรุงใหม่" in renderer.render_html("ours", copy.deepcopy(SAMPLE))


def test_an_unchanged_template_is_parsed_once(tmp_path):
    renderer = CertificateRenderer([BUILTIN_TEMPLATES_ROOT])
    first = renderer._template("bilingual")
    assert renderer._template("bilingual") is first
