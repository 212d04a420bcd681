"""Hostile and careless files: traversal out of a manifest's folder, YAML bombs, deep nesting,
oversized files, wrong types in a manifest. Each is that file's refusal; the rest goes in."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from bot.settings import Settings
from facts.read.files import CorpusItem, read_paths
from facts.read.limits import ReadLimits
from tests.conftest import ROOT

SECRET = "The vault code of the Zembla ministry is 4417."
STORY = "The envoys of Zembla and Osterlich signed a river treaty on Friday, officials said.\n"


def front(n: int = 1, **extra: str) -> str:
    fields = {"title": "River treaty", "outlet": "Zembla Post", "published": "2023-06-09"}
    fields["url"] = f"https://zembla-post.example/{n}"
    fields.update(extra)
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n"


def article(path: Path, n: int = 1, body: str = STORY) -> Path:
    path.write_text(front(n) + body, encoding="utf-8")
    return path


def manifest(folder: Path, entries: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.toml").write_text(entries, encoding="utf-8")
    return folder


def entry(file: str, n: int) -> str:
    return (
        f'[[article]]\nfile = {file}\ntitle = "Treaty {n}"\noutlet = "Zembla Post"\n'
        f'published = "2023-06-09"\nurl = "https://zembla-post.example/m{n}"\n\n'
    )


def by_path(items: list[CorpusItem]) -> dict[str, CorpusItem]:
    return {Path(i.path).name: i for i in items}


# ---------------------------------------------------------------------------------- traversal


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file next to (not inside) the corpus folder that nothing may read through a manifest."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    return secret


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ('"../secret.txt"', "outside"),
        ('"sub/../../secret.txt"', "outside"),
        ('"../../../../../../secret.txt"', "outside"),
        ('"..\\\\secret.txt"', "outside"),
        ("ABSOLUTE", "absolute path"),
        ('"link.txt"', "outside"),  # a symlink inside the folder pointing out of it
        ('"linked-dir/secret.txt"', "outside"),  # a symlinked folder pointing out of it
    ],
)
def test_manifest_entries_cannot_leave_their_folder(
    tmp_path: Path, outside: Path, name: str, says: str
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "sub").mkdir()
    (folder / "link.txt").symlink_to(outside)
    (folder / "linked-dir").symlink_to(tmp_path, target_is_directory=True)
    (folder / "good.txt").write_text(STORY, encoding="utf-8")
    name = name.replace("ABSOLUTE", f'"{outside}"')
    manifest(folder, entry(name, 1) + entry('"good.txt"', 2))
    items = list(read_paths([folder]))
    assert len(items) == 2
    refused, good = items
    assert refused.article is None and refused.error is not None
    assert refused.error.field == "file" and says in str(refused.error), refused.error
    assert good.error is None and good.article is not None and good.article.url.endswith("/m2")
    assert all(SECRET not in (i.article.body if i.article else "") for i in items)


def test_a_symlink_that_stays_inside_the_folder_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    (folder / "texts").mkdir(parents=True)
    (folder / "texts" / "story.txt").write_text(STORY, encoding="utf-8")
    (folder / "alias.txt").symlink_to(folder / "texts" / "story.txt")
    manifest(folder, entry('"alias.txt"', 1) + entry('"texts/story.txt"', 2))
    assert [i.error for i in read_paths([folder])] == [None, None]


def test_a_markdown_link_in_a_folder_pointing_out_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    elsewhere = article(tmp_path / "elsewhere.md", 9)
    (folder / "leak.md").symlink_to(elsewhere)
    article(folder / "fine.md", 1)
    items = by_path(list(read_paths([folder])))
    assert items["leak.md"].error is not None and "outside" in str(items["leak.md"].error)
    assert items["fine.md"].error is None


# ---------------------------------------------------------------------------------- YAML limits

BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


@pytest.mark.parametrize(
    ("header", "says"),
    [
        (BOMB, "anchors"),
        ("title: T\nshared: *undefined\n", "aliases"),
        ("base: &base {outlet: O}\nmore:\n  <<: *base\n", "anchors"),
        ("tags: " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
        ("tags:\n" + "".join("  " * d + "- \n" for d in range(1, 200)), "nested"),
        ("tags: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", "nested"),
    ],
)
def test_yaml_front_matter_bombs_and_deep_nesting_are_refused_fast(
    tmp_path: Path, header: str, says: str
) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("---\n" + header + "title: T\n---\n" + STORY, encoding="utf-8")
    good = article(tmp_path / "good.md", 2)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        items = list(read_paths([bad, good]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 5.0  # loose: a shared 2-core machine
    assert peak < 20_000_000
    assert items[0].error is not None and items[0].error.field == "front matter"
    assert says in str(items[0].error), items[0].error
    assert items[1].error is None and items[1].article is not None


def test_toml_front_matter_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "deep.md"
    bad.write_text("+++\nx = " + "[" * 20_000 + "]" * 20_000 + "\n+++\n" + STORY, encoding="utf-8")
    [item] = read_paths([bad], ReadLimits(max_front_matter_bytes=100_000))
    assert item.error is not None and "nested" in str(item.error)


def test_a_front_matter_over_its_limit_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "fat.md"
    bad.write_text(front(1, notes="'" + "z" * 70_000 + "'") + STORY, encoding="utf-8")
    [item] = read_paths([bad])
    assert item.error is not None and "64,000-byte limit" in str(item.error)


# ---------------------------------------------------------------------------------- size caps


def test_the_default_size_cap_is_a_few_megabytes_and_refuses_above_it(tmp_path: Path) -> None:
    limits = Settings(_env_file=None).read_limits()  # type: ignore[call-arg]
    assert limits.max_bytes == 5_000_000
    big = tmp_path / "big.md"
    line = "Zembla " * 9 + "\n"
    big.write_text(front(1) + line * (5_000_001 // len(line) + 1), encoding="utf-8")
    started = time.perf_counter()
    [item] = read_paths([big], limits)
    assert time.perf_counter() - started < 5.0  # loose: a shared 2-core machine
    assert item.error is not None and item.error.field == "file" and "5,000,000-byte" in str(item.error)


def test_the_byte_cap_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTDESK_MAX_ARTICLE_BYTES", "400")
    limits = Settings(_env_file=None).read_limits()  # type: ignore[call-arg]
    small = article(tmp_path / "small.md", 1)
    large = article(tmp_path / "large.md", 2, body=STORY * 10)
    ok, refused = read_paths([small, large], limits)
    assert ok.error is None
    assert refused.error is not None and "400-byte limit" in str(refused.error)


@pytest.mark.parametrize(
    ("sentences", "limit", "refused"),
    [
        (40, 50, False),
        (50, 50, False),
        (51, 50, True),
        (6000, 5000, True),  # the default
    ],
)
def test_the_sentence_cap_refuses_a_longer_article(
    tmp_path: Path, sentences: int, limit: int, refused: bool
) -> None:
    body = "".join(f"Delegate {n} of Zembla voted for the treaty. " for n in range(sentences)) + "\n"
    path = article(tmp_path / "long.md", 1, body=body)
    started = time.perf_counter()
    [item] = read_paths([path], ReadLimits(max_sentences=limit))
    assert time.perf_counter() - started < 5.0  # loose: a shared 2-core machine
    assert (item.error is not None) is refused
    if refused:
        assert item.error is not None and item.error.field == "body"
        assert f"{sentences:,} sentences" in str(item.error) and f"{limit:,}-sentence limit" in str(
            item.error
        )


def test_the_sentence_cap_default_is_generous() -> None:
    assert Settings(_env_file=None).read_limits().max_sentences == 5000  # type: ignore[call-arg]


# ---------------------------------------------------------------------------------- manifest types


def table(**raw: str) -> str:
    """One ``[[article]]`` table; values are TOML as written (``'"a.txt"'``, ``"5"``)."""
    fields = {"title": '"T"', "outlet": '"O"', "published": '"2023-06-09"', "url": '"https://z.example/x"'}
    fields.update(raw)
    return "[[article]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items() if v)


@pytest.mark.parametrize(
    ("manifest_text", "field"),
    [
        (table(file="5"), "file"),
        (table(file='["a.txt"]'), "file"),
        (table(file='""'), "file"),
        (table(file=""), "file"),
        (table(file='"missing.txt"'), "file"),
        (table(file='"bad-utf8.txt"'), "encoding"),
        (table(file='"good.txt"', title='["a", "list"]'), "title"),
        (table(file='"good.txt"', published="2023"), "published"),
        (table(file='"good.txt"', url="{a = 1}"), "url"),
    ],
)
def test_wrong_types_in_a_manifest_entry_refuse_that_entry_only(
    tmp_path: Path, manifest_text: str, field: str
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(STORY, encoding="utf-8")
    (folder / "bad-utf8.txt").write_bytes("Caf\xe9 in Zembla.\n".encode("latin-1"))
    manifest(folder, manifest_text + "\n" + entry('"good.txt"', 7))
    refused, good = read_paths([folder])
    assert refused.error is not None and refused.error.field == field, refused.error
    assert good.error is None and good.article is not None and good.article.url.endswith("/m7")


@pytest.mark.parametrize(
    "manifest_text",
    [
        'article = "oops"\n',
        "article = 5\n",
        "article = [1, 2]\n",
        "x = " + "[" * 20_000 + "]" * 20_000 + "\n",
        "not toml at all = = =\n",
    ],
)
def test_a_manifest_that_is_not_a_list_of_tables_is_one_refusal(tmp_path: Path, manifest_text: str) -> None:
    folder = manifest(tmp_path / "corpus", manifest_text)
    other = article(tmp_path / "other.md", 3)
    items = list(read_paths([folder, other]))
    assert all(i.error is not None for i in items[:-1]) and items[-1].error is None
    assert all(not str(i.error).startswith("Traceback") for i in items)


# ---------------------------------------------------------------------------------- the batch


def test_a_mixed_batch_through_the_cli_stores_the_good_file(tmp_path: Path) -> None:
    """Every kind of bad file at once, with one good one: exit 1, each named, the good one in."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    manifest(folder, entry('"../secret.txt"', 1) + "[[article]]\nfile = 5\n")
    bomb = tmp_path / "bomb.md"
    bomb.write_text("---\n" + BOMB + "---\n" + STORY, encoding="utf-8")
    deep = tmp_path / "deep.md"
    deep.write_text("---\ntags: " + "[" * 5000 + "]" * 5000 + "\n---\n" + STORY, encoding="utf-8")
    long = article(tmp_path / "long.md", 4, body="".join(f"Item {n} was read. " for n in range(6000)))
    good = article(tmp_path / "good.md", 5)
    db = tmp_path / "batch.db"
    env = {**os.environ, "FACTDESK_BUNDLED_CORPUS": "false"}
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--db",
            str(db),
            "ingest",
            str(folder),
            str(bomb),
            str(deep),
            str(long),
            str(good),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert time.perf_counter() - started < 60
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "1 ingested, 0 unchanged, 5 failed" in proc.stdout, proc.stdout + proc.stderr
    for needle in ("outside", "file: must be the name", "anchors", "nested", "sentence limit"):
        assert needle in proc.stderr, (needle, proc.stderr)
    listed = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), "sources"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert "zembla-post.example/5" in listed.stdout and "/m1" not in listed.stdout
