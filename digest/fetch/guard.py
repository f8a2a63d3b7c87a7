"""Where the fetcher may connect: the address policy (SSRF guard) and DNS pinned to checked addresses.

Links from feeds are untrusted. :class:`AddressPolicy` refuses private, loopback, link-local, CGNAT,
multicast, reserved, unspecified and cloud-metadata addresses (IPv4, IPv6 and IPv4 embedded in
IPv6) unless a configured CIDR range allows them. :class:`Guard` parses every spelling of an IPv4
literal (``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``), resolves names itself (cached
for the run), checks EVERY resolved address, and hands back the checked addresses: the network
backend in :mod:`digest.fetch.backend` connects to exactly those, so DNS rebinding cannot swap them.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Lookup = Callable[[str], Sequence[str]]  # host name -> address strings (may raise OSError)

CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean ...
    "169.254.170.2",  # AWS ECS task metadata
    "fd00:ec2::254",  # AWS IMDS over IPv6
    "100.100.100.200",  # Alibaba Cloud
))
_NUMERIC_LABEL = re.compile(r"^(?:0[xX][0-9a-fA-F]*|[0-9]+)$")
POSITIVE_TTL = 300.0  # seconds a resolution is reused within a run
NEGATIVE_TTL = 30.0  # seconds a failed lookup is remembered (2,000 pages of a dead host: one lookup)


class RefusedAddress(Exception):
    """The host is, or resolves to, an address the policy refuses. ``problem`` is one line."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class ResolveError(Exception):
    """A host name could not be resolved. ``transient`` is true for temporary DNS failures."""

    def __init__(self, problem: str, transient: bool) -> None:
        super().__init__(problem)
        self.problem = problem
        self.transient = transient


class AddressPolicy:
    """Which IP addresses the fetcher may connect to: public ones, plus allow-listed ranges."""

    def __init__(self, allow: Iterable[str | IPNetwork] = ()) -> None:
        self.allow: tuple[IPNetwork, ...] = tuple(
            n if isinstance(n, ipaddress.IPv4Network | ipaddress.IPv6Network)
            else ipaddress.ip_network(n, strict=False) for n in allow)

    def allowed(self, ip: IPAddress) -> bool:
        """True when ``ip`` is in an allow-listed range (checked as written and as embedded IPv4)."""
        candidates = [ip]
        inner = embedded_ipv4(ip)
        if inner is not None:
            candidates.append(inner)
        return any(c.version == n.version and c in n for c in candidates for n in self.allow)

    def refusal(self, ip: IPAddress) -> str | None:
        """Why ``ip`` is refused (e.g. ``"a private address"``), or None when it may be used."""
        if self.allowed(ip):
            return None
        return classify(ip)


