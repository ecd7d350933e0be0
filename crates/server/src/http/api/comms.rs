//! `/api/v1/calls`, `/api/v1/sms`, `/api/v1/sms-outbox`, `/api/v1/contacts/lookup`: the call
//! log, SMS received and sent, the queue of SMS to send, and "who is calling" (read: staff
//! and HQ; write: admins, managers, receptionists; doctors read).
//!
//! Status codes beyond the conventions: a number that is not a phone number is 422 `phone`
//! on `phone_number` (on `phone` for the lists and the lookup); `end_call` before
//! `begin_call` is 422 on `end_call`. `POST /api/v1/sms` answers 201 either way, as the
//! contract says, with what it created: direction `in`, the `sms` row; direction `out`, the
//! outbox row (state `queued`, an `sms_outbox_id` and no `sms_id`): the message is not sent
//! yet and no `sms` row exists until the outbox worker has sent it (docs/comms.md). A lookup
//! that matches nobody is 404.
//!
//! Lists are newest first (`begin_call` or `time`, then id) and paginated with `limit`
//! (default 50, at most 500) and `cursor`.

use super::inputs::{DateOrInstant, InstantText, PhoneNumberText, PhonePrefixText};
use super::views::{Page, PageParams, decode_id_cursor, encode_id_cursor};
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::appointments;
use crate::services::auth::Caller;
use crate::services::comms::{
    self, Call, CallChanges, Candidate, CommsCursor, CommsPage, CommsQuery, Lookup, NewCall,
    Outbox, Recorded, Resolution, Sms, SmsInput, SmsPosted,
};
use crate::services::fields::Given;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::{ContactType, Direction, SmsState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

// --- views -----------------------------------------------------------------------------------

/// A call of the call log.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallView {
    pub call_id: i64,
    /// Normalised: national digits (`99112233`) or `+` and digits for a foreign number.
    pub phone_number: String,
    pub direction: Direction,
    pub begin_call: jiff::Timestamp,
    /// At or after `begin_call`; null while the call is going on or was not noted.
    pub end_call: Option<jiff::Timestamp>,
    /// Who the number belonged to when the call was recorded.
    pub contact_type: ContactType,
    /// The patient or employee id; null when the contact type is new.
    pub contacter_id: Option<i64>,
    pub note: Option<String>,
}

impl From<Call> for CallView {
    fn from(c: Call) -> Self {
        CallView {
            call_id: c.call_id,
            phone_number: c.phone_number,
            direction: c.direction,
            begin_call: c.begin_call,
            end_call: c.end_call,
            contact_type: c.contact_type,
            contacter_id: c.contacter_id,
            note: c.note,
        }
    }
}

/// A call just recorded, with the other holders of its number.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedCallView {
    #[serde(flatten)]
    pub call: CallView,
    /// The other patients and employees holding the number, best first (a primary holder
    /// first, patients before employees).
    pub other_candidates: Vec<Candidate>,
}

impl From<Recorded<Call>> for RecordedCallView {
    fn from(r: Recorded<Call>) -> Self {
        RecordedCallView {
            call: r.item.into(),
            other_candidates: r.other_candidates,
        }
    }
}

/// An SMS sent or received.
#[derive(Debug, Serialize, ToSchema)]
pub struct SmsView {
    pub sms_id: i64,
    pub phone_number: String,
    pub direction: Direction,
    /// When it was received or sent.
    pub time: jiff::Timestamp,
    pub subject: Option<String>,
    pub sms_text: String,
    pub contact_type: ContactType,
    pub contacter_id: Option<i64>,
    pub note: Option<String>,
}

impl From<Sms> for SmsView {
    fn from(s: Sms) -> Self {
        SmsView {
            sms_id: s.sms_id,
            phone_number: s.phone_number,
            direction: s.direction,
            time: s.time,
            subject: s.subject,
            sms_text: s.sms_text,
            contact_type: s.contact_type,
            contacter_id: s.contacter_id,
            note: s.note,
        }
    }
}

/// An incoming SMS just recorded, with the other holders of its number.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedSmsView {
    #[serde(flatten)]
    pub sms: SmsView,
    /// The other patients and employees holding the number, best first.
    pub other_candidates: Vec<Candidate>,
}

