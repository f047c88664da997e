"""The state of a situation as of a date, from the events stored with the articles about it.

Pipeline (every step explainable from the evidence it keeps):

1. Articles, published <= as_of: for a declared situation, the newest of those ingest marked as
   about it (bot.store.situations); for an ad-hoc one (or before the marks are rebuilt), its
   FTS match, the best-ranked and the most recent ones, so a late report that overturns a plan
   is never ranked out, then the relevance test of step 2.
2. Relevance: an article is about the situation when a sentence (or its title) names a facet
   together with the situation's places, or with "the two countries". An event counts when the
   clause around its trigger names a facet or refers back ("the service", "the route", "the
   two countries"), or starts with "It"/"They" right after a relevant sentence; a clause that
   names another country and none of the situation's ("train services with Russia resumed last
   year") is about something else. (Movement verbs about people - "passengers were seen
   leaving the train" - are no events at all: bot.analysis.events.)
3. Perspective: restriction events ("the ban was lifted") are turned into the state of the
   service they restrict, unless the situation is itself about that restriction (sanctions,
   a strike), in which case only those events count.
4. Claims, by strength: fact (reported), plan (planned), weak (hedged), doubt (unconfirmed or
   denied); negated reports ("has yet to resume") are counter-evidence, never a change.
5. Timeline: one entry per change. Claims of the same state whose dates are compatible at their
   precision ("this week" = March 2026 holds March 12; two days a day apart) merge whatever
   their strength: a plan, the report that it happened, a hedged photo report and a ministry
   declining to comment are one entry listing every source. The entry's modality is its
   strongest claim's (reported > planned > hedged > unconfirmed > denied) and its date the most
   precise one its strongest claims give. An entry of doubts alone is a caveat, not a change.
   Undated claims:
   - an article's undated sentence joins that article's dated change of the same state ("the
     train runs four times a week" beside "departed on Thursday"), never firmer than that
     article's dated claim (beside a plan it is a plan, beside a hedge a hedge);
   - otherwise a report of the state already in effect when it was published restates it
     ("trains remain suspended"); a plan or doubt joins the same-state change reported around
     then; an undated report joins another undated one of that state within 45 days with no
     other change between ("may be postponed", then "has been postponed");
   - only what nothing dates stands alone, taking effect when first reported done.
6. Current state: the latest reported change in effect by as_of; since: the start of the run
   of changes to that state; previous: the state before that run and when it began. When
   nothing dates an earlier state, previous is "operating" (undated) only if a report's words
   imply the service ran ("resume", "restart", "reopen", "the first train since 2020", or a
   suspension verb that interrupts: "suspended", "halted", "closed", "no trains have run");
   "postponed", "banned", "cancelled" imply nothing, and previous is then None.
7. Upcoming: the newest live announced plan (not fulfilled by a report of that state, not
   postponed, cancelled, rescheduled or denied by a later, at least as credible report). A
   hedged "could reopen next week" is a rumour: a hedged entry and a caveat, never upcoming.
   Overdue when the date has passed without any report of it happening; never shown as done.
   Its sources are the claims announcing it (a doubt about it is a caveat, not a source).
8. Caveats: sentence cues (unconfirmed, denied, limited, hedged, silent) near the evidence,
   doubts and hedged claims without cues of their own, date conflicts between sources, and
   reports contradicting a plan. A caveat is history, and dropped, when
   - it is older than CAVEAT_DAYS before the newest report on the situation (age is measured
     against newer coverage, not the calendar: asked months later with nothing newer, the
     last reports' doubts still stand, and staleness is flagged on its own);
   - it was published before the current state began, by an article that does not report
     that state (the ministry declining to confirm a restart, once the train has run);
   - every claim it is about is settled: a doubt, negation or hedge by a later report that
     the change happened; a plan or rumour also by its postponement or denial, or by its
     date passing ("strike next week", read a month later);
   - it is a limit ("tourists not yet eligible") from before the previous change of state,
     or bounded by a date now past ("a reduced timetable until Monday").
9. Confidence (0.05-0.95), from the claims behind the answer (the current change and the
   upcoming plan, without articles saying it did not happen):
       0.20 + 0.15 x S, S = sum over independent origins of their firmest claim
                            (reported 1, planned 0.5, hedged 0.35, doubts 0), at most 3
       + 0.10 if an official source reports or announces it, + 0.05 if a named outlet or
         trade source does
       - 0.15 denied, - 0.10 conflict, - 0.05 unconfirmed, - 0.05 hedged (caveats about the
         answer's own claims, or about the situation in general)
       - 0.10 when the upcoming plan is overdue, - 0.10 when the newest report is > STALE_DAYS
       capped at 0.30 when the state is unknown.
   So one outlet's report, with its plan and a doubt, scores about 0.45; two independent
   reports, one officially sourced, about 0.65; three, about 0.8.

Evidence order: each entry's sources are listed most direct first - a report before a plan
before a hedge before a doubt; a sentence whose own verb names the change before a noun
("the resumption") before one that implies it ("the first train since 2020"); the entry's own
date before a vaguer or derived one before none; then the most authoritative source, then the
newest.

Sources: an article whose outlet is unknown (a file dump) but which relays a named outlet ("...,
The Guardian reported") is cited as "The Guardian (via the article)"; a sentence quoting
another outlet in a known outlet's article is cited as "Yonhap (via Reuters)". Independence is
counted on those origins, so two copies of one wire story count once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import sqlite_utils

from bot.analysis import events as ev_mod
from bot.analysis import service
from bot.analysis.dates import dateline_end, find_dates, period_end, period_start
from bot.analysis.relevance import SituationMatcher, signature
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
from bot.store import situations as situation_index

# How many articles to read: the best-ranked and the newest within RECENT_DAYS of as_of.
TOP_ARTICLES = 100
RECENT_ARTICLES = 100
RECENT_DAYS = 60
# Recent articles naming the subject but none of the places by name, read in case a city
# names the country (see _candidate_articles).
CITY_ONLY_ARTICLES = 50
# Caveats older than this (before as_of) no longer qualify the current picture, unless they
# back the current state's own reports.
CAVEAT_DAYS = 180
MAX_CAVEATS = 8
# Coverage older than this makes the answer stale.
STALE_DAYS = 60
# Counting coverage to pick among situations stops here: beyond it, more is not more telling.
COVERAGE_CAP = 500
UNKNOWN_OUTLETS = {"", "unknown", "none"}
# How a relayed source is labelled when the relaying article names no outlet of its own.
RELAY_LABEL = "the article"

_POSTPONEMENT = re.compile(
    r"postpon|delay|put\s+off|pushed\s+back|on\s+hold|cancel|call\w*\s+(?:\w+\s+){0,3}off|scrap"
    r"|axe|abandon|discontinu",
    re.IGNORECASE,
)
_STATES: tuple[State, ...] = ("operating", "suspended", "cancelled", "unknown")
_CREDIBILITY = {"official": 3, "outlet": 2, "trade": 2, "unknown": 1, "anonymous": 0}
# Words that presuppose the service ran before (see _Engine._ran_before).
_RESUMPTIVE = frozenset(
    {"resume", "restart", "reopen", "restore", "relaunch", "reinstate", "back in service"}
    | {"return", "is back", "comeback"}
    | {"first since", "gap"}
)
# Changes whose verb presupposes the state before them (see _Engine._presupposed): by the
# state presupposed. Lifting or ending something presupposes it in force; resuming, that it
# was suspended.
_PRESUPPOSING: dict[State, frozenset[str]] = {
    "operating": frozenset({"lift", "end"}),
    "suspended": frozenset({"resume", "restart", "reopen", "restore", "relaunch", "reinstate"}),
}
_INTERRUPTIVE = frozenset(
    {"suspend", "halt", "pause", "stop", "close", "shut", "freeze", "ground", "out of service"}
    | {"first since", "gap"}
)


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
    """One change in the timeline: every claim of that state whose dates are compatible.

    Claims of every strength join one group (a plan, the report that it happened, a hedged
    photo report and a declined comment on the same resumption); the group's modality is its
    strongest claim's, and a group with only doubts (unconfirmed, denied) is a caveat, not a
    change.
    """

    state: State
    claims: list[_Claim]
    date: DateRef | None = None
    # Where an undated change sits in time when its sentence says ("resumed on 17 January
    # after a fault halted them": the halt comes just before the resumption).
    order: dt.date | None = None
    # The sort key of the claim that gives `date` (see add_dated).
    date_key: tuple[int, int, bool, bool, dt.datetime] | None = None

    def _of(self, kind: str) -> list[_Claim]:
        return [c for c in self.claims if c.kind == kind]

    @property
    def facts(self) -> list[_Claim]:
        return self._of("fact")

    @property
    def plans(self) -> list[_Claim]:
        return self._of("plan")

    @property
    def weak(self) -> list[_Claim]:
        return self._of("weak")

    @property
    def doubts(self) -> list[_Claim]:
        return self._of("doubt")

    @property
    def shown(self) -> bool:
        """Whether the group is a timeline entry: something supports it beyond doubts."""
        return any(c.kind in _SUPPORT for c in self.claims)

    @property
    def first_report(self) -> dt.datetime:
        return min(c.published for c in self.claims)

    @property
    def newest_report(self) -> dt.datetime:
        return max(c.published for c in self.claims)

    @property
    def first_fact(self) -> dt.datetime:
        """When a report first said the change happened (else when it was first mentioned)."""
        return min((c.published for c in self.facts), default=self.first_report)

    def start(self) -> dt.date:
        """The earliest the change can have taken effect: its date, else the first report
        that it happened (a rumour before it does not move it earlier)."""
        if self.date is not None:
            return period_start(self.date)
        return self.order if self.order is not None else self.first_fact.date()

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
            day = self.first_fact.date()
        return day, self.newest_report

    def modality(self) -> Modality:
        """The strongest evidence: reported > planned > hedged > unconfirmed > denied."""
        if self.facts:
            return "reported"
        if self.plans:
            return "planned"
        if self.weak:
            return "hedged"
        found = {c.modality for c in self.claims}
        return "unconfirmed" if "unconfirmed" in found or "denied" not in found else "denied"

    def add_dated(self, c: _Claim) -> None:
        """Add a dated claim; the group's date becomes the most precise one its strongest
        claims give (a report's over a plan's at the same precision, a named date over one
        counted back; weaker claims only when nothing firmer dates it)."""
        self.claims.append(c)
        key = _date_key(c)
        if self.date_key is None or key < self.date_key:
            self.date_key = key
            self.date = c.date


_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


def _date_key(c: _Claim) -> tuple[int, int, bool, bool, dt.datetime]:
    assert c.date is not None
    tier = 0 if c.kind in ("fact", "plan") else 1 if c.kind == "weak" else 2
    return (
        tier,
        _PRECISION_RANK[c.date.precision],
        _derived_date(c.date),
        c.kind != "fact",
        c.published,
    )


# Claims that support a change (as opposed to doubting it), strongest first.
_SUPPORT = ("fact", "plan", "weak")
_KIND_RANK = {"fact": 0, "plan": 1, "weak": 2, "neg": 3, "doubt": 4}


def _compatible(a: DateRef, b: DateRef) -> bool:
    """Same change at their precisions: the periods overlap (a day either side for two days).

    A date counted back from a duration ("six years after", "the first in three months") is
    approximate: it may fall one period either side (a year, a month, three days).
    """
    if a.precision == "day" and b.precision == "day":
        slack = 3 if _derived_date(a) or _derived_date(b) else 1
        return abs((a.value - b.value).days) <= slack
    a0, a1 = _span(a)
    b0, b1 = _span(b)
    return a0 <= b1 and b0 <= a1


def _span(ref: DateRef) -> tuple[dt.date, dt.date]:
    start, end = period_start(ref), period_end(ref)
    if not _derived_date(ref):
        return start, end
    if ref.precision == "year":
        return start.replace(year=start.year - 1), end.replace(year=end.year + 1)
    if ref.precision == "month":
        before = (start - dt.timedelta(days=1)).replace(day=1)
        after = period_end(DateRef(end + dt.timedelta(days=1), "month"))
        return before, after
    return start - dt.timedelta(days=3), end + dt.timedelta(days=3)


def _norm_outlet(name: str) -> str:
    return re.sub(r"^the\s+", "", name.strip().casefold())


def _known(outlet: str | None) -> bool:
    return (outlet or "").strip().casefold() not in UNKNOWN_OUTLETS


def _cited_outlet(article: ArticleRef, attribution: Attribution | None, relay: str | None) -> str:
    """How to name the source of one sentence (see the module docstring)."""
    via = article.outlet if _known(article.outlet) else RELAY_LABEL
    if attribution is not None and attribution.kind == "outlet":
        named = attribution.name
        if _own_staff(article, named) or (
            _known(article.outlet) and _norm_outlet(named) in _norm_outlet(article.outlet)
        ):
            return article.outlet
        return f"{named} (via {via})"
    if _known(article.outlet):
        return article.outlet
    return f"{relay} (via {RELAY_LABEL})" if relay else article.outlet or "unknown"


def _own_staff(article: ArticleRef, named: str) -> bool:
    """'AFP journalists at the scene' in an AFP story: the outlet's own reporting, no relay."""
    outlet = article.outlet
    return (
        _known(outlet)
        and len(outlet) > 1
        and bool(re.search(rf"(?<!\w){re.escape(outlet)}(?!\w)", named, re.IGNORECASE))
    )


