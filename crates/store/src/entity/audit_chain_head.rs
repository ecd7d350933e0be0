use sea_orm::entity::prelude::*;

/// The single row (`head_id` = 1) naming the newest audit row; every append locks it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_chain_head")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub head_id: i64,
    /// The newest audit row's id (0 while the log is empty).
    pub last_audit_id: i64,
    /// The newest audit row's HMAC (empty while the log is empty).
    pub last_hmac: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
