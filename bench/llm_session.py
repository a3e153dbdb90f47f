"""A 6-question session through the litellm backend against a local mock OpenAI-compatible server.

The server is a real HTTP server on 127.0.0.1 (http.server in a thread) that waits a fixed delay
per call, streams interviewer lines as SSE, answers grading and coverage requests with valid JSON,
and reports usage counted from what it received. Prints, for each coverage mode: prompt tokens per
interviewer turn (first, last, max), total tokens, what model-judged coverage costs per answer, and
the wall time from the last answer to the finished report, model calls per session by purpose (the
grader's rewrite of each answer on, then off); and, in a fresh process with a 1 s model, the time from
launch to the first question on screen.
Usage: .venv/bin/python bench/llm_session.py [--delay-ms 200] [--launch-delay-ms 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rich.console import Console

from interviewer.bank.models import Question
from interviewer.commands.interview import StartOptions, prepare_session
from interviewer.tokens import count_messages, count_tokens
from interviewer.transcripts.record import SessionRecord

MODEL = "openai/bench-model"
LINE = "Okay. Can you walk me through how you would handle that in production, step by step?"
ANSWER = (
    "I'd start with a simple baseline, check the data for leakage, then compare precision and recall on a held "
    "out set. The trade-off is latency versus accuracy, so I'd measure p99 latency too, because in production "
    "that is what users feel. I owned the evaluation harness and cut error by 12 percent."
)
REWRITE_ADDS = "I would also test the failure cases first: an empty feature, a stale model and a traffic spike."
FENCE = re.compile(r"(=====CANDIDATE TEXT [0-9a-f]+=====)\n(.*?)\n\1", re.DOTALL)
IDS = re.compile(r"Grade every rubric item: (.+?)\. Reply")


def _content(body: dict) -> str:
    prompt = "\n".join(m["content"] for m in body["messages"])
    if "You grade one answer" in prompt:
        answer = FENCE.findall(prompt)[-1][1]
        quote = re.split(r"(?<=[.!?])\s", answer, maxsplit=1)[0]
        ids = [i.strip() for i in IDS.search(prompt).group(1).split(",")]  # type: ignore[union-attr]
        items = [{"item_id": i, "reasoning": "Named with a reason.", "evidence": [quote], "score": 2} for i in ids]
        return json.dumps({"items": items})
    if "Which of these points" in prompt:
        return json.dumps({"covered": []})
    if "You rewrite a candidate's answer" in prompt:
        return f"{FENCE.findall(prompt)[-1][1]} {REWRITE_ADDS}"
    return LINE


class MockProvider(BaseHTTPRequestHandler):
    delay_s = 0.2

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        time.sleep(self.delay_s)
        text = _content(body)
        usage = {"prompt_tokens": count_messages(body["messages"], MODEL), "completion_tokens": count_tokens(text)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if body.get("stream"):
            self._send("text/event-stream", b"".join(self._sse(text, usage)))
        else:
            choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            reply = {"id": "b", "object": "chat.completion", "created": 1, "model": "bench", "choices": [choice]}
            self._send("application/json", json.dumps({**reply, "usage": usage}).encode())

    def _sse(self, text: str, usage: dict) -> Iterable[bytes]:
        base = {"id": "b", "object": "chat.completion.chunk", "created": 1, "model": "bench"}
        for word in re.findall(r"\S+\s*", text):
            yield self._event({**base, "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]})
        yield self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        yield self._event({**base, "choices": [], "usage": usage})
        yield b"data: [DONE]\n\n"

    @staticmethod
    def _event(data: dict) -> bytes:
        return f"data: {json.dumps(data)}\n\n".encode()

    def _send(self, kind: str, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class ScriptedIO:
    """Answers on topic: the fixed answer plus two of the current question's rubric signals."""

    def __init__(self, answers: int) -> None:
        self.left = answers
        self.last_answer_at = 0.0
        self.question: Callable[[], Question] | None = None
        self.console = Console(file=open("/dev/null", "w"))  # noqa: SIM115

    def interviewer(self, chunks: Iterable[str]) -> str:
        return "".join(chunks)

    def read_answer(self) -> str | None:
        if self.left == 0:
            return None
        self.left -= 1
        self.last_answer_at = time.perf_counter()
        assert self.question is not None
        signals = [item.signals[0] for item in self.question().rubric[:2]]
        return f"{ANSWER} Here I would focus on {' and '.join(signals)}, because it matters most."

    def info(self, text: str) -> None:
        pass

    def wait_for_all(self, label: str, futures: list) -> None:
        for future in futures:
            future.result()

    def round_break(self, next_round: str) -> None:
        pass

    def attach(self, interviewer, grader_name: str, engine) -> None:
        pass


def _spoken_moves(record: SessionRecord) -> list[str]:
    """The move of every interviewer turn, in order, the closing line last."""
    moves = [str(t.move) for r in record.engine.runs for t in r.turns if t.role == "interviewer" and t.move]
    return [*moves, "close"]


