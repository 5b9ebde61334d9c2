"""Which templates an app can render: the built-in ones, shipped in the package, and its own
(LMS_CERTIFICATE_TEMPLATES_DIR, or instance/certificate-templates), which come first."""

from __future__ import annotations

import shutil
from pathlib import Path

import lms
from lms.certificates.data import SAMPLE
from lms.certificates.render import BUILTIN_TEMPLATES_ROOT, available_templates, templates_dir
from lms.certificates.store import renderer


def test_the_built_in_templates_are_in_the_package_not_the_source_tree(app):
    assert BUILTIN_TEMPLATES_ROOT.is_relative_to(Path(lms.__file__).parent)
    assert available_templates(app) == ["bilingual", "formal-th"]
    assert templates_dir(app) == Path(app.instance_path) / "certificate-templates"


def test_own_templates_are_added_and_replace_a_built_in_one(app_factory, tmp_path):
    own = tmp_path / "own"
    shutil.copytree(BUILTIN_TEMPLATES_ROOT / "formal-th", own / "agency-th")
    shutil.copytree(BUILTIN_TEMPLATES_ROOT / "formal-th", own / "formal-th")
    template = own / "formal-th" / "template.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace("ได้ผ่านการอบรมหลักสูตร", "ผ่านหลักสูตร"),
        encoding="utf-8",
    )
    (own / "not-a-template").mkdir()
    app = app_factory(LMS_CERTIFICATE_TEMPLATES_DIR=str(own))
    with app.app_context():
        assert available_templates(app) == ["agency-th", "bilingual", "formal-th"]
        assert "ผ่านหลักสูตร" in renderer().render_html("formal-th", SAMPLE)
        assert "ได้ผ่านการอบรมหลักสูตร" in renderer().render_html("agency-th", SAMPLE)
        assert "has successfully completed" in renderer().render_html("bilingual", SAMPLE)
