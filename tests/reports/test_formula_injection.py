"""CSV injection: a learner whose name, or whose unit's name, starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is neutralised the OWASP way in every export (a leading
apostrophe; in CSV the field quoted too): CSV, XLSX, the background XLSX and transcripts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.accounts import service as accounts
from lms.accounts.models import OrgUnit, Province
from lms.courses import service as courses
from lms.extensions import session
from tests.conftest import PASSWORD, login, make_course, make_user, shared_app
from tests.reports.server_client import download, links, server_client, table

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NAMES = [f"{char}cmd{i} Tester" for i, char in enumerate(DANGEROUS)]
UNITS = [f"{char}Unit {i}" for i, char in enumerate(DANGEROUS)]


@pytest.fixture(scope="module")
def injected(database_url):
    """An HR officer over one department whose six units and six learners start with each
    dangerous character; every learner is enrolled in one course."""

    def build():
        bangkok = session.scalar(select(Province.id).where(Province.iso_code == "TH-10"))
        parent = OrgUnit(code="INJ", name_th="กรมทดสอบ", name_en="Test Department", kind="department")
        session.add(parent)
        session.flush()
        course = make_course("inj-101", modules=1, lessons_per_module=1)
        uuids = []
        for i, char in enumerate(DANGEROUS):
            unit = OrgUnit(code=f"INJ-{i}", name_th=f"{char}หน่วย", name_en=UNITS[i], kind="division")
            unit.parent_id = parent.id
            session.add(unit)
            session.flush()
            learner = make_user(
                email=f"inj{i}@example.org",
                password=None,
                first_name_th=f"{char}ชื่อ{i}",
                last_name_th="ทดสอบ",
                first_name_en=f"{char}cmd{i}",
                last_name_en="Tester",
                org_unit_id=unit.id,
                province_id=bangkok,
            )
            courses.enrol(learner, course)
            uuids.append(learner.uuid)
        hr = make_user("hr", email="hr_inj@example.org", password=PASSWORD)
        accounts.set_scopes(hr, [parent.id], [])
        session.commit()
        return uuids

    with shared_app(database_url, build, LMS_LOGIN_RATE_LIMIT="1000 per minute") as (app, uuids):
        yield app, uuids


@pytest.fixture
def hr_client(injected, tmp_path):
    app, _uuids = injected
    client = server_client(app)
    assert login(client, "hr_inj@example.org").status_code == 302
    keys = ("LMS_EXPORT_BACKGROUND_ROWS", "LMS_EXPORT_DIR")
    saved = {key: app.config[key] for key in keys}
    app.config.update(LMS_EXPORT_DIR=str(tmp_path))
    yield client
    app.config.update(saved)


def starts_dangerously(value) -> bool:
    return isinstance(value, str) and value.lstrip(" ").startswith(DANGEROUS)


def assert_neutralised(url: str, response, expected: list[str]) -> None:
    rows = table(response)
    cells = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert not [cell for cell in cells if starts_dangerously(cell)], url
    for text in expected:
        # (after the apostrophe: the indent of a breakdown row; XLSX reads a CR back as a LF)
        assert any(cell.startswith("'") and cell[1:].lstrip(" ")[1:] == text[1:] for cell in cells), (
            url,
            text,
        )
    if response.mimetype == "text/csv":
        raw = response.data.decode("utf-8-sig")
        for text in expected:
            assert re.search("\"' *" + re.escape(text) + '"', raw), (url, text)  # quoted


def test_every_export_neutralises_formulas(injected, hr_client):
    _app, uuids = injected
    exports = {
        url
        for page in ("/reports?breakdown=unit", "/reports/drilldown", "/reports/hours")
        for url in links(hr_client.get(page).get_data(as_text=True))
        if url.split("?")[0].endswith((".csv", ".xlsx"))
    }
    assert len(exports) == 6, exports
    for url in exports:
        expected = UNITS if url.startswith("/reports/overview") else NAMES + UNITS
        assert_neutralised(url, download(hr_client, url), expected)
    for i, uuid in enumerate(uuids):
        for fmt in ("csv", "xlsx"):
            url = f"/reports/learners/{uuid}.{fmt}"
            assert_neutralised(url, download(hr_client, url), [NAMES[i]])


def test_the_background_xlsx_neutralises_formulas(injected, hr_client):
    app, _uuids = injected
    app.config["LMS_EXPORT_BACKGROUND_ROWS"] = 1
    for report in ("drilldown", "hours"):
        url = f"/reports/{report}.xlsx"
        assert "/reports/exports/" in hr_client.get(url).get_data(as_text=True)  # in the background
        assert_neutralised(url, download(hr_client, url), NAMES + UNITS)
