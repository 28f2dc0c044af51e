"""Reads a job's rows straight from Postgres, to check what workers wrote (not what the API says)."""

from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import create_engine, text


def rows_per_target(database_url: str, run_id: str, table: str) -> Counter[tuple[str, str]]:
    """How many rows of `table` (targets or accepted_edits) each file::qualname of the run has."""
    if table not in ("targets", "accepted_edits"):
        raise ValueError(table)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text(f"SELECT file, qualname FROM {table} WHERE run_id = :run"), {"run": run_id}
            )
            return Counter((row.file, row.qualname) for row in found)
    finally:
        engine.dispose()


def wait_for_running_target(database_url: str, job_id: str, timeout_s: float = 300) -> None:
    """Blocks until a worker holds one of the job's targets."""
    engine = create_engine(database_url)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                running = connection.scalar(
                    text(
                        "SELECT count(*) FROM service_job_targets WHERE job_id = :job AND state = 'running'"
                    ),
                    {"job": job_id},
                )
            if running:
                return
            time.sleep(0.2)
    finally:
        engine.dispose()
    raise TimeoutError(f"no target of job {job_id} started in {timeout_s:.0f}s")


def wait_for_ready(log_path: object, timeout_s: float = 180) -> None:
    """Blocks until a Celery worker logged that it is ready."""
    from pathlib import Path

    path = Path(str(log_path))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists() and " ready." in path.read_text(errors="replace"):
            return
        time.sleep(0.3)
    raise TimeoutError(f"worker did not become ready; log:\n{path.read_text(errors='replace')[-3000:]}")
