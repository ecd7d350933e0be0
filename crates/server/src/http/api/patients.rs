//! `/api/v1/patients`: registration, search, the record and its phones (staff; HQ reads), and
//! `/api/v1/me/patient`: a patient's own record (e-mail and phones only).

use super::inputs::{EmailText, PhoneNumberText, RegisterNumberText};
use super::views::Page;
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::medical;
use crate::services::patient_csv::CsvProblem;
use crate::services::patient_import;
use crate::services::patients::{
    self, NewPatientInput, Patient, PatientChanges, PatientCursor, PatientPhone, PhoneChanges,
    PhoneInput,
};
use crate::services::phones;
use crate::services::{FieldError, ServiceError};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::{Gender, PatientStatus};
use dcms_store::phones::PhoneOwner;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

/// One phone of a patient.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneView {
    pub phone_number_id: i64,
    /// The normalised number: a Mongolian national number (`99112233`) or a foreign number
    /// in E.164 form (`+79123456789`).
    #[schema(example = "99112233")]
    pub number: String,
    /// Whose number it is (Self, Father, Mother, Work, ...).
    #[schema(example = "Self")]
    pub label: String,
    pub is_primary: bool,
}

impl From<dcms_store::phones::PhoneRow> for PhoneView {
    fn from(p: dcms_store::phones::PhoneRow) -> Self {
        PatientPhone::from(p).into()
    }
}

impl From<PatientPhone> for PhoneView {
    fn from(p: PatientPhone) -> Self {
        PhoneView {
            phone_number_id: p.phone_number_id,
            number: p.number,
            label: p.label,
            is_primary: p.is_primary,
        }
    }
}

/// A patient.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientView {
    pub patient_id: i64,
    /// The linked portal account (role patient), if any.
    pub user_id: Option<i64>,
    /// The national register number, normalised (upper-case Cyrillic).
    #[schema(example = "УБ85031512")]
    pub register_number: String,
    #[schema(example = "Болд")]
    pub first_name: String,
    #[schema(example = "Бат-Эрдэнэ")]
    pub last_name: String,
    pub email: Option<String>,
    #[schema(value_type = String, format = Date, example = "1985-03-15")]
    pub birthday: jiff::civil::Date,
    /// Full years today in the clinic's time zone (computed).
    pub age: i16,
    pub gender: Gender,
    /// From the last visit, as of today (computed).
    pub status: PatientStatus,
    /// The patient asked not to get SMS reminders.
    pub sms_reminder_opt_out: bool,
    /// Registration (the first visit).
    pub created_at: jiff::Timestamp,
    /// The last visit (an arrival or a treatment), if any.
    pub last_seen_at: Option<jiff::Timestamp>,
    /// In creation order.
    pub phones: Vec<PhoneView>,
    /// What a doctor must see before treating (allergies, conditions that change dental
    /// care), derived from the medical history; on the answers about one patient (create,
    /// read, change) for every staff role but HQ (receptionists see these and not the history).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Vec<dcms_domain::Alert>>,
}

impl From<Patient> for PatientView {
    fn from(p: Patient) -> Self {
        PatientView {
            patient_id: p.patient_id,
            user_id: p.user_id,
            register_number: p.register_number,
            first_name: p.first_name,
            last_name: p.last_name,
            email: p.email,
            birthday: p.birthday,
            age: p.age,
            gender: p.gender,
            status: p.status,
            sms_reminder_opt_out: p.sms_reminder_opt_out,
            created_at: p.created_at,
            last_seen_at: p.last_seen_at,
            phones: p.phones.into_iter().map(PhoneView::from).collect(),
            alerts: None,
        }
    }
}

/// A phone as given on registration or added later.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = PatientPhoneBody)]
pub struct PhoneBody {
    /// Any usual writing: `9911 2233`, `+976 9911-2233`, `011 45 2222`, `+7 912 345 67 89`;
    /// stored normalised.
    #[schema(required = true, value_type = PhoneNumberText, example = "+976 9911-2233")]
    pub number: Option<String>,
    /// Whose number it is (free text, one line, at most 255 characters); default "".
    #[schema(example = "Self", max_length = 255)]
    pub label: Option<String>,
    /// Default false. Exactly one of a patient's phones is primary; `true` on a new phone
    /// moves the primary to it.
    pub is_primary: Option<bool>,
}

impl From<PhoneBody> for PhoneInput {
    fn from(b: PhoneBody) -> Self {
        PhoneInput {
            number: b.number,
            label: b.label,
            is_primary: b.is_primary,
        }
    }
}

/// Registering a patient. Every invalid field is reported at once (422), nothing is stored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreatePatientBody {
    /// Two Mongolian Cyrillic letters and eight digits (spaces, lower case, Є and Ї are
    /// normalised). It gives the birthday and the sex.
    #[schema(required = true, value_type = RegisterNumberText, example = "УБ85031512")]
    pub register_number: Option<String>,
    /// 1 to 30 characters, one line.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 30, example = "Болд")]
    pub first_name: Option<String>,
    /// 1 to 30 characters, one line.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 30, example = "Бат-Эрдэнэ")]
    pub last_name: Option<String>,
    #[schema(value_type = Option<EmailText>)]
    pub email: Option<String>,
    /// `YYYY-MM-DD`; derived from the register number when absent; one that differs is 422.
    #[schema(value_type = Option<String>, format = Date, example = "1985-03-15")]
    pub birthday: Option<String>,
    /// Derived from the register number when absent; `male`/`female` differing from it is
    /// 422 (`other` is accepted).
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<String>,
    /// At least 2, exactly one primary, no number twice (at most 20).
    #[schema(required = true, value_type = Vec<PhoneBody>, min_items = 2, max_items = 20)]
    pub phones: Option<Vec<PhoneBody>>,
}

/// `Some(value)` for a present field, even `null` (`Some(None)`); `None` (via `default`) for
/// an absent one.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A change of a patient: absent fields are left as they are. Not changeable here:
/// `patient_id`, `phones` (their own endpoints) and the computed `age` and `status`
/// (ignored if sent, like any unknown field).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchPatientBody {
    /// A new number re-derives the birthday and the sex (a gender of `other` is kept).
    #[schema(value_type = Option<RegisterNumberText>)]
    pub register_number: Option<String>,
    /// 1 to 30 characters, one line.
    #[schema(min_length = 1, max_length = 30)]
    pub first_name: Option<String>,
    /// 1 to 30 characters, one line.
    #[schema(min_length = 1, max_length = 30)]
    pub last_name: Option<String>,
    /// null (or blank) clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<EmailText>)]
    pub email: Option<Option<String>>,
    /// `YYYY-MM-DD`; must agree with the register number.
    #[schema(value_type = Option<String>, format = Date)]
    pub birthday: Option<String>,
    /// `male`/`female` must agree with the register number.
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<String>,
    /// Links the portal account of role patient with this id (422 for another role, 409 when
    /// it is linked to another patient); null unlinks.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub user_id: Option<Option<i64>>,
    pub sms_reminder_opt_out: Option<bool>,
}

/// What a patient may change on their own record: their e-mail address only (any other
/// field present is 422, named).
// The handler reads the body as a JSON object to name the other fields; this type describes
// it, and `deny_unknown_fields` puts `additionalProperties: false` in the document.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchOwnPatientBody {
    /// null or "" clears it.
    #[schema(value_type = Option<EmailText>)]
    pub email: Option<String>,
}

/// A change of one phone.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = PatchPatientPhoneBody)]
pub struct PatchPhoneBody {
    #[schema(value_type = Option<PhoneNumberText>)]
    pub number: Option<String>,
    /// One line, at most 255 characters.
    #[schema(max_length = 255)]
    pub label: Option<String>,
    /// `true` moves the primary here; `false` on the primary is 422 (make another primary).
    pub is_primary: Option<bool>,
}

impl From<PatchPhoneBody> for PhoneChanges {
    fn from(b: PatchPhoneBody) -> Self {
        PhoneChanges {
            number: b.number,
            label: b.label,
            is_primary: b.is_primary,
        }
    }
}

