//! The clinic's chairs (rooms): a name (unique, 1 to 100 characters), active, the order they
//! are shown in. An appointment may take an active chair; two appointments never share a
//! chair at a time (checked with the chair's row locked, like a doctor's). Chairs are
//! deactivated, never deleted.

use super::audit::{AuditTrail, changes};
use super::{Actor, FieldError, ServiceError, fields};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::chairs as repo;
use dcms_store::entity::chair;
use dcms_store::sea_orm::ConnectionTrait;
use serde::Serialize;

/// Most characters of a chair's name.
pub const NAME_MAX: usize = 100;
/// Most chairs a clinic may have.
pub const CHAIRS_MAX: usize = 200;

/// A chair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Chair {
    pub chair_id: i64,
    pub name: String,
    pub active: bool,
    pub position: i32,
}

impl From<chair::Model> for Chair {
    fn from(row: chair::Model) -> Self {
        Chair {
            chair_id: row.chair_id,
            name: row.name,
            active: row.active,
            position: row.position,
        }
    }
}

/// A new chair or a change (absent fields: as they are; a new chair is active, position 0).
#[derive(Debug, Clone, Default)]
pub struct ChairInput {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub position: Option<i64>,
}

/// Every chair (or the active ones), in their order.
pub async fn list(store: &Store, active_only: bool) -> Result<Vec<Chair>, ServiceError> {
    Ok(repo::list(store.connection(), active_only)
        .await?
        .into_iter()
        .map(Chair::from)
        .collect())
}

/// Refuses (422 on `field`, `chair-unknown`) a chair that does not exist or is inactive.
pub async fn check_active(
    db: &impl ConnectionTrait,
    chair_id: i64,
    field: &str,
) -> Result<(), ServiceError> {
    match repo::find(db, chair_id).await? {
        Some(chair) if chair.active => Ok(()),
        _ => Err(ServiceError::invalid_coded(
            FieldError::coded(
                field,
                "chair-unknown",
                format!("there is no active chair {chair_id}"),
            )
            .arg("id", chair_id),
        )),
    }
}

fn position(errors: &mut Vec<FieldError>, value: Option<i64>) -> Option<Option<i32>> {
    match value {
        None => Some(None),
        Some(p) => match i32::try_from(p) {
            Ok(p) if (0..=10_000).contains(&p) => Some(Some(p)),
            _ => {
                errors.push(
                    FieldError::coded("position", "range", "must be 0 to 10000")
                        .arg("min", 0)
                        .arg("max", 10_000),
                );
                None
            }
        },
    }
}

async fn name_free(
    db: &impl ConnectionTrait,
    name: &str,
    except: Option<i64>,
) -> Result<(), ServiceError> {
    match repo::by_name(db, name).await? {
        Some(other) if Some(other.chair_id) != except => Err(ServiceError::invalid_coded(
            FieldError::coded("name", "chair-name-taken", "another chair has this name"),
        )),
        _ => Ok(()),
    }
}

fn record(
    chair_id: i64,
    action: &str,
    before: Option<&Chair>,
    after: Option<&Chair>,
) -> AuditEntry {
    AuditEntry::new(action, "chair", Some(chair_id)).with_changes(changes(
        before,
        after,
        &["chair_id"],
    ))
}

/// Adds a chair (a name required, unique).
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: ChairInput,
) -> Result<Chair, ServiceError> {
    let mut errors = Vec::new();
    let name = fields::required_text(
        &mut errors,
        "name",
        input.name.as_deref().unwrap_or_default(),
        NAME_MAX,
    );
    let position = position(&mut errors, input.position);
    let (Some(name), Some(position), true) = (name, position, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    if repo::list(&txn, false).await?.len() >= CHAIRS_MAX {
        return Err(ServiceError::Conflict(format!(
            "a clinic has at most {CHAIRS_MAX} chairs: deactivate or rename one"
        )));
    }
    name_free(&txn, &name, None).await?;
    let chair = Chair::from(
        repo::insert(
            &txn,
            name,
            input.active.unwrap_or(true),
            position.unwrap_or(0),
        )
        .await?,
    );
    audit
        .record(
            &txn,
            actor.stamp(record(chair.chair_id, "create", None, Some(&chair))),
        )
        .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(chair)
}

/// Renames, reorders, deactivates or reactivates a chair (404 when there is none).
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    chair_id: i64,
    input: ChairInput,
) -> Result<Chair, ServiceError> {
    let mut errors = Vec::new();
    let name = match input.name.as_deref() {
        None => Some(None),
        Some(n) => fields::required_text(&mut errors, "name", n, NAME_MAX).map(Some),
    };
    let position = position(&mut errors, input.position);
    let (Some(name), Some(position), true) = (name, position, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    let row = repo::lock(&txn, chair_id)
        .await?
        .ok_or(ServiceError::NotFound("chair"))?;
    let before = Chair::from(row.clone());
    let mut changed = row;
    if let Some(name) = name {
        name_free(&txn, &name, Some(chair_id)).await?;
        changed.name = name;
    }
    if let Some(active) = input.active {
        changed.active = active;
    }
    if let Some(position) = position {
        changed.position = position;
    }
    if Chair::from(changed.clone()) == before {
        txn.commit().await.map_err(ServiceError::from)?;
        return Ok(before);
    }
    let chair = Chair::from(repo::save(&txn, changed).await?);
    audit
        .record(
            &txn,
            actor.stamp(record(chair_id, "update", Some(&before), Some(&chair))),
        )
        .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(chair)
}
