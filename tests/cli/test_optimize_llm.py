"""`optiagent optimize|synthesize` with LLM strategies, end to end through the real OpenAI and
Anthropic SDKs talking to the fake vendor server on 127.0.0.1 (tests/fakes/llm_server.py), whose
scripted model (tests/fakes/llm_model.py) answers every prompt step in its format."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.adapters.store.llm_cache import SqlCompletionCache
from optiagent.adapters.store.sql import SqlEditStore
from tests.fakes.llm_model import GarbageModel, ScriptedModel
from tests.fakes.llm_server import ErrorReply, FakeLLMServer, Reply

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SMALL_MODULE = '''"""Primes."""


def primes_below(limit: int) -> list[int]:
    """All primes smaller than ``limit``, by trial division against the primes found so far."""
    primes: list[int] = []
    for n in range(2, limit):
        if all([n % p != 0 for p in primes if p * p <= n]):
            primes.append(n)
    return primes
'''


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "optiagent.cli", *args],
        capture_output=True,
        text=True,
        timeout=900,
        env={
            **os.environ,
            "COLUMNS": "200",
            "OPENAI_API_KEY": "sk-test",
            "ANTHROPIC_API_KEY": "sk-ant-test",
            "OPTIAGENT_LLM__MAX_RETRIES": "2",
            **(env or {}),
        },
        check=False,
    )


def llm_flags(server: FakeLLMServer, provider: str) -> list[str]:
    base = server.openai_base_url if provider == "openai" else server.anthropic_base_url
    return ["--provider", provider, "--model", "fake-1", "--base-url", base]


@pytest.fixture
def primes_example(tmp_path: Path) -> Path:
    root = tmp_path / "primes"
    shutil.copytree(EXAMPLES / "primes", root)
    return root


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    root = tmp_path / "small"
    root.mkdir()
    (root / "mod.py").write_text(SMALL_MODULE)
    # a workload, so the benchmark runs on real captured inputs
    (root / "workload.py").write_text("from mod import primes_below\n\nprint(len(primes_below(6000)))\n")
    (root / "pyproject.toml").write_text('[tool.optiagent]\nworkload = "python workload.py"\n')
    return root


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


@pytest.fixture
def server(model: ScriptedModel) -> Iterator[FakeLLMServer]:
    with FakeLLMServer(model) as fake:
        yield fake


def optimize(
    root: Path, server: FakeLLMServer, provider: str, *extra: str
) -> tuple[subprocess.CompletedProcess[str], dict]:  # type: ignore[type-arg]
    report = root.parent / f"report-{len(list(root.parent.glob('report-*')))}.json"
    done = run_cli(
        "optimize",
        str(root),
        *llm_flags(server, provider),
        "--json",
        str(report),
        "--db",
        db_url(root),
        *extra,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done, json.loads(report.read_text())


def db_url(root: Path) -> str:
    return f"sqlite:///{root.parent / 'history.db'}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("strategy", "provider"), [("plansearch", "openai"), ("rewoo", "anthropic"), ("funcoder", "openai")]
)
def test_llm_strategy_improves_the_example_and_records_provenance(
    primes_example: Path, server: FakeLLMServer, model: ScriptedModel, strategy: str, provider: str
) -> None:
    server.enqueue(ErrorReply(429, retry_after="0.01"), ErrorReply(503))  # retried, then answered
    _, report = optimize(
        primes_example, server, provider, "--strategy", strategy, "--function", "primes_below"
    )
    (target,) = report["targets"]
    assert target["status"] == "improved", target["reason"]
    assert target["strategy"] == strategy and "bytearray" in target["diff"]
    vendor_path = "/v1/chat/completions" if provider == "openai" else "/v1/messages"
    assert {r.path for r in server.requests} == {vendor_path}
    assert all(step.startswith(strategy) or step == "optimize.repair" for step in model.steps)

    store = SqlEditStore(db_url(primes_example))
    (edit,) = store.accepted_edits()
    (winner,) = [c for c in store.candidates(edit.target_id) if c.id == edit.candidate_id]
    store.close()
    assert edit.strategy == strategy
    details = winner.provenance
    assert str(details["prompt"]).startswith(f"{strategy}.") and str(details["prompt"]).endswith("@1")
    assert len(str(details["prompt_hash"])) == 64 and details["model"] == "fake-1"
    assert int(str(details["prompt_tokens"])) > 0 and int(str(details["completion_tokens"])) > 0
    calls = SqlCompletionCache(db_url(primes_example)).calls()
    assert len(calls) >= len(server.requests) - 2  # every answered request was recorded
    assert {c["model"] for c in calls} == {"fake-1"}


@pytest.mark.slow
def test_a_rerun_is_served_from_the_completion_cache(small_project: Path, server: FakeLLMServer) -> None:
    """Same prompts, same answers, no provider call. (ReWOO is not used here: its Time evidence is
    measured anew on each run, so its solver prompt may differ.)"""
    _, first = optimize(small_project, server, "openai", "--strategy", "sampling")
    asked = len(server.requests)
    _, second = optimize(small_project, server, "openai", "--strategy", "sampling")
    assert asked >= 4 and len(server.requests) == asked  # nothing new reached the provider
    assert first["targets"][0]["status"] == "improved"
    assert second["targets"][0]["candidates"] == first["targets"][0]["candidates"]  # the same answers
    calls = SqlCompletionCache(db_url(small_project)).calls()
    assert [c["cached"] for c in calls] == [False] * asked + [True] * asked


@pytest.mark.slow
def test_a_model_that_answers_garbage_ends_cleanly_with_reasons(small_project: Path) -> None:
    with FakeLLMServer(GarbageModel()) as garbage:
        done, report = optimize(
            small_project, garbage, "anthropic", "--strategy", "sampling", "--strategy", "plansearch"
        )
    (target,) = report["targets"]
    assert target["status"] in ("unchanged", "skipped")
    reason = target["reason"]
    assert "no ```python code block" in reason or "rejected" in reason or "no function named" in reason, (
        reason
    )
    assert "Traceback" not in done.stderr


def test_provider_outage_fails_the_target_after_bounded_retries(small_project: Path) -> None:
    def always_500(request: object) -> Reply:
        return ErrorReply(500, "upstream down")

    with FakeLLMServer(always_500) as down:
        done, report = optimize(small_project, down, "openai", "--strategy", "rewoo")
        attempts = len(down.requests)
    (target,) = report["targets"]
    assert target["status"] == "failed"
    assert "LLM provider unavailable after retries" in target["reason"]
    assert attempts == 3  # the first call and OPTIAGENT_LLM__MAX_RETRIES=2 retries, then no more calls
    assert "Traceback" not in done.stderr


def test_connection_refused_fails_the_target_not_the_run(small_project: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = tmp_path / "refused.json"
    done = run_cli(
        "optimize", str(small_project), "--provider", "openai-compatible", "--model", "local",
        "--base-url", f"http://127.0.0.1:{port}/v1", "--strategy", "sampling", "--json", str(report),
        "--db", db_url(small_project),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    (target,) = json.loads(report.read_text())["targets"]
    assert target["status"] == "failed" and "Connection" in target["reason"]


def test_the_token_budget_stops_the_run(small_project: Path, server: FakeLLMServer) -> None:
    _, report = optimize(
        small_project, server, "openai", "--strategy", "plansearch", "--token-budget", "2500"
    )
    calls = SqlCompletionCache(db_url(small_project)).calls()
    spent = [c["prompt_tokens"] + c["completion_tokens"] for c in calls]  # type: ignore[operator]
    assert sum(spent[:-1]) < 2500 <= sum(spent)  # the call that crossed the limit was the last
    assert len(calls) < 25  # a full PlanSearch needs 25 calls
    (target,) = report["targets"]
    assert "budget" in target["reason"] or target["status"] == "improved"


def test_llm_strategies_without_a_provider_exit_2(small_project: Path) -> None:
    done = run_cli(
        "optimize", str(small_project), "--strategy", "plansearch", env={"OPTIAGENT_LLM__PROVIDER": "none"}
    )
    assert done.returncode == 2
    assert "needs an LLM provider" in done.stderr


def test_bad_llm_flags_exit_2(small_project: Path) -> None:
    done = run_cli("optimize", str(small_project), "--provider", "gpt")
    assert done.returncode == 2 and "--provider must be one of" in done.stderr
    done = run_cli("optimize", str(small_project), "--provider", "openai-compatible", "--model", "m")
    assert done.returncode == 2 and "needs a base_url" in done.stderr


STUB = '''"""Numbers."""


def primes_below(limit: int) -> list[int]:
    """All primes smaller than ``limit``, in increasing order.

    >>> primes_below(10)
    [2, 3, 5, 7]
    """
    raise NotImplementedError
'''


@pytest.mark.slow
def test_synthesize_fills_a_stub_judged_by_b4(tmp_path: Path, server: FakeLLMServer) -> None:
    (tmp_path / "mod.py").write_text(STUB)
    summary = tmp_path / "synth.json"
    done = run_cli(
        "synthesize", f"{tmp_path / 'mod.py'}::primes_below", *llm_flags(server, "openai"),
        "--json", str(summary), "--apply", "--no-optimize",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(summary.read_text())
    assert result["status"] == "synthesized" and result["written"]
    # without a terminal, its stages are timestamped lines on stderr, with the LLM calls so far
    assert re.search(r"^\d\d:\d\d:\d\d primes_below: writing candidate bodies", done.stderr, re.M)
    assert re.search(r"candidate implementations written \(\d+ LLM calls", done.stderr)
    assert "(B4)" in done.stderr
    assert result["tests_passed"] == len(result["tests"]) >= 2  # docstring example + generated tests
    written = (tmp_path / "mod.py").read_text()
    assert "NotImplementedError" not in written and "in increasing order" in written
    namespace: dict[str, object] = {}
    exec(compile(written, "mod.py", "exec"), namespace)  # our own fixture code, written by our fake
    assert namespace["primes_below"](30) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]  # type: ignore[operator]


def test_synthesize_without_a_provider_exits_2(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(STUB)
    done = run_cli(
        "synthesize", f"{tmp_path / 'mod.py'}::primes_below", env={"OPTIAGENT_LLM__PROVIDER": "none"}
    )
    assert done.returncode == 2 and "needs an LLM provider" in done.stderr
    done = run_cli("synthesize", f"{tmp_path / 'mod.py'}")
    assert done.returncode == 2 and "FILE::FUNCTION" in done.stderr