def _origin(article: ArticleRef, attribution: Attribution | None, relay: str | None) -> str:
    """The independent origin of a report: the outlet it ultimately comes from."""
    if (
        attribution is not None
        and attribution.kind == "outlet"
        and not _own_staff(article, attribution.name)
    ):
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
    db: sqlite_utils.Database,
    match: str,
    as_of: dt.datetime,
    matcher: SituationMatcher | None = None,
) -> list[ArticleRef]:
    if not match:
        return []
    found: dict[int, ArticleRef] = {}
    since = as_of - dt.timedelta(days=RECENT_DAYS)
    for ref, _score in search.match_articles(db, match, until=as_of, limit=TOP_ARTICLES):
        found[ref.id] = ref
    recent = search.match_articles(db, match, since=since, until=as_of, limit=RECENT_ARTICLES)
    for ref, _score in recent:
        found[ref.id] = ref
    if matcher is not None:
        # Reports that name the situation by its own name alone ("Torkham reopens"), or a
        # country by one of its cities ("shipments resumed from Nashik"): the place names the
        # FTS query requires are missing. The relevance test decides on these.
        names = _key_facet_names(matcher.situation)
        if names:
            for ref, _score in search.match_articles(
                db, fts.any_of(names), until=as_of, limit=TOP_ARTICLES
            ):
                found.setdefault(ref.id, ref)
        if any(matcher.group_codes) and matcher.situation.facets:
            facets = fts.any_of(matcher.situation.facets)
            for ref, _score in search.match_articles(
                db, facets, since=since, until=as_of, limit=CITY_ONLY_ARTICLES
            ):
                found.setdefault(ref.id, ref)
    return sorted(found.values(), key=lambda r: (r.published_at, r.id))


