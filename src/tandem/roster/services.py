"""Writes of the roster: creating people, classes and enrollments (OneRoster-shaped)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tandem.roster.constants import ClassType, EnrollmentRole, Language, OrgType, Role, SessionType
from tandem.roster.models import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    Org,
    SchoolClass,
    User,
)


def org_create(*, sourced_id: str, name: str, type: OrgType, parent: Org | None = None) -> Org:
    return Org.objects.create(sourced_id=sourced_id, name=name, type=type, parent=parent)


def academic_session_create(
    *, sourced_id: str, title: str, start: dt.date, end: dt.date, school_year: int
) -> AcademicSession:
    if end < start:
        raise ValueError(f"Session {sourced_id!r} ends ({end}) before it starts ({start}).")
    return AcademicSession.objects.create(
        sourced_id=sourced_id,
        title=title,
        type=SessionType.SCHOOL_YEAR,
        start_date=start,
        end_date=end,
        school_year=school_year,
    )


def user_create(
    *,
    sourced_id: str,
    username: str,
    role: Role,
    first_name: str,
    last_name: str,
    password: str | None = None,
    grade: str = "",
    orgs: list[Org] | None = None,
) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        sourced_id=sourced_id,
        role=role,
        first_name=first_name,
        last_name=last_name,
        grade=grade,
        # Administrators work in Django's admin; nobody else may enter it.
        is_staff=role == Role.ADMINISTRATOR,
        is_superuser=role == Role.ADMINISTRATOR,
    )
    if orgs:
        user.orgs.set(orgs)
    return user


@transaction.atomic
def class_create(
    *,
    sourced_id: str,
    title: str,
    course: Course,
    school: Org,
    term: AcademicSession | None = None,
    grades: list[str] | None = None,
    class_code: str = "",
) -> SchoolClass:
    school_class = SchoolClass.objects.create(
        sourced_id=sourced_id,
        title=title,
        course=course,
        school=school,
        class_code=class_code,
        class_type=ClassType.SCHEDULED,
        grades=grades or [],
    )
    if term is not None:
        school_class.terms.add(term)
    return school_class


def enrollment_create(
    *, user: User, school_class: SchoolClass, role: EnrollmentRole, primary: bool = False
) -> Enrollment:
    return Enrollment.objects.create(
        sourced_id=f"enr-{school_class.sourced_id}-{user.sourced_id}-{role}",
        user=user,
        school_class=school_class,
        role=role,
        primary=primary,
    )


def guardian_link_create(
    *, guardian: User, student: User, relationship: str = "parent"
) -> GuardianLink:
    if guardian.role != Role.GUARDIAN or student.role != Role.STUDENT:
        raise ValueError("A guardian link joins a guardian to a student.")
    return GuardianLink.objects.create(
        guardian=guardian, student=student, relationship=relationship
    )


def guardian_link_delete(*, link: GuardianLink) -> None:
    """End a guardian's right to see a student (the roster no longer names them as agents)."""
    link.delete()


def user_language_set(*, user: User, language: str) -> User:
    """Keep the language a user's pages speak (blank: the browser's); an unknown code is refused."""
    if language and language not in Language.values:
        raise ValueError(f"Tandem does not speak {language!r}.")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
