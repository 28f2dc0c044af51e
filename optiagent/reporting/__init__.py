"""The run report as typed models (its JSON Schema is the published contract) and its HTML page."""
