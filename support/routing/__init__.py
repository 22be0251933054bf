"""Routing: queues, offers, the decision engine and the operations around it."""
