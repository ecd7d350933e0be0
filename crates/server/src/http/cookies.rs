//! The cookies the web pages use, read from the `Cookie` header and written as `Set-Cookie`
//! values. Every cookie is `HttpOnly`, `SameSite=Strict`, `Path=/`, and `Secure` when the
//! request came over HTTPS (directly or through a proxy that says so).

use axum::http::{HeaderMap, HeaderValue, header};

/// The session token of a signed-in browser (api.md).
pub const SESSION: &str = "dcms_session";
/// The login form's CSRF token before there is a session (double-submit).
pub const LOGIN_CSRF: &str = "dcms_csrf";
/// The chosen interface language (`mn` or `en`).
pub const LANGUAGE: &str = "dcms_lang";
/// A one-time message for the next page (a Fluent message id).
pub const FLASH: &str = "dcms_flash";

/// The value of the cookie `name` in the request's headers, if present and non-empty.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// Whether the request came over HTTPS, so cookies must be `Secure`.
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value; `max_age` in seconds (`None`: until the browser closes).
pub fn set(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    // Names are ours and values are base64url or ASCII ids: always a valid header value.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear(name: &str, secure: bool) -> HeaderValue {
    set(name, "", Some(0), secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; dcms_session=abc.def; dcms_lang=en"),
        );
        assert_eq!(get(&headers, SESSION), Some("abc.def"));
        assert_eq!(get(&headers, LANGUAGE), Some("en"));
        assert_eq!(get(&headers, FLASH), None);
    }

    #[test]
    fn set_cookie_is_http_only_and_strict() {
        let value = set(SESSION, "t", None, true);
        let text = value.to_str().unwrap();
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Strict"));
        assert!(text.ends_with("Secure"));
        assert!(clear(FLASH, false).to_str().unwrap().contains("Max-Age=0"));
    }
}
