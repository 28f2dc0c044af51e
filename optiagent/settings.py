"""Settings of the service itself, read once from OPTIAGENT_* environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SandboxSettings(BaseModel):
    backend: Literal["auto", "docker", "local"] = "auto"
    timeout_s: float = 60.0
    memory_mb: int = 2048
    cpu_s: int = 120
    workers: int = 2


class LLMSettings(BaseModel):
    provider: Literal["none", "openai", "anthropic", "openai-compatible"] = "none"
    model: str = ""
    base_url: str | None = None
    api_key: SecretStr | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPTIAGENT_", env_nested_delimiter="__", extra="ignore")

    database_url: str | None = None
    redis_url: str = "redis://127.0.0.1:6379/0"
    log_level: str = "WARNING"
    sandbox: SandboxSettings = SandboxSettings()
    llm: LLMSettings = LLMSettings()


def load_settings() -> Settings:
    return Settings()
