"""Entities articles and sentences mention: indexed lookups by entity and time window.

Windows work as in bot.store.search: the window's article id range, read from the
(published_at, id) index, bounds the scans of article_entities (whose key is (entity,
article_id)); an exact filter on published_at follows, so a loose range is never wrong.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import sqlite_utils

from bot.store.db import to_iso

if TYPE_CHECKING:
    from bot.analysis.entities import EntityTagger

# Articles tagged per transaction step when tagging what is already stored.
TAG_BATCH = 500


def _id_range(
    db: sqlite_utils.Database, since: dt.datetime | None, until: dt.datetime | None
) -> tuple[int, int, str, str] | None:
    """(lowest id, highest id, since, until as text) of the window; None when it is empty."""
    lo = to_iso(since) if since else ""
    hi = to_iso(until) if until else "9999"
    row = db.execute(
        "SELECT min(id), max(id) FROM articles INDEXED BY articles_published"
        " WHERE published_at >= ? AND published_at <= ?",
        [lo, hi],
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return int(row[0]), int(row[1]), lo, hi


def articles_mentioning(
    db: sqlite_utils.Database,
    entities_all: Sequence[str],
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 100,
) -> list[int]:
    """Ids of articles mentioning every one of `entities_all` in the window, newest first."""
    wanted = list(dict.fromkeys(entities_all))
    if not wanted or limit <= 0:
        return []
    window = _id_range(db, since, until)
    if window is None:
        return []
    lo_id, hi_id, lo, hi = window
    # One range scan of the (entity, article_id) key per entity, intersected.
    scans = " INTERSECT ".join(
        "SELECT article_id FROM article_entities WHERE entity = ? AND article_id BETWEEN ? AND ?"
        for _ in wanted
    )
    params: list[object] = []
    for entity in wanted:
        params.extend([entity, lo_id, hi_id])
    rows = db.execute(
        f"SELECT a.id FROM ({scans}) AS hit JOIN articles a ON a.id = hit.article_id"
        " WHERE a.published_at >= ? AND a.published_at <= ?"
        " ORDER BY a.published_at DESC, a.id DESC LIMIT ?",
        [*params, lo, hi, limit],
    )
    return [int(r[0]) for r in rows]


def top_entities(
    db: sqlite_utils.Database,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 10,
) -> list[tuple[str, int]]:
    """(entity, articles mentioning it) in the window, most mentioned first."""
    window = _id_range(db, since, until)
    if window is None or limit <= 0:
        return []
    lo_id, hi_id, lo, hi = window
    rows = db.execute(
        "SELECT e.entity, count(*) AS n FROM article_entities e"
        " INDEXED BY article_entities_article"
        " JOIN articles a ON a.id = e.article_id"
        " WHERE e.article_id BETWEEN ? AND ? AND a.published_at >= ? AND a.published_at <= ?"
        " GROUP BY e.entity ORDER BY n DESC, e.entity LIMIT ?",
        [lo_id, hi_id, lo, hi, limit],
    )
    return [(r[0], int(r[1])) for r in rows]


def entities_of(db: sqlite_utils.Database, article_id: int) -> list[str]:
    """The entities one article mentions, sorted."""
    rows = db.execute(
        "SELECT entity FROM article_entities WHERE article_id = ? ORDER BY entity", [article_id]
    )
    return [r[0] for r in rows]


def entities_of_articles(
    db: sqlite_utils.Database, article_ids: Sequence[int]
) -> dict[int, set[str]]:
    """The entities each of these articles mentions (articles mentioning none are absent)."""
    out: dict[int, set[str]] = {}
    rows = db.execute(
        "SELECT article_id, entity FROM article_entities INDEXED BY article_entities_article"
        " WHERE article_id IN (SELECT value FROM json_each(?))",
        [json.dumps([int(i) for i in article_ids])],
    )
    for aid, entity in rows:
        out.setdefault(aid, set()).add(entity)
    return out


def add_entities(
    db: sqlite_utils.Database,
    article_id: int,
    entities: Sequence[str],
    sentence_entities: Sequence[tuple[int, str]],
) -> None:
    """Record an article's entities and its sentences' (sentence ids, not positions)."""
    if entities:
        db.conn.executemany(
            "INSERT OR IGNORE INTO article_entities (entity, article_id) VALUES (?, ?)",
            [(e, article_id) for e in entities],
        )
    if sentence_entities:
        db.conn.executemany(
            "INSERT OR IGNORE INTO sentence_entities (entity, sentence_id) VALUES (?, ?)",
            [(e, sentence_id) for sentence_id, e in sentence_entities],
        )


def tag_stored(db: sqlite_utils.Database, tagger: EntityTagger) -> int:
    """Tag every stored article and sentence (the upgrade of an existing database).

    Runs inside the caller's transaction (the migration's); returns how many articles it read.
    """
    done = 0
    for batch in stored_batches(db):
        for article_id, title, sentences in batch:
            texts = [text for _, text in sentences]
            entities, per_sentence = tagger.tag_article(title, texts)
            add_entities(db, article_id, entities, [(sentences[i][0], e) for i, e in per_sentence])
        done += len(batch)
    return done


def stored_batches(
    db: sqlite_utils.Database, ids: Sequence[int] | None = None
) -> Iterator[list[tuple[int, str, list[tuple[int, str]]]]]:
    """(article id, title, [(sentence id, text)] in text order), TAG_BATCH articles at a time:
    every stored article, or those of `ids` (ascending)."""
    if ids is not None:
        for at in range(0, len(ids), TAG_BATCH):
            yield _batch(db, [int(i) for i in ids[at : at + TAG_BATCH]])
        return
    last = 0
    while True:
        rows = db.execute(
            "SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?", [last, TAG_BATCH]
        ).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield _batch(db, [r[0] for r in rows])


def _batch(
    db: sqlite_utils.Database, ids: list[int]
) -> list[tuple[int, str, list[tuple[int, str]]]]:
    wanted = json.dumps(ids)
    titles = dict(
        db.execute(
            "SELECT id, title FROM articles WHERE id IN (SELECT value FROM json_each(?))", [wanted]
        ).fetchall()
    )
    sentences: dict[int, list[tuple[int, str]]] = {}
    for sid, aid, text in db.execute(
        "SELECT id, article_id, text FROM sentences"
        " WHERE article_id IN (SELECT value FROM json_each(?)) ORDER BY article_id, position",
        [wanted],
    ):
        sentences.setdefault(aid, []).append((sid, text))
    return [(aid, titles[aid], sentences.get(aid, [])) for aid in ids if aid in titles]
