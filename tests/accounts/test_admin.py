import re

import pytest
from sqlalchemy import select

from lms.accounts.demo import demo_data, load_units
from lms.accounts.models import OrgUnit, Province, User
from lms.extensions import session
from tests.conftest import login, make_user, post_form

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/users/import"]


@pytest.mark.parametrize("role", ["learner", "trainer", "hr"])
def test_admin_pages_are_forbidden_to_other_roles(client, users, role):
    login(client, users[role].email)
    for url in [*ADMIN_PAGES, f"/admin/users/{users['learner'].id}"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "คุณไม่มีสิทธิ์เข้าถึงหน้านี้" in response.get_data(as_text=True)
    reset = post_form(client, f"/admin/users/{users['learner'].id}/reset-password", page="/")
    assert reset.status_code == 403


def test_admin_pages_send_anonymous_visitors_to_login(client, users):
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")


def test_user_list_and_search(client, users, as_role):
    make_user(email="somsri@example.org", first_name_th="สมศรี", last_name_th="ใจงาม", first_name_en="Somsri")
    as_role("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "พบผู้ใช้ 5 คน" in page
    found = client.get("/admin/users?q=สมศรี").get_data(as_text=True)
    assert "พบผู้ใช้ 1 คน" in found and "somsri@example.org" in found
    by_english = client.get("/admin/users?q=SOMSRI").get_data(as_text=True)
    assert "somsri@example.org" in by_english
    assert client.get("/admin/users?page=abc").status_code == 400


@pytest.mark.parametrize("page", ["0", "-1", "99999999999999999999"])
def test_a_page_number_out_of_range_is_a_400_with_the_reason(client, users, as_role, page):
    as_role("admin")
    response = client.get(f"/admin/users?page={page}")
    assert response.status_code == 400
    assert "หมายเลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100000" in response.get_data(as_text=True)


def test_user_list_pages_keep_the_search(app, client, users, as_role):
    app.config["LMS_USERS_PER_PAGE"] = 2
    for i in range(3):
        make_user(email=f"paged{i}@example.org", first_name_en="Paged")
    as_role("admin")
    first = client.get("/admin/users?q=Paged").get_data(as_text=True)
    assert "หน้า 1 จาก 2" in first and 'rel="prev"' not in first
    next_link = re.search(r'href="([^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(next_link).get_data(as_text=True)
    assert "หน้า 2 จาก 2" in second and 'rel="next"' not in second
    shown = re.findall(r"paged\d@example.org", first + second)
    assert sorted(shown) == ["paged0@example.org", "paged1@example.org", "paged2@example.org"]


def test_user_list_query_count_does_not_grow_with_users(client, users, as_role, count_queries):
    load_units(demo_data()["units"])
    session.commit()
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "DEMO-OPS-ICT"))
    province = session.scalar(select(Province).where(Province.iso_code == "TH-50"))
    as_role("admin")

    def add_users(start, stop):
        for i in range(start, stop):
            make_user(email=f"bulk{i}@example.org", org_unit_id=unit.id, province_id=province.id)

    add_users(0, 2)
    with count_queries() as few:
        client.get("/admin/users")
    add_users(2, 27)
    with count_queries() as many:
        page = client.get("/admin/users").get_data(as_text=True)
    assert "bulk26@example.org" in page
    assert many["n"] == few["n"]


def test_admin_creates_a_user_with_roles_and_scope(client, users, as_role):
    load_units(demo_data()["units"])
    session.commit()
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "DEMO-PO-CM"))
    province = session.scalar(select(Province).where(Province.iso_code == "TH-40"))
    as_role("admin")
    response = post_form(
        client,
        "/admin/users/new",
        {
            "email": "New.Person@Example.org",
            "title_th": "ว่าที่ร้อยตรี",
            "first_name_th": "ใหม่",
            "last_name_th": "มาแล้ว",
            "staff_group": "executive",
            "org_unit_id": str(unit.id),
            "province_id": "0",
            "is_active": "y",
            "roles": ["learner", "hr"],
            "scope_units": [str(unit.id)],
            "scope_provinces": [str(province.id)],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    user = session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.roles == {"learner", "hr"}
    assert user.full_name("th") == "ว่าที่ร้อยตรีใหม่ มาแล้ว"
    assert user.org_unit_id == unit.id and user.province_id is None
    assert {(s.org_unit_id, s.province_id) for s in user.scopes} == {(unit.id, None), (None, province.id)}


def test_creating_a_duplicate_email_is_refused(client, users, as_role):
    as_role("admin")
    response = post_form(
        client,
        "/admin/users/new",
        {
            "email": users["learner"].email.upper(),
            "first_name_th": "ซ้ำ",
            "last_name_th": "ซ้ำ",
            "staff_group": "general",
            "org_unit_id": "0",
            "province_id": "0",
            "roles": ["learner"],
        },
    )
    assert response.status_code == 409
    assert "มีผู้ใช้ที่ใช้อีเมล learner@example.org อยู่แล้ว" in response.get_data(as_text=True)
    assert session.scalar(select(User).where(User.first_name_th == "ซ้ำ")) is None


def test_bad_form_values_get_field_errors(client, users, as_role):
    as_role("admin")
    response = post_form(
        client,
        "/admin/users/new",
        {
            "email": "not-an-email",
            "first_name_th": "",
            "last_name_th": "x" * 101,
            "staff_group": "astronaut",
            "org_unit_id": "0",
            "province_id": "0",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "อีเมลไม่ถูกต้อง" in page
    assert "ต้องกรอกช่องนี้" in page
    assert "ยาวได้ไม่เกิน 100 ตัวอักษร" in page
    assert 'aria-invalid="true"' in page


def test_admin_edits_deactivates_and_removes_hr_scope(client, users, as_role):
    load_units(demo_data()["units"])
    session.commit()
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "DEMO-OPS"))
    target = users["hr"]
    as_role("admin")
    url = f"/admin/users/{target.id}"
    base = {
        "email": target.email,
        "first_name_th": "แก้",
        "last_name_th": "ไข",
        "staff_group": "practitioner",
        "org_unit_id": "0",
        "province_id": "0",
    }
    post_form(
        client, url, {**base, "is_active": "y", "roles": ["learner", "hr"], "scope_units": [str(unit.id)]}
    )
    session.expire_all()
    assert [s.org_unit_id for s in session.get(User, target.id).scopes] == [unit.id]
    response = post_form(client, url, {**base, "roles": ["learner"], "scope_units": [str(unit.id)]})
    assert response.status_code == 302
    session.expire_all()
    edited = session.get(User, target.id)
    assert edited.is_active is False
    assert edited.roles == {"learner"}
    assert edited.scopes == []
    assert edited.staff_group == "practitioner"


def test_admin_resets_a_password_that_then_works(client, users, as_role, app):
    as_role("admin")
    response = post_form(
        client,
        f"/admin/users/{users['learner'].id}/reset-password",
        page=f"/admin/users/{users['learner'].id}",
    )
    page = response.get_data(as_text=True)
    password = re.search(r'<code id="new-password">([^<]+)</code>', page).group(1)
    other = app.test_client()
    assert login(other, users["learner"].email, password).status_code == 302


def test_editing_an_unknown_user_is_404(client, users, as_role):
    as_role("admin")
    assert client.get("/admin/users/999999").status_code == 404
