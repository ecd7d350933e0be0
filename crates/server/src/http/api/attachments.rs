//! Attachments: `/api/v1/patients/{id}/attachments` (upload, list) and
//! `/api/v1/attachments/{id}` (details, change, hide, content, thumbnail, purge). Uploads are
//! multipart and streamed to disk; the route is outside the server's body limit and is held
//! to the clinic's attachment limit instead (413), both by `Content-Length` before anything is
//! read and by counting as it arrives.

use super::treatments::{SystemParams, system};
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::FieldError;
use crate::services::attachments::{
    self, Attachment, AttachmentChanges, ListQuery, Received, UploadDetails,
};
use crate::services::auth::Caller;
use axum::Extension;
use axum::body::Body;
use axum::extract::State;
use axum::extract::multipart::{Field, Multipart, MultipartError};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dcms_domain::{AttachmentKind, ToothSystem};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Multipart framing around a file: what an upload may add to the limit in `Content-Length`.
const FRAMING: u64 = 64 * 1024;
/// Longest text field of an upload.
const TEXT_FIELD_MAX: usize = 8 * 1024;

/// The form of an upload (documents the multipart body).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file: JPEG, PNG, WebP, PDF or DICOM by its first bytes (else 415), at most the
    /// clinic's limit (25 MiB by default; else 413).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    #[schema(value_type = AttachmentKind)]
    kind: String,
    /// When it was taken (RFC 3339).
    #[schema(value_type = Option<String>, format = DateTime)]
    taken_at: Option<String>,
    /// Comma-separated tooth codes in `system` (default the clinic's notation).
    #[schema(example = "36,37")]
    teeth: Option<String>,
    #[schema(value_type = Option<ToothSystem>)]
    system: Option<String>,
    /// The patient's treatment it belongs to (a signed consent).
    #[schema(value_type = Option<i64>)]
    treatment_id: Option<String>,
    #[schema(max_length = 2000)]
    note: Option<String>,
}

/// `?kind=&tooth=&deleted=&system=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only these kinds (comma-separated).
    #[param(example = "xray")]
    pub kind: Option<String>,
    /// Only those showing this tooth (in `system`).
    pub tooth: Option<String>,
    /// Hidden ones too (admins only).
    pub deleted: Option<bool>,
    #[param(value_type = Option<ToothSystem>)]
    pub system: Option<String>,
}

/// A change of an attachment (absent: kept).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchAttachmentBody {
    #[schema(value_type = Option<AttachmentKind>)]
    pub kind: Option<String>,
    /// RFC 3339; null clears it.
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub taken_at: Option<Option<String>>,
    /// Comma-separated tooth codes in `system`; empty clears them.
    pub teeth: Option<String>,
    #[schema(value_type = Option<ToothSystem>)]
    pub system: Option<String>,
    /// Null or blank clears it.
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub note: Option<Option<String>>,
}

fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "the upload is larger than the server accepts",
        )
    } else {
        ApiError::bad_request(format!("malformed multipart body: {}", e.body_text()))
    }
}

/// A text field, at most [`TEXT_FIELD_MAX`] bytes of UTF-8.
async fn text_field(mut field: Field<'_>, name: &str) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > TEXT_FIELD_MAX {
            return Err(ApiError::invalid(vec![FieldError::coded(
                name,
                "too-long",
                "this field is too long",
            )]));
        }
    }
    String::from_utf8(bytes)
        .map_err(|_| ApiError::invalid(vec![FieldError::coded(name, "utf8", "must be UTF-8 text")]))
}

/// Reads an upload's fields, the file streamed to disk as it arrives.
pub(crate) async fn read_upload(
    state: &AppState,
    headers: &HeaderMap,
    mut multipart: Multipart,
) -> Result<(UploadDetails, Received), ApiError> {
    let limit = attachments::limit_bytes(&state.store).await?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit + FRAMING) {
        return Err(crate::services::ServiceError::TooLarge {
            limit_mib: u32::try_from(limit / (1024 * 1024)).unwrap_or(u32::MAX),
        }
        .into());
    }
    let mut details = UploadDetails::default();
    let mut received = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                if received.is_some() {
                    return Err(ApiError::invalid(vec![FieldError::coded(
                        "file",
                        "repeated",
                        "send one file per upload",
                    )]));
                }
                details.file_name = field.file_name().map(str::to_owned);
                let mut upload = state.files.upload(limit).await?;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    upload.write(&chunk).await?;
                }
                received = Some(upload.finish().await?);
            }
            "kind" => details.kind = Some(text_field(field, &name).await?),
            "taken_at" => details.taken_at = Some(text_field(field, &name).await?),
            "teeth" => details.teeth = Some(text_field(field, &name).await?),
            "system" => details.system = Some(text_field(field, &name).await?),
            "treatment_id" => details.treatment_id = Some(text_field(field, &name).await?),
            "note" => details.note = Some(text_field(field, &name).await?),
            // Anything else (a form's CSRF token) is read and left.
            _ => {
                text_field(field, &name).await?;
            }
        }
    }
    let received = received.ok_or_else(|| {
        ApiError::invalid(vec![FieldError::coded("file", "required", "is required")])
    })?;
    Ok((details, received))
}

