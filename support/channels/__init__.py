"""Inbound adapters: each verifies and normalises its format, then calls tickets.operations."""
