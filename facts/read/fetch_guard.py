"""Which addresses an outbound fetch may reach: public ones only, unless the desk opts in.

A url naming ``127.0.0.1``, ``localhost``, ``0x7f.1``, ``[::ffff:10.0.0.1]`` or a name that
resolves to any of them would let whoever can type ``/ingest`` read the newsroom's internal
services. Three checks share one rule (:func:`refusal_reason`):

- the url itself (scheme, and a host written as an address in any of its forms);
- every address the resolver returns for a host name (:class:`GuardedResolver`);
- the address each socket is about to connect to (:func:`guarded_socket_factory`), so a name that
  resolves to a public address when looked up and to a private one a moment later (DNS
  rebinding) cannot slip through: the connection is made to the address that was checked.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from facts.errors import UsageError

__all__ = [
    "GuardedResolver",
    "IPAddress",
    "Judge",
    "RefusedAddress",
    "allow_all",
    "check_url",
    "guarded_socket_factory",
    "literal_address",
    "refusal_reason",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Judge = Callable[[IPAddress], str | None]
"""Why an address may not be fetched (``"loopback"``, ``"private"``…), or ``None`` if it may."""

OPT_IN = "FACTDESK_INGEST_ALLOW_PRIVATE=true"
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT: inside someone's network
_NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")


class RefusedAddress(OSError):
    """An address the policy refuses; an ``OSError`` so aiohttp's connector carries it as the cause."""


def refusal_reason(ip: IPAddress) -> str | None:
    """The kind of non-public address ``ip`` is, or ``None`` for a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return refusal_reason(embedded)
    for kind, flag in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
    ):
        if flag:
            return kind
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "private"
    return None if ip.is_global else "non-public"


def allow_all(ip: IPAddress) -> str | None:
    """The judge when ``FACTDESK_INGEST_ALLOW_PRIVATE=true``: every address may be fetched."""
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address a url's host spells, in any form a resolver would accept
    (``127.0.0.1``, ``2130706433``, ``0177.0.0.1``, ``0x7f.1``, ``[::1]``), else ``None``."""
    bare = host.strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(bare) and any(c.isdigit() for c in bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def refusal(where: str, ip: IPAddress, kind: str) -> str:
    """The one line a refused fetch answers with."""
    return (
        f"{where} is {ip}, a {kind} address: factdesk fetches only public web pages"
        f" (an intranet needs {OPT_IN})."
    )


def check_url(url: str, judge: Judge) -> str:
    """``url`` if it is an http(s) address whose host, when written as an address, may be fetched."""
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError:
        scheme, host = "", None
    if scheme not in {"http", "https"} or not host:
        raise UsageError(f"'{url[:80]}' is not a web address (http:// or https://).")
    ip = literal_address(host)
    if ip is not None and (kind := judge(ip)):
        raise UsageError(refusal(f"The address in {url[:80]}", ip, kind))
    return url


class GuardedResolver(AbstractResolver):
    """Resolves with ``inner`` (the system's resolver by default) and refuses the host when any
    of its addresses is one the judge refuses."""

    def __init__(self, judge: Judge, inner: AbstractResolver | None = None) -> None:
        self._judge = judge
        self._inner = inner
        self._own: AbstractResolver | None = None

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if self._inner is None and self._own is None:
            self._own = DefaultResolver()
        resolver = self._inner or self._own
        assert resolver is not None
        results = await resolver.resolve(host, port, family)
        for result in results:
            ip = ipaddress.ip_address(result["host"])
            if kind := self._judge(ip):
                raise RefusedAddress(refusal(host, ip, kind))
        return results

    async def close(self) -> None:
        if self._own is not None:
            await self._own.close()


def guarded_socket_factory(judge: Judge) -> Callable[[Any], socket.socket]:
    """A socket factory for aiohttp's connector that refuses to open a socket to a refused address.

    It sees the very address the socket is connected to next, whatever the resolver said.
    """

    def factory(addr_info: Any) -> socket.socket:
        family, type_, proto, _, sockaddr = addr_info
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if kind := judge(ip):
            raise RefusedAddress(refusal("The address connected to", ip, kind))
        return socket.socket(family=family, type=type_, proto=proto)

    return factory
