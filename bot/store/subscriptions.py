"""Chats, subscriptions, the delivery ledger and status alerts (tables from migration m007).

Delivery protocol (what the Telegram delivery layer is expected to do, and why it is safe)
-----------------------------------------------------------------------------------------
A daily brief is keyed (subscription id, local date): the date in the subscription's timezone on
which its local time falls (bot.briefing.schedule.local_date). The ledger row for that key moves

    (none) --claim--> claimed --mark_sent--> sent          (done for the day)
                         |  \\--mark_skipped--> skipped    (done: quiet and nothing new, or the
                         |                                  topic no longer resolves)
                         \\--mark_failed--> failed --claim (again, after retry_at)--> claimed ...

One run of the scheduler (a JobQueue tick every minute, and once at start-up):

1. `briefs = active_briefs(db)`; `done = last_done_dates(db)`. For each subscription,
   `schedule.due(sub, now, done.get(sub.id))` says whether today's brief is due (its time has
   passed today, or was missed while the bot was down and it is still the same local day).
2. For each due one, `claim = claim_delivery(db, sub.id, local_date, now=now)`. The claim is one
   statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE), so of two processes, two threads or a
   restart racing for the same key exactly one gets a Claim; the others get None and send
   nothing. A row already 'sent' or 'skipped' is never claimed again, so a second start the
   same day sends nothing twice.
3. Group the claims by (topic key, window) and render each brief once, shared by every
   subscriber of it (the window is "since the last delivered brief": `last_sent_articles`
   gives its time and the article ids already sent, for the brief's novelty ranking).
4. Send, then immediately `mark_sent(claim, article_ids=...)`. On a transient failure (RetryAfter
   past the day's budget, 5xx, timeout) `mark_failed(claim, error, retry_at=...)`: the next run
   after retry_at claims it again (up to MAX_ATTEMPTS). On Forbidden or "chat not found"
   `deactivate_chat`; on ChatMigrated `migrate_chat(old, new)` and send again to the new id.
5. A process that dies between claim and mark leaves a 'claimed' row. After LEASE it counts as
   abandoned and the next run re-claims it: nothing is skipped. The lease must be longer than
   any one send takes (rate limiter waits included), because a claim that is re-claimed while
   its first holder is still sending is the one case that can send twice; mark_failed and
   mark_skipped from a holder whose claim was taken over are ignored (`attempt` fences them),
   while mark_sent always records a send that happened.

Status alerts use `alerts`: `record_alert(sub, change_key)` claims "this change, to this
subscription" (False when it was already sent, or is being sent), `mark_alert_sent` after the
send, `release_alert` after a transient failure so the next evaluation retries it. A change key
is a stable fingerprint of the change (e.g. "state:operating:2026-03-12"), so later articles
repeating the same change never alert again.

Every function here takes `now=`; nothing reads the clock. Times are stored as ISO-8601 UTC text.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlite_utils

from bot.models import Chat, Delivery, Subscription, SubscriptionKind
from bot.store.db import from_iso, to_iso, write_transaction

# A claim older than this is taken to be abandoned (its process died mid-fan-out).
LEASE = dt.timedelta(minutes=10)
# Claims of one (subscription, day) after which a failing brief is given up for that day.
MAX_ATTEMPTS = 5
DEFAULT_TIME = "08:00"
DEFAULT_TIMEZONE = "UTC"

SubscribeOutcome = Literal["created", "updated", "unchanged"]

_SUBSCRIPTION_SELECT = (
    "SELECT s.*, c.timezone AS chat_timezone, c.type AS chat_type, c.active AS chat_active"
    " FROM subscriptions s JOIN chats c ON c.id = s.chat_id"
)


@dataclass(frozen=True)
class Claim:
    """The right to send one subscription's brief for one local date (see the docstring).

    `attempt` is the row's attempt count when claimed; it fences late reports from a holder
    whose claim expired and was taken over.
    """

    subscription_id: int
    local_date: dt.date
    attempt: int
    claimed_at: dt.datetime


@dataclass(frozen=True)
class SentBefore:
    """What earlier briefs sent: when the last one went out, and the articles they cited."""

    at: dt.datetime | None
    article_ids: frozenset[int]


# ----------------------------------------------------------------------------- transactions


# ----------------------------------------------------------------------------- chats


def upsert_chat(
    db: sqlite_utils.Database,
    chat_id: int,
    chat_type: str,
    title: str | None = None,
    *,
    now: dt.datetime,
) -> Chat:
    """Record that the bot talks to this chat (and that it is reachable again, if it was not).

    A chat that migrated to a supergroup stays inactive: its messages now come from the new id.
    """
    with write_transaction(db) as conn:
        conn.execute(
            "INSERT INTO chats (id, type, title, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET type = excluded.type,"
            " title = coalesce(excluded.title, chats.title),"
            " active = CASE WHEN chats.migrated_to IS NULL THEN 1 ELSE 0 END,"
            " updated_at = excluded.updated_at",
            [chat_id, chat_type, title, to_iso(now)],
        )
    chat = get_chat(db, chat_id)
    assert chat is not None
    return chat


def get_chat(db: sqlite_utils.Database, chat_id: int) -> Chat | None:
    row = db.execute("SELECT * FROM chats WHERE id = ?", [chat_id]).fetchone()
    if row is None:
        return None
    cols = ("id", "type", "title", "timezone", "active", "updated_at", "migrated_to")
    d = dict(zip(cols, row, strict=True))
    return Chat(
        id=d["id"],
        type=d["type"],
        title=d["title"],
        timezone=d["timezone"],
        active=bool(d["active"]),
        updated_at=from_iso(d["updated_at"]),
        migrated_to=d["migrated_to"],
    )


def set_timezone(
    db: sqlite_utils.Database, chat_id: int, timezone: str, *, now: dt.datetime
) -> Chat:
    """Set the chat's timezone (subscriptions without their own follow it from the next day).

    `timezone` must be an IANA name zoneinfo knows (resolve user text with
    bot.briefing.schedule.resolve_timezone first); the chat must exist (upsert_chat).
    """
    _check_zone(timezone)
    with write_transaction(db) as conn:
        cur = conn.execute(
            "UPDATE chats SET timezone = ?, updated_at = ? WHERE id = ?",
            [timezone, to_iso(now), chat_id],
        )
        if cur.rowcount == 0:
            raise KeyError(f"unknown chat {chat_id}")
    chat = get_chat(db, chat_id)
    assert chat is not None
    return chat


def deactivate_chat(db: sqlite_utils.Database, chat_id: int, *, now: dt.datetime) -> bool:
    """The bot can no longer write here (blocked, kicked, chat not found): stop delivering.

    Only the chat is marked; its subscriptions are kept, so that a user who unblocks the bot or
    a group that adds it back (upsert_chat) gets them again without re-subscribing. Returns
    whether the chat was active.
    """
    with write_transaction(db) as conn:
        cur = conn.execute(
            "UPDATE chats SET active = 0, updated_at = ? WHERE id = ? AND active = 1",
            [to_iso(now), chat_id],
        )
    return cur.rowcount > 0


def migrate_chat(
    db: sqlite_utils.Database, old_id: int, new_id: int, *, now: dt.datetime
) -> list[Subscription]:
    """A group became a supergroup (ChatMigrated): move its subscriptions to the new id.

    The new chat takes the old one's timezone unless it already has one of its own; a
    subscription the new chat already has (same thread, kind and key) wins and the old one is
    retired. Deliveries and alerts follow their subscription ids, so nothing already sent today
    is sent again. The old row stays, inactive, with `migrated_to` set. Returns the moved
    subscriptions (active ones), now under `new_id`.
    """
    if old_id == new_id:
        return []
    stamp = to_iso(now)
    with write_transaction(db) as conn:
        old = conn.execute(
            "SELECT type, title, timezone FROM chats WHERE id = ?", [old_id]
        ).fetchone()
        if old is None:
            return []
        _old_type, title, timezone = old
        conn.execute(
            "INSERT INTO chats (id, type, title, timezone, updated_at)"
            " VALUES (?, 'supergroup', ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET active = 1, updated_at = excluded.updated_at,"
            " title = coalesce(chats.title, excluded.title),"
            " timezone = CASE WHEN chats.timezone = 'UTC' THEN excluded.timezone"
            " ELSE chats.timezone END",
            [new_id, title, timezone, stamp],
        )
        # Retire the old chat's subscriptions the new chat already has (active on both sides).
        conn.execute(
            "UPDATE subscriptions SET active = 0 WHERE chat_id = ? AND active = 1 AND EXISTS ("
            " SELECT 1 FROM subscriptions n WHERE n.chat_id = ? AND n.active = 1"
            " AND ifnull(n.thread_id, 0) = ifnull(subscriptions.thread_id, 0)"
            " AND n.kind = subscriptions.kind AND n.key = subscriptions.key)",
            [old_id, new_id],
        )
        moved = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM subscriptions WHERE chat_id = ? AND active = 1", [old_id]
            )
        ]
        conn.execute("UPDATE subscriptions SET chat_id = ? WHERE chat_id = ?", [new_id, old_id])
        conn.execute(
            "UPDATE chats SET active = 0, migrated_to = ?, updated_at = ? WHERE id = ?",
            [new_id, stamp, old_id],
        )
    return [s for s in (get_subscription(db, i) for i in moved) if s is not None]


# ----------------------------------------------------------------------------- subscriptions


def subscribe(
    db: sqlite_utils.Database,
    chat_id: int,
    *,
    kind: SubscriptionKind,
    key: str,
    query: str,
    now: dt.datetime,
    thread_id: int | None = None,
    local_time: str | None = None,
    timezone: str | None = None,
    quiet: bool | None = None,
    created_by: int | None = None,
) -> tuple[Subscription, SubscribeOutcome]:
    """Subscribe a chat (thread) to a topic's daily brief or a situation's alerts.

    The same (chat, thread, kind, key) already active is returned as it is ('unchanged'), or
    with the time, timezone and quiet flag given ('updated': "/subscribe dprk 09:00" moves the
    brief). What is not given (None) is kept, or for a new subscription defaults: DEFAULT_TIME,
    the chat's timezone, not quiet. Status subscriptions have no time. The chat must exist
    (upsert_chat).
    """
    if kind not in ("brief", "status"):
        raise ValueError(f"unknown subscription kind {kind!r}")
    if local_time is not None:
        _check_time(local_time)
    if timezone is not None:
        _check_zone(timezone)
    with write_transaction(db) as conn:
        row = conn.execute(
            "SELECT id, local_time, timezone, quiet FROM subscriptions WHERE chat_id = ?"
            " AND ifnull(thread_id, 0) = ifnull(?, 0) AND kind = ? AND key = ? AND active = 1",
            [chat_id, thread_id, kind, key],
        ).fetchone()
        if row is not None:
            local_time = local_time or row[1]
            timezone = timezone or row[2]
            quiet = bool(row[3]) if quiet is None else quiet
        local_time = (local_time or DEFAULT_TIME) if kind == "brief" else None
        quiet = bool(quiet)
        if row is None:
            cur = conn.execute(
                "INSERT INTO subscriptions (chat_id, thread_id, kind, key, query, local_time,"
                " timezone, quiet, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    chat_id,
                    thread_id,
                    kind,
                    key,
                    query,
                    local_time,
                    timezone,
                    int(quiet),
                    to_iso(now),
                    created_by,
                ],
            )
            sub_id, outcome = int(cur.lastrowid or 0), "created"
        else:
            sub_id = row[0]
            if (row[1], row[2], bool(row[3])) == (local_time, timezone, quiet):
                outcome = "unchanged"
            else:
                conn.execute(
                    "UPDATE subscriptions SET local_time = ?, timezone = ?, quiet = ?, query = ?"
                    " WHERE id = ?",
                    [local_time, timezone, int(quiet), query, sub_id],
                )
                outcome = "updated"
    sub = get_subscription(db, sub_id)
    assert sub is not None
    return sub, outcome  # type: ignore[return-value]


def unsubscribe(
    db: sqlite_utils.Database,
    chat_id: int,
    thread_id: int | None = None,
    *,
    all_threads: bool = False,
    kind: SubscriptionKind | None = None,
    key: str | None = None,
    subscription_id: int | None = None,
) -> list[Subscription]:
    """End active subscriptions of a chat; returns those ended (as they were).

    Narrowed to one thread (None: the main chat) unless `all_threads`, and by kind, key or id
    when given; with none of those it ends every one in scope ("/unsubscribe all"). History
    (deliveries, alerts) stays.
    """
    where = ["s.chat_id = ?", "s.active = 1"]
    params: list[Any] = [chat_id]
    if not all_threads:
        where.append("ifnull(s.thread_id, 0) = ifnull(?, 0)")
        params.append(thread_id)
    if kind is not None:
        where.append("s.kind = ?")
        params.append(kind)
    if key is not None:
        where.append("s.key = ?")
        params.append(key)
    if subscription_id is not None:
        where.append("s.id = ?")
        params.append(subscription_id)
    with write_transaction(db) as conn:
        found = _subscriptions(conn, " AND ".join(where), params)
        if found:
            marks = ",".join("?" * len(found))
            conn.execute(
                f"UPDATE subscriptions SET active = 0 WHERE id IN ({marks})",
                [s.id for s in found],
            )
    for sub in found:
        sub.active = False
    return found


def get_subscription(db: sqlite_utils.Database, subscription_id: int) -> Subscription | None:
    found = _subscriptions(db.conn, "s.id = ?", [subscription_id])
    return found[0] if found else None


def list_for_chat(
    db: sqlite_utils.Database,
    chat_id: int,
    thread_id: int | None = None,
    *,
    all_threads: bool = True,
) -> list[Subscription]:
    """A chat's active subscriptions (all threads by default), briefs first, then by time."""
    where, params = "s.chat_id = ? AND s.active = 1", [chat_id]
    if not all_threads:
        where += " AND ifnull(s.thread_id, 0) = ifnull(?, 0)"
        params.append(thread_id)
    return _subscriptions(db.conn, where, params)


