//! Security settings and the audit trail's action index (issue 17):
//!
//! - how long a session may stay unused (`*_session_idle_minutes`) and live at most
//!   (`*_session_max_hours`), per session type: staff (`user_portal`, default 60 minutes idle,
//!   12 hours at most), DCMS HQ (`hq`) and the patient portal (`patient_web`), both 24 hours
//!   idle and 30 days at most. Six integer columns with defaults, one `ALTER TABLE` each
//!   (SQLite adds one column per statement), so the existing row gets the defaults; the
//!   ranges are the settings service's rules (domain `SessionLimits`);
//! - an index on `audit_log(action, audit_id)`, for `GET /api/v1/audit?action=login_failed`.

use super::schema::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each column with its default.
const COLUMNS: [(&str, i32); 6] = [
    ("staff_session_idle_minutes", 60),
    ("staff_session_max_hours", 12),
    ("hq_session_idle_minutes", 24 * 60),
    ("hq_session_max_hours", 30 * 24),
    ("patient_session_idle_minutes", 24 * 60),
    ("patient_session_max_hours", 30 * 24),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, default) in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table("settings")
                        .add_column(ColumnDef::new(name).integer().not_null().default(default))
                        .to_owned(),
                )
                .await?;
        }
        index(manager, "audit_log", &["action", "audit_id"], false).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_audit_log_action_audit_id")
                    .table("audit_log")
                    .to_owned(),
            )
            .await?;
        for (name, _) in COLUMNS.iter().rev() {
            manager
                .alter_table(
                    Table::alter()
                        .table("settings")
                        .drop_column(*name)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
