"""Ingest: files (later feeds, URLs) -> normalised, deduplicated, analysed, stored articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.ingest.pipeline import ingest_paths, ingest_records, prepare
    from bot.ingest.readers import read_file

__all__ = ["ingest_paths", "ingest_records", "prepare", "read_file"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing the readers does not load the analysis stack (and its data).
    if name in ("ingest_paths", "ingest_records", "prepare"):
        from bot.ingest import pipeline

        return getattr(pipeline, name)
    if name == "read_file":
        from bot.ingest import readers

        return readers.read_file
    raise AttributeError(f"module 'bot.ingest' has no attribute {name!r}")
