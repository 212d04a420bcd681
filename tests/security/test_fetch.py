"""Server-side request forgery: /ingest must not reach inside the network, directly, through DNS,
after a redirect or by rebinding; FACTDESK_INGEST_ALLOW_PRIVATE=true opens it for an intranet."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.handler import Access, Context, handle
from bot.requests import Request
from facts.errors import UsageError
from facts.read.fetch_guard import IPAddress, literal_address, refusal_reason
from facts.read.web_article import FetchPolicy, fetch_article
from facts.store.sqlite_store import SQLiteStore
from tests.conftest import ROOT

PAGE = """<html><head><title>Zembla and Osterlich sign a river pact</title>
<meta property="article:published_time" content="2023-06-09T10:00:00Z"></head><body><article>
<h1>Zembla and Osterlich sign a river pact</h1>
<p>The ministers of Zembla and Osterlich signed a river pact on Friday that shares the water of the
Vlatva between their farms, officials said.</p>
<p>Under the pact, each country reports its dams to a joint board in the capital every spring.</p>
</article></body></html>"""


class Site:
    """A local server: /page, /to?u=URL (a redirect to URL), /loop/N (N more redirects)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host, self.runner, self.port, self.hits = host, None, 0, 0

    async def start(self) -> Site:
        app = web.Application()
        app.router.add_get("/page", self._page)
        app.router.add_get("/to", self._to)
        app.router.add_get("/loop/{n}", self._loop)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    async def _page(self, request: web.Request) -> web.Response:
        self.hits += 1
        return web.Response(text=PAGE, content_type="text/html")

    async def _to(self, request: web.Request) -> web.Response:
        self.hits += 1
        raise web.HTTPFound(request.query["u"])

    async def _loop(self, request: web.Request) -> web.Response:
        self.hits += 1
        n = int(request.match_info["n"])
        raise web.HTTPFound(f"/loop/{n - 1}" if n > 0 else "/page")

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()


@pytest.fixture
async def site(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Site]:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    s = await Site().start()
    yield s
    await s.stop()


