"""Vocabularies and limits of learner profiles: interests, accommodation kinds, revision fields."""

from django.db import models

from tandem.mastery.rules import MIN_EVIDENCE


class Interest(models.TextChoices):
    """The shared interest vocabulary; what a student types beyond it is kept as their own tags.

    A small, stable list so that projects and workshops can be matched to interests.
    """

    ANIMALS = "animals", "Animals"
    ART = "art", "Art and drawing"
    BUILDING = "building", "Building and making"
    CODING = "coding", "Coding and computers"
    COOKING = "cooking", "Cooking"
    DANCE = "dance", "Dance"
    GAMES = "games", "Games and puzzles"
    HISTORY = "history", "History"
    MUSIC = "music", "Music"
    NATURE = "nature", "Nature and the outdoors"
    READING = "reading", "Reading and writing stories"
    SCIENCE = "science", "Science"
    SPACE = "space", "Space"
    SPORTS = "sports", "Sports"
    THEATRE = "theatre", "Theatre and film"


class AccommodationKind(models.TextChoices):
    IEP = "iep", "IEP"
    SECTION_504 = "504", "504 plan"
    ENGLISH_LEARNER = "english_learner", "English learner"
    OTHER = "other", "Other"


class RevisionField(models.TextChoices):
    """Which field a profile revision changed: the student's parts, then an accommodation's."""

    INTERESTS = "interests", "Interests"
    OWN_INTERESTS = "own_interests", "Interests in own words"
    ABOUT_ME = "about_me", "About me"
    LANGUAGES = "languages", "Languages"
    KIND = "kind", "Kind"
    SUMMARY = "summary", "Summary"
    DETAILS = "details", "Details"
    START_DATE = "start_date", "Start date"
    END_DATE = "end_date", "End date"
    ACTIVE = "active", "Active"


PROFILE_FIELDS = (
    RevisionField.INTERESTS,
    RevisionField.OWN_INTERESTS,
    RevisionField.ABOUT_ME,
    RevisionField.LANGUAGES,
)
ACCOMMODATION_FIELDS = (
    RevisionField.KIND,
    RevisionField.SUMMARY,
    RevisionField.DETAILS,
    RevisionField.START_DATE,
    RevisionField.END_DATE,
    RevisionField.ACTIVE,
)

# What a student may write about themselves.
ABOUT_ME_MAX = 1000
OWN_INTEREST_MAX = 40
OWN_INTERESTS_LIMIT = 10
LANGUAGE_NAME_MAX = 60
LANGUAGES_LIMIT = 6

# What staff may write about an accommodation.
SUMMARY_MAX = 200
DETAILS_MAX = 2000

# A competency is a "need" when the student is still learning it, has answered at least this
# often (so the estimate rests on evidence, not on the prior) and the estimate is below NEED_BELOW.
NEED_BELOW = 0.5
NEED_MIN_ANSWERS = MIN_EVIDENCE
