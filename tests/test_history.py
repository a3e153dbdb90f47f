"""The history database behind `review`: indexed from the stored sessions, refreshed by itself, exported.

The sessions are the repository's example transcripts (real offline sessions made by
`bench/make_examples.py`), copied into the test's transcripts folder and, where a test needs it, edited
the way a later session or a changed bank would differ.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from interviewer.commands.review import LIST_LIMIT
from interviewer.history.db import connect, database_path
from interviewer.history.schema import SCHEMA_VERSION
from interviewer.printed import printed_command
from interviewer.settings import load_settings
from interviewer.transcripts.store import Store
from tests.helpers import run_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "transcripts"
EXAMPLE_IDS = sorted(p.parent.name for p in EXAMPLES.glob("*/transcript.json"))


def _data(folder: Path) -> dict:
    return json.loads((folder / "transcript.json").read_text())


def _finished_example() -> Path:
    """The example with three graded questions."""
    return next(EXAMPLES / i for i in EXAMPLE_IDS if len(_data(EXAMPLES / i)["grades"]) == 3)


def copy_examples(root: Path) -> list[str]:
    for session_id in EXAMPLE_IDS:
        shutil.copytree(EXAMPLES / session_id, root / session_id)
    return EXAMPLE_IDS


def save_edited(folder: Path, data: dict) -> None:
    """Store an edited record as a session without a log (as 0.1.0 wrote them): the store migrates it on read."""
    data["schema_version"] = 1
    (folder / "events.jsonl").unlink(missing_ok=True)
    (folder / "transcript.json").write_text(json.dumps(data))


def clone(root: Path, new_id: str, edit: Callable[[dict], None], source: Path | None = None) -> Path:
    """A copy of a real session under a new id, changed by `edit`, dated a day after the original."""
    folder = root / new_id
    shutil.copytree(source or _finished_example(), folder)
    data = _data(folder)
    data["id"] = new_id
    data["created_at"] = data["created_at"].replace(data["created_at"][:4], str(int(data["created_at"][:4]) + 1), 1)
    edit(data)
    save_edited(folder, data)
    return folder


def review(transcripts: Path, *args: str):
    result = run_cli("review", "--transcripts-dir", str(transcripts), *args)
    assert "Traceback" not in result.output
    return result


def query(transcripts: Path, sql: str) -> list[tuple]:
    return [tuple(row) for row in sqlite3.connect(database_path(transcripts)).execute(sql)]


def _events(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]


def db_rows(transcripts: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(database_path(transcripts))
    tables = ("sessions", "questions", "grades", "item_grades")
    return {t: sorted(tuple(r) for r in db.execute(f"SELECT * FROM {t}")) for t in tables}


def test_the_example_sessions_still_load():
    store = Store(EXAMPLES)
    assert len(EXAMPLE_IDS) >= 3
    statuses = {store.load(session_id).status.value for session_id in EXAMPLE_IDS}
    assert statuses == {"finished", "paused"}


def test_review_lists_every_session_from_the_database(transcripts: Path):
    ids = copy_examples(transcripts)
    result = review(transcripts)
    assert result.exit_code == 0
    for session_id in ids:
        assert session_id in result.output
    assert "paused" in result.output and "finished" in result.output
    assert database_path(transcripts).is_file()
    assert db_rows(transcripts)["sessions"][0][0] == ids[0]


def test_review_lists_the_newest_sessions_and_prints_how_to_see_them_all(transcripts: Path):
    ids = [f"{2030 + n // 12}{n % 12 + 1:02d}01-090000-{n:04x}" for n in range(LIST_LIMIT + 2)]
    for sid in ids:
        clone(transcripts, sid, lambda d, sid=sid: d.update(created_at=f"{sid[:4]}-{sid[4:6]}-01T09:00:00+00:00"))
    listing = review(transcripts).output
    newest, oldest = ids[-1], ids[0]
    assert newest in listing and oldest not in listing
    [hint] = [line for line in listing.splitlines() if "newest of" in line]
    assert hint.startswith(f"The {LIST_LIMIT} newest of {len(ids)} sessions; all of them: interviewer review")
    printed = shlex.split(hint.split("all of them: ")[1])
    assert printed[:4] == ["interviewer", "review", "--transcripts-dir", str(transcripts)]
    everything = run_cli(*printed[1:]).output
    assert all(session_id in everything for session_id in ids)


def test_a_printed_command_has_no_folder_option_for_the_default_folder(tmp_path: Path):
    assert printed_command("resume", "ID", transcripts_dir=tmp_path / "data" / "transcripts") == "interviewer resume ID"
    assert printed_command("review", "show", "ID", transcripts_dir=tmp_path / "x y") == (
        f"interviewer review --transcripts-dir '{tmp_path / 'x y'}' show ID"
    )


def test_a_session_that_does_not_load_is_listed_as_broken_with_its_reason(transcripts: Path):
    ids = copy_examples(transcripts)
    truncated = transcripts / "20240101-120000-beef"
    truncated.mkdir()
    (truncated / "transcript.json").write_text((transcripts / ids[0] / "transcript.json").read_text()[:300])
    result = review(transcripts)
    assert result.exit_code == 0
    assert all(session_id in result.output for session_id in ids)
    [line] = [line for line in result.output.splitlines() if "does not load" in line]
    assert line.startswith("20240101-120000-beef does not load: session 20240101-120000-beef cannot be read: ")
    assert "corrupted" in line


def test_showing_a_session_that_does_not_load_says_why_in_one_line(transcripts: Path):
    broken = transcripts / "20240101-120000-beef"
    broken.mkdir(parents=True)
    (broken / "transcript.json").write_text('{"id": "20240101-120000-beef", "schema_version": 1}')
    result = review(transcripts, "show", broken.name)
    assert result.exit_code == 1
    assert result.output.startswith("Error: 20240101-120000-beef: session 20240101-120000-beef cannot be read: ")
    assert len(result.output.strip().splitlines()) == 1
    assert len(result.output.strip().splitlines()) == 1


def test_the_index_follows_new_changed_and_deleted_sessions_by_itself(transcripts: Path):
    ids = copy_examples(transcripts)
    review(transcripts)
    added = clone(transcripts, "20300101-090000-0001", lambda d: None)
    shutil.rmtree(transcripts / ids[0])
    changed = transcripts / ids[1]
    data = _data(changed)
    data["options"]["level"] = "senior"
    save_edited(changed, data)

    listing = review(transcripts).output
    assert added.name in listing
    assert ids[0] not in listing
    levels = {row[0]: row[7] for row in db_rows(transcripts)["sessions"]}
    assert levels[ids[1]] == "senior"


def test_a_warm_review_reads_the_database_not_the_sessions(transcripts: Path, monkeypatch):
    ids = copy_examples(transcripts)
    review(transcripts)

    def no_parsing(self, session_id):
        raise AssertionError(f"{session_id} parsed again although unchanged")

    monkeypatch.setattr(Store, "load", no_parsing)
    result = review(transcripts)
    assert all(session_id in result.output for session_id in ids)
    assert "does not load" not in result.output


def test_two_reviews_at_once_index_each_session_once(transcripts: Path):
    for n in range(30):
        clone(transcripts, f"203001{n + 1:02d}-090000-{n:04x}", lambda d: None)
    command = [sys.executable, "-m", "interviewer", "review", "--transcripts-dir", str(transcripts)]
    both = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in both]
    assert [process.returncode for process in both] == [0, 0]
    assert all(b"203001" in out and err == b"" for out, err in outputs)
    rows = db_rows(transcripts)
    assert len(rows["sessions"]) == 30 and len(rows["item_grades"]) == 30 * _items_in(_finished_example())


def test_history_rebuild_reproduces_the_same_database(transcripts: Path):
    copy_examples(transcripts)
    clone(transcripts, "20300101-090000-0001", lambda d: None)
    review(transcripts)
    before = db_rows(transcripts)
    result = run_cli("history", "rebuild", "--transcripts-dir", str(transcripts))
    assert result.exit_code == 0
    assert f"Indexed {len(EXAMPLE_IDS) + 1} sessions" in result.output
    assert db_rows(transcripts) == before
    assert sum(len(rows) for rows in before.values()) > 20


def _rename_item(data: dict) -> None:
    question = next(q for q in data["questions"] if q["id"] == "cross-validation")
    item = next(i for i in question["rubric"] if i["id"] == "mechanics")
    item["name"] = "Walks through the k-fold loop"
    for graded in data["grades"]["cross-validation"]["items"]:
        if graded["item_id"] == "mechanics":
            graded["name"] = item["name"]
            graded["score"] = 0


def _progress_rows(output: str, question_id: str, item_words: str) -> list[list[str]]:
    rows = [line for line in output.splitlines() if line.startswith("│") and question_id in line and item_words in line]
    return sorted([cell.strip() for cell in row.strip("│ ").split("│")] for row in rows)


def test_progress_keeps_a_renamed_items_history_together(transcripts: Path):
    original = _data(_finished_example())
    [first] = [i["score"] for i in original["grades"]["cross-validation"]["items"] if i["item_id"] == "mechanics"]
    shutil.copytree(_finished_example(), transcripts / _finished_example().name)
    clone(transcripts, "20300101-090000-0001", _rename_item)

    output = review(transcripts, "progress").output
    assert "Explains folds, rotation and averaging" not in output  # the item shows its latest name
    [row] = _progress_rows(output, "cross-validation", "Walks through the k-fold loop")
    assert row[2:] == ["offline", "2", f"{first / 2:.1f}", "0"]


def test_progress_by_topic_shows_first_latest_and_trend_in_session_order(transcripts: Path):
    shutil.copytree(_finished_example(), transcripts / _finished_example().name)
    first = _data(_finished_example())["grades"]["cross-validation"]["score"]
    clone(transcripts, "20300101-090000-0001", lambda d: d["grades"]["cross-validation"].update(score=40))
    output = review(transcripts, "progress").output
    [row] = [line for line in output.splitlines() if "│ evaluation" in line]
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    assert cells == ["evaluation", "offline", "2", str(first), "40", str(round((first + 40) / 2)), f"{40 - first:+d}"]


def test_progress_compares_grades_only_within_one_grader(transcripts: Path):
    shutil.copytree(_finished_example(), transcripts / _finished_example().name)
    items = _data(_finished_example())["grades"]["cross-validation"]["items"]
    [offline] = [i["score"] for i in items if i["item_id"] == "when-not"]

    def graded_by_a_model(data: dict) -> None:
        for grade in data["grades"].values():
            grade["grader"] = "openai/gpt-4o-mini"
            for item in grade["items"]:
                item["score"] = 0

    clone(transcripts, "20300101-090000-0001", graded_by_a_model)
    output = review(transcripts, "progress").output
    rows = _progress_rows(output, "cross-validation", "Knows when plain")
    assert [row[2:5] for row in rows] == [["offline", "1", f"{offline:.1f}"], ["openai/gpt-4o-mini", "1", "0.0"]]


def test_a_screened_out_answer_counts_for_the_sessions_grader(transcripts: Path):
    def model_session_with_a_dont_know(data: dict) -> None:
        data["engines"]["grader"] = "openai/gpt-4o-mini"
        for grade in data["grades"].values():
            grade["grader"] = "openai/gpt-4o-mini"
        guarded = data["grades"]["cross-validation"]
        guarded.update(grader="guard", path="guard", kind="dont_know", score=0, raw_score=0)
        for item in guarded["items"]:
            item.update(score=0, evidence=[])

    clone(transcripts, "20300101-090000-0001", model_session_with_a_dont_know)
    review(transcripts)
    graders = set(query(transcripts, "SELECT question_id, grader FROM grades"))
    assert ("cross-validation", "openai/gpt-4o-mini") in graders
    assert {g for _, g in graders} == {"openai/gpt-4o-mini"}


def test_item_grades_are_keyed_by_question_item_and_rubric_hash(transcripts: Path):
    shutil.copytree(_finished_example(), transcripts / _finished_example().name)

    def changed_rubric(data: dict) -> None:
        question = next(q for q in data["questions"] if q["id"] == "cross-validation")
        question["rubric"][0]["weight"] = 3

    clone(transcripts, "20300101-090000-0001", changed_rubric)
    review(transcripts)
    hashes = query(
        transcripts,
        "SELECT DISTINCT rubric_hash FROM item_grades WHERE question_id = 'cross-validation' AND item_id = 'mechanics'",
    )
    assert len(hashes) == 2


def _items_in(folder: Path) -> int:
    return sum(len(g["items"]) for g in _data(folder)["grades"].values())


def _item_grade_count(transcripts: Path) -> int:
    return sum(_items_in(folder) for folder in transcripts.iterdir())


def test_export_writes_one_csv_row_per_item_grade(transcripts: Path, tmp_path: Path):
    copy_examples(transcripts)
    out = tmp_path / "history.csv"
    result = review(transcripts, "export", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == _item_grade_count(transcripts) > 0
    assert f"Wrote {len(rows)} item grades to {out}" in result.output
    cv = next(r for r in rows if r["question_id"] == "cross-validation" and r["item_id"] == "mechanics")
    assert cv["topic"] == "evaluation" and cv["grader"] == "offline" and cv["latest"] == "True"
    [graded] = [e for e in _events(transcripts / cv["session_id"]) if e.get("question_id") == "cross-validation"]
    assert cv["rubric_hash"] == graded["rubric_hash"] and cv["reason"] == graded["reason"] == "session"
    assert cv["score"] in {"0", "1", "2", "3"}


def test_export_keeps_a_formula_looking_item_name_as_text_in_csv_and_exact_in_json_lines(transcripts: Path, tmp_path):
    formula = '=HYPERLINK("http://example.invalid","Explains folds")'

    def rename(data: dict) -> None:
        for grade in data["grades"].values():
            for item in grade["items"]:
                item["name"] = formula

    clone(transcripts, "20300101-090000-beef", rename)
    out = tmp_path / "history.csv"
    assert review(transcripts, "export", "--format", "csv", "--out", str(out)).exit_code == 0
    names = {row["item_name"] for row in csv.DictReader(out.open(encoding="utf-8"))}
    assert names == {"'" + formula}
    lines = review(transcripts, "export", "--format", "jsonl").output
    assert {json.loads(line)["item_name"] for line in io.StringIO(lines)} == {formula}


def test_export_as_json_lines_goes_to_stdout(transcripts: Path):
    copy_examples(transcripts)
    result = review(transcripts, "export", "--format", "jsonl")
    rows = [json.loads(line) for line in io.StringIO(result.output)]
    assert len(rows) == _item_grade_count(transcripts)
    assert {type(r["score"]) for r in rows} == {int} and {type(r["provisional"]) for r in rows} == {bool}


def test_export_to_a_reader_that_stops_early_is_not_an_error(transcripts: Path):
    for n in range(40):  # well over a pipe buffer of rows
        clone(transcripts, f"2030{n // 28 + 1:02d}{n % 28 + 1:02d}-090000-{n:04x}", lambda d: None)
    command = [sys.executable, "-m", "interviewer", "review", "--transcripts-dir", str(transcripts), "export"]
    reader = subprocess.Popen([*command, "--format", "jsonl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    first = reader.stdout.readline()
    reader.stdout.close()
    assert reader.wait(timeout=60) == 0
    assert json.loads(first)["session_id"].startswith("2030")
    assert reader.stderr.read() == b""


def test_the_database_is_sqlite_in_wal_mode_with_its_schema_version(transcripts: Path, tmp_path: Path):
    copy_examples(transcripts)
    review(transcripts)
    path = database_path(transcripts)
    assert path.parent == tmp_path / "data" / "history"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.parametrize("damage", ["not a database", "newer schema"])
def test_a_damaged_or_newer_database_is_recreated_by_itself(transcripts: Path, damage: str):
    ids = copy_examples(transcripts)
    path = database_path(transcripts)
    path.parent.mkdir(parents=True)
    if damage == "not a database":
        path.write_bytes(b"this is not sqlite" * 100)
    else:
        connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    result = review(transcripts)
    assert all(session_id in result.output for session_id in ids)
    assert len(db_rows(transcripts)["sessions"]) == len(ids)


def test_an_unwritable_data_directory_still_lists_the_sessions(transcripts: Path, tmp_path: Path, monkeypatch):
    ids = copy_examples(transcripts)
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(blocker))
    result = review(transcripts)
    assert result.exit_code == 0
    assert "indexing in memory" in result.output
    assert all(session_id in result.output for session_id in ids)


def test_transcripts_default_to_the_user_data_directory(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("INTERVIEWER_TRANSCRIPTS_DIR")
    assert load_settings().transcripts_dir == tmp_path / "data" / "transcripts"
    monkeypatch.setenv("INTERVIEWER_TRANSCRIPTS_DIR", str(tmp_path / "elsewhere"))
    assert load_settings().transcripts_dir == tmp_path / "elsewhere"