def active_briefs(db: sqlite_utils.Database) -> list[Subscription]:
    """Every brief to schedule: active subscriptions in chats the bot can still reach."""
    return _subscriptions(db.conn, "s.kind = 'brief' AND s.active = 1 AND c.active = 1", [])


def active_status_subscriptions(
    db: sqlite_utils.Database, key: str | None = None
) -> list[Subscription]:
    """Status subscriptions to alert (of one situation when `key` is given), reachable chats."""
    where, params = "s.kind = 'status' AND s.active = 1 AND c.active = 1", []
    if key is not None:
        where += " AND s.key = ?"
        params.append(key)
    return _subscriptions(db.conn, where, params)


def _subscriptions(conn: sqlite3.Connection, where: str, params: list[Any]) -> list[Subscription]:
    cur = conn.execute(
        f"{_SUBSCRIPTION_SELECT} WHERE {where}"
        " ORDER BY s.kind, s.local_time, s.key, ifnull(s.thread_id, 0), s.id",
        params,
    )
    names = [d[0] for d in cur.description]
    return [_subscription(dict(zip(names, row, strict=True))) for row in cur.fetchall()]


def _subscription(d: dict[str, Any]) -> Subscription:
    return Subscription(
        id=d["id"],
        chat_id=d["chat_id"],
        thread_id=d["thread_id"],
        kind=d["kind"],
        key=d["key"],
        query=d["query"],
        local_time=d["local_time"],
        timezone=d["timezone"],
        quiet=bool(d["quiet"]),
        active=bool(d["active"]),
        created_at=from_iso(d["created_at"]),
        created_by=d["created_by"],
        chat_timezone=d["chat_timezone"],
        chat_type=d["chat_type"],
    )


