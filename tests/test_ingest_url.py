"""``/ingest <url>`` and ``factdesk ingest URL`` against a local web server serving article pages."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.handler import Access, Context, handle
from bot.requests import Request
from facts.answers.contract import Answer
from facts.errors import UsageError
from facts.read.web_article import FetchPolicy, fetch_article
from facts.store.sqlite_store import SQLiteStore

LOCAL = FetchPolicy(allow_private=True)  # the test site is on loopback, which is refused by default

EDITOR = "slack:UEDITOR"

PAGE = """<html><head><title>Peru and Chile sign fisheries pact | Andes Wire</title>
<meta property="og:site_name" content="Andes Wire">
<meta property="og:title" content="Peru and Chile sign fisheries pact">
{date}
</head><body><nav>Home | World | Sports</nav><article><h1>Peru and Chile sign fisheries pact</h1>
<p>The governments of Peru and Chile signed a fisheries agreement on Monday that sets quotas for anchovy
boats along their shared coast, officials said.</p>
<p>Under the accord, fishing fleets from both countries must report every catch to a joint commission in
Lima within three days of landing.</p>
<p>Critics in the Chilean Congress said the quotas were too generous to industrial fleets.</p>
</article><footer>Copyright Andes Wire. Subscribe to our newsletter.</footer></body></html>"""
DATED = PAGE.format(date='<meta property="article:published_time" content="2021-03-08T10:00:00Z">')
UNDATED = PAGE.format(date="")


class Site:
    """A local web server: /pact (a dated article), /undated, /huge, /slow (never answers), /gone."""

    def __init__(self) -> None:
        self.never = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> Site:
        app = web.Application()
        app.router.add_get("/pact", self._page(DATED))
        app.router.add_get("/undated", self._page(UNDATED))
        app.router.add_get("/huge", self._huge)
        app.router.add_get("/slow", self._slow)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        return self

    @staticmethod
    def _page(html: str):  # type: ignore[no-untyped-def]
        async def handler(request: web.Request) -> web.Response:
            return web.Response(text=html, content_type="text/html")

        return handler

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})  # no length: the cap must stop it
        await resp.prepare(request)
        for _ in range(200):
            await resp.write(b"<p>" + b"x" * 65_000 + b"</p>")
        return resp

    async def _slow(self, request: web.Request) -> web.Response:
        await self.never.wait()
        return web.Response(text="late")

    async def stop(self) -> None:
        self.never.set()
        if self.runner:
            await self.runner.cleanup()


@pytest.fixture
async def site(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Site]:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    s = await Site().start()
    yield s
    await s.stop()




async def run(store: SQLiteStore, line: str, actor: str = EDITOR) -> Answer:
    command, _, text = line.partition(" ")
    request = Request(command=command.lstrip("/"), text=text, actor=actor)
    context = Context(access=Access(admins=frozenset({EDITOR})), fetch=LOCAL)
    return await handle(request, store, context=context)


async def test_an_editor_ingests_a_page_and_its_facts_show_up_in_answers(
    site: Site, seeded_copy: SQLiteStore
) -> None:
    answer = await run(seeded_copy, f"/ingest {site.base}/pact")
    assert answer.error is None, answer.error
    assert answer.title.startswith("Ingested as source")
    assert "Peru and Chile sign fisheries pact" in answer.title
    assert answer.sources[0].outlet == "Andes Wire" and answer.sources[0].published == "2021-03-08"
    texts = " ".join(i.text for i in answer.items)
    assert "joint commission in Lima" in texts and "Subscribe" not in texts and "Home" not in texts
    summary = await run(seeded_copy, "/agreement peru", actor="slack:UREADER")
    assert any("anchovy" in i.text for i in summary.items)
    dated = next(i for i in (await run(seeded_copy, "/timeline 2021 peru")).items if "signed" in i.text)
    assert dated.date == "2021-03-08"  # "on Monday" in a story of Monday 8 March
    again = await run(seeded_copy, f"/ingest {site.base}/pact")
    assert again.error is None and again.title.startswith("Already in the store")


async def test_a_page_without_a_date_asks_for_it(site: Site, seeded_copy: SQLiteStore) -> None:
    refused = await run(seeded_copy, f"/ingest {site.base}/undated")
    assert refused.error is not None and "published=YYYY-MM-DD" in refused.error.message
    done = await run(seeded_copy, f'/ingest {site.base}/undated published=2021-03-09 outlet="Coast Daily"')
    assert done.error is None and done.sources[0].outlet == "Coast Daily"


async def test_timeouts_size_caps_and_bad_addresses_are_one_line_errors(
    site: Site, seeded_copy: SQLiteStore
) -> None:
    before = len(await seeded_copy.documents())
    with pytest.raises(UsageError, match=r"did not answer within 0\.2 s"):
        await fetch_article(f"{site.base}/slow", timeout=0.2, policy=LOCAL)
    with pytest.raises(UsageError, match="byte limit"):
        await fetch_article(f"{site.base}/huge", max_bytes=1_000_000, policy=LOCAL)
    for line, needle in [
        (f"/ingest {site.base}/missing", "HTTP 404"),
        ("/ingest ftp://example.org/x", "not a web address"),
        ("/ingest", "Which page"),
    ]:
        answer = await run(seeded_copy, line)
        assert answer.error is not None and needle in answer.error.message, (line, answer.error)
    assert len(await seeded_copy.documents()) == before


async def test_only_editors_ingest(site: Site, seeded_copy: SQLiteStore) -> None:
    refused = await run(seeded_copy, f"/ingest {site.base}/pact", actor="discord:99")
    assert refused.error is not None and refused.error.code == "forbidden"
    assert all(d.url != f"{site.base}/pact" for d in await seeded_copy.documents())


async def test_factdesk_ingest_url_from_the_shell(site: Site, seeded_db_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    shutil.copy(seeded_db_path, db)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--db", str(db), "ingest", f"{site.base}/pact",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "FACTDESK_INGEST_ALLOW_PRIVATE": "true"},
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert "1 ingested" in out.decode()
