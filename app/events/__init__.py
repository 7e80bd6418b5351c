"""The event log: what happened, as integrators read it (``GET /api/v1/events``) and webhooks carry it."""
