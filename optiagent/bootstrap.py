"""Composition root: settings -> adapters -> services. The only place that picks implementations."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.agents.names import LLM_STRATEGY_NAMES  # the LLM modules load langgraph/SDKs: only when used
from optiagent.domain.errors import ConfigError
from optiagent.extras import require_extra
from optiagent.ports.generator import CandidateGenerator
from optiagent.ports.jobs import JobQueue, JobStore
from optiagent.ports.sandbox import Sandbox, SandboxLimits, SandboxUnavailableError
from optiagent.ports.store import EditStore
from optiagent.services.requests import DEFAULT_MIN_SPEEDUP, SilentProgress
from optiagent.settings import Settings

if TYPE_CHECKING:
    from optiagent.adapters.llm.stack import LLMStack
    from optiagent.agents.generator import UsageLog
    from optiagent.services.jobs import JobRunner, ServiceConfig
    from optiagent.services.target_run import Services
    from optiagent.services.workspace import RepositoryPolicy

KNOWN_STRATEGIES = ("catalogue", *LLM_STRATEGY_NAMES)


def default_database_url(root: Path) -> str:
    base = root.parent if root.is_file() else root
    return f"sqlite:///{(base / '.optiagent' / 'history.db').resolve()}"


def build_store(settings: Settings, url: str | None, root: Path) -> EditStore:
    from optiagent.adapters.store.sql import SqlEditStore  # sqlalchemy + alembic: only when used

    return SqlEditStore(url or settings.database_url or default_database_url(root))


def build_sandbox(
    settings: Settings,
    backend: str | None = None,
    unavailable: type[Exception] = ConfigError,
    job_interpreters: bool = True,
) -> Sandbox:
    """The sandbox of a run. `job_interpreters=False` (the service): jobs run with the server's
    interpreter only; one a job names is refused before anything starts or describes it."""
    chosen = backend or settings.sandbox.backend
    limits = SandboxLimits(
        timeout_s=settings.sandbox.timeout_s,
        cpu_s=settings.sandbox.cpu_s,
        memory_mb=settings.sandbox.memory_mb,
    )
    if chosen not in ("auto", "docker", "local"):
        raise ConfigError(f"unknown sandbox backend {chosen!r}; choose auto, docker or local")
    if chosen == "local":
        return LocalSandbox(
            limits=limits, deps_dir=settings.sandbox.deps_dir, job_interpreters=job_interpreters
        )
    from optiagent.adapters.sandbox.choose import open_sandbox
    from optiagent.adapters.sandbox.docker_sandbox import DockerOptions

    config = settings.sandbox
    options = DockerOptions(
        warm=config.warm,
        pool_size=max(config.pool_size, 1),
        max_jobs_per_container=config.max_jobs_per_container,
        idle_s=config.idle_s,
        cpus=config.cpus,
        disk_mb=config.disk_mb,
        work_root=config.work_root,
        deps_dir=config.deps_dir,
        image=config.image,
        image_python=config.image_python,
        job_interpreters=job_interpreters,
    )
    try:
        box, reason = open_sandbox(chosen, limits, options, build=config.build_image)
    except SandboxUnavailableError as error:
        raise unavailable(
            f"docker sandbox unavailable: {error}; start Docker or use --sandbox local"
        ) from error
    if reason:
        structlog.get_logger().warning("sandbox: using the local sandbox", reason=reason)
    return box


def build_llm(settings: Settings, database_url: str | None) -> LLMStack | None:
    """The run's provider stack from settings, caching completions in the history database; None
    when no provider is configured."""
    if settings.llm.provider == "none":
        return None
    require_extra("llm", f"the LLM provider {settings.llm.provider!r}")
    from optiagent.adapters.llm.stack import build_llm_stack, resolve_api_key
    from optiagent.adapters.store.llm_cache import SqlCompletionCache

    key = resolve_api_key(
        settings.llm,
        settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
        settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else None,
    )
    cache = SqlCompletionCache(database_url) if database_url else None
    return build_llm_stack(settings.llm, key, cache)


def default_strategies(llm: LLMStack | None) -> tuple[str, ...]:
    """The offline catalogue always; with a provider configured, `auto` too."""
    return ("catalogue", "auto") if llm is not None else ("catalogue",)


def build_generators(
    strategies: Sequence[str], llm: LLMStack | None = None, usage: UsageLog | None = None
) -> dict[str, CandidateGenerator]:
    generators: dict[str, CandidateGenerator] = {}
    for name in strategies:
        if name == "catalogue":
            from optiagent.agents.catalogue import CatalogueGenerator  # libcst: only when used

            generators[name] = CatalogueGenerator()
        elif name in LLM_STRATEGY_NAMES:
            if llm is None:
                raise ConfigError(
                    f"strategy {name!r} needs an LLM provider: pass --provider openai|anthropic|"
                    "openai-compatible (and --model), or set OPTIAGENT_LLM__PROVIDER"
                )
            from optiagent.agents.llm import LLMOptions
            from optiagent.agents.registry import llm_generator

            options = LLMOptions(llm.model, llm.temperature, llm.max_tokens)
            generators[name] = llm_generator(name, llm.provider, options, llm.remaining_tokens, usage)
        else:
            raise ConfigError(f"unknown strategy {name!r}; known: {', '.join(KNOWN_STRATEGIES)}")
    return generators


# -- the service (API, workers) -------------------------------------------------------------------


def service_database_url(settings: Settings) -> str:
    return settings.database_url or default_database_url(Path.cwd())


def check_strategies(settings: Settings, strategies: Sequence[str]) -> None:
    """Raises ConfigError for a strategy the workers could not run (unknown, or LLM without one)."""
    if settings.llm.provider == "none":
        build_generators(strategies)
        return
    unknown = [name for name in strategies if name not in KNOWN_STRATEGIES]
    if unknown:
        raise ConfigError(f"unknown strategy {unknown[0]!r}; known: {', '.join(KNOWN_STRATEGIES)}")


def build_job_store(settings: Settings) -> JobStore:
    require_extra("service", "the service's job store")
    from optiagent.adapters.store.jobs import SqlJobStore

    return SqlJobStore(service_database_url(settings))


def build_job_queue(settings: Settings) -> JobQueue:
    require_extra("service", "the service's job queue")
    from optiagent.adapters.queue.celery_app import CeleryJobQueue, make_celery

    return CeleryJobQueue(make_celery(settings.redis_url, settings.worker.visibility_timeout_s))


def service_config(settings: Settings) -> ServiceConfig:
    from optiagent.services.jobs import ServiceConfig
    from optiagent.services.workspace import ArchiveLimits

    worker, api = settings.worker, settings.api
    workspace = Path(worker.workspace) if worker.workspace else Path(tempfile.gettempdir()) / "optiagent-jobs"
    return ServiceConfig(
        workspace=workspace,
        lease_s=worker.lease_s,
        max_worker_deaths=worker.max_worker_deaths,
        requeue_after_s=worker.requeue_after_s,
        limits=ArchiveLimits(int(api.max_unpacked_mb * 2**20), api.max_files),
        repositories=repository_policy(settings),
    )


def repository_policy(settings: Settings) -> RepositoryPolicy:
    """Which repositories clients may name, for the API's check and the worker's fetch alike."""
    from optiagent.services.workspace import RepositoryPolicy

    api = settings.api
    return RepositoryPolicy(
        allow_file_urls=api.allow_file_urls,
        allow_http=api.allow_http_urls,
        allow_private_hosts=api.allow_private_hosts,
        allowed_hosts=tuple(api.repo_hosts),
        max_bytes=int(api.max_repository_mb * 2**20),
        timeout_s=api.fetch_timeout_s,
    )


def require_service_sandbox(settings: Settings) -> None:
    """The service runs strangers' code: a local sandbox only when the operator said so by name."""
    if settings.sandbox.backend == "local" and not settings.service.allow_local_sandbox:
        raise ConfigError(
            "the service runs untrusted code only in Docker: OPTIAGENT_SANDBOX__BACKEND=local is refused "
            "unless OPTIAGENT_SERVICE__ALLOW_LOCAL_SANDBOX=true (a single-user server or tests only)"
        )


