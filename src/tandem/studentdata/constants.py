"""Vocabularies of a family's requests about their child's data."""

from django.db import models


class RequestKind(models.TextChoices):
    EXPORT = "export", "Copy of the data (export)"
    ERASURE = "erasure", "Erasure"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"


# Prefix of the random username and sourcedId an erased student is left with.
ERASED_PREFIX = "erased-"
