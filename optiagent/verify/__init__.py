"""Host side of verification: build sandbox jobs for checks and timings, read their verdicts."""
