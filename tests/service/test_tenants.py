"""Tenants attacking each other over real HTTP (uvicorn, Postgres, Redis, Celery workers): tenant
B cannot read, stream, cancel or list tenant A's jobs or edits, cannot record edits under A's
repository nor feed A's prompts; expired and revoked tokens get 401; rate limits answer 429 with
Retry-After; event streams are capped; the service refuses to run jobs in the local sandbox
unless the operator allows it by name, and a worker without Docker retries instead of falling back."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, text

from optiagent.adapters.store.sql import SqlEditStore
from optiagent.services.agent_ports import MAX_PAST_EDITS, past_edits
from optiagent.services.tenancy import TenantEditStore
from tests.service.conftest import WorkerFactory
from tests.service.history import wait_for_ready
from tests.service.stack import EXAMPLES, REPO, Client, optiagent, start_api, tar_gz, unique

PROBLEM = "application/problem+json"
CHEAP = {"since": "2999-01-01T00:00:00Z"}  # an authenticated request that reads nothing


def tenant_token(env: dict[str, str], tenant: str, *extra: str) -> str:
    done = subprocess.run(
        optiagent("tokens", "create", unique("t"), "--tenant", tenant, *extra),
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def tenants(api: str, env: dict[str, str]) -> Iterator[tuple[Client, Client]]:
    a, b = (Client(api, tenant_token(env, unique(name).lower())) for name in ("alice", "bob"))
    yield a, b
    a.close()
    b.close()


def _queued_job(client: Client, **options: str) -> str:
    response = client.submit_archive(tar_gz(EXAMPLES / "primes"), **options)
    assert response.status_code == 201, response.text
    job_id: str = response.json()["id"]
    return job_id


def test_another_tenants_job_answers_404_everywhere(tenants: tuple[Client, Client]) -> None:
    """B cannot read, report, stream, cancel or list A's job; each answer is the 404 of a missing job."""
    alice, bob = tenants
    job_id = _queued_job(alice, functions="primes_below")
    missing = bob.http.get("/v1/jobs/no-such-job")
    for method, path in (
        ("GET", f"/v1/jobs/{job_id}"),
        ("GET", f"/v1/jobs/{job_id}/report"),
        ("GET", f"/v1/jobs/{job_id}/events"),
        ("POST", f"/v1/jobs/{job_id}/cancel"),
    ):
        response = bob.http.request(method, path)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["detail"] == missing.json()["detail"].replace("no-such-job", job_id)
    assert alice.job(job_id)["status"] in ("queued", "running")  # the cancel did nothing
    assert job_id in {job["id"] for job in alice.http.get("/v1/jobs").json()}
    assert job_id not in {job["id"] for job in bob.http.get("/v1/jobs").json()}
    assert alice.http.post(f"/v1/jobs/{job_id}/cancel").json()["status"] == "cancelled"  # its owner can


def test_an_archive_name_is_kept_in_the_submitting_tenants_namespace(
    tenants: tuple[Client, Client],
) -> None:
    """B naming its upload like A's repository (or A's full identity) still records under B's own."""
    alice, bob = tenants
    mine = alice.job(_queued_job(alice, repo="payments"))
    theirs = bob.job(_queued_job(bob, repo=mine["repo"]))
    for client, job in ((alice, mine), (bob, theirs)):
        client.http.post(f"/v1/jobs/{job['id']}/cancel")
    assert mine["repo"].startswith("archive:") and mine["repo"].endswith("/payments")
    assert theirs["repo"] != mine["repo"]
    assert not theirs["repo"].startswith(mine["repo"].rsplit("/", 1)[0] + "/")


