"""A single-document extractive summariser: the K sentences that best say what happened.

Why this shape. On news, the first sentences are the strongest summary there is: reporters write
the inverted pyramid, so Lead-3 beats most unsupervised summarisers on CNN/DailyMail-style
references. A useful ranker therefore starts from the lead and only moves away from it when the
lead is not a statement of fact: a dateline, a byline, a quote, a question, a teaser, a
subscription plea, a photo credit. On top of the position prior sit

- centrality: LexRank (PageRank over the tf-idf cosine graph of the article's sentences). The
  sentences most other sentences echo carry the story; an aside about a rival or a history
  paragraph does not. It breaks ties between lead sentences and lifts a later sentence that
  restates the core.
- the headline: a sentence that shares the headline's words restates the story.
- what/who/when: a sentence naming someone (a capitalised word inside it) and a figure or a day
  reads as a reported fact ("GM lost $6 billion in the first quarter"), which is what a brief
  wants; a pronoun start ("He said ...") needs the sentence before it.

Then the K sentences are picked greedily with a redundancy penalty (MMR): a second sentence
that repeats the first adds nothing to a three-line summary. The output keeps text order, since
a summary read top to bottom should tell the story in the order the article did.

The weights were tuned on the dev half of bench/data/rouge_refs.jsonl (bench/rouge.py prints
ROUGE for this, Lead-3 and TextRank on both halves). Pure functions: no I/O, no clock.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.analysis.sentences import paragraphs, split_sentences
from bot.analysis.text import normalise_text
from bot.briefing.brief import clean_sentence

DEFAULT_SENTENCES = 3
# Longer inputs are cut here: news leads are at the top, and LexRank is quadratic.
MAX_SENTENCES = 200

# Weights (tuned on the dev split; see the module docstring). Position: exp(-i / POSITION_DECAY)
# over the article's content sentences, so a dateline or byline line does not push the lead
# down. The lead weighs most because on news it is right most of the time.
POSITION_WEIGHT = 1.0
POSITION_DECAY = 3.0
CENTRALITY_WEIGHT = 0.35
TITLE_WEIGHT = 0.35
FACT_BONUS = 0.1
# Soft penalties: a quote can still be chosen when the article has nothing better.
QUOTE_PENALTY = 0.6
QUESTION_PENALTY = 0.6
WEAK_START_PENALTY = 0.15
FRAGMENT_PENALTY = 0.5
NO_END_PENALTY = 0.4
SHORT_PENALTY = 0.4
LONG_PENALTY = 0.3
# MMR: the score a sentence loses per unit of cosine similarity to one already chosen, and the
# similarity past which it is a restatement and never chosen.
REDUNDANCY = 0.3
DUPLICATE_SIM = 0.65
DAMPING = 0.85
MIN_WORDS = 3  # fewer words with letters: a date line, a byline, a timestamp, "| ."
SHORT_WORDS = 8
LONG_WORDS = 55

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = _words(
    """a about above after again against all also am among an and any are as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own said same
    says she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why will
    with would you your"""
)
_WEAK_START = _words(
    "he she it they this that these those his her their its but and however also meanwhile so "
    "yet still then there"
)
_QUOTE_OPEN = "\"“”«„'‘"
_QUOTE_CHARS = re.compile(r"[\"“”«»„]")
# Lines that are the page around the story, not the story. Anywhere in the sentence: these
# phrases are never part of a news sentence worth a summary.
_JUNK = re.compile(
    r"\b(?:sign up|subscribe (?:to|now|for|today)|newsletter|read more|read also|read next|"
    r"follow us|follow (?:him|her|them|me) on|click here|all rights reserved|copyright|"
    r"cookies?|advertisement|share this|share on|download (?:the|our) app|"
    r"reporting by|editing by|writing by|additional reporting|contributed (?:to )?(?:this )?"
    r"report|photo(?:graph)?s?:|image:|video:|watch:|listen:|related:|"
    r"this (?:story|article) (?:has been|was|first)|"
    r"(?:photo|image|picture)s? (?:by|credit|courtesy)|getty images|"
    r"(?:last )?updated(?: at)?:? \d|published:? \d|scroll down for|click to)\b|©|"
    r"\bvia (?:reuters|ap|afp|getty)\b",
    re.IGNORECASE,
)
# "By Jane Smith", "By Jane Smith, CNN", "By . Daily Mail Reporter .": a byline, alone or
# opening the first paragraph.
_BYLINE = re.compile(
    r"^(?:by\s*\.?\s+)(?:[A-Z][\w.'’-]*\s*){1,4}(?:,\s*[\w .'’-]{1,40})?\s*\.?$", re.IGNORECASE
)
# A mid-sentence capitalised word (a name) and a figure or a day: the who and the when.
_NAME_INSIDE = re.compile(r"(?<=\S\s)[A-Z][\w’'-]*[a-z]")
_WHEN_OR_FIGURE = re.compile(
    r"\d|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|"
    r"tonight|january|february|march|april|june|july|august|september|october|november|"
    r"december|percent|million|billion)\b",
    re.IGNORECASE,
)
# Datelines clean_sentence leaves: "Atlanta, Georgia (CNN) -- ", "Paris (AFP) - ": a place in
# title case, then an agency in parentheses, then a dash.
_PLACE_AGENCY = re.compile(
    r"^(?:[A-Z][\w.'’-]*(?:,?\s+[A-Z][\w.'’-]*){0,4},?\s*)?\([A-Z][\w.&]*(?:\s[A-Z][\w.&]*){0,3}\)"
    r"\s*(?:--|-|–|—|:)\s+"
)
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass(frozen=True)
class Candidate:
    """One sentence of the article with what the ranker knows about it."""

    index: int  # position in the article's sentence list
    text: str  # dateline trimmed, whitespace collapsed: what is printed
    terms: tuple[str, ...]  # stemmed content words, for similarity
    junk: bool  # boilerplate, byline, caption, a date line: never a summary sentence
    quoted: bool = False  # opens with a quotation mark or continues a quotation


def summarize(text: str, *, title: str | None = None, k: int = DEFAULT_SENTENCES) -> list[str]:
    """The `k` best sentences of one article, in text order, datelines trimmed.

    `title` (the headline), when known, counts as a statement of what the story is about.
    Without one, a first line that reads as a headline (short, no full stop, more text after)
    is taken as the title and is not itself a candidate. Fewer than `k` sentences come back when
    the article has fewer usable ones; none only for an empty text or k <= 0.
    """
    if k <= 0:
        return []
    body, detected = split_headline(normalise_text(text))
    title = title if title is not None else detected
    candidates = candidates_of(body)
    if not candidates:
        return []
    usable = [c for c in candidates if not c.junk]
    if not usable:
        # Nothing but page furniture: better the least bad line than nothing at all.
        usable = candidates
    chosen = select(usable, scores(usable, title=title), k)
    return [c.text for c in sorted(chosen, key=lambda c: c.index)]


def split_headline(text: str) -> tuple[str, str | None]:
    """(body, headline): a first paragraph that reads as a headline is split off.

    A headline is short (at most 20 words), ends without a full stop and has text after it;
    a lead sentence ends with one. The seed format's first line ends with a full stop, so it
    stays a candidate (there it is the lead).
    """
    paras = paragraphs(text)
    if len(paras) < 2:
        return text, None
    first = paras[0]
    words = first.split()
    if 0 < len(words) <= 20 and not _ENDS_SENTENCE.search(first) and not _junk(first):
        return "\n\n".join(paras[1:]), first
    return text, None


def candidates_of(text: str) -> list[Candidate]:
    """The article's sentences as candidates (at most MAX_SENTENCES)."""
    out: list[Candidate] = []
    open_quote = False  # inside a quotation that an earlier sentence opened
    for i, raw in enumerate(split_sentences(text)[:MAX_SENTENCES]):
        cleaned = _trim_dateline(clean_sentence(raw))
        marks = len(_QUOTE_CHARS.findall(cleaned))
        # A sentence inside a quotation of several sentences ("... collapse.” said Harper.")
        # is a voice as much as the one that opened it, though it carries no opening mark.
        quoted = open_quote or cleaned[:1] in _QUOTE_OPEN
        if marks % 2:
            open_quote = not open_quote
        if not cleaned:
            continue
        terms = tuple(terms_of(cleaned))
        words = _WORD.findall(cleaned)
        lettered = sum(any(ch.isalpha() for ch in w) for w in words)
        # "07:56 EST, 17 June 2013 ." has six words but says nothing: count words with letters.
        # Short sentences ("Police made no arrests.") stay candidates, held back by a penalty.
        junk = _junk(cleaned) or lettered < MIN_WORDS
        out.append(Candidate(i, cleaned, terms, junk, quoted))
    return out


