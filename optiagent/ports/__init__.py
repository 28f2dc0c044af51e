"""Ports: small Protocols the services use to talk to the world."""
