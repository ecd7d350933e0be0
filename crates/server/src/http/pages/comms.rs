//! `/calls` and `/sms`: the call log and the SMS log with the outbox.
//!
//! The call log is made for the receptionist on the phone: the number is the first field
//! and has the focus, the caller's name appears as it is typed (`/calls/lookup`, htmx), the
//! call began now unless told otherwise, and Enter logs it. The contact is resolved by the
//! same use case as the API (`services::comms`), so the page and the API agree on who
//! called. The SMS page lists what was sent and received, the outbox with each message's
//! state (queued, sending, sent, failed, unknown), and a form to send one or to log one
//! received by hand.

use super::common::contacts::{CallRow, SmsRow, call_rows, direction_label, sms_rows};
use super::common::{Choice, shown_number};
use super::{FieldMessages, Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::ServiceError;
use crate::services::auth::Caller;
use crate::services::comms::{self, CommsCursor, CommsQuery, Lookup, NewCall, Outbox, SmsInput};
use crate::services::fields::Given;
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use dcms_domain::Direction;
use serde::Deserialize;

/// Rows per page of the logs.
const PAGE_SIZE: u64 = 50;
/// Messages of the outbox the SMS page shows.
const OUTBOX_SHOWN: u64 = 50;

fn direction_choices(layout: &Layout) -> Vec<Choice> {
    Direction::ALL
        .iter()
        .map(|d| Choice {
            value: d.as_str().to_owned(),
            label: direction_label(layout, *d),
        })
        .collect()
}

/// `?phone=&direction=&date=&cursor=` of the logs; `to=` fills the SMS form's number (the
/// patient page's "send SMS").
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LogParams {
    phone: String,
    direction: String,
    date: String,
    cursor: String,
    to: String,
}

impl LogParams {
    /// The query of the use case; a malformed filter is a 400 page.
    fn query(&self, layout: &Layout) -> Result<(CommsQuery, Option<CommsCursor>), Response> {
        let bad = || layout.error_page(StatusCode::BAD_REQUEST, msg("error-invalid"), None);
        let direction = match self.direction.trim() {
            "" => None,
            d => Some(d.parse::<Direction>().map_err(|_| bad())?),
        };
        let (from, to) = match self.date.trim() {
            "" => (None, None),
            d => {
                let date: jiff::civil::Date = d.parse().map_err(|_| bad())?;
                let at = |d: jiff::civil::Date| {
                    d.to_zoned(layout.time_zone.clone())
                        .ok()
                        .map(|z| z.timestamp())
                };
                (at(date), date.tomorrow().ok().and_then(at))
            }
        };
        let cursor = match self.cursor.trim() {
            "" => None,
            c => Some(CommsCursor::decode(c).ok_or_else(bad)?),
        };
        let query = CommsQuery {
            phone: Some(self.phone.trim().to_owned()).filter(|p| !p.is_empty()),
            direction,
            from,
            to,
            ..CommsQuery::default()
        };
        Ok((query, cursor))
    }

    fn next_url(&self, base: &str, cursor: Option<CommsCursor>) -> Option<String> {
        cursor.map(|c| {
            format!(
                "{base}?phone={}&direction={}&date={}&cursor={}",
                super::encode_component(&self.phone),
                super::encode_component(&self.direction),
                super::encode_component(&self.date),
                c.encode()
            )
        })
    }
}

/// A list's refusal of its filters (a number that is not one) as the page's 400.
fn filter_error(layout: &Layout, err: ServiceError) -> Response {
    match err {
        ServiceError::Invalid(_) => {
            layout.error_page(StatusCode::BAD_REQUEST, msg("error-invalid"), None)
        }
        other => layout.error(other),
    }
}

// --- calls ---------------------------------------------------------------------------------

/// The call form, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CallForm {
    phone_number: String,
    direction: String,
    /// Local `YYYY-MM-DDTHH:MM`; blank: now.
    begin_call: String,
    end_call: String,
    note: String,
}

#[derive(Template)]
#[template(path = "calls.html")]
struct CallsPage<'a> {
    layout: &'a Layout,
    call_list: Vec<CallRow>,
    params: LogParams,
    next_url: Option<String>,
    form: CallForm,
    directions: Vec<Choice>,
    errors: FieldMessages,
    /// Who the typed number is, when the form comes back.
    caller: Option<Lookup>,
}

async fn calls_page(
    state: &AppState,
    layout: &Layout,
    params: LogParams,
    form: CallForm,
    errors: FieldMessages,
    status: StatusCode,
) -> PageResult {
    let (query, cursor) = params.query(layout)?;
    let page = comms::list_calls(&state.store, &query, cursor, PAGE_SIZE)
        .await
        .map_err(|e| filter_error(layout, e))?;
    let rows = call_rows(state, layout, &page.items).await?;
    let who = if form.phone_number.trim().is_empty() {
        None
    } else {
        comms::lookup(&state.store, &form.phone_number)
            .await
            .ok()
            .flatten()
    };
    Ok(layout.render_status(
        status,
        &CallsPage {
            layout,
            call_list: rows,
            next_url: params.next_url("/calls", page.next_cursor),
            params,
            form,
            directions: direction_choices(layout),
            errors,
            caller: who,
        },
    ))
}

