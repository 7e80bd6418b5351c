"""HTML routes for documents (being built)."""

from fastapi import APIRouter

router = APIRouter()
