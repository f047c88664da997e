"""The feed store: followed feeds, their health and backoff, per-feed entry dedup."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from bot.models import FeedSpec
from bot.store import feeds, from_iso, open_db, to_iso

NOW = dt.datetime(2026, 3, 11, 7, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
YONHAP = FeedSpec("https://en.yna.co.kr/RSS/news.xml", outlet="Yonhap", language="en")
NK = FeedSpec("https://www.nknews.org/feed/")
BBC = FeedSpec("https://feeds.bbci.co.uk/news/world/rss.xml", outlet="BBC")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    database = open_db(tmp_path / "feeds.db")
    yield database
    database.conn.close()


def add_article(db: sqlite_utils.Database, url: str) -> int:
    stamp = to_iso(NOW)
    cur = db.execute(
        "INSERT INTO articles (url, outlet, title, body, published_at, fetched_at, language,"
        " content_hash, text_source) VALUES (?, 'Yonhap', 't', 'b', ?, ?, 'en', ?, 'feed')",
        [url, stamp, stamp, url],
    )
    db.conn.commit()
    return int(cur.lastrowid or 0)


def test_migration_tables_exist_on_a_fresh_file(db: sqlite_utils.Database) -> None:
    assert {"feeds", "feed_entries", "meta"} <= set(db.table_names())
    columns = {c.name for c in db["articles"].columns}
    assert {"text_source", "date_estimated"} <= columns
    assert "feeds_due" in {i.name for i in db["feeds"].indexes}


def test_add_get_and_readd(db: sqlite_utils.Database) -> None:
    feed, created = feeds.add_feed(db, YONHAP, now=NOW, added_by=42)
    assert created
    assert (feed.url, feed.outlet, feed.language, feed.added_by) == (YONHAP.url, "Yonhap", "en", 42)
    assert feed.active and feed.health == "new" and feed.next_poll_at == NOW
    assert feed.added_at == NOW and feed.error_count == 0 and feed.articles == 0

    again, created = feeds.add_feed(db, FeedSpec(YONHAP.url, outlet="Other"), now=NOW + HOUR)
    assert not created and again == feed  # unchanged, outlet included

    assert feeds.get_feed(db, feed.id) == feed
    assert feeds.get_feed(db, str(feed.id)) == feed
    assert feeds.get_feed(db, YONHAP.url) == feed
    assert feeds.get_feed(db, 999) is None
    assert feeds.get_feed(db, "https://nowhere.example/") is None


def test_readding_an_inactive_feed_reactivates_it(db: sqlite_utils.Database) -> None:
    feed, _ = feeds.add_feed(db, YONHAP, now=NOW)
    day = dt.timedelta(days=1)
    feeds.record_failure(db, feed.id, now=NOW, error="boom", max_failing=day)
    dead, deactivated = feeds.record_failure(
        db, feed.id, now=NOW + day, error="boom", max_failing=day
    )
    assert deactivated and not dead.active and dead.deactivated_at == NOW + day

    later = NOW + 3 * day
    back, created = feeds.add_feed(db, YONHAP, now=later)
    assert not created and back.active and back.health == "new"
    assert back.error_count == 0 and back.failing_since is None and back.deactivated_at is None
    assert back.next_poll_at == later
    assert back.last_error == "boom"  # kept as history


def test_find_feeds(db: sqlite_utils.Database) -> None:
    yonhap, _ = feeds.add_feed(db, YONHAP, now=NOW)
    korean, _ = feeds.add_feed(
        db, FeedSpec("https://www.yna.co.kr/rss/news.xml", outlet="Yonhap (Korean)"), now=NOW
    )
    nk, _ = feeds.add_feed(db, NK, now=NOW)
    feeds.update_feed_meta(db, nk.id, title="NK News", language="en")

    assert feeds.find_feeds(db, "yonhap") == [yonhap]  # an exact name beats substrings
    assert [f.id for f in feeds.find_feeds(db, "YONH")] == [yonhap.id, korean.id]
    assert [f.id for f in feeds.find_feeds(db, "nk news")] == [nk.id]  # by title
    assert [f.id for f in feeds.find_feeds(db, "www.nknews.org")] == [nk.id]  # by host
    assert [f.id for f in feeds.find_feeds(db, "yna.co")] == [yonhap.id, korean.id]
    assert [f.id for f in feeds.find_feeds(db, str(nk.id))] == [nk.id]
    assert [f.id for f in feeds.find_feeds(db, f" {YONHAP.url} ")] == [yonhap.id]
    assert feeds.find_feeds(db, "reuters") == []
    assert feeds.find_feeds(db, "  ") == []


def test_list_feeds_active_first_then_by_name(db: sqlite_utils.Database) -> None:
    yonhap, _ = feeds.add_feed(db, YONHAP, now=NOW)
    nk, _ = feeds.add_feed(db, NK, now=NOW)  # no outlet, no title: named by host
    bbc, _ = feeds.add_feed(db, BBC, now=NOW)
    assert [f.name for f in feeds.list_feeds(db)] == ["BBC", "www.nknews.org", "Yonhap"]

    feeds.record_failure(db, bbc.id, now=NOW, error="x", max_failing=dt.timedelta(0))
    assert [f.id for f in feeds.list_feeds(db)] == [nk.id, yonhap.id, bbc.id]
    assert [f.id for f in feeds.list_feeds(db, active_only=True)] == [nk.id, yonhap.id]


def test_remove_feed_drops_entries_and_keeps_articles(db: sqlite_utils.Database) -> None:
    feed, _ = feeds.add_feed(db, YONHAP, now=NOW)
    other, _ = feeds.add_feed(db, NK, now=NOW)
    article = add_article(db, "https://en.yna.co.kr/a/1")
    feeds.remember_entries(db, feed.id, [("guid:1", article), ("guid:2", None)], now=NOW)
    feeds.remember_entries(db, other.id, [("guid:1", None)], now=NOW)

    assert feeds.remove_feed(db, feed.id)
    assert not feeds.remove_feed(db, feed.id)
    assert feeds.get_feed(db, feed.id) is None
    assert db.execute("SELECT feed_id FROM feed_entries").fetchall() == [(other.id,)]
    assert db.execute("SELECT id FROM articles").fetchall() == [(article,)]
    # The same url can be followed again, from scratch.
    again, created = feeds.add_feed(db, YONHAP, now=NOW)
    assert created and feeds.known_entry_keys(db, again.id, ["guid:1"]) == set()


def test_update_feed_meta(db: sqlite_utils.Database) -> None:
    yonhap, _ = feeds.add_feed(db, YONHAP, now=NOW)
    nk, _ = feeds.add_feed(db, NK, now=NOW)
    feeds.update_feed_meta(db, yonhap.id, title="Yonhap News Agency", language="ko")
    feeds.update_feed_meta(db, nk.id, title="NK News", language="en")
    y, n = feeds.get_feed(db, yonhap.id), feeds.get_feed(db, nk.id)
    assert y is not None and n is not None
    assert (y.outlet, y.title, y.language) == ("Yonhap", "Yonhap News Agency", "en")
    assert (n.outlet, n.title, n.language, n.name) == (None, "NK News", "en", "NK News")

    feeds.update_feed_meta(db, nk.id, title=None, language=None)  # a poll that learnt nothing
    n = feeds.get_feed(db, nk.id)
    assert n is not None and (n.title, n.language) == ("NK News", "en")


def test_due_feeds_ordering_and_filtering(db: sqlite_utils.Database) -> None:
    a, _ = feeds.add_feed(db, YONHAP, now=NOW)
    b, _ = feeds.add_feed(db, NK, now=NOW - HOUR)
    c, _ = feeds.add_feed(db, BBC, now=NOW + HOUR)  # not due yet at NOW
    d, _ = feeds.add_feed(db, FeedSpec("https://d.example/rss"), now=NOW)
    db.execute("UPDATE feeds SET next_poll_at = NULL WHERE id = ?", [d.id])  # never scheduled
    e, _ = feeds.add_feed(db, FeedSpec("https://e.example/rss"), now=NOW - 2 * HOUR)
    db.execute("UPDATE feeds SET active = 0 WHERE id = ?", [e.id])  # inactive: never due
    db.conn.commit()

    assert [f.id for f in feeds.due_feeds(db, now=NOW)] == [d.id, b.id, a.id]
    assert [f.id for f in feeds.due_feeds(db, now=NOW, limit=2)] == [d.id, b.id]
    assert [f.id for f in feeds.due_feeds(db, now=NOW + HOUR)] == [d.id, b.id, a.id, c.id]
    assert [f.id for f in feeds.due_feeds(db, now=NOW + 100 * HOUR)][-1] == c.id
    assert e.id not in {f.id for f in feeds.due_feeds(db, now=NOW + 100 * HOUR)}

    feeds.record_success(
        db, b.id, now=NOW, interval=HOUR, etag=None, last_modified=None, new_articles=0
    )
    assert [f.id for f in feeds.due_feeds(db, now=NOW)] == [d.id, a.id]


def test_next_poll_jitter_backoff_and_cap() -> None:
    rng = random.Random(7)
    interval = dt.timedelta(minutes=30)
    for errors in range(8):
        base = min(interval * 2**errors, feeds.MAX_BACKOFF)
        for _ in range(200):
            delay = feeds.next_poll(NOW, interval, errors, rng=rng) - NOW
            assert base * (1 - feeds.JITTER) <= delay <= base * (1 + feeds.JITTER)
    # The jitter spreads: not every draw is the same.
    draws = {feeds.next_poll(NOW, interval, 0, rng=rng) for _ in range(20)}
    assert len(draws) > 10

    class Exact(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return 1.0

    exact = Exact()
    assert feeds.next_poll(NOW, interval, 0, rng=exact) == NOW + interval
    assert feeds.next_poll(NOW, interval, 1, rng=exact) == NOW + 2 * interval
    assert feeds.next_poll(NOW, interval, 3, rng=exact) == NOW + 8 * interval
    assert feeds.next_poll(NOW, interval, 6, rng=exact) == NOW + feeds.MAX_BACKOFF  # 32 h > 24 h
    assert feeds.next_poll(NOW, interval, 10_000, rng=exact) == NOW + feeds.MAX_BACKOFF
    # Same seed, same schedule.
    one = [feeds.next_poll(NOW, interval, 2, rng=random.Random(3)) for _ in range(2)]
    assert one[0] == one[1]


def test_record_success_resets_errors(db: sqlite_utils.Database) -> None:
    feed, _ = feeds.add_feed(db, YONHAP, now=NOW)
    week = dt.timedelta(days=7)
    feeds.record_failure(db, feed.id, now=NOW, error="timeout", max_failing=week)
    failing, _ = feeds.record_failure(
        db, feed.id, now=NOW + HOUR, error="timeout", max_failing=week
    )
    assert failing.health == "failing" and failing.error_count == 2

    later = NOW + 2 * HOUR
    ok = feeds.record_success(
        db,
        feed.id,
        now=later,
        interval=HOUR,
        etag='"abc"',
        last_modified="Wed, 11 Mar 2026 09:00:00 GMT",
        new_articles=3,
        rng=random.Random(1),
    )
    assert ok.health == "ok" and ok.error_count == 0 and ok.failing_since is None
    assert ok.last_success_at == later and ok.last_polled_at == later
    assert (ok.etag, ok.last_modified, ok.articles) == ('"abc"', "Wed, 11 Mar 2026 09:00:00 GMT", 3)
    assert ok.next_poll_at is not None
    assert later + 0.8 * HOUR - dt.timedelta(seconds=1) <= ok.next_poll_at <= later + 1.2 * HOUR

    # A server that stops sending validators: stored as sent; articles keep adding up.
    ok = feeds.record_success(
        db, feed.id, now=later, interval=HOUR, etag=None, last_modified=None, new_articles=2
    )
    assert (ok.etag, ok.last_modified, ok.articles) == (None, None, 5)
    with pytest.raises(KeyError):
        feeds.record_success(
            db, 999, now=later, interval=HOUR, etag=None, last_modified=None, new_articles=0
        )


def test_record_failure_backs_off_and_deactivates_once(db: sqlite_utils.Database) -> None:
    feed, _ = feeds.add_feed(db, YONHAP, now=NOW)
    max_failing = dt.timedelta(days=3)
    rng = random.Random(11)
    now = NOW
    times: list[dt.datetime] = []
    delays: list[dt.timedelta] = []
    flags: list[bool] = []
    while now <= NOW + dt.timedelta(days=5):
        got, deactivated = feeds.record_failure(
            db,
            feed.id,
            now=now,
            interval=HOUR,
            error="HTTP 503 " + "x" * 500,
            max_failing=max_failing,
            rng=rng,
        )
        times.append(now)
        flags.append(deactivated)
        assert got.last_error is not None and len(got.last_error) == 300
        assert got.failing_since == NOW and got.last_error_at == now and got.last_polled_at == now
        assert got.next_poll_at is not None
        delays.append(got.next_poll_at - now)
        if got.active:
            assert now - NOW < max_failing
        else:
            assert now - NOW >= max_failing and got.health == "inactive"
        now = got.next_poll_at  # the loop polls when the feed is due next

    assert flags.count(True) == 1 and flags[-1] is False  # told once, not again after
    # ... by the first failure at least max_failing after the first one.
    first_late = next(i for i, t in enumerate(times) if t - NOW >= max_failing)
    assert flags.index(True) == first_late
    assert feeds.get_feed(db, feed.id).deactivated_at is not None  # type: ignore[union-attr]
    # The backoff grows: each delay at least the last one's base (jitter ±20 %).
    for errors, delay in enumerate(delays[:5], start=1):
        base = min(HOUR * 2**errors, feeds.MAX_BACKOFF)
        assert base * 0.8 - dt.timedelta(seconds=1) <= delay <= base * 1.2
    assert max(delays) <= feeds.MAX_BACKOFF * 1.2
    assert not any(f.id == feed.id for f in feeds.due_feeds(db, now=now + 100 * HOUR))

    back = feeds.reactivate(db, feed.id, now=now)
    assert back is not None and back.active and back.error_count == 0
    assert back.next_poll_at == from_iso(to_iso(now))
    assert feeds.reactivate(db, 999, now=now) is None
    # A new run of failures starts its own clock.
    again, deactivated = feeds.record_failure(
        db, feed.id, now=now, error="boom", max_failing=max_failing
    )
    assert again.active and not deactivated and again.failing_since == from_iso(to_iso(now))


def test_record_failure_unknown_feed(db: sqlite_utils.Database) -> None:
    with pytest.raises(KeyError):
        feeds.record_failure(db, 5, now=NOW, error="x", max_failing=HOUR)


def test_known_and_remember_entries_beyond_the_variable_limit(db: sqlite_utils.Database) -> None:
    feed, _ = feeds.add_feed(db, YONHAP, now=NOW)
    other, _ = feeds.add_feed(db, NK, now=NOW)
    article = add_article(db, "https://en.yna.co.kr/a/1")
    keys = [f"guid:{i}" for i in range(2500)]
    entries: list[tuple[str, int | None]] = [(k, None) for k in keys[1:2000]]
    assert feeds.remember_entries(db, feed.id, [(keys[0], article), *entries], now=NOW) == 2000
    assert feeds.remember_entries(db, feed.id, [(keys[0], None), ("guid:new", None)], now=NOW) == 1
    assert feeds.remember_entries(db, feed.id, [], now=NOW) == 0

    assert feeds.known_entry_keys(db, feed.id, keys) == set(keys[:2000])
    assert feeds.known_entry_keys(db, feed.id, iter(keys[1990:2010])) == set(keys[1990:2000])
    assert feeds.known_entry_keys(db, other.id, keys) == set()  # per feed
    assert feeds.known_entry_keys(db, feed.id, []) == set()
    # A key already known keeps its first article.
    row = db.execute(
        "SELECT article_id FROM feed_entries WHERE feed_id = ? AND key = ?", [feed.id, keys[0]]
    ).fetchone()
    assert row == (article,)


def test_writes_join_a_callers_transaction(db: sqlite_utils.Database) -> None:
    feed, _ = feeds.add_feed(db, YONHAP, now=NOW)
    with pytest.raises(RuntimeError), db.atomic():
        feeds.remember_entries(db, feed.id, [("guid:1", None)], now=NOW)
        feeds.record_success(
            db, feed.id, now=NOW, interval=HOUR, etag="e", last_modified=None, new_articles=1
        )
        raise RuntimeError("the poll failed half way")
    assert feeds.known_entry_keys(db, feed.id, ["guid:1"]) == set()
    assert feeds.get_feed(db, feed.id) == feed


def test_seed_default_feeds_once_per_database(db: sqlite_utils.Database) -> None:
    specs = [YONHAP, NK, BBC]
    assert feeds.seed_default_feeds(db, specs, now=NOW) == 3
    assert feeds.seed_default_feeds(db, specs, now=NOW + HOUR) == 0
    yonhap = feeds.get_feed(db, YONHAP.url)
    assert yonhap is not None and yonhap.outlet == "Yonhap"
    feeds.remove_feed(db, yonhap.id)
    assert feeds.seed_default_feeds(db, specs, now=NOW + 2 * HOUR) == 0
    assert feeds.get_feed(db, YONHAP.url) is None  # removed stays removed
    assert len(feeds.list_feeds(db)) == 2


def test_seed_default_feeds_counts_only_new(db: sqlite_utils.Database) -> None:
    feeds.add_feed(db, NK, now=NOW)  # the admin added one before the defaults came
    assert feeds.seed_default_feeds(db, [YONHAP, NK], now=NOW) == 1
    assert len(feeds.list_feeds(db)) == 2


def test_feed_health_counts(db: sqlite_utils.Database) -> None:
    assert feeds.feed_health_counts(db) == {"ok": 0, "failing": 0, "inactive": 0, "new": 0}
    ok, _ = feeds.add_feed(db, YONHAP, now=NOW)
    failing, _ = feeds.add_feed(db, NK, now=NOW)
    dead, _ = feeds.add_feed(db, BBC, now=NOW)
    feeds.add_feed(db, FeedSpec("https://new.example/rss"), now=NOW)
    feeds.record_success(
        db, ok.id, now=NOW, interval=HOUR, etag=None, last_modified=None, new_articles=1
    )
    feeds.record_failure(db, failing.id, now=NOW, error="x", max_failing=HOUR)
    feeds.record_failure(db, dead.id, now=NOW, error="x", max_failing=dt.timedelta(0))
    counts = feeds.feed_health_counts(db)
    assert counts == {"ok": 1, "failing": 1, "inactive": 1, "new": 1}
    assert counts == {
        h: sum(f.health == h for f in feeds.list_feeds(db))
        for h in ("ok", "failing", "inactive", "new")
    }


def test_each_switch_off_is_told_once(db: sqlite_utils.Database) -> None:
    feed, _ = feeds.add_feed(db, FeedSpec("https://example.org/rss"), now=NOW)
    week = dt.timedelta(days=7)

    def fail_for_a_week(start: dt.datetime) -> None:
        for days in (0, 8):
            feeds.record_failure(
                db, feed.id, now=start + dt.timedelta(days=days), error="HTTP 500", max_failing=week
            )

    assert feeds.untold_switch_offs(db) == []
    fail_for_a_week(NOW)
    assert [f.id for f in feeds.untold_switch_offs(db)] == [feed.id]
    feeds.mark_told(db, feed.id)
    assert feeds.untold_switch_offs(db) == []
    # Added again by an admin, failing again: a new switch-off, told again.
    feeds.add_feed(db, FeedSpec("https://example.org/rss"), now=NOW + dt.timedelta(days=20))
    assert feeds.untold_switch_offs(db) == []
    fail_for_a_week(NOW + dt.timedelta(days=21))
    assert [f.id for f in feeds.untold_switch_offs(db)] == [feed.id]
