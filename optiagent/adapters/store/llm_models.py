"""Tables of the LLM layer (migration 0002_llm): completions cached by request hash, and every call's usage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from optiagent.adapters.store.models import Base


class LLMCompletionRow(Base):
    __tablename__ = "llm_completions"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # provider name + request hash
    text: Mapped[str] = mapped_column(Text)
    model: Mapped[str]
    finish_reason: Mapped[str]
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class LLMCallRow(Base):
    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(index=True)
    prompt_id: Mapped[str]
    model: Mapped[str]
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    cached: Mapped[bool]
    created_at: Mapped[datetime]
