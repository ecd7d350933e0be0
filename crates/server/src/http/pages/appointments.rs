//! `/appointments`: the appointment book.
//!
//! * The day (`/appointments?date=`): one column per doctor, one row per 15 minutes of the
//!   clinic's opening hours that day (widened to show every appointment of the day), each
//!   appointment a block spanning its rows, coloured by status, with its status moves as
//!   one-click buttons. An empty cell is a link to book that doctor at that time. Canceled
//!   and no-show appointments free their time, so they are listed under the grid, as are
//!   appointments that share a row with another (a 10:20 start after a 10:00-10:20 one).
//! * The week of one doctor (`/appointments/week?doctor_id=&date=`): the same grid with a
//!   column per day, Monday to Sunday.
//! * Booking (`/appointments/new`): the patient found by the same search as the patients
//!   page (as it is typed, with htmx; a plain form without a script), the doctor, the day,
//!   the time, an optional end and planned service. An overlap shows the appointment in the
//!   way.
//! * An appointment's page (`/appointments/{id}`): its details, its status moves (with an
//!   optional reason, for the audit trail) and the form that moves it. The book's drag and
//!   drop (`static/book.js`) posts the same form, so there is one path for a move.
//!
//! Times on these pages are the clinic's local time; they become instants in the clinic's
//! time zone here, before the service sees them.

use super::common::appointment_block::Block;
use super::common::patient_search::{ResultRow, SearchParams, find_patients};
use super::common::{Choice, local_instant};
use super::{FieldMessages, Layout, OrPage, PageResult, msg, safe_next, see_other_with_flash};
use crate::http::state::AppState;
use crate::services::appointments::{
    self, AppointmentChanges, BookEntry, BookingError, ListQuery, NewAppointment,
};
use crate::services::auth::Caller;
use crate::services::settings::ClinicSettings;
use crate::services::{FieldError, ServiceError, catalog, patients, settings, staff};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use dcms_domain::permission::{Access, Capability};
use dcms_domain::{AppointmentStatus, parse_hhmm};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;

/// Minutes per row of the book.
const STEP_MINUTES: i32 = 15;
/// Minutes in a day: the last row ends at most here.
const DAY_MINUTES: i32 = 24 * 60;
/// Most appointments one page of the book shows (a day of a large clinic has a few hundred).
const BOOK_MAX: u64 = 3000;
/// Most doctors the book has columns for.
const DOCTORS_MAX: u64 = 500;
/// Patients offered by the booking form's search.
const PATIENT_OPTIONS: u64 = 10;

// --- what the templates show ---------------------------------------------------------------

/// An empty cell: a link to book that doctor at that time.
pub struct Slot {
    /// None when the caller may not book.
    href: Option<String>,
    /// What the link says to a screen reader: the time and the doctor.
    label: String,
    past: bool,
}

/// One cell of the grid: an appointment starting in this row, an empty slot, or neither
/// (a row covered by an appointment that started above: no `<td>`).
pub struct Cell {
    block: Option<Block>,
    slot: Option<Slot>,
}

/// One 15-minute row.
pub struct GridRow {
    time: String,
    /// The end of the row, `HH:MM` (`24:00` for the last row of a day).
    end: String,
    /// The row starts a full hour.
    hour: bool,
    cells: Vec<Cell>,
}

/// One column: a doctor on a day.
pub struct Column {
    doctor_id: i64,
    date: String,
    title: String,
    subtitle: String,
    /// The day view (from the week) or the doctor's week (from the day).
    link: String,
    /// The clinic is closed that day.
    closed: bool,
}

/// The grid of the book, and the appointments it cannot place.
pub struct Grid {
    columns: Vec<Column>,
    rows: Vec<GridRow>,
    /// Canceled and no-show appointments, and those sharing a row with another.
    others: Vec<Block>,
}

/// A column to build: a doctor on a date.
struct ColumnSpec {
    doctor_id: i64,
    doctor_name: String,
    date: Date,
    title: String,
    subtitle: String,
    link: String,
}

fn minutes(t: Time) -> i32 {
    i32::from(t.hour()) * 60 + i32::from(t.minute())
}

