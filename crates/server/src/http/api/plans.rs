//! Treatment plans and estimates: `/api/v1/patients/{id}/treatment-plans`,
//! `/api/v1/treatment-plans/{id}` with its items, status and estimate (doctors, managers and
//! admins write; receptionists and HQ read), and one's own under
//! `/api/v1/me/treatment-plans` (patients). A status move outside the state machine is 422;
//! changing the items or discount of a plan that is not a draft or presented is 409.

use super::treatments::{ItemBody, SystemParams, system};
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::chart::items::ItemInput;
use crate::services::patients;
use crate::services::plans::{
    self, Estimate, NewPlanInput, Plan, PlanChanges, PlanItemChanges, PlanItemInput,
};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::{PlanItemStatus, PlanStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A planned service: an item as in a treatment, with its phase.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanItemBody {
    #[serde(flatten)]
    pub item: ItemBody,
    /// 1 to 20; default 1.
    #[schema(minimum = 1, maximum = 20)]
    pub phase: Option<i64>,
}

impl From<PlanItemBody> for PlanItemInput {
    fn from(b: PlanItemBody) -> Self {
        PlanItemInput {
            item: ItemInput {
                plan_item_id: None,
                ..ItemInput::from(b.item)
            },
            phase: b.phase,
        }
    }
}

/// A new plan (a draft) with its items.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreatePlanBody {
    /// An employee who may be a doctor now.
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub doctor_id: Option<i64>,
    /// At most 200 characters, one line.
    #[schema(max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// At most 100.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub items: Vec<PlanItemBody>,
}

/// Items to add to a draft or presented plan.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddPlanItemsBody {
    /// 1 to 100.
    #[schema(min_items = 1, max_items = 100)]
    pub items: Vec<PlanItemBody>,
}

/// A change of a plan's own fields (absent: kept; null: cleared).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchPlanBody {
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub note: Option<Option<String>>,
    #[schema(minimum = 1)]
    pub doctor_id: Option<i64>,
    /// Off the subtotal (a draft or presented plan): whole tugrik (`5000` or
    /// `{"amount": 5000}`), at most the subtotal, or `{"percent": 10}`. Above the clinic's
    /// `discount_threshold_percent` only a manager or an admin may give one (403).
    pub discount: Option<super::treatments::DiscountBody>,
    /// Why: required with a discount; at most 200 characters, one line.
    #[schema(max_length = 200)]
    pub discount_reason: Option<String>,
}

/// A change of a plan item (absent: kept).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchPlanItemBody {
    /// 1 to 20 (a draft or presented plan).
    #[schema(minimum = 1, maximum = 20)]
    pub phase: Option<i64>,
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub note: Option<Option<String>>,
    /// dropped (a planned item of an open plan) or planned (a dropped one again).
    #[schema(value_type = Option<PlanItemStatus>)]
    pub status: Option<String>,
}

/// A move of a plan's status.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanStatusBody {
    #[schema(required = true, value_type = PlanStatus)]
    pub status: Option<String>,
    /// Required to cancel.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// The items added and the plan as it is now.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanItemsAdded {
    pub plan_item_ids: Vec<i64>,
    pub plan: Plan,
}

const PLAN: &str = "The plan with its items by phase and its totals";

/// Creates a draft plan for a patient.
#[utoipa::path(post, path = "/api/v1/patients/{patient_id}/treatment-plans", operation_id = "plans_create", tag = "plans", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), SystemParams),
    request_body = CreatePlanBody,
    responses(
        (status = 201, description = PLAN, body = Plan),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, all together; an item's named `items[i].field`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<SystemParams>,
    Json(body): Json<CreatePlanBody>,
) -> Result<(StatusCode, Json<Plan>), ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    let input = NewPlanInput {
        doctor_id: body.doctor_id,
        title: body.title,
        note: body.note,
        items: body.items.into_iter().map(PlanItemInput::from).collect(),
    };
    let plan = plans::create(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        input,
        system,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(plan)))
}

/// A patient's plans, newest first.
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}/treatment-plans", operation_id = "plans_list", tag = "plans", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), SystemParams),
    responses(
        (status = 200, description = "The plans", body = Vec<Plan>),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<SystemParams>,
) -> Result<Json<Vec<Plan>>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    Ok(Json(
        plans::of_patient(
            &state.store,
            &state.audit,
            caller.actor(),
            patient_id,
            system,
        )
        .await?,
    ))
}

