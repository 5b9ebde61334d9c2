"""The LMS mounted into a host app that has its own models, routes, login and migrations."""

import pytest
from flask import Flask, redirect, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import inspect, select
from sqlalchemy.orm import Mapped, mapped_column

from lms import LMS, Identity
from lms.accounts.models import User
from tests.conftest import RequestIsolatedClient, empty_database, head_revision, make_user, post_form


def build_host(database_url: str, *, with_identity: bool = True) -> tuple[Flask, SQLAlchemy]:
    host = Flask("host")
    host.config.update(SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="host-secret", TESTING=True)
    host.test_client_class = RequestIsolatedClient
    db = SQLAlchemy(host)
    Migrate(host, db)  # the host's own Flask-Migrate: the LMS must not need it

    class HostUser(db.Model, UserMixin):
        __tablename__ = "host_users"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str]
        name: Mapped[str]

    class Note(db.Model):
        __tablename__ = "notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        text: Mapped[str]

    host.models = {"HostUser": HostUser, "Note": Note}
    if with_identity:
        manager = LoginManager(host)
        manager.user_loader(lambda uid: db.session.get(HostUser, int(uid)))

    @host.route("/login", endpoint="host_login")
    def host_login():
        return "host login page"

    @host.route("/login-as/<int:uid>")
    def login_as(uid):
        login_user(db.session.get(HostUser, uid))
        return redirect(url_for("notes"))

    @host.route("/notes")
    def notes():
        return ", ".join(n.text for n in db.session.scalars(select(Note)))

    def identity():
        if not current_user.is_authenticated:
            return None
        first, last = current_user.name.split(" ", 1)
        return Identity(
            external_id=f"host-{current_user.id}",
            email=current_user.email,
            first_name_th=first,
            last_name_th=last,
        )

    if with_identity:
        LMS(host, url_prefix="/learn", identity_loader=identity, host_login_endpoint="host_login")
    else:
        LMS(host, url_prefix="/learn")
    return host, db


@pytest.fixture
def host_database(backend, tmp_path_factory):
    with empty_database(backend, tmp_path_factory) as url:
        yield url


def migrate_host(host, db):
    with host.app_context():
        db.create_all()
    result = host.test_cli_runner().invoke(args=["lms", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"LMS database at: {head_revision()} (head)" in result.output


def test_host_and_lms_work_side_by_side(host_database):
    host, db = build_host(host_database)
    migrate_host(host, db)
    HostUser, Note = host.models["HostUser"], host.models["Note"]
    with host.app_context():
        db.session.add_all([HostUser(email="dao@example.org", name="ดาว ประกาย"), Note(text="host note")])
        db.session.commit()
        tables = set(inspect(db.engine).get_table_names())
        assert {"host_users", "notes", "lms_users", "lms_alembic_version"} <= tables
        assert "alembic_version" not in tables
        assert {t for t in tables if t not in {"host_users", "notes"}} == {
            t for t in tables if t.startswith("lms_")
        }

    client = host.test_client()
    anonymous = client.get("/learn/")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login?next=")
    assert client.get("/learn/login").status_code == 404

    client.get("/login-as/1")
    assert client.get("/notes").get_data(as_text=True) == "host note"
    home = client.get("/learn/")
    page = home.get_data(as_text=True)
    assert home.status_code == 200
    assert "ยินดีต้อนรับ ดาว ประกาย" in page
    assert 'href="/learn/static/css/lms.css"' in page
    assert client.get("/learn/static/css/lms.css").status_code == 200
    client.get("/learn/")

    with host.app_context():
        profiles = db.session.scalars(select(User)).all()
        assert [(p.external_id, p.email, p.roles) for p in profiles] == [
            ("host-1", "dao@example.org", {"learner"})
        ]
        assert profiles[0].password_hash is None

    switched = post_form(client, "/learn/language/en", {"next": "/learn/"}, page="/learn/")
    assert switched.status_code == 302
    assert "Welcome, ดาว ประกาย" in client.get("/learn/").get_data(as_text=True)
    assert client.post("/learn/language/th", data={"next": "/learn/"}).status_code == 400
    with host.app_context():
        db.session.remove()
        db.engine.dispose()


def test_lms_own_login_under_a_prefix(host_database):
    host, db = build_host(host_database, with_identity=False)
    migrate_host(host, db)
    with host.app_context():
        make_user(email="own@example.org")
    client = host.test_client()
    assert client.get("/learn/").location.startswith("/learn/login?next=")
    response = post_form(
        client, "/learn/login", {"email": "own@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302 and response.location == "/learn/"
    assert "ยินดีต้อนรับ" in client.get("/learn/").get_data(as_text=True)
    with host.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_host_with_flask_login_must_pass_an_identity_loader():
    host = Flask("host")
    host.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    SQLAlchemy(host)
    LoginManager(host)
    with pytest.raises(RuntimeError, match="Pass identity_loader"):
        LMS(host)


def test_the_lesson_player_saves_time_under_a_prefix(host_database):
    """The player's save on leave and its fresh stamp use the mounted addresses (/learn/...)."""
    host, db = build_host(host_database, with_identity=False)
    host.config["LMS_MIN_LESSON_TIME_RATIO"] = 0
    migrate_host(host, db)
    with host.app_context():
        from lms.courses import service as courses
        from tests.conftest import make_course

        learner_id = make_user(email="reader@example.org").id
        make_course(modules=1, lessons_per_module=1)
    client = host.test_client()
    post_form(client, "/learn/login", {"email": "reader@example.org", "password": "correct-horse-battery"})
    post_form(client, "/learn/courses/test-course/enrol", page="/learn/courses/test-course")
    lesson = client.get("/learn/courses/test-course/lessons/m1-l1").get_data(as_text=True)
    assert 'action="/learn/courses/test-course/lessons/m1-l1/leave"' in lesson
    assert 'data-opened-url="/learn/courses/test-course/lessons/m1-l1/opened"' in lesson
    assert client.get("/learn/courses/test-course/lessons/m1-l1/opened").get_json()["opened"]
    beacon = post_form(
        client,
        "/learn/courses/test-course/lessons/m1-l1/leave",
        {"action": "outline"},
        page="/learn/courses/test-course/lessons/m1-l1",
        headers={"Sec-Fetch-Dest": "empty"},
    )
    assert beacon.status_code == 204
    with host.app_context():
        enrolment = courses.enrolment_for(
            db.session.get(User, learner_id), courses.course_by_slug("test-course")
        )
        assert enrolment.last_lesson_key == "m1-l1"
        db.session.remove()
        db.engine.dispose()
