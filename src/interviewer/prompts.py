"""Prompt files from `prompts/`, rendered strictly (a missing variable is an error) and hashed."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from interviewer.paths import prompts_dir


class PromptError(Exception):
    pass


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(prompts_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render_string(source: str, **variables: Any) -> str:
    import jinja2

    try:
        return _environment().from_string(source).render(**variables).strip()
    except jinja2.UndefinedError as exc:
        raise PromptError(f"prompt template needs a variable that was not given: {exc.message}") from None


def render(name: str, **variables: Any) -> str:
    """Render `prompts/<name>`; raises PromptError when a variable is missing."""
    import jinja2

    try:
        return _environment().get_template(name).render(**variables).strip()
    except jinja2.UndefinedError as exc:
        raise PromptError(f"prompts/{name}: a variable was not given: {exc.message}") from None


def prompt_path(name: str) -> Path:
    return prompts_dir() / name


def prompt_hashes() -> dict[str, str]:
    """sha256 (first 16 hex digits) of every prompt file, recorded in each transcript."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        for path in sorted(prompts_dir().iterdir())
        if path.is_file()
    }


@cache
def _lines() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(prompt_path("lines.yaml").read_text(encoding="utf-8"))


def render_line(key: str, **variables: Any) -> str:
    """One interviewer line from `prompts/lines.yaml`, whitespace folded."""
    return " ".join(render_string(_lines()[key], **variables).split())


def level_expectation(level: str) -> str:
    """What an interviewer expects at `level`, from `prompts/levels.yaml`."""
    import yaml

    return " ".join(yaml.safe_load(prompt_path("levels.yaml").read_text(encoding="utf-8"))[level].split())


def pick_line(key: str, *parts: object) -> str:
    """One entry of the list `key` in `prompts/lines.yaml`, the same one every time for the same `parts`."""
    choices: list[str] = _lines()[key]
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return choices[int.from_bytes(digest[:4], "big") % len(choices)]
