//! The web pages: server-rendered HTML (askama) over the same services as the API, checked
//! against the same permission table (`permissions::PAGE_ROUTES`) by the same middleware.
//! Every page is built on [`Layout`]: the clinic's name, the signed-in user, navigation by
//! role (from the permission table), the language switch, flash messages and the CSRF token
//! of the session.

// A page handler's error is the page to show (an axum `Response`, 128 bytes); boxing it
// would only add an allocation to every error page.
#![allow(clippy::result_large_err)]

pub mod assets;
pub mod i18n;
pub mod odontogram;

mod account;
mod appointments;
mod chart;
mod charts;
mod clinical;
mod comms;
mod home;
mod login;
mod patients;
mod positions;
mod register_number;
mod reports;
mod services;
mod settings;
mod staff;
mod treatments;
mod users;

use super::cookies;
use super::csrf::CsrfToken;
use super::state::AppState;
use crate::services::auth::Caller;
use crate::services::{FieldError, ServiceError};
use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dcms_domain::{Language, Role, SessionType};
use jiff::tz::TimeZone;

/// Every page route. Their rules are in `permissions::PAGE_ROUTES`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/language/{code}", get(login::language))
        .route("/static/{file}", get(assets::serve))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route(
            "/account/sessions/{session_token_id}/revoke",
            post(account::revoke_session),
        )
        .route("/users", get(users::list).post(users::create))
        .route("/users/new", get(users::new_form))
        .route("/users/{user_id}", get(users::show).post(users::update))
        .route("/users/{user_id}/password", post(users::set_password))
        .route(
            "/users/{user_id}/sessions/{session_token_id}/revoke",
            post(users::revoke_session),
        )
        .route("/settings", get(settings::show).post(settings::update))
        .route("/patients/register-number", get(register_number::decode))
        .route("/patients", get(patients::list).post(patients::create))
        .route("/patients/search", get(patients::search))
        .route("/patients/new", get(patients::new_form))
        .route(
            "/patients/{patient_id}",
            get(patients::show).post(patients::update),
        )
        .route("/patients/{patient_id}/phones", post(patients::add_phone))
        .route(
            "/patients/{patient_id}/phones/{phone_id}/primary",
            post(patients::make_primary),
        )
        .route(
            "/patients/{patient_id}/phones/{phone_id}/delete",
            post(patients::delete_phone),
        )
        .route("/staff", get(staff::list).post(staff::create))
        .route("/staff/new", get(staff::new_form))
        .route("/staff/{employee_id}", get(staff::show).post(staff::update))
        .route("/staff/{employee_id}/fire", post(staff::fire))
        .route("/staff/{employee_id}/phones", post(staff::add_phone))
        .route(
            "/staff/{employee_id}/phones/{phone_id}/primary",
            post(staff::make_phone_primary),
        )
        .route(
            "/staff/{employee_id}/phones/{phone_id}/delete",
            post(staff::delete_phone),
        )
        .route("/staff/{employee_id}/positions", post(staff::add_position))
        .route(
            "/staff/{employee_id}/positions/{employee_position_id}/primary",
            post(staff::make_position_primary),
        )
        .route(
            "/staff/{employee_id}/positions/{employee_position_id}/end",
            post(staff::end_position),
        )
        .route(
            "/appointments",
            get(appointments::day).post(appointments::create),
        )
        .route("/appointments/week", get(appointments::week))
        .route("/appointments/new", get(appointments::new_form))
        .route(
            "/appointments/patient-options",
            get(appointments::patient_choices),
        )
        .route(
            "/appointments/{appointment_id}",
            get(appointments::show).post(appointments::update),
        )
        .route(
            "/appointments/{appointment_id}/status",
            post(appointments::set_status),
        )
        .route(
            "/patients/{patient_id}/treatments/new",
            get(treatments::new_form),
        )
        .route(
            "/patients/{patient_id}/treatments",
            post(treatments::create),
        )
        .route("/treatments/{treatment_id}", get(treatments::show))
        .route(
            "/treatments/{treatment_id}/items",
            post(treatments::add_item),
        )
        .route(
            "/treatments/{treatment_id}/items/{treatment_item_id}/delete",
            post(treatments::delete_item),
        )
        .route("/treatments/{treatment_id}/payments", post(treatments::pay))
        .route(
            "/treatments/{treatment_id}/invoice",
            get(treatments::invoice),
        )
        .route("/calls", get(comms::calls).post(comms::log_call))
        .route("/calls/lookup", get(comms::lookup))
        .route("/sms", get(comms::sms).post(comms::post_sms))
        .route("/positions", get(positions::list).post(positions::create))
        .route("/positions/{position_id}", post(positions::update))
        .route("/services", get(services::list).post(services::create))
        .route("/services/{service_id}", post(services::update))
        .route("/services/{service_id}/move", post(services::move_service))
        .route("/patients/{patient_id}/chart", get(chart::show))
        .route("/reports", get(reports::day))
        .route("/reports/revenue", get(reports::revenue))
        .route("/reports/patients", get(reports::patients))
        .route("/reports/no-shows", get(reports::no_shows))
}

