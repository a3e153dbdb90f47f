"""Before a session starts (or resumes) on a model: the provider's key is set, a local endpoint answers.

It refuses with the fix, so no session is created that could never be finished. No model call is
made (that is `interviewer doctor`'s job); remote endpoints are not probed.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from interviewer.backends.base import BackendError
from interviewer.settings import ModelSettings


def is_local(endpoint: str) -> bool:
    host = urlsplit(endpoint).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified


def _problem(settings: ModelSettings) -> str | None:
    from interviewer.backends.llm import LLMClient, known_provider
    from interviewer.commands.doctor import reach
    from interviewer.text.redact import mask_url

    if (known := known_provider(settings)) is not None:
        endpoint, key = known
    else:
        client = LLMClient(settings)
        try:
            _, endpoint = client.provider()
        except BackendError as exc:
            return str(exc)
        key = client.missing_key()
    if key:
        return f"{settings.model}: {key} is not set: export {key}=... or run with --model offline"
    if endpoint and is_local(endpoint):
        check = reach(endpoint, own_server=bool(settings.api_base))
        if not check.ok:
            return f"{settings.model}: {mask_url(check.detail)} (or run with --model offline)"
    return None


def preflight(*models: ModelSettings) -> str | None:
    """What stops these models from working, with the fix; None when nothing does."""
    seen: set[tuple[str | None, str | None]] = set()
    for model in models:
        if model.is_offline or (model.model, model.api_base) in seen:
            continue
        seen.add((model.model, model.api_base))
        if problem := _problem(model):
            return problem
    return None
