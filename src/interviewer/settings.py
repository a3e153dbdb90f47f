"""Settings merged in order: defaults < config file (TOML) < environment < command-line flags."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from interviewer.bank.levels import Level
from interviewer.config_file import ENV_PREFIX, SettingsError, config_path, read_config_file
from interviewer.paths import default_transcripts_dir

OFFLINE = "offline"
# A provider key alone never switches the engine (no surprise spending); these are suggested instead.
SUGGESTED_MODELS = (("OPENAI_API_KEY", "openai/gpt-4o-mini"), ("ANTHROPIC_API_KEY", "anthropic/claude-haiku-4-5"))


class ModelSettings(BaseModel):
    model: str | None = Field(default=None, description="litellm model string; unset or 'offline' for offline")
    api_base: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    timeout_s: float = 60.0
    retries: int = 2

    @property
    def is_offline(self) -> bool:
        return not self.model or self.model == OFFLINE


class InterviewerModelSettings(ModelSettings):
    """Role defaults live on the class, so a partial [interviewer] table or env var keeps them."""

    temperature: float | None = 0.7
    max_tokens: int | None = 300
    coverage: Literal["detector", "llm"] = Field(
        default="detector", description="which rubric items an answer covered: the offline detector, or the model"
    )


class GraderModelSettings(ModelSettings):
    temperature: float | None = 0.0  # grading is reproducible
    max_tokens: int | None = 1500
    jobs: int = Field(default=4, ge=1, le=64, description="grade --answers: grading requests sent at a time")
    rewrite: bool = Field(
        default=True, description="the report's 'your answer, made stronger': one more grader call per question"
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="ignore")

    interviewer: InterviewerModelSettings = Field(default_factory=lambda: InterviewerModelSettings())
    grader: GraderModelSettings = Field(default_factory=lambda: GraderModelSettings())
    transcripts_dir: Path = Field(default_factory=default_transcripts_dir)
    bank_paths: list[Path] = Field(default_factory=list)
    level: Level = Level.mid
    max_follow_ups: int = Field(default=2, ge=0, le=5)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_path())


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        elif value is not None:
            merged[key] = value
    return merged


def suggested_model() -> tuple[str, str] | None:
    """(key variable, model) when a provider key is set: what to configure to use it."""
    return next(((key, model) for key, model in SUGGESTED_MODELS if os.environ.get(key)), None)


def resolve_models(settings: Settings) -> Settings:
    """No grader model: the interviewer's model and api_base grade too. No model at all: offline."""
    interviewer, grader = settings.interviewer, settings.grader
    if grader.model is not None:
        return settings
    inherited = {"model": interviewer.model, "api_base": grader.api_base or interviewer.api_base}
    return settings.model_copy(update={"grader": grader.model_copy(update=inherited)})


def _invalid(exc: ValidationError, data: dict[str, Any]) -> SettingsError:
    lines = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        node: Any = data
        for part in loc:
            node = node.get(part) if isinstance(node, dict) else None
        source = str(config_path()) if node is not None else "setting (INTERVIEWER_* environment or a flag)"
        lines.append(f"{source}: {'.'.join(loc)}: {err['msg']}")
    return SettingsError("\n".join(lines))


def load_settings(**flags: Any) -> Settings:
    """Settings with command-line `flags` (None means not given) applied last, models resolved.
    Raises SettingsError (one line per problem, naming the file or source and the key)."""
    data = read_config_file()
    try:
        base = Settings()
        overrides = {k: v for k, v in flags.items() if v is not None}
        if overrides:
            base = Settings.model_validate(_deep_merge(base.model_dump(), overrides))
    except ValidationError as exc:
        raise _invalid(exc, data) from None
    return resolve_models(base)
