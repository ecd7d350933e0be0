//! Repository of attachments (`attachment`, `attachment_tooth`): the rows that describe files
//! on a patient's record. The content lives on disk under its SHA-256 (the server's
//! `services::attachments::files`); rows are hidden (`deleted_at`), never deleted.

use crate::StoreError;
use crate::entity::{attachment, attachment_tooth};
use crate::time::DbTimestamp;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// An attachment to insert (values already validated).
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub patient_id: i64,
    pub kind: i16,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub taken_at: Option<DbTimestamp>,
    pub treatment_id: Option<i64>,
    pub note: Option<String>,
    pub uploaded_by: Option<i64>,
    pub has_thumbnail: bool,
    pub tooth_ids: Vec<i64>,
    pub now: DbTimestamp,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewAttachment,
) -> Result<attachment::Model, StoreError> {
    let row = attachment::ActiveModel {
        patient_id: Set(new.patient_id),
        kind: Set(new.kind),
        file_name: Set(new.file_name),
        content_type: Set(new.content_type),
        size: Set(new.size),
        sha256: Set(new.sha256),
        taken_at: Set(new.taken_at),
        treatment_id: Set(new.treatment_id),
        note: Set(new.note),
        uploaded_by: Set(new.uploaded_by),
        created_at: Set(new.now),
        has_thumbnail: Set(new.has_thumbnail),
        deleted_at: Set(None),
        deleted_by: Set(None),
        purged_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    set_teeth(db, row.attachment_id, &new.tooth_ids).await?;
    Ok(row)
}

/// Replaces an attachment's teeth.
pub async fn set_teeth(
    db: &impl ConnectionTrait,
    attachment_id: i64,
    tooth_ids: &[i64],
) -> Result<(), StoreError> {
    attachment_tooth::Entity::delete_many()
        .filter(attachment_tooth::Column::AttachmentId.eq(attachment_id))
        .exec(db)
        .await?;
    if tooth_ids.is_empty() {
        return Ok(());
    }
    attachment_tooth::Entity::insert_many(tooth_ids.iter().map(|&tooth_id| {
        attachment_tooth::ActiveModel {
            attachment_id: Set(attachment_id),
            tooth_id: Set(tooth_id),
            ..Default::default()
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

pub async fn find(
    db: &impl ConnectionTrait,
    attachment_id: i64,
) -> Result<Option<attachment::Model>, StoreError> {
    Ok(attachment::Entity::find_by_id(attachment_id)
        .one(db)
        .await?)
}

/// An attachment locked until the end of the transaction.
pub async fn lock(
    db: &impl ConnectionTrait,
    attachment_id: i64,
) -> Result<Option<attachment::Model>, StoreError> {
    Ok(attachment::Entity::find_by_id(attachment_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Writes every column of a changed attachment.
pub async fn save(
    db: &impl ConnectionTrait,
    changed: attachment::Model,
) -> Result<attachment::Model, StoreError> {
    let row: attachment::ActiveModel = changed.into();
    Ok(row.reset_all().update(db).await?)
}

/// What a list of a patient's attachments asks for.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these kinds (none: every kind).
    pub kinds: Vec<i16>,
    /// Only those showing this tooth.
    pub tooth_id: Option<i64>,
    /// Hidden ones too.
    pub with_deleted: bool,
}

/// A patient's attachments, newest first (at most `limit`).
pub async fn of_patient(
    db: &impl ConnectionTrait,
    patient_id: i64,
    filter: &Filter,
    limit: u64,
) -> Result<Vec<attachment::Model>, StoreError> {
    use attachment::Column;
    let mut query = attachment::Entity::find().filter(Column::PatientId.eq(patient_id));
    if !filter.kinds.is_empty() {
        query = query.filter(Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    if !filter.with_deleted {
        query = query.filter(Column::DeletedAt.is_null());
    }
    if let Some(tooth_id) = filter.tooth_id {
        let ids: Vec<i64> = attachment_tooth::Entity::find()
            .select_only()
            .column(attachment_tooth::Column::AttachmentId)
            .filter(attachment_tooth::Column::ToothId.eq(tooth_id))
            .into_tuple()
            .all(db)
            .await?;
        query = query.filter(Column::AttachmentId.is_in(ids));
    }
    Ok(query
        .order_by_desc(Column::AttachmentId)
        .limit(limit)
        .all(db)
        .await?)
}

/// The teeth (`tooth_id`s) of each of these attachments.
pub async fn teeth_of(
    db: &impl ConnectionTrait,
    attachment_ids: &[i64],
) -> Result<Vec<attachment_tooth::Model>, StoreError> {
    if attachment_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(attachment_tooth::Entity::find()
        .filter(attachment_tooth::Column::AttachmentId.is_in(attachment_ids.iter().copied()))
        .order_by_asc(attachment_tooth::Column::AttachmentToothId)
        .all(db)
        .await?)
}

/// How many rows that are not purged still name this content (a purge removes the file only
/// when none does).
pub async fn users_of_content(db: &impl ConnectionTrait, sha256: &str) -> Result<u64, StoreError> {
    use attachment::Column;
    Ok(attachment::Entity::find()
        .filter(Column::Sha256.eq(sha256))
        .filter(Column::PurgedAt.is_null())
        .count(db)
        .await?)
}
