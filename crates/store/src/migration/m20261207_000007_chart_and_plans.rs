//! The dentist's chart and treatment plans (issue 20; domain.md "Tooth findings and
//! surfaces", "Treatment plans and estimates"):
//!
//! - `finding`: what a doctor found on a tooth of a patient (an FDI row of
//!   `tooth_definition`): a kind (`dcms_domain::FindingKind`), surfaces (a bit set,
//!   `dcms_domain::Surfaces`, 0 for none), a note, who recorded it (the employee) and when;
//!   resolved, never deleted: `resolved_at`, and the treatment item that fixed it when one did;
//! - `treatment_plan`: a patient's plan with a doctor, title, note, status
//!   (`dcms_domain::PlanStatus`), a discount in whole tugrik and the instants of its moves;
//! - `treatment_plan_item`: a planned service with its scope, surfaces, phase, the price
//!   copied when it was added, status (`dcms_domain::PlanItemStatus`), the finding it treats
//!   and the treatment item that did it; `treatment_plan_item_tooth` its teeth;
//! - `treatment_item.surfaces`: the surfaces a done item covered (0 for none), added with a
//!   default so existing items keep none;
//! - `settings.estimate_valid_days`: how long an estimate's prices hold (90 by default), and
//!   `settings.clinic_contacts`: the address and phones printed on estimates (none by
//!   default).
//!
//! The links go from the new tables to the old (`finding.resolved_by_item_id`,
//! `treatment_plan_item.treatment_item_id`), so every foreign key is declared with its table
//! (SQLite cannot add one to an existing table).

use super::schema::{TableBuilder, index};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn codes(from: i16, to: i16) -> Vec<i16> {
    (from..=to).collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        let t = |name| TableBuilder::new(b, name);
        t("finding")
            .id("finding_id")
            .big_int("patient_id")
            .big_int("tooth_id")
            .enumeration("kind", &codes(1, 13))
            .int_default("surfaces", 0)
            .text_null("note")
            .timestamp("recorded_at")
            .big_int_null("recorded_by")
            .timestamp_null("resolved_at")
            .big_int_null("resolved_by_item_id")
            .timestamp("updated_at")
            .references("patient_id", "patient", "patient_id")
            .references("tooth_id", "tooth_definition", "tooth_id")
            .references("recorded_by", "employee", "employee_id")
            .references("resolved_by_item_id", "treatment_item", "treatment_item_id")
            .create(manager)
            .await?;
        index(manager, "finding", &["patient_id", "tooth_id"], false).await?;
        index(manager, "finding", &["resolved_by_item_id"], false).await?;

        t("treatment_plan")
            .id("plan_id")
            .big_int("patient_id")
            .big_int("doctor_id")
            .string_null("title", 200)
            .text_null("note")
            .enumeration("status", &codes(1, 6))
            .big_int("discount")
            .text_null("cancel_reason")
            .timestamp("created_at")
            .timestamp("updated_at")
            .timestamp_null("presented_at")
            .timestamp_null("accepted_at")
            .timestamp_null("closed_at")
            .check("discount", Expr::col("discount").gte(0))
            .references("patient_id", "patient", "patient_id")
            .references("doctor_id", "employee", "employee_id")
            .create(manager)
            .await?;
        index(manager, "treatment_plan", &["patient_id", "plan_id"], false).await?;

        t("treatment_plan_item")
            .id("plan_item_id")
            .big_int("plan_id")
            .big_int("service_id")
            .enumeration("scope", &codes(0, 5))
            .enumeration_null("dentition", &codes(0, 1))
            .int_default("surfaces", 0)
            .int("phase")
            .big_int("price")
            .enumeration("status", &codes(1, 3))
            .big_int_null("finding_id")
            .big_int_null("treatment_item_id")
            .text_null("note")
            .int("position")
            .check("phase", Expr::col("phase").between(1, 20))
            .check("price", Expr::col("price").gte(0))
            .references("plan_id", "treatment_plan", "plan_id")
            .references("service_id", "service_catalog", "service_id")
            .references("finding_id", "finding", "finding_id")
            .references("treatment_item_id", "treatment_item", "treatment_item_id")
            .create(manager)
            .await?;
        index(
            manager,
            "treatment_plan_item",
            &["plan_id", "position"],
            false,
        )
        .await?;
        index(
            manager,
            "treatment_plan_item",
            &["treatment_item_id"],
            false,
        )
        .await?;
        index(manager, "treatment_plan_item", &["finding_id"], false).await?;

        t("treatment_plan_item_tooth")
            .id("plan_item_tooth_id")
            .big_int("plan_item_id")
            .big_int("tooth_id")
            .references_cascade("plan_item_id", "treatment_plan_item", "plan_item_id")
            .references("tooth_id", "tooth_definition", "tooth_id")
            .create(manager)
            .await?;
        index(
            manager,
            "treatment_plan_item_tooth",
            &["plan_item_id", "tooth_id"],
            true,
        )
        .await?;

        for (table, column, default) in [
            ("treatment_item", "surfaces", 0),
            ("settings", "estimate_valid_days", 90),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(ColumnDef::new(column).integer().not_null().default(default))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("settings")
                    .add_column(ColumnDef::new("clinic_contacts").string_len(300).null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            ("settings", "clinic_contacts"),
            ("settings", "estimate_valid_days"),
            ("treatment_item", "surfaces"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        for table in [
            "treatment_plan_item_tooth",
            "treatment_plan_item",
            "treatment_plan",
            "finding",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