def terms_of(text: str) -> list[str]:
    """Stemmed content words: case, accents and stopwords do not count, plurals meet."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return [_stem(w) for w in _WORD.findall(folded) if w not in _STOPWORDS and not w.isdigit()]


def scores(cands: Sequence[Candidate], *, title: str | None = None) -> list[float]:
    """The stand-alone worth of each candidate (before redundancy), higher is better."""
    vectors = tfidf([c.terms for c in cands])
    central = lexrank(vectors)
    top = max(central, default=0.0) or 1.0
    title_vec = _title_vector(title, [c.terms for c in cands]) if title else {}
    out: list[float] = []
    for rank, (cand, vec, cen) in enumerate(zip(cands, vectors, central, strict=True)):
        s = POSITION_WEIGHT * math.exp(-rank / POSITION_DECAY)
        s += CENTRALITY_WEIGHT * cen / top
        if title_vec:
            s += TITLE_WEIGHT * cosine(vec, title_vec)
        s -= _penalty(cand.text, quoted=cand.quoted)
        out.append(s)
    return out


def select(cands: Sequence[Candidate], base: Sequence[float], k: int) -> list[Candidate]:
    """Greedy MMR: the best remaining sentence, less what it repeats of those already chosen."""
    vectors = tfidf([c.terms for c in cands])
    chosen: list[int] = []
    left = set(range(len(cands)))
    while left and len(chosen) < k:
        best, best_score = -1, -math.inf
        for i in sorted(left):
            overlap = max((cosine(vectors[i], vectors[j]) for j in chosen), default=0.0)
            if overlap >= DUPLICATE_SIM:
                continue
            value = base[i] - REDUNDANCY * overlap
            if value > best_score:
                best, best_score = i, value
        if best < 0:
            break
        chosen.append(best)
        left.discard(best)
    return [cands[i] for i in chosen]


def tfidf(docs: Sequence[Sequence[str]]) -> list[dict[str, float]]:
    """tf-idf vectors with the sentences as the documents: words every sentence uses (the
    company's name in a company story) weigh little, the words of one event weigh more."""
    n = len(docs)
    df: Counter[str] = Counter()
    for terms in docs:
        df.update(set(terms))
    out = []
    for terms in docs:
        tf = Counter(terms)
        out.append({t: (1 + math.log(c)) * math.log(1 + n / df[t]) for t, c in tf.items()})
    return out


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    if not dot:
        return 0.0
    return dot / (math.sqrt(sum(v * v for v in a.values())) * _norm(b))


def lexrank(vectors: Sequence[dict[str, float]], *, iterations: int = 100) -> list[float]:
    """Continuous LexRank: PageRank over the cosine-weighted sentence graph (no self-loops)."""
    n = len(vectors)
    if n == 0:
        return []
    if n == 1:
        return [1.0]
    edges: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            w = cosine(vectors[i], vectors[j])
            if w > 0:
                edges[i].append((j, w))
                edges[j].append((i, w))
    # Row-normalised: each sentence hands its rank to its neighbours in proportion to likeness.
    out = [[(j, w / total) for j, w in row] if (total := sum(w for _, w in row)) else []
           for row in edges]  # fmt: skip
    rank = [1.0 / n] * n
    for _ in range(iterations):
        # A sentence that shares no word with any other gives its rank to everyone.
        dangling = sum(r for r, row in zip(rank, out, strict=True) if not row) / n
        new = [(1 - DAMPING) / n + DAMPING * dangling] * n
        for i, row in enumerate(out):
            share = DAMPING * rank[i]
            for j, p in row:
                new[j] += share * p
        delta = max(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if delta < 1e-8:
            break
    return rank


def _title_vector(title: str, docs: Sequence[Sequence[str]]) -> dict[str, float]:
    # The headline weighed with the article's own idf, so its rare words count most.
    n = len(docs)
    df: Counter[str] = Counter()
    for terms in docs:
        df.update(set(terms))
    return {t: math.log(1 + n / (df[t] or 1)) for t in set(terms_of(title))}


def _penalty(text: str, *, quoted: bool = False) -> float:
    """What keeps a sentence out of a summary even when it is early and central."""
    p = 0.0
    if quoted or text.lstrip()[:1] in _QUOTE_OPEN or _quoted_share(text) > 0.5:
        p += QUOTE_PENALTY  # a voice, not the news: who said it is elsewhere
    if text.rstrip("\"'”’) ").endswith("?"):
        p += QUESTION_PENALTY
    words = _WORD.findall(text)
    if words and words[0].casefold() in _WEAK_START:
        p += WEAK_START_PENALTY
    if not text[:1].isupper() and not text[:1].isdigit() and text[:1] not in _QUOTE_OPEN:
        p += FRAGMENT_PENALTY  # "said Stephen Harper.", "- and a leader in ...": a piece cut off
    if not _ENDS_SENTENCE.search(text):
        p += NO_END_PENALTY  # a subhead, a caption, a list item
    if len(words) < SHORT_WORDS:
        p += SHORT_PENALTY
    elif len(words) > LONG_WORDS:
        p += LONG_PENALTY * min(1.0, (len(words) - LONG_WORDS) / LONG_WORDS)
    if _NAME_INSIDE.search(text) and _WHEN_OR_FIGURE.search(text):
        p -= FACT_BONUS
    return p


def _quoted_share(text: str) -> float:
    """The share of the sentence's characters inside quotation marks."""
    marks = [m.start() for m in _QUOTE_CHARS.finditer(text)]
    inside = sum(end - start for start, end in zip(marks[::2], marks[1::2], strict=False))
    return inside / max(len(text), 1)


def _trim_dateline(text: str) -> str:
    trimmed = _PLACE_AGENCY.sub("", text, count=1)
    if trimmed == text or len(trimmed.split()) < 4:
        return text
    return trimmed[:1].upper() + trimmed[1:]


def _junk(text: str) -> bool:
    return bool(_JUNK.search(text) or _BYLINE.match(text.strip()))


def _norm(v: dict[str, float]) -> float:
    return math.sqrt(sum(x * x for x in v.values()))


def _stem(word: str) -> str:
    """Crude suffix folding (plural, -ing, -ed) so "cuts" and "cut", "rallied" and "rally"
    meet; the ranker compares sentences of one article, so crude is enough."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ied"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
