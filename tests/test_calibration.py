"""The calibration set: candidate-style answers with interviewer bands, graded by the offline grader.

Every strong answer must outscore every partial one, and every partial every weak one, for every question;
most answers must land inside the band an experienced interviewer gave them. Run with `pytest -s` to see
the one-line summary (bench/calibration.py prints the per-question detail).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from interviewer.backends.offline import OfflineGrader
from interviewer.bank.calibration import (
    CalibrationError,
    CalibrationSet,
    Label,
    load_calibration,
    load_calibration_file,
)
from interviewer.bank.loader import Bank, load_bank
from interviewer.grading.grade import grade_question

MIN_SETS = 25
MIN_BAND_ACCURACY = 0.75


@dataclass(frozen=True)
class Scored:
    question: str
    label: Label
    band: tuple[int, int]
    score: int

    @property
    def hit(self) -> bool:
        return self.band[0] <= self.score <= self.band[1]

    @property
    def distance(self) -> int:
        return max(self.band[0] - self.score, self.score - self.band[1], 0)


@pytest.fixture(scope="module")
def real_bank() -> Bank:
    return load_bank()


@pytest.fixture(scope="module")
def sets() -> list[CalibrationSet]:
    return load_calibration()


@pytest.fixture(scope="module")
def scored(real_bank: Bank, sets: list[CalibrationSet]) -> list[Scored]:
    grader = OfflineGrader()
    out = []
    for cal in sets:
        question = real_bank.get(cal.question)
        for answer in cal.answers:
            grade, _ = grade_question(question, [answer.text], grader)
            out.append(Scored(cal.question, answer.label, answer.band, grade.score))
    return out


def _out_of_order(scored: list[Scored]) -> dict[str, list[tuple[str, int]]]:
    """Questions where some better-labelled answer does not score strictly above a worse-labelled one."""
    by_question: dict[str, list[Scored]] = {}
    for s in scored:
        by_question.setdefault(s.question, []).append(s)
    bad = {}
    for question, answers in by_question.items():
        if any(a.score <= b.score for a in answers for b in answers if a.label.rank > b.label.rank):
            bad[question] = [(a.label.value, a.score) for a in answers]
    return bad


def test_every_calibration_set_names_a_bank_question(real_bank: Bank, sets: list[CalibrationSet]) -> None:
    unknown = [cal.question for cal in sets if cal.question not in real_bank.questions]
    assert unknown == []
    assert len({cal.question for cal in sets}) == len(sets), "two calibration files for one question"


def test_every_set_has_a_strong_a_partial_and_a_weak_answer(sets: list[CalibrationSet]) -> None:
    for cal in sets:
        assert {a.label for a in cal.answers} >= set(Label), cal.question


def test_the_set_is_large_and_covers_every_round_in_the_bank(real_bank: Bank, sets: list[CalibrationSet]) -> None:
    assert len(sets) >= MIN_SETS
    rounds_in_bank = {q.round for q in real_bank.questions.values()}
    covered = {real_bank.get(cal.question).round for cal in sets}
    assert rounds_in_bank - covered == set()


def test_offline_grader_orders_strong_above_partial_above_weak(scored: list[Scored]) -> None:
    assert _out_of_order(scored) == {}


def test_offline_scores_land_in_the_interviewer_bands_for_most_answers(scored: list[Scored]) -> None:
    questions = len({s.question for s in scored})
    in_order = questions - len(_out_of_order(scored))
    hits = sum(s.hit for s in scored)
    misses = [s.distance for s in scored if not s.hit]
    accuracy = hits / len(scored)
    mean_miss = sum(misses) / len(misses) if misses else 0.0
    print(
        f"\ncalibration: ordering holds for {in_order}/{questions} questions; "
        f"band hits {hits}/{len(scored)} answers ({accuracy:.1%}); "
        f"mean distance of the {len(misses)} misses to their band {mean_miss:.1f} points"
    )
    assert accuracy >= MIN_BAND_ACCURACY


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("band", "message"),
    [("[60, 40]", "lo <= hi"), ("[-5, 40]", "lo <= hi"), ("[50, 101]", "lo <= hi"), ("[10]", "band")],
)
def test_a_bad_band_fails_naming_the_file_and_field(tmp_path: Path, band: str, message: str) -> None:
    path = _write(tmp_path, "bad.yaml", f"question: q\nanswers:\n  - label: strong\n    band: {band}\n    text: hi\n")
    with pytest.raises(CalibrationError) as error:
        load_calibration_file(path)
    assert str(path) in str(error.value)
    assert "answers[0].band" in str(error.value)
    assert message in str(error.value)


def test_an_unknown_label_or_invalid_yaml_fails_naming_the_file(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "question: q\nanswers:\n  - label: brilliant\n    band: [0, 10]\n    text: hi\n")
    _write(tmp_path, "b.yaml", "question: [unclosed\n")
    with pytest.raises(CalibrationError) as error:
        load_calibration(tmp_path)
    assert "a.yaml: field answers[0].label" in str(error.value)
    assert "b.yaml: not valid YAML" in str(error.value)


def test_a_valid_file_loads(tmp_path: Path) -> None:
    _write(tmp_path, "ok.yaml", "question: q\nanswers:\n  - label: weak\n    band: [0, 25]\n    text: no idea\n")
    (cal,) = load_calibration(tmp_path)
    assert cal.question == "q"
    assert cal.answers[0].band == (0, 25)
    assert cal.answers[0].hits(25) and not cal.answers[0].hits(26)
    assert cal.answers[0].distance(40) == 15
