"""Fake model providers at the HTTP layer (respx): OpenAI-style and Anthropic-style, streamed and not.

`FakeModel` answers like a model would: interviewer turns stream a short spoken line, grading
requests get valid JSON with verbatim evidence taken from the fenced candidate text, coverage
requests get the ids they asked about, rewrites keep the fenced answer and add a sentence. Every
request body is kept for assertions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

OPENAI_URL = "https://api.openai.com/v1/chat/completions"
ANTHROPIC_URL = "https://api.anthropic.com/v1/messages"
FENCE = re.compile(r"(=====CANDIDATE TEXT [0-9a-f]+=====)\n(.*?)\n\1", re.DOTALL)
IDS = re.compile(r"Grade every rubric item: (.+?)\. Reply")
COVERAGE_IDS = re.compile(r"^- ([a-z0-9][a-z0-9_-]*): ", re.MULTILINE)
LINE = "Okay. Walk me through how you would approach that, step by step."


def usage_openai(prompt: int = 120, completion: int = 18) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def sse(events: list[tuple[str | None, dict[str, Any] | str]]) -> bytes:
    lines = []
    for name, data in events:
        payload = data if isinstance(data, str) else json.dumps(data)
        lines.append((f"event: {name}\n" if name else "") + f"data: {payload}\n\n")
    return "".join(lines).encode()


def openai_chunk(text: str | None = None, finish: str | None = None, usage: dict | None = None) -> dict[str, Any]:
    chunk: dict[str, Any] = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": []}
    if text is not None or finish:
        chunk["choices"] = [{"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}]
    if usage:
        chunk["usage"] = usage
    return chunk


def openai_stream_body(text: str, usage: dict | None = None) -> bytes:
    words = re.findall(r"\S+\s*", text)
    events: list[tuple[str | None, dict[str, Any] | str]] = [(None, openai_chunk(w)) for w in words]
    events.append((None, openai_chunk(finish="stop")))
    if usage is not None:
        events.append((None, openai_chunk(usage=usage)))
    events.append((None, "[DONE]"))
    return sse(events)


def openai_json(content: str, usage: dict | None = None) -> dict[str, Any]:
    return {
        "id": "r1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": usage or usage_openai(300, 80),
    }


def anthropic_stream_body(text: str, prompt: int = 140, completion: int = 20) -> bytes:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": prompt, "output_tokens": 1},
        },
    }
    events: list[tuple[str | None, dict[str, Any] | str]] = [
        ("message_start", start),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
        ("ping", {"type": "ping"}),
    ]
    for word in re.findall(r"\S+\s*", text):
        delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": word}}
        events.append(("content_block_delta", delta))
    events += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": completion},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return sse(events)


def anthropic_json(content: str, prompt: int = 320, completion: int = 90) -> dict[str, Any]:
    return {
        "id": "msg_2",
        "type": "message",
        "role": "assistant",
        "model": "claude",
        "content": [{"type": "text", "text": content}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": prompt, "output_tokens": completion},
    }


def request_text(body: dict[str, Any]) -> str:
    """All prompt text of a request, whatever the provider's shape."""
    parts: list[str] = []
    system = body.get("system")
    if isinstance(system, list):
        parts += [b.get("text", "") for b in system]
    elif isinstance(system, str):
        parts.append(system)
    for message in body.get("messages", []):
        content = message["content"]
        parts += [b.get("text", "") for b in content] if isinstance(content, list) else [content]
    return "\n".join(parts)


def kind_of(body: dict[str, Any]) -> str:
    text = request_text(body)
    if "You grade one answer" in text:
        return "grader"
    if "Which of these points does the answer cover" in text:
        return "coverage"
    if "You rewrite a candidate's answer" in text:
        return "rewrite"
    return "interviewer"


def fenced(text: str) -> list[str]:
    """Candidate texts fenced in a prompt."""
    return [m.group(2) for m in FENCE.finditer(text)]


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def good_grades(text: str, score: int = 2) -> str:
    """Grader JSON for the ids the prompt asks about, quoting the fenced answer verbatim."""
    ids = [i.strip() for i in IDS.search(text).group(1).split(",")]  # type: ignore[union-attr]
    answers = fenced(text)
    quote = first_sentence(answers[-1]) if answers else ""
    items = [
        {"item_id": i, "reasoning": "Mentions it with an explanation.", "evidence": [quote], "score": score}
        for i in ids
    ]
    return json.dumps({"items": items})


ADDED = "I would also pick the decision threshold from the cost of each error and watch recall after launch."


