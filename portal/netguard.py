"""Outbound HTTP to URLs users typed (webhooks), without letting them reach inside the network.

``check_url`` resolves a URL's host and refuses loopback, private, link-local, multicast,
reserved and unspecified addresses, and odd numeric spellings of an address (``0x7f.1``,
``2130706433``, ``0177.0.0.1``, ``127.1``) that resolvers accept but people do not read as
IPs. ``post`` sends to the address that was checked (the connection goes to that IP, with the
URL's host in ``Host`` and in TLS SNI/certificate checks), so a DNS answer that changes between
the check and the connection (rebinding) cannot move the request. Only the status code is
returned: a receiver's answer is never read back (no port-scanning oracle).

``allow_private`` (an operator's opt-in for trusted internal receivers) admits loopback and
private ranges; link-local (cloud metadata), multicast, reserved and unspecified addresses
are refused even then.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_DOTTED_QUAD = re.compile(rf"^(?:{_OCTET}\.){{3}}{_OCTET}$")


class UnsafeURL(ValueError):
    """The URL may not be called; the message says why, in words for the person who typed it."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``ip``) and what to call the host there."""

    scheme: str
    host: str
    port: int
    ip: str
    path: str

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL("That URL is not valid.") from exc
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        raise UnsafeURL("Use a full http:// or https:// URL.")
    host = parts.hostname.rstrip(".").lower()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), path


def _literal(host: str) -> IPAddress | None:
    """The address a host names literally; odd numeric spellings are refused outright."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if "%" in host or all(_NUMERIC_LABEL.match(label) for label in host.split(".")):
        if not _DOTTED_QUAD.match(host):
            raise UnsafeURL(
                "Write the address as a host name or a plain dotted IP address "
                "(hexadecimal, octal and single-number forms are not accepted)."
            )
    return None


def refusal(ip: IPAddress, *, allow_private: bool = False) -> str | None:
    """Why ``ip`` may not be called, or None."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return "an unspecified address (0.0.0.0 or ::)"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_loopback:
        return None if allow_private else "a loopback address (this machine)"
    if ip.is_private or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED):
        if ip.is_reserved:
            return "a reserved address"
        return None if allow_private else "a private network address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, internal in practice


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise LookupError(f"The host name {host} does not resolve.") from exc
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if ip not in found:
            found.append(ip)
    return found


def check_url(url: str, *, allow_private: bool = False) -> Target:
    """Resolve ``url`` now and return the address to connect to; ``UnsafeURL`` if refused.

    Every address the name resolves to must be allowed (a name with one public and one
    private record is refused). A name that does not resolve raises ``LookupError``.
    """
    scheme, host, port, path = _split(url)
    literal = _literal(host)
    addresses = [literal] if literal is not None else _resolve(host, port)
    for ip in addresses:
        why = refusal(ip, allow_private=allow_private)
        if why is not None:
            shown = host if literal is not None else f"{host} ({ip})"
            raise UnsafeURL(f"{shown} is {why}; webhooks may only call public addresses.")
    return Target(scheme, host, port, str(addresses[0]), path)


def check_for_save(url: str, *, allow_private: bool = False) -> None:
    """The check when a URL is saved: refused addresses and spellings are an error; a name
    that does not resolve yet is accepted (it is checked again before every request)."""
    try:
        check_url(url, allow_private=allow_private)
    except LookupError:
        return


@dataclass(frozen=True)
class Answer:
    status: int


def post(
    target: Target,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    connect_timeout: float = 5.0,
    cafile: str | None = None,
) -> Answer:
    """POST to the checked address; the response body is discarded unread.

    HTTPS verifies the certificate against the URL's host (``cafile``: the CA bundle, by
    default the one ``requests`` ships). Raises urllib3's errors (``NewConnectionError``,
    ``TimeoutError``, ``SSLError``, …).
    """
    limits = urllib3.Timeout(connect=min(connect_timeout, timeout), read=timeout)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        import requests.certs

        context = ssl.create_default_context(cafile=cafile or requests.certs.where())
        pool = urllib3.HTTPSConnectionPool(
            target.ip,
            target.port,
            timeout=limits,
            retries=False,
            ssl_context=context,
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.ip, target.port, timeout=limits, retries=False)
    try:
        resp = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
        )
        status = resp.status
        resp.close()
        return Answer(status)
    finally:
        pool.close()
