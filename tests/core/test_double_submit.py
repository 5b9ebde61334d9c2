"""A double submit (two clicks, two tabs) of enrol, quiz start and user create.

Two real clients send the same request from two threads. A barrier holds each request at its
first flush of the new row until both have read that there is none yet, so both really insert;
the database's unique constraint then refuses the slower one. That one used to be a 500
(IntegrityError, then PendingRollbackError on the error page); now it gets the same answer as
the first (the same lesson, the same attempt) or, for a new user, a 409 saying the email is
taken. Nothing is written twice.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.courses import service as courses
from lms.extensions import session
from lms.progress.models import Enrolment
from lms.quizzes.models import QuizAttempt
from lms.xapi.models import StoredStatement
from tests.conftest import csrf_token, login, make_course, make_user


class FirstFlushBarrier:
    """Hold each of the two request threads at its first flush that adds a row of ``kind``
    until both are there."""

    def __init__(self, kind: type):
        self.kind = kind
        self.barrier = threading.Barrier(2, timeout=20)
        self.waiting: set[int] = set()

    def before_flush(self, flushing, _context, _instances) -> None:
        me = threading.get_ident()
        if me in self.waiting and any(isinstance(row, self.kind) for row in flushing.new):
            self.waiting.discard(me)
            self.barrier.wait()

    def run_twice(self, send):
        """Call ``send(0)`` and ``send(1)`` at once, each in its own thread; their responses."""

        def worker(index: int):
            self.waiting.add(threading.get_ident())
            return send(index)

        event.listen(Session, "before_flush", self.before_flush)
        try:
            with ThreadPoolExecutor(max_workers=2) as pool:
                return list(pool.map(worker, [0, 1]))
        finally:
            event.remove(Session, "before_flush", self.before_flush)


def _signed_in_clients(app, email: str, page: str) -> list[tuple]:
    """Two clients of the same person (two tabs), each with the form's CSRF token of ``page``."""
    clients = []
    for _ in range(2):
        client = app.test_client()
        assert login(client, email).status_code == 302
        clients.append((client, csrf_token(client, page)))
    return clients


def _count(model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_enrolling_twice_at_once_enrols_once_and_both_reach_the_lesson(app):
    make_course("basics")
    learner = make_user("learner")
    clients = _signed_in_clients(app, learner.email, "/courses/basics")
    session.remove()

    def send(index: int):
        client, token = clients[index]
        return client.post("/courses/basics/enrol", data={"csrf_token": token})

    responses = FirstFlushBarrier(StoredStatement).run_twice(send)
    assert [r.status_code for r in responses] == [302, 302], [
        r.get_data(as_text=True)[:300] for r in responses
    ]
    assert responses[0].location == responses[1].location == "/courses/basics/lessons/m1-l1"
    assert _count(Enrolment, Enrolment.user_id == learner.id) == 1
    assert (
        _count(StoredStatement, StoredStatement.verb_id == "http://adlnet.gov/expapi/verbs/registered") == 1
    )


def test_starting_a_quiz_twice_at_once_opens_one_attempt(app):
    course = make_course("quizzed", modules=1, quizzes=True)
    learner = make_user("learner")
    courses.enrol(learner, course)
    session.commit()
    quiz = "/courses/quizzed/quizzes/m1-quiz"
    clients = _signed_in_clients(app, learner.email, quiz)
    session.remove()

    def send(index: int):
        client, token = clients[index]
        return client.post(f"{quiz}/start", data={"csrf_token": token})

    responses = FirstFlushBarrier(QuizAttempt).run_twice(send)
    assert [r.status_code for r in responses] == [302, 302], [
        r.get_data(as_text=True)[:300] for r in responses
    ]
    assert responses[0].location == responses[1].location
    assert responses[0].location.startswith(f"{quiz}/attempts/")
    assert _count(QuizAttempt) == 1
    page = clients[1][0].get(responses[1].location)
    assert page.status_code == 200


@pytest.mark.parametrize("language", ["th", "en"])
def test_creating_the_same_user_twice_at_once_creates_one_and_says_so(app, language):
    admin = make_user("admin")
    clients = _signed_in_clients(app, admin.email, "/admin/users/new")
    session.remove()
    form = {
        "email": "somchai@example.org",
        "first_name_th": "สมชาย",
        "last_name_th": "ใจดี",
        "staff_group": "general",
        "org_unit_id": "0",
        "province_id": "0",
        "is_active": "y",
        "roles": ["learner"],
    }

    def send(index: int):
        client, token = clients[index]
        client.set_cookie("lms_lang", language)
        return client.post("/admin/users/new", data={**form, "csrf_token": token})

    responses = FirstFlushBarrier(User).run_twice(send)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302, 409], [r.get_data(as_text=True)[:300] for r in responses]
    refused = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    expected = {
        "th": "มีผู้ใช้ที่ใช้อีเมล somchai@example.org อยู่แล้ว",
        "en": "A user with the email somchai@example.org already exists.",
    }
    assert expected[language] in refused
    assert _count(User, User.email == "somchai@example.org") == 1
