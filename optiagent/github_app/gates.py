"""Whether a pull request runs: the gates of the issue, in one pure function.

A maintainer's explicit request (a `/optiagent run` command, a re-run of the check) overrides the
gates that are only defaults of taste (draft, command mode, fork, skip label); never those that
protect the installation (suspended, paused, disabled, budget) or stop loops (bots, optiagent/*).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase

from optiagent.github_app.config import RepoConfig
from optiagent.ports.codehost import WRITABLE_BRANCH_PREFIX, PullRequest, Repo


class Trigger(StrEnum):
    PUSH = "push"  # pull_request opened, reopened, synchronize, ready_for_review
    LABEL = "label"  # labeled with the trigger label
    COMMAND = "command"  # `/optiagent run` by a commenter with write permission
    RERUN = "rerun"  # the check run or suite re-requested (GitHub allows it only with write access)

    @property
    def by_maintainer(self) -> bool:
        return self in (Trigger.COMMAND, Trigger.RERUN)


@dataclass(frozen=True)
class InstallationState:
    suspended: bool = False
    paused: bool = False  # this repository, by `/optiagent pause`
    runs_today: int = 0
    runs_per_day: int = 200


@dataclass(frozen=True)
class Gate:
    reason: str
    check: bool  # whether a `skipped` check run says so (never for our own branches or a disabled App)


def gate(
    repo: Repo, pr: PullRequest, config: RepoConfig, trigger: Trigger, state: InstallationState
) -> Gate | None:
    """The first gate that stops this run, or None when it runs."""
    explicit = trigger.by_maintainer
    if state.suspended:
        return Gate("the installation is suspended", check=False)
    if not config.enabled:
        return Gate("disabled by [tool.optiagent.github] enabled = false", check=False)
    if pr.head_ref.startswith(WRITABLE_BRANCH_PREFIX) and not pr.is_fork(repo):
        return Gate("a branch of optiagent's own", check=False)
    if pr.state != "open":
        return Gate("the pull request is closed", check=False)
    if pr.author_is_bot or pr.author in config.ignore_authors:
        return Gate(f"pull requests by {pr.author} are not optimized", check=True)
    if state.paused:
        return Gate("paused on this repository (`/optiagent resume` resumes)", check=True)
    if state.runs_today >= state.runs_per_day:
        return Gate(f"the installation used its {state.runs_per_day} runs of the last 24 hours", check=True)
    if config.base_branches and not any(fnmatchcase(pr.base_ref, p) for p in config.base_branches):
        return Gate(f"base branch {pr.base_ref} is not among {', '.join(config.base_branches)}", check=True)
    if explicit:
        return None
    if pr.draft and not config.drafts:
        return Gate("a draft (drafts = false)", check=True)
    skip = sorted(set(pr.labels) & set(config.skip_labels))
    if skip:
        return Gate(f"labelled {skip[0]}", check=True)
    if pr.is_fork(repo):
        return Gate("a pull request from a fork runs only on a maintainer's `/optiagent run`", check=True)
    if config.mode == "command" and trigger is not Trigger.LABEL:
        return Gate("mode = command: comment `/optiagent run` to optimize", check=True)
    return None
