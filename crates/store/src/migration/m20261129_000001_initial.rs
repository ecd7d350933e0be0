//! The whole seed schema (the clinic's original table list) with the project's decisions,
//! and the additions audit_log, audit_chain_head, payment, settings, sms_outbox and
//! employee_display_number_counter. `docs/schema.md` explains every decision and every
//! departure from the seed.

use super::schema::{TableBuilder, index};
use dcms_domain::{ToothSystem, all_teeth};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Codes of an enumeration with variants `0..=max`.
fn codes(max: i16) -> Vec<i16> {
    (0..=max).collect()
}

/// Default weekly opening hours (local time of the clinic).
pub const DEFAULT_OPENING_HOURS: &str = r#"{"mon":[["09:00","18:00"]],"tue":[["09:00","18:00"]],"wed":[["09:00","18:00"]],"thu":[["09:00","18:00"]],"fri":[["09:00","18:00"]],"sat":[["10:00","15:00"]],"sun":[]}"#;

/// Tables in creation order (every table after the ones it references).
const TABLES: &[&str] = &[
    "user",
    "session_token",
    "settings",
    "position",
    "employee",
    "employee_display_number_counter",
    "employee_phone",
    "employee_position",
    "patient",
    "patient_phone",
    "service_catalog",
    "tooth_definition",
    "appointment",
    "treatment",
    "treatment_item",
    "treatment_item_tooth",
    "payment",
    "call",
    "sms",
    "sms_outbox",
    "audit_log",
    "audit_chain_head",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        let t = |name| TableBuilder::new(b, name);

        // --- accounts -------------------------------------------------------------------
        t("user")
            .id("user_id")
            .string("username", 255)
            .key("username_key", 255)
            .string("display_name", 255)
            .string("password_hash", 255)
            .enumeration("roles", &codes(4))
            .timestamp("created_at")
            .timestamp_null("disabled_at")
            .create(manager)
            .await?;
        index(manager, "user", &["username_key"], true).await?;

        t("session_token")
            .id("session_token_id")
            .big_int("user_id")
            .string("session_token_hash", 255)
            // 0 (undefined) must never be stored.
            .enumeration("session_type", &[1, 2, 3])
            .string_null("device_name", 255)
            .timestamp("expires_at")
            .timestamp("created_at")
            .timestamp("last_seen_at")
            .timestamp_null("revoked_at")
            .references("user_id", "user", "user_id")
            .create(manager)
            .await?;
        index(manager, "session_token", &["user_id", "created_at"], false).await?;

        t("settings")
            .fixed_id("settings_id")
            .string_default("clinic_name", 255, "DCMS")
            .string_default("clinic_code", 32, "")
            .string_default("time_zone", 64, "Asia/Ulaanbaatar")
            .text("opening_hours")
            .enumeration("tooth_notation", &codes(2))
            .string_default("language", 8, "mn")
            .timestamp("updated_at")
            .check("singleton", Expr::col("settings_id").eq(1))
            .check("language", Expr::col("language").is_in(["mn", "en"]))
            .create(manager)
            .await?;

        // --- staff ----------------------------------------------------------------------
        t("position")
            .id("position_id")
            .string("position_type", 50)
            .string("display_name", 255)
            .enumeration("category", &codes(2))
            .boolean("is_active", true)
            .text_null("description")
            .create(manager)
            .await?;
        index(manager, "position", &["position_type"], true).await?;

        t("employee")
            .id("employee_id")
            .big_int("employee_display_number")
            .big_int_null("user_id")
            .string("first_name", 255)
            .string("last_name", 255)
            .key("first_name_key", 255)
            .key("last_name_key", 255)
            .enumeration("gender", &codes(2))
            .enumeration("status", &codes(4))
            .date_null("birthday")
            .string_null("email", 255)
            .string_null("home_address", 255)
            .date_null("hired_at")
            .date_null("fired_at")
            .timestamp("created_at")
            .timestamp("last_updated_at")
            .references("user_id", "user", "user_id")
            .create(manager)
            .await?;
        index(manager, "employee", &["employee_display_number"], true).await?;
        index(manager, "employee", &["user_id"], true).await?;
        index(
            manager,
            "employee",
            &["last_name_key", "first_name_key"],
            false,
        )
        .await?;

        // One row: the next employee display number, read and advanced under a row lock so
        // numbers are assigned in order and never reused.
        t("employee_display_number_counter")
            .fixed_id("counter_id")
            .big_int("next_value")
            .check("singleton", Expr::col("counter_id").eq(1))
            .check("positive", Expr::col("next_value").gt(0))
            .create(manager)
            .await?;

        t("employee_phone")
            .id("phone_number_id")
            .big_int("employee_id")
            .string("phone_number_val", 32)
            .string("label", 255)
            .boolean("is_primary", false)
            .timestamp("created_at")
            .timestamp("updated_at")
            .references("employee_id", "employee", "employee_id")
            .create(manager)
            .await?;
        index(manager, "employee_phone", &["employee_id"], false).await?;
        index(manager, "employee_phone", &["phone_number_val"], false).await?;

        t("employee_position")
            .id("employee_position_id")
            .big_int("employee_id")
            .big_int("position_id")
            .boolean("is_primary", false)
            .date("started_at")
            .date_null("ended_at")
            .check(
                "dates",
                Expr::col("ended_at")
                    .is_null()
                    .or(Expr::col("ended_at").gte(Expr::col("started_at"))),
            )
            .references("employee_id", "employee", "employee_id")
            .references("position_id", "position", "position_id")
            .create(manager)
            .await?;
        index(manager, "employee_position", &["employee_id"], false).await?;
        index(manager, "employee_position", &["position_id"], false).await?;

        // --- patients -------------------------------------------------------------------
        t("patient")
            .id("patient_id")
            .big_int_null("user_id")
            .string("register_number", 10)
            .string("first_name", 30)
            .string("last_name", 30)
            .key("first_name_key", 120)
            .key("last_name_key", 120)
            .string_null("email", 255)
            .date("birthday")
            .enumeration("gender", &codes(2))
            .enumeration("status", &codes(3))
            .boolean("sms_reminder_opt_out", false)
            .timestamp("created_at")
            .timestamp_null("last_seen_at")
            .references("user_id", "user", "user_id")
            .create(manager)
            .await?;
        index(manager, "patient", &["register_number"], true).await?;
        index(manager, "patient", &["user_id"], true).await?;
        index(
            manager,
            "patient",
            &["last_name_key", "first_name_key", "patient_id"],
            false,
        )
        .await?;
        index(
            manager,
            "patient",
            &["first_name_key", "last_name_key", "patient_id"],
            false,
        )
        .await?;
        index(manager, "patient", &["created_at"], false).await?;

        t("patient_phone")
            .id("phone_number_id")
            .big_int("patient_id")
            .string("phone_number_val", 32)
            .string("label", 255)
            .boolean("is_primary", false)
            .timestamp("created_at")
            .timestamp("updated_at")
            .references("patient_id", "patient", "patient_id")
            .create(manager)
            .await?;
        index(manager, "patient_phone", &["patient_id"], false).await?;
        index(manager, "patient_phone", &["phone_number_val"], false).await?;

        // --- catalog and teeth ----------------------------------------------------------
        t("service_catalog")
            .id("service_id")
            .string("service_type", 255)
            .int_default("default_duration_time", 30)
            .int("display_number")
            .text("doctor_display_name")
            .text("patient_display_name")
            .text_null("disclaimer")
            .big_int("price")
            .boolean("is_active", true)
            .timestamp("created_at")
            .timestamp("updated_at")
            .check("price", Expr::col("price").gte(0))
            .check("duration", Expr::col("default_duration_time").gt(0))
            .create(manager)
            .await?;
        index(
            manager,
            "service_catalog",
            &["service_type", "display_number"],
            true,
        )
        .await?;

        t("tooth_definition")
            .fixed_id("tooth_id")
            .enumeration("system", &codes(2))
            .string("code", 8)
            .enumeration("arch", &codes(1))
            .int("quadrant")
            .int("index_in_quadrant")
            .enumeration("dentition", &codes(1))
            .string("ui_key", 32)
            .string("name", 64)
            .check("quadrant", Expr::col("quadrant").between(1, 4))
            .check("index", Expr::col("index_in_quadrant").between(1, 8))
            .create(manager)
            .await?;
        index(manager, "tooth_definition", &["system", "code"], true).await?;
        index(manager, "tooth_definition", &["system", "ui_key"], true).await?;
        seed_teeth(manager).await?;

        // --- schedule -------------------------------------------------------------------
        t("appointment")
            .id("appointment_id")
            .big_int("patient_id")
            .big_int("doctor_id")
            .big_int_null("receptionist_id")
            .timestamp("start_at")
            .timestamp("end_at")
            .enumeration("status", &codes(5))
            .boolean("is_new_patient", false)
            .big_int_null("planned_service")
            .text_null("note")
            .timestamp("created_at")
            .timestamp("updated_at")
            .check("range", Expr::col("end_at").gt(Expr::col("start_at")))
            .references("patient_id", "patient", "patient_id")
            .references("doctor_id", "employee", "employee_id")
            .references("receptionist_id", "employee", "employee_id")
            .references("planned_service", "service_catalog", "service_id")
            .create(manager)
            .await?;
        index(manager, "appointment", &["doctor_id", "start_at"], false).await?;
        index(manager, "appointment", &["patient_id", "start_at"], false).await?;
        index(manager, "appointment", &["start_at"], false).await?;

        // --- clinical -------------------------------------------------------------------
        t("treatment")
            .id("treatment_id")
            .timestamp("treatment_date")
            .big_int("patient_id")
            .big_int("doctor_id")
            .big_int_null("assistant_id")
            .big_int_null("appointment_id")
            .big_int_null("next_appointment_id")
            .text_null("note")
            .timestamp("created_at")
            .timestamp("updated_at")
            .references("patient_id", "patient", "patient_id")
            .references("doctor_id", "employee", "employee_id")
            .references("assistant_id", "employee", "employee_id")
            .references("appointment_id", "appointment", "appointment_id")
            .references("next_appointment_id", "appointment", "appointment_id")
            .create(manager)
            .await?;
        index(
            manager,
            "treatment",
            &["patient_id", "treatment_date"],
            false,
        )
        .await?;
        index(manager, "treatment", &["treatment_date"], false).await?;
        index(manager, "treatment", &["appointment_id"], false).await?;
        index(
            manager,
            "treatment",
            &["doctor_id", "treatment_date"],
            false,
        )
        .await?;

        t("treatment_item")
            .id("treatment_item_id")
            .big_int("treatment_id")
            .big_int("service_id")
            .enumeration("scope", &codes(5))
            .enumeration_null("dentition", &codes(1))
            .big_int("price")
            .int("position")
            .text_null("note")
            .check("price", Expr::col("price").gte(0))
            .references("treatment_id", "treatment", "treatment_id")
            .references("service_id", "service_catalog", "service_id")
            .create(manager)
            .await?;
        index(
            manager,
            "treatment_item",
            &["treatment_id", "position"],
            false,
        )
        .await?;
        index(manager, "treatment_item", &["service_id"], false).await?;

        t("treatment_item_tooth")
            .id("treatment_item_tooth_id")
            .big_int("treatment_item_id")
            .big_int("tooth_id")
            .text_null("note")
            .references_cascade("treatment_item_id", "treatment_item", "treatment_item_id")
            .references("tooth_id", "tooth_definition", "tooth_id")
            .create(manager)
            .await?;
        index(
            manager,
            "treatment_item_tooth",
            &["treatment_item_id", "tooth_id"],
            true,
        )
        .await?;
        index(manager, "treatment_item_tooth", &["tooth_id"], false).await?;

        t("payment")
            .id("payment_id")
            .big_int("treatment_id")
            .big_int("amount")
            .enumeration("method", &codes(3))
            .timestamp("paid_at")
            .big_int_null("received_by")
            .text_null("note")
            .timestamp("created_at")
            .check("amount", Expr::col("amount").ne(0))
            .references("treatment_id", "treatment", "treatment_id")
            .references("received_by", "user", "user_id")
            .create(manager)
            .await?;
        index(manager, "payment", &["treatment_id"], false).await?;
        index(manager, "payment", &["paid_at"], false).await?;

        // --- communications -------------------------------------------------------------
        let contact = |col_type: &str, col_id: &str| {
            Expr::col(col_type.to_owned())
                .eq(0)
                .and(Expr::col(col_id.to_owned()).is_null())
                .or(Expr::col(col_type.to_owned())
                    .ne(0)
                    .and(Expr::col(col_id.to_owned()).is_not_null()))
        };
        t("call")
            .id("call_id")
            .string("phone_number", 32)
            .enumeration("direction", &codes(1))
            .timestamp("begin_call")
            .timestamp_null("end_call")
            .enumeration("contact_type", &codes(2))
            .big_int_null("contacter_id")
            .text_null("note")
            .check("contacter", contact("contact_type", "contacter_id"))
            .check(
                "times",
                Expr::col("end_call")
                    .is_null()
                    .or(Expr::col("end_call").gte(Expr::col("begin_call"))),
            )
            .create(manager)
            .await?;
        index(manager, "call", &["phone_number", "begin_call"], false).await?;
        index(
            manager,
            "call",
            &["contact_type", "contacter_id", "begin_call"],
            false,
        )
        .await?;
        index(manager, "call", &["begin_call"], false).await?;

        t("sms")
            .id("sms_id")
            .string("phone_number", 32)
            .enumeration("direction", &codes(1))
            .timestamp("time")
            .string_null("subject", 255)
            .text("sms_text")
            .enumeration("contact_type", &codes(2))
            .big_int_null("contacter_id")
            .text_null("note")
            .check("contacter", contact("contact_type", "contacter_id"))
            .create(manager)
            .await?;
        index(manager, "sms", &["phone_number", "time"], false).await?;
        index(
            manager,
            "sms",
            &["contact_type", "contacter_id", "time"],
            false,
        )
        .await?;
        index(manager, "sms", &["time"], false).await?;

        t("sms_outbox")
            .id("sms_outbox_id")
            .string("phone_number", 32)
            .string_null("subject", 255)
            .text("sms_text")
            .enumeration("state", &codes(4))
            .int_default("attempts", 0)
            .timestamp("next_attempt_at")
            .text_null("last_error")
            .string("idempotency_key", 64)
            .big_int_null("appointment_id")
            .timestamp_null("reminder_for_start_at")
            .big_int_null("sms_id")
            .timestamp("created_at")
            .timestamp("updated_at")
            .references("appointment_id", "appointment", "appointment_id")
            .references("sms_id", "sms", "sms_id")
            .create(manager)
            .await?;
        index(manager, "sms_outbox", &["idempotency_key"], true).await?;
        index(manager, "sms_outbox", &["state", "next_attempt_at"], false).await?;
        // One reminder per appointment and start time: a moved appointment is reminded once
        // for its new time.
        index(
            manager,
            "sms_outbox",
            &["appointment_id", "reminder_for_start_at"],
            true,
        )
        .await?;

        // --- audit ----------------------------------------------------------------------
        t("audit_log")
            .id("audit_id")
            .timestamp("at")
            .big_int_null("user_id")
            .big_int_null("session_token_id")
            .string("action", 32)
            .string("table_name", 64)
            .big_int_null("row_id")
            .text_null("changes")
            .string("hmac", 64)
            .references("user_id", "user", "user_id")
            .references("session_token_id", "session_token", "session_token_id")
            .create(manager)
            .await?;
        index(manager, "audit_log", &["table_name", "row_id"], false).await?;
        index(manager, "audit_log", &["user_id"], false).await?;
        index(manager, "audit_log", &["at"], false).await?;

        // One row: the id and HMAC of the newest audit row, taken under a row lock by every
        // append so concurrent writers never fork the chain.
        t("audit_chain_head")
            .fixed_id("head_id")
            .big_int("last_audit_id")
            .string("last_hmac", 64)
            .check("singleton", Expr::col("head_id").eq(1))
            .create(manager)
            .await?;

        seed_singletons(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(*table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The 156 rows of `shared/data/teeth.csv`, `tooth_id` = the row's position (1-based).
async fn seed_teeth(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut insert = Query::insert();
    insert.into_table("tooth_definition").columns([
        "tooth_id",
        "system",
        "code",
        "arch",
        "quadrant",
        "index_in_quadrant",
        "dentition",
        "ui_key",
        "name",
    ]);
    for (i, tooth) in all_teeth().iter().enumerate() {
        insert.values_panic([
            (i as i64 + 1).into(),
            tooth.system.code().into(),
            tooth.code.into(),
            tooth.arch.code().into(),
            i32::from(tooth.quadrant).into(),
            i32::from(tooth.index_in_quadrant).into(),
            tooth.dentition.code().into(),
            tooth.ui_key.into(),
            tooth.name.into(),
        ]);
    }
    manager.exec_stmt(insert).await
}

async fn seed_singletons(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    manager
        .exec_stmt(
            Query::insert()
                .into_table("settings")
                .columns([
                    "settings_id",
                    "clinic_name",
                    "clinic_code",
                    "time_zone",
                    "opening_hours",
                    "tooth_notation",
                    "language",
                    "updated_at",
                ])
                .values_panic([
                    1.into(),
                    "DCMS".into(),
                    "".into(),
                    "Asia/Ulaanbaatar".into(),
                    DEFAULT_OPENING_HOURS.into(),
                    ToothSystem::Fdi.code().into(),
                    "mn".into(),
                    now.into(),
                ])
                .to_owned(),
        )
        .await?;
    manager
        .exec_stmt(
            Query::insert()
                .into_table("employee_display_number_counter")
                .columns(["counter_id", "next_value"])
                .values_panic([1.into(), 1i64.into()])
                .to_owned(),
        )
        .await?;
    manager
        .exec_stmt(
            Query::insert()
                .into_table("audit_chain_head")
                .columns(["head_id", "last_audit_id", "last_hmac"])
                .values_panic([1.into(), 0i64.into(), "".into()])
                .to_owned(),
        )
        .await
}
