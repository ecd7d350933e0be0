//! `/api/v1/reports`: the day, revenue over a range, where the patients stand and the
//! no-show rate (admins, managers and HQ; everyone else 403). Every figure is summed by the
//! database. Dates are the clinic's local dates (`YYYY-MM-DD`); a missing or malformed date,
//! `from` after `to`, or a range over 366 days is 422 naming the parameter. Definitions:
//! `docs/reports.md`.

use super::inputs::DateText;
use crate::http::error::{ApiError, Json, Problem, Query};
use crate::http::state::AppState;
use crate::services::fields::Given;
use crate::services::reports::{
    self, DayFigures, DayReport, NoShowReport, PatientsReport, RevenueReport,
};
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayParams {
    /// The clinic's local date, `YYYY-MM-DD`.
    #[param(required = true, value_type = DateText, example = "2026-11-30")]
    pub date: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevenueParams {
    /// The first local date, `YYYY-MM-DD`.
    #[param(required = true, value_type = DateText)]
    pub from: Option<String>,
    /// The last local date (inclusive), not before `from`, at most 365 days after it.
    #[param(required = true, value_type = DateText)]
    pub to: Option<String>,
    /// `doctor` (default), `service` or `day`.
    #[param(pattern = r"^(doctor|service|day)$")]
    pub group_by: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeParams {
    /// The first local date, `YYYY-MM-DD`.
    #[param(required = true, value_type = DateText)]
    pub from: Option<String>,
    /// The last local date (inclusive), not before `from`, at most 365 days after it.
    #[param(required = true, value_type = DateText)]
    pub to: Option<String>,
}

/// One day: appointments by doctor and status, treatments, their charges, payments by method.
#[utoipa::path(get, path = "/api/v1/reports/day", operation_id = "reports_day", tag = "reports", security(("bearer" = [])),
    params(DayParams),
    responses(
        (status = 200, description = "The day's figures", body = DayReport),
        (status = 422, description = "A missing or malformed date", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn day(
    State(state): State<AppState>,
    Query(params): Query<DayParams>,
) -> Result<Json<DayReport>, ApiError> {
    Ok(Json(
        reports::day(&state.store, Given::date("date", params.date.as_deref())).await?,
    ))
}

/// Revenue from `from` to `to` (inclusive): items' charges by treatment date and payments by
/// payment date, grouped by doctor, service or day.
#[utoipa::path(get, path = "/api/v1/reports/revenue", operation_id = "reports_revenue", tag = "reports", security(("bearer" = [])),
    params(RevenueParams),
    responses(
        (status = 200, description = "Revenue rows and totals", body = RevenueReport),
        (status = 422, description = "A bad date, from after to, a range over 366 days or an unknown group_by", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revenue(
    State(state): State<AppState>,
    Query(params): Query<RevenueParams>,
) -> Result<Json<RevenueReport>, ApiError> {
    Ok(Json(
        reports::revenue(
            &state.store,
            Given::date("from", params.from.as_deref()),
            Given::date("to", params.to.as_deref()),
            reports::RevenueGroup::given(params.group_by.as_deref()),
        )
        .await?,
    ))
}

/// Patients by status (from each one's last visit, today) and new patients per month over
/// the last 12 months.
#[utoipa::path(get, path = "/api/v1/reports/patients", operation_id = "reports_patients", tag = "reports", security(("bearer" = [])),
    responses(
        (status = 200, description = "Patients by status and new patients per month", body = PatientsReport),
    ))]
pub async fn patients(State(state): State<AppState>) -> Result<Json<PatientsReport>, ApiError> {
    Ok(Json(reports::patients(&state.store).await?))
}

/// The no-show rate by doctor and month: no-shows ÷ appointments that were due (starting
/// before now, in the range, with status reserved, confirmed, came, finished or no_show).
#[utoipa::path(get, path = "/api/v1/reports/no-shows", operation_id = "reports_no_shows", tag = "reports", security(("bearer" = [])),
    params(RangeParams),
    responses(
        (status = 200, description = "No-show rates by doctor and month", body = NoShowReport),
        (status = 422, description = "A bad date, from after to or a range over 366 days", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn no_shows(
    State(state): State<AppState>,
    Query(params): Query<RangeParams>,
) -> Result<Json<NoShowReport>, ApiError> {
    Ok(Json(
        reports::no_shows(
            &state.store,
            Given::date("from", params.from.as_deref()),
            Given::date("to", params.to.as_deref()),
        )
        .await?,
    ))
}

/// Each day from `from` to `to` (inclusive) with its figures in total and per doctor:
/// charges (after discounts), discounts, payments, appointments by status, new patients. What
/// a head office pulls to keep a clinic's figures by day; each day's figures equal the day
/// report's, and summed over the range, the revenue report's by doctor.
#[utoipa::path(get, path = "/api/v1/reports/days", operation_id = "reports_days", tag = "reports", security(("bearer" = [])),
    params(RangeParams),
    responses(
        (status = 200, description = "One entry per day, in order", body = Vec<DayFigures>),
        (status = 422, description = "A bad date, from after to or a range over 366 days", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn days(
    State(state): State<AppState>,
    Query(params): Query<RangeParams>,
) -> Result<Json<Vec<DayFigures>>, ApiError> {
    Ok(Json(
        reports::days(
            &state.store,
            Given::date("from", params.from.as_deref()),
            Given::date("to", params.to.as_deref()),
        )
        .await?,
    ))
}

/// The clinic's first day.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FirstDay {
    /// The local date of the first appointment or treatment; null for a clinic with neither.
    #[schema(value_type = Option<String>, example = "2019-03-01")]
    pub first_day: Option<jiff::civil::Date>,
}

/// Where the clinic's history begins (a head office's first sync reads from it).
#[utoipa::path(get, path = "/api/v1/reports/first-day", operation_id = "reports_first_day", tag = "reports", security(("bearer" = [])),
    responses(
        (status = 200, description = "The first day", body = FirstDay),
    ))]
pub async fn first_day(State(state): State<AppState>) -> Result<Json<FirstDay>, ApiError> {
    Ok(Json(FirstDay {
        first_day: reports::first_day(&state.store).await?,
    }))
}

pub fn routes() -> axum::Router<AppState> {
    use axum::routing;
    axum::Router::new()
        .route("/api/v1/reports/day", routing::get(day))
        .route("/api/v1/reports/revenue", routing::get(revenue))
        .route("/api/v1/reports/patients", routing::get(patients))
        .route("/api/v1/reports/no-shows", routing::get(no_shows))
        .route("/api/v1/reports/days", routing::get(days))
        .route("/api/v1/reports/first-day", routing::get(first_day))
}
