"""The state of a situation as of a date, from the events stored with the articles about it.

Pipeline (every step explainable from the evidence it keeps):

1. Articles: the situation's FTS match, published <= as_of (the best-ranked ones and the most
   recent ones, so a late report that overturns a plan is never ranked out).
2. Relevance: an article is about the situation when a sentence (or its title) names a facet
   together with the situation's places, or with "the two countries". An event counts when the
   clause around its trigger names a facet or refers back ("the service", "the route", "the
   two countries"), or starts with "It"/"They" right after a relevant sentence; a clause that
   names another country and none of the situation's ("train services with Russia resumed last
   year") is about something else.
3. Perspective: restriction events ("the ban was lifted") are turned into the state of the
   service they restrict, unless the situation is itself about that restriction (sanctions,
   a strike), in which case only those events count.
4. Claims: reported facts, plans (planned, or hedged with a future date), negated reports
   ("has yet to resume"), hedged/unconfirmed/denied claims.
5. Timeline: claims of the same state whose dates are compatible at their precision merge into
   one entry listing every source; an undated claim joins its article's dated claim of the same
   state (an article announcing a resumption that also says "great to see it resuming" is one
   story, not a resumption that already happened).
6. Current state: the latest reported change dated <= as_of; since; the previous state.
7. Upcoming: the newest live plan (not fulfilled by a later report of that state, not postponed,
   cancelled or rescheduled by a later report); overdue when its date has passed without any
   report of it happening. An overdue plan is never shown as done.
8. Caveats: sentence cues (unconfirmed, denied, limited, hedged, silent) near the evidence, plus
   date conflicts between sources and reports contradicting a plan.
9. Confidence: grows with independent origins and official attribution, falls with hedging,
   denials, conflicts, overdue plans and stale coverage.

Sources: an article whose outlet is unknown (a file dump) but which relays a named outlet ("...,
The Guardian reported") is cited as "The Guardian (via unattributed copy)"; a sentence quoting
another outlet in a known outlet's article is cited as "Yonhap (via Reuters)". Independence is
counted on those origins, so two copies of one wire story count once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import sqlite_utils

from bot.analysis import events as ev_mod
from bot.analysis.dates import period_end, period_start
from bot.analysis.places import countries_in, country_of_name
from bot.models import (
    ArticleRef,
    Attribution,
    Caveat,
    DateRef,
    Evidence,
    Modality,
    Previous,
    Situation,
    State,
    Status,
    TimelineEntry,
    Upcoming,
)
from bot.store import fts, search

# How many articles to read: the best-ranked and the newest within RECENT_DAYS of as_of.
TOP_ARTICLES = 150
RECENT_ARTICLES = 150
RECENT_DAYS = 60
# Caveats older than this (before as_of) no longer qualify the current picture, unless they
# back the current state's own reports.
CAVEAT_DAYS = 180
MAX_CAVEATS = 8
# Coverage older than this makes the answer stale.
STALE_DAYS = 60
UNKNOWN_OUTLETS = {"", "unknown", "none"}
RELAY_LABEL = "unattributed copy"

_RESTRICTION_FACETS = re.compile(
    r"\b(?:sanction|embargo|strike|walkout|curfew|lockdown|blockade|boycott|tariff|ban"
    r"|restriction)s?\b",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(
    r"\b(?:the|both)\s+(?:two\s+)?(?:countries|nations|sides|neighbou?rs|capitals|cities)\b"
    r"|\bthe\s+(?:international\s+|passenger\s+|cross-border\s+|direct\s+|new\s+|first\s+)?"
    r"(?:service|services|route|routes|line|link|links|connection|crossing|train|trains|flight"
    r"|flights|bridge|journey|journeys|trip|trips|ferry|event|race|match|tournament|festival"
    r"|strike|ban|sanctions)\b"
    r"|\b(?:its|their)\s+(?:suspension|resumption|closure|reopening|cancellation|restart)\b",
    re.IGNORECASE,
)
_PRONOUN_START = re.compile(r"^\W*(?:it|they|this|services?|the\s+service)\b", re.IGNORECASE)
_POSTPONEMENT = re.compile(
    r"postpon|delay|put\s+off|pushed\s+back|on\s+hold|cancel|call\w*\s+(?:\w+\s+){0,3}off|scrap"
    r"|axe|abandon|discontinu",
    re.IGNORECASE,
)
_STATES: tuple[State, ...] = ("operating", "suspended", "cancelled", "unknown")
_CREDIBILITY = {"official": 3, "outlet": 2, "trade": 2, "unknown": 1, "anonymous": 0}


# ----------------------------------------------------------------------------- matching


def _alias_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    parts_ci: list[str] = []
    parts_cs: list[str] = []
    for name in {n.strip() for n in names if n and n.strip()}:
        escaped = re.escape(name).replace(r"\ ", r"\s+")
        # Short all-caps names ("US", "UN") must keep their case or they match ordinary words.
        if name.isupper() and len(name) <= 4:
            parts_cs.append(escaped)
        else:
            parts_ci.append(escaped)
    alternatives = []
    if parts_ci:
        alternatives.append("(?i:" + "|".join(sorted(parts_ci, key=len, reverse=True)) + ")")
    if parts_cs:
        alternatives.append("(?:" + "|".join(parts_cs) + ")")
    if not alternatives:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?:'s)?(?![\w])")


def _facet_pattern(facets: Iterable[str]) -> re.Pattern[str] | None:
    parts = []
    for facet in {f.strip() for f in facets if f and f.strip()}:
        escaped = re.escape(facet).replace(r"\ ", r"[\s-]+")
        if facet.isupper() or any(c.isdigit() for c in facet):
            parts.append(f"(?-i:{escaped})")
        else:
            parts.append(escaped + "(?:s|es)?")
    if not parts:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


@dataclass
class _Matcher:
    """Relevance tests for one situation, compiled once per request."""

    situation: Situation
    entities: list[re.Pattern[str]] = field(default_factory=list)
    any_entity: re.Pattern[str] | None = None
    facets: re.Pattern[str] | None = None
    codes: set[str] = field(default_factory=set)
    restriction: re.Pattern[str] | None = None

    @classmethod
    def build(cls, sit: Situation) -> _Matcher:
        entities = [p for p in (_alias_pattern(group) for group in sit.entities) if p]
        any_entity = _alias_pattern([n for group in sit.entities for n in group])
        codes: set[str] = set()
        for group in sit.entities:
            for name in group:
                code = country_of_name(name)
                if code:
                    codes.add(code)
        # Facet place names (Dandong, Sinuiju) are the situation's places too.
        for facet in sit.facets:
            if facet[:1].isupper():
                code = country_of_name(facet)
                if code:
                    codes.add(code)
        subject = " ".join([sit.key.replace("-", " "), sit.title, *sit.facets])
        nouns = {m.group(0).lower().rstrip("s") for m in _RESTRICTION_FACETS.finditer(subject)}
        restriction = (
            re.compile(r"\b(?:" + "|".join(sorted(nouns)) + r")", re.IGNORECASE) if nouns else None
        )
        return cls(sit, entities, any_entity, _facet_pattern(sit.facets), codes, restriction)

    def names_entity(self, text: str) -> bool:
        return bool(self.any_entity and self.any_entity.search(text))

    def names_facet(self, text: str) -> bool:
        if self.facets is None:
            # No facets: the places alone define the situation.
            return all(p.search(text) for p in self.entities) if self.entities else False
        return bool(self.facets.search(text))

    def refers_back(self, text: str) -> bool:
        return bool(_ANAPHOR.search(text))

    def mentions(self, text: str) -> bool:
        """Names the situation's places, facets, or refers back to them."""
        return self.names_entity(text) or self.names_facet(text) or self.refers_back(text)

    def about(self, title: str, sentences: list[str]) -> bool:
        """Whether an article is about the situation (not only mentions its places)."""
        if self.names_facet(title) and self.names_entity(title):
            return True
        loose = 0
        for text in sentences:
            if not self.names_facet(text):
                continue
            if (
                all(p.search(text) for p in self.entities)
                or (self.names_entity(text) and self.refers_back(text))
                or re.search(r"\b(?:the|both)\s+two\s+countries\b", text, re.IGNORECASE)
            ):
                return True
            if self.names_entity(text) or self.refers_back(text):
                loose += 1
        return loose >= 2

    def foreign_only(self, clause: str) -> bool:
        """The clause names another country and nothing of the situation's."""
        others = countries_in(clause) - self.codes
        if not others:
            return False
        return not (
            self.names_entity(clause)
            or re.search(
                r"\b(?:the|both)\s+(?:two\s+)?(?:countries|nations|sides|neighbou?rs)\b",
                clause,
                re.IGNORECASE,
            )
        )

    def event_relevant(self, sentence: str, trigger: str, previous_relevant: bool) -> bool:
        clause = ev_mod.clause_of(sentence, trigger)
        if self.foreign_only(clause):
            return False
        if self.names_facet(clause) or self.refers_back(clause):
            return True
        # "It will resume on Monday." right after a sentence about the service.
        return previous_relevant and bool(_PRONOUN_START.match(clause))


