"""Every grade is kept in the history database: regrades add grades, views pick the ones they mean.

Progress compares grades of one grader, so a regrade by another model is that model's own line; the drills
and the export's `latest` column read each question's latest grade; an older database migrates by itself.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import respx

from interviewer.grading.models import GradePath
from interviewer.history import queries
from interviewer.history.db import database_path
from interviewer.history.schema import MIGRATIONS, SCHEMA_VERSION
from interviewer.practice.progress import progress_data
from interviewer.transcripts.events import Graded
from interviewer.transcripts.store import Store
from tests import answers
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript
from tests.llm_mocks import OPENAI_URL, FakeModel, good_grades

SAID = [answers.CV_ANSWER, "Five or ten folds.", answers.STRONG_IMBALANCE, "After the split.", "Threshold."] * 2
MODEL = "openai/gpt-4o"


def start(transcripts: Path) -> Path:
    args = ["--transcripts-dir", str(transcripts), "--seed", "1", "-n", "2", "--topic", "evaluation", "--repeat"]
    before = set(sessions(transcripts)) if transcripts.exists() else set()
    result = run_cli("start", *PACK_ARGS, *args, input=blocks(*SAID))
    assert result.exit_code == 0, result.output
    [folder] = set(sessions(transcripts)) - before
    return folder


def regrade(transcripts: Path, folder: Path, *extra: str):
    result = run_cli("regrade", folder.name, *extra, "--transcripts-dir", str(transcripts))
    assert result.exit_code == 0, result.output
    return result


def regrade_by_model(transcripts: Path, folder: Path, monkeypatch: pytest.MonkeyPatch, mock: respx.MockRouter):
    """Regrade with a model that calls every item "named only" (harsher than the offline grader here)."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    mock.post(OPENAI_URL).mock(side_effect=FakeModel("openai", grade=lambda text: good_grades(text, score=1)))
    return regrade(transcripts, folder, "--grader-model", MODEL)


def query(transcripts: Path, sql: str) -> list[tuple]:
    return [tuple(row) for row in sqlite3.connect(database_path(transcripts)).execute(sql)]


def review(transcripts: Path, *args: str) -> str:
    result = run_cli("review", "--transcripts-dir", str(transcripts), *args)
    assert result.exit_code == 0, result.output
    return result.output


def history(transcripts: Path) -> sqlite3.Connection:
    review(transcripts)  # refreshes the index
    return sqlite3.connect(database_path(transcripts))


def table_rows(output: str, title: str) -> list[list[str]]:
    """The cells of each body row of the rich table whose title starts with `title`."""
    lines = output.splitlines()
    begin = next(n for n, line in enumerate(lines) if line.strip().startswith(title))
    body = []
    for line in lines[begin + 3 :]:
        if line.startswith("└"):
            return body
        if line.startswith("│"):
            body.append([cell.strip() for cell in line.strip("│ ").split("│")])
    return body


GRADES = "SELECT question_id, seq, reason, grader, latest, graded_at FROM grades ORDER BY question_id, seq"


def test_a_regrade_adds_grades_and_the_database_keeps_both(transcripts: Path) -> None:
    folder = start(transcripts)
    questions = sorted(transcript(folder)["grades"])
    regrade(transcripts, folder)
    history(transcripts)
    rows = query(transcripts, GRADES)
    assert [(q, seq, reason, latest) for q, seq, reason, _, latest, _ in rows] == [
        (q, seq, reason, latest) for q in questions for seq, reason, latest in ((0, "session", 0), (1, "regrade", 1))
    ]
    assert all(first[5] <= again[5] for first, again in zip(rows[::2], rows[1::2], strict=True))


