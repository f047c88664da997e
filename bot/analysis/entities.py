"""Which entities a text mentions, from an alias table handed in as data.

The table comes from the gazetteer (bot.briefing.topics builds it from the Catalog); this module
only matches, so it stays pure: no I/O, no clock, no catalog import.

Matching works on a normalised copy of the text: case- and accent-folded word tokens joined by
single spaces ("N. Korea's" -> "n korea s"), the same folding the catalog applies to names. One
compiled pattern, shaped as a character trie of every alias, is searched over that copy, so
each position costs a walk down one branch rather than a try of thousands of alternatives.
Alternatives are ordered longest first and a match must end at a token boundary, so "North
Korean" wins over "Korea" and "Korean" is never found inside "Koreans".

Codes ("US", "NK") are different: as lower-case words they are everyday English ("us"), so they
are matched case-sensitively in the original text, and not at all in text written in capitals
(a shouting headline gives upper case no meaning).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.analysis.relevance import SituationTag

TOKEN = re.compile(r"[^\W_]+")
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")


def fold(token: str) -> str:
    """Case- and accent-fold one token (ASCII fast path: most input is)."""
    if token.isascii():
        return token.lower()
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # NFKD splits Hangul syllables into jamo, which are not marks and must be recomposed.
    return unicodedata.normalize("NFC", stripped)


def tokens(text: str) -> list[str]:
    """Folded word tokens: "N. Korea" -> ["n", "korea"], "Kim Jong-un" -> ["kim", "jong", "un"]."""
    if text.isascii():  # most news text: one C-level pass instead of a call per token
        return _ASCII_TOKEN.findall(text.lower())
    return [fold(t) for t in TOKEN.findall(unicodedata.normalize("NFC", text))]


def normalise(text: str) -> str:
    """The form names are compared in: folded tokens joined by single spaces."""
    return " ".join(tokens(text))


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of `words`, factored as a character trie, longest match first."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a word

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # A greedy optional tries the longer names below this node first, then stops here.
        return f"(?:{body})?" if ends else body

    return emit(trie)


@dataclass(frozen=True)
class EntityTagger:
    """A compiled alias table. Build it once (see `build_tagger`); `tag` is thread-safe."""

    pattern: re.Pattern[str] | None
    aliases: dict[str, str]  # normalised alias -> entity key
    code_pattern: re.Pattern[str] | None
    codes: dict[str, str]  # exact spelling -> entity key
    # The declared situations whose articles are marked at ingest (bot.analysis.relevance).
    situations: tuple[SituationTag, ...] = ()

    def tag(self, text: str) -> list[str]:
        """Entity keys `text` mentions, sorted, each once."""
        found: set[str] = set()
        if self.pattern is not None and text:
            aliases = self.aliases
            for m in self.pattern.finditer(normalise(text)):
                found.add(aliases[m.group()])
        if self.code_pattern is not None and text:
            hits = self.code_pattern.findall(text)
            # Text without a lower-case letter is shouting: its capitals say nothing.
            if hits and text.upper() != text:
                found.update(self.codes[h] for h in hits)
        return sorted(found)

    def tag_article(
        self, title: str, sentences: Sequence[str]
    ) -> tuple[list[str], list[tuple[int, str]]]:
        """(the article's entities, (sentence index, entity) pairs).

        The article's entities are its title's and its sentences': the sentences cover the body,
        so the body is not tagged a second time.
        """
        per_sentence = [(i, key) for i, s in enumerate(sentences) for key in self.tag(s)]
        article = set(self.tag(title))
        article.update(key for _, key in per_sentence)
        return sorted(article), per_sentence

    def situations_of(self, title: str, sentences: Sequence[str]) -> list[str]:
        """Keys of the declared situations the article is about."""
        if not self.situations:
            return []
        from bot.analysis.relevance import Lowered  # relevance imports the gazetteer lazily

        texts = list(sentences)
        low = Lowered.of(texts)
        return [tag.key for tag in self.situations if tag.matcher.about(title, texts, low)]

    def with_situations(self, situations: Iterable[SituationTag]) -> EntityTagger:
        return dataclasses.replace(self, situations=tuple(situations))


def build_tagger(
    names: Iterable[tuple[str, str]], codes: Iterable[tuple[str, str]] = ()
) -> EntityTagger:
    """Compile (alias, entity key) pairs and (code, entity key) pairs into a tagger.

    Aliases match case-, accent- and punctuation-insensitively on whole tokens; codes match as
    spelt, on word boundaries, outside all-capitals text. An alias given for two entities keeps
    the first: the caller decides ambiguity (the catalog drops names two places share).
    """
    aliases: dict[str, str] = {}
    for spelling, key in names:
        norm = normalise(spelling)
        if norm:
            aliases.setdefault(norm, key)
    exact: dict[str, str] = {}
    for spelling, key in codes:
        if spelling.strip():
            exact.setdefault(spelling.strip(), key)
    pattern = None
    if aliases:
        # Token boundaries: the normalised text has single spaces between tokens and none at
        # either end, so "a space or the edge" on both sides is a whole-word match.
        pattern = re.compile(r"(?<![^ ])" + _trie_pattern(aliases) + r"(?![^ ])")
    code_pattern = None
    if exact:
        alternatives = "|".join(re.escape(c) for c in sorted(exact, key=len, reverse=True))
        # No word character (nor a dot, for "U.S.") may touch a code on either side.
        code_pattern = re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])")
    return EntityTagger(pattern, aliases, code_pattern, exact)