def test_edits_and_prompt_history_stay_within_the_tenant(
    tenants: tuple[Client, Client], workers: WorkerFactory, database_url: str
) -> None:
    """Both tenants optimize code under one repository name; each lists only its own edits, B's query
    for A's repository finds nothing, and B's prompts never see A's edits."""
    alice, bob = tenants
    worker = workers()
    wait_for_ready(worker.log)
    options = {"functions": "primes_below", "workload": "python workload.py", "repo": "primes"}
    a_job, b_job = _queued_job(alice, **options), _queued_job(bob, **options)
    for client, job_id in ((alice, a_job), (bob, b_job)):
        assert client.wait(job_id, timeout_s=900)["status"] == "succeeded"
    a_edits = alice.http.get("/v1/edits").json()
    b_edits = bob.http.get("/v1/edits").json()
    assert a_edits and b_edits  # primes_below improves
    a_runs, b_runs = ({e["run_id"] for e in edits} for edits in (a_edits, b_edits))
    assert a_job in a_runs and b_job in b_runs and not a_runs & b_runs
    assert a_runs <= {job["id"] for job in alice.http.get("/v1/jobs").json()}
    a_repo = alice.job(a_job)["repo"]
    assert a_repo in {e["repo"] for e in a_edits}
    assert all(e["repo"].startswith(a_repo.rsplit("/", 1)[0] + "/") for e in a_edits)
    assert bob.http.get("/v1/edits", params={"repo": a_repo}).json() == []
    store = SqlEditStore(database_url)
    try:
        a_tenant = store.accepted_edits(repo=a_repo)[0].tenant
        b_tenant = next(e.tenant for e in store.accepted_edits() if e.run_id == b_job)
        shown_to_b = {e.run_id for e in TenantEditStore(store, b_tenant).accepted_edits()}
        assert a_job not in shown_to_b and b_job in shown_to_b
        assert len(past_edits(TenantEditStore(store, b_tenant))) == min(len(b_edits), MAX_PAST_EDITS)
        shared = {e.run_id for e in TenantEditStore(store, b_tenant, share_edits=True).accepted_edits()}
        assert {a_job, b_job} <= shared  # only when the operator shares history
        assert a_tenant != b_tenant
    finally:
        store.close()


