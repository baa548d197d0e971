//! Signed integrator webhooks. Every delivery is a `POST` of the event's JSON with
//!
//! - `X-Pomoshnik-Event-Id`: the event id (the same on every retry: receivers deduplicate on it);
//! - `X-Pomoshnik-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//!
//! The timestamp is the moment of this attempt, so a retry carries a fresh one and
//! receivers can refuse anything older than five minutes (replays). After a secret rotation
//! the previous secret stays valid for 24 hours: during that overlap the header carries one
//! `v1=` per valid secret, and a receiver accepts the request when any of them matches.
//!
//! A subscription's URL must not become a way into the service's own network (SSRF): the
//! host is resolved at delivery time by [`PublicOnly`], a resolver that keeps only public
//! addresses, and the connection goes to exactly the address it checked, so DNS cannot
//! answer differently between the check and the connect. Literal addresses, which bypass
//! resolvers, are checked before the request. `WEBHOOK_ALLOW_PRIVATE=true` (tests, closed
//! networks) lifts this.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, OnceLock};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::DeliveryError;
use crate::config::Config;

/// Header with the event id.
pub const EVENT_ID_HEADER: &str = "X-Pomoshnik-Event-Id";
/// Header with the event type.
pub const EVENT_TYPE_HEADER: &str = "X-Pomoshnik-Event-Type";
/// Header with the signature.
pub const SIGNATURE_HEADER: &str = "X-Pomoshnik-Signature";
/// How old a signature timestamp receivers should still accept.
pub const TOLERANCE_SECS: i64 = 300;

/// Hex HMAC-SHA256 of `"<t>.<body>"` under `secret`.
#[must_use]
pub fn sign(secret: &str, t: i64, body: &str) -> String {
    // HMAC takes keys of any length: the error branch cannot happen.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `X-Pomoshnik-Signature` value: `t=<t>` and one `v1=` per secret.
#[must_use]
pub fn signature_header(secrets: &[&str], t: i64, body: &str) -> String {
    let mut value = format!("t={t}");
    for secret in secrets {
        value.push_str(",v1=");
        value.push_str(&sign(secret, t, body));
    }
    value
}

/// What a receiver does: true when `t` is within `tolerance` of `now` and some `v1` matches
/// some secret (compared in constant time).
#[must_use]
pub fn verify(header: &str, body: &str, secrets: &[&str], now: i64, tolerance: i64) -> bool {
    use subtle::ConstantTimeEq;
    let mut t = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.push(v.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (now - t).abs() > tolerance {
        return false;
    }
    secrets.iter().any(|secret| {
        let expected = sign(secret, t, body);
        candidates
            .iter()
            .any(|c| bool::from(c.as_bytes().ct_eq(expected.as_bytes())))
    })
}

/// One delivery attempt.
#[derive(Debug)]
pub struct Attempt<'a> {
    /// Receiver URL.
    pub url: &'a str,
    /// Event id.
    pub event_id: &'a str,
    /// Event type (`appeal.created`, `ping`, …).
    pub event_type: &'a str,
    /// The exact JSON body.
    pub body: &'a str,
    /// Valid secrets, current first.
    pub secrets: &'a [&'a str],
    /// Signature timestamp (unix seconds).
    pub t: i64,
}

/// True for an IPv4 address no integrator's receiver has: this network, private, shared
/// (carrier-grade NAT, where Alibaba's metadata lives), loopback, link-local (cloud
/// metadata at 169.254.169.254), IETF protocol assignments (Oracle's metadata), benchmarking,
/// documentation, multicast, reserved and broadcast.
#[must_use]
pub fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    a == 0
        || ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 0 && c == 2)
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 240
}

/// True for an IPv6 address that is not a public receiver: unspecified, loopback,
/// multicast, unique-local (AWS metadata `fd00:ec2::254`), link-local, site-local,
/// documentation, discard-only, and any form that embeds an internal IPv4 address
/// (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
#[must_use]
pub fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    let embedded = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        is_internal_v4(Ipv4Addr::new(a, b, c, d))
    };
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0])
        // IPv4-compatible (deprecated) ::a.b.c.d
        || (s[..6] == [0, 0, 0, 0, 0, 0] && embedded(s[6], s[7]))
        // NAT64 64:ff9b::a.b.c.d and the local-use 64:ff9b:1::/48
        || (s[0] == 0x0064 && s[1] == 0xff9b && (s[2..6] == [0, 0, 0, 0] || s[2] == 1)
            && embedded(s[6], s[7]))
        // 6to4 2002:AABB:CCDD::
        || (s[0] == 0x2002 && embedded(s[1], s[2]))
}

/// [`is_internal_v4`] or [`is_internal_v6`].
#[must_use]
pub fn is_internal_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

/// A receiver's name resolved only to internal addresses (or to none).
#[derive(Debug)]
struct InternalTarget(String);

