"""Followed feeds, their health and polling schedule, and the entries each feed has shown
(tables from migration m009).

A poll loop is expected to do: `due_feeds(db, now=now)`; fetch each (conditional GET with the
stored etag/last_modified); skip entries in `known_entry_keys`; index the rest; then
`remember_entries` and `record_success` (a 304 passes the old etag/last_modified back), or
`record_failure` on an error. Failures back off exponentially (`next_poll`); a feed failing for
longer than `max_failing` is deactivated, and `record_failure` says so exactly once so the admins
are told once. Re-adding or `reactivate` brings it back, due at once.

Every function takes `now=` where time matters; nothing reads the clock. Times are ISO-8601 UTC
text. URLs are stored as given: callers normalise them.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from bot.models import Feed, FeedSpec
from bot.store.db import from_iso, to_iso, write_transaction

DEFAULT_INTERVAL = dt.timedelta(minutes=30)
MAX_BACKOFF = dt.timedelta(hours=24)
# ±20 % on every scheduled poll, so feeds added together do not poll together.
JITTER = 0.2
# Keys per `IN (...)`: under SQLite's historical limit of 999 variables (one is the feed id).
_CHUNK = 900
_DEFAULTS_KEY = "default_feeds_added"
_ERROR_CHARS = 300
# Clears the error run and makes the feed due now (re-add, reactivate); takes (now, id).
_REVIVE = (
    "UPDATE feeds SET active = 1, deactivated_at = NULL, error_count = 0, failing_since = NULL,"
    " next_poll_at = ? WHERE id = ?"
)


# ----------------------------------------------------------------------------- feeds


def add_feed(
    db: sqlite_utils.Database, spec: FeedSpec, *, now: dt.datetime, added_by: int | None = None
) -> tuple[Feed, bool]:
    """Add a feed (created=True) or return the one with that url (created=False).

    Re-adding an inactive feed reactivates it and clears its error run: an admin asking again
    means "try again". New and reactivated feeds are due now. An existing feed's outlet and
    language are left as they are.
    """
    stamp = to_iso(now)
    with write_transaction(db) as conn:
        rows = conn.execute(
            "INSERT INTO feeds (url, outlet, language, added_at, added_by, next_poll_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING RETURNING id",
            [spec.url, spec.outlet, spec.language, stamp, added_by, stamp],
        ).fetchall()  # all of it: an unfinished RETURNING statement blocks the COMMIT
        created = bool(rows)
        if not created:
            rows = conn.execute("SELECT id FROM feeds WHERE url = ?", [spec.url]).fetchall()
            conn.execute(f"{_REVIVE} AND active = 0", [stamp, rows[0][0]])
    feed = get_feed(db, rows[0][0])
    assert feed is not None
    return feed, created


def get_feed(db: sqlite_utils.Database, ref: str | int) -> Feed | None:
    """By id (an int or a string of digits) or by exact url."""
    if isinstance(ref, int) or ref.strip().isdigit():
        found = _feeds(db, "id = ?", [int(ref)])
    else:
        found = _feeds(db, "url = ?", [ref.strip()])
    return found[0] if found else None


def find_feeds(db: sqlite_utils.Database, text: str) -> list[Feed]:
    """The feeds `text` names (for "/removefeed yonhap"): the one with that id or url; else
    those whose outlet, title or host equals it (case-insensitively); else those containing it.
    Exact names first, so "yonhap" picks "Yonhap" and not also "Yonhap (Korean)"."""
    text = text.strip()
    if not text:
        return []
    feed = get_feed(db, text)
    if feed is not None:
        return [feed]
    needle = text.casefold()
    feeds = list_feeds(db)
    names = {f.id: [n.casefold() for n in (f.outlet, f.title, _host(f.url)) if n] for f in feeds}
    exact = [f for f in feeds if needle in names[f.id]]
    return exact or [f for f in feeds if any(needle in n for n in names[f.id])]


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def list_feeds(db: sqlite_utils.Database, *, active_only: bool = False) -> list[Feed]:
    """Every feed (or the active ones), active first, then by name."""
    feeds = _feeds(db, "active = 1" if active_only else "1", [])
    return sorted(feeds, key=lambda f: (not f.active, f.name.casefold(), f.id))


def remove_feed(db: sqlite_utils.Database, feed_id: int) -> bool:
    """Forget a feed and the entries it showed; the articles indexed from it stay. Whether it
    existed."""
    with write_transaction(db) as conn:
        conn.execute("DELETE FROM feed_entries WHERE feed_id = ?", [feed_id])
        cur = conn.execute("DELETE FROM feeds WHERE id = ?", [feed_id])
    return cur.rowcount > 0


def update_feed_meta(
    db: sqlite_utils.Database, feed_id: int, *, title: str | None, language: str | None
) -> None:
    """What a poll learnt about the feed itself. The title follows the feed (None keeps the old
    one); the language only fills a gap, since one given when the feed was added is the admin's
    word. The outlet is never touched: it is what articles are cited as."""
    with write_transaction(db) as conn:
        conn.execute(
            "UPDATE feeds SET title = coalesce(?, title), language = coalesce(language, ?)"
            " WHERE id = ?",
            [title, language, feed_id],
        )


def reactivate(db: sqlite_utils.Database, feed_id: int, *, now: dt.datetime) -> Feed | None:
    """Active again with a clean error run, due now (last_error stays, as history)."""
    with write_transaction(db) as conn:
        conn.execute(_REVIVE, [to_iso(now), feed_id])
    return get_feed(db, feed_id)


# ----------------------------------------------------------------------------- polling


def due_feeds(
    db: sqlite_utils.Database, *, now: dt.datetime, limit: int | None = None
) -> list[Feed]:
    """Active feeds whose next poll has come (never scheduled counts as due), oldest due first.
    Two index ranges of feeds_due rather than an OR, so neither reads inactive feeds."""
    sql = (
        "SELECT * FROM (SELECT * FROM feeds WHERE active = 1 AND next_poll_at IS NULL"
        " UNION ALL SELECT * FROM feeds WHERE active = 1 AND next_poll_at <= ?)"
        " ORDER BY next_poll_at, id"  # NULL sorts first: never scheduled is the most overdue
    )
    params: list[Any] = [to_iso(now)]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return _rows(db.execute(sql, params))


def next_poll(
    now: dt.datetime,
    interval: dt.timedelta,
    errors: int,
    *,
    rng: random.Random | None = None,
) -> dt.datetime:
    """now + interval * 2**errors (capped at MAX_BACKOFF), times a uniform jitter in
    [1 - JITTER, 1 + JITTER]. Pure (given `rng`)."""
    # The exponent is bounded before multiplying: timedelta overflows long before 2**errors does.
    delay = min(interval * 2 ** min(max(errors, 0), 32), MAX_BACKOFF)
    factor = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return now + delay * factor


def record_success(
    db: sqlite_utils.Database,
    feed_id: int,
    *,
    now: dt.datetime,
    interval: dt.timedelta = DEFAULT_INTERVAL,
    etag: str | None,
    last_modified: str | None,
    new_articles: int,
    rng: random.Random | None = None,
) -> Feed:
    """A poll that worked: the error run ends, the validators the server sent are stored as
    sent (a 304 caller passes the old ones back), and the next poll is one interval away.
    last_error stays, as history."""
    stamp = to_iso(now)
    with write_transaction(db) as conn:
        cur = conn.execute(
            "UPDATE feeds SET error_count = 0, failing_since = NULL, last_success_at = ?,"
            " last_polled_at = ?, etag = ?, last_modified = ?, articles = articles + ?,"
            " next_poll_at = ? WHERE id = ?",
            [stamp, stamp, etag, last_modified, new_articles,
             to_iso(next_poll(now, interval, 0, rng=rng)), feed_id],
        )  # fmt: skip
        if cur.rowcount == 0:
            raise KeyError(f"unknown feed {feed_id}")
    feed = get_feed(db, feed_id)
    assert feed is not None
    return feed


def record_failure(
    db: sqlite_utils.Database,
    feed_id: int,
    *,
    now: dt.datetime,
    interval: dt.timedelta = DEFAULT_INTERVAL,
    error: str,
    max_failing: dt.timedelta,
    rng: random.Random | None = None,
    not_before: dt.datetime | None = None,
) -> tuple[Feed, bool]:
    """A poll that failed: one more error, polled again after an exponential backoff, and not
    before `not_before` (a server's Retry-After) when that is later.

    A feed failing for `max_failing` or longer (since the first failure of the run) is
    deactivated; the bool is True only from the call that deactivated it, so the caller tells
    the admins once.
    """
    stamp = to_iso(now)
    with write_transaction(db) as conn:
        row = conn.execute(
            "SELECT error_count, failing_since, active FROM feeds WHERE id = ?", [feed_id]
        ).fetchone()
        if row is None:
            raise KeyError(f"unknown feed {feed_id}")
        errors, since = row[0] + 1, from_iso(row[1]) if row[1] else from_iso(stamp)
        deactivate = bool(row[2]) and from_iso(stamp) - since >= max_failing
        due = next_poll(now, interval, errors, rng=rng)
        if not_before is not None and not_before > due:
            due = not_before
        conn.execute(
            "UPDATE feeds SET error_count = ?, last_error = ?, last_error_at = ?,"
            " last_polled_at = ?, failing_since = ?, next_poll_at = ?,"
            " active = CASE WHEN ? THEN 0 ELSE active END,"
            " deactivated_at = CASE WHEN ? THEN ? ELSE deactivated_at END WHERE id = ?",
            [errors, (error.strip() or "unknown error")[:_ERROR_CHARS], stamp, stamp,
             to_iso(since), to_iso(due),
             deactivate, deactivate, stamp, feed_id],
        )  # fmt: skip
    feed = get_feed(db, feed_id)
    assert feed is not None
    return feed, deactivate


def untold_switch_offs(db: sqlite_utils.Database) -> list[Feed]:
    """Switched-off feeds whose switch-off the admins have not been told of yet."""
    return _feeds(
        db,
        "active = 0 AND deactivated_at IS NOT NULL"
        " AND (notified_at IS NULL OR notified_at != deactivated_at)",
        [],
    )


def mark_told(db: sqlite_utils.Database, feed_id: int) -> None:
    """The admins were told of this feed's current switch-off (or there was nobody to tell).

    `notified_at` keeps the switch-off's own time, so a later switch-off (after the feed was
    added again) is told again, whatever the clocks of the processes involved say."""
    with write_transaction(db) as conn:
        conn.execute("UPDATE feeds SET notified_at = deactivated_at WHERE id = ?", [feed_id])


# ----------------------------------------------------------------------------- entries


def known_entry_keys(db: sqlite_utils.Database, feed_id: int, keys: Iterable[str]) -> set[str]:
    """Which of these entry keys this feed has shown before (checked before any analysis)."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            f"SELECT key FROM feed_entries WHERE feed_id = ? AND key IN ({marks})",
            [feed_id, *chunk],
        )
        found.update(r[0] for r in rows)
    return found


