"""SqlAppStore: the GitHub App's AppStore on SQLAlchemy 2 (Postgres in production, SQLite in tests)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from optiagent.adapters.store.engine import create_store_engine
from optiagent.adapters.store.errors import translate_store_errors
from optiagent.adapters.store.github_models import (
    GitHubDeliveryRow,
    GitHubInstallationRow,
    GitHubPullRow,
    GitHubRepositoryRow,
    GitHubRunRow,
)
from optiagent.adapters.store.migrate import upgrade_engine
from optiagent.adapters.store.normalize import json_copy
from optiagent.adapters.store.upsert import insert_for, require_supported
from optiagent.ports.github_app import PullState, Run, RunStatus

ACTIVE = [s.value for s in RunStatus if not s.terminal]


def _now() -> datetime:
    return datetime.now(UTC)


def _run(row: Any) -> Run:
    return Run(
        id=row.id,
        installation_id=row.installation_id,
        repo=row.repo,
        pr=row.pr,
        head_sha=row.head_sha,
        base_sha=row.base_sha,
        attempt=row.attempt,
        status=RunStatus(row.status),
        created_at=row.created_at,
        check_run_id=row.check_run_id,
        job_id=row.job_id,
        functions=tuple(row.functions or ()),
        fork=row.fork,
        reason=row.reason,
        steps=dict(row.steps or {}),
        watch_due_at=row.watch_due_at,
    )


def _values(run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "installation_id": run.installation_id,
        "repo": run.repo,
        "pr": run.pr,
        "head_sha": run.head_sha,
        "base_sha": run.base_sha,
        "attempt": run.attempt,
        "status": run.status.value,
        "created_at": run.created_at,
        "updated_at": _now(),
        "check_run_id": run.check_run_id,
        "job_id": run.job_id,
        "functions": list(run.functions),
        "fork": run.fork,
        "reason": run.reason,
        "steps": json_copy(dict(run.steps)),
    }


class SqlAppStore:
    def __init__(self, url: str, *, auto_migrate: bool = True) -> None:
        self._url = url
        with translate_store_errors(url, "opening"):
            self._engine = create_store_engine(url)
            require_supported(self._engine.dialect.name)
            if auto_migrate:
                upgrade_engine(self._engine)

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _write(self, action: str) -> Iterator[Connection]:
        with translate_store_errors(self._url, action), self._engine.begin() as connection:
            yield connection

    # -- deliveries ------------------------------------------------------------------------------

    def record_delivery(self, delivery_id: str, event: str, payload: Mapping[str, Any]) -> bool:
        now = _now()
        row = {
            "id": delivery_id,
            "event": event,
            "payload": json_copy(dict(payload)),
            "received_at": now,
            "due_at": now,
            "failures": 0,
        }
        statement = insert_for(self._engine.dialect.name, GitHubDeliveryRow).values(row)
        with self._write("recording a delivery") as connection:
            # RETURNING, not rowcount: the driver's rowcount is not reliable for ON CONFLICT DO NOTHING
            inserted = connection.execute(statement.on_conflict_do_nothing().returning(GitHubDeliveryRow.id))
            return inserted.first() is not None

    def delivery(self, delivery_id: str) -> tuple[str, Mapping[str, Any]] | None:
        query = select(GitHubDeliveryRow.event, GitHubDeliveryRow.payload).where(
            GitHubDeliveryRow.id == delivery_id
        )
        with self._write("reading a delivery") as connection:
            row = connection.execute(query).first()
        if row is None or row.payload is None:
            return None
        return row.event, row.payload

    def claim_delivery(self, delivery_id: str, lease_s: float) -> tuple[str, Mapping[str, Any]] | None:
        now = _now()
        row = GitHubDeliveryRow
        statement = (
            update(row)
            .where(
                row.id == delivery_id,
                row.handled_at.is_(None),
                or_(row.claimed_until.is_(None), row.claimed_until < now),
            )
            .values(claimed_until=now + timedelta(seconds=lease_s))
            .returning(row.event, row.payload)
        )
        with self._write("claiming a delivery") as connection:
            claimed = connection.execute(statement).first()
        return None if claimed is None else (claimed.event, claimed.payload)

    def defer_delivery(self, delivery_id: str, after_s: float) -> None:
        due = _now() + timedelta(seconds=max(after_s, 0.0))
        with self._write("deferring a delivery") as connection:
            connection.execute(
                update(GitHubDeliveryRow)
                .where(GitHubDeliveryRow.id == delivery_id)
                .values(claimed_until=None, due_at=due)
            )

    def fail_delivery(self, delivery_id: str, max_failures: int) -> bool:
        row = GitHubDeliveryRow
        with self._write("failing a delivery") as connection:
            failures = connection.scalar(
                update(row)
                .where(row.id == delivery_id)
                .values(claimed_until=None, due_at=_now(), failures=row.failures + 1)
                .returning(row.failures)
            )
            if failures is None or failures < max_failures:
                return False
            connection.execute(
                update(row).where(row.id == delivery_id).values(payload=None, handled_at=_now())
            )
            return True

    def finish_delivery(self, delivery_id: str) -> None:
        with self._write("finishing a delivery") as connection:
            connection.execute(
                update(GitHubDeliveryRow)
                .where(GitHubDeliveryRow.id == delivery_id)
                .values(payload=None, handled_at=_now(), claimed_until=None)
            )

    def requeue_deliveries(self, stalled_before: datetime, max_failures: int) -> list[str]:
        now, row = _now(), GitHubDeliveryRow
        # One UPDATE ... RETURNING: a concurrent sweeper re-reads the rows it waited for and skips them.
        statement = (
            update(row)
            .where(
                row.handled_at.is_(None),
                or_(row.due_at.is_(None), row.due_at < stalled_before),
                or_(row.claimed_until.is_(None), row.claimed_until < now),
                row.failures < max_failures,
            )
            .values(due_at=now)
            .returning(row.id)
        )
        with self._write("requeueing deliveries") as connection:
            return list(connection.scalars(statement))

    # -- installations and repositories ----------------------------------------------------------

    def save_installation(self, installation_id: int, account: str, suspended: bool) -> None:
        values = {"id": installation_id, "account": account, "suspended": suspended, "updated_at": _now()}
        statement = insert_for(self._engine.dialect.name, GitHubInstallationRow).values(values)
        with self._write("saving an installation") as connection:
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["id"],
                    set_={"account": account, "suspended": suspended, "updated_at": values["updated_at"]},
                )
            )

    def remove_installation(self, installation_id: int) -> None:
        with self._write("removing an installation") as connection:
            connection.execute(
                delete(GitHubRepositoryRow).where(GitHubRepositoryRow.installation_id == installation_id)
            )
            connection.execute(
                delete(GitHubInstallationRow).where(GitHubInstallationRow.id == installation_id)
            )

    def installation_suspended(self, installation_id: int) -> bool:
        query = select(GitHubInstallationRow.suspended).where(GitHubInstallationRow.id == installation_id)
        with self._write("reading an installation") as connection:
            return bool(connection.scalar(query))

    def set_repositories(self, installation_id: int, added: Sequence[str], removed: Sequence[str]) -> None:
        dialect = self._engine.dialect.name
        with self._write("saving repositories") as connection:
            if removed:
                connection.execute(
                    delete(GitHubRepositoryRow).where(GitHubRepositoryRow.full_name.in_(removed))
                )
            for name in added:
                statement = insert_for(dialect, GitHubRepositoryRow).values(
                    full_name=name, installation_id=installation_id, paused=False
                )
                connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=["full_name"], set_={"installation_id": installation_id}
                    )
                )

    def repositories(self, installation_id: int) -> list[str]:
        query = (
            select(GitHubRepositoryRow.full_name)
            .where(GitHubRepositoryRow.installation_id == installation_id)
            .order_by(GitHubRepositoryRow.full_name)
        )
        with self._write("listing repositories") as connection:
            return list(connection.scalars(query))

    def set_paused(self, installation_id: int, repo: str, paused: bool) -> None:
        statement = insert_for(self._engine.dialect.name, GitHubRepositoryRow).values(
            full_name=repo, installation_id=installation_id, paused=paused
        )
        with self._write("pausing a repository") as connection:
            connection.execute(
                statement.on_conflict_do_update(index_elements=["full_name"], set_={"paused": paused})
            )

    def paused(self, repo: str) -> bool:
        query = select(GitHubRepositoryRow.paused).where(GitHubRepositoryRow.full_name == repo)
        with self._write("reading a repository") as connection:
            return bool(connection.scalar(query))

    # -- runs ------------------------------------------------------------------------------------

    def create_run(self, run: Run) -> Run:
        try:
            with self._write("creating a run") as connection:
                connection.execute(insert(GitHubRunRow).values(_values(run)))
        except IntegrityError:
            pass
        found = self.run_for(run.repo, run.head_sha)
        assert found is not None
        return found

    def _one(self, *conditions: Any) -> Run | None:
        with self._write("reading a run") as connection:
            row = connection.execute(select(GitHubRunRow).where(*conditions)).first()
        return None if row is None else _run(row)

    def get_run(self, run_id: str) -> Run | None:
        return self._one(GitHubRunRow.id == run_id)

    def run_for(self, repo: str, head_sha: str) -> Run | None:
        return self._one(GitHubRunRow.repo == repo, GitHubRunRow.head_sha == head_sha)

    def latest_run(self, repo: str, pr: int) -> Run | None:
        query = (
            select(GitHubRunRow)
            .where(GitHubRunRow.repo == repo, GitHubRunRow.pr == pr)
            .order_by(GitHubRunRow.created_at.desc(), GitHubRunRow.updated_at.desc())
            .limit(1)
        )
        with self._write("reading a run") as connection:
            row = connection.execute(query).first()
        return None if row is None else _run(row)

    def active_runs(self, repo: str, pr: int) -> list[Run]:
        query = select(GitHubRunRow).where(
            GitHubRunRow.repo == repo, GitHubRunRow.pr == pr, GitHubRunRow.status.in_(ACTIVE)
        )
        with self._write("reading runs") as connection:
            return [_run(row) for row in connection.execute(query)]

    def update_run(self, run: Run, expected_status: RunStatus | None = None) -> bool:
        values = _values(run)
        del values["id"], values["created_at"]
        statement = update(GitHubRunRow).where(GitHubRunRow.id == run.id)
        if expected_status is not None:
            statement = statement.where(GitHubRunRow.status == expected_status.value)
        with self._write("updating a run") as connection:
            return bool(connection.execute(statement.values(values)).rowcount)

    def set_watch_due(self, run_id: str, due_at: datetime) -> None:
        with self._write("scheduling a watch") as connection:
            connection.execute(
                update(GitHubRunRow).where(GitHubRunRow.id == run_id).values(watch_due_at=due_at)
            )

    def requeue_watches(self, stalled_before: datetime) -> list[str]:
        row = GitHubRunRow
        statement = (
            update(row)
            .where(
                row.status.in_([RunStatus.RUNNING.value, RunStatus.PUBLISHING.value]),
                row.job_id.is_not(None),
                or_(row.watch_due_at.is_(None), row.watch_due_at < stalled_before),
            )
            .values(watch_due_at=_now())
            .returning(row.id)
        )
        with self._write("requeueing watches") as connection:
            return list(connection.scalars(statement))

    def count_runs(self, installation_id: int, since: datetime) -> int:
        query = select(func.count()).where(
            GitHubRunRow.installation_id == installation_id,
            GitHubRunRow.created_at >= since,
            GitHubRunRow.status != RunStatus.SKIPPED.value,
        )
        with self._write("counting runs") as connection:
            return int(connection.scalar(query) or 0)

    def count_active(self, installation_id: int) -> int:
        query = select(func.count()).where(
            GitHubRunRow.installation_id == installation_id, GitHubRunRow.status.in_(ACTIVE)
        )
        with self._write("counting runs") as connection:
            return int(connection.scalar(query) or 0)

    # -- pull requests ---------------------------------------------------------------------------

    def pull_state(self, repo: str, pr: int) -> PullState:
        query = select(GitHubPullRow).where(GitHubPullRow.repo == repo, GitHubPullRow.pr == pr)
        with self._write("reading a pull request") as connection:
            row = connection.execute(query).first()
        if row is None:
            return PullState(repo, pr)
        return PullState(repo, pr, row.summary_comment_id, row.followup_pr, row.followup_requested)

    def save_pull_state(self, state: PullState) -> None:
        values = {
            "repo": state.repo,
            "pr": state.pr,
            "summary_comment_id": state.summary_comment_id,
            "followup_pr": state.followup_pr,
            "followup_requested": state.followup_requested,
        }
        statement = insert_for(self._engine.dialect.name, GitHubPullRow).values(values)
        changes = {k: v for k, v in values.items() if k not in ("repo", "pr")}
        with self._write("saving a pull request") as connection:
            connection.execute(statement.on_conflict_do_update(index_elements=["repo", "pr"], set_=changes))
