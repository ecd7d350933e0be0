//! The patient's page (`/patients/{id}`): what the desk and the chair need at a glance, and
//! the patient's history below it.
//!
//! The header says who the patient is (name, register number, age, primary phone), what they
//! owe and when they come next, holds the alerts (empty until medical alerts and recalls
//! exist), and offers the quick actions the caller may take (`Can`): book an appointment,
//! record a treatment, take a payment (the oldest unpaid treatment's payment form), send an
//! SMS, change the details (`edit.rs`). Below, linked from a row of in-page tabs: the
//! appointments (coming, then past), the latest treatments, the invoices with the account,
//! the chart's link, the calls and SMS, and the details with every phone. Each section is
//! shown to those the permission table lets read it (the rules of the API's reads of the same
//! use cases). Treatments and invoices come from one read of the latest treatments (an
//! invoice is a treatment's bill: same date, total, paid and balance).

use crate::http::pages::common::alerts::AlertView;
use crate::http::pages::common::appointment_block::Block;
use crate::http::pages::common::clinical::{self, AccountView, Audience, TreatmentRow};
use crate::http::pages::common::contacts::{self, ContactHistory};
use crate::http::pages::common::local_instant;
use crate::http::pages::common::phones::PhoneView;
use crate::http::pages::dental_chart::PlanLine;
use crate::http::pages::{Layout, OrPage, PageResult, encode_component, msg};
use crate::http::state::AppState;
use crate::services::appointments::{self, ListQuery};
use crate::services::auth::Caller;
use crate::services::patients::{self, Patient};
use crate::services::{settings, treatments};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;
use dcms_domain::ContactType;
use jiff::ToSpan;
use jiff::civil::Time;

/// Upcoming and past appointments the patient page lists.
const APPOINTMENTS_LISTED: usize = 20;
/// How far back the patient page looks for past appointments.
const PAST_DAYS: i64 = 730;
/// Most past appointments read to find the latest.
const PAST_READ_MAX: u64 = 3000;

/// The patient's details as the page shows them.
pub struct PatientView {
    pub patient_id: i64,
    pub register_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub birthday: String,
    pub age: i16,
    pub gender_id: String,
    pub status_id: String,
    pub created_at: jiff::Timestamp,
    pub phones: Vec<PhoneView>,
}

impl PatientView {
    pub fn of(p: &Patient) -> PatientView {
        PatientView {
            patient_id: p.patient_id,
            register_number: p.register_number.clone(),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            email: p.email.clone(),
            birthday: p.birthday.to_string(),
            age: p.age,
            gender_id: format!("gender-{}", p.gender.as_str()),
            status_id: format!("patient-status-{}", p.status.as_str()),
            created_at: p.created_at,
            phones: p
                .phones
                .iter()
                .map(|ph| PhoneView::new(ph.phone_number_id, &ph.number, &ph.label, ph.is_primary))
                .collect(),
        }
    }

    /// The primary phone, as people write it.
    pub fn primary_phone(&self) -> Option<&PhoneView> {
        self.phones.iter().find(|ph| ph.is_primary)
    }
}

/// The header's account line and "take payment": what is owed, and the treatment to pay
/// first.
struct Owed {
    /// The balance over every treatment, `240 000 ₮`.
    balance: String,
    due: bool,
    /// The oldest unpaid treatment.
    oldest: Option<Unpaid>,
    /// How many treatments are unpaid.
    unpaid: usize,
}

/// The header's next appointment.
struct NextAppointment {
    appointment_id: i64,
    /// `2026-11-29 10:00`.
    when: String,
    doctor_name: String,
    status: &'static str,
    status_label: String,
}

impl NextAppointment {
    fn of(b: &Block) -> NextAppointment {
        NextAppointment {
            appointment_id: b.appointment_id,
            when: format!("{} {}", b.date, b.start),
            doctor_name: b.doctor_name.clone(),
            status: b.status,
            status_label: b.status_label.clone(),
        }
    }
}

/// An unpaid treatment: its id, date and balance as the page shows them.
struct Unpaid {
    treatment_id: i64,
    date: String,
    balance: String,
}

