"""How the framework's text reads: names in title case and math notation the source lost.

The Coherence Map's text comes from a scrape of the standards that flattened superscripts
("V = s3" for V = s³, "3 × 108" for 3 × 10⁸) and a stacked complex fraction ("1/2/1/4"), and
that capitalizes every word of a name ("Counting And Cardinality"). The loader passes every
statement and name through here. Pure functions, no Django.
"""

from __future__ import annotations

import re

__all__ = [
    "LOST_NOTATION",
    "SHORT_NAME_LIMIT",
    "name_title_case",
    "short_name",
    "statement_notation",
]

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

# Words a title keeps in lower case unless they start it (Chicago style).
_MINOR_WORDS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
    "or", "per", "than", "the", "to", "vs", "with",
})  # fmt: skip

# Statements whose exponents the generic rules below cannot read: a power of ten that looks
# like a number, and fractional or letter exponents. Each is the exact source text.
_EXACT = {
    "1/2/1/4 miles per hour": "(1/2)/(1/4) miles per hour",
    "3 × 108 and": "3 × 10⁸ and",
    "7 × 109, and": "7 × 10⁹, and",
    "the expression 1.15t can be rewritten as (1.151/12)12t ≈ 1.01212t": (
        "the expression 1.15ᵗ can be rewritten as (1.15 to the power 1/12)¹²ᵗ ≈ 1.012¹²ᵗ"
    ),
    "y = (1.02)t, y = (0.97)t, y = (1.01)12t, y = (1.2)t/10": (
        "y = (1.02)ᵗ, y = (0.97)ᵗ, y = (1.01)¹²ᵗ, y = (1.2) to the power t/10"
    ),
    "we define 51/3 to be the cube root of 5 because we want (51/3)3= 5(1/3)3 to hold, so "
    "(51/3)3 must equal 5": (
        "we define 5 to the power 1/3 to be the cube root of 5 because we want "
        "(5 to the power 1/3)³ = 5 to the power (1/3)·3 to hold, so (5 to the power 1/3)³ must "
        "equal 5"
    ),
}

# A caret exponent: x^2, 10^3, 10^(-2).
_CARET = re.compile(r"\^\(?([−-]?\d+)\)?")
# A unit of area or volume: cm3, m2.
_UNIT = re.compile(r"\b(mm|cm|m|km|in|ft|yd|mi)([23])\b")
# A squared trigonometric function: sin2(θ).
_TRIG = re.compile(r"\b(sin|cos|tan)([2-9])(?=\()")
# A one-letter variable with its exponent: s3, x2, 2x3 (not part of a word or a code).
_VARIABLE = re.compile(r"(?<![A-Za-z.])([a-z])([2-9])(?![\w.])")
# A closing parenthesis with its exponent: (x – p)2 = q, (x2 + y2)2=.
_PAREN = re.compile(r"\)([2-9])(?=[\s=,.;:)]|$)")

# What text that lost its notation looks like; tests assert none of it is left.
LOST_NOTATION = re.compile(
    r"\^"  # a raw caret
    r"|(?<![A-Za-z.])[a-z][2-9](?![\w.])"  # s3, x2
    r"|\)[2-9](?=[\s=,.;:)]|$)"  # (x – p)2
    r"|\b\d+/\d+/\d+/\d+\b"  # 1/2/1/4
    r"|\b(?:mm|cm|m|km|in|ft|yd|mi)[23]\b"  # cm3
)


def _superscript(digits: str) -> str:
    return digits.replace("-", "⁻").replace("−", "⁻").translate(_SUPERSCRIPT)


def statement_notation(text: str) -> str:
    """``text`` with the exponents and fractions the source lost written as a reader expects:
    "V = s3 and A = 6 s2" -> "V = s³ and A = 6 s²", "1/2/1/4" -> "(1/2)/(1/4)"."""
    for lost, meant in _EXACT.items():
        text = text.replace(lost, meant)
    text = _CARET.sub(lambda m: _superscript(m.group(1)), text)
    text = _UNIT.sub(lambda m: m.group(1) + _superscript(m.group(2)), text)
    text = _TRIG.sub(lambda m: m.group(1) + _superscript(m.group(2)), text)
    text = _VARIABLE.sub(lambda m: m.group(1) + _superscript(m.group(2)), text)
    return _PAREN.sub(lambda m: ")" + _superscript(m.group(1)), text)


