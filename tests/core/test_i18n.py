from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from lms.core.i18n import format_date, thai_date
from tests.conftest import login, post_form

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "lms" / "translations" / "th" / "LC_MESSAGES"


def test_thai_dates_use_the_buddhist_era():
    assert thai_date(date(2020, 7, 24)) == "24 กรกฎาคม พ.ศ. 2563"
    assert thai_date(date(2026, 1, 1)) == "1 มกราคม พ.ศ. 2569"


def test_dates_follow_the_language_and_the_bangkok_day(app):
    assert format_date(date(2020, 7, 24), "en") == "24 July 2020"
    # 20:00 UTC on 30 September is already 1 October in Bangkok: a new Thai fiscal year.
    late = datetime(2025, 9, 30, 20, 0, tzinfo=UTC)
    assert format_date(late, "th") == "1 ตุลาคม พ.ศ. 2568"
    assert format_date(None) == ""


def test_language_switch_is_remembered(client, users):
    assert '<html lang="th">' in client.get("/login").get_data(as_text=True)
    response = post_form(client, "/language/en", {"next": "/login"}, page="/login")
    assert response.status_code == 302 and response.location == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
    login(client, users["learner"].email)
    assert "Welcome, ทดสอบ learner" in client.get("/").get_data(as_text=True)
    post_form(client, "/language/th", {"next": "/"}, page="/")
    assert "ยินดีต้อนรับ" in client.get("/").get_data(as_text=True)


def test_language_switch_refuses_bad_requests(client):
    assert client.post("/language/en", data={"next": "/"}).status_code == 400
    assert post_form(client, "/language/fr", page="/login").status_code == 404
    away = post_form(client, "/language/en", {"next": "https://evil.example/"}, page="/login")
    assert away.location == "/"
    away = post_form(client, "/language/en", {"next": "//evil.example/"}, page="/login")
    assert away.location == "/"


def test_english_dates_on_the_home_page(client, users):
    login(client, users["learner"].email)
    post_form(client, "/language/en", {"next": "/"}, page="/")
    joined = users["learner"].created_at
    assert joined.strftime("%B %Y").replace(" 0", " ") in client.get("/").get_data(as_text=True)


def load(name: str, reader):
    with (CATALOG / name).open("rb") as handle:
        return reader(handle)


def test_every_message_in_the_code_has_a_thai_translation():
    method_map = [("lms/**.py", "python"), ("lms/**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=keywords
        )
    }
    found = {m for m in found if isinstance(m, str)}
    catalog = load("messages.po", read_po)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(found - translated)
    assert not missing, f"untranslated: {missing}"


def test_the_compiled_catalog_matches_the_source():
    po = load("messages.po", read_po)
    mo = load("messages.mo", read_mo)
    assert {m.id: m.string for m in po if m.id} == {m.id: m.string for m in mo if m.id}
