"""Clients (tenants): their keys, the signed-request check, rate limits."""