/// `?q=&limit=&cursor=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A register number (exact) or its start (two letters and 2 to 7 digits); a phone number
    /// (exact); 4 to 8 digits (the last digits of a phone number, or with 4 to 7 its first);
    /// or the start of a last or first name, or of both in either order ("Бат-Эрдэнэ Сувд",
    /// "Сувд Бат"), also with Ө/О and Ү/У typed for each other (case-insensitive; `%`, `_`
    /// and `\` are plain characters). Absent: every patient, newest first.
    pub q: Option<String>,
    /// Items per page, 1 to 500 (default 50; more is taken as 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page (of the same `q`).
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// A patient's phones.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneList {
    pub items: Vec<PhoneView>,
    /// Always null: every phone is on the one page.
    pub next_cursor: Option<String>,
}

fn phone_list(phones: Vec<PatientPhone>) -> PhoneList {
    PhoneList {
        items: phones.into_iter().map(PhoneView::from).collect(),
        next_cursor: None,
    }
}

/// Patients: a search, or all of them newest first.
#[utoipa::path(get, path = "/api/v1/patients", operation_id = "patients_list", tag = "patients", security(("bearer" = [])),
    params(SearchParams),
    responses(
        (status = 200, description = "A page of patients: for a search, by rank (register number, its start; phone number, its last or first digits; names: last, first, both as written, both the other way round, then the same with Ө/О and Ү/У folded), each patient once at their best rank, then by the keys of the rank (names, or the register number); newest first without `q`", body = Page<PatientView>),
        (status = 422, description = "A cursor of another query", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Json<Page<PatientView>>, ApiError> {
    let limit = params
        .limit
        .unwrap_or(super::views::PageParams::DEFAULT_LIMIT)
        .clamp(1, super::views::PageParams::MAX_LIMIT);
    let cursor = match params.cursor.as_deref() {
        None => None,
        Some(c) => {
            Some(PatientCursor::decode(c).ok_or_else(|| ApiError::bad_request("invalid cursor"))?)
        }
    };
    let page = patients::search(&state.store, params.q.as_deref(), cursor.as_ref(), limit).await?;
    Ok(Json(Page {
        items: page.items.into_iter().map(PatientView::from).collect(),
        next_cursor: page.next_cursor.map(|c| c.encode()),
    }))
}

/// Register a patient with their phones.
#[utoipa::path(post, path = "/api/v1/patients", operation_id = "patients_create", tag = "patients", security(("bearer" = [])),
    request_body = CreatePatientBody,
    responses(
        (status = 201, description = "Registered", body = PatientView),
        (status = 409, description = "The register number belongs to another patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named (`register_number`, `birthday` or `gender` contradicting the register number, `phones` fewer than 2 or not exactly one primary, `phones[1].number`, ...)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreatePatientBody>,
) -> Result<(StatusCode, Json<PatientView>), ApiError> {
    let patient = patients::register(
        &state.store,
        &state.audit,
        caller.actor(),
        NewPatientInput {
            register_number: body.register_number,
            first_name: body.first_name,
            last_name: body.last_name,
            email: body.email,
            birthday: body.birthday,
            gender: body.gender,
            phones: body
                .phones
                .unwrap_or_default()
                .into_iter()
                .map(PhoneInput::from)
                .collect(),
        },
    )
    .await?;
    let view = with_alerts(&state, &caller, patient.into()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A patient's answer with their medical alerts, for every staff role but HQ, which reads no
/// one's medical history, its alerts included.
async fn with_alerts(
    state: &AppState,
    caller: &Caller,
    mut view: PatientView,
) -> Result<PatientView, ApiError> {
    if caller.principal != dcms_domain::Principal::Hq {
        view.alerts = Some(medical::alerts(state.store.connection(), view.patient_id).await?);
    }
    Ok(view)
}

/// One patient (the read is audited).
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}", operation_id = "patients_get", tag = "patients", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id")),
    responses(
        (status = 200, description = "The patient", body = PatientView),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
) -> Result<Json<PatientView>, ApiError> {
    let patient = patients::get(&state.store, &state.audit, caller.actor(), patient_id).await?;
    Ok(Json(with_alerts(&state, &caller, patient.into()).await?))
}

/// Change a patient's fields (not the phones: see `/phones`).
#[utoipa::path(patch, path = "/api/v1/patients/{patient_id}", operation_id = "patients_update", tag = "patients", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id")),
    request_body = PatchPatientBody,
    responses(
        (status = 200, description = "The patient as they now are", body = PatientView),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The register number belongs to another patient, or the account is linked to another patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named (`user_id` not a patient's account, ...)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Json(body): Json<PatchPatientBody>,
) -> Result<Json<PatientView>, ApiError> {
    let patient = patients::update(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        PatientChanges {
            register_number: body.register_number,
            first_name: body.first_name,
            last_name: body.last_name,
            email: body.email,
            birthday: body.birthday,
            gender: body.gender,
            user_id: body.user_id,
            sms_reminder_opt_out: body.sms_reminder_opt_out,
        },
    )
    .await?;
    Ok(Json(with_alerts(&state, &caller, patient.into()).await?))
}

/// Add a phone to a patient.
#[utoipa::path(post, path = "/api/v1/patients/{patient_id}/phones", operation_id = "patients_phones_add", tag = "patients", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id")),
    request_body = PhoneBody,
    responses(
        (status = 201, description = "Added", body = PhoneView),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid number or label, or a number the patient has already", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Json(body): Json<PhoneBody>,
) -> Result<(StatusCode, Json<PhoneView>), ApiError> {
    let phone = phones::add(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Patient(patient_id),
        PhoneInput::from(body).given(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(phone.into())))
}

/// Change one phone of a patient (`is_primary: true` moves the primary here).
#[utoipa::path(patch, path = "/api/v1/patients/{patient_id}/phones/{phone_id}", operation_id = "patients_phones_update", tag = "patients", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), ("phone_id" = i64, Path, description = "One of the patient's phones (`phone_number_id`)")),
    request_body = PatchPhoneBody,
    responses(
        (status = 200, description = "The phone as it now is", body = PhoneView),
        (status = 404, description = "No such patient, or no such phone of theirs", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the patient would not have exactly one primary", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((patient_id, phone_id)): Path<(i64, i64)>,
    Json(body): Json<PatchPhoneBody>,
) -> Result<Json<PhoneView>, ApiError> {
    let phone = phones::update(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Patient(patient_id),
        phone_id,
        body.into(),
    )
    .await?;
    Ok(Json(phone.into()))
}

/// Delete one phone of a patient (not below two, not the primary).
#[utoipa::path(delete, path = "/api/v1/patients/{patient_id}/phones/{phone_id}", operation_id = "patients_phones_delete", tag = "patients", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), ("phone_id" = i64, Path, description = "One of the patient's phones (`phone_number_id`)")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such patient, or no such phone of theirs", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The patient would have fewer than 2 phones or no primary", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((patient_id, phone_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    phones::delete(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Patient(patient_id),
        phone_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- CSV import and export --------------------------------------------------------------

/// `?skip_bad=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true`: import the good rows and list the bad ones. Default `false`: any bad row
    /// imports nothing (422).
    pub skip_bad: Option<bool>,
}

/// The CSV file of an import, sent as the request body: bytes, as client generators read a
/// file upload (`type: string, format: binary`).
pub struct CsvFile;

impl utoipa::PartialSchema for CsvFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some(
                "UTF-8 CSV with a header row (comma or semicolon separated)",
            ))
            .build()
            .into()
    }
}

