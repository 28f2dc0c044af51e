"""The EditStore contract, run against InMemoryEditStore, SQLite and (when available) Postgres."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from optiagent.domain.history import CachedVerdict, VerdictCacheKey
from optiagent.ports.store import EditStore

from .store_builders import (
    T0,
    a_candidate,
    a_measurement,
    a_measurement_with_samples,
    a_run,
    a_target,
    a_verdict,
    an_edit,
    record_chain,
)


def record_parents(store: EditStore) -> None:
    store.record_run(a_run())
    store.record_target(a_target())
    store.record_candidate(a_candidate())


def test_run_round_trips(store: EditStore) -> None:
    """A run comes back equal, its instants in UTC, and finish_run adds the outcome."""
    store.record_run(a_run())
    assert store.get_run("run-1") == a_run()
    assert store.get_run("run-1").started_at.tzinfo == UTC  # type: ignore[union-attr]  # asserted above
    store.finish_run("run-1", T0 + timedelta(minutes=5), {"improved": 2, "targets": ["a", "b"]})
    assert store.get_run("run-1") == a_run(
        finished_at=T0 + timedelta(minutes=5), summary={"improved": 2, "targets": ["a", "b"]}
    )
    assert store.get_run("missing") is None


def test_target_round_trips_and_updates(store: EditStore) -> None:
    """A target comes back equal and update_target changes only its status and reason."""
    store.record_run(a_run())
    store.record_target(a_target())
    assert store.get_target("target-1") == a_target()
    store.update_target("target-1", "improved", "3.2x")
    assert store.get_target("target-1") == a_target(status="improved", reason="3.2x")
    assert store.get_target("missing") is None


def test_candidate_verdict_and_measurement_round_trip(store: EditStore) -> None:
    """Candidates, verdicts and measurements come back equal, JSON fields included."""
    record_parents(store)
    store.record_verdict(a_verdict())
    store.record_measurement(a_measurement())
    assert store.candidates("target-1") == [a_candidate()]
    assert store.get_verdict("cand-1") == a_verdict()
    assert store.get_measurement("cand-1") == a_measurement()
    assert store.get_verdict("missing") is None
    assert store.get_measurement("missing") is None
    assert store.candidates("missing") == []


def test_accepted_edit_round_trips(store: EditStore) -> None:
    """An accepted edit comes back equal, evidence and rules included."""
    edit = record_chain(store)
    assert store.accepted_edits() == [edit]


def test_cached_verdict_round_trips_and_replaces(store: EditStore) -> None:
    """The verdict cache returns what was put under a key, the latest put wins, other keys miss."""
    key = VerdictCacheKey(source_hash="src", inputs_hash="inputs")
    first = CachedVerdict(key=key, verdict="mismatch", detail="f(1) == 2 != 3", checked={"examples": 4})
    store.put_cached_verdict(first)
    assert store.get_cached_verdict(key) == first
    second = CachedVerdict(key=key, verdict="equivalent", checked={"examples": 500})
    store.put_cached_verdict(second)
    assert store.get_cached_verdict(key) == second
    assert store.get_cached_verdict(VerdictCacheKey(source_hash="src", inputs_hash="other")) is None


def test_recording_a_candidate_twice_keeps_one(store: EditStore) -> None:
    """The same candidate id, or the same source for a target under another id, is stored once."""
    record_parents(store)
    store.record_candidate(a_candidate())
    store.record_candidate(a_candidate(id="cand-dup", strategy="sampling"))
    store.record_candidate(a_candidate(id="cand-2", source_hash="sha256:bbb"))
    assert [c.id for c in store.candidates("target-1")] == ["cand-1", "cand-2"]
    assert store.candidates("target-1")[0] == a_candidate()


def test_rerecording_keeps_progress(store: EditStore) -> None:
    """Re-recording a run or target refreshes its description but keeps finish and status."""
    store.record_run(a_run())
    store.record_target(a_target())
    store.finish_run("run-1", T0, {"done": True})
    store.update_target("target-1", "improved", "fast")
    store.record_run(a_run(sandbox="docker"))
    store.record_target(a_target(kind="function"))
    assert store.get_run("run-1") == a_run(sandbox="docker", finished_at=T0, summary={"done": True})
    assert store.get_target("target-1") == a_target(kind="function", status="improved", reason="fast")


def test_measurement_keeps_its_raw_samples_and_machine(store: EditStore) -> None:
    """Every timing process of a measurement comes back in order, with where it ran."""
    record_parents(store)
    store.record_measurement(a_measurement_with_samples())
    back = store.get_measurement("cand-1")
    assert back == a_measurement_with_samples()
    assert back is not None and [pair.first for pair in back.pairs] == ["original", "candidate"]
    assert [pair.clock for pair in back.pairs] == ["cpu", "wall"]


def test_recording_a_measurement_again_replaces_its_samples(store: EditStore) -> None:
    """A re-recorded measurement has only its new samples (none left over from the old one)."""
    record_parents(store)
    store.record_measurement(a_measurement_with_samples())
    store.record_measurement(a_measurement(speedup=1.5))
    assert store.get_measurement("cand-1") == a_measurement(speedup=1.5)


def test_targets_of_a_run(store: EditStore) -> None:
    """A run's targets are listed by id; another run's are not; an unknown run has none."""
    store.record_run(a_run())
    store.record_run(a_run(id="run-2"))
    store.record_target(a_target(id="target-2"))
    store.record_target(a_target())
    store.record_target(a_target(id="target-3", run_id="run-2"))
    assert [t.id for t in store.targets("run-1")] == ["target-1", "target-2"]
    assert store.targets("missing") == []


def test_verdict_and_measurement_upserts_replace(store: EditStore) -> None:
    """Recording a verdict or measurement again for a candidate replaces it."""
    record_parents(store)
    store.record_verdict(a_verdict())
    store.record_verdict(a_verdict(verdict="mismatch", detail="x", checked={"examples": 9}))
    store.record_measurement(a_measurement())
    store.record_measurement(a_measurement(speedup=1.1, accepted=False))
    assert store.get_verdict("cand-1") == a_verdict(verdict="mismatch", detail="x", checked={"examples": 9})
    assert store.get_measurement("cand-1") == a_measurement(speedup=1.1, accepted=False)


def test_accepted_edits_filter_by_repo_and_since(store: EditStore) -> None:
    """accepted_edits filters by repo and by created_at >= since, oldest first."""
    old = record_chain(store, "1", repo="r/a", created_at=T0)
    new = record_chain(store, "2", repo="r/a", created_at=T0 + timedelta(days=1))
    other = record_chain(store, "3", repo="r/b", created_at=T0 + timedelta(hours=1))
    assert store.accepted_edits() == [old, other, new]
    assert store.accepted_edits(repo="r/a") == [old, new]
    assert store.accepted_edits(since=T0 + timedelta(hours=1)) == [other, new]
    assert store.accepted_edits(repo="r/a", since=T0 + timedelta(minutes=1)) == [new]
    assert store.accepted_edits(repo="r/none") == []


def test_mark_applied_survives_rerecording(store: EditStore) -> None:
    """mark_applied sets applied; re-recording the same edit keeps it applied."""
    edit = record_chain(store)
    store.mark_applied(edit.id)
    store.record_accepted_edit(edit)
    assert [e.applied for e in store.accepted_edits()] == [True]


def test_one_accepted_edit_per_target(store: EditStore) -> None:
    """A new edit for the same target replaces the old one, and is not applied."""
    edit = record_chain(store)
    store.mark_applied(edit.id)
    store.record_candidate(a_candidate(id="cand-2", source_hash="sha256:bbb"))
    newer = an_edit(id="edit-2", candidate_id="cand-2", speedup=5.0)
    store.record_accepted_edit(newer)
    assert store.accepted_edits() == [newer]


def test_unknown_ids_raise_key_error(store: EditStore) -> None:
    """Updating an unknown id, or referring to an unrecorded parent, raises KeyError."""
    with pytest.raises(KeyError, match="run"):
        store.finish_run("nope", T0, {})
    with pytest.raises(KeyError, match="target"):
        store.update_target("nope", "failed", "")
    with pytest.raises(KeyError, match="accepted edit"):
        store.mark_applied("nope")
    with pytest.raises(KeyError, match="run 'run-1'"):
        store.record_target(a_target())
    with pytest.raises(KeyError, match="candidate 'cand-1'"):
        store.record_verdict(a_verdict())


def test_naive_datetimes_are_rejected(store: EditStore) -> None:
    """Naive datetimes raise ValueError instead of being stored in an unknown zone."""
    naive = datetime(2026, 1, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.record_run(a_run(started_at=naive))
    with pytest.raises(ValueError, match="timezone-aware"):
        store.accepted_edits(since=naive)


def test_concurrent_writers_do_not_duplicate(store: EditStore) -> None:
    """Threads upserting the same ids at once leave exactly one row of each."""
    store.record_run(a_run())
    store.record_target(a_target())
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            start.wait()
            for _ in range(5):
                store.record_run(a_run())
                store.record_target(a_target())
                store.record_candidate(a_candidate(id=f"cand-w{worker}"))  # same source, other id
                store.record_candidate(a_candidate(id="cand-2", source_hash="sha256:bbb"))
                store.record_verdict(a_verdict(candidate_id="cand-2"))
                store.record_measurement(a_measurement(candidate_id="cand-2"))
                store.record_accepted_edit(an_edit(candidate_id="cand-2"))
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    candidates = store.candidates("target-1")
    assert len(candidates) == 2
    assert {c.source_hash for c in candidates} == {"sha256:aaa", "sha256:bbb"}
    assert store.get_verdict("cand-2") == a_verdict(candidate_id="cand-2")
    assert store.accepted_edits() == [an_edit(candidate_id="cand-2")]