/// Whether a path is a page (HTML) rather than the API or an operations endpoint.
pub fn is_page_path(path: &str) -> bool {
    !(path.starts_with("/api/") || path == "/api" || path == "/healthz" || path == "/metrics")
}

/// Marks a message id written in Rust code, so the catalogue test finds it.
pub const fn msg(id: &'static str) -> &'static str {
    id
}

/// One entry of the navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The navigation, in order: (path, message id). An entry shows when the permission table
/// lets the signed-in principal `GET` its path.
const NAVIGATION: &[(&str, &str)] = &[
    ("/", msg("nav-home")),
    ("/appointments", msg("nav-appointments")),
    ("/patients", msg("nav-patients")),
    ("/calls", msg("nav-calls")),
    ("/sms", msg("nav-sms")),
    ("/reports", msg("nav-reports")),
    ("/staff", msg("nav-staff")),
    ("/services", msg("nav-services")),
    ("/users", msg("nav-users")),
    ("/settings", msg("nav-settings")),
    ("/account", msg("nav-account")),
];

/// What every page's layout shows, and the helpers its templates call.
pub struct Layout {
    pub lang: Language,
    pub clinic_name: String,
    pub time_zone: TimeZone,
    pub caller: Option<Caller>,
    /// The CSRF token for this page's forms.
    pub csrf: String,
    pub flash: Option<String>,
    pub nav: Vec<NavItem>,
    /// The current path and query, URL-encoded, for `?next=`.
    pub here: String,
    pub secure: bool,
    had_flash: bool,
    new_login_csrf: bool,
}

impl Layout {
    /// The layout of a request: the clinic's settings, the language (the `dcms_lang`
    /// cookie, else the clinic's), the caller and the CSRF token the middleware found.
    pub async fn build(
        state: &AppState,
        headers: &HeaderMap,
        uri: &Uri,
        caller: Option<Caller>,
        csrf: Option<CsrfToken>,
    ) -> Layout {
        let mut layout = Layout::anonymous(headers, uri);
        match crate::services::settings::get(&state.store).await {
            Ok(settings) => {
                layout.clinic_name = settings.clinic_name.clone();
                layout.time_zone = settings.time_zone.time_zone();
                if cookies::get(headers, cookies::LANGUAGE).is_none() {
                    layout.lang = settings.language;
                }
            }
            Err(e) => tracing::error!(error = %e, "reading the clinic settings for a page"),
        }
        if let Some(token) = csrf {
            layout.csrf = token.0;
            layout.new_login_csrf = false;
        }
        if let Some(caller) = &caller {
            let path = uri.path();
            layout.nav = NAVIGATION
                .iter()
                .filter(|(href, _)| {
                    super::permissions::rule_for("GET", href)
                        .is_some_and(|rule| rule.allows(caller.principal))
                })
                .map(|(href, id)| NavItem {
                    href,
                    label: i18n::t(layout.lang, id),
                    current: if *href == "/" {
                        path == "/"
                    } else {
                        path.starts_with(href)
                    },
                })
                .collect();
        }
        layout.caller = caller;
        layout
    }

    /// A layout that needs no database: for error pages outside any handler.
    pub fn anonymous(headers: &HeaderMap, uri: &Uri) -> Layout {
        let lang = cookies::get(headers, cookies::LANGUAGE)
            .and_then(i18n::language_from_code)
            .unwrap_or_default();
        let (csrf, new_login_csrf) = match cookies::get(headers, cookies::LOGIN_CSRF) {
            Some(token) if token.len() >= 32 => (token.to_owned(), false),
            _ => (CsrfToken::random().0, true),
        };
        let flash_id = cookies::get(headers, cookies::FLASH);
        let flash = flash_id
            .filter(|id| id.starts_with("flash-") && i18n::has_message(id))
            .map(|id| i18n::t(lang, id));
        let here = uri
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/")
            .to_owned();
        Layout {
            lang,
            clinic_name: "DCMS".into(),
            time_zone: TimeZone::get("Asia/Ulaanbaatar").unwrap_or(TimeZone::UTC),
            caller: None,
            csrf,
            flash,
            nav: Vec::new(),
            here: encode_component(&here),
            secure: cookies::is_https(headers),
            had_flash: flash_id.is_some(),
            new_login_csrf,
        }
    }

    /// A message in the page's language.
    pub fn t(&self, id: &str) -> String {
        i18n::t(self.lang, id)
    }

    /// A message with one argument.
    pub fn t1(&self, id: &str, name: &'static str, value: impl ToString) -> String {
        i18n::t_args(self.lang, id, &[(name, value.to_string())])
    }

    /// The language code (`mn`, `en`).
    pub fn lang_code(&self) -> &'static str {
        i18n::language_code(self.lang)
    }

    /// The URL of a static file.
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    /// The signed-in user's display name.
    pub fn user_name(&self) -> Option<&str> {
        self.caller.as_ref().map(|c| c.user.display_name.as_str())
    }

    /// An instant in the clinic's time zone, `2026-11-29 14:30`.
    pub fn datetime(&self, at: &jiff::Timestamp) -> String {
        at.to_zoned(self.time_zone.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// The instant of a local date and time typed in a form (`2026-11-29T14:30`, as a
    /// `datetime-local` input sends it) in the clinic's time zone; None when it is not one.
    pub fn local_instant(&self, value: &str) -> Option<jiff::Timestamp> {
        value
            .trim()
            .parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|dt| dt.to_zoned(self.time_zone.clone()).ok())
            .map(|z| z.timestamp())
    }

    /// Today's date in the clinic's time zone, `2026-11-29`.
    pub fn today(&self) -> String {
        jiff::Timestamp::now()
            .to_zoned(self.time_zone.clone())
            .strftime("%Y-%m-%d")
            .to_string()
    }

    /// An amount of tugrik, `1 250 000 ₮`.
    pub fn money(&self, amount: i64) -> String {
        dcms_domain::Money::new(amount).to_string()
    }

    /// A role's name.
    pub fn role(&self, role: &Role) -> String {
        self.t(&format!("role-{}", role.as_str()))
    }

    /// A treatment scope's name.
    pub fn scope(&self, scope: &dcms_domain::TreatmentScope) -> String {
        self.t(&format!("scope-{}", scope.as_str()))
    }

    /// A payment method's name.
    pub fn payment_method(&self, method: &dcms_domain::PaymentMethod) -> String {
        self.t(&format!("payment-method-{}", method.as_str()))
    }

    /// A session type's name.
    pub fn session_type(&self, kind: &SessionType) -> String {
        self.t(&format!("session-type-{}", kind.as_str()))
    }

    /// The translated message of each invalid field.
    pub fn field_errors(&self, errors: &[FieldError]) -> FieldMessages {
        FieldMessages(
            errors
                .iter()
                .map(|e| (e.field.clone(), self.field_error(e)))
                .collect(),
        )
    }

    /// One invalid field's message in the page's language. The statuses a refused status
    /// move names (`status-move`) are shown by their names too, not their codes.
    pub fn field_error(&self, error: &FieldError) -> String {
        let Some(code) = error.code else {
            return error.message.clone();
        };
        let args: Vec<(&'static str, String)> = error
            .args
            .iter()
            .map(|(name, value)| {
                let shown = match code {
                    "status-move" => {
                        i18n::try_t_args(self.lang, &format!("appointment-status-{value}"), &[])
                            .unwrap_or_else(|| value.clone())
                    }
                    _ => value.clone(),
                };
                (*name, shown)
            })
            .collect();
        i18n::try_t_args(self.lang, &format!("error-{code}"), &args)
            .unwrap_or_else(|| error.message.clone())
    }

    /// The page as a 200 response.
    pub fn render(&self, page: &impl Template) -> Response {
        self.render_status(StatusCode::OK, page)
    }

    /// The page with a status: a form shown again with its errors is 422.
    pub fn render_status(&self, status: StatusCode, page: &impl Template) -> Response {
        let html = match page.render() {
            Ok(html) => html,
            Err(e) => {
                tracing::error!(error = %e, "rendering a page");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let mut response = (status, html).into_response();
        let headers = response.headers_mut();
        html_headers(headers);
        if self.had_flash {
            headers.append(
                header::SET_COOKIE,
                cookies::clear(cookies::FLASH, self.secure),
            );
        }
        if self.new_login_csrf {
            headers.append(
                header::SET_COOKIE,
                cookies::set(cookies::LOGIN_CSRF, &self.csrf, None, self.secure),
            );
        }
        response
    }

    /// The error page for a service's refusal; no session sends the user to log in.
    pub fn error(&self, err: ServiceError) -> Response {
        let (status, id) = match &err {
            ServiceError::Unauthenticated => {
                return to_login(&self.here, LoginNotice::None, self.secure);
            }
            ServiceError::Forbidden | ServiceError::ForbiddenBecause { .. } => {
                tracing::warn!(target: "security", error = %err, "refused (403) by a use case's rule");
                match &err {
                    ServiceError::ForbiddenBecause { code, .. } => (StatusCode::FORBIDDEN, *code),
                    _ => (StatusCode::FORBIDDEN, msg("error-forbidden")),
                }
            }
            ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, msg("error-not-found")),
            ServiceError::Conflict(_) => (StatusCode::CONFLICT, msg("error-conflict")),
            ServiceError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, msg("error-invalid")),
            ServiceError::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, msg("error-too-many"))
            }
            ServiceError::Busy => (StatusCode::SERVICE_UNAVAILABLE, msg("error-busy")),
            ServiceError::Store(e) => {
                tracing::error!(error = %e, "storage error on a page");
                (StatusCode::INTERNAL_SERVER_ERROR, msg("error-internal"))
            }
            ServiceError::Internal(e) => {
                tracing::error!(error = %e, "internal error on a page");
                (StatusCode::INTERNAL_SERVER_ERROR, msg("error-internal"))
            }
        };
        let detail = match &err {
            ServiceError::Conflict(text) => Some(text.clone()),
            _ => None,
        };
        let mut response = self.error_page(status, id, detail);
        if let ServiceError::TooManyAttempts { retry_after } = err {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after.into());
        }
        response
    }

    /// An error page with a status and a message id.
    pub fn error_page(&self, status: StatusCode, id: &str, detail: Option<String>) -> Response {
        let page = ErrorPage {
            layout: self,
            status: status.as_u16(),
            message: self.t(id),
            detail,
        };
        self.render_status(status, &page)
    }
}

