"""The names a certificate prints: built from the person's name parts when it is issued."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.names import printed_name
from lms.certificates.data import code_groups, name_parts
from lms.certificates.models import Certificate
from lms.courses import service as courses
from lms.extensions import session
from tests.conftest import make_course, make_user


def issued_to(learner, slug: str) -> Certificate:
    course = make_course(slug, modules=1, lessons_per_module=1)
    courses.enrol(learner, course)
    courses.leave_lesson(learner, course, courses.lessons_in_order(course)[0], 60, complete=True)
    session.commit()
    return session.scalar(select(Certificate).where(Certificate.user_id == learner.id))


def test_without_an_english_name_the_english_name_is_empty_and_thai_is_printed_once(app, renderer):
    learner = make_user(title_th="นาย", first_name_th="ศักดิ์สิทธิ์", last_name_th="วิจิตรไพบูลย์")
    certificate = issued_to(learner, "names-thai-only")
    assert certificate.data["learner"]["full_name_th"] == "นายศักดิ์สิทธิ์ วิจิตรไพบูลย์"
    assert certificate.data["learner"]["full_name_en"] == ""
    html = renderer.render_html("bilingual", {**certificate.data, "verify_url": "https://x.example/v"})
    assert html.count("ศักดิ์สิทธิ์</span>") == 1
    assert 'class="name en"' not in html


def test_a_latin_title_is_followed_by_a_space_a_thai_one_is_not(app):
    learner = make_user(
        title_th="Mr.", first_name_th="John", last_name_th="Smith", title_en="Mr.", first_name_en="John"
    )
    learner.last_name_en = "Smith"
    session.commit()
    data = issued_to(learner, "names-latin").data["learner"]
    assert data["full_name_th"] == "Mr. John Smith"
    assert data["full_name_en"] == "Mr. John Smith"


@pytest.mark.parametrize(
    ("parts", "printed"),
    [
        (("นาย", "สมชาย", "ใจดี"), "นายสมชาย ใจดี"),
        (("ดร.", "สมชาย", "ใจดี"), "ดร.สมชาย ใจดี"),
        (("Mr.", "John", "Smith"), "Mr. John Smith"),
        (("Mr", "John", "Smith"), "Mr John Smith"),
        ((None, "John", "Smith"), "John Smith"),
        (("Ms", "", ""), ""),
    ],
)
def test_printed_name(parts, printed):
    assert printed_name(*parts) == printed


def test_name_parts_keep_the_given_name_and_the_surname_whole():
    assert name_parts("ว่าที่ร้อยตรีหญิง ดร.ปิ่นมณี รุ่งเรืองศรี", "รุ่งเรืองศรี") == [
        "ว่าที่ร้อยตรีหญิง ดร.ปิ่นมณี",
        "รุ่งเรืองศรี",
    ]
    assert name_parts("นายสมชาย ใจงาม") == ["นายสมชาย", "ใจงาม"]


def test_codes_print_in_groups_of_four():
    assert code_groups("7KQ2M9XP4T") == "7KQ2-M9XP-4T"
    assert code_groups("7kq2-m9xp 4t") == "7KQ2-M9XP-4T"


def test_pages_write_names_as_certificates_do():
    """The name on a page (reports, the API) follows the same rule as the printed one: a Latin
    title in the Thai fields, as a staff list may hold it, is followed by a space."""
    latin = User(title_th="Mr.", first_name_th="John", last_name_th="Smith")
    thai = User(title_th="นาย", first_name_th="สมชาย", last_name_th="ใจดี", title_en="Mr.")
    assert latin.full_name("th") == "Mr. John Smith"
    assert thai.full_name("th") == "นายสมชาย ใจดี"
    assert thai.full_name("en") == "นายสมชาย ใจดี"  # no English name: the Thai one