def name_title_case(name: str) -> str:
    """A domain or cluster name in title case: "Counting And Cardinality" -> "Counting and
    Cardinality", "Number And Operations-Fractions" -> "Number and Operations—Fractions"."""
    # The standards write this domain with a dash; the source has a hyphen ("Multi-Digit" keeps it).
    name = re.sub(r"(?<=Operations)-(?=[A-Z])", "—", name)
    words = name.split(" ")
    out = []
    for i, word in enumerate(words):
        bare = word.strip(",.;:*").lower()
        after_break = i > 0 and words[i - 1].endswith((":", "—"))
        if i > 0 and not after_break and bare in _MINOR_WORDS:
            word = word.lower()
        out.append(word)
    return " ".join(out)


# ---------------------------------------------------------------------------------------------
# Short names: what a student reads next to a code ("Compare fractions with different
# denominators"), made from the full statement when no person has written one.

SHORT_NAME_LIMIT = 60

# Openings that tell a teacher how a student knows something, not what it is: dropped, and the
# rest of the clause kept ("Understand that the last number name said ..." -> "The last ...").
_STOCK_OPENINGS = (
    re.compile(r"^apply and extend previous understandings of [^,;]+? to (?=[a-z])", re.I),
    re.compile(r"^(?:know and )?apply the properties", re.I),
    re.compile(r"^(?:understand|know|recognize) (?:that|informally that) ", re.I),
    re.compile(r"^(?:with guidance and support from adults, )", re.I),
)
# What follows one of these is an example, a method or a limit, not the skill: cut there when
# the whole clause is too long.
_TAILS = re.compile(
    r",? (?:e\.g\.|i\.e\.|(?:for example|such as|including|using|by using|based on|with attention"
    r"|in the context of|in real[- ]world|in real[- ]life|to solve real|for cases in which"
    r"|where the|recording|with or without|given a|on the basis|so that|in terms of)\b)"
    r"|, by (?=[a-z]+ing\b)",
    re.I,
)
# An aside in parentheses with words in it ("(with 0 representing a count of no objects)"); math
# in parentheses ("(a/b) × q", "(x, y)") stays.
_ASIDE = re.compile(r"\s*\((?=[^()]*[A-Za-z]{3})[^()]*\)")
_SPACES = re.compile(r"\s+")
# Sentence ends: a full stop, question or exclamation mark, colon or semicolon before a space,
# but not inside "e.g.", "i.e.", "a.m." or "vs.".
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\ba\.m)(?<!\bp\.m)(?<!\bvs)[.?!:;](?=\s|$)")
_MINOR_ENDINGS = _MINOR_WORDS | {"that", "which", "when", "whose", "each", "two", "its", "their"}


def _first_clause(text: str) -> str:
    match = _SENTENCE_END.search(text)
    return text[: match.start()] if match else text


def _drop_tail(text: str, limit: int) -> str:
    """``text`` without its example, method or limit when it is longer than ``limit``."""
    if len(text) <= limit:
        return text
    cut = next((m.start() for m in _TAILS.finditer(text) if m.start() >= 12), None)
    return text if cut is None else text[:cut]


def _cut_to(text: str, limit: int) -> str:
    """``text`` no longer than ``limit``: at the last comma that leaves a phrase of some length,
    else at a word, never ending on a word like "of" or "the"."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    at = head.rfind(", ")
    if at >= 30:
        return text[:at]
    words = head[: head.rfind(" ")].split(" ") if " " in head else [head[:limit]]
    # Never end inside parentheses ("of (x") or on a word like "of".
    while len(words) > 2 and (
        words[-1].lower().strip(",") in _MINOR_ENDINGS
        or " ".join(words).count("(") > " ".join(words).count(")")
    ):
        words.pop()
    return " ".join(words).rstrip(",;:")


def short_name(statement: str, *, limit: int = SHORT_NAME_LIMIT) -> str:
    """A short, sentence-case name for a standard: its first clause without examples, methods
    and asides, at most ``limit`` characters. "Compare two fractions with different numerators
    and different denominators, e.g., by creating common denominators ..." -> "Compare two
    fractions with different numerators and different denominators"."""
    text = _SPACES.sub(" ", statement.replace("*", " ")).strip()
    text = re.sub(r"^\(\+\)\s*", "", text)  # the "(+)" mark of an advanced standard
    text = _ASIDE.sub("", text)
    for opening in _STOCK_OPENINGS:
        if opening.pattern.endswith("properties"):
            text = opening.sub("Use the properties", text)
        else:
            text = opening.sub("", text)
    text = _first_clause(text)
    text = _drop_tail(text, limit)
    text = text.replace("//", "/").strip(" ,;:.—–-")
    text = _cut_to(text, limit).strip(" ,;:.—–-")
    if not text:
        return statement.strip()[:limit]
    return text[0].upper() + text[1:]
