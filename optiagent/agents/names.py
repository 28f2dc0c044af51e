"""Strategy names, importable without loading langgraph or the vendor SDKs."""

LLM_STRATEGY_NAMES = ("plansearch", "rewoo", "funcoder", "sampling", "auto")