fn time_of(minutes: i32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Lays out the appointments on the columns' days in 15-minute rows of local time: from
/// the earliest opening to the latest closing of those days, widened to every placed
/// appointment. Reserved, confirmed, came and finished appointments are placed; the rest,
/// and any that would share a row with one already placed, go to `others`.
fn build_grid(
    layout: &Layout,
    clinic: &ClinicSettings,
    specs: Vec<ColumnSpec>,
    entries: &[BookEntry],
    can_write: bool,
) -> Grid {
    let tz = &layout.time_zone;
    let mut lo = DAY_MINUTES;
    let mut hi = 0;
    for spec in &specs {
        for &(open, close) in clinic.opening_hours.intervals(spec.date.weekday()) {
            lo = lo.min(minutes(open));
            hi = hi.max(minutes(close));
        }
    }
    // Where each appointment would go: (column, first row minute, end minute).
    let mut others = Vec::new();
    let mut placed: Vec<(usize, i32, i32, &BookEntry)> = Vec::new();
    for entry in entries {
        let a = &entry.appointment;
        let start = a.start_at.to_zoned(tz.clone());
        let end = a.end_at.to_zoned(tz.clone());
        let column = specs
            .iter()
            .position(|s| s.doctor_id == a.doctor_id && s.date == start.date());
        let shown = matches!(
            a.status,
            AppointmentStatus::Reserved
                | AppointmentStatus::Confirmed
                | AppointmentStatus::Came
                | AppointmentStatus::Finished
        );
        let (Some(column), true) = (column, shown) else {
            others.push(Block::of(layout, entry, can_write));
            continue;
        };
        let first = minutes(start.time()) / STEP_MINUTES * STEP_MINUTES;
        let last = if end.date() > start.date() {
            DAY_MINUTES
        } else {
            let m = minutes(end.time());
            ((m + STEP_MINUTES - 1) / STEP_MINUTES * STEP_MINUTES).min(DAY_MINUTES)
        };
        let last = last.max(first + STEP_MINUTES);
        lo = lo.min(first);
        hi = hi.max(last);
        placed.push((column, first, last, entry));
    }
    lo = lo / STEP_MINUTES * STEP_MINUTES;
    hi = ((hi + STEP_MINUTES - 1) / STEP_MINUTES * STEP_MINUTES).min(DAY_MINUTES);
    let row_count = if hi > lo {
        ((hi - lo) / STEP_MINUTES) as usize
    } else {
        0
    };
    // Which rows of each column an appointment holds, and where each one starts.
    let mut taken = vec![vec![false; row_count]; specs.len()];
    let mut starts: Vec<Vec<Option<Block>>> = (0..specs.len())
        .map(|_| (0..row_count).map(|_| None).collect())
        .collect();
    for (column, first, last, entry) in placed {
        let r0 = ((first - lo) / STEP_MINUTES) as usize;
        let r1 = (((last - lo) / STEP_MINUTES) as usize).min(row_count);
        if taken[column][r0..r1].iter().any(|t| *t) {
            others.push(Block::of(layout, entry, can_write));
            continue;
        }
        taken[column][r0..r1].iter_mut().for_each(|t| *t = true);
        let mut block = Block::of(layout, entry, can_write);
        block.rowspan = r1 - r0;
        starts[column][r0] = Some(block);
    }
    let now = Timestamp::now();
    let mut rows = Vec::with_capacity(row_count);
    for r in 0..row_count {
        let minute = lo + r as i32 * STEP_MINUTES;
        let time = time_of(minute);
        let mut cells = Vec::with_capacity(specs.len());
        for (c, spec) in specs.iter().enumerate() {
            if let Some(block) = starts[c][r].take() {
                cells.push(Cell {
                    block: Some(block),
                    slot: None,
                });
            } else if taken[c][r] {
                cells.push(Cell {
                    block: None,
                    slot: None,
                });
            } else {
                let at = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0)
                    .ok()
                    .and_then(|t| local_instant(tz, spec.date, t));
                cells.push(Cell {
                    block: None,
                    slot: Some(Slot {
                        href: can_write.then(|| {
                            format!(
                                "/appointments/new?doctor_id={}&date={}&time={}",
                                spec.doctor_id, spec.date, time
                            )
                        }),
                        label: layout.t1(
                            "book-slot",
                            "time",
                            format!("{} {time}, {}", spec.date, spec.doctor_name),
                        ),
                        past: at.is_some_and(|at| at < now),
                    }),
                });
            }
        }
        rows.push(GridRow {
            hour: minute % 60 == 0,
            end: time_of(minute + STEP_MINUTES),
            time,
            cells,
        });
    }
    let columns = specs
        .into_iter()
        .map(|s| Column {
            closed: clinic.opening_hours.is_closed(s.date.weekday()),
            doctor_id: s.doctor_id,
            date: s.date.to_string(),
            title: s.title,
            subtitle: s.subtitle,
            link: s.link,
        })
        .collect();
    Grid {
        columns,
        rows,
        others,
    }
}

