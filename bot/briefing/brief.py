"""/brief: the top stories on a topic in a window, clustered across outlets, one key sentence each.

The pipeline, all at query time for now (issue 5 moves clustering to ingest):

1. Candidates: bm25 over `topic_match(topic)` inside the window, at most CANDIDATES articles.
   When the window holds none, the most recent coverage instead (`Brief.fallback`).
2. Stories: articles whose title and lead share many word 3-shingles (MinHash + LSH, then the
   exact Jaccard) are copies or rewrites of one report; report groups whose title+lead vocabulary
   (tf-idf, without the topic's own names, which every candidate shares) is close enough and
   that lie within STORY_GAP of each other are one story. Near-exact copies (Jaccard >=
   COPY_JACCARD) are one *independent* source however many outlets ran them.
3. Ranking, see `_rank`: relevance × coverage × recency.
4. Key sentence, see `_sentence_score`: query-focused, lead-biased, central to the story, with
   quotes, questions, datelines and boilerplate held back, and redundancy across stories removed
   (MMR in rank order).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from bot.briefing.topics import dedupe, normalise, tokens, topic_match
from bot.errors import UserError
from bot.models import ArticleRef, Brief, Story, Topic
from bot.store import search
from bot.store.search import SentenceRow

DEFAULT_WINDOW = dt.timedelta(days=7)
MAX_WINDOW = dt.timedelta(days=366)
# bm25 must score every match, so bound the candidate set; 200 covers a busy week on one topic.
CANDIDATES = 200
# Title plus this many sentences stand for an article when clustering: the lead says what the
# story is; later paragraphs drift into background that other stories share.
LEAD_SENTENCES = 3
# Sentences after this position are rarely the best statement of the news.
KEY_SENTENCE_SCAN = 15
SHINGLE = 3
NUM_PERM = 64
# Shingle Jaccard above which two articles are the same report (a copy or a light rewrite) ...
REWRITE_JACCARD = 0.5
# ... and above which they are near-exact copies, counted as one independent source.
COPY_JACCARD = 0.8
# Cosine between tf-idf centroids above which report groups are one story.
STORY_COSINE = 0.25
# Reports further apart than this are different stories, however similar the words.
STORY_GAP = dt.timedelta(days=3)
# Clusters are compared only when they share one of their this-many strongest terms.
TOP_TERMS = 10


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = _wordset(
    """a about above after again against ago all also am among an and any are as at be because
    been before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just last like made make many may me might more most much must my
    new no nor not now of off on once one only or other our ours out over own per said same say
    says she should since so some still such than that the their theirs them then there these
    they this those through to too two under until up upon us very was way we week were what
    when where which while who whom why will with within would year years yet you your
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    according told reported report reports news"""
)
_MONTHS = _wordset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_WHEN_WORDS = _MONTHS | _wordset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week month"
)
# Longest first, so "march" is tried before "mar".
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))

# "SEOUL, March 9 (Reuters) - ", "PYONGYANG, North Korea (AP) — ", "Seoul, March 9 (Yonhap) -- ",
# "(Reuters) - ": where and who filed it, not what happened.
_DATELINE = re.compile(
    r"^\s*(?:"
    r"[A-Z]{3,}[A-Z.'’ -]*(?:,\s*[^()\n–—]{1,40}?)?\s*(?:\([^)\n]{2,30}\))?"
    r"|[A-Z][a-z]+(?: [A-Z][a-z]+)?,\s*(?i:" + _MONTH_RE + r")[a-z]*\.?\s+\d{1,2}(?:,\s*\d{4})?"
    r"\s*(?:\([^)\n]{2,30}\))?"
    r"|\([^)\n]{2,30}\)"
    r")\s*(?:--|-|–|—|:)\s+"
)
_BOILERPLATE = re.compile(
    r"\b(?:sign up|subscribe|newsletter|read more|read also|follow us|click here|"
    r"all rights reserved|copyright|cookies?|advertisement|share this|download (?:the|our) app|"
    r"reporting by|editing by|writing by|contributed reporting|photo:|image:|watch:|listen:|"
    r"related:|this story has been|this article was)\b|©",
    re.IGNORECASE,
)
_AGENCIES = _wordset("reuters reuter ap afp yonhap xinhua kyodo tass kcna bloomberg ria novosti")
# "The ministry said on Wednesday it understood that ...": who said it comes before what.
_ATTRIBUTION_FIRST = re.compile(
    r"^(?:\S+\s+){1,6}(?:said|says|told|reported|announced|stated)\b(?!,)", re.IGNORECASE
)
_QUOTES = '"“”«»„'
_WEAK_START = _wordset(
    "he she it they this that these those his her their its but and however also meanwhile "
    "so yet still then"
)


# ----------------------------------------------------------------------------- windows


_DURATION = re.compile(
    r"^(?:(?:the\s+)?(?:last|past|this)\s+)?(\d{1,4})?\s*"
    r"(h|hrs?|hours?|d|days?|w|wks?|weeks?|fortnights?|m|mos?|months?|y|yrs?|years?)$"
)
_UNIT = {
    "h": dt.timedelta(hours=1),
    "d": dt.timedelta(days=1),
    "w": dt.timedelta(days=7),
    "f": dt.timedelta(days=14),
    "m": dt.timedelta(days=30),
    "y": dt.timedelta(days=365),
}
_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
_RANGE = re.compile(rf"^({_DATE})\s*(?:\.\.\.?|…|to|until|–|—|-)\s*({_DATE})?$")
_WINDOW_HELP = "Try 24h, 3d, 2w, 1m, today, or a date range like 2026-03-01..2026-03-13."


def parse_window(text: str | None, *, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The (since, until) a user's period means, both inclusive, in UTC.

    "24h", "3d", "2w", "1m" (30 days), "1y"; "last 3 days", "week", "this month"; "today",
    "yesterday" (UTC days); "2026-03-12" (that day); "2026-03-01..2026-03-13" (also "to", "–", "-";
    whole days; an open end means until now). Default: the last 7 days. A window never reaches
    past `now`. Raises UserError with a short hint on anything else.
    """
    now = _utc(now)
    raw = " ".join((text or "").split())
    if not raw:
        return now - DEFAULT_WINDOW, now
    s = raw.lower()
    day0 = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if s == "today":
        return day0, now
    if s == "yesterday":
        return day0 - dt.timedelta(days=1), day0 - dt.timedelta(seconds=1)
    m = _DURATION.match(s)
    if m:
        count = int(m.group(1) or 1)
        span = _UNIT[m.group(2)[0]] * count
        if count < 1:
            raise UserError(f"A period must be longer than zero. {_WINDOW_HELP}")
        if span > MAX_WINDOW:
            raise UserError("That period is too long: a brief covers at most a year.")
        return now - span, now
    m = _RANGE.match(s)
    single = re.fullmatch(_DATE, s)
    if m or single:
        first = _day(m.group(1) if m else s, raw)
        if m and m.group(2):
            last = _day(m.group(2), raw)
        elif m:
            last = now.date()
        else:
            last = first
        since = dt.datetime.combine(first, dt.time(), dt.UTC)
        until = dt.datetime.combine(last, dt.time(23, 59, 59), dt.UTC)
        if since > until:
            raise UserError("That period ends before it starts.")
        if since > now:
            raise UserError("That period is in the future.")
        if until - since > MAX_WINDOW:
            raise UserError("That period is too long: a brief covers at most a year.")
        return since, min(until, now)
    raise UserError(f"I don’t understand the period “{_short(raw)}”. {_WINDOW_HELP}")


