"""Service load on 127.0.0.1: API latency under a fixed request rate, and jobs per minute.

1. Open-loop load (requests fire on schedule, whether or not earlier ones answered) on
   POST /v1/jobs (a small archive) and GET /v1/jobs/{id}, at each --rates for --duration s:
   latency percentiles, errors, achieved rate. Jobs submitted here are cancelled afterwards.
2. End to end: --jobs example projects (examples/, --budget targets each) submitted at once, with
   1 and then 2 Celery workers; jobs per minute from first submission to last completion.

Starts its own API and workers against a fresh database (Postgres from
OPTIAGENT_TEST_POSTGRES_URL, Redis from OPTIAGENT_TEST_REDIS_URL, as tools/test sets them).

    python benchmarks/service_load.py --json load.json                 # 30 s per rate, 50 and 200 rps
    python benchmarks/service_load.py --duration 5 --jobs 2 --json quick.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.service.history import wait_for_ready
from tests.service.stack import EXAMPLES, Client, create_token, service_env, start_api, start_worker, tar_gz

REDIS_DB = 8
E2E_EXAMPLES = ("primes", "wordfreq", "logparse", "tokenizer", "modmath", "sales")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class Connection:
    """One keep-alive HTTP/1.1 connection speaking pre-encoded requests: a load generator this
    light leaves the machine's CPU to the server being measured (httpx costs ~2 ms a request)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        return cls(*await asyncio.open_connection(host, port))

    async def send(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


def encode_request(
    method: str, path: str, host: str, token: str, body: bytes = b"", content_type: str = ""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Authorization: Bearer {token}"]
    if body:
        lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def multipart(fields: dict[str, str], file_field: str, file_name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "optiagent-load-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
        "Content-Type: application/gzip\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


async def open_loop(
    url: str, request: bytes, rate: float, duration_s: float, connections: int = 64
) -> dict[str, Any]:
    """Sends `request` `rate` times a second for `duration_s` over a pool of keep-alive
    connections. Latency counts from the scheduled send time, so waiting for a free connection
    (the server falling behind) is measured, not hidden (no coordinated omission)."""
    host, port = url.removeprefix("http://").split(":")
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await Connection.open(host, int(port)))
    latencies: list[float] = []
    errors: dict[str, int] = {}

    async def one(scheduled: float) -> None:
        connection = await idle.get()
        try:
            status = await asyncio.wait_for(connection.send(request), timeout=30)
            if status >= 400:
                errors[str(status)] = errors.get(str(status), 0) + 1
            else:
                latencies.append((time.perf_counter() - scheduled) * 1000)
            idle.put_nowait(connection)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
            errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
            connection.close()
            idle.put_nowait(await Connection.open(host, int(port)))

    tasks = []
    begin = time.perf_counter()
    total = int(rate * duration_s)
    for index in range(total):
        scheduled = begin + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - begin
    while not idle.empty():
        idle.get_nowait().close()
    return {
        "requests": total,
        "achieved_rps": round(total / elapsed, 1),
        "ok": len(latencies),
        "errors": errors,
        "p50_ms": round(percentile(latencies, 50), 2),
        "p90_ms": round(percentile(latencies, 90), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies), 2) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None,
    }


def latency_phase(
    url: str, token: str, rates: list[float], duration_s: float, routes: list[str]
) -> list[dict[str, Any]]:
    client = Client(url, token)
    archive = tar_gz(EXAMPLES / "primes")
    job_id = client.submit_archive(archive, budget="1").json()["id"]
    client.close()
    host = url.removeprefix("http://")
    body, content_type = multipart({"budget": "1"}, "archive", "primes.tar.gz", archive)
    get = encode_request("GET", f"/v1/jobs/{job_id}", host, token)
    post = encode_request("POST", "/v1/jobs", host, token, body, content_type)
    rows = []
    for rate in rates:
        chosen = [("get", "GET /v1/jobs/{id}", get), ("post", "POST /v1/jobs", post)]
        for _, name, request in (c for c in chosen if c[0] in routes):
            result = asyncio.run(open_loop(url, request, rate, duration_s))
            rows.append({"route": name, "target_rps": rate, "duration_s": duration_s} | result)
    return rows


def cancel_everything(database_url: str, redis_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE service_jobs SET status = 'cancelled' WHERE status IN ('queued', 'running')")
        )
    engine.dispose()
    broker = redis.Redis.from_url(redis_url)
    broker.flushdb()
    broker.close()


def e2e_phase(
    env: dict[str, str], url: str, token: str, workers: int, jobs: int, budget: int, logs: Path
) -> dict[str, Any]:
    started_workers = [start_worker(env, logs / f"e2e-{workers}-{n}.log") for n in range(workers)]
    client = Client(url, token)
    try:
        for worker in started_workers:
            wait_for_ready(worker.log)
        names = [E2E_EXAMPLES[i % len(E2E_EXAMPLES)] for i in range(jobs)]
        begin = time.perf_counter()
        ids = [
            client.submit_archive(tar_gz(EXAMPLES / n), name=f"{n}.tar.gz", budget=str(budget)).json()["id"]
            for n in names
        ]
        outcomes = [client.wait(job_id, timeout_s=3600)["status"] for job_id in ids]
        minutes = (time.perf_counter() - begin) / 60
    finally:
        client.close()
        for worker in started_workers:
            worker.stop()
    return {
        "workers": workers,
        "jobs": jobs,
        "budget": budget,
        "succeeded": outcomes.count("succeeded"),
        "minutes": round(minutes, 2),
        "jobs_per_minute": round(jobs / minutes, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per rate (bounded load)")
    parser.add_argument("--rates", default="50,200", help="requests per second, comma-separated")
    parser.add_argument("--jobs", type=int, default=4, help="jobs per end-to-end run")
    parser.add_argument("--budget", type=int, default=2, help="targets per job in the end-to-end runs")
    parser.add_argument("--workers", default="1,2", help="worker counts for the end-to-end runs")
    parser.add_argument("--skip-e2e", action="store_true")
    parser.add_argument("--api-processes", type=int, default=1, help="uvicorn worker processes of the API")
    parser.add_argument("--routes", default="get,post", help="latency phase routes: get, post or both")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    if max(rates) > 500 or args.duration > 120:
        sys.exit("bounded load only: at most 500 requests per second and 120 s per rate")
    base_pg, base_redis = (
        os.environ.get("OPTIAGENT_TEST_POSTGRES_URL"),
        os.environ.get("OPTIAGENT_TEST_REDIS_URL"),
    )
    if not base_pg or not base_redis:
        sys.exit("set OPTIAGENT_TEST_POSTGRES_URL and OPTIAGENT_TEST_REDIS_URL (tools/test starts both)")
    name = f"optiagent_load_{int(time.time())}"
    admin = create_engine(base_pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(base_pg).set(database=name).render_as_string(hide_password=False)
    redis_url = base_redis.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    figures: dict[str, Any] = {"duration_s": args.duration, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="optiagent-load-") as scratch:
        logs = Path(scratch)
        env = service_env(database_url, redis_url, logs / "workspace")
        api, url = start_api(env, logs / "api.log", args.api_processes)
        figures["api_processes"] = args.api_processes
        try:
            token = create_token(env, "load")
            figures["latency"] = latency_phase(url, token, rates, args.duration, args.routes.split(","))
            cancel_everything(database_url, redis_url)
            if not args.skip_e2e:
                counts = [int(n) for n in args.workers.split(",")]
                figures["end_to_end"] = [
                    e2e_phase(env, url, token, n, args.jobs, args.budget, logs) for n in counts
                ]
        finally:
            api.stop()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


def report(figures: dict[str, Any]) -> None:
    console = Console()
    table = Table(title=f"API latency, open loop, {figures['duration_s']:g} s per rate")
    for column in ("route", "target rps", "achieved", "ok", "errors", "p50 ms", "p90 ms", "p99 ms", "max ms"):
        table.add_column(column)
    for row in figures["latency"]:
        table.add_row(
            row["route"], f"{row['target_rps']:g}", str(row["achieved_rps"]), str(row["ok"]),
            str(sum(row["errors"].values())), str(row["p50_ms"]), str(row["p90_ms"]), str(row["p99_ms"]),
            str(row["max_ms"]),
        )  # fmt: skip
    console.print(table)
    if figures.get("end_to_end"):
        e2e = Table(title="End to end on examples/")
        for column in ("workers", "jobs", "targets/job", "succeeded", "minutes", "jobs/min"):
            e2e.add_column(column)
        for row in figures["end_to_end"]:
            e2e.add_row(
                *(
                    str(row[k])
                    for k in ("workers", "jobs", "budget", "succeeded", "minutes", "jobs_per_minute")
                )
            )
        console.print(e2e)


if __name__ == "__main__":
    main()