def stronger_answer(text: str) -> str:
    """A rewrite that keeps the fenced answer and adds a sentence."""
    return f"{fenced(text)[-1]} {ADDED}"


def coverage_reply(text: str) -> str:
    return json.dumps({"covered": COVERAGE_IDS.findall(text)[:1]})


Handler = Callable[["FakeModel", dict[str, Any]], httpx.Response | None]


@dataclass
class FakeModel:
    """One fake provider endpoint. `style` is "openai" or "anthropic"; `script` may override replies."""

    style: str = "openai"
    line: str = LINE
    grade: Callable[[str], str] = good_grades
    rewrite: Callable[[str], str] = stronger_answer
    script: list[Handler] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        for handler in self.script:
            response = handler(self, body)
            if response is not None:
                return response
        return self.reply(body)

    def reply(self, body: dict[str, Any]) -> httpx.Response:
        kind = kind_of(body)
        if body.get("stream"):
            content = (
                openai_stream_body(self.line, usage_openai())
                if self.style == "openai"
                else (anthropic_stream_body(self.line))
            )
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=content)
        text = request_text(body)
        replies = {"grader": self.grade, "coverage": coverage_reply, "rewrite": self.rewrite}
        content = replies.get(kind, lambda _: self.line)(text)
        payload = openai_json(content) if self.style == "openai" else anthropic_json(content)
        return httpx.Response(200, json=payload)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [b for b in self.bodies if kind_of(b) == kind]


def error(status: int, message: str = "error", headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": message, "type": "x", "code": None}}, headers=headers)


def once(response: Callable[[], httpx.Response], *, kind: str | None = None, times: int = 1) -> Handler:
    """A script step: answer the next `times` requests (of `kind`, if given) with `response()`."""
    left = [times]

    def handler(model: FakeModel, body: dict[str, Any]) -> httpx.Response | None:
        if left[0] <= 0 or (kind is not None and kind_of(body) != kind):
            return None
        left[0] -= 1
        return response()

    return handler


class BrokenStream(httpx.SyncByteStream):
    """An SSE stream that sends a few words and then drops the connection."""

    def __iter__(self) -> Iterator[bytes]:
        yield sse([(None, openai_chunk("Walk me "))])
        yield sse([(None, openai_chunk("through "))])
        raise httpx.ReadError("connection reset by peer")


# -- what a real llama.cpp server (llama-cpp-python 0.3) sends; see tests/e2e -----------------------
def llama_chunk(delta: dict[str, str], finish: str | None = None) -> str:
    """A llama-cpp-python stream chunk: Python's json.dumps spacing, logprobs null, never any usage."""
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    chunk = {"id": "chatcmpl-1", "model": "m", "created": 1, "object": "chat.completion.chunk", "choices": [choice]}
    return "data: " + json.dumps(chunk) + "\n\n"


def llama_stream_body(text: str, *, finish: str = "stop") -> bytes:
    """Role-only first delta, one chunk per word, a ping comment, an empty finishing delta, [DONE];
    no usage even when stream_options asks for it."""
    parts = [llama_chunk({"role": "assistant"})]
    parts += [llama_chunk({"content": w}) for w in re.findall(r"\S+\s*", text)]
    parts.insert(2, ": ping - 2026-11-21 10:54:01.000000+00:00\n\n")
    parts += [llama_chunk({}, finish), "data: [DONE]\n\n"]
    return "".join(parts).encode()


def llama_stream(text: str, *, finish: str = "stop") -> httpx.Response:
    body = llama_stream_body(text, finish=finish)
    return httpx.Response(200, headers={"content-type": "text/event-stream; charset=utf-8"}, content=body)


def llama_validation_error(loc: str, msg: str, given: str) -> httpx.Response:
    """llama-cpp-python's answer to a request its pydantic model rejects: 500, not 400 or 422."""
    detail = f"{{'type': 'literal_error', 'loc': ({loc}), 'msg': \"{msg}\", 'input': '{given}'}}"
    where = 'File "llama_cpp/server/app.py", line 376\n    POST /v1/chat/completions'
    message = f"1 validation error:\n  {detail}\n\n  {where}"
    body = {"error": {"message": message, "type": "internal_server_error", "param": None, "code": None}}
    return httpx.Response(500, json=body)


def llama_json(content: str, finish: str = "stop", prompt: int = 774, completion: int = 105) -> dict[str, Any]:
    """A llama-cpp-python completion: usage without the *_details fields, no system_fingerprint."""
    message = {"content": content, "role": "assistant"}
    return {
        "id": "chatcmpl-2",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }
