"""The ``factdesk`` command line: a thin layer over the store and the command handler.

    factdesk [--db PATH] ask "/agreement el-salvador" [--json]
    factdesk [--db PATH] ingest PATH...
    factdesk [--db PATH] sources
    factdesk [--db PATH] fact show|history|add|correct|retract|restore ...
    factdesk [--db PATH] serve
    factdesk [--db PATH] feed add URL | remove URL | list | poll
    factdesk discord sync [--guild ID]
    factdesk doctor
    factdesk [--db PATH] backup TARGET
    factdesk bench [--articles N]

Exit codes: 0 for answers (empty ones too), 2 for a user error, 1 when some files failed to ingest,
130 when an ingest was interrupted (Ctrl-C; run it again to go on).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import json
import os
import pwd
import shlex
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.desk import Desk
from bot.extraction_pool import extraction_pool
from bot.handler import handle
from bot.invocation import Context
from bot.observability import setup_logging
from bot.render_text import render_text
from bot.requests import Request, clean_text
from bot.runtime.progress import Progress, count_items
from bot.settings import Settings, load_settings
from facts.errors import FactdeskError
from facts.read.article import ArticleInput
from facts.read.files import read_paths
from facts.read.limits import ReadLimits
from facts.read.web_article import fetch_article
from facts.store.opening import AnyStore, StoreUnavailable, describe, is_postgres_url, open_store
from facts.store.rows import IngestResult
from facts.store.sqlite_store import SQLiteStore

if TYPE_CHECKING:
    from bot.feed_poller import FeedPoller

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="factdesk", description="Cited answers from the newsroom's documents.")
    p.add_argument(
        "--db", help="the store: a SQLite path or a postgresql:// url (default: FACTDESK_DB or ./factdesk.db)"
    )
    sub = p.add_subparsers(dest="verb", required=True, metavar="COMMAND")
    a = sub.add_parser("ask", help='answer one command, e.g. ask "/timeline 2019"')
    a.add_argument("line", help='the command as typed in chat, e.g. "/agreement el-salvador"')
    a.add_argument("--json", action="store_true", help="print the JSON answer contract")
    i = sub.add_parser("ingest", help="add Markdown files, or folders with a manifest.toml")
    i.add_argument("paths", nargs="+", help="files, folders, or http(s):// urls of article pages")
    sub.add_parser("sources", help="list the documents in the store")
    f = sub.add_parser(
        "fact", help='show or change a fact: fact show 12, fact correct 12 date=2019-09-21 note="…"'
    )
    f.add_argument("words", nargs=argparse.REMAINDER, help="the /fact arguments")
    f.add_argument("--json", action="store_true", help="print the JSON answer contract")
    fd = sub.add_parser("feed", help="follow RSS and Atom feeds: feed add URL | list | remove URL | poll")
    fsub = fd.add_subparsers(dest="feed_verb", required=True, metavar="ACTION")
    fsub.add_parser("add", help="follow a feed (polled by factdesk serve)").add_argument("url")
    fsub.add_parser("remove", help="stop following a feed (what it brought stays)").add_argument("url")
    fsub.add_parser("list", help="the feeds followed, with their last poll")
    fsub.add_parser("poll", help="poll every feed that is due now, once, and say what came in")
    sub.add_parser("serve", help="run factdesk (a console on the terminal when no platform is configured)")
    sub.add_parser("doctor", help="check settings, the store and the platforms, and say what to fix")
    bk = sub.add_parser("backup", help="copy the store consistently (while serving) to a new file")
    bk.add_argument("target", type=Path, help="the backup file to create")
    ms = sub.add_parser("migrate-store", help="copy a SQLite store into PostgreSQL (run again: adds nothing)")
    ms.add_argument("--from", dest="source", required=True, help="the SQLite store: sqlite:///path or a path")
    ms.add_argument(
        "--to", dest="target", required=True, help="the PostgreSQL url: postgresql://user@host/db"
    )
    d = sub.add_parser("discord", help="Discord administration: `discord sync [--guild ID]`")
    dsub = d.add_subparsers(dest="discord_verb", required=True, metavar="ACTION")
    ds = dsub.add_parser("sync", help="register the slash commands with Discord")
    ds.add_argument(
        "--guild",
        type=int,
        action="append",
        default=None,
        help="guild id (instant; repeatable); default FACTDESK_DISCORD_GUILD_IDS, else global",
    )
    b = sub.add_parser("bench", help="measure ingest throughput and command latency")
    b.add_argument("--articles", type=int, default=20_000, help="generated articles (default 20000)")
    b.add_argument("--repeat", type=int, default=200, help="timed runs per command (default 200)")
    b.add_argument("--db-dir", type=Path, default=None, help="where to build the benchmark store")
    b.add_argument(
        "--db",
        dest="bench_db",
        default=None,
        help="a postgresql:// url of an empty database to build the store in (baselines stay in --db-dir)",
    )
    b.add_argument(
        "--resume",
        action="store_true",
        help="go on with the store a stopped run left in --db-dir instead of starting afresh",
    )
    b.add_argument("--profile", action="store_true", help="name where ingest time goes (cProfile)")
    b.add_argument("--workers", type=int, default=0, help="extraction processes (default: one per core)")
    return p


async def _open(settings: Settings) -> AnyStore:
    return await open_store(
        settings.db, bundled_corpus=settings.bundled_corpus, memory_mb=settings.store_memory_mb
    )


async def _ask(settings: Settings, line: str, as_json: bool) -> int:
    store = await _open(settings)
    try:
        answer = await handle(_cli_request(line), store, context=Context(fetch=settings.fetch_policy()))
    finally:
        await store.close()
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render_text(answer))
    return EXIT_USAGE if answer.error else EXIT_OK


def _cli_request(line: str) -> Request:
    """The command line is the desk's own tool: its actor is the local user."""
    command, _, text = line.strip().partition(" ")
    try:  # the account running the command, for the audit trail (not an environment variable)
        user = pwd.getpwuid(os.getuid()).pw_name
    except (KeyError, AttributeError):
        user = "local"
    return Request(command=command.lstrip("/").lower(), text=clean_text(text), actor=f"cli:{user}")


