"""Vocabularies and limits of learner profiles: interests, accommodation kinds, revision fields."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.mastery.rules import MIN_EVIDENCE


class Interest(models.TextChoices):
    """The shared interest vocabulary; what a student types beyond it is kept as their own tags.

    A small, stable list so that projects and workshops can be matched to interests.
    """

    ANIMALS = "animals", _("Animals")
    ART = "art", _("Art and drawing")
    BUILDING = "building", _("Building and making")
    CODING = "coding", _("Coding and computers")
    COOKING = "cooking", _("Cooking")
    DANCE = "dance", _("Dance")
    GAMES = "games", _("Games and puzzles")
    HISTORY = "history", _("History")
    MUSIC = "music", _("Music")
    NATURE = "nature", _("Nature and the outdoors")
    READING = "reading", _("Reading and writing stories")
    SCIENCE = "science", _("Science")
    SPACE = "space", _("Space")
    SPORTS = "sports", _("Sports")
    THEATRE = "theatre", _("Theatre and film")


class AccommodationKind(models.TextChoices):
    IEP = "iep", _("IEP")
    SECTION_504 = "504", _("504 plan")
    ENGLISH_LEARNER = "english_learner", _("English learner")
    OTHER = "other", _("Other")


class RevisionField(models.TextChoices):
    """Which field a profile revision changed: the student's parts, then an accommodation's."""

    INTERESTS = "interests", _("Interests")
    OWN_INTERESTS = "own_interests", _("Interests in own words")
    ABOUT_ME = "about_me", _("About me")
    LANGUAGES = "languages", _("Languages")
    KIND = "kind", _("Kind")
    SUMMARY = "summary", _("Summary")
    DETAILS = "details", _("Details")
    START_DATE = "start_date", _("Start date")
    END_DATE = "end_date", _("End date")
    ACTIVE = "active", _("Active")


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
