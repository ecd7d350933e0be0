//! The patient's files (`/patients/{id}/files`): X-rays and photos as a gallery, documents
//! and signed consents as a list, filtered by kind and date; uploads by drag and drop with
//! progress, a viewer with zoom, brightness and contrast for X-rays (`static/files.js`).
//! The pictures and downloads are the API's (`/api/v1/attachments/{id}/...`), which audits
//! every read; uploads and deletes go to the API with the page's CSRF token.

use super::common::Choice;
use super::{Layout, OrPage, PageResult};
use crate::http::state::AppState;
use crate::services::attachments::{self, Attachment, ListQuery};
use crate::services::auth::Caller;
use crate::services::{patients, settings};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use dcms_domain::{AttachmentKind, Principal};
use serde::Deserialize;

/// `?kind=&from=&to=&tooth=&view=`.
#[derive(Debug, Default, Deserialize)]
pub struct FilesParams {
    pub kind: Option<String>,
    /// `YYYY-MM-DD`, by when each was taken (else uploaded).
    pub from: Option<String>,
    pub to: Option<String>,
    pub tooth: Option<String>,
    /// A picture to open in the viewer.
    pub view: Option<i64>,
    /// Admins: the hidden files too, to purge.
    pub hidden: Option<bool>,
}

/// A file as the page shows it.
struct FileView {
    attachment_id: i64,
    kind: String,
    name: String,
    date: String,
    teeth: String,
    size: String,
    note: Option<String>,
    thumbnail: bool,
    xray: bool,
}

impl FileView {
    fn of(layout: &Layout, a: &Attachment) -> FileView {
        let when = a.taken_at.unwrap_or(a.created_at);
        FileView {
            attachment_id: a.attachment_id,
            kind: layout.t(&format!("attachment-kind-{}", a.kind.as_str())),
            name: a.file_name.clone(),
            date: when.to_zoned(layout.time_zone.clone()).date().to_string(),
            teeth: a.teeth.join(", "),
            size: crate::services::backup::size_text(u64::try_from(a.size).unwrap_or(0)),
            note: a.note.clone(),
            thumbnail: a.has_thumbnail,
            xray: a.kind == AttachmentKind::Xray,
        }
    }
}

#[derive(Template)]
#[template(path = "files.html")]
struct FilesPage<'a> {
    layout: &'a Layout,
    patient_id: i64,
    patient_name: String,
    kinds: Vec<Choice>,
    /// The kinds the caller may upload.
    upload_kinds: Vec<Choice>,
    kind: String,
    from: String,
    to: String,
    tooth: String,
    pictures: Vec<FileView>,
    documents: Vec<FileView>,
    /// Hidden files not purged yet, listed for an admin who asked.
    hidden: Option<Vec<FileView>>,
    view: Option<i64>,
    limit_mib: i32,
}

/// `GET /patients/{patient_id}/files`.
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<FilesParams>,
    layout: Layout,
) -> PageResult {
    let patient = patients::get(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(&layout)?;
    let clinic = settings::get(&state.store).await.or_page(&layout)?;
    let kind = params.kind.clone().unwrap_or_default();
    let show_hidden = params.hidden == Some(true) && caller.principal == Principal::Admin;
    let tooth = params.tooth.clone().unwrap_or_default();
    let query = ListQuery {
        kind: Some(kind.clone()).filter(|k| AttachmentKind::NAMES.contains(&k.as_str())),
        tooth: Some(tooth.clone()).filter(|t| !t.trim().is_empty()),
        deleted: show_hidden,
    };
    let files = attachments::of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        query,
        clinic.tooth_notation,
    )
    .await
    .or_page(&layout)?;
    let from = params.from.clone().unwrap_or_default();
    let to = params.to.clone().unwrap_or_default();
    let mut pictures = Vec::new();
    let mut documents = Vec::new();
    let mut hidden = Vec::new();
    for file in &files {
        let view = FileView::of(&layout, file);
        if file.deleted_at.is_some() {
            if file.purged_at.is_none() {
                hidden.push(view);
            }
            continue;
        }
        if (!from.is_empty() && view.date.as_str() < from.as_str())
            || (!to.is_empty() && view.date.as_str() > to.as_str())
        {
            continue;
        }
        if view.thumbnail {
            pictures.push(view);
        } else {
            documents.push(view);
        }
    }
    let receptionist = caller.principal == Principal::Receptionist;
    let kind_choice = |k: &AttachmentKind| Choice {
        value: k.as_str().to_owned(),
        label: layout.t(&format!("attachment-kind-{}", k.as_str())),
    };
    let allowed: Vec<&AttachmentKind> = AttachmentKind::ALL
        .iter()
        .filter(|k| !receptionist || k.front_desk())
        .collect();
    Ok(layout.render(&FilesPage {
        layout: &layout,
        patient_id,
        patient_name: format!("{} {}", patient.last_name, patient.first_name),
        kinds: allowed.iter().map(|k| kind_choice(k)).collect(),
        upload_kinds: allowed.iter().map(|k| kind_choice(k)).collect(),
        kind,
        from,
        to,
        tooth,
        pictures,
        documents,
        hidden: show_hidden.then_some(hidden),
        view: params.view,
        limit_mib: clinic.attachment_limit_mib,
    }))
}
