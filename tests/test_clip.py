"""facts.text.clip: one rule for every text cut to a length (titles, echoes, platform fields)."""

from __future__ import annotations

import pytest

from facts.text.clip import clip


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Ruritania", 20, "Ruritania"),  # shorter: unchanged
        ("Ruritania", 9, "Ruritania"),  # exactly the limit: unchanged, no ellipsis
        ("Ruritania", 8, "Ruritan…"),  # one over: the last kept character gives way to "…"
        ("Grand Duchy of Ruritania", 12, "Grand Duchy…"),
        ("", 5, ""),
        ("Zenda", 1, "…"),  # the smallest limit still shows that something was cut
        ("Ruritania…", 10, "Ruritania…"),  # an ellipsis already there is just a character
    ],
)
def test_clip_keeps_what_fits_and_marks_a_cut(text: str, limit: int, expected: str) -> None:
    clipped = clip(text, limit)
    assert clipped == expected
    assert len(clipped) <= limit


def test_a_clipped_text_is_a_prefix_of_the_original() -> None:
    text = "The Duke of Strelsau met the envoy of Elbonia at the border crossing in Zenda."
    for limit in range(1, len(text) + 2):
        clipped = clip(text, limit)
        assert len(clipped) == min(limit, len(text))
        assert text.startswith(clipped.removesuffix("…")) or clipped == text
