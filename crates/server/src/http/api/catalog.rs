//! `/api/v1/services`: the service catalog (read: staff and HQ; write: admin, manager).
//! `(service_type, display_number)` taken is 409; services are never deleted (DELETE: 405),
//! only deactivated with `is_active: false`. `POST /api/v1/services/reorder` renumbers one
//! type 1..n.
//!
//! `/api/v1/teeth`: the tooth dictionary (reference data; read by staff and HQ, like the
//! catalog), every matching row in one page. An unknown `system` or `dentition` is 400, as
//! every malformed query parameter.

use super::staff::{nullable, page_params};
use super::views::Page;
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::catalog::{
    self, NewService, Service, ServiceChanges, ServiceFilter, ToothView,
};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::{Dentition, ToothSystem};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// A new service.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateServiceBody {
    /// The category (`CHILD`, `ORTHO`, ...): 1 to 100 characters, one line, kept as written
    /// (trimmed).
    #[schema(required = true, value_type = String, min_length = 1, max_length = 100, example = "ORTHO")]
    pub service_type: Option<String>,
    /// 1 to 10000, unique within the type (409 when taken).
    #[schema(required = true, value_type = i64, minimum = 1, maximum = 10000, example = 1)]
    pub display_number: Option<i64>,
    /// 1 to 255 characters, one line.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 255, example = "Шүдний сувгийн эмчилгээ")]
    pub doctor_display_name: Option<String>,
    /// 1 to 255 characters, one line.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 255, example = "Сувгийн эмчилгээ")]
    pub patient_display_name: Option<String>,
    /// At most 4000 characters (line breaks allowed); blank is none.
    #[schema(max_length = 4000)]
    pub disclaimer: Option<String>,
    /// The consent the patient signs before this service, printed from the treatment form;
    /// at most 8000 characters (line breaks allowed); blank is none.
    #[schema(max_length = 8000)]
    pub consent_text: Option<String>,
    /// Whole tugrik (MNT), 0 to 10^12.
    #[schema(value_type = i64, required = true, minimum = 0, maximum = 1_000_000_000_000_i64, example = 20000)]
    pub price: Option<i64>,
    /// Minutes, 1 to 1440; default 30.
    #[schema(minimum = 1, maximum = 1440, example = 30)]
    pub default_duration_time: Option<i64>,
    /// Default true.
    pub is_active: Option<bool>,
    /// Doing the service sets the patient's recall this many months later, 1 to 60.
    #[schema(minimum = 1, maximum = 60, example = 6)]
    pub recall_months: Option<i64>,
    /// The e-barimt tax type: VAT_ABLE, VAT_FREE, VAT_ZERO or NO_VAT; absent: the clinic's.
    #[schema(value_type = Option<dcms_domain::TaxType>)]
    pub tax_type: Option<String>,
    /// The product classification code (ББСК): digits, at most 20.
    #[schema(max_length = 20, pattern = "^[0-9]*$")]
    pub classification_code: Option<String>,
}

/// A change of a service; `is_active: false` deactivates it, `true` activates it again.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchServiceBody {
    /// 1 to 100 characters, one line.
    #[schema(min_length = 1, max_length = 100)]
    pub service_type: Option<String>,
    /// 1 to 10000, unique within the type (409 when taken); to swap numbers, use the reorder
    /// action.
    #[schema(minimum = 1, maximum = 10000)]
    pub display_number: Option<i64>,
    /// 1 to 255 characters, one line.
    #[schema(min_length = 1, max_length = 255)]
    pub doctor_display_name: Option<String>,
    /// 1 to 255 characters, one line.
    #[schema(min_length = 1, max_length = 255)]
    pub patient_display_name: Option<String>,
    /// At most 4000 characters (line breaks allowed); `null` or blank clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub disclaimer: Option<Option<String>>,
    /// At most 8000 characters (line breaks allowed); `null` or blank clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 8000)]
    pub consent_text: Option<Option<String>>,
    /// Whole tugrik (MNT), 0 to 10^12.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub price: Option<i64>,
    /// Minutes, 1 to 1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub default_duration_time: Option<i64>,
    pub is_active: Option<bool>,
    /// 1 to 60 months; `null` clears it (no recall).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 60)]
    pub recall_months: Option<Option<i64>>,
    /// VAT_ABLE, VAT_FREE, VAT_ZERO or NO_VAT; `null` or blank: the clinic's.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<dcms_domain::TaxType>)]
    pub tax_type: Option<Option<String>>,
    /// Digits, at most 20; `null` or blank clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 20, pattern = "^[0-9]*$")]
    pub classification_code: Option<Option<String>>,
}

/// Renumbering the services of one type.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReorderBody {
    #[schema(required = true, value_type = String, min_length = 1, max_length = 100, example = "ORTHO")]
    pub service_type: Option<String>,
    /// Every service of the type, each once, in the new order: they become 1..n (at most
    /// 10000).
    #[serde(default)]
    #[schema(required = true, max_items = 10000, example = json!([12, 10, 11]))]
    pub service_ids: Vec<i64>,
}

/// `?type=&active=&limit=&cursor=` of the service list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceListParams {
    /// Only services of this type (compared exactly).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub service_type: Option<String>,
    /// true: active services only; false: inactive only.
    pub active: Option<bool>,
    /// Items per page, 1 to 500 (default 50; more is taken as 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// `?system=&dentition=` of the tooth list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeethParams {
    /// Only teeth in this notation (unknown: 400).
    pub system: Option<ToothSystem>,
    /// Only teeth of this dentition (unknown: 400).
    pub dentition: Option<Dentition>,
}

