"""Daily-brief fan-out and status-alert planning: which claims share one brief, what changed.

Telegram-free (the sending lives in bot.tg.jobs); every function takes `now=` and a database
handle, and follows the delivery protocol in bot.store.subscriptions' docstring:

- `plan_briefs(db, now)`: the subscriptions whose brief is due, grouped by (topic key, window,
  articles already sent). Members of a group get the very same brief, so it is built and
  rendered once per group however many chats receive it.
- `claim_group(db, group, now)`: claim each member for today (exactly one process wins a key).
- `build_group_brief(db, catalog, group, now)`: the brief for a group, and whether it is empty.
- `evaluate_alerts(db, now)`: situations with subscribers re-evaluated; the changes to alert.

Windows. A daily brief covers (previous slot, now]: the previous slot is the scheduled instant of
the last local date whose brief was done (sent or skipped), or one day before today's slot for a
first brief. Using the *scheduled* instant, not the moment the message went out, is what lets
subscribers share: every subscriber of a topic at the same wall time and zone has the same
window, though a rate-limited fan-out sent their last briefs minutes apart. A brief sent late
(the bot was down at 08:00) still starts the next window at 08:00, so nothing between the slot
and the late send is skipped; articles already sent are ranked lower (`seen`), not dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlite_utils

from bot.briefing import schedule
from bot.briefing.topics import Catalog, default_catalog
from bot.errors import NotFound
from bot.models import Brief, Status, Subscription
from bot.store import subscriptions as store_subs

log = logging.getLogger(__name__)

# A first brief covers the day before its slot; a chat back after a long silence gets at most
# this much (the brief is a digest, not an archive).
FIRST_WINDOW = dt.timedelta(days=1)
MAX_WINDOW = dt.timedelta(days=7)
BRIEF_STORIES = 5  # one message's worth, as /brief's first page


@dataclass(frozen=True)
class GroupKey:
    """What makes two subscribers' briefs identical: topic, window start, what they have seen."""

    topic: str
    since: dt.datetime
    seen_digest: str  # a hash of `seen`: equal sets, equal digests


@dataclass
class BriefGroup:
    """Due subscriptions that share one brief."""

    key: GroupKey
    seen: frozenset[int]
    members: list[Subscription] = field(default_factory=list)


@dataclass
class GroupBrief:
    """A group's brief, built once: what to send and which articles it cites."""

    brief: Brief | None  # None: the topic no longer resolves
    article_ids: frozenset[int]
    nothing_new: bool


def _seen_digest(seen: frozenset[int]) -> str:
    return hashlib.blake2b(",".join(map(str, sorted(seen))).encode(), digest_size=8).hexdigest()


def window_start(
    sub: Subscription,
    now: dt.datetime,
    last_done: dt.date | None,
    last_sent: dt.datetime | None = None,
) -> dt.datetime:
    """Where today's brief for `sub` starts (see the module docstring).

    Never after `last_sent`, when the last brief went out: a brief moved later in the day
    (or to a timezone further west) must not leave the hours between the old slot and the
    new one in no brief at all.
    """
    assert sub.local_time is not None
    zone = sub.effective_timezone
    today = schedule.local_date(now, zone)
    slot = schedule.scheduled_at(today, sub.local_time, zone)
    if last_done is None:
        since = slot - FIRST_WINDOW
    else:
        since = schedule.scheduled_at(last_done, sub.local_time, zone)
        if last_sent is not None:
            since = min(since, last_sent)
    return max(since, min(slot, now) - MAX_WINDOW)


def plan_briefs(db: sqlite_utils.Database, now: dt.datetime) -> list[BriefGroup]:
    """The briefs due at `now`, grouped so that each distinct brief is built once.

    Nothing is claimed here: claims are taken group by group just before sending
    (`claim_group`), so a claim never waits long in a queue and the lease stays meaningful.
    """
    subs = store_subs.active_briefs(db)
    # Recent days from an index range; the rest of the ledger only for subscriptions with no
    # recent delivery (new ones, or a bot down for long), which are few.
    recent = now.date() - MAX_WINDOW - dt.timedelta(days=2)
    done = store_subs.last_done_dates(db, since=recent)
    older = [sub.id for sub in subs if sub.id not in done]
    if older:
        done.update(store_subs.last_done_dates(db, older))
    groups: dict[GroupKey, BriefGroup] = {}
    for sub in subs:
        last = done.get(sub.id)
        if not schedule.due(sub, now, last):
            continue
        # What this chat was sent on this topic before (any of its subscriptions to it: a chat
        # that re-subscribed still counts what it got).
        before = store_subs.last_sent_articles(db, chat_id=sub.chat_id, key=sub.key)
        seen = before.article_ids
        key = GroupKey(sub.key, window_start(sub, now, last, before.at), _seen_digest(seen))
        group = groups.get(key)
        if group is None:
            group = groups[key] = BriefGroup(key, seen)
        group.members.append(sub)
    # Oldest windows first (a missed brief is the most overdue), then by topic: stable order.
    return sorted(groups.values(), key=lambda g: (g.key.since, g.key.topic, g.key.seen_digest))


