"""Raw benchmark samples: one timing process each, paired, and which clock a pair is judged by.

Each sample is a fresh process that warms up and then times `repeats` passes over the benchmark
inputs; it reports seconds per pass by the wall clock and by the CPU clock of the thread that
ran them. A pair is judged by CPU time when, in both halves' timed regions, that thread never
waited (no voluntary context switch) and was the only one: then wall time is CPU time plus the
time the scheduler gave the core to other processes, which on a shared machine is mostly noise
(the load is not ours). A half that waited (I/O, sleep, a lock, a child process) or ran threads
has cost that its CPU clock does not see, so that pair is judged by wall time. The rule looks at
both halves alike, so it cannot favour either side.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

Side = Literal["original", "candidate"]
Clock = Literal["cpu", "wall"]


@dataclass(frozen=True)
class Sample:
    """One timing process: seconds per pass over the benchmark inputs, by both clocks."""

    wall_s: float
    cpu_s: float
    repeats: int  # timed passes (pyperf's loops)
    warmups: tuple[tuple[int, float], ...] = ()  # untimed passes first: (loops, CPU seconds per pass)
    blocks: tuple[tuple[int, float, float], ...] = ()  # the timed passes read in blocks: (passes, wall, CPU)
    voluntary_switches: int = 0  # in the timed region: it waited for something
    threads: int = 1  # the most OS threads the process had in the timed region
    involuntary_switches: int = 0  # in the timed region: it was preempted
    cpu: int | None = None  # the CPU it was pinned to; None: not pinned
    load_avg: float = 0.0  # the machine's 1-minute load average when it finished

    @property
    def cpu_clock_sees_all(self) -> bool:
        """One thread that never waited: its CPU clock holds the whole cost (module docstring)."""
        return self.voluntary_switches == 0 and self.threads <= 1 and self.cpu_s > 0

    def seconds(self, clock: Clock) -> float:
        return self.cpu_s if clock == "cpu" else self.wall_s


@dataclass(frozen=True)
class Pair:
    """The original and the candidate timed back to back on one core, in a random order."""

    original: Sample
    candidate: Sample
    first: Side

    @property
    def clock(self) -> Clock:
        """CPU time unless either half's CPU clock misses cost; both halves by the same clock."""
        fair = self.original.cpu_clock_sees_all and self.candidate.cpu_clock_sees_all
        return "cpu" if fair else "wall"

    @property
    def original_s(self) -> float:
        return self.original.seconds(self.clock)

    @property
    def candidate_s(self) -> float:
        return self.candidate.seconds(self.clock)

    @property
    def ratio(self) -> float:
        return self.original_s / self.candidate_s


@dataclass(frozen=True)
class Machine:
    """Where the samples were taken (the box's view: its interpreter, its CPUs)."""

    cpu_model: str
    cpu_count: int
    usable_cpus: int  # CPUs this process may run on (affinity mask, container cpuset)
    python_version: str
    python_implementation: str
    platform: str
    affinity: str  # how samples were pinned, or why they were not


def _sample_json(sample: Sample) -> dict[str, object]:
    return {
        "wall_s": sample.wall_s,
        "cpu_s": sample.cpu_s,
        "repeats": sample.repeats,
        "warmups": [list(warmup) for warmup in sample.warmups],
        "blocks": [list(block) for block in sample.blocks],
        "voluntary_switches": sample.voluntary_switches,
        "involuntary_switches": sample.involuntary_switches,
        "threads": sample.threads,
        "cpu": sample.cpu,
        "load_avg": sample.load_avg,
    }


def pairs_json(pairs: tuple[Pair, ...]) -> list[dict[str, object]]:
    """The report's raw samples: per pair, which side ran first, the clock, both samples."""
    return [
        {
            "first": pair.first,
            "clock": pair.clock,
            "original": _sample_json(pair.original),
            "candidate": _sample_json(pair.candidate),
        }
        for pair in pairs
    ]


def machine_json(machine: Machine | None, pairs: tuple[Pair, ...]) -> dict[str, object] | None:
    """Where the samples ran, with the range of the machine's load average while they did."""
    if machine is None:
        return None
    loads = [sample.load_avg for pair in pairs for sample in (pair.original, pair.candidate)]
    return dataclasses.asdict(machine) | {"load_avg": [min(loads), max(loads)] if loads else None}
