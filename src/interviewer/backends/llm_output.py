"""Structured model output: the JSON shapes asked for, how they are asked for, how replies are read.

Capability degrades in three steps: a JSON schema (`response_format={"type": "json_schema"}`)
where the provider supports it, JSON mode (`{"type": "json_object"}`) where it does not, and plain
instructions with the JSON object extracted from the text as the last resort. Every reply is
validated with pydantic, whichever step produced it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from interviewer.grading.models import GradePath, ItemScore


class OutputMode(StrEnum):
    json_schema = "json_schema"
    json_object = "json_object"
    plain = "plain"


MODES = (OutputMode.json_schema, OutputMode.json_object, OutputMode.plain)
PATHS = {
    OutputMode.json_schema: GradePath.llm_json_schema,
    OutputMode.json_object: GradePath.llm_json_mode,
    OutputMode.plain: GradePath.llm_extracted,
}


class GraderOutput(BaseModel):
    """What the grader returns: one score per rubric item, reasoning written before the score."""

    items: list[ItemScore]


class CoverageOutput(BaseModel):
    """What the coverage judge returns: ids of the rubric items the answer covers."""

    covered: list[str]


T = TypeVar("T", bound=BaseModel)


class OutputInvalid(ValueError):
    """A reply that is not the JSON asked for; the message is sent back when re-asking."""


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the strict form OpenAI requires: every property required, no extras."""

    def tighten(node: dict[str, Any]) -> None:
        node.pop("default", None)
        node.pop("title", None)
        if "properties" in node:
            node["required"] = list(node["properties"])
            node["additionalProperties"] = False
        children = [*node.get("properties", {}).values(), *node.get("$defs", {}).values(), *node.get("anyOf", [])]
        if isinstance(node.get("items"), dict):
            children.append(node["items"])
        for child in children:
            tighten(child)

    schema = model.model_json_schema()
    tighten(schema)
    return schema


def response_format(mode: OutputMode, model: type[BaseModel]) -> dict[str, Any] | None:
    if mode is OutputMode.json_schema:
        name = model.__name__.lower()
        return {"type": "json_schema", "json_schema": {"name": name, "schema": strict_schema(model), "strict": True}}
    if mode is OutputMode.json_object:
        return {"type": "json_object"}
    return None


def extract_json(text: str) -> Any | None:
    """The first JSON object inside `text` (prose, code fences and all)."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None


def _summary(exc: ValidationError) -> str:
    problems = [f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in exc.errors()[:5]]
    return "; ".join(problems)


def parse(text: str, model: type[T], check: Callable[[T], None]) -> tuple[T, bool]:
    """Validate a reply; returns the value and whether it had to be extracted from surrounding text."""
    extracted = False
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = extract_json(text)
        if data is None:
            raise OutputInvalid("the reply contains no JSON object") from None
        extracted = True
    try:
        value = model.model_validate(data)
    except ValidationError as exc:
        raise OutputInvalid(_summary(exc)) from None
    check(value)
    return value, extracted


def check_ids(returned: list[str], expected: list[str], *, exact: bool) -> None:
    """Item ids must come from `expected` (each once; all of them when `exact`)."""
    unknown = [i for i in returned if i not in expected]
    duplicated = sorted({i for i in returned if returned.count(i) > 1})
    missing = [i for i in expected if i not in returned] if exact else []
    problems = []
    if unknown:
        problems.append(f"unknown item_id {', '.join(unknown)}")
    if duplicated:
        problems.append(f"repeated item_id {', '.join(duplicated)}")
    if missing:
        problems.append(f"missing item_id {', '.join(missing)}")
    if problems:
        raise OutputInvalid(f"{'; '.join(problems)} (the ids are: {', '.join(expected)})")