# ----------------------------------------------------------------------------- deliveries


def claim_delivery(
    db: sqlite_utils.Database,
    subscription_id: int,
    local_date: dt.date,
    *,
    now: dt.datetime,
    lease: dt.timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
) -> Claim | None:
    """Claim (subscription, local date) for sending; None when someone else has it or it is done.

    Claimable: no row yet; a 'failed' row whose retry_at has come; a 'claimed' row older than
    `lease` (abandoned). Never a 'sent' or 'skipped' one, and not after `max_attempts` claims.
    """
    stamp = to_iso(now)
    stale = to_iso(now - lease)
    with write_transaction(db) as conn:
        rows = conn.execute(
            "INSERT INTO deliveries (subscription_id, local_date, status, attempts, claimed_at)"
            " VALUES (?, ?, 'claimed', 1, ?)"
            " ON CONFLICT (subscription_id, local_date) DO UPDATE SET status = 'claimed',"
            " attempts = deliveries.attempts + 1, claimed_at = excluded.claimed_at,"
            " retry_at = NULL"
            " WHERE deliveries.attempts < ? AND ("
            " (deliveries.status = 'failed'"
            "  AND (deliveries.retry_at IS NULL OR deliveries.retry_at <= ?))"
            " OR (deliveries.status = 'claimed' AND deliveries.claimed_at <= ?))"
            " RETURNING attempts",
            [subscription_id, local_date.isoformat(), stamp, max_attempts, stamp, stale],
        ).fetchall()  # all of it: a RETURNING statement left unfinished blocks the COMMIT
    if not rows:
        return None
    return Claim(subscription_id, local_date, int(rows[0][0]), from_iso(stamp))


