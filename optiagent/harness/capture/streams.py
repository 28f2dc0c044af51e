"""Generator arguments: recorded as the call consumes them, replayed as what the call saw.

A pipeline stage such as sqlparse's `StatementSplitter.process(self, stream)` takes a generator
(the lexer's tokens). A generator cannot be pickled, and reading it ahead would change the
workload (an infinite or I/O-bound producer, interleaved side effects). So a sampled call gets a
recording generator in its place (still a generator: it forwards `send`, `throw` and `close`),
the other arguments are copied before the call (it may mutate them), and the copy is pickled
after the call with a `CapturedStream` holding the items the call took.

Replayed, a `CapturedStream` yields those items; when the workload's call stopped before the
end, asking for more raises `CapturedStreamEnd`, so a candidate that reads further than the
original did is rejected, never judged on items nobody saw.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any


class CapturedStreamEnd(RuntimeError):
    """Raised when a replayed stream is read past the items the workload's call consumed."""


class CapturedStream:
    """An iterator over the items a generator argument gave one captured call."""

    def __init__(self, items: list[Any], exhausted: bool = False) -> None:
        self.items = items
        self.exhausted = exhausted  # the workload's call read it to the end
        self.position = 0

    def __iter__(self) -> CapturedStream:
        return self

    def __next__(self) -> Any:
        if self.position < len(self.items):
            self.position += 1
            return self.items[self.position - 1]
        if self.exhausted:
            raise StopIteration
        raise CapturedStreamEnd(
            f"the captured call read only {len(self.items)} items of this generator; nothing is known after them"
        )

    def close(self) -> None:
        """Like a generator's: nothing more is read."""

    def __repr__(self) -> str:  # inputs are keyed by repr: the content must show
        return f"CapturedStream({self.items[self.position :]!r}, exhausted={self.exhausted})"


@dataclass
class Recording:
    """The items a recording generator passed on, and whether its source ended."""

    items: list[Any] = field(default_factory=list)
    exhausted: bool = False


def _recording(source: Generator[Any, Any, Any], record: Recording) -> Generator[Any, Any, Any]:
    """Yields what `source` yields, recording each item; forwards send, throw and close."""
    sent: Any = None
    thrown: BaseException | None = None
    try:
        while True:
            try:
                item = source.throw(thrown) if thrown is not None else source.send(sent)
            except StopIteration as stop:
                record.exhausted = True
                return stop.value
            thrown = None
            record.items.append(item)
            try:
                sent = yield item
            except GeneratorExit:
                raise
            except BaseException as error:  # thrown into us: the source gets it, as with yield from
                thrown, sent = error, None
    finally:
        source.close()


def has_generator(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    return any(isinstance(v, types.GeneratorType) for v in args) or any(
        isinstance(v, types.GeneratorType) for v in kwargs.values()
    )


@dataclass
class PendingCall:
    """A sampled call with generator arguments: run it with `args`/`kwargs`, pickle `snapshot`
    after it (the streams in the snapshot are filled as the call reads)."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    snapshot: tuple[tuple[Any, ...], dict[str, Any]]
    streams: list[tuple[Recording, CapturedStream]]

    def finish(self) -> None:
        for record, stream in self.streams:
            stream.exhausted = record.exhausted


def intercept(args: tuple[Any, ...], kwargs: dict[str, Any]) -> PendingCall:
    """Replaces each generator argument by a recording one; copies the arguments as they are now.

    Raises when the other arguments cannot be copied (the call is then not captured)."""
    memo: dict[int, Any] = {}
    streams: list[tuple[Recording, CapturedStream]] = []

    def swap(value: Any) -> Any:
        if not isinstance(value, types.GeneratorType):
            return value
        record = Recording()
        stream = CapturedStream(record.items)
        recording = _recording(value, record)
        memo[id(recording)] = stream
        streams.append((record, stream))
        return recording

    new_args = tuple(swap(v) for v in args)
    new_kwargs = {k: swap(v) for k, v in kwargs.items()}
    snapshot = copy.deepcopy((new_args, new_kwargs), memo)
    return PendingCall(new_args, new_kwargs, snapshot, streams)
