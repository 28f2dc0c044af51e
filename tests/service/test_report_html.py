"""The job's HTML report over HTTP (uvicorn, Postgres): served to its tenant once the job has
succeeded, a 409 before, the 404 of a missing job to any other tenant; the page is inert."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from optiagent.adapters.store.jobs import SqlJobStore
from optiagent.domain.jobs import JobStatus
from tests.reporting.pages import assert_inert
from tests.reporting.sample import HOSTILE, sample_report
from tests.service.stack import EXAMPLES, REPO, Client, optiagent, tar_gz, unique

PROBLEM = "application/problem+json"


def tenant_client(api: str, env: dict[str, str], tenant: str) -> Client:
    done = subprocess.run(
        optiagent("tokens", "create", unique("t"), "--tenant", tenant),
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return Client(api, done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def tenants(api: str, env: dict[str, str]) -> Iterator[tuple[Client, Client]]:
    a, b = (tenant_client(api, env, unique(name).lower()) for name in ("ann", "ben"))
    yield a, b
    a.close()
    b.close()


def test_report_page_is_its_tenants_only(tenants: tuple[Client, Client], database_url: str) -> None:
    """409 while the job runs; then the page for its tenant (inert, as HTML) and a 404 for others."""
    ann, ben = tenants
    response = ann.submit_archive(tar_gz(EXAMPLES / "primes"), functions="primes_below")
    assert response.status_code == 201, response.text
    job_id = response.json()["id"]
    path = f"/v1/jobs/{job_id}/report.html"
    early = ann.http.get(path)
    assert early.status_code == 409 and early.headers["content-type"] == PROBLEM
    store = SqlJobStore(database_url)
    try:  # the job's report as a worker would leave it, with markup in every user string
        assert store.finish_job(job_id, JobStatus.SUCCEEDED, sample_report())
    finally:
        store.close()
    page = ann.http.get(path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    found = assert_inert(page.text)
    assert HOSTILE in "".join(found.text)
    assert ann.http.get(f"/v1/jobs/{job_id}/report").json() == sample_report()
    stranger, missing = ben.http.get(path), ben.http.get("/v1/jobs/no-such-job/report.html")
    assert stranger.status_code == missing.status_code == 404
    assert stranger.headers["content-type"] == PROBLEM
    assert stranger.json()["detail"] == missing.json()["detail"].replace("no-such-job", job_id)
