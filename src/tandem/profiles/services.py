"""Writes of the learner profile: the student's own parts and the accommodations staff record.

Every changed field leaves a ProfileRevision (who, when, from what, to what); an edit that changes
nothing writes nothing, so a repeated submission is harmless.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from tandem.profiles.access import accommodations_visible_to
from tandem.profiles.constants import (
    ABOUT_ME_MAX,
    DETAILS_MAX,
    LANGUAGE_NAME_MAX,
    LANGUAGES_LIMIT,
    OWN_INTEREST_MAX,
    OWN_INTERESTS_LIMIT,
    SUMMARY_MAX,
    AccommodationKind,
    Interest,
    RevisionField,
)
from tandem.profiles.models import Accommodation, LearnerProfile, ProfileRevision
from tandem.roster.constants import Role
from tandem.roster.models import User

_SPACES = re.compile(r"\s+")
_LABEL_TO_INTEREST = {str(label).casefold(): value for value, label in Interest.choices} | {
    value.casefold(): value for value in Interest.values
}


class ProfileError(ValueError):
    """Input a profile or accommodation cannot take; the message says what to fix."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Language:
    name: str
    home: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "home": self.home}


def _tidy(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _dedupe(values: Iterable[str]) -> list[str]:
    """First spelling of each value wins; case does not make two values different."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())


def normalise_interests(
    interests: Iterable[str], own_interests: Iterable[str]
) -> tuple[list[str], list[str]]:
    """(vocabulary values in the vocabulary's order, the student's own tags, tidied).

    An own tag that names a vocabulary interest ("music", "Music") counts as that interest.
    """
    chosen = set()
    for value in interests:
        if value not in Interest.values:
            raise ProfileError(f"“{value}” is not one of the interests.", field="interests")
        chosen.add(value)
    own = []
    for raw in own_interests:
        tag = _tidy(raw)
        if not tag:
            continue
        if len(tag) > OWN_INTEREST_MAX:
            raise ProfileError(
                f"Keep each interest under {OWN_INTEREST_MAX} characters "
                f"(“{tag[:20]}…” is longer).",
                field="own_interests",
            )
        if (known := _LABEL_TO_INTEREST.get(tag.casefold())) is not None:
            chosen.add(known)
        else:
            own.append(tag)
    own = _dedupe(own)
    if len(own) > OWN_INTERESTS_LIMIT:
        raise ProfileError(
            f"Up to {OWN_INTERESTS_LIMIT} of your own interests, please.", field="own_interests"
        )
    return [value for value in Interest.values if value in chosen], own


def normalise_languages(languages: Iterable[Language | Mapping[str, Any]]) -> list[Language]:
    """Tidied, without blanks and repeats; a repeat marked as a home language keeps the mark."""
    merged: dict[str, Language] = {}
    for entry in languages:
        if isinstance(entry, Language):
            name, home = entry.name, entry.home
        else:
            name, home = str(entry.get("name", "")), bool(entry.get("home", False))
        name = _tidy(name)
        if not name:
            continue
        if len(name) > LANGUAGE_NAME_MAX:
            raise ProfileError(
                f"A language name is at most {LANGUAGE_NAME_MAX} characters.", field="languages"
            )
        key = name.casefold()
        if key in merged:
            home = home or merged[key].home
            name = merged[key].name
        merged[key] = Language(name, home)
    if len(merged) > LANGUAGES_LIMIT:
        raise ProfileError(f"Up to {LANGUAGES_LIMIT} languages, please.", field="languages")
    return list(merged.values())


def _revision(
    *,
    student: User,
    field: RevisionField,
    old: Any,
    new: Any,
    by: User,
    now: dt.datetime,
    accommodation: Accommodation | None = None,
) -> ProfileRevision:
    return ProfileRevision(
        student=student,
        accommodation=accommodation,
        field=field,
        old_value=old,
        new_value=new,
        changed_by=by,
        changed_at=now,
    )


def _require_aware(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("Profile times must be timezone-aware.")


@transaction.atomic
def profile_update(
    *,
    student: User,
    now: dt.datetime,
    interests: Sequence[str] | None = None,
    own_interests: Sequence[str] | None = None,
    about_me: str | None = None,
    languages: Sequence[Language | Mapping[str, Any]] | None = None,
) -> list[ProfileRevision]:
    """The student edits their own parts; ``None`` leaves a part as it is.

    Returns the revisions written, one per field that changed (none for an edit that changes
    nothing; then the profile is not touched, nor created).
    """
    _require_aware(now)
    if student.role != Role.STUDENT:
        raise PermissionDenied("Only a student has a learner profile to edit.")
    profile = LearnerProfile.objects.select_for_update(of=("self",)).filter(student=student).first()
    current = profile or LearnerProfile(student=student)

    wanted: dict[RevisionField, Any] = {}
    if interests is not None or own_interests is not None:
        chosen, own = normalise_interests(
            current.interests if interests is None else interests,
            current.own_interests if own_interests is None else own_interests,
        )
        wanted[RevisionField.INTERESTS] = chosen
        wanted[RevisionField.OWN_INTERESTS] = own
    if about_me is not None:
        text = about_me.replace("\r\n", "\n").strip()
        if len(text) > ABOUT_ME_MAX:
            raise ProfileError(
                f"Keep “about me” under {ABOUT_ME_MAX:,} characters (it has {len(text):,}).",
                field="about_me",
            )
        wanted[RevisionField.ABOUT_ME] = text
    if languages is not None:
        wanted[RevisionField.LANGUAGES] = [
            language.as_json() for language in normalise_languages(languages)
        ]

    revisions = []
    for field, new in wanted.items():
        old = getattr(current, field.value)
        if old != new:
            revisions.append(
                _revision(student=student, field=field, old=old, new=new, by=student, now=now)
            )
            setattr(current, field.value, new)
    if not revisions:
        return []
    current.updated_at = now
    if profile is None:
        try:
            with transaction.atomic():
                current.save()
        except IntegrityError:
            # A simultaneous first edit created the profile: apply this edit on top of it.
            return profile_update(
                student=student,
                now=now,
                interests=interests,
                own_interests=own_interests,
                about_me=about_me,
                languages=languages,
            )
    else:
        current.save()
    return ProfileRevision.objects.bulk_create(revisions)


def _check_accommodation(
    *,
    kind: str,
    summary: str,
    details: str,
    start_date: dt.date | None,
    end_date: dt.date | None,
) -> dict[str, Any]:
    """The accommodation's fields, tidied, or a ProfileError naming the first problem."""
    if kind not in AccommodationKind.values:
        raise ProfileError("Choose what kind of accommodation this is.", field="kind")
    summary = _tidy(summary)
    if not summary:
        raise ProfileError("Write a short summary of the accommodation.", field="summary")
    if len(summary) > SUMMARY_MAX:
        raise ProfileError(f"Keep the summary under {SUMMARY_MAX} characters.", field="summary")
    details = details.replace("\r\n", "\n").strip()
    if len(details) > DETAILS_MAX:
        raise ProfileError(f"Keep the details under {DETAILS_MAX:,} characters.", field="details")
    if start_date and end_date and end_date < start_date:
        raise ProfileError("The end date cannot be before the start date.", field="end_date")
    return {
        "kind": kind,
        "summary": summary,
        "details": details,
        "start_date": start_date,
        "end_date": end_date,
    }


def _as_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _require_staff(actor: User, student: User) -> None:
    if not accommodations_visible_to(user=actor, student=student):
        raise PermissionDenied("Only the student's teachers and administrators record this.")


@transaction.atomic
def accommodation_create(
    *,
    actor: User,
    student: User,
    kind: str,
    summary: str,
    now: dt.datetime,
    details: str = "",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    idempotency_key: str | None = None,
) -> tuple[Accommodation, bool]:
    """Record an accommodation; returns ``(accommodation, created)``. A repeated key gives the
    original and writes nothing."""
    _require_aware(now)
    _require_staff(actor, student)
    if idempotency_key:
        existing = Accommodation.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.student_id != student.pk:
                raise PermissionDenied("That key belongs to another record.")
            return existing, False
    fields = _check_accommodation(
        kind=kind, summary=summary, details=details, start_date=start_date, end_date=end_date
    )
    try:
        with transaction.atomic():
            accommodation = Accommodation.objects.create(
                student=student,
                recorded_by=actor,
                created_at=now,
                updated_at=now,
                idempotency_key=idempotency_key or None,
                **fields,
            )
    except IntegrityError:
        if idempotency_key:
            return Accommodation.objects.get(idempotency_key=idempotency_key), False
        raise
    ProfileRevision.objects.bulk_create(
        _revision(
            student=student,
            field=RevisionField(name),
            old=None,
            new=_as_json(value),
            by=actor,
            now=now,
            accommodation=accommodation,
        )
        for name, value in fields.items()
        if value not in (None, "")
    )
    return accommodation, True


@transaction.atomic
def accommodation_update(
    *,
    actor: User,
    accommodation: Accommodation,
    kind: str,
    summary: str,
    details: str,
    start_date: dt.date | None,
    end_date: dt.date | None,
    now: dt.datetime,
) -> list[ProfileRevision]:
    """Change an accommodation's fields; one revision per changed field, none for a no-op."""
    _require_aware(now)
    locked = Accommodation.objects.select_for_update(of=("self",)).get(pk=accommodation.pk)
    student = locked.student
    _require_staff(actor, student)
    fields = _check_accommodation(
        kind=kind, summary=summary, details=details, start_date=start_date, end_date=end_date
    )
    revisions = []
    for name, new in fields.items():
        old = getattr(locked, name)
        if old != new:
            revisions.append(
                _revision(
                    student=student,
                    field=RevisionField(name),
                    old=_as_json(old),
                    new=_as_json(new),
                    by=actor,
                    now=now,
                    accommodation=locked,
                )
            )
            setattr(locked, name, new)
    if not revisions:
        return []
    locked.updated_at = now
    locked.save()
    _refresh(accommodation, locked)
    return ProfileRevision.objects.bulk_create(revisions)


@transaction.atomic
def accommodation_end(
    *, actor: User, accommodation: Accommodation, end_date: dt.date, now: dt.datetime
) -> list[ProfileRevision]:
    """The accommodation no longer applies from ``end_date``. Ending one already ended writes
    nothing."""
    _require_aware(now)
    locked = Accommodation.objects.select_for_update(of=("self",)).get(pk=accommodation.pk)
    student = locked.student
    _require_staff(actor, student)
    if not locked.active:
        return []
    if locked.start_date and end_date < locked.start_date:
        raise ProfileError(
            "The end date cannot be before the start date "
            f"({locked.start_date:%B} {locked.start_date.day}, {locked.start_date.year}).",
            field="end_date",
        )
    revisions = [
        _revision(
            student=student,
            field=RevisionField.ACTIVE,
            old=True,
            new=False,
            by=actor,
            now=now,
            accommodation=locked,
        )
    ]
    if locked.end_date != end_date:
        revisions.append(
            _revision(
                student=student,
                field=RevisionField.END_DATE,
                old=_as_json(locked.end_date),
                new=end_date.isoformat(),
                by=actor,
                now=now,
                accommodation=locked,
            )
        )
    locked.active = False
    locked.end_date = end_date
    locked.updated_at = now
    locked.save()
    _refresh(accommodation, locked)
    return ProfileRevision.objects.bulk_create(revisions)


def _refresh(stale: Accommodation, fresh: Accommodation) -> None:
    """Let the caller's instance show what was saved."""
    for name in ("kind", "summary", "details", "start_date", "end_date", "active", "updated_at"):
        setattr(stale, name, getattr(fresh, name))
