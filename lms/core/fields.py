"""Form fields shared by the areas."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField

from lms.core.paging import whole_number


class WholeNumberField(IntegerField):
    """An integer field that takes ASCII digits 0-9 only.

    WTForms' IntegerField calls ``int()``, which also takes Thai digits (๑๐) and fails on
    superscripts; here both are refused with a message saying which digits to use.
    """

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = whole_number(valuelist[0].strip())
        if self.data is None:
            raise ValueError(_l("Write a whole number with the digits 0-9, e.g. 30."))
