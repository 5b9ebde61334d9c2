"""Forms of the certificate template editor. The service checks names and permissions again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Regexp

from lms.authoring.certificate_templates import MAX_FILE_CHARS, NAME


class _ShowsErrors:
    def show_error(self, field: str | None, message: str) -> None:
        """Show a service error beside the field it names, or above the form."""
        target = self._fields.get(field or "")
        if target is None:
            self.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]


class NewTemplateForm(_ShowsErrors, FlaskForm):
    source = SelectField(_l("Copy of"), validate_choice=False)
    name = StringField(
        _l("Name of the new template"),
        validators=[
            InputRequired(message=_l("Give the new template a name.")),
            Regexp(
                NAME,
                message=_l(
                    "A template name is 2 to 41 characters: small letters a-z, digits and '-', "
                    "starting with a letter or a digit."
                ),
            ),
        ],
    )
    create = SubmitField(_l("Copy to edit"))


def _file_field(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            InputRequired(message=_l("This file may not be empty.")),
            Length(max=MAX_FILE_CHARS, message=_l("A file may hold at most %(max)d characters.")),
        ],
        render_kw={"rows": 18, "spellcheck": "false", "class": "code"},
    )


class TemplateEditForm(_ShowsErrors, FlaskForm):
    template_html = _file_field("template.html")
    theme_css = _file_field("theme.css")
    metadata_yaml = _file_field("metadata.yaml")
    revision = HiddenField()
    save = SubmitField(_l("Save"))
    preview = SubmitField(_l("Save and preview"))
    publish = SubmitField(_l("Save and publish"))

    def texts(self) -> dict[str, str]:
        """The three files, with the browser's CRLF line ends made LF."""
        return {
            name: (getattr(self, name).data or "").replace("\r\n", "\n")
            for name in ("template_html", "theme_css", "metadata_yaml")
        }

    def base_revision(self) -> int | None:
        value = self.revision.data or ""
        return int(value) if value.isascii() and value.isdigit() else None
