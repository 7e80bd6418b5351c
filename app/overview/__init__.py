"""The personal overview after sign-in: what waits for me, per role."""