// --- the day and the week ------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BookParams {
    date: Option<String>,
    doctor_id: Option<String>,
}

#[derive(Template)]
#[template(path = "appointments.html")]
struct BookPage<'a> {
    layout: &'a Layout,
    /// `day` or `week`.
    view: &'static str,
    date: String,
    /// The week's doctor.
    doctor: Option<Choice>,
    doctors: Vec<Choice>,
    previous: String,
    next: String,
    today: String,
    title: String,
    grid: Grid,
    /// Where a status button comes back to.
    back: String,
}

/// The date asked for, else today in the clinic's zone; a malformed one is 400.
fn day_of(layout: &Layout, clinic: &ClinicSettings, date: Option<&str>) -> Result<Date, Response> {
    match date.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(clinic.now_local().date()),
        Some(d) => d
            .parse::<Date>()
            .map_err(|_| layout.error_page(StatusCode::BAD_REQUEST, msg("error-book-date"), None)),
    }
}

fn weekday_name(layout: &Layout, date: Date) -> String {
    let key = dcms_domain::weekday_key(date.weekday());
    layout.t(&format!("weekday-{key}"))
}

/// The appointments starting in `[from, to)` (of one doctor), with their names.
async fn entries_between(
    state: &AppState,
    layout: &Layout,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    doctor_id: Option<i64>,
) -> Result<Vec<BookEntry>, Response> {
    let query = ListQuery {
        from,
        to,
        doctor_id,
        ..ListQuery::default()
    };
    let page = appointments::list(&state.store, &query, None, BOOK_MAX)
        .await
        .or_page(layout)?;
    appointments::with_names(&state.store, page.items)
        .await
        .or_page(layout)
}

fn path_and_query(uri: &Uri) -> String {
    uri.path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| "/appointments".to_owned())
}

fn doctor_choices(doctors: &[staff::Employee]) -> Vec<Choice> {
    doctors
        .iter()
        .map(|d| Choice {
            value: d.employee_id.to_string(),
            label: format!("{} {}", d.last_name, d.first_name),
        })
        .collect()
}

