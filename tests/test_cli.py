"""The command line through Typer's runner: start, review, grade, bank, config."""

from __future__ import annotations

import json
from pathlib import Path

from tests import answers
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript

ANSWERS = [
    answers.CV_ANSWER,
    "You pick k around five or ten; a larger k costs more training runs but gives a less biased estimate.",
    answers.STRONG_IMBALANCE,
    "After the split, only on the training data, never before.",
    "Oversampling only the training set after the split; then tune the threshold on validation data.",
    answers.STORY,
    "I personally wrote the benchmark harness and ran it, and I presented the numbers to the team.",
    "Serving cost dropped 40 percent and latency stayed flat.",
]


def start(transcripts: Path, *extra: str, input: str):
    return run_cli("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "--seed", "1", *extra, input=input)


def test_a_scripted_three_question_session_writes_both_transcript_files(transcripts: Path) -> None:
    result = start(transcripts, "-n", "3", "--round", "mixed", "--level", "mid", input=blocks(*ANSWERS * 2))
    assert result.exit_code == 0, result.output
    assert "offline engine" in result.output
    [folder] = sessions(transcripts)
    data = transcript(folder)
    assert data["engine"]["status"] == "finished"
    assert len(data["grades"]) == 3
    assert data["engines"] == {"interviewer": "offline", "grader": "offline", "offline": True}
    assert data["bank_version"].startswith("test-pack@1#")
    assert "lines.yaml" in data["prompt_hashes"]
    report = (folder / "report.md").read_text()
    assert "# Mock interview" in report and "/100" in report
    assert str(folder.resolve()) in " ".join(result.output.split())


def test_every_evidence_quote_in_the_transcript_is_verbatim(transcripts: Path) -> None:
    start(transcripts, "-n", "3", input=blocks(*ANSWERS * 2))
    data = transcript(sessions(transcripts)[0])
    answered = {
        run["question_id"]: "\n\n".join(t["text"] for t in run["turns"] if t["role"] == "candidate")
        for run in data["engine"]["runs"]
    }
    quotes = [(qid, q) for qid, g in data["grades"].items() for item in g["items"] for q in item["evidence"]]
    assert quotes
    for question_id, quote in quotes:
        assert quote in answered[question_id]


def test_input_ending_early_pauses_and_resume_finishes(transcripts: Path) -> None:
    first = start(transcripts, "-n", "2", "--round", "mixed", input=blocks(answers.CV_ANSWER))
    assert first.exit_code == 0
    assert "interviewer resume" in first.output
    [folder] = sessions(transcripts)
    assert transcript(folder)["engine"]["status"] == "paused"
    second = run_cli("resume", "--transcripts-dir", str(transcripts), input=blocks(*ANSWERS * 2))
    assert second.exit_code == 0, second.output
    data = transcript(folder)
    assert data["engine"]["status"] == "finished"
    candidate_turns = [t["text"] for r in data["engine"]["runs"] for t in r["turns"] if t["role"] == "candidate"]
    assert candidate_turns[0] == answers.CV_ANSWER
    assert "/pause" not in candidate_turns  # input ending is not something the candidate typed


def test_commands_are_recorded_and_a_hint_costs_points(transcripts: Path) -> None:
    script = blocks("/help", "/hint", answers.STRONG_IMBALANCE, "/skip", "/quit")
    result = start(transcripts, "--topic", "evaluation", "-n", "2", input=script)
    assert result.exit_code == 0, result.output
    assert "Commands:" in result.output
    data = transcript(sessions(transcripts)[0])
    first_id = data["engine"]["plan"][0]
    commands = [t["command"] for t in data["engine"]["runs"][0]["turns"] if t["command"]]
    assert commands[:2] == ["help", "hint"]
    assert data["grades"][first_id]["hints_used"] == 1


def test_review_lists_and_shows_sessions(transcripts: Path) -> None:
    start(transcripts, "-n", "3", input=blocks(*ANSWERS * 2))
    listing = run_cli("review", "--transcripts-dir", str(transcripts))
    assert listing.exit_code == 0
    [folder] = sessions(transcripts)
    assert folder.name[:12] in listing.output
    shown = run_cli("review", "--transcripts-dir", str(transcripts), "show", folder.name)
    assert shown.exit_code == 0
    assert "Mock interview" in shown.output
    progress = run_cli("review", "--transcripts-dir", str(transcripts), "progress")
    assert progress.exit_code == 0
    assert "evaluation" in progress.output


def test_grade_reads_stdin_and_prints_json() -> None:
    result = run_cli("grade", *PACK_ARGS, "--question", "imbalanced-data", "--json", input=answers.STRONG_IMBALANCE)
    assert result.exit_code == 0, result.output
    [grade] = json.loads(result.output)
    assert grade["question_id"] == "imbalanced-data"
    assert grade["score"] >= 80
    assert grade["path"] == "offline"


def test_grade_batch_file_grades_each_answer(tmp_path: Path) -> None:
    batch = tmp_path / "answers.yaml"
    batch.write_text(
        json.dumps(
            [
                {"question": "imbalanced-data", "answer": answers.PARTIAL_IMBALANCE},
                {"question": "imbalanced-data", "answer": answers.DONT_KNOW},
            ]
        )
    )
    result = run_cli("grade", *PACK_ARGS, "--answers", str(batch), "--json")
    grades = json.loads(result.stdout)
    assert [g["kind"] for g in grades] == ["ok", "dont_know"]
    assert grades[0]["score"] > grades[1]["score"] == 0


def test_bank_list_show_and_validate() -> None:
    listing = run_cli("bank", "list", *PACK_ARGS, "--round", "behavioral")
    assert "disagreement-story" in listing.output
    assert "imbalanced-data" not in listing.output
    shown = run_cli("bank", "show", "imbalanced-data", *PACK_ARGS)
    assert "What they look for" in shown.output and "leak-check" in shown.output
    valid = run_cli("bank", "validate", str(Path(PACK_ARGS[1])))
    assert valid.exit_code == 0
    assert "OK" in valid.output


def test_bank_validate_rejects_a_malformed_pack(tmp_path: Path) -> None:
    bad = tmp_path / "mine.yaml"
    bad.write_text(Path(PACK_ARGS[1]).read_text().replace("difficulty: medium", "difficulty: brutal", 1))
    result = run_cli("bank", "validate", str(bad))
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert "mine.yaml" in flat and "question 'imbalanced-data'" in flat and "difficulty" in flat


def test_config_show_masks_provider_keys(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    result = run_cli("config", "show")
    assert "sk-test" not in result.output
    assert "****1234" in result.output
    assert "offline engine" in result.output


def _log_lines(folder: Path) -> list[str]:
    return (folder / "events.jsonl").read_text().splitlines(keepends=True)


def test_resume_completes_a_session_killed_before_its_last_grade_and_report(transcripts: Path) -> None:
    start(transcripts, "-n", "3", input=blocks(*ANSWERS * 2))
    [folder] = sessions(transcripts)
    lines = _log_lines(folder)
    last_grade = max(i for i, line in enumerate(lines) if '"type":"graded"' in line)
    dropped = json.loads(lines[last_grade])["question_id"]
    (folder / "events.jsonl").write_text("".join(lines[:last_grade]))  # the kill came before that grade
    (folder / "report.md").unlink()
    result = run_cli("resume", folder.name, "--transcripts-dir", str(transcripts))
    assert result.exit_code == 0, result.output
    assert dropped in transcript(folder)["grades"]
    assert transcript(folder)["finished_at"]
    assert f". {dropped} — " in (folder / "report.md").read_text()  # its section has a grade again


def test_resume_of_a_finished_and_fully_graded_session_says_so_and_changes_nothing(transcripts: Path) -> None:
    start(transcripts, "-n", "1", input=blocks(*ANSWERS))
    [folder] = sessions(transcripts)
    before = (folder / "events.jsonl").read_bytes()
    result = run_cli("resume", folder.name, "--transcripts-dir", str(transcripts))
    assert result.exit_code == 1  # an error, not a usage mistake
    assert f"session {folder.name} is already finished" in result.output
    assert (folder / "events.jsonl").read_bytes() == before
