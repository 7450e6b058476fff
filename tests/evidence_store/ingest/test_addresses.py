"""Which addresses may be fetched: public unicast only, in every IPv4 and IPv6 spelling."""

import ipaddress
import socket

import pytest

from evidence_store.ingest.addresses import AddressError, address_problem, allowed_addresses, resolve

FORBIDDEN = [
    "127.0.0.1",
    "127.255.0.9",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # AWS, GCP, Azure instance metadata
    "100.64.0.1",  # carrier-grade NAT
    "100.100.100.200",  # Alibaba Cloud metadata (inside CGNAT space)
    "168.63.129.16",  # Azure wire server
    "192.0.0.192",  # Oracle Cloud metadata
    "224.0.0.1",
    "255.255.255.255",
    "198.18.0.1",  # benchmarking
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # AWS IPv6 metadata
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "2002:7f00:1::",  # 6to4 around 127.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 around 169.254.169.254
    "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
    "64:ff9b:1::1",  # local-use NAT64
    "2001:db8::1",  # documentation
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "151.101.1.69", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"]


@pytest.mark.parametrize("address", FORBIDDEN)
def test_non_public_addresses_are_named(address):
    assert address_problem(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert address_problem(ipaddress.ip_address(address)) is None


def test_scoped_ipv6_is_refused():
    assert address_problem(ipaddress.IPv6Address("fe80::1%2")) == "a scoped (link-local) address"


@pytest.mark.parametrize("spelling", ["2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "127.1", "017700000001"])
def test_numeric_spellings_resolve_to_the_address_they_mean(spelling):
    assert resolve(spelling, 80) == [ipaddress.IPv4Address("127.0.0.1")]


def fake_dns(monkeypatch, answers):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in answers]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    fake_dns(monkeypatch, ["8.8.8.8", "10.0.0.5"])
    with pytest.raises(AddressError, match=r"evil\.test resolves to 10\.0\.0\.5, a private"):
        allowed_addresses("evil.test", 80, allow_private=False)
    assert len(allowed_addresses("evil.test", 80, allow_private=True)) == 2


def test_allowed_networks_open_only_themselves(monkeypatch):
    networks = [ipaddress.ip_network("10.1.2.0/24")]
    fake_dns(monkeypatch, ["10.1.2.7"])
    assert allowed_addresses("cms.desk", 80, allow_private=False, allowed_networks=networks) == [
        ipaddress.IPv4Address("10.1.2.7")
    ]
    fake_dns(monkeypatch, ["10.1.3.7"])
    with pytest.raises(AddressError, match=r"10\.1\.3\.7"):
        allowed_addresses("cms.desk", 80, allow_private=False, allowed_networks=networks)


def test_unresolvable_host_is_a_clear_error():
    with pytest.raises(AddressError, match=r"cannot resolve host 'no-such-host\.invalid'"):
        resolve("no-such-host.invalid", 80)


@pytest.mark.parametrize(
    ("address", "reason"),
    [("::1", "a loopback address"), ("::", "the unspecified address"), ("::127.0.0.1", "an IPv4-compatible")],
)
def test_ipv6_loopback_and_unspecified_are_named_as_such(address, reason):
    assert address_problem(ipaddress.ip_address(address)).startswith(reason)


@pytest.mark.parametrize(
    ("host", "named"),
    [("::1", r"\[::1\] is a loopback address"), ("fd00:ec2::254", r"\[fd00:ec2::254\] is a private or reserved")],
)
def test_an_ipv6_literal_is_named_in_brackets_as_in_its_url(host, named):
    with pytest.raises(AddressError, match=named):
        allowed_addresses(host, 80, allow_private=False)
