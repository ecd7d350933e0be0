use sea_orm::entity::prelude::*;

/// One version of a patient's medical history; every change adds a version, none is changed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "medical_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub medical_history_id: i64,
    pub patient_id: i64,
    /// 1, 2, ... per patient (unique with `patient_id`).
    pub version: i32,
    /// JSON array of `dcms_domain::Allergy`.
    pub allergies: String,
    /// JSON array of `dcms_domain::ConditionEntry`.
    pub conditions: String,
    pub medications: Option<String>,
    pub notes: Option<String>,
    pub reviewed_at: Option<ChronoDateTimeUtc>,
    pub updated_at: ChronoDateTimeUtc,
    /// The user who wrote this version.
    pub updated_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
