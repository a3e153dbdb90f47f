"""Provider failures, in one table: what each litellm exception means, whether to retry, what to fix.

Rows are matched in order against the exception's HTTP status and the class names in its MRO and
its cause chain (litellm wraps the SDK's exception, which wraps httpx's), so this module never
imports litellm. The status wins over the class where litellm's label is wrong: an OpenAI 401 can
arrive as BadRequestError, a refused connection as InternalServerError with an httpx ConnectError
underneath. Some servers answer a request they cannot parse with a 5xx: llama-cpp-python's server
returns 500 with its pydantic validation error for `response_format: json_schema`, so a 5xx whose
message is a validation error or names `response_format` is a rejected request, not an outage:
not retried, and the structured-output chain steps down. Whatever is not retried, or still fails
after the retries, becomes a one-line BackendError that says what to fix.
"""

from __future__ import annotations

import email.utils
import re
import time
from dataclasses import dataclass

from interviewer.backends.base import BackendError
from interviewer.text.redact import redact

BACKOFF_BASE_S = 1.0
BACKOFF_MAX_S = 20.0
MAX_RETRY_AFTER_S = 60.0  # a provider asking for a longer wait ends the turn instead of freezing it


class RequestRejected(BackendError):
    """The provider refused this request as malformed (HTTP 400/422): a different request may work."""


@dataclass(frozen=True)
class Rule:
    names: tuple[str, ...]  # exception class names (litellm, openai SDK, httpx)
    statuses: tuple[int, ...]  # HTTP statuses that select the row whatever the class says
    retry: bool
    fix: str  # formatted with: provider, key, endpoint, status, detail, timeout, attempts
    error: type[BackendError] = BackendError
    mentions: re.Pattern[str] | None = None  # when set, the exception's text must match it too


_5XX = tuple(range(500, 600))
_REJECTED_AS_5XX = re.compile(r"validation error|response_format", re.IGNORECASE)
# litellm labels a 200 reply it cannot read as a 500 (or, streamed, as a midstream failure)
_MALFORMED = re.compile(r"invalid response|no 'choices'|Expecting (value|property name|',' delimiter)", re.IGNORECASE)
RULES: tuple[Rule, ...] = (
    Rule(
        ("JSONDecodeError", "InternalServerError", "MidStreamFallbackError"),
        (),
        False,
        "the reply from {endpoint} was malformed, not a chat completion ({detail}): "
        "check that api_base points at an OpenAI-compatible /v1 endpoint",
        mentions=_MALFORMED,
    ),
    Rule(
        ("ContextWindowExceededError",),
        (),
        False,
        "the prompt is too long for this model: choose one with a larger context window",
    ),
    Rule(
        ("AuthenticationError",),
        (401,),
        False,
        "{provider} rejected the API key (401): set a valid {key}, then check with `interviewer doctor`",
    ),
    Rule(
        ("PermissionDeniedError",),
        (403,),
        False,
        "{provider} refused access to this model (403): check the key's permissions or pick another model",
    ),
    Rule(
        ("NotFoundError",),
        (404,),
        False,
        "{provider} does not know this model (404): fix interviewer.model / grader.model "
        "(or --model) and api_base; `interviewer doctor` checks them",
    ),
    Rule(
        ("RateLimitError",),
        (429,),
        True,
        "{provider} is rate-limiting requests (429) after {attempts} tries: wait a minute or raise your limits",
    ),
    Rule(
        ("Timeout", "APITimeoutError", "TimeoutException"),
        (408,),
        True,
        "no answer within {timeout:g} s ({attempts} tries): raise timeout_s in the config or check the server",
    ),
    Rule(
        ("ConnectError", "ConnectionRefusedError"),
        (),
        True,
        "cannot connect to {endpoint}: is the server running, and is api_base right?",
    ),
    Rule(
        ("InternalServerError",),
        _5XX,
        False,
        "{provider} could not handle the request ({status}): {detail}",
        RequestRejected,
        _REJECTED_AS_5XX,
    ),
    Rule(
        ("MidStreamFallbackError", "RemoteProtocolError", "ReadError"),
        (),
        True,
        "the reply kept stopping midway ({attempts} tries): check the network or the server",
    ),
    Rule(
        ("InternalServerError", "ServiceUnavailableError", "BadGatewayError"),
        _5XX,
        True,
        "{provider} had a server error ({status}) for {attempts} tries: try again later or switch model",
    ),
    Rule(
        ("BadRequestError", "UnprocessableEntityError"),
        (400, 422),
        False,
        "{provider} rejected the request ({status}): {detail}",
        RequestRejected,
    ),
)
_JSON_MESSAGE = re.compile(r'"message"\s*:\s*"((?:[^"\\]|\\.)*)"')
# a pydantic error as FastAPI servers print it: {'type': ..., 'loc': ('body', 'response_format', 'type'), 'msg': ...}
_PYDANTIC_ERROR = re.compile(r"'loc': \(([^)]*)\), 'msg': (['\"])(.*?)\2")
_LITELLM_PREFIX = re.compile(r"^(?:litellm\.\w+: )+(?:LiteLLM: )?")
UNKNOWN = Rule((), (), False, "unexpected error: {detail}")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def rule_for(exc: BaseException) -> Rule:
    status = status_of(exc)
    names = {cls.__name__ for link in _chain(exc) for cls in type(link).__mro__}
    for rule in RULES:
        if not (status in rule.statuses or names.intersection(rule.names)):
            continue
        if rule.mentions is None or rule.mentions.search(str(getattr(exc, "message", "") or exc)):
            return rule
    return UNKNOWN


