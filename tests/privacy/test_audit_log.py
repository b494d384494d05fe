"""The audit log is append-only, in the application and in the admin, and the admin's views of
a student's records are audited like every other look."""

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import make_school, record_answer

from tandem.checkins.services import checkin_record
from tandem.evidence.models import Statement
from tandem.privacy.models import AccessLog, AppendOnlyError
from tandem.privacy.services import access_log_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return make_school()


@pytest.fixture
def entry(school):
    return access_log_record(actor=school.teacher_a, student=school.student_a, action="view")


def test_entries_cannot_be_changed_or_removed_in_the_application(entry):
    entry.action = "nothing to see"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=entry.pk).update(action="edited")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get(pk=entry.pk).action == "view"


def test_the_admin_reads_entries_but_cannot_add_change_or_delete(client, school, entry):
    client.force_login(school.admin)
    changelist = reverse("admin:privacy_accesslog_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()
    change = reverse("admin:privacy_accesslog_change", args=[entry.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"action": "edited"}).status_code == 403
    delete = reverse("admin:privacy_accesslog_delete", args=[entry.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:privacy_accesslog_add")).status_code == 403
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert AccessLog.objects.filter(pk=entry.pk, action="view").exists()
    assert response.status_code in (200, 302)


def test_opening_a_check_in_in_the_admin_is_audited(client, school):
    check_in, _ = checkin_record(
        teacher=school.teacher_a,
        student=school.student_a,
        now=timezone.now(),
        notes="Private: worried about home.",
    )
    client.force_login(school.admin)
    response = client.get(reverse("admin:checkins_checkin_change", args=[check_in.pk]))
    assert response.status_code == 200
    assert AccessLog.objects.filter(
        actor=school.admin,
        student=school.student_a,
        action="admin:checkins.checkin",
        refused=False,
    ).exists()


def test_opening_evidence_or_the_student_in_the_admin_is_audited(client, school):
    record_answer(school.student_b, "6.EE.A.2", True)
    statement = Statement.objects.get(actor=school.student_b)
    client.force_login(school.admin)
    assert (
        client.get(reverse("admin:evidence_statement_change", args=[statement.pk])).status_code
        == 200
    )
    assert client.get(reverse("admin:roster_user_change", args=[school.student_b.pk])).status_code
    actions = set(
        AccessLog.objects.filter(actor=school.admin, student=school.student_b).values_list(
            "action", flat=True
        )
    )
    assert {"admin:evidence.statement", "admin:roster.user"} <= actions
    # Opening a teacher's account records nothing about students.
    client.get(reverse("admin:roster_user_change", args=[school.teacher_b.pk]))
    assert not AccessLog.objects.filter(student=school.teacher_b).exists()
