"""Every interview question in the seed pages maps to a bank entry (rubrics/coverage/)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from interviewer.bank.loader import load_bank
from interviewer.paths import rubrics_dir
from interviewer.text.normalize import content_stems

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
COVERAGE = rubrics_dir() / "coverage"
_NUMBERED = re.compile(r"^(Q\d+\.|\d+\.)\s*(?P<text>\S.{8,})$")
_QUESTION = re.compile(r"^(?:[-•*]\s*)?(?P<text>[A-Z].{8,}\?)\s*(easy|medium|hard)?$")


def seed_questions(path: Path) -> list[str]:
    """Lines of a seed page that read as interview questions: numbered items, or lines ending in '?'."""
    found = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        match = _NUMBERED.match(line) or _QUESTION.match(line)
        if match:
            found.append(re.sub(r"(easy|medium|hard)$", "", match.group("text")).strip())
    return found


def _plain(text: str) -> str:
    return re.sub(r"^(Q?\d+\.)\s*", "", text.strip()).lower()


def _same(a: str, b: str) -> bool:
    """The same seed question: equal once numbering is dropped, or sharing most content words."""
    if _plain(a) == _plain(b) or _plain(a).startswith(_plain(b)):
        return True
    sa, sb = content_stems(a), content_stems(b)
    return bool(sa and sb) and len(sa & sb) / len(sa | sb) >= 0.6


def coverage_tables() -> dict[str, dict]:
    return {
        (table := yaml.safe_load(p.read_text(encoding="utf-8")))["seed"]: table for p in sorted(COVERAGE.glob("*.yaml"))
    }


def test_every_coverage_entry_points_at_a_bank_question() -> None:
    bank = load_bank()
    missing = [
        (seed, row["bank_id"])
        for seed, table in coverage_tables().items()
        for row in table["questions"]
        if row["bank_id"] not in bank.questions
    ]
    assert missing == []


@pytest.fixture(scope="module")
def seeds() -> list[Path]:
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the seed pages are expected at {SEEDS} in CI")
        pytest.skip("the seed pages (../shared/seeds) are not next to this checkout")
    return sorted(SEEDS.glob("*.txt"))


def test_every_seed_file_has_a_coverage_table(seeds: list[Path]) -> None:
    assert {p.name for p in seeds} <= set(coverage_tables())


def test_every_seed_question_is_mapped_or_excluded_with_a_reason(seeds: list[Path]) -> None:
    tables = coverage_tables()
    unmapped = []
    for seed in seeds:
        table = tables[seed.name]
        known = [row["seed_question"] for row in table["questions"]]
        excluded = [row["seed_text"] for row in table.get("excluded", []) if row.get("reason")]
        for question in seed_questions(seed):
            if not any(_same(question, k) for k in known + excluded):
                unmapped.append(f"{seed.name}: {question}")
    assert unmapped == [], "\n".join(unmapped)


LIFTED_RUN = 7  # words in a row shared with a seed page that count as a lifted sentence


def _runs(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + LIFTED_RUN]) for i in range(len(words) - LIFTED_RUN + 1)}


def test_bank_text_is_written_in_our_own_words(seeds: list[Path]) -> None:
    seed_runs = set().union(*(_runs(p.read_text(encoding="utf-8")) for p in seeds))
    ours = sorted((rubrics_dir() / "packs").glob("*.yaml")) + sorted((rubrics_dir() / "calibration").rglob("*.yaml"))
    lifted = [(p.name, " ".join(run)) for p in ours for run in _runs(p.read_text(encoding="utf-8")) & seed_runs]
    assert lifted == []
