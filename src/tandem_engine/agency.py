"""Choice patterns that may mean a student avoids challenge: mostly choosing work they were
very likely to get right, asking for a hint before trying on items they were likely to manage,
and writing nothing when their classmates write. For a teacher to start a conversation with,
never a score: each signal is a yes with the counts behind it, and only with enough evidence.

Plain counts in, frozen values out; no Django, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

__all__ = [
    "EASY_CHOICE",
    "LIKELY",
    "AgencyEvidence",
    "AgencySignal",
    "SignalKind",
    "agency_signals",
    "class_agency_signals",
]

# A choice counts as easy when the learner model predicted at least this chance of success
# (practice aims at 70-85%: the stretch band).
EASY_CHOICE = 0.90
# ... and a signal needs at least this many choices, this share of them easy.
MIN_CHOICES = 6
EASY_SHARE = 0.80
# Hints before answering count on items the student was likely to manage (a struggling student
# asking for help is not avoiding anything) ...
LIKELY = 0.70
MIN_LIKELY_ANSWERS = 12
HINT_FIRST_SHARE = 0.60
# Writing: a student who practiced at least this much and wrote nothing, in a class where at
# least this share of the other students who practiced wrote something.
MIN_ANSWERS_FOR_WRITING = 30
CLASS_WRITING_SHARE = 0.50
MIN_CLASSMATES = 3

SignalKind = Literal["easy_choices", "hint_first", "no_writing"]
K = TypeVar("K")


@dataclass(frozen=True)
class AgencyEvidence:
    """One student's practice over a period, as counts."""

    chosen: int  # items from competencies the student chose themselves
    chosen_easy: int  # of those, predicted success at least EASY_CHOICE
    answered: int  # items answered
    likely_answered: int  # answered items with predicted success at least LIKELY
    likely_hinted: int  # of those, with a hint asked for before the answer
    written: int  # written answers submitted


@dataclass(frozen=True)
class AgencySignal:
    """One pattern seen, with the counts behind it (``count`` of ``out_of``)."""

    kind: SignalKind
    count: int
    out_of: int


def agency_signals(
    evidence: AgencyEvidence, *, classmates_writing: float | None
) -> list[AgencySignal]:
    """The patterns one student's evidence shows; ``classmates_writing`` is the share of the
    other students who practiced that wrote something (None: too few to say)."""
    found: list[AgencySignal] = []
    e = evidence
    if e.chosen >= MIN_CHOICES and e.chosen_easy >= EASY_SHARE * e.chosen:
        found.append(AgencySignal("easy_choices", e.chosen_easy, e.chosen))
    if (
        e.likely_answered >= MIN_LIKELY_ANSWERS
        and e.likely_hinted >= HINT_FIRST_SHARE * e.likely_answered
    ):
        found.append(AgencySignal("hint_first", e.likely_hinted, e.likely_answered))
    if (
        e.written == 0
        and e.answered >= MIN_ANSWERS_FOR_WRITING
        and classmates_writing is not None
        and classmates_writing >= CLASS_WRITING_SHARE
    ):
        found.append(AgencySignal("no_writing", 0, e.answered))
    return found


def class_agency_signals(evidence: Mapping[K, AgencyEvidence]) -> dict[K, list[AgencySignal]]:
    """Every student's patterns, the writing one against their own classmates; students with
    none are left out."""
    practiced = {k for k, e in evidence.items() if e.answered >= MIN_ANSWERS_FOR_WRITING}
    writers = {k for k in practiced if evidence[k].written > 0}
    out: dict[K, list[AgencySignal]] = {}
    for key, e in evidence.items():
        others = len(practiced - {key})
        share = len(writers - {key}) / others if others >= MIN_CLASSMATES else None
        signals = agency_signals(e, classmates_writing=share)
        if signals:
            out[key] = signals
    return out
