"""The demo school never mixes with a real one: its password is advertised only where it is alone,
`tandem demo` refuses a database with a real roster, and `tandem demo --remove` takes it out."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from tests.factories import make_school, record_answer

from tandem.cli import main
from tandem.core.demo import (
    DEMO_PASSWORD,
    DEMO_SCHOOL,
    DemoRefusedError,
    demo_seed,
    real_roster_present,
)
from tandem.core.demo_removal import demo_remove
from tandem.evidence.models import Statement
from tandem.privacy.models import AccessLog
from tandem.roster.constants import EnrollmentRole, OrgType, Role
from tandem.roster.models import AcademicSession, Course, Enrollment, Org, SchoolClass, User
from tandem.roster.services import enrollment_create

pytestmark = pytest.mark.django_db

SMALL = {"students": 6, "days": 3, "seed": 5, "calibration": "background"}


def _demo_only_counts() -> dict[str, int]:
    return {
        "users": User.objects.filter(sourced_id__startswith="demo-").count(),
        "orgs": Org.objects.filter(sourced_id__startswith="demo-").count(),
        "courses": Course.objects.filter(sourced_id__startswith="demo-").count(),
        "classes": SchoolClass.objects.filter(sourced_id__startswith="demo-").count(),
        "sessions": AcademicSession.objects.filter(sourced_id__startswith="demo-").count(),
    }


# ---------- the login page ----------


def test_the_demo_password_is_not_advertised_beside_a_real_school(client):
    Org.objects.create(sourced_id=DEMO_SCHOOL, name="Riverside", type=OrgType.SCHOOL)
    assert DEMO_PASSWORD in client.get(reverse("login")).content.decode()
    make_school()
    html = client.get(reverse("login")).content.decode()
    assert DEMO_PASSWORD not in html
    assert "This is the demo school" not in html


def test_an_operators_superuser_is_not_a_real_roster(client):
    Org.objects.create(sourced_id=DEMO_SCHOOL, name="Riverside", type=OrgType.SCHOOL)
    get_user_model().objects.create_superuser(
        username="root", password="pw-long-enough-1", sourced_id="root"
    )
    assert not real_roster_present()
    assert DEMO_PASSWORD in client.get(reverse("login")).content.decode()


# ---------- seeding ----------


def test_the_demo_refuses_a_database_with_a_real_roster(capsys):
    make_school()
    users_before = User.objects.count()
    with pytest.raises(DemoRefusedError, match="real roster"):
        demo_seed(**SMALL)
    assert not Org.objects.filter(sourced_id=DEMO_SCHOOL).exists()
    assert User.objects.count() == users_before
    assert main(["demo", "--students", "6", "--days", "3"]) == 1
    err = capsys.readouterr().err
    assert "real roster" in err and "tandem demo" in err
    assert not Org.objects.filter(sourced_id=DEMO_SCHOOL).exists()


# ---------- removing ----------


def test_remove_takes_out_the_whole_demo_school_and_nothing_else(monkeypatch):
    # Small batches, so that this small demo meets what a full one does: many batches of
    # evidence, each protected by attempts and estimates.
    monkeypatch.setattr("tandem.core.demo_removal._BATCH", 3)
    demo_seed(**SMALL)
    assert _demo_only_counts()["users"] > 6
    real = make_school()
    record_answer(real.student_a, "6.EE.A.2", True)
    real_statements = Statement.objects.filter(actor=real.student_a).count()
    # The demo's administrator opened a demo student's record: an audit entry of the demo's own.
    demo_admin = User.objects.get(sourced_id="demo-admin")
    demo_student = User.objects.filter(sourced_id__startswith="demo-s-").first()
    AccessLog.objects.create(actor=demo_admin, student=demo_student, action="view")

    report = demo_remove()

    assert report.users > 6 and report.statements > 0
    assert _demo_only_counts() == dict.fromkeys(_demo_only_counts(), 0)
    assert not Statement.objects.filter(actor__sourced_id__startswith="demo-").exists()
    assert not AccessLog.objects.filter(actor__sourced_id__startswith="demo-").exists()
    assert User.objects.filter(pk=real.student_a.pk).exists()
    assert Statement.objects.filter(actor=real.student_a).count() == real_statements
    assert Org.objects.filter(pk=real.org.pk).exists()
    assert Enrollment.objects.filter(school_class=real.class_a).count() == 2


def test_remove_refuses_when_real_people_are_tied_to_the_demo():
    demo_seed(**SMALL)
    before = _demo_only_counts()
    real = make_school()
    demo_class = SchoolClass.objects.filter(sourced_id__startswith="demo-").first()
    enrollment_create(user=real.teacher_a, school_class=demo_class, role=EnrollmentRole.TEACHER)
    with pytest.raises(DemoRefusedError, match="not the demo's"):
        demo_remove()
    assert _demo_only_counts() == before
    assert User.objects.filter(pk=real.teacher_a.pk).exists()


def test_remove_refuses_when_a_real_user_looked_at_a_demo_record():
    demo_seed(**SMALL)
    before = _demo_only_counts()
    real = make_school()
    demo_student = User.objects.filter(sourced_id__startswith="demo-s-").first()
    AccessLog.objects.create(actor=real.admin, student=demo_student, action="view")
    with pytest.raises(DemoRefusedError, match="not the demo's"):
        demo_remove()
    assert _demo_only_counts() == before


def test_tandem_demo_remove_exit_statuses(capsys):
    assert main(["demo", "--remove"]) == 0
    assert "no demo school" in capsys.readouterr().out.lower()
    demo_seed(**SMALL)
    real = make_school()
    demo_student = User.objects.filter(role=Role.STUDENT, sourced_id__startswith="demo-").first()
    AccessLog.objects.create(actor=real.teacher_a, student=demo_student, action="view")
    assert main(["demo", "--remove"]) == 1
    assert "not the demo's" in capsys.readouterr().err
    assert AccessLog.objects.filter(actor=real.teacher_a).exists()
    assert _demo_only_counts()["users"] > 0


def test_tandem_demo_warns_where_a_real_roster_joined_the_demo(capsys, monkeypatch):
    monkeypatch.setattr("tandem.core.startup.static_files_stale", lambda: False)
    demo_seed(**SMALL)
    make_school()
    assert main(["demo"]) == 0
    captured = capsys.readouterr()
    assert "Demo school already present." in captured.out
    assert "tandem demo --remove" in captured.err
