"""A local LTI 1.3 platform (an LMS stand-in) on 127.0.0.1, with its own RSA key.

It serves its JWKS, answers the tool's OIDC auth request with an auto-posting form carrying a
signed id_token (after checking redirect_uri, client_id, login_hint and nonce), issues access
tokens only for client assertions that verify against the tool's live /lti/jwks, records AGS
scores, and verifies deep-linking responses. Everything it received is kept for assertions.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LEARNER = MEMBERSHIP + "Learner"
INSTRUCTOR = MEMBERSHIP + "Instructor"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def new_key() -> tuple[rsa.RSAPrivateKey, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return private, pem


@dataclass
class LocalPlatform:
    client_id: str = "tandem-tool"
    deployment_id: str = "deployment-1"
    tool_url: str = ""  # the tool's base URL (the live server), set by the test
    kid: str = field(default_factory=lambda: secrets.token_hex(8))
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    auth_requests: list[dict[str, str]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    scores: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    deep_link_responses: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.private_key, self.pem = new_key()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def issuer(self) -> str:
        return self.url

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [jwk | {"kid": self.kid, "alg": "RS256", "use": "sig"}]}

    # ---------- messages the platform launches ----------

    def resource_link(
        self,
        *,
        sub: str,
        roles: list[str],
        person_sourcedid: str = "",
        section: str = "",
        link_id: str = "link-1",
        custom: dict[str, str] | None = None,
        lineitem: str | None = "lineitem-1",
    ) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "sub": sub,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": self.tool_url + "/lti/launch",
            CLAIM + "resource_link": {"id": link_id, "title": f"Tandem {link_id}"},
            CLAIM + "roles": roles,
            CLAIM + "context": {"id": "course-1", "label": "M6", "title": "Math 6"},
            CLAIM + "lis": {
                "person_sourcedid": person_sourcedid,
                "course_section_sourcedid": section,
            },
            CLAIM + "custom": custom or {},
        }
        if lineitem:
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": [SCORE_SCOPE],
                "lineitems": f"{self.url}/lineitems",
                "lineitem": f"{self.url}/lineitems/{lineitem}",
            }
        return claims

    def deep_linking(self, *, sub: str, person_sourcedid: str, section: str) -> dict[str, Any]:
        claims = self.resource_link(
            sub=sub,
            roles=[INSTRUCTOR],
            person_sourcedid=person_sourcedid,
            section=section,
            lineitem=None,
        )
        del claims[CLAIM + "resource_link"]
        claims[CLAIM + "message_type"] = "LtiDeepLinkingRequest"
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
            "deep_link_return_url": f"{self.url}/deep-link-return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "data": "opaque-platform-data",
        }
        return claims

    def login_url(self, message: dict[str, Any], *, login_hint: str = "hint-1") -> str:
        """The tool's login initiation URL for a launch of ``message`` (third-party initiated)."""
        key = secrets.token_hex(8)
        self.messages[key] = {"login_hint": login_hint, "claims": message}
        query = urllib.parse.urlencode(
            {
                "iss": self.issuer,
                "login_hint": login_hint,
                "lti_message_hint": key,
                "target_link_uri": self.tool_url + "/lti/launch",
                "client_id": self.client_id,
                "lti_deployment_id": self.deployment_id,
            }
        )
        return f"{self.tool_url}/lti/login?{query}"

    def id_token(
        self, claims: dict[str, Any], *, nonce: str, key_pem: str | None = None, **overrides: Any
    ) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": self.client_id,
            "azp": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **claims,
        }
        body.update(overrides)
        return jwt.encode(body, key_pem or self.pem, algorithm="RS256", headers={"kid": self.kid})

    # ---------- what the tool sends ----------

    def tool_claims(self, token: str, *, audience: str) -> dict[str, Any]:
        """Verify a JWT the tool signed against the tool's published keys."""
        client = jwt.PyJWKClient(self.tool_url + "/lti/jwks", cache_keys=False)
        key = client.get_signing_key_from_jwt(token).key
        return jwt.decode(token, key, algorithms=["RS256"], audience=audience)

    def auth(self, query: dict[str, str]) -> tuple[int, str]:
        self.auth_requests.append(query)
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": self.client_id,
            "redirect_uri": self.tool_url + "/lti/launch",
        }
        wrong = [name for name, value in expected.items() if query.get(name) != value]
        message = self.messages.get(query.get("lti_message_hint", ""))
        if message is None or query.get("login_hint") != message["login_hint"]:
            wrong.append("login_hint/lti_message_hint")
        if not query.get("nonce") or not query.get("state"):
            wrong.append("nonce/state")
        if wrong:
            self.errors.append(f"auth request: bad {wrong}")
            return 400, f"bad auth request: {wrong}"
        assert message is not None
        token = self.id_token(message["claims"], nonce=query["nonce"])
        return 200, auto_post_form(
            query["redirect_uri"], {"id_token": token, "state": query["state"]}
        )

    def token(self, form: dict[str, str]) -> tuple[int, str]:
        self.token_requests.append(form)
        try:
            assert form.get("grant_type") == "client_credentials"
            assert form.get("client_assertion_type") == (
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            )
            assert SCORE_SCOPE in form.get("scope", "").split()
            claims = self.tool_claims(form["client_assertion"], audience=self.url + "/token")
            assert claims["iss"] == claims["sub"] == self.client_id
            assert claims.get("jti")
        except (AssertionError, KeyError, jwt.PyJWTError) as error:
            self.errors.append(f"token request refused: {error!r}")
            return 401, json.dumps({"error": "invalid_client"})
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        answer = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": SCORE_SCOPE,
        }
        return 200, json.dumps(answer)

    def score(self, path: str, headers: Any, body: bytes) -> tuple[int, str]:
        bearer = headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in self.tokens:
            self.errors.append("score without a valid token")
            return 401, "no"
        if headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
            self.errors.append("score with the wrong media type")
            return 415, "no"
        lineitem = path.removeprefix("/lineitems/").removesuffix("/scores")
        self.scores.append((lineitem, json.loads(body)))
        return 204, ""

    def deep_link_return(self, form: dict[str, str]) -> tuple[int, str]:
        try:
            claims = self.tool_claims(form["JWT"], audience=self.issuer)
            assert claims["iss"] == self.client_id
            assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
            assert claims[CLAIM + "version"] == "1.3.0"
            assert claims[CLAIM + "deployment_id"] == self.deployment_id
        except (AssertionError, KeyError, jwt.PyJWTError) as error:
            self.errors.append(f"deep-link response refused: {error!r}")
            return 400, "refused"
        self.deep_link_responses.append(claims)
        return 200, "<!doctype html><title>Course</title><h1>Link added to the course</h1>"


def auto_post_form(action: str, fields: dict[str, str]) -> str:
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    return (
        "<!doctype html><title>Launching</title>"
        f'<form id="launch" method="post" action="{html.escape(action)}">{inputs}'
        '<button type="submit">Continue</button></form>'
        '<script>document.getElementById("launch").submit()</script>'
    )


def _handler(platform: LocalPlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: str, content_type: str = "text/html") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _form(self) -> tuple[bytes, dict[str, str]]:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            return raw, dict(urllib.parse.parse_qsl(raw.decode()))

        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            if parts.path == "/jwks":
                return self._send(200, json.dumps(platform.jwks()), "application/json")
            if parts.path == "/auth":
                return self._send(*platform.auth(dict(urllib.parse.parse_qsl(parts.query))))
            return self._send(404, "not found")

        def do_POST(self) -> None:
            raw, form = self._form()
            if self.path == "/token":
                return self._send(*platform.token(form), "application/json")
            if self.path.startswith("/lineitems/") and self.path.endswith("/scores"):
                return self._send(*platform.score(self.path, self.headers, raw))
            if self.path == "/deep-link-return":
                return self._send(*platform.deep_link_return(form))
            return self._send(404, "not found")

    return Handler
