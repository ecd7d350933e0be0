//! `/positions`: the positions employees hold. Everyone with staff access reads the list;
//! admins and managers add positions and change them, and take one out of use by clearing
//! "in use" (positions are never deleted: past assignments keep naming them).

use super::common::{Choice, category_id};
use super::{FieldMessages, Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::positions::{self, NewPosition, Position, PositionChanges};
use crate::services::{FieldError, ServiceError};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use dcms_domain::PositionCategory;
use serde::Deserialize;

/// The most positions the page lists (a clinic has a handful).
const POSITIONS_MAX: u64 = 500;

/// One row of the list.
pub struct PositionRow {
    position_id: i64,
    position_type: String,
    display_name: String,
    category_id: String,
    is_active: bool,
    description: Option<String>,
    /// The one whose form is shown.
    editing: bool,
}

impl PositionRow {
    fn of(p: &Position, editing: Option<i64>) -> PositionRow {
        PositionRow {
            position_id: p.position_id,
            position_type: p.position_type.clone(),
            display_name: p.display_name.clone(),
            category_id: category_id(p.category),
            is_active: p.is_active,
            description: p.description.clone(),
            editing: editing == Some(p.position_id),
        }
    }
}

/// The position form, new or edited; every field as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PositionForm {
    position_type: String,
    display_name: String,
    category: String,
    description: String,
    /// A checkbox: present when ticked.
    is_active: Option<String>,
}

impl PositionForm {
    fn of(p: &Position) -> PositionForm {
        PositionForm {
            position_type: p.position_type.clone(),
            display_name: p.display_name.clone(),
            category: p.category.as_str().to_owned(),
            description: p.description.clone().unwrap_or_default(),
            is_active: p.is_active.then(|| "on".to_owned()),
        }
    }

    fn description(&self) -> Option<String> {
        Some(self.description.clone()).filter(|d| !d.trim().is_empty())
    }
}

#[derive(Template)]
#[template(path = "positions.html")]
struct PositionsPage<'a> {
    layout: &'a Layout,
    rows: Vec<PositionRow>,
    categories: Vec<Choice>,
    form: PositionForm,
    /// The position being changed; None: the form adds one.
    editing: Option<i64>,
    /// Where the form posts.
    action: String,
    errors: FieldMessages,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    /// Shows the form for this position instead of the new one.
    edit: Option<i64>,
}

/// The list, and for those who may write, the form: `form` as typed when it comes back with
/// errors, else the position being edited as stored, else a blank new one. An unknown
/// position to edit is 404.
async fn positions_page(
    state: &AppState,
    layout: &Layout,
    editing: Option<i64>,
    form: Option<PositionForm>,
    errors: FieldMessages,
    status: StatusCode,
) -> PageResult {
    let all = positions::list(&state.store, None, None, POSITIONS_MAX)
        .await
        .or_page(layout)?;
    let edited = match editing {
        Some(id) => match all.iter().find(|p| p.position_id == id) {
            Some(p) => Some(p),
            None => return Err(layout.error(ServiceError::NotFound("position"))),
        },
        None => None,
    };
    let form = form.unwrap_or_else(|| match edited {
        Some(p) => PositionForm::of(p),
        None => PositionForm {
            is_active: Some("on".into()),
            ..PositionForm::default()
        },
    });
    let categories = PositionCategory::ALL
        .iter()
        .map(|c| Choice {
            value: c.as_str().to_owned(),
            label: layout.t(&category_id(*c)),
        })
        .collect();
    Ok(layout.render_status(
        status,
        &PositionsPage {
            layout,
            rows: all.iter().map(|p| PositionRow::of(p, editing)).collect(),
            categories,
            form,
            action: editing
                .map_or_else(|| "/positions".to_owned(), |id| format!("/positions/{id}")),
            editing,
            errors,
        },
    ))
}

/// `GET /positions` (`?edit=ID` shows that position's form).
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
    layout: Layout,
) -> PageResult {
    let editing = params.edit.filter(|_| layout.can.staff_write);
    positions_page(
        &state,
        &layout,
        editing,
        None,
        FieldMessages::default(),
        StatusCode::OK,
    )
    .await
}

/// A taken code is shown beside the code.
fn code_taken(text: String) -> FieldError {
    FieldError::coded("position_type", "position-type-taken", text)
}

/// `POST /positions`: adds a position.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<PositionForm>,
) -> PageResult {
    let input = NewPosition {
        position_type: form.position_type.clone(),
        display_name: form.display_name.clone(),
        category: form.category.clone(),
        is_active: Some(form.is_active.is_some()),
        description: form.description(),
    };
    let result = positions::create(&state.store, &state.audit, caller.actor(), input).await;
    layout
        .submitted(result)
        .conflict(StatusCode::CONFLICT, code_taken)
        .answer(
            |_| Saved::to("/positions", msg("flash-position-created")),
            // The new-position form comes back with what was typed.
            async |refused| {
                let errors = refused.messages(&layout);
                positions_page(&state, &layout, None, Some(form), errors, refused.status).await
            },
        )
        .await
}

/// `POST /positions/{position_id}`: changes a position; an unticked "in use" takes it out of
/// use (it can no longer be assigned; those who hold it keep it).
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(position_id): Path<i64>,
    layout: Layout,
    Form(form): Form<PositionForm>,
) -> PageResult {
    let changes = PositionChanges {
        position_type: Some(form.position_type.clone()),
        display_name: Some(form.display_name.clone()),
        category: Some(form.category.clone()),
        is_active: Some(form.is_active.is_some()),
        description: Some(form.description()),
    };
    let result = positions::update(
        &state.store,
        &state.audit,
        caller.actor(),
        position_id,
        changes,
    )
    .await;
    layout
        .submitted(result)
        .conflict(StatusCode::CONFLICT, code_taken)
        .answer(
            |_| Saved::to("/positions", msg("flash-saved")),
            async |refused| {
                let errors = refused.messages(&layout);
                let editing = Some(position_id);
                positions_page(&state, &layout, editing, Some(form), errors, refused.status).await
            },
        )
        .await
}
