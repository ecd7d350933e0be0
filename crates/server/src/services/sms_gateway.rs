//! The clinic's SMS provider behind one trait, [`SmsGateway`], so the outbox worker neither
//! knows nor cares which provider it talks to.
//!
//! - [`LogOnly`] (the default) logs each message and reports it sent: a clinic without a
//!   provider loses nothing, and the outbox and the SMS log fill as they would.
//! - [`HttpGateway`] speaks to any provider with an HTTP API, configured by URL, method,
//!   headers and a body template (and placeholders in the URL for a GET API), so a Mongolian
//!   provider plugs in without code. See `docs/sms.md` for an example.
//!
//! The one thing every gateway must get right is *what a failure means*: a
//! [`GatewayError::Definite`] failure (the provider said no: a 4xx, or a body saying it
//! failed, or no connection was ever made) means the message did not go and may be retried;
//! a [`GatewayError::Indefinite`] one (a timeout, a connection lost after the request was
//! sent, a 5xx) means it may or may not have gone, so the outbox never retries it by itself.

use dcms_domain::{Piece, parse_template, render};
use std::future::Future;
use std::time::Duration;

/// One message for the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    /// The recipient, normalised (national digits or `+` E.164 for a foreign number).
    pub to: String,
    pub text: String,
    /// Unique per message (the outbox row's): a provider that supports one deduplicates on it.
    pub idempotency_key: String,
    pub subject: Option<String>,
}

/// What the provider answered when it took a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The provider's answer (status and the start of the body), for the log.
    pub provider_answer: String,
}

/// Why a message was not (known to be) sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The provider refused it, or it never reached the provider: it was not sent.
    #[error("refused: {0}")]
    Definite(String),
    /// The answer was lost or not understood: it may or may not have been sent.
    #[error("outcome unknown: {0}")]
    Indefinite(String),
}

/// An SMS provider.
pub trait SmsGateway: Send + Sync {
    /// Hands one message to the provider.
    fn send(
        &self,
        message: &OutgoingSms,
    ) -> impl Future<Output = Result<Delivery, GatewayError>> + Send;
}

/// Logs each message at info level and reports it sent (no provider configured).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogOnly;

impl SmsGateway for LogOnly {
    async fn send(&self, message: &OutgoingSms) -> Result<Delivery, GatewayError> {
        // Neither the number nor the text: the log is not the place for patients' messages.
        tracing::info!(
            idempotency_key = %message.idempotency_key,
            characters = message.text.chars().count(),
            "SMS \"sent\" to the log-only gateway (no provider is configured)"
        );
        Ok(Delivery {
            provider_answer: "logged".into(),
        })
    }
}

/// How many seconds one request to the provider may take before its outcome is unknown.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP method of the provider's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

/// How the placeholders of the body template are escaped, and the request's Content-Type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyEncoding {
    /// `application/json`: values are escaped as the inside of a JSON string, so the template
    /// writes the quotes: `{"to": "{to}", "text": "{text}"}`.
    Json { content_type: String },
    /// `application/x-www-form-urlencoded`: values are percent-encoded:
    /// `to={to}&text={text}`.
    Form { content_type: String },
}

impl BodyEncoding {
    /// From a content type setting: `json` or `form`, or a media type containing `json` or
    /// `x-www-form-urlencoded` (which is then sent as given).
    pub fn parse(value: &str) -> Result<BodyEncoding, String> {
        let value = value.trim();
        let lower = value.to_ascii_lowercase();
        match lower.as_str() {
            "json" => Ok(BodyEncoding::Json {
                content_type: "application/json".into(),
            }),
            "form" => Ok(BodyEncoding::Form {
                content_type: "application/x-www-form-urlencoded".into(),
            }),
            _ if lower.contains("json") => Ok(BodyEncoding::Json {
                content_type: value.into(),
            }),
            _ if lower.contains("x-www-form-urlencoded") => Ok(BodyEncoding::Form {
                content_type: value.into(),
            }),
            _ => Err(format!(
                "unsupported SMS gateway content type '{value}': use json, form, application/json or application/x-www-form-urlencoded"
            )),
        }
    }

    fn content_type(&self) -> &str {
        match self {
            BodyEncoding::Json { content_type } | BodyEncoding::Form { content_type } => {
                content_type
            }
        }
    }

    fn escape(&self, value: &str) -> String {
        match self {
            BodyEncoding::Json { .. } => json_escape(value),
            BodyEncoding::Form { .. } => percent_encode(value, true),
        }
    }
}

/// The placeholders of the gateway's templates.
pub const GATEWAY_PLACEHOLDERS: &[&str] = &["to", "text", "idempotency_key", "subject"];

