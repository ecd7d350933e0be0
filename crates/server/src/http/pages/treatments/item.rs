//! The item form, the same for a new treatment and a service added to one: the service, its
//! scope, a dentition for an arch or the mouth, a note, and the teeth clicked on the
//! odontogram (posted as `ui_key`s, turned into FDI codes here).
//!
//! The scope may be left to the form ("by the service and the teeth"): it is then the one
//! `TreatmentScope::following` proposes from the teeth clicked and the service's usual
//! scope (`services::treatments::usual_scopes`), and `static/treatment_form.js` shows that
//! proposal in the select as teeth are clicked or a service is chosen. A scope that does
//! not fit the teeth is said beside the scope, the rest beside their fields.

use crate::http::pages::common::Choice;
use crate::http::pages::drawing::odontogram::{Odontogram, dentitions_value, parse_dentitions};
use crate::http::pages::{FieldMessages, Layout, OrPage, msg};
use crate::http::state::AppState;
use crate::services::treatments::{self, ItemInput, ToothInput};
use crate::services::{FieldError, catalog};
use axum::http::StatusCode;
use axum::response::Response;
use dcms_domain::{Dentition, ToothCode, ToothSystem, TreatmentScope};
use serde::Deserialize;
use std::collections::HashMap;

/// Most doctors and services offered in the form's lists.
pub(super) const CHOICES_MAX: u64 = 1000;

/// What the item part of a form posted (every field as typed; `teeth` repeats).
#[derive(Default, Clone)]
pub struct ItemForm {
    pub service_id: String,
    /// A scope's name, or blank: the form proposes one.
    pub scope: String,
    pub dentition: String,
    pub item_note: String,
    /// `ui_key`s of the teeth ticked.
    pub teeth: Vec<String>,
    /// The plan item the treatment records (its service, teeth and price are the plan's).
    pub plan_item_id: String,
    /// What the form says about that plan item (not posted).
    pub plan_note: String,
    /// `5000` or `10%`, blank for none; and why.
    pub discount: String,
    pub discount_reason: String,
}

/// The fields of a treatment form, as typed.
#[derive(Default, Clone)]
pub struct TreatmentForm {
    pub doctor_id: String,
    pub assistant_id: String,
    pub appointment_id: String,
    /// Local `YYYY-MM-DDTHH:MM`.
    pub treatment_date: String,
    pub note: String,
    pub item: ItemForm,
}

/// Reads a posted form whose `teeth` field repeats; the notation it was drawn in beside.
pub(super) fn pairs(fields: &[(String, String)]) -> (TreatmentForm, Option<String>) {
    let mut form = TreatmentForm::default();
    let mut extra = None;
    for (name, value) in fields {
        let value = value.clone();
        match name.as_str() {
            "doctor_id" => form.doctor_id = value,
            "assistant_id" => form.assistant_id = value,
            "appointment_id" => form.appointment_id = value,
            "treatment_date" => form.treatment_date = value,
            "note" => form.note = value,
            "service_id" => form.item.service_id = value,
            "scope" => form.item.scope = value,
            "dentition" => form.item.dentition = value,
            "item_note" => form.item.item_note = value,
            "teeth" => form.item.teeth.push(value),
            "plan_item_id" => form.item.plan_item_id = value,
            "discount" => form.item.discount = value,
            "discount_reason" => form.item.discount_reason = value,
            "system" => extra = Some(value),
            _ => {}
        }
    }
    (form, extra)
}

/// An id typed in a form: None for blank; an error on `field` for anything else.
pub(super) fn form_id(errors: &mut Vec<FieldError>, field: &str, value: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = value.parse::<i64>().ok();
    if parsed.is_none() {
        errors.push(FieldError::coded(
            field,
            "choose",
            "choose one of the options",
        ));
    }
    parsed
}

impl ItemForm {
    /// The item for the service: the ticked teeth as FDI codes, and the scope chosen or,
    /// left blank, the one the teeth and the service's usual scope (`usual`) propose (kept
    /// in the form, so a refused form shows it). None when no service is chosen (a
    /// treatment may be recorded without items).
    pub(super) fn input(
        &mut self,
        errors: &mut Vec<FieldError>,
        usual: &HashMap<i64, TreatmentScope>,
    ) -> Option<ItemInput> {
        if !self.plan_item_id.trim().is_empty() {
            let plan_item_id = form_id(errors, "plan_item_id", &self.plan_item_id)?;
            return Some(ItemInput {
                plan_item_id: Some(plan_item_id),
                ..ItemInput::default()
            });
        }
        let service_id = form_id(errors, "service_id", &self.service_id)?;
        let mut teeth = Vec::with_capacity(self.teeth.len());
        let mut codes = Vec::with_capacity(self.teeth.len());
        for key in &self.teeth {
            match ToothCode::from_ui_key(ToothSystem::Fdi, key) {
                Ok(tooth) => {
                    codes.push(tooth);
                    teeth.push(ToothInput {
                        code: tooth.code().to_owned(),
                        note: None,
                    });
                }
                Err(e) => errors.push(
                    FieldError::coded("teeth", "tooth-unknown", e.to_string())
                        .arg("code", key.clone()),
                ),
            }
        }
        let discount = match dcms_domain::Discount::parse_typed(&self.discount) {
            Ok(d) => d,
            Err(e) => {
                errors.push(FieldError::coded(
                    "discount",
                    "discount-typed",
                    e.to_string(),
                ));
                None
            }
        };
        if self.scope.trim().is_empty() {
            let proposed = TreatmentScope::following(usual.get(&service_id).copied(), &codes);
            self.scope = proposed.as_str().to_owned();
        }
        Some(ItemInput {
            service_id: Some(service_id),
            scope: Some(self.scope.clone()),
            teeth: Some(teeth),
            system: Some("fdi".into()),
            dentition: Some(self.dentition.clone()),
            note: Some(self.item_note.clone()),
            discount,
            discount_reason: Some(self.discount_reason.clone()),
            ..ItemInput::default()
        })
    }
}

