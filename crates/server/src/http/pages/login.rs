//! Logging in and out, and the language switch.

use super::{Layout, PageResult, msg, safe_next, see_other, see_other_with_flash};
use crate::http::client::ClientAddress;
use crate::http::cookies;
use crate::http::state::AppState;
use crate::services::ServiceError;
use crate::services::auth::{Caller, LoginRequest};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct NextParam {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    layout: &'a Layout,
    username: String,
    next: String,
    error: Option<String>,
}

/// `GET /login`: the form; a browser that is still signed in goes on to `next`.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<NextParam>,
    layout: Layout,
) -> Response {
    let next = safe_next(params.next.as_deref());
    if let Some(token) = cookies::get(&headers, cookies::SESSION)
        && state.auth.authenticate(token).await.is_ok()
    {
        return see_other(&next);
    }
    layout.render(&LoginPage {
        layout: &layout,
        username: String::new(),
        next,
        error: None,
    })
}

/// `POST /login`: signs in and sets the session cookie, or shows the form again.
pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    layout: Layout,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(Some(&form.next));
    let device_name = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(device_from_user_agent);
    let result = state
        .auth
        .login(LoginRequest {
            username: form.username.clone(),
            password: form.password,
            device_name,
            session_type: None,
            client,
        })
        .await;
    let (status, id) = match result {
        Ok(new) => {
            let mut response = see_other(&next);
            let h = response.headers_mut();
            h.append(
                header::SET_COOKIE,
                cookies::set(cookies::SESSION, &new.token, None, layout.secure),
            );
            h.append(
                header::SET_COOKIE,
                cookies::clear(cookies::LOGIN_CSRF, layout.secure),
            );
            return response;
        }
        Err(ServiceError::Unauthenticated) => (StatusCode::UNAUTHORIZED, msg("login-failed")),
        Err(ServiceError::TooManyAttempts { retry_after }) => {
            let mut response = layout.render_status(
                StatusCode::TOO_MANY_REQUESTS,
                &LoginPage {
                    layout: &layout,
                    username: form.username,
                    next,
                    error: Some(layout.t1("login-too-many", "minutes", retry_after.div_ceil(60))),
                },
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            return response;
        }
        Err(ServiceError::Busy) => (StatusCode::SERVICE_UNAVAILABLE, msg("error-busy")),
        Err(ServiceError::Forbidden) => (StatusCode::FORBIDDEN, msg("login-failed")),
        Err(other) => return layout.error(other),
    };
    layout.render_status(
        status,
        &LoginPage {
            layout: &layout,
            username: form.username,
            next,
            error: Some(layout.t(id)),
        },
    )
}

/// A short name for the browser a session was opened in (`Chrome · Windows`), from its
/// User-Agent, so a person can tell their sessions apart.
fn device_from_user_agent(ua: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) => ua.chars().take(60).collect(),
    }
}

/// `POST /logout`: ends this session and removes the cookie.
pub async fn logout(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
) -> PageResult {
    if let Err(e) = state.auth.logout(&caller).await {
        return Err(layout.error(e));
    }
    let mut response = see_other_with_flash("/login", msg("flash-logged-out"), layout.secure);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::SESSION, layout.secure),
    );
    Ok(response)
}

/// `GET /language/{code}?next=`: remembers the language in this browser for a year.
pub async fn language(
    Path(code): Path<String>,
    Query(params): Query<NextParam>,
    headers: HeaderMap,
) -> Response {
    let next = safe_next(params.next.as_deref());
    let mut response = see_other(&next);
    if let Some(lang) = super::i18n::language_from_code(&code) {
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::set(
                cookies::LANGUAGE,
                super::i18n::language_code(lang),
                Some(365 * 24 * 3600),
                cookies::is_https(&headers),
            ),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::device_from_user_agent;

    #[test]
    fn names_the_browser_and_system() {
        assert_eq!(
            device_from_user_agent(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36"
            ),
            "Chrome · Linux"
        );
        assert_eq!(
            device_from_user_agent(
                "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
            ),
            "Safari · iPad"
        );
        assert_eq!(device_from_user_agent("curl/8.0"), "curl/8.0");
    }
}
