"""bot.analysis.sentences: pysbd per paragraph, with a fast path."""

from __future__ import annotations

from bot.analysis.sentences import paragraphs, split_sentences


def test_splits_sentences_and_keeps_abbreviations() -> None:
    text = "Mr. Kim arrived in Pyongyang on Tuesday. The U.S. embassy said nothing. Trains run."
    assert split_sentences(text) == [
        "Mr. Kim arrived in Pyongyang on Tuesday.",
        "The U.S. embassy said nothing.",
        "Trains run.",
    ]


def test_quotes_and_attribution_stay_together() -> None:
    text = "“It's great to see the service resuming,” said Rowan Beard. He confirmed it."
    assert split_sentences(text) == [
        "“It's great to see the service resuming,” said Rowan Beard.",
        "He confirmed it.",
    ]


def test_never_spans_paragraphs_and_drops_empties() -> None:
    text = "Headline without a full stop\nFirst line para. Second sentence.\n\n\n"
    assert split_sentences(text) == [
        "Headline without a full stop",
        "First line para.",
        "Second sentence.",
    ]


def test_blank_lines_make_single_newlines_soft_wraps() -> None:
    text = "A hard-wrapped\nparagraph goes on.\n\nAnother one."
    assert paragraphs(text) == ["A hard-wrapped paragraph goes on.", "Another one."]
    assert split_sentences(text) == ["A hard-wrapped paragraph goes on.", "Another one."]


def test_short_text_fast_path_and_empty() -> None:
    assert split_sentences("Trains resume") == ["Trains resume"]
    assert split_sentences("   \n ") == []
    assert split_sentences("") == []


def test_decimal_numbers_do_not_split() -> None:
    assert split_sentences("Shares rose 3.5 per cent on Monday. Trading closed.") == [
        "Shares rose 3.5 per cent on Monday.",
        "Trading closed.",
    ]