def remember_entries(
    db: sqlite_utils.Database,
    feed_id: int,
    entries: Iterable[tuple[str, int | None]],
    *,
    now: dt.datetime,
) -> int:
    """Record (key, article id or None) for entries this feed showed; keys already known keep
    their first article. Returns how many were new."""
    stamp = to_iso(now)
    with write_transaction(db) as conn:
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO feed_entries (feed_id, key, article_id, seen_at)"
            " VALUES (?, ?, ?, ?)",
            [(feed_id, key, article_id, stamp) for key, article_id in entries],
        )
        return conn.total_changes - before


# ----------------------------------------------------------------------------- defaults, health


def seed_default_feeds(
    db: sqlite_utils.Database, specs: Iterable[FeedSpec], *, now: dt.datetime
) -> int:
    """Add the default feeds once per database (meta 'default_feeds_added'): later calls add
    nothing, so a default the admin removed stays removed. Returns how many were added."""
    with write_transaction(db) as conn:
        if conn.execute("SELECT 1 FROM meta WHERE key = ?", [_DEFAULTS_KEY]).fetchone():
            return 0
        added = sum(add_feed(db, spec, now=now)[1] for spec in specs)
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [_DEFAULTS_KEY, to_iso(now)])
    return added


def feed_health_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """{"ok", "failing", "inactive", "new"} -> how many feeds (Feed.health, in SQL)."""
    counts = dict.fromkeys(("ok", "failing", "inactive", "new"), 0)
    rows = db.execute(
        "SELECT CASE WHEN active = 0 THEN 'inactive' WHEN error_count > 0 THEN 'failing'"
        " WHEN last_success_at IS NOT NULL THEN 'ok' ELSE 'new' END AS health, count(*)"
        " FROM feeds GROUP BY health"
    )
    counts.update({health: n for health, n in rows})
    return counts


# ----------------------------------------------------------------------------- rows


def _feeds(db: sqlite_utils.Database, where: str, params: list[Any]) -> list[Feed]:
    return _rows(db.execute(f"SELECT * FROM feeds WHERE {where} ORDER BY id", params))


def _rows(cur: sqlite3.Cursor) -> list[Feed]:
    names = [d[0] for d in cur.description]
    return [_feed(dict(zip(names, row, strict=True))) for row in cur.fetchall()]


def _feed(row: dict[str, Any]) -> Feed:
    def when(name: str) -> dt.datetime | None:
        return from_iso(row[name]) if row[name] else None

    return Feed(
        id=row["id"],
        url=row["url"],
        outlet=row["outlet"],
        language=row["language"],
        title=row["title"],
        active=bool(row["active"]),
        added_at=from_iso(row["added_at"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_polled_at=when("last_polled_at"),
        last_success_at=when("last_success_at"),
        last_error=row["last_error"],
        last_error_at=when("last_error_at"),
        error_count=row["error_count"],
        failing_since=when("failing_since"),
        next_poll_at=when("next_poll_at"),
        articles=row["articles"],
        deactivated_at=when("deactivated_at"),
        added_by=row["added_by"],
    )
