"""Fixtures most authoring tests share: the executives' course of ``content/`` imported as
version 1, and a trainer who owns it. A module that needs another course defines its own
``course`` (and ``owner``), which takes precedence."""

from __future__ import annotations

import pytest

from lms.accounts.models import Role
from lms.authoring.models import CourseOwner
from lms.extensions import session
from lms.packages.importer import import_package
from tests.conftest import make_user

PACKAGE = "content/exec-digital-leadership"


@pytest.fixture
def course(app):
    result = import_package(PACKAGE)
    session.commit()
    return result.course


@pytest.fixture
def owner(course):
    trainer = make_user(Role.TRAINER, email="owner@example.org")
    session.add(CourseOwner(course_id=course.id, user_id=trainer.id))
    session.commit()
    return trainer
