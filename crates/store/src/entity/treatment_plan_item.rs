use sea_orm::entity::prelude::*;

/// A planned service, with the catalog's unit price copied when it was added.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "treatment_plan_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub plan_item_id: i64,
    pub plan_id: i64,
    pub service_id: i64,
    /// `dcms_domain::TreatmentScope` code.
    pub scope: i16,
    pub dentition: Option<i16>,
    /// `dcms_domain::Surfaces` bits, 0 for none.
    pub surfaces: i32,
    /// From 1.
    pub phase: i32,
    pub price: i64,
    /// `dcms_domain::PlanItemStatus` code.
    pub status: i16,
    /// The finding it treats.
    pub finding_id: Option<i64>,
    /// The treatment item that did it.
    pub treatment_item_id: Option<i64>,
    pub note: Option<String>,
    /// The order within the plan.
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
