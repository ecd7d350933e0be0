//! DCMS HQ's own schema (issue 24; domain.md "DCMS HQ, the head office"), kept apart from a
//! clinic's: its own migrations, recorded in `seaql_migrations_hq`, so an HQ database is never
//! mistaken for a clinic's.
//!
//! - `hq_clinic`: a clinic of the chain (name, code unique, base URL), its HQ session token
//!   on the clinic and when that session expires, and its sync state (the API revision it
//!   answered, the last day whose figures are complete, the last success and the last error);
//! - `hq_day`: a clinic's figures of one local day (unique `(clinic_id, day)`), replaced
//!   whole by every sync that reads the day;
//! - `hq_doctor_day`: the same per doctor (the clinic's employee id and name).

use crate::migration::schema::{TableBuilder, index};
use sea_orm_migration::prelude::*;

/// HQ's migrations, oldest first.
pub struct HqMigrator;

#[async_trait::async_trait]
impl MigratorTrait for HqMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(Initial)]
    }

    fn migration_table_name() -> DynIden {
        "seaql_migrations_hq".into_iden()
    }
}

#[derive(DeriveMigrationName)]
struct Initial;

/// The figures a day and a doctor's day share.
fn figures(t: TableBuilder) -> TableBuilder {
    t.big_int("charges")
        .big_int("discounts")
        .big_int("paid")
        .big_int("appointments")
        .big_int("no_shows")
        .big_int("came")
}

#[async_trait::async_trait]
impl MigrationTrait for Initial {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        TableBuilder::new(b, "hq_clinic")
            .id("clinic_id")
            .string("name", 255)
            .string("code", 32)
            .string("base_url", 300)
            .text_null("session_token")
            .timestamp_null("session_expires_at")
            .int_null("api_revision")
            .date_null("synced_through")
            .timestamp_null("last_success_at")
            .text_null("last_error")
            .timestamp_null("last_error_at")
            .timestamp("created_at")
            .create(manager)
            .await?;
        index(manager, "hq_clinic", &["code"], true).await?;
        figures(
            TableBuilder::new(b, "hq_day")
                .id("hq_day_id")
                .big_int("clinic_id")
                .date("day"),
        )
        .big_int("new_patients")
        .references("clinic_id", "hq_clinic", "clinic_id")
        .create(manager)
        .await?;
        index(manager, "hq_day", &["clinic_id", "day"], true).await?;
        figures(
            TableBuilder::new(b, "hq_doctor_day")
                .id("hq_doctor_day_id")
                .big_int("clinic_id")
                .date("day")
                .big_int("doctor_id")
                .string("doctor_name", 255),
        )
        .references("clinic_id", "hq_clinic", "clinic_id")
        .create(manager)
        .await?;
        index(
            manager,
            "hq_doctor_day",
            &["clinic_id", "day", "doctor_id"],
            true,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["hq_doctor_day", "hq_day", "hq_clinic"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