def classify(ip: IPAddress) -> str | None:
    """The kind of non-public address ``ip`` is, or None for a public unicast address."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        kind = classify(inner)
        return f"{kind} (embedded IPv4 {inner})" if kind else None
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip in METADATA:
        return "a cloud metadata address"
    if ip.is_link_local:
        return "a link-local address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT:
        return "a shared (CGNAT) address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "a site-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "not a public address"
    return None


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside an IPv6 one (mapped, compatible, NAT64, 6to4), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(ip.packed[-4:])
    as_int = int(ip)
    if 1 < as_int < 2**32:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(as_int)
    return None


def parse_ip(host: str) -> IPAddress | None:
    """``host`` as an IP address if it is one in ANY spelling a resolver accepts, else None.

    Accepts ``[v6]``, zone ids (``fe80::1%eth0``) and the inet_aton forms of IPv4: 1 to 4 parts,
    each decimal, octal (leading 0) or hex (0x). Raises ValueError for numeric hosts that are not
    valid addresses (``999.1.1.1``), which no resolver should be asked about.
    """
    h = host.strip().rstrip(".")
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if ":" in h:
        h = h.split("%", 1)[0]
        try:
            return ipaddress.IPv6Address(h)
        except ValueError:
            raise ValueError(f"invalid IPv6 address {host!r}") from None
    parts = h.split(".")
    if not h or not all(_NUMERIC_LABEL.match(p) for p in parts) or len(parts) > 4:
        if len(parts) > 4 and all(_NUMERIC_LABEL.match(p) for p in parts):
            raise ValueError(f"invalid IPv4 address {host!r}")
        return None
    nums = [_parse_part(p, host) for p in parts]
    *head, last = nums
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(nums)):
        raise ValueError(f"invalid IPv4 address {host!r}")
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (5 - len(nums)) + last
    return ipaddress.IPv4Address(value)


def _parse_part(part: str, host: str) -> int:
    try:
        if part[:2].lower() == "0x":
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part, 8)
        return int(part)
    except ValueError:
        raise ValueError(f"invalid IPv4 address {host!r}") from None


def normalize_host(host: str) -> str:
    """Lower case, no brackets, no trailing dot: one cache key per host."""
    h = host.strip().lower()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    return h.rstrip(".")


def system_lookup(host: str) -> list[str]:
    """Resolve ``host`` with the system resolver (hosts file, DNS): every address, in order."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class Guard:
    """Checks hosts against an :class:`AddressPolicy`; resolves names once per run, thread-safely."""

    def __init__(self, policy: AddressPolicy, lookup: Lookup | None = None,
                 timeout: float | None = None) -> None:
        self.policy = policy
        self._lookup = lookup or system_lookup
        self.timeout = timeout  # seconds one lookup may take (the system resolver has no limit)
        self._cache: dict[str, tuple[float, tuple[IPAddress, ...] | ResolveError]] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def check_literal(self, host: str) -> IPAddress | None:
        """Check ``host`` if it is an IP literal (no DNS); return it, or None for a name."""
        try:
            ip = parse_ip(host)
        except ValueError as exc:
            raise RefusedAddress(f"refused: {exc}") from None
        if ip is not None:
            why = self.policy.refusal(ip)
            if why:
                shown = normalize_host(host)
                shown = shown if shown == str(ip) else f"{shown} ({ip})"
                raise RefusedAddress(f"refused: {shown} is {why}")
        elif normalize_host(host) == "localhost" or normalize_host(host).endswith(".localhost"):
            # RFC 6761: these names are loopback whatever a resolver says.
            loop = ipaddress.IPv4Address("127.0.0.1")
            why = self.policy.refusal(loop)
            if why:
                raise RefusedAddress(f"refused: {normalize_host(host)} is {why}")
        return ip

    def addresses(self, host: str) -> tuple[IPAddress, ...]:
        """The checked addresses to connect to for ``host``; raises RefusedAddress/ResolveError."""
        ip = self.check_literal(host)
        if ip is not None:
            return (ip,)
        name = normalize_host(host)
        found = self._resolve(name)
        for addr in found:  # every address must pass: a name may not mix public and private
            why = self.policy.refusal(addr)
            if why:
                raise RefusedAddress(f"refused: {name} resolves to {addr}, {why}")
        return found

    def _resolve(self, name: str) -> tuple[IPAddress, ...]:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(name)
        if hit is not None and hit[0] > now:
            if isinstance(hit[1], ResolveError):
                raise hit[1]
            return hit[1]
        if name.endswith(".localhost"):
            raw: Sequence[str] = ["127.0.0.1"]
        else:
            try:
                raw = self._bounded_lookup(name)
            except (OSError, UnicodeError) as exc:
                err = _resolve_error(name, exc)
                with self._lock:
                    self._cache[name] = (now + NEGATIVE_TTL, err)
                raise err from None
        addrs: list[IPAddress] = []
        for a in raw:
            try:
                parsed = ipaddress.ip_address(a.split("%", 1)[0])
            except ValueError:
                continue
            if parsed not in addrs:
                addrs.append(parsed)
        if not addrs:
            err = ResolveError(f"DNS lookup for {name} found no address", transient=False)
            with self._lock:
                self._cache[name] = (now + NEGATIVE_TTL, err)
            raise err
        result = tuple(addrs)
        with self._lock:
            self._cache[name] = (now + POSITIVE_TTL, result)
        return result


    def _bounded_lookup(self, name: str) -> Sequence[str]:
        if self.timeout is None:
            return self._lookup(name)
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="dns")
            pool = self._pool
        try:
            return pool.submit(self._lookup, name).result(timeout=self.timeout)
        except FutureTimeout:
            raise TimeoutError(f"DNS lookup for {name} timed out") from None

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _resolve_error(name: str, exc: BaseException) -> ResolveError:
    if isinstance(exc, TimeoutError):
        return ResolveError(f"DNS lookup for {name} timed out", transient=True)
    code = getattr(exc, "errno", None)
    transient = code == getattr(socket, "EAI_AGAIN", -3)
    if code in (getattr(socket, "EAI_NONAME", -2), getattr(socket, "EAI_NODATA", -5)):
        return ResolveError(f"unknown host {name}", transient=False)
    if transient:
        return ResolveError(f"DNS lookup for {name} failed (temporary)", transient=True)
    return ResolveError(f"DNS lookup for {name} failed", transient=False)