def _key_facet_names(sit: Situation) -> list[str]:
    from bot.analysis.relevance import key_facet_names

    return key_facet_names(sit)


# ----------------------------------------------------------------------------- the engine


def build_status(db: sqlite_utils.Database, situation: Situation, *, as_of: dt.datetime) -> Status:
    """The state of `situation` as of `as_of`, from articles published by then."""
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=dt.UTC)
    matcher = SituationMatcher.build(situation)
    # A declared situation's articles were marked at ingest with this very matcher: read the
    # newest of them. Otherwise (an ad-hoc pair, or tags not yet rebuilt) search and test.
    tagged = situation_index.is_tagged(db, situation.key, signature(situation))
    if tagged:
        articles = situation_index.articles_about(
            db, situation.key, until=as_of, limit=TOP_ARTICLES + RECENT_ARTICLES
        )
    else:
        articles = _candidate_articles(db, _situation_match(situation), as_of, matcher)
    articles = [a for a in articles if a.published_at <= as_of]
    if not articles:
        return _empty(situation, as_of)
    by_id = {a.id: a for a in articles}
    sentences = search.sentences_of(db, by_id)
    about = (
        set(by_id)
        if tagged
        else {
            aid
            for aid, ref in by_id.items()
            if matcher.about(ref.title, [s.text for s in sentences.get(aid, [])])
        }
    )
    if not about:
        return _empty(situation, as_of)
    stored = [se for se in search.events_for_articles(db, about) if se.article.id in about]
    relays = _relays(stored)
    claims = _retract(_claims(stored, sentences, matcher, relays))
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
    matcher: SituationMatcher,
    relays: dict[int, str],
) -> list[_Claim]:
    texts = {(aid, r.position): r.text for aid, rows in sentences.items() for r in rows}

    def relevant(aid: int, position: int) -> bool:
        text = texts.get((aid, position))
        return text is not None and (matcher.names_facet(text) or matcher.refers_back(text))

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
        previous = relevant(se.article.id, se.sentence.position - 1)
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