/// `GET /appointments?date=`: the day, one column per doctor.
pub async fn day(
    State(state): State<AppState>,
    Query(params): Query<BookParams>,
    uri: Uri,
    layout: Layout,
) -> PageResult {
    let clinic = settings::get(&state.store).await.or_page(&layout)?;
    let date = day_of(&layout, &clinic, params.date.as_deref())?;
    let tz = clinic.time_zone();
    let from = local_instant(&tz, date, Time::midnight());
    let to = date
        .tomorrow()
        .ok()
        .and_then(|d| local_instant(&tz, d, Time::midnight()));
    let entries = entries_between(&state, &layout, from, to, None).await?;
    let doctors = staff::doctors(&state.store, None, DOCTORS_MAX)
        .await
        .or_page(&layout)?;
    // Every doctor, then anyone who has an appointment that day but is no longer a doctor.
    let mut columns: Vec<(i64, String)> = doctors
        .iter()
        .map(|d| (d.employee_id, format!("{} {}", d.last_name, d.first_name)))
        .collect();
    for entry in &entries {
        let id = entry.appointment.doctor_id;
        if !columns.iter().any(|(c, _)| *c == id) {
            columns.push((id, entry.doctor_name.clone()));
        }
    }
    let specs: Vec<ColumnSpec> = columns
        .into_iter()
        .map(|(doctor_id, doctor_name)| ColumnSpec {
            doctor_id,
            title: doctor_name.clone(),
            doctor_name,
            date,
            subtitle: String::new(),
            link: format!("/appointments/week?doctor_id={doctor_id}&date={date}"),
        })
        .collect();
    let can_write = layout.can.appointments_write;
    let grid = build_grid(&layout, &clinic, specs, &entries, can_write);
    let day_link = |d: Option<Date>| {
        d.map(|d| format!("/appointments?date={d}"))
            .unwrap_or_else(|| "/appointments".to_owned())
    };
    let title = format!("{} · {}", date, weekday_name(&layout, date));
    Ok(layout.render(&BookPage {
        layout: &layout,
        view: "day",
        date: date.to_string(),
        doctor: None,
        doctors: doctor_choices(&doctors),
        previous: day_link(date.yesterday().ok()),
        next: day_link(date.tomorrow().ok()),
        today: "/appointments".to_owned(),
        title,
        grid,
        back: path_and_query(&uri),
    }))
}

/// `GET /appointments/week?doctor_id=&date=`: one doctor's week, Monday to Sunday, with
/// the week that holds `date` (default today). Without a doctor, the first one.
pub async fn week(
    State(state): State<AppState>,
    Query(params): Query<BookParams>,
    uri: Uri,
    layout: Layout,
) -> PageResult {
    let clinic = settings::get(&state.store).await.or_page(&layout)?;
    let date = day_of(&layout, &clinic, params.date.as_deref())?;
    let doctors = staff::doctors(&state.store, None, DOCTORS_MAX)
        .await
        .or_page(&layout)?;
    let doctor_id = match params.doctor_id.as_deref().map(str::trim) {
        None | Some("") => match doctors.first() {
            Some(d) => d.employee_id,
            None => return Err(layout.error(ServiceError::NotFound("doctor"))),
        },
        Some(text) => text.parse::<i64>().map_err(|_| {
            layout.error_page(StatusCode::BAD_REQUEST, msg("error-not-found"), None)
        })?,
    };
    let doctor = staff::get(&state.store, doctor_id).await.or_page(&layout)?;
    let doctor_name = format!("{} {}", doctor.last_name, doctor.first_name);
    let monday = date
        .checked_sub(i64::from(date.weekday().to_monday_zero_offset()).days())
        .unwrap_or(date);
    let days: Vec<Date> = (0..7)
        .filter_map(|i: i64| monday.checked_add(i.days()).ok())
        .collect();
    let tz = clinic.time_zone();
    let from = local_instant(&tz, monday, Time::midnight());
    let to = days
        .last()
        .and_then(|d| d.tomorrow().ok())
        .and_then(|d| local_instant(&tz, d, Time::midnight()));
    let entries = entries_between(&state, &layout, from, to, Some(doctor_id)).await?;
    let specs = days
        .iter()
        .map(|&d| ColumnSpec {
            doctor_id,
            doctor_name: doctor_name.clone(),
            date: d,
            title: weekday_name(&layout, d),
            subtitle: d.to_string(),
            link: format!("/appointments?date={d}"),
        })
        .collect();
    let can_write = layout.can.appointments_write;
    let grid = build_grid(&layout, &clinic, specs, &entries, can_write);
    let week_link = |d: Option<Date>| match d {
        Some(d) => format!("/appointments/week?doctor_id={doctor_id}&date={d}"),
        None => format!("/appointments/week?doctor_id={doctor_id}"),
    };
    let title = format!(
        "{doctor_name} · {} – {}",
        monday,
        days.last().copied().unwrap_or(monday)
    );
    Ok(layout.render(&BookPage {
        layout: &layout,
        view: "week",
        date: date.to_string(),
        doctor: Some(Choice {
            value: doctor_id.to_string(),
            label: doctor_name,
        }),
        doctors: doctor_choices(&doctors),
        previous: week_link(monday.checked_sub(7.days()).ok()),
        next: week_link(monday.checked_add(7.days()).ok()),
        today: week_link(None),
        title,
        grid,
        back: path_and_query(&uri),
    }))
}

