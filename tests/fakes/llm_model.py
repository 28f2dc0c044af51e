"""A scripted "model" for FakeLLMServer: answers each agent prompt step in that step's format.

It recognises the step by the prompt template's system text (loaded from prompts/), and the
function by the "Function: `name`" line every code step carries. For functions in FAST it writes
a genuinely faster, behaviour-preserving version; for others it echoes the original (so the
pipeline finds nothing new). `GarbageModel` answers every step wrongly in a rotating way: no code
block, the wrong function, broken syntax, wrong results, a "list" that is not a list.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field

from optiagent.agents.prompts import load_prompts
from tests.fakes.llm_server import RecordedRequest, Reply, TextReply

FUNCTION = re.compile(r"Function: `(\w+)`")
CODE = re.compile(r"```python\n(.*?)```", re.DOTALL)

FAST: dict[str, str] = {
    "primes_below": '''def primes_below(limit: int) -> list[int]:
    """All primes smaller than ``limit``, by the sieve of Eratosthenes."""
    if limit < 3:
        return []
    flags = bytearray([1]) * limit
    flags[0] = flags[1] = 0
    for p in range(2, int(limit**0.5) + 1):
        if flags[p]:
            flags[p * p :: p] = bytes(len(range(p * p, limit, p)))
    return [n for n, flag in enumerate(flags) if flag]
''',
    "goldbach_pairs": '''def goldbach_pairs(n: int, primes: list[int]) -> list[tuple[int, int]]:
    """Pairs (p, q) with p <= q, both in ``primes``, and p + q == n."""
    members = set(primes)
    pairs = []
    for p in primes:
        if p > n // 2:
            break
        if n - p in members:
            pairs.append((p, n - p))
    return pairs
''',
    "mod_power": '''def mod_power(base: int, exponent: int, modulus: int) -> int:
    """``base`` to the power ``exponent``, reduced modulo ``modulus`` after every step."""
    if exponent <= 0:
        return 1
    base % modulus  # raises exactly like the original for modulus 0
    return pow(base, exponent, modulus)
''',
}

# FunCoder's divide step splits primes_below into a helper it leaves unimplemented.
DIVIDE: dict[str, str] = {
    "primes_below": '''def primes_below(limit: int) -> list[int]:
    """All primes smaller than ``limit``, by trial division against the primes found so far."""
    flags = _prime_flags(limit)
    return [n for n, flag in enumerate(flags) if flag]


def _prime_flags(limit: int) -> bytearray:
    """flags[n] == 1 iff n is a prime below limit (length max(limit, 0))."""
    raise NotImplementedError()
''',
    "_prime_flags": '''def _prime_flags(limit: int) -> bytearray:
    """flags[n] == 1 iff n is a prime below limit (length max(limit, 0))."""
    if limit < 3:
        return bytearray(max(limit, 0))
    flags = bytearray([1]) * limit
    flags[0] = flags[1] = 0
    for p in range(2, int(limit**0.5) + 1):
        if flags[p]:
            flags[p * p :: p] = bytes(len(range(p * p, limit, p)))
    return flags
''',
}
FAST["_prime_flags"] = DIVIDE["_prime_flags"]

CALLS: dict[str, list[str]] = {
    "primes_below": ["primes_below(0)", "primes_below(2)", "primes_below(30)", "primes_below(101)"],
    "_prime_flags": ["_prime_flags(0)", "_prime_flags(2)", "_prime_flags(20)"],
    "goldbach_pairs": ["goldbach_pairs(10, [2, 3, 5, 7])", "goldbach_pairs(4, [2, 3])"],
    "mod_power": ["mod_power(3, 5, 7)", "mod_power(2, 0, 5)", "mod_power(10, 3, 1)"],
}

TESTS: dict[str, list[str]] = {
    "primes_below": ["assert primes_below(10) == [2, 3, 5, 7]", "assert primes_below(2) == []"],
    "mod_power": ["assert mod_power(2, 10, 1000) == 24", "assert mod_power(3, 0, 7) == 1"],
}


def _step_prefixes() -> dict[str, str]:
    return {tid: t.system.split("{{")[0].strip()[:160] for tid, t in load_prompts().items()}


def messages_of(request: RecordedRequest) -> tuple[str, str]:
    """(system text, last user text) of an OpenAI or Anthropic request body."""
    body = request.body
    turns = body.get("messages", [])
    system = body.get("system", "")
    if isinstance(system, list):
        system = "".join(block.get("text", "") for block in system)
    system = system or "\n".join(str(m["content"]) for m in turns if m.get("role") == "system")
    user = next((m["content"] for m in reversed(turns) if m.get("role") == "user"), "")
    if isinstance(user, list):
        user = "".join(block.get("text", "") for block in user)
    return str(system), str(user)


def step_of(system: str) -> str:
    """The prompt id whose system text this is (the longest matching prefix wins)."""
    matches = [tid for tid, prefix in _step_prefixes().items() if system.startswith(prefix)]
    return max(matches, key=lambda tid: len(_step_prefixes()[tid]), default="unknown")


def _original(user: str, name: str) -> str:
    for block in CODE.findall(user):
        if f"def {name}(" in block:
            return str(block)
    return f"def {name}(*args):\n    return None\n"


def _usage(system: str, user: str, answer: str) -> TextReply:
    return TextReply(
        answer,
        prompt_tokens=max(1, (len(system) + len(user)) // 4),
        completion_tokens=max(1, len(answer) // 4),
    )


@dataclass
class ScriptedModel:
    """The well-behaved model. `steps` counts the requests per prompt step."""

    steps: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: RecordedRequest) -> Reply:
        system, user = messages_of(request)
        step = step_of(system)
        with self._lock:
            self.steps[step] = self.steps.get(step, 0) + 1
        match = FUNCTION.search(user)
        name = match.group(1) if match else ""
        return _usage(system, user, self.answer(step, name, user))

    def answer(self, step: str, name: str, user: str) -> str:
        code = FAST.get(name) or _original(user, name)
        match step:
            case "plansearch.observe" | "plansearch.derive":
                return '```python\n["a sieve marks composites once", "set membership is O(1)", "pow has a modulus"]\n```'
            case "plansearch.sketch" | "plansearch.fix":
                return "Use a better data structure: quoting the observations, replace the scan by a sieve."
            case "plansearch.critique":
                return "The idea may mishandle small inputs such as 0 or 2."
            case "plansearch.pseudocode":
                return "1. handle small inputs\n2. build the structure once\n3. read the answer off it"
            case "rewoo.plan":
                call = (CALLS.get(name) or [f"{name}()"])[-1]
                return (
                    f"Plan: read the target.\n#E1 = ReadCode[{name}]\n"
                    f"Plan: time it on an input.\n#E2 = Time[{call}]\n"
                    f"Plan: see what it returns.\n#E3 = Run[{call}]\n"
                    "Plan: look up similar past edits.\n#E4 = History[]\n"
                    f"Plan: find callers.\n#E5 = Search[{name}\\(]"
                )
            case "funcoder.divide":
                return f"```python\n{DIVIDE.get(name) or code}```"
            case "funcoder.calls":
                return "```python\n" + "\n".join(CALLS.get(name) or [f"{name}()"]) + "\n```"
            case "synthesize.tests":
                return "```python\n" + "\n".join(TESTS.get(name, [])) + "\n```"
            case _:
                return f"Here is a faster version.\n```python\n{code}```"


@dataclass
class GarbageModel:
    """Answers in the wrong format or with wrong code, in rotation."""

    _counter: itertools.count[int] = field(default_factory=itertools.count)
    steps: dict[str, int] = field(default_factory=dict)

    def __call__(self, request: RecordedRequest) -> Reply:
        system, user = messages_of(request)
        step = step_of(system)
        self.steps[step] = self.steps.get(step, 0) + 1
        match = FUNCTION.search(user)
        name = match.group(1) if match else "f"
        turn = next(self._counter)
        if step in ("plansearch.observe", "plansearch.derive"):
            return _usage(
                system,
                user,
                ["not a list at all", "```python\n{'a': 1}\n```", "```python\n[1, 2\n```"][turn % 3],
            )
        if step == "rewoo.plan":
            return _usage(system, user, "I would rather not plan. #E = nothing")
        answers = [
            "I cannot help with that, but here is an idea: use a sieve.",
            f"```python\ndef not_{name}(x):\n    return x\n```",
            f"```python\ndef {name}(limit:\n    return [\n```",
            _wrong_answer(user, name),
        ]
        return _usage(system, user, answers[turn % len(answers)])


def _wrong_answer(user: str, name: str) -> str:
    """Same signature as the original, but returns a wrong constant."""
    original = _original(user, name)
    header = original.split(":\n", 1)[0] if ":\n" in original else f"def {name}(*args)"
    return f"```python\n{header}:\n    return 42\n```"
