"""Answers as Discord embeds: cited lines, sources, pages, escaping and Discord's limits.

Discord's limits are written out here on purpose (not imported from the renderer).
"""

from __future__ import annotations

import pytest

from bot.surfaces.discord.embeds import escape, paginate
from facts.answers.contract import Answer, Citation, Item, Source
from facts.errors import ErrorCode

DISCORD_DESCRIPTION = 4096
DISCORD_FIELD_VALUE = 1024
DISCORD_FIELDS = 25
DISCORD_MESSAGE_EMBED_CHARS = 6000
DISCORD_TITLE = 256


def answer_with(items: int, *, text: str = "The two countries signed the accord on Friday.") -> Answer:
    return Answer(
        command="/timeline 2021",
        title="Timeline 2021",
        items=[
            Item(text=f"{text} ({i})", citations=(Citation(1, text), Citation(2, text)), date="2021-03-05",
                 date_precision="day", group="Fisheries accord (2021)")
            for i in range(items)
        ],
        sources=[
            Source(1, 10, "Andes Wire", "Peru and Chile sign", "2021-03-08", "https://andes.example/1"),
            Source(2, 11, "Coast Daily", "Pact signed", "2021-03-09", "https://coast.example/2"),
        ],
        notes=["A note for the reader."],
    )


def assert_within_limits(page_embed: object) -> None:
    embed = page_embed
    assert embed is not None
    assert len(embed.title or "") <= DISCORD_TITLE  # type: ignore[attr-defined]
    assert len(embed.description or "") <= DISCORD_DESCRIPTION  # type: ignore[attr-defined]
    assert len(embed.fields) <= DISCORD_FIELDS  # type: ignore[attr-defined]
    assert all(len(f.value) <= DISCORD_FIELD_VALUE for f in embed.fields)  # type: ignore[attr-defined]
    assert len(embed) <= DISCORD_MESSAGE_EMBED_CHARS  # type: ignore[arg-type]


def test_lines_carry_dates_and_citation_links_and_sources_are_a_field() -> None:
    page = paginate(answer_with(2))
    assert page.embed is not None and (page.start, page.end, page.total) == (0, 2, 2)
    description = page.embed.description or ""
    assert description.startswith("__Fisheries accord (2021)__\n**2021-03-05** · ")
    assert "[[1]](https://andes.example/1) [[2]](https://coast.example/2)" in description
    assert page.embed.fields[0].name == "Sources"
    first_source = "[1] Andes Wire · 2021-03-08 · [Peru and Chile sign](https://andes.example/1)"
    assert first_source in page.embed.fields[0].value
    assert "A note for the reader." in (page.embed.footer.text or "")
    assert_within_limits(page.embed)


def test_a_long_answer_is_paged_between_lines() -> None:
    answer = answer_with(60, text="The agreement, which officials described at great length, " * 8)
    first = paginate(answer)
    assert_within_limits(first.embed)
    assert first.has_next and not first.has_previous and 0 < first.end < 60
    second = paginate(answer, first.end)
    assert_within_limits(second.embed)
    assert second.has_previous and second.start == first.end
    assert f"({first.end})" in (second.embed.description or "")  # type: ignore[union-attr]
    assert f"Lines {first.end + 1}–{second.end} of 60." in (second.embed.footer.text or "")  # type: ignore[union-attr]


def test_one_enormous_line_is_clipped_not_rejected() -> None:
    assert_within_limits(paginate(answer_with(1, text="x" * 9000)).embed)


@pytest.mark.parametrize(
    "evil",
    [
        "@everyone look", "@here now", "<@123456789012345678> said", "<@&987> role", "<#42> room",
        "**bold** _it_",
    ],
)
def test_document_text_is_shown_literally(evil: str) -> None:
    description = paginate(answer_with(1, text=evil)).embed.description or ""  # type: ignore[union-attr]
    for ping in ("@everyone", "@here", "<@123456789012345678>", "<@&987>", "<#42>"):
        assert ping not in description
    assert "**bold**" not in description


def test_escape() -> None:
    assert escape("a *b* @everyone") == "a \\*b\\* @\u200beveryone"


def test_an_error_is_one_line_of_content() -> None:
    failure = Answer.failure("/timeline x", ErrorCode.BAD_INPUT, "'x' is not a year. Usage: /timeline <year>")
    page = paginate(failure)
    assert page.embed is None and page.content is not None
    assert page.content.startswith("⚠ ") and "Usage: /timeline" in page.content
