"""Tables of the GitHub App: installations, their repositories, webhook deliveries, runs and what
the App owns on each pull request (migrations 0005_github_app, 0007_github_recovery). No
credentials are ever stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from optiagent.adapters.store.models import Base, Json


class GitHubInstallationRow(Base):
    __tablename__ = "github_installations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    account: Mapped[str]
    suspended: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime]


class GitHubRepositoryRow(Base):
    __tablename__ = "github_repositories"

    full_name: Mapped[str] = mapped_column(primary_key=True)
    installation_id: Mapped[int] = mapped_column(BigInteger, index=True)
    paused: Mapped[bool] = mapped_column(Boolean)


class GitHubDeliveryRow(Base):
    __tablename__ = "github_deliveries"

    id: Mapped[str] = mapped_column(primary_key=True)  # X-GitHub-Delivery
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[Json | None]  # dropped once handled
    received_at: Mapped[datetime] = mapped_column(index=True)
    handled_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None] = mapped_column(index=True)  # when its task should have run
    claimed_until: Mapped[datetime | None]  # a handler's lease
    failures: Mapped[int] = mapped_column(Integer, server_default="0")


class GitHubRunRow(Base):
    __tablename__ = "github_runs"
    __table_args__ = (UniqueConstraint("repo", "head_sha"), Index("ix_github_runs_repo_pr", "repo", "pr"))

    id: Mapped[str] = mapped_column(primary_key=True)
    installation_id: Mapped[int] = mapped_column(BigInteger, index=True)
    repo: Mapped[str]
    pr: Mapped[int] = mapped_column(Integer)
    head_sha: Mapped[str] = mapped_column(String(64))
    base_sha: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    check_run_id: Mapped[int | None] = mapped_column(BigInteger)
    job_id: Mapped[str | None]
    functions: Mapped[Json]
    fork: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    steps: Mapped[Json]
    watch_due_at: Mapped[datetime | None]  # when its job is next looked at (a lost watch is sent again)


class GitHubPullRow(Base):
    __tablename__ = "github_pulls"

    repo: Mapped[str] = mapped_column(primary_key=True)
    pr: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    summary_comment_id: Mapped[int | None] = mapped_column(BigInteger)
    followup_pr: Mapped[int | None] = mapped_column(Integer)
    followup_requested: Mapped[bool] = mapped_column(Boolean)
