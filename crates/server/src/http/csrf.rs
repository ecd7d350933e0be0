//! Cross-site request forgery protection for cookie-authenticated requests (api.md): every
//! unsafe request that a browser authenticates with the `dcms_session` cookie carries a
//! token, in the form field `csrf` or the `X-CSRF-Token` header. Signed in, the token is
//! derived from the session's secret (which only the HttpOnly cookie holds), so it needs no
//! storage and ends with the session; on the login form, before any session exists, it is
//! the double-submitted `dcms_csrf` cookie. Bearer requests need none: a browser never adds
//! that header by itself.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// The name of the form field that carries the token.
pub const FIELD: &str = "csrf";
/// The header that carries the token on scripted requests.
pub const HEADER: &str = "x-csrf-token";

/// The CSRF token a signed-in page renders into its forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrfToken(pub String);

impl CsrfToken {
    /// The token of the session whose cookie value is `session_token`.
    pub fn for_session(session_token: &str) -> CsrfToken {
        let digest = Sha256::new()
            .chain_update(b"dcms csrf v1\0")
            .chain_update(session_token.as_bytes())
            .finalize();
        CsrfToken(URL_SAFE_NO_PAD.encode(digest))
    }

    /// A fresh random token for the login form's double-submit cookie.
    pub fn random() -> CsrfToken {
        CsrfToken(crate::services::auth::random_secret())
    }

    /// Whether `submitted` equals this token (in time independent of where they differ).
    pub fn matches(&self, submitted: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), submitted.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// The token a request submitted: the header, or the `csrf` field of a URL-encoded form body.
/// Reading the form buffers the body (already bounded by the body limit) and puts it back.
pub async fn submitted(request: Request, limit: usize) -> (Request, Option<String>) {
    if let Some(value) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        let value = value.to_owned();
        return (request, Some(value));
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (request, None);
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return (Request::from_parts(parts, Body::empty()), None);
    };
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| {
            fields
                .into_iter()
                .find(|(name, _)| name == FIELD)
                .map(|(_, v)| v)
        });
    (Request::from_parts(parts, Body::from(bytes)), token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tokens_are_stable_and_distinct() {
        let a = CsrfToken::for_session("1.secret");
        assert_eq!(a, CsrfToken::for_session("1.secret"));
        assert_ne!(a, CsrfToken::for_session("1.other"));
        assert!(a.matches(&a.0.clone()));
        assert!(!a.matches("short"));
        assert!(!a.matches(&CsrfToken::random().0));
    }

    #[tokio::test]
    async fn reads_the_form_field_and_keeps_the_body() {
        let request = Request::builder()
            .method("POST")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("username=a&csrf=tok%2Dx&x=1"))
            .unwrap();
        let (request, token) = submitted(request, 1024).await;
        assert_eq!(token.as_deref(), Some("tok-x"));
        let body = axum::body::to_bytes(request.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(&body[..], b"username=a&csrf=tok%2Dx&x=1");
    }
}
