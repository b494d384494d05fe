"""Competency-framework vocabularies, after 1EdTech CASE 1.1."""

from django.db import models


class AssociationType(models.TextChoices):
    IS_CHILD_OF = "isChildOf", "is child of"
    IS_PREREQUISITE_OF = "isPrerequisiteOf", "is prerequisite of"
    IS_RELATED_TO = "isRelatedTo", "is related to"
    EXACT_MATCH_OF = "exactMatchOf", "exact match of"
    IS_PART_OF = "isPartOf", "is part of"
    PRECEDES = "precedes", "precedes"
    REPLACED_BY = "replacedBy", "replaced by"
    HAS_SKILL_LEVEL = "hasSkillLevel", "has skill level"
    IS_PEER_OF = "isPeerOf", "is peer of"
    EXEMPLAR = "exemplar", "exemplar"
    IS_TRANSLATION_OF = "isTranslationOf", "is translation of"


# CASE educationLevel codes in school order (same codes as OneRoster grades).
EDUCATION_LEVELS = [
    "PK",
    "KG",
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
]