/// A plan.
#[utoipa::path(get, path = "/api/v1/treatment-plans/{plan_id}", operation_id = "plans_get", tag = "plans", security(("bearer" = [])),
    params(("plan_id" = i64, Path, description = "Plan id"), SystemParams),
    responses(
        (status = 200, description = PLAN, body = Plan),
        (status = 404, description = "No such plan", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(plan_id): Path<i64>,
    Query(params): Query<SystemParams>,
) -> Result<Json<Plan>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    Ok(Json(
        plans::get(&state.store, &state.audit, caller.actor(), plan_id, system).await?,
    ))
}

/// Changes a plan's title, note, doctor or discount.
#[utoipa::path(patch, path = "/api/v1/treatment-plans/{plan_id}", operation_id = "plans_update", tag = "plans", security(("bearer" = [])),
    params(("plan_id" = i64, Path, description = "Plan id"), SystemParams),
    request_body = PatchPlanBody,
    responses(
        (status = 200, description = PLAN, body = Plan),
        (status = 403, description = "A discount above the clinic's threshold from a doctor or receptionist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A closed plan, or the discount of a plan that is not a draft or presented", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields; a discount above the subtotal", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(plan_id): Path<i64>,
    Query(params): Query<SystemParams>,
    Json(body): Json<PatchPlanBody>,
) -> Result<Json<Plan>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    let changes = PlanChanges {
        title: body.title,
        note: body.note,
        doctor_id: body.doctor_id,
        discount: body.discount.map(Into::into),
        discount_reason: body.discount_reason,
    };
    Ok(Json(
        plans::change(
            &state.store,
            &state.audit,
            caller.actor(),
            plan_id,
            changes,
            system,
        )
        .await?,
    ))
}

/// Adds items to a draft or presented plan (the catalog's prices copied now).
#[utoipa::path(post, path = "/api/v1/treatment-plans/{plan_id}/items", operation_id = "plans_add_items", tag = "plans", security(("bearer" = [])),
    params(("plan_id" = i64, Path, description = "Plan id"), SystemParams),
    request_body = AddPlanItemsBody,
    responses(
        (status = 201, description = "The new items' ids and the plan", body = PlanItemsAdded),
        (status = 404, description = "No such plan", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is not a draft or presented", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid items, named `items[i].field`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_items(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(plan_id): Path<i64>,
    Query(params): Query<SystemParams>,
    Json(body): Json<AddPlanItemsBody>,
) -> Result<(StatusCode, Json<PlanItemsAdded>), ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    let items = body.items.into_iter().map(PlanItemInput::from).collect();
    let (plan, plan_item_ids) = plans::add_items(
        &state.store,
        &state.audit,
        caller.actor(),
        plan_id,
        items,
        system,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(PlanItemsAdded {
            plan_item_ids,
            plan,
        }),
    ))
}

/// Moves an item to another phase, changes its note, or drops it.
#[utoipa::path(patch, path = "/api/v1/treatment-plans/{plan_id}/items/{plan_item_id}", operation_id = "plans_update_item", tag = "plans", security(("bearer" = [])),
    params(("plan_id" = i64, Path, description = "Plan id"), ("plan_item_id" = i64, Path, description = "Plan item id"), SystemParams),
    request_body = PatchPlanItemBody,
    responses(
        (status = 200, description = PLAN, body = Plan),
        (status = 404, description = "No such plan or item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A phase or note change of a plan that is not a draft or presented; any change of a closed plan", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields; a status move other than planned ↔ dropped", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_item(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((plan_id, plan_item_id)): Path<(i64, i64)>,
    Query(params): Query<SystemParams>,
    Json(body): Json<PatchPlanItemBody>,
) -> Result<Json<Plan>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    let changes = PlanItemChanges {
        phase: body.phase,
        note: body.note,
        status: body.status,
    };
    Ok(Json(
        plans::change_item(
            &state.store,
            &state.audit,
            caller.actor(),
            plan_id,
            plan_item_id,
            changes,
            system,
        )
        .await?,
    ))
}

