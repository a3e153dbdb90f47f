"""`interviewer config show`: the merged settings, where they come from, keys masked."""

from __future__ import annotations

import json
import os

from interviewer.config_file import config_path
from interviewer.settings import load_settings, suggested_model
from interviewer.text.redact import mask, mask_url
from interviewer.ui.console import make_console

PROVIDER_KEYS = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "GROQ_API_KEY",
    "MISTRAL_API_KEY",
    "OPENROUTER_API_KEY",
    "DEEPSEEK_API_KEY",
    "TOGETHERAI_API_KEY",
    "AZURE_API_KEY",
    "COHERE_API_KEY",
)


def show() -> int:
    console = make_console()
    path = config_path()
    settings = load_settings()
    data = json.loads(settings.model_dump_json())
    for role in ("interviewer", "grader"):
        data[role]["api_base"] = mask_url(data[role]["api_base"])
    console.print(f"Config file: {path} ({'found' if path.exists() else 'not created yet'})")
    console.print("Order: defaults < config file < INTERVIEWER_* environment < command-line flags\n")
    console.print_json(json.dumps(data))
    console.print("\nProvider keys in the environment:")
    for name in PROVIDER_KEYS:
        value = os.environ.get(name)
        console.print(f"  {name}: {'set (' + mask(value) + ')' if value else 'not set'}")
    engine = "offline engine" if settings.interviewer.is_offline else settings.interviewer.model
    console.print(f"\nInterviews run on: {engine}")
    if settings.interviewer.is_offline and (hint := suggested_model()):
        console.print(f"{hint[0]} is set: to use it, pass --model {hint[1]} or set interviewer.model")
    return 0