def _retract(claims: list[_Claim]) -> list[_Claim]:
    """Drop the reports an outlet's own correction retracts.

    "Correction: An earlier version of this story said the crossing had reopened on Monday":
    the outlet's earlier report of that change (same origin, same state, a compatible date or
    none) is withdrawn, not merely disputed; the correction itself stays, as a denial.
    """
    corrections = [
        c
        for c in claims
        if c.kind == "doubt"
        and c.modality == "denied"
        and ev_mod.is_correction(c.evidence.sentence)
    ]
    if not corrections:
        return claims

    def retracted(c: _Claim) -> bool:
        if c.kind not in _SUPPORT:
            return False
        return any(
            k.state == c.state
            and k.published >= c.published
            and k.article.id != c.article.id
            and (
                k.origin == c.origin
                or _norm_outlet(k.article.outlet) == _norm_outlet(c.article.outlet)
            )
            and (k.date is None or c.date is None or _compatible(k.date, c.date))
            and (c.date is not None or k.published - c.published <= dt.timedelta(days=2))
            for k in corrections
        )

    return [c for c in claims if not retracted(c)]


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

    # Dated claims, most precise first, so "this week" and "March 2026" join "March 12".
    dated = sorted(
        (c for c in claims if c.date is not None and c.kind != "neg"),
        key=lambda c: (rank[c.date.precision], _KIND_RANK[c.kind], c.published, c.position),  # type: ignore[union-attr]
    )
    # Groups by (state, year): a date's period never spans two years, so only the claim's year
    # (and, a day either side, the next or previous one) can hold a compatible group.
    buckets: dict[tuple[State, int], list[_Group]] = {}
    for c in dated:
        assert c.date is not None
        years = {c.date.value.year}
        if c.date.precision == "day":
            years |= {(c.date.value + dt.timedelta(days=d)).year for d in (-1, 1)}
        if _derived_date(c.date):
            # "after a 13-year gap" is about a year either side of 2013: it may join 2012.
            lo, hi = _span(c.date)
            years |= set(range(lo.year, hi.year + 1))
        target = next(
            (
                g
                for year in sorted(years)
                for g in buckets.get((c.state, year), ())
                if g.date is not None and _compatible(g.date, c.date)
            ),
            None,
        )
        if target is None:
            target = _Group(c.state, [])
            target.add_dated(c)
            groups.append(target)
        else:
            old_year = target.date.value.year if target.date else None
            target.add_dated(c)
            if target.date is not None and target.date.value.year != old_year:
                buckets[(c.state, old_year)].remove(target)  # type: ignore[index]
            else:
                continue
        assert target.date is not None
        buckets.setdefault((c.state, target.date.value.year), []).append(target)

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
                # "resumed on 17 January after a fault halted them": just before the anchor;
                # "reopened in February but closed again weeks later": just after it.
                day = min(period_end(anchor.date), anchor.published.date())
                step = 1 if _comes_after(c.evidence.sentence, anchor.trigger, c.trigger) else -1
                groups.append(_Group(c.state, [c], None, order=day + dt.timedelta(days=step)))
                continue
        target = _same_article(groups, c)
        if target is not None:
            _demote(c, target)
            target.claims.append(c)
            continue
        target = _undated_home(groups, c)
        if target is not None:
            target.claims.append(c)
        else:
            groups.append(_Group(c.state, [c], None))
    groups.sort(key=lambda g: g.key())
    return groups


def _same_article(groups: list[_Group], c: _Claim) -> _Group | None:
    """The group where the claim's own article dates a change of the same state.

    An article rarely reports two changes of one state: "the K27 departed on Thursday ... the
    train runs four times a week" is one story, so the undated sentence joins the dated one.
    """
    past = c.kind == "fact" and _past_form(c.trigger)
    best: tuple[tuple[int, int], _Group] | None = None
    for g in groups:
        if g.state != c.state:
            continue
        own = [o for o in g.claims if o.article.id == c.article.id]
        if not own:
            continue
        # "Services were halted" beside "to be halted on Friday": a past report does not join
        # a plan that nobody reports done.
        if past and not g.facts and not any(o.kind == "weak" for o in own):
            continue
        score = (
            0 if any(o.kind == c.kind for o in own) else 1,
            min(abs(o.position - c.position) for o in own),
        )
        if best is None or score < best[0]:
            best = (score, g)
    return best[1] if best else None


def _demote(c: _Claim, target: _Group) -> None:
    """An undated restatement is only as firm as its article's dated claim of that change:
    "great to see it resuming" beside "to resume on Thursday" supports the plan; "the train
    then left for Pyongyang" beside "photos appeared to show it arrive" is hedged too."""
    own = [o for o in target.claims if o.article.id == c.article.id and o.kind in _SUPPORT]
    if not own or c.kind not in _SUPPORT:
        return
    strongest = min(own, key=lambda o: _KIND_RANK[o.kind])
    if strongest.kind == "plan" and c.kind == "fact" and _past_form(c.trigger):
        return  # "has been called off" beside "trains will run on Friday": done, not planned
    if _KIND_RANK[c.kind] < _KIND_RANK[strongest.kind]:
        c.kind = strongest.kind
        c.modality = "planned" if strongest.kind == "plan" else "hedged"


def _undated_home(groups: list[_Group], c: _Claim) -> _Group | None:
    """Where an undated claim from an article that dates nothing of that state belongs."""
    if c.kind in ("fact", "weak"):
        # "Trains remain suspended", "services are running again": the state in effect when
        # the article appeared, if it is this one, restated.
        in_effect = [
            g
            for g in groups
            if g.facts
            and g.start() <= c.published.date()
            and any(f.published <= c.published for f in g.facts)
        ]
        latest = max(in_effect, key=lambda g: g.key(), default=None)
        if latest is not None and latest.state == c.state:
            return latest
    if c.kind == "fact":
        # "Shipments resumed after the ban was lifted", a few days after the date announced
        # for the lifting: the report that the plan happened, dated by it.
        published = c.published.date()
        due = [
            g
            for g in groups
            if g.state == c.state
            and g.plans
            and not g.facts
            and g.date is not None
            and period_start(g.date) <= published
            and (published - period_end(g.date)).days <= _PLAN_REPORT_DAYS
            and g.first_report < c.published
            and not any(
                o.facts
                and o.state != c.state
                and o.date is not None
                and period_start(g.date) <= period_start(o.date) <= published
                for o in groups
            )
        ]
        if due:
            return max(due, key=lambda g: g.key())
    if c.kind in ("plan", "doubt"):
        # A plan, or a doubt about one, joins the same-state change announced or reported
        # around the same time ("officials would not confirm the restart").
        near = [
            g
            for g in groups
            if g.state == c.state
            and g.shown
            and (g.plans or g.weak or g.start() >= c.published.date() - dt.timedelta(days=7))
            and abs((g.first_report - c.published).days) <= 45
        ]
        if near:
            return min(near, key=lambda g: abs((g.first_report - c.published).total_seconds()))
    # Another undated report of the same state around the same time: "may be postponed",
    # then "has been postponed", is one change, taking effect when reported done.
    for g in groups:
        if (
            g.date is None
            and g.order is None
            and g.state == c.state
            and abs((c.published - g.newest_report).days) <= 45
            # ... and no other change reported in between (then this one is new).
            and not any(
                o.facts and o.state != c.state and g.key()[0] < o.key()[0] <= c.published.date()
                for o in groups
            )
        ):
            return g
    return None


# How long after a plan's date an undated report of that change still reports the plan.
_PLAN_REPORT_DAYS = 14

