//! `/recalls`: the patients to bring back. Tabs for due this week, overdue, booked and
//! stopped (and every one), a doctor to narrow to; each row the patient, the service, the due
//! date, the primary phone and the last contact, with one click to queue the recall SMS (the
//! clinic's template, through the outbox), a call to log with a note, a link to book, and a
//! stop. Reading needs the patients' read access, the SMS and the call communications write,
//! stopping appointments write (`http::permissions`).

use super::common::{Choice, shown_number};
use super::{Layout, OrPage, PageResult, Saved, msg};
use crate::http::pages::respond::safe_next;
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::recalls::{self, ContactInput, RecallChanges, RecallQuery};
use crate::services::{settings, staff};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use jiff::ToSpan;
use serde::Deserialize;

/// The tabs of the list, in order: (`tab` value, message id).
const TABS: [(&str, &str); 5] = [
    ("week", "recalls-tab-week"),
    ("overdue", "recalls-tab-overdue"),
    ("booked", "recalls-tab-booked"),
    ("stopped", "recalls-tab-stopped"),
    ("all", "recalls-tab-all"),
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecallParams {
    tab: String,
    doctor_id: String,
}

/// A tab of the list.
pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// One recall as the list shows it.
pub struct RecallRow {
    pub recall_id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub service_id: i64,
    pub service_name: String,
    pub due_date: String,
    pub overdue: bool,
    pub state: String,
    pub state_label: String,
    pub phone: Option<String>,
    pub last_contact: Option<String>,
    pub doctor_name: String,
    /// Still to be brought back (due or overdue): the actions apply.
    pub open: bool,
}

#[derive(Template)]
#[template(path = "recalls.html")]
struct RecallsPage<'a> {
    layout: &'a Layout,
    tabs: Vec<Tab>,
    tab: String,
    doctors: Vec<Choice>,
    doctor_id: String,
    rows: Vec<RecallRow>,
    /// Where the actions come back to.
    back: String,
}

/// `GET /recalls?tab=&doctor_id=`.
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<RecallParams>,
    layout: Layout,
) -> PageResult {
    let clinic = settings::get(&state.store).await.or_page(&layout)?;
    let today = clinic.now_local().date();
    let tab = match params.tab.trim() {
        t @ ("overdue" | "booked" | "stopped" | "all") => t.to_owned(),
        _ => "week".to_owned(),
    };
    let doctor_id = params.doctor_id.trim().parse::<i64>().ok();
    let mut query = RecallQuery {
        doctor_id,
        ..RecallQuery::default()
    };
    match tab.as_str() {
        "week" => {
            query.state = Some("due".into());
            query.due_from = Some(today);
            query.due_to = today.checked_add(7.days()).ok();
        }
        "all" => {}
        other => query.state = Some(other.to_owned()),
    }
    let recalls = recalls::list(&state.store, query).await.or_page(&layout)?;
    let doctors = staff::doctors(
        &state.store,
        None,
        crate::services::appointments::DOCTORS_MAX,
    )
    .await
    .or_page(&layout)?;
    let doctor_name = |id: Option<i64>| {
        id.and_then(|id| doctors.iter().find(|d| d.employee_id == id))
            .map(|d| format!("{} {}", d.last_name, d.first_name))
            .unwrap_or_default()
    };
    let rows = recalls
        .into_iter()
        .map(|r| {
            let state = if r.overdue {
                "overdue"
            } else {
                r.state.as_str()
            };
            RecallRow {
                recall_id: r.recall_id,
                patient_id: r.patient_id,
                patient_name: r.patient_name,
                service_id: r.service_id,
                service_name: r.service_name,
                due_date: r.due_date.to_string(),
                overdue: r.overdue,
                state: state.to_owned(),
                state_label: layout.t(&format!("recall-state-{state}")),
                phone: r.primary_phone.as_deref().map(shown_number),
                last_contact: r.last_contact_at.map(|at| {
                    at.to_zoned(layout.time_zone.clone())
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string()
                }),
                doctor_name: doctor_name(r.doctor_id),
                open: r.state == dcms_domain::RecallState::Due,
            }
        })
        .collect();
    let doctor_param = doctor_id
        .map(|d| format!("&doctor_id={d}"))
        .unwrap_or_default();
    let tabs = TABS
        .iter()
        .map(|(value, label)| Tab {
            href: format!("/recalls?tab={value}{doctor_param}"),
            label: layout.t(label),
            current: *value == tab,
        })
        .collect();
    let back = format!("/recalls?tab={tab}{doctor_param}");
    Ok(layout.render(&RecallsPage {
        layout: &layout,
        tabs,
        tab,
        doctors: super::appointments::doctor_choices(&doctors),
        doctor_id: doctor_id.map(|d| d.to_string()).unwrap_or_default(),
        rows,
        back,
    }))
}

/// A contact or a stop posted from the list.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecallAction {
    /// `sms` or `call`.
    channel: String,
    note: String,
    back: String,
}

/// `POST /recalls/{recall_id}/contacts`: queues the recall SMS or logs a call; back to the
/// list with a notice.
pub async fn contact(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(recall_id): Path<i64>,
    layout: Layout,
    Form(form): Form<RecallAction>,
) -> PageResult {
    let input = ContactInput {
        channel: Some(form.channel.clone()),
        note: Some(form.note.clone()),
    };
    recalls::contact(&state.store, &state.audit, caller.actor(), recall_id, input)
        .await
        .or_page(&layout)?;
    let flash = if form.channel == "sms" {
        "flash-recall-sms"
    } else {
        "flash-recall-call"
    };
    let back = safe_next(Some(form.back.as_str()).filter(|b| !b.is_empty()));
    Ok(layout.go(Saved::to(format!("{back}#recall-{recall_id}"), msg(flash))))
}

/// `POST /recalls/{recall_id}/stop`: stops a recall; back to the list.
pub async fn stop(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(recall_id): Path<i64>,
    layout: Layout,
    Form(form): Form<RecallAction>,
) -> PageResult {
    let changes = RecallChanges {
        due_date: None,
        state: Some("stopped".into()),
    };
    recalls::update(
        &state.store,
        &state.audit,
        caller.actor(),
        recall_id,
        changes,
    )
    .await
    .or_page(&layout)?;
    let back = safe_next(Some(form.back.as_str()).filter(|b| !b.is_empty()));
    Ok(layout.go(Saved::to(back, msg("flash-recall-stopped"))))
}
