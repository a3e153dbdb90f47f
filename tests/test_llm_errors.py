"""Provider failures: what is retried (and how long it waits), and the one line people read otherwise."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx

from interviewer.backends.base import BackendError
from interviewer.backends.llm import RESTART, LLMClient
from interviewer.backends.llm_errors import detail_of, retry_after, rule_for
from interviewer.settings import ModelSettings
from interviewer.tokens import count_messages, count_tokens
from tests import answers
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript
from tests.llm_mocks import (
    ANTHROPIC_URL,
    LINE,
    OPENAI_URL,
    BrokenStream,
    FakeModel,
    anthropic_stream_body,
    error,
    once,
    openai_json,
    openai_stream_body,
)

LOCAL_BASE = "http://127.0.0.1:8765/v1"
MESSAGES = [{"role": "system", "content": "You are the interviewer."}, {"role": "user", "content": "Ask it."}]


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")


def make(model: str = "openai/gpt-4o-mini", api_base: str | None = None) -> tuple[LLMClient, list[float]]:
    sleeps: list[float] = []
    settings = ModelSettings(model=model, api_base=api_base, retries=2, timeout_s=5)
    return LLMClient(settings, sleep=sleeps.append), sleeps


def say(client: LLMClient) -> str:
    return "".join(client.stream(MESSAGES, "interviewer"))


def streamed(text: str = LINE) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=openai_stream_body(text))


def test_a_missing_key_is_reported_before_any_request(mock: respx.MockRouter, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    route = mock.post(OPENAI_URL)
    client, _ = make()
    with pytest.raises(BackendError, match="OPENAI_API_KEY is not set"):
        say(client)
    assert not route.called


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, "OpenAI rejected the API key (401): set a valid OPENAI_API_KEY"),
        (403, "openai/gpt-4o-mini: OpenAI refused access to this model (403)"),
        (404, "openai/gpt-4o-mini: OpenAI does not know this model (404)"),
        (400, "OpenAI rejected the request (400): max_tokens is too large"),
    ],
)
def test_client_errors_are_not_retried_and_say_what_to_fix(mock: respx.MockRouter, status: int, expected: str) -> None:
    route = mock.post(OPENAI_URL).mock(return_value=error(status, "max_tokens is too large"))
    client, sleeps = make()
    with pytest.raises(BackendError) as caught:
        say(client)
    message = str(caught.value)
    assert expected in message and "\n" not in message
    assert route.call_count == 1 and sleeps == []


def test_rate_limits_honour_retry_after(mock: respx.MockRouter) -> None:
    route = mock.post(OPENAI_URL).mock(side_effect=[error(429, "slow down", {"retry-after": "3"}), streamed()])
    client, sleeps = make()
    assert say(client) == LINE
    assert sleeps == [3.0] and route.call_count == 2


def test_a_retry_after_too_long_to_wait_ends_the_turn_at_once(mock: respx.MockRouter) -> None:
    route = mock.post(OPENAI_URL).mock(return_value=error(429, "slow down", {"retry-after": "120"}))
    client, sleeps = make()
    with pytest.raises(BackendError, match=r"rate-limiting requests \(429\).*asked to wait 120 s"):
        say(client)
    assert sleeps == [] and route.call_count == 1


def test_a_persistent_rate_limit_backs_off_then_gives_up(mock: respx.MockRouter) -> None:
    route = mock.post(OPENAI_URL).mock(return_value=error(429, "slow down"))
    client, sleeps = make()
    with pytest.raises(BackendError, match=r"\(429\) after 3 tries"):
        say(client)
    assert sleeps == [1.0, 2.0] and route.call_count == 3


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(mock: respx.MockRouter, status: int) -> None:
    mock.post(OPENAI_URL).mock(side_effect=[error(status, "overloaded"), streamed()])
    client, sleeps = make()
    assert say(client) == LINE
    assert sleeps == [1.0]


def test_server_errors_that_persist_end_in_one_line(mock: respx.MockRouter) -> None:
    mock.post(OPENAI_URL).mock(return_value=error(503, "overloaded"))
    client, _ = make()
    with pytest.raises(BackendError, match=r"server error \(503\) for 3 tries"):
        say(client)


def test_timeouts_are_retried_then_reported(mock: respx.MockRouter) -> None:
    route = mock.post(OPENAI_URL).mock(side_effect=[httpx.ReadTimeout("slow"), streamed()])
    client, sleeps = make()
    assert say(client) == LINE and sleeps == [1.0]
    route.mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(BackendError, match=r"no answer within 5 s \(3 tries\): raise timeout_s"):
        say(client)


def test_connection_refused_names_the_endpoint(mock: respx.MockRouter) -> None:
    route = mock.post(f"{LOCAL_BASE}/chat/completions").mock(side_effect=httpx.ConnectError("refused"))
    client, sleeps = make("openai/local-model", LOCAL_BASE)
    with pytest.raises(BackendError, match=rf"cannot connect to {LOCAL_BASE}: is the server running"):
        say(client)
    assert route.call_count == 3 and sleeps == [1.0, 2.0]


def test_a_stream_that_stops_midway_starts_the_line_again(mock: respx.MockRouter) -> None:
    broken = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=BrokenStream())
    mock.post(OPENAI_URL).mock(side_effect=[broken, streamed()])
    client, _ = make()
    stream = client.stream(MESSAGES, "interviewer")
    assert "".join(stream) == "Walk me through " + RESTART + LINE
    assert stream.usage and stream.usage[0].completion_tokens > 0


def test_a_stream_that_keeps_stopping_ends_in_one_line(mock: respx.MockRouter) -> None:
    mock.post(OPENAI_URL).mock(
        side_effect=lambda request: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=BrokenStream()
        )
    )
    client, _ = make()
    with pytest.raises(BackendError, match="stopping midway"):
        say(client)


def test_anthropic_overload_is_retried_and_a_bad_key_names_its_variable(mock: respx.MockRouter) -> None:
    ok = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=anthropic_stream_body(LINE))
    overloaded = httpx.Response(529, json={"type": "error", "error": {"type": "overloaded_error", "message": "busy"}})
    route = mock.post(ANTHROPIC_URL).mock(side_effect=[overloaded, ok])
    client, sleeps = make("anthropic/claude-haiku-4-5")
    assert say(client) == LINE and sleeps == [1.0]
    route.mock(return_value=httpx.Response(401, json={"type": "error", "error": {"type": "auth", "message": "bad"}}))
    with pytest.raises(BackendError, match=r"Anthropic rejected the API key.*ANTHROPIC_API_KEY"):
        say(client)


def test_a_model_string_without_a_provider_is_explained(mock: respx.MockRouter) -> None:
    client, _ = make("no-such-model")
    with pytest.raises(BackendError, match="names no provider litellm knows: write provider/model"):
        say(client)


def test_tokens_are_counted_locally_when_the_provider_reports_none(mock: respx.MockRouter) -> None:
    no_usage = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, content=openai_stream_body(LINE, usage=None)
    )
    reply = openai_json('{"covered": []}')
    del reply["usage"]
    route = mock.post(f"{LOCAL_BASE}/chat/completions").mock(side_effect=[no_usage, httpx.Response(200, json=reply)])
    client, _ = make("openai/local-model", LOCAL_BASE)
    stream = client.stream(MESSAGES, "interviewer")
    list(stream)
    [streamed_usage] = stream.usage  # litellm counts a stream without usage itself
    assert streamed_usage.prompt_tokens > 0 and streamed_usage.completion_tokens > 0
    _, usage = client.complete(MESSAGES, "coverage")
    assert usage.prompt_tokens == count_messages(MESSAGES, "openai/local-model")
    assert usage.completion_tokens == count_tokens('{"covered": []}', "openai/local-model")
    assert usage.cost_usd is None and route.call_count == 2


def test_a_provider_failure_mid_session_saves_everything_and_resume_finishes(
    mock: respx.MockRouter, transcripts: Path
) -> None:
    fake = FakeModel("openai", script=[once(lambda: error(401, "Incorrect API key"), kind="interviewer", times=99)])
    mock.post(OPENAI_URL).mock(side_effect=fake)
    args = ["--transcripts-dir", str(transcripts), "--seed", "1", "-n", "1", "--topic", "optimization"]
    first = run_cli("start", *PACK_ARGS, *args, "--model", "openai/gpt-4o-mini", input=blocks("hello"))
    assert first.exit_code == 3
    assert "Model provider problem:" in first.output and "OPENAI_API_KEY" in first.output
    assert "Traceback" not in first.output and "interviewer resume" in first.output
    [folder] = sessions(transcripts)
    assert transcript(folder)["engine"]["status"] != "finished"

    fake.script.clear()
    answer = "The learning rate scales each step; too large diverges and too small is slow, so I use warmup."
    second = run_cli("resume", "--transcripts-dir", str(transcripts), input=blocks(answer, answer, answer))
    assert second.exit_code == 0, second.output
    data = transcript(folder)
    assert data["engine"]["status"] == "finished"
    assert data["grades"]["gradient-descent-reference"]["path"] == "llm_json_schema"
    assert answers.STRONG_IMBALANCE not in second.output


# -- the table itself, with stand-ins named like litellm's classes (matching is by name) ---------
class BadRequestError(Exception):
    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class InternalServerError(BadRequestError):
    pass


class ConnectError(Exception):
    pass


class Timeout(Exception):
    status_code = 408


def test_the_status_wins_over_a_wrong_label_and_the_cause_chain_is_read() -> None:
    assert rule_for(BadRequestError("Incorrect API key", 401)).names == ("AuthenticationError",)
    try:
        try:
            raise ConnectError("refused")
        except ConnectError as cause:
            raise InternalServerError("Connection error.", 500) from cause
    except InternalServerError as wrapped:
        assert "ConnectError" in rule_for(wrapped).names
    assert "Timeout" in rule_for(Timeout()).names


def test_retry_after_as_an_http_date_and_the_provider_message_out_of_its_json() -> None:
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    error = BadRequestError("slow", 429)
    error.litellm_response_headers = httpx.Headers({"Retry-After": when})  # type: ignore[attr-defined]
    assert 25 <= retry_after(error) <= 31  # type: ignore[operator]
    wrapped = BadRequestError('AnthropicException - {"type":"error","error":{"message":"max_tokens: too big"}}', 400)
    assert detail_of(wrapped) == "max_tokens: too big"
