"""What a sentence says about how a service runs: how often, and between which places.

Outlets reporting the same change often disagree on its details ("Xinhua: daily
Dandong–Pyongyang; Yonhap: four times a week Beijing–Pyongyang"). /status shows such
disagreements as caveats instead of picking one; this module only reads the details.

Frequencies are normalised to runs per week, so "twice weekly", "two trains a week" and "on
Tuesdays and Fridays" compare equal, and "daily" equals "every day" and "seven days a week".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.analysis.places import country_of_name

_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "once": 1, "two": 2, "twice": 2, "three": 3, "thrice": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fourteen": 14, "twenty": 20,
}  # fmt: skip
_COUNT = (
    r"(?P<n>\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fourteen|twenty)"
)
_RUNS = (
    r"(?:times|trains|services|departures|flights|trips|round[\s-]trips|journeys|sailings|runs"
    r"|return\s+trips)"
)
_PER = r"(?:a|per|each|every)"
_SERVICE = r"(?:services?|trains?|flights?|departures?|sailings?|runs?|trips?|connections?|routes?)"
# After "daily" or "weekly", what makes it about the service ("run daily between", "daily
# flights") rather than anything else ("the daily newspaper", "a weekly magazine").
_ABOUT_RUNS = (
    rf"(?=\s+{_SERVICE}\b|\s*(?:[,.;)]|$)"
    r"|\s+(?:between|from|to|on|until|since|except|and|or|via|in\s+each\s+direction)\b)"
)
_FREQUENCY = re.compile(
    # "four times a week", "two trains per week", "3 flights weekly", "twice a week"
    rf"\b(?:{_COUNT}\s+{_RUNS}|(?P<adv>once|twice|thrice))[\s-]+"
    rf"(?:(?:{_PER}\s+(?P<unit>week|day|month))|(?P<unit_ly>weekly|daily|monthly))\b"
    rf"|\b(?P<daily>(?:every|each)\s+day|seven\s+days\s+a\s+week|daily{_ABOUT_RUNS})"
    r"|\b(?P<alternate>every\s+other\s+day|on\s+alternate\s+days)\b"
    rf"|\b(?P<weekly>weekly){_ABOUT_RUNS}",
    re.IGNORECASE,
)
_WEEKDAYS = r"(?:Mondays|Tuesdays|Wednesdays|Thursdays|Fridays|Saturdays|Sundays)"
_DAY_LIST = re.compile(rf"\bon\s+({_WEEKDAYS}(?:\s*(?:,|and|or|&)\s*(?:and\s+)?{_WEEKDAYS})*)\b")
_PLACE = r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)?"
_ROUTE = re.compile(
    rf"\bbetween\s+(?P<a>{_PLACE})\s+and\s+(?P<b>{_PLACE})"
    rf"|\bfrom\s+(?P<c>{_PLACE})\s+to\s+(?P<d>{_PLACE})"
    rf"|(?<![\w-])(?P<e>[A-Z][a-z]+)\s?[-–—]\s?(?P<f>[A-Z][a-z]+)(?![\w-])"
)
# Words that a capitalised "place" must not be ("between March and April").
_NOT_PLACES = frozenset(
    {
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
        "friday", "saturday", "sunday", "the", "a", "an",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Frequency:
    per_week: float
    text: str  # as written: "four times a week"


def frequency(text: str) -> Frequency | None:
    """How often the sentence says the service runs, or None."""
    m = _FREQUENCY.search(text)
    if m is not None:
        per_week = _per_week(m)
        if per_week is not None:
            written = " ".join(m.group(0).split())
            if written[:1].isupper() and written[1:2].islower():
                written = written[0].lower() + written[1:]  # "Daily flights": "daily"
            return Frequency(per_week, written)
    days = _DAY_LIST.search(text)
    if days is not None:
        named = set(re.findall(_WEEKDAYS, days.group(1)))
        return Frequency(float(len(named)), " ".join(days.group(0).split()))
    return None


def _per_week(m: re.Match[str]) -> float | None:
    if m.group("daily"):
        return 7.0
    if m.group("alternate"):
        return 3.5
    if m.group("weekly"):
        return 1.0
    word = (m.group("n") or m.group("adv") or "").lower()
    n = int(word) if word.isdigit() else _NUMBERS.get(word)
    if not n:
        return None
    unit = (m.group("unit") or m.group("unit_ly") or "").lower()
    if unit.startswith("day") or unit == "daily":
        return n * 7.0
    if unit.startswith("month"):
        return round(n * 12 / 52, 2)
    return float(n)


def route(text: str) -> tuple[str, str] | None:
    """The two places a service is said to run between ("Dandong", "Pyongyang"), or None."""
    for m in _ROUTE.finditer(text):
        a = m.group("a") or m.group("c") or m.group("e")
        b = m.group("b") or m.group("d") or m.group("f")
        if not a or not b:
            continue
        a, b = a.strip(" .’'"), b.strip(" .’'")
        if a.lower() in _NOT_PLACES or b.lower() in _NOT_PLACES:
            continue
        if country_of_name(a) and country_of_name(b):
            return a, b
    return None


def describe(freq: Frequency | None, where: tuple[str, str] | None) -> str:
    """ "four times a week, Beijing–Pyongyang": the details as one phrase."""
    parts = []
    if freq is not None:
        parts.append(freq.text)
    if where is not None:
        parts.append("–".join(where))
    return ", ".join(parts)