def claim_group(
    db: sqlite_utils.Database,
    group: BriefGroup,
    now: dt.datetime,
    *,
    at: dt.datetime | None = None,
) -> list[tuple[Subscription, store_subs.Claim]]:
    """Claim today's delivery for each member; those another process (or a finished run) holds
    are left out. `now` is the run's time (which local day is due); `at` the clock when
    claiming, from which the claim's lease runs (default `now`)."""
    out = []
    for sub in group.members:
        day = schedule.local_date(now, sub.effective_timezone)
        claim = store_subs.claim_delivery(db, sub.id, day, now=at or now)
        if claim is not None:
            out.append((sub, claim))
    return out


def cited_articles(brief: Brief) -> frozenset[int]:
    """Every article a brief's stories cite (what mark_sent records as sent)."""
    ids: set[int] = set()
    for story in brief.stories:
        ids.add(story.key_article.id)
        ids.update(a.id for a in story.articles)
    return frozenset(ids)


def build_group_brief(
    db: sqlite_utils.Database,
    catalog: Catalog,
    group: BriefGroup,
    now: dt.datetime,
) -> GroupBrief:
    """The group's brief over (since, now]. `nothing_new` when the window holds no story, or
    only stories made of articles the chat was already sent."""
    from bot.briefing import brief as brief_engine  # heavy imports, on first use only

    first = group.members[0]
    try:
        topic = catalog.resolve_topic(group.key.topic)
    except NotFound:
        try:
            topic = catalog.resolve_topic(first.query)
        except NotFound:
            log.warning("subscribed topic %r no longer resolves", group.key.topic)
            return GroupBrief(None, frozenset(), True)
    brief = brief_engine.build_brief(
        db,
        topic,
        since=group.key.since,
        until=now,
        now=now,
        per_page=BRIEF_STORIES,
        seen=group.seen,
    )
    if brief.fallback and brief.requested_from is None:
        brief.requested_from, brief.requested_to = group.key.since, now
    cited = cited_articles(brief)
    nothing_new = brief.fallback or not brief.stories or cited <= group.seen
    return GroupBrief(brief, cited, nothing_new)


# ----------------------------------------------------------------------------- status alerts


@dataclass
class PendingAlert:
    """One alert to send: this status, to this subscription, for these new change keys.

    The keys are already claimed (record_alert); the sender marks them sent or releases them.
    """

    subscription: Subscription
    status: Status
    change_keys: list[str]


def change_keys(status: Status) -> list[str]:
    """Stable fingerprints of what a subscriber is alerted about: the current state (and since
    when) and an announced next change. Later articles repeating either give the same key."""
    since = status.since.value.isoformat() if status.since else ""
    keys = [f"state:{status.state}:{since}"]
    if status.upcoming is not None and not status.upcoming.overdue:
        date = status.upcoming.date.value.isoformat() if status.upcoming.date else ""
        keys.append(f"upcoming:{status.upcoming.state}:{date}")
    return keys


@dataclass
class AlertEvaluator:
    """`evaluate` with memory: skipped while nothing it depends on changed.

    The inputs of an evaluation are the articles (an ingest adds some), the UTC date (an
    announced change becomes overdue as days pass) and the status subscriptions (a new one needs
    its baseline). With none of them changed since the last evaluation, there is nothing to do
    and the tick costs two small queries.
    """

    catalog: Catalog | None = None
    _last: tuple[object, ...] | None = None

    def evaluate(self, db: sqlite_utils.Database, now: dt.datetime) -> list[PendingAlert]:
        subs = store_subs.active_status_subscriptions(db)
        articles = db.execute("SELECT max(id), count(*) FROM articles").fetchone()
        state = (tuple(articles), now.date(), tuple(s.id for s in subs))
        if state == self._last:
            return []
        pending = evaluate_alerts(db, now, catalog=self.catalog, subscriptions=subs)
        # Only remember a complete evaluation: a crash above retries on the next tick.
        self._last = state
        return pending


def evaluate_alerts(
    db: sqlite_utils.Database,
    now: dt.datetime,
    *,
    catalog: Catalog | None = None,
    subscriptions: Iterable[Subscription] | None = None,
) -> list[PendingAlert]:
    """Re-evaluate every situation with subscribers; claim and return the alerts to send.

    Baseline: a subscription that has never recorded an alert records the current fingerprints
    as already sent, without alerting. A subscription alerts on changes after it was made, not
    on the state it was made in (the /subscribe reply already showed that state, and /status
    shows it any time); so the first evaluation after subscribing is silent by design.
    """
    from bot.briefing import status as status_engine  # heavy imports, on first use only

    catalog = catalog or default_catalog()
    subs = list(subscriptions if subscriptions is not None else [])
    if subscriptions is None:
        subs = store_subs.active_status_subscriptions(db)
    by_key: dict[str, list[Subscription]] = {}
    for sub in subs:
        by_key.setdefault(sub.key, []).append(sub)
    pending: list[PendingAlert] = []
    for key, members in sorted(by_key.items()):
        try:
            situation = catalog.resolve_situation(key)
        except NotFound:
            log.warning("subscribed situation %r no longer resolves", key)
            continue
        status = status_engine.build_status(db, situation, as_of=now)
        keys = change_keys(status)
        for sub in members:
            if not store_subs.has_alerts(db, sub.id):
                for change in keys:
                    store_subs.record_alert(db, sub.id, change, now=now)
                    store_subs.mark_alert_sent(db, sub.id, change, now=now)
                continue
            new = [c for c in keys if store_subs.record_alert(db, sub.id, c, now=now)]
            if new:
                pending.append(PendingAlert(sub, status, new))
    return pending
