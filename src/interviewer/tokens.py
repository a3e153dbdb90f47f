"""Token counts that never touch the network.

Used when a provider does not report usage (some OpenAI-compatible servers ignore
`stream_options`), and by the benchmark's mock server. tiktoken downloads its encoding files on
first use, which fails offline; litellm ships those files (named by the sha1 of their download
URL, which is tiktoken's cache key), so TIKTOKEN_CACHE_DIR is pointed at them. litellm itself is
only located, never imported. When no encoding file is at hand the count falls back to an
estimate of four characters per token.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import cache
from pathlib import Path
from typing import Any

_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
_O200K_MODELS = ("gpt-4o", "gpt-4.1", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")
CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD = 3  # tokens a chat format adds per message (OpenAI's published rule of thumb)


def encoding_name(model: str) -> str:
    """o200k_base for the GPT-4o family and later, cl100k_base (an approximation) for the rest."""
    name = model.split("/")[-1].lower()
    return "o200k_base" if name.startswith(_O200K_MODELS) else "cl100k_base"


def _bundled_dir() -> Path | None:
    spec = importlib.util.find_spec("litellm")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / "tokenizers"


def _cache_dir_with(encoding: str) -> Path | None:
    key = hashlib.sha1(_BLOB.format(encoding).encode()).hexdigest()
    candidates = [os.environ.get("TIKTOKEN_CACHE_DIR"), _bundled_dir()]
    return next((Path(c) for c in candidates if c and (Path(c) / key).is_file()), None)


@cache
def _encoding(name: str) -> Any | None:
    directory = _cache_dir_with(name)
    if directory is None:
        return None
    try:
        import tiktoken
    except ImportError:
        return None
    os.environ["TIKTOKEN_CACHE_DIR"] = str(directory)  # litellm sets the same directory when imported
    try:
        return tiktoken.get_encoding(name)
    except Exception:  # a damaged file would make tiktoken try the network: estimate instead
        return None


def count_tokens(text: str, model: str = "") -> int:
    if not text:
        return 0
    encoding = _encoding(encoding_name(model))
    if encoding is None:
        return max(1, round(len(text) / CHARS_PER_TOKEN))
    return len(encoding.encode(text, disallowed_special=()))


def count_messages(messages: list[dict[str, str]], model: str = "") -> int:
    """Prompt tokens of a chat request."""
    return sum(count_tokens(m["content"], model) + MESSAGE_OVERHEAD for m in messages) + MESSAGE_OVERHEAD
