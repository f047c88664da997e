"""The SQLite store: one file through sqlite-utils, schema by migrations, FTS5 by triggers."""

from bot.store.db import from_iso, open_db, to_iso

__all__ = ["from_iso", "open_db", "to_iso"]