impl std::fmt::Display for InternalTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "адрес получателя во внутренней сети: {}", self.0)
    }
}

impl std::error::Error for InternalTarget {}

/// The resolver of webhook deliveries: the system's lookup, keeping only public addresses.
/// reqwest connects to what this returns, so the address checked is the address used.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnly;

impl PublicOnly {
    /// The public addresses of `host` (port 0: the connector sets the URL's port).
    ///
    /// # Errors
    /// The name does not resolve, or resolves only to internal addresses.
    pub async fn lookup(
        host: &str,
    ) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let name = host.to_owned();
        let all: Vec<SocketAddr> = tokio::task::spawn_blocking(move || {
            std::net::ToSocketAddrs::to_socket_addrs(&(name.as_str(), 0))
                .map(Iterator::collect::<Vec<_>>)
        })
        .await??;
        Ok(keep_public(host, all)?)
    }
}

/// The public ones of `host`'s addresses; none left is a refusal, so a name that also
/// resolves to a public address is reached only there.
fn keep_public(host: &str, all: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, InternalTarget> {
    let public: Vec<SocketAddr> = all
        .into_iter()
        .filter(|addr| !is_internal_ip(addr.ip()))
        .collect();
    if public.is_empty() {
        return Err(InternalTarget(host.to_owned()));
    }
    Ok(public)
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let public = Self::lookup(&host).await?;
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// The client of webhook deliveries to public receivers, built once: with [`PublicOnly`]
/// and no proxy (a proxy's own lookup would bypass it). No redirects: a redirect would be a
/// second, unchecked target.
fn guarded_client() -> Result<&'static reqwest::Client, DeliveryError> {
    static GUARDED: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(client) = GUARDED.get() {
        return Ok(client);
    }
    let built = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .connect_timeout(std::time::Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(PublicOnly))
        .build()
        .map_err(|e| DeliveryError::transient(format!("клиент HTTP: {e}"), None))?;
    Ok(GUARDED.get_or_init(|| built))
}

/// Refuses, before any connection, a literal internal address (literals bypass the
/// resolver) and, in production, a single-label host (`http://crm/…`: a name only an
/// internal network resolves).
fn check_target(url: &str, config: &Config) -> Result<(), DeliveryError> {
    if config.webhook_allow_private {
        return Ok(());
    }
    let parsed = url::Url::parse(url)
        .map_err(|_| DeliveryError::permanent("неверный адрес получателя", None))?;
    let refused = match parsed.host() {
        None => true,
        Some(url::Host::Ipv4(ip)) => is_internal_v4(ip),
        Some(url::Host::Ipv6(ip)) => is_internal_v6(ip),
        Some(url::Host::Domain(name)) => !config.is_dev() && !name.contains('.'),
    };
    if refused {
        return Err(DeliveryError::permanent(
            format!(
                "адрес получателя во внутренней сети: {}",
                parsed.host_str().unwrap_or_default()
            ),
            None,
        ));
    }
    Ok(())
}

/// Whether a request failed because [`PublicOnly`] refused the target.
fn refused_target(error: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(internal) = e.downcast_ref::<InternalTarget>() {
            return Some(internal.to_string());
        }
        source = e.source();
    }
    None
}

