"""Macros: reusable answers in English and Spanish with placeholders, plus actions on the ticket.

A macro belongs to one client or to every client (``client_id`` null). Its texts are Jinja
templates rendered on the server in a sandbox (``rendering.py``); applying it writes the reply
or note and its actions (status, priority, tags, a queue) in one transaction (``operations.py``).
They grew out of the console's canned answers (migration ``0019_macros``).
"""
