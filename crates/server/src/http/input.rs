//! The one place every request's text passes before a handler sees it: control characters
//! (NUL, escape, DEL, the C1 controls; `dcms_domain::is_forbidden_control`) are refused in
//! the path, the query string, and JSON and form bodies. PostgreSQL cannot store a NUL in
//! text and none of them has a place in a clinic's records, so they are refused the same way
//! on every database: a parameter with one is 400, a body field 422 naming the field
//! (`items[0].note`). Tab, line feed and carriage return pass (notes have lines); a field
//! that is one line refuses those in its own rule.
//!
//! It runs after the permission check (a forbidden request is 403 whatever it holds). A
//! multipart upload (the patients' CSV) is checked cell by cell by its reader.

use super::error::ApiError;
use crate::services::FieldError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dcms_domain::has_forbidden_control;
use serde_json::Value;

/// What kind of body a request carries, as far as this check goes.
enum BodyKind {
    Json,
    Form,
    Other,
}

fn body_kind(request: &Request) -> BodyKind {
    let essence = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
    {
        BodyKind::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else {
        BodyKind::Other
    }
}

/// The route layer.
pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    let page = super::pages::is_page_path(request.uri().path());
    let refuse = |status: StatusCode, error: FieldError| -> Response {
        if page {
            // Bare: the outer layer shows the pages' error page.
            return status.into_response();
        }
        match status {
            StatusCode::BAD_REQUEST => {
                ApiError::bad_request(format!("{} {}", error.field, error.message)).into_response()
            }
            _ => ApiError::invalid(vec![error]).into_response(),
        }
    };
    if has_forbidden_control(&percent_decoded(request.uri().path())) {
        return refuse(
            StatusCode::BAD_REQUEST,
            FieldError::new("path", "must not contain control characters"),
        );
    }
    if let Some(query) = request.uri().query()
        && let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        && let Some((name, _)) = pairs
            .iter()
            .find(|(k, v)| has_forbidden_control(k) || has_forbidden_control(v))
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            FieldError::new(
                format!("parameter {}", printable(name)),
                "must not contain control characters",
            ),
        );
    }
    let kind = body_kind(&request);
    if matches!(kind, BodyKind::Other) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    // The body limit layer outside bounds what this reads.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let found = match kind {
        BodyKind::Json => json_field_with_control(&bytes),
        _ => form_field_with_control(&bytes),
    };
    if let Some(field) = found {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldError::coded(
                field,
                "control-characters",
                "must not contain control characters",
            ),
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A name as it can be shown in a message: control characters escaped.
fn printable(name: &str) -> String {
    name.escape_debug().to_string()
}

/// `%XX` decoded (other bytes as they are), read as UTF-8 with replacement characters.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether JSON text may hold a forbidden control character: as an escape (`\u0000`,
/// `\b`, `\f`), or raw where JSON allows it (DEL, the C1 controls). Text without any is let
/// through without being parsed.
fn may_hold_control(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| {
        (w[0] == b'\\' && matches!(w[1], b'u' | b'b' | b'f'))
            || (w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1]))
    }) || bytes.contains(&0x7F)
}

/// The first field of a JSON body (by its path: `items[0].note`, `body` for a bare string)
/// whose name or text holds a forbidden control character. None when there is none, or when
/// the body is not JSON at all (its extractor answers that).
fn json_field_with_control(bytes: &Bytes) -> Option<String> {
    if !may_hold_control(bytes) {
        return None;
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let mut path = String::new();
    find_in_value(&value, &mut path).then_some(if path.is_empty() {
        "body".to_owned()
    } else {
        path
    })
}

/// Depth-first: leaves `path` naming the first offending field and returns true.
fn find_in_value(value: &Value, path: &mut String) -> bool {
    match value {
        Value::String(s) => has_forbidden_control(s),
        Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = find_in_value(item, path);
            if !found {
                path.truncate(len);
            }
            found
        }),
        Value::Object(map) => map.iter().any(|(key, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&printable(key));
            let found = has_forbidden_control(key) || find_in_value(item, path);
            if !found {
                path.truncate(len);
            }
            found
        }),
        _ => false,
    }
}

/// The first field of a form body whose name or value holds a forbidden control character.
fn form_field_with_control(bytes: &Bytes) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    pairs
        .into_iter()
        .find(|(k, v)| has_forbidden_control(k) || has_forbidden_control(v))
        .map(|(k, _)| printable(&k))
}

/// Whether a response is this layer's refusal of a page (for tests).
#[cfg(test)]
fn is_problem(response: &Response) -> bool {
    use super::error::PROBLEM_JSON;
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::post;
    use tower::ServiceExt;

    #[test]
    fn json_fields_are_named_by_their_path() {
        let field = |s: &str| json_field_with_control(&Bytes::from(s.to_owned()));
        assert_eq!(
            field(r#"{"items": [{"note": "ok"}, {"note": "bad\u0000"}]}"#).as_deref(),
            Some("items[1].note")
        );
        assert_eq!(field(r#"{"q": "x\u001b[31m"}"#).as_deref(), Some("q"));
        assert_eq!(field("{\"n\": \"del\u{7f}\"}").as_deref(), Some("n"));
        assert_eq!(field("{\"n\": \"c1\u{85}\"}").as_deref(), Some("n"));
        assert_eq!(field(r#"{"a\u0000": 1}"#).as_deref(), Some("a\\0"));
        assert_eq!(field(r#""\u0000""#).as_deref(), Some("body"));
        // Lines, tabs, an escaped backslash before a "u", other escapes: fine.
        assert_eq!(
            field(r#"{"note": "a\nb\tc\r", "p": "C:\\users", "e": "\u00e9"}"#),
            None
        );
        assert_eq!(field(r#"{"broken": "\u0000"#), None);
    }

    #[test]
    fn form_fields_and_paths_are_decoded_first() {
        let form = |s: &'static str| form_field_with_control(&Bytes::from(s));
        assert_eq!(form("a=1&note=x%00y").as_deref(), Some("note"));
        assert_eq!(form("a=1&note=x%0Ay"), None);
        assert_eq!(percent_decoded("/patients/%00/x%2"), "/patients/\0/x%2");
        assert_eq!(percent_decoded("/a%D0%91"), "/aБ");
    }

    async fn send(request: Request) -> Response {
        Router::new()
            .route("/api/v1/echo", post(|body: String| async move { body }))
            .route("/echo", post(|body: String| async move { body }))
            .layer(axum::middleware::from_fn(refuse_control_characters))
            .oneshot(request)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn refusals_are_400_for_parameters_and_422_for_fields() {
        let json = |uri: &str, body: &'static str| {
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap()
        };
        let r = send(json("/api/v1/echo?q=a%00", "{}")).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(is_problem(&r));
        let r = send(json("/api/v1/echo", r#"{"note": "\u0000"}"#)).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        let problem: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["errors"][0]["field"], "note");
        // A page's refusal is bare, for the pages' error page.
        let r = send(
            Request::post("/echo")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("name=a%01"))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!is_problem(&r));
        // What passes reaches the handler whole.
        let r = send(json("/api/v1/echo?q=Бат", r#"{"note": "a\nb"}"#)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&body[..], br#"{"note": "a\nb"}"#);
    }
}
