"""Choice patterns that may mean a student avoids challenge: each needs enough evidence, and
the writing one is judged against the student's own classmates."""

from __future__ import annotations

from tandem_engine.agency import AgencyEvidence, agency_signals, class_agency_signals


def _e(**counts: int) -> AgencyEvidence:
    base = {
        "chosen": 0,
        "chosen_easy": 0,
        "answered": 40,
        "likely_answered": 20,
        "likely_hinted": 0,
        "written": 1,
    }
    return AgencyEvidence(**(base | counts))


def test_mostly_easy_choices_are_a_signal_only_with_enough_choices() -> None:
    [signal] = agency_signals(_e(chosen=10, chosen_easy=9), classmates_writing=None)
    assert (signal.kind, signal.count, signal.out_of) == ("easy_choices", 9, 10)
    assert agency_signals(_e(chosen=5, chosen_easy=5), classmates_writing=None) == []
    assert agency_signals(_e(chosen=10, chosen_easy=6), classmates_writing=None) == []


def test_hints_before_trying_count_on_items_the_student_was_likely_to_manage() -> None:
    [signal] = agency_signals(_e(likely_answered=15, likely_hinted=12), classmates_writing=None)
    assert (signal.kind, signal.count, signal.out_of) == ("hint_first", 12, 15)
    assert agency_signals(_e(likely_answered=15, likely_hinted=5), classmates_writing=None) == []
    assert agency_signals(_e(likely_answered=8, likely_hinted=8), classmates_writing=None) == []


def test_no_writing_is_a_signal_only_where_classmates_write() -> None:
    everyone = {f"s{k}": _e(written=2) for k in range(5)}
    quiet = everyone | {"quiet": _e(written=0, answered=50)}
    assert [s.kind for s in class_agency_signals(quiet)["quiet"]] == ["no_writing"]
    # A class where nobody writes (no written work set): nobody is singled out.
    nobody = {f"s{k}": _e(written=0) for k in range(6)}
    assert class_agency_signals(nobody) == {}
    # Too little practice to say.
    assert "quiet" not in class_agency_signals(everyone | {"quiet": _e(written=0, answered=10)})


def test_a_student_with_no_pattern_is_left_out() -> None:
    assert class_agency_signals({"a": _e(), "b": _e(chosen=10, chosen_easy=2)}) == {}
