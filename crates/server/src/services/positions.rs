//! Positions employees hold: create, change, deactivate (never delete). `position_type` is
//! unique (409). Every write is audited in its own transaction (table `position`).

use super::audit::{AuditTrail, changes};
use super::fields::required_text;
use super::{Actor, FieldError, ServiceError};
use dcms_domain::PositionCategory;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::position;
use dcms_store::{Store, positions as repo};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// Most characters of a `position_type` (the column's width).
pub const TYPE_MAX: usize = 50;
/// Most characters of a display name.
pub const DISPLAY_NAME_MAX: usize = 255;
/// Most characters of a description.
pub const DESCRIPTION_MAX: usize = 2000;

/// A position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Position {
    pub position_id: i64,
    /// A unique code, e.g. `DENTIST`.
    #[schema(example = "DENTIST")]
    pub position_type: String,
    #[schema(example = "Шүдний эмч")]
    pub display_name: String,
    /// `clinical` positions make their holders eligible as doctors of appointments.
    pub category: PositionCategory,
    /// Inactive positions cannot be assigned anew; existing assignments stay.
    pub is_active: bool,
    pub description: Option<String>,
}

impl Position {
    /// A stored row; an unknown category code is an internal error.
    pub fn from_row(row: position::Model) -> Result<Position, ServiceError> {
        let category = PositionCategory::from_code(row.category).ok_or_else(|| {
            ServiceError::Internal(format!(
                "position {} has an unknown category code {}",
                row.position_id, row.category
            ))
        })?;
        Ok(Position {
            position_id: row.position_id,
            position_type: row.position_type,
            display_name: row.display_name,
            category,
            is_active: row.is_active,
            description: row.description,
        })
    }
}

/// What creating a position needs (as the client sent it; validated by [`create`]).
#[derive(Debug, Clone, Default)]
pub struct NewPosition {
    pub position_type: String,
    pub display_name: String,
    /// `clinical`, `support` or `admin`.
    pub category: String,
    /// Default true.
    pub is_active: Option<bool>,
    pub description: Option<String>,
}

/// What changing a position asks for: `None` leaves a field as it is; `description:
/// Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PositionChanges {
    pub position_type: Option<String>,
    pub display_name: Option<String>,
    pub category: Option<String>,
    pub is_active: Option<bool>,
    pub description: Option<Option<String>>,
}

fn audited(p: &position::Model) -> Value {
    json!({
        "position_type": p.position_type,
        "display_name": p.display_name,
        "category": PositionCategory::from_code(p.category)
            .map_or_else(|| json!(p.category), |c| json!(c.as_str())),
        "is_active": p.is_active,
        "description": p.description,
    })
}

fn category(errors: &mut Vec<FieldError>, value: &str) -> Option<PositionCategory> {
    match value.trim().parse::<PositionCategory>() {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(FieldError::coded("category", "choose", e));
            None
        }
    }
}

/// A description: trimmed, empty is none, at most [`DESCRIPTION_MAX`] characters (line
/// breaks allowed).
fn description(errors: &mut Vec<FieldError>, value: Option<String>) -> Option<String> {
    let value = value?.trim().to_owned();
    if value.is_empty() {
        return None;
    }
    if value.chars().count() > DESCRIPTION_MAX {
        errors.push(
            FieldError::coded(
                "description",
                "too-long",
                format!("must be at most {DESCRIPTION_MAX} characters"),
            )
            .arg("max", DESCRIPTION_MAX),
        );
        return None;
    }
    Some(value)
}

/// Creates a position; a taken `position_type` is 409, invalid fields 422 (all together).
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewPosition,
) -> Result<Position, ServiceError> {
    let mut errors = Vec::new();
    let position_type = required_text(&mut errors, "position_type", &input.position_type, TYPE_MAX);
    let display_name = required_text(
        &mut errors,
        "display_name",
        &input.display_name,
        DISPLAY_NAME_MAX,
    );
    let category = category(&mut errors, &input.category);
    let description = description(&mut errors, input.description);
    let (Some(position_type), Some(display_name), Some(category), true) =
        (position_type, display_name, category, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    let row = repo::insert(
        &txn,
        repo::NewPosition {
            position_type,
            display_name,
            category: category.code(),
            is_active: input.is_active.unwrap_or(true),
            description,
        },
    )
    .await?;
    let entry = AuditEntry::new("create", "position", Some(row.position_id)).with_changes(changes(
        None,
        Some(&audited(&row)),
        &[],
    ));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Position::from_row(row)
}

/// A position by id.
pub async fn get(store: &Store, position_id: i64) -> Result<Position, ServiceError> {
    let row = repo::find(store.connection(), position_id)
        .await?
        .ok_or(ServiceError::NotFound("position"))?;
    Position::from_row(row)
}

/// Positions by id after a cursor; `active` keeps only active (true) or inactive (false) ones.
pub async fn list(
    store: &Store,
    active: Option<bool>,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Position>, ServiceError> {
    repo::list(store.connection(), active, after_id, limit)
        .await?
        .into_iter()
        .map(Position::from_row)
        .collect()
}

/// Changes a position (`is_active: false` deactivates it: it can no longer be assigned, and
/// existing assignments stay). A taken `position_type` is 409.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    position_id: i64,
    asked: PositionChanges,
) -> Result<Position, ServiceError> {
    let mut errors = Vec::new();
    let position_type = asked
        .position_type
        .map(|t| required_text(&mut errors, "position_type", &t, TYPE_MAX));
    let display_name = asked
        .display_name
        .map(|n| required_text(&mut errors, "display_name", &n, DISPLAY_NAME_MAX));
    let category = asked.category.map(|c| category(&mut errors, &c));
    let description = asked.description.map(|d| description(&mut errors, d));
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let txn = store.begin_write().await?;
    let before = repo::find_for_update(&txn, position_id)
        .await?
        .ok_or(ServiceError::NotFound("position"))?;
    let mut row = before.clone();
    if let Some(Some(t)) = position_type {
        row.position_type = t;
    }
    if let Some(Some(n)) = display_name {
        row.display_name = n;
    }
    if let Some(Some(c)) = category {
        row.category = c.code();
    }
    if let Some(active) = asked.is_active {
        row.is_active = active;
    }
    if let Some(d) = description {
        row.description = d;
    }
    let Some(diff) = changes(Some(&audited(&before)), Some(&audited(&row)), &[]) else {
        txn.commit().await.map_err(ServiceError::from)?;
        return Position::from_row(before);
    };
    let saved = repo::save(&txn, row).await?;
    let entry = AuditEntry::new("update", "position", Some(position_id)).with_changes(Some(diff));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Position::from_row(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_checked() {
        let mut errors = Vec::new();
        assert_eq!(
            required_text(&mut errors, "position_type", "  DENTIST ", TYPE_MAX),
            Some("DENTIST".to_owned())
        );
        assert!(errors.is_empty());
        assert_eq!(required_text(&mut errors, "a", "   ", 5), None);
        assert_eq!(required_text(&mut errors, "b", "123456", 5), None);
        assert_eq!(required_text(&mut errors, "c", "x\ny", 5), None);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "b", "c"]);
        assert_eq!(
            category(&mut errors, " clinical "),
            Some(PositionCategory::Clinical)
        );
        assert_eq!(category(&mut errors, "doctor"), None);
        assert_eq!(description(&mut errors, Some("  ".into())), None);
        assert_eq!(
            description(&mut errors, Some(" a\nb ".into())),
            Some("a\nb".into())
        );
    }
}
