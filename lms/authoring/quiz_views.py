"""The quiz editor's pages: a draft's quizzes, one quiz's settings and questions, one question.

Thin views: each opens the draft (refusing non-authors with a 403 through the blueprint), asks
:mod:`lms.authoring.quizzes`, and commits once. A refused save re-renders the form with what
was typed, the checker's messages, or the stale-edit message and a link to the other change.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.access import current_lms_user, login_required
from lms.accounts.forms import choices as select_choices
from lms.authoring import course_file, drafts
from lms.authoring import quizzes as service
from lms.authoring.quiz_forms import (
    TYPE_LABELS,
    DetachForm,
    MoveForm,
    NewQuizForm,
    QuestionForm,
    QuizSettingsForm,
    RevisionForm,
)
from lms.content.models import Course
from lms.core.conflicts import commit_once
from lms.core.i18n import current_language
from lms.extensions import session


def register(bp) -> None:
    bp.add_url_rule("/<slug>/quizzes", "quizzes", quizzes)
    bp.add_url_rule("/<slug>/quizzes/new", "quiz_create", quiz_create, methods=["POST"])
    bp.add_url_rule("/<slug>/quizzes/detach", "quiz_detach", quiz_detach, methods=["POST"])
    bp.add_url_rule("/<slug>/quizzes/<key>", "quiz_edit", quiz_edit, methods=["GET", "POST"])
    bp.add_url_rule("/<slug>/quizzes/<key>/delete", "quiz_delete", quiz_delete, methods=["POST"])
    question = "/<slug>/quizzes/<key>/questions"
    bp.add_url_rule(f"{question}/new", "question_new", question_edit, methods=["GET", "POST"])
    bp.add_url_rule(f"{question}/<qid>", "question_edit", question_edit, methods=["GET", "POST"])
    bp.add_url_rule(f"{question}/<qid>/delete", "question_delete", question_delete, methods=["POST"])
    bp.add_url_rule(f"{question}/<qid>/move", "question_move", question_move, methods=["POST"])


def _open(slug: str):
    """The course and its draft (made and committed on first use); non-authors get 403."""
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    actor = current_lms_user()
    draft = commit_once(lambda: drafts.draft_of(actor, course))
    return actor, course, draft


def _stale(error: drafts.StaleEdit) -> dict:
    return {"message": str(error), "path": error.file.path, "since": error.base_revision}


def _refusal(form, error: Exception) -> dict | None:
    """Roll back and put a refused save's message on ``form``; the stale-edit details, if any."""
    session.rollback()
    if isinstance(error, drafts.StaleEdit):
        return _stale(error)
    form.form_errors.append(str(error))
    form.problems = getattr(error, "problems", [])
    return None


REFUSED = (service.QuizRefused, drafts.StaleEdit, drafts.DraftPathError)


@login_required
def quizzes(slug: str):
    _actor, course, draft = _open(slug)
    return _list_page(course, draft, _new_quiz_form(draft))


def _new_quiz_form(draft, formdata=None) -> NewQuizForm:
    data, revision = course_file.read(draft)
    form = NewQuizForm(formdata=formdata) if formdata is not None else NewQuizForm()
    form.module.choices = select_choices(
        (m["id"], _module_label(m))
        for m in course_file.modules(data)
        if isinstance(m, dict) and isinstance(m.get("id"), str)
    )
    if formdata is None:
        form.course_revision.data = revision
        free = [m["id"] for m in course_file.modules(data) if isinstance(m, dict) and not m.get("quiz")]
        form.module.data = free[0] if free else None
    return form


def _module_label(module: dict) -> str:
    title = module.get("title") if isinstance(module.get("title"), dict) else {}
    name = title.get(current_language()) or title.get("th")
    return f"{module['id']} · {name}" if isinstance(name, str) and name else module["id"]


def _list_page(course, draft, form, status: int = 200, stale: dict | None = None):
    data, revision = course_file.read(draft)
    modules = [m for m in course_file.modules(data) if isinstance(m, dict)]
    return render_template(
        "lms/authoring/quizzes.html",
        course=course,
        draft=draft,
        tab="quizzes",
        form=form,
        rows=service.summaries(draft),
        modules=modules,
        course_revision=revision,
        stale=stale,
    ), status


@login_required
def quiz_create(slug: str):
    actor, course, draft = _open(slug)
    form = _new_quiz_form(draft, request.form)
    if not form.validate_on_submit():
        return _list_page(course, draft, form, 400)
    title = {"th": form.title_th.data.strip(), "en": form.title_en.data.strip()}
    key = form.quiz_id.data.strip()
    try:
        service.create(draft, actor, form.module.data, key, title, form.course_revision.data)
    except REFUSED as error:
        stale = _refusal(form, error)
        return _list_page(course, draft, form, 409 if stale else 400, stale)
    session.commit()
    flash(_("The quiz %(key)s is created; add its questions.", key=key), "success")
    return redirect(url_for("lms.authoring.quiz_edit", slug=slug, key=key))