# ----------------------------------------------------------------------------- claims


@dataclass
class _Claim:
    state: State
    modality: Modality
    negated: bool
    date: DateRef | None
    trigger: str
    evidence: Evidence
    article: ArticleRef
    origin: str
    position: int
    sentence_id: int
    kind: str  # fact | plan | weak | doubt | neg
    postponement: bool = False
    until: bool = False

    @property
    def published(self) -> dt.datetime:
        return self.article.published_at


@dataclass
class _Group:
    state: State
    cls: str  # change (facts and plans) | weak | doubt
    claims: list[_Claim]
    date: DateRef | None = None
    # Where an undated change sits in time when its sentence says ("resumed on 17 January
    # after a fault halted them": the halt comes just before the resumption).
    order: dt.date | None = None

    @property
    def facts(self) -> list[_Claim]:
        return [c for c in self.claims if c.kind == "fact"]

    @property
    def plans(self) -> list[_Claim]:
        return [c for c in self.claims if c.kind == "plan"]

    @property
    def first_report(self) -> dt.datetime:
        return min(c.published for c in self.claims)

    @property
    def newest_report(self) -> dt.datetime:
        return max(c.published for c in self.claims)

    def start(self) -> dt.date:
        """The earliest the change can have taken effect: its date, else its first report."""
        if self.date is not None:
            return period_start(self.date)
        return self.order if self.order is not None else self.first_report.date()

    def key(self) -> tuple[dt.date, dt.datetime]:
        """Order of changes: the latest day each can have happened, then report time.

        "Cancelled this year" reported in March comes after "postponed" reported in February,
        although the year 2026 starts before both.
        """
        if self.order is not None:
            day = self.order
        elif self.date is not None:
            day = min(period_end(self.date), max(period_start(self.date), self.first_report.date()))
        else:
            day = self.first_report.date()
        return day, self.newest_report

    def modality(self) -> Modality:
        if self.facts:
            return "reported"
        if self.plans:
            return "planned"
        order: list[Modality] = ["hedged", "unconfirmed", "denied"]
        found = {c.modality for c in self.claims}
        return next((m for m in order if m in found), "hedged")