def mark_sent(
    db: sqlite_utils.Database,
    claim: Claim,
    *,
    now: dt.datetime,
    article_ids: Iterable[int] = (),
) -> bool:
    """Record that the brief went out (with the articles it cited). Always recorded, even from
    a holder whose claim was taken over: the message was sent, and saying so prevents another.
    Returns False when it was already recorded as sent."""
    with write_transaction(db) as conn:
        cur = conn.execute(
            "UPDATE deliveries SET status = 'sent', sent_at = ?, article_ids = ?,"
            " last_error = NULL, retry_at = NULL"
            " WHERE subscription_id = ? AND local_date = ? AND status != 'sent'",
            [
                to_iso(now),
                json.dumps(sorted(set(article_ids))),
                claim.subscription_id,
                claim.local_date.isoformat(),
            ],
        )
    return cur.rowcount > 0


def mark_failed(
    db: sqlite_utils.Database,
    claim: Claim,
    error: str,
    *,
    retry_at: dt.datetime | None = None,
) -> bool:
    """A transient failure: the delivery may be claimed again from `retry_at` (None: at once).

    Ignored (False) when the claim is no longer this holder's (taken over, or already sent).
    """
    with write_transaction(db) as conn:
        cur = conn.execute(
            "UPDATE deliveries SET status = 'failed', last_error = ?, retry_at = ?"
            " WHERE subscription_id = ? AND local_date = ? AND status = 'claimed'"
            " AND attempts = ?",
            [
                error[:500],
                to_iso(retry_at) if retry_at else None,
                claim.subscription_id,
                claim.local_date.isoformat(),
                claim.attempt,
            ],
        )
    return cur.rowcount > 0


