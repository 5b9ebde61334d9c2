"""course.yaml's certificate must name a template the site has, or one the package ships in
certificates/<name>/, which is checked by rendering it and installed by ``content import``."""

import shutil

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from lms.certificates.render import BUILTIN_TEMPLATES_ROOT, available_templates
from lms.content.models import Course
from lms.extensions import session
from lms.packages.check import check_package
from tests.packages.conftest import edit


def run(runner, *args):
    return runner.invoke(args=["lms", "content", *map(str, args)])


@pytest.fixture
def site_templates(app, tmp_path):
    """The site's own templates folder, in the test's folder."""
    folder = tmp_path / "site-templates"
    app.config["LMS_CERTIFICATE_TEMPLATES_DIR"] = str(folder)
    return folder


def test_an_unknown_template_name_is_an_error_listing_the_valid_ones(mini, runner, site_templates):
    edit(mini, "course.yaml", "certificate: formal-th", "certificate: formal")
    with force_locale("en"):
        found = [str(p) for p in check_package(mini).problems if "certificate" in p.message]
    assert found == [
        "course.yaml:7: certificate: 'formal' is not a certificate template; use one of: bilingual, "
        "formal-th (or ship the template in certificates/formal/)"
    ]
    result = run(runner, "check", mini)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "course.yaml:7: certificate: 'formal' ไม่ใช่แม่แบบเกียรติบัตร ใช้ได้: bilingual, formal-th "
        "(หรือส่งแม่แบบมากับแพ็กเกจใน certificates/formal/)"
    )
    assert run(runner, "import", mini).exit_code == 1
    assert session.scalar(select(func.count()).select_from(Course)) == 0


def test_a_shipped_template_is_checked_then_installed(mini, runner, site_templates, media_store):
    shutil.copytree(BUILTIN_TEMPLATES_ROOT / "formal-th", mini / "certificates" / "ministry-seal")
    edit(mini, "course.yaml", "certificate: formal-th", "certificate: ministry-seal")
    assert run(runner, "check", mini).exit_code == 0
    assert not site_templates.exists()  # a check writes nothing
    result = run(runner, "import", mini)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "mini-course: created (version 1)",
        "certificate template ministry-seal: installed",
    ]
    assert sorted(p.name for p in (site_templates / "ministry-seal").iterdir()) == [
        "metadata.yaml",
        "template.html",
        "theme.css",
    ]
    assert "ministry-seal" in available_templates(runner.app)
    # The templates are not part of the course version: the export still matches the package.
    out = mini.parent / "exported"
    assert run(runner, "export", "mini-course", out).exit_code == 0
    assert not (out / "certificates").exists()


def test_a_template_that_does_not_render_or_takes_a_built_in_name_is_refused(mini, runner, site_templates):
    broken = mini / "certificates" / "broken"
    shutil.copytree(BUILTIN_TEMPLATES_ROOT / "formal-th", broken)
    (broken / "template.html").write_text("<p>{{ learner.no_such_field }}</p>", encoding="utf-8")
    shutil.copytree(BUILTIN_TEMPLATES_ROOT / "bilingual", mini / "certificates" / "bilingual")
    edit(mini, "course.yaml", "certificate: formal-th", "certificate: broken")
    result = run(runner, "import", mini)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "certificates/bilingual: 'bilingual' เป็นชื่อของแม่แบบเกียรติบัตรที่มีมากับระบบ "
        "โปรดตั้งชื่ออื่นให้แม่แบบของแพ็กเกจ (ชื่อโฟลเดอร์คือชื่อแม่แบบ)"
    )
    assert lines[1].startswith("certificates/broken: แม่แบบเกียรติบัตรนี้สร้างเกียรติบัตรไม่ได้: TemplateError:")
    assert "no_such_field" in lines[1]
    assert not site_templates.exists()
    assert session.scalar(select(func.count()).select_from(Course)) == 0
