"""Webhooks (issue 20): events delivered to receivers, signed, retried, logged; the event feed's routes."""