/// An SMS of the outbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxView {
    pub sms_outbox_id: i64,
    pub phone_number: String,
    pub subject: Option<String>,
    pub sms_text: String,
    /// queued -> sending -> sent | failed; unknown when the provider's answer was lost (a
    /// person checks it; never resent automatically).
    pub state: SmsState,
    pub attempts: i32,
    /// Not (re)tried before this.
    pub next_attempt_at: jiff::Timestamp,
    pub last_error: Option<String>,
    pub idempotency_key: String,
    /// The appointment a reminder is for.
    pub appointment_id: Option<i64>,
    pub reminder_for_start_at: Option<jiff::Timestamp>,
    /// The `sms` row written when it was sent.
    pub sms_id: Option<i64>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

impl From<Outbox> for OutboxView {
    fn from(o: Outbox) -> Self {
        OutboxView {
            sms_outbox_id: o.sms_outbox_id,
            phone_number: o.phone_number,
            subject: o.subject,
            sms_text: o.sms_text,
            state: o.state,
            attempts: o.attempts,
            next_attempt_at: o.next_attempt_at,
            last_error: o.last_error,
            idempotency_key: o.idempotency_key,
            appointment_id: o.appointment_id,
            reminder_for_start_at: o.reminder_for_start_at,
            sms_id: o.sms_id,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// What `POST /api/v1/sms` created: the `sms` row of a message received (it has `sms_id`),
/// or the outbox row of a message to send (it has `sms_outbox_id` and `state`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PostedSmsView {
    Logged(RecordedSmsView),
    Queued(QueuedSmsView),
}

/// An outgoing SMS just queued, with who its number belongs to now.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedSmsView {
    #[serde(flatten)]
    pub outbox: OutboxView,
    pub contact_type: ContactType,
    pub contacter_id: Option<i64>,
    pub other_candidates: Vec<Candidate>,
}

// --- bodies and parameters -------------------------------------------------------------------

/// A call to record. Every invalid field is reported at once (422).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateCallBody {
    /// Any usual writing: `9911 2233`, `+976 9911-2233`, `011 45 2222`, `+7 912 345 67 89`.
    #[schema(required = true, value_type = PhoneNumberText, example = "9911 2233")]
    pub phone_number: Option<String>,
    #[schema(required = true, value_type = Direction)]
    pub direction: Option<String>,
    /// RFC 3339 with an offset.
    #[schema(required = true, value_type = InstantText, example = "2026-03-02T10:00:00+08:00")]
    pub begin_call: Option<String>,
    /// RFC 3339 with an offset, at or after `begin_call`.
    #[schema(value_type = Option<InstantText>, example = "2026-03-02T10:04:00+08:00")]
    pub end_call: Option<String>,
    /// At most 2000 characters (line breaks allowed); blank is none.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A change of a call (absent fields are left as they are).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchCallBody {
    /// RFC 3339 with an offset, at or after `begin_call`; null leaves it as it is.
    #[schema(value_type = Option<InstantText>, example = "2026-03-02T10:04:00+08:00")]
    pub end_call: Option<String>,
    /// At most 2000 characters (line breaks allowed); null or "" clears it.
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub note: Option<Option<String>>,
}

/// An SMS received (logged by hand) or to send.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateSmsBody {
    /// Any usual writing of the number.
    #[schema(required = true, value_type = PhoneNumberText, example = "9911 2233")]
    pub phone_number: Option<String>,
    /// `in`: received, recorded now. `out`: queued for sending (the outbox row is answered).
    #[schema(required = true, value_type = Direction)]
    pub direction: Option<String>,
    /// RFC 3339. In: when it was received (default now). Out: not sent before this
    /// (default now).
    #[schema(value_type = Option<InstantText>)]
    pub time: Option<String>,
    /// At most 255 characters, one line.
    #[schema(max_length = 255)]
    pub subject: Option<String>,
    /// 1 to 1000 characters; line breaks allowed.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 1000)]
    pub sms_text: Option<String>,
    /// In only (at most 2000 characters); an outgoing message gets its note on its `sms`
    /// row once sent (422 `note` otherwise).
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A change of an SMS's note.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchSmsBody {
    /// At most 2000 characters (line breaks allowed); null or "" clears it.
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub note: Option<Option<String>>,
}

