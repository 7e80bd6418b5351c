"""JSON API for invitations (being built)."""

from fastapi import APIRouter

router = APIRouter(tags=["invitations"])