def _compatible(a: DateRef, b: DateRef) -> bool:
    """Same change at their precisions: the periods overlap (a day either side for two days)."""
    if a.precision == "day" and b.precision == "day":
        return abs((a.value - b.value).days) <= 1
    return period_start(a) <= period_end(b) and period_start(b) <= period_end(a)


def _more_precise(a: DateRef | None, b: DateRef | None) -> DateRef | None:
    if a is None:
        return b
    if b is None:
        return a
    rank = {"day": 0, "month": 1, "year": 2}
    if rank[b.precision] != rank[a.precision]:
        return b if rank[b.precision] < rank[a.precision] else a
    # Same precision: keep the words that name the date ("in 2020") over a derived one
    # ("after six years").
    if not re.search(r"\d", a.text) and re.search(r"\d", b.text):
        return b
    return a


def _norm_outlet(name: str) -> str:
    return re.sub(r"^the\s+", "", name.strip().casefold())


def _known(outlet: str | None) -> bool:
    return (outlet or "").strip().casefold() not in UNKNOWN_OUTLETS


def _cited_outlet(article: ArticleRef, attribution: Attribution | None, relay: str | None) -> str:
    """How to name the source of one sentence (see the module docstring)."""
    via = article.outlet if _known(article.outlet) else RELAY_LABEL
    if attribution is not None and attribution.kind == "outlet":
        named = attribution.name
        if _known(article.outlet) and _norm_outlet(named) in _norm_outlet(article.outlet):
            return article.outlet
        return f"{named} (via {via})"
    if _known(article.outlet):
        return article.outlet
    return f"{relay} (via {RELAY_LABEL})" if relay else article.outlet or "unknown"


def _origin(article: ArticleRef, attribution: Attribution | None, relay: str | None) -> str:
    """The independent origin of a report: the outlet it ultimately comes from."""
    if attribution is not None and attribution.kind == "outlet":
        return _norm_outlet(attribution.name)
    if _known(article.outlet):
        return _norm_outlet(article.outlet)
    if relay:
        return _norm_outlet(relay)
    return f"article:{article.id}"


def _credibility(c: _Claim) -> int:
    return _CREDIBILITY.get(c.evidence.attribution.kind if c.evidence.attribution else "unknown", 1)


@lru_cache(maxsize=256)
def _is_postponement(trigger: str) -> bool:
    return bool(_POSTPONEMENT.search(trigger))


# ----------------------------------------------------------------------------- loading


