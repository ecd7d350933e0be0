//! The JSON API (`/api/v1`), its OpenAPI 3.1 document and the operations endpoints.

pub mod appointments;
pub mod attachments;
mod audit;
mod auth;
pub mod balances;
pub mod catalog;
pub mod chart;
pub mod comms;
pub mod day_close;
pub mod front_desk;
pub mod health;
pub mod inputs;
pub mod medical;
pub mod patients;
pub mod plans;
pub mod positions;
pub mod recalls;
pub mod receipts;
pub mod reports;
pub mod settings;
pub mod sms_inbound;
pub mod staff;
pub mod treatments;
pub mod users;
pub mod views;

use super::state::AppState;
use axum::Router;
use axum::routing::{delete, get, post};
use inputs::InputText;
use utoipa::OpenApi;

/// The OpenAPI document, generated from the handlers and their types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "DCMS API",
        description = "Dental Clinic Management System: patients, staff, appointments, treatments, invoices, calls and SMS. Errors are RFC 9457 problem details (application/problem+json).",
        license(name = "MIT")
    ),
    paths(
        health::healthz, health::version, crate::http::metrics::metrics_text, openapi_json,
        auth::login, auth::logout, auth::me, auth::my_sessions, auth::revoke_my_session,
        auth::change_password,
        users::list, users::create, users::get, users::update, users::set_password,
        users::sessions, users::revoke_session,
        audit::list,
        settings::get, settings::update,
        patients::list, patients::create, patients::get, patients::update,
        patients::import, patients::export,
        patients::add_phone, patients::update_phone, patients::delete_phone,
        patients::me, patients::update_me, patients::my_phones, patients::add_my_phone,
        patients::update_my_phone, patients::delete_my_phone,
        staff::list, staff::create, staff::get, staff::update, staff::fire,
        staff::add_phone, staff::update_phone, staff::delete_phone,
        staff::add_position, staff::update_position, staff::doctors,
        positions::list, positions::create, positions::get, positions::update,
        appointments::list, appointments::create, appointments::get, appointments::update,
        appointments::set_status, appointments::free_slots, appointments::of_patient,
        appointments::mine,
        catalog::list, catalog::create, catalog::get, catalog::update, catalog::reorder,
        catalog::teeth,
        treatments::create, treatments::get, treatments::update, treatments::add_item,
        treatments::delete_item, treatments::set_teeth, treatments::invoice, treatments::pay,
        treatments::payments, treatments::of_patient, treatments::chart,
        treatments::invoices_of_patient, treatments::my_treatments, treatments::my_invoices,
        chart::create, chart::list, chart::update, chart::summary, chart::history,
        plans::create, plans::list, plans::get, plans::update, plans::add_items,
        plans::update_item, plans::delete_item, plans::set_status, plans::estimate, plans::mine,
        plans::my_estimate,
        medical::get, medical::put, medical::versions, medical::acknowledge, medical::mine,
        attachments::upload, attachments::list, attachments::get, attachments::update,
        attachments::delete, attachments::purge, attachments::content, attachments::thumbnail,
        comms::list_calls, comms::create_call, comms::get_call, comms::update_call,
        comms::list_sms, comms::create_sms, comms::get_sms, comms::update_sms,
        comms::list_outbox, comms::lookup,
        sms_inbound::inbound,
        reports::day, reports::revenue, reports::patients, reports::no_shows, reports::days, reports::first_day,
        front_desk::list_chairs, front_desk::create_chair, front_desk::update_chair,
        front_desk::get_hours, front_desk::put_hours, front_desk::list_exceptions,
        front_desk::create_exception, front_desk::delete_exception, front_desk::free_slots,
        front_desk::arrivals,
        recalls::list, recalls::update, recalls::contact, recalls::ask, recalls::mine,
        recalls::list_requests, recalls::book, recalls::decline,
        day_close::get, day_close::close, day_close::reopen, balances::list, balances::remind,
        receipts::of_payment, receipts::list, receipts::retry,
    ),
    components(schemas(
        super::error::Problem, crate::services::FieldError,
        // Referenced from parameters, which utoipa does not collect schemas from.
        inputs::DateOrInstant, inputs::DateText, inputs::PhonePrefixText,
    )),
    modifiers(&BearerAuth, &CommonErrors, &Timestamps, &InputText),
    tags(
        (name = "operations", description = "Health and API description"),
        (name = "auth", description = "Logging in and out, one's own sessions and password"),
        (name = "users", description = "User accounts (admin)"),
        (name = "audit", description = "The audit trail (admin, manager, HQ)"),
        (name = "settings", description = "The clinic's settings (read: staff and HQ; change: admin, manager)"),
        (name = "patients", description = "Patients, their phones and search (read: staff and HQ; change: staff); a patient's own record under /api/v1/me/patient"),
        (name = "appointments", description = "Booking (no overlaps per doctor or patient: 409 with conflicting_appointment_id), moves, status moves, lists, a doctor's free slots (read: staff and HQ; change: staff); a patient's own under /api/v1/me/appointments"),
        (name = "staff", description = "Employees, their phones and positions, firing, doctors; positions (read: staff and HQ; change: admin, manager)"),
        (name = "catalog", description = "The service catalog and its prices (read: staff and HQ; change: admin, manager)"),
        (name = "teeth", description = "The tooth dictionary (read: staff and HQ)"),
        (name = "treatments", description = "Treatments with their items and teeth (write: doctors, managers, admins; read: staff and HQ), invoices at the prices recorded, payments (staff; refunds: managers and admins), a patient's chart; a patient's own under /api/v1/me/treatments and /api/v1/me/invoices"),
        (name = "chart", description = "Findings on teeth and surfaces (resolved, never deleted), the chart's summary (the latest state of each tooth) and a tooth's history (write: doctors, managers, admins; read: staff and HQ)"),
        (name = "plans", description = "Treatment plans in phases with prices copied when planned, their status machine and printed estimates (write: doctors, managers, admins; read: staff and HQ); a patient's own under /api/v1/me/treatment-plans"),
        (name = "medical", description = "Medical history, versioned (a write names the version it read; another is 409), with the alerts derived from it (write and read: doctors, managers, admins; receptionists see only the alerts, on GET /api/v1/patients/{id}; HQ nothing); a patient's own under /api/v1/me/medical-history"),
        (name = "attachments", description = "X-rays, photos, documents and signed consents on the record: multipart uploads typed by their first bytes (JPEG, PNG, WebP, PDF, DICOM; else 415), held to the clinic's limit (413), kept by SHA-256 with thumbnails; reads audited; delete hides, an admin's purge removes the content (staff; receptionists documents and consents only; HQ nothing)"),
        (name = "front_desk", description = "Chairs (read: staff and HQ; change: admin, manager), doctors' weekly hours and exceptions (change: admin, manager), free time across doctors and chairs, the waiting room, recalls with their SMS and calls (SMS: communications writers), and appointment requests from the portal (a patient's own under /api/v1/me/appointment-requests; answered by staff)"),
        (name = "money", description = "Closing the day: the day's payments per method beside what was counted (read: staff and HQ; close: receptionists, managers, admins; reopen: managers, admins); a closed day takes no payment (409). What patients owe, oldest debt first, and a reminder SMS (communications writers)"),
        (name = "reports", description = "The day, revenue by doctor, service or day, patients by status and new per month, the no-show rate by doctor and month; summed by the database, dates in the clinic's time zone (admin, manager, HQ)"),
        (name = "comms", description = "Calls and SMS with the contact resolved from the number (a primary holder first, patients before employees), the SMS outbox, and who a number belongs to (read: staff and HQ; write: admins, managers, receptionists). POST /api/v1/sms with direction out queues the message (201 with the outbox row; the sms row is written when it has been sent)"),
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme (`Authorization: Bearer <token>`).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Names the format of the instants: utoipa describes `jiff::Timestamp` as the component
/// `String`, a bare string; every one is RFC 3339 (`2026-03-02T02:00:00Z`).
struct Timestamps;

impl utoipa::Modify for Timestamps {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        if let Some(components) = &mut openapi.components
            && let Some(schema) = components.schemas.get_mut("String")
        {
            *schema = ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .description(Some("An instant, RFC 3339 (`2026-03-02T02:00:00Z`)"))
                .build()
                .into();
        }
    }
}

