"""Resume keeps the recorded settings, can switch them, re-grades fallback grades; pre-flight refuses early."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from tests import answers
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript
from tests.llm_mocks import OPENAI_URL, FakeModel, error, good_grades, kind_of, once

LOCAL = "http://127.0.0.1:8765/v1"
SAID = [answers.CV_ANSWER, "Five or ten folds.", answers.STRONG_IMBALANCE, "After the split.", "Threshold."] * 2


def start(transcripts: Path, *extra: str, input: str = blocks(*SAID)):
    args = ["--transcripts-dir", str(transcripts), "--seed", "1", "-n", "2", "--topic", "evaluation"]
    return run_cli("start", *PACK_ARGS, *args, *extra, input=input)


def resume(transcripts: Path, *extra: str):
    return run_cli("resume", *extra, "--transcripts-dir", str(transcripts), input=blocks(*SAID))


def events(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]


def test_resume_after_a_provider_error_goes_back_to_the_recorded_api_base(
    mock: respx.MockRouter, transcripts: Path
) -> None:
    mock.get(LOCAL).mock(return_value=httpx.Response(200))
    down = FakeModel(
        "openai", script=[lambda model, body: error(404, "model 'local' not found") if len(model.bodies) > 2 else None]
    )
    route = mock.post(f"{LOCAL}/chat/completions").mock(side_effect=down)
    first = start(transcripts, "--model", "openai/local", "--api-base", LOCAL)
    assert first.exit_code == 3, first.output
    [folder] = sessions(transcripts)
    printed = f"interviewer resume --transcripts-dir {transcripts.resolve()} {folder.name}"
    assert printed in " ".join(first.output.split())
    assert events(folder)[0]["settings"]["interviewer"]["api_base"] == LOCAL
    calls_before = len(route.calls)

    route.mock(side_effect=FakeModel("openai"))  # the server is back; no OPENAI_API_KEY anywhere
    second = resume(transcripts, folder.name)
    assert second.exit_code == 0, second.output
    assert len(route.calls) > calls_before  # every request went to the recorded server, none to api.openai.com
    assert "settings_changed" not in [e["type"] for e in events(folder)]
    data = transcript(folder)
    assert data["engine"]["status"] == "finished"
    assert {g["path"] for g in data["grades"].values()} == {"llm_json_schema"}


def test_resume_with_model_offline_finishes_a_session_whose_key_went_missing(
    mock: respx.MockRouter, transcripts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    mock.post(OPENAI_URL).mock(return_value=error(401, "invalid api key"))
    first = start(transcripts, "--model", "openai/gpt-4o-mini")
    assert first.exit_code == 3, first.output
    [folder] = sessions(transcripts)
    monkeypatch.delenv("OPENAI_API_KEY")
    before = (folder / "events.jsonl").read_bytes()

    refused = resume(transcripts, folder.name)
    assert refused.exit_code == 3
    assert "OPENAI_API_KEY is not set" in refused.output and "--model offline" in refused.output
    assert (folder / "events.jsonl").read_bytes() == before

    offline = resume(transcripts, folder.name, "--model", "offline")
    assert offline.exit_code == 0, offline.output
    [switch] = [e for e in events(folder) if e["type"] == "settings_changed"]
    assert switch["engines"] == {"interviewer": "offline", "grader": "offline", "offline": True}
    data = transcript(folder)
    assert data["engine"]["status"] == "finished"
    assert {g["grader"] for g in data["grades"].values()} == {"offline"}


def test_start_without_the_provider_key_refuses_with_the_fix_and_creates_nothing(transcripts: Path) -> None:
    result = start(transcripts, "--model", "openai/gpt-4o-mini")
    assert result.exit_code == 3
    assert "OPENAI_API_KEY is not set: export OPENAI_API_KEY=... or run with --model offline" in result.output
    assert "No session was created" in result.output
    assert not sessions(transcripts)


def test_start_against_a_local_server_that_is_down_refuses_and_creates_nothing(
    mock: respx.MockRouter, transcripts: Path
) -> None:
    mock.get(LOCAL).mock(side_effect=httpx.ConnectError("refused"))
    result = start(transcripts, "--model", "openai/local", "--api-base", LOCAL)
    assert result.exit_code == 3
    assert f"cannot reach {LOCAL} (ConnectError): is the server running" in result.output
    assert not sessions(transcripts)
    assert all(call.request.method == "GET" for call in mock.calls)  # no model was called


def test_grades_made_while_the_grader_was_down_are_graded_again_on_resume(
    mock: respx.MockRouter, transcripts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    outage = FakeModel("openai", script=[once(lambda: error(401, "invalid api key"), kind="grader", times=99)])
    route = mock.post(OPENAI_URL).mock(side_effect=outage)
    first = start(transcripts, "--model", "openai/gpt-4o-mini")
    assert first.exit_code == 0, first.output
    [folder] = sessions(transcripts)
    assert all(g["provisional"] for g in transcript(folder)["grades"].values())

    route.mock(side_effect=FakeModel("openai"))
    second = resume(transcripts, folder.name)
    assert second.exit_code == 0, second.output
    assert "Grading again 2 answer(s)" in second.output
    regraded = [e for e in events(folder) if e["type"] == "graded" and e["reason"] == "resume"]
    assert len(regraded) == 2 and all(not e["grade"]["provisional"] for e in regraded)
    grades = transcript(folder)["grades"]
    assert {g["path"] for g in grades.values()} == {"llm_json_schema"}
    assert "(previous grade " in (folder / "report.md").read_text()
    assert kind_of(json.loads(route.calls.last.request.content)) == "rewrite"  # grading and its rewrite came last


def test_resume_with_api_base_switches_the_server_and_records_the_switch(
    mock: respx.MockRouter, transcripts: Path
) -> None:
    moved = "http://127.0.0.1:9999/v1"
    for base in (LOCAL, moved):
        mock.get(base).mock(return_value=httpx.Response(200))
    old = mock.post(f"{LOCAL}/chat/completions").mock(side_effect=FakeModel("openai"))
    first = start(transcripts, "--model", "openai/local", "--api-base", LOCAL, input=blocks(answers.CV_ANSWER))
    assert first.exit_code == 0, first.output
    [folder] = sessions(transcripts)
    calls_before = len(old.calls)
    new = mock.post(f"{moved}/chat/completions").mock(side_effect=FakeModel("openai"))
    second = resume(transcripts, folder.name, "--api-base", moved)
    assert second.exit_code == 0, second.output
    assert len(old.calls) == calls_before and new.calls
    [switch] = [e for e in events(folder) if e["type"] == "settings_changed"]
    assert switch["settings"]["interviewer"]["api_base"] == moved == switch["settings"]["grader"]["api_base"]
    assert switch["settings"]["interviewer"]["model"] == "openai/local"


def test_regrade_with_another_grader_appends_its_grades_and_the_report_shows_both(
    mock: respx.MockRouter, transcripts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = start(transcripts)
    assert first.exit_code == 0, first.output
    [folder] = sessions(transcripts)
    offline = transcript(folder)["grades"]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    mock.post(OPENAI_URL).mock(side_effect=FakeModel("openai", grade=lambda text: good_grades(text, score=3)))
    result = run_cli("regrade", folder.name, "--grader-model", "openai/gpt-4o", "--transcripts-dir", str(transcripts))
    assert result.exit_code == 0, result.output
    regraded = [e for e in events(folder) if e["type"] == "graded" and e["reason"] == "regrade"]
    assert {e["grader"] for e in regraded} == {"openai/gpt-4o"} and len(regraded) == len(offline)
    report = (folder / "report.md").read_text()
    for question_id, grade in offline.items():
        latest = transcript(folder)["grades"][question_id]["score"]
        assert f"{question_id} — {latest}/100 (previous grade {grade['score']}/100 by offline)" in report
    assert "3/3 (was " in report
