"""What the multi-article /status story tests share: building articles and reading a Status.

The stories themselves (tests/test_status_stories.py, test_status_probe*.py) stay with their
assertions; this is only the vocabulary they are written in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.ingest import ingest_paths, ingest_records
from bot.models import RawArticle, Situation, Status
from bot.store import open_db


def at(text: str) -> dt.datetime:
    """'2026-03-12 08:00' -> aware UTC datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@dataclass
class Story:
    situation: Situation
    articles: list[RawArticle]


def article(outlet: str | None, published: str, title: str, body: str, slug: str) -> RawArticle:
    """A hand-written article; no outlet means a file dump without one (and without a url)."""
    url = f"https://{re.sub(r'[^a-z]', '', outlet.lower())}.example/{slug}" if outlet else None
    return RawArticle(title=title, body=body, published_at=at(published), url=url, outlet=outlet)


def label(ref) -> str | None:  # type: ignore[no-untyped-def]
    return ref.label() if ref is not None else None


def shape(st: Status) -> tuple[str, str | None, tuple[str, str | None] | None]:
    """(state, since, (previous state, its since))."""
    previous = (st.previous.state, label(st.previous.since)) if st.previous else None
    return st.state, label(st.since), previous


def upcoming(st: Status) -> tuple[str, str | None, bool] | None:
    if st.upcoming is None:
        return None
    return st.upcoming.state, label(st.upcoming.date), st.upcoming.overdue


def timeline(st: Status) -> list[tuple[str | None, str, str]]:
    return [(label(e.date), e.state, e.modality) for e in st.timeline]


def outlets(st: Status, state: str, date: str | None) -> set[str]:
    """The outlets cited for the timeline entry of this state and date."""
    return {
        s.outlet
        for e in st.timeline
        if e.state == state and label(e.date) == date
        for s in e.sources
    }


def kinds(st: Status) -> set[str]:
    return {c.kind for c in st.caveats}


def ingest_stories(
    tmp: Any, stories: dict[str, Story], *, before: dict[str, list[Path]] | None = None
) -> dict[str, sqlite_utils.Database]:
    """One database per story (`tmp` is pytest's tmp_path_factory), each story's articles
    ingested through the real pipeline; `before` names files to ingest first (the seed)."""
    out = {}
    for name, story in stories.items():
        db = open_db(tmp.mktemp(name) / "story.db")
        for path in (before or {}).get(name, []):
            ingest_paths(db, [path], now=at("2026-03-11 12:00"))
        summary = ingest_records(db, story.articles, now=at("2027-01-01 00:00"))
        assert summary.added == len(story.articles), summary
        out[name] = db
    return out


def close_all(dbs: dict[str, sqlite_utils.Database]) -> None:
    for db in dbs.values():
        db.conn.close()
