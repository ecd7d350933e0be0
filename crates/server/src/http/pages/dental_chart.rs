//! `GET /patients/{patient_id}/chart?system=&dentition=`: the patient's dental chart.
//!
//! * The odontogram in chart mode (`drawing/odontogram.rs`): the patient's dentition (`?dentition=`
//!   `permanent`, `primary` or `both`; by default both for a patient under
//!   [`MIXED_DENTITION_UNTIL`] years, else permanent) labelled in `?system=` (`fdi`,
//!   `universal`, `palmer`; by default the clinic's notation), both switchable with the
//!   component's links, which keep the other choice.
//! * Every tooth is the five-area glyph (`drawing/odontogram/surfaces.rs`) coloured from
//!   the chart's summary (`services::chart::summary`): open findings red (pathology) or
//!   blue (work done elsewhere), missing teeth struck out, planned items outlined, done items
//!   filled, each with its date and source on hover. A tooth with anything on it links to its
//!   section below (`#chart-tooth-{ui_key}`); another to the top of the list (`#chart-history`).
//! * Doctors chart from here (`chart_marks.rs`): choose a finding or a service, click teeth and
//!   surfaces (`static/chart.js`; without a script, type the teeth and tick the surfaces),
//!   save. Open findings are listed with "plan" (a service for it, into the open plan) and
//!   "close"; the patient's plans with their progress.
//! * Under the chart, each tooth with anything has a section: its open findings, planned
//!   items and the done items that make it as it is now. Charted teeth of a dentition not
//!   drawn are named above the list with a link to show both dentitions.
//!
//! A bad `system` or `dentition` is a 400 page naming the choices; an unknown patient 404.
//! The chart is a read of the patient's record (audited by the use case). Queries: the
//! patient, the settings, the chart's four, and the doctors' names once.

use super::drawing::odontogram::{Odontogram, dentitions_value, parse_dentitions};
use super::{Layout, OrPage, PageResult, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::treatments;
use crate::services::{ServiceError, catalog, chart, patients, plans, staff};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use dcms_domain::{Dentition, FindingGroup, FindingKind, Surface, ToothCode, ToothSystem};
use serde::Deserialize;

/// Patients younger than this many years are shown both dentitions by default.
pub const MIXED_DENTITION_UNTIL: i16 = 14;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChartParams {
    system: Option<String>,
    dentition: Option<String>,
}

/// A line of a tooth's section: a finding, a planned item or a done item.
struct ToothLine {
    /// `finding`, `planned` or `done` (the row's class).
    kind: &'static str,
    date: String,
    what: String,
    surfaces: String,
    who: String,
    note: Option<String>,
    /// Where the line comes from (the treatment or the plan).
    link: Option<String>,
}

/// A tooth with anything on it: its section under the chart.
struct ToothSection {
    ui_key: String,
    /// The code in the chart's notation.
    code: String,
    /// The tooth's name in the page's language (as in the chart's tooltips).
    name: Option<String>,
    lines: Vec<ToothLine>,
}

/// An open finding, as the list under the chart shows it.
struct OpenFinding {
    finding_id: i64,
    code: String,
    kind: String,
    pathology: bool,
    surfaces: String,
    date: String,
    note: Option<String>,
}

/// A plan of the patient, as the list under the chart (and the patient page) shows it.
pub(crate) struct PlanLine {
    pub plan_id: i64,
    pub title: String,
    pub status: String,
    /// `1 of 3 done`.
    pub progress: String,
    pub remaining: String,
    pub total: String,
}

impl PlanLine {
    pub(crate) fn of(layout: &Layout, p: &plans::Plan) -> PlanLine {
        let (done, counted) = p.progress();
        PlanLine {
            plan_id: p.plan_id,
            title: p.title.clone().unwrap_or_else(|| layout.t("plan-untitled")),
            status: layout.t(&format!("plan-status-{}", p.status)),
            progress: layout.t2("plan-progress", ("done", done), ("count", counted)),
            remaining: layout.money(p.remaining.amount()),
            total: layout.money(p.total.amount()),
        }
    }
}

/// A choice of the charting form: a finding kind or a service to plan.
struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "chart.html")]
struct ChartPage<'a> {
    layout: &'a Layout,
    patient_id: i64,
    patient_name: String,
    register_number: String,
    chart: Odontogram,
    teeth: Vec<ToothSection>,
    findings: Vec<OpenFinding>,
    plans: Vec<PlanLine>,
    finding_kinds: Vec<Choice>,
    services: Vec<Choice>,
    /// Codes of charted teeth of a dentition the chart does not draw.
    hidden: Vec<String>,
    /// The address of this chart with both dentitions drawn.
    both_href: String,
    /// X-rays and photos by tooth, for those who see them.
    images: Vec<ToothImages>,
}