/// `?phone=&contact_type=&contacter_id=&direction=&from=&to=&limit=&cursor=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Exactly this number, in any usual writing (422 `phone` when it is not one); blank is
    /// no filter.
    #[param(
        pattern = r"^[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000().\-]*(\+?([\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000().\-]*[0-9]){8,17}[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000().\-]*)?$"
    )]
    pub phone: Option<String>,
    /// `new`, `patient` or `employee`.
    #[param(value_type = Option<ContactType>)]
    pub contact_type: Option<String>,
    /// The patient or employee id; needs `contact_type`.
    pub contacter_id: Option<i64>,
    /// `in` or `out`.
    #[param(value_type = Option<Direction>)]
    pub direction: Option<String>,
    /// At or after this: an RFC 3339 instant, or a date (from the start of that day in the
    /// clinic's time zone).
    #[param(value_type = Option<DateOrInstant>)]
    pub from: Option<String>,
    /// Before this: an RFC 3339 instant, or a date (that whole day included).
    #[param(value_type = Option<DateOrInstant>)]
    pub to: Option<String>,
    /// Items per page, 1 to 500 (default 50; more is taken as 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page (of the same filters).
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// `?state=&limit=&cursor=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxParams {
    /// `queued`, `sending`, `sent`, `failed` or `unknown`.
    #[param(value_type = Option<SmsState>)]
    pub state: Option<String>,
    /// Items per page, 1 to 500 (default 50; more is taken as 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// `?phone=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// A whole number in any usual writing, or its first 4 to 7 digits.
    #[param(required = true, value_type = PhonePrefixText, example = "9911")]
    pub phone: Option<String>,
}

fn parse_param<T>(name: &str, value: Option<&str>) -> Result<Option<T>, ApiError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|e| ApiError::bad_request(format!("{name}: {e}"))),
    }
}

/// The parsed filters, cursor and limit of a list; malformed ones are 400.
async fn list_query(
    state: &AppState,
    params: ListParams,
) -> Result<(CommsQuery, Option<CommsCursor>, u64), ApiError> {
    let limit = params
        .limit
        .unwrap_or(PageParams::DEFAULT_LIMIT)
        .clamp(1, PageParams::MAX_LIMIT);
    let cursor = match params.cursor.as_deref() {
        None => None,
        Some(c) => {
            Some(CommsCursor::decode(c).ok_or_else(|| ApiError::bad_request("invalid cursor"))?)
        }
    };
    let contact_type = parse_param::<ContactType>("contact_type", params.contact_type.as_deref())?;
    let contact = match (contact_type, params.contacter_id) {
        (Some(t), id) => Some((t, id)),
        (None, None) => None,
        (None, Some(_)) => {
            return Err(ApiError::bad_request(
                "contacter_id needs contact_type (patient or employee)",
            ));
        }
    };
    let mut query = CommsQuery {
        phone: params.phone.filter(|p| !p.trim().is_empty()),
        contact,
        direction: parse_param::<Direction>("direction", params.direction.as_deref())?,
        ..CommsQuery::default()
    };
    if params.from.is_some() || params.to.is_some() {
        let clinic = appointments::clinic(&state.store).await?;
        let bound = |name: &str, value: &Option<String>, end: bool| match value {
            None => Ok(None),
            Some(v) => appointments::parse_bound(&clinic, v, end)
                .map(Some)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "{name} must be a date (YYYY-MM-DD) or an RFC 3339 instant"
                    ))
                }),
        };
        query.from = bound("from", &params.from, false)?;
        query.to = bound("to", &params.to, true)?;
    }
    Ok((query, cursor, limit))
}

fn page<T, V: ToSchema + From<T>>(page: CommsPage<T>) -> Page<V> {
    Page {
        items: page.items.into_iter().map(V::from).collect(),
        next_cursor: page.next_cursor.map(|c| c.encode()),
    }
}

// --- calls -----------------------------------------------------------------------------------

