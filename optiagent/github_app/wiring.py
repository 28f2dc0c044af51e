"""The App's parts from settings, for the webhook (API process) and the tasks (worker processes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from optiagent.domain.errors import ConfigError
from optiagent.extras import require_extra
from optiagent.github_app.app import AppLimits, GitHubApp
from optiagent.ports.github_app import AppStore, AppTasks
from optiagent.ports.jobs import JobQueue
from optiagent.settings import Settings

MAX_WEBHOOK_BYTES = 25 * 2**20  # GitHub caps payloads at 25 MB


@dataclass
class WebhookContext:
    secret: str
    store: AppStore
    tasks: AppTasks
    max_body_bytes: int = MAX_WEBHOOK_BYTES


def configured(settings: Settings) -> bool:
    github = settings.github
    return bool(github.app_id and github.webhook_secret and github.webhook_secret.get_secret_value())


def private_key(settings: Settings) -> str:
    github = settings.github
    if github.private_key is not None and github.private_key.get_secret_value().strip():
        return github.private_key.get_secret_value()
    if github.private_key_file:
        return Path(github.private_key_file).read_text()
    raise ConfigError(
        "the GitHub App needs OPTIAGENT_GITHUB__PRIVATE_KEY or OPTIAGENT_GITHUB__PRIVATE_KEY_FILE"
    )


def build_app_store(settings: Settings) -> AppStore:
    from optiagent.adapters.store.github_app import SqlAppStore
    from optiagent.bootstrap import service_database_url

    return SqlAppStore(service_database_url(settings))


def build_app_tasks(settings: Settings) -> AppTasks:
    from optiagent.adapters.queue.celery_app import make_celery
    from optiagent.adapters.queue.github_tasks import CeleryAppTasks

    return CeleryAppTasks(make_celery(settings.redis_url, settings.worker.visibility_timeout_s))


def webhook_context(settings: Settings) -> WebhookContext | None:
    """None when the App is not configured (the route then answers 404)."""
    if not configured(settings):
        return None
    assert settings.github.webhook_secret is not None
    return WebhookContext(
        settings.github.webhook_secret.get_secret_value(),
        build_app_store(settings),
        build_app_tasks(settings),
    )


def build_github_app(settings: Settings, queue: JobQueue, tasks: AppTasks | None = None) -> GitHubApp:
    """A worker's App: githubkit clients per repository (tokens in this process's memory only)."""
    require_extra("github", "the GitHub App")
    from optiagent.adapters.codehost.github import GitHubApps
    from optiagent.adapters.codehost.limits import RedisWriteLimiter
    from optiagent.bootstrap import build_job_store
    from optiagent.rewrite.catalogue import explain

    github = settings.github
    if not github.app_id:
        raise ConfigError("the GitHub App needs OPTIAGENT_GITHUB__APP_ID")
    writes = RedisWriteLimiter.from_url(settings.redis_url, github.writes_per_minute)  # shared by processes
    apps = GitHubApps(github.app_id, private_key(settings), github.api_url, writes)
    limits = AppLimits(
        runs_per_day=github.runs_per_day,
        concurrent_runs=github.concurrent_runs,
        poll_s=github.poll_s,
        max_archive_bytes=int(settings.api.max_upload_mb * 2**20),
    )
    return GitHubApp(
        apps.for_repo,
        build_app_store(settings),
        build_job_store(settings),
        queue,
        tasks or build_app_tasks(settings),
        limits,
        explain,
    )
