"""The LMS mounted into a host app that has its own models, routes, login and migrations."""

import pytest
from flask import Flask, redirect, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Mapped, mapped_column

from lms import LMS, Identity
from lms.accounts.models import User
from lms.extensions import Base
from tests.conftest import (
    BACKENDS,
    REFERENCE_TABLES,
    RequestIsolatedClient,
    empty_database,
    head_revision,
    make_user,
    post_form,
)

HOST_LINKS = {"host_logout_endpoint": "host_logout", "host_home_endpoint": "host_home"}


def build_host(database_url: str, *, with_identity: bool = True, **lms_options) -> tuple[Flask, SQLAlchemy]:
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
        unit_code: Mapped[str | None]
        province_code: Mapped[str | None]
        staff_group: Mapped[str | None]
        position: Mapped[str | None]

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

    @host.route("/", endpoint="host_home")
    def host_home():
        return f"host home page, signed in: {current_user.is_authenticated}"

    @host.route("/logout", endpoint="host_logout")
    def host_logout():
        logout_user()
        return redirect(url_for("host_home"))

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
            org_unit_code=current_user.unit_code,
            province_code=current_user.province_code,
            staff_group=current_user.staff_group,
            position=current_user.position,
        )

    if with_identity:
        LMS(
            host,
            url_prefix="/learn",
            identity_loader=identity,
            host_login_endpoint="host_login",
            **lms_options,
        )
    else:
        LMS(host, url_prefix="/learn", **lms_options)
    return host, db


@pytest.fixture(scope="module", params=BACKENDS)
def module_database(request, tmp_path_factory):
    """One host database per backend for this module: migrating it for every test is slow."""
    with empty_database(request.param, tmp_path_factory) as url:
        yield url


@pytest.fixture
def host_database(module_database):
    """The module's database, emptied after each test (the provinces and versions stay)."""
    yield module_database
    engine = create_engine(module_database)
    names = set(inspect(engine).get_table_names())
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    tables = [name for name in ("notes", "host_users", *tables) if name in names]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # ids start again at 1, as in a new database
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
    engine.dispose()


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
    assert 'href="/learn/static/css/lms.css' in page
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


def close(host, db):
    with host.app_context():
        db.session.remove()
        db.engine.dispose()


def test_sign_out_goes_to_the_host_and_password_pages_are_the_hosts(host_database):
    """The header's sign-out leads to the host's logout; no LMS password page; a way home."""
    host, db = build_host(host_database, **HOST_LINKS)
    migrate_host(host, db)
    with host.app_context():
        db.session.add(host.models["HostUser"](email="dao@example.org", name="ดาว ประกาย"))
        db.session.commit()
    client = host.test_client()
    client.get("/login-as/1")

    page = client.get("/learn/").get_data(as_text=True)
    assert '<a href="/" class="host-home">กลับสู่เว็บไซต์หลัก</a>' in page
    assert 'action="/learn/logout"' in page
    assert "/learn/account/password" not in page
    assert client.get("/learn/account/password").status_code == 404

    signed_out = post_form(client, "/learn/logout", page="/learn/")
    assert signed_out.status_code == 303 and signed_out.location == "/logout"
    landed = client.get(signed_out.location, follow_redirects=True)
    assert landed.status_code == 200
    assert landed.get_data(as_text=True) == "host home page, signed in: False"
    assert client.get("/learn/").location.startswith("/login?next=")
    close(host, db)


def test_without_a_host_logout_the_lms_offers_no_sign_out(host_database):
    host, db = build_host(host_database)
    migrate_host(host, db)
    with host.app_context():
        db.session.add(host.models["HostUser"](email="dao@example.org", name="ดาว ประกาย"))
        db.session.commit()
    client = host.test_client()
    client.get("/login-as/1")
    page = client.get("/learn/").get_data(as_text=True)
    assert "ออกจากระบบ" not in page and 'action="/learn/logout"' not in page
    assert "host-home" not in page
    assert post_form(client, "/learn/logout", page="/learn/").status_code == 404
    assert client.get("/").get_data(as_text=True) == "host home page, signed in: True"
    close(host, db)