/// The cursor of a service list: the `(service_type, display_number)` of the last item.
fn encode_cursor(service: &Service) -> String {
    use base64::Engine;
    let key = serde_json::json!([service.service_type, service.display_number]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.to_string())
}

fn decode_cursor(cursor: &str) -> Result<(String, i32), ApiError> {
    use base64::Engine;
    let bad = || ApiError::bad_request("invalid cursor");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    serde_json::from_slice::<(String, i32)>(&bytes).map_err(|_| bad())
}

/// Services, ordered by type then `display_number`.
#[utoipa::path(get, path = "/api/v1/services", operation_id = "services_list", tag = "catalog", security(("bearer" = [])),
    params(ServiceListParams),
    responses(
        (status = 200, description = "A page of services", body = Page<Service>),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ServiceListParams>,
) -> Result<Json<Page<Service>>, ApiError> {
    let page = page_params(params.limit, None);
    let limit = page.limit();
    let after = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = ServiceFilter {
        service_type: params.service_type,
        active: params.active,
        after,
    };
    let mut items = catalog::list(&state.store, filter, limit + 1).await?;
    let more = items.len() as u64 > limit;
    items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = if more {
        items.last().map(encode_cursor)
    } else {
        None
    };
    Ok(Json(Page { items, next_cursor }))
}

/// Add a service to the catalog.
#[utoipa::path(post, path = "/api/v1/services", operation_id = "services_create", tag = "catalog", security(("bearer" = [])),
    request_body = CreateServiceBody,
    responses(
        (status = 201, description = "Created", body = Service),
        (status = 409, description = "`(service_type, display_number)` taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (negative price or duration, ...)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateServiceBody>,
) -> Result<(StatusCode, Json<Service>), ApiError> {
    let service = catalog::create(
        &state.store,
        &state.audit,
        caller.actor(),
        NewService {
            service_type: body.service_type,
            display_number: body.display_number,
            doctor_display_name: body.doctor_display_name,
            patient_display_name: body.patient_display_name,
            disclaimer: body.disclaimer,
            consent_text: body.consent_text,
            price: body.price,
            default_duration_time: body.default_duration_time,
            is_active: body.is_active,
            recall_months: body.recall_months,
            tax_type: body.tax_type,
            classification_code: body.classification_code,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(service)))
}

/// One service.
#[utoipa::path(get, path = "/api/v1/services/{service_id}", operation_id = "services_get", tag = "catalog", security(("bearer" = [])),
    params(("service_id" = i64, Path, description = "Service id")),
    responses(
        (status = 200, description = "The service", body = Service),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Path(service_id): Path<i64>,
) -> Result<Json<Service>, ApiError> {
    Ok(Json(catalog::get(&state.store, service_id).await?))
}

/// Change a service; `is_active` deactivates or activates it. Services are never deleted:
/// DELETE answers 405.
#[utoipa::path(patch, path = "/api/v1/services/{service_id}", operation_id = "services_update", tag = "catalog", security(("bearer" = [])),
    params(("service_id" = i64, Path, description = "Service id")),
    request_body = PatchServiceBody,
    responses(
        (status = 200, description = "The service as it now is", body = Service),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`(service_type, display_number)` taken", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(service_id): Path<i64>,
    Json(body): Json<PatchServiceBody>,
) -> Result<Json<Service>, ApiError> {
    let service = catalog::update(
        &state.store,
        &state.audit,
        caller.actor(),
        service_id,
        ServiceChanges {
            service_type: body.service_type,
            display_number: body.display_number,
            doctor_display_name: body.doctor_display_name,
            patient_display_name: body.patient_display_name,
            disclaimer: body.disclaimer,
            consent_text: body.consent_text,
            price: body.price,
            default_duration_time: body.default_duration_time,
            is_active: body.is_active,
            recall_months: body.recall_months,
            tax_type: body.tax_type,
            classification_code: body.classification_code,
        },
    )
    .await?;
    Ok(Json(service))
}

/// Renumber the services of one type 1..n in the order given, in one transaction.
/// `service_ids` must be exactly the services of that type (otherwise 422 naming the ids
/// missing, extra or repeated, and nothing changes). Answers the type's services in their
/// new order (one page).
#[utoipa::path(post, path = "/api/v1/services/reorder", operation_id = "services_reorder", tag = "catalog", security(("bearer" = [])),
    request_body = ReorderBody,
    responses(
        (status = 200, description = "The services of the type, renumbered", body = Page<Service>),
        (status = 422, description = "Not exactly the services of the type", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reorder(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<ReorderBody>,
) -> Result<Json<Page<Service>>, ApiError> {
    let items = catalog::reorder(
        &state.store,
        &state.audit,
        caller.actor(),
        body.service_type,
        body.service_ids,
    )
    .await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// The tooth dictionary: every matching tooth in one page (156 without filters: 32
/// permanent and 20 primary teeth in each of three notations), by id.
#[utoipa::path(get, path = "/api/v1/teeth", operation_id = "teeth_list", tag = "teeth", security(("bearer" = [])),
    params(TeethParams),
    responses(
        (status = 200, description = "Every matching tooth; `next_cursor` is always null", body = Page<ToothView>),
        (status = 400, description = "Unknown system or dentition", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn teeth(
    State(state): State<AppState>,
    Query(params): Query<TeethParams>,
) -> Result<Json<Page<ToothView>>, ApiError> {
    let items = catalog::teeth(&state.store, params.system, params.dentition).await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// The routes of the catalog and the teeth.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing;
    axum::Router::new()
        .route("/api/v1/services", routing::get(list).post(create))
        .route("/api/v1/services/reorder", routing::post(reorder))
        .route(
            "/api/v1/services/{service_id}",
            routing::get(get).patch(update),
        )
        .route("/api/v1/teeth", routing::get(teeth))
}
