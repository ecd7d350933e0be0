//! Closing the day: `/api/v1/day-close` (the day's payments per method beside what was
//! counted) and reopening a closed day. Rules: `services::day_close`, docs/money.md.

use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::day_close::{self, Counted, DayClose};
use crate::services::fields::parse_date;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// `?date=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayParams {
    /// `YYYY-MM-DD` (default: today in the clinic).
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<String>,
}

/// What was counted per method, whole tugrik (left out: 0).
#[derive(Debug, Deserialize, ToSchema, Default)]
pub struct CountedBody {
    #[schema(minimum = 0)]
    pub cash: Option<i64>,
    #[schema(minimum = 0)]
    pub card: Option<i64>,
    #[schema(minimum = 0)]
    pub transfer: Option<i64>,
    #[schema(minimum = 0)]
    pub qpay: Option<i64>,
}

/// A day closed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseBody {
    /// `YYYY-MM-DD`, today or earlier.
    #[schema(required = true, value_type = String, format = Date)]
    pub date: Option<String>,
    #[serde(default)]
    pub counted: CountedBody,
    /// At most 2000 characters.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

fn date_of(name: &str, value: &str) -> Result<jiff::civil::Date, ApiError> {
    parse_date(value).map_err(|e| ApiError::bad_request(format!("{name}: {e}")))
}

/// A day of the till: the payments per method, and once closed, what was counted.
#[utoipa::path(get, path = "/api/v1/day-close", operation_id = "day_close_get", tag = "money", security(("bearer" = [])),
    params(DayParams),
    responses(
        (status = 200, description = "The day", body = DayClose),
        (status = 400, description = "A malformed date", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Query(params): Query<DayParams>,
) -> Result<Json<DayClose>, ApiError> {
    let date = match params
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => date_of("date", d)?,
        None => crate::services::settings::get(&state.store)
            .await?
            .now_local()
            .date(),
    };
    Ok(Json(day_close::get(&state.store, date).await?))
}

/// Close a day with the amounts counted.
#[utoipa::path(post, path = "/api/v1/day-close", operation_id = "day_close_create", tag = "money", security(("bearer" = [])),
    request_body = CloseBody,
    responses(
        (status = 201, description = "Closed: expected, counted and the difference", body = DayClose),
        (status = 403, description = "Doctors do not close the day", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The day is closed already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named (`date` missing or in the future, `counted.cash` negative, ...)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn close(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CloseBody>,
) -> Result<(StatusCode, Json<DayClose>), ApiError> {
    let date = match body.date.as_deref() {
        None => None,
        Some(d) => Some(parse_date(d).map_err(|e| {
            crate::services::ServiceError::invalid_coded(crate::services::FieldError::coded(
                "date", "date", e,
            ))
        })?),
    };
    let counted = Counted {
        cash: body.counted.cash,
        card: body.counted.card,
        transfer: body.counted.transfer,
        qpay: body.counted.qpay,
    };
    let closed = day_close::close(
        &state.store,
        &state.audit,
        caller.actor(),
        date,
        counted,
        body.note.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(closed)))
}

/// Reopen a closed day (managers and admins): it takes payments again.
#[utoipa::path(post, path = "/api/v1/day-close/{date}/reopen", operation_id = "day_close_reopen", tag = "money", security(("bearer" = [])),
    params(("date" = String, Path, description = "The day, `YYYY-MM-DD`")),
    responses(
        (status = 200, description = "Reopened", body = DayClose),
        (status = 400, description = "A malformed date", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The day is not closed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reopen(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(date): Path<String>,
) -> Result<Json<DayClose>, ApiError> {
    let date = date_of("date", &date)?;
    Ok(Json(
        day_close::reopen(&state.store, &state.audit, caller.actor(), date).await?,
    ))
}

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{self, post};
    axum::Router::new()
        .route("/api/v1/day-close", routing::get(get).post(close))
        .route("/api/v1/day-close/{date}/reopen", post(reopen))
}
