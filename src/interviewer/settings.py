"""Settings merged in order: defaults < config file (TOML) < environment < command-line flags."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from interviewer.bank.models import Level

OFFLINE = "offline"


def config_path() -> Path:
    """$INTERVIEWER_CONFIG, else config.toml in the user's config directory."""
    explicit = os.environ.get("INTERVIEWER_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_config_path

    return user_config_path("interviewer") / "config.toml"


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERVIEWER_", env_nested_delimiter="__", extra="ignore")

    interviewer: ModelSettings = Field(default_factory=lambda: ModelSettings(temperature=0.7, max_tokens=300))
    grader: ModelSettings = Field(default_factory=lambda: ModelSettings(temperature=0.0, max_tokens=1500))
    transcripts_dir: Path = Path("transcripts")
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


def load_settings(**flags: Any) -> Settings:
    """Settings with command-line `flags` (None means not given) applied last."""
    base = Settings()
    overrides = {k: v for k, v in flags.items() if v is not None}
    if not overrides:
        return base
    return Settings.model_validate(_deep_merge(base.model_dump(), overrides))
