"""Signed statements (xAPI 1.0.3, data 2.6): checking the JWS a statement carries about itself.

The signature attachment holds a compact JWS whose payload is the statement as the signer made
it. The LRS refuses a malformed JWS, an algorithm other than RS256/RS384/RS512, a payload that
is not the statement, and, when the JWS header carries an X.509 chain (``x5c``), a signature
that the first certificate's key does not verify. Without ``x5c`` the signer's key is unknown to
the LRS, so only form and payload are checked; a reader verifies with the key it trusts.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from tandem.interop.xapi.validation import SIGNATURE_USAGE, StatementError, duration_compared

ALGORITHMS = ("RS256", "RS384", "RS512")
# Set by the LRS, so never part of what was signed (data 2.6, "Statement comparison").
_LRS_SET = ("stored", "authority", "version")


def signature_attachments(statement: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in statement.get("attachments") or [] if a.get("usageType") == SIGNATURE_USAGE]


def _signed_form(statement: dict[str, Any], *, keep_id: bool) -> dict[str, Any]:
    """The statement as compared with the payload: no LRS-set properties, no signature."""
    form = {key: value for key, value in statement.items() if key not in _LRS_SET}
    attachments = [
        a for a in form.pop("attachments", None) or [] if a.get("usageType") != SIGNATURE_USAGE
    ]
    if attachments:
        form["attachments"] = attachments
    result = form.get("result")
    if isinstance(result, dict) and isinstance(result.get("duration"), str):
        form["result"] = {**result, "duration": duration_compared(result["duration"])}
    if keep_id and "id" in form:
        form["id"] = str(form["id"]).lower()
    else:
        form.pop("id", None)
    return form


def signature_verify(*, statement: dict[str, Any], jws: bytes) -> None:
    """Raise StatementError unless ``jws`` is a well-formed RSA JWS of ``statement``."""
    try:
        token = jws.decode("ascii").strip()
        header = jwt.get_unverified_header(token)
    except (UnicodeDecodeError, jwt.InvalidTokenError):
        raise StatementError("The signature is not a compact JWS.") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise StatementError("The signature must use RS256, RS384 or RS512.")
    signer = jwt.PyJWS()
    try:
        if "x5c" in header:
            chain = header["x5c"]
            if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
                raise StatementError("The signature's x5c must list certificates.")
            certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
            key = certificate.public_key()
            if not isinstance(key, RSAPublicKey):
                raise StatementError("The signature's certificate does not hold an RSA key.")
            payload = signer.decode(token, key=key, algorithms=[algorithm])
        else:
            payload = signer.decode_complete(token, options={"verify_signature": False})["payload"]
            if not token.rsplit(".", 1)[-1]:
                raise StatementError("The signature's JWS has no signature.")
    except StatementError:
        raise
    except jwt.InvalidSignatureError:
        raise StatementError("The signature does not verify with its certificate.") from None
    except (jwt.InvalidTokenError, ValueError, binascii.Error):
        raise StatementError("The signature is not a valid JWS.") from None
    try:
        signed = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise StatementError("The signature's payload is not a JSON statement.") from None
    if not isinstance(signed, dict):
        raise StatementError("The signature's payload is not a JSON statement.")
    keep_id = "id" in signed
    if _signed_form(signed, keep_id=keep_id) != _signed_form(statement, keep_id=keep_id):
        raise StatementError("The signature's payload differs from the statement.")
