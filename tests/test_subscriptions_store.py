"""The subscription store: chats, subscriptions, the exactly-once delivery ledger, alerts."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from bot.store import open_db
from bot.store import subscriptions as subs

NOW = dt.datetime(2026, 3, 11, 7, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 11)
PRIVATE, GROUP, SUPERGROUP = 1001, -2002, -1003003


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "subs.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite_utils.Database]:
    database = open_db(db_path)
    yield database
    database.conn.close()


def brief(db: sqlite_utils.Database, chat: int = PRIVATE, **kw: object) -> subs.Subscription:
    subs.upsert_chat(db, chat, "private" if chat > 0 else "group", now=NOW)
    fields: dict[str, object] = {"kind": "brief", "key": "dprk", "query": "dprk", "now": NOW}
    fields.update(kw)
    sub, _ = subs.subscribe(db, chat, **fields)  # type: ignore[arg-type]
    return sub


# ----------------------------------------------------------------------------- schema & chats


def test_migration_creates_the_tables(db: sqlite_utils.Database) -> None:
    names = set(db.table_names())
    assert {"chats", "subscriptions", "deliveries", "alerts"} <= names


def test_upsert_chat_and_timezone(db: sqlite_utils.Database) -> None:
    chat = subs.upsert_chat(db, GROUP, "group", "Team", now=NOW)
    assert (chat.type, chat.title, chat.timezone, chat.active) == ("group", "Team", "UTC", True)
    subs.upsert_chat(db, GROUP, "group", None, now=NOW)  # no title given: keeps the old one
    assert subs.get_chat(db, GROUP).title == "Team"  # type: ignore[union-attr]
    chat = subs.set_timezone(db, GROUP, "Asia/Seoul", now=NOW)
    assert chat.timezone == "Asia/Seoul"
    with pytest.raises(ValueError):
        subs.set_timezone(db, GROUP, "Mars/Base", now=NOW)
    with pytest.raises(KeyError):
        subs.set_timezone(db, 999, "UTC", now=NOW)


# ----------------------------------------------------------------------------- subscriptions


def test_subscribe_returns_the_existing_one(db: sqlite_utils.Database) -> None:
    subs.upsert_chat(db, PRIVATE, "private", now=NOW)
    first, outcome = subs.subscribe(db, PRIVATE, kind="brief", key="dprk", query="dprk", now=NOW)
    assert outcome == "created" and first.local_time == "08:00" and first.timezone is None
    assert first.effective_timezone == "UTC" and not first.quiet
    again, outcome = subs.subscribe(
        db, PRIVATE, kind="brief", key="dprk", query="north korea", now=NOW
    )
    assert outcome == "unchanged" and again.id == first.id
    moved, outcome = subs.subscribe(
        db,
        PRIVATE,
        kind="brief",
        key="dprk",
        query="dprk",
        now=NOW,
        local_time="09:30",
        timezone="Asia/Seoul",
        quiet=True,
    )
    assert outcome == "updated" and moved.id == first.id
    assert (moved.local_time, moved.timezone, moved.quiet) == ("09:30", "Asia/Seoul", True)
    # Saying nothing about the time keeps it.
    kept, outcome = subs.subscribe(db, PRIVATE, kind="brief", key="dprk", query="dprk", now=NOW)
    assert outcome == "unchanged" and kept.local_time == "09:30" and kept.quiet
    assert len(subs.list_for_chat(db, PRIVATE)) == 1


def test_threads_kinds_and_chats_are_separate(db: sqlite_utils.Database) -> None:
    subs.upsert_chat(db, SUPERGROUP, "supergroup", now=NOW)
    main = brief(db, SUPERGROUP)
    in_thread = brief(db, SUPERGROUP, thread_id=7)
    status, _ = subs.subscribe(
        db, SUPERGROUP, kind="status", key="dprk", query="dprk", now=NOW, local_time="08:00"
    )
    other = brief(db, PRIVATE)
    assert len({main.id, in_thread.id, status.id, other.id}) == 4
    assert in_thread.thread_id == 7 and main.thread_id is None
    assert status.local_time is None  # alerts have no time
    assert len(subs.list_for_chat(db, SUPERGROUP)) == 3
    assert [s.id for s in subs.list_for_chat(db, SUPERGROUP, 7, all_threads=False)] == [
        in_thread.id
    ]


def test_the_unique_index_holds_among_active_ones(db: sqlite_utils.Database) -> None:
    sub = brief(db)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO subscriptions (chat_id, kind, key, query, local_time, created_at)"
            " VALUES (?, 'brief', 'dprk', 'x', '08:00', 'now')",
            [PRIVATE],
        )
    db.conn.rollback()
    subs.unsubscribe(db, PRIVATE, subscription_id=sub.id)
    again = brief(db)  # the ended one stays as history; a new one can be made
    assert again.id != sub.id


def test_unsubscribe_scopes(db: sqlite_utils.Database) -> None:
    subs.upsert_chat(db, SUPERGROUP, "supergroup", now=NOW)
    a = brief(db, SUPERGROUP)
    b = brief(db, SUPERGROUP, key="china", query="china")
    c = brief(db, SUPERGROUP, thread_id=7)
    gone = subs.unsubscribe(db, SUPERGROUP, 7)  # the thread's only
    assert [s.id for s in gone] == [c.id] and not gone[0].active
    gone = subs.unsubscribe(db, SUPERGROUP, kind="brief", key="china")
    assert [s.id for s in gone] == [b.id]
    assert subs.unsubscribe(db, SUPERGROUP, key="china") == []
    c2 = brief(db, SUPERGROUP, thread_id=7)
    gone = subs.unsubscribe(db, SUPERGROUP, all_threads=True)
    assert {s.id for s in gone} == {a.id, c2.id}
    assert subs.list_for_chat(db, SUPERGROUP) == []


def test_active_lists_skip_inactive_chats(db: sqlite_utils.Database) -> None:
    mine = brief(db, PRIVATE)
    theirs = brief(db, GROUP)
    status, _ = subs.subscribe(
        db, GROUP, kind="status", key="beijing-pyongyang", query="x", now=NOW
    )
    assert {s.id for s in subs.active_briefs(db)} == {mine.id, theirs.id}
    assert [s.id for s in subs.active_status_subscriptions(db)] == [status.id]
    assert subs.active_status_subscriptions(db, "other") == []
    assert subs.deactivate_chat(db, GROUP, now=NOW) is True
    assert subs.deactivate_chat(db, GROUP, now=NOW) is False
    assert [s.id for s in subs.active_briefs(db)] == [mine.id]
    assert subs.active_status_subscriptions(db) == []
    # The subscriptions are kept: when the chat is heard from again, they resume.
    assert len(subs.list_for_chat(db, GROUP)) == 2
    subs.upsert_chat(db, GROUP, "group", now=NOW)
    assert {s.id for s in subs.active_briefs(db)} == {mine.id, theirs.id}


def test_active_briefs_carry_the_chat_timezone(db: sqlite_utils.Database) -> None:
    brief(db, PRIVATE)
    own = brief(db, PRIVATE, key="china", query="china", timezone="America/New_York")
    subs.set_timezone(db, PRIVATE, "Asia/Seoul", now=NOW)
    zones = {s.key: s.effective_timezone for s in subs.active_briefs(db)}
    assert zones == {"dprk": "Asia/Seoul", "china": "America/New_York"}
    assert own.timezone == "America/New_York"


def test_subscribe_checks_its_input(db: sqlite_utils.Database) -> None:
    subs.upsert_chat(db, PRIVATE, "private", now=NOW)
    for bad in ({"local_time": "8am"}, {"local_time": "25:00"}, {"timezone": "Nowhere/City"}):
        with pytest.raises(ValueError):
            subs.subscribe(db, PRIVATE, kind="brief", key="k", query="k", now=NOW, **bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        subs.subscribe(db, PRIVATE, kind="weekly", key="k", query="k", now=NOW)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):  # the chat must be recorded first
        subs.subscribe(db, 4242, kind="brief", key="k", query="k", now=NOW)


# ----------------------------------------------------------------------------- deliveries


def test_claim_then_mark_sent_is_exactly_once(db: sqlite_utils.Database) -> None:
    sub = brief(db)
    claim = subs.claim_delivery(db, sub.id, TODAY, now=NOW)
    assert claim is not None and claim.attempt == 1
    # Repeated claims while it is held, and after it is sent, all get nothing.
    for minutes in (0, 1, 5):
        later = NOW + dt.timedelta(minutes=minutes)
        assert subs.claim_delivery(db, sub.id, TODAY, now=later) is None
    assert subs.mark_sent(db, claim, now=NOW, article_ids=[3, 1, 3]) is True
    assert subs.mark_sent(db, claim, now=NOW) is False  # already recorded
    for hours in (0, 1, 12):  # a second start the same day, long after any lease
        assert subs.claim_delivery(db, sub.id, TODAY, now=NOW + dt.timedelta(hours=hours)) is None
    row = subs.get_delivery(db, sub.id, TODAY)
    assert row is not None and row.status == "sent" and row.attempts == 1
    assert row.article_ids == [1, 3] and row.sent_at == NOW
    # The next day is a new key.
    assert subs.claim_delivery(db, sub.id, TODAY + dt.timedelta(days=1), now=NOW) is not None


def test_concurrent_claims_give_one_winner(db_path: Path) -> None:
    setup = open_db(db_path)
    sub = brief(setup)
    setup.conn.close()
    barrier = threading.Barrier(8)
    won: list[object] = []

    def race() -> None:
        conn = open_db(db_path, migrate=False)
        try:
            barrier.wait()
            claim = subs.claim_delivery(conn, sub.id, TODAY, now=NOW)
            if claim is not None:
                won.append(claim)
        finally:
            conn.conn.close()

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1


def test_an_abandoned_claim_is_reclaimed_after_its_lease(db: sqlite_utils.Database) -> None:
    sub = brief(db)
    crashed = subs.claim_delivery(db, sub.id, TODAY, now=NOW)
    assert crashed is not None
    # The process died mid-fan-out. Within the lease nobody may take it...
    almost = NOW + subs.LEASE - dt.timedelta(seconds=1)
    assert subs.claim_delivery(db, sub.id, TODAY, now=almost) is None
    # ...after it, the next run does, so the brief is not skipped.
    later = NOW + subs.LEASE
    retaken = subs.claim_delivery(db, sub.id, TODAY, now=later)
    assert retaken is not None and retaken.attempt == 2 and retaken.claimed_at == later
    # The first holder's late failure report is fenced off; the new holder's send counts.
    assert subs.mark_failed(db, crashed, "late") is False
    assert subs.mark_skipped(db, crashed, "late") is False
    assert subs.mark_sent(db, retaken, now=later) is True
    assert subs.claim_delivery(db, sub.id, TODAY, now=later + dt.timedelta(hours=1)) is None


def test_failed_deliveries_are_retried_later_the_same_day(db: sqlite_utils.Database) -> None:
    sub = brief(db)
    claim = subs.claim_delivery(db, sub.id, TODAY, now=NOW)
    assert claim is not None
    retry_at = NOW + dt.timedelta(minutes=2)
    assert subs.mark_failed(db, claim, "RetryAfter 90", retry_at=retry_at) is True
    row = subs.get_delivery(db, sub.id, TODAY)
    assert row is not None and row.status == "failed" and row.last_error == "RetryAfter 90"
    assert subs.claim_delivery(db, sub.id, TODAY, now=NOW + dt.timedelta(minutes=1)) is None
    again = subs.claim_delivery(db, sub.id, TODAY, now=retry_at)
    assert again is not None and again.attempt == 2
    assert subs.mark_sent(db, again, now=retry_at) is True


def test_attempts_are_bounded(db: sqlite_utils.Database) -> None:
    sub = brief(db)
    for attempt in range(1, 4):
        claim = subs.claim_delivery(db, sub.id, TODAY, now=NOW, max_attempts=3)
        assert claim is not None and claim.attempt == attempt
        subs.mark_failed(db, claim, "500")
    assert subs.claim_delivery(db, sub.id, TODAY, now=NOW, max_attempts=3) is None


def test_skipped_counts_as_done(db: sqlite_utils.Database) -> None:
    quiet = brief(db, quiet=True)
    other = brief(db, key="china", query="china")
    claim = subs.claim_delivery(db, quiet.id, TODAY, now=NOW)
    assert claim is not None and subs.mark_skipped(db, claim, "nothing new") is True
    assert subs.claim_delivery(db, quiet.id, TODAY, now=NOW + dt.timedelta(hours=2)) is None
    yesterday = TODAY - dt.timedelta(days=1)
    done = subs.claim_delivery(db, other.id, yesterday, now=NOW)
    assert done is not None
    subs.mark_sent(db, done, now=NOW)
    failed = subs.claim_delivery(db, other.id, TODAY, now=NOW)
    assert failed is not None
    subs.mark_failed(db, failed, "timeout")
    assert subs.last_done_dates(db) == {quiet.id: TODAY, other.id: yesterday}
    assert subs.last_done_dates(db, [other.id]) == {other.id: yesterday}
    assert subs.last_done_dates(db, []) == {}


def test_last_sent_articles(db: sqlite_utils.Database) -> None:
    sub = brief(db)
    assert subs.last_sent_articles(db, subscription_id=sub.id) == subs.SentBefore(None, frozenset())
    for day, ids in ((9, [1, 2]), (10, [2, 3])):
        when = dt.datetime(2026, 3, day, 7, 0, tzinfo=dt.UTC)
        claim = subs.claim_delivery(db, sub.id, dt.date(2026, 3, day), now=when)
        assert claim is not None
        subs.mark_sent(db, claim, now=when, article_ids=ids)
    last = subs.last_sent_articles(db, subscription_id=sub.id)
    assert last.at == dt.datetime(2026, 3, 10, 7, 0, tzinfo=dt.UTC)
    assert last.article_ids == {2, 3}
    week = subs.last_sent_articles(db, subscription_id=sub.id, since=NOW - dt.timedelta(days=7))
    assert week.article_ids == {1, 2, 3}
    # By chat: a chat that re-subscribed still counts what it was sent before.
    subs.unsubscribe(db, PRIVATE, all_threads=True)
    brief(db)
    assert subs.last_sent_articles(db, chat_id=PRIVATE, key="dprk").article_ids == {2, 3}
    assert subs.last_sent_articles(db, chat_id=PRIVATE, key="china").at is None
    with pytest.raises(ValueError):
        subs.last_sent_articles(db)


# ----------------------------------------------------------------------------- chat changes


def test_migrate_chat(db: sqlite_utils.Database) -> None:
    subs.upsert_chat(db, GROUP, "group", "Team", now=NOW)
    subs.set_timezone(db, GROUP, "Europe/Berlin", now=NOW)
    moved_brief = brief(db, GROUP)
    status, _ = subs.subscribe(
        db, GROUP, kind="status", key="beijing-pyongyang", query="bp", now=NOW
    )
    claim = subs.claim_delivery(db, moved_brief.id, TODAY, now=NOW)
    assert claim is not None
    subs.mark_sent(db, claim, now=NOW)

    moved = subs.migrate_chat(db, GROUP, SUPERGROUP, now=NOW)
    assert {s.id for s in moved} == {moved_brief.id, status.id}
    assert all(s.chat_id == SUPERGROUP for s in moved)
    new = subs.get_chat(db, SUPERGROUP)
    assert new is not None and new.type == "supergroup" and new.timezone == "Europe/Berlin"
    assert new.title == "Team" and new.active
    old = subs.get_chat(db, GROUP)
    assert old is not None and not old.active and old.migrated_to == SUPERGROUP
    assert subs.list_for_chat(db, GROUP) == []
    assert {s.chat_id for s in subs.active_briefs(db)} == {SUPERGROUP}
    # Today's brief went out before the move: the same subscription id is still done today.
    assert subs.claim_delivery(db, moved_brief.id, TODAY, now=NOW) is None
    # A late message from the old id does not bring it back.
    subs.upsert_chat(db, GROUP, "group", now=NOW)
    assert not subs.get_chat(db, GROUP).active  # type: ignore[union-attr]
    assert subs.migrate_chat(db, 12345, 67890, now=NOW) == []


def test_migrate_chat_into_a_chat_that_has_the_same_subscription(
    db: sqlite_utils.Database,
) -> None:
    old = brief(db, GROUP)
    extra = brief(db, GROUP, key="china", query="china")
    subs.upsert_chat(db, SUPERGROUP, "supergroup", now=NOW)
    subs.set_timezone(db, SUPERGROUP, "Asia/Seoul", now=NOW)
    existing = brief(db, SUPERGROUP)
    moved = subs.migrate_chat(db, GROUP, SUPERGROUP, now=NOW)
    assert [s.id for s in moved] == [extra.id]
    ids = {s.id for s in subs.list_for_chat(db, SUPERGROUP)}
    assert ids == {existing.id, extra.id} and old.id not in ids
    assert subs.get_chat(db, SUPERGROUP).timezone == "Asia/Seoul"  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- alerts


def test_alerts_are_sent_once_per_change(db: sqlite_utils.Database) -> None:
    sub = brief(db)
    status, _ = subs.subscribe(db, PRIVATE, kind="status", key="bp", query="bp", now=NOW)
    change = "state:operating:2026-03-12"
    assert subs.record_alert(db, status.id, change, now=NOW) is True
    assert subs.record_alert(db, status.id, change, now=NOW) is False  # being sent
    subs.mark_alert_sent(db, status.id, change, now=NOW)
    # Later articles repeating the change, days later: never again.
    assert subs.record_alert(db, status.id, change, now=NOW + dt.timedelta(days=3)) is False
    # Another change, or the same change for another subscription, is another alert.
    assert subs.record_alert(db, status.id, "upcoming:suspended:2026-04-01", now=NOW) is True
    assert subs.record_alert(db, sub.id, change, now=NOW) is True


def test_a_failed_or_abandoned_alert_is_retried(db: sqlite_utils.Database) -> None:
    status, _ = subs.subscribe(
        db,
        subs.upsert_chat(db, PRIVATE, "private", now=NOW).id,
        kind="status",
        key="bp",
        query="bp",
        now=NOW,
    )
    assert subs.record_alert(db, status.id, "c1", now=NOW)
    subs.release_alert(db, status.id, "c1")  # a transient failure
    assert subs.record_alert(db, status.id, "c1", now=NOW)
    # The holder crashed: after the lease the claim can be taken over.
    assert not subs.record_alert(db, status.id, "c1", now=NOW + dt.timedelta(minutes=1))
    assert subs.record_alert(db, status.id, "c1", now=NOW + subs.LEASE)
    subs.mark_alert_sent(db, status.id, "c1", now=NOW + subs.LEASE)
    subs.release_alert(db, status.id, "c1")  # a sent alert is never released
    assert not subs.record_alert(db, status.id, "c1", now=NOW + 2 * subs.LEASE)