/// Removes a planned item of a draft or presented plan.
#[utoipa::path(delete, path = "/api/v1/treatment-plans/{plan_id}/items/{plan_item_id}", operation_id = "plans_delete_item", tag = "plans", security(("bearer" = [])),
    params(("plan_id" = i64, Path, description = "Plan id"), ("plan_item_id" = i64, Path, description = "Plan item id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such plan or item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The item is not planned, or the plan is not a draft or presented", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_item(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((plan_id, plan_item_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    plans::delete_item(
        &state.store,
        &state.audit,
        caller.actor(),
        plan_id,
        plan_item_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves a plan through its statuses.
#[utoipa::path(post, path = "/api/v1/treatment-plans/{plan_id}/status", operation_id = "plans_set_status", tag = "plans", security(("bearer" = [])),
    params(("plan_id" = i64, Path, description = "Plan id"), SystemParams),
    request_body = PlanStatusBody,
    responses(
        (status = 200, description = PLAN, body = Plan),
        (status = 404, description = "No such plan", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A move outside draft → presented → accepted | rejected, presented → draft, accepted → completed (every item done or dropped), open → canceled (with a reason)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(plan_id): Path<i64>,
    Query(params): Query<SystemParams>,
    Json(body): Json<PlanStatusBody>,
) -> Result<Json<Plan>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    Ok(Json(
        plans::set_status(
            &state.store,
            &state.audit,
            caller.actor(),
            plan_id,
            body.status,
            body.reason,
            system,
        )
        .await?,
    ))
}

/// The plan's estimate, as printed for the patient.
#[utoipa::path(get, path = "/api/v1/treatment-plans/{plan_id}/estimate", operation_id = "plans_estimate", tag = "plans", security(("bearer" = [])),
    params(("plan_id" = i64, Path, description = "Plan id"), SystemParams),
    responses(
        (status = 200, description = "The estimate", body = Estimate),
        (status = 404, description = "No such plan", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn estimate(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(plan_id): Path<i64>,
    Query(params): Query<SystemParams>,
) -> Result<Json<Estimate>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    Ok(Json(
        plans::estimate(
            &state.store,
            &state.audit,
            caller.actor(),
            plan_id,
            None,
            system,
        )
        .await?,
    ))
}

/// My treatment plans, newest first (a draft is the doctor's until presented).
#[utoipa::path(get, path = "/api/v1/me/treatment-plans", operation_id = "me_plans_list", tag = "plans", security(("bearer" = [])),
    params(SystemParams),
    responses(
        (status = 200, description = "My plans", body = Vec<Plan>),
        (status = 404, description = "No patient record is linked to this account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mine(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<SystemParams>,
) -> Result<Json<Vec<Plan>>, ApiError> {
    let patient_id = patients::own_patient_id(&state.store, caller.user_id()).await?;
    let system = system(&state, params.system.as_deref()).await?;
    let plans = plans::of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        system,
    )
    .await?
    .into_iter()
    .filter(|p| p.status != PlanStatus::Draft)
    .collect();
    Ok(Json(plans))
}

/// The estimate of one of my plans (another's is 404).
#[utoipa::path(get, path = "/api/v1/me/treatment-plans/{plan_id}/estimate", operation_id = "me_plans_estimate", tag = "plans", security(("bearer" = [])),
    params(("plan_id" = i64, Path, description = "Plan id"), SystemParams),
    responses(
        (status = 200, description = "The estimate", body = Estimate),
        (status = 404, description = "No such plan of mine", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn my_estimate(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(plan_id): Path<i64>,
    Query(params): Query<SystemParams>,
) -> Result<Json<Estimate>, ApiError> {
    let patient_id = patients::own_patient_id(&state.store, caller.user_id()).await?;
    let system = system(&state, params.system.as_deref()).await?;
    Ok(Json(
        plans::estimate(
            &state.store,
            &state.audit,
            caller.actor(),
            plan_id,
            Some(patient_id),
            system,
        )
        .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get as read, patch, post};
    axum::Router::new()
        .route(
            "/api/v1/patients/{patient_id}/treatment-plans",
            read(list).post(create),
        )
        .route("/api/v1/treatment-plans/{plan_id}", read(get).patch(update))
        .route("/api/v1/treatment-plans/{plan_id}/items", post(add_items))
        .route(
            "/api/v1/treatment-plans/{plan_id}/items/{plan_item_id}",
            patch(update_item).delete(delete_item),
        )
        .route("/api/v1/treatment-plans/{plan_id}/status", post(set_status))
        .route("/api/v1/treatment-plans/{plan_id}/estimate", read(estimate))
        .route("/api/v1/me/treatment-plans", read(mine))
        .route(
            "/api/v1/me/treatment-plans/{plan_id}/estimate",
            read(my_estimate),
        )
}