_LATER = re.compile(
    r"\b(?:but|then|later|again|subsequently|since|only\s+to|before\s+being)\b", re.IGNORECASE
)


def _comes_after(sentence: str, anchor: str, trigger: str) -> bool:
    """Whether the undated change in `sentence` follows the dated one in time."""
    a, t = sentence.find(anchor), sentence.find(trigger)
    if a < 0 or t < 0 or t < a:
        return False
    between = sentence[a + len(anchor) : t]
    return bool(_LATER.search(between)) and not re.search(r"\bafter\b", between, re.I)


_PAST_FORM = re.compile(r"(?:ed|\bran|\bleft|\bwent|\bbegan|\btook|\bfroze|\bheld)$", re.IGNORECASE)


def _past_form(trigger: str) -> bool:
    """A finite past form ("halted", "called off", "the strike ... has been called off") as
    opposed to "resuming" or "resumption"."""
    words = trigger.split()
    if not words:
        return False
    return bool(
        _PAST_FORM.search(words[-1])
        or _PAST_FORM.search(words[0])
        or re.search(r"\b(?:has|have|had|was|were)\s+(?:been\s+)?\w+", trigger, re.IGNORECASE)
    )


@dataclass
class _Engine:
    situation: Situation
    as_of: dt.datetime
    matcher: SituationMatcher
    articles: dict[int, ArticleRef]
    about: set[int]
    sentences: dict[int, list[search.SentenceRow]]
    relays: dict[int, str]
    claims: list[_Claim]
    groups: list[_Group]
    caveats: list[Caveat] = field(default_factory=list)
    cited: dict[int, ArticleRef] = field(default_factory=dict)
    # Filled by _current(): the groups of the current state's run, and where the current and
    # the previous runs began (the horizons that make older caveats history).
    run: list[_Group] = field(default_factory=list)
    run_start: dt.date | None = None
    previous_start: dt.date | None = None
    group_of: dict[int, _Group] = field(default_factory=dict)
    # The claims each caveat is about (by id of the Caveat), to tell whether it bears on the
    # answer's own evidence.
    caveat_subjects: dict[int, list[_Claim]] = field(default_factory=dict)
    _state: State = "unknown"

    def __post_init__(self) -> None:
        self.group_of = {id(c): g for g in self.groups for c in g.claims}

    @property
    def today(self) -> dt.date:
        return self.as_of.date()

    # -- current state -------------------------------------------------------------------

    def _effective(self) -> list[_Group]:
        """Reported changes in effect by as_of, oldest first.

        Two outlets reporting opposite states for the same day (one says it reopened, the
        other that it is still shut) leave the later report standing: the earlier one is shown,
        with the conflict, but is no change of its own.
        """
        out = [
            g
            for g in self.groups
            if (g.facts or id(g) in self._presupposed) and g.start() <= self.today
        ]
        return sorted((g for g in out if not _overruled(g, out)), key=lambda g: g.key())

    @cached_property
    def _presupposed(self) -> set[int]:
        """Plans whose date has passed that later reports take as done (by id of the group).

        "Will ban exports from April 28", then in May "will lift its export ban": lifting a
        ban presupposes it is in force, as resuming a service presupposes it was suspended.
        Nobody reported the ban taking effect, but every later report speaks as if it had.
        """
        out: set[int] = set()
        for g in self.groups:
            if g.facts or not g.plans or g.date is None:
                continue
            begun = period_start(g.date)
            if begun > self.today:
                continue
            for c in self.claims:
                if (
                    c.state == g.state
                    or c.kind not in ("fact", "plan")
                    or c.published.date() < begun
                    or c.article.id in {p.article.id for p in g.claims}
                ):
                    continue
                lemma = ev_mod.lemma_of(c.trigger, c.evidence.sentence)
                if lemma in _PRESUPPOSING.get(g.state, ()):
                    out.add(id(g))
                    break
        return out

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
        self.run = effective[i:]
        self.run_start = min(g.start() for g in self.run)
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
            self.previous_start = effective[j].start()
        elif current.state == "suspended" and self._ran_before():
            # Only when the reports say so ("resume", "halted", "the first train since
            # 2020"): the service ran before, though no report in hand dates that.
            previous = Previous("operating", None)
        return current.state, since, previous, current

    def _ran_before(self) -> bool:
        """Whether any report's words imply the service operated before its suspension.

        "Resume", "restart", "reopen" (in any report, planned or doubted) and "the first train
        since 2020" say it ran before; "suspended", "halted", "closed" and "no longer runs" in
        the current run interrupt something running. "Postponed", "banned", "on hold" do not:
        an event postponed, a scheme delayed, a route banned may never have run at all.
        """
        run = {id(c) for g in self.run for c in g.claims}
        for c in self.claims:
            lemma = ev_mod.lemma_of(c.trigger, c.evidence.sentence)
            if lemma is None:
                continue
            if c.state == "operating" and lemma in _RESUMPTIVE:
                return True
            if id(c) in run and (
                lemma in _INTERRUPTIVE or ev_mod.LEMMA_STATES.get(lemma) == "operating"
            ):
                return True  # "were halted", "no trains have run since 2020"
        return False

    # -- upcoming ------------------------------------------------------------------------

    def _plans(self) -> list[_Group]:
        out = []
        for g in self.groups:
            if id(g) in self._presupposed:
                continue  # taken as done
            # Announced changes only: a hedged "could reopen next week" is a rumour (a hedged
            # timeline entry and a caveat), never the next thing to happen.
            if g.plans and not g.facts:
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
        # The claims that announce the plan: hedges and doubts merged into its entry ("it is
        # unclear whether the flights will go ahead") do not renew it, and may void it.
        plan_claims = (
            [p for p in plan.claims if p.kind == "plan"]
            or [p for p in plan.claims if p.kind in _SUPPORT]
            or plan.claims
        )
        first = min(p.published for p in plan_claims)
        own_sentences = {p.sentence_id for p in plan_claims}
        for c in self.claims:
            if c in plan_claims or c.kind == "weak":
                continue
            if c.sentence_id in own_sentences and not any(
                p.published < c.published for p in plan_claims
            ):
                # "delayed until January 15": the postponement announces this plan. (One
                # whose new date matches an older plan's still voids that older plan.)
                continue
            if c.kind == "doubt" and c.modality != "denied":
                continue
            later = c.published > max(p.published for p in plan_claims) or any(
                c.article.id == p.article.id and c.position >= p.position for p in plan_claims
            )
            if not later or c.published < first:
                continue
            if c.date is not None and period_end(c.date) < first.date():
                # History the announcement itself recalls ("will be held on April 12 ... was
                # cancelled in 2020"): over before the plan was made, so it cannot void it.
                continue
            if (
                c.kind == "fact"
                and c.state != plan.state
                and (c.postponement or c.state == "cancelled")
            ):
                return c
            if (
                c.kind == "neg"
                and c.modality == "planned"
                and c.state == plan.state
                and (
                    c.until or c.date is None or plan.date is None or _compatible(c.date, plan.date)
                )
            ):
                # "will not resume until June"; "had been expected to open early this month"
                # voids the plan for this month, not a later one.
                return c
            if (
                c.kind == "doubt"
                and c.modality == "denied"
                and _about_future(c)  # "denied it would", not "denied it had"
                and c.state == plan.state
                and (c.date is None or plan.date is None or _compatible(c.date, plan.date))
                and c.published > max(p.published for p in plan_claims)
                and _credibility(c) >= max(_credibility(p) for p in plan_claims)
            ):
                return c  # denied afterwards by a source at least as good as the plan's
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
                    live.append(_Group(c.state, [dataclasses.replace(c, kind="plan")], c.date))
        if not live:
            return None, None
        # The best-sourced plan; among equals the newest information, then the earliest date
        # (a carrier's own schedule beats an anonymous tip, a later official reschedule beats
        # the original). Doubts merged into a plan's entry do not make it better sourced.
        best = max(
            live,
            key=lambda g: (
                max(_credibility(c) for c in g.claims if c.kind in _SUPPORT),
                g.newest_report,
                -g.start().toordinal(),
            ),
        )
        overdue = best.date is not None and period_end(best.date) < self.today
        # Who says it is coming: doubts about it are caveats, not sources of the plan.
        sources = self._evidence([c for c in best.claims if c.kind in _SUPPORT], best)
        return Upcoming(best.state, best.date, overdue, sources), best

    # -- caveats -------------------------------------------------------------------------

    def _settled(self, c: _Claim) -> bool:
        """Whether a later report has overtaken what the claim was about.

        A doubt ("declined to confirm the restart"), a negative ("has yet to resume") or a
        hedge ("photos appeared to show") is settled by a later report that the change
        happened; a plan or a rumour also by a later postponement, reschedule or denial.
        Plain reports stand: they are the evidence, not something about it.
        """
        if c.kind == "fact":
            return False
        if (
            c.kind in ("doubt", "weak")
            and c.date is not None
            and period_end(c.date) < self.today
            and _about_future(c)
        ):
            return True  # a rumour (or its denial) about a time then ahead, now past
        group = self.group_of.get(id(c))
        candidates = [group] if group is not None else []
        if c.kind == "neg":
            candidates = [
                g for g in self.groups if g.state == c.state and g.start() >= c.published.date()
            ]
        for g in candidates:
            if any(f.published > c.published for f in g.facts):
                return True
        if (c.kind == "plan" or (c.kind == "weak" and _future(c))) and group and not group.facts:
            # A hedged report of something past that is then denied is a contradiction, shown
            # as both; a rumour of something to come that is denied is void.
            return self._fulfilled(group) or self._voided_by(group) is not None
        return False

    def _superseded(
        self,
        kind: str,
        article_id: int,
        published: dt.datetime,
        subject: list[_Claim],
        sentence: str = "",
    ) -> bool:
        """Whether a caveat no longer qualifies the current picture (see the module docstring)."""
        if published < self._caveat_horizon:
            return True
        if kind == "limited" and sentence and _expired(sentence, published, self.today):
            return True  # "a reduced timetable until Monday", read after Monday
        if kind == "limited":
            # Limits on who may use a service hold until the service changes again: a limit on
            # the previous operating run is history, one on the coming resumption is not.
            horizon = self.previous_start if self._state == "operating" else self.run_start
            if horizon is not None and published.date() < horizon:
                return True
            # ... or until a later report says it runs in full ("fully reopened on Monday").
            return self._state == "operating" and any(
                c.kind == "fact"
                and c.published > published
                and ev_mod.full_service(c.evidence.sentence)
                for g in self.run
                for c in g.claims
            )
        if self.run_start is not None and published.date() < self.run_start:
            # Said before the current state began, by an article that does not report it.
            confirming = {
                c.article.id for g in self.run for c in g.claims if c.kind in ("fact", "weak")
            }
            if article_id not in confirming:
                return True
        return bool(subject) and all(self._settled(c) for c in subject)

    def _subject(self, article_id: int, position: int) -> list[_Claim]:
        """The claims a caveat sentence is about: its own, else its article's nearest (±2)."""
        near = [
            (abs(c.position - position), c)
            for c in self.claims
            if c.article.id == article_id and abs(c.position - position) <= 2
        ]
        if not near:
            return []
        best = min(d for d, _ in near)
        return [c for d, c in near if d == best]

    @cached_property
    def _caveat_horizon(self) -> dt.datetime:
        """Caveats published before this are history: CAVEAT_DAYS before the newest report.

        Computed once per status: `about` is settled before caveats are weighed.
        """
        newest = max((self.articles[a].published_at for a in self.about), default=self.as_of)
        return newest - dt.timedelta(days=CAVEAT_DAYS)

    def _caveats(self, upcoming_group: _Group | None) -> list[Caveat]:
        out: list[Caveat] = []
        seen: set[tuple[str, str]] = set()

        def add(
            kind: str, text: str, evidence: Evidence | None, subject: list[_Claim] | None = None
        ) -> None:
            key = (kind, text.casefold())
            if key in seen:
                return
            seen.add(key)
            caveat = Caveat(kind, text, evidence)
            out.append(caveat)
            self.caveat_subjects[id(caveat)] = subject or []
            if evidence is not None:
                self._cite(evidence.article_id)

        # Sentence cues near the evidence.
        event_positions: dict[int, set[int]] = {}
        for c in self.claims:
            event_positions.setdefault(c.article.id, set()).add(c.position)
        oldest = self._caveat_horizon
        for aid in sorted(self.about, key=lambda a: self.articles[a].published_at):
            ref = self.articles[aid]
            if ref.published_at < oldest:
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
                subject = self._subject(aid, row.position)
                kept = []
                for k in kinds:
                    # A hedge is about the hedged claims of its sentence, a doubt about the
                    # doubted ones ("the first train in six years arrived, photos appeared
                    # to show": the arrival is hedged, the six years are not).
                    own = {"hedged": "weak", "unconfirmed": "doubt", "denied": "doubt"}.get(k)
                    about = [c for c in subject if c.kind == own] or subject
                    if not self._superseded(k, aid, ref.published_at, about, row.text):
                        kept.append((k, about))
                if not kept:
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
                for kind, about in kept:
                    add(kind, _clip_sentence(row.text), evidence, about)

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
                add("conflict", text, _lead(newer))
        # Sources describing the same change differently: how often it runs, between where.
        for group in (self.run[-1] if self.run else None, upcoming_group):
            if group is None:
                continue
            details = self._details(group)
            if len({round(f.per_week, 2) for f, _, _ in details.values()}) < 2:
                continue
            parts = [
                f"{c.evidence.outlet}: {service.describe(f, where)}"
                for f, where, c in details.values()
            ]
            newest = max((c for _, _, c in details.values()), key=lambda c: c.published)
            text = "Sources differ on the details: " + "; ".join(parts) + "."
            add("conflict", text, newest.evidence, [c for _, _, c in details.values()])
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
                if (
                    self.run_start is not None
                    and max(
                        period_end(a.date),
                        period_end(b.date),  # type: ignore[arg-type]
                    )
                    < self.run_start
                ):
                    continue  # a disagreement about a day before the current state began
                text = (
                    f"Reports conflict: {_who(a)} report {a.state} on {a.date.label()}; "  # type: ignore[union-attr]
                    f"{_who(b)} report {b.state}."
                )
                add("conflict", text, _lead(b))
        # Denied and unconfirmed claims whose sentences carried no cue of their own: a doubt
        # is a caveat on the change it doubts, never a change of its own.
        for c in self.claims:
            if c.kind != "doubt":
                continue
            if self._superseded(c.modality, c.article.id, c.published, [c]):
                continue
            add(c.modality, _clip_sentence(c.evidence.sentence), c.evidence, [c])
        # Hedged claims ("could instead take place in October") that back the current state or
        # rumour a change to come, when their sentence had no hedging cue of its own.
        for c in self.claims:
            if c.kind != "weak":
                continue
            group = self.group_of.get(id(c))
            rumour = (c.date is not None and period_start(c.date) > self.today) or (
                # "could open in the coming weeks": undated, but still to come.
                c.date is None and c.state != self._state and _about_future(c)
            )
            if not (rumour or (group is not None and group in self.run)):
                continue
            if self._superseded("hedged", c.article.id, c.published, [c]):
                continue
            add("hedged", _clip_sentence(c.evidence.sentence), c.evidence, [c])

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

    def _details(
        self, group: _Group
    ) -> dict[str, tuple[service.Frequency, tuple[str, str] | None, _Claim]]:
        """Per origin, the first frequency (and route) its claims of this change give, from
        the claim's sentence or the next one ("It will run four times a week.")."""
        found: dict[str, tuple[service.Frequency, tuple[str, str] | None, _Claim]] = {}
        for c in sorted(group.claims, key=lambda c: (c.published, c.position)):
            if c.kind == "doubt" or c.origin in found:
                continue
            rows = self.sentences.get(c.article.id, [])
            texts = [r.text for r in rows if r.position in (c.position, c.position + 1)]
            for i, text in enumerate(texts):
                if i and not (self.matcher.names_facet(text) or self.matcher.refers_back(text)):
                    continue
                freq = service.frequency(text)
                if freq is not None:
                    where = service.route(text) or service.route(c.evidence.sentence)
                    found[c.origin] = (freq, where, c)
                    break
        return found

    def _cite(self, article_id: int) -> None:
        ref = self.articles.get(article_id)
        if ref is None:
            return
        if not _known(ref.outlet) and article_id in self.relays:
            ref = dataclasses.replace(ref, outlet=f"{self.relays[article_id]} (via {RELAY_LABEL})")
        self.cited[article_id] = ref

    def _evidence(self, claims: list[_Claim], group: _Group | None = None) -> list[Evidence]:
        """Every source of a change, the most direct first (see `_directness`)."""
        out: list[Evidence] = []
        seen: set[tuple[int, str]] = set()
        for c in sorted(claims, key=lambda c: _directness(c, group)):
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
        """How sure the answer is, from the evidence behind it (see the module docstring)."""
        if state == "unknown" and upcoming is None:
            return 0.1 if any(g.shown for g in self.groups) else 0.0
        basis: list[_Claim] = []
        # The current change and the reports of the same state since it (a second outlet
        # saying "fully reopened on Monday" backs "operating", it does not replace the first).
        run = [g for g in self.run if current is not None and g.state == current.state]
        basis_groups: list[_Group] = []
        for g in (*run, current, upcoming_group):
            if g is not None and all(g is not o for o in basis_groups):
                basis_groups.append(g)
                basis.extend(g.claims)
        # An article saying the change has not happened ("two days after the planned restart")
        # mentions the plan but does not back it.
        denying = {(c.article.id, c.state) for c in self.claims if c.kind == "neg"}
        basis = [c for c in basis if (c.article.id, c.state) not in denying]
        support: dict[str, float] = {}
        for c in basis:
            weight = _SUPPORT_WEIGHT.get(c.kind, 0.0)
            support[c.origin] = max(support.get(c.origin, 0.0), weight)
        score = 0.2 + 0.15 * min(3.0, sum(support.values()))
        kinds = {
            c.evidence.attribution.kind
            for c in basis
            if c.evidence.attribution and c.kind in ("fact", "plan")
        }
        if "official" in kinds:
            score += 0.1
        if "trade" in kinds or "outlet" in kinds:
            score += 0.05
        # Doubts count against the answer when they are about its own evidence (or about the
        # situation in general); a denied rumour of a change that is not the answer does not.

        def bears(cv: Caveat) -> bool:
            subject = self.caveat_subjects.get(id(cv), [])
            if cv.kind == "conflict" or not subject:
                return True
            return any(self.group_of.get(id(c)) in basis_groups for c in subject)

        caveat_kinds = {c.kind for c in caveats if bears(c)}
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
        self._state = state
        upcoming, upcoming_group = self._upcoming(state)
        timeline = [
            TimelineEntry(g.date, g.state, g.modality(), self._evidence(g.claims, g))
            for g in self.groups
            if g.shown
        ]
        caveats = self._caveats(upcoming_group)
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


