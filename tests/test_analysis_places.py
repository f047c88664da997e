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


def test_large_cities_name_their_country() -> None:
    from bot.analysis.places import country_named

    assert countries_in("Onion shipments resumed from Nashik last week.") == {"IN"}
    assert countries_in("Palm oil shipments resumed from Medan on Monday.") == {"ID"}
    # Names that are ordinary words or given names, or that two countries share, say nothing.
    assert countries_in("Charlotte said the Phoenix project was on hold.") == set()
    assert countries_in("Hyderabad traders said.") == set()
    # Countries and peoples, not their cities, stand for a whole country.
    assert country_named("India") == "IN" and country_named("Indian") == "IN"
    assert country_named("Jordan") == "JO"
    assert country_named("New Delhi") is None and country_named("Dandong") is None
