//! The portal's appointment requests on the pages: a patient asks from their portal (`POST
//! /requests`: a preferred day with an optional window and a reason), reception declines
//! one from the start page (`POST /appointment-requests/{id}/decline`); booking one is the
//! booking form's (`/appointments/new?request_id=`).

use super::{Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::requests::{self, PreferredInput};
use axum::Extension;
use axum::extract::{Form, Path, State};
use serde::Deserialize;

/// A request as the portal's form sends it: one preferred day.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AskForm {
    date: String,
    from: String,
    to: String,
    reason: String,
}

/// `POST /requests`: the signed-in patient asks for an appointment; back to the portal.
pub async fn ask(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<AskForm>,
) -> PageResult {
    let blank = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let preferred = [PreferredInput {
        date: blank(&form.date),
        from: blank(&form.from),
        to: blank(&form.to),
    }];
    requests::ask(
        &state.store,
        &state.audit,
        caller.actor(),
        &preferred,
        Some(form.reason.as_str()),
    )
    .await
    .or_page(&layout)?;
    Ok(layout.go(Saved::to("/#my-requests", msg("flash-request-sent"))))
}

/// Why a request is declined.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeclineForm {
    reason: String,
}

/// `POST /appointment-requests/{request_id}/decline`: declines with the reason; back to the
/// start page's requests.
pub async fn decline(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(request_id): Path<i64>,
    layout: Layout,
    Form(form): Form<DeclineForm>,
) -> PageResult {
    requests::decline(
        &state.store,
        &state.audit,
        caller.actor(),
        request_id,
        Some(form.reason.as_str()),
    )
    .await
    .or_page(&layout)?;
    Ok(layout.go(Saved::to("/#requests", msg("flash-request-declined"))))
}
