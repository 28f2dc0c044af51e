"""The command-line transport."""