def _situation_match(sit: Situation) -> str:
    try:
        from bot.briefing.topics import situation_match

        return situation_match(sit)
    except ImportError:  # the topics module is optional for this engine
        groups = [fts.any_of(group) for group in sit.entities]
        if sit.facets:
            groups.append(fts.any_of(sit.facets))
        return fts.all_of(*groups)


def _candidate_articles(
    db: sqlite_utils.Database, match: str, as_of: dt.datetime
) -> list[ArticleRef]:
    if not match:
        return []
    found: dict[int, ArticleRef] = {}
    for ref, _score in search.match_articles(db, match, until=as_of, limit=TOP_ARTICLES):
        found[ref.id] = ref
    recent = search.match_articles(
        db, match, since=as_of - dt.timedelta(days=RECENT_DAYS), until=as_of, limit=RECENT_ARTICLES
    )
    for ref, _score in recent:
        found[ref.id] = ref
    return sorted(found.values(), key=lambda r: (r.published_at, r.id))


# ----------------------------------------------------------------------------- the engine


def build_status(db: sqlite_utils.Database, situation: Situation, *, as_of: dt.datetime) -> Status:
    """The state of `situation` as of `as_of`, from articles published by then."""
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=dt.UTC)
    matcher = _Matcher.build(situation)
    articles = _candidate_articles(db, _situation_match(situation), as_of)
    articles = [a for a in articles if a.published_at <= as_of]
    if not articles:
        return _empty(situation, as_of)
    by_id = {a.id: a for a in articles}
    sentences = search.sentences_of(db, by_id)
    about = {
        aid
        for aid, ref in by_id.items()
        if matcher.about(ref.title, [s.text for s in sentences.get(aid, [])])
    }
    if not about:
        return _empty(situation, as_of)
    stored = [se for se in search.events_for_articles(db, about) if se.article.id in about]
    relays = _relays(stored)
    claims = _claims(stored, sentences, matcher, relays)
    groups = _group(claims)
    engine = _Engine(situation, as_of, matcher, by_id, about, sentences, relays, claims, groups)
    return engine.status()


def _empty(situation: Situation, as_of: dt.datetime) -> Status:
    return Status(
        situation=situation.key,
        title=situation.title,
        as_of=as_of,
        state="unknown",
        since=None,
        previous=None,
        upcoming=None,
        timeline=[],
        caveats=[],
        confidence=0.0,
        newest_report=None,
        sources=[],
    )


def _relays(stored: list[search.StoredEvent]) -> dict[int, str]:
    """For articles without a known outlet: the one outlet their sentences say they relay."""
    named: dict[int, dict[str, str]] = {}
    for se in stored:
        a = se.event.attribution
        if a is not None and a.kind == "outlet" and not _known(se.article.outlet):
            named.setdefault(se.article.id, {}).setdefault(_norm_outlet(a.name), a.name)
    return {aid: next(iter(names.values())) for aid, names in named.items() if len(names) == 1}


def _claims(
    stored: list[search.StoredEvent],
    sentences: dict[int, list[search.SentenceRow]],
    matcher: _Matcher,
    relays: dict[int, str],
) -> list[_Claim]:
    relevant_positions: dict[int, set[int]] = {}
    for aid, rows in sentences.items():
        relevant_positions[aid] = {
            r.position for r in rows if matcher.names_facet(r.text) or matcher.refers_back(r.text)
        }
    out: list[_Claim] = []
    for se in stored:
        event = se.event
        state = event.state
        if state not in _STATES:
            continue
        restriction = ev_mod.restriction_of(event.trigger)
        if matcher.restriction is not None:
            # A situation about a restriction: only events about that restriction count.
            if restriction is None or not matcher.restriction.search(restriction):
                continue
        elif restriction is not None:
            state = ev_mod.service_state(state)
        previous = (se.sentence.position - 1) in relevant_positions.get(se.article.id, set())
        if not matcher.event_relevant(se.sentence.text, event.trigger, previous):
            continue
        relay = relays.get(se.article.id)
        evidence = Evidence(
            outlet=_cited_outlet(se.article, event.attribution, relay),
            url=se.article.url,
            published_at=se.article.published_at,
            sentence=se.sentence.text,
            article_id=se.article.id,
            attribution=event.attribution,
        )
        published = se.article.published_at.date()
        future = event.date is not None and period_start(event.date) > published
        if event.modality in ("denied", "unconfirmed"):
            kind = "doubt"
        elif event.negated:
            kind = "neg"
        elif event.modality == "planned" or (event.modality == "hedged" and future):
            kind = "plan" if event.modality == "planned" else "weak"
        elif event.modality == "hedged":
            kind = "weak"
        else:
            kind = "fact"
        until = event.date is not None and _is_until(se.sentence.text, event.date)
        out.append(
            _Claim(
                state=state,
                modality=event.modality,
                negated=event.negated,
                date=event.date,
                trigger=event.trigger,
                evidence=evidence,
                article=se.article,
                origin=_origin(se.article, event.attribution, relay),
                position=se.sentence.position,
                sentence_id=se.sentence.id,
                kind=kind,
                postponement=_is_postponement(event.trigger),
                until=until,
            )
        )
    return out


