"""Start-up: importing the LMS, building the app, running a command that neither renders nor
signs, and answering the first requests load none of WeasyPrint, pyHanko, ralph, Alembic,
openpyxl, zxcvbn, the X.509 and JSON Schema libraries, markdown-it, email-validator or
requests (ADR 0034).

The stages run in one fresh interpreter (this test process has imported them all already),
which reports the heavy packages loaded after each. How long start-up takes is measured by
``bench/startup.py``, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = (
    "weasyprint",
    "pyhanko",
    "pyhanko_certvalidator",
    "ralph",
    "pydantic",
    "alembic",
    "openpyxl",
    "zxcvbn",
    "cryptography",
    "asn1crypto",
    "jsonschema",
    "markdown_it",
    "email_validator",
    "requests",
)

STAGES = f"""
import json, sys

def loaded():
    return sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))

seen = {{}}
import lms
seen["import"] = loaded()
app = lms.create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True}})
seen["create_app"] = loaded()
for args in (["lms", "--help"], ["lms", "users", "--help"], ["lms", "certificates", "--help"]):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
seen["command"] = loaded()
client = app.test_client()
for path in ("/login", "/static/css/lms.css"):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    response.close()
seen["first_pages"] = loaded()
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def loaded_at() -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", STAGES], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_lms_loads_none_of_them(loaded_at):
    assert loaded_at["import"] == []


def test_create_app_loads_none_of_them(loaded_at):
    assert loaded_at["create_app"] == []


def test_a_command_that_does_not_render_or_sign_loads_none_of_them(loaded_at):
    assert loaded_at["command"] == []


def test_a_web_workers_first_pages_load_none_of_them(loaded_at):
    assert loaded_at["first_pages"] == []
