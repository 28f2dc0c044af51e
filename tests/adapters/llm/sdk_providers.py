"""Building the real SDK providers against a fake server, with tiny backoff values for fast tests."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from optiagent.adapters.llm.anthropic_messages import AnthropicMessagesProvider
from optiagent.adapters.llm.openai_chat import OpenAIChatProvider
from optiagent.adapters.llm.retry import RetryPolicy
from tests.fakes.llm_server import FakeLLMServer

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay_s=0.001, max_delay_s=0.005, max_retry_after_s=0.1)

SdkProvider = OpenAIChatProvider | AnthropicMessagesProvider


def build_sdk_provider(
    vendor: str,
    server_url: str,
    *,
    timeout_s: float = 2.0,
    retry: RetryPolicy = FAST_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> SdkProvider:
    """The `vendor` ("openai" or "anthropic") provider aimed at a server root such as FakeLLMServer.url."""
    if vendor == "openai":
        return OpenAIChatProvider(
            api_key="sk-test",
            default_model="gpt-test",
            base_url=f"{server_url}/v1",
            timeout_s=timeout_s,
            retry=retry,
            sleep=sleep,
        )
    return AnthropicMessagesProvider(
        api_key="ak-test",
        default_model="claude-test",
        base_url=server_url,
        timeout_s=timeout_s,
        retry=retry,
        sleep=sleep,
    )


def vendor_of(provider: SdkProvider) -> str:
    return "openai" if isinstance(provider, OpenAIChatProvider) else "anthropic"


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


__all__ = ["FAST_RETRY", "FakeLLMServer", "SdkProvider", "build_sdk_provider", "free_port", "vendor_of"]