/// The pictures that show one tooth.
struct ToothImages {
    code: String,
    ui_key: String,
    /// (attachment id, its name and date).
    items: Vec<(i64, String)>,
}

/// The patient's X-rays and photos grouped by the teeth they show, in `system`.
async fn tooth_images(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    patient_id: i64,
    system: ToothSystem,
) -> Result<Vec<ToothImages>, Response> {
    use crate::services::attachments::{self, ListQuery};
    if !layout.can.attachments_read || caller.principal == dcms_domain::Principal::Receptionist {
        return Ok(Vec::new());
    }
    let query = ListQuery {
        kind: Some("xray,photo".into()),
        ..ListQuery::default()
    };
    let files = attachments::of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        query,
        system,
    )
    .await
    .or_page(layout)?;
    let mut groups: Vec<ToothImages> = Vec::new();
    for file in files.iter().filter(|f| f.has_thumbnail) {
        let when = file.taken_at.unwrap_or(file.created_at);
        let title = format!("{} · {}", file.file_name, layout.datetime(&when));
        for code in &file.teeth {
            let Ok(tooth) = ToothCode::parse(system, code) else {
                continue;
            };
            let ui_key = tooth.ui_key().to_owned();
            match groups.iter_mut().find(|g| g.ui_key == ui_key) {
                Some(g) => g.items.push((file.attachment_id, title.clone())),
                None => groups.push(ToothImages {
                    code: code.clone(),
                    ui_key,
                    items: vec![(file.attachment_id, title.clone())],
                }),
            }
        }
    }
    groups.sort_by_key(|g| {
        ToothCode::from_ui_key(system, &g.ui_key)
            .map(|t| t.position())
            .unwrap_or(usize::MAX)
    });
    Ok(groups)
}

/// The chart's address with a notation and dentitions.
fn chart_href(patient_id: i64, system: ToothSystem, dentitions: &str) -> String {
    format!("/patients/{patient_id}/chart?system={system}&dentition={dentitions}")
}

/// The notation asked for, else the clinic's; a 400 page for an unknown one.
async fn notation(
    state: &AppState,
    layout: &Layout,
    asked: Option<&str>,
) -> Result<ToothSystem, Response> {
    match treatments::notation(&state.store, asked).await {
        Ok(system) => Ok(system),
        Err(ServiceError::Invalid(_)) => {
            Err(layout.error_page(StatusCode::BAD_REQUEST, msg("error-chart-system"), None))
        }
        Err(other) => Err(layout.error(other)),
    }
}

/// The message naming a finding kind.
pub fn kind_label(layout: &Layout, kind: FindingKind) -> String {
    layout.t(&format!("finding-{}", kind.as_str().replace('_', "-")))
}

/// Surfaces as the dentist abbreviates them (`MO`), or nothing.
fn letters(surfaces: &[Surface]) -> String {
    surfaces.iter().map(|s| s.letter()).collect()
}

/// The chart's class of a finding: pathology red, existing work blue.
fn finding_class(kind: FindingKind) -> &'static str {
    match kind.group() {
        FindingGroup::Pathology => "s-path",
        _ => "s-work",
    }
}