/// The inside of a JSON string (no quotes).
fn json_escape(value: &str) -> String {
    let quoted = serde_json::Value::String(value.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

/// Percent-encodes everything but the unreserved characters (RFC 3986); a space is `+` in
/// a form body and `%20` in a URL.
fn percent_encode(value: &str, form: bool) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            b' ' if form => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The configuration of an [`HttpGateway`], validated when it is made.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpGatewayConfig {
    /// The URL; with GET, placeholders in it are percent-encoded (`?to={to}&text={text}`).
    pub url: String,
    pub method: HttpMethod,
    /// Extra headers (`Authorization`, an API key), in order.
    pub headers: Vec<(String, String)>,
    /// The body template (POST); placeholders escaped by `encoding`.
    pub body: String,
    pub encoding: BodyEncoding,
}

impl std::fmt::Debug for HttpGatewayConfig {
    /// Header values are left out: they usually hold the provider's API key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpGatewayConfig")
            .field("url", &without_query(&self.url))
            .field("method", &self.method)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(n, _)| format!("{n}: ***"))
                    .collect::<Vec<_>>(),
            )
            .field("body", &self.body)
            .field("encoding", &self.encoding)
            .finish()
    }
}

/// The body sent when none is configured (POST).
pub const DEFAULT_BODY: &str =
    r#"{"to": "{to}", "text": "{text}", "idempotency_key": "{idempotency_key}"}"#;

impl HttpGatewayConfig {
    /// Checks the settings as given on the command line: `method` GET or POST, each header
    /// `Name: value`, the templates' placeholders known, the URL absolute http(s).
    pub fn new(
        url: &str,
        method: &str,
        headers: &[String],
        body: Option<&str>,
        content_type: &str,
    ) -> Result<HttpGatewayConfig, String> {
        let method = match method.trim().to_ascii_uppercase().as_str() {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            other => {
                return Err(format!(
                    "unsupported SMS gateway method '{other}': use GET or POST"
                ));
            }
        };
        let mut parsed_headers = Vec::new();
        for header in headers {
            let Some((name, value)) = header.split_once(':') else {
                return Err(format!(
                    "SMS gateway header '{header}' is not 'Name: value'"
                ));
            };
            let (name, value) = (name.trim(), value.trim());
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
                || reqwest::header::HeaderValue::from_str(value).is_err()
            {
                return Err(format!("SMS gateway header '{name}' is not a valid header"));
            }
            parsed_headers.push((name.to_owned(), value.to_owned()));
        }
        let encoding = BodyEncoding::parse(content_type)?;
        let body = body.unwrap_or(DEFAULT_BODY).to_owned();
        parse_template(&body, GATEWAY_PLACEHOLDERS)
            .map_err(|e| format!("SMS gateway body template: {e}"))?;
        parse_template(url, GATEWAY_PLACEHOLDERS).map_err(|e| format!("SMS gateway URL: {e}"))?;
        let probe = render_url(url, &probe_message());
        match reqwest::Url::parse(&probe) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                return Err(format!(
                    "SMS gateway URL '{url}' is not an absolute http(s) URL"
                ));
            }
        }
        Ok(HttpGatewayConfig {
            url: url.to_owned(),
            method,
            headers: parsed_headers,
            body,
            encoding,
        })
    }
}

fn probe_message() -> OutgoingSms {
    OutgoingSms {
        to: "99112233".into(),
        text: "x".into(),
        idempotency_key: "k".into(),
        subject: None,
    }
}

fn value_of<'a>(message: &'a OutgoingSms) -> impl Fn(&str) -> String + 'a {
    move |name| match name {
        "to" => message.to.clone(),
        "text" => message.text.clone(),
        "idempotency_key" => message.idempotency_key.clone(),
        "subject" => message.subject.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// The URL with its placeholders percent-encoded.
fn render_url(url: &str, message: &OutgoingSms) -> String {
    match parse_template(url, GATEWAY_PLACEHOLDERS) {
        Ok(pieces) => render(&pieces, value_of(message), |v| percent_encode(v, false)),
        Err(_) => url.to_owned(),
    }
}

/// A URL without its query and fragment (where providers put their API key), for logs.
fn without_query(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    if end < url.len() {
        format!("{}?***", &url[..end])
    } else {
        url.to_owned()
    }
}

/// The configuration's secrets (the URL, its query's values, the headers' values), taken out
/// of every text that is stored or logged: the outbox's `last_error` (which doctors,
/// receptionists and HQ read), the audit trail and the server log.
#[derive(Debug, Clone, Default)]
struct Secrets(Vec<String>);

impl Secrets {
    fn of(config: &HttpGatewayConfig) -> Secrets {
        let mut secrets = vec![config.url.clone()];
        if let Some((_, query)) = config.url.split_once('?') {
            secrets.push(query.to_owned());
            for pair in query.split('&') {
                let value = pair.split_once('=').map_or(pair, |(_, v)| v);
                if !value.contains('{') {
                    secrets.push(value.to_owned());
                }
            }
        }
        secrets.extend(config.headers.iter().map(|(_, v)| v.clone()));
        for (_, value) in &config.headers {
            // `Bearer abc`: the token alone too.
            secrets.extend(value.split_whitespace().skip(1).map(str::to_owned));
        }
        // Longest first, so a secret inside another is not left half-shown.
        secrets.retain(|s| s.chars().count() >= 4);
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Secrets(secrets)
    }

    fn scrub(&self, text: &str, rendered_url: &str) -> String {
        let mut text = text.replace(rendered_url, "<gateway URL>");
        for secret in &self.0 {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "***");
            }
        }
        text
    }
}