/// The call log, newest first.
#[utoipa::path(get, path = "/api/v1/calls", operation_id = "calls_list", tag = "comms", security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of calls ordered by (begin_call, call_id) descending", body = Page<CallView>),
        (status = 400, description = "Bad parameters (contact_type, direction, from, to, cursor; contacter_id without contact_type)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`phone` is not a phone number", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_calls(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<CallView>>, ApiError> {
    let (query, cursor, limit) = list_query(&state, params).await?;
    Ok(Json(page(
        comms::list_calls(&state.store, &query, cursor, limit).await?,
    )))
}

/// Record a call; its contact is resolved from the number.
#[utoipa::path(post, path = "/api/v1/calls", operation_id = "calls_create", tag = "comms", security(("bearer" = [])),
    request_body = CreateCallBody,
    responses(
        (status = 201, description = "Recorded, with the contact (a primary holder of the number first, patients before employees; new and null when nobody holds it) and the other holders", body = RecordedCallView),
        (status = 422, description = "Invalid fields, each named: `phone_number` not a phone number, `direction` not in/out, `begin_call`/`end_call` not RFC 3339, `end_call` before `begin_call`, `note` too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_call(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateCallBody>,
) -> Result<(StatusCode, Json<RecordedCallView>), ApiError> {
    let recorded = comms::create_call(
        &state.store,
        &state.audit,
        caller.actor(),
        NewCall {
            phone_number: body.phone_number,
            direction: body.direction,
            begin_call: Given::instant("begin_call", body.begin_call.as_deref()),
            end_call: Given::instant("end_call", body.end_call.as_deref()),
            note: body.note,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(recorded.into())))
}

/// One call.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}", operation_id = "calls_get", tag = "comms", security(("bearer" = [])),
    params(("call_id" = i64, Path, description = "Call id")),
    responses(
        (status = 200, description = "The call", body = CallView),
        (status = 404, description = "No such call", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_call(
    State(state): State<AppState>,
    Path(call_id): Path<i64>,
) -> Result<Json<CallView>, ApiError> {
    Ok(Json(comms::get_call(&state.store, call_id).await?.into()))
}

/// Set a call's end or note.
#[utoipa::path(patch, path = "/api/v1/calls/{call_id}", operation_id = "calls_update", tag = "comms", security(("bearer" = [])),
    params(("call_id" = i64, Path, description = "Call id")),
    request_body = PatchCallBody,
    responses(
        (status = 200, description = "The call as it now is", body = CallView),
        (status = 404, description = "No such call", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`end_call` not RFC 3339 or before `begin_call`; `note` too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_call(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(call_id): Path<i64>,
    Json(body): Json<PatchCallBody>,
) -> Result<Json<CallView>, ApiError> {
    let call = comms::update_call(
        &state.store,
        &state.audit,
        caller.actor(),
        call_id,
        CallChanges {
            end_call: Given::instant("end_call", body.end_call.as_deref()),
            note: body.note,
        },
    )
    .await?;
    Ok(Json(call.into()))
}

// --- SMS -------------------------------------------------------------------------------------

/// SMS sent and received, newest first.
#[utoipa::path(get, path = "/api/v1/sms", operation_id = "sms_list", tag = "comms", security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of SMS ordered by (time, sms_id) descending; messages still in the outbox are not here (see /api/v1/sms-outbox)", body = Page<SmsView>),
        (status = 422, description = "`phone` is not a phone number", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_sms(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<SmsView>>, ApiError> {
    let (query, cursor, limit) = list_query(&state, params).await?;
    Ok(Json(page(
        comms::list_sms(&state.store, &query, cursor, limit).await?,
    )))
}

/// Log an SMS received, or queue one to send.
#[utoipa::path(post, path = "/api/v1/sms", operation_id = "sms_create", tag = "comms", security(("bearer" = [])),
    request_body = CreateSmsBody,
    responses(
        (status = 201, description = "Direction in: the `sms` row, with the resolved contact and the other holders of the number. Direction out: the outbox row (state queued, `sms_outbox_id`, no `sms_id`) with who the number belongs to now; not sent yet: the outbox worker sends it and only then records the `sms` row", body = PostedSmsView),
        (status = 422, description = "Invalid fields, each named: `phone_number`, `direction`, `time`, `subject` (at most 255, one line), `sms_text` (1 to 1000), `note` (at most 2000; not on an outgoing message)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_sms(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateSmsBody>,
) -> Result<(StatusCode, Json<PostedSmsView>), ApiError> {
    let posted = comms::post_sms(
        &state.store,
        &state.audit,
        caller.actor(),
        SmsInput {
            phone_number: body.phone_number,
            direction: body.direction,
            time: body.time,
            subject: body.subject,
            sms_text: body.sms_text,
            note: body.note,
        },
    )
    .await?;
    let view = match posted {
        SmsPosted::Logged(recorded) => PostedSmsView::Logged(RecordedSmsView {
            sms: recorded.item.into(),
            other_candidates: recorded.other_candidates,
        }),
        SmsPosted::Queued { outbox, resolution } => {
            let Resolution {
                contact_type,
                contacter_id,
                other_candidates,
            } = resolution;
            PostedSmsView::Queued(QueuedSmsView {
                outbox: outbox.into(),
                contact_type,
                contacter_id,
                other_candidates,
            })
        }
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// One SMS.
#[utoipa::path(get, path = "/api/v1/sms/{sms_id}", operation_id = "sms_get", tag = "comms", security(("bearer" = [])),
    params(("sms_id" = i64, Path, description = "SMS id")),
    responses(
        (status = 200, description = "The SMS", body = SmsView),
        (status = 404, description = "No such SMS", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_sms(
    State(state): State<AppState>,
    Path(sms_id): Path<i64>,
) -> Result<Json<SmsView>, ApiError> {
    Ok(Json(comms::get_sms(&state.store, sms_id).await?.into()))
}

/// Set or clear an SMS's note.
#[utoipa::path(patch, path = "/api/v1/sms/{sms_id}", operation_id = "sms_update", tag = "comms", security(("bearer" = [])),
    params(("sms_id" = i64, Path, description = "SMS id")),
    request_body = PatchSmsBody,
    responses(
        (status = 200, description = "The SMS as it now is", body = SmsView),
        (status = 404, description = "No such SMS", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`note` too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_sms(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(sms_id): Path<i64>,
    Json(body): Json<PatchSmsBody>,
) -> Result<Json<SmsView>, ApiError> {
    let sms = comms::update_sms(
        &state.store,
        &state.audit,
        caller.actor(),
        sms_id,
        body.note,
    )
    .await?;
    Ok(Json(sms.into()))
}

/// The SMS outbox, newest first.
#[utoipa::path(get, path = "/api/v1/sms-outbox", operation_id = "sms_outbox_list", tag = "comms", security(("bearer" = [])),
    params(OutboxParams),
    responses(
        (status = 200, description = "A page of queued, sending, sent, failed and unknown messages, newest first (by sms_outbox_id)", body = Page<OutboxView>),
        (status = 400, description = "Bad parameters (state, cursor)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_outbox(
    State(state): State<AppState>,
    Query(params): Query<OutboxParams>,
) -> Result<Json<Page<OutboxView>>, ApiError> {
    let limit = params
        .limit
        .unwrap_or(PageParams::DEFAULT_LIMIT)
        .clamp(1, PageParams::MAX_LIMIT);
    let after = match params.cursor.as_deref() {
        None => None,
        Some(c) => {
            Some(decode_id_cursor(c).ok_or_else(|| ApiError::bad_request("invalid cursor"))?)
        }
    };
    let sms_state = parse_param::<SmsState>("state", params.state.as_deref())?;
    let (items, more) = comms::list_outbox(&state.store, sms_state, after, limit).await?;
    let next_cursor = if more {
        items.last().map(|o| encode_id_cursor(o.sms_outbox_id))
    } else {
        None
    };
    Ok(Json(Page {
        items: items.into_iter().map(OutboxView::from).collect(),
        next_cursor,
    }))
}

// --- who is calling --------------------------------------------------------------------------

/// Who a number (or its first digits) belongs to.
#[utoipa::path(get, path = "/api/v1/contacts/lookup", operation_id = "contacts_lookup", tag = "comms", security(("bearer" = [])),
    params(LookupParams),
    responses(
        (status = 200, description = "The best match (a primary holder first, patients before employees, then by id) with their name (`last_name first_name`) and the number that matched, and at most 19 others", body = Lookup),
        (status = 404, description = "Nobody holds a matching number", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`phone` is neither a phone number nor its first 4 to 7 digits", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn lookup(
    State(state): State<AppState>,
    Query(params): Query<LookupParams>,
) -> Result<Json<Lookup>, ApiError> {
    let typed = params.phone.unwrap_or_default();
    comms::lookup(&state.store, &typed)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("nobody holds a matching phone number"))
}

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/api/v1/calls", get(list_calls).post(create_call))
        .route("/api/v1/calls/{call_id}", get(get_call).patch(update_call))
        .route("/api/v1/sms", get(list_sms).post(create_sms))
        .route("/api/v1/sms/{sms_id}", get(get_sms).patch(update_sms))
        .route("/api/v1/sms-outbox", get(list_outbox))
        .route("/api/v1/contacts/lookup", get(lookup))
}