/// `GET /patients/{patient_id}/chart?system=&dentition=`.
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<ChartParams>,
    layout: Layout,
) -> PageResult {
    let system = notation(&state, &layout, params.system.as_deref()).await?;
    let asked = match params
        .dentition
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(value) => Some(parse_dentitions(value).ok_or_else(|| {
            layout.error_page(StatusCode::BAD_REQUEST, msg("error-chart-dentition"), None)
        })?),
        None => None,
    };
    let patient = patients::get(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(&layout)?;
    let dentitions: &[Dentition] = asked.unwrap_or(if patient.age < MIXED_DENTITION_UNTIL {
        &[Dentition::Permanent, Dentition::Primary]
    } else {
        &[Dentition::Permanent]
    });
    let summary = chart::summary(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        system,
    )
    .await
    .or_page(&layout)?;
    let all_plans = plans::of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        system,
    )
    .await
    .or_page(&layout)?;
    let mut doctor_ids: Vec<i64> = summary
        .teeth
        .iter()
        .flat_map(|t| t.done.iter().map(|d| d.doctor_id))
        .collect();
    doctor_ids.extend(all_plans.iter().map(|p| p.doctor_id));
    let doctors = staff::names(&state.store, &doctor_ids)
        .await
        .or_page(&layout)?;
    let doctor = |id: i64| doctors.get(&id).cloned().unwrap_or_else(|| id.to_string());

    let shown = dentitions_value(dentitions);
    let mut odontogram = Odontogram::new(system, dentitions)
        .id("patient-odontogram")
        .chart()
        .with_surfaces()
        .notation_links(|s| chart_href(patient_id, s, shown))
        .dentition_links(|d| chart_href(patient_id, system, d));
    let images = tooth_images(&state, &caller, &layout, patient_id, system).await?;
    let drawn: Vec<&'static str> = odontogram.teeth().map(|t| t.ui_key).collect();
    for key in drawn {
        let href = if summary.tooth(key).is_some() {
            format!("#chart-tooth-{key}")
        } else if images.iter().any(|g| g.ui_key == key) {
            format!("#chart-images-{key}")
        } else {
            "#chart-history".to_owned()
        };
        odontogram = odontogram.link(key, href);
    }
    let planned_word = layout.t("chart-planned");
    let finding_word = layout.t("chart-finding");
    let mut hidden = Vec::new();
    let mut teeth = Vec::with_capacity(summary.teeth.len());
    let mut findings = Vec::new();
    for tooth in &summary.teeth {
        if odontogram.tooth(&tooth.ui_key).is_none() {
            hidden.push(tooth.code.clone());
        }
        let mut lines = Vec::new();
        for f in &tooth.findings {
            let label = kind_label(&layout, f.kind);
            let date = layout.datetime(&f.recorded_at);
            let title = format!("{label} · {date} · {finding_word}");
            odontogram = if f.kind == FindingKind::Missing {
                odontogram.strike(&tooth.ui_key, title)
            } else {
                odontogram.mark_surfaces(&tooth.ui_key, &f.surfaces, finding_class(f.kind), title)
            };
            lines.push(ToothLine {
                kind: "finding",
                date: date.clone(),
                what: label.clone(),
                surfaces: letters(&f.surfaces),
                who: f.recorded_by.map(doctor).unwrap_or_default(),
                note: f.note.clone(),
                link: None,
            });
            findings.push(OpenFinding {
                finding_id: f.finding_id,
                code: tooth.code.clone(),
                kind: label,
                pathology: f.kind.group() == FindingGroup::Pathology,
                surfaces: letters(&f.surfaces),
                date,
                note: f.note.clone(),
            });
        }
        for p in &tooth.planned {
            let title = format!("{} · {planned_word}", p.service_name);
            odontogram = odontogram.mark_surfaces(&tooth.ui_key, &p.surfaces, "s-planned", title);
            lines.push(ToothLine {
                kind: "planned",
                date: String::new(),
                what: p.service_name.clone(),
                surfaces: letters(&p.surfaces),
                who: String::new(),
                note: None,
                link: Some(format!("/treatment-plans/{}", p.plan_id)),
            });
        }
        for d in &tooth.done {
            let date = layout.datetime(&d.treatment_date);
            let title = format!("{} · {date} · {}", d.service_name, doctor(d.doctor_id));
            odontogram = odontogram.mark_surfaces(&tooth.ui_key, &d.surfaces, "s-done", title);
            lines.push(ToothLine {
                kind: "done",
                date,
                what: d.service_name.clone(),
                surfaces: letters(&d.surfaces),
                who: doctor(d.doctor_id),
                note: None,
                link: Some(format!("/treatments/{}", d.treatment_id)),
            });
        }
        teeth.push(ToothSection {
            name: ToothCode::from_ui_key(system, &tooth.ui_key)
                .ok()
                .map(|code| layout.tooth_name(code.ui_key())),
            ui_key: tooth.ui_key.clone(),
            code: tooth.code.clone(),
            lines,
        });
    }
    let plans = all_plans.iter().map(|p| PlanLine::of(&layout, p)).collect();
    let finding_kinds = FindingKind::ALL
        .iter()
        .map(|&k| Choice {
            value: format!("finding:{k}"),
            label: kind_label(&layout, k),
        })
        .collect();
    let services = if layout.can.treatments_write {
        catalog::list(
            &state.store,
            catalog::ServiceFilter {
                service_type: None,
                active: Some(true),
                after: None,
            },
            500,
        )
        .await
        .or_page(&layout)?
        .into_iter()
        .map(|s| Choice {
            value: format!("service:{}", s.service_id),
            label: s.doctor_display_name,
        })
        .collect()
    } else {
        Vec::new()
    };
    Ok(layout.render(&ChartPage {
        layout: &layout,
        patient_id,
        patient_name: format!("{} {}", patient.last_name, patient.first_name),
        register_number: patient.register_number,
        chart: odontogram,
        teeth,
        findings,
        plans,
        finding_kinds,
        services,
        hidden,
        both_href: chart_href(patient_id, system, "both"),
        images,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_other_choice() {
        assert_eq!(
            chart_href(7, ToothSystem::Universal, "both"),
            "/patients/7/chart?system=universal&dentition=both"
        );
    }

    #[test]
    fn surfaces_are_abbreviated_in_order() {
        assert_eq!(letters(&[Surface::Mesial, Surface::Occlusal]), "MO");
        assert_eq!(letters(&[]), "");
    }
}
