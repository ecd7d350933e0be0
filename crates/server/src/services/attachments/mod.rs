//! X-rays, photos, documents and signed consents on a patient's record
//! (docs/medical-and-files.md).
//!
//! Rules:
//! * An upload names a patient, a kind, optionally when it was taken, the teeth it shows (in
//!   any notation; stored as FDI rows), the patient's treatment it belongs to (a signed
//!   consent), a note. Its type comes from its first bytes (JPEG, PNG, WebP, PDF, DICOM;
//!   anything else 415), its size is limited by the clinic's setting (413), its content is kept
//!   once under its SHA-256 ([`files`]) and images get a thumbnail.
//! * Receptionists handle documents and consents only (403 on X-rays and photos, which their
//!   lists leave out); HQ nothing (the route's rule).
//! * Every read of a file's content or thumbnail is audited; so is every change.
//! * Deleting hides (`deleted_at`); the content stays until an admin purges the hidden
//!   attachment, which removes the content when no other attachment names it.

pub mod files;

use super::audit::{AuditTrail, changes};
use super::chart::id_of;
use super::{Actor, FieldError, ServiceError, fields, settings};
use dcms_domain::{AttachmentKind, FileType, Principal, ToothCode, ToothSystem};
use dcms_store::Store;
use dcms_store::attachments::{self as repo, Filter, NewAttachment};
use dcms_store::audit::AuditEntry;
use dcms_store::entity::attachment;
use dcms_store::sea_orm::ConnectionTrait;
use dcms_store::time::{from_db, now, to_db};
pub use files::{Files, Received, Upload};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use utoipa::ToSchema;

const TABLE: &str = "attachment";
/// Most attachments one list answers.
const LIST_MAX: u64 = 500;
/// Longest file name kept.
const FILE_NAME_MAX: usize = 255;

/// A file on a patient's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Attachment {
    pub attachment_id: i64,
    pub patient_id: i64,
    pub kind: AttachmentKind,
    /// The name it was uploaded with.
    pub file_name: String,
    /// From the file's first bytes.
    #[schema(example = "image/jpeg")]
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    pub taken_at: Option<Timestamp>,
    /// The teeth it shows, in the answer's notation.
    #[schema(example = json!(["36", "37"]))]
    pub teeth: Vec<String>,
    pub treatment_id: Option<i64>,
    pub note: Option<String>,
    /// The user who uploaded it.
    pub uploaded_by: Option<i64>,
    pub created_at: Timestamp,
    pub has_thumbnail: bool,
    /// Hidden (listed only for admins, with `deleted=true`).
    pub deleted_at: Option<Timestamp>,
    /// The content was removed by an admin.
    pub purged_at: Option<Timestamp>,
}

impl Attachment {
    pub fn file_type(&self) -> Option<FileType> {
        FileType::from_content_type(&self.content_type)
    }

    pub fn is_image(&self) -> bool {
        self.file_type().is_some_and(FileType::is_image)
    }
}