// --- booking -------------------------------------------------------------------------------

/// The booking form, as typed (also its query string: an empty slot's link fills it).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct BookingForm {
    patient_id: String,
    doctor_id: String,
    date: String,
    time: String,
    end_time: String,
    planned_service_id: String,
    note: String,
    /// The patient search.
    q: String,
}

/// The appointment in the way of a booking or a move.
pub struct ConflictView {
    block: Block,
}

#[derive(Template)]
#[template(path = "appointment_new.html")]
struct NewAppointmentPage<'a> {
    layout: &'a Layout,
    /// The patient search as typed.
    q: String,
    form: BookingForm,
    /// The chosen patient, shown instead of the search.
    patient: Option<ResultRow>,
    results: Vec<ResultRow>,
    doctors: Vec<Choice>,
    services: Vec<Choice>,
    errors: FieldMessages,
    conflict: Option<ConflictView>,
    known_fields: &'static [&'static str],
}

/// The fields the booking and move forms show their errors beside.
const FORM_FIELDS: &[&str] = &[
    "patient_id",
    "doctor_id",
    "date",
    "start_at",
    "end_at",
    "planned_service_id",
    "note",
];

#[derive(Template)]
#[template(path = "_patient_options.html")]
struct PatientOptions<'a> {
    layout: &'a Layout,
    q: String,
    results: Vec<ResultRow>,
}

/// Patients matching `q` (none for an empty `q`).
async fn patient_options(
    state: &AppState,
    layout: &Layout,
    q: &str,
) -> Result<Vec<ResultRow>, Response> {
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    let params = SearchParams {
        q: q.to_owned(),
        cursor: None,
    };
    let (results, _) = find_patients(state, layout, &params, PATIENT_OPTIONS).await?;
    Ok(results)
}

/// The patient a form names, when the id is a patient's (a read of their record, audited
/// as every other).
async fn chosen_patient(state: &AppState, caller: &Caller, patient_id: &str) -> Option<ResultRow> {
    let id = patient_id.trim().parse::<i64>().ok()?;
    let patient = patients::get(&state.store, &state.audit, caller.actor(), id)
        .await
        .ok()?;
    Some(ResultRow::of(&patient))
}

async fn service_choices(state: &AppState, layout: &Layout) -> Result<Vec<Choice>, Response> {
    let filter = catalog::ServiceFilter {
        active: Some(true),
        ..catalog::ServiceFilter::default()
    };
    let services = catalog::list(&state.store, filter, catalog::REORDER_MAX as u64)
        .await
        .or_page(layout)?;
    Ok(services
        .iter()
        .map(|s| Choice {
            value: s.service_id.to_string(),
            label: format!(
                "{} {} · {} ({} {})",
                s.service_type,
                s.display_number,
                s.doctor_display_name,
                s.default_duration_time,
                layout.t("minutes-short")
            ),
        })
        .collect())
}

async fn booking_page(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    form: BookingForm,
    errors: FieldMessages,
    conflict: Option<ConflictView>,
    status: StatusCode,
) -> PageResult {
    let patient = chosen_patient(state, caller, &form.patient_id).await;
    let results = if patient.is_none() {
        patient_options(state, layout, &form.q).await?
    } else {
        Vec::new()
    };
    let doctors = staff::doctors(&state.store, None, DOCTORS_MAX)
        .await
        .or_page(layout)?;
    let services = service_choices(state, layout).await?;
    Ok(layout.render_status(
        status,
        &NewAppointmentPage {
            layout,
            q: form.q.trim().to_owned(),
            form,
            patient,
            results,
            doctors: doctor_choices(&doctors),
            services,
            errors,
            conflict,
            known_fields: FORM_FIELDS,
        },
    ))
}

