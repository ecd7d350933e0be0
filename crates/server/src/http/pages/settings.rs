//! `/settings`: the clinic's name and code, time zone, opening hours, tooth notation,
//! default language, SMS reminders and how long sessions last. Everyone who may read them sees the form; only those who may write
//! them (admin, manager) can save it.

use super::{FieldMessages, Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::FieldError;
use crate::services::settings::{self, ClinicSettings, SettingsChanges};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use dcms_domain::{Language, ToothSystem, WEEKDAY_KEYS, format_hhmm};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::services::auth::Caller;

/// The time zones offered (any IANA name may be typed).
const TIME_ZONES: &[&str] = &["Asia/Ulaanbaatar", "Asia/Hovd", "Asia/Choibalsan", "UTC"];

/// One weekday's row of the opening hours.
struct DayRow {
    key: &'static str,
    field: String,
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage<'a> {
    layout: &'a Layout,
    form: SettingsForm,
    days: Vec<DayRow>,
    notations: Vec<(&'static str, String)>,
    languages: Vec<(&'static str, String)>,
    time_zones: &'static [&'static str],
    sessions: Vec<SessionRow>,
    /// The PosAPI settings typed as text: (form field, label, value).
    ebarimt_fields: Vec<(&'static str, String, String)>,
    tax_types: Vec<(&'static str, String)>,
    errors: FieldMessages,
}

/// The settings form; every field as typed, so it comes back unchanged with its errors.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SettingsForm {
    clinic_name: String,
    clinic_code: String,
    time_zone: String,
    tooth_notation: String,
    language: String,
    hours_mon: String,
    hours_tue: String,
    hours_wed: String,
    hours_thu: String,
    hours_fri: String,
    hours_sat: String,
    hours_sun: String,
    /// A checkbox: present when ticked.
    reminder_enabled: Option<String>,
    reminder_hour: String,
    reminder_template: String,
    recall_template: String,
    /// A checkbox: present when ticked.
    sms_confirm_replies: Option<String>,
    staff_session_idle_minutes: String,
    staff_session_max_hours: String,
    hq_session_idle_minutes: String,
    hq_session_max_hours: String,
    patient_session_idle_minutes: String,
    patient_session_max_hours: String,
    estimate_valid_days: String,
    clinic_contacts: String,
    /// Absent from older forms: kept as it is.
    #[serde(default)]
    attachment_limit_mib: String,
    discount_threshold_percent: String,
    /// A checkbox: present when ticked.
    ebarimt_enabled: Option<String>,
    ebarimt_url: String,
    ebarimt_merchant_tin: String,
    ebarimt_pos_no: String,
    ebarimt_branch_no: String,
    ebarimt_district_code: String,
    ebarimt_default_tax_type: String,
}

/// One session type's row of the session limits.
struct SessionRow {
    label: String,
    idle_field: &'static str,
    idle: String,
    max_field: &'static str,
    max: String,
}

impl SettingsForm {
    fn from_settings(s: &ClinicSettings) -> SettingsForm {
        let hours = |i: usize| {
            s.opening_hours
                .intervals(dcms_domain::WEEKDAYS[i])
                .iter()
                .map(|(a, b)| format!("{}-{}", format_hhmm(*a), format_hhmm(*b)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        SettingsForm {
            clinic_name: s.clinic_name.as_str().to_owned(),
            clinic_code: s.clinic_code.as_str().to_owned(),
            time_zone: s.time_zone.as_str().to_owned(),
            tooth_notation: s.tooth_notation.as_str().to_owned(),
            language: s.language.as_str().to_owned(),
            hours_mon: hours(0),
            hours_tue: hours(1),
            hours_wed: hours(2),
            hours_thu: hours(3),
            hours_fri: hours(4),
            hours_sat: hours(5),
            hours_sun: hours(6),
            reminder_enabled: s.reminder_enabled.then(|| "on".to_owned()),
            reminder_hour: s.reminder_hour.to_string(),
            reminder_template: s.reminder_template.clone(),
            recall_template: s.recall_template.clone(),
            sms_confirm_replies: s.sms_confirm_replies.then(|| "on".to_owned()),
            staff_session_idle_minutes: s.sessions.staff.idle_minutes.to_string(),
            staff_session_max_hours: s.sessions.staff.max_hours.to_string(),
            hq_session_idle_minutes: s.sessions.hq.idle_minutes.to_string(),
            hq_session_max_hours: s.sessions.hq.max_hours.to_string(),
            patient_session_idle_minutes: s.sessions.patient.idle_minutes.to_string(),
            patient_session_max_hours: s.sessions.patient.max_hours.to_string(),
            estimate_valid_days: s.estimate_valid_days.to_string(),
            clinic_contacts: s.clinic_contacts.clone().unwrap_or_default(),
            attachment_limit_mib: s.attachment_limit_mib.to_string(),
            discount_threshold_percent: s.discount_threshold_percent.to_string(),
            ebarimt_enabled: s.ebarimt.enabled.then(|| "on".to_owned()),
            ebarimt_url: s.ebarimt.url.clone().unwrap_or_default(),
            ebarimt_merchant_tin: s.ebarimt.merchant_tin.clone().unwrap_or_default(),
            ebarimt_pos_no: s.ebarimt.pos_no.clone().unwrap_or_default(),
            ebarimt_branch_no: s.ebarimt.branch_no.clone().unwrap_or_default(),
            ebarimt_district_code: s.ebarimt.district_code.clone().unwrap_or_default(),
            ebarimt_default_tax_type: s
                .ebarimt
                .default_tax_type
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
        }
    }

    /// The PosAPI settings asked for (every field as typed; blank clears it).
    fn ebarimt(&self) -> crate::services::ebarimt::EbarimtChanges {
        crate::services::ebarimt::EbarimtChanges {
            enabled: Some(self.ebarimt_enabled.is_some()),
            url: Some(self.ebarimt_url.clone()),
            merchant_tin: Some(self.ebarimt_merchant_tin.clone()),
            pos_no: Some(self.ebarimt_pos_no.clone()),
            branch_no: Some(self.ebarimt_branch_no.clone()),
            district_code: Some(self.ebarimt_district_code.clone()),
            default_tax_type: Some(self.ebarimt_default_tax_type.clone())
                .filter(|t| !t.trim().is_empty()),
        }
    }

    /// The session limits' fields: (form field, value as typed), staff, HQ, patients.
    fn session_limits(&self) -> [(&'static str, &str); 6] {
        [
            (
                "staff_session_idle_minutes",
                &self.staff_session_idle_minutes,
            ),
            ("staff_session_max_hours", &self.staff_session_max_hours),
            ("hq_session_idle_minutes", &self.hq_session_idle_minutes),
            ("hq_session_max_hours", &self.hq_session_max_hours),
            (
                "patient_session_idle_minutes",
                &self.patient_session_idle_minutes,
            ),
            ("patient_session_max_hours", &self.patient_session_max_hours),
        ]
    }

    fn hours(&self) -> [&str; 7] {
        [
            &self.hours_mon,
            &self.hours_tue,
            &self.hours_wed,
            &self.hours_thu,
            &self.hours_fri,
            &self.hours_sat,
            &self.hours_sun,
        ]
    }
}

/// `09:00-13:00, 14:00-19:00` as `[["09:00","13:00"],["14:00","19:00"]]`; None when a piece
/// is not two times joined by a dash (the times themselves are checked by the service).
fn intervals_from_text(text: &str) -> Option<Value> {
    let intervals = super::common::intervals_typed(text)?
        .into_iter()
        .map(|(start, end)| Value::Array(vec![Value::String(start), Value::String(end)]))
        .collect();
    Some(Value::Array(intervals))
}

fn page<'a>(layout: &'a Layout, form: SettingsForm, errors: FieldMessages) -> SettingsPage<'a> {
    let days = WEEKDAY_KEYS
        .iter()
        .zip(form.hours())
        .map(|(key, value)| DayRow {
            key,
            field: format!("hours_{key}"),
            label: layout.t(&format!("weekday-{key}")),
            value: value.to_owned(),
        })
        .collect();
    let limits = form.session_limits();
    let sessions = ["staff", "hq", "patient"]
        .iter()
        .zip(limits.chunks(2))
        .map(|(kind, pair)| SessionRow {
            label: layout.t(&format!("session-limits-{kind}")),
            idle_field: pair[0].0,
            idle: pair[0].1.to_owned(),
            max_field: pair[1].0,
            max: pair[1].1.to_owned(),
        })
        .collect();
    let ebarimt_fields = [
        ("ebarimt_url", "field-ebarimt-url", &form.ebarimt_url),
        (
            "ebarimt_merchant_tin",
            "field-merchant-tin",
            &form.ebarimt_merchant_tin,
        ),
        ("ebarimt_pos_no", "field-pos-no", &form.ebarimt_pos_no),
        (
            "ebarimt_branch_no",
            "field-branch-no",
            &form.ebarimt_branch_no,
        ),
        (
            "ebarimt_district_code",
            "field-district-code",
            &form.ebarimt_district_code,
        ),
    ]
    .into_iter()
    .map(|(field, label, value)| (field, layout.t(label), value.clone()))
    .collect();
    let tax_types = dcms_domain::TaxType::ALL
        .into_iter()
        .map(|t| {
            (
                t.as_str(),
                layout.t(&format!(
                    "tax-type-{}",
                    t.as_str().to_lowercase().replace('_', "-")
                )),
            )
        })
        .collect();
    SettingsPage {
        layout,
        days,
        sessions,
        ebarimt_fields,
        tax_types,
        notations: [
            ToothSystem::Fdi,
            ToothSystem::Universal,
            ToothSystem::Palmer,
        ]
        .into_iter()
        .map(|n| (n.as_str(), layout.t(&format!("notation-{}", n.as_str()))))
        .collect(),
        languages: [Language::Mn, Language::En]
            .into_iter()
            .map(|l| (l.as_str(), layout.t(&format!("language-{}", l.as_str()))))
            .collect(),
        time_zones: TIME_ZONES,
        form,
        errors,
    }
}

/// `GET /settings`.
pub async fn show(State(state): State<AppState>, layout: Layout) -> PageResult {
    let current = settings::get(&state.store).await.or_page(&layout)?;
    let form = SettingsForm::from_settings(&current);
    Ok(layout.render(&page(&layout, form, FieldMessages::default())))
}

/// The page's wording of a service's complaint about a field, and the form field it is on.
fn translate(layout: &Layout, error: &FieldError) -> (String, String) {
    let field = error.field.as_str();
    if let Some(name) = field.strip_prefix("ebarimt.") {
        return (format!("ebarimt_{name}"), layout.field_error(error));
    }
    if let Some(day) = field.strip_prefix("opening_hours.") {
        return (format!("hours_{day}"), layout.t("error-opening-hours"));
    }
    let message = match field {
        "clinic_name" => i18n_length(layout),
        "clinic_code" => layout.t("error-clinic-code"),
        "time_zone" => layout.t("error-time-zone"),
        "opening_hours" => layout.t("error-opening-hours"),
        "tooth_notation" | "language" => layout.t("error-choose"),
        _ => layout.field_error(error),
    };
    (field.to_owned(), message)
}

fn i18n_length(layout: &Layout) -> String {
    super::i18n::t_args(
        layout.lang,
        "error-length",
        &[("min", "1".into()), ("max", "255".into())],
    )
}

/// `POST /settings`: saves every field; on errors the form comes back as typed.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<SettingsForm>,
) -> PageResult {
    let mut errors = FieldMessages::default();
    let mut hours = Map::new();
    for (key, text) in WEEKDAY_KEYS.iter().zip(form.hours()) {
        match intervals_from_text(text) {
            Some(value) => {
                hours.insert((*key).to_owned(), value);
            }
            None => errors.push(&format!("hours_{key}"), layout.t("error-opening-hours")),
        }
    }
    let reminder_hour = form.reminder_hour.trim().parse::<i64>().ok();
    if reminder_hour.is_none() {
        errors.push("reminder_hour", layout.t("error-reminder-hour"));
    }
    let mut limits = [None; 6];
    for (slot, (field, text)) in limits.iter_mut().zip(form.session_limits()) {
        // Empty (a form without the field): left as it is.
        if text.trim().is_empty() {
            continue;
        }
        *slot = text.trim().parse::<i64>().ok();
        if slot.is_none() {
            errors.push(field, layout.t("error-whole-number"));
        }
    }
    let [
        staff_session_idle_minutes,
        staff_session_max_hours,
        hq_session_idle_minutes,
        hq_session_max_hours,
        patient_session_idle_minutes,
        patient_session_max_hours,
    ] = limits;
    let mut whole = |field: &'static str, text: &str| match text.trim() {
        "" => None,
        text => {
            let n = text.parse::<i64>().ok();
            if n.is_none() {
                errors.push(field, layout.t("error-whole-number"));
            }
            n
        }
    };
    let estimate_valid_days = whole("estimate_valid_days", &form.estimate_valid_days);
    let attachment_limit_mib = whole("attachment_limit_mib", &form.attachment_limit_mib);
    let discount_threshold_percent = whole(
        "discount_threshold_percent",
        &form.discount_threshold_percent,
    );
    if errors.is_empty() {
        let changes = SettingsChanges {
            clinic_name: Some(form.clinic_name.clone()),
            clinic_code: Some(form.clinic_code.clone()),
            time_zone: Some(form.time_zone.clone()),
            opening_hours: Some(Value::Object(hours)),
            tooth_notation: Some(form.tooth_notation.clone()),
            language: Some(form.language.clone()),
            reminder_enabled: Some(form.reminder_enabled.is_some()),
            reminder_hour,
            reminder_template: Some(form.reminder_template.clone()),
            sms_confirm_replies: Some(form.sms_confirm_replies.is_some()),
            staff_session_idle_minutes,
            staff_session_max_hours,
            hq_session_idle_minutes,
            hq_session_max_hours,
            patient_session_idle_minutes,
            patient_session_max_hours,
            estimate_valid_days,
            clinic_contacts: Some(form.clinic_contacts.clone()),
            attachment_limit_mib,
            recall_template: Some(form.recall_template.clone()).filter(|t| !t.trim().is_empty()),
            discount_threshold_percent,
            // A form from before e-barimt (no URL field at all) leaves it as it is.
            ebarimt: Some(form.ebarimt()).filter(|_| !form.ebarimt_default_tax_type.is_empty()),
        };
        let result = settings::update(&state.store, &state.audit, caller.actor(), changes).await;
        return layout
            .submitted(result)
            .answer(
                |_| Saved::to("/settings", msg("flash-saved")),
                async |refused| {
                    for e in &refused.errors {
                        let (field, message) = translate(&layout, e);
                        errors.push(&field, message);
                    }
                    Ok(layout.render_status(refused.status, &page(&layout, form, errors)))
                },
            )
            .await;
    }
    Ok(layout.render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&layout, form, errors),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_intervals_typed_in_a_box() {
        assert_eq!(
            intervals_from_text("09:00-13:00, 14:00 – 19:00").unwrap(),
            serde_json::json!([["09:00", "13:00"], ["14:00", "19:00"]])
        );
        assert_eq!(intervals_from_text("  ").unwrap(), serde_json::json!([]));
        assert!(intervals_from_text("09:00").is_none());
    }
}
