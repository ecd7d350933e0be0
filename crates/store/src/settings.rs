//! Repository of the clinic's settings: the single `settings` row (`settings_id = 1`),
//! created by the initial migration with the defaults.

use crate::StoreError;
use crate::entity::settings;
use crate::time::now;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QuerySelect, Set};

/// The id of the one settings row.
pub const SETTINGS_ID: i64 = 1;

/// The settings row.
pub async fn load(db: &impl ConnectionTrait) -> Result<settings::Model, StoreError> {
    settings::Entity::find_by_id(SETTINGS_ID)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("settings"))
}

/// The settings row, locked until the end of the transaction (`FOR UPDATE`; on SQLite the
/// write transaction already holds the lock), so that a change is computed from what is
/// current.
pub async fn load_for_update(db: &impl ConnectionTrait) -> Result<settings::Model, StoreError> {
    settings::Entity::find_by_id(SETTINGS_ID)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("settings"))
}

/// Writes the settings row (whatever `settings_id` says, it is the one row) with
/// `updated_at` set to now, and returns it as stored.
pub async fn save(
    db: &impl ConnectionTrait,
    changed: settings::Model,
) -> Result<settings::Model, StoreError> {
    let row = settings::ActiveModel {
        settings_id: sea_orm::Unchanged(SETTINGS_ID),
        clinic_name: Set(changed.clinic_name),
        clinic_code: Set(changed.clinic_code),
        time_zone: Set(changed.time_zone),
        opening_hours: Set(changed.opening_hours),
        tooth_notation: Set(changed.tooth_notation),
        language: Set(changed.language),
        reminder_enabled: Set(changed.reminder_enabled),
        reminder_hour: Set(changed.reminder_hour),
        reminder_template: Set(changed.reminder_template),
        sms_confirm_replies: Set(changed.sms_confirm_replies),
        updated_at: Set(now()),
    };
    Ok(row.update(db).await?)
}
