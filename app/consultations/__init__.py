"""Consultation participants: asking to take part (the address confirmed by a link), SDFL's decision, SDFL adding
someone directly, ending a participation; following a trajectory (the pages; the service is
app.dialogues.following)."""
