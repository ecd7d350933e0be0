//! How a page answers besides showing itself: its headers, redirects (with a one-time
//! message), the way to the login page and back, and a form posted without its token.

use super::msg;
use crate::http::cookies;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// The headers of every HTML page: not cached, no framing, and a content security policy
/// that allows nothing from anywhere but this server.
pub fn html_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// `303 See Other` to a path of ours.
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `303 See Other` with a one-time message for the next page.
pub fn see_other_with_flash(location: &str, flash_id: &str, secure: bool) -> Response {
    let mut response = see_other(location);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookies::FLASH, flash_id, Some(60), secure),
    );
    response
}

/// The login page, coming back to `next` (URL-encoded) afterwards; `ended` says whether the
/// session cookie was there but no longer valid (it is removed, and the page says why).
pub fn to_login(next_encoded: &str, ended: LoginNotice, secure: bool) -> Response {
    let location = if next_encoded.is_empty() || next_encoded == "%2F" {
        "/login".to_owned()
    } else {
        format!("/login?next={next_encoded}")
    };
    let flash = match ended {
        LoginNotice::None => None,
        LoginNotice::Ended => Some(msg("flash-session-expired")),
        LoginNotice::Idle => Some(msg("flash-session-idle")),
    };
    let mut response = match flash {
        Some(id) => see_other_with_flash(&location, id, secure),
        None => see_other(&location),
    };
    if flash.is_some() {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookies::clear(cookies::SESSION, secure));
    }
    response
}

/// What the login page says about the session a browser had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginNotice {
    /// Nothing: there was none.
    None,
    /// It has ended (revoked, expired, or no longer valid).
    Ended,
    /// It ended after a time without activity.
    Idle,
}

/// A `next` target that stays on this site: a path starting with one `/`; else `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Percent-encodes a value for a query string.
pub fn encode_component(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// A login form posted without its token (the cookie expired or was never set): back to
/// the login page, which says why and sets a fresh token.
pub fn expired_form(uri: &Uri) -> Response {
    let location = match uri.query() {
        Some(q) => format!("{}?{q}", uri.path()),
        None => uri.path().to_owned(),
    };
    let location = safe_next(Some(&location));
    see_other_with_flash(&location, msg("flash-form-expired"), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/users?x=1")), "/users?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn encodes_next() {
        assert_eq!(
            encode_component("/users?a=1&b=2"),
            "%2Fusers%3Fa%3D1%26b%3D2"
        );
    }
}
