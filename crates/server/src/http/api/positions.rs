//! `/api/v1/positions`: the positions employees hold (read: staff and HQ; write: admin,
//! manager). A taken `position_type` is 409; positions are never deleted (DELETE: 405),
//! only deactivated with `is_active: false`.

use super::staff::{nullable, page_params};
use super::views::{Page, id_page};
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::positions::{self, NewPosition, Position, PositionChanges};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::PositionCategory;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// A new position.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreatePositionBody {
    /// Unique (409 when taken); 1 to 50 characters, one line.
    #[serde(default)]
    #[schema(required = true, example = "DENTIST", min_length = 1, max_length = 50)]
    pub position_type: String,
    /// 1 to 255 characters, one line.
    #[serde(default)]
    #[schema(
        required = true,
        example = "Шүдний эмч",
        min_length = 1,
        max_length = 255
    )]
    pub display_name: String,
    #[serde(default)]
    #[schema(value_type = PositionCategory, required = true)]
    pub category: String,
    /// Default true.
    pub is_active: Option<bool>,
    /// At most 2000 characters (line breaks allowed); blank is none.
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

/// A change of a position; `is_active: false` deactivates it (positions are never deleted).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchPositionBody {
    /// 1 to 50 characters, one line.
    #[schema(min_length = 1, max_length = 50)]
    pub position_type: Option<String>,
    /// 1 to 255 characters, one line.
    #[schema(min_length = 1, max_length = 255)]
    pub display_name: Option<String>,
    #[schema(value_type = Option<PositionCategory>)]
    pub category: Option<String>,
    pub is_active: Option<bool>,
    /// At most 2000 characters (line breaks allowed); null or blank clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub description: Option<Option<String>>,
}

/// `?limit=&cursor=&active=` of the position list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PositionListParams {
    /// Items per page, 1 to 500 (default 50; more is taken as 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// true: active positions only; false: inactive only.
    pub active: Option<bool>,
}

/// Positions, by id.
#[utoipa::path(get, path = "/api/v1/positions", operation_id = "positions_list", tag = "staff", security(("bearer" = [])),
    params(PositionListParams),
    responses(
        (status = 200, description = "A page of positions", body = Page<Position>),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<PositionListParams>,
) -> Result<Json<Page<Position>>, ApiError> {
    let page = page_params(params.limit, params.cursor);
    let limit = page.limit();
    let rows = positions::list(&state.store, params.active, page.after_id()?, limit + 1).await?;
    Ok(Json(id_page(rows, limit, |p| p.position_id, |p| p)))
}

/// Create a position.
#[utoipa::path(post, path = "/api/v1/positions", operation_id = "positions_create", tag = "staff", security(("bearer" = [])),
    request_body = CreatePositionBody,
    responses(
        (status = 201, description = "Created", body = Position),
        (status = 409, description = "`position_type` taken", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreatePositionBody>,
) -> Result<(StatusCode, Json<Position>), ApiError> {
    let position = positions::create(
        &state.store,
        &state.audit,
        caller.actor(),
        NewPosition {
            position_type: body.position_type,
            display_name: body.display_name,
            category: body.category,
            is_active: body.is_active,
            description: body.description,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(position)))
}

/// One position.
#[utoipa::path(get, path = "/api/v1/positions/{position_id}", operation_id = "positions_get", tag = "staff", security(("bearer" = [])),
    params(("position_id" = i64, Path, description = "Position id")),
    responses(
        (status = 200, description = "The position", body = Position),
        (status = 404, description = "No such position", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Path(position_id): Path<i64>,
) -> Result<Json<Position>, ApiError> {
    Ok(Json(positions::get(&state.store, position_id).await?))
}

/// Change a position; `is_active: false` deactivates it. Positions are never deleted: DELETE
/// answers 405.
#[utoipa::path(patch, path = "/api/v1/positions/{position_id}", operation_id = "positions_update", tag = "staff", security(("bearer" = [])),
    params(("position_id" = i64, Path, description = "Position id")),
    request_body = PatchPositionBody,
    responses(
        (status = 200, description = "The position as it now is", body = Position),
        (status = 404, description = "No such position", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`position_type` taken", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(position_id): Path<i64>,
    Json(body): Json<PatchPositionBody>,
) -> Result<Json<Position>, ApiError> {
    let position = positions::update(
        &state.store,
        &state.audit,
        caller.actor(),
        position_id,
        PositionChanges {
            position_type: body.position_type,
            display_name: body.display_name,
            category: body.category,
            is_active: body.is_active,
            description: body.description,
        },
    )
    .await?;
    Ok(Json(position))
}