@login_required
def quiz_detach(slug: str):
    actor, _course, draft = _open(slug)
    form = DetachForm()
    if form.validate_on_submit():
        _act(lambda: service.detach(draft, actor, form.module.data, form.course_revision.data))
    else:
        _flash_errors(form)
    return redirect(url_for("lms.authoring.quizzes", slug=slug))


@login_required
def quiz_delete(slug: str, key: str):
    actor, _course, draft = _open(slug)
    form = RevisionForm()
    if form.validate_on_submit() and _act(lambda: service.delete(draft, actor, key, form.revision.data)):
        flash(_("The quiz %(key)s is deleted.", key=key), "success")
    elif form.errors:
        _flash_errors(form)
    return redirect(url_for("lms.authoring.quizzes", slug=slug))


def _act(action) -> bool:
    """Run a button's service call and commit; a refusal is flashed. Whether it was done."""
    try:
        action()
    except REFUSED as error:
        session.rollback()
        flash(str(error), "error")
        return False
    session.commit()
    return True


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


@login_required
def quiz_edit(slug: str, key: str):
    actor, course, draft = _open(slug)
    data, revision = _quiz_or_404(draft, key)
    form = QuizSettingsForm()
    stale = None
    if form.validate_on_submit():
        try:
            service.save_settings(draft, actor, key, form.settings(), form.revision.data)
        except REFUSED as error:
            stale = _refusal(form, error)
        else:
            session.commit()
            flash(_("The quiz settings are saved."), "success")
            return redirect(url_for("lms.authoring.quiz_edit", slug=slug, key=key))
        data, revision = _quiz_or_404(draft, key)
    elif request.method == "GET":
        form.fill(data)
        form.revision.data = revision
    status = 409 if stale else (400 if form.errors or form.form_errors else 200)
    return render_template(
        "lms/authoring/quiz_edit.html",
        course=course,
        draft=draft,
        tab="quizzes",
        key=key,
        quiz=data,
        revision=revision,
        form=form,
        stale=stale,
        problems=service.problems(draft, key, drafts.text(draft, service.path_of(key))),
        type_labels=TYPE_LABELS,
    ), status


def _quiz_or_404(draft, key: str):
    found = service.read(draft, key)
    if found is None:
        abort(404)
    return found


@login_required
def question_edit(slug: str, key: str, qid: str | None = None):
    actor, course, draft = _open(slug)
    data, revision = _quiz_or_404(draft, key)
    current = service.find_question(data, qid) if qid is not None else None
    if qid is not None and current is None:
        abort(404)
    kind = current.get("type") if current else request.args.get("type")
    if kind not in TYPE_LABELS:
        abort(404)
    form = QuestionForm()
    stale = None
    if request.method == "GET":
        form.fill(current or {"id": service.new_question_id(data), "points": 1})
        form.revision.data = revision
    form.prepare()
    if form.validate_on_submit():
        question = form.question(kind, qid or service.new_question_id(data))
        try:
            service.save_question(draft, actor, key, qid, question, form.revision.data)
        except REFUSED as error:
            stale = _refusal(form, error)
        else:
            session.commit()
            flash(_("The question %(qid)s is saved.", qid=question["id"]), "success")
            return redirect(url_for("lms.authoring.quiz_edit", slug=slug, key=key))
    status = 409 if stale else (400 if form.errors or form.form_errors else 200)
    return render_template(
        "lms/authoring/question_edit.html",
        course=course,
        draft=draft,
        tab="quizzes",
        key=key,
        qid=qid,
        kind=kind,
        type_label=TYPE_LABELS[kind],
        form=form,
        stale=stale,
    ), status


@login_required
def question_delete(slug: str, key: str, qid: str):
    actor, _course, draft = _open(slug)
    form = RevisionForm()
    if form.validate_on_submit():
        if _act(lambda: service.delete_question(draft, actor, key, qid, form.revision.data)):
            flash(_("The question %(qid)s is deleted.", qid=qid), "success")
    else:
        _flash_errors(form)
    return redirect(url_for("lms.authoring.quiz_edit", slug=slug, key=key))


@login_required
def question_move(slug: str, key: str, qid: str):
    actor, _course, draft = _open(slug)
    form = MoveForm()
    step = {"up": -1, "down": 1}.get(form.step.data or "")
    if form.validate_on_submit() and step is not None:
        _act(lambda: service.move_question(draft, actor, key, qid, step, form.revision.data))
    else:
        _flash_errors(form)
    return redirect(url_for("lms.authoring.quiz_edit", slug=slug, key=key, _anchor=f"question-{qid}"))
