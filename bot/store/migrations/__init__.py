"""Alembic migration environment (loaded by path by Alembic, not imported)."""
