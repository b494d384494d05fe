"""Reads of the learner profile: the student's own parts, strengths and needs derived from the
learner model, accommodations, and the history of changes, shaped for pages.

These do not check access: callers go through ``profiles.access`` first, and ask for
accommodations (and their history) only when ``accommodations_visible_to`` allows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tandem.competencies.models import Competency
from tandem.competencies.selectors import competency_list
from tandem.mastery.constants import Status
from tandem.mastery.selectors import MasteryView, mastery_for_student
from tandem.profiles.constants import (
    NEED_BELOW,
    NEED_MIN_ANSWERS,
    AccommodationKind,
    Interest,
    RevisionField,
)
from tandem.profiles.models import Accommodation, LearnerProfile, ProfileRevision
from tandem.roster.models import User

HISTORY_LIMIT = 100


@dataclass(frozen=True)
class LanguageView:
    name: str
    home: bool


@dataclass(frozen=True)
class ProfileView:
    """What a student has said about themselves (all empty when they have not yet)."""

    student_id: int
    interests: list[tuple[str, str]]
    own_interests: list[str]
    about_me: str
    languages: list[LanguageView]
    updated_at: dt.datetime | None

    @property
    def interest_values(self) -> list[str]:
        return [value for value, _ in self.interests]

    @property
    def is_empty(self) -> bool:
        return not (self.interests or self.own_interests or self.about_me or self.languages)


def _languages(raw: Any) -> list[LanguageView]:
    return [
        LanguageView(str(entry.get("name", "")), bool(entry.get("home", False)))
        for entry in raw or []
        if isinstance(entry, Mapping) and entry.get("name")
    ]


def profile_for(*, student_id: int) -> ProfileView:
    """The student's own parts of their profile."""
    profile = LearnerProfile.objects.filter(student_id=student_id).first()
    if profile is None:
        return ProfileView(student_id, [], [], "", [], None)
    labels = dict(Interest.choices)
    return ProfileView(
        student_id=student_id,
        interests=[(v, str(labels[v])) for v in profile.interests or [] if v in labels],
        own_interests=[str(tag) for tag in profile.own_interests or []],
        about_me=profile.about_me,
        languages=_languages(profile.languages),
        updated_at=profile.updated_at,
    )


# ---------- strengths and needs, from the learner model ----------


def domain_words(name: str) -> str:
    """A framework's domain name as a sentence would use it.

    "Number and Operations—Fractions*" -> "Number and operations – fractions".
    """
    name = name.replace("*", "").strip()
    return name.replace("—", " – ").replace("-", " – ").capitalize()


@dataclass(frozen=True)
class DomainStrength:
    """The competencies of one domain the student has mastered."""

    domain_code: str
    domain: str
    competencies: list[Competency]

    @property
    def count(self) -> int:
        return len(self.competencies)


@dataclass(frozen=True)
class Need:
    """A competency to work on, and why: still learning with a low estimate, or fading."""

    competency: Competency
    view: MasteryView

    @property
    def needs_review(self) -> bool:
        return self.view.status == Status.NEEDS_REVIEW


@dataclass(frozen=True)
class StrengthsAndNeeds:
    strengths: list[DomainStrength]
    needs: list[Need]

    @property
    def mastered_count(self) -> int:
        return sum(strength.count for strength in self.strengths)


def is_need(view: MasteryView) -> bool:
    """Needs review, or still learning with enough answers and a low estimate."""
    if view.status == Status.NEEDS_REVIEW:
        return True
    return (
        view.status == Status.LEARNING
        and view.n_attempts >= NEED_MIN_ANSWERS
        and view.p_mastery < NEED_BELOW
    )