/// `GET /calls?phone=&direction=&date=`: the call log, and the form to log a call.
pub async fn calls(
    State(state): State<AppState>,
    Query(params): Query<LogParams>,
    layout: Layout,
) -> PageResult {
    let form = CallForm {
        direction: Direction::In.as_str().to_owned(),
        ..CallForm::default()
    };
    calls_page(
        &state,
        &layout,
        params,
        form,
        FieldMessages::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /calls`: logs a call (began now unless a time is given).
pub async fn log_call(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<CallForm>,
) -> PageResult {
    let input = NewCall {
        phone_number: Some(form.phone_number.clone()),
        direction: Some(form.direction.clone()),
        begin_call: match layout.form_instant("begin_call", &form.begin_call) {
            Given::Absent => Given::Value(jiff::Timestamp::now()),
            given => given,
        },
        end_call: layout.form_instant("end_call", &form.end_call),
        note: Some(form.note.clone()),
    };
    let result = comms::create_call(&state.store, &state.audit, caller.actor(), input).await;
    layout
        .submitted(result)
        .answer(
            |_| Saved::to("/calls", msg("flash-call-logged")),
            async |refused| {
                let errors = refused.messages(&layout);
                calls_page(
                    &state,
                    &layout,
                    LogParams::default(),
                    form,
                    errors,
                    refused.status,
                )
                .await
            },
        )
        .await
}

#[derive(Template)]
#[template(path = "_caller.html")]
struct CallerFragment<'a> {
    layout: &'a Layout,
    caller: Option<Lookup>,
    typed: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LookupParams {
    phone_number: String,
}

/// `GET /calls/lookup?phone_number=`: who the number being typed is (the call form's htmx).
pub async fn lookup(
    State(state): State<AppState>,
    Query(params): Query<LookupParams>,
    layout: Layout,
) -> PageResult {
    let typed = !params.phone_number.trim().is_empty();
    let who = if typed {
        comms::lookup(&state.store, &params.phone_number)
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    Ok(layout.render(&CallerFragment {
        layout: &layout,
        caller: who,
        typed,
    }))
}

// --- SMS -----------------------------------------------------------------------------------

/// The SMS form, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SmsForm {
    phone_number: String,
    direction: String,
    sms_text: String,
    note: String,
}

/// A message of the outbox as the page shows it.
pub struct OutboxRow {
    number: String,
    text: String,
    state: &'static str,
    state_label: String,
    attempts: i32,
    last_error: Option<String>,
    updated: String,
    appointment_id: Option<i64>,
}

impl OutboxRow {
    fn of(layout: &Layout, o: &Outbox) -> OutboxRow {
        OutboxRow {
            number: shown_number(&o.phone_number),
            text: o.sms_text.clone(),
            state: o.state.as_str(),
            state_label: layout.t(&format!("sms-state-{}", o.state.as_str())),
            attempts: o.attempts,
            last_error: o.last_error.clone(),
            updated: layout.datetime(&o.updated_at),
            appointment_id: o.appointment_id,
        }
    }
}

#[derive(Template)]
#[template(path = "sms.html")]
struct SmsPage<'a> {
    layout: &'a Layout,
    sms_list: Vec<SmsRow>,
    outbox: Vec<OutboxRow>,
    params: LogParams,
    next_url: Option<String>,
    form: SmsForm,
    directions: Vec<Choice>,
    errors: FieldMessages,
}

async fn sms_page(
    state: &AppState,
    layout: &Layout,
    params: LogParams,
    form: SmsForm,
    errors: FieldMessages,
    status: StatusCode,
) -> PageResult {
    let (query, cursor) = params.query(layout)?;
    let page = comms::list_sms(&state.store, &query, cursor, PAGE_SIZE)
        .await
        .map_err(|e| filter_error(layout, e))?;
    let rows = sms_rows(state, layout, &page.items).await?;
    let (outbox, _) = comms::list_outbox(&state.store, None, None, OUTBOX_SHOWN)
        .await
        .or_page(layout)?;
    Ok(layout.render_status(
        status,
        &SmsPage {
            layout,
            sms_list: rows,
            outbox: outbox.iter().map(|o| OutboxRow::of(layout, o)).collect(),
            next_url: params.next_url("/sms", page.next_cursor),
            params,
            form,
            directions: direction_choices(layout),
            errors,
        },
    ))
}

/// `GET /sms?phone=&direction=&date=&to=`: the SMS log, the outbox, the form (to `to`).
pub async fn sms(
    State(state): State<AppState>,
    Query(params): Query<LogParams>,
    layout: Layout,
) -> PageResult {
    let form = SmsForm {
        phone_number: params.to.trim().to_owned(),
        direction: Direction::Out.as_str().to_owned(),
        ..SmsForm::default()
    };
    sms_page(
        &state,
        &layout,
        params,
        form,
        FieldMessages::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /sms`: queues an SMS to send (out) or logs one received (in).
pub async fn post_sms(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<SmsForm>,
) -> PageResult {
    let input = SmsInput {
        phone_number: Some(form.phone_number.clone()),
        direction: Some(form.direction.clone()),
        time: None,
        subject: None,
        sms_text: Some(form.sms_text.clone()),
        note: Some(form.note.clone()),
    };
    let result = comms::post_sms(&state.store, &state.audit, caller.actor(), input).await;
    layout
        .submitted(result)
        .answer(
            |posted| match posted {
                comms::SmsPosted::Queued { .. } => {
                    Saved::to("/sms#outbox", msg("flash-sms-queued"))
                }
                comms::SmsPosted::Logged(_) => Saved::to("/sms", msg("flash-sms-logged")),
            },
            async |refused| {
                let errors = refused.messages(&layout);
                sms_page(
                    &state,
                    &layout,
                    LogParams::default(),
                    form,
                    errors,
                    refused.status,
                )
                .await
            },
        )
        .await
}
