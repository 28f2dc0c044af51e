"""A job's progress as server-sent events, with ids a client resumes from.

Events: `progress` (the job's view, whenever it changes), then `end` (the final view) when the job
ends, or `timeout` when the stream has been open for the operator's maximum (the client reconnects
for more). Each stream starts with `retry:`, the reconnection delay.

Ids are progress marks: a job's view changes in one direction only (started, planned, each target
finished, ended), so counting those steps numbers its states. A client reconnecting with
`Last-Event-ID: N` gets only states after N; after `N.end` there is nothing more, which the route
answers with 204 (what tells an EventSource to stop reconnecting).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from fastapi.sse import ServerSentEvent

from optiagent.api.schemas import JobView
from optiagent.domain.jobs import Job

POLL_S = 0.5
RETRY_MS = 2000
_END = ".end"


@dataclass(frozen=True)
class EventId:
    mark: int
    ended: bool = False

    def __str__(self) -> str:
        return f"{self.mark}{_END if self.ended else ''}"

    @classmethod
    def parse(cls, text: str | None) -> EventId | None:
        """The id a client last saw; None for none, or for one that is not ours (all is sent)."""
        if not text:
            return None
        number, ended = (text[: -len(_END)], True) if text.endswith(_END) else (text, False)
        return cls(int(number), ended) if number.isdigit() and len(number) < 12 else None


class StreamOver(Exception):
    """The client saw the end already: nothing more will come (HTTP 204)."""


def progress_mark(job: Job) -> int:
    """How many steps of its one-way progress a job has made: every change of its view is one."""
    return (
        int(job.started_at is not None)
        + int(job.targets_total is not None)
        + job.targets_done
        + int(job.status.terminal)
    )


async def job_events(
    read: Callable[[], Awaitable[Job]], resume: EventId | None, deadline: float
) -> AsyncIterator[ServerSentEvent]:
    """The stream of one job: states after `resume`, until the job ends or `deadline` (monotonic)."""
    yield ServerSentEvent(retry=RETRY_MS)
    sent = resume.mark if resume else -1
    while True:
        job = await read()
        view, mark = JobView.of(job), progress_mark(job)
        if mark > sent:
            yield ServerSentEvent(event="progress", id=str(EventId(mark)), data=view)
            sent = mark
        if job.status.terminal:
            yield ServerSentEvent(event="end", id=str(EventId(mark, ended=True)), data=view)
            return
        if time.monotonic() >= deadline:  # no id: the client resumes from the last state it saw
            yield ServerSentEvent(event="timeout", data=view)
            return
        await asyncio.sleep(POLL_S)
