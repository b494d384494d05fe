"""The CSV and iCalendar writers (no Django): RFC 5545 lines, escaping, folding."""

from __future__ import annotations

import datetime as dt

from tandem.flex.exports import CalendarEvent, csv_text, ics_text

NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


def test_ics_lines_are_crlf_escaped_and_folded_at_75_octets():
    zone = dt.timezone(dt.timedelta(hours=-5))
    event = CalendarEvent(
        uid="flex-1-2@tandem",
        starts=dt.datetime(2026, 12, 1, 10, 5, tzinfo=zone),
        ends=dt.datetime(2026, 12, 1, 10, 50, tzinfo=zone),
        summary="Flex: Fractions, decimals; and ratios",
        location="Room 101",
        description="With Ms. Rivera. Why: need: 6.RP.A.3 — " + "é" * 60,
    )
    text = ics_text([event], name="Flex", now=NOW)
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert "DTSTART:20261201T150500Z" in lines and "DTEND:20261201T155000Z" in lines
    assert "SUMMARY:Flex: Fractions\\, decimals\\; and ratios" in lines
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:With Ms. Rivera. Why: need: 6.RP.A.3 — " + "é" * 60 in unfolded
    assert "DTSTAMP:20261201T093000Z" in lines


def test_csv_has_a_header_and_neutralises_formulas():
    text = csv_text([("2026-11-30", "=HYPERLINK(1)", "+1", "plain")])
    header, row = text.split("\r\n")[:2]
    assert header.startswith("week_of,day,block")
    assert row == "2026-11-30,'=HYPERLINK(1),'+1,plain"
