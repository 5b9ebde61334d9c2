"""The JSON API's endpoints: who the token is, and the reports, in the token user's scope."""

from __future__ import annotations

from flask import jsonify

from lms.accounts.access import current_lms_user
from lms.api.openapi import document

REPORT_ROUTES: list[tuple[str, str, object]] = []


def openapi():
    return jsonify(document())


def me():
    """The token's user and the scope every report call is limited to."""
    user = current_lms_user()
    return jsonify(
        {
            "uuid": user.uuid,
            "name_th": user.full_name("th"),
            "name_en": user.full_name("en"),
            "roles": sorted(user.roles),
            "scope": {
                "all": user.has_role("admin"),
                "org_units": sorted(s.org_unit.code for s in user.scopes if s.org_unit_id),
                "provinces": sorted(s.province.iso_code for s in user.scopes if s.province_id),
            },
        }
    )