fn to_answer(
    row: attachment::Model,
    teeth: &HashMap<i64, Vec<i64>>,
    system: ToothSystem,
) -> Result<Attachment, ServiceError> {
    let kind = AttachmentKind::from_code(row.kind).ok_or_else(|| {
        ServiceError::Internal(format!(
            "attachment {} kind {}",
            row.attachment_id, row.kind
        ))
    })?;
    let teeth = teeth
        .get(&row.attachment_id)
        .map(|ids| {
            ids.iter()
                .map(|&id| {
                    super::chart::tooth_of(id).map(|t| t.in_system(system).code().to_owned())
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    Ok(Attachment {
        attachment_id: row.attachment_id,
        patient_id: row.patient_id,
        kind,
        file_name: row.file_name,
        content_type: row.content_type,
        size: row.size,
        sha256: row.sha256,
        taken_at: row.taken_at.map(from_db),
        teeth,
        treatment_id: row.treatment_id,
        note: row.note,
        uploaded_by: row.uploaded_by,
        created_at: from_db(row.created_at),
        has_thumbnail: row.has_thumbnail,
        deleted_at: row.deleted_at.map(from_db),
        purged_at: row.purged_at.map(from_db),
    })
}

async fn assemble(
    db: &impl ConnectionTrait,
    rows: Vec<attachment::Model>,
    system: ToothSystem,
) -> Result<Vec<Attachment>, ServiceError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.attachment_id).collect();
    let mut teeth: HashMap<i64, Vec<i64>> = HashMap::new();
    for t in repo::teeth_of(db, &ids).await? {
        teeth.entry(t.attachment_id).or_default().push(t.tooth_id);
    }
    rows.into_iter()
        .map(|row| to_answer(row, &teeth, system))
        .collect()
}

fn is_receptionist(actor: &Actor) -> bool {
    actor.principal == Some(Principal::Receptionist)
}

/// Receptionists handle documents and consents only.
fn may_handle(actor: &Actor, kind: AttachmentKind) -> Result<(), ServiceError> {
    if is_receptionist(actor) && !kind.front_desk() {
        return Err(ServiceError::ForbiddenBecause {
            code: "error-attachment-clinical",
            detail: "receptionists see and add documents and consents only, not X-rays or photos",
        });
    }
    Ok(())
}

/// The largest upload the clinic accepts, in bytes.
pub async fn limit_bytes(store: &Store) -> Result<u64, ServiceError> {
    let clinic = settings::get(store).await?;
    Ok(u64::try_from(clinic.attachment_limit_mib).unwrap_or(25) * 1024 * 1024)
}

/// What comes with an uploaded file, as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct UploadDetails {
    pub kind: Option<String>,
    pub file_name: Option<String>,
    pub taken_at: Option<String>,
    /// Comma-separated tooth codes.
    pub teeth: Option<String>,
    /// The notation of `teeth` (default the clinic's).
    pub system: Option<String>,
    pub treatment_id: Option<String>,
    pub note: Option<String>,
}

/// The name shown for a file: its last path part, without control characters, at most
/// [`FILE_NAME_MAX`] characters; "file" when nothing is left.
fn file_name(given: Option<&str>) -> String {
    let last = given
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(FILE_NAME_MAX)
        .collect();
    let clean = clean.trim().to_owned();
    if clean.is_empty() {
        "file".to_owned()
    } else {
        clean
    }
}

/// Teeth as comma-separated codes in `system`.
fn teeth(errors: &mut Vec<FieldError>, system: ToothSystem, given: Option<&str>) -> Vec<i64> {
    let mut ids = Vec::new();
    for code in given
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        match ToothCode::parse(system, code) {
            Ok(tooth) if !ids.contains(&id_of(tooth)) => ids.push(id_of(tooth)),
            Ok(_) => {}
            Err(e) => errors
                .push(FieldError::coded("teeth", "tooth-unknown", e.to_string()).arg("code", code)),
        }
    }
    if ids.len() > 32 {
        errors.push(FieldError::coded("teeth", "too-many", "at most 32 teeth"));
    }
    ids
}

/// A treatment of the patient, or 422 on `treatment_id`.
async fn treatment_of(
    db: &impl ConnectionTrait,
    errors: &mut Vec<FieldError>,
    patient_id: i64,
    given: Option<&str>,
) -> Result<Option<i64>, ServiceError> {
    let Some(text) = given.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let found = match text.parse::<i64>() {
        Ok(id) => dcms_store::clinical::find(db, id)
            .await?
            .filter(|t| t.patient_id == patient_id)
            .map(|t| t.treatment_id),
        Err(_) => None,
    };
    if found.is_none() {
        errors.push(FieldError::coded(
            "treatment_id",
            "treatment-unknown",
            format!("the patient has no treatment {text}"),
        ));
    }
    Ok(found)
}

/// Keeps an uploaded file on a patient's record (see the module's rules).
pub async fn upload(
    store: &Store,
    audit: &AuditTrail,
    files: &Files,
    actor: Actor,
    patient_id: i64,
    details: UploadDetails,
    received: Received,
) -> Result<Attachment, ServiceError> {
    let clinic = settings::get(store).await?;
    let db = store.connection();
    let mut errors = Vec::new();
    let e = &mut errors;
    let kind = fields::required_choice::<AttachmentKind>(e, "kind", details.kind.as_deref());
    if let Some(kind) = kind {
        may_handle(&actor, kind)?;
    }
    let system = fields::optional_choice::<ToothSystem>(e, "system", details.system.as_deref())
        .flatten()
        .unwrap_or(clinic.tooth_notation);
    let taken_at = match details.taken_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => fields::instant(e, "taken_at", t),
    };
    let tooth_ids = teeth(e, system, details.teeth.as_deref());
    let note = fields::note(e, "note", details.note.as_deref()).flatten();
    if dcms_store::patients::find(db, patient_id).await?.is_none() {
        return Err(ServiceError::NotFound("patient"));
    }
    let treatment_id = treatment_of(db, e, patient_id, details.treatment_id.as_deref()).await?;
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let (size, sha256, content_type) = (
        received.size,
        received.sha256.clone(),
        received.file_type.content_type(),
    );
    // The content is in place before its row commits (a row never names a missing file; a
    // content whose row failed is harmless and found again by its hash).
    let has_thumbnail = files.keep(received).await?;
    let txn = store.begin_write().await?;
    if dcms_store::patients::lock(&txn, patient_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("patient"));
    }
    let row = repo::insert(
        &txn,
        NewAttachment {
            patient_id,
            kind: kind.code(),
            file_name: file_name(details.file_name.as_deref()),
            content_type: content_type.to_owned(),
            size: i64::try_from(size).unwrap_or(i64::MAX),
            sha256,
            taken_at: taken_at.map(to_db),
            treatment_id,
            note,
            uploaded_by: actor.user_id,
            has_thumbnail,
            tooth_ids,
            now: now(),
        },
    )
    .await?;
    let attachment_id = row.attachment_id;
    let answer = assemble(&txn, vec![row], system).await?.remove(0);
    let entry = AuditEntry::new("create", TABLE, Some(attachment_id)).with_changes(changes(
        None,
        Some(&answer),
        &[],
    ));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await?;
    Ok(answer)
}

