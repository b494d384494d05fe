"""A tiny exact evaluator for the math notation used in item stems, for the tests only.

It is written independently of the generators: it reads display text such as
``"{12 × [6 + (19 − 9)]} ÷ 6"``, ``"3x² − 2y"`` or ``"(1/2)(4x + 6) + 3x"`` and evaluates it
with :class:`fractions.Fraction` through Python's ``ast`` (no ``eval``).
"""

from __future__ import annotations

import ast
import re
from fractions import Fraction

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ˣ", "0123456789-x")
_SUP_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻ˣ]+")


def to_python(text: str) -> str:
    s = text.replace("−", "-").replace("×", "*").replace("÷", "/").replace("·", "*")
    s = s.replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")")
    s = _SUP_RUN.sub(lambda m: "**(" + m.group(0).translate(_SUPERSCRIPTS) + ")", s)
    s = s.replace("√", "sqrt")
    # implicit multiplication: 3x, 2(…), )(, x(, xy, )x, )3
    s = re.sub(r"(?<=[\d)])\s*(?=[a-z(])", "*", s)
    s = re.sub(r"(?<=[a-z])(?=[a-z(])", "*", s)
    s = re.sub(r"(?<=\))\s*(?=\d)", "*", s)
    s = s.replace("s*q*r*t", "sqrt")
    return s


def evaluate(text: str, env: dict[str, Fraction | int] | None = None) -> Fraction:
    """Evaluate display or Python-style arithmetic exactly; variables come from ``env``."""
    tree = ast.parse(to_python(text), mode="eval")
    return _eval(tree.body, {k: Fraction(v) for k, v in (env or {}).items()})


def _eval(node: ast.AST, env: dict[str, Fraction]) -> Fraction:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return Fraction(str(node.value))
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = _eval(node.operand, env)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, env), _eval(node.right, env)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b
        if isinstance(node.op, ast.Pow):
            if b.denominator != 1:
                raise ValueError("non-integer exponent")
            return a ** int(b)
    raise ValueError(f"unsupported expression node {ast.dump(node)}")


def evaluate_float(text: str, x: float) -> float:
    """Evaluate a Python-style expression in x with floats (allows x**0.5)."""
    tree = ast.parse(text, mode="eval")

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id == "x":
            return x
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            ops = {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}
            for op_type, value in ops.items():
                if isinstance(node.op, op_type):
                    return value
            if isinstance(node.op, ast.Div):
                return a / b
            if isinstance(node.op, ast.Pow):
                return float(a**b)
        raise ValueError(f"unsupported expression node {ast.dump(node)}")

    return ev(tree.body)


def linear_coefficients(text: str, var: str) -> tuple[Fraction, Fraction]:
    """(coefficient, constant) of a linear expression in ``var``; asserts it is linear."""
    f0, f1, f2 = (evaluate(text, {var: v}) for v in (0, 1, 2))
    assert f2 - f1 == f1 - f0, f"{text!r} is not linear in {var}"
    return f1 - f0, f0
