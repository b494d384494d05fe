"""Reads of credit: a course's standards, who meets its rule, and a student's report card.

Mastery comes from the one selector every page uses (``mastery_grid``), so a credit, the
teacher's grid and a family's report card never disagree. A standard counts towards credit
when it is mastered ("Got it"): confirmed on a later day or by a teacher, and not faded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.competencies.models import Competency
from tandem.competencies.selectors import prerequisites_map
from tandem.content.selectors import practisable_competencies
from tandem.credit.models import Credit, CreditRule
from tandem.mastery.constants import Progress, Status
from tandem.mastery.selectors import MasteryView, mastery_grid
from tandem.roster.access import enrollment_in_force
from tandem.roster.constants import EnrollmentRole, grade_rank
from tandem.roster.models import AcademicSession, Course, SchoolClass, User
from tandem.roster.selectors import class_students, student_classes

# How many not-yet-started standards a report card names under "what comes next".
NEXT_SHOWN = 3


def course_standards(course: Course) -> list[Competency]:
    """The course's grade-level standards: the practisable competencies of its grades, in
    framework order (the same targets the practice policy sets for a student of that grade)."""
    ranks = {grade_rank(g) for g in course.grades or []}
    return [c for c in practisable_competencies().values() if c.grade_rank in ranks]


def counts_for_credit(view: MasteryView | None) -> bool:
    return view is not None and view.status == Status.MASTERED


def standards_needed(*, share: float, total: int) -> int:
    """How many of ``total`` standards a rule asking for ``share`` needs (rounded up)."""
    return math.ceil(round(share * total, 9))


@dataclass(frozen=True)
class Standing:
    """Where one student stands against one course's rule."""

    student: User
    school_class: SchoolClass | None
    total: int
    mastered: int
    needed: int
    share_required: float
    requires_sign_off: bool
    credit: Credit | None  # the credit in force, if any

    @property
    def meets_rule(self) -> bool:
        return self.total > 0 and self.mastered >= self.needed

    @property
    def awaiting_sign_off(self) -> bool:
        return self.credit is None and self.meets_rule and self.requires_sign_off

    @property
    def eligible(self) -> bool:
        """Meets the rule and holds no credit yet."""
        return self.credit is None and self.meets_rule


def _standings(
    *,
    rule: CreditRule,
    standards: list[Competency],
    students: Iterable[tuple[User, SchoolClass | None]],
    now: dt.datetime,
) -> list[Standing]:
    pairs = list(students)
    ids = [s.pk for s, _ in pairs]
    grid = mastery_grid(student_ids=ids, competency_ids=[c.pk for c in standards], now=now)
    mastered: dict[int, int] = defaultdict(int)
    for (sid, _), view in grid.items():
        if counts_for_credit(view):
            mastered[sid] += 1
    credits = {
        c.student_id: c
        for c in Credit.objects.filter(
            course_id=rule.course_id, student_id__in=ids, revoked_at__isnull=True
        )
    }
    needed = standards_needed(share=rule.share_required, total=len(standards))
    return [
        Standing(
            student=student,
            school_class=school_class,
            total=len(standards),
            mastered=mastered[student.pk],
            needed=needed,
            share_required=rule.share_required,
            requires_sign_off=rule.requires_sign_off,
            credit=credits.get(student.pk),
        )
        for student, school_class in pairs
    ]


def credit_rule_of(course: Course) -> CreditRule | None:
    return CreditRule.objects.filter(course=course).first()


@dataclass
class ClassCredit:
    school_class: SchoolClass
    rule: CreditRule | None
    standards: list[Competency]
    standings: list[Standing] = field(default_factory=list)

    @property
    def awaiting(self) -> list[Standing]:
        return [s for s in self.standings if s.eligible]

    @property
    def awarded(self) -> list[Standing]:
        return [s for s in self.standings if s.credit is not None]

    @property
    def working(self) -> list[Standing]:
        return [s for s in self.standings if s.credit is None and not s.meets_rule]


def class_credit(*, school_class: SchoolClass, now: dt.datetime) -> ClassCredit:
    """Every student of a class against its course's rule, in a fixed number of queries."""
    rule = credit_rule_of(school_class.course)
    standards = course_standards(school_class.course)
    result = ClassCredit(school_class=school_class, rule=rule, standards=standards)
    if rule is not None:
        students = [(s, school_class) for s in class_students(school_class)]
        result.standings = _standings(rule=rule, standards=standards, students=students, now=now)
    return result


def credit_evaluate(*, course: Course, now: dt.datetime) -> list[Standing]:
    """Every student enrolled (today) in one of the course's classes against its rule; empty
    when the course has no rule."""
    rule = credit_rule_of(course)
    if rule is None:
        return []
    class_of: dict[int, int] = {}
    classes = SchoolClass.objects.filter(course=course)
    for student_id, class_id in (
        User.objects.filter(
            enrollment_in_force("enrollments__"),
            enrollments__school_class__in=classes,
            enrollments__role=EnrollmentRole.STUDENT,
            is_active=True,
        )
        .order_by("pk", "enrollments__school_class")
        .values_list("pk", "enrollments__school_class")
    ):
        class_of.setdefault(student_id, class_id)
    users = User.objects.in_bulk(list(class_of))
    by_pk = SchoolClass.objects.in_bulk(set(class_of.values()))
    pairs = [(users[pk], by_pk.get(class_id)) for pk, class_id in class_of.items()]
    return _standings(rule=rule, standards=course_standards(course), students=pairs, now=now)


def standing_of(*, student: User, course: Course, now: dt.datetime) -> Standing | None:
    """One student against one course's rule (None: the course has no rule)."""
    rule = credit_rule_of(course)
    if rule is None:
        return None
    standards = course_standards(course)
    return _standings(rule=rule, standards=standards, students=[(student, None)], now=now)[0]


