"""PAdES signing of certificate PDFs: a throwaway CA made here, pyHanko's validator as the judge.

No key material is committed: every key and certificate is generated at test time.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from sqlalchemy import select

from lms.certificates import service
from lms.certificates.data import SAMPLE
from lms.certificates.models import Certificate
from lms.certificates.render import CertificateRenderer
from lms.certificates.signing import CertificateSigner, SigningConfigError
from lms.extensions import session
from tests.certificates.conftest import poppler
from tests.certificates.test_issue import complete_course
from tests.conftest import login, make_user

PASSPHRASE = "ม้าลาย-correct-horse"
ISSUER_AND_SIGNATORY = {
    "LMS_CERTIFICATE_ISSUER_TH": "สถาบันทดสอบการอบรม",
    "LMS_CERTIFICATE_ISSUER_EN": "Test Training Institute",
    "LMS_CERTIFICATE_SIGNATORIES": [SAMPLE["signatories"][0]],
}
NOW = datetime.now(UTC)


@dataclass(frozen=True)
class Pki:
    """Paths of PEM files: a CA, a signer it certified, and the odd ones out."""

    folder: Path
    ca: Path  # "Test Root CA", self-signed
    key: Path  # the signer's RSA key, unencrypted
    encrypted_key: Path  # the same key, encrypted with PASSPHRASE
    cert: Path  # the signer's certificate, from ca
    other_ca: Path  # "Other Root CA", trusted by nobody here
    cert_by_other_ca: Path  # the same key, certified by other_ca
    expired_cert: Path  # the same key, from ca, expired yesterday
    ec_key: Path  # an EC P-256 key
    ec_cert: Path  # its certificate, from ca


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Training Institute"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signer,
        content_commitment=signer,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signer,
        crl_sign=not signer,
        encipher_only=False,
        decipher_only=False,
    )


def _certificate(subject, public_key, issuer_name, issuer_key, *, ca=False, start=None, end=None):
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start or NOW - timedelta(days=1))
        .not_valid_after(end or NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(_usage(signer=not ca), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def _pem(path: Path, *objects) -> Path:
    path.write_bytes(b"".join(o.public_bytes(serialization.Encoding.PEM) for o in objects))
    return path


def _key_pem(path: Path, key, passphrase: str | None = None) -> Path:
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_key, other_key, key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)
    )
    ca = _certificate(_name("Test Root CA"), ca_key.public_key(), _name("Test Root CA"), ca_key, ca=True)
    other = _certificate(
        _name("Other Root CA"), other_key.public_key(), _name("Other Root CA"), other_key, ca=True
    )
    signer_name = _name("สถาบันทดสอบ Certificate Signer")
    ec_key = ec.generate_private_key(ec.SECP256R1())
    return Pki(
        folder=folder,
        ca=_pem(folder / "ca.pem", ca),
        key=_key_pem(folder / "key.pem", key),
        encrypted_key=_key_pem(folder / "key-encrypted.pem", key, PASSPHRASE),
        cert=_pem(folder / "cert.pem", _certificate(signer_name, key.public_key(), ca.subject, ca_key)),
        other_ca=_pem(folder / "other-ca.pem", other),
        cert_by_other_ca=_pem(
            folder / "cert-other.pem", _certificate(signer_name, key.public_key(), other.subject, other_key)
        ),
        expired_cert=_pem(
            folder / "cert-expired.pem",
            _certificate(
                signer_name,
                key.public_key(),
                ca.subject,
                ca_key,
                start=NOW - timedelta(days=400),
                end=NOW - timedelta(days=1),
            ),
        ),
        ec_key=_key_pem(folder / "ec-key.pem", ec_key),
        ec_cert=_pem(
            folder / "ec-cert.pem", _certificate(signer_name, ec_key.public_key(), ca.subject, ca_key)
        ),
    )


def settings(key: Path | None, cert: Path | None, chain: Path | None = None, passphrase: str | None = None):
    """The signing settings given (those left out come from the environment or the defaults)."""
    given = {
        "LMS_CERTIFICATE_SIGNING_KEY": key and str(key),
        "LMS_CERTIFICATE_SIGNING_CERT": cert and str(cert),
        "LMS_CERTIFICATE_SIGNING_CHAIN": chain and str(chain),
        "LMS_CERTIFICATE_SIGNING_KEY_PASSPHRASE": passphrase,
    }
    return {name: value for name, value in given.items() if value}


def validate(pdf: bytes, trust_root: Path):
    """pyHanko's verdict on the one signature of ``pdf``, trusting ``trust_root`` only."""
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(trust_root)])
    return signature, validate_pdf_signature(signature, context)


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return CertificateRenderer().render("formal-th", SAMPLE)


