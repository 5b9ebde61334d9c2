"""The certificate template editor: the list, a draft's three files, its PDF preview, publishing.

Thin views over :mod:`lms.authoring.certificate_templates`; a refusal (``NotAllowed``) is the
blueprint's 403 page. The authored HTML only reaches the PDF renderer: the pages show it as text
in a textarea.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms.accounts.access import current_lms_user, login_required
from lms.accounts.policy import require
from lms.authoring import certificate_templates as service
from lms.authoring.access import AUTHOR_COURSES
from lms.authoring.template_forms import NewTemplateForm, TemplateEditForm
from lms.authoring.template_models import CertificateTemplateDraft
from lms.certificates.errors import CertificateError
from lms.core.conflicts import commit_once
from lms.extensions import session

LIST_PAGE = "lms/authoring/templates.html"
EDIT_PAGE = "lms/authoring/template_edit.html"


def register(bp) -> None:
    bp.add_url_rule("/certificate-templates", "templates", templates, methods=["GET", "POST"])
    bp.add_url_rule("/certificate-templates/<name>", "template_edit", template_edit, methods=["GET", "POST"])
    bp.add_url_rule("/certificate-templates/<name>/preview.pdf", "template_preview", template_preview)


@login_required
def templates():
    actor = current_lms_user()
    require(actor, AUTHOR_COURSES)
    form = NewTemplateForm()
    form.source.choices = [(name, name) for name in service.sources(actor)]
    if request.method == "GET" and request.args.get("source"):
        form.source.data = request.args["source"]
    if form.validate_on_submit():
        try:
            draft = commit_once(lambda: service.create_draft(actor, form.name.data, form.source.data))
        except service.TemplateDraftError as exc:
            session.rollback()
            form.show_error(exc.field, str(exc))
        else:
            flash(
                _(
                    "The template %(name)s is ready to edit; nothing is live until you publish it.",
                    name=draft.name,
                ),
                "success",
            )
            return redirect(url_for("lms.authoring.template_edit", name=draft.name))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(LIST_PAGE, rows=service.listing(actor), form=form), status


def _draft(name: str) -> CertificateTemplateDraft:
    """The draft, if ``actor`` may edit it (others: 403, no such draft: 404)."""
    draft = service.draft_named(name)
    if draft is None:
        abort(404, _("There is no template draft named %(name)s.", name=name))
    service.require_editor(current_lms_user(), draft)
    return draft


@login_required
def template_edit(name: str):
    draft = _draft(name)
    form = TemplateEditForm(obj=draft)
    if request.method == "GET":
        form.revision.data = str(draft.revision)
    elif form.validate_on_submit():
        return _submitted(draft, form)
    status = 400 if form.errors or form.form_errors else 200
    return _page(draft, form), status


def _submitted(draft: CertificateTemplateDraft, form: TemplateEditForm):
    actor = current_lms_user()
    base = form.base_revision()
    if base is None:
        abort(400, _("The form has expired. Reload the page and try again."))
    try:
        changed = commit_once(lambda: service.save(draft, actor, form.texts(), base))
    except service.StaleTemplateEdit as exc:
        return _stale(draft, form, exc)
    except service.TemplateDraftError as exc:
        session.rollback()
        form.show_error(exc.field, str(exc))
        return _page(draft, form), 400
    if form.publish.data:
        return _publish(draft, actor)
    if form.preview.data:
        return _page(draft, _fresh_form(draft), result=service.check(draft), preview=True)
    flash(_("Saved (revision %(n)d).", n=draft.revision) if changed else _("Nothing changed."), "success")
    return redirect(url_for("lms.authoring.template_edit", name=draft.name))


def _publish(draft: CertificateTemplateDraft, actor):
    try:
        commit_once(lambda: service.publish(draft, actor))
    except service.PublishRefused as exc:
        session.rollback()
        return _page(draft, _fresh_form(draft), result=exc.result, refused=str(exc)), 422
    flash(
        _(
            "Published: %(name)s is now a site template; certificates rendered from now on use it.",
            name=draft.name,
        ),
        "success",
    )
    return redirect(url_for("lms.authoring.template_edit", name=draft.name))


def _stale(draft: CertificateTemplateDraft, form: TemplateEditForm, exc: service.StaleTemplateEdit):
    """Nothing saved: show the other change and the current text, and the editor's own text
    beside it, so they can apply theirs again."""
    message, base, mine = str(exc), exc.base_revision, form.texts()
    session.rollback()
    changes = service.other_changes(draft, base)
    mine = service.diff_from_draft(draft, mine)
    return _page(draft, _fresh_form(draft), stale=message, changes=changes, mine=mine), 409


def _fresh_form(draft: CertificateTemplateDraft) -> TemplateEditForm:
    """The form as the draft now is (the text just saved, its new revision)."""
    form = TemplateEditForm(formdata=None, obj=draft)
    form.revision.data = str(draft.revision)
    return form


def _page(draft: CertificateTemplateDraft, form: TemplateEditForm, **shown):
    return render_template(EDIT_PAGE, draft=draft, form=form, **shown)


@login_required
def template_preview(name: str):
    draft = _draft(name)
    try:
        pdf = service.preview_pdf(draft)
    except CertificateError as exc:
        result = service.CheckResult(errors=[str(exc)])
        return _page(draft, _fresh_form(draft), result=result), 422
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{draft.name}-preview.pdf"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
