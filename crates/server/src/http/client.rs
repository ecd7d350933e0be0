//! The client's address, for the login throttle and the audit trail. It is the connection's
//! peer, unless that peer is a trusted reverse proxy (`--trusted-proxy`): then it is the
//! address the proxies name in `X-Forwarded-For`, read from the right and skipping trusted
//! proxies, so a client cannot pass itself off as someone else by sending the header itself
//! (docs/operations.md, "Behind a reverse proxy").

use super::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// The address a request comes from (None when the server was not told its peers, as in
/// router-level unit tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(ClientAddress(peer.map(|peer| {
            client_address(peer, &parts.headers, &state.config.trusted_proxies)
        })))
    }
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy; then the rightmost
/// address of `X-Forwarded-For` (all such headers, in order) that is not a trusted proxy,
/// or `peer` when the header is missing or unreadable.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut hops = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return peer;
        };
        for hop in text.split(',') {
            match parse_hop(hop.trim()) {
                Some(ip) => hops.push(ip),
                None => return peer,
            }
        }
    }
    hops.into_iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}

/// One address of `X-Forwarded-For`: `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]:443` or
/// `192.0.2.1:5000` (some proxies add the port).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    hop.parse::<SocketAddr>().ok().map(|s| s.ip())
}

/// Parses the `--trusted-proxy` list: CIDR blocks or single addresses, comma-separated.
pub fn parse_trusted_proxies(list: &[String]) -> Result<Vec<IpNet>, String> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("--trusted-proxy: '{s}' is not an address or a CIDR block"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_peer_is_looked_through() {
        let trusted = parse_trusted_proxies(&["10.0.0.0/8".into(), "::1".into()]).unwrap();
        let forwarded = headers(&["203.0.113.7"]);
        // An untrusted peer's header is ignored: anyone can send it.
        assert_eq!(
            client_address(ip("198.51.100.2"), &forwarded, &trusted),
            ip("198.51.100.2")
        );
        assert_eq!(
            client_address(ip("10.1.2.3"), &forwarded, &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(ip("::1"), &forwarded, &trusted),
            ip("203.0.113.7")
        );
        // No proxies configured: the peer, always.
        assert_eq!(
            client_address(ip("10.1.2.3"), &forwarded, &[]),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let trusted = parse_trusted_proxies(&["10.0.0.0/8".into()]).unwrap();
        // The client forged the first hop; the proxy appended what it saw.
        let h = headers(&["1.2.3.4, 203.0.113.7", "10.0.0.5"]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &trusted),
            ip("203.0.113.7")
        );
        let h = headers(&["[2001:db8::7]:443, 192.0.2.9:5000"]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &trusted),
            ip("192.0.2.9")
        );
        // Garbage or nothing: the peer.
        assert_eq!(
            client_address(ip("10.0.0.1"), &headers(&["unknown"]), &trusted),
            ip("10.0.0.1")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &HeaderMap::new(), &trusted),
            ip("10.0.0.1")
        );
        // Every hop a trusted proxy: the peer.
        assert_eq!(
            client_address(ip("10.0.0.1"), &headers(&["10.0.0.9"]), &trusted),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn the_list_is_checked() {
        assert!(parse_trusted_proxies(&["10.0.0.0/33".into()]).is_err());
        assert!(parse_trusted_proxies(&["proxy.local".into()]).is_err());
        assert_eq!(
            parse_trusted_proxies(&["192.168.1.10".into(), " ".into()])
                .unwrap()
                .len(),
            1
        );
    }
}
