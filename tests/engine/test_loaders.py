"""Loaders: each format read correctly, and every malformed file names its line and problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from tandem_engine.loaders import (
    LogFormatError,
    TruncatedLineWarning,
    kt_data_dir,
    load_akt,
    load_assistments,
    load_datashop,
    load_gervet,
    load_gervet_split,
)

GERVET_HEADER = "user_id\titem_id\ttimestamp\tcorrect\tskill_id\n"


@pytest.fixture
def q_path(tmp_path: Path) -> Path:
    q = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float64))
    path = tmp_path / "q_mat.npz"
    sp.save_npz(path, q)
    return path


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_gervet_reads_rows_in_order(tmp_path: Path, q_path: Path) -> None:
    path = _write(
        tmp_path, "d.csv", GERVET_HEADER + "7\t0\t0\t1\t0\n7\t2\t0\t0\t2\n3\t1\t0\t1\t1\n"
    )
    log = load_gervet(path)
    assert log.student_ids == ("3", "7")
    assert log.item.tolist() == [1, 0, 2]
    assert log.correct.tolist() == [True, True, False]
    assert log.n_skills == 2 and np.isnan(log.timestamp).all()
    combo = load_gervet(path, skills="combination")
    assert combo.n_skills == 3 and combo.q_matrix[2, 2]


def test_gervet_wrong_header(tmp_path: Path, q_path: Path) -> None:
    path = _write(tmp_path, "d.csv", "user\titem\n1\t2\n")
    with pytest.raises(LogFormatError, match=r"line 1: header"):
        load_gervet(path)


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ("1\t0\t0\t1\t0\n1\t1\t0\t1\n", 3, "4 tab-separated fields, expected 5"),
        ("1\t0\t0\t1\t0\n1\t0\t0\tyes\t0\n", 3, "correct 'yes' is not an integer"),
        ("1\t0\t0\t2\t0\n", 2, "correct 2 is not in"),
        ("1\t0\t0\t1\t0\n1\t0\t0\t1\t0\n1\t9\t0\t1\t0\n", 4, "item_id 9 is not in"),
    ],
)
def test_gervet_malformed_lines(
    tmp_path: Path, q_path: Path, body: str, line: int, problem: str
) -> None:
    path = _write(tmp_path, "d.csv", GERVET_HEADER + body)
    with pytest.raises(LogFormatError, match=f"line {line}: {problem}") as info:
        load_gervet(path)
    assert info.value.line == line


def test_gervet_item_with_several_combinations_is_tagged_with_each(
    tmp_path: Path, q_path: Path
) -> None:
    path = _write(
        tmp_path,
        "d.csv",
        GERVET_HEADER + "1\t0\t0\t1\t0\n2\t0\t0\t1\t1\n2\t1\t0\t0\t1\n",
    )
    log = load_gervet(path, skills="combination")
    assert log.n_skills == 2
    assert log.q_matrix.toarray()[:2].tolist() == [[True, True], [False, True]]
    assert log.notes == (
        "1 items appear with several skill_id values (2 rows); each is tagged with all of its "
        "combinations",
    )
    from tandem_engine import BKT

    p = BKT().fit(log).predict_proba(log)
    assert np.isfinite(p).all() and ((p > 0) & (p < 1)).all()


def test_akt_merges_repeated_multi_skill_rows(tmp_path: Path) -> None:
    text = "1,100\n5,5,6\n1,2,1\n1,1,0\n2,200\n6\n1\n1\n"
    log = load_akt(_write(tmp_path, "a.csv", text))
    assert log.n_responses == 3
    assert log.item.tolist() == [5, 6, 6]
    assert sorted(log.q_matrix[5].indices.tolist()) == [1, 2]
    assert log.notes == ("merged 1 repeated multi-skill rows",)
    assert load_akt(_write(tmp_path, "b.csv", text), merge_repeated_skills=False).n_responses == 4


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("1,100\n5,6\n1\n1,0\n", 2, "2 problems, 1 skills and 2 answers"),
        ("1,100\n5,x\n1,1\n1,0\n", 2, "problem id 'x' is not an integer"),
        ("1,100\n5,6\n1,1\n1,2\n", 4, "answers must be 0 or 1"),
        ("1,100\n5,6\n1,1\n", 3, "file ends in the middle"),
    ],
)
def test_akt_malformed(tmp_path: Path, text: str, line: int, problem: str) -> None:
    with pytest.raises(LogFormatError, match=f"line {line}: {problem}"):
        load_akt(_write(tmp_path, "a.csv", text))


RAW_HEADER = ",order_id,user_id,problem_id,original,correct,skill_id,skill_name\n"


def test_assistments_merges_skills_of_one_attempt_and_reads_latin1(tmp_path: Path) -> None:
    text = RAW_HEADER + (
        "0,11,u1,p1,1,1,1.0,Équations\n"
        "1,11,u1,p1,1,1,2.0,Fractions\n"
        "2,10,u1,p2,1,0,,\n"
        "3,12,u2,p1,0,1,1.0,Équations\n"
    )
    log = load_assistments(_write(tmp_path, "as.csv", text, encoding="latin-1"))
    assert log.n_responses == 2  # the scaffolding row (original=0) is dropped
    assert [log.item_ids[i] for i in log.item] == ["p2", "p1"]  # sorted by order_id
    assert log.skill_ids == ("1", "2")
    assert sorted(log.q_matrix[log.item_ids.index("p1")].indices.tolist()) == [0, 1]
    assert log.q_matrix[log.item_ids.index("p2")].nnz == 0


@pytest.mark.parametrize(
    ("rows", "line", "problem"),
    [
        ("0,11,u1,p1,1,2,1.0,A\n", 2, "correct '2' is not 0 or 1"),
        ("0,11,u1,p1,1,1,1.0,A\n1,x,u1,p1,1,1,1.0,A\n", 3, "order_id 'x' is not an integer"),
        ("0,11,u1,p1,1,1,1.0\n", 2, "7 fields, the header has 8"),
        ("0,11,u1,p1,1,1,1.0,A\n1,11,u1,p1,1,0,2.0,B\n", 3, "order_id 11 repeats"),
    ],
)
def test_assistments_malformed(tmp_path: Path, rows: str, line: int, problem: str) -> None:
    with pytest.raises(LogFormatError, match=f"line {line}: {problem}"):
        load_assistments(_write(tmp_path, "as.csv", RAW_HEADER + rows))


def test_assistments_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(LogFormatError, match=r"line 1: missing column.*problem_id"):
        load_assistments(_write(tmp_path, "as.csv", "order_id,user_id,correct,skill_id\n"))


DS_HEADER = (
    "Row\tAnon Student Id\tProblem Name\tStep Name\tFirst Transaction Time\t"
    "Correct First Attempt\tKC(Default)\n"
)


def test_datashop_reads_steps_and_reports_a_cut_last_line(tmp_path: Path) -> None:
    text = DS_HEADER + (
        "1\ts1\tP1\tA\t2006-10-26 09:52:30.0\t0\tadd~~carry\n"
        "2\ts1\tP1\tB\t2006-10-26 09:52:10.0\t1\t\n"
        "3\ts2\tP1\tA\t2006-10-26 10:00:00.0\t1\tadd"
    )
    with pytest.warns(TruncatedLineWarning, match="line 4"):
        log = load_datashop(_write(tmp_path, "ds.csv", text))
    assert log.n_responses == 2
    assert log.notes == ("line 4 has no line end (file cut off); skipped it",)
    assert [log.item_ids[i] for i in log.item] == ["P1|B", "P1|A"]  # by transaction time
    assert log.skill_ids == ("add", "carry")
    assert log.timestamp[0] == pytest.approx(1161856330.0)


@pytest.mark.parametrize(
    ("rows", "line", "problem"),
    [
        ("1\ts1\tP1\tA\t2006-10-26 09:52:30.0\t3\tadd\n", 2, "Correct First Attempt '3'"),
        ("1\ts1\tP1\tA\tyesterday\t1\tadd\n", 2, "time 'yesterday' is not a date"),
        ("1\ts1\tP1\tA\n", 2, "4 fields, the header has 7"),
    ],
)
def test_datashop_malformed(tmp_path: Path, rows: str, line: int, problem: str) -> None:
    with pytest.raises(LogFormatError, match=f"line {line}: {problem}"):
        load_datashop(_write(tmp_path, "ds.csv", DS_HEADER + rows))


def test_kt_data_dir_honours_the_environment(tmp_path: Path) -> None:
    assert kt_data_dir({"TANDEM_SHARED_DIR": str(tmp_path)}) == tmp_path / "data" / "kt"
    assert kt_data_dir({}).parts[-3:] == ("shared", "data", "kt")


@pytest.mark.shared_data
def test_real_gervet_split(kt_dir: Path) -> None:
    train, test = load_gervet_split(kt_dir / "assist2009" / "gervet")
    assert (train.n_responses, train.n_students) == (220_070, 2_491)
    assert (test.n_responses, test.n_students) == (58_266, 623)
    assert train.q_matrix.shape == (17_708, 123)
    assert train.correct.mean() == pytest.approx(0.658, abs=0.001)


@pytest.mark.shared_data
def test_real_other_formats(kt_dir: Path) -> None:
    akt = load_akt(kt_dir / "assist2009" / "akt_pid" / "assist2009_pid_test1.csv")
    assert akt.n_responses > 0 and akt.notes
    raw = load_assistments(kt_dir / "assist2009" / "raw_subset" / "as.csv")
    assert raw.n_responses == 10_791 and raw.n_students == 902
    with pytest.warns(TruncatedLineWarning):
        steps = load_datashop(kt_dir / "cognitive_tutor" / "ct_first_4MiB.csv")
    assert steps.n_students == 11 and len(steps.notes) == 1
