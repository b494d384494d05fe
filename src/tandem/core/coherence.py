"""The coherence checker: render every page that shows a student's status on a competency, as
the student, their teacher and their guardian see it, and report where two of them disagree.

Pages mark each (competency, status) they show with ``data-competency`` and ``data-status``
attributes; the JSON API gives the same pair per row. Pages that show the learner state now
(the student home, the guardian's child page, the teacher's class grid, student page and "why"
pages, the API) must all say what :func:`mastery_for_student` says, and a competency that
has no learner state is "not_started" wherever it appears. The diagnostic's result page files
every standard by the learner state too, so it is checked like the others. (A page marked as a
``snapshot`` is compared only where no evidence arrived after the diagnostic finished: kept for
pages that show a past placement as it was.)

Used by ``bench/classroom.py`` and ``tests/core/test_coherence.py``; it renders through
Django's test client, so it needs no running server.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tandem.competencies.models import Competency
from tandem.mastery.constants import Status
from tandem.mastery.selectors import MasteryView, mastery_for_student
from tandem.placement.constants import PlacedAs
from tandem.placement.selectors import latest_finished_session
from tandem.roster.models import GuardianLink, User
from tandem.roster.selectors import class_teachers, student_classes

__all__ = [
    "LEARNER_STATE",
    "CoherenceReport",
    "Contradiction",
    "PageClaims",
    "coherence_check",
    "contradictions_between",
    "statuses_in_html",
]

# The name under which the learner state itself (``mastery_for_student``) takes part.
LEARNER_STATE = "mastery_for_student"
# Statuses that say "mastered at some point and still counted": what a placement of
# "already mastered" may have become by time alone.
_STILL_MASTERED = frozenset({Status.MASTERED, Status.NEEDS_REVIEW})


class _DataAttributes(HTMLParser):
    """Collects (data-competency, data-status) from every element that carries both.

    On pages about many students (the class grid) each student's row carries
    ``data-student``; the pairs that follow it belong to that student until the next one.
    """

    def __init__(self, student_id: int | None) -> None:
        super().__init__(convert_charrefs=True)
        self.student = "" if student_id is None else str(student_id)
        self.scope: str | None = None
        self.pairs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("data-student"):
            self.scope = found["data-student"]
        code, status = found.get("data-competency"), found.get("data-status")
        if code and status and (self.scope is None or self.scope == self.student):
            self.pairs.append((code, status))


def statuses_in_html(html: str, *, student_id: int | None = None) -> list[tuple[str, str]]:
    """Every (competency code, status) a page marks about the student, in document order.

    Rows marked ``data-student`` for another student than ``student_id`` are left out.
    """
    parser = _DataAttributes(student_id)
    parser.feed(html)
    parser.close()
    return parser.pairs


@dataclass(frozen=True)
class PageClaims:
    """What one page, seen by one person, says: code -> the statuses it shows for it."""

    page: str
    viewer: str
    claims: dict[str, frozenset[str]]
    snapshot: bool = False


@dataclass(frozen=True, order=True)
class Contradiction:
    """Two sources that show different statuses for the same competency of one student."""

    student_id: int
    code: str
    page_a: str
    status_a: str
    page_b: str
    status_b: str

    def __str__(self) -> str:
        return (
            f"student {self.student_id}, {self.code}: {self.page_a} says {self.status_a!r}, "
            f"{self.page_b} says {self.status_b!r}"
        )


@dataclass
class CoherenceReport:
    student_id: int
    pages: list[PageClaims] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)
    # Pages that could not be rendered (status code other than 200), with the code.
    failures: list[tuple[str, int]] = field(default_factory=list)

    @property
    def n_claims(self) -> int:
        return sum(len(p.claims) for p in self.pages)


@contextmanager
def _plain_static_files() -> Iterator[None]:
    """Render without the manifest that ``collectstatic`` would build (as the tests do)."""
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, WHITENOISE_USE_FINDERS=True):
        yield


def _client(user: User) -> Client:
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
    host = "testserver" if not hosts or "testserver" in hosts else hosts[0].lstrip(".")
    client = Client(SERVER_NAME=host)
    client.force_login(user)
    return client


def _claims(
    page: str, viewer: str, pairs: list[tuple[str, str]], *, snapshot: bool = False
) -> PageClaims:
    grouped: dict[str, set[str]] = defaultdict(set)
    for code, status in pairs:
        grouped[code].add(status)
    return PageClaims(
        page=page,
        viewer=viewer,
        claims={code: frozenset(s) for code, s in grouped.items()},
        snapshot=snapshot,
    )


def _render(
    report: CoherenceReport, client: Client, viewer: str, url: str, *, snapshot: bool = False
) -> PageClaims | None:
    """GET ``url`` as ``viewer`` and record the (competency, status) pairs it shows about the
    report's student; a page that does not answer 200 is recorded as a failure."""
    response = client.get(url)
    if response.status_code != 200:
        report.failures.append((f"{viewer} {url}", response.status_code))
        return None
    if response.headers.get("Content-Type", "").startswith("application/json"):
        pairs = [(row["competency"], row["status"]) for row in response.json()]
    else:
        pairs = statuses_in_html(response.content.decode(), student_id=report.student_id)
    claims = _claims(url, viewer, pairs, snapshot=snapshot)
    report.pages.append(claims)
    return claims


