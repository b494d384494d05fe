"""The demo school's self-checks: four weeks of answers from most students, two of them raised
(one sharp drop, one with no one to ask for help), and a counselor to sign in as."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from django.utils import timezone

from tandem.roster.constants import Role
from tandem.roster.models import Org, User
from tandem.wellbeing.constants import Feeling, HelpAnswer
from tandem.wellbeing.models import SelfCheck
from tandem.wellbeing.rules import week_of

WEEKS = 4
ANSWER_SHARE = 0.85  # of the students, each week
NOTES = (
    "Group work in science was fun.",
    "I was tired this week.",
    "Lunch is loud but ok.",
    "I liked the project day.",
    "Math felt easier.",
)
RAISED_NOTES = ("I don't really have anyone to sit with.", "Things at home are hard right now.")


def seed_wellbeing(
    students: Sequence[User], *, school: Org, now: dt.datetime, seed: int, password: str
) -> User:
    """Self-checks for ``students`` over the last ``WEEKS`` weeks, and the counselor ``park``
    (signing in with ``password``, an already hashed one). Written in one bulk insert.

    Everyone else's answers stay within a step of their own usual (no raise); the second student
    (of the first teacher's) drops sharply this week and the seventh says they have no one to
    ask for help, both answered a minute before ``now`` so that no seeded check-in covers them.
    """
    rng = random.Random(seed + 13)
    counselor = User.objects.create(
        username="park",
        sourced_id="demo-c-park",
        role=Role.COUNSELOR,
        first_name="Jordan",
        last_name="Park",
        password=password,
    )
    counselor.orgs.add(school)
    raised = {1: "drop", 6: "no_one"} if len(students) > 6 else {}
    this_week = week_of(timezone.localdate(now))
    rows = []
    for n, student in enumerate(students):
        usual = rng.choice((3, 4, 4, 4, 5))
        for back in range(WEEKS - 1, -1, -1):
            week = this_week - dt.timedelta(weeks=back)
            start = timezone.make_aware(dt.datetime.combine(week, dt.time(9, 0)))
            if n in raised and back == 0:
                drop = raised[n] == "drop"
                rows.append(
                    _row(
                        student,
                        week,
                        now - dt.timedelta(minutes=1),
                        feeling=Feeling.NOT_GOOD if drop else Feeling.OKAY,
                        someone=HelpAnswer.NOT_SURE if drop else HelpAnswer.NO,
                        note=RAISED_NOTES[0 if not drop else 1],
                    )
                )
                continue
            if n in raised:
                usual = Feeling.REALLY_GOOD  # so that this week is a sharp drop
            elif rng.random() >= ANSWER_SHARE:
                continue
            at = start + dt.timedelta(days=rng.randrange(5), minutes=rng.randrange(7 * 60))
            if at >= now:
                continue
            # Within one step of their usual, so no one else drops sharply.
            feeling = min(Feeling.REALLY_GOOD, usual + rng.choice((0, 0, 1)))
            someone = HelpAnswer.YES if rng.random() < 0.85 else HelpAnswer.NOT_SURE
            note = rng.choice(NOTES) if rng.random() < 0.15 else ""
            rows.append(_row(student, week, at, feeling=feeling, someone=someone, note=note))
    SelfCheck.objects.bulk_create(rows)
    return counselor


def _row(
    student: User, week: dt.date, at: dt.datetime, *, feeling: int, someone: str, note: str
) -> SelfCheck:
    return SelfCheck(
        student=student,
        week=week,
        feeling=feeling,
        has_someone=someone,
        note=note,
        created_at=at,
        updated_at=at,
    )
