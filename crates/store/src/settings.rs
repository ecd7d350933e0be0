//! Repository of the clinic's settings: the single `settings` row (`settings_id = 1`),
//! created by the initial migration with the defaults.

use crate::StoreError;
use crate::entity::settings;
use crate::time::now;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QuerySelect, Set};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The id of the one settings row.
pub const SETTINGS_ID: i64 = 1;

/// How long a cached settings row is used before it is read again: a change made by this
/// process is seen at once ([`forget_cached`]), one made by another server on the same
/// database within this time.
pub const CACHE_FOR: Duration = Duration::from_secs(1);

/// The settings row as last read by [`load_cached`], with a generation that
/// [`forget_cached`] moves on, so a row read before a change is never kept after it.
#[derive(Debug, Default)]
pub struct Cache {
    state: Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    generation: u64,
    row: Option<(Instant, settings::Model)>,
}

impl Cache {
    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The settings row, read at most once per [`CACHE_FOR`] (almost every request needs the
/// clinic's time zone; the row changes a few times a year).
pub async fn load_cached(store: &crate::Store) -> Result<settings::Model, StoreError> {
    let generation = {
        let state = store.settings.lock();
        if let Some((read_at, row)) = &state.row
            && read_at.elapsed() < CACHE_FOR
        {
            return Ok(row.clone());
        }
        state.generation
    };
    let row = load(store.connection()).await?;
    let mut state = store.settings.lock();
    if state.generation == generation {
        state.row = Some((Instant::now(), row.clone()));
    }
    Ok(row)
}

/// Drops the cached row: called once a change to it has committed.
pub fn forget_cached(store: &crate::Store) {
    let mut state = store.settings.lock();
    state.generation = state.generation.wrapping_add(1);
    state.row = None;
}

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
        staff_session_idle_minutes: Set(changed.staff_session_idle_minutes),
        staff_session_max_hours: Set(changed.staff_session_max_hours),
        hq_session_idle_minutes: Set(changed.hq_session_idle_minutes),
        hq_session_max_hours: Set(changed.hq_session_max_hours),
        patient_session_idle_minutes: Set(changed.patient_session_idle_minutes),
        patient_session_max_hours: Set(changed.patient_session_max_hours),
        estimate_valid_days: Set(changed.estimate_valid_days),
        attachment_limit_mib: Set(changed.attachment_limit_mib),
        recall_template: Set(changed.recall_template),
        clinic_contacts: Set(changed.clinic_contacts),
        discount_threshold_percent: Set(changed.discount_threshold_percent),
        ebarimt_enabled: Set(changed.ebarimt_enabled),
        ebarimt_url: Set(changed.ebarimt_url),
        ebarimt_merchant_tin: Set(changed.ebarimt_merchant_tin),
        ebarimt_pos_no: Set(changed.ebarimt_pos_no),
        ebarimt_branch_no: Set(changed.ebarimt_branch_no),
        ebarimt_district_code: Set(changed.ebarimt_district_code),
        ebarimt_default_tax_type: Set(changed.ebarimt_default_tax_type),
        ebarimt_data_sent_on: Set(changed.ebarimt_data_sent_on),
        updated_at: Set(now()),
    };
    Ok(row.update(db).await?)
}
