"""bot.analysis.places: which countries a piece of text names."""

from __future__ import annotations

import pytest

from bot.analysis.places import countries_in, country_of_name


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Train services with Russia resumed last year.", {"RU"}),
        ("Passenger trains between Beijing and Pyongyang", {"CN", "KP"}),
        ("the Beijing-Pyongyang train", {"CN", "KP"}),
        ("North Koreans working abroad", {"KP"}),
        ("Talks between the U.S. and South Korea", {"US", "KR"}),
        ("Niger and Nigeria", {"NE", "NG"}),  # the longer name wins where both could match
        ("Guinea-Bissau", {"GW"}),
        ("The service will resume on Thursday.", set()),
        ("", set()),
    ],
)
def test_countries_in(text: str, codes: set[str]) -> None:
    assert countries_in(text) == codes


def test_results_are_fresh_sets() -> None:
    found = countries_in("Beijing")
    found.add("XX")  # callers may change what they get without poisoning the cache
    assert countries_in("Beijing") == {"CN"}


def test_country_of_name() -> None:
    assert country_of_name("Dandong") == "CN"
    assert country_of_name("Pyongyang") == "KP"
    assert country_of_name("Nowhereville") is None
