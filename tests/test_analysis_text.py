"""bot.analysis.text: normalising and content hashing."""

from __future__ import annotations

from bot.analysis.text import content_hash, normalise_text


def test_normalise_nfc_and_whitespace() -> None:
    decomposed = "Cafe\u0301  in\u00a0Seoul\t\tnow "
    assert normalise_text(decomposed) == "Café in Seoul now"


def test_normalise_keeps_paragraphs_but_collapses_blank_runs() -> None:
    text = "First para.\r\n\r\n\r\n\r\nSecond  para.\nsame para line"
    assert normalise_text(text) == "First para.\n\nSecond para.\nsame para line"


def test_normalise_apostrophes_only_inside_words() -> None:
    text = "China’s “first” train, the countries’ link, ‘quoted’"
    out = normalise_text(text)
    assert "China's" in out and "countries' link" in out
    # Quotation marks stay as written: they carry who said what.
    assert "“first”" in out and "‘quoted’" in out


def test_normalise_drops_invisible_characters() -> None:
    assert normalise_text("re\u00adsume\u200b trains\ufeff") == "resume trains"


def test_hash_ignores_case_punctuation_quotes_and_spacing() -> None:
    a = content_hash("Trains to resume", "“It’s great,” said Beard.  The train leaves Thursday.")
    b = content_hash("TRAINS TO RESUME!", '"It\'s great" said Beard. The train leaves\nThursday')
    assert a == b


def test_hash_ignores_accents_and_changes_with_words() -> None:
    assert content_hash("São Paulo", "x") == content_hash("Sao Paulo", "x")
    leaves = content_hash("t", "The train leaves Thursday")
    assert leaves != content_hash("t", "The train left Thursday")


def test_hash_separates_title_from_body() -> None:
    assert content_hash("a b", "c") != content_hash("a", "b c")
