"""The shared form macro: no attribute rendered with Python's ``None`` as its value."""

from __future__ import annotations

import re

from tests.conftest import post_form

NONE_ATTRIBUTE = re.compile(r'\s[a-z-]+="None"')


def test_fields_without_autocomplete_have_no_none_attributes(as_role):
    client = as_role("hr")
    page = client.get("/assignments/new").get_data(as_text=True)
    assert "<form" in page
    assert NONE_ATTRIBUTE.findall(page) == []


def test_a_form_shown_again_with_errors_has_no_none_attributes(client):
    page = post_form(client, "/login", {"email": "", "password": ""}).get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    assert NONE_ATTRIBUTE.findall(page) == []
