"""SqlJobStore on Postgres: claims, leases, worker deaths, idempotent finishes and the sweep."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from optiagent.adapters.store.jobs import SqlJobStore
from optiagent.domain.jobs import ClaimState, Job, JobSpec, JobStatus, PlannedTarget, SourceKind

SPEC = JobSpec(source=SourceKind.ARCHIVE, repo="archive:x")


@pytest.fixture
def store(database_url: str) -> Iterator[SqlJobStore]:
    opened = SqlJobStore(database_url)
    yield opened
    opened.close()


def new_job(store: SqlJobStore, key: str | None = None, token: str = "t") -> Job:
    job = Job(uuid.uuid4().hex, JobStatus.QUEUED, SPEC, datetime.now(UTC), token, key)
    return store.create_job(job, b"archive-bytes")


def planned(store: SqlJobStore, targets: int = 2) -> str:
    job = new_job(store)
    assert store.claim_prepare(job.id, "w1", 60, 2).state is ClaimState.CLAIMED
    store.save_plan(
        job.id, {"projects": []}, [PlannedTarget(i, f"m.py::f{i}", {"i": i}) for i in range(targets)]
    )
    return job.id


def test_idempotency_key_is_per_token(store: SqlJobStore) -> None:
    first = new_job(store, key="k")
    assert new_job(store, key="k").id == first.id
    assert new_job(store, key="k", token="other").id != first.id
    assert store.archive(first.id) == b"archive-bytes"


def test_only_one_of_many_concurrent_claims_wins(store: SqlJobStore) -> None:
    job_id = planned(store)
    with ThreadPoolExecutor(8) as pool:
        states = list(pool.map(lambda n: store.claim_target(job_id, 0, f"w{n}", 60, 2).state, range(8)))
    assert states.count(ClaimState.CLAIMED) == 1
    assert states.count(ClaimState.BUSY) == 7


def test_a_claim_without_heartbeats_lapses_and_counts_a_death(store: SqlJobStore) -> None:
    job_id = planned(store)
    assert store.claim_target(job_id, 0, "dead", 0.5, 2).state is ClaimState.CLAIMED
    assert store.claim_target(job_id, 0, "other", 0.5, 2).state is ClaimState.BUSY
    time.sleep(0.6)
    second = store.claim_target(job_id, 0, "alive", 0.5, 2)
    assert (second.state, second.attempts) == (ClaimState.CLAIMED, 2)
    store.heartbeat_target(job_id, 0, "alive")
    assert store.claim_target(job_id, 0, "third", 0.5, 2).state is ClaimState.BUSY


def test_too_many_deaths_fail_the_job_with_the_reason(store: SqlJobStore) -> None:
    job_id = planned(store)
    for _ in range(2):
        assert store.claim_target(job_id, 1, "w", 0.0, 1).state is ClaimState.CLAIMED
    assert store.claim_target(job_id, 1, "w", 0.0, 1).state is ClaimState.EXHAUSTED
    job = store.get_job(job_id)
    assert job is not None and job.status is JobStatus.FAILED
    assert "died 2 time(s) running m.py::f1, more than the limit of 1" in job.error
    assert store.claim_target(job_id, 0, "w", 0.0, 1).state is ClaimState.STOPPED


def test_finishing_a_target_twice_counts_once(store: SqlJobStore) -> None:
    job_id = planned(store)
    store.claim_target(job_id, 0, "w", 60, 2)
    assert store.finish_target(job_id, 0, "w", {"status": "improved"})
    assert not store.finish_target(job_id, 0, "w", {"status": "unchanged"})
    job = store.get_job(job_id)
    assert job is not None and (job.targets_done, job.targets_total) == (1, 2)
    assert store.target_results(job_id)[0] == {"status": "improved"}
    assert store.claim_target(job_id, 0, "late", 60, 2).state is ClaimState.DONE
    assert store.pending_targets(job_id) == [1]


def test_a_terminal_job_stays_terminal(store: SqlJobStore) -> None:
    job_id = planned(store)
    cancelled = store.cancel_job(job_id)
    assert cancelled is not None and cancelled.status is JobStatus.CANCELLED
    assert not store.finish_job(job_id, JobStatus.SUCCEEDED, {"schema": 1})
    assert store.report(job_id) is None
    assert store.claim_prepare(job_id, "w", 60, 2).state is ClaimState.STOPPED


def test_the_sweep_finds_unclaimed_and_orphaned_work(store: SqlJobStore) -> None:
    job_id = planned(store, targets=3)
    store.claim_target(job_id, 0, "alive", 60, 2)
    store.claim_target(job_id, 1, "dead", 0.0, 2)
    time.sleep(0.05)
    found = {
        (w.step, w.index) for w in store.stalled_work(requeue_after_s=0.0, lease_s=0.01) if w.job_id == job_id
    }
    assert ("target", 1) in found and ("target", 2) in found
    store.mark_enqueued(job_id, "target", 2)
    later = {
        (w.step, w.index)
        for w in store.stalled_work(requeue_after_s=30.0, lease_s=0.01)
        if w.job_id == job_id
    }
    assert ("target", 2) not in later


def test_a_worker_whose_lease_was_taken_over_cannot_finish_the_target(store: SqlJobStore) -> None:
    """finish_target checks the lease owner: the lapsed worker's late result is dropped."""
    job_id = planned(store)
    assert store.claim_target(job_id, 0, "slow", 0.2, 2).state is ClaimState.CLAIMED
    time.sleep(0.3)
    assert store.claim_target(job_id, 0, "successor", 0.2, 2).state is ClaimState.CLAIMED
    assert not store.finish_target(job_id, 0, "slow", {"status": "improved", "by": "slow"})
    job = store.get_job(job_id)
    assert job is not None and job.targets_done == 0
    assert store.finish_target(job_id, 0, "successor", {"status": "unchanged", "by": "successor"})
    assert store.target_results(job_id)[0] == {"status": "unchanged", "by": "successor"}


def test_a_released_target_is_claimable_at_once_without_a_death(store: SqlJobStore) -> None:
    """A step handed back (sandbox outage) is pending again and its attempt is not counted."""
    job_id = planned(store)
    store.claim_target(job_id, 0, "w", 60, 2)
    store.release_target(job_id, 0, "other")  # not the holder: nothing happens
    assert store.claim_target(job_id, 0, "x", 60, 2).state is ClaimState.BUSY
    store.release_target(job_id, 0, "w")
    again = store.claim_target(job_id, 0, "w2", 60, 2)
    assert (again.state, again.attempts) == (ClaimState.CLAIMED, 1)


def test_the_sweep_resends_a_lapsed_lease_without_waiting_for_the_requeue_delay(store: SqlJobStore) -> None:
    """A claimed step whose lease lapsed is re-sent by the next sweep (not after requeue_after_s),
    then not again within a lease period; an unclaimed step still waits for requeue_after_s."""
    job_id = planned(store, targets=2)
    store.claim_target(job_id, 0, "dead", 0.2, 2)
    time.sleep(0.3)

    def stalled() -> set[tuple[str, int]]:
        found = store.stalled_work(requeue_after_s=300.0, lease_s=0.2)
        return {(w.step, w.index) for w in found if w.job_id == job_id}

    assert stalled() == {("target", 0)}
    store.mark_enqueued(job_id, "target", 0)
    assert stalled() == set()
