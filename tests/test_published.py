"""Publication dates as content systems export them: every accepted form, and the refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from facts.read.files import read_paths
from facts.read.published import Published, parse_published_value

EAST = dt.timezone(dt.timedelta(hours=5, minutes=30))
WEST = dt.timezone(-dt.timedelta(hours=4))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # plain days and months
        ("2023-06-09", Published("2023-06-09", "day")),
        ("2023-06", Published("2023-06", "month")),
        ("2023-6-9", Published("2023-06-09", "day")),
        # ISO 8601 date-times: the date is the local one in the offset written
        ("2023-06-09T23:40:00-04:00", Published("2023-06-09", "day", "23:40:00", "-04:00")),
        ("2023-06-09T00:15:00+05:30", Published("2023-06-09", "day", "00:15:00", "+05:30")),
        ("2023-06-09T08:05:00Z", Published("2023-06-09", "day", "08:05:00", "+00:00")),
        ("2023-06-09T08:05:00.250+0100", Published("2023-06-09", "day", "08:05:00", "+01:00")),
        ("2023-06-09T08:05", Published("2023-06-09", "day", "08:05:00")),
        # space-separated, as Jekyll writes it
        ("2023-06-09 08:05", Published("2023-06-09", "day", "08:05:00")),
        ("2023-06-09 08:05:30", Published("2023-06-09", "day", "08:05:30")),
        ("2023-06-09 22:05:30 -0700", Published("2023-06-09", "day", "22:05:30", "-07:00")),
        ("2023-06-09 22:05 +02", Published("2023-06-09", "day", "22:05:00", "+02:00")),
        # RFC 2822, as RSS writes it
        ("Fri, 09 Jun 2023 21:30:00 -0500", Published("2023-06-09", "day", "21:30:00", "-05:00")),
        ("Fri, 9 Jun 2023 06:00:00 GMT", Published("2023-06-09", "day", "06:00:00", "+00:00")),
        ("9 Jun 2023 06:00 +0200", Published("2023-06-09", "day", "06:00:00", "+02:00")),
        # written out
        ("June 9, 2023", Published("2023-06-09", "day")),
        ("Jun. 9, 2023", Published("2023-06-09", "day")),
        ("Sept. 30, 2023", Published("2023-09-30", "day")),
        ("Friday, June 9, 2023", Published("2023-06-09", "day")),
        ("9 June 2023", Published("2023-06-09", "day")),
        ("June 2023", Published("2023-06", "month")),
        ("2023/06/09", Published("2023-06-09", "day")),
        ("2023.06.09", Published("2023-06-09", "day")),
        ("June 9, 2023 7:20 AM EDT", Published("2023-06-09", "day")),  # the day; a zone name is not kept
        ("9 June 2023, 07:20 GMT", Published("2023-06-09", "day")),
        ("June 9, 2023 at 7:20 p.m.", Published("2023-06-09", "day")),
        # objects TOML front matter (and YAML loaders with timestamps) produce
        (dt.date(2023, 6, 9), Published("2023-06-09", "day")),
        (dt.datetime(2023, 6, 9, 23, 40, tzinfo=WEST), Published("2023-06-09", "day", "23:40:00", "-04:00")),
        (dt.datetime(2023, 6, 9, 0, 10, tzinfo=EAST), Published("2023-06-09", "day", "00:10:00", "+05:30")),
        (dt.datetime(2023, 6, 9, 7, 0), Published("2023-06-09", "day", "07:00:00")),
    ],
)
def test_every_published_form_gives_its_local_day(value: object, expected: Published) -> None:
    assert parse_published_value(value) == expected


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "empty"),
        (None, "not a date"),
        ("2023", "only a year"),
        ("soon", "not a date"),
        ("09-06-2023", "not a date"),  # day-month or month-day: ambiguous, so refused
        ("2023-02-30", "not a real date"),
        ("2023-13", "not a real date"),
        ("2023-06-09T25:00:00", "no such time"),
        ("2023-06-09T10:00:00+31:00", "not a UTC offset"),
        ("Smarch 9, 2023", "not a date"),
        ("x" * 200, "too long"),
        (True, "not a date"),
    ],
)
def test_what_is_not_a_date_is_refused_saying_why(value: object, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_published_value(value)


def _file(folder: Path, name: str, front: str) -> Path:
    path = folder / name
    path.write_text(f"{front}\nThe envoys of Zembla and Osterlich met on Friday.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("front", "published", "precision", "time", "offset"),
    [
        # ``date:`` is an alias of ``published:`` (Hugo, Jekyll)
        (
            "---\ntitle: T\noutlet: O\nurl: https://z.example/1\ndate: 2023-06-09\n---",
            "2023-06-09",
            "day",
            None,
            None,
        ),
        # unquoted YAML date-time with an offset: still the local day, not the UTC one
        (
            "---\ntitle: T\noutlet: O\nurl: https://z.example/1\ndate: 2023-06-09 22:30:00 -0500\n---",
            "2023-06-09",
            "day",
            "22:30:00",
            "-05:00",
        ),
        (
            "---\ntitle: T\noutlet: O\nurl: https://z.example/1\npublished: '2023-06-09T23:59:00-03:00'\n---",
            "2023-06-09",
            "day",
            "23:59:00",
            "-03:00",
        ),
        # TOML gives a real datetime object, with its offset
        (
            '+++\ntitle = "T"\noutlet = "O"\nurl = "https://z.example/1"\n'
            "date = 2023-06-09T23:10:00+09:00\n+++",
            "2023-06-09",
            "day",
            "23:10:00",
            "+09:00",
        ),
        (
            '+++\ntitle = "T"\noutlet = "O"\nurl = "https://z.example/1"\npublished = 2023-06-09\n+++',
            "2023-06-09",
            "day",
            None,
            None,
        ),
        # other exports' names for it: Hugo's publishDate, RSS's pubDate, schema.org's datePublished
        (
            "---\ntitle: T\noutlet: O\nurl: https://z.example/1\npublishDate: 2023-06-09\n---",
            "2023-06-09",
            "day",
            None,
            None,
        ),
        (
            "---\ntitle: T\noutlet: O\nurl: https://z.example/1\n"
            "pubDate: 'Fri, 09 Jun 2023 21:30:00 -0500'\n---",
            "2023-06-09",
            "day",
            "21:30:00",
            "-05:00",
        ),
        (
            "---\ntitle: T\noutlet: O\nurl: https://z.example/1\ndatePublished: '2023-06-09'\n---",
            "2023-06-09",
            "day",
            None,
            None,
        ),
        (
            "---\ntitle: T\noutlet: O\nurl: https://z.example/1\npublished: June 2023\n---",
            "2023-06",
            "month",
            None,
            None,
        ),
    ],
)
def test_front_matter_dates_as_they_come(
    tmp_path: Path, front: str, published: str, precision: str, time: str | None, offset: str | None
) -> None:
    [item] = list(read_paths([_file(tmp_path, "a.md", front)]))
    assert item.error is None, item.error
    assert item.article is not None
    assert (item.article.published, item.article.published_precision) == (published, precision)
    assert item.article.metadata.get("published_time") == time
    assert item.article.metadata.get("published_utc_offset") == offset


def test_published_wins_over_date_and_errors_name_the_field_read(tmp_path: Path) -> None:
    both = _file(
        tmp_path,
        "b.md",
        "---\ntitle: T\noutlet: O\nurl: https://z.example/b\npublished: 2023-06-09\ndate: 2020-01-01\n---",
    )
    bad = _file(
        tmp_path, "c.md", "---\ntitle: T\noutlet: O\nurl: https://z.example/c\ndate: next Tuesday\n---"
    )
    first, second = read_paths([both, bad])
    assert first.article is not None and first.article.published == "2023-06-09"
    assert second.error is not None and second.error.field == "date"
    assert "'next Tuesday' is not a date" in str(second.error) and "published: ''" not in str(second.error)


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://www.zembla-herald.example/politics/1", "zembla-herald.example"),
        ("http://news.osterlich.example:8080/a", "news.osterlich.example"),
    ],
)
def test_a_missing_outlet_is_the_urls_host_with_a_warning(tmp_path: Path, url: str, outlet: str) -> None:
    path = _file(tmp_path, "d.md", f"---\ntitle: T\nurl: {url}\npublished: 2023-06-09\n---")
    [item] = list(read_paths([path]))
    assert item.error is None and item.article is not None
    assert item.article.outlet == outlet
    assert item.warnings and "outlet" in item.warnings[0] and outlet in item.warnings[0]


@pytest.mark.parametrize("field", ["publisher", "site_name", "source"])
def test_an_outlet_under_another_exports_name_is_taken_without_a_warning(tmp_path: Path, field: str) -> None:
    path = _file(
        tmp_path,
        "e.md",
        f"---\ntitle: T\nurl: https://z.example/e\n{field}: Zembla Herald\ndate: 2023-06-09\n---",
    )
    [item] = list(read_paths([path]))
    assert item.article is not None and item.article.outlet == "Zembla Herald"
    assert not item.warnings
