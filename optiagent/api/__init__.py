"""The REST API of the optimization service (FastAPI, versioned under /v1)."""