def test_host_endpoints_need_an_identity_loader():
    host = Flask("host")
    host.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    SQLAlchemy(host)
    with pytest.raises(ValueError, match="need identity_loader"):
        LMS(host, host_logout_endpoint="logout")
    assert "lms" not in host.extensions


def org_for_reports(host, db):
    """Two units and a path for executives; two HR officers (host users) scoped to a unit and a
    province. Returns the host user ids: learner, unit officer, province officer, other unit's officer."""
    from lms.accounts import service
    from lms.accounts.models import OrgUnit, Province
    from lms.content.models import LearningPath
    from tests.conftest import make_course

    HostUser = host.models["HostUser"]
    with host.app_context():
        db.session.add_all(
            [
                HostUser(
                    email="dao@example.org",
                    name="ดาว ประกาย",
                    unit_code="U-CM",
                    province_code="TH-50",
                    staff_group="executive",
                ),
                HostUser(email="unit.hr@example.org", name="หน่วย ดูแล"),
                HostUser(email="province.hr@example.org", name="จังหวัด ดูแล"),
                HostUser(email="other.hr@example.org", name="อื่น ดูแล"),
                OrgUnit(code="U-CM", name_th="สำนักงานเชียงใหม่", name_en="Chiang Mai Office", kind="division"),
                OrgUnit(code="U-KK", name_th="สำนักงานขอนแก่น", name_en="Khon Kaen Office", kind="division"),
            ]
        )
        db.session.commit()
        make_course(modules=1, lessons_per_module=1, audience=("executive",))
        db.session.add(
            LearningPath(
                key="exec",
                staff_group="executive",
                title_th="เส้นทางผู้บริหาร",
                title_en="Executives",
                course_slugs=["test-course"],
            )
        )
        db.session.commit()
    officers = {}
    for uid, email in (
        (2, "unit.hr@example.org"),
        (3, "province.hr@example.org"),
        (4, "other.hr@example.org"),
    ):
        client = host.test_client()
        client.get(f"/login-as/{uid}")
        assert client.get("/learn/").status_code == 200
        result = host.test_cli_runner().invoke(args=["lms", "users", "set-role", email, "hr"])
        assert result.exit_code == 0, result.output
        officers[email] = client
    with host.app_context():
        units = {u.code: u.id for u in db.session.scalars(select(OrgUnit))}
        th50 = db.session.scalar(select(Province.id).where(Province.iso_code == "TH-50"))
        by_email = {u.email: u for u in db.session.scalars(select(User))}
        service.set_scopes(by_email["unit.hr@example.org"], [units["U-CM"]], [])
        service.set_scopes(by_email["province.hr@example.org"], [], [th50])
        service.set_scopes(by_email["other.hr@example.org"], [units["U-KK"]], [])
        db.session.commit()
    return officers


def lms_user_writes(db):
    """Record the INSERT/UPDATE statements on lms_users the engine runs."""
    from sqlalchemy import event

    seen = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("INSERT INTO LMS_USERS", "UPDATE LMS_USERS")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    return seen


