"""`interviewer doctor`: each check, and the one line that explains a failure."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from tests.helpers import run_cli
from tests.llm_mocks import OPENAI_URL, error, openai_json

LOCAL_BASE = "http://127.0.0.1:8765/v1"


def flat(text: str) -> str:
    return " ".join(text.split())


def test_offline_has_nothing_to_check_and_suggests_a_model_for_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    result = run_cli("doctor")
    assert result.exit_code == 0
    assert "offline engine: nothing to check" in flat(result.output)
    assert "--model openai/gpt-4o-mini" in flat(result.output)


def test_a_working_model_passes_every_check_with_a_one_token_call(
    mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    mock.get("https://api.openai.com/v1").mock(return_value=httpx.Response(404))
    call = mock.post(OPENAI_URL).mock(return_value=httpx.Response(200, json=openai_json("OK")))
    result = run_cli("doctor", "--model", "openai/gpt-4o-mini")
    out = flat(result.output)
    assert result.exit_code == 0, out
    assert "interviewer + grader: openai/gpt-4o-mini" in out
    assert "OPENAI_API_KEY is set (****1234)" in out and "sk-test" not in out
    assert "https://api.openai.com/v1 answers" in out and "a one-token call worked" in out
    assert json.loads(call.calls[0].request.content)["max_tokens"] == 1


def test_a_rejected_key_is_explained_with_the_fix(mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-bad")
    mock.get("https://api.openai.com/v1").mock(return_value=httpx.Response(401))
    call = mock.post(OPENAI_URL).mock(return_value=error(401, "Incorrect API key provided"))
    result = run_cli("doctor", "--model", "openai/gpt-4o-mini")
    assert result.exit_code == 1
    assert "OpenAI rejected the API key (401): set a valid OPENAI_API_KEY" in flat(result.output)
    assert call.call_count == 1  # the doctor does not retry


def test_a_missing_key_skips_the_call(mock: respx.MockRouter) -> None:
    mock.get("https://api.openai.com/v1").mock(return_value=httpx.Response(404))
    call = mock.post(OPENAI_URL)
    result = run_cli("doctor", "--model", "openai/gpt-4o-mini")
    assert result.exit_code == 1
    assert "OPENAI_API_KEY is not set: export OPENAI_API_KEY=" in flat(result.output)
    assert not call.called


def test_an_unreachable_local_server_is_named(mock: respx.MockRouter) -> None:
    mock.get(LOCAL_BASE).mock(side_effect=httpx.ConnectError("refused"))
    result = run_cli("doctor", "--model", "openai/local-model", "--api-base", LOCAL_BASE)
    out = flat(result.output)
    assert result.exit_code == 1
    assert "no key needed for a server at api_base" in out
    assert f"cannot reach {LOCAL_BASE} (ConnectError): is the server running, and is api_base right?" in out


def test_separate_grader_and_unknown_model_strings(mock: respx.MockRouter) -> None:
    mock.get(LOCAL_BASE).mock(return_value=httpx.Response(200))
    mock.post(f"{LOCAL_BASE}/chat/completions").mock(return_value=error(404, "model 'llama9' not found"))
    result = run_cli("doctor", "--model", "openai/llama9", "--api-base", LOCAL_BASE, "--grader-model", "gibberish")
    out = flat(result.output)
    assert result.exit_code == 1
    assert "interviewer: openai/llama9" in out and "grader: gibberish" in out
    assert "openai/llama9: OpenAI does not know this model (404)" in out
    assert "'gibberish' names no provider litellm knows" in out
