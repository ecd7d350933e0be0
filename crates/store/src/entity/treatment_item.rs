use sea_orm::entity::prelude::*;

/// A service done in a treatment, with the catalog's unit price copied when it was recorded
/// (later price changes never alter it) and its place in the treatment's order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "treatment_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub treatment_item_id: i64,
    pub treatment_id: i64,
    pub service_id: i64,
    /// The scope code (`dcms_domain::TreatmentScope`).
    pub scope: i16,
    /// The dentition the item named (`dcms_domain::Dentition`), if any.
    pub dentition: Option<i16>,
    /// Whole tugrik per unit (per tooth for single and multi tooth), not negative.
    pub price: i64,
    /// The order within the treatment, from 1.
    pub position: i32,
    pub note: Option<String>,
    /// `dcms_domain::Surfaces` bits of the surfaces done, 0 for none.
    pub surfaces: i32,
    /// Whole tugrik off the item's list price (`price × quantity`), 0 for none, at most the
    /// list price.
    pub discount: i64,
    /// The percent the discount was given as (recomputed when the teeth change), if any.
    pub discount_percent: Option<i32>,
    pub discount_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
