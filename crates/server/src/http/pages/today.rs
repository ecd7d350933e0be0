//! The staff's day on the start page (`GET /`, `home.rs`), by principal:
//! * a receptionist: today's arrivals, who is expected (reserved, confirmed: one click marks
//!   that they came) and who came and is waiting, with the rest of the day counted;
//! * a doctor: their own appointments of today, every status, each patient a link to their
//!   page;
//! * an admin, a manager or an HQ session: the day's figures from the day report
//!   (`services::reports::day`: appointments by status, charges and payments) and the
//!   patients coming for the first time (today's appointments booked as a new patient's,
//!   canceled ones left out).
//!
//! Everything comes from the use cases the book and the reports use
//! (`appointments::list`, `appointments::with_names`, `reports::day`): a handful of queries,
//! at most [`DAY_MAX`] appointments (a link to the book says when there are more).

use super::common::shown_number;
use super::{Layout, OrPage};
use crate::http::state::AppState;
use crate::services::appointments::{self, BookEntry, ListQuery};
use crate::services::fields::Given;
use crate::services::{ServiceError, reports, settings};
use axum::response::Response;
use dcms_domain::{AppointmentStatus, Principal};
use jiff::civil::Date;

/// Most appointments of a day the start page lists.
pub const DAY_MAX: u64 = 300;

/// One appointment of today as the start page lists it.
pub struct DayEntry {
    pub appointment_id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub patient_phone: Option<String>,
    pub doctor_name: String,
    pub service_name: Option<String>,
    /// Local times, `10:00`, `10:30`.
    pub start: String,
    pub end: String,
    pub status: AppointmentStatus,
    pub status_label: String,
    pub is_new_patient: bool,
    /// The patient may be marked came now (the appointment has started, or starts within
    /// the early-arrival window: the domain's rule).
    pub may_come: bool,
    /// When they came (`HH:MM`) and how many minutes they have waited since.
    pub arrived: Option<String>,
    pub waited: Option<i64>,
}

/// A receptionist's day.
pub struct Arrivals {
    /// Reserved or confirmed: expected, not come yet.
    pub expected: Vec<DayEntry>,
    /// Came, the visit not finished: in the waiting room or in the chair.
    pub waiting: Vec<DayEntry>,
    pub finished: usize,
    /// Canceled or not come.
    pub missed: usize,
    /// Whether the caller may mark that a patient came.
    pub can_mark: bool,
}

/// One figure of the day: its label, what it is, and the element id the tests find it by.
pub struct Figure {
    pub id: &'static str,
    pub label: String,
    pub value: String,
    /// The status counted, for its colour (the appointments by status).
    pub status: Option<AppointmentStatus>,
}

/// What the start page shows a member of staff.
pub enum StaffDay {
    Arrivals(Arrivals),
    /// A doctor's own appointments; None when their account is linked to no employee.
    Doctor(Option<Vec<DayEntry>>),
    Figures {
        appointments: Vec<Figure>,
        money: Vec<Figure>,
    },
}

/// The staff's day, with whether there were more appointments than [`DAY_MAX`].
pub struct Day {
    pub date: Date,
    pub view: StaffDay,
    pub more: bool,
    /// The portal's open appointment requests (for those who book: not doctors).
    pub requests: Vec<RequestRow>,
}

/// An open appointment request as the start page lists it.
pub struct RequestRow {
    pub request_id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub phone: Option<String>,
    /// The preferred days and hours, `12-08 10:00–12:00; 12-09`.
    pub preferred: String,
    pub reason: Option<String>,
    /// When it was asked, local `MM-DD HH:MM`.
    pub asked: String,
    /// The booking form with the patient, the request and its first day.
    pub book_href: String,
}