/// What went wrong with a request to the provider, without the URL reqwest puts in its
/// message: the kind (timed out, no connection, ...) and the innermost cause (`Connection
/// refused`, a TLS or DNS error).
fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "no connection"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else if e.is_redirect() {
        "redirected"
    } else {
        "request failed"
    };
    let mut cause: Option<&dyn std::error::Error> = e.source();
    let mut innermost = None;
    while let Some(c) = cause {
        innermost = Some(c);
        cause = c.source();
    }
    match innermost {
        Some(c) => format!("{kind}: {c}"),
        None => kind.to_owned(),
    }
}

/// A provider's HTTP API.
#[derive(Debug, Clone)]
pub struct HttpGateway {
    config: HttpGatewayConfig,
    url: Vec<Piece>,
    body: Vec<Piece>,
    client: reqwest::Client,
    secrets: Secrets,
}

impl HttpGateway {
    /// A gateway for a validated configuration. Redirects are not followed: a provider that
    /// redirects did not take the message at the address configured.
    pub fn new(config: HttpGatewayConfig) -> Result<HttpGateway, String> {
        let url = parse_template(&config.url, GATEWAY_PLACEHOLDERS).map_err(|e| e.to_string())?;
        let body = parse_template(&config.body, GATEWAY_PLACEHOLDERS).map_err(|e| e.to_string())?;
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the SMS gateway's HTTP client: {e}"))?;
        Ok(HttpGateway {
            secrets: Secrets::of(&config),
            config,
            url,
            body,
            client,
        })
    }
}

/// Whether a 2xx answer's body says the message failed: a JSON object with `success` or `ok`
/// false, or a `status`, `result` or `state` of `failed`, `fail`, `error` or `rejected`.
fn body_says_failed(body: &str) -> bool {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(body) else {
        return false;
    };
    let false_flag = ["success", "ok"]
        .iter()
        .any(|k| map.get(*k) == Some(&serde_json::Value::Bool(false)));
    let failed_word = ["status", "result", "state"].iter().any(|k| {
        map.get(*k).and_then(|v| v.as_str()).is_some_and(|s| {
            matches!(
                s.trim().to_ascii_lowercase().as_str(),
                "failed" | "fail" | "error" | "rejected"
            )
        })
    });
    false_flag || failed_word
}

/// At most 200 characters of a provider's answer, for the log and `last_error`.
fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(200).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

impl SmsGateway for HttpGateway {
    async fn send(&self, message: &OutgoingSms) -> Result<Delivery, GatewayError> {
        let url = render(&self.url, value_of(message), |v| percent_encode(v, false));
        let mut request = match self.config.method {
            HttpMethod::Get => self.client.get(&url),
            HttpMethod::Post => {
                let encoding = &self.config.encoding;
                let body = render(&self.body, value_of(message), |v| encoding.escape(v));
                self.client
                    .post(&url)
                    .header(reqwest::header::CONTENT_TYPE, encoding.content_type())
                    .body(body)
            }
        };
        for (name, value) in &self.config.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let scrub = |text: String| self.secrets.scrub(&text, &url);
        let response = match request.send().await {
            Ok(r) => r,
            // Nothing reached the provider: safe to try again later.
            Err(e) if e.is_connect() || e.is_builder() => {
                return Err(GatewayError::Definite(scrub(describe(&e))));
            }
            Err(e) if e.is_timeout() => {
                return Err(GatewayError::Indefinite(format!(
                    "no answer within {} s",
                    REQUEST_TIMEOUT.as_secs()
                )));
            }
            Err(e) => return Err(GatewayError::Indefinite(scrub(describe(&e)))),
        };
        let status = response.status();
        let body = match response.text().await {
            Ok(body) => body,
            Err(e) if status.is_client_error() => format!("(body unreadable: {})", describe(&e)),
            Err(e) => {
                return Err(GatewayError::Indefinite(scrub(format!(
                    "HTTP {status}, {}",
                    describe(&e)
                ))));
            }
        };
        // A provider may echo the request (its key with it) in its answer.
        let answer = scrub(format!("HTTP {}: {}", status.as_u16(), excerpt(&body)));
        if status.is_success() {
            if body_says_failed(&body) {
                Err(GatewayError::Definite(answer))
            } else {
                Ok(Delivery {
                    provider_answer: answer,
                })
            }
        } else if status.is_client_error() {
            Err(GatewayError::Definite(answer))
        } else {
            // 5xx (the provider broke somewhere, perhaps after sending), 1xx, 3xx.
            Err(GatewayError::Indefinite(answer))
        }
    }
}

