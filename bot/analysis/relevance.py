"""Whether a text is about a situation: the relevance tests /status applies, as pure functions.

Ingest runs `SituationMatcher.about` over every new article for each declared situation and
stores the answer (bot.store.situations), so a status reads the articles about a situation from
an index instead of searching and re-reading them. The query side uses the same matcher for the
finer, per-event tests (`event_relevant`, `mentions`, `foreign_only`).

RELEVANCE_VERSION is part of every stored tagging's signature: change it whenever `about` changes
meaning, and stored tags are rebuilt on the next ingest (until then /status searches instead).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.analysis import events as ev_mod
from bot.analysis.places import countries_in, country_named, country_of_name
from bot.models import Situation

RELEVANCE_VERSION = 3

_RESTRICTION_FACETS = re.compile(
    r"\b(?:sanction|embargo|strike|walkout|curfew|lockdown|blockade|boycott|tariff|ban"
    r"|restriction)s?\b",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(
    r"\b(?:the|both)\s+(?:two\s+)?(?:countries|nations|sides|neighbou?rs|capitals|cities)\b"
    # "the service", "the elite race", "the cross-border route": one lowercase word may qualify
    # the noun (a capitalised one names something else: "the Moscow route").
    r"|\bthe\s+(?:(?-i:[a-z][a-z-]*)\s+)?"
    r"(?:service|services|route|routes|line|link|links|connection|crossing|train|trains|flight"
    r"|flights|bridge|journey|journeys|trip|trips|ferry|event|race|match|tournament|festival"
    r"|strike|ban|sanctions)\b"
    r"|\b(?:its|their)\s+(?:suspension|resumption|closure|reopening|cancellation|restart)\b",
    re.IGNORECASE,
)
_PRONOUN_START = re.compile(r"^\W*(?:it|they|this|services?|the\s+service)\b", re.IGNORECASE)


def alias_pattern(names: Iterable[str]) -> AliasPattern | None:
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
    return AliasPattern(re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?:'s)?(?![\w])"))


# A place name inside "pro-Beijing" or "anti-US" is an adjective, not the place; after another
# capitalised name in a pair ("Busan-Fukuoka ferry", "Beijing-Pyongyang train") it is the place.
_LOWER_PREFIX = re.compile(r"(?<![\w-])[a-z][\w']*-$")


@dataclass(frozen=True)
class AliasPattern:
    """A place-name pattern: `search` tells whether the text names the place."""

    pattern: re.Pattern[str]

    def search(self, text: str) -> bool:
        for m in self.pattern.finditer(text):
            start = m.start()
            if start and text[start - 1] == "-" and _LOWER_PREFIX.search(text, 0, start):
                continue
            return True
        return False


def facet_pattern(facets: Iterable[str], *, ignore_case: bool = True) -> re.Pattern[str] | None:
    parts = []
    for facet in {f.strip() for f in facets if f and f.strip()}:
        escaped = re.escape(facet).replace(r"\ ", r"[\s-]+")
        if facet.isupper() or any(c.isdigit() for c in facet):
            parts.append(f"(?-i:{escaped})")
        else:
            parts.append(escaped + "(?:s|es)?")
    if not parts:
        return None
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])", flags)


@dataclass(frozen=True)
class Lowered:
    """An article's sentences lower-cased and joined, with where each sentence starts."""

    joined: str
    starts: list[int]

    @classmethod
    def of(cls, sentences: Iterable[str]) -> Lowered:
        # Lower-cased one by one: lower() may change a text's length ("İ"), and the offsets
        # must be those of the lower-cased text.
        low = [t.lower() for t in sentences]
        starts = list(itertools.accumulate((len(t) + 1 for t in low), initial=0))
        return cls("\n".join(low), starts)