def _is_until(sentence: str, date: DateRef) -> bool:
    """Whether the date bounds a negation ("will not resume until June")."""
    at = sentence.find(date.text) if date.text else -1
    if at < 0:
        return False
    before = sentence[max(0, at - 30) : at].lower()
    return bool(re.search(r"\b(?:until|till|before)\s+(?:at\s+least\s+|the\s+)?$", before))


def _group(claims: list[_Claim]) -> list[_Group]:
    """Merge claims of the same change into timeline groups (see the module docstring)."""
    groups: list[_Group] = []
    rank = {"day": 0, "month": 1, "year": 2}

    def cls_of(c: _Claim) -> str:
        return "change" if c.kind in ("fact", "plan") else c.kind

    dated = sorted(
        (c for c in claims if c.date is not None and c.kind != "neg"),
        key=lambda c: (rank[c.date.precision], c.published, c.position),
    )  # type: ignore[union-attr]
    for c in dated:
        assert c.date is not None
        target = next(
            (
                g
                for g in groups
                if g.state == c.state
                and g.cls == cls_of(c)
                and g.date is not None
                and _compatible(g.date, c.date)
            ),
            None,
        )
        if target is None:
            groups.append(_Group(c.state, cls_of(c), [c], c.date))
        else:
            target.claims.append(c)
            target.date = _more_precise(target.date, c.date)

    undated = sorted(
        (c for c in claims if c.date is None and c.kind != "neg"),
        key=lambda c: (c.published, c.position),
    )
    for c in undated:
        if c.kind == "fact":
            anchor = next(
                (
                    d
                    for d in claims
                    if d.sentence_id == c.sentence_id
                    and d.kind == "fact"
                    and d.date is not None
                    and d.state != c.state
                ),
                None,
            )
            if anchor is not None and anchor.date is not None:
                # "resumed on 17 January after a fault halted them": just before the anchor.
                day = min(period_end(anchor.date), anchor.published.date())
                groups.append(
                    _Group(c.state, "change", [c], None, order=day - dt.timedelta(days=1))
                )
                continue
        past = c.kind == "fact" and _past_form(c.trigger)
        same_article = [
            g
            for g in groups
            if g.state == c.state
            and g.cls in (cls_of(c), "change")
            and any(o.article.id == c.article.id for o in g.claims)
            and not (past and not g.facts)
        ]
        if same_article:
            target = same_article[0]
            if c.kind == "fact" and not target.facts:
                # One article's story: "great to see it resuming" beside "to resume on Thursday"
                # supports the plan; it does not report a resumption that already happened.
                c.kind = "plan"
            target.claims.append(c)
            continue
            # "Trains remain suspended": a continuation of the latest reported change, when
            # that change is of the same state; otherwise a new, undated change.
            before = [g for g in groups if g.facts and g.start() <= c.published.date()]
            latest = max(before, key=lambda g: g.key(), default=None)
            if latest is not None and latest.state == c.state:
                latest.claims.append(c)
                continue
        if c.kind == "plan":
            near = [
                g
                for g in groups
                if g.state == c.state
                and g.plans
                and not g.facts
                and abs((g.first_report - c.published).days) <= 45
            ]
            if near:
                near[0].claims.append(c)
                continue
        twin = next(
            (g for g in groups if g.date is None and g.state == c.state and g.cls == cls_of(c)),
            None,
        )
        if twin is not None and (c.kind != "fact" or twin.facts):
            twin.claims.append(c)
        else:
            groups.append(_Group(c.state, cls_of(c), [c], None))
    groups.sort(key=lambda g: g.key())
    return groups


_PAST_FORM = re.compile(r"(?:ed|\bran|\bleft|\bwent|\bbegan|\btook|\bfroze|\bheld)$", re.IGNORECASE)


def _past_form(trigger: str) -> bool:
    """A finite past form ("halted", "was closed") as opposed to "resuming" or "resumption"."""
    return bool(_PAST_FORM.search(trigger.split()[-1] if trigger.split() else ""))


