//! Address rules for the web edge: who the client is behind reverse proxies, and which
//! addresses are on the public internet (the only ones Lango calls out to).

use crate::config::IpNetwork;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The client's address. `X-Forwarded-For` is believed only when the peer is a trusted
/// proxy, and then read from the right: the first hop that is not itself a trusted proxy is
/// the client (everything left of it was written by the client and proves nothing).
/// `forwarded` holds the header's values in the order received.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded: impl IntoIterator<Item = &'a str>,
    trusted: &[IpNetwork],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return canonical(peer);
    }
    let hops: Vec<&str> = forwarded.into_iter().flat_map(|v| v.split(',')).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A hop that is not an address: stop at the last one a trusted proxy vouched for.
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    canonical(client)
}

/// One `X-Forwarded-For` entry: `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]:443` or
/// `203.0.113.7:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    hop.rsplit_once(':')
        .and_then(|(a, _)| a.parse::<Ipv4Addr>().ok())
        .map(IpAddr::V4)
}

/// An IPv4 client seen as `::ffff:a.b.c.d` is the IPv4 address (one key per client).
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// True for an address on the public internet: not private, loopback, link-local,
/// unique-local, shared (CGNAT), documentation, benchmarking, multicast, broadcast,
/// unspecified or reserved, in IPv4 or IPv6 (IPv4-mapped and NAT64 forms judged as IPv4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(Ipv4Addr::new(
            (s[6] >> 8) as u8,
            s[6] as u8,
            (s[7] >> 8) as u8,
            s[7] as u8,
        ));
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link local
        || (s[0] & 0xffc0) == 0xfec0 // site local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || s[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible (deprecated) and the like
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies = [IpNetwork::parse("10.0.0.0/8").unwrap()];
        // Straight from the internet: the header is the client's own words.
        assert_eq!(
            client_address(ip("203.0.113.9"), ["1.2.3.4"], &proxies),
            ip("203.0.113.9")
        );
        // Through the proxy: the rightmost untrusted hop, whatever the client put before it.
        assert_eq!(
            client_address(ip("10.0.0.2"), ["1.2.3.4, 198.51.100.7"], &proxies),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                ["1.2.3.4", "198.51.100.7, 10.0.0.9"],
                &proxies
            ),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), ["[2001:db8::5]:443"], &proxies),
            ip("2001:db8::5")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), ["garbage, 10.0.0.3"], &proxies),
            ip("10.0.0.3")
        );
        assert_eq!(client_address(ip("10.0.0.2"), [], &proxies), ip("10.0.0.2"));
        assert_eq!(
            client_address(ip("::ffff:203.0.113.9"), [], &[]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2001:db8::1",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip(private)), "{private}");
        }
        for public in [
            "8.8.8.8",
            "196.201.214.200",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
    }
}
