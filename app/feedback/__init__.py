"""The comment lifecycle: who sees which comments, threads, writing, editing and withdrawing, triage, the
release of SDFL's answers and decisions, positions and internal notes.

Proposals and review build their pages on it; it reads proposals, versions and sections through app.models
and imports no other domain."""