/// Documents, on every operation, the errors that the shared machinery answers whatever the
/// handler: the extractors' rejections (`error.rs`), the session check and the permission
/// table (the 403 names who may, from `http::permissions`), the body limit, a busy database.
/// A handler documents only its own errors (404, 409, 422 from its rules) and the shared
/// ones it can word more precisely; an entry it has is never replaced.
struct CommonErrors;

impl CommonErrors {
    fn problem(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        ResponseBuilder::new()
            .description(description)
            .content(
                super::error::PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
            .into()
    }

    /// The 403 of an operation: who may call it, from the permission table.
    fn forbidden(method: &str, path: &str) -> String {
        use crate::http::permissions::{Rule, rule_for};
        match rule_for(method, path) {
            Some(Rule::SessionWrite) => "An HQ session may not write".to_owned(),
            Some(rule @ Rule::Needs(..)) => {
                let allowed: Vec<&str> = dcms_domain::Principal::ALL
                    .iter()
                    .filter(|principal| rule.allows(**principal))
                    .map(|principal| principal.as_str())
                    .collect();
                format!(
                    "The session's role may not do this (allowed: {})",
                    allowed.join(", ")
                )
            }
            _ => "The role may not do this".to_owned(),
        }
    }

    fn add(operation: &mut utoipa::openapi::path::Operation, path: &str, forbidden: &str) {
        let secured = operation
            .security
            .as_ref()
            .is_some_and(|requirements| !requirements.is_empty());
        let has_params = operation
            .parameters
            .as_ref()
            .is_some_and(|params| !params.is_empty());
        let body_types: Vec<&str> = operation
            .request_body
            .as_ref()
            .map(|body| body.content.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let json_only = body_types == ["application/json"];
        let mut errors: Vec<(&str, &str)> = Vec::new();
        if has_params || !body_types.is_empty() {
            errors.push(("400", "Malformed parameters or body"));
        }
        if secured {
            errors.push(("401", "No valid session"));
            errors.push(("403", forbidden));
        }
        if !body_types.is_empty() {
            errors.push(("413", "The body is larger than the server accepts"));
        }
        if json_only {
            errors.push((
                "415",
                "The body is not sent as Content-Type: application/json",
            ));
            errors.push((
                "422",
                "Well-formed JSON of the wrong shape, or invalid fields",
            ));
        }
        if path.starts_with("/api/v1/") {
            // `ServiceError::Busy`: the database gave up a lock wait or found a deadlock
            // (more often on MariaDB); the request may be sent again.
            errors.push((
                "503",
                "The database is busy (a lock wait or a deadlock gave up); try again shortly",
            ));
        }
        for (status, description) in errors {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| CommonErrors::problem(description));
        }
    }
}

impl utoipa::Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in [
                ("GET", &mut item.get),
                ("PUT", &mut item.put),
                ("POST", &mut item.post),
                ("DELETE", &mut item.delete),
                ("PATCH", &mut item.patch),
            ] {
                if let Some(operation) = operation {
                    CommonErrors::add(operation, path, &CommonErrors::forbidden(method, path));
                }
            }
        }
    }
}

