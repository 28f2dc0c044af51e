"""Settings of the service itself, read once from OPTIAGENT_* environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SandboxSettings(BaseModel):
    backend: Literal["auto", "docker", "local"] = "auto"
    timeout_s: float = 60.0
    memory_mb: int = 2048
    cpu_s: int = 120
    workers: int = 2
    # Docker backend
    warm: bool = True  # reuse containers (warm pool); False: one fresh container per job
    pool_size: int = 4  # containers at most: benchmark pairs and a check run at once
    max_jobs_per_container: int = 200  # then it is replaced (also after any limit violation)
    idle_s: float = 120.0  # idle containers are stopped after this long
    cpus: float = 2.0  # CPU share of one container
    disk_mb: int = 1024  # a job's disk quota (its work dir, stdout, stderr: a tmpfs, counted as memory)
    # Where per-container directories, snapshots and the harness copy live; the Docker daemon mounts
    # them by this path, so a containerized worker shares it with the host at the same path.
    work_root: str | None = None  # default: /var/tmp
    build_image: bool = True  # build the image when missing (offline, ~20 s) instead of falling back
    deps_dir: str | None = None  # `pip install --target DIR` deps of the code under test, mounted read-only
    # An image to use instead of tools/sandbox-image's (e.g. one built from the Dockerfile).
    image: str | None = None
    image_python: str | None = None  # the interpreter inside that image, e.g. /usr/local/bin/python3.11


class LLMSettings(BaseModel):
    provider: Literal["none", "openai", "anthropic", "openai-compatible"] = "none"
    model: str = ""  # empty: the provider's default model (see adapters/llm/stack.py)
    base_url: str | None = None
    api_key: SecretStr | None = None  # else OPENAI_API_KEY / ANTHROPIC_API_KEY
    temperature: float | None = None  # None: each agent step's own temperature
    max_tokens: int = 2048  # per completion
    timeout_s: float = 60.0
    max_retries: int = 3  # on 429 and 5xx, with exponential backoff
    token_budget: int | None = None  # per run, prompt + completion tokens
    cost_budget: float | None = None  # per run, needs prices
    prompt_price_per_million: float | None = None
    completion_price_per_million: float | None = None


class WorkerSettings(BaseModel):
    concurrency: int = 1  # tasks at once per worker (benchmarks want a quiet machine)
    workspace: str = ""  # where jobs are unpacked (default: <tmp>/optiagent-jobs)
    lease_s: float = 60.0  # a claimed step without a heartbeat for this long belongs to a dead worker
    max_worker_deaths: int = 2  # a step whose worker died more often fails the job
    visibility_timeout_s: float = 900.0  # Redis redelivers an unacknowledged task after this long
    requeue_after_s: float = 300.0  # the sweep re-enqueues work that has waited this long unclaimed
    sweep_interval_s: float = 30.0


class ApiSettings(BaseModel):
    max_upload_mb: float = 20.0
    max_unpacked_mb: float = 200.0  # an archive's unpacked size, tar headers included
    max_files: int = 5000
    # Repositories clients may name (checked at submission and again before each fetch):
    allow_file_urls: bool = False  # file:// git URLs (a local, single-user server only)
    allow_http_urls: bool = False  # plain http:// (an internal mirror); https is always allowed
    allow_private_hosts: bool = False  # hosts resolving to loopback/private/link-local addresses
    repo_hosts: list[str] = []  # allow-list, e.g. ["github.com", "*.example.com"]; empty: any public host
    max_repository_mb: float = 200.0  # a fetch's bytes on disk (.git and checkout)
    fetch_timeout_s: float = 300.0


class ServiceSettings(BaseModel):
    """Rules of the shared service (API and workers), where clients are strangers to each other."""

    # Jobs are untrusted code: the service runs them only in Docker. True lets a worker (and the API
    # start beside it) use the local sandbox: for a single-user server or tests, never shared.
    allow_local_sandbox: bool = False
    share_edits: bool = False  # LLM prompts may learn from every tenant's accepted edits, not only their own
    requests_per_minute: int = 600  # per token, counted in Redis across API processes; 0: no limit
    max_streams: int = 4  # event streams open at once per token
    max_stream_s: float = 3600.0  # an event stream is closed after this long (the client reconnects)


class GitHubSettings(BaseModel):
    """The GitHub App (optiagent/github_app): unset app_id or webhook_secret leaves it off."""

    app_id: str = ""
    private_key: SecretStr | None = None  # the App's PEM; or private_key_file
    private_key_file: str | None = None
    webhook_secret: SecretStr | None = None
    api_url: str = "https://api.github.com"  # GitHub Enterprise: https://HOST/api/v3
    runs_per_day: int = 200  # per installation, counted over the last 24 hours
    concurrent_runs: int = 4  # per installation
    writes_per_minute: int = 40  # per installation, all workers together (GitHub's secondary limit is 80)
    poll_s: float = 5.0  # how often a running job is looked at


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPTIAGENT_", env_nested_delimiter="__", extra="ignore")

    database_url: str | None = None
    redis_url: str = "redis://127.0.0.1:6379/0"
    log_level: str = "WARNING"  # DEBUG, INFO, WARNING, ERROR; the CLI's -v/-q override it
    log_format: str = "auto"  # auto (console on a terminal, else JSON lines), console or json
    sandbox: SandboxSettings = SandboxSettings()
    llm: LLMSettings = LLMSettings()
    # The vendors' own variables, read as a fallback for llm.api_key.
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    anthropic_api_key: SecretStr | None = Field(default=None, validation_alias="ANTHROPIC_API_KEY")
    worker: WorkerSettings = WorkerSettings()
    api: ApiSettings = ApiSettings()
    service: ServiceSettings = ServiceSettings()
    github: GitHubSettings = GitHubSettings()


def load_settings() -> Settings:
    return Settings()
