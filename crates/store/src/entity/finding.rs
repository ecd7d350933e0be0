use sea_orm::entity::prelude::*;

/// What a doctor found on a tooth of a patient (an FDI row of `tooth_definition`); resolved,
/// never deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "finding")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub finding_id: i64,
    pub patient_id: i64,
    pub tooth_id: i64,
    /// `dcms_domain::FindingKind` code.
    pub kind: i16,
    /// `dcms_domain::Surfaces` bits, 0 for none.
    pub surfaces: i32,
    pub note: Option<String>,
    pub recorded_at: ChronoDateTimeUtc,
    /// The employee who recorded it (none for an account without one).
    pub recorded_by: Option<i64>,
    pub resolved_at: Option<ChronoDateTimeUtc>,
    /// The treatment item that fixed it, when one did.
    pub resolved_by_item_id: Option<i64>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