/// `GET /appointments/new?doctor_id=&date=&time=&patient_id=&q=`: the booking form.
pub async fn new_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(mut form): Query<BookingForm>,
    layout: Layout,
) -> PageResult {
    if form.date.trim().is_empty() {
        form.date = layout.today();
    }
    booking_page(
        &state,
        &caller,
        &layout,
        form,
        FieldMessages::default(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `GET /appointments/patient-options?q=`: the booking form's patient choices alone.
pub async fn patient_choices(
    State(state): State<AppState>,
    Query(params): Query<BookingForm>,
    layout: Layout,
) -> PageResult {
    let results = patient_options(&state, &layout, &params.q).await?;
    Ok(layout.render(&PatientOptions {
        layout: &layout,
        q: params.q.trim().to_owned(),
        results,
    }))
}

/// An id typed in a form: None for blank, an error for anything but a number.
fn form_id(errors: &mut Vec<FieldError>, field: &str, value: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(FieldError::coded(
                field,
                "choose",
                "choose one of the options",
            ));
            None
        }
    }
}

/// A local date and time of the form as an RFC 3339 instant for the service; the error
/// names `field` (`start_at` or `end_at`).
fn form_instant(
    errors: &mut Vec<FieldError>,
    tz: &TimeZone,
    field: &str,
    date: &str,
    time: &str,
) -> Option<String> {
    let Ok(date) = date.trim().parse::<Date>() else {
        errors.push(FieldError::coded(
            "date",
            "date",
            "write a date as YYYY-MM-DD",
        ));
        return None;
    };
    let instant = parse_hhmm(time.trim()).and_then(|t| local_instant(tz, date, t));
    if instant.is_none() {
        errors.push(FieldError::coded(field, "time", "write a time as HH:MM"));
    }
    instant.map(|t| t.to_string())
}

/// A field the form gave, trimmed; None when left out or blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// What a refused booking or move shows: field messages, or the appointment in the way.
async fn refusal(
    state: &AppState,
    layout: &Layout,
    err: BookingError,
    can_write: bool,
) -> Result<(FieldMessages, Option<ConflictView>, StatusCode), Response> {
    match err {
        BookingError::Service(ServiceError::Invalid(errors)) => Ok((
            layout.field_errors(&errors),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        BookingError::Overlap {
            conflicting_appointment_id,
            ..
        } => {
            let other = appointments::get(&state.store, conflicting_appointment_id)
                .await
                .or_page(layout)?;
            let entries = appointments::with_names(&state.store, vec![other])
                .await
                .or_page(layout)?;
            let conflict = entries.first().map(|e| ConflictView {
                block: Block::of(layout, e, can_write),
            });
            Ok((FieldMessages::default(), conflict, StatusCode::CONFLICT))
        }
        BookingError::Service(other) => Err(layout.error(other)),
    }
}

/// `POST /appointments`: books; back to the day with the appointment, or the form again
/// with what is wrong or the appointment in the way.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<BookingForm>,
) -> PageResult {
    let tz = layout.time_zone.clone();
    let mut errors = Vec::new();
    let patient_id = form_id(&mut errors, "patient_id", &form.patient_id);
    let doctor_id = form_id(&mut errors, "doctor_id", &form.doctor_id);
    let planned_service_id = form_id(&mut errors, "planned_service_id", &form.planned_service_id);
    let start_at = if form.time.trim().is_empty() {
        None
    } else {
        form_instant(&mut errors, &tz, "start_at", &form.date, &form.time)
    };
    let end_at = if form.end_time.trim().is_empty() {
        None
    } else {
        form_instant(&mut errors, &tz, "end_at", &form.date, &form.end_time)
    };
    let result = if errors.is_empty() {
        appointments::create(
            &state.store,
            &state.audit,
            caller.actor(),
            NewAppointment {
                patient_id,
                doctor_id,
                start_at,
                end_at,
                planned_service_id,
                note: Some(form.note.clone()),
            },
        )
        .await
    } else {
        Err(BookingError::Service(ServiceError::Invalid(errors)))
    };
    match result {
        Ok(appointment) => {
            let date = appointment
                .start_at
                .to_zoned(layout.time_zone.clone())
                .date();
            Ok(see_other_with_flash(
                &format!(
                    "/appointments?date={date}#appointment-{}",
                    appointment.appointment_id
                ),
                msg("flash-appointment-booked"),
                layout.secure,
            ))
        }
        Err(err) => {
            let (errors, conflict, status) = refusal(&state, &layout, err, true).await?;
            booking_page(&state, &caller, &layout, form, errors, conflict, status).await
        }
    }
}

// --- one appointment -----------------------------------------------------------------------

/// The move form, as typed. A field left out is not changed (the book's drag and drop
/// sends only what it moves); the page's form sends every field.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MoveForm {
    date: Option<String>,
    time: Option<String>,
    end_time: Option<String>,
    doctor_id: Option<String>,
    note: Option<String>,
    /// Where to go afterwards (a path of ours).
    back: Option<String>,
}

/// A status move, with its optional reason.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    reason: String,
    back: Option<String>,
}

