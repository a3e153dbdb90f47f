"""Token counting with no network: litellm's bundled encodings, or a character estimate."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewer import tokens


@pytest.fixture(autouse=True)
def fresh_encodings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    tokens._encoding.cache_clear()
    yield
    tokens._encoding.cache_clear()


def test_counts_with_the_encoding_files_litellm_ships() -> None:
    assert tokens.count_tokens("Hello world", "openai/gpt-4o-mini") == 2
    assert tokens.count_tokens("Hello world", "anthropic/claude-haiku-4-5") == 2
    assert tokens.encoding_name("openai/gpt-4o-mini") == "o200k_base"
    assert tokens.encoding_name("ollama_chat/llama3.1") == "cl100k_base"


def test_without_encoding_files_it_estimates_instead_of_downloading(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tokens, "_bundled_dir", lambda: None)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    assert tokens.count_tokens("x" * 40, "openai/gpt-4o-mini") == 10
    assert tokens.count_tokens("", "openai/gpt-4o-mini") == 0
    assert list(tmp_path.iterdir()) == []


def test_chat_messages_add_the_per_message_overhead() -> None:
    messages = [{"role": "system", "content": "Hello world"}, {"role": "user", "content": "Hello world"}]
    assert tokens.count_messages(messages, "openai/gpt-4o-mini") == 2 * (2 + 3) + 3


def test_importing_the_counter_does_not_import_litellm() -> None:
    probe = "import sys, interviewer.tokens as t; t.count_tokens('hi', 'gpt-4o'); print('litellm' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr
