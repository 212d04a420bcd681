"""Reading articles: front matter, manifests, and one clear error per bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from facts.errors import CorpusError
from facts.read.files import parse_published, read_markdown, read_paths
from tests.conftest import SHARED, write_article

BODY = "# Ministers sign a water pact\n\nThe two countries signed a water pact on Monday.\n"


def test_markdown_front_matter_is_read_and_unknown_fields_kept(tmp_path: Path) -> None:
    path = write_article(tmp_path, "a", body=BODY, author="Ana Ruiz", desk="world", published="2020-03")
    article = read_markdown(path)
    assert article.title == "A title"
    assert article.outlet == "Test Wire"
    assert (article.published, article.published_precision) == ("2020-03", "month")
    assert article.author == "Ana Ruiz"
    assert article.metadata == {"desk": "world"}
    assert article.body == BODY


def test_unquoted_yaml_date_is_a_day(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text(
        "---\ntitle: T\noutlet: O\npublished: 2021-05-04\nurl: https://x.example/d\n---\nText here.\n"
    )
    assert read_markdown(path).published == "2021-05-04"


def test_toml_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "t.md"
    path.write_text(
        '+++\ntitle = "T"\noutlet = "O"\npublished = "2021-05-04"\nurl = "https://x.example/t"\n+++\n'
        "Body text.\n"
    )
    article = read_markdown(path)
    assert (article.title, article.url, article.body.strip()) == ("T", "https://x.example/t", "Body text.")


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("No front matter at all.\n", "front matter"),
        ("---\ntitle: T\noutlet: O\npublished: someday\nurl: https://x.example/a\n---\nText.\n", "published"),
        (
            "---\ntitle: T\noutlet: O\npublished: 2020-13-01\nurl: https://x.example/a\n---\nText.\n",
            "published",
        ),
        ("---\ntitle: T\noutlet: O\npublished: 2020-01-02\nurl: https://x.example/a\n---\n   \n", "body"),
        ("---\ntitle: T\npublished: 2020-01-02\nurl: no-host-here\n---\nText.\n", "outlet"),
        ("---\ntitle: T\noutlet: O\ndate: someday\nurl: https://x.example/a\n---\nText.\n", "date"),
        ("---\ntitle: T\noutlet: O\nurl: https://x.example/a\n---\nText.\n", "published"),
        ("---\ntitle: T\noutlet: O\npublished: 2020-01-02\n---\nText.\n", "url"),
        ("---\ntitle: [unclosed\n---\nText.\n", "front matter"),
    ],
)
def test_bad_files_name_the_file_and_the_field(tmp_path: Path, content: str, field: str) -> None:
    path = tmp_path / "bad.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        read_markdown(path)
    assert err.value.field == field
    assert str(path) in str(err.value)


def test_not_utf8_is_an_encoding_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.md"
    path.write_bytes("---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    with pytest.raises(CorpusError) as err:
        read_markdown(path)
    assert err.value.field == "encoding"


def test_a_nul_character_is_an_encoding_error_naming_where(tmp_path: Path) -> None:
    path = tmp_path / "binary.md"
    path.write_bytes(b"---\ntitle: Harbour\n---\nThe quay\x00 reopened.\n")
    with pytest.raises(CorpusError) as err:
        read_markdown(path)
    assert err.value.field == "encoding" and "NUL character (at 31)" in str(err.value)


def test_a_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    good = write_article(tmp_path, "good", body=BODY)
    bad = tmp_path / "bad.md"
    bad.write_text("no front matter\n")
    items = list(read_paths([bad, good, tmp_path / "missing.md"]))
    assert [i.error is None for i in items] == [False, True, False]
    assert items[1].article is not None and items[1].article.url.endswith("/good")


def test_manifest_folder_keeps_the_manifest_metadata() -> None:
    items = list(read_paths([SHARED / "seeds"]))
    assert len(items) == 5 and all(i.error is None for i in items)
    urls = [i.article.url for i in items if i.article]
    assert all(u.startswith("https://") for u in urls)
    assert any(i.article and i.article.date_note for i in items)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-09-20", ("2019-09-20", "day")),
        ("2019-09", ("2019-09", "month")),
        (" 2019-09-20 ", ("2019-09-20", "day")),
    ],
)
def test_published_forms(value: str, expected: tuple[str, str]) -> None:
    assert parse_published(value, path="x") == expected


@pytest.mark.parametrize("value", ["", "2019", "20-09-2019", "2019-02-30", None])
def test_published_rejects(value: str | None) -> None:
    with pytest.raises(CorpusError):
        parse_published(value, path="x")
