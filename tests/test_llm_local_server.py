"""What a real llama.cpp server (llama-cpp-python 0.3, tests/e2e) does that OpenAI does not, pinned
with respx so the fast suite keeps each fix: a 500 for `json_schema`, streams without usage, empty
replies, replies cut at max_tokens, a missing max_tokens meaning "no limit", no price for the model."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from interviewer.backends.base import BackendError, GradeRequest
from interviewer.backends.llm import DEFAULT_MAX_TOKENS, LLMClient, LLMGrader, litellm
from interviewer.bank.loader import Bank
from interviewer.grading.models import GradePath
from interviewer.settings import GraderModelSettings, InterviewerModelSettings, ModelSettings
from tests import answers
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript
from tests.llm_mocks import (
    FakeModel,
    good_grades,
    kind_of,
    llama_json,
    llama_stream,
    llama_validation_error,
    request_text,
)

LOCAL = "http://127.0.0.1:8765/v1"
URL = f"{LOCAL}/chat/completions"
MODEL = "openai/gemma-3-270m-test"
MESSAGES = [{"role": "system", "content": "You are the interviewer."}, {"role": "user", "content": "Ask it."}]
IDS = ["metrics", "resampling", "business-cost"]


def learning_rate_session(mock: respx.MockRouter, transcripts: Path, fake: FakeModel) -> tuple[str, dict]:
    """A one-question session on the local server (the learning-rate question), answered three times."""
    mock.post(URL).mock(side_effect=fake)
    args = ["--transcripts-dir", str(transcripts), "--seed", "1", "-n", "1", "--topic", "optimization"]
    answer = "The learning rate scales each step; too large diverges and too small is slow, so I use warmup."
    result = run_cli(
        "start", *PACK_ARGS, *args, "--model", MODEL, "--api-base", LOCAL, input=blocks(answer, answer, answer)
    )
    assert result.exit_code == 0, result.output
    return result.output, transcript(sessions(transcripts)[0])


@pytest.fixture
def mock(mock: respx.MockRouter) -> respx.MockRouter:
    """The shared router (conftest), with the local server up for the pre-flight check."""
    mock.get(LOCAL).mock(return_value=httpx.Response(200))
    return mock


def client(**settings: object) -> tuple[LLMClient, list[float]]:
    sleeps: list[float] = []
    return LLMClient(ModelSettings(model=MODEL, api_base=LOCAL, **settings), sleep=sleeps.append), sleeps


def json_schema_rejected(body: dict) -> bool:
    return (body.get("response_format") or {}).get("type") == "json_schema"


def test_a_500_validation_error_for_json_schema_steps_down_at_once_to_json_mode_with_the_schema(
    mock: respx.MockRouter, bank: Bank
) -> None:
    """llama-cpp-python answers `json_schema` with HTTP 500 (its pydantic error), not 400: no retries,
    the next step is `json_object` with the schema attached, which its grammar sampler enforces."""
    bodies: list[dict] = []

    def server(request):  # type: ignore[no-untyped-def]
        body = json.loads(request.content)
        bodies.append(body)
        if json_schema_rejected(body):
            return llama_validation_error(
                "'body', 'response_format', 'type'", "Input should be 'text' or 'json_object'", "json_schema"
            )
        return respx.MockResponse(200, json=llama_json(good_grades(request_text(body))))

    mock.post(URL).mock(side_effect=server)
    grader = LLMGrader(GraderModelSettings(model=MODEL, api_base=LOCAL, retries=2))
    grader.client.sleep = lambda seconds: pytest.fail(f"a rejected format must not be retried (slept {seconds})")
    question = bank.get("imbalanced-data")
    reply = grader.grade(GradeRequest(question=question, answer=answers.STRONG_IMBALANCE, thread=[]))

    assert [b["response_format"]["type"] for b in bodies] == ["json_schema", "json_object"]
    assert reply.path is GradePath.llm_json_mode
    assert any("response_format.type: Input should be 'text' or 'json_object'" in n for n in reply.notes)
    schema = bodies[1]["response_format"]["schema"]
    entries = schema["properties"]["items"]["prefixItems"]
    assert [e["properties"]["item_id"]["const"] for e in entries] == IDS  # one entry per item, in order
    assert entries[0]["properties"]["score"]["enum"] == [0, 1, 2, 3]
    assert entries[0]["properties"]["reasoning"]["maxLength"] > 0
    assert schema["properties"]["items"]["minItems"] == schema["properties"]["items"]["maxItems"] == 3

    grader.grade(GradeRequest(question=question, answer=answers.PARTIAL_IMBALANCE, thread=[]))
    assert len(bodies) == 3 and not json_schema_rejected(bodies[2])  # remembered for the session


def test_other_500_validation_errors_are_not_retried_and_name_the_field(mock: respx.MockRouter) -> None:
    route = mock.post(URL).mock(
        return_value=llama_validation_error("'body', 'temperature'", "Input should be a valid number", "hot")
    )
    speaker, sleeps = client(retries=2)
    with pytest.raises(BackendError) as caught:
        "".join(speaker.stream(MESSAGES, "interviewer"))
    assert str(caught.value) == (
        f"{MODEL}: OpenAI could not handle the request (500): temperature: Input should be a valid number"
    )
    assert route.call_count == 1 and sleeps == []


def test_a_stream_with_no_usage_despite_include_usage_is_counted(mock: respx.MockRouter) -> None:
    """The server ignores stream_options.include_usage, sends a role-only first delta and ping comments."""
    line = "Okay. Tell me how you would split the data."
    route = mock.post(URL).mock(return_value=llama_stream(line))
    speaker, _ = client()
    stream = speaker.stream(MESSAGES, "interviewer")
    assert "".join(stream) == line
    assert json.loads(route.calls[0].request.content)["stream_options"] == {"include_usage": True}
    [usage] = stream.usage
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0 and usage.cost_usd is None


def test_a_model_that_streams_nothing_is_replaced_by_the_offline_line(
    mock: respx.MockRouter, transcripts: Path
) -> None:
    """A small base model often ends at once (`content: ""`, finish_reason stop): the candidate
    still hears the question, in the offline engine's words."""
    fake = FakeModel("openai", script=[lambda model, body: llama_stream("") if body.get("stream") else None])
    output, data = learning_rate_session(mock, transcripts, fake)
    assert "Explain what the learning rate does in gradient descent" in output
    said = [t["text"] for r in data["engine"]["runs"] for t in r["turns"] if t["role"] == "interviewer"]
    assert said and all(text.strip() for text in said)
    assert any("gradient-descent-reference" in note and "offline" in note for note in data["notes"])
    assert any(u["purpose"] == "interviewer" for u in data["usage"])
    assert {kind_of(b) for b in fake.bodies} >= {"interviewer", "grader"}


