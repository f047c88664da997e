"""Full-text queries over articles and sentences. MATCH strings come from bot.store.fts only.

Time windows are applied twice: as a rowid range, which FTS5 uses to skip whole index pages
(ids follow ingest order, which mostly follows publication time), and as an exact filter on
`published_at`. The range is computed from the (published_at, id) index, so it is an index-only
scan; when ids do not follow time it is merely loose, never wrong.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from bot.models import ArticleRef, Attribution, DateRef, Event, SearchHit, Segment
from bot.store.articles import ref_from_row
from bot.store.db import from_iso, to_iso

# Private-use characters mark snippet highlights: they never occur in news text, and they
# survive until render turns them into <b> safely (after escaping).
HIT_OPEN, HIT_CLOSE = "\ue000", "\ue001"
# Title matches weigh more than body matches in bm25.
ARTICLE_WEIGHTS = "2.0, 1.0"
# Ranking looks at most at this many of the newest matches (see _ranked).
CANDIDATES = 2000


@dataclass
class SentenceRow:
    id: int
    article_id: int
    position: int
    text: str
    score: float = 0.0


@dataclass
class StoredEvent:
    event: Event
    sentence: SentenceRow
    article: ArticleRef


@dataclass
class _Window:
    """A publication-time window as SQL: a loose FTS rowid range, then the exact date filter."""

    rowid_sql: str = ""
    rowid_params: tuple[object, ...] = ()
    date_sql: str = ""
    date_params: tuple[object, ...] = ()

    @property
    def sql(self) -> str:
        return self.rowid_sql + self.date_sql

    @property
    def params(self) -> list[object]:
        return [*self.rowid_params, *self.date_params]


def _window(
    db: sqlite_utils.Database,
    rowid_column: str | None,
    date_column: str,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> _Window:
    """SQL conditions (each starting with AND) for a publication-time window.

    `rowid_column` names an articles FTS rowid to bound by range, or None for no range.
    """
    if since is None and until is None:
        return _Window()
    lo = to_iso(since) if since else ""
    hi = to_iso(until) if until else "9999"
    date = (f" AND {date_column} >= ? AND {date_column} <= ?", (lo, hi))
    if rowid_column is None:
        return _Window("", (), *date)
    row = db.execute(
        "SELECT min(id), max(id) FROM articles INDEXED BY articles_published"
        " WHERE published_at >= ? AND published_at <= ?",
        [lo, hi],
    ).fetchone()
    if row[0] is None:
        # Nothing published in the window: an impossible range keeps the query valid and empty.
        return _Window(f" AND {rowid_column} < 0", (), *date)
    return _Window(f" AND {rowid_column} BETWEEN ? AND ?", (row[0], row[1]), *date)


def _ranked(
    db: sqlite_utils.Database,
    match: str,
    since: dt.datetime | None,
    until: dt.datetime | None,
    limit: int,
    offset: int,
) -> list[tuple]:
    """(id, title, url, outlet, published_at, rank) rows, best bm25 first, newest first on ties.

    bm25 must score every match before it can sort, and a common word matches a third of a
    large corpus. So only the CANDIDATES newest matches (by rowid, which FTS5 walks in order
    and stops early) are ranked: a news bot answers about recent coverage first.
    """
    win = _window(db, "rowid", "a.published_at", since, until)
    return db.execute(
        "SELECT a.id, a.title, a.url, a.outlet, a.published_at, c.rank FROM"
        f" (SELECT rowid AS id, bm25(articles_fts, {ARTICLE_WEIGHTS}) AS rank FROM articles_fts"
        f"  WHERE articles_fts MATCH ?{win.rowid_sql} ORDER BY rowid DESC LIMIT ?) AS c"
        f" JOIN articles a ON a.id = c.id WHERE 1{win.date_sql}"
        " ORDER BY round(c.rank, 6), a.published_at DESC, a.id DESC LIMIT ? OFFSET ?",
        [match, *win.rowid_params, CANDIDATES, *win.date_params, limit, offset],
    ).fetchall()


def match_articles(
    db: sqlite_utils.Database,
    match: str,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[tuple[ArticleRef, float]]:
    """Articles matching `match` in the window, best bm25 first (newest first on ties)."""
    if not match:
        return []
    rows = _ranked(db, match, since, until, limit, offset)
    # bm25 is lower-is-better and negative; callers get a positive higher-is-better score.
    return [(ref_from_row(r[:5]), -float(r[5])) for r in rows]


def count_matches(
    db: sqlite_utils.Database,
    match: str,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    cap: int | None = None,
) -> int:
    """How many articles match; with `cap`, counting stops there (cheap for common words)."""
    if not match:
        return 0
    win = _window(db, "articles_fts.rowid", "a.published_at", since, until)
    limit = f" LIMIT {int(cap)}" if cap is not None else ""
    return int(
        db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM articles_fts"
            " JOIN articles a ON a.id = articles_fts.rowid"
            f" WHERE articles_fts MATCH ?{win.sql}{limit})",
            [match, *win.params],
        ).fetchone()[0]
    )


def snippets(
    db: sqlite_utils.Database,
    match: str,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 5,
    offset: int = 0,
) -> list[SearchHit]:
    """Ranked hits with a body snippet around the matching words."""
    if not match:
        return []
    rows = _ranked(db, match, since, until, limit, offset)
    # Snippets only for the page shown: building one costs as much as ranking a document.
    texts = dict(
        db.execute(
            "SELECT rowid, snippet(articles_fts, 1, ?, ?, '…', 24) FROM articles_fts"
            " WHERE articles_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))",
            [HIT_OPEN, HIT_CLOSE, match, _ids_json(r[0] for r in rows)],
        ).fetchall()
    )
    return [
        SearchHit(ref_from_row(r[:5]), parse_snippet(texts.get(r[0], "")), -float(r[5]))
        for r in rows
    ]


def parse_snippet(text: str) -> list[Segment]:
    """FTS5 snippet text with our markers -> segments (hit or not)."""
    segments: list[Segment] = []
    rest = text or ""
    while rest:
        start = rest.find(HIT_OPEN)
        if start < 0:
            segments.append(Segment(rest))
            break
        if start:
            segments.append(Segment(rest[:start]))
        end = rest.find(HIT_CLOSE, start)
        end = len(rest) if end < 0 else end
        if end > start + 1:
            segments.append(Segment(rest[start + 1 : end], hit=True))
        rest = rest[end + 1 :]
    return segments


def _ids_json(ids: Iterable[int]) -> str:
    return json.dumps(sorted({int(i) for i in ids}))


def match_sentences(
    db: sqlite_utils.Database,
    match: str,
    *,
    article_ids: Iterable[int] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 200,
) -> list[SentenceRow]:
    """Sentences matching `match`, best bm25 first, optionally within given articles."""
    if not match:
        return []
    win = _window(db, None, "a.published_at", since, until)
    sql = (
        "SELECT s.id, s.article_id, s.position, s.text, bm25(sentences_fts) AS rank"
        " FROM sentences_fts JOIN sentences s ON s.id = sentences_fts.rowid"
        " JOIN articles a ON a.id = s.article_id"
        f" WHERE sentences_fts MATCH ?{win.sql}"
    )
    params: list[object] = [match, *win.params]
    if article_ids is not None:
        sql += " AND s.article_id IN (SELECT value FROM json_each(?))"
        params.append(_ids_json(article_ids))
    sql += " ORDER BY rank LIMIT ?"
    params.append(limit)
    return [SentenceRow(r[0], r[1], r[2], r[3], -float(r[4])) for r in db.execute(sql, params)]


def sentences_of(
    db: sqlite_utils.Database, article_ids: Iterable[int]
) -> dict[int, list[SentenceRow]]:
    """Every sentence of these articles, in text order."""
    out: dict[int, list[SentenceRow]] = {}
    rows = db.execute(
        "SELECT id, article_id, position, text FROM sentences"
        " WHERE article_id IN (SELECT value FROM json_each(?)) ORDER BY article_id, position",
        [_ids_json(article_ids)],
    )
    for r in rows:
        out.setdefault(r[1], []).append(SentenceRow(r[0], r[1], r[2], r[3]))
    return out


def events_for_articles(db: sqlite_utils.Database, article_ids: Iterable[int]) -> list[StoredEvent]:
    """Stored events of these articles, oldest article first, in text order."""
    rows = db.execute(
        "SELECT e.state, e.modality, e.negated, e.trigger, e.date_value, e.date_precision,"
        " e.date_text, e.attribution, e.attribution_kind,"
        " s.id, s.article_id, s.position, s.text,"
        " a.id, a.title, a.url, a.outlet, a.published_at"
        " FROM events e JOIN sentences s ON s.id = e.sentence_id"
        " JOIN articles a ON a.id = e.article_id"
        " WHERE e.article_id IN (SELECT value FROM json_each(?))"
        " ORDER BY a.published_at, a.id, s.position, e.id",
        [_ids_json(article_ids)],
    )
    out: list[StoredEvent] = []
    for r in rows:
        date = DateRef(dt.date.fromisoformat(r[4]), r[5], r[6] or "") if r[4] else None
        attribution = Attribution(r[7], r[8] or "unknown") if r[7] else None
        event = Event(
            state=r[0],
            modality=r[1],
            trigger=r[3],
            negated=bool(r[2]),
            date=date,
            attribution=attribution,
        )
        out.append(
            StoredEvent(event, SentenceRow(r[9], r[10], r[11], r[12]), ref_from_row(r[13:18]))
        )
    return out


def newest_published(
    db: sqlite_utils.Database, match: str, *, until: dt.datetime | None = None
) -> dt.datetime | None:
    """Publication time of the newest article matching `match` (for 'most recent coverage')."""
    if not match:
        return None
    row = db.execute(
        "SELECT max(a.published_at) FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        " WHERE articles_fts MATCH ? AND a.published_at <= ?",
        [match, to_iso(until) if until else "9999"],
    ).fetchone()
    return from_iso(row[0]) if row and row[0] else None
