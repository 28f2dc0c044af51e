"""LLM strategies: each splits into a plan step and a generate step that the agent graph runs."""