def detail_of(exc: BaseException) -> str:
    """The provider's own message, one line, without litellm's prefixes or the JSON around it."""
    text = str(getattr(exc, "message", "") or exc).strip()
    if invalid := _PYDANTIC_ERROR.search(text):
        where = ".".join(part.strip(" '\"") for part in invalid.group(1).split(",") if part.strip(" '\""))
        return f"{where.removeprefix('body.')}: {invalid.group(3)}"[:200]
    if quoted := _JSON_MESSAGE.search(text):
        return quoted.group(1)[:200]
    lines = text.splitlines()
    first = lines[0].rsplit("Exception - ", 1)[-1] if lines else type(exc).__name__
    return _LITELLM_PREFIX.sub("", first)[:200]


def _seconds(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def retry_after(exc: BaseException) -> float | None:
    """Seconds the provider asked to wait (Retry-After in seconds or as an HTTP date, or retry-after-ms)."""
    sources = [getattr(exc, "litellm_response_headers", None), getattr(getattr(exc, "response", None), "headers", None)]
    for headers in filter(None, sources):
        if (milliseconds := headers.get("retry-after-ms")) and (value := _seconds(milliseconds)) is not None:
            return value / 1000
        if (seconds := headers.get("retry-after")) and (value := _seconds(seconds)) is not None:
            return value
    return None


def retry_delay(exc: BaseException, attempt: int, retries: int) -> float | None:
    """How long to wait before retry number `attempt + 1`, or None to give up now."""
    rule = rule_for(exc)
    if not rule.retry or attempt >= retries:
        return None
    asked = retry_after(exc)
    if asked is not None:
        return asked if asked <= MAX_RETRY_AFTER_S else None
    return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2**attempt)


def backend_error(exc: BaseException, **context: object) -> BackendError:
    """The one-line error for `exc`, led by the model's name; `context` fills the rule's fix."""
    rule = rule_for(exc)
    values = {"status": status_of(exc) or "?", "detail": detail_of(exc), **context}
    message = redact(rule.fix.format(**values))
    asked = retry_after(exc)
    if rule.retry and asked is not None and asked > MAX_RETRY_AFTER_S:
        message += f" (the provider asked to wait {asked:.0f} s)"
    return rule.error(f"{context.get('model', 'model')}: {message}")


def is_rate_limit(exc: BaseException) -> bool:
    """A 429: every worker sharing the provider should back off, not just the one that got it."""
    return 429 in rule_for(exc).statuses
