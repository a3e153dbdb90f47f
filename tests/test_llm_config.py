"""Model settings (role defaults, the grader following the interviewer) and a local Ollama model."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from interviewer.backends.llm import LLMClient
from interviewer.backends.llm_output import CoverageOutput
from interviewer.grading.models import GradePath
from interviewer.settings import GraderModelSettings, InterviewerModelSettings, load_settings

OLLAMA_CHAT = "http://localhost:11434/api/chat"


def config(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(path))


def test_a_partial_table_keeps_the_role_defaults_and_the_grader_follows(tmp_path, monkeypatch) -> None:
    config(tmp_path, '[interviewer]\nmodel = "openai/local"\napi_base = "http://127.0.0.1:8000/v1"\n', monkeypatch)
    settings = load_settings()
    assert (settings.interviewer.temperature, settings.interviewer.max_tokens) == (0.7, 300)
    assert (settings.grader.model, settings.grader.api_base) == ("openai/local", "http://127.0.0.1:8000/v1")
    assert (settings.grader.temperature, settings.grader.max_tokens) == (0.0, 1500)


def test_an_explicit_grader_model_does_not_inherit_the_interviewer_endpoint(tmp_path, monkeypatch) -> None:
    table = '[interviewer]\nmodel = "ollama_chat/llama3.1"\napi_base = "http://localhost:11434"\n'
    config(tmp_path, table, monkeypatch)
    monkeypatch.setenv("INTERVIEWER_GRADER__MODEL", "anthropic/claude-haiku-4-5")
    monkeypatch.setenv("INTERVIEWER_INTERVIEWER__COVERAGE", "llm")
    settings = load_settings()
    assert (settings.grader.model, settings.grader.api_base) == ("anthropic/claude-haiku-4-5", None)
    assert settings.interviewer.coverage == "llm"


def test_a_key_alone_does_not_switch_off_the_offline_engine(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    settings = load_settings()
    assert settings.interviewer.is_offline and settings.grader.is_offline


def test_flags_override_the_config_for_both_roles(tmp_path, monkeypatch) -> None:
    config(tmp_path, '[interviewer]\nmodel = "openai/gpt-4o-mini"\n[grader]\nmodel = "openai/gpt-4o"\n', monkeypatch)
    settings = load_settings(interviewer={"model": "offline"}, grader={"model": "offline"})
    assert settings.interviewer.is_offline and settings.grader.is_offline


def test_ollama_streams_and_grades_with_its_format_schema() -> None:
    words = [{"message": {"role": "assistant", "content": w}, "done": False} for w in ["Tell ", "me more."]]
    done = {"message": {"role": "assistant", "content": ""}, "done": True, "prompt_eval_count": 20, "eval_count": 3}
    stream = "\n".join(json.dumps({"model": "llama3.1", "created_at": "t", **line}) for line in [*words, done])
    reply = {
        "model": "llama3.1",
        "created_at": "t",
        "message": {"role": "assistant", "content": '{"covered": ["a"]}'},
        "done": True,
        "prompt_eval_count": 30,
        "eval_count": 6,
    }
    with respx.mock(assert_all_mocked=True) as mock:
        route = mock.post(OLLAMA_CHAT).mock(
            side_effect=[httpx.Response(200, content=stream.encode()), httpx.Response(200, json=reply)]
        )
        speaker = LLMClient(InterviewerModelSettings(model="ollama_chat/llama3.1"))
        line = speaker.stream([{"role": "user", "content": "hi"}], "interviewer")
        assert "".join(line) == "Tell me more."
        assert (line.usage[0].prompt_tokens, line.usage[0].completion_tokens) == (20, 3)
        judge = LLMClient(GraderModelSettings(model="ollama_chat/llama3.1"))
        hi = [{"role": "user", "content": "hi"}]
        result = judge.structured(hi, CoverageOutput, "coverage", lambda _: None, ["a"])
    assert result.value.covered == ["a"] and result.path is GradePath.llm_json_schema
    schema = json.loads(route.calls[1].request.content)["format"]
    assert schema["required"] == ["covered"] and schema["properties"]["covered"]["items"]["enum"] == ["a"]
