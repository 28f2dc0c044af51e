"""SQL-backed CompletionCache and per-call usage log, in the history database.

`SqlCompletionCache` makes a re-run of the same prompts cost nothing (CachingProvider asks it
first); `SqlUsageLog` records every call, cached or not, with the run it belongs to.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from optiagent.adapters.store.engine import create_store_engine
from optiagent.adapters.store.errors import translate_store_errors
from optiagent.adapters.store.llm_models import LLMCallRow, LLMCompletionRow
from optiagent.adapters.store.migrate import upgrade_engine
from optiagent.adapters.store.upsert import insert_for, require_supported
from optiagent.ports.llm import Completion, FinishReason, Usage


class SqlCompletionCache:
    def __init__(self, url: str, *, auto_migrate: bool = True) -> None:
        self._url = url
        with translate_store_errors(url, "opening the completion cache"):
            self._engine = create_store_engine(url)
            require_supported(self._engine.dialect.name)
            if auto_migrate:
                upgrade_engine(self._engine)

    def get(self, key: str) -> Completion | None:
        with (
            translate_store_errors(self._url, "reading the completion cache"),
            self._engine.connect() as conn,
        ):
            row = (
                conn.execute(select(LLMCompletionRow.__table__).where(LLMCompletionRow.key == key))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return Completion(
            text=row["text"],
            usage=Usage(row["prompt_tokens"], row["completion_tokens"]),
            model=row["model"],
            finish_reason=FinishReason(row["finish_reason"]),
        )

    def put(self, key: str, completion: Completion) -> None:
        values = {
            "key": key,
            "text": completion.text,
            "model": completion.model,
            "finish_reason": completion.finish_reason.value,
            "prompt_tokens": completion.usage.prompt_tokens,
            "completion_tokens": completion.usage.completion_tokens,
            "created_at": datetime.now(UTC),
        }
        stmt = insert_for(self._engine.dialect.name, LLMCompletionRow).values(values)
        with translate_store_errors(self._url, "writing the completion cache"), self._engine.begin() as conn:
            conn.execute(stmt.on_conflict_do_nothing())

    def record_call(
        self,
        run_id: str,
        prompt_id: str,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        cached: bool,
    ) -> None:
        row = {
            "run_id": run_id,
            "prompt_id": prompt_id,
            "model": model,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "cached": cached,
            "created_at": datetime.now(UTC),
        }
        with translate_store_errors(self._url, "recording an LLM call"), self._engine.begin() as conn:
            conn.execute(insert(LLMCallRow).values(row))

    def calls(self, run_id: str | None = None) -> list[dict[str, object]]:
        query = select(LLMCallRow.__table__).order_by(LLMCallRow.id)
        if run_id is not None:
            query = query.where(LLMCallRow.run_id == run_id)
        with translate_store_errors(self._url, "reading LLM calls"), self._engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def __len__(self) -> int:
        with self._engine.connect() as conn:
            return len(conn.execute(select(LLMCompletionRow.key)).all())

    def close(self) -> None:
        self._engine.dispose()
