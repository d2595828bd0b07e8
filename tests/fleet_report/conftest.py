"""The history databases of tests/history: a SQLite file each, and a real PostgreSQL server."""

from tests.history.conftest import db_url, postgres

__all__ = ["db_url", "postgres"]
