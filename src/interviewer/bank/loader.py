"""Load and validate question packs; errors name the file, the question and the field."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from interviewer import cache as parsed
from interviewer.bank.files import BankError, default_pack_files, pack_files, reader_digest
from interviewer.bank.models import Pack, Question
from interviewer.limits import MAX_PACK_BYTES, MAX_PACK_QUESTIONS

# libyaml parses packs about twice as fast as the pure-Python parser; both build nodes the same way.
MERGE_TAG = "tag:yaml.org,2002:merge"
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Bank:
    packs: dict[str, Pack]
    files: dict[str, Path]
    digest: str
    questions: dict[str, Question] = field(default_factory=dict)
    origins: dict[str, Path] = field(default_factory=dict)  # question id -> the file it came from

    @property
    def version(self) -> str:
        """Pack names and versions plus a content hash, recorded in every transcript."""
        packs = ",".join(f"{name}@{pack.version}" for name, pack in sorted(self.packs.items()))
        return f"{packs}#{self.digest[:12]}"

    def get(self, question_id: str) -> Question:
        try:
            return self.questions[question_id]
        except KeyError:
            raise BankError(f"no question with id {question_id!r} in the bank") from None


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(path: Path, raw: Any, error: ValidationError) -> str:
    lines = []
    for err in error.errors():
        loc = tuple(err["loc"])
        where = "pack"
        if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
            entry = raw.get("questions", [])[loc[1]] if isinstance(raw, dict) else None
            qid = entry.get("id") if isinstance(entry, dict) else None
            where = f"question {qid!r}" if qid else f"question #{loc[1] + 1}"
            loc = loc[2:]
        lines.append(f"{path}: {where}: field {_field_path(loc)}: {err['msg']}")
    return "\n".join(lines)


class UniqueKeys:
    """Mixin for a safe YAML loader: a key given twice in one mapping is an error, not a silent overwrite."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:  # `<<: *base` may be overridden by the keys after it
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (a key may appear once per mapping)", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class PackLoader(UniqueKeys, _BaseLoader):  # type: ignore[misc, valid-type]
    """How packs are read: libyaml's parser when present, unique keys, line numbers in errors."""


def _yaml_error(path: Path, exc: yaml.YAMLError) -> str:
    """One line: file, line and column, what is wrong (no dump of the YAML around it)."""
    mark = getattr(exc, "problem_mark", None)
    problem = " ".join((getattr(exc, "problem", None) or str(exc)).split())
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{path}: not valid YAML: {where}{problem}"


def _read(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_PACK_BYTES:
        raise BankError(f"{path}: {size:,} bytes is over the {MAX_PACK_BYTES:,}-byte limit for a pack; split it")
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BankError(f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def load_pack(path: Path) -> Pack:
    """The pack in `path`. Parsing YAML is most of the cost, so a pack read before comes from the cache."""
    text = _read(path)
    key = parsed.cache_key(reader_digest(), text)
    return parsed.through(
        "packs", key, lambda: _parse(path, text), dump=Pack.model_dump_json, load=Pack.model_validate_json
    )


def _parse(path: Path, text: str) -> Pack:
    try:
        raw = yaml.load(text, Loader=PackLoader)  # PackLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise BankError(_yaml_error(path, exc)) from None
    except RecursionError:
        raise BankError(f"{path}: not a question pack: nested too deeply to read") from None
    questions = raw.get("questions") if isinstance(raw, dict) else None
    if isinstance(questions, list) and len(questions) > MAX_PACK_QUESTIONS:
        raise BankError(f"{path}: {len(questions):,} questions is over the {MAX_PACK_QUESTIONS:,} limit for a pack")
    try:
        return Pack.model_validate(raw)
    except ValidationError as exc:
        raise BankError(_describe(path, raw, exc)) from None
    except RecursionError:
        raise BankError(f"{path}: not a question pack: nested too deeply to read") from None


def load_bank(extra: Iterable[Path] = (), *, include_default: bool = True) -> Bank:
    files = (default_pack_files() if include_default else []) + pack_files(extra)
    if not files:
        raise BankError("no question packs found")
    packs: dict[str, Pack] = {}
    pack_files_by_name: dict[str, Path] = {}
    questions: dict[str, Question] = {}
    origin: dict[str, Path] = {}
    digest = hashlib.sha256()
    errors: list[str] = []
    for path in files:
        try:
            pack = load_pack(path)
        except BankError as exc:
            errors.append(str(exc))
            continue
        digest.update(path.read_bytes())
        if pack.pack in packs:
            errors.append(f"{path}: pack name {pack.pack!r} is also used by {pack_files_by_name[pack.pack]}")
            continue
        packs[pack.pack] = pack
        pack_files_by_name[pack.pack] = path
        for question in pack.questions:
            if question.id in questions:
                errors.append(f"{path}: question {question.id!r}: field id: duplicates the id in {origin[question.id]}")
                continue
            questions[question.id] = question
            origin[question.id] = path
    if errors:
        raise BankError("\n".join(errors))
    return Bank(packs=packs, files=pack_files_by_name, digest=digest.hexdigest(), questions=questions, origins=origin)
