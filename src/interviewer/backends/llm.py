"""The litellm backend: any litellm model string interviews (streamed) and grades (structured JSON).

This is the only module that imports litellm, and only inside functions: the import costs
seconds, so `warm()` starts it in a background thread when an interview begins, and `--help`,
`review` and offline sessions never pay it. Nothing here reaches the network at import time;
litellm is told to use its bundled model-cost map and Anthropic header config. Questions, repeats
and pauses are read from the bank (LOCAL_MOVES), and pre-flight knows the common providers without
litellm, so the first question never waits for the import or a model call.

Rubric coverage (which items an answer covered, to steer follow-ups) comes by default from the
offline detector: 0 tokens and 1-3 ms per answer. A model judgement costs one more
call per answer, on the critical path before the next interviewer line can start: about 330
prompt and 5 completion tokens per answer on the built-in bank, +32% tokens over a 6-question
session (18.8k -> 24.8k), plus that call's latency every turn (bench/llm_session.py,
docs/providers.md). The grader reads the answers anyway, so the detector's misses cost a follow-up
that was not needed, never a score. `coverage = "llm"` asks the model, only about the items the
detector did not find, and skips the call when it found them all.

Local OpenAI-compatible servers differ from OpenAI in ways that matter here (tests/e2e runs a real
llama.cpp server): `max_tokens` is always sent, because a missing cap means "until the context is
full" there; a stream may carry no usage (tokens are then counted); a model may stream nothing at
all (the offline phrasing of the move is used instead); a server may reject `json_schema` with a
500 (the chain steps down; see llm_errors and llm_output).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from types import ModuleType
from typing import Any, Generic, TypeVar

from interviewer.backends.base import (
    RESTART,
    BackendError,
    GradeReply,
    GradeRequest,
    LineRequest,
    LineStream,
)
from interviewer.backends.chat import ChatModel, Messages, Repair
from interviewer.backends.follow_up import problem
from interviewer.backends.llm_errors import RequestRejected, backend_error, is_rate_limit, retry_delay
from interviewer.backends.llm_output import (
    MODES,
    PATHS,
    CoverageOutput,
    GraderOutput,
    OutputInvalid,
    OutputMode,
    check_ids,
    parse,
    response_format,
)
from interviewer.backends.llm_pacing import Gate
from interviewer.backends.llm_prompts import (
    coverage_messages,
    follow_up_messages,
    grader_messages,
    interviewer_messages,
    reask_messages,
)
from interviewer.backends.offline import OfflineInterviewer, clarifying_facts
from interviewer.backends.rewrite import rewrite_answer
from interviewer.bank.derived import effective_rubric
from interviewer.bank.models import Question
from interviewer.engine.actions import FOLLOW_UP_MOVES, Move
from interviewer.grading.detector import detect
from interviewer.grading.models import GradePath, ItemScore, Usage
from interviewer.grading.offline import offline_item_scores
from interviewer.grading.requests import RewriteReply, RewriteRequest
from interviewer.grading.semantic import warm_up as semantic_warm_up
from interviewer.limits import MAX_KEPT_REASON_CHARS, MAX_MODEL_ANSWER_CHARS
from interviewer.settings import GraderModelSettings, InterviewerModelSettings, ModelSettings
from interviewer.text.redact import redact
from interviewer.tokens import count_messages, count_tokens

_LOCAL_DATA = ("LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS")
_DEFAULT_ENDPOINTS = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "ollama": "http://localhost:11434",
    "ollama_chat": "http://localhost:11434",
}
_PROVIDER_NAMES = {"openai": "OpenAI", "anthropic": "Anthropic", "ollama": "Ollama", "ollama_chat": "Ollama"}
_KEYS = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "ollama": None, "ollama_chat": None}
PLACEHOLDER_KEY = "no-key-needed"  # OpenAI-compatible local servers ignore the key, the SDK insists on one
DEFAULT_MAX_TOKENS = 1024  # always sent: llama.cpp servers read a missing cap as "until the context is full"
# providers that talk to an OpenAI-compatible server at api_base (llama.cpp, vLLM, LM Studio, ...)
_OPENAI_COMPATIBLE = ("openai", "hosted_vllm", "lm_studio", "llamafile")
_lock = threading.Lock()
_module: ModuleType | None = None


def litellm() -> ModuleType:
    """Import and configure litellm once (the warm-up thread usually got here first)."""
    global _module
    with _lock:
        if _module is None:
            for name in _LOCAL_DATA:
                os.environ.setdefault(name, "True")
            import litellm as module

            module.suppress_debug_info = True  # no "Give Feedback / Get Help" banners on the terminal
            module.disable_aiohttp_transport = True  # httpx everywhere: one transport, one set of errors
            for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
            _module = module
        return _module


def known_provider(settings: ModelSettings) -> tuple[str | None, str | None] | None:
    """(endpoint, key variable that is needed and not set) for the common providers, without importing
    litellm (a pre-flight check must not make the first question wait for that import); None otherwise."""
    provider, slash, _ = (settings.model or "").partition("/")
    if not slash or provider not in _KEYS:
        return None
    key = None if settings.api_base else _KEYS[provider]
    return settings.api_base or _DEFAULT_ENDPOINTS[provider], key if key and not os.environ.get(key) else None


def warm_up() -> None:
    if _module is None:
        threading.Thread(target=litellm, name="litellm-import", daemon=True).start()


def price(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    """Dollars from litellm's bundled price table; None for models it has no price for (local servers)."""
    try:
        return sum(
            litellm().cost_per_token(model=model, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
        )
    except Exception:  # litellm raises its own exception types for unknown models
        return None


COMPLETION_TOKENS_PER_ITEM = 80  # a grader's reasoning, quote and score for one rubric item (estimates only)


@dataclass(frozen=True)
class Estimate:
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None  # None: no price known for the model


def grading_estimate(settings: ModelSettings, question: Question, answer: str) -> Estimate:
    """Tokens and cost of grading one answer before it is sent: the prompt counted exactly, the reply
    estimated per rubric item and capped at max_tokens (a re-ask would double it)."""
    model = settings.model or ""
    prompt = count_messages(grader_messages(GradeRequest(question=question, answer=answer, thread=[])), model)
    cap = settings.max_tokens or DEFAULT_MAX_TOKENS
    completion = min(cap, COMPLETION_TOKENS_PER_ITEM * len(effective_rubric(question)))
    return Estimate(prompt, completion, price(model, prompt, completion))


T = TypeVar("T", GraderOutput, CoverageOutput)


@dataclass
class Structured(Generic[T]):
    value: T
    path: GradePath
    usage: list[Usage]
    notes: list[str] = field(default_factory=list)


@dataclass
class Reply:
    text: str
    usage: Usage
    finish_reason: str | None


class StructuredFailed(Exception):
    """The model's JSON failed validation twice; carries the usage of the calls made and the notes so far."""

    def __init__(self, message: str, usage: list[Usage], notes: list[str]) -> None:
        super().__init__(message)
        self.usage = usage
        self.notes = notes


class LLMClient:
    """One model: calls with retries and one-line errors, token and cost accounting, JSON fallbacks."""

    def __init__(
        self, settings: ModelSettings, *, sleep: Callable[[float], None] = time.sleep, gate: Gate | None = None
    ) -> None:
        if not settings.model:
            raise ValueError("LLMClient needs a model")
        self.settings = settings
        self.model: str = settings.model
        self.sleep = sleep
        self.gate = gate or Gate()  # shared by a batch's workers: a 429 pauses them all
        self._held = threading.local()  # this thread's own 429 hold, already slept through
        self._checked = False
        self._mode_floor: int | None = None  # index into MODES: richer formats are unsupported or were rejected

    # -- provider facts ----------------------------------------------------------------------
    def provider(self) -> tuple[str, str | None]:
        """(litellm provider name, endpoint) for this model string."""
        try:
            _, provider, _, base = litellm().get_llm_provider(self.model, api_base=self.settings.api_base)
        except Exception:
            raise BackendError(
                f"'{self.model}' names no provider litellm knows: write provider/model, e.g. openai/gpt-4o-mini"
            ) from None
        return provider, self.settings.api_base or base or _DEFAULT_ENDPOINTS.get(provider)

    def missing_key(self) -> str | None:
        """The provider's key variable when it is needed and not set (local servers need none)."""
        if self.settings.api_base:
            return None
        found = litellm().validate_environment(model=self.model)
        return next((k for k in found.get("missing_keys", []) if k.endswith(("_KEY", "_TOKEN"))), None)

    def check(self) -> None:
        """Before the first call: a model string litellm can route, and the provider's key."""
        if self._checked:
            return
        self.provider()
        if key := self.missing_key():
            raise BackendError(f"{self.model}: {key} is not set: export {key}=... or run with --model offline")
        self._checked = True

    def kwargs(self) -> dict[str, Any]:
        s = self.settings
        kwargs: dict[str, Any] = {"model": self.model, "timeout": s.timeout_s, "max_retries": 0, "drop_params": True}
        if s.api_base:
            kwargs["api_base"] = s.api_base
            if self.provider()[0] == "openai" and not os.environ.get("OPENAI_API_KEY"):
                kwargs["api_key"] = PLACEHOLDER_KEY
        if s.temperature is not None:
            kwargs["temperature"] = s.temperature
        kwargs["max_tokens"] = s.max_tokens or DEFAULT_MAX_TOKENS
        return kwargs

    # -- failures ----------------------------------------------------------------------------
    def pause_or_raise(self, exc: Exception, attempt: int) -> None:
        """Sleep before the next try, or raise the one-line BackendError for `exc`."""
        if isinstance(exc, BackendError):
            raise exc
        delay = retry_delay(exc, attempt, self.settings.retries)
        if delay is None:
            provider, endpoint = self.provider()
            raise backend_error(
                exc,
                model=self.model,
                provider=_PROVIDER_NAMES.get(provider, provider),
                key=f"{provider.split('_')[0].upper()}_API_KEY",
                endpoint=endpoint or "the provider",
                timeout=self.settings.timeout_s,
                attempts=attempt + 1,
            ) from exc
        if is_rate_limit(exc):
            self._held.until = self.gate.hold(delay)
        self.sleep(delay)

    def pace(self) -> None:
        """Before each request: wait while any worker sharing the gate is backing off from a 429."""
        self.gate.wait(self.sleep, getattr(self._held, "until", None))

    # -- accounting --------------------------------------------------------------------------
    def usage(self, purpose: str, messages: Messages, text: str, reported: Any, started: float) -> Usage:
        """Provider-reported tokens where given, else counted locally; litellm's cost estimate or None."""
        prompt = getattr(reported, "prompt_tokens", None) or count_messages(messages, self.model)
        completion = getattr(reported, "completion_tokens", None) or count_tokens(text, self.model)
        cost = price(self.model, prompt, completion)
        return Usage(
            model=self.model,
            purpose=purpose,
            prompt_tokens=prompt,
            completion_tokens=completion,
            cost_usd=cost,
            seconds=round(time.perf_counter() - started, 3),
        )

    # -- calls -------------------------------------------------------------------------------
    def stream(self, messages: Messages, purpose: str, repair: Repair | None = None) -> LLMLineStream:
        return LLMLineStream(self, messages, purpose, repair)

    def complete(self, messages: Messages, purpose: str, fmt: dict[str, Any] | None = None) -> tuple[str, Usage]:
        reply = self._call(messages, purpose, fmt)
        return reply.text, reply.usage

    def _call(self, messages: Messages, purpose: str, fmt: dict[str, Any] | None = None) -> Reply:
        self.check()
        started = time.perf_counter()
        extra = {"response_format": fmt} if fmt else {}
        for attempt in itertools.count():
            self.pace()
            try:
                response = litellm().completion(messages=messages, **self.kwargs(), **extra)
                break
            except Exception as exc:  # litellm's exception classes, mapped in llm_errors
                self.pause_or_raise(exc, attempt)
        choice = response.choices[0]
        text = choice.message.content or ""
        usage = self.usage(purpose, messages, text, getattr(response, "usage", None), started)
        return Reply(text, usage, getattr(choice, "finish_reason", None))

    def modes(self) -> tuple[OutputMode, ...]:
        """The structured-output chain for this model: JSON mode with a schema only for servers at api_base."""
        if self.settings.api_base and self.provider()[0] in _OPENAI_COMPATIBLE:
            return MODES
        return tuple(mode for mode in MODES if mode is not OutputMode.json_object_schema)

    def _first_mode(self) -> OutputMode:
        """JSON schema if litellm knows the model supports it or does not know the model at all."""
        module = litellm()
        provider = self.provider()[0]
        name = self.model.split("/", 1)[-1]
        supported = module.get_supported_openai_params(model=name, custom_llm_provider=provider) or []
        if "response_format" not in supported:
            return OutputMode.plain
        try:
            info = module.get_model_info(self.model)
        except Exception:  # not in litellm's map (a local server): try the schema; a rejection steps down
            return OutputMode.json_schema
        return OutputMode.json_schema if info.get("supports_response_schema") else OutputMode.json_object

    def _first_reply(
        self, messages: Messages, output: type[T], ids: list[str], purpose: str, notes: list[str]
    ) -> tuple[Reply, OutputMode]:
        """Ask in the richest format not yet rejected; a rejection steps down to the next (and is remembered)."""
        modes = self.modes()
        if self._mode_floor is None:
            self._mode_floor = modes.index(self._first_mode())
        for mode in modes[self._mode_floor : -1]:
            try:
                return self._call(messages, purpose, response_format(mode, output, ids)), mode
            except RequestRejected as exc:
                self._mode_floor = max(self._mode_floor or 0, modes.index(mode) + 1)
                notes.append(f"{mode.value} output rejected ({exc}); asked more simply")
        return self._call(messages, purpose), OutputMode.plain

    def _problem(self, exc: OutputInvalid, reply: Reply) -> str:
        """The validation error, and whether the reply was cut off by the token cap (a likely cause)."""
        if reply.finish_reason != "length":
            return str(exc)
        cap = self.settings.max_tokens or DEFAULT_MAX_TOKENS
        return f"{exc} (the reply was cut off at max_tokens={cap}: raise max_tokens or reply more briefly)"

    def structured(
        self, messages: Messages, output: type[T], purpose: str, check: Callable[[T], None], ids: list[str]
    ) -> Structured[T]:
        """A validated `output` whose ids come from `ids`: schema, then JSON mode, then extraction;
        one re-ask on an invalid reply."""
        self.check()
        notes: list[str] = []
        reply, mode = self._first_reply(messages, output, ids, purpose, notes)
        usage = [reply.usage]
        try:
            value, extracted = parse(reply.text, output, check)
            return Structured(value, PATHS[OutputMode.plain if extracted else mode], usage, notes)
        except OutputInvalid as exc:
            first = self._problem(exc, reply)
        fmt = response_format(mode, output, ids)
        second = self._call(reask_messages(messages, reply.text, first), purpose, fmt)
        usage.append(second.usage)
        try:
            value, _ = parse(second.text, output, check)
        except OutputInvalid as exc:
            message = f"invalid JSON twice: {first}; then {self._problem(exc, second)}"
            raise StructuredFailed(message, usage, notes) from None
        return Structured(value, GradePath.llm_reasked, usage, [*notes, f"re-asked once: {first}"])


class LLMLineStream:
    """Interviewer text as the model streams it. A stream that breaks before any text is retried
    like any call; one that breaks midway starts the line again after a marker. A model that says
    nothing usable (small local models do) is completed by `repair`, which sees the whole line and
    returns what to add and a note for the transcript, or None when the line is fine."""

    def __init__(self, client: LLMClient, messages: Messages, purpose: str, repair: Repair | None = None) -> None:
        self.client = client
        self.messages = messages
        self.purpose = purpose
        self.repair = repair
        self.usage: list[Usage] = []
        self.notes: list[str] = []

    def __iter__(self) -> Iterator[str]:
        client = self.client
        client.check()
        started = time.perf_counter()
        reported: Any = None
        for attempt in itertools.count():
            shown: list[str] = []
            client.pace()
            try:
                response = litellm().completion(
                    messages=self.messages, stream=True, stream_options={"include_usage": True}, **client.kwargs()
                )
                for chunk in response:
                    reported = getattr(chunk, "usage", None) or reported
                    piece = chunk.choices[0].delta.content if chunk.choices else None
                    if piece:
                        shown.append(piece)
                        yield piece
                break
            except Exception as exc:  # litellm's exception classes, mapped in llm_errors
                client.pause_or_raise(exc, attempt)
                if shown:
                    yield RESTART
        text = "".join(shown)
        self.usage.append(client.usage(self.purpose, self.messages, text, reported, started))
        fix = self.repair(text) if self.repair is not None else None
        if fix is not None:
            addition, note = fix
            self.notes.append(f"{client.model} {note}")
            yield addition


def _repair_line(request: LineRequest, text: str) -> tuple[str, str] | None:
    """Model output is untrusted: an empty line gets the offline wording."""
    if not text.strip():
        return OfflineInterviewer().say(request).text, "said nothing; the offline phrasing was used"
    return None


# Read out from the bank, never generated: the question itself, saving and quitting (which must work
# with the provider down), and the in-session help.
LOCAL_MOVES = frozenset({Move.ask, Move.pause, Move.repeat})


@dataclass
class CheckedFollowUp:
    """A follow-up the model writes from the candidate's words, shown only once it passes `follow_up.problem`;
    otherwise the bank's authored follow-up is said and the transcript notes why. Called when iterated, so the
    terminal's spinner names the model while it writes."""

    client: ChatModel
    request: LineRequest
    usage: list[Usage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[str]:
        request = self.request
        text, usage = self.client.complete(follow_up_messages(request), "interviewer")
        self.usage.append(usage)
        candidate = [t.text for t in request.thread if t.role == "candidate"]
        why = problem(text, request.question, candidate)
        if why is None:
            yield " ".join(text.split())
            return
        self.notes.append(f"{self.client.model} wrote a follow-up that was not used: {why}; the authored one was asked")
        yield OfflineInterviewer().say(request).text


class LLMInterviewer:
    offline = False

    def __init__(self, settings: ModelSettings, *, client: ChatModel | None = None) -> None:
        self.client: ChatModel = client or LLMClient(settings)
        self.name = self.client.model
        self.description = f"the model {self.name}"
        self.coverage = settings.coverage if isinstance(settings, InterviewerModelSettings) else "detector"

    def warm(self) -> None:
        warm_up()
        semantic_warm_up()  # answers are assessed offline, by meaning, before any model sees them

    def say(self, request: LineRequest) -> LineStream:
        move = request.action.move
        if move in LOCAL_MOVES or (move is Move.clarify and not clarifying_facts(request)):
            return OfflineInterviewer().say(request)  # no fact to give: "state your assumption" needs no model
        if move in FOLLOW_UP_MOVES and request.action.follow_up_prompt:
            return CheckedFollowUp(self.client, request)
        return self.client.stream(interviewer_messages(request), "interviewer", partial(_repair_line, request))

    def covered_items(self, question: Question, answer: str) -> tuple[set[str], list[Usage]]:
        detected = detect(question, answer).covered()
        unknown = [item for item in question.rubric if item.id not in detected]
        if self.coverage == "detector" or not unknown:
            return detected, []
        ids = [item.id for item in unknown]
        result = self.client.structured(
            coverage_messages(question, unknown, answer),
            CoverageOutput,
            "coverage",
            lambda out: check_ids(out.covered, ids, exact=False),
            ids,
        )
        return detected | set(result.value.covered), result.usage


class LLMGrader:
    def __init__(self, settings: ModelSettings, *, gate: Gate | None = None, client: ChatModel | None = None) -> None:
        self.client: ChatModel = client or LLMClient(settings, gate=gate)
        self.name = self.client.model
        self.rewrites = settings.rewrite if isinstance(settings, GraderModelSettings) else True

    def rewrite(self, request: RewriteRequest) -> RewriteReply:
        """The report's "your answer, made stronger" (backends/rewrite.py): one more call, after the grade."""
        return rewrite_answer(self.client, request)

    def grade(self, request: GradeRequest) -> GradeReply:
        ids = [item.id for item in effective_rubric(request.question)]
        cut = [
            f"the answer has {len(request.answer):,} characters; the grader saw the first {MAX_MODEL_ANSWER_CHARS:,}"
        ]
        notes = cut if len(request.answer) > MAX_MODEL_ANSWER_CHARS else []
        try:
            result = self.client.structured(
                grader_messages(request),
                GraderOutput,
                "grader",
                lambda out: check_ids([s.item_id for s in out.items], ids, exact=True),
                ids,
            )
        except StructuredFailed as exc:
            return GradeReply(
                items=offline_item_scores(request.question, request.answer),
                path=GradePath.offline_fallback,
                usage=exc.usage,
                notes=[
                    *notes,
                    *map(redact, exc.notes),
                    redact(f"grader reply failed validation after a re-ask ({exc}); graded offline"),
                ],
            )
        items, cut_notes = keep_reasoning(result.value.items)
        return GradeReply(
            items=items, path=result.path, usage=result.usage, notes=[*notes, *map(redact, result.notes), *cut_notes]
        )


def keep_reasoning(items: list[ItemScore]) -> tuple[list[ItemScore], list[str]]:
    """Each item's reasoning cut to MAX_KEPT_REASON_CHARS (a model may write megabytes), saying so."""
    kept, notes = [], []
    for item in items:
        if len(item.reasoning) > MAX_KEPT_REASON_CHARS:
            cut = len(item.reasoning) - MAX_KEPT_REASON_CHARS
            reasoning = f"{item.reasoning[:MAX_KEPT_REASON_CHARS]} [… {cut:,} more characters cut]"
            item = item.model_copy(update={"reasoning": reasoning})
            notes.append(f"{item.item_id}: the grader's reasoning was cut to {MAX_KEPT_REASON_CHARS:,} characters")
        kept.append(item)
    return kept, notes
