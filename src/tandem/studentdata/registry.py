"""Where Tandem keeps data about a student, and what an export and an erasure do with each table.

Every model with a foreign key to a user, and every model pointing at one of the tables below,
is either listed in ``HOLDINGS`` (exported and erased) or in ``NOT_ABOUT_THE_STUDENT`` with the
reason; a test enumerates the models through Django's ``_meta`` and fails on any other, so a new
table about students cannot be silently missed by the export or the erasure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.db import models


class Erase(StrEnum):
    KEEP = "keep"  # kept: pseudonymous once the account it points at is anonymised
    BLANK = "blank"  # the free-text fields in ``blank`` are emptied, the row kept
    DELETE = "delete"  # removed
    SERVICE = "service"  # a dedicated service of the owning app (see services.ERASERS)


class Match(StrEnum):
    STUDENT = "student"  # ``path`` leads to the student's account
    SOURCED_ID = "sourced_id"  # ``path`` holds the student's sourcedId (no foreign key)
    USERNAME = "username"  # ``path`` holds the student's username (no foreign key)


@dataclass(frozen=True)
class Holding:
    model: str  # "app_label.ModelName"
    path: str  # the lookup from the model to the student (or their sourcedId, username)
    erase: Erase
    blank: tuple[str, ...] = ()
    export: bool = True
    match: Match = Match.STUDENT

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def rows_of(self, student: Any) -> models.QuerySet[Any]:
        """This table's rows about ``student``, through the model's base manager."""
        model = self.model_class
        value = {
            Match.STUDENT: student.pk if self.path == "pk" else student,
            Match.SOURCED_ID: student.sourced_id,
            Match.USERNAME: student.username,
        }[self.match]
        return model._base_manager.filter(**{self.path: value})


# In the order an erasure works through them: services first (they need the student's old
# identifiers), the account itself last.
HOLDINGS: tuple[Holding, ...] = (
    # Evidence stays, pseudonymous and without free text, so aggregates do not change.
    Holding("evidence.Statement", "actor", Erase.SERVICE),
    Holding("interop.LrsStatement", "evidence__actor", Erase.SERVICE),
    Holding("interop.LrsStatementLink", "statement__evidence__actor", Erase.SERVICE, export=False),
    # Kept for the class figures; the enrolment's sourcedId (often built from the student's) is
    # replaced.
    Holding("roster.Enrollment", "user", Erase.SERVICE),
    Holding("roster.GuardianLink", "student", Erase.DELETE),
    Holding("privacy.AccessLog", "student", Erase.KEEP),
    Holding("mastery.LearnerState", "student", Erase.KEEP),
    Holding("mastery.StateChange", "state__student", Erase.KEEP),
    Holding("placement.DiagnosticSession", "student", Erase.KEEP),
    Holding("placement.DiagnosticQuestion", "session__student", Erase.KEEP),
    Holding("profiles.LearnerProfile", "student", Erase.DELETE),
    Holding("profiles.ProfileRevision", "student", Erase.DELETE),
    Holding("profiles.Accommodation", "student", Erase.DELETE),
    Holding(
        "projects.StudentProject",
        "student",
        Erase.BLANK,
        blank=("title", "description", "interest", "feedback"),
    ),
    Holding("projects.Milestone", "project__student", Erase.BLANK, blank=("title",)),
    Holding("projects.RubricCriterion", "project__student", Erase.KEEP),
    Holding("projects.RubricScore", "project__student", Erase.KEEP),
    # Uploaded files are deleted from storage by the erasure service, then the row blanked.
    Holding(
        "projects.Submission",
        "project__student",
        Erase.SERVICE,
        blank=("text", "link", "file", "file_name"),
    ),
    Holding("goals.WeeklyGoal", "student", Erase.BLANK, blank=("text",)),
    Holding("goals.ReflectionRevision", "reflection__student", Erase.DELETE),
    Holding("goals.Reflection", "student", Erase.DELETE),
    Holding("pathways.Pathway", "student", Erase.KEEP),
    Holding("pathways.PathwayTarget", "pathway__student", Erase.KEEP),
    Holding(
        "pathways.PathwayStep", "pathway__student", Erase.BLANK, blank=("title", "description")
    ),
    Holding("pathways.PathwayEvent", "pathway__student", Erase.BLANK, blank=("summary", "details")),
    Holding("checkins.CheckIn", "student", Erase.BLANK, blank=("notes",)),
    Holding("checkins.CheckInObservation", "check_in__student", Erase.KEEP),
    Holding("checkins.CheckInNextStep", "check_in__student", Erase.KEEP),
    # The student's own weekly answers (their notes included): exported, deleted on erasure.
    Holding("wellbeing.SelfCheck", "student", Erase.DELETE),
    # A credit is the student's record of achievement: kept (pseudonymous once erased); the
    # revocation's free-text reason is emptied.
    Holding("credit.Credit", "student", Erase.KEEP),
    Holding("credit.CreditEvidence", "credit__student", Erase.KEEP),
    Holding("credit.CreditRevocation", "credit__student", Erase.BLANK, blank=("reason",)),
    # Being in a mini-lesson group ends with the account; attendance stays, pseudonymous, like
    # the evidence its exit checks became.
    Holding("groups.GroupMember", "student", Erase.DELETE),
    Holding("groups.LessonAttendance", "student", Erase.KEEP),
    Holding("flex.FlexChoice", "student", Erase.DELETE),
    Holding("flex.FlexRequirement", "student", Erase.DELETE),
    # Where the student was and whether they came; the attendance evidence stays with the log.
    Holding("flex.FlexPlacement", "student", Erase.DELETE),
    # An attempt stays with its evidence; the second try's answer is emptied as the
    # statement's own response is (evidence.services).
    Holding("practice.Attempt", "student", Erase.BLANK, blank=("second_response",)),
    # A photo or drawing of the answer is deleted from storage by the erasure service.
    Holding("practice.WrittenAnswer", "student", Erase.SERVICE, blank=("text", "photo")),
    Holding("practice.WrittenScore", "answer__student", Erase.BLANK, blank=("comment",)),
    # When the student last opened their home page (what is new since then).
    Holding("practice.LastSeen", "user", Erase.DELETE),
    Holding("interop.OneRosterRole", "user", Erase.DELETE),
    Holding("interop.OneRosterUserProfile", "user", Erase.DELETE),
    Holding("interop.Demographics", "sourced_id", Erase.DELETE, match=Match.SOURCED_ID),
    Holding("lti.UserLink", "user", Erase.DELETE),
    Holding("lti.ResourceLinkLearner", "student", Erase.DELETE),
    Holding("lti.DeepLinkRequest", "user", Erase.DELETE),
    Holding("lti.Passback", "student", Erase.DELETE),
    # An API token acting as the student (read-only scopes on their own record): revoked by
    # deletion; its secret is not stored, only a hash.
    Holding("api.ApiToken", "user", Erase.DELETE),
    Holding("axes.AccessAttempt", "username", Erase.DELETE, match=Match.USERNAME),
    Holding("axes.AccessLog", "username", Erase.DELETE, match=Match.USERNAME),
    Holding("axes.AccessFailureLog", "username", Erase.DELETE, match=Match.USERNAME),
    Holding("studentdata.DataRequest", "student", Erase.BLANK, blank=("requester_name", "note")),
    Holding("studentdata.Erasure", "student", Erase.KEEP),
    # The account: names, email and identifiers replaced by a random token, sign-in disabled.
    Holding("roster.User", "pk", Erase.SERVICE),
)

# (model, field) pointing at a user (or at a table above) that is not about the student it
# points at, with the reason. Everything else must be in HOLDINGS.
NOT_ABOUT_THE_STUDENT: dict[tuple[str, str], str] = {
    ("admin.LogEntry", "user"): "the administrator who used Django's admin (entries naming the "
    "student are rewritten by the account's erasure)",
    ("roster.GuardianLink", "guardian"): "the guardian; the link is covered through 'student'",
    ("privacy.AccessLog", "actor"): "who read a record; a student's own reads are not logged",
    ("evidence.Statement", "authority"): "who vouches for a statement; the statement is covered "
    "through its actor",
    ("mastery.CalibrationRun", "requested_by"): "the administrator who started a calibration",
    ("api.ApiToken", "created_by"): "the administrator who issued a token",
    ("api.ApiToken", "revoked_by"): "the administrator who revoked a token",
    ("profiles.Accommodation", "recorded_by"): "the staff member who recorded it",
    ("leaders.Change", "created_by"): "the leader who named a change (it lists classes, not "
    "students)",
    ("leaders.TimeLimit", "updated_by"): "the leader who set a school's screen-time limit",
    ("profiles.ProfileRevision", "changed_by"): "who changed the profile; covered through "
    "'student'",
    ("profiles.ProfileRevision", "accommodation"): "covered through 'student'",
    ("projects.ProjectTemplate", "created_by"): "a teacher's template, about no student",
    ("projects.StudentProject", "reviewed_by"): "the reviewing teacher",
    ("projects.RubricScore", "scored_by"): "the scoring teacher",
    ("goals.WeeklyGoal", "created_by"): "who set the goal; covered through 'student'",
    ("goals.ReflectionRevision", "saved_by"): "who saved it; covered through the reflection",
    ("pathways.Pathway", "approved_by"): "the approving teacher",
    ("pathways.PathwayTarget", "added_by"): "who added it; covered through the pathway",
    ("pathways.PathwayTarget", "removed_by"): "who removed it; covered through the pathway",
    ("pathways.PathwayStep", "added_by"): "who added it; covered through the pathway",
    ("pathways.PathwayEvent", "actor"): "who acted; covered through the pathway",
    ("checkins.CheckIn", "teacher"): "the teacher holding the check-in",
    ("groups.MiniLessonGroup", "leader"): "the teacher leading the group; its members are "
    "covered through GroupMember",
    ("practice.WrittenScore", "scored_by"): "the scoring teacher",
    ("wellbeing.SelfCheck", "followed_up_by"): "the teacher or counselor who talked with the "
    "student; covered through 'student'",
    ("credit.Credit", "signed_off_by"): "the teacher who signed off the credit",
    ("credit.CreditRevocation", "revoked_by"): "the teacher or administrator who revoked it",
    ("flex.FlexSession", "teacher"): "the teacher leading the session",
    ("flex.FlexSchedule", "published_by"): "the administrator who published the week",
    ("flex.FlexPlacement", "moved_by"): "the administrator who moved the student; covered "
    "through 'student'",
    ("flex.FlexPlacement", "attendance_taken_by"): "the teacher who took attendance",
    ("flex.FlexPlacement", "attendance_statement"): "the attendance evidence, covered "
    "through its actor",
    ("interop.OneRosterImportRun", "requested_by"): "the administrator who imported a roster",
    ("interop.LrsClient", "created_by"): "the administrator who issued an LRS credential",
    ("interop.LrsDocument", "client"): "documents are matched by agent and deleted by the LRS "
    "erasure service",
    ("studentdata.DataRequest", "requested_by"): "the guardian who asked",
    ("studentdata.DataRequest", "recorded_by"): "the administrator who recorded the request",
    ("studentdata.DataRequest", "handled_by"): "the administrator who handled the request",
    ("studentdata.Erasure", "erased_by"): "the administrator who erased the record",
    ("axes.AccessAttemptExpiration", "access_attempt"): "when a sign-in lock ends; deleted with "
    "the attempt",
    ("projects.RubricLevel", "criterion"): "a rubric's level descriptors, written by teachers",
    ("studentdata.Erasure", "request"): "the tombstone's request, covered through 'student'",
}


def holding(model: str) -> Holding:
    return next(h for h in HOLDINGS if h.model == model)
