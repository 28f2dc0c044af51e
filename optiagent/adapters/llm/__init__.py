"""LLM provider adapters (the only modules that import the openai and anthropic SDKs)."""