INGEST_BATCH = 200  # articles per transaction: an interrupted ingest loses at most the batch in hand


@dataclass
class _Tally:
    added: int = 0
    new_versions: int = 0
    unchanged: int = 0
    failed: int = 0

    def summary(self) -> str:
        """Backward compatible: the first three counts as they always were, the split after."""
        return (
            f"{self.added + self.new_versions} ingested, {self.unchanged} unchanged, {self.failed} failed"
            f" ({self.added} added, {self.new_versions} new versions)"
        )


async def _ingest(settings: Settings, paths: Sequence[str]) -> int:
    """Articles stream from the files to the store (nothing holds them all); progress goes to
    stderr, one line per article to stdout. Ctrl-C stops between batches: what was committed
    stays, the batch in hand is all in or not at all, and running the same command again skips
    what is already in as unchanged."""
    tally = _Tally()
    urls = [p for p in paths if str(p).startswith(("http://", "https://"))]
    files = [Path(p) for p in paths if p not in urls]
    limits = settings.read_limits()
    total = len(urls) + (count_items(files, max_bytes=limits.max_bytes) if files else 0)
    store = await _open(settings)
    progress = Progress(total, stream=sys.stderr, schedule=asyncio.get_running_loop().call_later)
    interrupted = completed = False
    try:
        fetched: list[ArticleInput] = []
        for url in urls:
            try:
                fetched.append(await fetch_article(str(url), policy=settings.fetch_policy()))
            except FactdeskError as exc:
                tally.failed += 1
                progress.echo(f"error: {url}: {exc}", sys.stderr)
                progress.advance()
        articles = _articles(fetched, files, limits, tally, progress)
        with _extraction_pool(total) as pool:
            try:
                results = store.ingest_many(articles, batch=INGEST_BATCH, executor=pool)
                async with contextlib.aclosing(results):
                    async for result in results:
                        _report(result, tally, progress)
            except BaseException:
                if pool is not None:  # queued extraction is dropped, not waited for
                    pool.shutdown(wait=False, cancel_futures=True)
                raise
        completed = True
    except (KeyboardInterrupt, asyncio.CancelledError):
        interrupted = True
    finally:
        if completed:
            progress.finish()
        else:
            progress.stop()
        await store.close()
    print(tally.summary())
    if interrupted:
        print(
            f"interrupted after {progress.done:,} of {total:,} articles; run the same command again"
            " to go on (articles already in are skipped as unchanged)",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    return EXIT_FAILED if tally.failed else EXIT_OK


def _articles(
    fetched: list[ArticleInput], files: list[Path], limits: ReadLimits, tally: _Tally, progress: Progress
) -> Iterator[ArticleInput]:
    """The fetched pages, then the files' articles one at a time; a refused file is reported and
    counted here (it never reaches the store)."""
    yield from fetched
    for item in read_paths(files, limits) if files else ():
        for warning in item.warnings:
            progress.echo(f"warning: {warning}", sys.stderr)
        if item.error:
            tally.failed += 1
            progress.echo(f"error: {item.error}", sys.stderr)
            progress.advance()
        elif item.article is not None:
            yield item.article


def _report(result: IngestResult, tally: _Tally, progress: Progress) -> None:
    if result.status == "failed":
        tally.failed += 1
        progress.echo(f"error: {result.origin}: {result.error}", sys.stderr)
    elif result.status == "unchanged":
        tally.unchanged += 1
        progress.echo(f"unchanged  {result.origin}", sys.stdout)
    else:
        if result.status == "new_version":
            tally.new_versions += 1
        else:
            tally.added += 1
        progress.echo(
            f"{result.status:<10} {result.origin}: source {result.doc_id} v{result.version}, "
            f"{result.new_facts} new facts, {result.merged_facts} already known",
            sys.stdout,
        )
    progress.advance()


def _extraction_pool(articles: int) -> contextlib.AbstractContextManager[concurrent.futures.Executor | None]:
    """Extraction is pure CPU: a process per core pays off from a few dozen articles on."""
    if articles < 64 or (os.cpu_count() or 1) < 2:
        return contextlib.nullcontext()
    return extraction_pool(os.cpu_count() or 2)


async def _sources(settings: Settings) -> int:
    store = await _open(settings)
    try:
        docs = await store.documents()
    finally:
        await store.close()
    for d in docs:
        state = f" (replaced by {d.superseded_by})" if d.superseded_by else ""
        print(
            f"{d.id:>5}  {d.published:<10}  {d.outlet} — {d.title}  [{d.facts} facts]{state}\n       {d.url}"
        )
    if not docs:
        print("The store holds no documents; add some with `factdesk ingest PATH`.")
    return EXIT_OK


async def _feed(settings: Settings, verb: str, url: str) -> int:
    """``factdesk feed add|remove|list|poll``: the machine's own user is the desk."""
    from bot.feed_poller import FeedPoller, feed_time

    store = await _open(settings)
    try:
        now = feed_time(_now())
        if verb == "add":
            feed, new = await store.add_feed(url, origin="command", added_by="cli:local", now=now)
            print(f"{'following' if new else 'already following'} {feed.url} (polled by factdesk serve)")
        elif verb == "remove":
            feed = await store.remove_feed(url)
            print(f"stopped following {feed.url}; the {feed.items} items it brought stay")
        elif verb == "list":
            followed = await store.feeds()
            for f in followed:
                state = f"failing ({f.failures}×: {f.last_error})" if f.failures else "ok"
                polled = f.last_polled_at or "never"
                print(f"{f.url}\n    {f.items} items · last poll {polled} · next {f.next_poll_at} · {state}")
            if not followed:
                print("No feed is followed; add one with `factdesk feed add URL`.")
        else:
            poller = FeedPoller(store, _now, policy=settings.fetch_policy())
            _draw_feed_progress(poller)
            polls = await poller.tick()
            if poller.on_item is not None:
                poller.on_item("", "")  # the last feed's line ends
            for poll in polls:
                print(poll.line())
            if not polls:
                print("No feed is due; `factdesk feed list` shows when each is.")
            return EXIT_FAILED if any(p.error or p.failed for p in polls) else EXIT_OK
    except FactdeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        await store.close()
    return EXIT_OK


def _draw_feed_progress(poller: FeedPoller) -> None:
    """A progress line per feed with new items, as `factdesk ingest` draws one (rate, ETA)."""
    current: list[Progress] = []
    schedule = asyncio.get_running_loop().call_later

    def on_new(url: str, count: int) -> None:
        if current:
            current.pop().finish()
        if count:
            current.append(Progress(count, stream=sys.stderr, label=url[:60], schedule=schedule))

    def on_item(outcome: str, link: str) -> None:
        if not current:
            return
        if not outcome:  # the end
            current.pop().finish()
            return
        current[0].echo(f"{outcome:<11} {link}", sys.stdout)
        current[0].advance()

    poller.on_new, poller.on_item = on_new, on_item


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _serve(settings: Settings) -> int:
    from bot.runtime.serve import serve

    return await serve(settings)


async def _discord_sync(settings: Settings, guilds: list[int] | None) -> int:
    from bot.surfaces.discord.app import FactdeskDiscord, sync_commands
    from bot.surfaces.discord.discordpy_shim import point_at

    if settings.discord_token is None:
        print("error: set FACTDESK_DISCORD_TOKEN to sync the commands with Discord.", file=sys.stderr)
        return EXIT_USAGE
    point_at(settings)
    targets = guilds if guilds is not None else settings.discord_guild_ids
    store = await _open(settings)
    client = FactdeskDiscord(settings, Desk(store), sync_on_start=False)
    try:
        await client.login(settings.discord_token.get_secret_value())
        names = await sync_commands(client.tree, targets)
    except Exception as exc:  # LoginFailure, HTTPException, network: one line, no traceback
        print(f"error: could not sync with Discord: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        await client.close()
        await store.close()
    where = ", ".join(f"guild {g}" for g in targets) if targets else "globally (up to an hour to show)"
    print(f"synced {len(names)} commands {where}: {', '.join(names)}")
    return EXIT_OK


async def _backup(settings: Settings, target: Path) -> int:
    if is_postgres_url(settings.db):
        print(
            "error: a PostgreSQL store is backed up by the database's own tools (pg_dump, or the host's"
            " snapshots); see README, Backups",
            file=sys.stderr,
        )
        return EXIT_USAGE
    store = await open_store(settings.db, bundled_corpus=False)
    assert isinstance(store, SQLiteStore)  # a path, not a url
    try:
        await store.backup(target)
        integrity, _ = await store.check()
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        await store.close()
    size = target.stat().st_size / 1e6
    print(f"backed up {describe(settings.db)} to {target} ({size:.1f} MB; source integrity {integrity})")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings, problems = load_settings({"db": args.db} if args.db else {})
    if args.verb == "doctor":
        from bot.runtime.doctor import run_doctor

        return asyncio.run(run_doctor(settings, problems=problems))
    if problems:  # one line per setting that cannot be used, then nothing runs
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print(
            "Fix the settings above (README, Settings); `factdesk doctor` checks them all.", file=sys.stderr
        )
        return EXIT_USAGE
    setup_logging(settings.log_level, settings.log_format)
    try:
        return _run(args, settings)
    except StoreUnavailable as exc:  # not SQLite, no permission, locked: one line, no traceback
        print(f"error: {exc}. Check FACTDESK_DB (or --db), or restore a backup.", file=sys.stderr)
        return EXIT_FAILED


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.verb == "ask":
        return asyncio.run(_ask(settings, args.line, args.json))
    if args.verb == "ingest":
        try:
            return asyncio.run(_ingest(settings, args.paths))
        except KeyboardInterrupt:  # a second Ctrl-C while the first one was being handled
            print("interrupted; run the same command again to go on", file=sys.stderr)
            return EXIT_INTERRUPTED
    if args.verb == "sources":
        return asyncio.run(_sources(settings))
    if args.verb == "serve":
        try:
            return asyncio.run(_serve(settings))
        except KeyboardInterrupt:
            return EXIT_OK
    if args.verb == "fact":
        words = [w for w in args.words if w != "--json"]
        as_json = args.json or "--json" in args.words
        return asyncio.run(_ask(settings, "/fact " + shlex.join(words), as_json))
    if args.verb == "feed":
        return asyncio.run(_feed(settings, args.feed_verb, getattr(args, "url", "")))
    if args.verb == "backup":
        return asyncio.run(_backup(settings, args.target))
    if args.verb == "discord":
        return asyncio.run(_discord_sync(settings, args.guild))
    if args.verb == "migrate-store":
        from bot.runtime.migrate_store import migrate_store

        return asyncio.run(migrate_store(args.source, args.target))
    if args.verb == "bench":
        from benchmarks.bench import Options, run_bench

        options = Options(
            resume=args.resume,
            profile=args.profile,
            workers=max(0, args.workers),
            memory_mb=settings.store_memory_mb,
        )
        db = args.bench_db or (settings.db if is_postgres_url(settings.db) else None)
        return run_bench(
            articles=args.articles, repeat=args.repeat, workdir=args.db_dir, options=options, db=db
        )
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