@pytest.fixture
def learner(app):
    app.config.update(
        LMS_CERTIFICATE_ISSUER_TH="สถาบันทดสอบการอบรม", LMS_CERTIFICATE_ISSUER_EN="Test Training Institute"
    )
    return make_user(email="signed@example.org", first_name_th="ปิ่นแก้ว", last_name_th="ใจดี")


def signing_check(app):
    """``flask lms certificates signing-check`` in ``app`` (the test holds another app's context)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["lms", "certificates", "signing-check"])


def pdfsig(path: Path) -> set[str]:
    """What poppler's ``pdfsig`` (a second, independent validator) says, one line each."""
    out = subprocess.run(
        [poppler("pdfsig"), str(path)], check=False, capture_output=True, text=True, timeout=30
    ).stdout
    return {line.strip(" -") for line in out.splitlines()}


def download(app, serial: str) -> bytes:
    client = app.test_client()
    login(client, "signed@example.org")
    response = client.get(f"/certificates/{serial}.pdf")
    assert response.status_code == 200, response.status
    return response.data


def test_downloaded_certificate_is_signed_valid_and_trusted(app_factory, learner, pki, tmp_path):
    certificate = complete_course(learner)
    serial = certificate.serial
    signed_app = app_factory(LMS_CERTIFICATE_DIR=str(tmp_path), **settings(pki.key, pki.cert, pki.ca))
    pdf = download(signed_app, serial)

    signature, status = validate(pdf, pki.ca)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.field_name == "CertificateSignature"
    assert status.md_algorithm == "sha256"
    assert status.coverage.name == "ENTIRE_FILE" and status.modification_level.name == "NONE"
    assert status.signing_cert.subject.native["common_name"] == "สถาบันทดสอบ Certificate Signer"
    assert signature.sig_object["/Reason"] == (
        f"เกียรติบัตรเลขที่ {serial} ออกโดย สถาบันทดสอบการอบรม / "
        f"Certificate {serial} issued by Test Training Institute"
    )
    assert signature.sig_object["/Location"] == "127.0.0.1:5000"

    # An incremental update: WeasyPrint's bytes (PDF/A-3b, the attachment) come first, unchanged.
    rendered = CertificateRenderer().render(certificate.template, service.render_data(certificate))
    assert pdf.startswith(rendered) and len(pdf) > len(rendered)
    reader = PdfReader(io.BytesIO(pdf))
    assert json.loads(reader.attachments["certificate.json"][0]) == service.render_data(certificate)
    assert "/Version" not in reader.trailer["/Root"]  # still PDF 1.7, as PDF/A-3 requires
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp

    # Stored once, named by the hash of the signed bytes; served again as it is.
    (stored,) = tmp_path.glob("*.pdf")
    assert pdfsig(stored) >= {
        "Signature Field Name: CertificateSignature",
        "Signature Type: ETSI.CAdES.detached",
        "Total document signed",
        "Signature Validation: Signature is Valid.",
    }
    assert stored.read_bytes() == pdf and stored.stem == hashlib.sha256(pdf).hexdigest()
    session.expire_all()
    assert session.scalar(select(Certificate.pdf_sha256)) == stored.stem
    assert download(signed_app, serial) == pdf


def test_a_certificate_from_another_ca_is_valid_but_untrusted(pki, unsigned):
    signer = CertificateSigner.from_config(settings(pki.key, pki.cert_by_other_ca, pki.other_ca))
    pdf = signer.sign(unsigned, SAMPLE)
    _, status = validate(pdf, pki.ca)
    assert status.intact and status.valid
    assert not status.trusted and not status.bottom_line
    _, own = validate(pdf, pki.other_ca)
    assert own.trusted and own.bottom_line


def test_changing_one_byte_after_signing_is_detected(pki, unsigned):
    pdf = CertificateSigner.from_config(settings(pki.key, pki.cert)).sign(unsigned, SAMPLE)
    _, status = validate(pdf, pki.ca)
    assert status.bottom_line
    # The attachment's date is in the signed part of the file: 2026 becomes 1026.
    at = pdf.index(b"/CreationDate (D:2026") + len(b"/CreationDate (D:")
    tampered = pdf[:at] + b"1" + pdf[at + 1 :]
    assert len(tampered) == len(pdf) and sum(a != b for a, b in zip(pdf, tampered, strict=True)) == 1
    _, status = validate(tampered, pki.ca)
    # The signature itself (over the signed attributes) still verifies; the document's
    # digest no longer matches the one signed.
    assert not status.intact and not status.bottom_line


def test_not_configured_stores_unsigned_pdfs(app_factory, learner, tmp_path, runner):
    certificate = complete_course(learner)
    plain = app_factory(LMS_CERTIFICATE_DIR=str(tmp_path))
    pdf = download(plain, certificate.serial)
    assert PdfFileReader(io.BytesIO(pdf)).embedded_signatures == []
    assert pdf == CertificateRenderer().render(certificate.template, service.render_data(certificate))
    result = runner.invoke(args=["lms", "certificates", "signing-check"])
    assert result.exit_code == 0
    assert "Signing is not configured: certificate PDFs are stored unsigned" in result.output


