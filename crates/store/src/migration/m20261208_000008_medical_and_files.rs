//! Medical history and the files kept with the record (issue 21; domain.md "Medical history
//! and alerts", "Attachments"):
//!
//! - `medical_history`: one row per version of a patient's history (`version` 1, 2, ...;
//!   unique per patient, so two writers of the same version cannot both land): allergies and
//!   conditions as JSON arrays (`dcms_domain::Allergy`, `ConditionEntry`), medications,
//!   notes, when it was last reviewed with the patient, who wrote the version and when;
//! - `attachment`: a file on a patient's record: kind (`dcms_domain::AttachmentKind`), the
//!   name it came with, its media type from its first bytes, size, SHA-256 (the content's
//!   name on disk), when it was taken, the treatment it belongs to, a note, who uploaded it,
//!   whether it has a thumbnail; hidden (`deleted_at`, `deleted_by`) rather than deleted, and
//!   `purged_at` once an admin removed its content; `attachment_tooth` its teeth;
//! - `medical_questionnaire`: what a patient answered on the tablet (JSON of the same shape as
//!   a history, and the signature drawn, a PNG data URL), waiting for clinical staff to review
//!   it into a new version (`reviewed_at`, `reviewed_by`, the version it became);
//! - `service_catalog.consent_text`: the consent a service asks the patient to sign;
//! - `settings.attachment_limit_mib`: the largest file accepted (25 MiB by default).

use super::schema::{TableBuilder, index};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        let t = |name| TableBuilder::new(b, name);
        t("medical_history")
            .id("medical_history_id")
            .big_int("patient_id")
            .int("version")
            .text("allergies")
            .text("conditions")
            .text_null("medications")
            .text_null("notes")
            .timestamp_null("reviewed_at")
            .timestamp("updated_at")
            .big_int_null("updated_by")
            .check("version", Expr::col("version").gte(1))
            .references("patient_id", "patient", "patient_id")
            .references("updated_by", "user", "user_id")
            .create(manager)
            .await?;
        index(manager, "medical_history", &["patient_id", "version"], true).await?;

        t("attachment")
            .id("attachment_id")
            .big_int("patient_id")
            .enumeration("kind", &[1, 2, 3, 4])
            .string("file_name", 255)
            .string("content_type", 100)
            .big_int("size")
            .key("sha256", 64)
            .timestamp_null("taken_at")
            .big_int_null("treatment_id")
            .text_null("note")
            .big_int_null("uploaded_by")
            .timestamp("created_at")
            .boolean("has_thumbnail", false)
            .timestamp_null("deleted_at")
            .big_int_null("deleted_by")
            .timestamp_null("purged_at")
            .check("size", Expr::col("size").gte(0))
            .references("patient_id", "patient", "patient_id")
            .references("treatment_id", "treatment", "treatment_id")
            .references("uploaded_by", "user", "user_id")
            .references("deleted_by", "user", "user_id")
            .create(manager)
            .await?;
        index(
            manager,
            "attachment",
            &["patient_id", "attachment_id"],
            false,
        )
        .await?;
        index(manager, "attachment", &["sha256"], false).await?;
        index(manager, "attachment", &["treatment_id"], false).await?;

        t("attachment_tooth")
            .id("attachment_tooth_id")
            .big_int("attachment_id")
            .big_int("tooth_id")
            .references_cascade("attachment_id", "attachment", "attachment_id")
            .references("tooth_id", "tooth_definition", "tooth_id")
            .create(manager)
            .await?;
        index(
            manager,
            "attachment_tooth",
            &["attachment_id", "tooth_id"],
            true,
        )
        .await?;
        index(manager, "attachment_tooth", &["tooth_id"], false).await?;

        t("medical_questionnaire")
            .id("questionnaire_id")
            .big_int("patient_id")
            .text("answers")
            .text_null("signature")
            .timestamp("submitted_at")
            .big_int_null("submitted_by")
            .timestamp_null("reviewed_at")
            .big_int_null("reviewed_by")
            .int_null("version")
            .references("patient_id", "patient", "patient_id")
            .references("submitted_by", "user", "user_id")
            .references("reviewed_by", "user", "user_id")
            .create(manager)
            .await?;
        index(
            manager,
            "medical_questionnaire",
            &["patient_id", "questionnaire_id"],
            false,
        )
        .await?;

        manager
            .alter_table(
                Table::alter()
                    .table("service_catalog")
                    .add_column(ColumnDef::new("consent_text").text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("settings")
                    .add_column(
                        ColumnDef::new("attachment_limit_mib")
                            .integer()
                            .not_null()
                            .default(25),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            ("settings", "attachment_limit_mib"),
            ("service_catalog", "consent_text"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        for table in [
            "medical_questionnaire",
            "attachment_tooth",
            "attachment",
            "medical_history",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