/// Uploads a file to a patient's record.
#[utoipa::path(post, path = "/api/v1/patients/{patient_id}/attachments", operation_id = "attachments_upload", tag = "attachments", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), SystemParams),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Kept", body = Attachment),
        (status = 403, description = "A receptionist uploading an X-ray or a photo", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the clinic's limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JPEG, PNG, WebP, PDF or DICOM by its first bytes", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: no file, an unknown kind, tooth or treatment", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<SystemParams>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<(StatusCode, Json<Attachment>), ApiError> {
    let answer = system(&state, params.system.as_deref()).await?;
    let (mut details, received) = read_upload(&state, &headers, multipart).await?;
    details.system = details.system.or(params.system);
    let mut attachment = attachments::upload(
        &state.store,
        &state.audit,
        &state.files,
        caller.actor(),
        patient_id,
        details,
        received,
    )
    .await?;
    if answer != ToothSystem::Fdi || !attachment.teeth.is_empty() {
        attachment = attachments::get(
            &state.store,
            &state.audit,
            caller.actor(),
            attachment.attachment_id,
            answer,
        )
        .await?;
    }
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// A patient's attachments, newest first (receptionists: documents and consents only).
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}/attachments", operation_id = "attachments_list", tag = "attachments", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), ListParams),
    responses(
        (status = 200, description = "The attachments", body = Vec<Attachment>),
        (status = 403, description = "`deleted=true` by someone not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind, tooth or notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<Attachment>>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    let query = ListQuery {
        kind: params.kind,
        tooth: params.tooth,
        deleted: params.deleted.unwrap_or(false),
    };
    Ok(Json(
        attachments::of_patient(
            &state.store,
            &state.audit,
            caller.actor(),
            patient_id,
            query,
            system,
        )
        .await?,
    ))
}

/// One attachment's details.
#[utoipa::path(get, path = "/api/v1/attachments/{attachment_id}", operation_id = "attachments_get", tag = "attachments", security(("bearer" = [])),
    params(("attachment_id" = i64, Path, description = "Attachment id"), SystemParams),
    responses(
        (status = 200, description = "The attachment", body = Attachment),
        (status = 404, description = "No such attachment (or hidden)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(attachment_id): Path<i64>,
    Query(params): Query<SystemParams>,
) -> Result<Json<Attachment>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    Ok(Json(
        attachments::get(
            &state.store,
            &state.audit,
            caller.actor(),
            attachment_id,
            system,
        )
        .await?,
    ))
}

