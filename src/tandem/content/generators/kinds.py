"""Item kinds (the ``ItemSpec.kind`` values)."""

from typing import Final

SINGLE_CHOICE: Final = "single_choice"
MULTIPLE_CHOICE: Final = "multiple_choice"
NUMERIC: Final = "numeric"
SHORT_TEXT: Final = "short_text"
# Scored by a teacher, never by a key: not in KINDS, so check_answer refuses it.
EXTENDED_TEXT: Final = "extended_text"

KINDS: Final[frozenset[str]] = frozenset({SINGLE_CHOICE, MULTIPLE_CHOICE, NUMERIC, SHORT_TEXT})
CHOICE_KINDS: Final[frozenset[str]] = frozenset({SINGLE_CHOICE, MULTIPLE_CHOICE})

# Numbers below twenty in words: the generators write numbers in words with them, and answer
# reading recognises a number typed as a word ("five") to ask for its digits.
NUMBER_WORDS: Final[tuple[str, ...]] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
