"""`interviewer calibrate`: a grader measured on the labelled calibration sets, printed, saved, shown by doctor."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from interviewer.bank.loader import load_bank
from interviewer.commands.calibrate import labelled_answers
from tests.helpers import run_cli
from tests.llm_mocks import OPENAI_URL


def test_offline_calibration_prints_every_measure_as_json_and_saves_it(tmp_path: Path) -> None:
    result = run_cli("calibrate", "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    answers = len(labelled_answers(load_bank([])))
    assert printed["grader"] == "offline" and printed["answers"] == printed["graded"] == answers
    assert 0 < printed["ordering_held"] <= printed["ordering_checks"]
    assert 0 < printed["band_hits"] <= answers and printed["mae"] > 0
    assert printed["offline_agreement"] == printed["consistency"] == 1.0  # the offline grader is deterministic
    assert printed["partial"] is False and printed["stopped"] is None and printed["error"] is None
    saved = json.loads((tmp_path / "data" / "calibration" / "offline.json").read_text())
    assert saved == printed


def test_doctor_shows_the_configured_graders_last_calibration() -> None:
    assert "none saved for offline" in run_cli("doctor").output
    run_cli("calibrate")
    shown = run_cli("doctor").output
    assert "calibration of offline" in shown and "ordering held:" in shown and "band hits:" in shown


def test_a_provider_failing_midway_saves_the_partial_result_and_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with respx.mock(assert_all_mocked=True) as mock:
        error = {"error": {"message": "invalid key", "type": "x", "code": None}}
        mock.post(OPENAI_URL).mock(return_value=httpx.Response(401, json=error))
        result = run_cli("calibrate", "--grader-model", "openai/gpt-4o-mini", "--jobs", "1")
    assert result.exit_code == 3
    stopped = [line for line in result.output.splitlines() if line.startswith("Stopped early:")]
    assert len(stopped) == 1 and "partial result was saved" in stopped[0]
    saved = json.loads((tmp_path / "data" / "calibration" / "openai_gpt-4o-mini.json").read_text())
    assert saved["partial"] is True and saved["stopped"] == "provider" and saved["graded"] < saved["answers"]


def test_a_limited_calibration_grades_only_the_first_answers() -> None:
    printed = json.loads(run_cli("calibrate", "--limit", "3", "--json").output)
    assert printed["answers"] == printed["graded"] == 3
    assert printed["ordering_checks"] == 2  # one question's strong > partial > weak