#[derive(Template)]
#[template(path = "patient.html")]
struct PatientPage<'a> {
    layout: &'a Layout,
    patient: PatientView,
    /// Medical alerts, for every staff role but HQ.
    alerts: Vec<AlertView>,
    /// The SMS page with the primary phone filled in, for those who send SMS.
    sms_href: Option<String>,
    /// What is owed, for those who read the account.
    owed: Option<Owed>,
    /// The next appointment (not final, from today on), for those who see the book: None
    /// inside when there is none.
    next: Option<Option<NextAppointment>>,
    /// The patient's coming and latest past appointments, for those who see the book.
    appointments: Option<PatientAppointments>,
    /// The patient's latest calls and SMS, for those who read the logs.
    contacts: Option<ContactHistory>,
    /// The latest treatments and the account, for those who read them.
    clinical: Option<ClinicalSections>,
    /// Open findings and the active plan, for those who read treatments.
    chart: Option<ChartGlance>,
    /// The recalls not stopped (due, overdue, booked), for those who see the book.
    recalls: Vec<RecallLine>,
}

/// A recall on the patient page.
struct RecallLine {
    service_id: i64,
    service_name: String,
    due_date: String,
    state: String,
    state_label: String,
}

/// The chart at a glance: open findings (`36 Caries MO`) and the active plan's progress.
struct ChartGlance {
    findings: Vec<String>,
    /// The active plan: the newest accepted one, else the newest presented or draft one.
    plan: Option<PlanLine>,
}

async fn chart_glance(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    patient_id: i64,
) -> Result<ChartGlance, Response> {
    use crate::services::{chart, plans};
    use dcms_domain::PlanStatus;
    let system = settings::get(&state.store)
        .await
        .or_page(layout)?
        .tooth_notation;
    let findings = chart::of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        true,
        system,
    )
    .await
    .or_page(layout)?
    .into_iter()
    .map(|f| {
        let surfaces: String = f.surfaces.iter().map(|s| s.letter()).collect();
        let kind = crate::http::pages::dental_chart::kind_label(layout, f.kind);
        format!("{} {kind} {surfaces}", f.tooth.code)
            .trim()
            .to_owned()
    })
    .collect();
    let all = plans::of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        system,
    )
    .await
    .or_page(layout)?;
    let active = all
        .iter()
        .find(|p| p.status == PlanStatus::Accepted)
        .or_else(|| all.iter().find(|p| p.status.is_open()));
    let plan = active.map(|p| PlanLine::of(layout, p));
    Ok(ChartGlance { findings, plan })
}

/// The patient page's treatments and invoices sections.
struct ClinicalSections {
    /// The latest treatments, newest first; also the latest invoices (one per treatment).
    rows: Vec<TreatmentRow>,
    /// The patient has more treatments than those shown.
    more: bool,
    /// The treatments section is shown.
    show_treatments: bool,
    /// The account over every treatment, when the invoices section is shown.
    account: Option<AccountView>,
}

/// The treatments and invoices sections, each when the caller may read it (the rules of
/// the API's `/patients/{patient_id}/treatments` and `/invoices`, as the page reads the same
/// use cases), and what is owed; None when neither is shown.
async fn clinical_sections(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    patient_id: i64,
) -> Result<(Option<ClinicalSections>, Option<Owed>), Response> {
    let show_treatments = layout.can.treatments_read;
    let show_invoices = layout.can.payments_read;
    if !show_treatments && !show_invoices {
        return Ok((None, None));
    }
    let (rows, more) = clinical::latest(state, layout, caller, patient_id, Audience::Staff).await?;
    let (account, owed) = if show_invoices {
        let dues = treatments::dues(&state.store, patient_id)
            .await
            .or_page(layout)?;
        let owed = Owed {
            balance: layout.money(dues.account.balance.amount()),
            due: dues.account.balance.amount() > 0,
            oldest: dues.unpaid.first().map(|d| Unpaid {
                treatment_id: d.treatment_id,
                date: layout.datetime(&d.treatment_date),
                balance: layout.money(d.balance.amount()),
            }),
            unpaid: dues.unpaid.len(),
        };
        (Some(AccountView::of(layout, &dues.account)), Some(owed))
    } else {
        (None, None)
    };
    let sections = ClinicalSections {
        rows,
        more,
        show_treatments,
        account,
    };
    Ok((Some(sections), owed))
}

/// The patient page's appointments section: the coming ones, then the latest past ones.
struct PatientAppointments {
    groups: [AppointmentGroup; 2],
}

impl PatientAppointments {
    fn is_empty(&self) -> bool {
        self.groups.iter().all(|g| g.items.is_empty())
    }
}