#[derive(Template)]
#[template(path = "appointment.html")]
struct AppointmentPage<'a> {
    layout: &'a Layout,
    block: Block,
    /// The move form's values.
    form: MoveForm,
    doctors: Vec<Choice>,
    errors: FieldMessages,
    /// A refused status move or a refused move, as one message.
    problem: Option<String>,
    conflict: Option<ConflictView>,
    reason: String,
    back: String,
    known_fields: &'static [&'static str],
}

struct Shown {
    errors: FieldMessages,
    problem: Option<String>,
    conflict: Option<ConflictView>,
    status: StatusCode,
}

impl Shown {
    fn ok() -> Shown {
        Shown {
            errors: FieldMessages::default(),
            problem: None,
            conflict: None,
            status: StatusCode::OK,
        }
    }
}

async fn appointment_page(
    state: &AppState,
    layout: &Layout,
    appointment_id: i64,
    form: Option<MoveForm>,
    reason: String,
    shown: Shown,
) -> PageResult {
    let appointment = appointments::get(&state.store, appointment_id)
        .await
        .or_page(layout)?;
    let entries = appointments::with_names(&state.store, vec![appointment])
        .await
        .or_page(layout)?;
    let Some(entry) = entries.first() else {
        return Err(layout.error(ServiceError::NotFound("appointment")));
    };
    let can_write = layout.can.appointments_write;
    let block = Block::of(layout, entry, can_write);
    let form = form.unwrap_or_else(|| MoveForm {
        date: Some(block.date.clone()),
        time: Some(block.start.clone()),
        end_time: Some(
            entry
                .appointment
                .end_at
                .to_zoned(layout.time_zone.clone())
                .strftime("%H:%M")
                .to_string(),
        ),
        doctor_id: Some(block.doctor_id.to_string()),
        note: block.note.clone(),
        back: None,
    });
    let mut doctors = staff::doctors(&state.store, None, DOCTORS_MAX)
        .await
        .or_page(layout)?;
    if !doctors.iter().any(|d| d.employee_id == block.doctor_id)
        && let Ok(current) = staff::get(&state.store, block.doctor_id).await
    {
        doctors.push(current);
    }
    let back = format!(
        "/appointments?date={}#appointment-{appointment_id}",
        block.date
    );
    Ok(layout.render_status(
        shown.status,
        &AppointmentPage {
            layout,
            block,
            form,
            doctors: doctor_choices(&doctors),
            errors: shown.errors,
            problem: shown.problem,
            conflict: shown.conflict,
            reason,
            back,
            known_fields: FORM_FIELDS,
        },
    ))
}

/// `GET /appointments/{appointment_id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(appointment_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    appointment_page(
        &state,
        &layout,
        appointment_id,
        None,
        String::new(),
        Shown::ok(),
    )
    .await
}