def strengths_and_needs(*, student_id: int, now: dt.datetime) -> StrengthsAndNeeds:
    """Mastered competencies grouped by domain (most first), and the competencies to work on
    (lowest estimate first, then those fading longest). Two queries."""
    views = mastery_for_student(student_id=student_id, now=now)
    wanted = [cid for cid, v in views.items() if v.status == Status.MASTERED or is_need(v)]
    competencies = {c.pk: c for c in competency_list(ids=wanted)}

    by_domain: dict[str, list[Competency]] = {}
    needs: list[Need] = []
    for competency in competencies.values():  # in framework order
        view = views[competency.pk]
        if view.status == Status.MASTERED:
            by_domain.setdefault(competency.domain_code, []).append(competency)
        else:
            needs.append(Need(competency, view))
    strengths = [
        DomainStrength(code, domain_words(comps[0].domain_name or code), comps)
        for code, comps in by_domain.items()
    ]
    strengths.sort(key=lambda s: (-s.count, s.domain))
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    needs.sort(
        key=lambda n: (
            n.needs_review,
            n.view.p_mastery if not n.needs_review else 0.0,
            n.view.last_evidence_at or oldest,
        )
    )
    return StrengthsAndNeeds(strengths, needs)


# ---------- accommodations ----------


def accommodations_for(*, student_id: int) -> list[Accommodation]:
    """The student's accommodations, active ones first."""
    return list(
        Accommodation.objects.filter(student_id=student_id)
        .select_related("recorded_by")
        .order_by("-active", "kind", "-start_date", "pk")
    )


def accommodation_kinds(*, student_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Each student's active accommodation kinds in words ("IEP", "504 plan"), for marks on
    teachers' lists; one query. Only for callers that may see these students' accommodations
    (their teachers and administrators)."""
    kinds: dict[int, list[str]] = {}
    rows = (
        Accommodation.objects.filter(student_id__in=list(student_ids), active=True)
        .order_by("student_id", "kind")
        .values_list("student_id", "kind")
        .distinct()
    )
    for student_id, kind in rows:
        kinds.setdefault(student_id, []).append(str(AccommodationKind(kind).label))
    return {student_id: tuple(words) for student_id, words in kinds.items()}


# ---------- history ----------


@dataclass(frozen=True)
class RevisionView:
    """One change, in words."""

    changed_at: dt.datetime
    changed_by: User
    field: str
    field_label: str
    old_text: str
    new_text: str
    accommodation: Accommodation | None


def _date_words(value: str) -> str:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day:%B} {day.day}, {day.year}"


def value_words(field: str, value: Any) -> str:
    """A stored revision value as a person reads it; empty values give ""."""
    if value is None or value == "" or value == []:
        return ""
    if field == RevisionField.INTERESTS:
        labels = dict(Interest.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if field == RevisionField.OWN_INTERESTS:
        return ", ".join(str(v) for v in value)
    if field == RevisionField.LANGUAGES:
        return ", ".join(
            f"{lang.name} (home)" if lang.home else lang.name for lang in _languages(value)
        )
    if field == RevisionField.KIND:
        return str(dict(AccommodationKind.choices).get(value, value))
    if field in (RevisionField.START_DATE, RevisionField.END_DATE):
        return _date_words(str(value))
    if field == RevisionField.ACTIVE:
        return "active" if value else "ended"
    return str(value)


def profile_history(
    *, student_id: int, include_accommodations: bool, limit: int = HISTORY_LIMIT
) -> list[RevisionView]:
    """Changes to the profile, newest first; accommodation changes only when asked for."""
    revisions = ProfileRevision.objects.filter(student_id=student_id).select_related(
        "changed_by", "accommodation"
    )
    if not include_accommodations:
        revisions = revisions.filter(accommodation__isnull=True)
    labels = dict(RevisionField.choices)
    return [
        RevisionView(
            changed_at=r.changed_at,
            changed_by=r.changed_by,
            field=r.field,
            field_label=str(labels.get(r.field, r.field)),
            old_text=value_words(r.field, r.old_value),
            new_text=value_words(r.field, r.new_value),
            accommodation=r.accommodation,
        )
        for r in revisions.order_by("-changed_at", "-pk")[:limit]
    ]
