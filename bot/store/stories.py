"""Stories as stored: which articles tell the same story, and what they were compared by.

The decisions are made in bot.briefing.stories (at ingest); this module only reads and writes
the tables of migration m006. Every write runs inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlite_utils

from bot.store.db import from_iso, to_iso


@dataclass
class StoredFeatures:
    """A stored article's comparison features and where it was filed."""

    article_id: int
    published_at: dt.datetime
    outlet: str
    minhash: bytes
    lead_minhash: bytes
    lead_size: int
    terms: dict[str, int]
    names: list[str]
    story_id: int
    copy_of: int | None


def _ids(values: Iterable[object]) -> str:
    return json.dumps(list(values))


def pending(db: sqlite_utils.Database) -> list[int]:
    """Articles without a story yet, in publication order."""
    rows = db.execute(
        "SELECT a.id FROM articles a LEFT JOIN story_articles s ON s.article_id = a.id"
        " WHERE s.article_id IS NULL ORDER BY a.published_at, a.id"
    )
    return [r[0] for r in rows]


def unfiled(db: sqlite_utils.Database, article_ids: Iterable[int]) -> list[int]:
    """Those of these articles without a story yet, in publication order."""
    rows = db.execute(
        "SELECT a.id FROM articles a LEFT JOIN story_articles s ON s.article_id = a.id"
        " WHERE a.id IN (SELECT value FROM json_each(?)) AND s.article_id IS NULL"
        " ORDER BY a.published_at, a.id",
        [_ids(article_ids)],
    )
    return [r[0] for r in rows]


def by_bands(db: sqlite_utils.Database, keys: Iterable[int]) -> set[int]:
    """Articles sharing at least one LSH band key."""
    rows = db.execute(
        "SELECT DISTINCT article_id FROM story_bands WHERE key IN (SELECT value FROM json_each(?))",
        [_ids(keys)],
    )
    return {r[0] for r in rows}


def by_terms(
    db: sqlite_utils.Database,
    terms: Iterable[str],
    *,
    since: dt.datetime,
    until: dt.datetime,
    shared: int = 2,
    limit: int = 40,
) -> list[int]:
    """Articles in the window whose telling terms include `shared` of these, most shared first."""
    rows = db.execute(
        "SELECT article_id, count(*) AS n FROM story_terms"
        " WHERE term IN (SELECT value FROM json_each(?))"
        " AND published_at >= ? AND published_at <= ?"
        " GROUP BY article_id HAVING n >= ? ORDER BY n DESC, article_id DESC LIMIT ?",
        [_ids(terms), to_iso(since), to_iso(until), shared, limit],
    )
    return [r[0] for r in rows]


_FEATURES = (
    "SELECT f.article_id, f.published_at, f.outlet, f.minhash, f.lead_minhash, f.lead_size,"
    " f.terms, f.names, s.story_id, s.copy_of FROM story_features f"
    " JOIN story_articles s ON s.article_id = f.article_id"
)


def _row(r: tuple) -> StoredFeatures:
    return StoredFeatures(
        r[0], from_iso(r[1]), r[2], r[3], r[4], r[5], json.loads(r[6]), json.loads(r[7]), r[8], r[9]
    )


def features(db: sqlite_utils.Database, article_ids: Iterable[int]) -> list[StoredFeatures]:
    rows = db.execute(
        _FEATURES + " WHERE f.article_id IN (SELECT value FROM json_each(?))", [_ids(article_ids)]
    )
    return [_row(r) for r in rows]


def members(
    db: sqlite_utils.Database,
    story_ids: Iterable[int],
    *,
    since: dt.datetime,
    until: dt.datetime,
) -> list[StoredFeatures]:
    """The articles of these stories published in the window."""
    rows = db.execute(
        _FEATURES + " WHERE s.story_id IN (SELECT value FROM json_each(?))"
        " AND f.published_at >= ? AND f.published_at <= ?",
        [_ids(story_ids), to_iso(since), to_iso(until)],
    )
    return [_row(r) for r in rows]


def document_frequency(db: sqlite_utils.Database, terms: Iterable[str]) -> dict[str, int]:
    rows = db.execute(
        "SELECT term, df FROM story_df WHERE term IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted(set(terms)))],
    )
    return dict(rows.fetchall())


def documents(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT count(*) FROM story_features").fetchone()[0])


def add_frequencies(db: sqlite_utils.Database, counts: Mapping[str, int]) -> None:
    db.conn.executemany(
        "INSERT INTO story_df (term, df) VALUES (?, ?)"
        " ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
        list(counts.items()),
    )


def new_story(db: sqlite_utils.Database, at: dt.datetime) -> int:
    cursor = db.execute(
        "INSERT INTO stories (first_at, last_at, articles) VALUES (?, ?, 0)", [to_iso(at)] * 2
    )
    return int(cursor.lastrowid or 0)


def file(
    db: sqlite_utils.Database,
    f: StoredFeatures,
    *,
    bands: Iterable[int],
    telling: Iterable[str],
) -> None:
    """Store an article's features and file it in its story."""
    db.execute(
        "INSERT INTO story_features (article_id, published_at, outlet, minhash, lead_minhash,"
        " lead_size, terms, names) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            f.article_id,
            to_iso(f.published_at),
            f.outlet,
            f.minhash,
            f.lead_minhash,
            f.lead_size,
            json.dumps(f.terms, ensure_ascii=False, sort_keys=True),
            json.dumps(sorted(f.names), ensure_ascii=False),
        ],
    )
    db.execute(
        "INSERT INTO story_articles (article_id, story_id, copy_of) VALUES (?, ?, ?)",
        [f.article_id, f.story_id, f.copy_of],
    )
    at = to_iso(f.published_at)
    db.execute(
        "UPDATE stories SET articles = articles + 1, first_at = min(first_at, ?),"
        " last_at = max(last_at, ?) WHERE id = ?",
        [at, at, f.story_id],
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO story_bands (key, article_id) VALUES (?, ?)",
        [(k, f.article_id) for k in bands],
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO story_terms (term, published_at, article_id) VALUES (?, ?, ?)",
        [(t, at, f.article_id) for t in telling],
    )


def stories_of(
    db: sqlite_utils.Database, article_ids: Iterable[int]
) -> dict[int, tuple[int, int | None]]:
    """article id -> (story id, the article it copies or None), for those filed."""
    rows = db.execute(
        "SELECT article_id, story_id, copy_of FROM story_articles"
        " WHERE article_id IN (SELECT value FROM json_each(?))",
        [_ids(article_ids)],
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def companions(db: sqlite_utils.Database, article_id: int) -> tuple[int, list[str]]:
    """The size of the article's story and the outlets of its other reports (sorted)."""
    rows = db.execute(
        "SELECT o.article_id, a.outlet FROM story_articles s"
        " JOIN story_articles o ON o.story_id = s.story_id"
        " JOIN articles a ON a.id = o.article_id WHERE s.article_id = ?",
        [article_id],
    ).fetchall()
    outlets = sorted({outlet for other, outlet in rows if other != article_id})
    return len(rows), outlets
