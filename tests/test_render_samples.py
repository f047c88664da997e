"""Sample reply models for the render tests, with hostile strings in every text field."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bot.models import (
    ArticleRef,
    Attribution,
    Brief,
    Caveat,
    DateRef,
    Evidence,
    Previous,
    Reply,
    SearchHit,
    SearchResult,
    Segment,
    Situation,
    SourceCount,
    Status,
    Story,
    TimelineEntry,
    Topic,
    Upcoming,
)

NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)
HOSTILE = [
    "<script>alert('x')</script>",
    "Tom & Jerry \"quoted\" 'single' <b>not bold</b> &amp; &lt;",
    "😀👩‍👩‍👧 中文标题 𝕏 e\u0301 " * 3,
    "A" * 5000,
    "</i></b><pre>",
]
URLS = [
    "https://example.org/a?x=1&y=<2>\"'",
    "javascript:alert(1)",
    None,
    "http://例え.jp/パス",
    "https://example.com/" + "x" * 5000,
]
COMMANDS = [
    {"name": n, "description": f"about {n} <&>"}
    for n in ("start", "help", "search", "brief", "status", "timeline", "topics", "sources")
]


def ref(i: int, hours: float = 2) -> ArticleRef:
    """An article reference with hostile title and url."""
    return ArticleRef(
        id=i,
        title=HOSTILE[i % len(HOSTILE)],
        url=URLS[i % len(URLS)],
        outlet=HOSTILE[(i + 1) % len(HOSTILE)][:80],
        published_at=NOW - dt.timedelta(hours=hours * (i + 1)),
    )


def evidence(i: int) -> Evidence:
    """One hostile piece of evidence."""
    a = ref(i)
    return Evidence(
        a.outlet,
        a.url,
        a.published_at,
        HOSTILE[i % len(HOSTILE)],
        a.id,
        Attribution("the <ministry>", "official"),
    )


def status(empty: bool = False) -> Status:
    """A status with every part filled (or nearly nothing)."""
    if empty:
        return Status(
            "x", "Nothing <here>", NOW, "unknown", None, None, None, [], [], 0.0, None, []
        )
    timeline = [
        TimelineEntry(
            DateRef(dt.date(2020, 1, 1), "year", "in 2020"),
            "suspended",
            "reported",
            [evidence(i) for i in range(3)],
        ),
        TimelineEntry(DateRef(dt.date(2026, 3, 12), "day"), "operating", "planned", [evidence(1)]),
        TimelineEntry(None, "cancelled", "denied", []),
        TimelineEntry(DateRef(dt.date(2025, 5, 1), "month"), "operating", "hedged", [evidence(4)]),
    ]
    return Status(
        situation="beijing-pyongyang",
        title=HOSTILE[1],
        as_of=NOW,
        state="suspended",
        since=DateRef(dt.date(2020, 1, 1), "year"),
        previous=Previous("operating", None),
        upcoming=Upcoming(
            "operating", DateRef(dt.date(2026, 3, 12), "day"), True, [evidence(i) for i in range(4)]
        ),
        timeline=timeline,
        caveats=[Caveat("unconfirmed", HOSTILE[0], evidence(2)), Caveat("limited", HOSTILE[3])],
        confidence=0.625,
        newest_report=NOW - dt.timedelta(hours=3),
        sources=[ref(i) for i in range(8)],
    )


def brief(fallback: bool = False, empty: bool = False, page: int = 1) -> Brief:
    """A brief with hostile stories."""
    stories = (
        []
        if empty
        else [
            Story(
                HOSTILE[i % len(HOSTILE)],
                ref(i),
                [ref(i), ref(i + 1), ref(i + 2), ref(i + 3)],
                [f"o{j}" for j in range(i + 1)],
                NOW - dt.timedelta(minutes=30 * 10**i),
            )
            for i in range(5)
        ]
    )
    topic = Topic("dprk", HOSTILE[1], ["north korea", "<pyongyang>"])
    return Brief(topic, NOW - dt.timedelta(days=7), NOW, NOW, stories, 12, page, fallback)


def search(empty: bool = False) -> SearchResult:
    """A page of hostile hits."""
    hits = (
        []
        if empty
        else [
            SearchHit(
                ref(i),
                [Segment("before <x> & "), Segment(HOSTILE[i % 5], True), Segment(" after")],
                -1.5,
            )
            for i in range(5)
        ]
    )
    return SearchResult(HOSTILE[0], hits, 0 if empty else 23, 2, 5)


def replies() -> list[Reply]:
    """One or more replies of every kind."""
    topics = [Topic(f"t{i}", HOSTILE[i], [HOSTILE[i], "a & b"]) for i in range(5)]
    sits = [Situation(f"s{i}", HOSTILE[i], [["a"], ["b"]], ["train"]) for i in range(5)]
    sources = [SourceCount(HOSTILE[i], i * 3, NOW - dt.timedelta(days=i)) for i in range(5)]
    sources.append(SourceCount("nodate", 1, None))
    return [
        Reply("start", {"articles": 1, "outlets": 1, "commands": COMMANDS}),
        Reply("start", {"articles": 0, "outlets": 0, "commands": COMMANDS}),
        Reply("help", {"commands": COMMANDS, "command": None, "bot_username": "<bot>"}),
        Reply("help", {"commands": COMMANDS, "command": "brief", "bot_username": None}),
        Reply("usage", {"command": "search"}),
        Reply("hint", {}),
        Reply("search", search()),
        Reply("search", search(empty=True)),
        Reply("brief", brief()),
        Reply("brief", brief(fallback=True, page=2)),
        Reply("brief", brief(empty=True)),
        Reply("brief", brief(empty=True, fallback=True)),
        Reply("status", status()),
        Reply("status", status(empty=True)),
        Reply("timeline", status()),
        Reply("timeline", status(empty=True)),
        Reply("topics", {"topics": topics, "situations": sits}),
        Reply("topics", {"topics": [], "situations": []}),
        Reply(
            "topics",
            {
                "topics": topics,
                "situations": [],
                "entities": [
                    {"key": HOSTILE[i][:60], "name": HOSTILE[i], "articles": i} for i in range(5)
                ],
                "days": 7,
            },
        ),
        Reply("topics", {"topics": [], "situations": [], "entities": [], "days": 7}),
        Reply("sources", {"sources": sources, "articles": 42, "as_of": NOW}),
        Reply("sources", {"sources": [], "articles": 0, "as_of": NOW}),
        Reply("error", {"code": "too_long", "message": "", "limit": 500}),
        Reply("error", {"code": "query", "message": HOSTILE[0], "limit": None}),
        Reply("error", {"code": "button", "message": "", "limit": None}),
        Reply("error", {"code": "user", "message": HOSTILE[1], "limit": None}),
        Reply(
            "notfound",
            {
                "what": "topic",
                "query": HOSTILE[0],
                "message": "x",
                "suggestions": ["dprk", "<b>"],
                "command": "brief",
            },
        ),
        Reply(
            "notfound",
            {
                "what": "situation",
                "query": HOSTILE[3],
                "message": "x",
                "suggestions": [],
                "command": "status",
            },
        ),
        Reply(
            "notfound",
            {
                "what": "command",
                "query": "<x>",
                "message": "x",
                "suggestions": ["brief"],
                "command": "brf",
            },
        ),
        *subscription_replies(),
        *feed_replies(),
        Reply("busy", {}),
        Reply("apology", {}),
        Reply("message", {"text": HOSTILE[0] + HOSTILE[3]}),
    ]


def subscription_model(i: int, kind: str = "brief", thread: int | None = None) -> dict[str, Any]:
    """A subscription as bot.commands hands it to the templates, with hostile text in it."""
    seoul = ZoneInfo("Asia/Seoul")
    return {
        "id": i,
        "kind": kind,
        "key": f"k{i}",
        "query": HOSTILE[i % len(HOSTILE)],
        "local_time": "08:00" if kind == "brief" else None,
        "timezone": "Asia/Seoul",
        "own_timezone": bool(i % 2),
        "quiet": bool(i % 3 == 0),
        "thread_id": thread,
        "here": thread is not None and i % 2 == 0,
        "next_run": dt.datetime(2026, 3, 12, 8, 0, tzinfo=seoul) if kind == "brief" else None,
        "local_now": NOW.astimezone(seoul),
    }


def subscription_replies() -> list[Reply]:
    """Every shape of the subscription replies."""
    subs = [
        subscription_model(0),
        subscription_model(1, thread=42),
        subscription_model(2, "status"),
        subscription_model(3, "status", thread=7),
    ]
    out = []
    for model in subs:
        for outcome in ("created", "updated", "unchanged"):
            out.append(Reply("subscribed", {**model, "outcome": outcome, "title": HOSTILE[2]}))
    for removed, gone in ((None, False), (subs[0], False), (None, True)):
        for can in (True, False):
            out.append(
                Reply(
                    "subscriptions",
                    {
                        "subscriptions": subs,
                        "timezone": "Asia/Seoul",
                        "thread_id": None,
                        "can_change": can,
                        "removed": removed,
                        "already_gone": gone,
                    },
                )
            )
    out.append(
        Reply(
            "subscriptions",
            {
                "subscriptions": [],
                "timezone": "UTC",
                "thread_id": 3,
                "can_change": True,
                "removed": subs[2],
                "already_gone": False,
            },
        )
    )
    for removed, everything, thread in (
        (subs, True, None),
        ([], True, None),
        ([], True, 5),
        ([], False, None),
        ([], False, 5),
    ):
        out.append(
            Reply(
                "unsubscribed",
                {"removed": removed, "query": HOSTILE[1], "all": everything, "thread_id": thread},
            )
        )
    for changed, following, own in (
        (True, 0, []),
        (True, 1, subs[:1]),
        (True, 3, []),
        (False, 0, subs[1:2]),
    ):
        for can in (True, False):
            out.append(
                Reply(
                    "timezone",
                    {
                        "timezone": "Europe/Berlin",
                        "changed": changed,
                        "local_now": NOW.astimezone(ZoneInfo("Europe/Berlin")),
                        "following": following,
                        "own": own,
                        "can_change": can,
                    },
                )
            )
    berlin = ZoneInfo("Europe/Berlin")
    out.append(
        Reply(
            "digest_empty",
            {
                "title": HOSTILE[2],
                "since": dt.datetime(2026, 3, 10, 8, 0, tzinfo=berlin),
                "local_now": NOW.astimezone(berlin),
                "timezone": "Europe/Berlin",
            },
        )
    )
    for command in ("subscribe", "unsubscribe", "timezone"):
        out.append(
            Reply("error", {"code": "admin_only", "message": "", "limit": None, "command": command})
        )
    for suggestions in (["Europe/Berlin", "<b>"], []):
        out.append(
            Reply(
                "error",
                {
                    "code": "timezone",
                    "message": HOSTILE[0],
                    "limit": None,
                    "query": HOSTILE[3],
                    "suggestions": suggestions,
                    "command": "timezone",
                },
            )
        )
    return out


def feed_model(i: int, health: str) -> dict[str, Any]:
    """A feed as bot.admin.feed_model hands it to the templates, with hostile text in it."""
    failing = health in ("failing", "inactive")
    return {
        "id": i,
        "name": HOSTILE[i % len(HOSTILE)],
        "url": URLS[i % len(URLS)] or "https://example.org/rss",
        "health": health,
        "articles": i * 7,
        "error_count": 3 if failing else 0,
        "last_error": HOSTILE[(i + 1) % len(HOSTILE)] if failing else None,
        "last_success_at": None if health == "new" else NOW - dt.timedelta(hours=i + 1),
        "last_error_at": NOW - dt.timedelta(hours=1) if failing else None,
        "failing_since": NOW - dt.timedelta(days=i + 1) if failing else None,
        "next_poll_at": None if health == "inactive" else NOW + dt.timedelta(minutes=30),
        "language": "en",
        "now": NOW,
    }


def feed_replies() -> list[Reply]:
    """Every shape of the feed and /ingest replies."""
    feeds = [feed_model(i, h) for i, h in enumerate(("ok", "failing", "inactive", "new", "ok"))]
    counts = {"ok": 2, "failing": 1, "inactive": 1, "new": 1}
    out = [
        Reply("feeds", {"feeds": feeds, "counts": counts, "polling": True, "interval_minutes": 30}),
        Reply(
            "feeds",
            {
                "feeds": [],
                "counts": dict.fromkeys(counts, 0),
                "polling": False,
                "interval_minutes": 0,
            },
        ),
        Reply("feed_deactivated", {"feed": feeds[2]}),
        Reply("feed_removed", {"feed": feeds[0], "query": HOSTILE[0], "candidates": []}),
        Reply("feed_removed", {"feed": None, "query": HOSTILE[1], "candidates": feeds[:3]}),
        Reply("feed_removed", {"feed": None, "query": HOSTILE[2], "candidates": []}),
    ]
    for created, asked, polling in ((True, None, True), (False, HOSTILE[4], False)):
        out.append(
            Reply(
                "feed_added",
                {
                    "feed": feeds[3],
                    "created": created,
                    "entries": 25,
                    "asked": asked,
                    "polling": polling,
                },
            )
        )
    ingested = {
        "url": URLS[0],
        "added": True,
        "title": HOSTILE[0],
        "outlet": HOSTILE[1],
        "published_at": NOW,
        "date_estimated": False,
        "story_outlets": [HOSTILE[i] for i in range(5)] + ["Reuters", "AP"],
        "story_size": 9,
        "situations": [{"key": "beijing-pyongyang", "name": HOSTILE[2]}],
        "reason": None,
    }
    out += [
        Reply("ingested", ingested),
        Reply(
            "ingested",
            {
                **ingested,
                "added": False,
                "story_outlets": [],
                "situations": [],
                "date_estimated": True,
            },
        ),
        Reply(
            "ingested",
            {
                **ingested,
                "added": False,
                "title": None,
                "outlet": None,
                "published_at": None,
                "reason": HOSTILE[3],
            },
        ),
    ]
    for command in ("addfeed", "feeds", "removefeed", "ingest"):
        out.append(
            Reply("error", {"code": "admin_only", "message": "", "limit": None, "command": command})
        )
    for command in ("addfeed", "ingest"):
        out.append(
            Reply(
                "error",
                {
                    "code": "fetch",
                    "message": HOSTILE[0],
                    "limit": None,
                    "command": command,
                    "url": URLS[1],
                },
            )
        )
    return out
