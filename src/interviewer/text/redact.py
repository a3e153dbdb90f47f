"""Keys and passwords out of everything people read or the transcript keeps.

`mask` shows enough of a key to recognise it; `mask_url` hides the password in a URL; `redact` scrubs
free text (a provider's error body, a note, a "cannot connect to ..." line): bearer tokens,
`Authorization`/`api-key` headers, `sk-...`-style keys, `user:pass@` in URLs, and the literal value of
any provider key variable set in the environment (a server may echo a key of any shape).
"""

from __future__ import annotations

import os
import re

HIDDEN = "****"
MIN_SECRET_CHARS = 8  # shorter environment values are not treated as secrets (they would mask common words)
_SECRET_IN_URL = re.compile(r"(?<=://)([^:/@\s]+):([^@/\s]+)@")
_PATTERNS = (
    # Authorization: Bearer xyz / Authorization: Basic xyz / x-api-key: xyz / "api-key": "xyz"
    re.compile(
        r"""(?i)(\b(?:authorization|proxy-authorization|x-api-key|api-key|api_key)["']?\s*[:=]\s*["']?)"""
        r"""(?:(?:bearer|basic|token)\s+)?[^\s"',;}]+"""
    ),
    re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"()\b(?:sk|pk|rk)-[A-Za-z0-9_-]{6,}"),  # OpenAI, Anthropic (sk-ant-...), OpenRouter, ...
)


def mask(value: str) -> str:
    """Enough to recognise a key, never enough to use it."""
    return f"{HIDDEN}{value[-4:]}" if len(value) > 12 else HIDDEN


def mask_url(url: str | None) -> str | None:
    return _SECRET_IN_URL.sub(lambda m: f"{m.group(1)}:{HIDDEN}@", url) if url else url


def _secrets_in_environment() -> list[str]:
    names = (name for name in os.environ if name.endswith(("_API_KEY", "_TOKEN", "_SECRET")))
    values = {os.environ[name] for name in names if len(os.environ[name]) >= MIN_SECRET_CHARS}
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    """`text` with every key, token and URL password it contains replaced by ****."""
    if not text:
        return text
    for secret in _secrets_in_environment():
        text = text.replace(secret, mask(secret))
    text = _SECRET_IN_URL.sub(lambda m: f"{m.group(1)}:{HIDDEN}@", text)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}{HIDDEN}", text)
    return text