def _teacher_of(student: User) -> tuple[User, int] | None:
    for school_class in student_classes(student).order_by("pk"):
        teacher = class_teachers(school_class).order_by("pk").first()
        if teacher is not None:
            return teacher, school_class.pk
    return None


def coherence_check(
    *, student: User, explain_limit: int | None = None, api: bool = True
) -> CoherenceReport:
    """Render the student's pages for each of its viewers and compare what they say.

    ``explain_limit`` caps how many of the teacher's "why" pages are opened (the competencies
    the teacher's student page lists, in its order); None opens all of them.
    """
    report = CoherenceReport(student_id=student.pk)
    with _plain_static_files():
        as_student = _client(student)
        _render(report, as_student, "student", reverse("practice:home"))
        session = latest_finished_session(student_id=student.pk)
        if session is not None:
            _render(report, as_student, "student", reverse("placement:result"))

        teaching = _teacher_of(student)
        if teaching is not None:
            teacher, class_id = teaching
            as_teacher = _client(teacher)
            _render(report, as_teacher, "teacher", reverse("teaching:class", args=[class_id]))
            page = _render(
                report, as_teacher, "teacher", reverse("teaching:student", args=[student.pk])
            )
            codes = list(page.claims) if page is not None else []
            ids = dict(
                Competency.objects.filter(human_coding_scheme__in=codes).values_list(
                    "human_coding_scheme", "pk"
                )
            )
            for code in codes[:explain_limit] if explain_limit is not None else codes:
                if code in ids:
                    url = reverse("teaching:explain", args=[student.pk, ids[code]])
                    _render(report, as_teacher, "teacher", url)
            if api:
                url = f"/api/students/{student.pk}/mastery"
                _render(report, as_teacher, "teacher", url)

        link = GuardianLink.objects.filter(student=student).select_related("guardian").first()
        if link is not None:
            url = reverse("family:child", args=[student.pk])
            _render(report, _client(link.guardian), "guardian", url)

    now = timezone.now()
    state = mastery_for_student(student_id=student.pk, now=now)
    report.contradictions = contradictions_between(
        student_id=student.pk,
        pages=report.pages,
        state=state,
        session_ended_at=session.ended_at if session is not None else None,
    )
    return report


def contradictions_between(
    *,
    student_id: int,
    pages: list[PageClaims],
    state: dict[int, MasteryView],
    session_ended_at: dt.datetime | None,
) -> list[Contradiction]:
    """Every pair of sources that disagree: live pages with each other and with ``state``
    (the student's ``mastery_for_student``), and the diagnostic's snapshot with ``state`` where
    no evidence arrived after ``session_ended_at``."""
    codes = {
        c.pk: c.code
        for c in Competency.objects.filter(pk__in=list(state)).only("human_coding_scheme")
    }
    live = {codes[cid]: view for cid, view in state.items()}
    found: set[Contradiction] = set()

    def add(code: str, a: tuple[str, str], b: tuple[str, str]) -> None:
        (page_a, status_a), (page_b, status_b) = sorted([a, b])
        found.add(Contradiction(student_id, code, page_a, status_a, page_b, status_b))

    # Every live page against the learner state, and against each other.
    by_code: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for page in pages:
        if page.snapshot:
            continue
        for code, statuses in page.claims.items():
            for status in statuses:
                by_code[code].append((f"{page.viewer} {page.page}", status))
    for code, shown in by_code.items():
        view = live.get(code)
        expected = view.status if view is not None else Status.NOT_STARTED
        for source in shown:
            if source[1] != expected:
                add(code, source, (LEARNER_STATE, expected))
        for a, b in itertools.combinations(shown, 2):
            if a[1] != b[1]:
                add(code, a, b)

    # The diagnostic's snapshot, where nothing has happened since.
    for page in pages:
        if not page.snapshot:
            continue
        for code, statuses in page.claims.items():
            view = live.get(code)
            if (
                view is not None
                and view.last_evidence_at is not None
                and session_ended_at is not None
                and view.last_evidence_at > session_ended_at
            ):
                continue
            current = view.status if view is not None else Status.NOT_STARTED
            for placed in statuses:
                agrees = (placed == PlacedAs.MASTERED) == (current in _STILL_MASTERED)
                if not agrees:
                    add(code, (f"{page.viewer} {page.page}", placed), (LEARNER_STATE, current))
    return sorted(found)
