"""`interviewer regrade` goes through the batch runner: concurrency, per-answer problems, a provider outage."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import httpx
import pytest
import respx

from tests import answers
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript
from tests.llm_mocks import OPENAI_URL, FakeModel, error, kind_of

SAID = [answers.CV_ANSWER, "Five or ten folds.", answers.STRONG_IMBALANCE, "After the split.", "Threshold."] * 2
MODEL = "openai/gpt-4o"


def events(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]


def regrades(folder: Path) -> list[dict]:
    return [e for e in events(folder) if e["type"] == "graded" and e["reason"] == "regrade"]


@pytest.fixture
def two_sessions(transcripts: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Two finished offline sessions of two questions each, then a key for the model that regrades them."""
    args = ["--transcripts-dir", str(transcripts), "--seed", "1", "-n", "2", "--topic", "evaluation", "--repeat"]
    for _ in range(2):
        assert run_cli("start", *PACK_ARGS, *args, input=blocks(*SAID)).exit_code == 0
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    folders = sessions(transcripts)
    assert len(folders) == 2 and all(len(transcript(f)["grades"]) == 2 for f in folders)
    return sorted(folders)


def regrade_all(transcripts: Path):
    return run_cli("regrade", "--all", "--grader-model", MODEL, "--transcripts-dir", str(transcripts))


def regrade_through_an_outage(mock: respx.MockRouter, transcripts: Path, monkeypatch: pytest.MonkeyPatch):
    """`regrade --all`, one request at a time, with the key revoked after the first two answers."""
    monkeypatch.setenv("INTERVIEWER_GRADER__JOBS", "1")

    def key_revoked_after_two(model: FakeModel, body: dict) -> httpx.Response | None:
        return error(401, "invalid api key") if len(model.of_kind("grader")) > 2 else None

    mock.post(OPENAI_URL).mock(side_effect=FakeModel("openai", script=[key_revoked_after_two]))
    return regrade_all(transcripts)


def test_regrade_all_grades_every_answer_of_every_session_with_the_model(
    mock: respx.MockRouter, transcripts: Path, two_sessions: list[Path]
) -> None:
    fake = FakeModel("openai")
    mock.post(OPENAI_URL).mock(side_effect=fake)
    result = regrade_all(transcripts)
    assert result.exit_code == 0, result.output
    assert len(fake.of_kind("grader")) == 4
    assert "Regraded 4 answers of 4 in 2 sessions · " in result.output and " tokens" in result.output
    for folder in two_sessions:
        assert [e["grader"] for e in regrades(folder)] == [MODEL, MODEL]
        assert {g["grader"] for g in transcript(folder)["grades"].values()} == {MODEL}
        assert "(previous grade " in (folder / "report.md").read_text()