/// Posts the event to a receiver that is not inside the service's network; any 2xx is a
/// success. With `WEBHOOK_ALLOW_PRIVATE` it goes through `open` (the service's ordinary
/// client, which also refuses redirects) to any address.
///
/// # Errors
/// The receiver answered otherwise or could not be reached (retried), or its address is
/// internal (permanent: retrying would reach the same place).
pub async fn deliver(
    open: &reqwest::Client,
    config: &Config,
    attempt: &Attempt<'_>,
) -> Result<u16, DeliveryError> {
    check_target(attempt.url, config)?;
    let http = if config.webhook_allow_private {
        open
    } else {
        guarded_client()?
    };
    let response = http
        .post(attempt.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, "Pomoshnik-Webhooks/1")
        .header(EVENT_ID_HEADER, attempt.event_id)
        .header(EVENT_TYPE_HEADER, attempt.event_type)
        .header(
            SIGNATURE_HEADER,
            signature_header(attempt.secrets, attempt.t, attempt.body),
        )
        .body(attempt.body.to_owned())
        .send()
        .await
        .map_err(|e| {
            if let Some(internal) = refused_target(&e) {
                return DeliveryError::permanent(internal, None);
            }
            let reason = if e.is_timeout() {
                "получатель не ответил вовремя".to_owned()
            } else if e.is_connect() {
                "не удалось подключиться к получателю".to_owned()
            } else {
                format!("ошибка запроса: {e}")
            };
            DeliveryError::transient(reason, None)
        })?;
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Ok(status);
    }
    let retry_after = (status == 429)
        .then(|| {
            response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        })
        .flatten()
        .map(|s| std::time::Duration::from_secs(s.clamp(1, 3600)));
    Err(DeliveryError {
        message: format!("получатель ответил {status}"),
        status: Some(status),
        retry_after,
        permanent: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            sign("whsec_test", 1_700_000_000, "{\"a\":1}"),
            "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn verify_accepts_any_valid_secret_and_refuses_old_or_forged() {
        let body = r#"{"id":"e1","type":"ping"}"#;
        let header = signature_header(&["new", "old"], 1000, body);
        assert!(header.starts_with("t=1000,v1="));
        assert_eq!(header.matches("v1=").count(), 2);
        assert!(verify(&header, body, &["old"], 1100, TOLERANCE_SECS));
        assert!(verify(&header, body, &["new"], 1100, TOLERANCE_SECS));
        assert!(!verify(&header, body, &["other"], 1100, TOLERANCE_SECS));
        assert!(!verify(&header, body, &["new"], 1000 + 301, TOLERANCE_SECS));
        assert!(!verify(&header, "{}", &["new"], 1000, TOLERANCE_SECS));
        assert!(!verify("v1=abc", body, &["new"], 1000, TOLERANCE_SECS));
    }

    fn config(allow_private: bool, env: &'static str) -> Config {
        Config::from_lookup(|k| match k {
            "APP_ENV" => Some(env.to_owned()),
            "WEBHOOK_ALLOW_PRIVATE" => Some(allow_private.to_string()),
            _ => None,
        })
        .unwrap()
    }

    fn open() -> reqwest::Client {
        reqwest::Client::new()
    }

    /// A receiver on loopback that answers 200 to `count` requests.
    fn receiver(listener: std::net::TcpListener, count: usize) {
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            for _ in 0..count {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            }
        });
    }

    fn attempt(url: &str) -> Attempt<'_> {
        Attempt {
            url,
            event_id: "e1",
            event_type: "ping",
            body: "{}",
            secrets: &["s"],
            t: 1,
        }
    }

    #[test]
    fn internal_addresses_are_classified() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "192.0.0.192",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "fc00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
        ] {
            let ip: IpAddr = internal.parse().unwrap();
            assert!(is_internal_ip(ip), "{internal}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2a00:1450:4010::8a",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(!is_internal_ip(ip), "{public}");
        }
    }

    #[test]
    fn only_public_answers_are_kept() {
        let addr = |a: &str| SocketAddr::new(a.parse().unwrap(), 0);
        // A name answering 127.0.0.1 and ::1 (what `localhost` resolves to) is refused…
        assert!(keep_public("loop.example", vec![addr("127.0.0.1"), addr("::1")]).is_err());
        assert!(keep_public("meta.example", vec![addr("169.254.169.254")]).is_err());
        // … and a name mixing public and internal answers is reached only at the public one.
        assert_eq!(
            keep_public("mixed.example", vec![addr("::1"), addr("8.8.8.8")]).unwrap(),
            vec![addr("8.8.8.8")]
        );
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_v4_and_v6_is_refused() {
        // `localhost` resolves to 127.0.0.1 and ::1 here: both are refused.
        let err = PublicOnly::lookup("localhost").await.unwrap_err();
        assert!(err.to_string().contains("внутренней сети"), "{err}");
        for (bind, url) in [("127.0.0.1:0", "127.0.0.1"), ("[::1]:0", "[::1]")] {
            let Ok(listener) = std::net::TcpListener::bind(bind) else {
                continue; // no IPv6 on this machine
            };
            let port = listener.local_addr().unwrap().port();
            receiver(listener, 2);
            for host in ["localhost", url] {
                let target = format!("http://{host}:{port}/hook");
                let err = deliver(&open(), &config(false, "dev"), &attempt(&target))
                    .await
                    .unwrap_err();
                assert!(err.permanent, "{target}: {err:?}");
                assert!(err.message.contains("внутренней сети"), "{target}: {err:?}");
            }
            // Allowed explicitly (tests, closed networks), the same receivers are reached.
            let target = format!("http://{url}:{port}/hook");
            assert_eq!(
                deliver(&open(), &config(true, "dev"), &attempt(&target))
                    .await
                    .unwrap(),
                200
            );
        }
        let target = "http://[::ffff:127.0.0.1]:9/hook";
        let err = deliver(&open(), &config(false, "dev"), &attempt(target))
            .await
            .unwrap_err();
        assert!(err.permanent, "{err:?}");
    }

    #[tokio::test]
    async fn production_refuses_single_label_hosts() {
        let err = deliver(
            &open(),
            &config(false, "prod"),
            &attempt("https://crm/hook"),
        )
        .await
        .unwrap_err();
        assert!(err.permanent && err.message.contains("crm"), "{err:?}");
    }
}