def test_host_users_carry_unit_province_and_staff_group_into_reports(host_database):
    host, db = build_host(host_database, **HOST_LINKS)
    migrate_host(host, db)
    officers = org_for_reports(host, db)
    learner = host.test_client()
    learner.get("/login-as/1")

    home = learner.get("/learn/").get_data(as_text=True)
    assert "สำนักงานเชียงใหม่" in home and "เชียงใหม่</dd>" in home
    assert "แนะนำสำหรับคุณ" in home and "เส้นทางผู้บริหาร" in home
    assert 'href="/learn/courses/test-course"' in home
    post_form(learner, "/learn/courses/test-course/enrol", page="/learn/courses/test-course")

    def listed(officer: str, query: str) -> bool:
        response = officers[officer].get(f"/learn/reports/drilldown?{query}")
        assert response.status_code == 200
        return "ดาว ประกาย" in response.get_data(as_text=True)

    assert listed("unit.hr@example.org", "unit=U-CM")
    assert listed("province.hr@example.org", "province=TH-50")
    assert not listed("other.hr@example.org", "unit=U-KK")

    with host.app_context():
        writes = lms_user_writes(db)
    learner.get("/learn/")
    learner.get("/learn/courses")
    assert writes == []

    with host.app_context():
        db.session.get(host.models["HostUser"], 1).unit_code = "U-KK"
        db.session.commit()
    assert learner.get("/learn/").status_code == 200
    assert len(writes) == 1
    assert not listed("unit.hr@example.org", "unit=U-CM")
    assert listed("other.hr@example.org", "unit=U-KK")
    assert listed("province.hr@example.org", "province=TH-50")
    close(host, db)


def test_unknown_codes_from_the_host_are_logged_and_the_rest_is_kept(host_database, caplog):
    host, db = build_host(host_database, **HOST_LINKS)
    migrate_host(host, db)
    with host.app_context():
        db.session.add(
            host.models["HostUser"](
                email="dao@example.org",
                name="ดาว ประกาย",
                unit_code="NO-SUCH-UNIT",
                province_code="TH-99",
                staff_group="executive",
                position="ผู้อำนวยการ" * 30,
            )
        )
        db.session.commit()
    client = host.test_client()
    client.get("/login-as/1")
    with caplog.at_level("WARNING", logger="lms.accounts.identity"):
        home = client.get("/learn/")
    assert home.status_code == 200
    assert "ยินดีต้อนรับ ดาว ประกาย" in home.get_data(as_text=True)
    with host.app_context():
        profile = db.session.scalar(select(User))
        assert (profile.org_unit_id, profile.province_id, profile.staff_group) == (None, None, "executive")
        assert profile.position == ""
        host_user = db.session.get(host.models["HostUser"], 1)
        host_user.staff_group, host_user.province_code = "astronaut", "th-50"
        db.session.commit()
    with caplog.at_level("WARNING", logger="lms.accounts.identity"):
        assert client.get("/learn/").status_code == 200
    warnings = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "'NO-SUCH-UNIT'" in warnings and "'TH-99'" in warnings and "'astronaut'" in warnings
    assert "position is longer than 255 characters" in warnings
    with host.app_context():
        profile = db.session.scalar(select(User))
        assert profile.staff_group == "executive"
        assert profile.province.iso_code == "TH-50"
    close(host, db)


def test_a_host_user_the_lms_cannot_serve_gets_a_403_not_a_loop_through_the_host_login(host_database):
    """A deactivated profile, or an email another host identity holds: the host's login would
    only send them back, so the LMS says no (and never a 500)."""
    host, db = build_host(host_database, **HOST_LINKS)
    migrate_host(host, db)
    HostUser = host.models["HostUser"]
    with host.app_context():
        db.session.add_all([HostUser(email="dao@example.org", name="ดาว ประกาย")])
        db.session.commit()
        make_user(email="taken@example.org", external_id="another-host-id")
    client = host.test_client()
    client.get("/login-as/1")
    assert client.get("/learn/").status_code == 200
    with host.app_context():
        db.session.scalar(select(User).where(User.external_id == "host-1")).is_active = False
        db.session.add(HostUser(email="taken@example.org", name="ซ้ำ กัน"))
        db.session.commit()
    refused = client.get("/learn/")
    assert refused.status_code == 403 and "ไม่มีสิทธิ์" in refused.get_data(as_text=True)

    other = host.test_client()
    other.get("/login-as/2")
    assert other.get("/learn/").status_code == 403
    with host.app_context():
        assert db.session.scalar(select(User).where(User.external_id == "host-2")) is None
    close(host, db)
