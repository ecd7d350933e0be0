use sea_orm::entity::prelude::*;

/// A file on a patient's record; its content is stored by `sha256` outside the database.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub attachment_id: i64,
    pub patient_id: i64,
    /// `dcms_domain::AttachmentKind` code.
    pub kind: i16,
    /// The name the file came with (shown and offered on download, never used on disk).
    pub file_name: String,
    /// From the first bytes (`dcms_domain::FileType`).
    pub content_type: String,
    pub size: i64,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    pub taken_at: Option<ChronoDateTimeUtc>,
    pub treatment_id: Option<i64>,
    pub note: Option<String>,
    /// The user who uploaded it.
    pub uploaded_by: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
    pub has_thumbnail: bool,
    /// Hidden from the record (the content stays until purged).
    pub deleted_at: Option<ChronoDateTimeUtc>,
    pub deleted_by: Option<i64>,
    /// When an admin removed the content.
    pub purged_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