@dataclass
class _Engine:
    situation: Situation
    as_of: dt.datetime
    matcher: _Matcher
    articles: dict[int, ArticleRef]
    about: set[int]
    sentences: dict[int, list[search.SentenceRow]]
    relays: dict[int, str]
    claims: list[_Claim]
    groups: list[_Group]
    caveats: list[Caveat] = field(default_factory=list)
    cited: dict[int, ArticleRef] = field(default_factory=dict)

    @property
    def today(self) -> dt.date:
        return self.as_of.date()

    # -- current state -------------------------------------------------------------------

    def _effective(self) -> list[_Group]:
        """Reported changes in effect by as_of, oldest first."""
        out = [g for g in self.groups if g.facts and g.start() <= self.today]
        return sorted(out, key=lambda g: g.key())

    def _current(self) -> tuple[State, DateRef | None, Previous | None, _Group | None]:
        effective = self._effective()
        if not effective:
            return "unknown", None, None, None
        current = effective[-1]
        # "since": the start of the run of changes to this state.
        since_group = current
        i = len(effective) - 1
        while i > 0 and effective[i - 1].state == current.state:
            i -= 1
            if effective[i].date is not None:
                since_group = effective[i]
        since = since_group.date or current.date
        previous: Previous | None = None
        earlier = [g for g in effective[:i] if g.state != current.state]
        if earlier:
            prev = earlier[-1]
            j = effective.index(prev)
            prev_since = prev.date
            while j > 0 and effective[j - 1].state == prev.state:
                j -= 1
                prev_since = effective[j].date or prev_since
            previous = Previous(prev.state, prev_since)
        elif current.state == "suspended":
            # A suspension interrupts something that ran: the state before it was operating,
            # even when no report in hand dates its start.
            previous = Previous("operating", None)
        return current.state, since, previous, current

    # -- upcoming ------------------------------------------------------------------------

    def _plans(self) -> list[_Group]:
        out = []
        for g in self.groups:
            if g.facts or g.cls == "doubt":
                continue
            if g.plans or (
                g.cls == "weak"
                and g.date is not None
                and period_start(g.date) > g.first_report.date()
            ):
                out.append(g)
        return out

    def _fulfilled(self, plan: _Group) -> bool:
        """A report says the planned change happened after it was announced."""
        announced = plan.first_report.date()
        plan_articles = {c.article.id for c in plan.claims}
        for g in self.groups:
            if g is plan or g.state != plan.state or not g.facts:
                continue
            for f in g.facts:
                if f.date is not None:
                    if period_end(f.date) >= announced:
                        return True
                elif (
                    g.order is None
                    and f.published > plan.first_report
                    and f.article.id not in plan_articles
                ):
                    return True
        return False

    def _voided_by(self, plan: _Group) -> _Claim | None:
        """A later report that postpones, cancels or reschedules the plan."""
        first = plan.first_report
        plan_claims = plan.claims
        for c in self.claims:
            if c in plan_claims or c.kind in ("doubt", "weak"):
                continue
            later = c.published > max(p.published for p in plan_claims) or any(
                c.article.id == p.article.id and c.position >= p.position for p in plan_claims
            )
            if not later or c.published < first:
                continue
            if (
                c.kind == "fact"
                and c.state != plan.state
                and (c.postponement or c.state == "cancelled")
            ):
                return c
            if c.kind == "neg" and c.modality == "planned" and c.state == plan.state:
                return c  # "will not resume until June"
            if (
                c.kind == "plan"
                and c.state == plan.state
                and c.date is not None
                and (plan.date is None or not _compatible(c.date, plan.date))
                and c.published > max(p.published for p in plan_claims)
                and (_credibility(c) >= max(_credibility(p) for p in plan_claims))
            ):
                # Rescheduled, by a source at least as good; a weaker one only disagrees.
                return c
        return None

    def _upcoming(self, state: State) -> tuple[Upcoming | None, _Group | None]:
        live: list[_Group] = []
        for plan in self._plans():
            if self._fulfilled(plan) or self._voided_by(plan) is not None:
                continue
            if plan.state == state and (plan.date is None or period_start(plan.date) <= self.today):
                continue  # already the state, and no later date: nothing upcoming
            live.append(plan)
        # "Will not resume until June": a plan of its own, for June.
        for c in self.claims:
            if (
                c.kind == "neg"
                and c.modality == "planned"
                and c.until
                and c.date is not None
                and c.state != state
            ):
                later_plans = [
                    p for p in live if p.state == c.state and p.first_report > c.published
                ]
                if not later_plans and not any(
                    g.state == c.state and g.facts and g.start() >= c.published.date()
                    for g in self.groups
                ):
                    live.append(
                        _Group(c.state, "change", [dataclasses.replace(c, kind="plan")], c.date)
                    )
        if not live:
            return None, None
        # The newest information wins; among equals, the firmest then the earliest date.
        # The firmest, best-sourced plan; among equals the newest information, then the
        # earliest date (a carrier's own schedule beats an anonymous tip, a later official
        # reschedule beats the original).
        best = max(
            live,
            key=lambda g: (
                bool(g.plans),
                max(_credibility(c) for c in g.claims),
                g.newest_report,
                -g.start().toordinal(),
            ),
        )
        overdue = best.date is not None and period_end(best.date) < self.today
        sources = self._evidence(best.claims)
        return Upcoming(best.state, best.date, overdue, sources), best

    # -- caveats -------------------------------------------------------------------------

    def _caveats(self, since: DateRef | None, upcoming_group: _Group | None) -> list[Caveat]:
        out: list[Caveat] = []
        seen: set[tuple[str, str]] = set()
        # Caveats qualify the current picture: older than the current state (a denial that
        # the crossing had reopened, before it did) or than CAVEAT_DAYS, they are history.
        # Limits on who may travel and silent state media still qualify the new state.
        horizon = self.as_of - dt.timedelta(days=CAVEAT_DAYS)
        lasting = horizon
        if since is not None:
            start = dt.datetime.combine(period_start(since), dt.time(), tzinfo=dt.UTC)
            horizon = max(horizon, start)

        def add(kind: str, text: str, evidence: Evidence | None) -> None:
            key = (kind, text.casefold())
            if key in seen:
                return
            seen.add(key)
            out.append(Caveat(kind, text, evidence))
            if evidence is not None:
                self._cite(evidence.article_id)

        # Sentence cues near the evidence.
        event_positions: dict[int, set[int]] = {}
        for c in self.claims:
            event_positions.setdefault(c.article.id, set()).add(c.position)
        for aid in sorted(self.about, key=lambda a: self.articles[a].published_at):
            ref = self.articles[aid]
            if ref.published_at < lasting:
                continue
            for row in self.sentences.get(aid, []):
                kinds = ev_mod.caveat_cues(row.text)
                if not kinds:
                    continue
                near = any(abs(row.position - p) <= 2 for p in event_positions.get(aid, ()))
                if not (self.matcher.mentions(row.text) or near):
                    continue
                if self.matcher.foreign_only(row.text):
                    continue
                kinds = [
                    k for k in kinds if k in ("limited", "silent") or ref.published_at >= horizon
                ]
                if not kinds:
                    continue
                attribution = _sentence_attribution(row.text)
                evidence = Evidence(
                    outlet=_cited_outlet(ref, attribution, self.relays.get(aid)),
                    url=ref.url,
                    published_at=ref.published_at,
                    sentence=row.text,
                    article_id=aid,
                    attribution=attribution,
                )
                for kind in kinds:
                    add(kind, _clip_sentence(row.text), evidence)

        # Plans contradicted after their date.
        if upcoming_group is not None:
            for c in self.claims:
                if (
                    c.kind == "neg"
                    and c.state == upcoming_group.state
                    and c.published >= upcoming_group.first_report
                    and c.modality != "planned"
                ):
                    text = _clip_sentence(c.evidence.sentence)
                    add("conflict", f"Reported not to have happened: {text}", c.evidence)
        # Sources disagreeing on the date of the same planned change.
        plans = [g for g in self._plans() if not self._fulfilled(g)]
        for i, a in enumerate(plans):
            for b in plans[i + 1 :]:
                if a.state != b.state or a.date is None or b.date is None:
                    continue
                if _compatible(a.date, b.date):
                    continue
                if {c.origin for c in a.claims} == {c.origin for c in b.claims}:
                    continue
                newer, older = (b, a) if b.newest_report >= a.newest_report else (a, b)
                if self._voided_by(older) is not None:
                    continue
                text = (
                    f"Sources disagree on the date: {_who(older)} say {older.date.label()}; "
                    f"{_who(newer)} say {newer.date.label()}."
                )
                add("conflict", text, newer.claims[0].evidence)
        # Opposite reported states for overlapping dates from different origins.
        facts = [g for g in self.groups if g.facts and g.date is not None]
        for i, a in enumerate(facts):
            for b in facts[i + 1 :]:
                if a.state == b.state or not _compatible(a.date, b.date):  # type: ignore[arg-type]
                    continue
                if a.date.precision != "day" or b.date.precision != "day":  # type: ignore[union-attr]
                    continue
                if {c.origin for c in a.claims} & {c.origin for c in b.claims}:
                    continue
                text = (
                    f"Reports conflict: {_who(a)} report {a.state} on {a.date.label()}; "  # type: ignore[union-attr]
                    f"{_who(b)} report {b.state}."
                )
                add("conflict", text, b.claims[0].evidence)
        # Denied and unconfirmed claims whose sentences carried no cue of their own.
        for g in self.groups:
            if g.cls == "doubt":
                for c in g.claims:
                    if c.published >= horizon:
                        add(c.modality, _clip_sentence(c.evidence.sentence), c.evidence)

        order = {
            "denied": 0,
            "conflict": 1,
            "unconfirmed": 2,
            "limited": 3,
            "hedged": 4,
            "silent": 5,
        }
        out.sort(
            key=lambda cv: (
                order.get(cv.kind, 9),
                -(cv.source.published_at.timestamp() if cv.source else 0),
            )
        )
        return out[:MAX_CAVEATS]

    # -- helpers -------------------------------------------------------------------------

    def _cite(self, article_id: int) -> None:
        ref = self.articles.get(article_id)
        if ref is None:
            return
        if not _known(ref.outlet) and article_id in self.relays:
            ref = dataclasses.replace(ref, outlet=f"{self.relays[article_id]} (via {RELAY_LABEL})")
        self.cited[article_id] = ref

    def _evidence(self, claims: list[_Claim]) -> list[Evidence]:
        out: list[Evidence] = []
        seen: set[tuple[int, str]] = set()
        for c in sorted(claims, key=lambda c: (c.published, c.position)):
            key = (c.article.id, c.evidence.sentence)
            if key in seen:
                continue
            seen.add(key)
            out.append(c.evidence)
            self._cite(c.article.id)
        return out

    def _confidence(
        self,
        state: State,
        current: _Group | None,
        upcoming: Upcoming | None,
        upcoming_group: _Group | None,
        caveats: list[Caveat],
        newest: dt.datetime | None,
    ) -> float:
        if state == "unknown" and upcoming is None:
            return 0.1 if self.claims else 0.0
        basis: list[_Claim] = []
        for g in (current, upcoming_group):
            if g is not None:
                basis.extend(g.claims)
        # An article saying the change has not happened ("two days after the planned restart")
        # mentions the plan but does not back it.
        denying = {(c.article.id, c.state) for c in self.claims if c.kind == "neg"}
        basis = [c for c in basis if (c.article.id, c.state) not in denying]
        origins = {c.origin for c in basis}
        score = 0.25 + 0.15 * min(len(origins), 3)
        kinds = {c.evidence.attribution.kind for c in basis if c.evidence.attribution}
        if "official" in kinds:
            score += 0.1
        if "trade" in kinds or "outlet" in kinds:
            score += 0.05
        score -= min(0.2, 0.1 * sum(1 for c in basis if c.modality == "hedged"))
        caveat_kinds = {c.kind for c in caveats}
        score -= 0.15 if "denied" in caveat_kinds else 0.0
        score -= 0.1 if "conflict" in caveat_kinds else 0.0
        score -= 0.05 if "unconfirmed" in caveat_kinds else 0.0
        score -= 0.05 if "hedged" in caveat_kinds else 0.0
        if upcoming is not None and upcoming.overdue:
            score -= 0.1
        if newest is not None and (self.as_of - newest).days > STALE_DAYS:
            score -= 0.1
        if state == "unknown":
            score = min(score, 0.3)
        return round(min(0.95, max(0.05, score)), 2)

    # -- assembly ------------------------------------------------------------------------

    def status(self) -> Status:
        state, since, previous, current = self._current()
        upcoming, upcoming_group = self._upcoming(state)
        timeline = [
            TimelineEntry(g.date, g.state, g.modality(), self._evidence(g.claims))
            for g in self.groups
        ]
        caveats = self._caveats(since, upcoming_group)
        newest = max((self.articles[a].published_at for a in self.about), default=None)
        confidence = self._confidence(state, current, upcoming, upcoming_group, caveats, newest)
        sources = sorted(self.cited.values(), key=lambda r: (r.published_at, r.id), reverse=True)
        return Status(
            situation=self.situation.key,
            title=self.situation.title,
            as_of=self.as_of,
            state=state,
            since=since,
            previous=previous,
            upcoming=upcoming,
            timeline=timeline,
            caveats=caveats,
            confidence=confidence,
            newest_report=newest,
            sources=sources,
        )


def _who(group: _Group) -> str:
    names: dict[str, None] = {}
    for c in group.claims:
        names.setdefault(c.evidence.outlet, None)
    listed = list(names)
    return ", ".join(listed[:3]) + (" and others" if len(listed) > 3 else "")


def _clip_sentence(text: str, limit: int = 280) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def _sentence_attribution(text: str) -> Attribution | None:
    found = ev_mod.find_attributions(text)
    return found[0][2] if found else None
