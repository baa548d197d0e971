//! The client's address behind reverse proxies. A per-client limit (the refusals of
//! invitation links) must count the client, not the load balancer every request comes
//! through; yet `X-Forwarded-For` is a header anyone can write. So it is read only when the
//! TCP peer is one of `TRUSTED_PROXIES`, and from the right: the first address that is not a
//! trusted proxy is the client (entries to its left were written by the client itself).

use std::net::IpAddr;

use actix_web::HttpRequest;

/// An address or a network (`10.0.0.0/8`, `::1`) of trusted reverse proxies: an
/// [`ipnet::IpNet`] that also accepts a bare address (a network of one) and matches
/// IPv4-mapped IPv6 peers as IPv4 (a dual-stack listener reports them that way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet(ipnet::IpNet);

impl IpNet {
    /// Whether `ip` is inside this network (IPv4-mapped IPv6 counts as IPv4).
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 @ IpAddr::V4(_) => v4,
        };
        self.0.contains(&ip)
    }
}

impl std::str::FromStr for IpNet {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let Some((addr, _)) = text.split_once('/') else {
            return text
                .parse::<IpAddr>()
                .map(|addr| Self(addr.into()))
                .map_err(|_| format!("«{text}» — не IP-адрес и не сеть вида 10.0.0.0/8"));
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("«{text}» — не IP-адрес и не сеть вида 10.0.0.0/8"))?;
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        text.parse::<ipnet::IpNet>()
            .map(Self)
            .map_err(|_| format!("«{text}»: длина префикса от 0 до {bits}"))
    }
}

/// Parses a comma-separated list of addresses and networks.
///
/// # Errors
/// The first entry that is neither.
pub fn parse_list(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}

/// The client of a request: the TCP peer, or — when the peer is a trusted proxy — the
/// right-most `X-Forwarded-For` entry that is not one. Empty when actix has no peer.
#[must_use]
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return String::new();
    };
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    choose(peer, &forwarded, trusted).to_string()
}

fn choose(peer: IpAddr, forwarded: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    for entry in forwarded.iter().rev() {
        // An entry that is not an address ends the chain of trust where it is.
        let Ok(ip) = entry.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::{choose, parse_list, IpNet};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn networks_parse_and_contain() {
        let nets = parse_list(" 10.0.0.0/8, 127.0.0.1 ,::1, fd00::/8 ").unwrap_or_default();
        assert_eq!(nets.len(), 4);
        assert!(nets[0].contains(ip("10.20.30.40")));
        assert!(!nets[0].contains(ip("11.0.0.1")));
        assert!(nets[1].contains(ip("127.0.0.1")));
        assert!(!nets[1].contains(ip("127.0.0.2")));
        assert!(nets[1].contains(ip("::ffff:127.0.0.1")), "IPv4-mapped");
        assert!(nets[2].contains(ip("::1")));
        assert!(nets[3].contains(ip("fd12::1")));
        assert!(!nets[3].contains(ip("10.0.0.1")));
        assert!("0.0.0.0/0"
            .parse::<IpNet>()
            .is_ok_and(|n| n.contains(ip("8.8.8.8"))));
        for wrong in ["10.0.0.0/33", "::/129", "example.org", "10.0.0.0/x"] {
            assert!(wrong.parse::<IpNet>().is_err(), "{wrong}");
        }
        assert!(parse_list("").is_ok_and(|v| v.is_empty()));
    }

    #[test]
    fn the_client_is_the_first_untrusted_address_from_the_right() {
        let trusted = parse_list("10.0.0.0/8").unwrap_or_default();
        // No trusted proxies: the header is ignored.
        assert_eq!(choose(ip("10.0.0.5"), &["1.2.3.4"], &[]), ip("10.0.0.5"));
        // An untrusted peer cannot name someone else.
        assert_eq!(choose(ip("5.6.7.8"), &["1.2.3.4"], &trusted), ip("5.6.7.8"));
        // Behind the balancer: the client it saw, not what the client wrote before it.
        assert_eq!(
            choose(ip("10.0.0.5"), &["9.9.9.9", "1.2.3.4"], &trusted),
            ip("1.2.3.4")
        );
        // Two trusted hops.
        assert_eq!(
            choose(ip("10.0.0.5"), &["1.2.3.4", "10.1.1.1"], &trusted),
            ip("1.2.3.4")
        );
        // A trusted peer without the header, or with garbage in it.
        assert_eq!(choose(ip("10.0.0.5"), &[], &trusted), ip("10.0.0.5"));
        assert_eq!(
            choose(ip("10.0.0.5"), &["unknown"], &trusted),
            ip("10.0.0.5")
        );
    }
}
