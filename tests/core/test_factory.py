import stat
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from lms import LMS, create_app
from lms.app import _instance_secret_key
from lms.config import SETTINGS, from_environ

ROOT = Path(__file__).resolve().parents[2]


def test_standalone_defaults_to_sqlite_and_the_instance_secret_key(monkeypatch):
    for key in ("LMS_DATABASE_URL", "LMS_SECRET_KEY"):
        monkeypatch.delenv(key, raising=False)
    app = create_app({"TESTING": True})
    instance = Path(app.instance_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'lms.sqlite3'}"
    assert app.config["SECRET_KEY"] == (instance / "secret_key").read_text().strip()


def test_the_secret_key_file_is_made_once_and_private(tmp_path):
    host = Flask("somewhere", instance_path=str(tmp_path / "instance"))
    key = _instance_secret_key(host)
    key_file = tmp_path / "instance" / "secret_key"
    assert len(key) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _instance_secret_key(host) == key


def test_environment_settings_win(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("LMS_LOCALES", "th, en")
    monkeypatch.setenv("LMS_SESSION_COOKIE_SECURE", "false")
    monkeypatch.setenv("LMS_PASSWORD_MIN_LENGTH", "14")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.db"
    assert app.config["LMS_LOCALES"] == ("th", "en")
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["LMS_PASSWORD_MIN_LENGTH"] == 14


def test_a_bad_environment_value_names_the_key():
    with pytest.raises(ValueError, match="LMS_PASSWORD_MIN_LENGTH='ten'"):
        from_environ({"LMS_PASSWORD_MIN_LENGTH": "ten"})


def test_production_cookies_are_secure_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("LMS_SESSION_COOKIE_SECURE", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_every_setting_is_prefixed_and_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in SETTINGS:
        assert key.startswith("LMS_")
        assert f"`{key}`" in readme, f"{key} is not listed in the README"


def test_the_lms_refuses_a_second_registration():
    app = Flask("host")
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    SQLAlchemy(app)
    LMS(app)
    with pytest.raises(RuntimeError, match="already registered"):
        LMS(app)


def test_the_lms_needs_flask_sqlalchemy_first():
    with pytest.raises(RuntimeError, match="Register Flask-SQLAlchemy"):
        LMS(Flask("host"))


def test_no_secret_is_committed():
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [name for name in tracked if "secret_key" in name or name.endswith(".sqlite3")]