/// The open requests, oldest first, with their patients' names and phones.
async fn open_requests(state: &AppState, layout: &Layout) -> Result<Vec<RequestRow>, ServiceError> {
    let open = crate::services::requests::list(&state.store, Some("open")).await?;
    let mut ids: Vec<i64> = open.iter().map(|r| r.patient_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let people = crate::services::patients::names_and_phones(&state.store, &ids).await?;
    Ok(open
        .into_iter()
        .map(|r| {
            let (name, phone) = people.get(&r.patient_id).cloned().unwrap_or_default();
            let preferred = r
                .preferred
                .iter()
                .map(|p| {
                    let day = p.date.strftime("%m-%d").to_string();
                    match (&p.from, &p.to) {
                        (Some(f), Some(t)) => format!("{day} {f}–{t}"),
                        (Some(f), None) => format!("{day} {f}–"),
                        (None, Some(t)) => format!("{day} –{t}"),
                        (None, None) => day,
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            let first = r.preferred.first();
            RequestRow {
                book_href: format!(
                    "/appointments/new?patient_id={}&request_id={}&date={}",
                    r.patient_id,
                    r.request_id,
                    first.map(|p| p.date.to_string()).unwrap_or_default(),
                ),
                request_id: r.request_id,
                patient_id: r.patient_id,
                patient_name: name,
                phone: phone.as_deref().map(shown_number),
                preferred,
                reason: r.reason,
                asked: r
                    .created_at
                    .to_zoned(layout.time_zone.clone())
                    .strftime("%m-%d %H:%M")
                    .to_string(),
            }
        })
        .collect())
}

/// Today's appointments (of `doctor_id`, or everyone's) with their names, in order of time;
/// whether there were more.
async fn appointments_of(
    state: &AppState,
    layout: &Layout,
    date: Date,
    doctor_id: Option<i64>,
) -> Result<(Vec<DayEntry>, bool), ServiceError> {
    let clinic = settings::get(&state.store).await?;
    let day = date.to_string();
    let query = ListQuery {
        from: appointments::parse_bound(&clinic, &day, false),
        to: appointments::parse_bound(&clinic, &day, true),
        doctor_id,
        ..ListQuery::default()
    };
    let page = appointments::list(&state.store, &query, None, DAY_MAX).await?;
    let more = page.next_cursor.is_some();
    let entries = appointments::with_names(&state.store, page.items).await?;
    Ok((
        entries.into_iter().map(|e| entry(layout, e)).collect(),
        more,
    ))
}

fn entry(layout: &Layout, e: BookEntry) -> DayEntry {
    let a = e.appointment;
    let time = |at: jiff::Timestamp| {
        at.to_zoned(layout.time_zone.clone())
            .strftime("%H:%M")
            .to_string()
    };
    let may_come = a
        .status
        .allowed_moves_at(a.start_at, jiff::Timestamp::now())
        .contains(&AppointmentStatus::Came);
    let now = jiff::Timestamp::now();
    DayEntry {
        arrived: a.arrived_at.map(time),
        waited: a
            .arrived_at
            .map(|at| ((now.as_second() - at.as_second()) / 60).max(0)),
        may_come,
        appointment_id: a.appointment_id,
        patient_id: a.patient_id,
        patient_name: e.patient_name,
        patient_phone: e.patient_phone.as_deref().map(shown_number),
        doctor_name: e.doctor_name,
        service_name: e.service_name,
        start: time(a.start_at),
        end: time(a.end_at),
        status: a.status,
        status_label: layout.t(&format!("appointment-status-{}", a.status.as_str())),
        is_new_patient: a.is_new_patient,
    }
}

/// The day of the signed-in member of staff; None for a patient.
pub async fn of(
    state: &AppState,
    layout: &Layout,
    principal: Principal,
    employee_id: Option<i64>,
) -> Result<Option<Day>, Response> {
    let clinic = settings::get(&state.store).await.or_page(layout)?;
    let date = clinic.now_local().date();
    let (view, more) = match principal {
        Principal::Patient => return Ok(None),
        Principal::Receptionist => {
            let (all, more) = appointments_of(state, layout, date, None)
                .await
                .or_page(layout)?;
            (StaffDay::Arrivals(arrivals(layout, all)), more)
        }
        Principal::Doctor => match employee_id {
            Some(id) => {
                let (own, more) = appointments_of(state, layout, date, Some(id))
                    .await
                    .or_page(layout)?;
                (StaffDay::Doctor(Some(own)), more)
            }
            None => (StaffDay::Doctor(None), false),
        },
        Principal::Admin | Principal::Manager | Principal::Hq => {
            let report = reports::day(&state.store, Given::Value(date))
                .await
                .or_page(layout)?;
            let (all, more) = appointments_of(state, layout, date, None)
                .await
                .or_page(layout)?;
            let new_patients = all
                .iter()
                .filter(|e| e.is_new_patient && e.status != AppointmentStatus::Canceled)
                .count();
            (figures(layout, &report, new_patients), more)
        }
    };
    let requests = if layout.can.appointments_write && principal != Principal::Doctor {
        open_requests(state, layout).await.or_page(layout)?
    } else {
        Vec::new()
    };
    Ok(Some(Day {
        date,
        view,
        more,
        requests,
    }))
}

fn arrivals(layout: &Layout, all: Vec<DayEntry>) -> Arrivals {
    let mut day = Arrivals {
        expected: Vec::new(),
        waiting: Vec::new(),
        finished: 0,
        missed: 0,
        can_mark: layout.can.appointments_write,
    };
    for e in all {
        match e.status {
            AppointmentStatus::Reserved | AppointmentStatus::Confirmed => day.expected.push(e),
            AppointmentStatus::Came => day.waiting.push(e),
            AppointmentStatus::Finished => day.finished += 1,
            AppointmentStatus::Canceled | AppointmentStatus::NoShow => day.missed += 1,
        }
    }
    day
}

fn figures(layout: &Layout, report: &reports::DayReport, new_patients: usize) -> StaffDay {
    let mut by_status = reports::ByStatus::default();
    for d in &report.doctors {
        let s = &d.by_status;
        by_status.reserved += s.reserved;
        by_status.confirmed += s.confirmed;
        by_status.came += s.came;
        by_status.finished += s.finished;
        by_status.no_show += s.no_show;
        by_status.canceled += s.canceled;
    }
    let b = &by_status;
    let total = b.reserved + b.confirmed + b.came + b.finished + b.no_show + b.canceled;
    let mut appointments = vec![Figure {
        id: "day-appointments",
        label: layout.t("home-day-appointments"),
        value: total.to_string(),
        status: None,
    }];
    for (id, status, n) in [
        ("day-reserved", AppointmentStatus::Reserved, b.reserved),
        ("day-confirmed", AppointmentStatus::Confirmed, b.confirmed),
        ("day-came", AppointmentStatus::Came, b.came),
        ("day-finished", AppointmentStatus::Finished, b.finished),
        ("day-no-show", AppointmentStatus::NoShow, b.no_show),
        ("day-canceled", AppointmentStatus::Canceled, b.canceled),
    ] {
        appointments.push(Figure {
            id,
            label: layout.t(&format!("appointment-status-{}", status.as_str())),
            value: n.to_string(),
            status: Some(status),
        });
    }
    appointments.push(Figure {
        id: "day-new-patients",
        label: layout.t("home-day-new-patients"),
        value: new_patients.to_string(),
        status: None,
    });
    let m = &report.payments_by_method;
    let money = vec![
        Figure {
            id: "day-treatments",
            label: layout.t("reports-treatments"),
            value: report.treatments.to_string(),
            status: None,
        },
        Figure {
            id: "day-charges",
            label: layout.t("reports-charges"),
            value: layout.money(report.charges),
            status: None,
        },
        Figure {
            id: "day-paid",
            label: layout.t("reports-paid"),
            value: layout.money(m.cash + m.card + m.transfer + m.qpay),
            status: None,
        },
    ];
    StaffDay::Figures {
        appointments,
        money,
    }
}
