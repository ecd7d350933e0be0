//! The front desk (issue 22; domain.md "Doctors' hours, chairs, recall, arrivals, requests
//! from the portal"):
//!
//! - `chair`: the clinic's chairs (rooms): a name (unique), active, the order they are shown in;
//! - `working_hours`: a doctor's weekly template, one row per interval of a weekday (1 Monday to
//!   7 Sunday), minutes since local midnight, optionally the chair they usually work in;
//! - `schedule_exception`: a date on which a doctor is off, on vacation, sick (the whole day,
//!   or only the hours given) or works extra hours;
//! - `appointment.chair_id` (checked by the booking service: SQLite cannot add a foreign key
//!   to an existing table) and `appointment.arrived_at`, the moment the status became came;
//! - `service_catalog.recall_months`: the recall interval a service sets when it is done;
//! - `recall`: a patient's next recall for a service (one row per patient and service), its
//!   state (due, booked, stopped), the appointment that booked it, the last contact;
//!   `recall_contact` every SMS or call about it;
//! - `appointment_request`: what a patient asked for in the portal, and the answer;
//! - `settings.recall_template`: the recall SMS (Mongolian by default; a `varchar(480)` since
//!   MariaDB cannot give `TEXT` a default).

use super::schema::{TableBuilder, index};
use sea_orm_migration::prelude::*;

/// The recall SMS a new clinic starts with.
pub const DEFAULT_RECALL_TEMPLATE: &str = "Сайн байна уу, {patient}! {clinic}: таны {service} хийлгэх хугацаа {date}-нд болж байна. Цаг авах бол бидэн рүү залгана уу.";

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn add_column(
    manager: &SchemaManager<'_>,
    table: &'static str,
    column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).add_column(column).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        let t = |name| TableBuilder::new(b, name);
        t("chair")
            .id("chair_id")
            .string("name", 100)
            .boolean("active", true)
            .int_default("position", 0)
            .create(manager)
            .await?;
        index(manager, "chair", &["name"], true).await?;

        t("working_hours")
            .id("working_hours_id")
            .big_int("employee_id")
            .int("weekday")
            .int("start_minute")
            .int("end_minute")
            .big_int_null("chair_id")
            .check("weekday", Expr::col("weekday").between(1, 7))
            .check(
                "minutes",
                Expr::col("start_minute")
                    .gte(0)
                    .and(Expr::col("end_minute").gt(Expr::col("start_minute")))
                    .and(Expr::col("end_minute").lte(1440)),
            )
            .references_cascade("employee_id", "employee", "employee_id")
            .references("chair_id", "chair", "chair_id")
            .create(manager)
            .await?;
        index(manager, "working_hours", &["employee_id", "weekday"], false).await?;

        t("schedule_exception")
            .id("exception_id")
            .big_int("employee_id")
            .date("day")
            .enumeration("kind", &[1, 2, 3, 4])
            .int_null("start_minute")
            .int_null("end_minute")
            .text_null("note")
            .timestamp("created_at")
            .big_int_null("created_by")
            .references_cascade("employee_id", "employee", "employee_id")
            .references("created_by", "user", "user_id")
            .create(manager)
            .await?;
        index(
            manager,
            "schedule_exception",
            &["employee_id", "day"],
            false,
        )
        .await?;
        index(manager, "schedule_exception", &["day"], false).await?;

        add_column(
            manager,
            "appointment",
            ColumnDef::new("chair_id").big_integer().null().to_owned(),
        )
        .await?;
        add_column(
            manager,
            "appointment",
            TableBuilder::timestamp_def(b, "arrived_at")
                .null()
                .to_owned(),
        )
        .await?;
        index(manager, "appointment", &["chair_id", "start_at"], false).await?;
        add_column(
            manager,
            "service_catalog",
            ColumnDef::new("recall_months").integer().null().to_owned(),
        )
        .await?;
        add_column(
            manager,
            "settings",
            ColumnDef::new("recall_template")
                .string_len(480)
                .not_null()
                .default(DEFAULT_RECALL_TEMPLATE.to_owned())
                .to_owned(),
        )
        .await?;

        t("recall")
            .id("recall_id")
            .big_int("patient_id")
            .big_int("service_id")
            .big_int_null("doctor_id")
            .date("due_date")
            .enumeration("state", &[1, 2, 3])
            .big_int_null("appointment_id")
            .timestamp_null("last_contact_at")
            .timestamp("created_at")
            .timestamp("updated_at")
            .references("patient_id", "patient", "patient_id")
            .references("service_id", "service_catalog", "service_id")
            .references("doctor_id", "employee", "employee_id")
            .references("appointment_id", "appointment", "appointment_id")
            .create(manager)
            .await?;
        index(manager, "recall", &["patient_id", "service_id"], true).await?;
        index(manager, "recall", &["state", "due_date"], false).await?;
        index(manager, "recall", &["appointment_id"], false).await?;

        t("recall_contact")
            .id("recall_contact_id")
            .big_int("recall_id")
            .enumeration("channel", &[1, 2])
            .text_null("note")
            .big_int_null("sms_outbox_id")
            .timestamp("created_at")
            .big_int_null("created_by")
            .references_cascade("recall_id", "recall", "recall_id")
            .references("sms_outbox_id", "sms_outbox", "sms_outbox_id")
            .references("created_by", "user", "user_id")
            .create(manager)
            .await?;
        index(manager, "recall_contact", &["recall_id"], false).await?;

        t("appointment_request")
            .id("request_id")
            .big_int("patient_id")
            .text("preferred")
            .text_null("reason")
            .enumeration("status", &[1, 2, 3])
            .big_int_null("appointment_id")
            .text_null("answer")
            .timestamp("created_at")
            .big_int_null("created_by")
            .timestamp_null("answered_at")
            .big_int_null("answered_by")
            .references("patient_id", "patient", "patient_id")
            .references("appointment_id", "appointment", "appointment_id")
            .references("created_by", "user", "user_id")
            .references("answered_by", "user", "user_id")
            .create(manager)
            .await?;
        index(
            manager,
            "appointment_request",
            &["patient_id", "status"],
            false,
        )
        .await?;
        index(
            manager,
            "appointment_request",
            &["status", "request_id"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "appointment_request",
            "recall_contact",
            "recall",
            "schedule_exception",
            "working_hours",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_appointment_chair_id_start_at")
                    .table("appointment")
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            ("settings", "recall_template"),
            ("service_catalog", "recall_months"),
            ("appointment", "arrived_at"),
            ("appointment", "chair_id"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table("chair").to_owned())
            .await?;
        Ok(())
    }
}
