"""The lesson editor's forms: the lesson (front matter and body) and a media upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Regexp

from lms.authoring.lessons import Lesson, LessonFields
from lms.core.fields import WholeNumberField

NOT_BLANK = r"\S"


class LessonForm(FlaskForm):
    title_th = StringField(
        _l("Lesson title (Thai)"),
        validators=[
            InputRequired(message=_l("Give the lesson a Thai title.")),
            Regexp(NOT_BLANK, message=_l("Give the lesson a Thai title.")),
            Length(max=300, message=_l("A title may be at most 300 characters.")),
        ],
    )
    title_en = StringField(
        _l("Lesson title (English)"),
        validators=[
            InputRequired(message=_l("Give the lesson an English title.")),
            Regexp(NOT_BLANK, message=_l("Give the lesson an English title.")),
            Length(max=300, message=_l("A title may be at most 300 characters.")),
        ],
    )
    minutes = WholeNumberField(
        _l("Minutes"),
        validators=[
            InputRequired(message=_l("Give the minutes the lesson takes, e.g. 15.")),
            NumberRange(min=1, max=10000, message=_l("The minutes must be from 1 to 10000.")),
        ],
    )
    required = BooleanField(_l("Required for completing the course"))
    body = TextAreaField(_l("Lesson text (Markdown)"))
    revision = HiddenField()
    save = SubmitField(_l("Save"))
    preview = SubmitField(_l("Preview"))

    def fill(self, lesson: Lesson) -> None:
        """Start from the lesson's file (a GET)."""
        title = lesson.meta.get("title") if isinstance(lesson.meta.get("title"), dict) else {}
        self.title_th.data = title.get("th", "")
        self.title_en.data = title.get("en", "")
        self.minutes.data = lesson.meta.get("minutes")
        self.required.data = bool(lesson.meta.get("required"))
        self.body.data = lesson.body
        self.revision.data = str(lesson.revision)

    def base_revision(self) -> int | None:
        value = (self.revision.data or "").strip()
        return int(value) if value.isascii() and value.isdigit() else None

    def fields(self) -> LessonFields:
        return LessonFields(
            title_th=self.title_th.data,
            title_en=self.title_en.data,
            minutes=self.minutes.data,
            required=bool(self.required.data),
            body=self.body.data or "",
        )


class UploadForm(FlaskForm):
    file = FileField(_l("File (picture, clip, sound or PDF)"))
    upload = SubmitField(_l("Upload"))
