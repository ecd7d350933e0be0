//! The book: one day with a column per doctor (`/appointments?date=`; greyed where a doctor
//! does not work, their exceptions in the header) or per chair (`&by=chair`), or one
//! doctor's week (`/appointments/week?doctor_id=&date=`).

use super::grid::{ColumnSpec, Grid, Marking, build_grid};
use super::{DOCTORS_MAX, doctor_choices};
use crate::http::pages::common::{Choice, local_instant};
use crate::http::pages::{Layout, OrPage, PageResult, msg};
use crate::http::state::AppState;
use crate::services::appointments::{self, BookEntry, BookMarks, ListQuery};
use crate::services::auth::Caller;
use crate::services::settings::ClinicSettings;
use crate::services::{ServiceError, settings, staff};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use jiff::civil::{Date, Time};
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;

/// Most appointments one page of the book shows (a day of a large clinic has a few hundred).
const BOOK_MAX: u64 = 3000;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BookParams {
    date: Option<String>,
    doctor_id: Option<String>,
    /// The appointment just booked or changed, highlighted (anything but an id is ignored).
    changed: Option<String>,
    /// `chair`: a column per chair.
    by: Option<String>,
}

impl BookParams {
    fn changed(&self) -> Option<i64> {
        self.changed.as_deref().and_then(|c| c.trim().parse().ok())
    }
}

/// A doctor the user may show or hide in the day's book.
pub struct DoctorToggle {
    pub doctor_id: i64,
    pub name: String,
    pub shown: bool,
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
    /// The day view's doctors to show or hide (empty in the week).
    toggles: Vec<DoctorToggle>,
    /// What the choice of doctors says when closed: how many of them the day shows.
    doctors_summary: String,
    /// The clinic has chairs: the day may show a column per chair.
    has_chairs: bool,
    by_chair: bool,
}

/// The labels of a doctor's exceptions on a day (`Амралт`, `Нэмэлт цаг 15:00–17:00`).
fn exception_labels(
    layout: &Layout,
    exceptions: &[crate::services::hours::Exception],
) -> Vec<String> {
    exceptions
        .iter()
        .map(|x| {
            let kind = layout.t(&format!("exception-{}", x.kind.as_str()));
            match (&x.start, &x.end) {
                (Some(s), Some(e)) => format!("{kind} {s}–{e}"),
                _ => kind,
            }
        })
        .collect()
}

