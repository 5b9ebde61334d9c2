"""The real app in headless Chromium: sign-in per role, the language switch, errors,
a narrow screen, accessibility (axe-core) and the Content-Security-Policy.

Screenshots and axe reports are written to tests/e2e/artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, PEOPLE, Person

pytestmark = pytest.mark.e2e

TEXT = {
    "th": {
        "sign_in": "เข้าสู่ระบบ",
        "sign_out": "ออกจากระบบ",
        "welcome": "ยินดีต้อนรับ",
        "users": "ผู้ใช้",
        "signed_out": "ออกจากระบบแล้ว",
        "switch": "ไทย",
    },
    "en": {
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "welcome": "Welcome,",
        "users": "Users",
        "signed_out": "You have signed out.",
        "switch": "English",
    },
}
WRONG_PASSWORD_TH = "อีเมลหรือรหัสผ่านไม่ถูกต้อง"
BLOCKING_IMPACTS = {"serious", "critical"}


def welcome(person: Person, lang: str) -> str:
    if lang == "th":
        return f"ยินดีต้อนรับ {person.name_th}"
    return f"Welcome, {person.name_en}"


def sign_in(page: Page, person: Person, password: str | None = None, lang: str = "th") -> None:
    page.goto("/login")
    page.locator('input[name="email"]').fill(person.email)
    page.locator('input[name="password"]').fill(password or person.password)
    page.get_by_role("button", name=TEXT[lang]["sign_in"], exact=True).click()


def switch_language(page: Page, lang: str) -> None:
    page.get_by_role("button", name=TEXT[lang]["switch"], exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def screenshot(page: Page, live_server, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"{name}-{live_server.backend}.png", full_page=True)


def users_link(page: Page, lang: str):
    return page.locator("nav.main-nav").get_by_role("link", name=TEXT[lang]["users"], exact=True)


@pytest.mark.parametrize("key", list(PEOPLE))
def test_each_role_signs_in_sees_their_home_and_signs_out(page, live_server, key):
    person = live_server.people[key]
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "th")

    sign_in(page, person)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text(welcome(person, "th"))
    expect(users_link(page, "th")).to_have_count(1 if person.is_admin else 0)
    if key == "executive":
        expect(page.locator("dl.facts")).to_contain_text("ผู้บริหารระดับสูง")
    screenshot(page, live_server, f"home-{key}-th")

    switch_language(page, "en")
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/\??$"))
    expect(page.locator("h1")).to_have_text(welcome(person, "en"))
    expect(users_link(page, "en")).to_have_count(1 if person.is_admin else 0)
    screenshot(page, live_server, f"home-{key}-en")

    if person.is_admin:
        users_link(page, "en").click()
        expect(page).to_have_url(f"{live_server.url}/admin/users")
        expect(page.locator("main")).to_contain_text(PEOPLE["learner"].email)
        page.go_back()
    else:
        response = page.goto("/admin/users")
        assert response.status == 403

    page.goto("/")
    switch_language(page, "th")
    page.get_by_role("button", name=TEXT["th"]["sign_out"], exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.locator("h1")).to_have_text(TEXT["th"]["sign_in"])
    expect(page.locator(".flashes")).to_contain_text(TEXT["th"]["signed_out"])

    # The session really ended: the home page sends us back to the login page.
    page.goto("/")
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/login\?next="))


def test_language_switch_on_the_login_page_is_remembered(page, live_server):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.locator("h1")).to_have_text(TEXT["th"]["sign_in"])

    switch_language(page, "en")
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/login\??$"))
    expect(page.locator("h1")).to_have_text("Sign in")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page.locator(".lang-current")).to_have_text("English")
    expect(page.locator('label[for="email"]')).to_have_text("Email")
    screenshot(page, live_server, "login-en")

    page.goto("/login")  # a fresh load: the cookie remembers the choice
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Sign in")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["lms_lang"]["value"] == "en"
    assert cookies["lms_lang"]["httpOnly"] is True

    switch_language(page, "th")
    expect(page.locator("h1")).to_have_text(TEXT["th"]["sign_in"])
    screenshot(page, live_server, "login-th")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.locator("h1")).to_have_text(TEXT["th"]["sign_in"])


def test_language_switch_on_the_home_page_is_remembered(page, live_server):
    person = live_server.people["learner"]
    sign_in(page, person)
    expect(page.locator("h1")).to_have_text(welcome(person, "th"))

    switch_language(page, "en")
    expect(page.locator("h1")).to_have_text(welcome(person, "en"))
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(welcome(person, "en"))

    switch_language(page, "th")
    expect(page.locator("h1")).to_have_text(welcome(person, "th"))
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.locator("h1")).to_have_text(welcome(person, "th"))


def test_wrong_password_shows_the_thai_error_next_to_the_field(page, live_server):
    person = live_server.people["learner"]
    with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as info:
        sign_in(page, person, password="not-the-password")
    assert info.value.status == 400
    expect(page).to_have_url(f"{live_server.url}/login")

    password = page.locator('input[name="password"]')
    error = page.locator(".field", has=password).locator(".error")
    expect(error).to_contain_text(WRONG_PASSWORD_TH)
    expect(error).to_be_visible()
    error_id = error.get_attribute("id")
    assert error_id
    expect(password).to_have_attribute("aria-invalid", "true")
    assert error_id in (password.get_attribute("aria-describedby") or "").split()
    screenshot(page, live_server, "login-wrong-password-th")


@pytest.mark.parametrize("path", ["/login", "/"])
def test_narrow_screen_has_no_horizontal_scroll_and_a_visible_skip_link(
    browser_context, console, live_server, path
):
    context = browser_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.on("console", lambda msg: console.messages.append((msg.type, msg.text)))
    if path == "/":
        sign_in(page, live_server.people["admin"])  # the admin has the widest header
        expect(page.locator("h1")).to_contain_text(TEXT["th"]["welcome"])
    else:
        page.goto(path)

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"{path} scrolls sideways at 320 px: scrollWidth={scroll_width}"

    skip = page.locator("a.skip-link")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= 320, box
    assert box["width"] > 1 and box["height"] > 1, box
    expect(skip).to_be_in_viewport()
    name = "home-admin-th-320" if path == "/" else "login-th-320"
    screenshot(page, live_server, name)

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()
    assert not console.csp_violations(), console.csp_violations()


def _axe(page: Page, name: str, live_server) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    response = results.response
    assert response["testEngine"]["name"] == "axe-core" and response["passes"], "axe did not run"

    def summary(items):
        return [
            {
                "id": item["id"],
                "impact": item["impact"],
                "help": item["help"],
                "targets": [node["target"] for node in item["nodes"]],
            }
            for item in items
        ]

    report = {
        "url": page.url,
        "axe": response["testEngine"]["version"],
        "violations": summary(response["violations"]),
        "incomplete": summary(response.get("incomplete", [])),
    }
    (ARTIFACTS / f"axe-{name}-{live_server.backend}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2)
    )
    return response["violations"]


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("where", ["login", "home"])
def test_axe_finds_no_serious_or_critical_violation(page, live_server, where, lang):
    page.context.add_cookies(
        [{"name": "lms_lang", "value": lang, "url": live_server.url, "httpOnly": True, "sameSite": "Lax"}]
    )
    if where == "home":
        sign_in(page, live_server.people["admin"], lang=lang)
        expect(page.locator("h1")).to_contain_text(TEXT[lang]["welcome"])
    else:
        page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", lang)

    violations = _axe(page, f"{where}-{lang}", live_server)
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, "\n".join(blocking)


def test_content_security_policy_is_sent_and_not_violated(page, live_server, console):
    responses = []
    page.on("response", lambda r: responses.append(r) if r.request.resource_type == "document" else None)

    page.goto("/login")
    switch_language(page, "en")
    switch_language(page, "th")
    sign_in(page, live_server.people["admin"])
    expect(page.locator("h1")).to_contain_text(TEXT["th"]["welcome"])
    page.goto("/admin/users")
    page.goto("/account/password")
    page.goto("/")
    page.get_by_role("button", name=TEXT["th"]["sign_out"], exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/login")

    assert len(responses) >= 8
    for response in responses:
        csp = response.header_value("content-security-policy")
        assert csp, f"no Content-Security-Policy on {response.url}"
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, csp
    # The stylesheet really loaded under the policy (a blocked one would leave it unstyled).
    assert page.evaluate("document.styleSheets.length") >= 1
    assert page.evaluate("getComputedStyle(document.querySelector('a.skip-link')).position") == "absolute"
    assert not console.csp_violations(), console.csp_violations()
    assert not console.page_errors, console.page_errors
