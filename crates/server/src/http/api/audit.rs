//! `GET /api/v1/audit`: the audit trail, newest first (admin, manager, HQ).

use super::views::{Page, encode_id_cursor};
use crate::http::error::{ApiError, Json, Query};
use crate::http::state::AppState;
use axum::extract::State;
use dcms_store::audit::AuditFilter;
use dcms_store::time::{from_db, to_db};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// The seed's table name (`patient`, `user`, ...).
    pub table: Option<String>,
    /// The action (`update`, `login_failed`, `locked_out`, ...).
    pub action: Option<String>,
    pub row_id: Option<i64>,
    pub user_id: Option<i64>,
    /// Rows at or after this instant (RFC 3339).
    pub from: Option<jiff::Timestamp>,
    /// Rows before this instant (RFC 3339).
    pub to: Option<jiff::Timestamp>,
    /// Items per page, 1 to 500 (default 50; more is taken as 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// One audit row.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRow {
    pub audit_id: i64,
    pub at: jiff::Timestamp,
    pub user_id: Option<i64>,
    pub session_token_id: Option<i64>,
    /// `create`, `update`, `delete`, `read`, or a named action (`login`, `password`,
    /// `login_failed`, `locked_out`, ...).
    pub action: String,
    pub table: String,
    pub row_id: Option<i64>,
    /// `{field: [old, new]}`.
    #[schema(value_type = Option<Object>)]
    pub changes: Option<serde_json::Value>,
}

/// The audit trail, newest first.
#[utoipa::path(get, path = "/api/v1/audit", operation_id = "audit_list", tag = "audit", security(("bearer" = [])),
    params(AuditParams),
    responses(
        (status = 200, description = "A page of audit rows", body = Page<AuditRow>),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<AuditParams>,
) -> Result<Json<Page<AuditRow>>, ApiError> {
    let limit = params.limit.unwrap_or(50).clamp(1, 500);
    let before_id = match &params.cursor {
        None => None,
        Some(c) => Some(
            super::views::decode_id_cursor(c)
                .ok_or_else(|| ApiError::bad_request("invalid cursor"))?,
        ),
    };
    let mut rows = state
        .audit
        .list(&AuditFilter {
            table_name: params.table,
            action: params.action,
            row_id: params.row_id,
            user_id: params.user_id,
            from: params.from.map(to_db),
            to: params.to.map(to_db),
            before_id,
            limit: limit + 1,
        })
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|r| encode_id_cursor(r.audit_id)))
        .flatten();
    Ok(Json(Page {
        items: rows
            .into_iter()
            .map(|r| AuditRow {
                audit_id: r.audit_id,
                at: from_db(r.at),
                user_id: r.user_id,
                session_token_id: r.session_token_id,
                action: r.action,
                table: r.table_name,
                row_id: r.row_id,
                changes: r.changes.and_then(|c| serde_json::from_str(&c).ok()),
            })
            .collect(),
        next_cursor,
    }))
}