def test_signing_check_shows_the_signer(app_factory, pki):
    checked = app_factory(**settings(pki.key, pki.cert, pki.ca), **ISSUER_AND_SIGNATORY)
    result = signing_check(checked)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Signer:    CN=สถาบันทดสอบ Certificate Signer,O=Test Training Institute,C=TH"
    assert lines[1] == "Issued by: CN=Test Root CA,O=Test Training Institute,C=TH"
    start, end = NOW - timedelta(days=1), NOW + timedelta(days=365)
    assert lines[2] == f"Valid:     {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"
    assert lines[3] == "Key:       RSA 2048, matches the certificate"
    assert lines[4] == "Chain:     CN=Test Root CA,O=Test Training Institute,C=TH"
    assert result.stderr == ""


def test_an_encrypted_key_takes_its_passphrase_from_the_environment(app_factory, pki, monkeypatch):
    monkeypatch.setenv("LMS_CERTIFICATE_SIGNING_KEY_PASSPHRASE", PASSPHRASE)
    checked = app_factory(**settings(pki.encrypted_key, pki.cert))
    result = signing_check(checked)
    assert result.exit_code == 0, result.output
    assert "Key:       RSA 2048, matches the certificate" in result.stdout


def test_an_ec_key_signs_with_a_note_about_pdf_a(app_factory, pki, unsigned):
    checked = app_factory(**settings(pki.ec_key, pki.ec_cert))
    result = signing_check(checked)
    assert result.exit_code == 0 and "Key:       EC secp256r1" in result.stdout
    assert "names PDF 2.0 beside its PDF/A-3 (PDF 1.7) markers; use an RSA key" in result.stderr
    pdf = CertificateSigner.from_config(settings(pki.ec_key, pki.ec_cert)).sign(unsigned, SAMPLE)
    assert validate(pdf, pki.ca)[1].bottom_line


MISCONFIGURED = {
    "key file missing": (
        lambda p: settings(p.folder / "nope.pem", p.cert),
        "LMS_CERTIFICATE_SIGNING_KEY: cannot read {folder}/nope.pem: No such file or directory",
    ),
    "certificate file missing": (
        lambda p: settings(p.key, p.folder / "nope.pem"),
        "LMS_CERTIFICATE_SIGNING_CERT: cannot read {folder}/nope.pem: No such file or directory",
    ),
    "chain file missing": (
        lambda p: settings(p.key, p.cert, p.folder / "nope.pem"),
        "LMS_CERTIFICATE_SIGNING_CHAIN: cannot read {folder}/nope.pem: No such file or directory",
    ),
    "certificate not set": (
        lambda p: settings(p.key, None),
        "LMS_CERTIFICATE_SIGNING_CERT is not set, but LMS_CERTIFICATE_SIGNING_KEY is: set "
        "LMS_CERTIFICATE_SIGNING_KEY and LMS_CERTIFICATE_SIGNING_CERT to sign certificates, "
        "or none of the LMS_CERTIFICATE_SIGNING_* settings",
    ),
    "key does not match": (
        lambda p: settings(p.key, p.ca),
        "LMS_CERTIFICATE_SIGNING_KEY ({folder}/key.pem) does not match LMS_CERTIFICATE_SIGNING_CERT "
        "({folder}/ca.pem): the key is not the one certified for "
        "CN=Test Root CA,O=Test Training Institute,C=TH",
    ),
    "no passphrase": (
        lambda p: settings(p.encrypted_key, p.cert),
        "LMS_CERTIFICATE_SIGNING_KEY: {folder}/key-encrypted.pem is encrypted: "
        "set LMS_CERTIFICATE_SIGNING_KEY_PASSPHRASE",
    ),
    "wrong passphrase": (
        lambda p: settings(p.encrypted_key, p.cert, passphrase="wrong horse"),
        "LMS_CERTIFICATE_SIGNING_KEY_PASSPHRASE does not decrypt LMS_CERTIFICATE_SIGNING_KEY "
        "({folder}/key-encrypted.pem)",
    ),
    "passphrase for a plain key": (
        lambda p: settings(p.key, p.cert, passphrase=PASSPHRASE),
        "LMS_CERTIFICATE_SIGNING_KEY_PASSPHRASE is set, but LMS_CERTIFICATE_SIGNING_KEY "
        "({folder}/key.pem) is not encrypted",
    ),
    "key given as the certificate": (
        lambda p: settings(p.key, p.key),
        "LMS_CERTIFICATE_SIGNING_CERT: {folder}/key.pem holds no PEM or DER certificate",
    ),
    "certificate given as the key": (
        lambda p: settings(p.cert, p.cert),
        "LMS_CERTIFICATE_SIGNING_KEY: {folder}/cert.pem is not a PEM or DER private key",
    ),
    "chain given as the certificate": (
        lambda p: settings(p.key, p.folder / "cert-and-ca.pem"),
        "LMS_CERTIFICATE_SIGNING_CERT: {folder}/cert-and-ca.pem holds 2 certificates: put only the "
        "signer's certificate there and the intermediates and CA in LMS_CERTIFICATE_SIGNING_CHAIN",
    ),
    "expired certificate": (
        lambda p: settings(p.key, p.expired_cert),
        "LMS_CERTIFICATE_SIGNING_CERT: {folder}/cert-expired.pem expired on {yesterday:%Y-%m-%d %H:%M} UTC",
    ),
}