impl utoipa::ToSchema for CsvFile {}

/// Something wrong with one line of an imported file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblem {
    /// The line of the file (the header is line 1).
    pub line: u64,
    /// The column: `register_number`, `first_name`, `last_name`, `email`, `birthday`,
    /// `gender`, `phoneN` / `phoneN_label` (the N-th phone of the line), `phones` (the line's
    /// phones together), `row` (a line that is not a CSV record), `header`, `file`.
    #[schema(example = "phone2")]
    pub field: String,
    pub message: String,
}

impl From<CsvProblem> for ImportProblem {
    fn from(p: CsvProblem) -> Self {
        ImportProblem {
            line: p.line,
            field: p.field,
            message: p.message,
        }
    }
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    /// Patients stored.
    pub imported: usize,
    /// With `skip_bad`: the lines left out and why (empty otherwise).
    pub problems: Vec<ImportProblem>,
}

/// Import patients from a CSV file (the request body, at most the server's body limit,
/// 1 MiB by default; larger files: `dcms patients import FILE`). Columns `register_number,
/// first_name, last_name, email, birthday, gender, phone1, phone1_label, phone2,
/// phone2_label, ...` (the first phone is the primary), comma or semicolon, UTF-8 with a
/// header row. Every row is checked as a registration, and a register number twice in the
/// file or already registered is refused; all that is imported is one transaction.
#[utoipa::path(post, path = "/api/v1/patients/import", operation_id = "patients_import", tag = "patients", security(("bearer" = [])),
    params(ImportParams),
    request_body(
        description = "The CSV file, its bytes as they are. Any Content-Type is accepted (`text/csv` as well); the document names one, as client generators read one body type per operation",
        content((inline(CsvFile) = "application/octet-stream")),
    ),
    responses(
        (status = 200, description = "Imported (with `skip_bad`, the lines left out are listed)", body = ImportView),
        (status = 409, description = "A register number of the file was registered while it was being imported; nothing was imported", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than the body limit: import it with `dcms patients import`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows (or a bad header) and nothing was imported: `errors` are `{field: \"line N: <column>\", message}`, and the top-level `problems` member lists the same as `{line, field, message}`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn import(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Json<ImportView>, ApiError> {
    let report = patient_import::import(
        &state.store,
        &state.audit,
        caller.actor(),
        &body,
        params.skip_bad.unwrap_or(false),
    )
    .await?;
    if report.refused() {
        let lines = report
            .problems
            .iter()
            .map(|p| p.line)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let errors = report
            .problems
            .iter()
            .map(|p| FieldError::new(format!("line {}: {}", p.line, p.field), &p.message))
            .collect();
        let problems: Vec<ImportProblem> = report
            .problems
            .into_iter()
            .map(ImportProblem::from)
            .collect();
        let mut err = ApiError::invalid(errors).with(
            "problems",
            serde_json::to_value(&problems).unwrap_or_default(),
        );
        err.problem.detail = format!(
            "nothing was imported: {lines} line(s) of the file have problems (fix them, or send skip_bad=true to import the good rows)"
        );
        return Err(err);
    }
    Ok(Json(ImportView {
        imported: report.imported,
        problems: report
            .problems
            .into_iter()
            .map(ImportProblem::from)
            .collect(),
    }))
}

/// Every patient as a CSV file that the import reads back (the primary phone first); the
/// export is audited (`export` on `patient`).
#[utoipa::path(get, path = "/api/v1/patients/export", operation_id = "patients_export", tag = "patients", security(("bearer" = [])),
    responses(
        (status = 200, description = "`patients.csv` (an attachment): the columns of the import, comma-separated, UTF-8", content_type = "text/csv", body = String),
    ))]
pub async fn export(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let csv = patient_import::export(&state.store, &state.audit, caller.actor()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"patients.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

// --- /me/patient ------------------------------------------------------------------------

async fn own_id(state: &AppState, caller: &Caller) -> Result<i64, ApiError> {
    Ok(patients::own_patient_id(&state.store, caller.user_id()).await?)
}

/// My patient record (the read is audited).
#[utoipa::path(get, path = "/api/v1/me/patient", operation_id = "me_patient_get", tag = "patients", security(("bearer" = [])),
    responses(
        (status = 200, description = "My record", body = PatientView),
        (status = 404, description = "No patient record is linked to this account", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<PatientView>, ApiError> {
    let patient_id = own_id(&state, &caller).await?;
    let patient = patients::get(&state.store, &state.audit, caller.actor(), patient_id).await?;
    Ok(Json(patient.into()))
}

/// Change my e-mail address (the only field a patient may change on their record).
#[utoipa::path(patch, path = "/api/v1/me/patient", operation_id = "me_patient_update", tag = "patients", security(("bearer" = [])),
    request_body = PatchOwnPatientBody,
    responses(
        (status = 200, description = "My record as it now is", body = PatientView),
        (status = 404, description = "No patient record is linked to this account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid address, or fields other than `email` (each named)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_me(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<Map<String, Value>>,
) -> Result<Json<PatientView>, ApiError> {
    let mut errors: Vec<FieldError> = body
        .keys()
        .filter(|k| k.as_str() != "email")
        .map(|k| {
            FieldError::coded(
                k.as_str(),
                "not-yours-to-change",
                "cannot be changed here: a patient may change only their e-mail address and phones",
            )
        })
        .collect();
    let email = match body.get("email") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(FieldError::coded(
                "email",
                "email",
                "must be a string or null",
            ));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors).into());
    }
    if !body.contains_key("email") {
        // Nothing asked: answer the record as it is.
        return me(State(state), Extension(caller)).await;
    }
    let patient = patients::update_own_email(
        &state.store,
        &state.audit,
        caller.actor(),
        caller.user_id(),
        email,
    )
    .await?;
    Ok(Json(patient.into()))
}

/// My phones, in creation order.
#[utoipa::path(get, path = "/api/v1/me/patient/phones", operation_id = "me_phones_list", tag = "patients", security(("bearer" = [])),
    responses(
        (status = 200, description = "My phones", body = PhoneList),
        (status = 404, description = "No patient record is linked to this account", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn my_phones(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<PhoneList>, ApiError> {
    let patient_id = own_id(&state, &caller).await?;
    Ok(Json(phone_list(
        patients::phones(&state.store, patient_id).await?,
    )))
}

/// Add a phone of mine.
#[utoipa::path(post, path = "/api/v1/me/patient/phones", operation_id = "me_phones_add", tag = "patients", security(("bearer" = [])),
    request_body = PhoneBody,
    responses(
        (status = 201, description = "Added", body = PhoneView),
        (status = 404, description = "No patient record is linked to this account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid number or label, or a number I have already", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_my_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<PhoneBody>,
) -> Result<(StatusCode, Json<PhoneView>), ApiError> {
    let patient_id = own_id(&state, &caller).await?;
    add_phone(
        State(state),
        Extension(caller),
        Path(patient_id),
        Json(body),
    )
    .await
}

/// Change one of my phones (`is_primary: true` moves the primary here).
#[utoipa::path(patch, path = "/api/v1/me/patient/phones/{phone_id}", operation_id = "me_phones_update", tag = "patients", security(("bearer" = [])),
    params(("phone_id" = i64, Path, description = "One of my phones (`phone_number_id`)")),
    request_body = PatchPhoneBody,
    responses(
        (status = 200, description = "The phone as it now is", body = PhoneView),
        (status = 404, description = "Not one of my phones", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or I would not have exactly one primary", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_my_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(phone_id): Path<i64>,
    Json(body): Json<PatchPhoneBody>,
) -> Result<Json<PhoneView>, ApiError> {
    let patient_id = own_id(&state, &caller).await?;
    let path = Path((patient_id, phone_id));
    update_phone(State(state), Extension(caller), path, Json(body)).await
}

/// Delete one of my phones (not below two, not the primary).
#[utoipa::path(delete, path = "/api/v1/me/patient/phones/{phone_id}", operation_id = "me_phones_delete", tag = "patients", security(("bearer" = [])),
    params(("phone_id" = i64, Path, description = "One of my phones (`phone_number_id`)")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "Not one of my phones", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "I would have fewer than 2 phones or no primary", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_my_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(phone_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let patient_id = own_id(&state, &caller).await?;
    delete_phone(
        State(state),
        Extension(caller),
        Path((patient_id, phone_id)),
    )
    .await
}

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{self, post};
    axum::Router::new()
        .route("/api/v1/patients", routing::get(list).post(create))
        .route("/api/v1/patients/import", post(import))
        .route("/api/v1/patients/export", routing::get(export))
        .route(
            "/api/v1/patients/{patient_id}",
            routing::get(get).patch(update),
        )
        .route("/api/v1/patients/{patient_id}/phones", post(add_phone))
        .route(
            "/api/v1/patients/{patient_id}/phones/{phone_id}",
            axum::routing::patch(update_phone).delete(delete_phone),
        )
        .route("/api/v1/me/patient", routing::get(me).patch(update_me))
        .route(
            "/api/v1/me/patient/phones",
            routing::get(my_phones).post(add_my_phone),
        )
        .route(
            "/api/v1/me/patient/phones/{phone_id}",
            axum::routing::patch(update_my_phone).delete(delete_my_phone),
        )
}
