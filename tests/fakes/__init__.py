"""Test doubles shipped with the test suite (fake servers, scripted ports)."""
