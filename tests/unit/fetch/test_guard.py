"""The address policy and the resolving guard: pure functions and a fake resolver, no traffic."""

from __future__ import annotations

import ipaddress
import socket
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.fetch.guard import (
    AddressPolicy,
    Guard,
    RefusedAddress,
    ResolveError,
    classify,
    embedded_ipv4,
    parse_ip,
)

ip = ipaddress.ip_address


@pytest.mark.parametrize("addr, kind", [
    ("10.0.0.5", "a private address"),
    ("172.16.3.4", "a private address"),
    ("192.168.1.1", "a private address"),
    ("127.0.0.1", "a loopback address"),
    ("127.255.0.9", "a loopback address"),
    ("169.254.169.254", "a cloud metadata address"),
    ("169.254.10.1", "a link-local address"),
    ("100.64.0.1", "a shared (CGNAT) address"),
    ("100.127.255.254", "a shared (CGNAT) address"),
    ("224.0.0.1", "a multicast address"),
    ("239.255.255.250", "a multicast address"),
    ("240.0.0.1", "a private address"),  # reserved 240/4: Python files it under is_private
    ("0.0.0.0", "an unspecified address"),
    ("255.255.255.255", "a private address"),
    ("192.0.2.10", "a private address"),  # documentation range
    ("::1", "a loopback address"),
    ("::", "an unspecified address"),
    ("fe80::1", "a link-local address"),
    ("fc00::1", "a private address"),
    ("fd12:3456::1", "a private address"),
    ("fd00:ec2::254", "a cloud metadata address"),
    ("ff02::1", "a multicast address"),
    ("fec0::1", "a site-local address"),
])
def test_non_public_addresses_are_classified(addr: str, kind: str) -> None:
    assert classify(ip(addr)) == kind


@pytest.mark.parametrize("addr", ["93.184.216.34", "8.8.8.8", "151.101.1.69",
                                  "2606:4700:4700::1111", "2a00:1450:4009:81f::200e"])
def test_public_addresses_pass(addr: str) -> None:
    assert classify(ip(addr)) is None
    assert AddressPolicy().refusal(ip(addr)) is None


@pytest.mark.parametrize("addr, inner", [
    ("::ffff:127.0.0.1", "127.0.0.1"),  # IPv4-mapped
    ("::ffff:10.1.2.3", "10.1.2.3"),
    ("::ffff:169.254.169.254", "169.254.169.254"),
    ("64:ff9b::a00:1", "10.0.0.1"),  # NAT64
    ("2002:7f00:1::", "127.0.0.1"),  # 6to4
    ("::127.0.0.1", "127.0.0.1"),  # deprecated IPv4-compatible
])
def test_ipv4_inside_ipv6_is_judged_by_the_ipv4_address(addr: str, inner: str) -> None:
    assert embedded_ipv4(ip(addr)) == ip(inner)
    kind = classify(ip(addr))
    assert kind is not None and kind.startswith(classify(ip(inner)) or "?")


def test_ipv4_mapped_public_address_is_public() -> None:
    assert classify(ip("::ffff:8.8.8.8")) is None


@pytest.mark.parametrize("host, expected", [
    ("127.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),  # one decimal number
    ("0x7f000001", "127.0.0.1"),  # one hex number
    ("0177.0.0.1", "127.0.0.1"),  # octal part
    ("0x7f.0.0.1", "127.0.0.1"),
    ("127.1", "127.0.0.1"),  # two parts: a.b (b is 24 bits)
    ("127.0.1", "127.0.0.1"),  # three parts: a.b.c (c is 16 bits)
    ("10.0.0.5.", "10.0.0.5"),  # trailing dot
    ("017700000001", "127.0.0.1"),  # one octal number
    ("[::1]", "::1"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
    ("fe80::1%eth0", "fe80::1"),
])
def test_every_spelling_of_an_ip_literal_is_parsed(host: str, expected: str) -> None:
    assert parse_ip(host) == ip(expected)


@pytest.mark.parametrize("host", ["example.com", "localhost", "cafe", "0x.example", "a1.b2",
                                  "xn--bcher-kva.de", "1.2.3.4.example"])
def test_names_are_not_ip_literals(host: str) -> None:
    assert parse_ip(host) is None


@pytest.mark.parametrize("host", ["256.1.1.1", "1.2.3.4.5", "0x1ffffffff", "1.2.70000",
                                  "09.1.1.1", "[::zz]"])
def test_invalid_numeric_hosts_are_errors(host: str) -> None:
    with pytest.raises(ValueError):
        parse_ip(host)


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_loose_ipv4_forms_agree_with_inet_aton(value: int) -> None:
    dotted = str(ipaddress.IPv4Address(value))
    for form in (str(value), hex(value), "0" + oct(value)[2:], dotted):
        assert parse_ip(form) == ipaddress.IPv4Address(value)
        assert socket.inet_aton(form) == ipaddress.IPv4Address(value).packed


def test_allow_list_admits_ranges_and_their_mapped_forms() -> None:
    policy = AddressPolicy(["127.0.0.0/8", "10.1.0.0/16"])
    assert policy.refusal(ip("127.0.0.2")) is None
    assert policy.refusal(ip("::ffff:127.0.0.2")) is None
    assert policy.refusal(ip("10.1.2.3")) is None
    assert policy.refusal(ip("10.2.0.1")) == "a private address"
    assert policy.refusal(ip("::1")) == "a loopback address"  # IPv6 loopback not allowed
    assert policy.refusal(ip("169.254.169.254")) == "a cloud metadata address"


def fake_dns(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def lookup(name: str) -> list[str]:
        calls.append(name)
        if name not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[name]

    lookup.calls = calls  # type: ignore[attr-defined]
    return lookup


def test_guard_refuses_a_name_resolving_to_a_private_address() -> None:
    guard = Guard(AddressPolicy(), fake_dns({"intranet.example": ["10.0.0.5"]}))
    with pytest.raises(RefusedAddress) as err:
        guard.addresses("intranet.example")
    assert err.value.problem == "refused: intranet.example resolves to 10.0.0.5, a private address"


def test_guard_checks_every_resolved_address() -> None:
    guard = Guard(AddressPolicy(), fake_dns({"mixed.example": ["93.184.216.34", "127.0.0.1"],
                                             "ok.example": ["93.184.216.34", "2606:2800::1"]}))
    with pytest.raises(RefusedAddress, match="127.0.0.1, a loopback address"):
        guard.addresses("mixed.example")
    assert guard.addresses("ok.example") == (ip("93.184.216.34"), ip("2606:2800::1"))


def test_guard_caches_resolutions_and_failures() -> None:
    lookup = fake_dns({"news.example": ["93.184.216.34"]})
    guard = Guard(AddressPolicy(), lookup)
    for _ in range(5):
        guard.addresses("news.example")
        guard.addresses("NEWS.example.")  # same host: case and trailing dot do not matter
        with pytest.raises(ResolveError, match="unknown host gone.example"):
            guard.addresses("gone.example")
    assert lookup.calls == ["news.example", "gone.example"]


def test_guard_literals_never_touch_dns() -> None:
    lookup = fake_dns({})
    guard = Guard(AddressPolicy(["127.0.0.0/8"]), lookup)
    assert guard.addresses("2130706433") == (ip("127.0.0.1"),)
    with pytest.raises(RefusedAddress, match=r"refused: 0x0a000005 \(10.0.0.5\) is a private"):
        guard.addresses("0x0a000005")
    with pytest.raises(RefusedAddress, match="refused: invalid IPv4 address"):
        guard.addresses("999.0.0.1")
    assert lookup.calls == []


@pytest.mark.parametrize("host", ["localhost", "localhost.", "LOCALHOST", "api.localhost"])
def test_localhost_names_are_loopback_without_asking_dns(host: str) -> None:
    lookup = fake_dns({})
    with pytest.raises(RefusedAddress, match="a loopback address"):
        Guard(AddressPolicy(), lookup).addresses(host)
    assert lookup.calls == []


def test_temporary_dns_failure_is_transient() -> None:
    def lookup(name: str) -> list[str]:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    with pytest.raises(ResolveError) as err:
        Guard(AddressPolicy(), lookup).addresses("flaky.example")
    assert err.value.transient


def test_a_hanging_resolver_is_cut_off_and_remembered() -> None:
    calls: list[str] = []

    def lookup(name: str) -> list[str]:
        calls.append(name)
        time.sleep(2)
        return ["93.184.216.34"]

    guard = Guard(AddressPolicy(), lookup, timeout=0.2)
    start = time.monotonic()
    for _ in range(3):
        with pytest.raises(ResolveError, match="DNS lookup for slow.example timed out") as err:
            guard.addresses("slow.example")
        assert err.value.transient
    assert time.monotonic() - start < 1.0 and calls == ["slow.example"]
    guard.close()
