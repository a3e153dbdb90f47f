"""Structured model output: the JSON shapes asked for, how they are asked for, how replies are read.

Capability degrades step by step: a JSON schema (`response_format={"type": "json_schema"}`)
where the provider supports it; on an OpenAI-compatible server at `api_base`, JSON mode with the
schema attached (`{"type": "json_object", "schema": ...}`, the form llama.cpp servers constrain
their output with, and the only one llama-cpp-python's server accepts); plain JSON mode
(`{"type": "json_object"}`); and plain instructions with the JSON object extracted from the text
as the last resort. Every reply is validated with pydantic, whichever step produced it.

The schemas name the rubric item ids the reply must use (an `enum`), so a constrained decoder
cannot invent one. The attached-schema form is stricter still, because grammar-constrained local
models are small: one entry per id in order, bounded strings, scores from {0, 1, 2, 3}.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from interviewer.grading.models import GradePath, ItemScore


class OutputMode(StrEnum):
    json_schema = "json_schema"
    json_object_schema = "json_object_schema"  # JSON mode plus a schema: llama.cpp servers' extension
    json_object = "json_object"
    plain = "plain"


MODES = (OutputMode.json_schema, OutputMode.json_object_schema, OutputMode.json_object, OutputMode.plain)
PATHS = {
    OutputMode.json_schema: GradePath.llm_json_schema,
    OutputMode.json_object_schema: GradePath.llm_json_mode,
    OutputMode.json_object: GradePath.llm_json_mode,
    OutputMode.plain: GradePath.llm_extracted,
}
MAX_TEXT_CHARS = 240  # reasoning and each quote, in the attached-schema form: 4 items fit in 1500 tokens
MAX_QUOTES = 3
SCORES = [0, 1, 2, 3]


class GraderOutput(BaseModel):
    """What the grader returns: one score per rubric item, reasoning written before the score."""

    items: list[ItemScore]

    @classmethod
    def schema_for(cls, ids: Sequence[str], *, tight: bool) -> dict[str, Any]:
        schema = strict_schema(cls)
        item = schema["$defs"]["ItemScore"]
        item["properties"]["item_id"]["enum"] = list(ids)
        if not tight:
            return schema
        item["properties"]["reasoning"]["maxLength"] = MAX_TEXT_CHARS
        item["properties"]["evidence"]["maxItems"] = MAX_QUOTES
        item["properties"]["evidence"]["items"]["maxLength"] = MAX_TEXT_CHARS
        item["properties"]["score"] = {"type": "integer", "enum": SCORES}
        entries = []
        for item_id in ids:  # one entry per id, in the rubric's order
            entry = copy.deepcopy(item)
            entry["properties"]["item_id"] = {"type": "string", "const": item_id}
            entries.append(entry)
        del schema["$defs"]
        schema["properties"]["items"] = {
            "type": "array",
            "prefixItems": entries,
            "items": False,
            "minItems": len(ids),
            "maxItems": len(ids),
        }
        return schema


class CoverageOutput(BaseModel):
    """What the coverage judge returns: ids of the rubric items the answer covers."""

    covered: list[str]

    @classmethod
    def schema_for(cls, ids: Sequence[str], *, tight: bool) -> dict[str, Any]:
        schema = strict_schema(cls)
        covered = schema["properties"]["covered"]
        covered["items"]["enum"] = list(ids)
        if tight:
            covered["maxItems"] = len(ids)
        return schema


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


def response_format(
    mode: OutputMode, model: type[GraderOutput] | type[CoverageOutput], ids: Sequence[str]
) -> dict[str, Any] | None:
    """The `response_format` for one request in `mode`; None asks with plain instructions only."""
    if mode is OutputMode.json_schema:
        name, schema = model.__name__.lower(), model.schema_for(ids, tight=False)
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
    if mode is OutputMode.json_object_schema:
        return {"type": "json_object", "schema": model.schema_for(ids, tight=True)}
    if mode is OutputMode.json_object:
        return {"type": "json_object"}
    return None


def extract_json(text: str) -> Any | None:
    """The first JSON object inside `text` (prose, code fences and all). Control characters inside
    strings are accepted (strict=False): a model may write a raw line break inside a string."""
    decoder = json.JSONDecoder(strict=False)
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
        data = json.loads(text, strict=False)  # llama.cpp's grammars let raw newlines into strings
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