def mark_skipped(db: sqlite_utils.Database, claim: Claim, reason: str = "") -> bool:
    """Done for the day without a message (quiet and nothing new; the topic no longer resolves;
    a permanent error). Fenced like mark_failed."""
    with write_transaction(db) as conn:
        cur = conn.execute(
            "UPDATE deliveries SET status = 'skipped', last_error = ?"
            " WHERE subscription_id = ? AND local_date = ? AND status = 'claimed'"
            " AND attempts = ?",
            [reason[:500] or None, claim.subscription_id, claim.local_date.isoformat(),
             claim.attempt],
        )  # fmt: skip
    return cur.rowcount > 0


def get_delivery(
    db: sqlite_utils.Database, subscription_id: int, local_date: dt.date
) -> Delivery | None:
    row = db.execute(
        "SELECT subscription_id, local_date, status, attempts, last_error, claimed_at, sent_at,"
        " article_ids, retry_at FROM deliveries WHERE subscription_id = ? AND local_date = ?",
        [subscription_id, local_date.isoformat()],
    ).fetchone()
    if row is None:
        return None
    sub_id, day, status, attempts, error, claimed, sent, ids, retry = row
    return Delivery(
        subscription_id=sub_id,
        local_date=dt.date.fromisoformat(day),
        status=status,
        attempts=attempts,
        last_error=error,
        claimed_at=from_iso(claimed) if claimed else None,
        sent_at=from_iso(sent) if sent else None,
        article_ids=json.loads(ids or "[]"),
        retry_at=from_iso(retry) if retry else None,
    )


def last_done_dates(
    db: sqlite_utils.Database,
    subscription_ids: Iterable[int] | None = None,
    *,
    since: dt.date | None = None,
) -> dict[int, dt.date]:
    """The latest local date each subscription's brief was done ('sent' or 'skipped'), in one
    query (the `last_delivery_date` that bot.briefing.schedule.due takes). `since` bounds the
    read to recent days (an index range, not the whole ledger); older dates count as none."""
    sql = (
        "SELECT subscription_id, max(local_date) FROM deliveries"
        " WHERE status IN ('sent', 'skipped')"
    )
    params: list[Any] = []
    if since is not None:
        sql += " AND local_date >= ?"
        params.append(since.isoformat())
    if subscription_ids is not None:
        ids = list(subscription_ids)
        if not ids:
            return {}
        sql += f" AND subscription_id IN ({','.join('?' * len(ids))})"
        params.extend(ids)
    sql += " GROUP BY subscription_id"
    return {sub: dt.date.fromisoformat(day) for sub, day in db.execute(sql, params)}


