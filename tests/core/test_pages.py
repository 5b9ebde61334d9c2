"""Security headers, error pages and the accessible layout."""

import pytest

from tests.conftest import login, post_form


@pytest.mark.parametrize("url", ["/login", "/", "/does-not-exist", "/static/css/lms.css"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script_or_style(client, users):
    login(client, users["admin"].email)
    for url in ["/", "/admin/users", "/admin/users/new", "/admin/users/import", "/account/password"]:
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and "<style" not in page, url


def test_layout_landmarks_and_skip_link(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">ข้ามไปยังเนื้อหาหลัก</a>' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page
    assert '<label for="email">อีเมล</label>' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page


def test_assets_come_from_the_package(client):
    page = client.get("/login").get_data(as_text=True)
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    css = client.get("/static/css/lms.css")
    assert css.status_code == 200 and "Sarabun" in css.get_data(as_text=True)
    font = client.get("/static/fonts/Sarabun-Regular.ttf")
    assert font.status_code == 200 and font.data[:4] == b"\x00\x01\x00\x00"


@pytest.mark.parametrize(("lang", "text"), [("th", "ไม่พบหน้าที่ต้องการ"), ("en", "Page not found")])
def test_404_page_in_both_languages(client, lang, text):
    if lang == "en":
        post_form(client, "/language/en", page="/login")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_403_and_400_pages(client, users):
    login(client, users["learner"].email)
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403 and "คุณไม่มีสิทธิ์เข้าถึงหน้านี้" in forbidden.get_data(as_text=True)
    bad = client.post("/account/password", data={"current_password": "x"})
    assert bad.status_code == 400
    assert "แบบฟอร์มหมดอายุหรือถูกส่งมาจากเว็บไซต์อื่น" in bad.get_data(as_text=True)
    post_form(client, "/language/en", page="/")
    bad_en = client.post("/account/password", data={})
    assert "The form had expired" in bad_en.get_data(as_text=True)


def test_500_page_is_shown_and_logged(app, client, caplog):
    @app.route("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "ระบบขัดข้อง" in response.get_data(as_text=True)
    assert "kaboom" not in response.get_data(as_text=True)
    assert any("unhandled error" in r.message for r in caplog.records)