# What one origin adds to the confidence, by its firmest claim (doubts add nothing).
_SUPPORT_WEIGHT = {"fact": 1.0, "plan": 0.5, "weak": 0.35}


def _same_day_conflict(a: _Group, b: _Group) -> bool:
    """Opposite states reported by different origins for one day."""
    if a.state == b.state or a.date is None or b.date is None:
        return False
    if a.date.precision != "day" or b.date.precision != "day" or a.date.value != b.date.value:
        return False
    return not ({c.origin for c in a.facts} & {c.origin for c in b.facts})


def _overruled(g: _Group, groups: list[_Group]) -> bool:
    """Whether a report of the opposite state for the same day, published after every report
    of `g`, contradicts it (see _Engine._effective)."""
    if not g.facts:
        return False
    newest = max(c.published for c in g.facts)
    return any(
        o is not g
        and o.facts
        and _same_day_conflict(g, o)
        and min(c.published for c in o.facts) > newest
        for o in groups
    )


def _lead(group: _Group) -> Evidence:
    """The group's most direct piece of evidence."""
    return min(group.claims, key=lambda c: _directness(c, group)).evidence


def _expired(sentence: str, published: dt.datetime, today: dt.date) -> bool:
    """Whether the sentence bounds what it says by a date now past ("until Monday")."""
    if not re.search(r"\b(?:until|till)\b", sentence, re.IGNORECASE):
        return False
    for dm in find_dates(sentence, published=published.date(), tense_hint="future"):
        if dm.relation == "until" or re.search(
            r"\b(?:until|till)\s+$", sentence[max(0, dm.start - 12) : dm.start], re.IGNORECASE
        ):
            return period_end(dm.ref) < today
    return False


