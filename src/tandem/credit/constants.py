"""Limits of credit rules and records."""

from __future__ import annotations

# A rule asks for at least this share of a course's grade-level standards (a rule below half
# would not be competency-based credit).
MIN_SHARE = 0.5
REASON_MAX = 1000
