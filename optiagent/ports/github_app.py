"""The AppStore port: the GitHub App's durable state (installations, their repositories, webhook
deliveries, runs and each pull request's published artefacts). Never credentials."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class RunStatus(StrEnum):
    STARTING = "starting"  # the row exists; the check run and the job may not yet
    RUNNING = "running"  # the job is submitted; a watch task waits for it
    PUBLISHING = "publishing"  # the job ended; results are being written to the pull request
    DONE = "done"  # published (or nothing to publish)
    SUPERSEDED = "superseded"  # a newer head: nothing published
    STOPPED = "stopped"  # `/optiagent stop`
    SKIPPED = "skipped"  # gated

    @property
    def terminal(self) -> bool:
        return self in (RunStatus.DONE, RunStatus.SUPERSEDED, RunStatus.STOPPED, RunStatus.SKIPPED)


@dataclass(frozen=True)
class Run:
    """One optimization of one head SHA of one pull request (attempt counts reruns of that SHA)."""

    id: str
    installation_id: int
    repo: str  # owner/name
    pr: int
    head_sha: str
    base_sha: str
    attempt: int
    status: RunStatus
    created_at: datetime
    check_run_id: int | None = None
    job_id: str | None = None
    functions: tuple[str, ...] = ()
    fork: bool = False
    reason: str = ""  # why it was skipped, stopped or superseded
    # what the publisher did (each step once, so a retried publish resumes where it stopped)
    steps: Mapping[str, Any] = field(default_factory=dict)
    watch_due_at: datetime | None = None  # when a watch task should next look (set by set_watch_due)


@dataclass(frozen=True)
class PullState:
    """What the App owns on one pull request, across its runs."""

    repo: str
    pr: int
    summary_comment_id: int | None = None
    followup_pr: int | None = None
    followup_requested: bool = False


class AppStore(Protocol):
    def record_delivery(self, delivery_id: str, event: str, payload: Mapping[str, Any]) -> bool:
        """False when this delivery was recorded before (a redelivery: do nothing). A recorded
        delivery is due at once; until it is finished the sweep sends it again when its task is lost."""
        ...

    def delivery(self, delivery_id: str) -> tuple[str, Mapping[str, Any]] | None: ...

    def claim_delivery(self, delivery_id: str, lease_s: float) -> tuple[str, Mapping[str, Any]] | None:
        """The delivery's event and payload, leased to this handler for `lease_s`; None when it was
        handled already or another handler holds its lease."""
        ...

    def defer_delivery(self, delivery_id: str, after_s: float) -> None:
        """Releases the lease; the delivery's task runs again after `after_s` (RetryLater)."""
        ...

    def fail_delivery(self, delivery_id: str, max_failures: int) -> bool:
        """Counts a failed handling and releases the lease; at `max_failures` the delivery is given
        up (its payload dropped). True when it was given up."""
        ...

    def finish_delivery(self, delivery_id: str) -> None:
        """The delivery is handled: its payload is dropped, its id kept for deduplication."""
        ...

    def requeue_deliveries(self, stalled_before: datetime, max_failures: int) -> list[str]:
        """Unfinished, unleased deliveries due before `stalled_before` (their task was lost), marked
        due now so that another sweeper does not send them too."""
        ...

    def save_installation(self, installation_id: int, account: str, suspended: bool) -> None: ...

    def remove_installation(self, installation_id: int) -> None: ...

    def installation_suspended(self, installation_id: int) -> bool: ...

    def set_repositories(
        self, installation_id: int, added: Sequence[str], removed: Sequence[str]
    ) -> None: ...

    def repositories(self, installation_id: int) -> list[str]: ...

    def set_paused(self, installation_id: int, repo: str, paused: bool) -> None: ...

    def paused(self, repo: str) -> bool: ...

    def create_run(self, run: Run) -> Run:
        """Inserts the run; the existing run of the same (repo, head_sha) is returned instead."""
        ...

    def get_run(self, run_id: str) -> Run | None: ...

    def run_for(self, repo: str, head_sha: str) -> Run | None: ...

    def latest_run(self, repo: str, pr: int) -> Run | None: ...

    def active_runs(self, repo: str, pr: int) -> list[Run]: ...

    def update_run(self, run: Run, expected_status: RunStatus | None = None) -> bool:
        """Writes the run; with `expected_status`, only if the stored status still is that (False
        otherwise: another task moved it)."""
        ...

    def set_watch_due(self, run_id: str, due_at: datetime) -> None:
        """When the run's job is next looked at (only this method writes it, not update_run)."""
        ...

    def requeue_watches(self, stalled_before: datetime) -> list[str]:
        """Running or publishing runs whose next look was due before `stalled_before` (their watch
        task was lost), marked due now so that another sweeper does not send them too."""
        ...

    def count_runs(self, installation_id: int, since: datetime) -> int:
        """Runs started (not skipped) since then."""
        ...

    def count_active(self, installation_id: int) -> int: ...

    def pull_state(self, repo: str, pr: int) -> PullState: ...

    def save_pull_state(self, state: PullState) -> None: ...

    def close(self) -> None: ...


class AppTasks(Protocol):
    """The App's worker tasks (each carries only an id)."""

    def handle(self, delivery_id: str) -> None: ...

    def watch(self, run_id: str, delay_s: float) -> None:
        """Look at the run's job again after `delay_s` (a scheduled task, never a sleeping worker)."""
        ...
