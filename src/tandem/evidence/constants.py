"""Evidence vocabularies: xAPI verbs and the sources a statement can come from."""

from django.db import models


class Verb(models.TextChoices):
    ANSWERED = "http://adlnet.gov/expapi/verbs/answered", "answered"
    OBSERVED = "https://w3id.org/xapi/tandem/verbs/observed", "was observed"
    SCORED = "http://adlnet.gov/expapi/verbs/scored", "was scored"
    VOIDED = "http://adlnet.gov/expapi/verbs/voided", "voided"
    ATTENDED = "http://adlnet.gov/expapi/verbs/attended", "attended"


class Source(models.TextChoices):
    PRACTICE = "practice", "Practice"
    OBSERVATION = "observation", "Teacher observation"
    SIMULATION = "simulation", "Demo history"
    IMPORT = "import", "Import"
    DIAGNOSTIC = "diagnostic", "Diagnostic"
    CHECK_IN = "check_in", "Check-in conversation"
    PROJECT = "project", "Project rubric"
    WRITTEN = "written", "Written answer scored by a teacher"
    MINI_LESSON = "mini_lesson", "Mini-lesson exit check"
    FLEX = "flex", "Flex session"


class ObservationKind(models.TextChoices):
    """What a teacher saw, and how strongly it speaks to mastery."""

    SHOWED_UNDERSTANDING = "showed_understanding", "Showed understanding in conversation"
    NEEDS_HELP = "needs_help", "Needs help with"
