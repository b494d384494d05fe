"""What an API token may be allowed to do, one scope per kind of endpoint."""

from django.db import models

# Shown once, then only its hash is kept: a prefix that secret scanners can recognise, and
# 256 bits from the operating system's generator.
TOKEN_PREFIX = "tdm_"
TOKEN_BYTES = 32
# How many leading characters of a secret are kept in the clear, so a token can be recognised
# in a list (4 of them are the prefix; the 6 others leave 250 bits unknown).
TOKEN_HINT_LENGTH = 10
# The last-used time is written at most this often per token, not on every request.
LAST_USED_RESOLUTION_SECONDS = 60


class Scope(models.TextChoices):
    READ_ROSTER = "read:roster", "Read the list of students"
    READ_MASTERY = "read:mastery", "Read students' mastery estimates"
    READ_EVIDENCE = "read:evidence", "Read students' evidence"
    WRITE_EVIDENCE = "write:evidence", "Record observations (evidence)"