@dataclass
class SituationMatcher:
    """Relevance tests for one situation, compiled once per request."""

    situation: Situation
    entities: list[AliasPattern] = field(default_factory=list)
    any_entity: AliasPattern | None = None
    facets: re.Pattern[str] | None = None
    # The facets, lower-cased, to find candidate sentences in lower-cased text (see `about`).
    facet_words: re.Pattern[str] | None = None
    codes: set[str] = field(default_factory=set)
    restriction: re.Pattern[str] | None = None
    # Proper-name facets the situation's own title names ("Torkham" in "Torkham border
    # crossing", "Maitree Express"): naming one names the situation, whatever else is said.
    key_facets: AliasPattern | None = None
    # Per entity pattern, the country it stands for when the group names a country ("India",
    # "Indian"): text naming a large city of it ("shipments resumed from Nashik") names it.
    group_codes: list[frozenset[str]] = field(default_factory=list)

    @classmethod
    def build(cls, sit: Situation) -> SituationMatcher:
        entities: list[AliasPattern] = []
        group_codes: list[frozenset[str]] = []
        for group in sit.entities:
            pattern = alias_pattern(group)
            if pattern is None:
                continue
            entities.append(pattern)
            group_codes.append(frozenset(filter(None, (country_named(n) for n in group))))
        any_entity = alias_pattern([n for group in sit.entities for n in group])
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
        return cls(
            sit,
            entities,
            any_entity,
            facet_pattern(sit.facets),
            facet_pattern([f.lower() for f in sit.facets], ignore_case=False),
            codes,
            restriction,
            _key_facets(sit),
            group_codes,
        )

    def _names_group(self, i: int, text: str) -> bool:
        if self.entities[i].search(text):
            return True
        codes = self.group_codes[i] if i < len(self.group_codes) else frozenset()
        return bool(codes) and bool(countries_in(text) & codes)

    def names_all(self, text: str) -> bool:
        """Names every one of the situation's places (a country also by a large city of it)."""
        return bool(self.entities) and all(
            self._names_group(i, text) for i in range(len(self.entities))
        )

    def names_entity(self, text: str) -> bool:
        if self.any_entity and self.any_entity.search(text):
            return True
        codes = frozenset().union(*self.group_codes) if self.group_codes else frozenset()
        return bool(codes) and bool(countries_in(text) & codes)

    def names_facet(self, text: str) -> bool:
        if self.facets is None:
            # No facets: the places alone define the situation.
            return self.names_all(text)
        return bool(self.facets.search(text))

    def refers_back(self, text: str) -> bool:
        return bool(_ANAPHOR.search(text))

    def mentions(self, text: str) -> bool:
        """Names the situation's places, facets, or refers back to them."""
        return self.names_entity(text) or self.names_facet(text) or self.refers_back(text)

    def about(self, title: str, sentences: list[str], lowered: Lowered | None = None) -> bool:
        """Whether an article is about the situation (not only mentions its places).

        `lowered` is the sentences' lower-cased text, when the caller tests several situations
        on one article and has already made it (see `Lowered.of`).
        """
        if self.key_facets is not None and self.key_facets.search(title):
            return True
        everything = sentences
        sides_named: bool | None = None  # every side named somewhere in the article (lazy)
        if self.names_facet(title) and self.names_entity(title):
            # A title naming one side and the subject is about this situation only if the
            # article names the other side somewhere: "Beijing–Pyongyang train resumes" names
            # Pyongyang and a train, and is not about Moscow–Pyongyang trains.
            sides_named = self.names_all(" ".join([title, *everything]))
            if sides_named:
                return True
        if self.facets is not None and self.facet_words is not None:
            # One pass over the whole lower-cased text finds the few sentences worth a closer
            # look (most articles matched on their places, not on the subject); a pattern
            # without IGNORECASE is twice as fast, and each sentence it picks is checked with
            # the exact pattern below, so finding too much costs nothing but time.
            low = lowered if lowered is not None else Lowered.of(sentences)
            picked = sorted(
                {
                    bisect.bisect_right(low.starts, m.start()) - 1
                    for m in self.facet_words.finditer(low.joined)
                }
            )
            sentences = [sentences[i] for i in picked]
        loose = 0
        for text in sentences:
            if not self.names_facet(text):
                continue
            if self.names_all(text) or (
                self.key_facets is not None and self.key_facets.search(text)
            ):
                return True
            weak = (self.names_entity(text) and self.refers_back(text)) or re.search(
                r"\b(?:the|both)\s+two\s+countries\b", text, re.IGNORECASE
            )
            if weak or self.names_entity(text) or self.refers_back(text):
                # One side and the subject in a sentence: as for the title, the other side
                # must be named somewhere in the article.
                if sides_named is None:
                    sides_named = self.names_all(" ".join([title, *everything]))
                if not sides_named:
                    return False
                if weak:
                    return True
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


def _key_facets(sit: Situation) -> AliasPattern | None:
    names = key_facet_names(sit)
    return alias_pattern(names) if names else None


def key_facet_names(sit: Situation) -> list[str]:
    """The situation's proper-name facets that its title names (see `SituationMatcher`).

    A capitalised facet in the title is what the situation is called ("Torkham border
    crossing", "Dhaka–Kolkata Maitree Express"); one only listed among the facets (a carrier,
    "Turkish Airlines", for "Istanbul–Damascus flights") may be about any of its routes.
    """
    aliases = {n.casefold() for group in sit.entities for n in group}
    title_words = set(re.findall(r"\w+", sit.title.casefold()))
    names = [
        f
        for f in sit.facets
        if f[:1].isupper()
        and f.casefold() not in aliases
        # Every word of it in the title: "King Hussein Bridge" in "Allenby (King Hussein)
        # Bridge crossing".
        and set(re.findall(r"\w+", f.casefold())) <= title_words
        # "Iran" in "Iran flights" is a place: places are entities, not names of the subject.
        and country_of_name(f) is None
    ]
    return names


@dataclass(frozen=True)
class SituationTag:
    """A declared situation as ingest marks it: which articles are about it."""

    key: str
    signature: str  # see `signature`: a stored tagging with another one is out of date
    matcher: SituationMatcher
    match: str  # FTS5 expression for the articles worth testing when re-tagging stored ones

    @classmethod
    def of(cls, sit: Situation, match: str) -> SituationTag:
        return cls(sit.key, signature(sit), SituationMatcher.build(sit), match)


def signature(sit: Situation) -> str:
    """What a stored tagging of `sit` depends on: its names, facets and this module's rules."""
    spec = [RELEVANCE_VERSION, sit.key, sit.entities, sit.facets]
    return hashlib.sha1(json.dumps(spec, ensure_ascii=False).encode()).hexdigest()[:16]
