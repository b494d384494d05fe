"""Tandem's LRS Statements resource over HTTP: attachments, signed statements, query filters and
formats, statement validation, voiding that reaches the learner model, and Tandem's own
evidence read back pseudonymously (xAPI 1.0.3 communication 2.1, data 2.4-2.6)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client, override_settings
from django.utils import timezone
from tests.factories import make_school, record_answer

from tandem.checkins.constants import Understanding
from tandem.checkins.services import ObservationInput, checkin_record
from tandem.competencies.models import Competency
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.evidence.services import evidence_void
from tandem.interop.models import LrsAttachment, LrsStatement
from tandem.interop.xapi.constants import Scope
from tandem.interop.xapi.mirror import evidence_mirror
from tandem.interop.xapi.multipart import multipart_parse
from tandem.interop.xapi.services import lrs_client_issue
from tandem.interop.xapi.validation import validate_statement
from tandem.mastery.models import LearnerState, StateChange
from tandem.teaching.services import observation_record

URL = "/xapi/statements"
VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
ACTIVITY = "https://example.org/activities/quiz-1"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
BOUNDARY = "tandem-test-boundary"


class Lrs:
    """A test client that sends one LRS client's credentials and the version header."""

    def __init__(self, scopes: list[str] | None = None, name: str = "Quiz app") -> None:
        self.client, secret = lrs_client_issue(name=name, scopes=scopes)
        token = base64.b64encode(f"{self.client.key}:{secret}".encode()).decode()
        self.http = Client()
        self.headers = {**VERSION, "HTTP_AUTHORIZATION": f"Basic {token}"}

    def post(self, body: Any) -> Any:
        return self.http.post(
            URL, json.dumps(body), content_type="application/json", **self.headers
        )

    def post_multipart(self, body: bytes) -> Any:
        return self.http.post(
            URL, body, content_type=f'multipart/mixed; boundary="{BOUNDARY}"', **self.headers
        )

    def get(self, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.http.get(URL, params or {}, **self.headers, **extra)


@pytest.fixture
def lrs(db: Any) -> Lrs:
    return Lrs(scopes=[Scope.ALL])


def statement(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "actor": {"objectType": "Agent", "mbox": "mailto:ada@example.org", "name": "Ada"},
        "verb": {"id": ANSWERED, "display": {"en-US": "answered", "de-DE": "beantwortete"}},
        "object": {"objectType": "Activity", "id": ACTIVITY},
        "result": {"success": True},
    }
    data.update(overrides)
    return data


def attachment(content: bytes, **overrides: Any) -> dict[str, Any]:
    data = {
        "usageType": "http://id.tincanapi.com/attachment/supporting_media",
        "display": {"en-US": "Worked solution"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
    }
    data.update(overrides)
    return data


def multipart(statements: Any, *parts: bytes, headers: dict[str, str] | None = None) -> bytes:
    chunks = [
        f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json.dumps(statements).encode(),
    ]
    for content in parts:
        part_headers = {
            "Content-Type": "application/octet-stream",
            "Content-Transfer-Encoding": "binary",
            "X-Experience-API-Hash": hashlib.sha256(content).hexdigest(),
            **(headers or {}),
        }
        head = "".join(f"{name}: {value}\r\n" for name, value in part_headers.items())
        chunks += [f"\r\n--{BOUNDARY}\r\n{head}\r\n".encode(), content]
    chunks.append(f"\r\n--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


# -- attachments -----------------------------------------------------------------------------


def test_attachments_round_trip_through_multipart(lrs: Lrs) -> None:
    # Binary content with CRLFs and dashes inside survives the boundary parsing byte for byte.
    content = b"line one\r\n--not-a-boundary\r\n\x00\xff binary\r\n"
    sent = statement(attachments=[attachment(content)])
    response = lrs.post_multipart(multipart(sent, content))
    assert response.status_code == 200, response.content
    (sid,) = response.json()
    stored = LrsAttachment.objects.get()
    assert bytes(stored.content) == content and stored.length == len(content)
    # The same content sent again with another statement is stored once.
    assert lrs.post_multipart(multipart(statement(attachments=[attachment(content)]), content))
    assert LrsAttachment.objects.count() == 1
    plain = lrs.get({"statementId": sid})
    assert plain["Content-Type"] == "application/json"
    assert plain.json()["attachments"][0]["sha2"] == stored.sha2
    with_raw = lrs.get({"statementId": sid, "attachments": "true"})
    assert with_raw.status_code == 200
    assert with_raw["Content-Type"].startswith("multipart/mixed")
    parts = multipart_parse(content_type=with_raw["Content-Type"], body=with_raw.content)
    assert json.loads(parts[0].content)["id"] == sid
    assert [part.content for part in parts[1:]] == [content]
    assert parts[1].headers["x-experience-api-hash"] == stored.sha2
    listed = lrs.get({"attachments": "true"})
    parts = multipart_parse(content_type=listed["Content-Type"], body=listed.content)
    assert len(json.loads(parts[0].content)["statements"]) == 2
    assert len(parts) == 2  # one attachment part for the two statements that share it


def test_an_attachment_without_file_url_needs_its_part(lrs: Lrs) -> None:
    content = b"the raw content"
    with_part = statement(attachments=[attachment(content)])
    # As plain JSON there is nowhere for the content to be.
    assert lrs.post(with_part).status_code == 400
    # With fileUrl the content lives elsewhere, and plain JSON is fine.
    linked = statement(
        attachments=[attachment(content, fileUrl="https://example.org/solution.txt")]
    )
    assert lrs.post(linked).status_code == 200
    assert LrsAttachment.objects.count() == 0
    before = LrsStatement.objects.count()
    # Multipart without the part; a part matching no attachment; a part whose hash lies.
    assert lrs.post_multipart(multipart(with_part)).status_code == 400
    assert lrs.post_multipart(multipart(with_part, content, b"stray")).status_code == 400
    lying = multipart(with_part, b"other content").replace(
        hashlib.sha256(b"other content").hexdigest().encode(),
        hashlib.sha256(content).hexdigest().encode(),
    )
    assert lrs.post_multipart(lying).status_code == 400
    # Parts must be binary, and the first part must be the statements.
    base64_part = multipart(with_part, content, headers={"Content-Transfer-Encoding": "base64"})
    assert lrs.post_multipart(base64_part).status_code == 400
    no_json = multipart(with_part, content).replace(b"application/json", b"text/plain", 1)
    assert lrs.post_multipart(no_json).status_code == 400
    assert LrsStatement.objects.count() == before and LrsAttachment.objects.count() == 0


def test_a_multipart_body_with_bare_line_feeds_is_read_too(lrs: Lrs) -> None:
    content = b"here is the attachment"
    body = multipart(statement(attachments=[attachment(content)]), content)
    assert b"\r" not in content
    response = lrs.post_multipart(body.replace(b"\r\n", b"\n"))
    assert response.status_code == 200, response.content
    assert bytes(LrsAttachment.objects.get().content) == content


def test_put_takes_multipart_too(lrs: Lrs) -> None:
    content = b"put content"
    sid = str(uuid.uuid4())
    response = lrs.http.put(
        f"{URL}?statementId={sid}",
        multipart(statement(attachments=[attachment(content)]), content),
        content_type=f"multipart/mixed; boundary={BOUNDARY}",
        **lrs.headers,
    )
    assert response.status_code == 204, response.content
    assert list(LrsStatement.objects.get(id=sid).attachments.all()) == [LrsAttachment.objects.get()]


def test_a_request_over_the_size_limit_is_refused_with_413(lrs: Lrs) -> None:
    content = b"x" * 5000
    body = multipart(statement(attachments=[attachment(content)]), content)
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4000):
        assert lrs.post_multipart(body).status_code == 413
    assert LrsStatement.objects.count() == 0


# -- signed statements -----------------------------------------------------------------------


def _key_and_certificate() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Quiz app signer")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    return key, base64.b64encode(der).decode()


@pytest.fixture(scope="module")
def signer() -> tuple[rsa.RSAPrivateKey, str]:
    return _key_and_certificate()


def _signed(
    payload: dict[str, Any],
    key: Any,
    *,
    x5c: str | None,
    algorithm: str = "RS256",
    sent: dict[str, Any] | None = None,
) -> bytes:
    """A multipart request of ``sent`` (default: ``payload``) signed over ``payload``."""
    headers = {"x5c": [x5c]} if x5c else None
    jws = (
        jwt.PyJWS()
        .encode(json.dumps(payload).encode(), key, algorithm=algorithm, headers=headers)
        .encode()
    )
    signature = attachment(jws, usageType=SIGNATURE, contentType="application/octet-stream")
    body = {**(sent or payload), "attachments": [signature]}
    return multipart(body, jws)


def test_a_signed_statement_is_verified_against_its_certificate(
    lrs: Lrs, signer: tuple[rsa.RSAPrivateKey, str]
) -> None:
    key, certificate = signer
    signed = statement(id=str(uuid.uuid4()))
    response = lrs.post_multipart(_signed(signed, key, x5c=certificate, algorithm="RS384"))
    assert response.status_code == 200, response.content
    assert response.json() == [signed["id"]]
    # Without x5c the form and payload are still checked.
    assert lrs.post_multipart(_signed(statement(), key, x5c=None)).status_code == 200


def test_a_bad_signature_is_refused_and_nothing_is_stored(
    lrs: Lrs, signer: tuple[rsa.RSAPrivateKey, str]
) -> None:
    key, certificate = signer
    other_key, _ = _key_and_certificate()
    signed = statement()
    tampered = statement(result={"success": False})
    cases = [
        _signed(signed, key, x5c=certificate, sent=tampered),  # payload is not the statement
        _signed(signed, other_key, x5c=certificate),  # the certificate's key did not sign it
        _signed(
            signed, "a shared secret that is long enough for HS256", x5c=None, algorithm="HS256"
        ),  # not RSA
    ]
    not_jws = b"this is not a JWS"
    malformed_attachment = attachment(
        not_jws, usageType=SIGNATURE, contentType="application/octet-stream"
    )
    cases.append(multipart({**signed, "attachments": [malformed_attachment]}, not_jws))
    jws = b"aaa.bbb.ccc"
    wrong_type = attachment(jws, usageType=SIGNATURE, contentType="text/plain")
    cases.append(multipart({**signed, "attachments": [wrong_type]}, jws))
    for body in cases:
        assert lrs.post_multipart(body).status_code == 400
    assert LrsStatement.objects.count() == 0


# -- validation ------------------------------------------------------------------------------


def _interaction(**definition: Any) -> dict[str, Any]:
    return statement(object={"id": ACTIVITY, "definition": definition})


def _sub(**overrides: Any) -> dict[str, Any]:
    inner = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:bob@example.org"},
        "verb": {"id": ANSWERED},
        "object": {"id": ACTIVITY},
    }
    inner.update(overrides)
    return statement(object=inner)


@pytest.mark.parametrize(
    "bad",
    [
        statement(version="2.0.0"),
        statement(version="1.1"),
        statement(timestamp="2026-01-05T10:00:00-00:00"),
        statement(timestamp="2026-01-05T10:00:00.601-0000"),
        statement(timestamp="2026-01-05T10:00:00.601-00"),
        statement(timestamp="01/011/2015"),
        statement(timestamp="2026-01-05"),
        statement(actor={"objectType": "Agent", "mbox": "mailto:a@b.org", "member": []}),
        statement(actor={"objectType": "Group"}),
        statement(actor={"mbox": "mailto:a@b.org", "name": None}),
        # An object without objectType is an Activity, and an Activity needs an id.
        statement(object={"mbox": "mailto:a@b.org"}),
        statement(object={"objectType": "Thing", "id": ACTIVITY}),
        statement(object={"objectType": "StatementRef", "id": "not-a-uuid"}),
        statement(
            object={"objectType": "Agent", "mbox": "mailto:bob@example.org"},
            context={"revision": "2"},
        ),
        statement(
            object={"objectType": "StatementRef", "id": str(uuid.uuid4())},
            context={"platform": "Quiz"},
        ),
        _sub(id=str(uuid.uuid4())),
        _sub(stored="2026-01-05T10:00:00Z"),
        _sub(object=_sub()["object"]),
        _sub(verb={"id": "answered"}),
        _interaction(interactionType="essay"),
        _interaction(interactionType="true-false", choices=[{"id": "a"}]),
        _interaction(interactionType="choice", choices=[{"id": "a"}, {"id": "a"}]),
        _interaction(choices=[{"id": "a"}]),
        _interaction(interactionType="choice", correctResponsesPattern="a"),
        _interaction(type="not an iri"),
        _interaction(name={"not a tag!": "x"}),
        _interaction(extensions={"not an iri": 1}),
        statement(result={"score": {"raw": 11, "min": 0, "max": 10}}),
        statement(result={"score": {"min": 5, "max": 5}}),
        statement(result={"extensions": {"key": 1}}),
        statement(result={"duration": "P1DT"}),
        statement(context={"team": {"mbox": "mailto:a@b.org"}}),
        statement(context={"statement": {"id": str(uuid.uuid4())}}),
        statement(context={"contextActivities": {"sibling": [{"id": ACTIVITY}]}}),
        statement(context={"contextActivities": {"parent": [{"id": "not an iri"}]}}),
        statement(context={"language": "not a tag!"}),
        statement(context={"registration": "nope"}),
        statement(attachments=[{"usageType": SIGNATURE, "display": {"en-US": "x"}}]),
        statement(authority={"objectType": "Group", "member": [{"mbox": "mailto:a@b.org"}]}),
        statement(verb={"id": VOIDED}, object={"id": ACTIVITY}),
    ],
)
def test_statements_that_break_the_spec_are_refused(lrs: Lrs, bad: dict[str, Any]) -> None:
    response = lrs.post([statement(), bad])
    assert response.status_code == 400, bad
    assert "error" in response.json()
    assert LrsStatement.objects.count() == 0


@pytest.mark.parametrize(
    "timestamp",
    [
        "2026-01-05T10:00:00.601Z",
        "2026-01-05T10:00+01:00",
        "20260105T100000Z",
        "20260105T1000-0500",
    ],
)
def test_timestamps_in_extended_and_basic_iso_8601_are_accepted(lrs: Lrs, timestamp: str) -> None:
    assert lrs.post(statement(timestamp=timestamp)).status_code == 200


def test_a_rich_valid_statement_is_stored(lrs: Lrs) -> None:
    rich = statement(
        id=str(uuid.uuid4()),
        version="1.0.0",
        timestamp="2026-01-05T10:00:00.123+01:00",
        object={
            "objectType": "Activity",
            "id": ACTIVITY,
            "definition": {
                "name": {"en-US": "Quiz 1"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "choice",
                "correctResponsesPattern": ["a"],
                "choices": [{"id": "a", "description": {"en-US": "A"}}, {"id": "b"}],
                "extensions": {"https://example.org/ext": None},
            },
        },
        result={
            "score": {"raw": 7, "min": 0, "max": 10, "scaled": 0.7},
            "success": True,
            "completion": True,
            "response": "a",
            "duration": "PT1M30.5S",
        },
        context={
            "registration": str(uuid.uuid4()),
            "instructor": {"objectType": "Agent", "openid": "https://id.example/t"},
            "team": {"objectType": "Group", "member": [{"mbox": "mailto:c@example.org"}]},
            "contextActivities": {"parent": {"id": "https://example.org/course"}},
            "revision": "3",
            "platform": "Quiz app",
            "language": "en-US",
            "statement": {"objectType": "StatementRef", "id": str(uuid.uuid4())},
        },
    )
    assert lrs.post(rich).status_code == 200
    sub = _sub(context={"registration": str(uuid.uuid4())}, timestamp="2026-01-05T10:00:00Z")
    assert lrs.post(sub).status_code == 200


# -- queries and formats ---------------------------------------------------------------------


def test_related_agents_and_related_activities_match_broadly(lrs: Lrs) -> None:
    teacher = {"objectType": "Agent", "mbox": "mailto:teacher@example.org"}
    course = "https://example.org/course"
    (direct,) = lrs.post(statement()).json()
    (context_only,) = lrs.post(
        statement(
            actor={"mbox": "mailto:bob@example.org"},
            object={"id": "https://example.org/activities/other"},
            context={"instructor": teacher, "contextActivities": {"parent": [{"id": ACTIVITY}]}},
        )
    ).json()
    about = statement(
        actor={"mbox": "mailto:bob@example.org"},
        object=teacher,
        context={"contextActivities": {"grouping": {"id": course}}},
    )
    del about["result"]
    (about_teacher,) = lrs.post(about).json()

    def ids(**params: str) -> set[str]:
        response = lrs.get(params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["statements"]}

    assert ids(activity=ACTIVITY) == {direct}
    assert ids(activity=ACTIVITY, related_activities="true") == {direct, context_only}
    assert ids(activity=course, related_activities="true") == {about_teacher}
    agent = json.dumps(teacher)
    assert ids(agent=agent) == {about_teacher}
    assert ids(agent=agent, related_agents="true") == {context_only, about_teacher}
    assert lrs.get({"agent": agent, "related_agents": "maybe"}).status_code == 400


def test_a_statement_targeting_a_match_is_returned_and_the_voided_one_is_not(lrs: Lrs) -> None:
    (target,) = lrs.post(statement()).json()
    (voider,) = lrs.post(
        {
            "actor": {"mbox": "mailto:admin@example.org"},
            "verb": {"id": VOIDED},
            "object": {"objectType": "StatementRef", "id": target},
        }
    ).json()
    (about_voider,) = lrs.post(
        {
            "actor": {"mbox": "mailto:other@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"objectType": "StatementRef", "id": voider},
        }
    ).json()
    rows = lrs.get({"activity": ACTIVITY, "verb": ANSWERED}).json()["statements"]
    # The voided statement matches the filters but is voided; what targets it still matches,
    # also two links away.
    assert {row["id"] for row in rows} == {voider, about_voider}
    agent = json.dumps({"mbox": "mailto:ada@example.org"})
    assert {r["id"] for r in lrs.get({"agent": agent}).json()["statements"]} == {
        voider,
        about_voider,
    }
    assert lrs.get({"activity": "https://example.org/none"}).json()["statements"] == []


def test_formats_ids_and_canonical(lrs: Lrs) -> None:
    sent = statement(
        object={
            "id": ACTIVITY,
            "definition": {"name": {"en-US": "Quiz", "de-DE": "Test"}, "description": {"fr": "x"}},
        },
    )
    (sid,) = lrs.post(sent).json()
    ids = lrs.get({"statementId": sid, "format": "ids"}).json()
    assert ids["actor"] == {"objectType": "Agent", "mbox": "mailto:ada@example.org"}
    assert ids["verb"] == {"id": ANSWERED}
    assert ids["object"] == {"id": ACTIVITY}  # an Activity is identified by its id alone
    assert ids["result"] == {"success": True}
    canonical = lrs.get(
        {"statementId": sid, "format": "canonical"}, HTTP_ACCEPT_LANGUAGE="de;q=0.9, fr;q=0.1"
    ).json()
    assert canonical["verb"]["display"] == {"de-DE": "beantwortete"}
    assert canonical["object"]["definition"]["name"] == {"de-DE": "Test"}
    assert canonical["object"]["definition"]["description"] == {"fr": "x"}
    assert canonical["actor"]["name"] == "Ada"
    exact = lrs.get({"statementId": sid, "format": "exact"}).json()
    assert exact["verb"]["display"] == sent["verb"]["display"]
    listed = lrs.get({"format": "ids"}).json()["statements"]
    assert listed[0]["verb"] == {"id": ANSWERED}
    assert lrs.get({"format": "full"}).status_code == 400


def test_parameter_rules_and_consistency_headers(lrs: Lrs) -> None:
    (sid,) = lrs.post(statement()).json()
    assert lrs.get({"statementId": sid, "attachments": "false"}).status_code == 200
    assert lrs.get({"statementId": sid, "limit": "1"}).status_code == 400
    assert lrs.get({"statementId": sid, "voidedStatementId": sid}).status_code == 400
    assert lrs.get({"voidedStatementId": sid}).status_code == 404
    assert lrs.get({"ascending": "yes"}).status_code == 400
    assert lrs.get({"since": "not a time"}).status_code == 400
    assert lrs.get({"verb": "not an iri"}).status_code == 400
    assert lrs.get({"Agent": "{}"}).status_code == 400
    assert lrs.get({"cursor": "garbage"}).status_code == 400
    response = lrs.get({"limit": "0"})
    assert response.status_code == 200
    stored = dt.datetime.fromisoformat(response.json()["statements"][0]["stored"])
    through = dt.datetime.fromisoformat(response["X-Experience-API-Consistent-Through"])
    assert through >= stored
    assert "Last-Modified" in response
    assert lrs.http.head(URL, **lrs.headers).content == b""


def test_more_paging_is_stable_under_inserts(lrs: Lrs) -> None:
    first = lrs.post([statement() for _ in range(5)]).json()
    in_order = sorted(first, key=uuid.UUID)  # one batch shares ``stored``; the id breaks ties

    def read_all(ascending: str) -> tuple[list[str], list[str]]:
        seen: list[str] = []
        inserted: list[str] = []
        response = lrs.get({"limit": 2, "ascending": ascending})
        while True:
            body = response.json()
            assert len(body["statements"]) <= 2
            seen += [row["id"] for row in body["statements"]]
            if not inserted:
                # Statements stored while a reader pages neither shift nor repeat its pages.
                inserted = lrs.post([statement() for _ in range(3)]).json()
            if not body["more"]:
                return seen, inserted
            response = lrs.http.get(body["more"], **lrs.headers)
            assert response.status_code == 200

    seen, _ = read_all("false")
    assert seen == in_order[::-1]
    seen, inserted = read_all("true")
    # Ascending, the newer statements come after the older ones, each once.
    assert seen[:5] == in_order and len(seen) == len(set(seen)) == 11
    assert set(inserted) <= set(seen[8:])


def test_a_client_with_read_mine_sees_only_its_own_statements(db: Any) -> None:
    writer = Lrs(scopes=[Scope.STATEMENTS_WRITE, Scope.STATEMENTS_READ_MINE], name="Mine")
    other = Lrs(scopes=[Scope.ALL], name="Other")
    (own,) = writer.post(statement()).json()
    (foreign,) = other.post(statement()).json()
    record_answer(make_school().student_a, "6.EE.A.2", True)
    assert [row["id"] for row in writer.get().json()["statements"]] == [own]
    assert writer.get({"statementId": foreign}).status_code == 404
    assert writer.get({"statementId": own}).status_code == 200
    everything = {row["id"] for row in other.get().json()["statements"]}
    assert {own, foreign} <= everything and len(everything) == 3


# -- voiding reaches the learner model -------------------------------------------------------


def _student_statement(student_sourced_id: str, code: str, success: bool) -> dict[str, Any]:
    return statement(
        actor={"account": {"homePage": "https://sis.example", "name": student_sourced_id}},
        object={"id": f"urn:tandem:competency:{code}"},
        result={"success": success},
    )


def test_voiding_a_statement_that_became_evidence_restores_mastery(lrs: Lrs) -> None:
    school = make_school()
    student = school.student_a
    competency = Competency.objects.get(human_coding_scheme="6.EE.A.2")
    record_answer(student, "6.EE.A.2", True, at=timezone.now() - dt.timedelta(days=2))
    record_answer(student, "6.EE.A.2", False, at=timezone.now() - dt.timedelta(days=1))
    state = LearnerState.objects.get(student=student, competency=competency)
    before = (state.p_mastery, state.n_attempts, state.n_correct, state.status)
    (target,) = lrs.post(_student_statement(student.sourced_id, "6.EE.A.2", True)).json()
    state.refresh_from_db()
    assert state.p_mastery > before[0] and state.n_attempts == 3
    evidence = LrsStatement.objects.get(id=target).evidence
    assert evidence is not None
    voiding = {
        "actor": {"mbox": "mailto:quiz-admin@example.org"},
        "verb": {"id": VOIDED},
        "object": {"objectType": "StatementRef", "id": target},
    }
    (voider,) = lrs.post(voiding).json()
    state.refresh_from_db()
    assert state.p_mastery == pytest.approx(before[0])
    assert (state.n_attempts, state.n_correct, state.status) == before[1:]
    # The correction is in the evidence log and explains the change on the "why" page.
    correction = Statement.objects.get(voids=evidence)
    assert correction.verb == Verb.VOIDED and correction.source == Source.IMPORT
    assert LrsStatement.objects.get(id=voider).evidence == correction
    change = StateChange.objects.get(statement=correction)
    assert change.p_after == pytest.approx(before[0]) and change.p_before > change.p_after
    # The voided evidence is still there, never changed.
    assert Statement.objects.filter(pk=evidence.pk).exists()
    # Resending the voiding statement changes nothing more.
    assert lrs.post(voiding | {"id": voider}).status_code == 200
    assert Statement.objects.filter(voids=evidence).count() == 1


def test_voiding_tandems_own_evidence_through_the_lrs_is_refused(lrs: Lrs) -> None:
    record_answer(make_school().student_a, "6.EE.A.2", True)
    (mirrored,) = lrs.get().json()["statements"]
    voiding = {
        "actor": {"mbox": "mailto:quiz-admin@example.org"},
        "verb": {"id": VOIDED},
        "object": {"objectType": "StatementRef", "id": mirrored["id"]},
    }
    assert lrs.post(voiding).status_code == 400
    assert not Statement.objects.filter(verb=Verb.VOIDED).exists()


# -- Tandem's own evidence, read back ---------------------------------------------------------


def test_tandems_evidence_is_readable_pseudonymous_and_not_duplicated(lrs: Lrs) -> None:
    school = make_school()
    student, teacher = school.student_a, school.teacher_a
    competency = Competency.objects.get(human_coding_scheme="6.EE.A.2")
    now = timezone.now()
    answer = record_answer(student, "6.EE.A.2", True)
    observation_record(
        teacher=teacher,
        student=student,
        competency=competency,
        kind="showed_understanding",
        note="Explained it to her friend Maria at lunch",
        now=now,
    )
    checkin_record(
        teacher=teacher,
        student=student,
        now=now,
        notes="Worried about home; keep private",
        observations=[ObservationInput(competency, Understanding.PARTIAL)],
    )
    lrs.post(_student_statement(student.sourced_id, "6.EE.A.2", True))  # bridged: shown once
    response = lrs.get({"limit": 0})
    assert response.status_code == 200
    rows = response.json()["statements"]
    assert len(rows) == Statement.objects.count() == 4
    assert len({row["id"] for row in rows}) == 4
    text = json.dumps(rows)
    for private in (
        student.first_name,
        student.last_name,
        student.email,
        student.username,
        "Maria",
        "Worried",
    ):
        assert not private or private not in text
    mine = [row for row in rows if row["authority"]["name"] == "Tandem"]
    assert len(mine) == 3
    for row in mine:
        validate_statement(row)
        assert row["actor"]["account"] == {"homePage": "urn:tandem", "name": student.sourced_id}
        grouping = row["context"]["contextActivities"]["grouping"]
        assert grouping[0]["id"] == "urn:tandem:competency:6.EE.A.2"
    (practice,) = [row for row in mine if row["id"] == str(answer.pk)]
    assert practice["verb"]["id"] == ANSWERED and practice["result"]["success"] is True
    # Filters work on the mirror like on any statement, and reads mirror nothing twice.
    agent = json.dumps({"account": {"homePage": "urn:tandem", "name": student.sourced_id}})
    assert len(lrs.get({"agent": agent}).json()["statements"]) == 3
    code_iri = "urn:tandem:competency:6.EE.A.2"
    # The observations are about the competency itself; the practice answer is about an item
    # and names the competency in its context; the bridged statement is about it too.
    assert len(lrs.get({"activity": code_iri}).json()["statements"]) == 3
    broad = lrs.get({"activity": code_iri, "related_activities": "true"}).json()["statements"]
    assert len(broad) == 4
    lrs.get()
    assert LrsStatement.objects.count() == 4
    # New evidence after a read appears after it, so polling with since finds it.
    latest = max(row["stored"] for row in rows)
    later = record_answer(student, "6.EE.A.2", False)
    newer = lrs.get({"since": latest}).json()["statements"]
    assert [row["id"] for row in newer] == [str(later.pk)]


def test_read_mine_clients_never_see_tandems_evidence(db: Any) -> None:
    reader = Lrs(scopes=[Scope.STATEMENTS_READ_MINE, Scope.STATEMENTS_WRITE])
    answer = record_answer(make_school().student_a, "6.EE.A.2", True)
    assert reader.get().json()["statements"] == []
    assert reader.get({"statementId": str(answer.pk)}).status_code == 404
    all_read = Lrs(scopes=[Scope.ALL_READ], name="Reader")
    assert [row["id"] for row in all_read.get().json()["statements"]] == [str(answer.pk)]


@override_settings(TANDEM_SITE_URL="https://tandem.school.example")
def test_the_configured_site_url_names_the_student_accounts(lrs: Lrs) -> None:
    student = make_school().student_a
    record_answer(student, "6.EE.A.2", True)
    (row,) = lrs.get().json()["statements"]
    assert row["actor"]["account"] == {
        "homePage": "https://tandem.school.example",
        "name": student.sourced_id,
    }
    assert row["authority"]["account"]["homePage"] == "https://tandem.school.example"


def test_evidence_is_in_the_lrs_as_soon_as_it_is_recorded(db: Any) -> None:
    """Written through, in the recording transaction: no read is needed to copy it, and the
    filters find it without link rows."""
    student = make_school().student_a
    answer = record_answer(student, "6.EE.A.2", True)
    row = LrsStatement.objects.get(evidence=answer)
    assert row.id == answer.pk and row.client is None
    assert row.data["context"]["contextActivities"]["grouping"][0]["definition"] == {
        "name": {"en-US": "6.EE.A.2"}
    }
    assert not row.links.exists()
    voiding, _ = evidence_void(statement=answer, authority=student, timestamp=timezone.now())
    assert LrsStatement.objects.get(id=answer.pk).voided
    assert LrsStatement.objects.get(evidence=voiding).ref_target == answer.pk


def test_the_backfill_copies_evidence_recorded_before_write_through_in_batches(
    lrs: Lrs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tandem.interop.xapi.mirror.MIRROR_BATCH", 2)
    student = make_school().student_a
    answers = [record_answer(student, "6.EE.A.2", n % 2 == 0) for n in range(3)]
    LrsStatement.objects.all().delete()  # as before write-through
    assert lrs.get().json()["statements"] == []  # reads copy nothing
    assert evidence_mirror(now=timezone.now()) == 2
    assert evidence_mirror(now=timezone.now()) == 1
    assert evidence_mirror(now=timezone.now()) == 0
    assert {row["id"] for row in lrs.get().json()["statements"]} == {str(a.pk) for a in answers}


def test_an_attachment_may_be_named_by_sha_512(lrs: Lrs) -> None:
    content = b"named by a longer digest"
    sha512 = hashlib.sha512(content).hexdigest()
    sent = statement(attachments=[attachment(content, sha2=sha512)])
    body = multipart(sent, content, headers={"X-Experience-API-Hash": sha512})
    assert lrs.post_multipart(body).status_code == 200
    assert LrsAttachment.objects.get().sha2 == sha512


def test_a_client_may_void_only_what_it_may_read(db: Any) -> None:
    """A read/mine client cannot void another client's statement (the learner model stays),
    but may void its own; a client that reads everything may void any client's."""
    school = make_school()
    student = school.student_a
    competency = Competency.objects.get(human_coding_scheme="6.EE.A.2")
    other = Lrs(scopes=[Scope.STATEMENTS_WRITE, Scope.STATEMENTS_READ_MINE], name="Other")
    mine = Lrs(scopes=[Scope.STATEMENTS_WRITE, Scope.STATEMENTS_READ_MINE], name="Mine")
    (foreign,) = other.post(_student_statement(student.sourced_id, "6.EE.A.2", True)).json()
    state = LearnerState.objects.get(student=student, competency=competency)

    def void(target: str) -> dict[str, Any]:
        return {
            "actor": {"mbox": "mailto:quiz-admin@example.org"},
            "verb": {"id": VOIDED},
            "object": {"objectType": "StatementRef", "id": target},
        }

    refused = mine.post(void(foreign))
    assert refused.status_code == 403, refused.content
    # Nothing was stored, voided or recomputed.
    assert not LrsStatement.objects.get(id=foreign).voided
    assert not Statement.objects.filter(verb=Verb.VOIDED).exists()
    assert LearnerState.objects.get(pk=state.pk).p_mastery == state.p_mastery
    assert LrsStatement.objects.filter(client=mine.client).count() == 0
    # A statement id nobody stored is refused the same way (missing looks like forbidden).
    assert mine.post(void(str(uuid.uuid4()))).status_code == 403
    # Its own statement it may void.
    (own,) = mine.post(_student_statement(student.sourced_id, "6.EE.A.2", False)).json()
    assert mine.post(void(own)).status_code == 200
    assert LrsStatement.objects.get(id=own).voided
    # A client that reads all statements may void another client's.
    reader = Lrs(scopes=[Scope.STATEMENTS_WRITE, Scope.STATEMENTS_READ], name="Reader")
    assert reader.post(void(foreign)).status_code == 200
    assert LrsStatement.objects.get(id=foreign).voided