def credits_of_student(student: User) -> QuerySet[Credit]:
    """A student's credits, revoked ones too (with why), newest first."""
    return Credit.objects.filter(student=student).select_related(
        "course", "signed_off_by", "revocation", "revocation__revoked_by"
    )


def transcript_rows(credits: QuerySet[Credit]) -> QuerySet[Credit]:
    return credits.select_related(
        "student", "course", "school_class", "signed_off_by", "revocation", "revocation__revoked_by"
    ).order_by("student__last_name", "student__first_name", "student_id", "awarded_at", "pk")


# ---------- report cards ----------


@dataclass(frozen=True)
class StandardLine:
    competency: Competency
    view: MasteryView | None

    @property
    def progress(self) -> Progress:
        return Progress.NOT_STARTED if self.view is None else self.view.progress


@dataclass
class CourseReport:
    course: Course
    classes: list[SchoolClass]
    teachers: list[str]
    can_do: list[StandardLine]
    working_on: list[StandardLine]
    next_up: list[StandardLine]
    not_started: int
    standing: Standing | None
    credits: list[Credit]

    @property
    def total(self) -> int:
        return len(self.can_do) + len(self.working_on) + self.not_started


@dataclass
class ReportCard:
    student: User
    term: AcademicSession | None
    terms: list[AcademicSession]
    as_of: dt.datetime
    courses: list[CourseReport]


_CAN_DO = {Progress.GOT_IT, Progress.PROBABLY_MASTERED}


def report_terms(student: User) -> list[AcademicSession]:
    """The terms (and school years) of the student's classes in force, latest first."""
    classes = student_classes(student)
    return list(
        AcademicSession.objects.filter(Q(classes__in=classes) | Q(course__classes__in=classes))
        .distinct()
        .order_by("-end_date", "start_date", "pk")
    )


def report_term(
    terms: list[AcademicSession], wanted: str | None, today: dt.date
) -> AcademicSession | None:
    """The term asked for (by id) if it is one of ``terms``; else the shortest one running
    today; else the latest."""
    for term in terms:
        if wanted and str(term.pk) == wanted:
            return term
    running = [t for t in terms if t.start_date <= today <= t.end_date]
    if running:
        return min(running, key=lambda t: (t.end_date - t.start_date, t.pk))
    return terms[0] if terms else None


def report_card(*, student: User, now: dt.datetime, term_id: str | None = None) -> ReportCard:
    """A standards-based report for one student and term: per course, what they can do, what
    they are working on, what comes next, and where they stand for credit. Mastery is as it
    stands at ``now``."""
    terms = report_terms(student)
    term = report_term(terms, term_id, timezone.localtime(now).date())
    classes = list(student_classes(student).prefetch_related("terms").order_by("course_id", "pk"))
    if term is not None:
        # A class in the term, or in the course's school year; one with no terms at all
        # (rosters often leave them out) runs all year.
        classes = [
            c
            for c in classes
            if term in c.terms.all() or c.course.school_year_id == term.pk or not c.terms.all()
        ]
    by_course: dict[int, list[SchoolClass]] = defaultdict(list)
    for school_class in classes:
        by_course[school_class.course_id].append(school_class)
    teacher_names: dict[int, list[str]] = defaultdict(list)
    for class_id, first, last in (
        User.objects.filter(
            enrollment_in_force("enrollments__"),
            enrollments__school_class__in=[c.pk for c in classes],
            enrollments__role=EnrollmentRole.TEACHER,
        )
        .order_by("last_name", "first_name")
        .values_list("enrollments__school_class", "first_name", "last_name")
    ):
        teacher_names[class_id].append(f"{first} {last}".strip())
    views = mastery_grid(student_ids=[student.pk], competency_ids=None, now=now)
    prereqs = prerequisites_map()
    rules = {r.course_id: r for r in CreditRule.objects.filter(course_id__in=list(by_course))}
    credits: dict[int, list[Credit]] = defaultdict(list)
    for credit in credits_of_student(student).filter(course_id__in=list(by_course)):
        credits[credit.course_id].append(credit)
    reports = []
    for course_classes in by_course.values():
        course = course_classes[0].course
        standards = course_standards(course)
        lines = [StandardLine(c, views.get((student.pk, c.pk))) for c in standards]
        can_do = [line for line in lines if line.progress in _CAN_DO]
        not_started = [line for line in lines if line.progress == Progress.NOT_STARTED]
        working = [
            line for line in lines if line not in can_do and line.progress != Progress.NOT_STARTED
        ]

        def ready(line: StandardLine) -> bool:
            return all(
                counts_for_credit(views.get((student.pk, p)))
                for p in prereqs.get(line.competency.pk, ())
            )

        next_up = sorted(not_started, key=lambda line: not ready(line))[:NEXT_SHOWN]
        rule = rules.get(course.pk)
        standing = None
        if rule is not None:
            in_force = next((c for c in credits[course.pk] if c.in_force), None)
            standing = Standing(
                student=student,
                school_class=None,
                total=len(standards),
                mastered=sum(counts_for_credit(line.view) for line in lines),
                needed=standards_needed(share=rule.share_required, total=len(standards)),
                share_required=rule.share_required,
                requires_sign_off=rule.requires_sign_off,
                credit=in_force,
            )
        teachers = sorted({n for c in course_classes for n in teacher_names[c.pk]})
        reports.append(
            CourseReport(
                course=course,
                classes=course_classes,
                teachers=teachers,
                can_do=can_do,
                working_on=working,
                next_up=next_up,
                not_started=len(not_started),
                standing=standing,
                credits=credits[course.pk],
            )
        )
    return ReportCard(student=student, term=term, terms=terms, as_of=now, courses=reports)