def test_regrade_sends_grader_jobs_requests_at_a_time_across_sessions(
    mock: respx.MockRouter, transcripts: Path, two_sessions: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWER_GRADER__JOBS", "4")
    together = threading.Barrier(4, timeout=30)  # all four answers of both sessions in flight at once, or it breaks

    def wait_for_the_other(model: FakeModel, body: dict) -> httpx.Response | None:
        try:
            together.wait()
        except threading.BrokenBarrierError:
            return error(400, "graded alone")
        return None

    mock.post(OPENAI_URL).mock(side_effect=FakeModel("openai", script=[wait_for_the_other]))
    result = regrade_all(transcripts)
    assert result.exit_code == 0, result.output
    assert "Regraded 4 answers of 4 in 2 sessions" in result.output


def test_an_answer_the_provider_rejects_is_reported_and_the_others_are_regraded(
    mock: respx.MockRouter, transcripts: Path, two_sessions: list[Path]
) -> None:
    refused = answers.STRONG_IMBALANCE.split(".")[0]

    def refuse_one_answer(model: FakeModel, body: dict) -> httpx.Response | None:
        return error(400, "content policy") if kind_of(body) == "grader" and refused in json.dumps(body) else None

    mock.post(OPENAI_URL).mock(side_effect=FakeModel("openai", script=[refuse_one_answer]))
    result = regrade_all(transcripts)
    assert result.exit_code == 1
    runs = transcript(two_sessions[0])["engine"]["runs"]
    [kept] = [r["question_id"] for r in runs if not any(refused in t["text"] for t in r["turns"])]
    [refused_id] = [r["question_id"] for r in runs if r["question_id"] != kept]
    rejected = [line for line in result.output.splitlines() if "rejected" in line]
    assert sorted(line.split(": ")[0] for line in rejected) == [f"{f.name} {refused_id}" for f in two_sessions]
    assert all(": the provider rejected this entry" in line for line in rejected)
    assert "Regraded 2 answers of 4 in 2 sessions" in result.output
    assert all([e["question_id"] for e in regrades(folder)] == [kept] for folder in two_sessions)


def test_a_provider_outage_midway_keeps_the_new_grades_and_says_so_in_one_line(
    mock: respx.MockRouter, transcripts: Path, two_sessions: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = regrade_through_an_outage(mock, transcripts, monkeypatch)
    assert result.exit_code == 3
    [line] = [line for line in result.output.splitlines() if line.startswith("Stopped")]
    assert line.startswith("Stopped, the grader's provider kept failing (") and "rejected the API key (401)" in line
    assert "): regraded 2 answers of 4 in 1 session · " in line and line.endswith("; the new grades are kept.")
    done, untouched = two_sessions
    assert [e["grader"] for e in regrades(done)] == [MODEL, MODEL] and regrades(untouched) == []
    assert {g["grader"] for g in transcript(done)["grades"].values()} == {MODEL}  # its views were written
    assert {g["grader"] for g in transcript(untouched)["grades"].values()} == {"offline"}
    listing = run_cli("review", "--transcripts-dir", str(transcripts), "export", "--format", "jsonl").output
    latest = {(r["session_id"], r["grader"]) for r in map(json.loads, listing.splitlines()) if r["latest"]}
    assert latest == {(done.name, MODEL), (untouched.name, "offline")}


def test_after_an_outage_the_printed_command_grades_only_what_the_stopped_run_did_not_reach(
    mock: respx.MockRouter, transcripts: Path, two_sessions: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped = regrade_through_an_outage(mock, transcripts, monkeypatch)
    assert stopped.exit_code == 3
    [hint] = [line for line in stopped.output.splitlines() if line.startswith("To grade the rest: ")]
    command = hint.removeprefix("To grade the rest: ").split()
    assert command[:2] == ["interviewer", "regrade"] and command[-4:] == ["--all", "--grader-model", MODEL, "--pending"]

    fixed = FakeModel("openai")
    mock.post(OPENAI_URL).mock(side_effect=fixed)
    resumed = run_cli(*command[1:])
    assert resumed.exit_code == 0, resumed.output
    assert "Left out 2 answers already regraded by this grader against today's rubric." in resumed.output
    assert "Regraded 2 answers of 2 in 1 session" in resumed.output and len(fixed.of_kind("grader")) == 2
    assert [len(regrades(folder)) for folder in two_sessions] == [2, 2]


def test_pending_leaves_out_what_this_grader_regraded_and_a_plain_regrade_grades_it_all_again(
    mock: respx.MockRouter, transcripts: Path, two_sessions: list[Path]
) -> None:
    mock.post(OPENAI_URL).mock(side_effect=FakeModel("openai"))
    assert regrade_all(transcripts).exit_code == 0
    again = run_cli("regrade", "--all", "--grader-model", MODEL, "--pending", "--transcripts-dir", str(transcripts))
    assert again.exit_code == 0 and "Left out 4 answers" in again.output and "Regraded 0 answers of 0" in again.output
    assert "Regraded 4 answers of 4" in regrade_all(transcripts).output  # without --pending: everything again


def test_max_cost_stops_the_regrade_before_the_estimate_passes_it_and_pending_finishes_it(
    mock: respx.MockRouter, transcripts: Path, two_sessions: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWER_GRADER__JOBS", "1")
    mock.post(OPENAI_URL).mock(side_effect=FakeModel("openai"))
    estimated = regrade_all(transcripts)  # prints the estimate; used here to learn the price of all four
    [line] = [line for line in estimated.output.splitlines() if line.startswith("Estimate for 4 answers")]
    total = float(re.search(r"about \$(\d+\.\d+)", line)[1])
    for folder in two_sessions:  # start again from the sessions' own grades
        log = folder / "events.jsonl"
        log.write_text("".join(x + "\n" for x in log.read_text().splitlines() if '"reason":"regrade"' not in x))
    limit = f"{total / 3:.6f}"  # room for one of the four (about a quarter each), not two
    capped = run_cli(
        "regrade", "--all", "--grader-model", MODEL, "--max-cost", limit, "--transcripts-dir", str(transcripts)
    )
    assert capped.exit_code == 1, capped.output
    assert f"Stopped, before --max-cost ${float(limit):g} would be passed: regraded 1 answer of 4" in capped.output
    assert "To grade the rest: " in capped.output and capped.output.rstrip().endswith("--pending")
    rest = run_cli("regrade", "--all", "--grader-model", MODEL, "--pending", "--transcripts-dir", str(transcripts))
    assert "Left out 1 answer already regraded" in rest.output and "Regraded 3 answers of 3" in rest.output


def test_a_session_open_elsewhere_is_skipped_before_any_model_call_and_the_other_is_regraded(
    mock: respx.MockRouter, transcripts: Path, two_sessions: list[Path]
) -> None:
    from interviewer.transcripts.lock import SessionLock

    fake = FakeModel("openai")
    mock.post(OPENAI_URL).mock(side_effect=fake)
    busy, free = two_sessions
    held = SessionLock(busy / ".lock")
    held.acquire("session held by the test")  # as a `resume` running in another terminal would
    try:
        result = regrade_all(transcripts)
    finally:
        held.release()
    assert f"Skipped {busy.name}: session {busy.name} is open elsewhere (pid " in result.output
    assert len(fake.of_kind("grader")) == 2  # only the free session's two answers were sent
    assert regrades(busy) == [] and len(regrades(free)) == 2
