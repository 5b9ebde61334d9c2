"""Authoring pages of courses: the list, a new course, its details and owners, its modules and
lessons. Thin views: the services in :mod:`lms.authoring.courses` and
:mod:`lms.authoring.structure` check and refuse; a refusal (``NotAllowed``) is a 403 page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from lms.accounts.access import current_lms_user, login_required
from lms.authoring import courses, drafts, structure
from lms.authoring.access import require_author, require_may_create
from lms.authoring.course_forms import (
    AddOwnerForm,
    CourseDetailsForm,
    LessonForm,
    ModuleForm,
    MoveForm,
    NewCourseForm,
    RemoveOwnerForm,
    RevisionForm,
)
from lms.certificates.render import available_templates
from lms.core.conflicts import commit_once
from lms.core.i18n import current_language
from lms.extensions import session
from lms.packages.files import COURSE_FILE


def register(bp) -> None:
    bp.add_url_rule("/", "index", index)
    bp.add_url_rule("/new", "course_new", course_new, methods=["GET", "POST"])
    bp.add_url_rule("/<slug>/details", "course_edit", course_edit, methods=["GET", "POST"])
    bp.add_url_rule("/<slug>/owners", "owner_add", owner_add, methods=["POST"])
    bp.add_url_rule("/<slug>/owners/remove", "owner_remove", owner_remove, methods=["POST"])
    bp.add_url_rule("/<slug>/structure", "structure", structure_page)
    for rule, endpoint, view in STRUCTURE_ACTIONS:
        bp.add_url_rule(f"/<slug>/structure/{rule}", endpoint, view, methods=["POST"])


def _course(slug: str):
    course = courses.course_by_slug(slug)
    if course is None:
        abort(404)
    return course


@login_required
def index():
    rows = courses.index_rows(current_lms_user(), current_language())
    return render_template("lms/authoring/index.html", rows=rows)


@login_required
def course_new():
    actor = current_lms_user()
    require_may_create(actor)
    form = NewCourseForm()
    if form.validate_on_submit():
        try:
            course = commit_once(lambda: courses.create_course(actor, form.slug.data, form.details()))
        except courses.CourseError as error:
            session.rollback()
            form.show_error(error.field, str(error))
        else:
            flash(_("Course created. Add its modules and lessons."), "success")
            return redirect(url_for("lms.authoring.structure", slug=course.slug))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("lms/authoring/course_new.html", form=form), status


@login_required
def course_edit(slug: str):
    actor = current_lms_user()
    course = _course(slug)
    draft = drafts.draft_of(actor, course)
    form = _details_form()
    status, stale = 200, None
    if form.validate_on_submit():
        try:
            courses.update_details(actor, course, form.details(), form.base_revision())
        except courses.CourseError as error:
            course, draft = _fresh(actor, slug)
            form.show_error(error.field, str(error))
        except (drafts.StaleEdit, drafts.DraftPathError) as error:
            stale = _stale(error, slug, form.base_revision())
            course, draft = _fresh(actor, slug)
            form.revision.data = str(drafts.revision(draft, COURSE_FILE))  # saving again is a choice
            status = 409
        else:
            session.commit()
            flash(_("Details saved in the draft."), "success")
            return redirect(url_for("lms.authoring.course_edit", slug=slug))
    elif not form.is_submitted():
        form.fill(*courses.details_of(draft))
        session.commit()  # a first visit makes the draft
    if status == 200 and (form.errors or form.form_errors):
        status = 400
    return _details_page(course, draft, form, stale), status


def _fresh(actor, slug: str):
    """After a refused change: roll it back and read the course and its draft again."""
    session.rollback()
    course = _course(slug)
    return course, drafts.draft_of(actor, course)


def _details_form(**kwargs) -> CourseDetailsForm:
    form = CourseDetailsForm(**kwargs)
    form.certificate.choices = [(name, name) for name in available_templates(current_app)]
    return form


def _details_page(course, draft, form, stale=None, owner_form=None):
    return render_template(
        "lms/authoring/course_edit.html",
        course=course,
        draft=draft,
        tab="course_edit",
        form=form,
        stale=stale,
        owners=courses.owners(course),
        owner_form=owner_form or AddOwnerForm(formdata=None),
    )


def _stale(error: Exception, slug: str, since: int) -> dict:
    """What the page says about a save refused because the file moved on (read before the
    rollback: the message names who changed it)."""
    link = None
    if "lms.authoring.file_changes" in current_app.view_functions:
        link = url_for("lms.authoring.file_changes", slug=slug, path=COURSE_FILE, since=since)
    return {"message": str(error), "link": link}


@login_required
def owner_add(slug: str):
    actor = current_lms_user()
    course = _course(slug)
    require_author(actor, course)
    form = AddOwnerForm()
    if form.validate_on_submit():
        try:
            email = commit_once(lambda: courses.add_owner(actor, _course(slug), form.email.data).user.email)
        except courses.CourseError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            flash(_("%(email)s is now an owner of the course.", email=email), "success")
            return redirect(url_for("lms.authoring.course_edit", slug=slug, _anchor="owners"))
    course, draft = _fresh(actor, slug)
    details = _details_form(formdata=None)
    details.fill(*courses.details_of(draft))
    return _details_page(course, draft, details, owner_form=form), 400


@login_required
def owner_remove(slug: str):
    actor = current_lms_user()
    course = _course(slug)
    require_author(actor, course)
    form = RemoveOwnerForm()
    if form.validate_on_submit():
        try:
            courses.remove_owner(actor, course, form.user())
        except courses.CourseError as error:
            session.rollback()
            flash(str(error), "error")
        else:
            session.commit()
            flash(_("Owner removed."), "success")
    else:
        flash(_("The form expired; try again."), "error")
    return redirect(url_for("lms.authoring.course_edit", slug=slug, _anchor="owners"))


@login_required
def structure_page(slug: str):
    actor = current_lms_user()
    course = _course(slug)
    draft = drafts.draft_of(actor, course)
    session.commit()  # a first visit makes the draft
    return _structure_page(course, draft)


def _structure_page(course, draft, failed=None, errors=(), stale=None, status=200):
    """The page; ``failed`` is (action, target, form) of a refused form, shown with its input."""
    return (
        render_template(
            "lms/authoring/structure.html",
            course=course,
            draft=draft,
            tab="structure",
            modules=structure.outline(draft),
            revision=drafts.revision(draft, COURSE_FILE),
            failed=failed,
            errors=list(errors),
            stale=stale,
        ),
        status,
    )


def _act(slug: str, form_class, action: str, target: str, run, done):
    """Run one structure change from a posted form; redirect back to the module on success.

    ``run(actor, draft, form)`` calls the service and returns the module id to go back to;
    ``done`` is the flash message."""
    actor = current_lms_user()
    course = _course(slug)
    draft = drafts.draft_of(actor, course)
    form = form_class()
    if not form.validate_on_submit():
        messages = [m for field_errors in form.errors.values() for m in field_errors]
        return _structure_page(course, draft, (action, target, form), messages, status=400)
    try:
        anchor = run(actor, draft, form)
    except structure.StructureError as error:
        if error.field in form:
            form[error.field].errors = [*form[error.field].errors, str(error)]
        course, draft = _fresh(actor, slug)
        return _structure_page(course, draft, (action, target, form), [str(error)], status=400)
    except (drafts.StaleEdit, drafts.DraftPathError) as error:
        stale = _stale(error, slug, form.base_revision())
        course, draft = _fresh(actor, slug)
        return _structure_page(course, draft, (action, target, form), stale=stale, status=409)
    session.commit()
    flash(done, "success")
    return redirect(
        url_for("lms.authoring.structure", slug=slug, _anchor=f"module-{anchor}" if anchor else None)
    )


def module_add(slug: str):
    return _act(
        slug,
        ModuleForm,
        "module_add",
        "",
        lambda actor, draft, f: structure.add_module(
            actor, draft, f.base_revision(), f.key.data, f.title_th.data, f.title_en.data
        ),
        _("Module added."),
    )


def module_rename(slug: str, key: str):
    def run(actor, draft, f):
        structure.rename_module(actor, draft, f.base_revision(), key, f.title_th.data, f.title_en.data)
        return key

    return _act(slug, ModuleForm, "module_rename", key, run, _("Module renamed."))


def module_delete(slug: str, key: str):
    def run(actor, draft, f):
        structure.delete_module(actor, draft, f.base_revision(), key)
        return ""

    return _act(slug, RevisionForm, "module_delete", key, run, _("Module deleted, with its lessons."))


def module_move(slug: str, key: str):
    def run(actor, draft, f):
        structure.move_module(actor, draft, f.base_revision(), key, f.step())
        return key

    return _act(slug, MoveForm, "module_move", key, run, _("Module moved."))


def lesson_add(slug: str, key: str):
    def run(actor, draft, f):
        structure.add_lesson(
            actor, draft, f.base_revision(), key, f.key.data, f.title_th.data, f.title_en.data, f.minutes.data
        )
        return key

    return _act(slug, LessonForm, "lesson_add", key, run, _("Lesson added."))


def lesson_delete(slug: str, key: str):
    def run(actor, draft, f):
        module = _module_of(draft, key)
        structure.delete_lesson(actor, draft, f.base_revision(), key)
        return module

    return _act(slug, RevisionForm, "lesson_delete", key, run, _("Lesson deleted."))


def lesson_move(slug: str, key: str):
    def run(actor, draft, f):
        return structure.move_lesson(actor, draft, f.base_revision(), key, f.step())

    return _act(slug, MoveForm, "lesson_move", key, run, _("Lesson moved."))


def _module_of(draft, lesson: str) -> str:
    return next((m.key for m in structure.outline(draft) if any(x.key == lesson for x in m.lessons)), "")


STRUCTURE_ACTIONS = [
    ("modules", "module_add", login_required(module_add)),
    ("modules/<key>/rename", "module_rename", login_required(module_rename)),
    ("modules/<key>/delete", "module_delete", login_required(module_delete)),
    ("modules/<key>/move", "module_move", login_required(module_move)),
    ("modules/<key>/lessons", "lesson_add", login_required(lesson_add)),
    ("lessons/<key>/delete", "lesson_delete", login_required(lesson_delete)),
    ("lessons/<key>/move", "lesson_move", login_required(lesson_move)),
]
