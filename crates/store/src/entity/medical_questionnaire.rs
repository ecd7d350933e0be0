use sea_orm::entity::prelude::*;

/// What a patient answered on the clinic's tablet, waiting for clinical staff's review.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "medical_questionnaire")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub questionnaire_id: i64,
    pub patient_id: i64,
    /// JSON: `{allergies, conditions, medications}` as a history has them.
    pub answers: String,
    /// The signature drawn on the tablet, a `data:image/png;base64,` URL.
    pub signature: Option<String>,
    pub submitted_at: ChronoDateTimeUtc,
    pub submitted_by: Option<i64>,
    pub reviewed_at: Option<ChronoDateTimeUtc>,
    pub reviewed_by: Option<i64>,
    /// The history version the review wrote.
    pub version: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