/// The hours and exception labels of `doctor_ids` on `date`.
async fn day_hours(
    state: &AppState,
    layout: &Layout,
    clinic: &ClinicSettings,
    doctor_ids: &[i64],
    date: Date,
) -> Result<std::collections::HashMap<i64, (Vec<dcms_domain::Span>, Vec<String>)>, Response> {
    let plans =
        crate::services::hours::day_plans(state.store.connection(), clinic, doctor_ids, date)
            .await
            .or_page(layout)?;
    Ok(plans
        .into_iter()
        .map(|(id, plan)| (id, (plan.hours, exception_labels(layout, &plan.exceptions))))
        .collect())
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

/// The appointments starting in `[from, to)` (of one doctor), with their names and marks.
async fn entries_between(
    state: &AppState,
    layout: &Layout,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    doctor_id: Option<i64>,
) -> Result<(Vec<BookEntry>, BookMarks), Response> {
    let query = ListQuery {
        from,
        to,
        doctor_id,
        ..ListQuery::default()
    };
    let page = appointments::list(&state.store, &query, None, BOOK_MAX)
        .await
        .or_page(layout)?;
    let ids: Vec<i64> = page.items.iter().map(|a| a.appointment_id).collect();
    let mut patients: Vec<i64> = page.items.iter().map(|a| a.patient_id).collect();
    patients.sort_unstable();
    patients.dedup();
    let marks = appointments::marks(&state.store, &ids, &patients)
        .await
        .or_page(layout)?;
    let entries = appointments::with_names(&state.store, page.items)
        .await
        .or_page(layout)?;
    Ok((entries, marks))
}

/// The book's own address, without the highlight of the last change.
fn path_and_query(uri: &Uri) -> String {
    let query = super::without_change(uri.query().unwrap_or(""));
    if query.is_empty() {
        uri.path().to_owned()
    } else {
        format!("{}?{}", uri.path(), query.join("&"))
    }
}

/// `GET /appointments?date=`: the day, one column per doctor.
pub async fn day(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
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
    let (mut entries, marks) = entries_between(&state, &layout, from, to, None).await?;
    let doctors = staff::doctors(&state.store, None, DOCTORS_MAX)
        .await
        .or_page(&layout)?;
    let chosen = match caller.actor().user_id {
        Some(user_id) => appointments::chosen_doctors(&state.store, user_id)
            .await
            .or_page(&layout)?,
        None => None,
    };
    let shown = |id: i64| chosen.as_ref().is_none_or(|c| c.contains(&id));
    let toggles: Vec<DoctorToggle> = doctors
        .iter()
        .map(|d| DoctorToggle {
            doctor_id: d.employee_id,
            name: format!("{} {}", d.last_name, d.first_name),
            shown: shown(d.employee_id),
        })
        .collect();
    // The chosen doctors in their order (every doctor when none are chosen), then anyone
    // who has an appointment that day but is no longer a doctor.
    let mut columns: Vec<(i64, String)> = match &chosen {
        Some(ids) => ids
            .iter()
            .filter_map(|id| toggles.iter().find(|t| t.doctor_id == *id))
            .map(|t| (t.doctor_id, t.name.clone()))
            .collect(),
        None => toggles
            .iter()
            .map(|t| (t.doctor_id, t.name.clone()))
            .collect(),
    };
    if columns.is_empty() {
        // Every chosen doctor has left: show every doctor rather than nothing.
        columns = toggles
            .iter()
            .map(|t| (t.doctor_id, t.name.clone()))
            .collect();
    }
    let chairs = crate::services::chairs::list(&state.store, true)
        .await
        .or_page(&layout)?;
    let by_chair = params.by.as_deref() == Some("chair") && !chairs.is_empty();
    let shown_count = columns.len();
    let is_doctor = |id: i64| doctors.iter().any(|d| d.employee_id == id);
    // By chair, every appointment of the day shows; by doctor, those of the chosen doctors.
    entries.retain(|e| {
        let id = e.appointment.doctor_id;
        by_chair || columns.iter().any(|(c, _)| *c == id) || !is_doctor(id)
    });
    for entry in &entries {
        let id = entry.appointment.doctor_id;
        if !columns.iter().any(|(c, _)| *c == id) {
            columns.push((id, entry.doctor_name.clone()));
        }
    }
    let specs: Vec<ColumnSpec> = if by_chair {
        let mut specs: Vec<ColumnSpec> = chairs
            .iter()
            .map(|c| ColumnSpec {
                doctor_id: 0,
                doctor_name: c.name.clone(),
                chair: Some(Some(c.chair_id)),
                title: c.name.clone(),
                date,
                subtitle: String::new(),
                link: format!("/appointments?date={date}&by=chair"),
                hours: None,
                exceptions: Vec::new(),
            })
            .collect();
        if entries.iter().any(|e| e.appointment.chair_id.is_none()) {
            specs.push(ColumnSpec {
                doctor_id: 0,
                doctor_name: layout.t("book-no-chair"),
                chair: Some(None),
                title: layout.t("book-no-chair"),
                date,
                subtitle: String::new(),
                link: format!("/appointments?date={date}&by=chair"),
                hours: None,
                exceptions: Vec::new(),
            });
        }
        specs
    } else {
        let ids: Vec<i64> = columns.iter().map(|(id, _)| *id).collect();
        let mut hours = day_hours(&state, &layout, &clinic, &ids, date).await?;
        columns
            .into_iter()
            .map(|(doctor_id, doctor_name)| {
                let (h, x) = hours.remove(&doctor_id).unwrap_or_default();
                ColumnSpec {
                    doctor_id,
                    title: doctor_name.clone(),
                    doctor_name,
                    chair: None,
                    date,
                    subtitle: String::new(),
                    link: format!("/appointments/week?doctor_id={doctor_id}&date={date}"),
                    hours: Some(h),
                    exceptions: x,
                }
            })
            .collect()
    };
    let marking = Marking {
        can_write: layout.can.appointments_write,
        marks: &marks,
        changed: params.changed(),
    };
    let grid = build_grid(&layout, &clinic, specs, &entries, &marking);
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
        doctors_summary: layout.t2(
            "book-doctors",
            ("shown", shown_count),
            ("total", toggles.len()),
        ),
        toggles,
        has_chairs: !chairs.is_empty(),
        by_chair,
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
    let (entries, marks) = entries_between(&state, &layout, from, to, Some(doctor_id)).await?;
    let mut specs = Vec::with_capacity(days.len());
    for &d in &days {
        let (hours, exceptions) = day_hours(&state, &layout, &clinic, &[doctor_id], d)
            .await?
            .remove(&doctor_id)
            .unwrap_or_default();
        specs.push(ColumnSpec {
            doctor_id,
            doctor_name: doctor_name.clone(),
            chair: None,
            date: d,
            title: weekday_name(&layout, d),
            subtitle: d.to_string(),
            link: format!("/appointments?date={d}"),
            hours: Some(hours),
            exceptions,
        });
    }
    let marking = Marking {
        can_write: layout.can.appointments_write,
        marks: &marks,
        changed: params.changed(),
    };
    let grid = build_grid(&layout, &clinic, specs, &entries, &marking);
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
        toggles: Vec::new(),
        doctors_summary: String::new(),
        has_chairs: false,
        by_chair: false,
    }))
}

/// `POST /appointments/doctors` (`doctor` once per doctor to show, `date` the day to go back
/// to): remembers the doctors the user's book shows; none or all of them shows every doctor.
pub async fn choose_doctors(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> PageResult {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut ids = Vec::new();
    let mut date = None;
    for (name, value) in &fields {
        match name.as_str() {
            "doctor" => match value.trim().parse::<i64>() {
                Ok(id) => ids.push(id),
                Err(_) => {
                    return Err(layout.error(ServiceError::invalid_coded(
                        crate::services::FieldError::coded(
                            "doctor_id",
                            "choose",
                            "choose one of the doctors",
                        ),
                    )));
                }
            },
            "date" => date = value.trim().parse::<Date>().ok(),
            _ => {}
        }
    }
    appointments::choose_doctors(&state.store, caller.actor(), &ids)
        .await
        .or_page(&layout)?;
    let back = match date {
        Some(d) => format!("/appointments?date={d}"),
        None => "/appointments".to_owned(),
    };
    Ok(layout.go(crate::http::pages::Saved::to(
        back,
        msg("flash-book-doctors"),
    )))
}