/// What a list asks for, as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// `xray`, `photo`, `document` or `consent`; comma-separated for several.
    pub kind: Option<String>,
    /// Only those showing this tooth (in `system`).
    pub tooth: Option<String>,
    /// Hidden ones too (admins only).
    pub deleted: bool,
}

/// A patient's attachments, newest first; a receptionist's list leaves out X-rays and photos.
pub async fn of_patient(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    query: ListQuery,
    system: ToothSystem,
) -> Result<Vec<Attachment>, ServiceError> {
    let db = store.connection();
    let mut errors = Vec::new();
    let mut kinds = Vec::new();
    for name in query
        .kind
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        if let Some(kind) =
            fields::required_choice::<AttachmentKind>(&mut errors, "kind", Some(name))
        {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        kinds = AttachmentKind::ALL.to_vec();
    }
    if is_receptionist(&actor) {
        kinds.retain(|k| k.front_desk());
    }
    let tooth_id = match query.tooth.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => match ToothCode::parse(system, code) {
            Ok(tooth) => Some(id_of(tooth)),
            Err(e) => {
                errors.push(FieldError::coded("tooth", "tooth-unknown", e.to_string()));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if query.deleted && actor.principal.is_some_and(|p| p != Principal::Admin) {
        return Err(ServiceError::ForbiddenBecause {
            code: "error-forbidden",
            detail: "only admins list hidden attachments",
        });
    }
    if dcms_store::patients::find(db, patient_id).await?.is_none() {
        return Err(ServiceError::NotFound("patient"));
    }
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let filter = Filter {
        kinds: kinds.iter().map(|k| k.code()).collect(),
        tooth_id,
        with_deleted: query.deleted,
    };
    let rows = repo::of_patient(db, patient_id, &filter, LIST_MAX).await?;
    audit.record_read(actor.user_id, actor.session_token_id, "patient", patient_id);
    assemble(db, rows, system).await
}

/// An attachment that is not hidden, that the caller may handle.
async fn visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    attachment_id: i64,
    system: ToothSystem,
) -> Result<Attachment, ServiceError> {
    let row = repo::find(db, attachment_id)
        .await?
        .filter(|r| r.deleted_at.is_none())
        .ok_or(ServiceError::NotFound("attachment"))?;
    let answer = assemble(db, vec![row], system).await?.remove(0);
    may_handle(actor, answer.kind)?;
    Ok(answer)
}

/// One attachment's details.
pub async fn get(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    attachment_id: i64,
    system: ToothSystem,
) -> Result<Attachment, ServiceError> {
    let answer = visible(store.connection(), &actor, attachment_id, system).await?;
    audit.record_read(actor.user_id, actor.session_token_id, TABLE, attachment_id);
    Ok(answer)
}

/// The file to send for an attachment's content (or its thumbnail: 404 without one); the
/// read is audited.
pub async fn content(
    store: &Store,
    audit: &AuditTrail,
    files: &Files,
    actor: Actor,
    attachment_id: i64,
    thumbnail: bool,
) -> Result<(Attachment, PathBuf), ServiceError> {
    let answer = visible(store.connection(), &actor, attachment_id, ToothSystem::Fdi).await?;
    let path = if thumbnail {
        if !answer.has_thumbnail {
            return Err(ServiceError::NotFound("thumbnail"));
        }
        files.thumbnail_path(&answer.sha256)?
    } else {
        files.content_path(&answer.sha256)?
    };
    audit.record_read(actor.user_id, actor.session_token_id, TABLE, attachment_id);
    Ok((answer, path))
}

/// A change of an attachment's details (`None` keeps a field).
#[derive(Debug, Clone, Default)]
pub struct AttachmentChanges {
    pub kind: Option<String>,
    /// `Some(None)` clears it.
    pub taken_at: Option<Option<String>>,
    /// Comma-separated codes; empty clears them.
    pub teeth: Option<String>,
    pub system: Option<String>,
    /// `Some(None)` clears it.
    pub note: Option<Option<String>>,
}

/// Changes an attachment's kind, date, teeth or note.
pub async fn change(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    attachment_id: i64,
    asked: AttachmentChanges,
    system: ToothSystem,
) -> Result<Attachment, ServiceError> {
    let clinic = settings::get(store).await?;
    let mut errors = Vec::new();
    let e = &mut errors;
    let kind = match asked.kind.as_deref() {
        Some(k) => fields::required_choice::<AttachmentKind>(e, "kind", Some(k)),
        None => None,
    };
    let given_system = fields::optional_choice::<ToothSystem>(e, "system", asked.system.as_deref())
        .flatten()
        .unwrap_or(clinic.tooth_notation);
    let tooth_ids = asked
        .teeth
        .as_deref()
        .map(|t| teeth(e, given_system, Some(t)));
    let taken_at = asked.taken_at.map(|t| match t.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(v) => fields::instant(e, "taken_at", v),
    });
    let note = asked
        .note
        .map(|n| fields::note(e, "note", n.as_deref()).flatten());
    let txn = store.begin_write().await?;
    let mut row = repo::lock(&txn, attachment_id)
        .await?
        .filter(|r| r.deleted_at.is_none())
        .ok_or(ServiceError::NotFound("attachment"))?;
    let before = assemble(&txn, vec![row.clone()], system).await?.remove(0);
    may_handle(&actor, before.kind)?;
    if let Some(kind) = kind {
        may_handle(&actor, kind)?;
        row.kind = kind.code();
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if let Some(t) = taken_at {
        row.taken_at = t.map(to_db);
    }
    if let Some(n) = note {
        row.note = n;
    }
    let row = repo::save(&txn, row).await?;
    if let Some(ids) = tooth_ids {
        repo::set_teeth(&txn, attachment_id, &ids).await?;
    }
    let after = assemble(&txn, vec![row], system).await?.remove(0);
    let entry = AuditEntry::new("update", TABLE, Some(attachment_id)).with_changes(changes(
        Some(&before),
        Some(&after),
        &[],
    ));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Hides an attachment from the record (its content stays until purged).
pub async fn hide(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    attachment_id: i64,
) -> Result<(), ServiceError> {
    let txn = store.begin_write().await?;
    let mut row = repo::lock(&txn, attachment_id)
        .await?
        .filter(|r| r.deleted_at.is_none())
        .ok_or(ServiceError::NotFound("attachment"))?;
    let kind = AttachmentKind::from_code(row.kind)
        .ok_or_else(|| ServiceError::Internal(format!("attachment {attachment_id} kind")))?;
    may_handle(&actor, kind)?;
    row.deleted_at = Some(now());
    row.deleted_by = actor.user_id;
    repo::save(&txn, row).await?;
    let entry = AuditEntry::new("delete", TABLE, Some(attachment_id));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await?;
    Ok(())
}

/// An admin removes a hidden attachment's content for good (409 for one not hidden); the file
/// goes when no other attachment names the same content.
pub async fn purge(
    store: &Store,
    audit: &AuditTrail,
    files: &Files,
    actor: Actor,
    attachment_id: i64,
) -> Result<(), ServiceError> {
    if actor.principal.is_some_and(|p| p != Principal::Admin) {
        return Err(ServiceError::ForbiddenBecause {
            code: "error-forbidden",
            detail: "only an admin purges a file",
        });
    }
    let txn = store.begin_write().await?;
    let mut row = repo::lock(&txn, attachment_id)
        .await?
        .ok_or(ServiceError::NotFound("attachment"))?;
    if row.deleted_at.is_none() {
        return Err(ServiceError::Conflict(
            "delete the attachment before purging its content".into(),
        ));
    }
    if row.purged_at.is_some() {
        return Ok(());
    }
    let sha256 = row.sha256.clone();
    row.purged_at = Some(now());
    repo::save(&txn, row).await?;
    let others = repo::users_of_content(&txn, &sha256).await?;
    let entry = AuditEntry::new("purge", TABLE, Some(attachment_id));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await?;
    if others == 0 {
        files.remove(&sha256).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_their_last_part_without_control_characters() {
        assert_eq!(file_name(Some("C:\\scans\\pano.jpg")), "pano.jpg");
        assert_eq!(file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(file_name(Some("a\u{0}b\"c.pdf")), "abc.pdf");
        assert_eq!(file_name(Some("  ")), "file");
        assert_eq!(file_name(None), "file");
    }
}
