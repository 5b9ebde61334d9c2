"""PAdES signatures on certificate PDFs, with pyHanko, when a key and certificate are set.

The signature is added as an incremental update: the bytes WeasyPrint wrote (PDF/A-3b, the
``certificate.json`` attachment) stay exactly as they were, followed by the signature field
and its CMS container. It is a PAdES baseline-B signature (``/ETSI.CAdES.detached``, SHA-256,
no time stamp) and a certification signature whose DocMDP permissions allow no change, so a
file altered after signing no longer validates (ADR 0021). A PDF reader checks it against the
trust it places in the signer's CA.

One signer per app and process (:func:`signer`), built from the ``LMS_CERTIFICATE_SIGNING_*``
settings on first use. A wrong setting raises :class:`SigningConfigError`, naming it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import current_app

from lms.certificates.errors import CertificateError

if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from pyhanko.sign import signers

log = logging.getLogger(__name__)

SIGNER_KEY = "lms_certificate_signer"
FIELD_NAME = "CertificateSignature"
KEY = "LMS_CERTIFICATE_SIGNING_KEY"
CERT = "LMS_CERTIFICATE_SIGNING_CERT"
CHAIN = "LMS_CERTIFICATE_SIGNING_CHAIN"
PASSPHRASE = "LMS_CERTIFICATE_SIGNING_KEY_PASSPHRASE"  # noqa: S105 (the setting's name)
EXPIRY_WARNING_DAYS = 30


class SigningConfigError(CertificateError):
    """A ``LMS_CERTIFICATE_SIGNING_*`` setting is wrong; the message names it."""


@dataclass(frozen=True)
class CertificateSigner:
    """Signs certificate PDFs with one key and certificate (and its chain, embedded)."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    key_type: str
    _signer: signers.SimpleSigner = field(repr=False)

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def issuer(self) -> str:
        return self.certificate.issuer.rfc4514_string()

    @property
    def valid_from(self) -> datetime:
        return self.certificate.not_valid_before_utc

    @property
    def valid_until(self) -> datetime:
        return self.certificate.not_valid_after_utc

    @classmethod
    def from_config(cls, config: Any, now: datetime | None = None) -> CertificateSigner | None:
        """The signer the settings describe, ``None`` if signing is not configured."""
        from asn1crypto import keys as asn1_keys
        from cryptography.hazmat.primitives import serialization
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        from lms.certificates.pyhanko_signer import ParsedKeySigner

        values = {name: config.get(name) for name in (KEY, CERT, CHAIN, PASSPHRASE)}
        if not any(values.values()):
            return None
        for name in (KEY, CERT):
            if not values[name]:
                others = ", ".join(n for n, v in values.items() if v)
                raise SigningConfigError(
                    f"{name} is not set, but {others} is: set {KEY} and {CERT} to sign certificates, "
                    "or none of the LMS_CERTIFICATE_SIGNING_* settings"
                )
        private_key = _load_key(values[KEY], values[PASSPHRASE])
        certificate = _load_certificate(values[CERT])
        chain = _load_chain(values[CHAIN]) if values[CHAIN] else ()
        _check_pair(private_key, certificate, values[KEY], values[CERT], now or datetime.now(UTC))
        return cls(
            certificate=certificate,
            chain=chain,
            key_type=_key_type(private_key),
            _signer=ParsedKeySigner(
                private_key=private_key,
                signing_cert=_asn1(certificate),
                signing_key=asn1_keys.PrivateKeyInfo.load(
                    private_key.private_bytes(
                        serialization.Encoding.DER,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    )
                ),
                cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in chain]),
            ),
        )

    def notes(self, now: datetime | None = None) -> list[str]:
        """What an operator should know about this key and certificate (not errors)."""
        found = []
        if not self.key_type.startswith("RSA"):
            found.append(
                f"{self.key_type} key: pyHanko then declares ISO/TS 32002, an extension of PDF 2.0, "
                "so the signed file names PDF 2.0 beside its PDF/A-3 (PDF 1.7) markers; "
                "use an RSA key for strict PDF/A-3"
            )
        days_left = (self.valid_until - (now or datetime.now(UTC))).days
        if days_left < EXPIRY_WARNING_DAYS:
            found.append(f"the certificate expires in {days_left} day(s): renew it")
        return found

    def sign(self, pdf: bytes, data: dict[str, Any]) -> bytes:
        """``pdf`` with a PAdES signature appended; ``data`` is the certificate's data
        (its serial, issuer and verification URL go into the signature's reason and location).

        It is a certification (author) signature with DocMDP level 1, "no changes": any
        incremental update appended later (an annotation, a changed Info dictionary, a form
        fill) makes validation fail. A process started before the certificate expired stops
        signing when it does.
        """
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        if datetime.now(UTC) > self.valid_until:
            raise SigningConfigError(
                f"{CERT}: {self.subject} expired on {self.valid_until:%Y-%m-%d %H:%M} UTC"
            )
        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=signing_reason(data),
            location=urlsplit(data["verify_url"]).netloc,
            certify=True,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        )
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        signed = signers.PdfSigner(metadata, self._signer).sign_pdf(writer).getvalue()
        log.info("certificate %s signed by %s", data["serial"], self.subject)
        return signed