def test_expired_and_revoked_tokens_get_401(api: str, env: dict[str, str]) -> None:
    """A token past its --expires-in, and one revoked with `tokens revoke`, are refused; `tokens list`
    tells their states."""
    revoked = Client(api, tenant_token(env, "revoking"))
    short = Client(api, tenant_token(env, "expiring", "--expires-in", "10s"))
    try:
        assert short.http.get("/v1/jobs").status_code == 200
        assert revoked.http.get("/v1/jobs").status_code == 200  # now in the API's token cache
        listed = subprocess.run(
            optiagent("tokens", "list"), env=env, cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
        revoked_id = next(
            line.split("\t")[0] for line in listed.splitlines() if line.split("\t")[1:2] == ["revoking"]
        )
        subprocess.run(optiagent("tokens", "revoke", revoked_id), env=env, cwd=REPO, check=True)
        deadline = time.monotonic() + 30
        codes: tuple[int, int] = (0, 0)
        while time.monotonic() < deadline:
            codes = (short.http.get("/v1/jobs").status_code, revoked.http.get("/v1/jobs").status_code)
            if codes == (401, 401):
                break
            time.sleep(0.5)
        assert codes == (401, 401)
        states = subprocess.run(
            optiagent("tokens", "list"), env=env, cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
        rows = {line.split("\t")[1]: line.split("\t")[-1] for line in states.splitlines()[1:]}
        assert rows["expiring"] == "expired" and rows["revoking"] == "revoked"
    finally:
        short.close()
        revoked.close()


@pytest.fixture(scope="module")
def limited_api(env: dict[str, str], service_dir: Path) -> Iterator[str]:
    """Two API processes sharing the counts through Redis: 8 requests a minute, one stream of 3 s."""
    limits = {
        "OPTIAGENT_SERVICE__REQUESTS_PER_MINUTE": "8",
        "OPTIAGENT_SERVICE__MAX_STREAMS": "1",
        "OPTIAGENT_SERVICE__MAX_STREAM_S": "3",
    }
    process, url = start_api(env | limits, service_dir / "limited-api.log", processes=2)
    yield url
    process.stop()


def test_a_token_over_its_rate_gets_429_with_retry_after(limited_api: str, env: dict[str, str]) -> None:
    """The 9th request of a minute (across both API processes) is 429 with Retry-After; another
    token is not affected."""
    greedy = Client(limited_api, tenant_token(env, "greedy"))
    other = Client(limited_api, tenant_token(env, "patient"))
    try:
        if time.time() % 60 > 45:  # all requests within one counting window
            time.sleep(61 - time.time() % 60)
        codes = []
        for _ in range(12):
            response = greedy.http.get("/v1/edits", params=CHEAP)
            codes.append(response.status_code)
            if response.status_code == 429:
                break
        assert codes == [200] * 8 + [429], codes
        assert response.headers["content-type"] == PROBLEM
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert other.http.get("/v1/edits", params=CHEAP).status_code == 200
    finally:
        greedy.close()
        other.close()


def test_event_streams_are_capped_in_number_and_duration(limited_api: str, env: dict[str, str]) -> None:
    """A second stream of one token is refused while the first is open; the first ends on its own
    after the maximum duration, and then a new one is accepted."""
    watcher = Client(limited_api, tenant_token(env, "watcher"))
    try:
        job_id = _queued_job(watcher, functions="primes_below")  # no worker: it never ends
        with watcher.http.stream("GET", f"/v1/jobs/{job_id}/events", timeout=20) as first:
            assert first.status_code == 200
            second = watcher.http.get(f"/v1/jobs/{job_id}/events", timeout=20)
            assert second.status_code == 429 and "Retry-After" in second.headers
            started = time.monotonic()
            body = "".join(first.iter_text())  # returns once the server closes the stream
        assert "event: timeout" in body and time.monotonic() - started < 15
        with watcher.http.stream("GET", f"/v1/jobs/{job_id}/events", timeout=20) as third:
            assert third.status_code == 200
    finally:
        watcher.close()


@pytest.mark.parametrize("command", [("worker",), ("serve", "--port", "1")])
def test_the_service_refuses_the_local_sandbox_without_the_override(
    env: dict[str, str], command: tuple[str, ...]
) -> None:
    """`optiagent worker` and `optiagent serve` with the local sandbox and no override exit at once
    and name the setting that would allow it."""
    plain = {k: v for k, v in env.items() if k != "OPTIAGENT_SERVICE__ALLOW_LOCAL_SANDBOX"}
    done = subprocess.run(
        optiagent(*command), env=plain, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "OPTIAGENT_SERVICE__ALLOW_LOCAL_SANDBOX" in done.stderr + done.stdout


def test_a_worker_without_docker_retries_the_step_and_never_runs_it_locally(
    client: Client, workers: WorkerFactory, database_url: str, tmp_path: Path
) -> None:
    """With `auto` and no Docker daemon, the worker hands the step back and Celery retries it later:
    the job stays queued (not failed, no death counted, nothing run in the local sandbox)."""
    no_docker = {
        "OPTIAGENT_SANDBOX__BACKEND": "auto",
        "OPTIAGENT_SERVICE__ALLOW_LOCAL_SANDBOX": "false",
        "DOCKER_HOST": f"unix://{tmp_path / 'no-daemon.sock'}",
    }
    worker = workers(**no_docker)
    wait_for_ready(worker.log)
    job_id = _queued_job(client, functions="primes_below", workload="python workload.py")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and worker.log.read_text(errors="replace").count("Retry in") < 2:
        time.sleep(1)
    log = worker.log.read_text(errors="replace")
    assert log.count("Retry in") >= 2, worker.tail()  # retried, and again
    assert "docker sandbox unavailable" in log and "LOCAL sandbox" not in log
    job = client.job(job_id)
    assert job["status"] == "queued" and job["error"] is None, job
    with _engine(database_url) as connection:
        attempts = connection.scalar(
            text("SELECT prepare_attempts FROM service_jobs WHERE id = :id"), {"id": job_id}
        )
    assert attempts == 0  # an outage is not a worker death
    client.http.post(f"/v1/jobs/{job_id}/cancel")


@contextmanager
def _engine(url: str) -> Iterator[Connection]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()