def test_export_has_every_grade_and_says_which_is_latest(transcripts: Path, tmp_path: Path) -> None:
    folder = start(transcripts)
    items = sum(len(g["items"]) for g in transcript(folder)["grades"].values())
    regrade(transcripts, folder)
    out = tmp_path / "history.csv"
    review(transcripts, "export", "--format", "csv", "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 2 * items
    by_reason = {(r["reason"], r["latest"]) for r in rows}
    assert by_reason == {("session", "False"), ("regrade", "True")}
    assert sum(r["latest"] == "True" for r in rows) == items


def _progress_tables(transcripts: Path) -> tuple[list[list[str]], list[list[str]]]:
    output = review(transcripts, "progress")
    return table_rows(output, "Progress by topic"), table_rows(output, "Weakest rubric items")


def _chart(transcripts: Path) -> tuple[list[int | None], dict[str, list[int | None]]]:
    data = progress_data(history(transcripts), {}, datetime.now(UTC))
    return data.overall, data.topics


def test_a_regrade_by_another_model_is_neither_an_improvement_nor_a_regression(
    transcripts: Path, monkeypatch: pytest.MonkeyPatch, mock: respx.MockRouter
) -> None:
    start(transcripts)
    newest = start(transcripts)
    topics_before, items_before = _progress_tables(transcripts)
    chart_before = _chart(transcripts)
    assert {row[1] for row in topics_before} == {row[2] for row in items_before} == {"offline"}

    regrade_by_model(transcripts, newest, monkeypatch, mock)
    topics, items = _progress_tables(transcripts)
    assert [row for row in topics if row[1] == "offline"] == topics_before  # same first, latest and trend
    [by_model] = [row for row in topics if row[1] == MODEL]
    scores = [str(g["score"]) for g in transcript(newest)["grades"].values()]
    # the model's own line: the regraded session's two answers, scored unlike the offline grader
    assert by_model[2:5] == ["2", scores[0], scores[-1]] != topics_before[0][2:5]
    offline_items = {(row[0], row[1]): row[2:] for row in items if row[2] == "offline"}
    assert offline_items.items() <= {(row[0], row[1]): row[2:] for row in items_before}.items()
    assert _chart(transcripts) == chart_before  # each session is charted by its own grader


def test_the_drills_read_each_questions_latest_grade_at_the_time_it_was_answered(
    transcripts: Path, monkeypatch: pytest.MonkeyPatch, mock: respx.MockRouter
) -> None:
    folder = start(transcripts)
    before = queries.item_reviews(history(transcripts))
    regrade_by_model(transcripts, folder, monkeypatch, mock)
    after = queries.item_reviews(history(transcripts))
    latest = {(q, i["item_id"]): i["score"] for q, g in transcript(folder)["grades"].items() for i in g["items"]}
    assert transcript(folder)["grades"][before[0].question_id]["grader"] == MODEL
    assert {(r.question_id, r.item_id): r.score for r in after} == latest
    assert [(r.question_id, r.item_id, r.graded_at) for r in after] == [
        (r.question_id, r.item_id, r.graded_at) for r in before
    ]


def test_a_screened_out_answer_regraded_by_a_model_counts_for_that_model(transcripts: Path) -> None:
    folder = start(transcripts)
    store = Store(transcripts)
    log = store.events(folder.name)
    [graded, *_] = [e for e in log if isinstance(e, Graded)]
    guarded = graded.model_copy(
        update={"grader": "guard", "path": GradePath.guard, "backend": MODEL, "reason": "regrade", "at": graded.at + 60}
    )
    writer, _ = store.open(folder.name)
    writer.append(guarded)
    writer.close()
    history(transcripts)
    rows = query(transcripts, f"SELECT grader, latest FROM grades WHERE question_id = '{graded.question_id}'")
    assert rows == [("offline", 0), (MODEL, 1)]


def test_history_rebuild_reproduces_a_database_with_regrades(transcripts: Path) -> None:
    folder = start(transcripts)
    regrade(transcripts, folder)
    start(transcripts)
    history(transcripts)
    tables = ("sessions", "questions", "grades", "item_grades")
    before = {t: sorted(query(transcripts, f"SELECT * FROM {t}")) for t in tables}
    assert len(before["grades"]) == 3 * 2
    assert run_cli("history", "rebuild", "--transcripts-dir", str(transcripts)).exit_code == 0
    assert {t: sorted(query(transcripts, f"SELECT * FROM {t}")) for t in tables} == before


def test_a_database_from_before_every_grade_was_kept_migrates(transcripts: Path) -> None:
    folder = start(transcripts)
    regrade(transcripts, folder)
    path = database_path(transcripts)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(path)
    for number, migration in enumerate(MIGRATIONS[:2], start=1):
        old.executescript(f"BEGIN; {migration}; PRAGMA user_version = {number}; COMMIT;")
    old.execute("INSERT INTO sessions (id, fingerprint) VALUES (?, 'stale')", (folder.name,))
    old.execute(
        "INSERT INTO grades VALUES (?, 'cross-validation', 'evaluation', 'h', 'offline', 'offline', 0, 55, ?, ?, 0, 0)",
        (folder.name, "2026-01-01T00:00:00+00:00", "k"),
    )
    old.commit()
    old.close()

    history(transcripts)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    rows = query(transcripts, GRADES)
    assert [(seq, reason) for _, seq, reason, *_ in rows] == [(0, "session"), (1, "regrade")] * 2


def test_a_transcript_view_whose_grades_lost_their_stamps_is_listed_as_broken(transcripts: Path) -> None:
    folder = start(transcripts)
    data = transcript(folder)
    question_id = next(iter(data["grades"]))
    data["earlier_grades"][question_id] = [data["grades"][question_id]]  # an earlier grade with no stamp
    (folder / "transcript.json").write_text(json.dumps(data))
    output = review(transcripts)
    assert f"{folder.name} does not load: {question_id} has 2 grades but 1 grade stamps" in output