/// The gateway the server was configured with.
#[derive(Debug, Clone)]
pub enum Gateway {
    LogOnly(LogOnly),
    Http(Box<HttpGateway>),
}

impl Gateway {
    /// The gateway for a configuration (None: log only).
    pub fn from_config(config: Option<&HttpGatewayConfig>) -> Result<Gateway, String> {
        match config {
            None => Ok(Gateway::LogOnly(LogOnly)),
            Some(c) => Ok(Gateway::Http(Box::new(HttpGateway::new(c.clone())?))),
        }
    }
}

impl SmsGateway for Gateway {
    async fn send(&self, message: &OutgoingSms) -> Result<Delivery, GatewayError> {
        match self {
            Gateway::LogOnly(g) => g.send(message).await,
            Gateway::Http(g) => g.send(message).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_for_json_form_and_url() {
        let json = BodyEncoding::parse("json").unwrap();
        assert_eq!(json.escape("say \"hi\"\n\\"), r#"say \"hi\"\n\\"#);
        let form = BodyEncoding::parse("application/x-www-form-urlencoded").unwrap();
        assert_eq!(
            form.escape("Сайн a&b=c"),
            "%D0%A1%D0%B0%D0%B9%D0%BD+a%26b%3Dc"
        );
        assert_eq!(percent_encode("a b+", false), "a%20b%2B");
        assert!(BodyEncoding::parse("text/xml").is_err());
    }

    #[test]
    fn configuration_is_checked() {
        let ok = HttpGatewayConfig::new(
            "https://sms.example.mn/send?to={to}&text={text}",
            "get",
            &["Authorization: Bearer abc".into()],
            None,
            "json",
        )
        .unwrap();
        assert_eq!(ok.method, HttpMethod::Get);
        assert!(
            !format!("{ok:?}").contains("abc"),
            "header values are secret"
        );
        assert!(HttpGatewayConfig::new("ftp://x", "POST", &[], None, "json").is_err());
        assert!(HttpGatewayConfig::new("http://x", "PUT", &[], None, "json").is_err());
        assert!(
            HttpGatewayConfig::new("http://x", "POST", &["NoColon".into()], None, "json").is_err()
        );
        assert!(HttpGatewayConfig::new("http://x", "POST", &[], Some("{msg}"), "json").is_err());
    }

    /// A writer of log lines into a shared buffer.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_log_only_gateway_logs_neither_number_nor_text() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let message = OutgoingSms {
            to: "99112233".into(),
            text: "Сайн байна уу, Бат! Таны шүдний эмчилгээ".into(),
            idempotency_key: "outbox-7".into(),
            subject: None,
        };
        let sent = tracing::subscriber::with_default(subscriber, || {
            runtime.block_on(LogOnly.send(&message))
        });
        assert!(sent.is_ok());
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("log-only gateway"), "{log}");
        assert!(log.contains("outbox-7"), "{log}");
        assert!(!log.contains("99112233"), "{log}");
        assert!(!log.contains("Сайн байна уу"), "{log}");
    }

    #[test]
    fn secrets_never_reach_an_error_text() {
        let config = HttpGatewayConfig::new(
            "https://sms.example.mn/send?key=s3cr3t-KEY&to={to}",
            "get",
            &["Authorization: Bearer tok-123456".into()],
            None,
            "json",
        )
        .unwrap();
        let secrets = Secrets::of(&config);
        let rendered = "https://sms.example.mn/send?key=s3cr3t-KEY&to=99112233";
        let text = secrets.scrub(
            &format!("error sending request for url ({rendered}): echo key=s3cr3t-KEY tok-123456"),
            rendered,
        );
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(!text.contains("tok-123456"), "{text}");
        assert!(!text.contains("sms.example.mn/send?"), "{text}");
        assert!(!format!("{config:?}").contains("s3cr3t"));
        assert_eq!(without_query("https://x.mn/a?key=1"), "https://x.mn/a?***");
    }

    #[test]
    fn a_success_body_may_say_failed() {
        assert!(body_says_failed(r#"{"status": "FAILED"}"#));
        assert!(body_says_failed(r#"{"success": false}"#));
        assert!(!body_says_failed(r#"{"status": "queued"}"#));
        assert!(!body_says_failed("OK"));
    }
}