def test_a_reply_cut_off_at_max_tokens_says_so_then_falls_back_offline(mock: respx.MockRouter, bank: Bank) -> None:
    """finish_reason "length" with half a JSON object, twice: the notes keep the whole chain."""
    cut = '{"items": [{"item_id": "metrics", "reasoning": "The candidate names precision and rec'
    schema_error = llama_validation_error("'body', 'response_format', 'type'", "Input should be 'text'", "json_schema")
    truncated = respx.MockResponse(200, json=llama_json(cut, finish="length"))
    route = mock.post(URL).mock(side_effect=[schema_error, truncated, truncated])
    grader = LLMGrader(GraderModelSettings(model=MODEL, api_base=LOCAL, max_tokens=40, retries=0))
    reply = grader.grade(GradeRequest(question=bank.get("imbalanced-data"), answer=answers.STRONG_IMBALANCE, thread=[]))
    assert reply.path is GradePath.offline_fallback and len(reply.usage) == 2
    assert "json_schema output rejected" in reply.notes[0]
    assert "cut off at max_tokens=40" in reply.notes[-1] and "graded offline" in reply.notes[-1]
    reask = json.loads(route.calls[2].request.content)["messages"][-1]["content"]
    assert "cut off at max_tokens=40" in reask


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (ModelSettings(model=MODEL, api_base=LOCAL), DEFAULT_MAX_TOKENS),
        (ModelSettings(model=MODEL, api_base=LOCAL, max_tokens=0), DEFAULT_MAX_TOKENS),
        (InterviewerModelSettings(model=MODEL, api_base=LOCAL), 300),
    ],
)
def test_max_tokens_is_always_sent(mock: respx.MockRouter, settings: ModelSettings, expected: int) -> None:
    """A llama.cpp server reads a missing (or 0) max_tokens as "until the context is full"."""
    route = mock.post(URL).mock(return_value=respx.MockResponse(200, json=llama_json("OK")))
    LLMClient(settings).complete(MESSAGES, "doctor")
    assert json.loads(route.calls[0].request.content)["max_tokens"] == expected


def test_a_model_without_a_price_records_no_cost(mock: respx.MockRouter) -> None:
    """litellm raises ModelNotMappedError (a plain Exception) for a model it has no price for."""
    with pytest.raises(Exception, match="isn't mapped"):
        litellm().cost_per_token(model=MODEL, prompt_tokens=10, completion_tokens=2)
    mock.post(URL).mock(return_value=respx.MockResponse(200, json=llama_json("OK", prompt=12, completion=1)))
    _, usage = client()[0].complete(MESSAGES, "doctor")
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cost_usd) == (12, 1, None)


def test_a_raw_line_break_inside_a_json_string_is_accepted(mock: respx.MockRouter, bank: Bank) -> None:
    """llama.cpp's schema grammar let a literal newline into a string; strict JSON parsing rejected
    the whole reply and then found only the first nested item object."""
    items = [
        '{"item_id": "metrics", "reasoning": "Names precision and recall.\n", "evidence": [], "score": 0}',
        '{"item_id": "resampling", "reasoning": "<why>", "evidence": [], "score": 0}',
        '{"item_id": "business-cost", "reasoning": "<why>", "evidence": [], "score": 0}',
    ]
    content = '{ "items": [' + " ,".join(items) + " ]}"
    mock.post(URL).mock(return_value=respx.MockResponse(200, json=llama_json(content)))
    grader = LLMGrader(GraderModelSettings(model=MODEL, api_base=LOCAL, retries=0))
    grader.client._mode_floor = 1  # json_object with the schema, as after the 500 above
    reply = grader.grade(GradeRequest(question=bank.get("imbalanced-data"), answer=answers.STRONG_IMBALANCE, thread=[]))
    assert reply.path is GradePath.llm_json_mode and len(reply.usage) == 1
    assert [s.item_id for s in reply.items] == IDS


def test_the_question_is_read_from_the_bank_even_from_a_model_that_echoes_its_instructions(
    mock: respx.MockRouter, transcripts: Path
) -> None:
    """Weak models echo their instructions instead of asking: the question never goes through the model."""
    echo = "Say Question 1 of 1 and ask the current question. Keep every detail."
    _, data = learning_rate_session(mock, transcripts, FakeModel("openai", line=echo))
    first_line = data["engine"]["runs"][0]["turns"][0]["text"]
    assert first_line == "Question 1 of 1. Explain what the learning rate does in gradient descent."
