"""Sessions as event logs: the fold, a torn last line, broken logs, 0.1.0 sessions, ids, regrade, Ctrl-C."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from interviewer.transcripts import store as store_module
from interviewer.transcripts.fold import fold
from interviewer.transcripts.record import SCHEMA_VERSION
from interviewer.transcripts.store import Store, StoreError
from tests import answers
from tests.conftest import FIXTURES
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript

V010 = FIXTURES / "v0_1_0"
V010_PAUSED = "20261201-133614-aea1"
V010_FINISHED = "20261201-133618-bdcb"
ANSWERS = [answers.CV_ANSWER, answers.STRONG_IMBALANCE, answers.STORY] * 4


def start(transcripts: Path, *extra: str, input: str):
    return run_cli("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "--seed", "1", *extra, input=input)


def events(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]


def paused_session(transcripts: Path) -> Path:
    result = start(transcripts, "-n", "2", input=blocks(answers.CV_ANSWER))
    assert result.exit_code == 0, result.output
    [folder] = sessions(transcripts)
    return folder


def test_every_step_is_an_event_and_the_transcript_is_the_fold_of_the_log(transcripts: Path) -> None:
    odd = "  k folds,\ttrain on k-1 and score the held-out fold \\e[2J; average the scores.  "
    result = start(transcripts, "-n", "2", input=blocks(odd, "/hint", *ANSWERS))
    assert result.exit_code == 0, result.output
    [folder] = sessions(transcripts)
    log = events(folder)
    types = [e["type"] for e in log]
    assert types[0] == "started" and types[-1] == "finished"
    assert {"asked", "answered", "command", "graded"} <= set(types)
    started = log[0]
    assert started["settings"]["interviewer"]["model"] is None and started["bank_hash"]
    assert {"interviewer_system.j2", "grader_user.j2"} <= set(started["prompt_hashes"])
    assert [q["id"] for q in started["questions"]] == started["engine"]["plan"]
    answered = [e for e in log if e["type"] == "answered"]
    assert answered[0]["text"] == odd.strip()  # the exact text the candidate sent, kept in the log
    assert answered[0]["assessment"]["kind"] == "ok" and answered[0]["assessment"]["covered"]
    graded = [e for e in log if e["type"] == "graded"]
    assert {g["question_id"] for g in graded} == set(started["engine"]["plan"])
    assert all(g["rubric_hash"] and g["path"] == "offline" for g in graded)
    folded = fold(Store(transcripts).events(folder.name))
    folded.log_bytes = (folder / "events.jsonl").stat().st_size
    assert transcript(folder) == json.loads(folded.model_dump_json())


def test_load_reads_the_transcript_view_only_while_the_log_is_unchanged(transcripts: Path) -> None:
    start(transcripts, "-n", "1", input=blocks(*ANSWERS))
    [folder] = sessions(transcripts)
    assert Store(transcripts).load(folder.name).finished_at
    lines = (folder / "events.jsonl").read_text().splitlines(keepends=True)
    assert json.loads(lines[-1])["type"] == "finished"
    (folder / "events.jsonl").write_text("".join(lines[:-1]))  # as if killed before the end was recorded
    assert Store(transcripts).load(folder.name).finished_at is None


def test_a_torn_last_line_is_ignored_on_read_and_cut_off_by_the_next_append(transcripts: Path) -> None:
    folder = paused_session(transcripts)
    complete = (folder / "events.jsonl").read_bytes()
    with (folder / "events.jsonl").open("ab") as log:
        log.write(b'{"v":1,"at":1.0,"type":"answ')  # kill -9 mid-append
    assert Store(transcripts).load(folder.name).engine.runs[0].answers() == [answers.CV_ANSWER]
    result = run_cli("resume", folder.name, "--transcripts-dir", str(transcripts), input=blocks(*ANSWERS))
    assert result.exit_code == 0, result.output
    repaired = (folder / "events.jsonl").read_bytes()
    assert repaired.startswith(complete) and b'"type":"answ\n' not in repaired and b'"answ{' not in repaired
    assert events(folder)[-1]["type"] == "finished"


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda lines: [lines[0], b"{not json\n", *lines[1:]], "line 2 is not JSON"),
        (lambda lines: [lines[0], lines[1].replace(b'"v":1', b'"v":9'), *lines[2:]], "event version 9"),
        (lambda lines: lines[1:], "does not begin with a 'started' event"),
    ],
    ids=["corrupted", "unknown-version", "truncated-head"],
)
def test_a_broken_log_is_named_in_one_line_changes_nothing_and_the_others_still_list(
    transcripts: Path, damage, reason: str
) -> None:
    start(transcripts, "-n", "1", input=blocks(*ANSWERS))
    [good] = sessions(transcripts)
    bad = transcripts / "20260101-000000-dead"
    shutil.copytree(good, bad)
    lines = (bad / "events.jsonl").read_bytes().replace(good.name.encode(), bad.name.encode()).splitlines(True)
    (bad / "events.jsonl").write_bytes(b"".join(damage(lines)))
    before = sorted((p.name, p.read_bytes()) for p in bad.iterdir())
    where = ["--transcripts-dir", str(transcripts)]
    for args in (["resume", bad.name, *where], ["review", *where, "show", bad.name]):
        result = run_cli(*args)
        assert result.exit_code != 0
        [line] = result.output.strip().splitlines()
        assert f"session {bad.name} cannot be read" in line and reason in line
    assert sorted((p.name, p.read_bytes()) for p in bad.iterdir()) == before
    records, broken = Store(transcripts).scan()
    assert [r.id for r in records] == [good.name]
    assert [b[0] for b in broken] == [bad.name]


def test_a_0_1_0_session_loads_and_resumes_with_its_answers(transcripts: Path) -> None:
    shutil.copytree(V010, transcripts)
    finished = Store(transcripts).load(V010_FINISHED)
    assert finished.grades and finished.finished_at
    shown = run_cli("review", "--transcripts-dir", str(transcripts), "show", V010_FINISHED)
    assert shown.exit_code == 0 and "hierarchical-clustering" in shown.output
    assert not (transcripts / V010_FINISHED / "events.jsonl").exists()  # reading migrates in memory only

    old_answer = json.loads((transcripts / V010_PAUSED / "transcript.json").read_text())["engine"]["runs"][0]
    result = run_cli("resume", V010_PAUSED, "--transcripts-dir", str(transcripts), input=blocks(*ANSWERS))
    assert result.exit_code == 0, result.output
    log = events(transcripts / V010_PAUSED)
    assert log[0]["migrated_from"].startswith("transcript.json schema_version 1")
    assert log[-1]["type"] == "finished"
    data = transcript(transcripts / V010_PAUSED)
    assert data["schema_version"] == SCHEMA_VERSION and data["engine"]["status"] == "finished"
    assert data["engine"]["runs"][0]["turns"][: len(old_answer["turns"])] == old_answer["turns"]
    assert len(data["grades"]) == 2


@pytest.mark.parametrize("bad_id", ["../../x", "a/b", "/etc", "..", "a\\b", "x/../../y"])
def test_ids_that_could_leave_the_store_are_rejected(transcripts: Path, bad_id: str) -> None:
    paused_session(transcripts)
    for args in (["resume", bad_id], ["regrade", bad_id]):
        result = run_cli(*args, "--transcripts-dir", str(transcripts))
        assert result.exit_code != 0
        assert f"{bad_id!r} is not a session id" in result.output
    with pytest.raises(StoreError, match="is not a session id"):
        Store(transcripts).folder(bad_id)


def test_a_log_that_names_another_session_is_refused(transcripts: Path) -> None:
    folder = paused_session(transcripts)
    lines = (folder / "events.jsonl").read_text().splitlines(True)
    first = json.loads(lines[0])
    first["id"] = "../../x"
    (folder / "events.jsonl").write_text(json.dumps(first) + "\n" + "".join(lines[1:]))
    result = run_cli("resume", folder.name, "--transcripts-dir", str(transcripts), input=blocks(*ANSWERS))
    assert result.exit_code == 1
    assert "its log names another session ('../../x')" in result.output
    assert not (transcripts.parent.parent / "x").exists()


def test_a_new_session_never_reuses_an_existing_folder(transcripts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = paused_session(transcripts)
    before = (folder / "events.jsonl").read_bytes()
    ids = iter([folder.name, "20261231-235959-beef"])
    monkeypatch.setattr(store_module, "new_session_id", lambda: next(ids))
    result = start(transcripts, "-n", "1", input=blocks(*ANSWERS))
    assert result.exit_code == 0, result.output
    assert (folder / "events.jsonl").read_bytes() == before
    assert (transcripts / "20261231-235959-beef" / "report.md").exists()


def test_an_ambiguous_prefix_lists_the_sessions_it_matches(transcripts: Path) -> None:
    folder = paused_session(transcripts)
    twin = transcripts / (folder.name[:-4] + "ffff")
    shutil.copytree(folder, twin)
    (twin / "events.jsonl").write_bytes(
        (folder / "events.jsonl").read_bytes().replace(folder.name.encode(), twin.name.encode())
    )
    prefix = folder.name[:-4]
    result = run_cli("resume", prefix, "--transcripts-dir", str(transcripts))
    assert result.exit_code == 1
    assert f"{prefix!r} matches 2 sessions: " in result.output
    assert folder.name in result.output and twin.name in result.output


def test_regrade_appends_grades_and_the_report_shows_the_previous_one_beside_the_latest(transcripts: Path) -> None:
    start(transcripts, "-n", "1", input=blocks(*ANSWERS))
    [folder] = sessions(transcripts)
    first = [e for e in events(folder) if e["type"] == "graded"]
    result = run_cli("regrade", folder.name, "--transcripts-dir", str(transcripts))
    assert result.exit_code == 0, result.output
    graded = [e for e in events(folder) if e["type"] == "graded"]
    assert graded[: len(first)] == first and len(graded) == 2 * len(first)
    assert graded[-1]["reason"] == "regrade"
    score = first[0]["grade"]["score"]
    assert f"{first[0]['question_id']}: {score}/100 (offline) → {score}/100 (offline)" in result.output
    report = (folder / "report.md").read_text()
    assert f"— {score}/100 (previous grade {score}/100 by offline)" in report
    assert "(was " in report
    data = transcript(folder)
    assert data["earlier_grades"][first[0]["question_id"]][0] == first[0]["grade"]
    assert data["rubric_hashes"][first[0]["question_id"]] == graded[-1]["rubric_hash"]


def test_regrade_all_and_regrade_with_nothing_named(transcripts: Path) -> None:
    start(transcripts, "-n", "1", input=blocks(*ANSWERS))
    assert run_cli("regrade", "--transcripts-dir", str(transcripts)).exit_code == 2
    result = run_cli("regrade", "--all", "--transcripts-dir", str(transcripts))
    assert result.exit_code == 0, result.output
    [folder] = sessions(transcripts)
    assert events(folder)[-1]["reason"] == "regrade"


class InterruptingIO:
    """Answers the first question, then the candidate presses Ctrl-C at the follow-up."""

    def __init__(self, console, answers: list[str]) -> None:
        self.console = console
        self.answers = list(answers)
        self.said: list[str] = []

    def interviewer(self, chunks) -> str:
        text = "".join(chunks).strip()
        self.said.append(text)
        return text

    def read_answer(self) -> str | None:
        if not self.answers:
            raise KeyboardInterrupt
        return self.answers.pop(0)

    def info(self, text: str) -> None:
        pass

    def round_break(self, next_round: str) -> None:
        pass

    def attach(self, interviewer, grader_name: str, engine) -> None:
        pass

    def wait_for_all(self, label: str, futures) -> None:
        for future in futures:
            future.result()


def test_after_ctrl_c_resume_shows_the_pending_line_again_without_recording_it_twice(
    transcripts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import interviewer.commands.interview as app

    io = InterruptingIO(None, [answers.CV_ANSWER])
    monkeypatch.setattr(app, "make_io", lambda console: io)
    assert start(transcripts, "-n", "2", input="").exit_code == 130
    [folder] = sessions(transcripts)
    follow_up = io.said[-1]
    io.answers = list(ANSWERS)
    assert run_cli("resume", folder.name, "--transcripts-dir", str(transcripts)).exit_code == 0
    assert io.said.count(follow_up) == 2  # heard again on resume
    said = [t["text"] for r in transcript(folder)["engine"]["runs"] for t in r["turns"] if t["role"] == "interviewer"]
    assert said.count(follow_up) == 1  # recorded once


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"schema_version": 1, "id": "20260101-000000-0bad"}', "transcript.json: app_version: Field required"),
        ("{truncated", "transcript.json is not JSON"),
        ('{"schema_version": 7}', "transcript.json has schema_version 7 and no events.jsonl"),
    ],
    ids=["invalid", "not-json", "unknown-schema"],
)
def test_an_old_transcript_that_does_not_validate_is_named_in_one_line(
    transcripts: Path, content: str, reason: str
) -> None:
    folder = transcripts / "20260101-000000-0bad"
    folder.mkdir(parents=True)
    (folder / "transcript.json").write_text(content)
    for args in (
        ["resume", folder.name, "--transcripts-dir", str(transcripts)],
        ["review", "--transcripts-dir", str(transcripts), "show", folder.name],
    ):
        result = run_cli(*args)
        assert result.exit_code != 0
        [line] = result.output.strip().splitlines()
        assert reason in line
    assert sorted(p.name for p in folder.iterdir()) == ["transcript.json"]


def test_an_answer_with_undecodable_bytes_is_kept_with_replacement_characters(
    transcripts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import interviewer.commands.interview as app

    io = InterruptingIO(None, ["caf\udce9 latte: k folds, train on k-1 and average the held-out scores", "/quit"])
    monkeypatch.setattr(app, "make_io", lambda console: io)
    result = start(transcripts, "-n", "1", input="")
    assert result.exit_code == 0, result.output
    [folder] = sessions(transcripts)
    [answered] = [e for e in events(folder) if e["type"] == "answered"]
    assert answered["text"].startswith("caf\ufffd") and answered["text"].endswith("held-out scores")
    assert (folder / "report.md").exists()


def test_printed_commands_name_a_transcripts_dir_that_is_not_the_default(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    paused = start(elsewhere, "-n", "2", input=blocks(answers.CV_ANSWER))
    [folder] = sessions(elsewhere)
    printed = f"interviewer resume --transcripts-dir {elsewhere} {folder.name}"
    assert printed in " ".join(paused.output.split())
    finished = run_cli(*printed.split()[1:], input=blocks(*ANSWERS))
    assert finished.exit_code == 0, finished.output
    assert f"interviewer review --transcripts-dir {elsewhere} show {folder.name}" in " ".join(finished.output.split())
