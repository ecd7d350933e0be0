//! The clinic's SMS settings, added to the one `settings` row:
//!
//! - `reminder_enabled` (default off): whether the day-before reminders are queued at all;
//!   off by default so that a clinic that has not set up its provider sends nothing;
//! - `reminder_hour` (default 18): the local hour, the day before, from which reminders are
//!   queued;
//! - `reminder_template`: the reminder's text with the placeholders `{patient}`, `{date}`,
//!   `{time}`, `{doctor}`, `{clinic}`; a Mongolian default; at most 480 characters, so it is a
//!   `varchar(480)` (MariaDB/MySQL cannot give a `TEXT` column a default);
//! - `sms_confirm_replies` (default off): whether a reply "1" or "тийм" confirms the
//!   appointment the last reminder to that number was about.
//!
//! Each column is added by its own `ALTER TABLE` (SQLite adds one column per statement) with
//! a default, so the existing row gets the default on every backend. The ranges (hour 0-23,
//! known placeholders) are the settings service's rules: SQLite cannot add a CHECK to an
//! existing table.

use sea_orm_migration::prelude::*;

/// The reminder text a new clinic starts with.
pub const DEFAULT_REMINDER_TEMPLATE: &str = "Сайн байна уу, {patient}! Таныг {date} {time}-д {doctor} эмчид {clinic} эмнэлэгт хүлээж байна. Баталгаажуулах бол 1 гэж хариулна уу.";

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 4] = [
    "reminder_enabled",
    "reminder_hour",
    "reminder_template",
    "sms_confirm_replies",
];

fn column(name: &'static str) -> ColumnDef {
    let mut def = ColumnDef::new(name);
    match name {
        "reminder_hour" => def.integer().not_null().default(18),
        "reminder_template" => def
            .string_len(480)
            .not_null()
            .default(DEFAULT_REMINDER_TEMPLATE.to_owned()),
        _ => def.boolean().not_null().default(false),
    };
    def
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table("settings")
                        .add_column(column(name))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in COLUMNS.iter().rev() {
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
