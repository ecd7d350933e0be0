//! The web pages: server-rendered HTML (askama) over the same services as the API, checked
//! against the same permission table (`permissions::PAGE_ROUTES`) by the same middleware.
//! Every page is built on [`Layout`]: the clinic's name, the signed-in user, navigation by
//! role (from the permission table), the language switch, flash messages and the CSRF token
//! of the session.

// A page handler's error is the page to show (an axum `Response`, 128 bytes); boxing it
// would only add an allocation to every error page.
#![allow(clippy::result_large_err)]

pub mod assets;
pub mod drawing;
pub mod i18n;

mod can;
mod common;
mod error_pages;
mod form;
mod layout;
mod respond;

mod account;
mod appointments;
mod balances;
mod catalog;
mod chart_marks;
mod comms;
mod consent;
mod day_close;
pub(crate) mod dental_chart;
mod files;
mod home;
mod login;
mod medical;
mod plans;
pub(crate) mod receipts;

mod patients;
mod positions;
mod recalls;
mod reports;
mod requests;
mod schedule;
mod settings;
mod staff;
mod today;
mod treatments;
mod users;

/// Kept for the layers outside `http` that ask it by this path; the rule is `http`'s.
pub use crate::http::is_page_path;
pub use can::Can;
pub use error_pages::{bare_error_page, page_for_bare_errors, refused};
pub use form::{Refusal, Saved, field};
pub use layout::{FieldMessages, Layout, NavItem, OrPage, PageResult};
pub use respond::{
    LoginNotice, encode_component, expired_form, html_headers, safe_next, see_other,
    see_other_with_flash, to_login,
};

use super::state::AppState;
use axum::Router;
use axum::routing::{get, post};

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
        .route(
            "/patients/register-number",
            get(patients::register_number::decode),
        )
        .route("/patients", get(patients::list).post(patients::create))
        .route("/patients/search", get(patients::search))
        .route("/patients/new", get(patients::new_form))
        .route(
            "/patients/{patient_id}",
            get(patients::show).post(patients::update),
        )
        .route("/patients/{patient_id}/edit", get(patients::edit_form))
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
        .route("/appointments/doctors", post(appointments::choose_doctors))
        .route(
            "/appointments/patient-options",
            get(appointments::patient_choices),
        )
        .route(
            "/appointments/{appointment_id}",
            get(appointments::show).post(appointments::update),
        )
        .route(
            "/appointments/{appointment_id}/panel",
            get(appointments::panel),
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
        .route("/treatments/{treatment_id}/consent", get(consent::show))
        .route(
            "/patients/{patient_id}/medical-history",
            get(medical::show).post(medical::save),
        )
        .route(
            "/patients/{patient_id}/questionnaire",
            get(medical::questionnaire).post(medical::submit),
        )
        .route("/patients/{patient_id}/files", get(files::show))
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
        .route("/recalls", get(recalls::list))
        .route("/day-close", get(day_close::show).post(day_close::close))
        .route("/balances", get(balances::list))
        .route("/payments/{payment_id}/receipt", get(receipts::show))
        .route("/receipts", get(receipts::list))
        .route("/receipts/{receipt_id}/retry", post(receipts::retry))
        .route("/balances/{patient_id}/remind", post(balances::remind))
        .route("/patients/{patient_id}/statement", get(balances::statement))
        .route("/day-close/{date}/reopen", post(day_close::reopen))
        .route("/chairs", get(schedule::chairs).post(schedule::add_chair))
        .route("/chairs/{chair_id}", post(schedule::change_chair))
        .route(
            "/staff/{employee_id}/hours",
            get(schedule::doctor_hours).post(schedule::set_hours),
        )
        .route(
            "/staff/{employee_id}/exceptions",
            post(schedule::add_exception),
        )
        .route(
            "/staff/{employee_id}/exceptions/{exception_id}/delete",
            post(schedule::remove_exception),
        )
        .route("/requests", post(requests::ask))
        .route(
            "/appointment-requests/{request_id}/decline",
            post(requests::decline),
        )
        .route("/recalls/{recall_id}/contacts", post(recalls::contact))
        .route("/recalls/{recall_id}/stop", post(recalls::stop))
        .route("/positions/{position_id}", post(positions::update))
        .route("/services", get(catalog::list).post(catalog::create))
        .route("/services/{service_id}", post(catalog::update))
        .route("/services/{service_id}/move", post(catalog::move_service))
        .route("/patients/{patient_id}/chart", get(dental_chart::show))
        .route(
            "/patients/{patient_id}/chart/marks",
            post(chart_marks::marks),
        )
        .route(
            "/findings/{finding_id}/plan",
            post(chart_marks::plan_finding),
        )
        .route(
            "/findings/{finding_id}/close",
            post(chart_marks::close_finding),
        )
        .route("/treatment-plans/{plan_id}", get(plans::show))
        .route("/treatment-plans/{plan_id}/estimate", get(plans::estimate))
        .route("/treatment-plans/{plan_id}/status", post(plans::set_status))
        .route(
            "/treatment-plans/{plan_id}/discount",
            post(plans::set_discount),
        )
        .route(
            "/treatment-plans/{plan_id}/items/{plan_item_id}",
            post(plans::change_item),
        )
        .route(
            "/treatment-plans/{plan_id}/items/{plan_item_id}/delete",
            post(plans::delete_item),
        )
        .route("/reports", get(reports::day))
        .route("/reports/revenue", get(reports::revenue))
        .route("/reports/patients", get(reports::patients))
        .route("/reports/no-shows", get(reports::no_shows))
}

/// Marks a message id written in Rust code, so the catalogue test finds it.
pub const fn msg(id: &'static str) -> &'static str {
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcms_domain::{Language, Role, SessionType};

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
}
