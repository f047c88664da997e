"""Which stored articles are about each declared situation (marked at ingest).

`situation_articles` holds (situation, article id) pairs; `situation_tags` the signature of the
situation definition each was computed with (bot.analysis.relevance.signature). A reader trusts
the pairs only when the signature matches its own situation: after topics.toml or the relevance
rules change, /status searches instead until `sync` (run at the start of every ingest) has
re-tagged what is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import sqlite_utils

from bot.models import ArticleRef
from bot.store.articles import ref_from_row
from bot.store.db import to_iso
from bot.store.entities import stored_batches

if TYPE_CHECKING:
    from bot.analysis.relevance import SituationTag


def mark(db: sqlite_utils.Database, article_id: int, situations: Sequence[str]) -> None:
    """Record that an article is about these situations."""
    if situations:
        db.conn.executemany(
            "INSERT OR IGNORE INTO situation_articles (situation, article_id) VALUES (?, ?)",
            [(key, article_id) for key in situations],
        )


def is_tagged(db: sqlite_utils.Database, key: str, signature: str) -> bool:
    """Whether the stored pairs for `key` were computed with this signature."""
    row = db.execute(
        "SELECT 1 FROM situation_tags WHERE situation = ? AND signature = ?", [key, signature]
    ).fetchone()
    return row is not None


def articles_about(
    db: sqlite_utils.Database, key: str, *, until: dt.datetime, limit: int
) -> list[ArticleRef]:
    """The newest `limit` articles about the situation published by `until`, oldest first."""
    rows = db.execute(
        "SELECT a.id, a.title, a.url, a.outlet, a.published_at FROM situation_articles s"
        " JOIN articles a ON a.id = s.article_id"
        " WHERE s.situation = ? AND a.published_at <= ?"
        " ORDER BY a.published_at DESC, a.id DESC LIMIT ?",
        [key, to_iso(until), limit],
    ).fetchall()
    return [ref_from_row(r) for r in reversed(rows)]


def sync(db: sqlite_utils.Database, tags: Iterable[SituationTag]) -> dict[str, int]:
    """Re-tag stored articles for every situation whose stored signature differs.

    Only articles its FTS expression finds are tested (about() needs its facets, which the
    expression requires). Runs inside the caller's transaction; returns, per situation
    re-tagged, how many stored articles are about it.
    """
    done: dict[str, int] = {}
    for tag in tags:
        if is_tagged(db, tag.key, tag.signature):
            continue
        db.execute("DELETE FROM situation_articles WHERE situation = ?", [tag.key])
        ids = (
            [
                r[0]
                for r in db.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid",
                    [tag.match],
                )
            ]
            if tag.match
            else []
        )
        marked = 0
        for batch in stored_batches(db, ids):
            for article_id, title, sentences in batch:
                if tag.matcher.about(title, [text for _, text in sentences]):
                    mark(db, article_id, [tag.key])
                    marked += 1
        db.execute(
            "INSERT OR REPLACE INTO situation_tags (situation, signature) VALUES (?, ?)",
            [tag.key, tag.signature],
        )
        done[tag.key] = marked
    return done


def of_article(db: sqlite_utils.Database, article_id: int) -> list[str]:
    """The keys of the situations an article is marked as about."""
    rows = db.execute(
        "SELECT situation FROM situation_articles WHERE article_id = ? ORDER BY situation",
        [article_id],
    )
    return [r[0] for r in rows]
