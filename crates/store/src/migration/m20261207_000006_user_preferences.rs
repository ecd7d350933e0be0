//! What a user chose for their own screens (issue 19): `user_preference`, one row per user
//! who has chosen anything, one nullable column per choice. The first is the appointment
//! book's doctors (`book_doctor_ids`: the employee ids shown as columns, comma-separated, in
//! the order chosen; null shows every doctor). A preference is not part of the clinic's
//! record, so it is not audited.

use super::schema::TableBuilder;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        TableBuilder::new(manager.get_database_backend(), "user_preference")
            .fixed_id("user_id")
            .text_null("book_doctor_ids")
            .timestamp("updated_at")
            .references("user_id", "user", "user_id")
            .create(manager)
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("user_preference").to_owned())
            .await
    }
}
