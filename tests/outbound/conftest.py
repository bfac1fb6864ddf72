"""The store of the sending tests: a migrated, empty database on SQLite and on PostgreSQL
(the fixtures of tests/store/conftest.py), so the claiming and re-taking of rows is tested on
both."""

from __future__ import annotations

# fixtures, used by name: the store on each backend
from tests.store.conftest import backend_url, migrated_postgres, store, store_url

__all__ = ["backend_url", "migrated_postgres", "store", "store_url"]
