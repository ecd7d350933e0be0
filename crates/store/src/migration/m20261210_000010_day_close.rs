//! Closing the day (issue 23; domain.md "Money: discounts, e-barimt, closing the day, what is
//! owed"): `day_close`, one row per local date: the expected amount per payment method from
//! the day's payments when it was closed, the amounts counted, a note, who closed it and when,
//! and who reopened it (a reopened day takes payments again until it is closed anew).

use super::schema::{TableBuilder, index};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        TableBuilder::new(b, "day_close")
            .id("day_close_id")
            .date("day")
            .big_int("expected_cash")
            .big_int("expected_card")
            .big_int("expected_transfer")
            .big_int("expected_qpay")
            .big_int("counted_cash")
            .big_int("counted_card")
            .big_int("counted_transfer")
            .big_int("counted_qpay")
            .text_null("note")
            .timestamp("closed_at")
            .big_int_null("closed_by")
            .timestamp_null("reopened_at")
            .big_int_null("reopened_by")
            .references("closed_by", "user", "user_id")
            .references("reopened_by", "user", "user_id")
            .create(manager)
            .await?;
        index(manager, "day_close", &["day"], true).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("day_close").to_owned())
            .await
    }
}
