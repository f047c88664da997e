"""Articles, their sentences and events: the write path and simple lookups."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import sqlite_utils

from bot.models import ArticleRef, PreparedArticle, SourceCount
from bot.store.db import from_iso, to_iso
from bot.store.entities import add_entities

_REF_COLUMNS = "id, title, url, outlet, published_at"


def add_articles(db: sqlite_utils.Database, items: list[PreparedArticle]) -> list[int | None]:
    """Store a batch in one transaction; the new id per item, or None for a duplicate.

    A duplicate has the url or the content hash of a stored article or of an earlier item of
    the same batch. One transaction per batch: an interrupted ingest leaves whole articles only.
    """
    ids: list[int | None] = []
    with db.atomic():
        urls = known_urls(db, [i.url for i in items if i.url])
        hashes = known_hashes(db, [i.content_hash for i in items])
        for item in items:
            if item.content_hash in hashes or (item.url and item.url in urls):
                ids.append(None)
                continue
            hashes.add(item.content_hash)
            if item.url:
                urls.add(item.url)
            ids.append(_insert(db, item))
    return ids


def _insert(db: sqlite_utils.Database, item: PreparedArticle) -> int:
    cursor = db.execute(
        "INSERT INTO articles (url, outlet, title, body, published_at, fetched_at, language,"
        " content_hash, text_source, date_estimated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            item.url,
            item.outlet,
            item.title,
            item.body,
            to_iso(item.published_at),
            to_iso(item.fetched_at),
            item.language,
            item.content_hash,
            item.text_source,
            int(item.date_estimated),
        ],
    )
    article_id = int(cursor.lastrowid or 0)
    # Sentence ids are allocated here rather than read back, so events can point at them
    # without one SELECT per sentence.
    first = db.execute("SELECT coalesce(max(id), 0) + 1 FROM sentences").fetchone()[0]
    db.conn.executemany(
        "INSERT INTO sentences (id, article_id, position, text) VALUES (?, ?, ?, ?)",
        [(first + pos, article_id, pos, text) for pos, text in enumerate(item.sentences)],
    )
    if item.events:
        db.conn.executemany(
            "INSERT INTO events (article_id, sentence_id, state, modality, negated, trigger,"
            " date_value, date_precision, date_text, attribution, attribution_kind)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    article_id,
                    first + pos,
                    ev.state,
                    ev.modality,
                    int(ev.negated),
                    ev.trigger,
                    ev.date.value.isoformat() if ev.date else None,
                    ev.date.precision if ev.date else None,
                    ev.date.text if ev.date else None,
                    ev.attribution.name if ev.attribution else None,
                    ev.attribution.kind if ev.attribution else None,
                )
                for pos, ev in item.events
            ],
        )
    add_entities(
        db,
        article_id,
        item.entities,
        [(first + pos, entity) for pos, entity in item.sentence_entities],
    )
    if item.situations:
        db.conn.executemany(
            "INSERT OR IGNORE INTO situation_articles (situation, article_id) VALUES (?, ?)",
            [(key, article_id) for key in item.situations],
        )
    return article_id


def _in_list(values: Iterable[object]) -> str:
    """One JSON parameter for `IN (SELECT value FROM json_each(?))`: no limit on list length."""
    return json.dumps(list(values))


def known_urls(db: sqlite_utils.Database, urls: Iterable[str]) -> set[str]:
    """Which of these urls are already stored."""
    rows = db.execute(
        "SELECT url FROM articles WHERE url IN (SELECT value FROM json_each(?))", [_in_list(urls)]
    )
    return {r[0] for r in rows}


def ids_by_url(db: sqlite_utils.Database, urls: Iterable[str]) -> dict[str, int]:
    """url -> article id, for those of these urls that are stored."""
    rows = db.execute(
        "SELECT url, id FROM articles WHERE url IN (SELECT value FROM json_each(?))",
        [_in_list(urls)],
    )
    return {r[0]: r[1] for r in rows}


def known_hashes(db: sqlite_utils.Database, hashes: Iterable[str]) -> set[str]:
    """Which of these content hashes are already stored."""
    rows = db.execute(
        "SELECT content_hash FROM articles WHERE content_hash IN (SELECT value FROM json_each(?))",
        [_in_list(hashes)],
    )
    return {r[0] for r in rows}


def ref_from_row(row: tuple) -> ArticleRef:
    """(id, title, url, outlet, published_at) -> ArticleRef."""
    return ArticleRef(
        id=row[0], title=row[1], url=row[2], outlet=row[3], published_at=from_iso(row[4])
    )


def article_refs(db: sqlite_utils.Database, ids: Iterable[int]) -> dict[int, ArticleRef]:
    rows = db.execute(
        f"SELECT {_REF_COLUMNS} FROM articles WHERE id IN (SELECT value FROM json_each(?))",
        [_in_list(ids)],
    )
    return {r[0]: ref_from_row(r) for r in rows}


def count_articles(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])


def list_sources(
    db: sqlite_utils.Database, *, since: dt.datetime | None = None
) -> list[SourceCount]:
    """Outlets with their article counts, most articles first."""
    rows = db.execute(
        "SELECT outlet, count(*) AS n, max(published_at) FROM articles"
        " WHERE published_at >= ? GROUP BY outlet ORDER BY n DESC, outlet",
        [to_iso(since) if since else ""],
    )
    return [
        SourceCount(outlet=r[0], articles=r[1], newest=from_iso(r[2]) if r[2] else None)
        for r in rows
    ]


def date_span(db: sqlite_utils.Database) -> tuple[dt.datetime, dt.datetime] | None:
    """Oldest and newest publication dates stored, or None for an empty store."""
    row = db.execute("SELECT min(published_at), max(published_at) FROM articles").fetchone()
    if not row or row[0] is None:
        return None
    return from_iso(row[0]), from_iso(row[1])


def date_estimated(db: sqlite_utils.Database, article_id: int) -> bool:
    """Whether the article's date is the time it was fetched (its source gave none)."""
    row = db.execute("SELECT date_estimated FROM articles WHERE id = ?", [article_id]).fetchone()
    return bool(row and row[0])