/// Changes an attachment's kind, date, teeth or note.
#[utoipa::path(patch, path = "/api/v1/attachments/{attachment_id}", operation_id = "attachments_update", tag = "attachments", security(("bearer" = [])),
    params(("attachment_id" = i64, Path, description = "Attachment id"), SystemParams),
    request_body = PatchAttachmentBody,
    responses(
        (status = 200, description = "The attachment as it is now", body = Attachment),
        (status = 404, description = "No such attachment (or hidden)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(attachment_id): Path<i64>,
    Query(params): Query<SystemParams>,
    Json(body): Json<PatchAttachmentBody>,
) -> Result<Json<Attachment>, ApiError> {
    let answer = system(&state, params.system.as_deref()).await?;
    let asked = AttachmentChanges {
        kind: body.kind,
        taken_at: body.taken_at,
        teeth: body.teeth,
        system: body.system,
        note: body.note,
    };
    Ok(Json(
        attachments::change(
            &state.store,
            &state.audit,
            caller.actor(),
            attachment_id,
            asked,
            answer,
        )
        .await?,
    ))
}

/// Hides an attachment from the record (audited; an admin may purge its content later).
#[utoipa::path(delete, path = "/api/v1/attachments/{attachment_id}", operation_id = "attachments_delete", tag = "attachments", security(("bearer" = [])),
    params(("attachment_id" = i64, Path, description = "Attachment id")),
    responses(
        (status = 204, description = "Hidden"),
        (status = 404, description = "No such attachment (or hidden already)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(attachment_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    attachments::hide(&state.store, &state.audit, caller.actor(), attachment_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a hidden attachment's content for good (admins).
#[utoipa::path(post, path = "/api/v1/attachments/{attachment_id}/purge", operation_id = "attachments_purge", tag = "attachments", security(("bearer" = [])),
    params(("attachment_id" = i64, Path, description = "Attachment id")),
    responses(
        (status = 204, description = "Purged"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such attachment", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not hidden: delete it first", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn purge(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(attachment_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    attachments::purge(
        &state.store,
        &state.audit,
        &state.files,
        caller.actor(),
        attachment_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `Content-Disposition` with the file's name: an ASCII fallback and the UTF-8 name
/// (RFC 6266, RFC 8187).
fn disposition(how: &str, name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "{how}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A stored file as an answer: its type, `nosniff`, a sandboxing CSP, inline for pictures
/// and a download for the rest.
pub(crate) async fn send_file(
    attachment: &Attachment,
    path: &std::path::Path,
    thumbnail: bool,
) -> Result<Response, ApiError> {
    let file = tokio::fs::File::open(path).await.map_err(|e| {
        ApiError::from(crate::services::ServiceError::Internal(format!(
            "attachment {} content {}: {e}",
            attachment.attachment_id,
            path.display()
        )))
    })?;
    let length = file.metadata().await.map(|m| m.len()).ok();
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    let (content_type, how) = if thumbnail {
        ("image/jpeg", "inline")
    } else if attachment.is_image() {
        (attachment.content_type.as_str(), "inline")
    } else {
        (attachment.content_type.as_str(), "attachment")
    };
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Some(length) = length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        disposition(how, &attachment.file_name),
    );
    Ok(response)
}

/// An attachment's content or thumbnail, the read audited.
async fn stored(
    state: &AppState,
    caller: &Caller,
    attachment_id: i64,
    thumbnail: bool,
) -> Result<Response, ApiError> {
    let (attachment, path) = attachments::content(
        &state.store,
        &state.audit,
        &state.files,
        caller.actor(),
        attachment_id,
        thumbnail,
    )
    .await?;
    send_file(&attachment, &path, thumbnail).await
}

/// The file itself (the read is audited).
#[utoipa::path(get, path = "/api/v1/attachments/{attachment_id}/content", operation_id = "attachments_content", tag = "attachments", security(("bearer" = [])),
    params(("attachment_id" = i64, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The content, with its type, `Content-Disposition`, `nosniff` and a sandboxing CSP", content(
            ("image/jpeg"), ("image/png"), ("image/webp"), ("application/pdf"), ("application/dicom"),
        )),
        (status = 404, description = "No such attachment (or hidden)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn content(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(attachment_id): Path<i64>,
) -> Result<Response, ApiError> {
    stored(&state, &caller, attachment_id, false).await
}

/// A picture's thumbnail (JPEG, at most 320 px; the read is audited).
#[utoipa::path(get, path = "/api/v1/attachments/{attachment_id}/thumbnail", operation_id = "attachments_thumbnail", tag = "attachments", security(("bearer" = [])),
    params(("attachment_id" = i64, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The thumbnail", content_type = "image/jpeg"),
        (status = 404, description = "No such attachment, or it has no thumbnail", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn thumbnail(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(attachment_id): Path<i64>,
) -> Result<Response, ApiError> {
    stored(&state, &caller, attachment_id, true).await
}

pub fn routes() -> axum::Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::{self, get, post};
    axum::Router::new()
        .route(
            "/api/v1/patients/{patient_id}/attachments",
            // The upload is held to the clinic's attachment limit, not the server's body limit.
            get(list).post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/attachments/{attachment_id}",
            routing::get(self::get).patch(update).delete(delete),
        )
        .route("/api/v1/attachments/{attachment_id}/content", get(content))
        .route(
            "/api/v1/attachments/{attachment_id}/thumbnail",
            get(thumbnail),
        )
        .route("/api/v1/attachments/{attachment_id}/purge", post(purge))
}
