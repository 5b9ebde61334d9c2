from lms.accounts.models import User
from lms.extensions import limiter, session
from tests.conftest import PASSWORD, login, make_user, post_form


def test_login_page_is_thai_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="th">' in page
    assert "เข้าสู่ระบบ" in page


def test_login_with_the_right_password_reaches_home(client, users):
    response = login(client, users["learner"].email)
    assert response.status_code == 302
    assert response.location == "/"
    home = client.get("/").get_data(as_text=True)
    assert "ยินดีต้อนรับ นางสาวทดสอบ" not in home  # the fixture user has no title
    assert "ยินดีต้อนรับ ทดสอบ learner" in home


def test_wrong_password_is_refused_with_a_message(client, users):
    response = login(client, users["learner"].email, "wrong-password-123")
    assert response.status_code == 400
    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_message(client, app):
    response = login(client, "nobody@example.org")
    assert response.status_code == 400
    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in response.get_data(as_text=True)


def test_inactive_user_cannot_sign_in(client, app):
    user = make_user(email="gone@example.org")
    user.is_active = False
    session.commit()
    assert login(client, "gone@example.org").status_code == 400


def test_deactivated_user_loses_their_session(client, users):
    login(client, users["learner"].email)
    users["learner"].is_active = False
    session.commit()
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post("/login", data={"email": users["learner"].email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_passwords_are_stored_as_argon2id(app, users):
    stored = session.get(User, users["learner"].id).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_next_parameter_stays_on_this_site(client, users):
    token_page = "/login?next=https://evil.example/steal"
    response = post_form(client, token_page, {"email": users["learner"].email, "password": PASSWORD})
    assert response.location == "/"
    response = post_form(
        client, "/login?next=/account/password", {"email": users["learner"].email, "password": PASSWORD}
    )
    assert response.location == "/account/password"


def test_login_is_rate_limited_per_client_address(client, users):
    for n in range(10):  # a different email each time: the per-account delay does not start
        assert login(client, f"guess-{n}@example.org", "wrong-password-123").status_code == 400
    response = login(client, users["learner"].email)
    assert response.status_code == 429
    assert "พยายามหลายครั้งเกินไป" in response.get_data(as_text=True)


def test_session_cookie_is_secure_httponly_and_lax(app_factory):
    make_user(email="cookie@example.org")
    secure_app = app_factory(LMS_SESSION_COOKIE_SECURE=True)
    with secure_app.app_context():
        client = secure_app.test_client()
        login(client, "cookie@example.org")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"


def test_logout_needs_a_post_with_csrf(client, users):
    login(client, users["learner"].email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    response = post_form(client, "/logout", page="/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_change_password(client, users):
    login(client, users["learner"].email)
    wrong = post_form(
        client,
        "/account/password",
        {"current_password": "nope", "new_password": "a-new-password-1", "confirm": "a-new-password-1"},
    )
    assert wrong.status_code == 400
    assert "รหัสผ่านปัจจุบันไม่ถูกต้อง" in wrong.get_data(as_text=True)
    short = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
    )
    assert "รหัสผ่านต้องยาวอย่างน้อย 10 ตัวอักษร" in short.get_data(as_text=True)
    differ = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a-new-password-1", "confirm": "other-password-1"},
    )
    assert "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน" in differ.get_data(as_text=True)
    ok = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a-new-password-1", "confirm": "a-new-password-1"},
    )
    assert ok.status_code == 302
    post_form(client, "/logout", page="/")
    assert login(client, users["learner"].email).status_code == 400
    assert login(client, users["learner"].email, "a-new-password-1").status_code == 302


def test_login_limits_are_kept_in_redis_when_configured(app_factory, users):
    import redis

    server = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    shared = app_factory(LMS_REDIS_URL="redis://127.0.0.1:6379/15", LMS_LOGIN_RATE_LIMIT="2 per minute")
    # Flask-Limiter keeps the first key prefix it is given for the whole process (one limiter
    # object, many test apps): clear this process's keys only, since the other pytest worker
    # uses the same Redis database.
    pattern = f"*{limiter._key_prefix}*lms-login*"

    def clear():
        for key in server.keys(pattern):
            server.delete(key)

    clear()
    first, second = shared.test_client(), shared.test_client()
    try:
        assert login(first, users["learner"].email, "wrong-password-123").status_code == 400
        assert login(second, users["learner"].email, "wrong-password-123").status_code == 400
        assert login(first, users["learner"].email).status_code == 429
        assert server.keys(pattern), "the limiter kept nothing in Redis"
    finally:
        clear()
        server.close()
