"""Candidate generation strategies (the only package that will import langgraph)."""
