"""The package upload form: a .zip file and what to do with it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from lms.accounts.forms import choices
from lms.authoring.package_import import UploadAction

ACTION_LABELS = {
    UploadAction.DRAFT.value: _l("Load into the draft (preview it, then publish)"),
    UploadAction.PUBLISH.value: _l("Import and publish now"),
}


class PackageUploadForm(FlaskForm):
    package = FileField(
        _l("Course package (.zip)"),
        validators=[
            FileRequired(_l("Choose the package's .zip file.")),
            FileAllowed(["zip"], _l("Only a .zip file of a course package can be uploaded.")),
        ],
    )
    action = RadioField(
        _l("What to do with it"),
        choices=choices(ACTION_LABELS.items()),
        default=UploadAction.DRAFT.value,
        validators=[InputRequired(_l("Choose what to do with the package."))],
    )
    submit = SubmitField(_l("Check and upload"))

    @property
    def chosen(self) -> UploadAction:
        return UploadAction(self.action.data)