/// Every route of the application.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/v1/version", get(health::version))
        .route("/metrics", get(crate::http::metrics::metrics_text))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/auth/me", get(auth::me))
        .route("/api/v1/auth/sessions", get(auth::my_sessions))
        .route(
            "/api/v1/auth/sessions/{session_token_id}",
            delete(auth::revoke_my_session),
        )
        .route("/api/v1/auth/password", post(auth::change_password))
        .route("/api/v1/users", get(users::list).post(users::create))
        .route(
            "/api/v1/users/{user_id}",
            get(users::get).patch(users::update),
        )
        .route(
            "/api/v1/users/{user_id}/password",
            post(users::set_password),
        )
        .route("/api/v1/users/{user_id}/sessions", get(users::sessions))
        .route(
            "/api/v1/users/{user_id}/sessions/{session_token_id}",
            delete(users::revoke_session),
        )
        .route("/api/v1/audit", get(audit::list))
        .route(
            "/api/v1/settings",
            get(settings::get).patch(settings::update),
        )
        .merge(patients::routes())
        .merge(staff::routes())
        .merge(appointments::routes())
        .merge(catalog::routes())
        .merge(treatments::routes())
        .merge(chart::routes())
        .merge(plans::routes())
        .merge(medical::routes())
        .merge(attachments::routes())
        .merge(comms::routes())
        .merge(reports::routes())
        .merge(front_desk::routes())
        .merge(recalls::routes())
        .merge(day_close::routes())
        .merge(balances::routes())
        .merge(receipts::routes())
        .route("/api/v1/sms/inbound", post(sms_inbound::inbound))
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/api/openapi.json", operation_id = "operations_openapi",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object))
)]
async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