def run_session(api_base: str, coverage: str, rewrite: bool = True) -> None:
    io = ScriptedIO(answers=40)
    os.environ["INTERVIEWER_INTERVIEWER__COVERAGE"] = coverage
    os.environ["INTERVIEWER_GRADER__REWRITE"] = str(rewrite).lower()
    with tempfile.TemporaryDirectory() as tmp:
        options = StartOptions(
            questions=6, seed=1, level="mid", transcripts_dir=Path(tmp), model=MODEL, api_base=api_base
        )
        session, _ = prepare_session(options, io)
        io.question = lambda: session.engine.question
        record = session.run()
        finished = time.perf_counter()
        assert session.store.report_path(record.id).exists()
    plan = record.questions
    turns = [u.prompt_tokens for u in record.usage if u.purpose == "interviewer"]
    coverage_calls = [u for u in record.usage if u.purpose == "coverage"]
    prompt, completion, _ = record.token_totals()
    answers = sum(len(r.answers()) for r in record.engine.runs)
    paths = sorted({g.path.value for g in record.grades.values()})
    mode = f"coverage = {coverage!r}, rewrite {'on' if rewrite else 'off'}"
    print(f"{mode}: {len(plan)} questions, {answers} answers, {len(turns)} interviewer turns")
    print(
        f"  interviewer prompt tokens per turn: first {turns[0]}, last {turns[-1]}, max {max(turns)}, "
        f"median {statistics.median(turns):.0f}; {_spoken_moves(record).count('ask')} questions read from the bank"
    )
    purposes = Counter(u.purpose for u in record.usage)
    print(
        f"  total tokens: {prompt} prompt + {completion} completion = {prompt + completion} "
        f"over {len(record.usage)} model calls ({', '.join(f'{k} {v}' for k, v in sorted(purposes.items()))}); "
        f"grade paths {paths}"
    )
    if coverage_calls:
        print(
            f"  coverage calls: {len(coverage_calls)}, per call median "
            f"{statistics.median(u.prompt_tokens for u in coverage_calls):.0f} prompt + "
            f"{statistics.median(u.completion_tokens for u in coverage_calls):.0f} completion tokens, "
            f"{statistics.median(u.seconds for u in coverage_calls) * 1000:.0f} ms"
        )
    print(
        f"  last answer -> finished report: {(finished - io.last_answer_at) * 1000:.0f} ms "
        f"(grading wait {record.timings.get('grading_wait_s', 0) * 1000:.0f} ms)"
    )


class FirstQuestionIO(ScriptedIO):
    """Prints seconds since `launched_at` when the first question (the line after the greeting) is on
    screen, then ends the input."""

    def __init__(self, launched_at: float) -> None:
        super().__init__(answers=0)
        self.launched_at = launched_at
        self.lines = 0

    def interviewer(self, chunks: Iterable[str]) -> str:
        text = "".join(chunks)
        self.lines += 1
        if self.lines == 2:
            print(f"{time.time() - self.launched_at:.3f}")
        return text


def first_question_child(api_base: str, launched_at: float) -> None:
    """In a fresh process (litellm not imported): prepare and start a session, up to the first question."""
    with tempfile.TemporaryDirectory() as tmp:
        options = StartOptions(
            questions=6, seed=1, level="mid", transcripts_dir=Path(tmp), model=MODEL, api_base=api_base
        )
        session, _ = prepare_session(options, FirstQuestionIO(launched_at))
        session.interviewer.warm()  # as `start` does
        session.run()


def launch_to_first_question(api_base: str, runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        launched = time.time()
        child = [sys.executable, __file__, "--first-question", api_base, "--launched-at", repr(launched)]
        out = subprocess.run(child, capture_output=True, text=True, check=True, env=os.environ)
        times.append(float(out.stdout.split()[-1]))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=200.0, help="Fixed delay per call of the mock server.")
    parser.add_argument("--launch-delay-ms", type=float, default=1000.0, help="Model delay for the launch timing.")
    parser.add_argument("--first-question", metavar="API_BASE", help=argparse.SUPPRESS)
    parser.add_argument("--launched-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["INTERVIEWER_CONFIG"] = os.devnull  # the bench's settings only, never the user's config
    if args.first_question:
        first_question_child(args.first_question, args.launched_at)
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), MockProvider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api_base = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        MockProvider.delay_s = args.launch_delay_ms / 1000
        times = launch_to_first_question(api_base)
        print(
            f"launch -> first question on screen, fresh process, {args.launch_delay_ms:.0f} ms model: "
            f"{', '.join(f'{t:.2f}' for t in times)} s (median {statistics.median(times):.2f} s)"
        )
        MockProvider.delay_s = args.delay_ms / 1000
        print(f"mock server {api_base}, {args.delay_ms:.0f} ms per call")
        for coverage, rewrite in (("detector", True), ("llm", True), ("detector", False)):
            run_session(api_base, coverage, rewrite)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