struct AppointmentGroup {
    /// The table's id.
    id: &'static str,
    title_id: &'static str,
    items: Vec<Block>,
}

/// `GET /patients/{id}` (a read of the patient's record, audited).
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    let p = patients::get(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(&layout)?;
    let patient = PatientView::of(&p);
    let (appointments, next) = if layout.can.appointments_read {
        let (coming, past) = appointments_of(&state, &layout, patient_id).await?;
        // The first still to happen or happening: not canceled, no-show or finished.
        let next_one = coming
            .iter()
            .find(|b| matches!(b.status, "reserved" | "confirmed" | "came"))
            .map(NextAppointment::of);
        let list = PatientAppointments {
            groups: [
                AppointmentGroup {
                    id: "coming-appointments",
                    title_id: msg("patient-appointments-coming"),
                    items: coming,
                },
                AppointmentGroup {
                    id: "past-appointments",
                    title_id: msg("patient-appointments-past"),
                    items: past,
                },
            ],
        };
        (Some(list), Some(next_one))
    } else {
        (None, None)
    };
    let (clinical, owed) = clinical_sections(&state, &caller, &layout, patient_id).await?;
    let chart = if layout.can.treatments_read {
        Some(chart_glance(&state, &caller, &layout, patient_id).await?)
    } else {
        None
    };
    let contacts = if layout.can.communications_read {
        Some(contacts::of_contact(&state, &layout, ContactType::Patient, patient_id).await?)
    } else {
        None
    };
    let alerts = if caller.principal == dcms_domain::Principal::Hq {
        Vec::new()
    } else {
        let alerts = crate::services::medical::alerts(state.store.connection(), patient_id)
            .await
            .or_page(&layout)?;
        AlertView::all(&layout, &alerts)
    };
    let sms_href = patient
        .primary_phone()
        .filter(|_| layout.can.communications_write)
        .map(|ph| {
            let number = ph.number.replace(' ', "");
            format!("/sms?to={}#sms-form", encode_component(&number))
        });
    let recalls = if layout.can.appointments_read {
        let query = crate::services::recalls::RecallQuery {
            patient_id: Some(patient_id),
            ..Default::default()
        };
        crate::services::recalls::list(&state.store, query)
            .await
            .or_page(&layout)?
            .into_iter()
            .filter(|r| r.state != dcms_domain::RecallState::Stopped)
            .map(|r| {
                let state = if r.overdue {
                    "overdue"
                } else {
                    r.state.as_str()
                };
                RecallLine {
                    service_id: r.service_id,
                    service_name: r.service_name,
                    due_date: r.due_date.to_string(),
                    state: state.to_owned(),
                    state_label: layout.t(&format!("recall-state-{state}")),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(layout.render(&PatientPage {
        layout: &layout,
        recalls,
        patient,
        alerts,
        sms_href,
        owed,
        next,
        appointments,
        clinical,
        contacts,
        chart,
    }))
}

/// A patient's coming appointments (from the start of today) and the latest past ones,
/// newest first, for the patient page.
async fn appointments_of(
    state: &AppState,
    layout: &Layout,
    patient_id: i64,
) -> Result<(Vec<Block>, Vec<Block>), Response> {
    let clinic = settings::get(&state.store).await.or_page(layout)?;
    let tz = clinic.time_zone();
    let today = clinic.now_local().date();
    let today_start = local_instant(&tz, today, Time::midnight());
    let past_from = today
        .checked_sub(PAST_DAYS.days())
        .ok()
        .and_then(|d| local_instant(&tz, d, Time::midnight()));
    let list = |from, to, limit| {
        let query = ListQuery {
            from,
            to,
            ..ListQuery::default()
        };
        appointments::of_patient(&state.store, patient_id, query, None, limit)
    };
    let coming = list(today_start, None, APPOINTMENTS_LISTED as u64)
        .await
        .or_page(layout)?
        .items;
    let mut past = list(past_from, today_start, PAST_READ_MAX)
        .await
        .or_page(layout)?
        .items;
    past.reverse();
    past.truncate(APPOINTMENTS_LISTED);
    let shown = |items| async {
        appointments::with_names(&state.store, items)
            .await
            .or_page(layout)
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| Block::of(layout, e, false))
                    .collect::<Vec<_>>()
            })
    };
    Ok((shown(coming).await?, shown(past).await?))
}
