"""Provider-side hardening: keys and URL passwords masked everywhere, malformed replies named, what is sent
to a model and what is kept from it capped, a grader that fell back to offline said so, a quick exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import respx

from interviewer.backends.base import BackendError, GradeRequest
from interviewer.backends.llm import LLMClient, LLMGrader
from interviewer.backends.llm_prompts import grader_messages
from interviewer.bank.loader import Bank
from interviewer.grading.grade import grade_question
from interviewer.limits import MAX_KEPT_REASON_CHARS, MAX_MODEL_ANSWER_CHARS
from interviewer.settings import ModelSettings
from interviewer.text.redact import mask_url, redact
from tests import answers
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions
from tests.llm_mocks import OPENAI_URL, FakeModel, error, fenced, good_grades, kind_of, request_text

KEY = "sk-live-Zq8wXv2Lm4Np6Rt0Yb3c"
MESSAGES = [{"role": "user", "content": "Reply with the word OK."}]


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


def echo_authorization(request: httpx.Request) -> httpx.Response:
    """A badly behaved server: its error body repeats the request's Authorization header."""
    header = request.headers["authorization"]
    return error(400, f"invalid request; headers were {{'Authorization': '{header}'}} (Authorization: {header})")


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {KEY}",
        f'{{"authorization": "Bearer {KEY}"}}',
        "bearer abc.def-123_456",
        "x-api-key: anthropic-secret-value",
        "key sk-ant-api03-AbCdEfGh123 rejected",
        "cannot connect to http://bob:hunter2@10.0.0.5:8000/v1",
    ],
)
def test_redact_hides_keys_tokens_and_url_passwords(text: str) -> None:
    cleaned = redact(text)
    for secret in (KEY, "abc.def-123_456", "anthropic-secret-value", "sk-ant-api03-AbCdEfGh123", "hunter2"):
        assert secret not in cleaned
    assert "****" in cleaned


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "OpenAI rejected the request (400): max_tokens is too large; see https://platform.openai.com/docs"
    assert redact(text) == text
    assert mask_url("http://bob:hunter2@host/v1") == "http://bob:****@host/v1"


def test_an_error_body_echoing_the_key_never_reaches_the_message(mock: respx.MockRouter) -> None:
    mock.post(OPENAI_URL).mock(side_effect=echo_authorization)
    with pytest.raises(BackendError) as caught:
        LLMClient(ModelSettings(model="openai/gpt-4o-mini", retries=0)).complete(MESSAGES, "doctor")
    assert "OpenAI rejected the request (400)" in str(caught.value)
    assert KEY not in str(caught.value) and "Bearer" not in str(caught.value).replace("Bearer ****", "")


def test_a_session_whose_grader_echoes_the_key_keeps_it_out_of_screen_and_transcript(
    mock: respx.MockRouter, transcripts: Path
) -> None:
    fake = FakeModel()

    def serve(request: httpx.Request) -> httpx.Response:
        return echo_authorization(request) if kind_of(json.loads(request.content)) == "grader" else fake(request)

    mock.post(OPENAI_URL).mock(side_effect=serve)
    args = ["start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "-n", "1", "--model", "openai/gpt-4o-mini"]
    result = run_cli(*args, input=blocks(answers.STRONG_IMBALANCE, answers.CV_ANSWER, "/quit"))
    saved = "".join(p.read_text() for p in sessions(transcripts)[0].iterdir())
    assert "rejected" in saved  # the provider's complaint is kept, masked
    assert KEY not in result.output and KEY not in saved
    assert "Graded offline:" in result.output and "the grader's provider failed" in result.output


def test_a_password_in_api_base_is_masked_by_doctor_and_connection_errors(mock: respx.MockRouter) -> None:
    base = "http://bob:hunter2@10.0.0.5:8000/v1"
    mock.route(host="10.0.0.5").mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(BackendError) as caught:
        LLMClient(ModelSettings(model="openai/m", api_base=base, retries=0)).complete(MESSAGES, "doctor")
    assert "cannot connect to http://bob:****@10.0.0.5:8000/v1" in str(caught.value)
    doctor = run_cli("doctor", "--model", "openai/m", "--api-base", base)
    assert doctor.exit_code == 1
    assert "bob:****@10.0.0.5" in doctor.output and "hunter2" not in doctor.output


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(200, text="<html><body>502 Bad Gateway</body></html>"),
        httpx.Response(200, json={"id": "x", "object": "chat.completion"}),
        httpx.Response(200, headers={"content-type": "text/event-stream"}, content=b"data: {not json}\n\n"),
    ],
    ids=["html", "no-choices", "broken-stream"],
)
def test_a_malformed_200_reply_is_called_malformed(mock: respx.MockRouter, reply: httpx.Response) -> None:
    route = mock.post(OPENAI_URL).mock(return_value=reply)
    client = LLMClient(ModelSettings(model="openai/gpt-4o-mini", retries=2), sleep=lambda s: None)
    with pytest.raises(BackendError) as caught:
        if reply.headers["content-type"] == "text/event-stream":
            "".join(client.stream(MESSAGES, "interviewer"))
        else:
            client.complete(MESSAGES, "grader")
    message = str(caught.value)
    assert "was malformed, not a chat completion" in message
    assert "server error" not in message and "stopping midway" not in message
    assert route.call_count == 1  # not retried: the same server would send the same thing


