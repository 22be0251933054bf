"""Agents, supervisors and admins: accounts, roles, login, bearer tokens, access rules."""
