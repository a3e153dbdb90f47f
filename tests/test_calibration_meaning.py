"""The meaning calibration sets: six answer kinds per bank question that tell meaning from vocabulary.

These tests pin the sets themselves (they are the measuring stick of issue 8): `meaning/`, written before the
grader changed, and `meaning_fresh/` and `meaning_fresh2/`, written blind later on other questions, all held out.
Every file loads, names a bank question and has all six kinds; the tune and held-out halves of `meaning/` are
balanced and no fresh set shares a question with an earlier set; the plain-words strong answer really avoids
every rubric signal of its question (in `meaning/` and `meaning_fresh/`), matched exactly the way the offline
detector matches signals; the bands are the ones the issue states. bench/calibration.py grades them.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from interviewer.bank.calibration import (
    CalibrationError,
    Kind,
    MeaningSet,
    Split,
    default_calibration_dir,
    default_meaning_dir,
    fresh_meaning_dirs,
    load_calibration,
    load_meaning,
    load_meaning_file,
)
from interviewer.bank.loader import Bank, load_bank
from interviewer.text.normalize import find_phrase, phrase_key, tokens

MIN_QUESTIONS = {"meaning": 24, "meaning_fresh": 12, "meaning_fresh2": 12}
FIXED_BANDS = {
    Kind.plain_strong: (70, 100),
    Kind.term_strong: (70, 100),
    Kind.red_flag: (0, 40),
    Kind.keyword_list: (0, 30),
    Kind.confidently_wrong: (0, 15),
}


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


@pytest.fixture(scope="module", params=["meaning", "meaning_fresh", "meaning_fresh2"])
def folder(request: pytest.FixtureRequest) -> Path:
    return default_calibration_dir() / request.param


@pytest.fixture(scope="module")
def sets(folder: Path) -> list[MeaningSet]:
    return load_meaning(folder)


def _signals_in(text: str, signals: list[str]) -> list[str]:
    """The signals the detector would find in `text` (same tokens, same phrase matcher)."""
    toks = tokens(text)
    return [s for s in signals if find_phrase(toks, phrase_key(s)) is not None]


def test_the_set_covers_enough_distinct_bank_questions(bank: Bank, folder: Path, sets: list[MeaningSet]) -> None:
    ids = [s.question for s in sets]
    assert len(ids) >= MIN_QUESTIONS[folder.name]
    assert len(set(ids)) == len(ids), "two meaning files for one question"
    assert [q for q in ids if q not in bank.questions] == []


def test_each_file_is_named_after_its_question(folder: Path) -> None:
    for path in sorted(folder.glob("*.yaml")):
        assert load_meaning_file(path).question == path.stem


@pytest.mark.parametrize("position", [0, 1])
def test_each_fresh_set_is_held_out_on_questions_no_earlier_set_has(bank: Bank, position: int) -> None:
    folders = fresh_meaning_dirs()
    fresh = load_meaning(folders[position])
    earlier = [*load_meaning(), *(s for folder in folders[:position] for s in load_meaning(folder))]
    assert {s.split for s in fresh} == {Split.heldout}
    assert {s.question for s in fresh} & {s.question for s in earlier} == set()
    assert len({bank.get(s.question).round for s in fresh}) >= 7, "a fresh set should span the round types"


def test_every_question_has_one_answer_of_each_kind(sets: list[MeaningSet]) -> None:
    for s in sets:
        assert sorted(a.kind for a in s.answers) == sorted(Kind), s.question


def test_the_halves_are_equal_and_each_repeated_round_type_is_in_both(bank: Bank) -> None:
    sets = load_meaning(default_meaning_dir())
    halves = Counter(s.split for s in sets)
    assert halves[Split.tune] == halves[Split.heldout]
    by_round: dict[str, set[Split]] = {}
    for s in sets:
        by_round.setdefault(bank.get(s.question).round.value, set()).add(s.split)
    rounds = Counter(bank.get(s.question).round.value for s in sets)
    assert len(rounds) >= 8, "the set should span the interview's round types"
    assert {r: by_round[r] for r, n in rounds.items() if n >= 2 and by_round[r] != set(Split)} == {}


def test_plain_strong_answers_use_none_of_their_questions_rubric_signals(
    bank: Bank, folder: Path, sets: list[MeaningSet]
) -> None:
    if folder.name == "meaning_fresh2":
        pytest.skip("written without checking the signal lists: it avoids jargon, not every everyday signal phrase")
    found = {}
    for s in sets:
        signals = [signal for item in bank.get(s.question).rubric for signal in item.signals]
        hits = _signals_in(s.answer(Kind.plain_strong).text, signals)
        if hits:
            found[s.question] = hits
    assert found == {}


def test_term_strong_answers_do_use_the_usual_terms(bank: Bank, sets: list[MeaningSet]) -> None:
    for s in sets:
        question = bank.get(s.question)
        covered = [item.id for item in question.rubric if _signals_in(s.answer(Kind.term_strong).text, item.signals)]
        assert len(covered) >= len(question.rubric) - 1, (s.question, covered)


def test_each_red_flag_answer_names_a_red_flag_of_its_question(bank: Bank, sets: list[MeaningSet]) -> None:
    unknown = {}
    for s in sets:
        flag = s.answer(Kind.red_flag).flag
        if flag not in {f.id for f in bank.get(s.question).red_flags}:
            unknown[s.question] = flag
    assert unknown == {}


def test_red_flag_answers_state_the_mistake_without_its_signal_phrases(bank: Bank, sets: list[MeaningSet]) -> None:
    found = {}
    for s in sets:
        question = bank.get(s.question)
        assert question.red_flags, f"{s.question} has no red flag to state"
        hits = _signals_in(s.answer(Kind.red_flag).text, [sig for flag in question.red_flags for sig in flag.signals])
        if hits:
            found[s.question] = hits
    assert found == {}


def test_keyword_lists_are_bare_lists_without_clauses(sets: list[MeaningSet]) -> None:
    for s in sets:
        text = s.answer(Kind.keyword_list).text
        assert not re.search(r"[.!?;:]", text), s.question
        terms = [t.strip() for t in text.split(",")]
        assert len(terms) >= 5 and all(1 <= len(t.split()) <= 4 for t in terms), (s.question, terms)


def test_spoken_answers_are_long_enough_to_be_judged(sets: list[MeaningSet]) -> None:
    for s in sets:
        for kind in (Kind.plain_strong, Kind.term_strong):
            words = len(s.answer(kind).text.split())
            assert 100 <= words <= 260, (s.question, kind.value, words)
        assert len(s.answer(Kind.partial).text.split()) < len(s.answer(Kind.term_strong).text.split()), s.question


def test_bands_are_the_ones_the_issue_states(sets: list[MeaningSet]) -> None:
    for s in sets:
        for kind, band in FIXED_BANDS.items():
            assert s.answer(kind).band == band, (s.question, kind.value)
        lo, hi = s.answer(Kind.partial).band
        assert 15 < lo < hi < 70, s.question


def test_checks_name_each_band_and_ordering_that_fails(sets: list[MeaningSet]) -> None:
    s = sets[0]
    scores = {
        Kind.plain_strong: 40,  # below its band, and not above partial
        Kind.term_strong: 90,
        Kind.partial: 45,
        Kind.red_flag: 10,
        Kind.keyword_list: 20,
        Kind.confidently_wrong: 5,
    }
    failed = [c.name for c in s.checks(scores) if not c.held]
    assert failed == ["band plain_strong", "order plain_strong > partial"]
    assert len(s.checks(scores)) == len(Kind) + 3


def test_the_existing_calibration_set_loads_without_the_meaning_files() -> None:
    top_level = sorted(default_calibration_dir().glob("*.yaml"))
    assert len(load_calibration()) == len(top_level)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _answers(kinds: list[str]) -> str:
    flag = {"red_flag": "    flag: some-flag\n"}
    return "".join(f"  - kind: {k}\n{flag.get(k, '')}    band: [0, 100]\n    text: some answer\n" for k in kinds)


def test_a_missing_kind_fails_naming_the_file_and_field(tmp_path: Path) -> None:
    kinds = [k.value for k in Kind if k is not Kind.keyword_list] + ["partial"]
    path = _write(tmp_path, "question: q\nsplit: tune\nanswers:\n" + _answers(kinds))
    with pytest.raises(CalibrationError) as error:
        load_meaning_file(path)
    message = str(error.value)
    assert f"{path}: field answers" in message
    assert "keyword_list" in message and "partial" in message


def test_an_unknown_split_or_kind_fails_naming_the_field(tmp_path: Path) -> None:
    kinds = [*(k.value for k in list(Kind)[:-1]), "brilliant"]
    _write(tmp_path, "question: q\nsplit: later\nanswers:\n" + _answers(kinds))
    with pytest.raises(CalibrationError) as error:
        load_meaning(tmp_path)
    message = str(error.value)
    assert "q.yaml: field split" in message
    assert "q.yaml: field answers[5].kind" in message


def test_a_flag_on_the_wrong_kind_or_a_red_flag_answer_without_one_fails(tmp_path: Path) -> None:
    text = "question: q\nsplit: tune\nanswers:\n" + _answers([k.value for k in Kind])
    text = text.replace("    flag: some-flag\n", "").replace("  - kind: partial\n", "  - kind: partial\n    flag: x\n")
    path = _write(tmp_path, text)
    with pytest.raises(CalibrationError) as error:
        load_meaning_file(path)
    message = str(error.value)
    assert f"{path}: field answers[2]" in message  # partial, with a flag
    assert f"{path}: field answers[3]" in message  # red_flag, without one
    assert "names the red flag it states" in message
