"""The demo school's demographics (OneRoster demographics rows) with one planted inequity for
the equity page to find, and one named change for "did a change help?"."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from django.db.models import Count

from tandem.evidence.constants import Verb
from tandem.evidence.models import Statement
from tandem.interop.models import Demographics
from tandem.leaders.models import Change
from tandem.leaders.services import change_create
from tandem.roster.constants import Role, grade_rank
from tandem.roster.models import SchoolClass, User

# Race in the demo, roughly a US district's mix; Hispanic or Latino is an ethnicity beside it.
_RACES = [
    ("white", 0.50),
    ("blackOrAfricanAmerican", 0.18),
    ("asian", 0.08),
    ("demographicRaceTwoOrMoreRaces", 0.18),
    ("americanIndianOrAlaskaNative", 0.03),
    ("nativeHawaiianOrOtherPacificIslander", 0.03),
]


def demo_leaders_seed(*, students: Sequence[User], now: dt.datetime, seed: int) -> None:
    """Demographics for every demo student, and a change named by the school's administrator.

    The planted inequity: students who were given the most below-grade practice (the top third
    by share) are far more often recorded as Hispanic or Latino (75% against 20%), so the
    equity page finds Hispanic or Latino students doing more below-grade work than the rest.
    """
    rng = random.Random(seed + 14)
    ids = [s.pk for s in students]
    items: dict[int, int] = {}
    below: dict[int, int] = {}
    for student_id, grade, rank, count in (
        Statement.objects.filter(actor_id__in=ids, verb=Verb.ANSWERED)
        .values_list("actor_id", "actor__grade", "competencies__grade_rank")
        .annotate(count=Count("pk"))
    ):
        items[student_id] = items.get(student_id, 0) + count
        if rank < grade_rank(grade):
            below[student_id] = below.get(student_id, 0) + count
    share = {pk: below.get(pk, 0) / items[pk] if items.get(pk) else 0.0 for pk in ids}
    ranked = sorted(ids, key=lambda pk: share[pk], reverse=True)
    top = set(ranked[: len(ranked) // 3])
    rows = []
    for student in students:
        race = rng.choices([r for r, _ in _RACES], weights=[w for _, w in _RACES])[0]
        hispanic = rng.random() < (0.75 if student.pk in top else 0.20)
        fields = {flag: "true" if flag == race else "false" for flag, _ in _RACES}
        fields["hispanicOrLatinoEthnicity"] = "true" if hispanic else "false"
        rows.append(
            Demographics(
                sourced_id=student.sourced_id,
                sex=rng.choice(["female", "male"]),
                fields=fields,
            )
        )
    Demographics.objects.bulk_create(rows, ignore_conflicts=True)
    touched = list(SchoolClass.objects.filter(title__startswith="Math 7").order_by("title"))
    admin = User.objects.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
    if touched and admin is not None and not Change.objects.exists():
        change_create(
            leader=admin,
            title="Math 7 tries daily warm-ups",
            description="Five minutes of mixed review at the start of every Math 7 lesson.",
            start_date=(now - dt.timedelta(days=21)).date(),
            weeks=3,
            classes=touched,
            now=now,
        )
