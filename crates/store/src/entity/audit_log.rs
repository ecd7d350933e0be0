use sea_orm::entity::prelude::*;

/// One row of the audit trail. Rows are only ever inserted (by `crate::audit::append`), never
/// updated or deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    /// Chosen by the appender: the chain head's `last_audit_id + 1`, so ids are gap-free.
    #[sea_orm(primary_key, auto_increment = false)]
    pub audit_id: i64,
    pub at: ChronoDateTimeUtc,
    pub user_id: Option<i64>,
    pub session_token_id: Option<i64>,
    /// `create`, `update`, `delete`, `read`, or a named action (`login`, `status`, ...).
    pub action: String,
    /// The seed's name of the table the action touched.
    pub table_name: String,
    pub row_id: Option<i64>,
    /// JSON text `{field: [old, new]}`, secrets left out.
    pub changes: Option<String>,
    /// HMAC-SHA256 of this row chained to the previous row's, 64 lower-case hex digits.
    pub hmac: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
