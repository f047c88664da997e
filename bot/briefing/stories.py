"""Stories at ingest: each new article is filed in the story it tells, or starts one.

A brief is then a query over stored stories, not a re-clustering of every candidate.

Filing is conservative on purpose, because a story stored too big cannot be split again,
while /brief still merges stored stories that its topic shows to be one (bot.briefing.brief,
`_link_stories` over stored stories instead of single reports). A new article joins a story
when, within STORY_GAP of its publication:

1. it is a near-duplicate of one of the story's articles: MinHash over title+lead word
   3-shingles, candidates found through LSH bands stored in SQLite, an estimated Jaccard of
   at least REWRITE_JACCARD (a light rewrite) or COPY_JACCARD (a syndicated copy, filed with
   `copy_of` so it is never counted as an independent source);
2. or it tells the story in other words: tf-idf weighted overlap (bot.briefing.brief's
   `similarity`, idf from the stored document frequencies) of at least INGEST_LINK with an
   article of the story *from another outlet* (one outlet's house style makes its unrelated
   pieces look alike), and at least INGEST_AVERAGE on average over the story's articles
   (a round-up that landed in a story must not pull another story's reports in after it).
   Candidates are the stored articles sharing two of its most telling terms.

An article alike (LINK_SIM) to reports of two stories is a round-up, or a bridge between
them: it starts a story of its own, and /brief places it. A link in other words also needs
the two to share a tagged place when both name one (entity overlap, bot.store.entities), and
never joins two events of one kind on different days (bot.briefing.brief's `_conflict`: a second
launch or earthquake in the week reads like a rewrite of the first).
Stories are never merged at ingest; each article is filed once, in publication order.
"""

from __future__ import annotations

import functools
import math
import zlib
from collections import Counter
from typing import Any

import sqlite_utils

from bot.briefing import brief
from bot.briefing.topics import default_catalog, tokens
from bot.models import ArticleRef
from bot.store import search
from bot.store import stories as store
from bot.store.articles import article_refs
from bot.store.entities import entities_of_articles
from bot.store.search import SentenceRow
from bot.store.stories import StoredFeatures

# See the module docstring. At these values, on the hand-written corpora of tests/test_brief*.py
# (320 pairs of articles of one story, 300 of different stories in the same days, round-ups
# aside), no two different stories are filed together and a third of the same-story pairs are
# linked at ingest; /brief links the rest with its topic in view.
INGEST_LINK = 0.35
INGEST_AVERAGE = 0.2
STORY_GAP = brief.STORY_GAP
# How many of an article's terms are indexed for finding it, and used to find candidates.
TELLING_TERMS = 10
# Articles filed per read of their rows.
BATCH = 500


def assign_pending(db: sqlite_utils.Database, ids: list[int] | None = None) -> int:
    """File these new articles (by default: every article without a story yet) in stories,
    oldest first; returns how many.

    Runs inside the caller's transaction (the ingest batch's, so an article and its story are
    stored together).
    """
    ids = store.pending(db) if ids is None else store.unfiled(db, ids)
    if not ids:
        return 0
    filer = _Filer(db, store.documents(db))
    for at in range(0, len(ids), BATCH):
        chunk = ids[at : at + BATCH]
        refs = article_refs(db, chunk)
        sentences = search.sentences_of(db, chunk)
        for aid in chunk:
            if aid in refs:
                filer.file(refs[aid], sentences.get(aid, []))
    return len(ids)