def test_only_the_capped_answer_is_sent_to_the_grader_and_the_grade_says_so(mock: respx.MockRouter, bank: Bank):
    fake = FakeModel()
    mock.post(OPENAI_URL).mock(side_effect=fake)
    huge = answers.STRONG_IMBALANCE + " More detail." * 20_000
    grade, _ = grade_question(bank.get("imbalanced-data"), [huge], LLMGrader(ModelSettings(model="openai/gpt-4o-mini")))
    [sent] = fenced(request_text(fake.of_kind("grader")[0]))
    assert len(sent) < MAX_MODEL_ANSWER_CHARS + 100 and sent.startswith(huge[:MAX_MODEL_ANSWER_CHARS])
    assert "more characters not shown]" in sent
    assert f"the grader saw the first {MAX_MODEL_ANSWER_CHARS:,}" in " ".join(grade.notes)
    assert grade.path.value == "llm_json_schema"


def test_grader_messages_leave_a_normal_answer_whole(bank: Bank) -> None:
    request = GradeRequest(question=bank.get("imbalanced-data"), answer=answers.STRONG_IMBALANCE, thread=[])
    assert fenced(grader_messages(request)[1]["content"]) == [answers.STRONG_IMBALANCE]


def test_a_grader_writing_megabytes_of_reasoning_is_cut_per_item(mock: respx.MockRouter, bank: Bank) -> None:
    def verbose(text: str) -> str:
        data = json.loads(good_grades(text))
        for item in data["items"]:
            item["reasoning"] = "It explains the metric well. " * 14_000  # ~400 KB
        return json.dumps(data)

    mock.post(OPENAI_URL).mock(side_effect=FakeModel(grade=verbose))
    grade, _ = grade_question(
        bank.get("imbalanced-data"), [answers.STRONG_IMBALANCE], LLMGrader(ModelSettings(model="openai/gpt-4o-mini"))
    )
    assert all(len(item.reason) < MAX_KEPT_REASON_CHARS + 200 for item in grade.items)
    assert all("more characters cut]" in item.reason for item in grade.items)
    assert f"metrics: the grader's reasoning was cut to {MAX_KEPT_REASON_CHARS:,} characters" in grade.notes


def test_a_command_that_imported_litellm_exits_with_its_code_and_all_its_output(tmp_path: Path) -> None:
    env = {**os.environ, "INTERVIEWER_CONFIG": str(tmp_path / "none.toml")}
    result = subprocess.run(
        [sys.executable, "-m", "interviewer", "doctor", "--model", "openai/m", "--api-base", "http://127.0.0.1:9/v1"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 1
    assert result.stdout.rstrip().endswith("1 check failed.")  # flushed before the quick exit
    assert "Traceback" not in result.stderr
