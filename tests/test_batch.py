"""Batch grading: order under concurrency, resumable output, a shared rate-limit back-off, the cost guard,
bad entries reported by index. No test times anything: completion order is forced with events, and
waits go through injected clocks and sleeps."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import httpx
import pytest
import respx

from interviewer.backends.base import GradeReply, GradeRequest
from interviewer.backends.llm import LLMClient, LLMGrader, grading_estimate
from interviewer.backends.llm_pacing import Gate
from interviewer.backends.offline import offline_item_scores
from interviewer.bank.loader import Bank
from interviewer.batch import Entry, JsonlSink, Result, Tally, entries_from_rows, run_batch
from interviewer.grading.models import GradePath
from interviewer.limits import MAX_MODEL_ANSWER_CHARS
from interviewer.settings import ModelSettings
from tests import answers
from tests.helpers import PACK_ARGS, run_cli
from tests.llm_mocks import OPENAI_URL, FakeModel, error, once

MODEL = "openai/gpt-4o-mini"
PROXY = "http://127.0.0.1:4000/v1"  # a litellm proxy (OpenAI-compatible) in front of several deployments


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-123456")


def rows(n: int) -> list[dict[str, str]]:
    texts = [answers.STRONG_IMBALANCE, answers.PARTIAL_IMBALANCE, answers.CV_ANSWER]
    ids = ["imbalanced-data", "imbalanced-data", "cross-validation"]
    return [{"id": f"a{i}", "question": ids[i % 3], "answer": texts[i % 3]} for i in range(1, n + 1)]


def write_jsonl(path: Path, data: list) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in data))
    return path


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


class ChainedGrader:
    """Offline scores, but entry n finishes only after entry n+1 did: completion order is the reverse of input."""

    name = "chained"

    def __init__(self, finished: dict[str, threading.Event], order: list[str]) -> None:
        self.finished, self.order = finished, order

    def grade(self, request: GradeRequest) -> GradeReply:
        mine = request.answer.split()[-1]
        later = str(int(mine) + 1)
        if later in self.finished:
            assert self.finished[later].wait(10), "the later entry never finished: not run concurrently"
        self.order.append(mine)
        self.finished[mine].set()
        return GradeReply(items=offline_item_scores(request.question, request.answer), path=GradePath.offline)


def test_results_keep_input_order_though_they_complete_in_reverse(bank: Bank, tmp_path: Path) -> None:
    data = [{"question": "imbalanced-data", "answer": f"{answers.PARTIAL_IMBALANCE} Entry {n}"} for n in (1, 2, 3, 4)]
    finished = {str(n): threading.Event() for n in (1, 2, 3, 4)}
    order: list[str] = []
    sink = JsonlSink(tmp_path / "results.jsonl")
    outcome = run_batch(
        entries_from_rows(data, bank.questions), lambda gate: ChainedGrader(finished, order), jobs=4, sink=sink
    )
    assert order == ["4", "3", "2", "1"]
    assert sorted(line["index"] for line in lines(sink.path)) == [1, 2, 3, 4]  # written as each completes
    assert [r.entry.index for r in outcome.results] == [1, 2, 3, 4]  # returned in input order
    assert outcome.stopped is None and outcome.tally.graded == 4


class PidGrader:
    """Offline scores, noting which process graded each answer."""

    name = "pid"

    def grade(self, request: GradeRequest) -> GradeReply:
        items = offline_item_scores(request.question, request.answer)
        return GradeReply(items=items, path=GradePath.offline, notes=[f"pid {os.getpid()}"])


def test_offline_grading_in_worker_processes_gives_the_same_grades_in_input_order(bank: Bank, tmp_path: Path) -> None:
    entries = entries_from_rows([*rows(6), {"question": "no-such-question", "answer": "x"}], bank.questions)
    sink = JsonlSink(tmp_path / "results.jsonl")
    in_processes = run_batch(entries, lambda gate: PidGrader(), jobs=2, sink=sink, processes=True)
    in_threads = run_batch(entries, lambda gate: PidGrader(), jobs=2)
    assert [r.entry.index for r in in_processes.results] == [1, 2, 3, 4, 5, 6, 7]
    assert [r.grade.model_dump(exclude={"notes"}) for r in in_processes.results[:6]] == [
        r.grade.model_dump(exclude={"notes"}) for r in in_threads.results[:6]
    ]
    graders = {r.grade.notes[0] for r in in_processes.results[:6]}
    assert f"pid {os.getpid()}" not in graders  # graded in the workers, not here
    assert in_processes.results[6].problem and in_processes.tally.problems == 1
    assert sorted(line["index"] for line in lines(sink.path)) == [1, 2, 3, 4, 5, 6, 7]


def test_a_large_batch_handed_to_workers_several_entries_a_task_keeps_every_grade_in_input_order(bank: Bank) -> None:
    entries = entries_from_rows(rows(40), bank.questions)
    in_processes = run_batch(entries, lambda gate: PidGrader(), jobs=2, processes=True)
    in_threads = run_batch(entries, lambda gate: PidGrader(), jobs=2)
    assert [r.entry.index for r in in_processes.results] == list(range(1, 41))
    assert [r.grade.model_dump(exclude={"notes"}) for r in in_processes.results] == [
        r.grade.model_dump(exclude={"notes"}) for r in in_threads.results
    ]
    assert in_processes.tally.graded == 40


class CountingGrader:
    name = "counting"

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    def grade(self, request: GradeRequest) -> GradeReply:
        self.seen.append(request.answer)
        return GradeReply(items=offline_item_scores(request.question, request.answer), path=GradePath.offline)


def test_a_rerun_grades_only_the_entries_not_in_the_results_file(bank: Bank, tmp_path: Path) -> None:
    sink = JsonlSink(tmp_path / "results.jsonl")
    first: list[str] = []
    run_batch(entries_from_rows(rows(3), bank.questions), lambda gate: CountingGrader(first), jobs=2, sink=sink)
    more = rows(5)
    more[1]["answer"] += " With grouped data I would keep each group inside one fold."  # edited since
    second: list[str] = []
    outcome = run_batch(entries_from_rows(more, bank.questions), lambda gate: CountingGrader(second), jobs=2, sink=sink)
    assert len(first) == 3
    assert sorted(second) == sorted([more[1]["answer"], more[3]["answer"], more[4]["answer"]])
    assert outcome.tally.skipped == 2
    assert sorted(line["id"] for line in lines(sink.path)) == ["a1", "a2", "a2", "a3", "a4", "a5"]


def test_a_torn_last_line_is_graded_again(bank: Bank, tmp_path: Path) -> None:
    sink = JsonlSink(tmp_path / "results.jsonl")
    run_batch(entries_from_rows(rows(2), bank.questions), lambda gate: CountingGrader([]), jobs=1, sink=sink)
    text = sink.path.read_text()
    sink.path.write_text(text[: len(text) - 40])  # killed while writing the second line
    seen: list[str] = []
    run_batch(entries_from_rows(rows(2), bank.questions), lambda gate: CountingGrader(seen), jobs=1, sink=sink)
    assert seen == [rows(2)[1]["answer"]]


def test_stopping_ends_the_run_after_the_request_in_flight(bank: Bank, tmp_path: Path) -> None:
    stop = threading.Event()
    sink = JsonlSink(tmp_path / "results.jsonl")

    def on_result(result: Result, tally: Tally) -> None:
        stop.set()  # what Ctrl-C does

    outcome = run_batch(
        entries_from_rows(rows(5), bank.questions),
        lambda gate: CountingGrader([]),
        jobs=1,
        sink=sink,
        on_result=on_result,
        stop=stop,
    )
    assert outcome.stopped == "interrupted"
    assert [line["id"] for line in lines(sink.path)] == ["a1"]


def test_ctrl_c_keeps_the_requests_in_flight_and_starts_no_more(bank: Bank, tmp_path: Path) -> None:
    sink = JsonlSink(tmp_path / "results.jsonl")
    seen: list[str] = []

    def interrupt(result: Result, tally: Tally) -> None:
        if tally.done == 1:
            raise KeyboardInterrupt  # arrives in the calling thread, as Ctrl-C does

    outcome = run_batch(
        entries_from_rows(rows(6), bank.questions), lambda gate: CountingGrader(seen), jobs=2, sink=sink,
        on_result=interrupt,
    )  # fmt: skip
    assert outcome.stopped == "interrupted"
    assert len(seen) == 2 and len(lines(sink.path)) == 2  # the one done and the one in flight, nothing after


def test_bad_entries_are_reported_by_index_and_the_rest_graded(bank: Bank) -> None:
    data = [
        rows(1)[0],
        {"question": "no-such-question", "answer": "text"},
        "just a string",
        {"question": "imbalanced-data"},
        {"question": "imbalanced-data", "answer": "x" * (MAX_MODEL_ANSWER_CHARS + 1)},
        {"question": "cross-validation", "answer": answers.CV_ANSWER},
    ]
    outcome = run_batch(entries_from_rows(data, bank.questions), lambda gate: CountingGrader([]), jobs=2)
    problems = {r.entry.index: r.problem for r in outcome.results if r.problem}
    assert problems == {
        2: "no question with id 'no-such-question' in the bank",
        3: "expected a mapping with question and answer, got text",
        4: "no 'answer' field",
        5: f"the answer has {MAX_MODEL_ANSWER_CHARS + 1:,} characters, over the {MAX_MODEL_ANSWER_CHARS:,} limit",
    }
    assert [r.entry.index for r in outcome.results if r.grade] == [1, 6]


# -- the CLI ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "found"),
    [
        ("", "an empty file"),
        ("42\n", "a single int value"),
        ("{}\n", "a mapping with no 'answers' list"),
        ("[]\n", "an empty list"),
    ],
)
def test_an_answers_file_with_no_entries_is_one_line_and_a_failure(tmp_path: Path, content: str, found: str) -> None:
    path = tmp_path / "batch.yaml"
    path.write_text(content)
    result = run_cli("grade", *PACK_ARGS, "--answers", str(path))
    assert result.exit_code == 2
    assert f"{path} holds {found}: expected a list of {{question, answer}} entries" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "found"),
    [("[" * 5000 + "]" * 5000, "is nested too deeply"), ("- question: [unclosed\n", "is not valid YAML or JSON")],
)
def test_an_unreadable_answers_file_is_one_line(tmp_path: Path, content: str, found: str) -> None:
    path = tmp_path / "batch.yaml"
    path.write_text(content)
    result = run_cli("grade", *PACK_ARGS, "--answers", str(path))
    assert result.exit_code == 2 and f"{path} {found}" in result.output
    assert "Traceback" not in result.output


def test_cli_reports_bad_entries_by_index_in_the_results_file_and_on_screen(tmp_path: Path) -> None:
    batch = write_jsonl(tmp_path / "batch.ndjson", [rows(1)[0], {"question": "nope", "answer": "x"}, rows(2)[1]])
    with (tmp_path / "batch.ndjson").open("a") as handle:
        handle.write("{not json\n")
    out = tmp_path / "results.jsonl"
    result = run_cli("grade", *PACK_ARGS, "--answers", str(batch), "--out", str(out), "--json")
    assert result.exit_code == 1
    assert "entry 2 (nope): no question with id 'nope' in the bank" in result.output
    assert "entry 4 (#4): line 4 is not valid JSON" in result.output
    written = {line["index"]: line for line in lines(out)}
    assert written[2]["error"] == "no question with id 'nope' in the bank"
    assert written[1]["kind"] == "ok" and written[3]["question_id"] == "cross-validation"
    assert "Graded 2 of 4, 2 not gradable" in result.output


def test_strict_grades_nothing_when_an_entry_is_bad(tmp_path: Path) -> None:
    batch = write_jsonl(tmp_path / "batch.jsonl", [rows(1)[0], {"question": "nope", "answer": "x"}])
    out = tmp_path / "results.jsonl"
    result = run_cli("grade", *PACK_ARGS, "--answers", str(batch), "--out", str(out), "--strict")
    assert result.exit_code == 1
    assert "entry 2 (nope): no question with id 'nope' in the bank" in result.output
    assert "--strict: nothing was graded" in result.output
    assert not out.exists()


def test_each_json_result_carries_index_and_id_and_the_outline_only_when_asked(tmp_path: Path) -> None:
    batch = write_jsonl(tmp_path / "batch.jsonl", rows(2))
    piped = run_cli("grade", *PACK_ARGS, "--answers", str(batch), "--json")
    plain = json.loads(piped.stdout)
    outlined = json.loads(run_cli("grade", *PACK_ARGS, "--answers", str(batch), "--json", "--with-outline").stdout)
    assert [(r["index"], r["id"]) for r in plain] == [(1, "a1"), (2, "a2")]
    assert piped.stderr == "Graded 2 of 2\n"  # on a pipe: no progress bar, one closing line
    assert all("strong_answer" not in r for r in plain)
    assert all(r["strong_answer"] for r in outlined)


def test_cli_rerun_with_out_continues_where_it_stopped(tmp_path: Path) -> None:
    batch = write_jsonl(tmp_path / "batch.jsonl", rows(2))
    out = tmp_path / "results.jsonl"
    run_cli("grade", *PACK_ARGS, "--answers", str(batch), "--out", str(out))
    write_jsonl(batch, rows(4))
    result = run_cli("grade", *PACK_ARGS, "--answers", str(batch), "--out", str(out))
    assert result.exit_code == 0
    assert f"Graded 2 of 2 (2 already done); results in {out}" in result.output
    assert sorted(line["id"] for line in lines(out)) == ["a1", "a2", "a3", "a4"]


# -- a model grader over HTTP (respx) ---------------------------------------------------------------------
def test_a_shared_gate_makes_a_429_seen_by_one_worker_pause_the_next(mock: respx.MockRouter) -> None:
    fake = FakeModel(script=[once(lambda: error(429, "slow down", headers={"retry-after": "5"}))])
    mock.post(OPENAI_URL).mock(side_effect=fake)
    gate = Gate(clock=lambda: 100.0)  # a clock that does not move: waits are computed, never slept
    slept: dict[str, list[float]] = {"a": [], "b": []}
    settings = ModelSettings(model=MODEL, retries=2)
    first = LLMClient(settings, sleep=slept["a"].append, gate=gate)
    second = LLMClient(settings, sleep=slept["b"].append, gate=gate)
    messages = [{"role": "user", "content": "Reply with the word OK."}]
    first.complete(messages, "grader")
    second.complete(messages, "grader")
    assert slept == {"a": [5.0], "b": [5.0]}  # b waited at the gate before sending, though it never got a 429
    assert len(fake.bodies) == 3 and gate.holds == 1


def test_a_429_storm_loses_nothing_and_keeps_order(mock: respx.MockRouter, bank: Bank) -> None:
    storm = once(lambda: error(429, "rate limited", headers={"retry-after": "2"}), kind="grader", times=6)
    fake = FakeModel(script=[storm])
    mock.post(OPENAI_URL).mock(side_effect=fake)
    slept: list[float] = []

    def make(gate: Gate) -> LLMGrader:
        grader = LLMGrader(ModelSettings(model=MODEL, retries=6), gate=gate)
        grader.client.sleep = slept.append
        return grader

    outcome = run_batch(entries_from_rows(rows(8), bank.questions), make, jobs=4, gate=Gate(clock=lambda: 0.0))
    assert outcome.stopped is None
    assert [r.entry.id for r in outcome.results] == [f"a{n}" for n in range(1, 9)]
    assert all(r.grade is not None and r.grade.path is GradePath.llm_json_schema for r in outcome.results)
    assert outcome.rate_limited == 6 and len(fake.of_kind("grader")) == 8 + 6
    assert sum(slept) >= 6 * 2.0  # every 429 was waited out, by the worker that got it at least


def test_a_provider_that_keeps_failing_stops_the_run_and_keeps_what_was_done(
    mock: respx.MockRouter, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("INTERVIEWER_GRADER__RETRIES", "0")
    down = lambda model, body: error(503, "overloaded") if len(model.of_kind("grader")) > 2 else None  # noqa: E731
    mock.post(OPENAI_URL).mock(side_effect=FakeModel(script=[down]))
    batch = write_jsonl(tmp_path / "batch.jsonl", rows(6))
    out = tmp_path / "results.jsonl"
    args = ("grade", *PACK_ARGS, "--answers", str(batch), "--out", str(out), "--grader-model", MODEL, "--jobs", "1")
    result = run_cli(*args)
    assert result.exit_code == 3
    assert "Stopped: the grader's provider kept failing: openai/gpt-4o-mini: OpenAI had a server error (503)" in (
        result.output
    )
    assert "4 entries left; once it is fixed, run the same command again to continue." in result.output
    assert [line["id"] for line in lines(out)] == ["a1", "a2"]
    assert all(line["path"] == "llm_json_schema" for line in lines(out))


def test_max_cost_stops_before_the_limit_is_passed(mock: respx.MockRouter, tmp_path: Path, bank: Bank) -> None:
    mock.post(OPENAI_URL).mock(side_effect=FakeModel())
    batch = write_jsonl(tmp_path / "batch.jsonl", rows(6))
    out = tmp_path / "results.jsonl"
    one = grading_estimate(ModelSettings(model=MODEL), bank.get("imbalanced-data"), answers.STRONG_IMBALANCE)
    limit = 2 * one.cost_usd
    base = ("grade", *PACK_ARGS, "--answers", str(batch), "--out", str(out), "--grader-model", MODEL, "--jobs", "1")
    result = run_cli(*base, "--max-cost", f"{limit:.8f}")
    assert "Estimate for 6 answers with openai/gpt-4o-mini" in result.output
    assert f"Stopped before --max-cost ${float(f'{limit:.8f}'):g} would be passed" in result.output
    assert result.exit_code == 1
    done = lines(out)
    spent = sum(u["cost_usd"] for line in done for u in line["usage"])
    assert 1 <= len(done) < 6 and spent <= limit
    again = run_cli(*base, "--max-cost", "1")
    assert again.exit_code == 0 and len(lines(out)) == 6


def test_max_cost_needs_a_price_a_local_model_has_none(mock: respx.MockRouter, tmp_path: Path) -> None:
    batch = write_jsonl(tmp_path / "batch.jsonl", rows(2))
    result = run_cli(
        "grade", *PACK_ARGS, "--answers", str(batch), "--grader-model", "openai/local-model",
        "--api-base", "http://127.0.0.1:8765/v1", "--max-cost", "0.5",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "cost unknown (litellm has no price for openai/local-model)" in result.output
    assert "--max-cost cannot be enforced: litellm has no price for openai/local-model" in result.output


def test_a_litellm_proxy_at_api_base_grades_the_batch(mock: respx.MockRouter, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proxy-virtual-key-42")  # the proxy's virtual key
    route = mock.post(f"{PROXY}/chat/completions").mock(side_effect=FakeModel())
    batch = write_jsonl(tmp_path / "batch.jsonl", rows(3))
    result = run_cli(
        "grade", *PACK_ARGS, "--answers", str(batch), "--grader-model", MODEL, "--api-base", PROXY, "--jobs", "3",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    graded = json.loads(result.stdout)
    assert [g["path"] for g in graded] == ["llm_json_schema"] * 3
    assert route.call_count == 3
    assert all(c.request.headers["authorization"] == "Bearer sk-proxy-virtual-key-42" for c in route.calls)
    assert all(g["usage"][0]["cost_usd"] > 0 for g in graded)  # priced by the model name the proxy serves


def test_a_rejected_entry_is_reported_and_the_rest_graded(mock: respx.MockRouter, bank: Bank) -> None:

    def refuse(model: FakeModel, body: dict) -> httpx.Response | None:
        return error(400, "content policy") if "Entry 2" in json.dumps(body) else None

    mock.post(OPENAI_URL).mock(side_effect=FakeModel(script=[refuse]))
    data = [{"question": "imbalanced-data", "answer": f"{answers.PARTIAL_IMBALANCE} Entry {n}"} for n in (1, 2, 3)]
    outcome = run_batch(
        entries_from_rows(data, bank.questions), lambda gate: LLMGrader(ModelSettings(model=MODEL), gate=gate), jobs=1
    )
    assert outcome.stopped is None
    assert [r.grade is not None for r in outcome.results] == [True, False, True]
    assert "the provider rejected this entry" in (outcome.results[1].problem or "")


def test_entries_of_the_runner_are_plain_values(bank: Bank) -> None:
    [entry] = entries_from_rows(
        [{"question": "imbalanced-data", "answer": "precision and recall", "id": 7}], bank.questions
    )
    assert entry == Entry(1, "7", bank.get("imbalanced-data"), "precision and recall")
    with pytest.raises(ValueError, match="max_cost needs an estimate"):
        run_batch([entry], lambda gate: CountingGrader([]), jobs=1, max_cost=1.0)
