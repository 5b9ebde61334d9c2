"""pyHanko's signer, with the private key parsed once.

Kept apart from :mod:`lms.certificates.signing` because it subclasses a pyHanko class: importing
pyHanko takes about half a second, so it is imported only when a signer is built (ADR 0034).
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.sign import signers
from pyhanko_certvalidator.util import get_pyca_cryptography_hash


class ParsedKeySigner(signers.SimpleSigner):
    """A :class:`~pyhanko.sign.signers.SimpleSigner` that keeps the parsed private key.

    ``SimpleSigner.sign_raw`` parses the key again for every signature, and pyHanko signs
    twice per PDF (a dry run sizes the signature's placeholder). For a 2048-bit RSA key that
    parse (which checks the key) is about 45 ms: two thirds of the time of a signature. RSA
    PKCS#1 v1.5 and ECDSA are signed here with the key parsed once; anything else goes the
    usual way.
    """

    def __init__(self, *, private_key: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._private_key, RSAPrivateKey):
            return self._private_key.sign(data, PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(self._private_key, EllipticCurvePrivateKey):
            return self._private_key.sign(data, ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)
