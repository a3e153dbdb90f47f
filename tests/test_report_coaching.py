"""A report that coaches: what to work on first, a per-round breakdown, delivery over every answer, what would
make a good answer excellent; and a hint asked twice for the same item is charged once."""

from __future__ import annotations

from pathlib import Path

from interviewer.transcripts.report import render_report
from interviewer.transcripts.store import Store
from tests import answers
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript


def _session(transcripts: Path, topic: str, *typed: str) -> Path:
    args = ("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "--topic", topic, "--repeat")
    before = set(sessions(transcripts))
    result = run_cli(*args, input=blocks(*typed))
    assert result.exit_code == 0, result.output
    [new] = set(sessions(transcripts)) - before  # ids started in the same second do not sort by time
    return new


def _report(folder: Path) -> str:
    return (folder / "report.md").read_text()


def test_the_report_puts_first_the_three_items_weighted_by_weight_and_distance_below_explained(
    transcripts: Path,
) -> None:
    folder = _session(transcripts, "evaluation", "You split into k folds.", "/skip", answers.PARTIAL_IMBALANCE, "/skip")
    grades = transcript(folder)["grades"].values()
    priority = {i["name"]: i["weight"] * (2 - i["score"]) for g in grades for i in g["items"] if i["score"] < 2}
    section = _report(folder).split("## Work on these first")[1].split("\n## ")[0]
    listed = [line for line in section.splitlines() if line[:2] in ("1.", "2.", "3.", "4.")]
    names = [line.split("**")[1] for line in listed]
    assert len(priority) > 3 and len(names) == 3
    assert [priority[n] for n in names] == sorted(priority.values(), reverse=True)[:3]


GOOD_IMBALANCE = (
    "I'd report precision and recall because accuracy misleads on rare positives, use class weights, and set the"
    " threshold by cost."
)


def test_a_well_scored_answer_is_told_what_would_make_it_excellent(transcripts: Path) -> None:
    folder = _session(transcripts, "imbalanced-data", GOOD_IMBALANCE, "/skip")
    grade = transcript(folder)["grades"]["imbalanced-data"]
    assert grade["score"] >= 67
    below_three = [i["name"] for i in grade["items"] if i["score"] < 3]
    line = next(line for line in _report(folder).splitlines() if line.startswith("**To make it excellent:**"))
    assert below_three and all(name in line for name in below_three)
    weak = _session(transcripts, "cross-validation", answers.DONT_KNOW, answers.DONT_KNOW)
    assert "To make it excellent" not in _report(weak)


def test_the_report_says_why_a_score_is_capped_by_a_red_flag(transcripts: Path) -> None:
    flagged = GOOD_IMBALANCE + " To balance it I oversample the whole dataset with SMOTE, before splitting."
    folder = _session(transcripts, "imbalanced-data", flagged, "/skip")
    grade = transcript(folder)["grades"]["imbalanced-data"]
    assert grade["score"] == 40
    report = _report(folder)
    assert "**Red flags:** Oversamples before the train/test split, leaking copies into the test set." in report
    assert "**Score capped at 40:** the answer states a red flag (a mistake interviewers look for)." in report


def test_delivery_notes_count_fillers_in_every_answer_not_only_the_first(transcripts: Path) -> None:
    follow_up = "Um, basically, um, I would pick k around five, uh, because more folds cost more training runs."
    folder = _session(transcripts, "cross-validation", answers.CV_ANSWER, follow_up, "/skip")
    delivery = next(line for line in _report(folder).splitlines() if line.startswith("**Delivery:**"))
    assert "Over all 2 answers" in delivery
    assert "um x2" in delivery and "basically x1" in delivery


def test_a_multi_round_loop_gets_a_breakdown_by_round(transcripts: Path) -> None:
    run_cli(
        "start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "-n", "2", "--seed", "1",
        input=blocks(answers.PARTIAL_IMBALANCE, "/skip", answers.STORY, "/skip", "/skip", "/skip"),
    )  # fmt: skip
    record = Store(transcripts).load(sessions(transcripts)[-1].name)
    record.engine.segments = ["technical_screen", "behavioral"]
    report = render_report(record)
    rows = report.split("## By round")[1].split("\n\n")[1].splitlines()
    first, second = (record.grades[q].score for q in record.engine.plan)
    assert rows[2:] == [f"| technical screen | 1 of 1 | {first}/100 |", f"| behavioral | 1 of 1 | {second}/100 |"]
    record.engine.segments = []
    assert "## By round" not in render_report(record)


def test_a_hint_asked_twice_for_the_same_item_is_charged_once(transcripts: Path) -> None:
    folder = _session(transcripts, "cross-validation", "/hint", "/hint", answers.CV_ANSWER, "/skip")
    grade = transcript(folder)["grades"]["cross-validation"]
    assert grade["hints_used"] == 1
    assert grade["raw_score"] - grade["score"] == 10
