use sea_orm::entity::prelude::*;

/// A patient's treatment plan with a doctor; never deleted (canceled instead).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "treatment_plan")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub plan_id: i64,
    pub patient_id: i64,
    pub doctor_id: i64,
    pub title: Option<String>,
    pub note: Option<String>,
    /// `dcms_domain::PlanStatus` code.
    pub status: i16,
    /// Whole tugrik off the plan's total.
    pub discount: i64,
    /// The percent the discount was given as (recomputed from the subtotal), if any.
    pub discount_percent: Option<i32>,
    pub discount_reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    pub presented_at: Option<ChronoDateTimeUtc>,
    pub accepted_at: Option<ChronoDateTimeUtc>,
    /// When it was completed, rejected or canceled.
    pub closed_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
