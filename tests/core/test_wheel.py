"""A built wheel, installed into a fresh venv without the source tree, can migrate a database."""

import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import head_revision

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("flask_dg_lms-*.whl")
    return built


def test_the_wheel_ships_migrations_templates_fonts_and_translations(wheel):
    """And every file of the package's source tree: a page whose template is missing answers 500."""
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "lms/migrations/env.py",
        "lms/migrations/alembic.ini",
        "lms/migrations/script.py.mako",
        "lms/migrations/versions/0001_accounts_and_organisation.py",
        "lms/migrations/versions/0002_courses_progress_and_statements.py",
        "lms/templates/lms/base.html",
        "lms/accounts/templates/lms/accounts/login.html",
        "lms/core/templates/lms/core/error.html",
        "lms/static/css/lms.css",
        "lms/static/fonts/Sarabun-Regular.ttf",
        "lms/static/fonts/OFL.txt",
        "lms/translations/th/LC_MESSAGES/messages.mo",
        "lms/accounts/data/provinces.csv",
        "lms/accounts/data/demo_org.yaml",
        "lms/static/fonts/Sarabun-Bold.ttf",
        "lms/static/fonts/Sarabun-SemiBold.ttf",
    }
    for template in ("formal-th", "bilingual"):
        expected |= {
            f"lms/certificates/designs/{template}/{file}"
            for file in ("template.html", "theme.css", "metadata.yaml")
        }
    assert expected <= names, sorted(expected - names)
    shipped = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "lms").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert shipped <= names, sorted(shipped - names)


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed: its python."""
    venv = tmp_path_factory.mktemp("wheel") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True, capture_output=True
    )
    # The dependencies (not the LMS) come from the test environment's site-packages.
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_an_installed_wheel_migrates_without_the_source_tree(installed, tmp_path):
    python, venv = installed, installed.parents[1]
    database = tmp_path / "lms.sqlite3"
    env = {
        "LMS_DATABASE_URL": f"sqlite:///{database}",
        "LMS_SECRET_KEY": "wheel-test",
        "PATH": "/usr/bin:/bin",
    }
    where = subprocess.run(
        [python, "-c", "import lms; print(lms.__file__)"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(str(venv)), where
    result = subprocess.run(
        [python, "-m", "flask", "--app", "lms", "lms", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert f"LMS database at: {head_revision()} (head)" in result.stdout
    with sqlite3.connect(database) as conn:
        assert conn.execute("select count(*) from lms_provinces").fetchone() == (77,)
        assert conn.execute("select version_num from lms_alembic_version").fetchone() == (head_revision(),)
    conn.close()


RENDER = """
import sys
from lms.app import create_app
from lms.certificates.data import SAMPLE
from lms.certificates.render import available_templates
from lms.certificates.store import renderer
app = create_app()
with app.app_context():
    print(",".join(available_templates(app)))
    sys.stdout.flush()
    pdf = renderer().render("bilingual", SAMPLE)
open("certificate.pdf", "wb").write(pdf)
"""


def test_an_installed_wheel_renders_the_built_in_certificates(installed, tmp_path):
    """The templates and fonts come from the installed package: an installed deployment used
    to answer 500 on every certificate (the templates were in the source tree only)."""
    env = {
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'lms.sqlite3'}",
        "LMS_SECRET_KEY": "wheel-test",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [installed, "-c", RENDER], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["bilingual,formal-th"]
    pdf = PdfReader(tmp_path / "certificate.pdf")
    assert len(pdf.pages) == 1
    assert b"Pinmanee Rungruangsri" in pdf.attachments["certificate.json"][0]
    assert "Digital skills for digital-technology practitioners" in pdf.pages[0].extract_text()