_FUTURE_BEFORE = re.compile(
    r"\b(?:would|will|shall|could|might|(?-i:may)|to|plans?\s+to|set\s+to|going\s+to|due\s+to)"
    r"\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def _about_future(c: _Claim) -> bool:
    """Whether the claim is about something still to come when it was made."""
    if _future(c):
        return True
    sentence = c.evidence.sentence
    at = sentence.find(c.trigger)
    return at > 0 and bool(_FUTURE_BEFORE.search(sentence, max(0, at - 40), at))


def _future(c: _Claim) -> bool:
    return c.date is not None and period_start(c.date) > c.published.date()


def _directness(c: _Claim, group: _Group | None) -> tuple[int, int, int, int, float, int]:
    """Sort key, most direct evidence first.

    1. A report before a plan before a hedge before a doubt.
    2. A sentence whose own verb names the change ("were suspended in January 2020") before a
       noun ("the resumption of services") before one that only implies it ("the first train
       since January 2020", "after six years").
    3. A sentence giving the entry's own date, then one at its precision, then a vaguer or
       derived date ("six years after their suspension"), then an undated one.
    4. The most authoritative source (official > named outlet or trade > an outlet's own words
       > anonymous), then the newest report.
    """
    lemma = ev_mod.lemma_of(c.trigger, c.evidence.sentence)
    if lemma is None or lemma in ("first since", "gap"):
        naming = 2
    elif _NOMINAL.search(c.trigger.split()[-1] if c.trigger.split() else ""):
        naming = 1
    else:
        naming = 0
    target = group.date if group is not None else None
    if c.date is None:
        dated = 3
    elif _derived_date(c.date) or target is None or c.date.precision != target.precision:
        dated = 2
    else:
        dated = 0 if c.date.value == target.value else 1
    kind = c.evidence.attribution.kind if c.evidence.attribution else None
    # An outlet's own unattributed sentence is the outlet speaking.
    credibility = _CREDIBILITY.get(kind or ("outlet" if _known(c.article.outlet) else "unknown"), 1)
    return (
        _KIND_RANK[c.kind],
        naming,
        dated,
        -credibility,
        -c.published.timestamp(),
        c.position,
    )


_NOMINAL = re.compile(r"(?:tion|sion|sions|tions|ure|ures|ment|al|als)$", re.IGNORECASE)


def _derived_date(ref: DateRef) -> bool:
    """A date counted back from publication ("six years after", "in six years"), not named."""
    return _derived_text(ref.text)


@lru_cache(maxsize=4096)
def _derived_text(text: str) -> bool:
    return bool(
        _DURATION_WORDS.search(text)
        and not re.search(r"\d{4}|\b(?:last|this|next|since)\b", text, re.I)
    )


_DURATION_WORDS = re.compile(r"\b(?:years?|months?|weeks?|days?|decades?)\b", re.IGNORECASE)


def _who(group: _Group) -> str:
    names: dict[str, None] = {}
    for c in group.claims:
        names.setdefault(c.evidence.outlet, None)
    listed = list(names)
    return ", ".join(listed[:3]) + (" and others" if len(listed) > 3 else "")


def _clip_sentence(text: str, limit: int = 280) -> str:
    # "NEW DELHI (PTI) - The government ...": the dateline says nothing about the caveat.
    text = " ".join(text[dateline_end(text) :].split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def _sentence_attribution(text: str) -> Attribution | None:
    found = ev_mod.find_attributions(text)
    return found[0][2] if found else None


def best_covered(
    db: sqlite_utils.Database, situations: list[Situation], *, as_of: dt.datetime
) -> Situation:
    """The situation with the most coverage published by `as_of` (the first on a tie).

    Answers `/status pyongyang`: a place alone has no state, but the declared situations it
    takes part in do, and the best-covered one is the likeliest meant.
    """
    return max(
        situations,
        key=lambda sit: search.count_matches(
            db, _situation_match(sit), until=as_of, cap=COVERAGE_CAP
        ),
    )