def _day(value: str, raw: str) -> dt.date:
    try:
        y, mo, d = (int(p) for p in value.split("-"))
        return dt.date(y, mo, d)
    except ValueError:
        raise UserError(f"“{_short(raw)}” is not a real date. {_WINDOW_HELP}") from None


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# ----------------------------------------------------------------------------- text features


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """Crude suffix folding so trains/train and resumed/resumes meet; enough for similarity."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def _content(words: Sequence[str], skip: frozenset[str]) -> list[str]:
    """Stemmed content words: no stopwords, no bare numbers, none of the topic's own names.

    A month and day ("March 12") also yield one term "mar12": reports of one event share its
    date even when they share few other words.
    """
    out = []
    for i, w in enumerate(words):
        if (
            w in _MONTHS
            and i + 1 < len(words)
            and words[i + 1].isdigit()
            and len(words[i + 1]) <= 2
        ):
            out.append(f"{w[:3]}{int(words[i + 1])}")
        if w in _STOPWORDS or len(w) < 2 or w.isdigit():
            continue
        st = _stem(w)
        if st in skip or w in skip:
            continue
        out.append(st)
    return out


def _shingles(words: Sequence[str]) -> set[bytes]:
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def _jaccard(a: set[Any], b: set[Any]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    if not dot:
        return 0.0
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def clean_sentence(text: str) -> str:
    """A sentence fit to quote: dateline trimmed, whitespace collapsed."""
    text = " ".join(text.split())
    trimmed = _DATELINE.sub("", text, count=1)
    # Only trim when something sentence-like remains.
    if len(trimmed.split()) >= 4:
        text = trimmed
    return text[:1].upper() + text[1:] if text[:1].islower() else text


class _Mentions:
    """Counts a topic's names in text: whole words, any case and punctuation, plural -s.

    One compiled alternation over all names, so a sentence costs one regex scan.
    """

    def __init__(self, names: Iterable[str]) -> None:
        patterns: list[str] = []
        words: set[str] = set()
        for name in dedupe(names):
            toks = tokens(name)
            if toks:
                words.update(toks)
                patterns.append(r"[\W_]+".join(re.escape(t) for t in toks))
        patterns.sort(key=len, reverse=True)
        self.words = frozenset(words)
        self._re = (
            re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")s?(?!\w)", re.IGNORECASE)
            if patterns
            else None
        )

    def __bool__(self) -> bool:
        return self._re is not None

    def count(self, text: str) -> int:
        return len(self.positions(text))

    def positions(self, text: str) -> list[int]:
        """Where the names start (in the folded text when `text` is not ASCII)."""
        if self._re is None:
            return []
        if not text.isascii():
            text = normalise(text)  # fold accents and case the way the names were folded
        return [m.start() for m in self._re.finditer(text)]


# ----------------------------------------------------------------------------- model


@dataclass
class _Doc:
    ref: ArticleRef
    bm25: float
    sentences: list[SentenceRow]
    words: list[str]  # folded tokens of title + lead
    shingles: set[bytes]
    terms: Counter[str]
    vec: dict[str, float] = field(default_factory=dict)
    focus: float = 0.5
    passing: bool = False
    relevance: float = 0.0
    lead_offset: int = 0  # 1 when the first sentence repeats the headline


@dataclass
class _Story:
    docs: list[_Doc]
    centroid: dict[str, float]
    relevance: float = 0.0
    independent: int = 1
    score: float = 0.0
    key: tuple[str, _Doc] | None = None

    @property
    def newest(self) -> dt.datetime:
        return max(d.ref.published_at for d in self.docs)

    @property
    def oldest(self) -> dt.datetime:
        return min(d.ref.published_at for d in self.docs)


# ----------------------------------------------------------------------------- the brief


def build_brief(
    db: sqlite_utils.Database,
    topic: Topic,
    *,
    since: dt.datetime,
    until: dt.datetime,
    now: dt.datetime,
    page: int = 1,
    per_page: int = 5,
) -> Brief:
    """The stories about `topic` published in [since, until], best first, one page of them.

    When the window holds nothing on the topic, the stories are the most recent coverage before
    `now` over a window as long as the one asked for; `fallback` is set, window_from/to are
    the dates those stories cover and requested_from/to the window asked for.
    """
    since, until, now = _utc(since), _utc(until), _utc(now)
    per_page = max(1, per_page)
    match = topic_match(topic)
    hits = search.match_articles(db, match, since=since, until=until, limit=CANDIDATES)
    fallback = False
    ref_time = min(until, now)
    span = max(until - since, dt.timedelta(hours=1))
    if not hits and match:
        newest = search.newest_published(db, match, until=now)
        if newest is not None:
            hits = search.match_articles(
                db, match, since=newest - span, until=newest, limit=CANDIDATES
            )
            fallback = bool(hits)
            ref_time = newest
    stories = _stories(db, topic, hits)
    _rank(stories, ref_time=ref_time, span=span)
    total = len(stories)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    shown = stories[: page * per_page]
    _choose_key_sentences(shown, topic)
    window_from, window_to = since, until
    if fallback:
        window_from = min(s.oldest for s in stories)
        window_to = max(s.newest for s in stories)
    return Brief(
        topic=topic,
        window_from=window_from,
        window_to=window_to,
        as_of=now,
        stories=[_to_story(s) for s in shown[(page - 1) * per_page :]],
        total_stories=total,
        page=page,
        fallback=fallback,
        requested_from=since,
        requested_to=until,
    )


def _to_story(story: _Story) -> Story:
    assert story.key is not None
    sentence, doc = story.key
    refs = sorted((d.ref for d in story.docs), key=lambda r: (r.published_at, r.id), reverse=True)
    outlets = list(dict.fromkeys(r.outlet for r in refs))
    return Story(
        key_sentence=sentence,
        key_article=doc.ref,
        articles=refs,
        outlets=outlets,
        newest=refs[0].published_at,
    )


# ----------------------------------------------------------------------------- clustering


def _stories(
    db: sqlite_utils.Database, topic: Topic, hits: list[tuple[ArticleRef, float]]
) -> list[_Story]:
    """Candidates -> stories (see the module docstring), passing mentions dropped."""
    if not hits:
        return []
    sentences = search.sentences_of(db, [ref.id for ref, _ in hits])
    mentions = _Mentions(topic.aliases)
    # The topic's own names are in every candidate: as features they would pull unrelated
    # stories together. (Keywords stay: several can narrow a topic, and idf weighs them.)
    skip = frozenset(_stem(w) for w in mentions.words) | mentions.words
    # Outlet and agency names ("(Reuters)", "(AP)") say who carried it, not what happened.
    skip |= _AGENCIES | {w for ref, _ in hits for w in tokens(ref.outlet)}
    n = len(hits)
    docs: list[_Doc] = []
    for rank, (ref, _score) in enumerate(hits):
        sents = sentences.get(ref.id, [])
        title_words = tokens(ref.title)
        # Some sources repeat the headline as the first paragraph (the seed dump format does):
        # it is the title again, not the lead.
        repeats = bool(sents) and _jaccard(set(tokens(sents[0].text)), set(title_words)) >= 0.8
        lead = sents[1 : 1 + LEAD_SENTENCES] if repeats else sents[:LEAD_SENTENCES]
        # Datelines name the filing city and agency, not the story: leave them out.
        lead_words = [w for s in lead for w in tokens(clean_sentence(s.text))]
        terms = Counter(_content(title_words, skip))
        # The title names the story most compactly: count its words twice.
        terms.update(terms)
        terms.update(_content(lead_words, skip))
        doc = _Doc(
            ref=ref,
            # bm25's order, not its value: see _rank for why the value says little here.
            bm25=1.0 - rank / n,
            sentences=sents,
            words=title_words + lead_words,
            shingles=_shingles(title_words + lead_words),
            terms=terms,
            lead_offset=1 if repeats else 0,
        )
        _focus(doc, mentions)
        doc.relevance = 0.3 * doc.bm25 + 0.7 * doc.focus
        docs.append(doc)
    _weigh(docs)
    groups = _report_groups(docs)
    stories = _merge_groups(groups)
    for story in stories:
        story.relevance = max(d.relevance for d in story.docs)
        story.independent = _independent_sources(story.docs)
    # An article that names the topic once in passing is not a story about it; keep such
    # stories only when there is nothing else to say.
    focused = [s for s in stories if not all(d.passing for d in s.docs)]
    return focused or stories


def _focus(doc: _Doc, mentions: _Mentions) -> None:
    """How much an article is about the topic: named in the title, the lead, or in passing."""
    if not doc.sentences or not mentions:
        return  # no sentences stored: no evidence either way, keep the neutral default
    # Cheapest evidence first: most on-topic articles name it in the title or the lead.
    if mentions.count(doc.ref.title):
        doc.focus = 1.0
        return
    if any(mentions.count(s.text) for s in doc.sentences[:2]):
        doc.focus = 0.8
        return
    text = "\n".join(s.text for s in doc.sentences)
    if text.isascii():
        # One scan over the whole text, then matches mapped back to sentences.
        starts = list(itertools.accumulate((len(s.text) + 1 for s in doc.sentences), initial=0))
        hit = {bisect.bisect_right(starts, p) - 1 for p in mentions.positions(text)}
    else:
        hit = {i for i, s in enumerate(doc.sentences) if mentions.count(s.text)}
    doc.passing = len(hit) <= 1
    doc.focus = min(0.6, 0.1 + 0.1 * len(hit))


def _weigh(docs: list[_Doc]) -> None:
    """tf-idf vectors over the candidate set: words every candidate shares say little."""
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.terms.keys())
    n = len(docs)
    for d in docs:
        d.vec = {
            t: (1 + math.log(c)) * (math.log((n + 1) / (df[t] + 1)) + 1) for t, c in d.terms.items()
        }


def _report_groups(docs: list[_Doc]) -> list[list[_Doc]]:
    """Copies and light rewrites of one report, found with MinHash LSH over title+lead shingles."""
    from datasketch import MinHash, MinHashLSH  # ~0.5 s import (scipy): only when briefing

    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(docs) > 1:
        lsh = MinHashLSH(threshold=REWRITE_JACCARD, num_perm=NUM_PERM)
        hashes: list[MinHash] = []
        for i, d in enumerate(docs):
            # Sharing the first one's permutations saves generating them per article.
            perms = hashes[0].permutations if hashes else None
            mh = MinHash(
                num_perm=NUM_PERM,
                seed=1,
                hashfunc=zlib.crc32,
                permutations=perms,
                scheme="affine32",
            )
            mh.update_batch(list(d.shingles))
            lsh.insert(str(i), mh)
            hashes.append(mh)
        for i, d in enumerate(docs):
            for key in lsh.query(hashes[i]):
                j = int(key)
                if j <= i:
                    continue
                if _jaccard(d.shingles, docs[j].shingles) >= REWRITE_JACCARD:
                    parent[find(j)] = find(i)
    groups: dict[int, list[_Doc]] = {}
    for i, d in enumerate(docs):
        groups.setdefault(find(i), []).append(d)
    return list(groups.values())


def _unit(vec: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def _add(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    out = dict(a)
    for t, v in b.items():
        out[t] = out.get(t, 0.0) + v
    return out


def _merge_groups(groups: list[list[_Doc]]) -> list[_Story]:
    """Centroid-linkage clustering of report groups into stories.

    Each report group counts once (its copies do not outweigh an independent report). The
    closest pair of clusters merges first, while their centroids' cosine is at least
    STORY_COSINE and they lie within STORY_GAP: order-independent, and centroids rather than
    single links, so one article touching two stories cannot chain them together. Only pairs
    that share one of their strongest terms are compared, which keeps it near-linear.
    """
    import heapq

    n = len(groups)
    cents: list[dict[str, float]] = []
    for g in groups:
        total: dict[str, float] = {}
        for d in g:
            total = _add(total, _unit(d.vec))
        cents.append(_unit(total))
    norms = [1.0] * n
    members: list[list[int]] = [[i] for i in range(n)]
    span = [
        (min(d.ref.published_at for d in g), max(d.ref.published_at for d in g)) for g in groups
    ]
    alive = [True] * n
    version = [0] * n

    def close(i: int, j: int) -> bool:
        return span[i][0] - span[j][1] <= STORY_GAP and span[j][0] - span[i][1] <= STORY_GAP

    def sim(i: int, j: int) -> float:
        a, b = cents[i], cents[j]
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(t, 0.0) for t, v in a.items()) / (norms[i] * norms[j])

    # Candidate pairs: clusters that share one of their top terms.
    postings: dict[str, list[int]] = {}
    for i, c in enumerate(cents):
        for t in sorted(c, key=lambda t: (-c[t], t))[:TOP_TERMS]:
            postings.setdefault(t, []).append(i)
    neighbours: list[set[int]] = [set() for _ in range(n)]
    # A term among the top terms of a third of all clusters names no one story (and linking
    # every pair through it would make this quadratic).
    crowded = max(16, n // 3)
    for ids in postings.values():
        if len(ids) > crowded:
            continue
        for x in ids:
            neighbours[x].update(ids)
    heap: list[tuple[float, int, int, int, int]] = []
    for i in range(n):
        neighbours[i].discard(i)
        for j in neighbours[i]:
            if i < j and close(i, j):
                s = sim(i, j)
                if s >= STORY_COSINE:
                    heap.append((-s, i, j, 0, 0))
    heapq.heapify(heap)
    while heap:
        _, i, j, vi, vj = heapq.heappop(heap)
        if not (alive[i] and alive[j]) or version[i] != vi or version[j] != vj:
            continue
        # Merge j into i: the centroid is the sum of member unit vectors.
        cents[i] = _add(cents[i], cents[j])
        norms[i] = math.sqrt(sum(v * v for v in cents[i].values())) or 1.0
        members[i].extend(members[j])
        span[i] = (min(span[i][0], span[j][0]), max(span[i][1], span[j][1]))
        alive[j] = False
        version[i] += 1
        neighbours[i] = (neighbours[i] | neighbours[j]) - {i, j}
        for k in neighbours[i]:
            if alive[k] and close(i, k):
                s = sim(i, k)
                if s >= STORY_COSINE:
                    a, b = min(i, k), max(i, k)
                    heapq.heappush(heap, (-s, a, b, version[a], version[b]))
    stories = []
    for i in range(n):
        if alive[i]:
            docs = [d for m in members[i] for d in groups[m]]
            stories.append(_Story(docs=docs, centroid=_unit(cents[i])))
    return stories


def _independent_sources(docs: list[_Doc]) -> int:
    """Outlets that reported it independently: a near-exact copy counts for its earliest carrier."""
    docs = sorted(docs, key=lambda d: (d.ref.published_at, d.ref.id))
    origins: list[_Doc] = []
    for d in docs:
        if not any(_jaccard(d.shingles, o.shingles) >= COPY_JACCARD for o in origins):
            origins.append(d)
    return len({o.ref.outlet for o in origins})


# ----------------------------------------------------------------------------- ranking


def _rank(stories: list[_Story], *, ref_time: dt.datetime, span: dt.timedelta) -> None:
    """Order stories by  score = relevance × (1 + ln independent_outlets) × recency.

    relevance: the best article's 0.7 × focus + 0.3 × bm25 rank (1 for the best candidate down to
        1/n). Focus is 1 when the title names the topic, 0.8 when the lead does, less for
        mentions further down: it says whether the story is *about* the topic. bm25 over an OR of
        aliases mostly rewards whichever alias is rarest ("N. Korea" beats "North Korea") and
        its idf collapses to ~0 when most of the corpus matches, so only its order is used, and
        lightly.
    coverage: 1 + ln(n) over independent outlets (syndicated copies count once): a story six
        outlets found worth reporting matters more than one outlet's, with diminishing returns so
        a wire story cannot drown a strong exclusive.
    recency: 0.5 + 0.5 × 2^(-age/half_life), age from the story's newest article to the window
        end, half_life half the window (12 h .. 7 d): within a window, newer breaks ties and
        nudges, but a big story from day one still beats a minor one from today.
    Ties: newest first, then lowest article id (stable across runs).
    """
    half_life = min(max(span / 2, dt.timedelta(hours=12)), dt.timedelta(days=7))
    for s in stories:
        age = max((ref_time - s.newest).total_seconds(), 0.0)
        recency = 0.5 + 0.5 * 2 ** (-age / half_life.total_seconds())
        s.score = s.relevance * (1 + math.log(max(s.independent, 1))) * recency
    stories.sort(key=lambda s: (-s.score, -s.newest.timestamp(), min(d.ref.id for d in s.docs)))


# ----------------------------------------------------------------------------- key sentences


def _choose_key_sentences(stories: list[_Story], topic: Topic) -> None:
    """One sentence per story, in rank order, each penalised for repeating earlier choices."""
    mentions = _Mentions(topic.aliases)
    keywords = _Mentions(topic.keywords)
    chosen: list[set[str]] = []
    for story in stories:
        best: tuple[float, str, _Doc, set[str]] | None = None
        docs = sorted(story.docs, key=lambda d: -d.relevance)[:5]
        for doc in docs:
            for sent in doc.sentences[:KEY_SENTENCE_SCAN]:
                text = clean_sentence(sent.text)
                position = sent.position - doc.lead_offset  # -1: the headline repeated
                score = _sentence_score(text, position, story, mentions, keywords)
                if score is None:
                    continue
                words = set(_content(tokens(text), frozenset()))
                redundancy = max((_jaccard(words, c) for c in chosen), default=0.0)
                score -= 1.0 * redundancy
                if best is None or score > best[0]:
                    best = (score, text, doc, words)
        if best is None:
            # No usable sentence stored (e.g. a headline-only item): the headline is honest.
            doc = docs[0]
            story.key = (doc.ref.title, doc)
            chosen.append(set(_content(tokens(doc.ref.title), frozenset())))
        else:
            story.key = (best[1], best[2])
            chosen.append(best[3])


def _sentence_score(
    text: str, position: int, story: _Story, mentions: _Mentions, keywords: _Mentions
) -> float | None:
    """How well a sentence tells the story; None when it must never be the key sentence.

    + 1.0 names the topic, +0.2 in its first 60 characters (+0.5 a narrowing keyword): focus;
    + 1.5 × cosine to the story centroid: says what the story's reports agree on;
    + 0.4 / 0.25 / 0.1 for the first three sentences: news leads carry what, who, when
      (- 0.3 for a first paragraph that only repeats the headline);
    + 0.15 mentions a day, month or number: when;
    - 0.6 mostly a quote, 0.2 contains one; 0.8 a question; 0.5 under 8 words, 0.4 over 45;
      0.3 starts with a pronoun or connective (needs the previous sentence to make sense);
      0.2 starts with who said it ("The ministry said it understood that ...").
    """
    if not text or _BOILERPLATE.search(text):
        return None
    words = text.split()
    if len(words) < 5 or len(words) > 80:
        return None
    toks = tokens(text)
    score = 0.0
    where = mentions.positions(text)
    if where:
        score += 1.0
        if where[0] < 60:
            score += 0.2  # named early: the topic is likely the subject, not a bystander
    if keywords and keywords.count(text):
        score += 0.5
    vec = Counter(_content(toks, frozenset()))
    score += 1.5 * _cosine({t: float(c) for t, c in vec.items()}, story.centroid)
    # The headline repeated as a paragraph announces the story; the lead tells it.
    score += {-1: -0.3, 0: 0.4, 1: 0.25, 2: 0.1}.get(position, 0.0)
    if any(t in _WHEN_WORDS or t.isdigit() for t in toks):
        score += 0.15
    quoted = sum(len(q) for q in re.findall(r"[\"“«„]([^\"”»“]*)[\"”»“]", text))
    if text[0] in _QUOTES or quoted > 0.5 * len(text):
        score -= 0.6
    elif any(q in text for q in _QUOTES):
        score -= 0.2
    if text.rstrip().endswith("?"):
        score -= 0.8
    if len(words) < 8:
        score -= 0.5
    elif len(words) > 45:
        score -= 0.4
    if toks and toks[0] in _WEAK_START:
        score -= 0.3
    if _ATTRIBUTION_FIRST.match(text):
        score -= 0.2
    return score
