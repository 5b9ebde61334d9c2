"""Sign-in throttling: per account with a growing delay (kept in Redis when configured), the
real client's address behind trusted proxies, and a warning when limits live in memory."""

import logging
import uuid

import pytest
import redis

from lms import create_app
from tests.conftest import login, make_user, post_form

REDIS_URL = "redis://127.0.0.1:6379/15"
WRONG = "wrong-password-123"


@pytest.fixture
def learner(app):
    return make_user(email="learner@example.org")


def login_from(client, address: str, email: str) -> int:
    """A failed sign-in through a proxy that says the client is ``address``."""
    data = {"email": email, "password": WRONG}
    return post_form(client, "/login", data, headers={"X-Forwarded-For": address}).status_code


def fail(client, email: str, times: int) -> None:
    for _ in range(times):
        assert login(client, email, WRONG).status_code == 400


def test_five_failures_for_one_email_refuse_it_even_with_the_right_password(client, learner):
    fail(client, learner.email, 5)
    refused = login(client, learner.email)
    assert refused.status_code == 429
    assert "โปรดลองอีกครั้งใน 32 วินาที" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) >= 32  # or the per-address window, if longer
    assert client.get("/").status_code == 302


def test_an_unknown_email_is_refused_the_same_way(client, app):
    fail(client, "nobody@example.org", 5)
    refused = login(client, "nobody@example.org")
    assert refused.status_code == 429
    assert "โปรดลองอีกครั้งใน 32 วินาที" in refused.get_data(as_text=True)


@pytest.fixture
def shared_redis(app_factory):
    """Two apps (two workers) on one Redis, under a key prefix of their own."""
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    settings = {
        "LMS_REDIS_URL": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        # A per-address limit of its own, so its Redis key is not another test's.
        "LMS_LOGIN_RATE_LIMIT": "1000 per minute",
    }
    server = redis.Redis.from_url(REDIS_URL)
    try:
        yield app_factory(**settings), app_factory(**settings), server, prefix
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        server.close()


def lock_seconds(server, prefix: str) -> int:
    (key,) = list(server.scan_iter(f"*{prefix}lms-login-account:locked:*"))
    return server.ttl(key)


def test_the_delay_is_shared_by_workers_through_redis_and_doubles(shared_redis, learner):
    first_app, second_app, server, prefix = shared_redis
    first, second = first_app.test_client(), second_app.test_client()
    fail(first, learner.email, 3)
    fail(second, learner.email, 2)
    assert login(first, learner.email).status_code == 429
    assert login(second, learner.email).status_code == 429
    assert 30 <= lock_seconds(server, prefix) <= 32

    for key in server.scan_iter(f"*{prefix}lms-login-account:locked:*"):
        server.delete(key)  # as if the 32 seconds had passed
    fail(second, learner.email, 1)
    assert 62 <= lock_seconds(server, prefix) <= 64
    assert login(first, learner.email).status_code == 429

    for key in server.scan_iter(f"*{prefix}lms-login-account:locked:*"):
        server.delete(key)
    assert login(first, learner.email).status_code == 302
    assert not list(server.scan_iter(f"*{prefix}lms-login-account:*")), "a success forgets the failures"
    assert learner.email not in str(list(server.scan_iter(f"*{prefix}*")))


def test_behind_a_trusted_proxy_the_limit_keys_on_the_forwarded_client(app_factory):
    proxied = app_factory(LMS_TRUSTED_PROXIES=1, LMS_LOGIN_RATE_LIMIT="2 per minute")
    client = proxied.test_client()

    codes = [login_from(client, "203.0.113.7", f"someone-{n}@example.org") for n in range(3)]
    assert codes == [400, 400, 429]
    assert login_from(client, "203.0.113.8", "someone-3@example.org") == 400


def test_without_a_trusted_proxy_a_forged_forwarded_header_changes_nothing(app_factory):
    direct = app_factory(LMS_LOGIN_RATE_LIMIT="2 per minute")
    client = direct.test_client()
    codes = [login_from(client, f"198.51.100.{n}", f"someone-{n}@example.org") for n in range(3)]
    assert codes == [400, 400, 429]


def production_app(**config):
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k", **config})


def test_limits_in_memory_are_warned_about_at_start_up(caplog):
    with caplog.at_level(logging.WARNING, logger="lms"):
        production_app()
    assert any("LMS_REDIS_URL is not set" in r.getMessage() for r in caplog.records)


def test_no_warning_with_redis_or_in_tests(caplog):
    with caplog.at_level(logging.WARNING, logger="lms"):
        production_app(LMS_REDIS_URL=REDIS_URL)
        production_app(TESTING=True)
    assert not any("LMS_REDIS_URL is not set" in r.getMessage() for r in caplog.records)