def last_sent_articles(
    db: sqlite_utils.Database,
    *,
    subscription_id: int | None = None,
    chat_id: int | None = None,
    key: str | None = None,
    since: dt.datetime | None = None,
) -> SentBefore:
    """When the last brief went out, and the ids of the articles already sent.

    By subscription, or by chat (every brief subscription of it, narrowed to a topic `key` when
    given: a chat that re-subscribed still counts what it got before). Articles are those of
    the briefs sent at or after `since`, or of the last brief only when `since` is None. The
    daily brief covers (`at`, now] and ranks these ids lower (build_brief's `seen`).
    """
    if subscription_id is None and chat_id is None:
        raise ValueError("give a subscription_id or a chat_id")
    where = ["d.status = 'sent'"]
    params: list[Any] = []
    if subscription_id is not None:
        where.append("d.subscription_id = ?")
        params.append(subscription_id)
    if chat_id is not None:
        where.append("s.chat_id = ? AND s.kind = 'brief'")
        params.append(chat_id)
    if key is not None:
        where.append("s.key = ?")
        params.append(key)
    base = (
        "FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE "
        + " AND ".join(where)
    )
    last = db.execute(f"SELECT max(d.sent_at) {base}", params).fetchone()[0]
    if last is None:
        return SentBefore(None, frozenset())
    cutoff = to_iso(since) if since is not None else last
    ids: set[int] = set()
    for (text,) in db.execute(f"SELECT d.article_ids {base} AND d.sent_at >= ?", [*params, cutoff]):
        ids.update(int(i) for i in json.loads(text or "[]"))
    return SentBefore(from_iso(last), frozenset(ids))


# ----------------------------------------------------------------------------- alerts


def record_alert(
    db: sqlite_utils.Database,
    subscription_id: int,
    change_key: str,
    *,
    now: dt.datetime,
    lease: dt.timedelta = LEASE,
) -> bool:
    """Claim the alert for this change to this subscription; False when it was already sent
    (or another holder is sending it). An unsent claim older than `lease` may be taken over."""
    with write_transaction(db) as conn:
        rows = conn.execute(
            "INSERT INTO alerts (subscription_id, change_key, claimed_at) VALUES (?, ?, ?)"
            " ON CONFLICT (subscription_id, change_key) DO UPDATE"
            " SET claimed_at = excluded.claimed_at"
            " WHERE alerts.sent_at IS NULL AND alerts.claimed_at <= ?"
            " RETURNING 1",
            [subscription_id, change_key, to_iso(now), to_iso(now - lease)],
        ).fetchall()
    return bool(rows)


def mark_alert_sent(
    db: sqlite_utils.Database, subscription_id: int, change_key: str, *, now: dt.datetime
) -> None:
    with write_transaction(db) as conn:
        conn.execute(
            "UPDATE alerts SET sent_at = ? WHERE subscription_id = ? AND change_key = ?",
            [to_iso(now), subscription_id, change_key],
        )


def has_alerts(db: sqlite_utils.Database, subscription_id: int) -> bool:
    """Whether the subscription ever recorded an alert (its baseline is taken)."""
    row = db.execute(
        "SELECT 1 FROM alerts WHERE subscription_id = ? LIMIT 1", [subscription_id]
    ).fetchone()
    return row is not None


def release_alert(db: sqlite_utils.Database, subscription_id: int, change_key: str) -> None:
    """A transient failure: forget the unsent claim so the next evaluation tries again."""
    with write_transaction(db) as conn:
        conn.execute(
            "DELETE FROM alerts WHERE subscription_id = ? AND change_key = ? AND sent_at IS NULL",
            [subscription_id, change_key],
        )


# ----------------------------------------------------------------------------- checks


def _check_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def _check_time(text: str) -> None:
    try:
        parsed = dt.time.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or len(text) != 5 or parsed.strftime("%H:%M") != text:
        raise ValueError(f"local time must be 'HH:MM', got {text!r}")