impl FromRequestParts<AppState> for Layout {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = parts.extensions.get::<Caller>().cloned();
        let csrf = parts.extensions.get::<CsrfToken>().cloned();
        Ok(Layout::build(state, &parts.headers, &parts.uri, caller, csrf).await)
    }
}

/// Translated messages of a form's invalid fields.
#[derive(Default)]
pub struct FieldMessages(Vec<(String, String)>);

impl FieldMessages {
    /// The message for `field`, if it is invalid.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Messages for fields the form does not show (so none is lost).
    pub fn others<'a>(&'a self, shown: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(|(f, _)| !shown.contains(&f.as_str()))
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds a message for a field.
    pub fn push(&mut self, field: &str, message: String) {
        self.0.push((field.to_owned(), message));
    }
}

/// A service result on a page: the error becomes the error page.
pub trait OrPage<T> {
    fn or_page(self, layout: &Layout) -> Result<T, Response>;
}

impl<T> OrPage<T> for Result<T, ServiceError> {
    fn or_page(self, layout: &Layout) -> Result<T, Response> {
        self.map_err(|e| layout.error(e))
    }
}

/// What a page handler answers: the page, or an error page or redirect.
pub type PageResult = Result<Response, Response>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: &'a Layout,
    status: u16,
    message: String,
    detail: Option<String>,
}

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

