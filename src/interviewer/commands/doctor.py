"""`interviewer doctor`: check each configured model (key, endpoint, a one-token call), one line each.

A failed check says what is wrong and what to do about it. litellm is imported only when a model
is configured; the one-token call goes through the same error table as an interview.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console

from interviewer.backends.base import BackendError
from interviewer.settings import ModelSettings, Settings, suggested_model
from interviewer.text.redact import mask, mask_url, redact

if TYPE_CHECKING:
    from interviewer.backends.llm import LLMClient

PROBE = [{"role": "user", "content": "Reply with the word OK."}]
REACH_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Check:
    ok: bool
    name: str
    detail: str


def _roles(settings: Settings) -> list[tuple[str, ModelSettings]]:
    """The interviewer and grader, once when they use the same model and endpoint."""
    one, two = settings.interviewer, settings.grader
    if (one.model, one.api_base) == (two.model, two.api_base):
        return [("interviewer + grader", one)]
    return [("interviewer", one), ("grader", two)]


def reach(endpoint: str, *, own_server: bool) -> Check:
    """Any HTTP answer (even 401 or 404) means the server is there."""
    import httpx

    try:
        httpx.get(endpoint, timeout=REACH_TIMEOUT_S)
    except httpx.HTTPError as exc:
        fix = "is the server running, and is api_base right?" if own_server else "check the network or proxy"
        return Check(False, "endpoint", f"cannot reach {mask_url(endpoint)} ({type(exc).__name__}): {fix}")
    return Check(True, "endpoint", f"{mask_url(endpoint)} answers")


def check_model(settings: ModelSettings) -> list[Check]:
    if settings.is_offline:
        detail = "the built-in offline engine: nothing to check"
        if hint := suggested_model():
            detail += f" ({hint[0]} is set: use it with --model {hint[1]} or interviewer.model in the config)"
        return [Check(True, "engine", detail)]
    from interviewer.backends.llm import LLMClient

    client = LLMClient(settings.model_copy(update={"retries": 0, "max_tokens": 1}))
    try:
        provider, endpoint = client.provider()
    except BackendError as exc:
        return [Check(False, "model", str(exc))]
    checks = [_key_check(client, provider)]
    if endpoint:
        checks.append(reach(endpoint, own_server=bool(settings.api_base)))
    if all(c.ok for c in checks):
        started = time.perf_counter()
        try:
            client.complete(PROBE, "doctor")
            checks.append(Check(True, "call", f"a one-token call worked ({time.perf_counter() - started:.1f} s)"))
        except BackendError as exc:
            checks.append(Check(False, "call", str(exc)))
    return checks


def _key_check(client: LLMClient, provider: str) -> Check:
    if missing := client.missing_key():
        return Check(False, "key", f"{missing} is not set: export {missing}=... (or run with --model offline)")
    name = f"{provider.split('_')[0].upper()}_API_KEY"
    if value := os.environ.get(name):
        return Check(True, "key", f"{name} is set ({mask(value)})")
    return Check(True, "key", "no key needed" + (" for a server at api_base" if client.settings.api_base else ""))


def _show_calibration(console: Console, grader: str) -> None:
    from interviewer.commands.calibrate import last_calibration, lines

    result = last_calibration(grader)
    if result is None:
        console.print(f"[bold]calibration[/]: none saved for {grader}; run `interviewer calibrate` to measure it")
        return
    console.print(f"[bold]calibration[/] of {grader} ({result.at}{', partial' if result.partial else ''}):")
    for name, value in lines(result)[:5]:
        console.print(f"  {name}: {value}", markup=False)


def run(settings: Settings) -> int:
    console = Console(highlight=False)
    failed = 0
    for role, model in _roles(settings):
        where = f" at {mask_url(model.api_base)}" if model.api_base else ""
        console.print(f"[bold]{role}[/]: {model.model or 'offline'}{where}")
        for check in check_model(model):
            mark = "[green]✓[/]" if check.ok else "[red]✗[/]"
            console.print(f"  {mark} {check.name:<8} ", end="")
            console.print(redact(check.detail), markup=False)
            failed += not check.ok
    _show_calibration(console, settings.grader.model or "offline")
    console.print("All checks passed." if not failed else f"{failed} check{'s' if failed > 1 else ''} failed.")
    return 0 if not failed else 1
