//! [`Layout`]: what every page shows around its content (the clinic's name, the signed-in
//! user, navigation by role, the language switch, flash messages, the CSRF token of the
//! session) and the helpers its templates call; the translated messages of a form's invalid
//! fields; and how a page answers.

use super::can::Can;
use super::{assets, i18n, msg};
use crate::http::cookies;
use crate::http::csrf::CsrfToken;
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::{FieldError, ServiceError};
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use dcms_domain::{Role, SessionType};
use jiff::tz::TimeZone;

use super::respond::{encode_component, html_headers};
use dcms_domain::Language;

/// One entry of the navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// Whether a navigation entry shows, by what the caller may do.
type Shown = fn(&Can) -> bool;

/// The navigation, in order: (path, message id, whether it shows). An entry shows when the
/// caller may read what it leads to (a test checks this against the route's rule); home
/// and one's own account, to everyone signed in.
const NAVIGATION: &[(&str, &str, Shown)] = &[
    ("/", msg("nav-home"), |_| true),
    ("/appointments", msg("nav-appointments"), |c| {
        c.appointments_read
    }),
    ("/patients", msg("nav-patients"), |c| c.patients_read),
    ("/recalls", msg("nav-recalls"), |c| c.patients_read),
    ("/calls", msg("nav-calls"), |c| c.communications_read),
    ("/sms", msg("nav-sms"), |c| c.communications_read),
    ("/reports", msg("nav-reports"), |c| c.reports),
    ("/staff", msg("nav-staff"), |c| c.staff_read),
    ("/services", msg("nav-services"), |c| c.catalog_read),
    ("/users", msg("nav-users"), |c| c.users_read),
    ("/settings", msg("nav-settings"), |c| c.settings_read),
    ("/account", msg("nav-account"), |_| true),
];

/// What every page's layout shows, and the helpers its templates call.
pub struct Layout {
    pub lang: Language,
    pub clinic_name: String,
    pub time_zone: TimeZone,
    pub caller: Option<Caller>,
    /// What the caller may do (nothing without a session).
    pub can: Can,
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
            layout.can = Can::of(caller.principal);
            layout.nav = NAVIGATION
                .iter()
                .filter(|(_, _, shown)| shown(&layout.can))
                .map(|(href, id, _)| NavItem {
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
            can: Can::default(),
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

    /// A message with two arguments.
    pub fn t2(
        &self,
        id: &str,
        (name, value): (&'static str, impl ToString),
        (name2, value2): (&'static str, impl ToString),
    ) -> String {
        i18n::t_args(
            self.lang,
            id,
            &[(name, value.to_string()), (name2, value2.to_string())],
        )
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

    /// A form's local date and time as the instant a use case takes: blank is absent, a value
    /// that is not one is refused on `field` (`datetime`).
    pub fn form_instant(
        &self,
        field: &str,
        value: &str,
    ) -> crate::services::fields::Given<jiff::Timestamp> {
        use crate::services::fields::Given;
        if value.trim().is_empty() {
            return Given::Absent;
        }
        match self.local_instant(value) {
            Some(at) => crate::services::fields::stored_instant(field, at).into(),
            None => Given::Invalid(crate::services::FieldError::coded(
                field,
                "datetime",
                "write a date and time as YYYY-MM-DD HH:MM",
            )),
        }
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

    /// The name of the tooth with `ui_key` (`P-UR-6`) in the page's language
    /// ([`i18n::tooth_name`]); the key itself for one the dictionary does not have.
    pub fn tooth_name(&self, ui_key: &str) -> String {
        match dcms_domain::ToothCode::from_ui_key(dcms_domain::ToothSystem::Fdi, ui_key) {
            Ok(code) => i18n::tooth_name(self.lang, code.tooth()),
            Err(_) => ui_key.to_owned(),
        }
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
                    "status-move" | "appointment-not-started" => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::permissions::rule_for;
    use dcms_domain::Principal;

    #[test]
    fn the_navigation_shows_what_the_permission_table_lets_one_read() {
        for principal in Principal::ALL {
            let can = Can::of(*principal);
            for (href, _, shown) in NAVIGATION {
                let rule = rule_for("GET", href).unwrap_or_else(|| panic!("GET {href}"));
                assert_eq!(shown(&can), rule.allows(*principal), "{principal:?} {href}");
            }
        }
    }
}
