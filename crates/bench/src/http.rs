//! The load generator's HTTP client: one HTTP/1.1 keep-alive connection per client, no pool,
//! no retries (a closed connection is opened again before the next request).

use anyhow::{Context, Result, anyhow};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpStream;

/// One client's connection to a server, with the bearer token it sends.
pub struct Conn {
    addr: SocketAddr,
    host: String,
    authorization: Option<Arc<str>>,
    sender: Option<SendRequest<Full<Bytes>>>,
}

/// A response: the status and the whole body.
pub struct Response {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Response {
    /// The body parsed as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).with_context(|| {
            format!(
                "a {} response that is not the JSON expected: {}",
                self.status,
                snippet(&self.body)
            )
        })
    }

    /// Fails unless the status is `expected`, naming the status and the body's start.
    pub fn expect_status(self, expected: StatusCode, what: &str) -> Result<Response> {
        if self.status == expected {
            Ok(self)
        } else {
            Err(anyhow!(
                "{what}: {} (expected {expected}): {}",
                self.status,
                snippet(&self.body)
            ))
        }
    }
}

/// The start of a body, for error messages.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(300).collect();
    if text.chars().count() > 300 {
        out.push('…');
    }
    out
}

impl Conn {
    /// A client of `addr`; the connection is opened on the first request.
    pub fn new(addr: SocketAddr, token: Option<&str>) -> Conn {
        Conn {
            addr,
            host: addr.to_string(),
            authorization: token.map(|t| Arc::from(format!("Bearer {t}"))),
            sender: None,
        }
    }

    /// Sends `Authorization: Bearer <token>` from now on.
    pub fn set_token(&mut self, token: &str) {
        self.authorization = Some(Arc::from(format!("Bearer {token}")));
    }

    async fn open(&mut self) -> Result<()> {
        let stream = TcpStream::connect(self.addr)
            .await
            .with_context(|| format!("cannot connect to {}", self.addr))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("HTTP handshake")?;
        tokio::spawn(async move {
            // Ends when the server closes the connection or the sender is dropped.
            let _ = connection.await;
        });
        self.sender = Some(sender);
        Ok(())
    }

    pub async fn get(&mut self, path: &str) -> Result<Response> {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, body: &serde_json::Value) -> Result<Response> {
        self.send(Method::POST, path, Some(serde_json::to_vec(body)?))
            .await
    }

    /// Sends one request and reads the whole response.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Response> {
        let ready = match self.sender.as_mut() {
            Some(sender) => sender.ready().await.is_ok(),
            None => false,
        };
        if !ready {
            self.open().await?;
        }
        let Some(sender) = self.sender.as_mut() else {
            return Err(anyhow!("no connection to {}", self.addr));
        };
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, self.host.as_str());
        if let Some(authorization) = &self.authorization {
            request = request.header(hyper::header::AUTHORIZATION, authorization.as_ref());
        }
        let body = match body {
            Some(bytes) => {
                request = request.header(hyper::header::CONTENT_TYPE, "application/json");
                Full::new(Bytes::from(bytes))
            }
            None => Full::new(Bytes::new()),
        };
        let request = request.body(body)?;
        let result = sender.send_request(request).await;
        let response = match result {
            Ok(response) => response,
            Err(e) => {
                self.sender = None;
                return Err(anyhow!("{e}"));
            }
        };
        let status = response.status();
        let body = match response.into_body().collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => {
                self.sender = None;
                return Err(anyhow!("reading the body: {e}"));
            }
        };
        Ok(Response { status, body })
    }
}

/// Percent-encodes a query parameter's value (everything but RFC 3986's unreserved
/// characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_cyrillic_and_reserved_characters() {
        assert_eq!(encode("УБ"), "%D0%A3%D0%91");
        assert_eq!(encode("a b+c"), "a%20b%2Bc");
        assert_eq!(encode("2026-03-02"), "2026-03-02");
    }
}
