"""The cheap pre-tests may skip a pattern only when it cannot match: checked over all of Unicode."""

from __future__ import annotations

import re
import string
import sys

from facts.extract.entities import _CAPITAL_AT_START, _CUE_AT_START, _CUE_WORD, _SPANNING_CUES
from facts.text.prefilter import _RE_FOLDS, fold_lower, has_digit

ALL_CHARS = "".join(map(chr, range(sys.maxunicode + 1)))


def test_re_ignorecase_folds_onto_ascii_letters_only_where_fold_lower_does() -> None:
    odd = {}
    for letter in string.ascii_lowercase:
        for ch in re.findall(letter, ALL_CHARS, re.IGNORECASE):
            if not ch.isascii():
                odd[ch] = letter
    assert odd == _RE_FOLDS
    for ch, letter in odd.items():
        assert fold_lower(f"x{ch}y") == f"x{letter}y"


def test_fold_lower_keeps_offsets_and_finds_ignorecase_words() -> None:
    text = "The AGREEMENT was ſigned by the İnterior Minister"
    low = fold_lower(text)
    assert len(low) == len(text)
    assert "signed" in low and "interior" in low and "agreement" in low


def test_alnum_class_is_str_isalnum() -> None:
    alnum = set(re.findall(r"[^\W_]", ALL_CHARS))
    assert alnum == {ch for ch in ALL_CHARS if ch.isalnum()}


def test_has_digit_is_the_digit_regex() -> None:
    for text in ("no digits here", "in 2019", "٣ days", "— “quoted” —", "", "x\u0663"):
        assert has_digit(text) == (re.search(r"\d", text) is not None)


def test_capitals_at_word_starts() -> None:
    text = "Then-President Lee met U.S. envoy O'Brien.Ana\nBo"
    starts = [m.start() for m in _CAPITAL_AT_START.finditer(text)]
    assert [text[i : i + 3] for i in starts] == ["The", "Lee", "U.S", "O'B", "Bo"]


def test_cue_scan_from_word_starts_matches_the_full_scan() -> None:
    text = "Acting spokeswoman Ana Ruiz told the ministerial Department, the headquarters said."
    assert not any(w in text for w in _SPANNING_CUES)
    full = [m.span() for m in _CUE_WORD.finditer(text) if not (m.start() and text[m.start() - 1].isalnum())]
    assert [m.span() for m in _CUE_AT_START.finditer(text)] == full


def test_space_class_is_str_isspace() -> None:
    spaces = set(re.findall(r"\s", ALL_CHARS))
    assert spaces == {ch for ch in ALL_CHARS if ch.isspace()}


def test_lower_keeps_length_except_dotted_capital_i() -> None:
    assert [ch for ch in ALL_CHARS if len(ch.lower()) != 1] == ["\u0130"]


def test_word_starts_and_finditer_at_match_finditer() -> None:
    from facts.text.prefilter import finditer_at, word_starts

    rx = re.compile(r"\b(?:said|says|according\s+to)\s+\w+")
    text = "Lee said Friday; unsaid, she says so, according to aides; said"
    found = finditer_at(rx, text, word_starts(text, ("said", "says", "according"), fold=False))
    assert [m.span() for m in found] == [m.span() for m in rx.finditer(text)]


def test_digit_class_is_str_isdecimal() -> None:
    digits = set(re.findall(r"\d", ALL_CHARS))
    assert digits == {ch for ch in ALL_CHARS if ch.isdecimal()}
