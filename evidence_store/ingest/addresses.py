"""Which network addresses Sanad may fetch from: public ones, unless a setting allows more.

A URL pasted by a user must not make Sanad read the machine's own services, the office
network or a cloud metadata endpoint. Host names are resolved here and every address they
resolve to is checked; the fetcher then connects to a checked address, never resolving again.
"""

import ipaddress
import socket
from collections.abc import Sequence

from evidence_store.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Not caught by ``is_global`` on every Python, or public addresses that serve cloud metadata.
_BLOCKED: tuple[tuple[IPNetwork, str], ...] = (
    (ipaddress.ip_network("100.64.0.0/10"), "a carrier-grade NAT (shared) address"),
    (ipaddress.ip_network("168.63.129.16/32"), "a cloud metadata address"),
    (ipaddress.ip_network("192.0.0.0/24"), "an IETF protocol address (where some clouds serve metadata)"),
    (ipaddress.ip_network("::/96"), "an IPv4-compatible IPv6 address"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "a local NAT64 address"),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressError(InvalidInput):
    """A host that cannot be resolved, or that resolves to an address Sanad must not fetch from."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4 or well-known NAT64 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address (``None`` when it is one)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "a scoped (link-local) address"
        inner = _embedded_ipv4(address)
        if inner is not None:
            problem = address_problem(inner)
            return f"{problem} (inside {address})" if problem else None
    if address.is_loopback:  # before the blocks: ::1 and :: also lie in ::/96
        return "a loopback address"
    if address.is_unspecified:
        return "the unspecified address"
    for network, reason in _BLOCKED:
        if address.version == network.version and address in network:
            return reason
    if address.is_link_local:
        return "a link-local address (where cloud metadata services live)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private or not address.is_global:
        return "a private or reserved address"
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (numeric forms such as ``2130706433`` included)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressError(f"cannot resolve host {host!r} ({exc})") from None
    found: list[IPAddress] = []
    for _, _, _, _, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if address not in found:
            found.append(address)
    if not found:
        raise AddressError(f"host {host!r} has no address")
    return found


def allowed_addresses(
    host: str, port: int, *, allow_private: bool, allowed_networks: Sequence[IPNetwork] = ()
) -> list[IPAddress]:
    """The addresses of ``host`` that may be fetched from; ``AddressError`` if any of them may not.

    A host with even one forbidden address is refused whole, so a name that resolves to a
    public and a private address cannot be used to reach the private one.
    """
    addresses = resolve(host, port)
    if allow_private:
        return addresses
    for address in addresses:
        if any(address.version == network.version and address in network for network in allowed_networks):
            continue
        problem = address_problem(address)
        if problem:
            shown = f"[{host}]" if ":" in host and not host.startswith("[") else host  # as in a URL
            named = f"{shown} is" if host.strip("[]") == str(address) else f"{shown} resolves to {address},"
            raise AddressError(
                f"{named} {problem}; Sanad does not fetch from private, loopback, "
                "link-local or metadata addresses (SANAD_FETCH_ALLOW_PRIVATE or SANAD_FETCH_ALLOWED_NETWORKS "
                "allow them)"
            )
    return addresses
