"""``%`` and ``_`` typed in a search box are text, not LIKE wildcards: the admin's user search
and an HR officer's certificate search find what was typed, and a lone ``%`` no longer lists
everyone."""

from __future__ import annotations

from lms.accounts import service as accounts
from lms.accounts.models import OrgUnit
from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.extensions import session
from tests.conftest import login, make_course, make_user


def _emails_listed(client, query: str) -> set[str]:
    response = client.get("/admin/users", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {email for email in ("a_b@example.org", "axb@example.org", "sure@example.org") if email in page}


SEARCHES = [
    ("%", {"sure@example.org"}),
    ("100%", {"sure@example.org"}),
    ("_", {"a_b@example.org"}),
    ("a_b", {"a_b@example.org"}),
    ("\\", set()),
    ("%@example.org", set()),
    ("axb", {"axb@example.org"}),
]


def test_the_admin_user_search_takes_wildcards_literally(client):
    make_user("learner", email="a_b@example.org", password=None, first_name_th="อักษร")
    make_user("learner", email="axb@example.org", password=None, first_name_th="เอกซ์")
    make_user("learner", email="sure@example.org", password=None, last_name_en="100% Sure")
    admin = make_user("admin")
    login(client, admin.email)
    for query, found in SEARCHES:
        assert _emails_listed(client, query) == found, query


def test_an_hr_officers_certificate_search_takes_wildcards_literally(client):
    unit = OrgUnit(code="T-DA", name_th="กรมเอ", name_en="Department A", kind="department", is_central=True)
    session.add(unit)
    session.flush()
    course = make_course("basics")
    serials = {}
    for key, last_name_en, serial in (("p1", "100% Done", "DG-A_1"), ("p2", "Tester", "DG-AB1")):
        person = make_user("learner", password=None, org_unit_id=unit.id, last_name_en=last_name_en)
        enrolment = courses.enrol(person, course)
        session.add(
            Certificate(
                serial=serial,
                verification_code=f"code-{key}",
                registration=enrolment.registration,
                user_id=person.id,
                course_id=course.id,
                template="formal-th",
                data={},
            )
        )
        serials[key] = serial
    hr = make_user("hr")
    accounts.set_scopes(hr, [unit.id], [])
    session.commit()
    login(client, hr.email)

    def found(query: str) -> set[str]:
        response = client.get("/certificates/courses/basics", query_string={"q": query})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        return {serial for serial in serials.values() if f">{serial}<" in page}

    assert found("") == {"DG-A_1", "DG-AB1"}
    assert found("_") == {"DG-A_1"}
    assert found("a_1") == {"DG-A_1"}
    assert found("%") == {"DG-A_1"}  # p1's English name holds a real %
    assert found("%x") == set()
