//! Indexes for the patient list and search (`docs/search-plans.md` shows the plans):
//!
//! - `patient (created_at, patient_id)` replaces `patient (created_at)`: the list of all
//!   patients is ordered newest first by that pair, and on PostgreSQL a single-column index
//!   leaves ties unordered (SQLite and InnoDB append the primary key to every index anyway).
//! - `patient_phone (phone_number_val, patient_id)` replaces `patient_phone
//!   (phone_number_val)`: a phone search first reads the patients owning the matching numbers,
//!   and this index holds both columns, so that read never touches the table.
//! - On PostgreSQL, `patient_phone.phone_number_val` gets the byte-order collation `"C"`,
//!   like the name keys, so that a phone-number prefix, searched as a range
//!   (`>= '9911' AND < '9912'`), means the same as on the other backends and is answered
//!   from the index whatever the database's default collation is. SQLite compares bytes
//!   already, and MariaDB/MySQL tables are `utf8mb4_bin`.

use super::schema::index;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        index(manager, "patient", &["created_at", "patient_id"], false).await?;
        drop_index(manager, "patient", "idx_patient_created_at").await?;
        index(
            manager,
            "patient_phone",
            &["phone_number_val", "patient_id"],
            false,
        )
        .await?;
        drop_index(
            manager,
            "patient_phone",
            "idx_patient_phone_phone_number_val",
        )
        .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    r#"ALTER TABLE "patient_phone" ALTER COLUMN "phone_number_val" TYPE varchar(32) COLLATE "C""#,
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    r#"ALTER TABLE "patient_phone" ALTER COLUMN "phone_number_val" TYPE varchar(32) COLLATE "default""#,
                )
                .await?;
        }
        index(manager, "patient_phone", &["phone_number_val"], false).await?;
        drop_index(
            manager,
            "patient_phone",
            "idx_patient_phone_phone_number_val_patient_id",
        )
        .await?;
        index(manager, "patient", &["created_at"], false).await?;
        drop_index(manager, "patient", "idx_patient_created_at_patient_id").await
    }
}

async fn drop_index(
    manager: &SchemaManager<'_>,
    table: &'static str,
    name: &'static str,
) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(name).table(table).to_owned())
        .await
}