def signing_reason(data: dict[str, Any]) -> str:
    """Thai, then English: ``เกียรติบัตรเลขที่ DG-2569-000123 ออกโดย สถาบัน... /
    Certificate DG-2569-000123 issued by ...`` (without the issuer where it has no name)."""
    issuer = data.get("issuer") or {}
    thai = f"เกียรติบัตรเลขที่ {data['serial']}"
    english = f"Certificate {data['serial']}"
    if issuer.get("name_th"):
        thai += f" ออกโดย {issuer['name_th']}"
    english += f" issued by {issuer['name_en']}" if issuer.get("name_en") else " issued"
    return f"{thai} / {english}"


def signer() -> CertificateSigner | None:
    """The app's signer, built on first use and kept; ``None`` when signing is not configured.

    A misconfiguration raises :class:`SigningConfigError` every time (nothing is kept), so a
    fixed setting takes effect on the next call.
    """
    if SIGNER_KEY not in current_app.extensions:
        current_app.extensions[SIGNER_KEY] = CertificateSigner.from_config(current_app.config)
    return current_app.extensions[SIGNER_KEY]


def _read(setting: str, path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SigningConfigError(f"{setting}: cannot read {path}: {exc.strerror or exc}") from exc


def _load_key(path: str, passphrase: str | None) -> Any:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    raw = _read(KEY, path)
    load = serialization.load_pem_private_key if b"-----BEGIN" in raw else serialization.load_der_private_key
    password = passphrase.encode("utf-8") if passphrase else None
    try:
        return load(raw, password=password)
    except TypeError as exc:
        if password is None:
            raise SigningConfigError(f"{KEY}: {path} is encrypted: set {PASSPHRASE}") from exc
        raise SigningConfigError(f"{PASSPHRASE} is set, but {KEY} ({path}) is not encrypted") from exc
    except ValueError as exc:
        if password is not None and b"ENCRYPTED" in raw:
            raise SigningConfigError(f"{PASSPHRASE} does not decrypt {KEY} ({path})") from exc
        raise SigningConfigError(f"{KEY}: {path} is not a PEM or DER private key") from exc
    except UnsupportedAlgorithm as exc:
        raise SigningConfigError(f"{KEY}: {path}: {exc}") from exc


def _load_certificates(setting: str, path: str) -> list[x509.Certificate]:
    from cryptography import x509

    raw = _read(setting, path)
    try:
        if b"-----BEGIN" in raw:
            return x509.load_pem_x509_certificates(raw)
        return [x509.load_der_x509_certificate(raw)]
    except ValueError as exc:
        raise SigningConfigError(f"{setting}: {path} holds no PEM or DER certificate") from exc


def _load_certificate(path: str) -> x509.Certificate:
    found = _load_certificates(CERT, path)
    if len(found) != 1:
        raise SigningConfigError(
            f"{CERT}: {path} holds {len(found)} certificates: put only the signer's certificate "
            f"there and the intermediates and CA in {CHAIN}"
        )
    return found[0]


def _load_chain(path: str) -> tuple[x509.Certificate, ...]:
    return tuple(_load_certificates(CHAIN, path))


def _check_pair(
    private_key: Any, certificate: x509.Certificate, key_path: str, cert_path: str, now: datetime
) -> None:
    from cryptography.hazmat.primitives import serialization

    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if private_key.public_key().public_bytes(*public) != certificate.public_key().public_bytes(*public):
        raise SigningConfigError(
            f"{KEY} ({key_path}) does not match {CERT} ({cert_path}): the key is not the one "
            f"certified for {certificate.subject.rfc4514_string()}"
        )
    if now < certificate.not_valid_before_utc:
        raise SigningConfigError(
            f"{CERT}: {cert_path} is valid only from {certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
        )
    if now > certificate.not_valid_after_utc:
        raise SigningConfigError(
            f"{CERT}: {cert_path} expired on {certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
        )


def _key_type(private_key: Any) -> str:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

    if isinstance(private_key, RSAPrivateKey):
        return f"RSA {private_key.key_size}"
    if isinstance(private_key, EllipticCurvePrivateKey):
        return f"EC {private_key.curve.name}"
    return type(private_key).__name__


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
