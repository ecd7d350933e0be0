//! Money (issue 23; domain.md "Money: discounts, e-barimt, closing the day, what is owed"):
//!
//! - discounts: `treatment_item.discount` (whole tugrik off the item's list price, 0 for none),
//!   `discount_percent` (when given as a percent, kept so a change of teeth recomputes it) and
//!   `discount_reason`; the same percent and reason on `treatment_plan` (its `discount` amount
//!   is older); `settings.discount_threshold_percent` (10 by default);
//! - e-barimt: the clinic's PosAPI settings (`settings.ebarimt_*`, off by default, the
//!   clinic-wide tax type `VAT_FREE`), each service's `tax_type` (none: the clinic's) and
//!   `classification_code`, the payer organisation's `payment.customer_tin` (B2B), and
//!   `ebarimt_receipt`, the crash-safe outbox of receipts issued and returned: one row per
//!   receipt to issue (`bill_id_suffix` unique, the idempotency key) or to return, with the
//!   request as it will be sent, the answer's id, lottery and QR data, attempts and the last
//!   error.

use super::schema::{TableBuilder, index};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn add(
    manager: &SchemaManager<'_>,
    table: &'static str,
    mut column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

fn string_null(name: &'static str, len: u32) -> ColumnDef {
    ColumnDef::new(name).string_len(len).null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        let item = "treatment_item";
        add(
            manager,
            item,
            ColumnDef::new("discount")
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            item,
            ColumnDef::new("discount_percent")
                .integer()
                .null()
                .to_owned(),
        )
        .await?;
        add(manager, item, string_null("discount_reason", 200)).await?;
        let plan = "treatment_plan";
        add(
            manager,
            plan,
            ColumnDef::new("discount_percent")
                .integer()
                .null()
                .to_owned(),
        )
        .await?;
        add(manager, plan, string_null("discount_reason", 200)).await?;
        let s = "settings";
        add(
            manager,
            s,
            ColumnDef::new("discount_threshold_percent")
                .integer()
                .not_null()
                .default(10)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            s,
            ColumnDef::new("ebarimt_enabled")
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        )
        .await?;
        add(manager, s, string_null("ebarimt_url", 300)).await?;
        add(manager, s, string_null("ebarimt_merchant_tin", 20)).await?;
        add(manager, s, string_null("ebarimt_pos_no", 20)).await?;
        add(manager, s, string_null("ebarimt_branch_no", 10)).await?;
        add(manager, s, string_null("ebarimt_district_code", 10)).await?;
        add(
            manager,
            s,
            ColumnDef::new("ebarimt_default_tax_type")
                .string_len(10)
                .not_null()
                .default("VAT_FREE".to_owned())
                .to_owned(),
        )
        .await?;
        add(manager, s, string_null("ebarimt_data_sent_on", 10)).await?;
        add(manager, "service_catalog", string_null("tax_type", 10)).await?;
        add(
            manager,
            "service_catalog",
            string_null("classification_code", 20),
        )
        .await?;
        add(manager, "payment", string_null("customer_tin", 14)).await?;

        TableBuilder::new(b, "ebarimt_receipt")
            .id("receipt_id")
            .big_int("payment_id")
            .big_int("treatment_id")
            .enumeration("kind", &[1, 2])
            .big_int_null("returns_receipt_id")
            .big_int("amount")
            .string_null("bill_id_suffix", 20)
            .enumeration("state", &[1, 2, 3, 4, 5, 6])
            .text("request")
            .string_null("ebarimt_id", 40)
            .string_null("lottery", 20)
            .text_null("qr_data")
            .string_null("ebarimt_date", 20)
            .int_default("attempts", 0)
            .timestamp("next_attempt_at")
            .text_null("last_error")
            .timestamp_null("issued_at")
            .timestamp("created_at")
            .timestamp("updated_at")
            .references("payment_id", "payment", "payment_id")
            .references("treatment_id", "treatment", "treatment_id")
            .create(manager)
            .await?;
        index(manager, "ebarimt_receipt", &["bill_id_suffix"], true).await?;
        index(
            manager,
            "ebarimt_receipt",
            &["state", "next_attempt_at"],
            false,
        )
        .await?;
        index(manager, "ebarimt_receipt", &["payment_id"], false).await?;
        index(manager, "ebarimt_receipt", &["treatment_id"], false).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("ebarimt_receipt").to_owned())
            .await
    }
}
