"""JSON API for documents (being built)."""

from fastapi import APIRouter

router = APIRouter(tags=["documents"])
