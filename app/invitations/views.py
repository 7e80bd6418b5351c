"""HTML routes for invitations (being built)."""

from fastapi import APIRouter

router = APIRouter()
