"""Plain dataclasses shared by every layer: ingest output, query results, reply models.

Datetimes are timezone-aware UTC. Calendar dates that a report gives at some precision
("in 2020", "in March", "on March 12") are `DateRef`s: first day of the period, plus precision.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

Precision = Literal["day", "month", "year"]
State = Literal["operating", "suspended", "cancelled", "unknown"]
Modality = Literal["reported", "planned", "hedged", "unconfirmed", "denied"]
AttributionKind = Literal["outlet", "official", "trade", "anonymous", "unknown"]


# ----------------------------------------------------------------------------- ingest


@dataclass
class RawArticle:
    """An article as a reader found it, before normalisation and storage."""

    title: str
    body: str
    published_at: dt.datetime | None
    url: str | None = None
    outlet: str | None = None
    language: str | None = None
    source_path: str | None = None
    # Where the body came from: "file", "feed" (the feed carried the article), "summary" (only
    # the feed's teaser: the page could not be fetched), "page" (extracted from the article page).
    text_source: str = "file"
    # True when the source gave no date and `published_at` is the time it was fetched.
    date_estimated: bool = False


@dataclass
class PreparedArticle:
    """An article ready to store: normalised text, hash, sentences and the events they report."""

    title: str
    body: str
    published_at: dt.datetime
    fetched_at: dt.datetime
    content_hash: str
    sentences: list[str]
    # (index into `sentences`, event that sentence reports)
    events: list[tuple[int, Event]] = field(default_factory=list)
    url: str | None = None
    outlet: str = "unknown"
    language: str = "en"
    # Entity keys the article mentions (title or body), and (index into `sentences`, entity key)
    # per sentence; stored as article_entities / sentence_entities for indexed lookups.
    entities: list[str] = field(default_factory=list)
    sentence_entities: list[tuple[int, str]] = field(default_factory=list)
    # Keys of the declared situations the article is about (stored as situation_articles).
    situations: list[str] = field(default_factory=list)
    text_source: str = "file"  # see RawArticle
    date_estimated: bool = False


@dataclass
class IngestSummary:
    """What one ingest run did; `skipped` maps an input (path or url) to the reason."""

    added: int = 0
    duplicates: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    # The ids of the articles added, in the order stored.
    ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.added + self.duplicates + len(self.skipped)


# ----------------------------------------------------------------------------- stored things


@dataclass
class ArticleRef:
    """Enough of an article to cite it."""

    id: int
    title: str
    url: str | None
    outlet: str
    published_at: dt.datetime


@dataclass
class Segment:
    """A piece of a snippet; `hit` marks the words that matched the query."""

    text: str
    hit: bool = False


@dataclass
class SearchHit:
    article: ArticleRef
    snippet: list[Segment]
    score: float


@dataclass
class SearchResult:
    query: str
    hits: list[SearchHit]
    total: int
    page: int = 1
    per_page: int = 5

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# ----------------------------------------------------------------------------- analysis


@dataclass
class DateRef:
    """A date as a report gives it: first day of the period, its precision, the words used."""

    value: dt.date
    precision: Precision
    text: str = ""

    def label(self) -> str:
        if self.precision == "year":
            return f"{self.value.year}"
        if self.precision == "month":
            return self.value.strftime("%B %Y")
        return self.value.isoformat()


@dataclass
class Attribution:
    """Who says it: "Yonhap reported" (outlet), "the foreign ministry said" (official), ..."""

    name: str
    kind: AttributionKind


@dataclass
class Event:
    """A state change one sentence reports."""

    state: State
    modality: Modality
    trigger: str
    negated: bool = False
    date: DateRef | None = None
    attribution: Attribution | None = None


# ----------------------------------------------------------------------------- topics


@dataclass
class Topic:
    """Something to brief on: a declared topic or an entity, with every name it goes by."""

    key: str
    title: str
    aliases: list[str]
    keywords: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


@dataclass
class Situation:
    """Something with a state: each entity is a list of aliases; facets narrow the subject."""

    key: str
    title: str
    entities: list[list[str]]
    facets: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- briefs & status


@dataclass
class Story:
    key_sentence: str
    key_article: ArticleRef
    articles: list[ArticleRef]
    outlets: list[str]
    newest: dt.datetime


@dataclass
class Brief:
    topic: Topic
    window_from: dt.datetime
    window_to: dt.datetime
    as_of: dt.datetime
    stories: list[Story]
    total_stories: int
    page: int = 1
    # True when the asked window was empty and the stories are the most recent coverage instead;
    # window_from/window_to then give the dates covered, requested_* the window asked for.
    fallback: bool = False
    requested_from: dt.datetime | None = None
    requested_to: dt.datetime | None = None

    def __json__(self) -> dict[str, Any]:
        return {
            "topic": self.topic.key,
            "title": self.topic.title,
            "window": {"from": self.window_from, "to": self.window_to},
            "requested_window": {
                "from": self.requested_from or self.window_from,
                "to": self.requested_to or self.window_to,
            },
            "fallback": self.fallback,
            "as_of": self.as_of,
            "page": self.page,
            "total_stories": self.total_stories,
            "stories": [
                {
                    "key_sentence": s.key_sentence,
                    "outlets": len(s.outlets),
                    "outlet_names": s.outlets,
                    "newest": s.newest,
                    "articles": s.articles,
                }
                for s in self.stories
            ],
        }


@dataclass
class Evidence:
    """One report backing a timeline entry or caveat."""

    outlet: str
    url: str | None
    published_at: dt.datetime
    sentence: str
    article_id: int
    attribution: Attribution | None = None


@dataclass
class TimelineEntry:
    date: DateRef | None
    state: State
    modality: Modality
    sources: list[Evidence]

    def __json__(self) -> dict[str, Any]:
        return {
            **_flat_date("date", self.date),
            "state": self.state,
            "modality": self.modality,
            "sources": self.sources,
        }


@dataclass
class Upcoming:
    state: State
    date: DateRef | None
    overdue: bool
    sources: list[Evidence]

    def __json__(self) -> dict[str, Any]:
        return {
            "state": self.state,
            **_flat_date("date", self.date),
            "overdue": self.overdue,
            "sources": self.sources,
        }


@dataclass
class Previous:
    state: State
    since: DateRef | None

    def __json__(self) -> dict[str, Any]:
        return {"state": self.state, **_flat_date("since", self.since)}


@dataclass
class Caveat:
    kind: str  # unconfirmed | denied | limited | hedged | conflict | silent
    text: str
    source: Evidence | None = None


@dataclass
class Status:
    situation: str
    title: str
    as_of: dt.datetime
    state: State
    since: DateRef | None
    previous: Previous | None
    upcoming: Upcoming | None
    timeline: list[TimelineEntry]
    caveats: list[Caveat]
    confidence: float
    newest_report: dt.datetime | None
    sources: list[ArticleRef]

    def __json__(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out.update(_flat_date("since", self.since))
        return out


@dataclass
class SourceCount:
    outlet: str
    articles: int
    newest: dt.datetime | None


# ----------------------------------------------------------------------------- replies


@dataclass
class Button:
    text: str
    callback: str | None = None
    url: str | None = None


@dataclass
class Reply:
    """What the router answers: a template name, the model it renders, inline buttons.

    `kind` names templates/<kind>.html.j2 and templates/<kind>.txt.j2.
    """

    kind: str
    model: Any = None
    buttons: list[list[Button]] = field(default_factory=list)
    link_preview: bool = False
    # For a button press: send the reply as a new message instead of replacing the message whose
    # button was pressed (a "Subscribe" under a brief confirms without erasing the brief).
    new_message: bool = False


@dataclass
class ChatContext:
    """Who is asking, from where. Front ends fill it; the router never looks further."""

    now: dt.datetime
    chat_id: int | None = None
    user_id: int | None = None
    chat_type: str = "console"  # private | group | supergroup | channel | console
    bot_username: str | None = None
    # May change this chat's settings: a chat administrator, or a bot admin (Settings.admins;
    # the router also checks `user_id` against those itself). Only groups ask for it.
    is_admin: bool = False
    # The forum topic the message came from (None: the main chat, or not a forum); what a
    # subscription made here is delivered to.
    thread_id: int | None = None
    chat_title: str | None = None


# ----------------------------------------------------------------------------- subscriptions

SubscriptionKind = Literal["brief", "status"]
DeliveryStatus = Literal["claimed", "sent", "failed", "skipped"]


@dataclass
class Chat:
    """A chat the bot talks to: `timezone` is IANA, what subscriptions without their own follow."""

    id: int
    type: str
    title: str | None
    timezone: str
    active: bool
    updated_at: dt.datetime
    migrated_to: int | None = None


@dataclass
class Subscription:
    """A daily brief on a topic ('brief') or alerts on a situation's changes ('status').

    `key` is the resolved topic or situation key (what makes two subscriptions the same);
    `query` is what the user typed, re-resolved at delivery so a changed catalog still applies.
    `timezone` None follows the chat's (`chat_timezone`, filled when read with its chat).
    """

    id: int
    chat_id: int
    thread_id: int | None
    kind: SubscriptionKind
    key: str
    query: str
    local_time: str | None  # 'HH:MM', briefs only
    timezone: str | None
    quiet: bool
    active: bool
    created_at: dt.datetime
    created_by: int | None = None
    chat_timezone: str = "UTC"
    chat_type: str | None = None

    @property
    def effective_timezone(self) -> str:
        """The IANA zone the brief's local time is read in."""
        return self.timezone or self.chat_timezone