/// A service the form offers, with the scope it is usually recorded with (empty: none
/// known), for the script that proposes the scope.
pub struct ServiceChoice {
    pub value: String,
    pub label: String,
    pub usual_scope: &'static str,
}

/// The item form's lists.
pub struct ItemChoices {
    pub services: Vec<ServiceChoice>,
    pub scopes: Vec<Choice>,
    pub dentitions: Vec<Choice>,
}

/// The lists: the active services (with their usual scopes), the scopes, the dentitions.
pub(super) async fn item_choices(
    state: &AppState,
    layout: &Layout,
) -> Result<ItemChoices, Response> {
    let filter = catalog::ServiceFilter {
        active: Some(true),
        ..catalog::ServiceFilter::default()
    };
    let usual = treatments::usual_scopes(&state.store)
        .await
        .or_page(layout)?;
    let services = catalog::list(&state.store, filter, CHOICES_MAX)
        .await
        .or_page(layout)?
        .into_iter()
        .map(|s| ServiceChoice {
            value: s.service_id.to_string(),
            label: format!(
                "{} {} · {} · {}",
                s.service_type,
                s.display_number,
                s.doctor_display_name,
                layout.money(s.price.amount())
            ),
            usual_scope: usual.get(&s.service_id).map_or("", |scope| scope.as_str()),
        })
        .collect();
    let scopes = TreatmentScope::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: layout.scope(s),
        })
        .collect();
    let dentitions = Dentition::ALL
        .iter()
        .map(|d| Choice {
            value: d.as_str().to_owned(),
            label: layout.t(&format!("dentition-{}", d.as_str())),
        })
        .collect();
    Ok(ItemChoices {
        services,
        scopes,
        dentitions,
    })
}

/// Each service's usual scope, for reading a posted item form.
pub(super) async fn usual_scopes(
    state: &AppState,
    layout: &Layout,
) -> Result<HashMap<i64, TreatmentScope>, Response> {
    treatments::usual_scopes(&state.store).await.or_page(layout)
}

/// The refusal of an item beside its fields. The item's fields are named `{prefix}name`
/// (`items[0].` in a new treatment, none on an added service): they are shown as `name`,
/// its note as `item_note`, and teeth that do not fit the scope (`scope-*` codes) beside
/// the scope, where the choice that decides it is made. Other fields keep their names.
pub(super) fn item_errors(layout: &Layout, errors: &[FieldError], prefix: &str) -> FieldMessages {
    let errors: Vec<FieldError> = errors
        .iter()
        .cloned()
        .map(|mut e| {
            if let Some(rest) = e.field.strip_prefix(prefix) {
                let scope_error = e.code.is_some_and(|c| c.starts_with("scope-"));
                e.field = match rest {
                    "note" => "item_note",
                    "teeth" if scope_error => "scope",
                    other => other,
                }
                .to_owned();
            }
            e
        })
        .collect();
    layout.field_errors(&errors)
}

/// The odontogram of the item form: the patient's dentition on `on`, the notation asked
/// for, the teeth ticked before; links keep `base` (the page's path).
pub(super) fn item_chart(
    system: ToothSystem,
    dentitions: &[Dentition],
    selected: &[String],
    base: &str,
    error: Option<&str>,
) -> Odontogram {
    let dentition_value = dentitions_value(dentitions);
    let mut chart = Odontogram::new(system, dentitions)
        .select(selected)
        .notation_links(|s| format!("{base}system={}&dentition={dentition_value}", s.as_str()))
        .dentition_links(|d| format!("{base}system={}&dentition={d}", system.as_str()));
    if let Some(error) = error {
        chart = chart.error(error);
    }
    chart
}

/// `?system=&dentition=&appointment_id=&pay=` of the form pages.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChartParams {
    pub system: Option<String>,
    pub dentition: Option<String>,
    pub appointment_id: Option<String>,
    /// Recording a plan item ("record as done" on the plan's page).
    pub plan_item_id: Option<String>,
    /// Came to pay (a "take payment" link): the amount is focused.
    pub pay: Option<String>,
}

/// The notation asked for (else the clinic's) and the dentitions shown (asked for, else the
/// patient's on `birthday`'s today: primary under 6, both from 6 to 13, else permanent).
pub(super) async fn chart_settings(
    state: &AppState,
    layout: &Layout,
    system: Option<&str>,
    dentition: Option<&str>,
    age: i16,
) -> Result<(ToothSystem, &'static [Dentition]), Response> {
    let system = treatments::notation(&state.store, system)
        .await
        .map_err(|_| bad_request(layout))?;
    let dentitions = match dentition.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => parse_dentitions(d).ok_or_else(|| bad_request(layout))?,
        None if age < 6 => &[Dentition::Primary],
        None if age < 14 => &[Dentition::Permanent, Dentition::Primary],
        None => &[Dentition::Permanent],
    };
    Ok((system, dentitions))
}

/// A malformed query (a notation or dentition that is none) as the 400 page.
pub(super) fn bad_request(layout: &Layout) -> Response {
    layout.error_page(StatusCode::BAD_REQUEST, msg("error-invalid"), None)
}
