"""Splitting article text into sentences (pysbd, paragraph by paragraph)."""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

# A paragraph with no sentence-ending mark followed by more text is one sentence: pysbd costs
# about a millisecond a paragraph, and titles, captions and short paragraphs are common.
_INNER_END = re.compile(r"[.!?…][\"'”’)\]]*\s+\S")
_BLANK_LINE = re.compile(r"\n\s*\n")
# Where a plain splitter may cut: terminal punctuation, closing quotes, space, then a capital,
# a digit or an opening quote.
_BOUNDARY = re.compile(r"(?<=[.!?])(?P<close>[\"'”’)\]]*)(?P<space>\s+)(?=[“\"‘'(\[]?[A-Z0-9])")
_QUOTES = re.compile(r"[“”\"«»]")
# A sentence end the plain rule would not cut (lower case follows: "iPods", "he asked").
_UNCUT_END = re.compile(r"[.!?…][\"'”’)\]]*\s")
# The word before a full stop that makes a cut doubtful: abbreviations, initials, "U.S.",
# ellipses. Paragraphs with any of these go to pysbd, which knows its abbreviations; the rest
# (most news paragraphs) are cut by the plain rule, which pysbd would cut the same way, in a
# fraction of the time (pysbd compiles regexes per abbreviation it meets: ~10 ms an article).
_DOUBTFUL = re.compile(
    r"(?:\b(?:[A-Za-z]|mr|mrs|ms|dr|st|jr|sr|prof|gen|col|lt|sgt|capt|cmdr|adm|rep|sen|gov|rev"
    r"|hon|inc|ltd|co|corp|bros|no|nos|vs|etc|approx|est|dept|univ|assn|ave|blvd|rd|mt|ft|fig"
    r"|vol|pp|ed|eds|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|mon|tue|tues|wed|thu|thur"
    r"|thurs|fri|sat|sun|a\.m|p\.m|e\.g|i\.e|al|cf|op|ca)|\.\w+|\.\.|…)[.!?]$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    # Built once: construction compiles pysbd's rule set. clean=False keeps the text as written
    # (clean=True rewrites it, and we show sentences as evidence).
    return pysbd.Segmenter(language="en", clean=False)


def paragraphs(text: str) -> list[str]:
    """Paragraphs of `text`.

    With blank lines present they separate paragraphs and single newlines are soft wraps;
    without any, every line is a paragraph (the one-paragraph-a-line dump format).
    """
    text = text.strip()
    if _BLANK_LINE.search(text):
        blocks = _BLANK_LINE.split(text)
        return [" ".join(b.split()) for b in blocks if b.strip()]
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _plain_split(para: str) -> list[str] | None:
    """Cut at unambiguous sentence ends; None when any end is doubtful (then pysbd decides)."""
    if _QUOTES.search(para):
        return None  # pysbd keeps a quoted passage of several sentences together; so do we
    pieces: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(para):
        cut = m.start("space")
        last_word = para[start : m.start("close")].rsplit(None, 1)[-1:] or [""]
        if _DOUBTFUL.search(last_word[0]):
            return None
        pieces.append(para[start:cut].strip())
        start = m.end()
    pieces.append(para[start:].strip())
    if any(_UNCUT_END.search(p) for p in pieces):
        return None
    return [p for p in pieces if p]


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` in order, stripped, never empty, never spanning a paragraph break."""
    out: list[str] = []
    for para in paragraphs(text):
        if not _INNER_END.search(para):
            out.append(para)
            continue
        plain = _plain_split(para)
        if plain is not None:
            out.extend(plain)
            continue
        for sentence in _segmenter().segment(para):
            sentence = sentence.strip()
            if sentence:
                out.append(sentence)
    return out