@dataclass
class Delivery:
    """One (subscription, local date) row of the delivery ledger."""

    subscription_id: int
    local_date: dt.date
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    claimed_at: dt.datetime | None
    sent_at: dt.datetime | None
    article_ids: list[int] = field(default_factory=list)
    retry_at: dt.datetime | None = None


def _flat_date(key: str, date: DateRef | None) -> dict[str, Any]:
    """A DateRef as sibling keys: `{key: "2026-03-12", key_precision: "day"}` (None -> nulls).

    Kept flat because that is the shape JSON consumers of /status and /timeline read.
    """
    name = "precision" if key == "date" else f"{key}_precision"
    if date is None:
        return {key: None, name: None}
    return {key: date.value.isoformat(), name: date.precision}


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, dates and lists to JSON-ready structures (for `--format json`).

    A dataclass may shape its own JSON with `__json__()` (returning something to_jsonable takes).
    """
    if hasattr(obj, "__json__") and not isinstance(obj, type):
        return to_jsonable(obj.__json__())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dt.datetime):
        return obj.isoformat().replace("+00:00", "Z")
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    return obj


# ----------------------------------------------------------------------------- feeds


@dataclass(frozen=True)
class FeedSpec:
    """A feed to follow, as seeds/feeds.toml, OPML or `feeds add` name it."""

    url: str
    # The outlet name articles from this feed are cited as ("Yonhap"); None: the feed's title.
    outlet: str | None = None
    language: str | None = None  # ISO 639-1, e.g. "en"


@dataclass
class FeedEntry:
    """One entry of a parsed feed, normalised (bot.ingest.feeds.parse_feed)."""

    # Per-feed dedup key: "guid:<id>", else "link:<url>", else "hash:<sha1 of title+text>".
    key: str
    title: str
    link: str | None  # absolute http(s) url without #fragment, or None
    text: str  # plain text: the entry's full content when it has one, else its summary
    # The feed carries the article itself (content long enough to brief from), not a teaser;
    # False means the article page should be fetched for the text.
    full_text: bool
    published_at: dt.datetime  # aware UTC
    date_estimated: bool = False  # no date in the entry: `published_at` is the fetch time
    author: str | None = None
    language: str | None = None


@dataclass
class ParsedFeed:
    """A feed document: its own metadata, its usable entries, and why others were skipped."""

    title: str | None
    link: str | None  # the site's home page
    language: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    # (entry label, reason) for entries that could not be used (no title and no text, too big)
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Feed:
    """A followed feed and its health, as stored (table `feeds`)."""

    id: int
    url: str
    outlet: str | None
    language: str | None
    title: str | None  # the feed's own <title>, from the last successful poll
    active: bool
    added_at: dt.datetime
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    last_error: str | None = None
    last_error_at: dt.datetime | None = None
    error_count: int = 0  # consecutive failed polls; 0 after a success
    failing_since: dt.datetime | None = None  # first failure of the current run of failures
    next_poll_at: dt.datetime | None = None
    articles: int = 0  # articles indexed from this feed
    deactivated_at: dt.datetime | None = None
    added_by: int | None = None

    @property
    def name(self) -> str:
        """What to call it: the outlet, else the feed's title, else its host."""
        if self.outlet:
            return self.outlet
        if self.title:
            return self.title
        return urlsplit(self.url).hostname or self.url

    @property
    def health(self) -> Literal["new", "ok", "failing", "inactive"]:
        if not self.active:
            return "inactive"
        if self.error_count:
            return "failing"
        return "ok" if self.last_success_at is not None else "new"


@dataclass
class PollSummary:
    """What one poll of the feeds did (the CLI prints it; /feeds poll replies with it)."""

    feeds: int = 0  # feeds polled
    not_modified: int = 0  # answered 304 Not Modified
    new_articles: int = 0
    duplicates: int = 0  # entries already indexed (this feed's, or another source's)
    # feed url -> why its poll failed
    errors: dict[str, str] = field(default_factory=dict)
    # entry (or page url) -> why it was not indexed
    skipped: dict[str, str] = field(default_factory=dict)
    deactivated: list[Feed] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)
