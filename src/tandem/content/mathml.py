"""Math notation in plain text, written as MathML for the page.

Items, hints, solutions and standards are stored as plain text in the notation Tandem's
generators and the framework use: fractions ``3/4`` and ``a/b``, mixed numbers ``1 3/4``,
powers with superscript digits ``x²``, ``10⁸``, ``(x + 3)²``, ``cm³``, roots ``√49`` and
``√(3² + 4²)``, a complex fraction ``(1/2)/(1/4)``. :func:`math_html` escapes the text and
writes each of those as a MathML Core ``<math>`` element, which browsers draw natively (no
script, so it fits the strict CSP), with an ``aria-label`` that says it in words ("3 over 4",
"x squared") so every screen reader reads it the same way. Pure Python, no Django.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

__all__ = ["SUPERSCRIPTS", "math_html"]

# Superscript characters and what they stand for.
SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8",
    "⁹": "9", "⁻": "-", "⁺": "+", "ᵗ": "t", "ˣ": "x", "ⁿ": "n", "ʸ": "y",
}  # fmt: skip
_SUP = "[" + "".join(SUPERSCRIPTS) + "]+"
_NUM = r"\d+(?:\.\d+)?"
# One side of a fraction: a number or a one-letter variable ("a/b" in the standards).
_PART = rf"(?:{_NUM}|[a-z])"
# Not right after a word, a decimal point or another slash, so codes ("6.EE.A.2.c/x"), URLs
# and "1/2/3" stay as they are.
_BEFORE = r"(?<![\w.,/])"
_AFTER = r"(?!(?!s\b)[\w/]|\.\d)"  # but "how many 1/4s" is a fraction
# What may stand inside a bracket raised to a power: numbers, one-letter variables, operators.
# Letters: variables such as x or a product such as 2xy, not words.
_GROUP_CHAR = (
    r"[\d .+\-−–×÷·/πθ" + "".join(SUPERSCRIPTS) + r"]|(?<![A-Za-z])[A-Za-z]{1,3}(?![A-Za-z])"
)
_GROUP = rf"(?:{_GROUP_CHAR}|\((?:{_GROUP_CHAR})+\))+"  # one level of brackets inside
# Multi-letter bases of a power: units of area and volume, squared trigonometric functions.
_WORD_BASE = r"(?<![A-Za-z])(?:mm|cm|km|in|ft|yd|mi|sin|cos|tan)"

_NOTATION = re.compile(
    rf"\((?P<cn1>\d+)/(?P<cd1>\d+)\)/\((?P<cn2>\d+)/(?P<cd2>\d+)\)"  # (1/2)/(1/4)
    rf"|√(?:\((?P<radical>[^()\n]+)\)|(?P<radicand>{_NUM}|[A-Za-z]))"  # √(3² + 4²), √49
    rf"|\((?P<group>{_GROUP})\)(?P<group_exp>{_SUP})"  # (x + 3)²
    rf"|{_BEFORE}(?P<whole>\d+) (?P<mnum>\d+)/(?P<mden>\d+){_AFTER}"  # 1 3/4
    rf"|{_BEFORE}(?P<num>{_PART})/(?P<den>{_PART}){_AFTER}"  # 3/4, a/b
    rf"|(?P<base>{_NUM}|{_WORD_BASE}|[A-Za-zπθ)])(?P<exp>{_SUP})"  # 10⁸, cm³, x², any )²
)

# Inside a root or a bracket: the tokens of a small expression.
_TOKEN = re.compile(
    rf"(?P<frac>(?P<fn>{_PART})/(?P<fd>{_PART}))(?![\w])"
    rf"|(?P<num>{_NUM})"
    rf"|(?P<sup>{_SUP})"
    r"|(?P<ident>[A-Za-zπθ])"
    r"|(?P<op>[+\-−–×÷·=<>≤≥(),/])"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)"
)

_OPERATOR_WORDS = {
    "+": "plus", "-": "minus", "−": "minus", "–": "minus", "×": "times", "÷": "divided by",
    "·": "times", "=": "equals", "<": "is less than", ">": "is greater than", "≤": "is at most",
    "≥": "is at least", "/": "divided by",
}  # fmt: skip

Piece = tuple[str, str]  # (MathML, spoken words)


def _mn(text: str) -> Piece:
    return f"<mn>{escape(text)}</mn>", text


def _mi(text: str) -> Piece:
    return f"<mi>{escape(text)}</mi>", "pi" if text == "π" else text


def _mo(text: str) -> Piece:
    shown = "−" if text in "-–" else text
    return f"<mo>{escape(shown)}</mo>", _OPERATOR_WORDS.get(text, text)


def _operand(text: str) -> Piece:
    return _mn(text) if text[0].isdigit() else _mi(text)


def _row(pieces: list[Piece]) -> Piece:
    if len(pieces) == 1:
        return pieces[0]
    return "<mrow>" + "".join(m for m, _ in pieces) + "</mrow>", " ".join(s for _, s in pieces)


def _frac(num: Piece, den: Piece) -> Piece:
    return f"<mfrac>{num[0]}{den[0]}</mfrac>", f"{num[1]} over {den[1]}"


def _power_words(exponent: str) -> str:
    if exponent == "2":
        return "squared"
    if exponent == "3":
        return "cubed"
    return "to the power " + exponent.replace("-", "negative ")


def _sup(base: Piece, raised: str) -> Piece:
    exponent = "".join(SUPERSCRIPTS[c] for c in raised)
    shown = exponent.replace("-", "−")
    exp_piece = _mn(shown) if re.fullmatch(r"[−+]?\d+", shown) else _expression(shown)
    return f"<msup>{base[0]}{exp_piece[0]}</msup>", f"{base[1]} {_power_words(exponent)}"


def _expression(text: str) -> Piece:
    """A small expression (inside a root or a bracket) as one MathML row."""
    pieces: list[Piece] = []
    opened: list[int] = []  # where each open bracket is in ``pieces``
    closed: tuple[int, int] | None = None  # (where the last ")" is, where its "(" is)
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        token = m.group()
        if kind == "frac":
            pieces.append(_frac(_operand(m["fn"]), _operand(m["fd"])))
        elif kind == "num":
            pieces.append(_mn(token))
        elif kind == "ident":
            pieces.append(_mi(token))
        elif kind == "sup" and pieces:
            if closed is not None and closed[0] == len(pieces) - 1:
                start = closed[1]
                group = _row(pieces[start:])
                del pieces[start:]
                pieces.append(_sup(group, token))
            else:
                pieces.append(_sup(pieces.pop(), token))
        elif kind == "op":
            if token == "(":
                opened.append(len(pieces))
            elif token == ")" and opened:
                closed = (len(pieces), opened.pop())
            pieces.append(_mo(token))
        elif kind == "space":
            continue
        else:
            pieces.append((f"<mtext>{escape(token)}</mtext>", token))
    if not pieces:
        return "<mrow></mrow>", ""
    return _row(pieces)


def _notation(m: re.Match[str]) -> Piece:
    if m["cn1"]:
        half = _frac(_mn(m["cn1"]), _mn(m["cd1"]))
        quarter = _frac(_mn(m["cn2"]), _mn(m["cd2"]))
        return f"<mfrac>{half[0]}{quarter[0]}</mfrac>", f"{half[1]}, divided by {quarter[1]}"
    if m["radical"] is not None or m["radicand"] is not None:
        inside = _expression(m["radical"] if m["radical"] is not None else m["radicand"])
        return f"<msqrt>{inside[0]}</msqrt>", f"the square root of {inside[1]}"
    if m["group"] is not None:
        inner = _expression(m["group"])
        bracketed = _row([_mo("("), inner, _mo(")")])
        return _sup(bracketed, m["group_exp"])
    if m["whole"] is not None:
        part = _frac(_mn(m["mnum"]), _mn(m["mden"]))
        return _mn(m["whole"])[0] + part[0], f"{m['whole']} and {part[1]}"
    if m["num"] is not None:
        return _frac(_operand(m["num"]), _operand(m["den"]))
    base = m["base"]
    if base == ")":
        return _sup(_mo(")"), m["exp"])
    return _sup(_operand(base) if len(base) == 1 or base[0].isdigit() else _mi(base), m["exp"])


def _math(piece: Piece) -> str:
    words = piece[1].replace("( ", "(").replace(" )", ")")
    return f'<math aria-label="{escape(words)}">{piece[0]}</math>'


@lru_cache(maxsize=8192)
def math_html(text: str) -> str:
    """``text`` as HTML: escaped, with its math notation as MathML and newlines as ``<br>``.

    The result is safe to insert into a page: everything that is not notation is escaped.
    Remembered: pages name the same standards and show the same stems again and again.
    """
    out: list[str] = []
    at = 0
    for m in _NOTATION.finditer(text):
        if m["whole"] is not None and int(m["mnum"]) >= int(m["mden"]):
            # "2 5/4" is a number and a fraction, not a mixed number.
            out.append(escape(text[at : m.start("mnum")]))
            out.append(_math(_frac(_mn(m["mnum"]), _mn(m["mden"]))))
        else:
            out.append(escape(text[at : m.start()]))
            out.append(_math(_notation(m)))
        at = m.end()
    out.append(escape(text[at:]))
    return "".join(out).replace("\r\n", "\n").replace("\n", "<br>\n")
