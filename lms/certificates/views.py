from __future__ import annotations

from flask import abort, jsonify, render_template, request, send_file
from flask_babel import gettext as _

from lms.accounts.access import current_lms_user, login_required
from lms.certificates import service, store
from lms.core.i18n import format_date
from lms.extensions import session


def _public(certificate, language: str) -> dict:
    """What anyone may learn from a verified certificate: status, name, course and date only."""
    data = certificate.data
    body = {
        "status": certificate.status,
        "serial": certificate.serial,
        "name": data["learner"]["full_name_en" if language == "en" else "full_name_th"],
        "course": data["course"]["title_en" if language == "en" else "title_th"],
        "completed_on": data["completed_on"],
    }
    if certificate.revoked_at is not None:
        body["revoked_on"] = certificate.revoked_at.date().isoformat()
        body["revoked_reason"] = certificate.revoked_reason
    if certificate.superseded_by is not None:
        body["superseded_by"] = certificate.superseded_by.serial
    return body


def verify(serial: str):
    code = request.args.get("c", "")
    certificate = service.find_for_verification(serial, code)
    not_found = certificate is None and (bool(code) or not service.is_plain(serial))
    return render_template(
        "lms/certificates/verify.html",
        serial=serial if service.is_plain(serial) else "",
        code=code if service.is_plain(code) else "",
        certificate=certificate,
        not_found=not_found,
    ), 404 if not_found else 200


def verify_json(serial: str):
    certificate = service.find_for_verification(serial, request.args.get("c"))
    if certificate is None:
        return jsonify({"status": "unknown", "serial": serial}), 404
    return jsonify(_public(certificate, request.args.get("lang", "th")))


@login_required
def my_certificates():
    return render_template(
        "lms/certificates/mine.html",
        certificates=service.my_certificates(current_lms_user()),
        verify_url=service.verify_url,
    )


@login_required
def download(serial: str):
    certificate = service.by_serial(serial)
    if certificate is None or certificate.user_id != current_lms_user().id:
        abort(404)
    if certificate.status != "valid":
        abort(409, _not_downloadable(certificate))
    path = store.pdf_path(certificate)
    session.commit()
    return send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=f"{serial}.pdf", max_age=0
    )


def _not_downloadable(certificate) -> str:
    """Why a revoked or superseded certificate's PDF is refused: an unmarked copy would pass
    for a valid one (its verification page says the truth)."""
    if certificate.status == "superseded":
        return _(
            "Certificate %(serial)s was replaced by certificate %(new)s; download the new one.",
            serial=certificate.serial,
            new=certificate.superseded_by.serial,
        )
    return _(
        "Certificate %(serial)s was revoked on %(date)s, so its PDF can no longer be downloaded.",
        serial=certificate.serial,
        date=format_date(certificate.revoked_at),
    )
