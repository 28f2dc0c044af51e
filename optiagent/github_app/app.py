"""The GitHub App's use cases, run by worker tasks: handle a webhook delivery, start a run for a pull
request's head, watch its job, publish what was verified and measured, open the follow-up.

Every step is safe to repeat: a task that hits a rate limit (RetryLater) is scheduled again and
resumes where it stopped (the run's row records its check run, job and each published artefact).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

import structlog

from optiagent.domain.jobs import JobSpec, JobStatus, SourceKind
from optiagent.github_app import render
from optiagent.github_app.config import RepoConfig, parse_config
from optiagent.github_app.findings import Finding, Place, decide, demote, publishable
from optiagent.github_app.gates import InstallationState, Trigger, gate
from optiagent.github_app.hunks import FunctionSpan, changed_functions, diff_lines
from optiagent.github_app.patching import apply_diffs
from optiagent.github_app.payloads import get, is_bot, number, repo_of, text
from optiagent.github_app.sources import read_sources
from optiagent.ports.codehost import (
    CheckAction,
    CheckUpdate,
    CodeHost,
    FileChange,
    NotFound,
    PullRequest,
    Repo,
    RetryLater,
    ReviewComment,
    Unprocessable,
)
from optiagent.ports.github_app import AppStore, AppTasks, PullState, Run, RunStatus
from optiagent.ports.jobs import JobQueue, JobStore
from optiagent.ports.store import StoreUnavailableError
from optiagent.services.jobs import submit_job

log = structlog.get_logger("optiagent.github")
WRITE_PERMISSIONS = ("admin", "maintain", "write")
PULL_ACTIONS = ("opened", "reopened", "synchronize", "ready_for_review")
CONFIG_FILE = "pyproject.toml"


@dataclass(frozen=True)
class AppLimits:
    runs_per_day: int = 200  # per installation
    concurrent_runs: int = 4  # per installation
    poll_s: float = 5.0  # how often a running job is looked at
    max_archive_bytes: int = 20 * 2**20  # the head's tarball
    busy_retry_s: float = 30.0  # an installation at its concurrent runs tries again after this


DELIVERY_LEASE_S = 300.0  # a handler holds its delivery this long; then the sweep may send it again
PUBLISH_LEASE_S = 600.0  # likewise a publishing watch
MAX_DELIVERY_FAILURES = 5  # a delivery whose handling raised this often is given up (logged)


def tenant_of(installation_id: int) -> str:
    """GitHub App jobs belong to their installation: its history and verdicts are its own."""
    return f"github:{installation_id}"


def followup_branch(pr: int) -> str:
    return f"optiagent/pr-{pr}"


class GitHubApp:
    def __init__(
        self,
        hosts: Callable[[Repo], CodeHost],
        store: AppStore,
        jobs: JobStore,
        queue: JobQueue,
        tasks: AppTasks,
        limits: AppLimits,
        explain: Callable[[str], str] = lambda rule: "",
    ) -> None:
        self.hosts, self.store, self.jobs, self.queue, self.tasks = hosts, store, jobs, queue, tasks
        self.limits, self.explain = limits, explain

    # -- deliveries ------------------------------------------------------------------------------

    def handle(self, delivery_id: str) -> None:
        """Handles a recorded delivery once: leased while it runs, deferred on RetryLater, counted
        when it fails; a lost task is sent again by sweep()."""
        found = self.store.claim_delivery(delivery_id, DELIVERY_LEASE_S)
        if found is None:  # handled already (a redelivered task), or another handler holds it
            return
        event, payload = found
        try:
            self.dispatch(event, payload)
        except RetryLater as error:
            self.store.defer_delivery(delivery_id, error.after_s)
            raise
        except StoreUnavailableError:
            raise  # retried by the task; the lease lapses
        except Exception as error:
            if self.store.fail_delivery(delivery_id, MAX_DELIVERY_FAILURES):
                log.error("delivery_given_up", delivery=delivery_id, github_event=event)
                self._stop_starting_runs(payload, error)
            raise
        self.store.finish_delivery(delivery_id)

    def _stop_starting_runs(self, payload: Mapping[str, Any], error: Exception) -> None:
        """A given-up delivery may leave its run STARTING: it would hold one of the installation's
        concurrent runs for good, its check run queued. Such runs are stopped, with the reason
        on the check run (best effort: GitHub may be what kept failing)."""
        repo = repo_of(payload)
        pr = number(payload, "pull_request", "number") or number(payload, "issue", "number")
        if pr is None:
            pr = number(payload, "check_run", "pull_requests", 0, "number")
        if repo is None or pr is None:
            return
        reason = (
            f"could not start after {MAX_DELIVERY_FAILURES} attempts ({type(error).__name__}); "
            "comment `/optiagent run` to try again"
        )
        for run in self.store.active_runs(repo.full_name, pr):
            stopped = replace(run, status=RunStatus.STOPPED, reason=reason)
            if run.status is not RunStatus.STARTING or not self.store.update_run(
                stopped, expected_status=RunStatus.STARTING
            ):
                continue
            log.warning("run_stopped_given_up", run=run.id, repo=repo.full_name, pr=pr)
            if run.check_run_id is None:
                continue
            try:
                self.hosts(repo).update_check_run(
                    run.check_run_id,
                    CheckUpdate(
                        "completed", "neutral", render.plain("Could not start", reason.capitalize() + ".")
                    ),
                )
            except Exception as update_error:  # the run is stopped all the same
                log.warning("check_run_not_updated", run=run.id, error=str(update_error)[:200])

    def sweep(self, stalled_s: float) -> int:
        """Sends again the tasks that were lost (a worker's crash, a Redis restart): deliveries not
        finished and runs not looked at for `stalled_s` past their time. Returns how many."""
        before = datetime.now(UTC) - timedelta(seconds=stalled_s)
        deliveries = self.store.requeue_deliveries(before, MAX_DELIVERY_FAILURES)
        for delivery_id in deliveries:
            self.tasks.handle(delivery_id)
        runs = self.store.requeue_watches(before)
        for run_id in runs:
            self.tasks.watch(run_id, 0.0)
        return len(deliveries) + len(runs)

    def dispatch(self, event: str, payload: Mapping[str, Any]) -> None:
        action = text(payload, "action")
        if event == "installation":
            self._installation(payload, action)
            return
        if event == "installation_repositories":
            installation = number(payload, "installation", "id")
            if installation is not None:
                self.store.set_repositories(
                    installation,
                    _names(get(payload, "repositories_added")),
                    _names(get(payload, "repositories_removed")),
                )
            return
        repo = repo_of(payload)
        if repo is None:
            return
        if event == "pull_request":
            pr = number(payload, "pull_request", "number")
            if pr is None:
                return
            if action in PULL_ACTIONS:
                self.start(repo, pr, Trigger.PUSH)
            elif action == "labeled":
                self.start(repo, pr, Trigger.LABEL, label=text(payload, "label", "name"))
            elif action == "closed":
                self.close(repo, pr)
        elif event == "issue_comment":
            self._comment(repo, payload, action)
        elif event == "check_run" and text(payload, "check_run", "name") == render.CHECK_NAME:
            sha = text(payload, "check_run", "head_sha")
            if action == "rerequested":
                self._rerun(repo, sha, get(payload, "check_run", "pull_requests"))
            elif (
                action == "requested_action"
                and text(payload, "requested_action", "identifier") == render.FOLLOWUP_ACTION
            ):
                self._button(repo, sha, get(payload, "sender"))
        elif event == "check_suite" and action == "rerequested":
            self._rerun(
                repo, text(payload, "check_suite", "head_sha"), get(payload, "check_suite", "pull_requests")
            )

    def _installation(self, payload: Mapping[str, Any], action: str) -> None:
        installation = number(payload, "installation", "id")
        if installation is None:
            return
        if action == "deleted":
            self.store.remove_installation(installation)
            return
        account = text(payload, "installation", "account", "login")
        self.store.save_installation(installation, account, suspended=action == "suspend")
        if action == "created":
            self.store.set_repositories(installation, _names(get(payload, "repositories")), [])

    def _button(self, repo: Repo, sha: str, sender: object) -> None:
        """The check run's "Open follow-up PR" button: as `/optiagent pr`, for a person with write
        permission (GitHub shows the button to anyone who can see the check)."""
        run = self.store.run_for(repo.full_name, sha) if sha else None
        user = text(sender, "login")
        if run is None or is_bot(sender) or not user:
            return
        if self.hosts(repo).permission(user) not in WRITE_PERMISSIONS:
            log.info("button_refused", repo=repo.full_name, pr=run.pr, user=user)
            return
        self.followup(repo, run.pr)

    def _rerun(self, repo: Repo, sha: str, pulls: object) -> None:
        run = self.store.run_for(repo.full_name, sha) if sha else None
        numbers = (
            [run.pr] if run is not None else [n for n in (number(p, "number") for p in _list(pulls)) if n]
        )
        for pr in numbers:
            self.start(repo, pr, Trigger.RERUN)

    # -- commands --------------------------------------------------------------------------------

    def _comment(self, repo: Repo, payload: Mapping[str, Any], action: str) -> None:
        body = text(payload, "comment", "body").strip()
        pr = number(payload, "issue", "number")
        if action != "created" or get(payload, "issue", "pull_request") is None or pr is None:
            return
        if (
            not body.startswith("/optiagent")
            or is_bot(get(payload, "comment", "user"))
            or is_bot(get(payload, "sender"))
        ):
            return
        words = body.splitlines()[0].split()
        if words[0] != "/optiagent":
            return
        command, arguments = (words[1] if len(words) > 1 else "help"), words[2:]
        user = text(payload, "comment", "user", "login")
        host = self.hosts(repo)
        if host.permission(user) not in WRITE_PERMISSIONS:
            log.info("command_refused", repo=repo.full_name, pr=pr, user=user, command=command)
            return
        comment_id = number(payload, "comment", "id")
        if comment_id is not None:
            host.react(comment_id, "eyes")  # seen; the work follows on the check run
        if command == "run":
            self.start(repo, pr, Trigger.COMMAND, functions=tuple(arguments))
        elif command == "pr":
            self.followup(repo, pr)
        elif command == "stop":
            self.stop(repo, pr, f"stopped by @{user}")
        elif command in ("pause", "resume"):
            self.store.set_paused(repo.installation_id, repo.full_name, command == "pause")
        else:
            host.comment(pr, render.HELP)

    # -- a run -----------------------------------------------------------------------------------

    def start(
        self, repo: Repo, number_: int, trigger: Trigger, functions: tuple[str, ...] = (), label: str = ""
    ) -> Run | None:
        host = self.hosts(repo)
        pr = host.pull_request(number_)
        config = parse_config(host.file_text(CONFIG_FILE, pr.base_sha))  # the base's: a PR cannot loosen it
        if trigger is Trigger.LABEL and label != config.trigger_label:
            return None
        since = datetime.now(UTC) - timedelta(days=1)
        state = InstallationState(
            suspended=self.store.installation_suspended(repo.installation_id),
            paused=self.store.paused(repo.full_name),
            runs_today=self.store.count_runs(repo.installation_id, since),
            runs_per_day=self.limits.runs_per_day,
        )
        existing = self.store.run_for(repo.full_name, pr.head_sha)
        stopped = gate(repo, pr, config, trigger, state)
        if stopped is not None:
            log.info("gated", repo=repo.full_name, pr=pr.number, reason=stopped.reason)
            if stopped.check and existing is None:
                self._skip(host, repo, pr, stopped.reason)
            return None
        if existing is not None and existing.status is not RunStatus.STARTING:
            again = trigger is not Trigger.PUSH or existing.status is RunStatus.SKIPPED
            if not existing.status.terminal or not again:
                return existing  # this head is running, or was done and nobody asked again
        for older in self.store.active_runs(repo.full_name, pr.number):
            if older.head_sha != pr.head_sha:
                self._end(host, older, RunStatus.SUPERSEDED, f"superseded by {pr.head_sha[:7]}")
        restarting = existing is not None and existing.status is RunStatus.STARTING
        if not restarting and self.store.count_active(repo.installation_id) >= self.limits.concurrent_runs:
            raise RetryLater(self.limits.busy_retry_s, "the installation is at its concurrent runs")
        if existing is None:
            run = self.store.create_run(
                Run(
                    id=uuid.uuid4().hex,
                    installation_id=repo.installation_id,
                    repo=repo.full_name,
                    pr=pr.number,
                    head_sha=pr.head_sha,
                    base_sha=pr.base_sha,
                    attempt=1,
                    status=RunStatus.STARTING,
                    created_at=datetime.now(UTC),
                    functions=functions,
                    fork=pr.is_fork(repo),
                )
            )
        elif existing.status is RunStatus.STARTING:
            run = existing
        else:
            run = replace(
                existing,
                attempt=existing.attempt + 1,
                status=RunStatus.STARTING,
                job_id=None,
                functions=functions,
                base_sha=pr.base_sha,
                reason="",
                steps={},
                created_at=datetime.now(UTC),
            )
            if not self.store.update_run(run, expected_status=existing.status):
                return self.store.run_for(repo.full_name, pr.head_sha)  # another task restarted it
        return self._launch(host, run, pr, config)

    def _launch(self, host: CodeHost, run: Run, pr: PullRequest, config: RepoConfig) -> Run:
        """STARTING -> RUNNING: the check run, the changed functions, the job."""
        if run.check_run_id is None:
            check_id = host.create_check_run(
                pr.head_sha,
                render.CHECK_NAME,
                run.id,
                CheckUpdate("queued", output=render.plain("Queued", "Finding the changed functions.")),
            )
            run = replace(run, check_run_id=check_id)
            self.store.update_run(run)
        else:
            host.update_check_run(
                run.check_run_id,
                CheckUpdate("queued", output=render.plain("Queued", f"Attempt {run.attempt}.")),
            )
        files = [
            f
            for f in host.pull_files(pr.number)
            if f.path.endswith(".py")
            and f.status != "removed"
            and not any(fnmatchcase(f.path, p) for p in config.ignore_paths)
        ]
        tarball = host.tarball(pr.head_sha)
        if len(tarball) > self.limits.max_archive_bytes:
            limit_mb = self.limits.max_archive_bytes / 2**20
            return self._finish(
                host,
                run,
                "skipped",
                render.plain("Skipped", f"The repository's tarball is larger than {limit_mb:g} MB."),
                RunStatus.SKIPPED,
            )
        sources = read_sources(tarball, [f.path for f in files])
        spans: dict[str, list[FunctionSpan]] = {}
        for changed in files:
            source = sources.get(changed.path)
            if source is not None:
                spans[changed.path] = changed_functions(source, diff_lines(changed.patch))
        names = list(
            dict.fromkeys([*run.functions, *(s.qualname for found in spans.values() for s in found)])
        )
        names = names[: config.max_functions]
        if not names:
            output = render.plain("No changed functions", "This pull request changes no Python function.")
            return self._finish(host, run, "success", output, RunStatus.DONE)
        spec = JobSpec(
            source=SourceKind.ARCHIVE,
            repo=f"github:{run.repo}",
            functions=tuple(names),
            min_speedup=config.min_speedup,
            budget=len(names),
        )
        tenant = tenant_of(run.installation_id)
        key = f"{run.repo}#{run.pr}@{run.head_sha}/{run.attempt}"
        job = submit_job(self.jobs, self.queue, spec, tarball, tenant, key, tenant)
        listed = ", ".join(f"`{n}`" for n in names)
        host.update_check_run(
            run.check_run_id or 0,
            CheckUpdate(
                "in_progress", output=render.plain("Optimizing", f"Optimizing {listed}.", f"Job {job.id}.")
            ),
        )
        defs = {path: [[s.qualname, s.def_line] for s in found] for path, found in spans.items() if found}
        run = replace(
            run, job_id=job.id, status=RunStatus.RUNNING, functions=tuple(names), steps={"defs": defs}
        )
        self.store.update_run(run)
        self._watch_later(run.id, self.limits.poll_s)
        return run

    def watch(self, run_id: str) -> None:
        """Publishes once the run's job has ended, else looks again later."""
        run = self.store.get_run(run_id)
        if run is None or run.status not in (RunStatus.RUNNING, RunStatus.PUBLISHING) or run.job_id is None:
            return
        now = datetime.now(UTC)
        leased = run.watch_due_at is not None and run.watch_due_at > now
        if run.status is RunStatus.PUBLISHING and leased:
            return  # another watch publishes it (a second watch chain, sent by the sweep)
        job = self.jobs.get_job(run.job_id)
        if job is None:
            return
        if not job.status.terminal:
            self._watch_later(run.id, self.limits.poll_s)
            return
        if run.status is RunStatus.RUNNING:
            publishing = replace(run, status=RunStatus.PUBLISHING)
            if not self.store.update_run(publishing, expected_status=RunStatus.RUNNING):
                return  # stopped or superseded meanwhile, or another watcher publishes
            run = publishing
        # While it publishes, the sweep leaves it alone; a publisher that died is resumed after this.
        self.store.set_watch_due(run.id, now + timedelta(seconds=PUBLISH_LEASE_S))
        try:
            self.publish(run)
        except RetryLater as error:
            self.store.set_watch_due(run.id, datetime.now(UTC) + timedelta(seconds=error.after_s))
            raise

    def _watch_later(self, run_id: str, delay_s: float) -> None:
        self.store.set_watch_due(run_id, datetime.now(UTC) + timedelta(seconds=delay_s))
        self.tasks.watch(run_id, delay_s)

    # -- publishing ------------------------------------------------------------------------------

    def publish(self, run: Run) -> None:
        repo = _repo(run)
        host = self.hosts(repo)
        pr = host.pull_request(run.pr)
        if pr.head_sha != run.head_sha or pr.state != "open":
            self._end(host, run, RunStatus.SUPERSEDED, f"the pull request moved on from {run.head_sha[:7]}")
            return
        job = self.jobs.get_job(run.job_id or "")
        if job is None or job.status is not JobStatus.SUCCEEDED:
            why = (job.error if job else "") or (job.status.value if job else "the job is gone")
            output = render.plain("Could not finish", f"optiagent could not optimize this head: {why}")
            self._finish(host, run, "neutral", output, RunStatus.DONE)
            return
        report = self.jobs.report(job.id) or {}
        config = parse_config(host.file_text(CONFIG_FILE, run.base_sha))
        found, notes = publishable(report, config.min_speedup, self.explain)
        lines = {f.path: diff_lines(f.patch) for f in host.pull_files(pr.number)}
        placed = list(decide(found, lines, config, run.fork).findings)
        steps = dict(run.steps)
        placed = self._review(host, run, placed, steps)
        pull = self.store.pull_state(run.repo, run.pr)
        followups = [f for f in placed if f.place is Place.FOLLOWUP]
        if followups and not run.fork and (config.followup == "auto" or pull.followup_requested):
            pull = self._push_followup(host, run, pr, followups, pull, notes)
        steps["findings"] = [f.to_json() for f in placed]
        run = replace(run, steps=steps)
        self.store.update_run(run)
        if config.comment == "findings":
            self._summary(host, run, placed, pull)
        spans = {
            path: [FunctionSpan(q, line, line, line) for q, line in defs]
            for path, defs in dict(steps.get("defs") or {}).items()
        }
        output = render.check_output(
            placed, spans, [*notes, *config.notes], f"Job {job.id}, attempt {run.attempt}."
        )
        actions: tuple[CheckAction, ...] = ()
        if followups and not run.fork and pull.followup_pr is None:
            actions = (
                CheckAction(
                    "Open follow-up PR", "Open these edits as a pull request", render.FOLLOWUP_ACTION
                ),
            )
        self._finish(host, run, "neutral" if placed else "success", output, RunStatus.DONE, actions)

    def _review(
        self, host: CodeHost, run: Run, placed: list[Finding], steps: dict[str, Any]
    ) -> list[Finding]:
        """One review with every suggestion; a 422 moves them to the summary."""
        suggestions = [f for f in placed if f.place is Place.SUGGESTION]
        if not suggestions or "review" in steps:
            return demote(placed) if steps.get("review") == "refused" else placed
        comments = [
            ReviewComment(
                f.suggestion.path,
                f.suggestion.end,
                render.suggestion_body(f),
                f.suggestion.start if f.suggestion.start < f.suggestion.end else None,
            )
            for f in suggestions
            if f.suggestion is not None
        ]
        try:
            steps["review"] = host.create_review(
                run.pr, run.head_sha, render.review_body(len(comments)), comments
            )
        except Unprocessable as error:
            log.warning("review_refused", repo=run.repo, pr=run.pr, error=str(error)[:200])
            steps["review"] = "refused"
            placed = demote(placed)
        self.store.update_run(replace(run, steps=steps))
        return placed

    def _summary(self, host: CodeHost, run: Run, placed: Sequence[Finding], pull: PullState) -> None:
        """The one summary comment, edited in place; never created without findings."""
        comment_id = pull.summary_comment_id
        if comment_id is None:
            comment_id = next((c.id for c in host.comments(run.pr) if render.SUMMARY_MARKER in c.body), None)
        if not placed and comment_id is None:
            return
        body = render.summary_comment(run.head_sha, placed, pull.followup_pr, not run.fork)
        if comment_id is not None:
            try:
                host.edit_comment(comment_id, body)
            except NotFound:  # deleted by someone: write it again
                comment_id = None
        if comment_id is None:
            comment_id = host.comment(run.pr, body)
        self.store.save_pull_state(
            replace(self.store.pull_state(run.repo, run.pr), summary_comment_id=comment_id)
        )

    # -- the follow-up pull request --------------------------------------------------------------

    def followup(self, repo: Repo, pr: int) -> None:
        """`/optiagent pr` or the check run's button: open (or update) the follow-up now, or as soon
        as the running run publishes."""
        pull = replace(self.store.pull_state(repo.full_name, pr), followup_requested=True)
        self.store.save_pull_state(pull)
        run = self.store.latest_run(repo.full_name, pr)
        if run is None or run.status is not RunStatus.DONE or run.fork:
            return
        host = self.hosts(repo)
        head = host.pull_request(pr)
        if head.head_sha != run.head_sha or head.is_fork(repo):
            return
        placed = [Finding.from_json(f) for f in _list(run.steps.get("findings"))]
        followups = [f for f in placed if f.place is Place.FOLLOWUP]
        if not followups:
            return
        pull = self._push_followup(host, run, head, followups, pull, [])
        self._summary(host, run, placed, pull)

    def _push_followup(
        self,
        host: CodeHost,
        run: Run,
        pr: PullRequest,
        findings: Sequence[Finding],
        pull: PullState,
        notes: list[str],
    ) -> PullState:
        if run.fork or pr.is_fork(_repo(run)):  # never: a fork's branch is not ours to build on
            return pull
        changes: list[FileChange] = []
        by_file: dict[str, list[Finding]] = {}
        for finding in findings:
            by_file.setdefault(finding.file, []).append(finding)
        for path, group in by_file.items():
            original = host.file_text(path, run.head_sha)
            if original is None:
                notes.append(f"{path}: not found at {run.head_sha[:7]}; left out of the follow-up")
                continue
            patched, applied = apply_diffs(original, [f.diff for f in group])
            notes.extend(
                f"{f.qualname}: does not apply with the file's other edits; left out"
                for i, f in enumerate(group)
                if i not in applied
            )
            if applied:
                changes.append(FileChange(path, patched))
        if not changes:
            return pull
        branch = followup_branch(pr.number)
        message = f"optiagent: verified speedups for #{pr.number}\n\nMade against {run.head_sha}."
        host.push_branch(branch, run.head_sha, message, changes)
        title = f"optiagent: {len(findings)} verified speedup(s) for #{pr.number}"
        body = render.followup_body(pr.number, findings)
        number_ = pull.followup_pr or host.find_pull(branch)
        if number_ is not None:
            host.update_pull(number_, title, body)
        else:
            number_ = host.open_pull(branch, pr.head_ref, title, body)
        pull = replace(self.store.pull_state(run.repo, run.pr), followup_pr=number_, followup_requested=True)
        self.store.save_pull_state(pull)
        return pull

    # -- ending ----------------------------------------------------------------------------------

    def stop(self, repo: Repo, pr: int, reason: str) -> None:
        host = self.hosts(repo)
        for run in self.store.active_runs(repo.full_name, pr):
            self._end(host, run, RunStatus.STOPPED, reason)

    def close(self, repo: Repo, pr: int) -> None:
        """The source pull request closed: stop its runs and close the follow-up."""
        self.stop(repo, pr, "the pull request was closed")
        pull = self.store.pull_state(repo.full_name, pr)
        if pull.followup_pr is not None:
            try:
                self.hosts(repo).close_pull(pull.followup_pr)
            except NotFound:
                pass
            self.store.save_pull_state(replace(pull, followup_pr=None, followup_requested=False))

    def _end(self, host: CodeHost, run: Run, status: RunStatus, reason: str) -> None:
        """Cancels the run's job and ends its check run neutral: nothing is published."""
        if run.job_id is not None:
            self.jobs.cancel_job(run.job_id)
        ended = replace(run, status=status, reason=reason)
        if not self.store.update_run(ended, expected_status=run.status):
            return
        if run.check_run_id is not None:
            title = "Superseded" if status is RunStatus.SUPERSEDED else "Stopped"
            host.update_check_run(
                run.check_run_id,
                CheckUpdate("completed", "neutral", render.plain(title, reason.capitalize() + ".")),
            )

    def _finish(
        self,
        host: CodeHost,
        run: Run,
        conclusion: str,
        output: Any,
        status: RunStatus,
        actions: tuple[CheckAction, ...] = (),
    ) -> Run:
        if run.check_run_id is not None:
            host.update_check_run(run.check_run_id, CheckUpdate("completed", conclusion, output, actions))
        finished = replace(run, status=status)
        self.store.update_run(finished)
        return finished

    def _skip(self, host: CodeHost, repo: Repo, pr: PullRequest, reason: str) -> None:
        """A gated head gets a `skipped` check run (once), never a comment."""
        run = self.store.create_run(
            Run(
                id=uuid.uuid4().hex,
                installation_id=repo.installation_id,
                repo=repo.full_name,
                pr=pr.number,
                head_sha=pr.head_sha,
                base_sha=pr.base_sha,
                attempt=0,
                status=RunStatus.SKIPPED,
                created_at=datetime.now(UTC),
                fork=pr.is_fork(repo),
                reason=reason,
            )
        )
        if run.check_run_id is None and run.status is RunStatus.SKIPPED:
            update = CheckUpdate(
                "completed", "skipped", render.plain("Skipped", reason[:1].upper() + reason[1:] + ".")
            )
            check_id = host.create_check_run(pr.head_sha, render.CHECK_NAME, run.id, update)
            self.store.update_run(replace(run, check_run_id=check_id))


def _repo(run: Run) -> Repo:
    owner, name = run.repo.split("/", 1)
    return Repo(run.installation_id, owner, name)


def _names(repositories: object) -> list[str]:
    return [name for name in (text(r, "full_name") for r in _list(repositories)) if name]


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []
