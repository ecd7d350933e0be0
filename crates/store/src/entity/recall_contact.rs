use sea_orm::entity::prelude::*;

/// An SMS sent or a call made about a recall.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recall_contact")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub recall_contact_id: i64,
    pub recall_id: i64,
    /// 1 SMS, 2 call.
    pub channel: i16,
    pub note: Option<String>,
    /// The SMS queued (channel SMS).
    pub sms_outbox_id: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
    pub created_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