class FakeDNS(AbstractResolver):
    """Names of our choosing: each lookup of a name takes the next answer of its list."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = {k: list(v) for k, v in answers.items()}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        queue = self.answers[host]
        ip = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            {"hostname": host, "host": ip, "port": port, "family": socket.AF_INET, "proto": 0, "flags": 0}
        ]

    async def close(self) -> None:
        return None


def public_for_the_test(*ips: str) -> FetchPolicy:
    """The real rule, except that the given loopback addresses play public web servers."""
    allowed = {ipaddress.ip_address(ip) for ip in ips}

    def judge(ip: IPAddress) -> str | None:
        return None if ip in allowed else refusal_reason(ip)

    return FetchPolicy(judge=judge)


# ----------------------------------------------------------------------------- the address rule


@pytest.mark.parametrize(
    ("ip", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::5", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 wrapping 10.0.0.1
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
        ("::ffff:93.184.216.34", None),
    ],
)
def test_which_addresses_are_refused(ip: str, kind: str | None) -> None:
    assert refusal_reason(ipaddress.ip_address(ip)) == kind


@pytest.mark.parametrize(
    ("host", "ip"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("[::ffff:7f00:1]", "::ffff:127.0.0.1"),
        ("news.example", None),
        ("deadbeef", None),
    ],
)
def test_hosts_written_as_addresses_in_any_form(host: str, ip: str | None) -> None:
    found = literal_address(host)
    assert (str(found) if found else None) == (str(ipaddress.ip_address(ip)) if ip else None)


# ----------------------------------------------------------------------------- refusals on the wire


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:{port}/page", "127.0.0.1, a loopback address"),
        ("http://localhost:{port}/page", "loopback address"),
        ("http://user@127.0.0.1:{port}/page", "127.0.0.1, a loopback address"),
        ("http://user:pw@localhost:{port}/page", "loopback address"),
        ("http://2130706433:{port}/page", "127.0.0.1, a loopback address"),
        ("http://0177.0.0.1:{port}/page", "127.0.0.1, a loopback address"),
        ("http://0x7f.0.0.1:{port}/page", "127.0.0.1, a loopback address"),
        ("http://0.0.0.0:{port}/page", "unspecified address"),
        ("http://[::1]:{port}/page", "::1, a loopback address"),
        ("http://[::ffff:127.0.0.1]:{port}/page", "loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "link-local address"),
        ("http://10.0.0.7/", "private address"),
    ],
)
async def test_private_targets_are_refused_directly(site: Site, url: str, says: str) -> None:
    with pytest.raises(UsageError, match=says) as refused:
        await fetch_article(url.format(port=site.port))
    assert "FACTDESK_INGEST_ALLOW_PRIVATE=true" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert site.hits == 0


@pytest.mark.parametrize(
    "url",
    [
        "ftp://zembla.example/x",
        "file:///etc/hosts",
        "gopher://zembla.example/",
        "javascript:alert(1)",
        "//x/y",
    ],
)
async def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(UsageError, match="is not a web address"):
        await fetch_article(url)


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port}/page",
        "http://user@127.0.0.2:{port}/page",
        "http://[::1]:{port}/page",
        "http://2130706434:{port}/page",
        "file:///etc/hosts",
    ],
)
async def test_a_redirect_to_a_private_address_is_refused(site: Site, target: str) -> None:
    second = await Site("127.0.0.2").start()  # would serve the page, if it were ever reached
    try:
        policy = public_for_the_test("127.0.0.1")
        url = site.url("/to?u=" + target.format(port=second.port))
        with pytest.raises(UsageError, match="address") as refused:
            await fetch_article(url, policy=policy)
        assert site.hits == 1 and second.hits == 0, str(refused.value)
    finally:
        await second.stop()


async def test_the_first_hop_as_public_is_fetched_so_the_refusals_above_are_real(site: Site) -> None:
    article = await fetch_article(site.url("/loop/2"), policy=public_for_the_test("127.0.0.1"))
    assert "river pact" in article.body and site.hits == 4


async def test_more_than_five_redirects_are_refused(site: Site) -> None:
    policy = public_for_the_test("127.0.0.1")
    assert (await fetch_article(site.url("/loop/4"), policy=policy)).title  # 5 redirects: fine
    with pytest.raises(UsageError, match="redirects more than 5 times"):
        await fetch_article(site.url("/loop/5"), policy=policy)


async def test_dns_rebinding_is_caught_on_the_address_connected_to(site: Site) -> None:
    """The name answers a "public" address first and loopback afterwards: every connection is
    checked on what it connects to, so the second hop never reaches the private address."""
    dns = FakeDNS({"news.zembla.example": ["127.0.0.1", "127.0.0.3"]})
    policy = FetchPolicy(resolver=dns, judge=public_for_the_test("127.0.0.1").judge)
    url = f"http://news.zembla.example:{site.port}/to?u=/page"
    with pytest.raises(UsageError, match=r"127\.0\.0\.3, a loopback address"):
        await fetch_article(url, policy=policy)
    assert site.hits == 1


async def test_a_name_resolving_to_a_private_address_is_refused(site: Site) -> None:
    policy = FetchPolicy(resolver=FakeDNS({"intranet.zembla.example": ["10.20.30.40"]}))
    with pytest.raises(UsageError, match=r"intranet\.zembla\.example is 10\.20\.30\.40, a private address"):
        await fetch_article("http://intranet.zembla.example/page", policy=policy)


# ----------------------------------------------------------------------------- the opt-in


async def test_with_the_opt_in_the_local_server_is_fetched(site: Site) -> None:
    article = await fetch_article(site.url("/page"), policy=FetchPolicy(allow_private=True))
    assert "river pact" in article.body and site.hits == 1


async def test_ingest_command_refuses_by_default_and_follows_the_settings(
    site: Site, empty_store: SQLiteStore
) -> None:
    request = Request(command="ingest", text=site.url("/page"), actor="slack:UED")
    access = Access(admins=frozenset({"slack:UED"}))
    refused = await handle(request, empty_store, context=Context(access=access))
    assert refused.error is not None and refused.error.code == "bad_input"
    assert "loopback address" in refused.error.message and site.hits == 0
    assert await empty_store.documents() == []
    allowed = await handle(request, empty_store, context=Context(access=access, fetch=FetchPolicy(True)))
    assert allowed.error is None and site.hits == 1


@pytest.mark.parametrize(("setting", "code", "hits"), [(None, 1, 0), ("false", 1, 0), ("true", 0, 1)])
async def test_factdesk_ingest_url_follows_the_setting(
    site: Site, tmp_path: Path, setting: str | None, code: int, hits: int
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FACTDESK_INGEST_ALLOW_PRIVATE"}
    env["FACTDESK_BUNDLED_CORPUS"] = "false"
    if setting is not None:
        env["FACTDESK_INGEST_ALLOW_PRIVATE"] = setting
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--db", str(tmp_path / "x.db"), "ingest", site.url("/page"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env,
    )  # fmt: skip
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == code, err.decode()
    assert site.hits == hits
    if code:
        assert "loopback address" in err.decode() and "Traceback" not in err.decode()