/// The answer to a page request the permission table refuses, or with no valid session.
pub async fn refused(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    caller: Option<Caller>,
    csrf_failed: bool,
) -> Response {
    let layout = Layout::build(state, headers, uri, caller, None).await;
    let id = if csrf_failed {
        msg("error-csrf")
    } else {
        msg("error-forbidden")
    };
    layout.error_page(StatusCode::FORBIDDEN, id, None)
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

/// The HTML page for an error answer that has no body of its own (no route, wrong method,
/// too large, too slow), without touching the database.
pub fn bare_error_page(headers: &HeaderMap, uri: &Uri, status: StatusCode) -> Response {
    let layout = Layout::anonymous(headers, uri);
    let id = match status {
        StatusCode::NOT_FOUND => msg("error-not-found"),
        StatusCode::METHOD_NOT_ALLOWED => msg("error-method"),
        StatusCode::PAYLOAD_TOO_LARGE => msg("error-too-large"),
        StatusCode::REQUEST_TIMEOUT => msg("error-timeout"),
        s if s.is_server_error() => msg("error-internal"),
        _ => msg("error-invalid"),
    };
    let mut response = layout.error_page(status, id, None);
    // No new login cookie from an error page.
    response.headers_mut().remove(header::SET_COOKIE);
    response
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
    fn every_role_and_session_type_has_a_name_in_both_languages() {
        let ids = Role::ALL
            .iter()
            .map(|r| format!("role-{}", r.as_str()))
            .chain(
                SessionType::ALL
                    .iter()
                    .map(|s| format!("session-type-{}", s.as_str())),
            );
        for id in ids {
            for lang in [Language::Mn, Language::En] {
                assert_ne!(i18n::t(lang, &id), id, "{id} missing");
            }
        }
    }

    #[test]
    fn encodes_next() {
        assert_eq!(
            encode_component("/users?a=1&b=2"),
            "%2Fusers%3Fa%3D1%26b%3D2"
        );
    }
}