def build_service_sandbox(settings: Settings) -> Sandbox:
    """A worker's sandbox: Docker, never a silent fallback. With `auto` or `docker` and no daemon,
    SandboxUnavailableError: the step is retried later, and the next try connects again."""
    require_service_sandbox(settings)
    if settings.sandbox.backend == "local":
        structlog.get_logger().warning(
            "service: jobs run in the LOCAL sandbox (OPTIAGENT_SERVICE__ALLOW_LOCAL_SANDBOX=true): "
            "untrusted code is not isolated from this host"
        )
        return build_sandbox(settings, "local", job_interpreters=False)
    return build_sandbox(settings, "docker", unavailable=SandboxUnavailableError, job_interpreters=False)


def build_job_runner(settings: Settings, queue: JobQueue) -> JobRunner:
    """A worker process's runner: one history store, one sandbox, Services per strategy set and
    tenant (each tenant's jobs see only the tenant's history and verdict cache)."""
    from optiagent.services.benchmarking import BenchmarkSettings
    from optiagent.services.jobs import JobRunner
    from optiagent.services.target_run import Services
    from optiagent.services.tenancy import TenantEditStore
    from optiagent.verify.jobs import CheckSettings

    url = service_database_url(settings)
    box = build_service_sandbox(settings)
    store = build_store(settings, url, Path.cwd())
    llm = build_llm(settings, url)
    cache: dict[tuple[tuple[str, ...], str], Services] = {}

    def services_for(strategies: Sequence[str], tenant: str) -> Services:
        key = (tuple(strategies) or default_strategies(llm), tenant)
        if key not in cache:
            cache[key] = Services(
                sandbox=box,
                store=TenantEditStore(store, tenant, settings.service.share_edits),
                generators=build_generators(key[0], llm),
                progress=SilentProgress(),
                check=CheckSettings(),
                bench=BenchmarkSettings(),
                min_speedup=DEFAULT_MIN_SPEEDUP,
                workers=settings.sandbox.workers,
            )
        return cache[key]

    return JobRunner(build_job_store(settings), queue, services_for, box.name, service_config(settings))