/// `POST /appointments/{appointment_id}`: moves or edits it (the page's form, or the
/// book's drag and drop with only the fields it changes).
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(appointment_id): Path<i64>,
    layout: Layout,
    Form(form): Form<MoveForm>,
) -> PageResult {
    let current = appointments::get(&state.store, appointment_id)
        .await
        .or_page(&layout)?;
    let tz = layout.time_zone.clone();
    let start_date = current.start_at.to_zoned(tz.clone()).date().to_string();
    let date = form
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(&start_date);
    let mut errors = Vec::new();

    let start_at =
        given(&form.time).and_then(|t| form_instant(&mut errors, &tz, "start_at", date, t));
    let end_at =
        given(&form.end_time).and_then(|t| form_instant(&mut errors, &tz, "end_at", date, t));
    let doctor_id = given(&form.doctor_id).and_then(|d| form_id(&mut errors, "doctor_id", d));
    let changes = AppointmentChanges {
        start_at,
        end_at,
        doctor_id,
        note: form.note.clone().map(Some),
    };
    let result = if errors.is_empty() {
        appointments::update(
            &state.store,
            &state.audit,
            caller.actor(),
            appointment_id,
            changes,
        )
        .await
    } else {
        Err(BookingError::Service(ServiceError::Invalid(errors)))
    };
    match result {
        Ok(moved) => {
            let date = moved.start_at.to_zoned(tz).date();
            let back = form
                .back
                .as_deref()
                .map(|b| safe_next(Some(b)))
                .unwrap_or_else(|| {
                    format!("/appointments?date={date}#appointment-{appointment_id}")
                });
            Ok(see_other_with_flash(
                &back,
                msg("flash-appointment-moved"),
                layout.secure,
            ))
        }
        Err(BookingError::Service(ServiceError::Conflict(_))) => {
            let problem = Some(layout.t("error-appointment-final"));
            appointment_page(
                &state,
                &layout,
                appointment_id,
                Some(form),
                String::new(),
                Shown {
                    problem,
                    status: StatusCode::CONFLICT,
                    ..Shown::ok()
                },
            )
            .await
        }
        Err(err) => {
            let (errors, conflict, status) = refusal(&state, &layout, err, true).await?;
            let problem = conflict
                .as_ref()
                .map(|_| layout.t("appointment-conflict"))
                .or_else(|| (!errors.is_empty()).then(|| layout.t("error-invalid")));
            appointment_page(
                &state,
                &layout,
                appointment_id,
                Some(form),
                String::new(),
                Shown {
                    errors,
                    problem,
                    conflict,
                    status,
                },
            )
            .await
        }
    }
}

/// `POST /appointments/{appointment_id}/status`: one status move; back to where the
/// button was, or the appointment's page saying why not.
pub async fn set_status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(appointment_id): Path<i64>,
    layout: Layout,
    Form(form): Form<StatusForm>,
) -> PageResult {
    let result = appointments::set_status(
        &state.store,
        &state.audit,
        caller.actor(),
        caller.may(Capability::Refunds, Access::Write),
        appointment_id,
        &form.status,
        Some(form.reason.as_str()),
    )
    .await;
    let (problem, status) = match result {
        Ok(appointment) => {
            let back = form
                .back
                .as_deref()
                .map(|b| safe_next(Some(b)))
                .unwrap_or_else(|| {
                    let date = appointment
                        .start_at
                        .to_zoned(layout.time_zone.clone())
                        .date();
                    format!("/appointments?date={date}#appointment-{appointment_id}")
                });
            return Ok(see_other_with_flash(
                &back,
                msg("flash-appointment-status"),
                layout.secure,
            ));
        }
        Err(ServiceError::Invalid(errors)) => (
            errors
                .iter()
                .map(|e| layout.field_error(e))
                .collect::<Vec<_>>()
                .join(" "),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(ServiceError::Conflict(_)) => {
            (layout.t("error-appointment-unpaid"), StatusCode::CONFLICT)
        }
        Err(other) => return Err(layout.error(other)),
    };
    appointment_page(
        &state,
        &layout,
        appointment_id,
        None,
        form.reason,
        Shown {
            problem: Some(problem),
            status,
            ..Shown::ok()
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_quarter_hours() {
        assert_eq!(time_of(9 * 60 + 45), "09:45");
        assert_eq!(time_of(DAY_MINUTES), "24:00");
        assert_eq!(minutes(Time::constant(10, 15, 0, 0)), 615);
    }
}