class _Filer:
    def __init__(self, db: sqlite_utils.Database, documents: int) -> None:
        self.db = db
        self.documents = documents
        self.bands, self.rows = brief.lsh_params()
        self.places = brief.country_words()
        # Which countries a story happens in is no evidence that two reports tell one story
        # (every report on a topic names them); /brief's own linking adds that, topic in view.
        catalog = default_catalog()
        self.where = catalog.place_words() | {f"@{key}" for key in set(self.places.values())}

    def idf(self, terms: set[str]) -> dict[str, float]:
        df = store.document_frequency(self.db, terms)
        n = self.documents + brief.BACKGROUND_DOCS
        return {t: math.log(n / (df.get(t, 0) + 0.5)) for t in terms}

    def _extend(self, idf: dict[str, float], stored: list[StoredFeatures]) -> dict[str, float]:
        """`idf` plus the terms of these stored articles it lacks (one query)."""
        missing = {t for f in stored for t in f.terms if t not in idf}
        return {**idf, **self.idf(missing)} if missing else idf

    def file(self, ref: ArticleRef, sentences: list[SentenceRow]) -> None:
        skip = self.where | brief.AGENCIES | set(tokens(ref.outlet))
        doc = brief.doc_features(ref, sentences, frozenset(skip))
        mh, lead = _minhash(doc.shingles), _minhash(doc.lead_shingles)
        keys = _band_keys(mh, self.bands, self.rows)
        since, until = ref.published_at - STORY_GAP, ref.published_at + STORY_GAP
        own = self.idf(set(doc.terms))
        brief.vectorise(doc, own.__getitem__)
        telling = sorted(doc.vec, key=lambda t: (-doc.vec[t], t))[:TELLING_TERMS]
        found = store.by_bands(self.db, keys)
        found.update(store.by_terms(self.db, telling, since=since, until=until))
        candidates = [c for c in store.features(self.db, found) if since <= c.published_at <= until]
        story_id, copy_of = self._place(doc, mh, lead, candidates, own)
        if story_id is None:
            story_id = store.new_story(self.db, ref.published_at)
        store.file(
            self.db,
            StoredFeatures(
                article_id=ref.id,
                published_at=ref.published_at,
                outlet=ref.outlet,
                minhash=mh,
                lead_minhash=lead,
                lead_size=len(doc.lead_shingles),
                terms=dict(doc.terms),
                names=sorted(doc.names),
                story_id=story_id,
                copy_of=copy_of,
            ),
            bands=keys,
            telling=telling,
        )
        store.add_frequencies(self.db, {t: 1 for t in doc.terms})
        self.documents += 1

    def _place(
        self,
        doc: brief.Doc,
        mh: bytes,
        lead: bytes,
        candidates: list[StoredFeatures],
        idf: dict[str, float],
    ) -> tuple[int | None, int | None]:
        """(story id, copied article id) for the new article, or (None, None): a new story."""
        best: tuple[float, StoredFeatures] | None = None
        small = len(doc.lead_shingles) < 12
        for c in candidates:
            same = _estimate(mh, c.minhash)
            if not small and c.lead_size >= 12:
                same = max(same, _estimate(lead, c.lead_minhash))
            if same >= brief.REWRITE_JACCARD and (best is None or same > best[0]):
                best = (same, c)
        if best is not None:
            same, c = best
            copy = (c.copy_of or c.article_id) if same >= brief.COPY_JACCARD else None
            return c.story_id, copy
        # Told in other words: the best story with a strong link from another outlet.
        idf = self._extend(idf, candidates)
        # Reports of one story happen in the same place: an article sharing none of the
        # tagged places (countries, cities) of the new one tells another story. Untagged
        # articles (no place recognised) are not held to it.
        places = entities_of_articles(self.db, [doc.ref.id, *(c.article_id for c in candidates)])
        own = places.get(doc.ref.id, set())
        anchors = brief._anchors(doc.terms, doc.ref.published_at)
        linked: dict[int, float] = {}
        related: set[int] = set()
        for c in candidates:
            s = self._similarity(doc, c, idf)
            if s >= brief.LINK_SIM:
                related.add(c.story_id)
            theirs = places.get(c.article_id, set())
            if own and theirs and not own & theirs:
                continue
            # Another event of the same kind on another day (a second launch, a second
            # earthquake) reads like a rewrite: days named apart and no shared figure.
            if brief._conflict(anchors, brief._anchors(c.terms, c.published_at)):
                continue
            if s >= INGEST_LINK and c.outlet != doc.ref.outlet:
                linked[c.story_id] = max(linked.get(c.story_id, 0.0), s)
        # Alike to reports of two stories: a round-up (or a story that is about to merge two),
        # which /brief, not ingest, must place.
        if not linked or len(related) > 1:
            return None, None
        since = doc.ref.published_at - STORY_GAP
        until = doc.ref.published_at + STORY_GAP
        by_story: dict[int, list[StoredFeatures]] = {}
        for m in store.members(self.db, linked, since=since, until=until):
            by_story.setdefault(m.story_id, []).append(m)
        idf = self._extend(idf, [m for ms in by_story.values() for m in ms])
        choice: tuple[float, int] | None = None
        for story_id, members in by_story.items():
            average = sum(self._similarity(doc, m, idf) for m in members) / len(members)
            if average >= INGEST_AVERAGE and (choice is None or average > choice[0]):
                choice = (average, story_id)
        return (choice[1], None) if choice else (None, None)

    def _similarity(self, doc: brief.Doc, other: StoredFeatures, idf: dict[str, float]) -> float:
        theirs = brief.Doc(
            ref=doc.ref,
            bm25=0.0,
            sentences=[],
            shingles=set(),
            lead_shingles=set(),
            terms=Counter(other.terms),
            names=set(other.names),
        )
        brief.vectorise(theirs, idf.__getitem__)
        s = brief.similarity(doc.vec, theirs.vec, doc.mass or 1.0, theirs.mass or 1.0)
        if other.outlet == doc.ref.outlet:
            s *= brief.SAME_OUTLET
        return s


def _minhash(shingles: set[bytes]) -> bytes:
    from datasketch import MinHash  # ~0.5 s import (scipy): only when filing

    mh = MinHash(
        num_perm=brief.NUM_PERM,
        seed=1,
        hashfunc=zlib.crc32,
        permutations=_permutations(),
        scheme="affine32",
    )
    if shingles:
        mh.update_batch(list(shingles))
    return mh.hashvalues.astype("<u4").tobytes()


@functools.cache
def _permutations() -> Any:
    """The (seeded, so fixed) MinHash permutations: drawn once, not per article."""
    from datasketch import MinHash

    return MinHash(
        num_perm=brief.NUM_PERM, seed=1, hashfunc=zlib.crc32, scheme="affine32"
    ).permutations


def _estimate(a: bytes, b: bytes) -> float:
    """Jaccard similarity estimated from two MinHash signatures (the share of equal values)."""
    if len(a) != len(b) or not a:
        return 0.0
    n = len(a) // 4
    equal = sum(1 for i in range(0, len(a), 4) if a[i : i + 4] == b[i : i + 4])
    return equal / n


def _band_keys(mh: bytes, bands: int, rows: int) -> list[int]:
    """One key per LSH band: the band number in the high bits, a hash of its values below."""
    width = rows * 4
    return [(b << 32) | zlib.crc32(mh[b * width : (b + 1) * width]) for b in range(bands)]