@pytest.mark.parametrize("case", MISCONFIGURED)
def test_each_misconfiguration_names_its_setting(app_factory, pki, case):
    (pki.folder / "cert-and-ca.pem").write_bytes(pki.cert.read_bytes() + pki.ca.read_bytes())
    make_settings, expected = MISCONFIGURED[case]
    message = expected.format(folder=pki.folder, yesterday=NOW - timedelta(days=1))
    with pytest.raises(SigningConfigError) as raised:
        CertificateSigner.from_config(make_settings(pki))
    assert str(raised.value) == message
    broken = app_factory(**make_settings(pki))
    result = signing_check(broken)
    assert result.exit_code == 1 and result.stderr == f"Error: {message}\n" and result.stdout == ""


def test_a_misconfiguration_fails_the_download_and_stores_nothing(app_factory, learner, pki, tmp_path):
    certificate = complete_course(learner)
    broken = app_factory(LMS_CERTIFICATE_DIR=str(tmp_path), **settings(pki.key, pki.ca))
    client = broken.test_client()
    login(client, "signed@example.org")
    assert client.get(f"/certificates/{certificate.serial}.pdf").status_code == 500
    assert list(tmp_path.iterdir()) == []
    session.expire_all()
    assert session.scalar(select(Certificate.pdf_sha256)) is None


def test_a_certificate_near_its_end_gets_a_note(pki):
    signer = CertificateSigner.from_config(settings(pki.key, pki.cert))
    assert signer.notes() == []
    assert signer.notes(now=signer.valid_until - timedelta(days=10)) == [
        "the certificate expires in 10 day(s): renew it"
    ]


def test_a_signer_stops_when_its_certificate_expires(pki, unsigned):
    two_days_ago = NOW - timedelta(days=2)
    signer = CertificateSigner.from_config(settings(pki.key, pki.expired_cert), now=two_days_ago)
    with pytest.raises(SigningConfigError) as raised:
        signer.sign(unsigned, SAMPLE)
    yesterday = NOW - timedelta(days=1)
    assert str(raised.value) == (
        "LMS_CERTIFICATE_SIGNING_CERT: CN=สถาบันทดสอบ Certificate Signer,O=Test Training Institute,C=TH "
        f"expired on {yesterday:%Y-%m-%d %H:%M} UTC"
    )


def _annotate(pdf: bytes) -> bytes:
    """``pdf`` with a text note added on its first page, as an incremental update (what a
    PDF editor saves after "add a comment")."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"].raw_get(0).get_object()
    note = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (10, 10, 40, 40)]
            ),
            generic.NameObject("/Contents"): generic.TextStringObject("ผ่านการอบรม 40 ชั่วโมง"),
        }
    )
    page[generic.NameObject("/Annots")] = generic.ArrayObject([writer.add_object(note)])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_certification_signature_forbids_any_later_change(pki, unsigned):
    pdf = CertificateSigner.from_config(settings(pki.key, pki.cert)).sign(unsigned, SAMPLE)
    signature, status = validate(pdf, pki.ca)
    assert status.bottom_line and status.docmdp_ok
    assert signature.docmdp_level.name == "NO_CHANGES"  # a certification (author) signature
    assert "/DocMDP" in signature.sig_object["/Reference"][0]["/TransformMethod"]

    annotated = _annotate(pdf)
    assert annotated.startswith(pdf)  # the signed bytes are untouched: only an update appended
    _, status = validate(annotated, pki.ca)
    assert status.intact and status.valid  # the signed revision itself still verifies...
    assert not status.docmdp_ok and not status.bottom_line  # ...but the change is not allowed


def test_signing_check_warns_when_certificates_name_no_issuer_or_signatory(runner):
    result = runner.invoke(args=["lms", "certificates", "signing-check"])
    assert result.exit_code == 0
    assert "Warning: certificates name no issuer: set LMS_CERTIFICATE_ISSUER_TH" in result.stderr
    assert "Warning: certificates have no signatory and a blank signature area" in result.stderr
