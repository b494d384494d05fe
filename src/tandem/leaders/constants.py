"""Leaders' vocabularies: student groups (OneRoster demographics and accommodations), measures,
and the defaults a school may change."""

from __future__ import annotations

# OneRoster 1.2 demographics.csv: the race flags, in the order the file gives them.
RACE_FLAGS: dict[str, str] = {
    "americanIndianOrAlaskaNative": "American Indian or Alaska Native",
    "asian": "Asian",
    "blackOrAfricanAmerican": "Black or African American",
    "nativeHawaiianOrOtherPacificIslander": "Native Hawaiian or Other Pacific Islander",
    "white": "White",
    "demographicRaceTwoOrMoreRaces": "Two or more races",
}
HISPANIC_FLAG = "hispanicOrLatinoEthnicity"
SEX_LABELS = {"female": "Female", "male": "Male", "other": "Other sex", "unspecified": ""}
# From tandem.profiles' accommodation kinds (the roster carries no English-learner flag).
ACCOMMODATION_GROUPS = {"iep": "IEP", "504": "504 plan", "english_learner": "English learner"}

# The measures of the equity audit, as a leader reads them.
BELOW = "Share of practice below grade level"
AT = "Share of practice at grade level"
ABOVE = "Share of practice above grade level"
PACE = "Competencies mastered per week of practice"
CHECKED_IN = "Had a teacher check-in in the last 4 weeks"
PATHWAY_BEHIND = "Behind on their pathway"
PATHWAY_AHEAD = "Ahead on their pathway"
DAYS_TO_MASTERY = "Days to master a grade-level competency"
PERCENT_MEASURES = {BELOW, AT, ABOVE, CHECKED_IN, PATHWAY_BEHIND, PATHWAY_AHEAD}
# The unit of each measure that is not a percentage (spreadsheet and page).
MEASURE_UNITS = {PACE: "per week", DAYS_TO_MASTERY: "days"}
# What a measure counts, where its name does not say it all; shown under its heading.
MEASURE_NOTES = {
    PATHWAY_BEHIND: "Among students with a pathway: the share of its steps done is more than "
    "10 points behind the share of the school year gone by.",
    PATHWAY_AHEAD: "Among students with a pathway: the share of its steps done is more than "
    "10 points ahead of the share of the school year gone by.",
    DAYS_TO_MASTERY: "Among students who mastered at least one competency of their own grade: "
    "the usual (median) number of days from their first answer on one to reaching mastery. "
    "Fewer days is faster.",
}

# Screen time and check-ins are read over the last four weeks.
RECENT_DAYS = 28
DEFAULT_WEEKLY_MINUTES = 150
# "Did a change help?": the smallest difference in competencies per week that would matter.
SMALLEST_EFFECT = 0.1
CHANGE_MAX_WEEKS = 12

# Leaders' figures are worked out by the background worker and stored; a page older than this
# (minutes; the setting TANDEM_LEADER_FIGURES_MAX_AGE_MINUTES) queues a refresh.
FIGURES_MAX_AGE_MINUTES = 15
# A queued refresh not stored after this long was lost (worker stopped): it is queued again.
FIGURES_REFRESH_ABANDONED_MINUTES = 10
# While the figures are first worked out, the waiting page reloads itself this often.
FIGURES_WAIT_RELOAD_SECONDS = 5
