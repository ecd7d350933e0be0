//! `POST /api/v1/sms/inbound`: where the clinic's SMS provider posts the messages it
//! receives. Not a session's route (the permission table marks it Public): the provider
//! proves itself with the shared secret in `X-DCMS-SMS-Secret`, compared in constant time.
//! No secret configured means no provider may post (401), so a server set up without one is
//! not an open door into the SMS log.

use super::inputs::{InstantText, PhoneNumberText};
use crate::http::error::{ApiError, Json, Problem};
use crate::http::state::AppState;
use crate::services::reminders::{self, InboundSms};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

/// The header that carries the shared secret.
pub const SECRET_HEADER: &str = "x-dcms-sms-secret";

/// An SMS the provider received: JSON or form-encoded with these names.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InboundBody {
    /// The sender's number (`+97699112233`, `99112233`, ...); normalised like the phone tables.
    #[schema(value_type = PhoneNumberText, example = "+97699112233")]
    pub from: String,
    /// The message, at most 2000 characters.
    #[schema(example = "тийм", max_length = 2000)]
    pub text: String,
    /// When the provider received it (RFC 3339); now when absent (a form has no null).
    #[schema(value_type = InstantText, required = false)]
    pub received_at: Option<String>,
}

/// What became of the message.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboundView {
    /// The `sms` row it was logged as (direction in, contact resolved).
    pub sms_id: i64,
    /// The appointment the reply confirmed, when the clinic confirms by reply and this was a
    /// "1" or "тийм" to a reminder of a reserved future appointment.
    pub confirmed_appointment_id: Option<i64>,
}

/// Whether the request carries the configured secret. Both sides are hashed first, so the
/// comparison is constant-time in the secret's length too.
fn secret_matches(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(expected) = state.config.sms_inbound_secret.as_ref() else {
        return false;
    };
    let Some(given) = headers.get(SECRET_HEADER) else {
        return false;
    };
    let expected = Sha256::digest(expected.0.as_bytes());
    let given = Sha256::digest(given.as_bytes());
    bool::from(expected.ct_eq(&given))
}

fn unauthorized() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "a wrong or missing X-DCMS-SMS-Secret (or no inbound secret is configured)",
    )
}

/// The body, JSON or form-encoded as its Content-Type says (JSON when it says neither).
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<InboundBody, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes(body)
            .map_err(|e| ApiError::bad_request(format!("malformed form body: {e}")))
    } else {
        serde_json::from_slice(body).map_err(|e| {
            if e.is_data() {
                ApiError::invalid(vec![crate::services::FieldError::new("body", e)])
            } else {
                ApiError::bad_request(format!("malformed JSON: {e}"))
            }
        })
    }
}

/// Receive an SMS from the provider.
#[utoipa::path(post, path = "/api/v1/sms/inbound", operation_id = "sms_inbound", tag = "comms",
    params(("X-DCMS-SMS-Secret" = String, Header, description = "The shared secret configured with --sms-inbound-secret")),
    request_body(
        description = "Form-encoded, or JSON with the same names (`Content-Type: application/json`). The document names one, as client generators read one body type per operation",
        content((InboundBody = "application/x-www-form-urlencoded")),
    ),
    responses(
        (status = 200, description = "Logged (and perhaps an appointment confirmed)", body = InboundView),
        (status = 401, description = "Wrong or missing secret, or none configured", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (from not a phone number, text too long, received_at not RFC 3339)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn inbound(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<InboundView>, ApiError> {
    if !secret_matches(&state, &headers) {
        return Err(unauthorized());
    }
    let body = parse_body(&headers, &body)?;
    let received = reminders::receive(
        &state.store,
        &state.audit,
        InboundSms {
            from: body.from,
            text: body.text,
            received_at: body.received_at,
        },
    )
    .await?;
    Ok(Json(InboundView {
        sms_id: received.sms_id,
        confirmed_appointment_id: received.confirmed_appointment_id,
    }))
}
