"""The About resource (Communication 2.8): the xAPI versions this LRS speaks, no sign-in needed.

``GET /xapi/about`` needs neither credentials nor the version header (the blueprint's version
check skips the endpoint ``lms.lrs.about``). ``version`` lists the 1.0.x versions we accept;
1.0.3 is the one we conform to. ``extensions`` names the product under an IRI of our own.
"""

from __future__ import annotations

from flask import current_app, jsonify

from lms.xapi.lrs import protocol
from lms.xapi.lrs.errors import LrsError

VERSIONS = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
PRODUCT = "flask-dg-lms"


def about_view():
    if protocol.current().method not in ("GET", "HEAD"):
        raise LrsError("The About resource answers GET and HEAD only.", status=405)
    base = (current_app.config.get("LMS_BASE_URL") or "").rstrip("/")
    return jsonify(
        version=VERSIONS,
        extensions={f"{base}/xapi/extensions/lrs": {"product": PRODUCT, "conforms_to": protocol.VERSION}},
    )


def register(bp) -> None:
    bp.add_url_rule("/about", endpoint="about", view_func=about_view, methods=["GET", "HEAD", "POST"])
