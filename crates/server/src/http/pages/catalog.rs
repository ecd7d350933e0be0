//! `/services`: the service catalog, "services and prices". Everyone with catalog access
//! reads it (receptionists and doctors look up prices and durations), one table per service
//! type in `display_number` order; admins and managers add services, change them (clearing
//! "active" takes one out of booking and billing: services are never deleted) and move them
//! up and down within their type.
//!
//! The form's numbers are typed as text: a price may be grouped (`150 000`, `150,000 ₮`); a
//! number that is not one is shown beside its field before anything is asked of the service,
//! which then checks the rest (ranges, lengths, a taken number).

use super::{
    FieldMessages, Layout, OrPage, PageResult, Saved, msg, see_other, see_other_with_flash,
};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::catalog::{
    self, DEFAULT_DURATION, DURATION_MAX, NUMBER_MAX, NewService, REORDER_MAX, Service,
    ServiceChanges, ServiceFilter,
};
use crate::services::{FieldError, ServiceError};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use dcms_domain::{Money, MoneyError, TUGRIK_SIGN};
use serde::Deserialize;

/// The most services the page lists (a clinic has a few hundred).
const SERVICES_MAX: u64 = 2000;
/// Characters of a disclaimer shown in its row; a longer one (or one of several lines)
/// folds out in full.
const DISCLAIMER_SHOWN: usize = 60;
/// How often a move is tried again when the type changed between reading its order and
/// renumbering it (a service added or moved at the same moment).
const MOVE_ATTEMPTS: usize = 3;

/// One row of a type's table.
pub struct ServiceRow {
    service_id: i64,
    display_number: i32,
    doctor_display_name: String,
    patient_display_name: String,
    price: i64,
    /// Minutes.
    duration: i32,
    is_active: bool,
    disclaimer: Option<String>,
    /// The beginning of a disclaimer too long for the row; None: it is shown whole.
    disclaimer_short: Option<String>,
    /// The one whose form is shown.
    editing: bool,
    /// First and last of its type: no "move up", no "move down".
    first: bool,
    last: bool,
}

impl ServiceRow {
    fn of(s: &Service, editing: Option<i64>) -> ServiceRow {
        ServiceRow {
            service_id: s.service_id,
            display_number: s.display_number,
            doctor_display_name: s.doctor_display_name.clone(),
            patient_display_name: s.patient_display_name.clone(),
            price: s.price.amount(),
            duration: s.default_duration_time,
            is_active: s.is_active,
            disclaimer_short: s.disclaimer.as_deref().and_then(shortened),
            disclaimer: s.disclaimer.clone(),
            editing: editing == Some(s.service_id),
            first: false,
            last: false,
        }
    }
}

/// The services of one type, in `display_number` order.
pub struct ServiceGroup {
    service_type: String,
    rows: Vec<ServiceRow>,
}

/// Groups services ordered by `(service_type, display_number)` by their type, marking the
/// first and last of each.
fn grouped(services: &[Service], editing: Option<i64>) -> Vec<ServiceGroup> {
    let mut groups: Vec<ServiceGroup> = Vec::new();
    for s in services {
        let row = ServiceRow::of(s, editing);
        match groups.last_mut() {
            Some(g) if g.service_type == s.service_type => g.rows.push(row),
            _ => groups.push(ServiceGroup {
                service_type: s.service_type.clone(),
                rows: vec![row],
            }),
        }
    }
    for g in &mut groups {
        if let Some(first) = g.rows.first_mut() {
            first.first = true;
        }
        if let Some(last) = g.rows.last_mut() {
            last.last = true;
        }
    }
    groups
}

/// The beginning of a disclaimer that does not fit in its row: its first line, at most
/// [`DISCLAIMER_SHOWN`] characters, and an ellipsis. None when it fits.
fn shortened(text: &str) -> Option<String> {
    let first_line = text.lines().next().unwrap_or_default();
    if first_line == text && text.chars().count() <= DISCLAIMER_SHOWN {
        return None;
    }
    let start: String = first_line.chars().take(DISCLAIMER_SHOWN).collect();
    Some(format!("{}…", start.trim_end()))
}

/// An amount as the form shows it: grouped by threes, without the sign (`150 000`).
fn price_text(price: Money) -> String {
    price
        .to_string()
        .trim_end_matches(TUGRIK_SIGN)
        .trim_end()
        .to_owned()
}

/// The service form, new or edited; every field as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ServiceForm {
    service_type: String,
    display_number: String,
    doctor_display_name: String,
    patient_display_name: String,
    price: String,
    /// Minutes; empty: the default (30).
    default_duration_time: String,
    disclaimer: String,
    /// The consent to sign before the service (absent from older forms: kept empty).
    #[serde(default)]
    consent_text: String,
    /// Months until the recall; empty: none (absent from older forms: none).
    #[serde(default)]
    recall_months: String,
    /// The e-barimt tax type; empty: the clinic's (absent from older forms: the clinic's).
    #[serde(default)]
    tax_type: String,
    #[serde(default)]
    classification_code: String,
    /// A checkbox: present when ticked.
    is_active: Option<String>,
}

/// The form's numbers, read; None: left empty.
struct Numbers {
    display_number: Option<i64>,
    price: Option<i64>,
    duration: Option<i64>,
    recall_months: Option<i64>,
}

/// A whole number as typed (`None` when empty); anything else is the error `code` on
/// `field` (whose message names the largest value allowed, `max`).
fn whole_number(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    value: &str,
    code: &'static str,
    max: i64,
) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(
                FieldError::coded(field, code, format!("'{value}' is not a whole number"))
                    .arg("max", max),
            );
            None
        }
    }
}

impl ServiceForm {
    fn of(s: &Service) -> ServiceForm {
        ServiceForm {
            service_type: s.service_type.clone(),
            display_number: s.display_number.to_string(),
            doctor_display_name: s.doctor_display_name.clone(),
            patient_display_name: s.patient_display_name.clone(),
            price: price_text(s.price),
            default_duration_time: s.default_duration_time.to_string(),
            disclaimer: s.disclaimer.clone().unwrap_or_default(),
            consent_text: s.consent_text.clone().unwrap_or_default(),
            recall_months: s.recall_months.map(|m| m.to_string()).unwrap_or_default(),
            tax_type: s
                .tax_type
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            classification_code: s.classification_code.clone().unwrap_or_default(),
            is_active: s.is_active.then(|| "on".to_owned()),
        }
    }

    fn disclaimer(&self) -> Option<String> {
        Some(self.disclaimer.clone()).filter(|d| !d.trim().is_empty())
    }

    fn consent_text(&self) -> Option<String> {
        Some(self.consent_text.clone()).filter(|d| !d.trim().is_empty())
    }

    /// Reads the numbers: a price as people write it (`150000`, `150 000`, `150,000 ₮`),
    /// whole numbers for the rest. Anything else is an error beside its field. Ranges (a
    /// negative price, a duration of 0) are the service's to check.
    fn numbers(&self) -> Result<Numbers, Vec<FieldError>> {
        let mut errors = Vec::new();
        let display_number = whole_number(
            &mut errors,
            "display_number",
            &self.display_number,
            "display-number",
            NUMBER_MAX,
        );
        let price = match Money::parse(&self.price) {
            Ok(price) => Some(price.amount()),
            Err(MoneyError::Empty) => None,
            Err(e) => {
                errors.push(FieldError::coded("price", "price-format", e));
                None
            }
        };
        let duration = whole_number(
            &mut errors,
            "default_duration_time",
            &self.default_duration_time,
            "duration",
            DURATION_MAX,
        );
        let recall_months = whole_number(
            &mut errors,
            "recall_months",
            &self.recall_months,
            "range",
            i64::from(dcms_domain::RECALL_MONTHS_MAX),
        );
        if errors.is_empty() {
            Ok(Numbers {
                display_number,
                price,
                duration,
                recall_months,
            })
        } else {
            Err(errors)
        }
    }
}

/// One choice of the filter.
pub struct FilterLink {
    href: &'static str,
    label_id: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "services.html")]
struct ServicesPage<'a> {
    layout: &'a Layout,
    groups: Vec<ServiceGroup>,
    /// Every type listed, for the form's suggestions.
    types: Vec<String>,
    /// The type field's hint, with the clinic's own types as examples.
    type_hint: String,
    filters: Vec<FilterLink>,
    /// `?active=`: only active (true) or inactive (false) services are listed.
    active: Option<bool>,
    /// More services than the page lists.
    truncated: bool,
    form: ServiceForm,
    /// The service being changed; None: the form adds one.
    editing: Option<i64>,
    /// Where the form posts.
    action: String,
    /// Move buttons: for those who may reorder, on the unfiltered list (a move is within
    /// the whole type).
    can_move: bool,
    errors: FieldMessages,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    /// true: active services only; false: inactive only.
    active: Option<bool>,
    /// Shows the form for this service instead of the new one.
    edit: Option<i64>,
}

/// The catalog, and for those who may write, the form: `form` as typed when it comes back
/// with errors, else the service being edited as stored, else a blank new one. An unknown
/// service to edit is 404.
async fn services_page(
    state: &AppState,
    layout: &Layout,
    view: ListParams,
    form: Option<ServiceForm>,
    errors: FieldMessages,
    status: StatusCode,
) -> PageResult {
    let ListParams {
        active,
        edit: editing,
    } = view;
    let filter = ServiceFilter {
        active,
        ..ServiceFilter::default()
    };
    let mut all = catalog::list(&state.store, filter, SERVICES_MAX + 1)
        .await
        .or_page(layout)?;
    let truncated = all.len() as u64 > SERVICES_MAX;
    all.truncate(usize::try_from(SERVICES_MAX).unwrap_or(usize::MAX));
    let edited = match editing {
        Some(id) => Some(catalog::get(&state.store, id).await.or_page(layout)?),
        None => None,
    };
    let form = form.unwrap_or_else(|| match &edited {
        Some(s) => ServiceForm::of(s),
        None => ServiceForm {
            is_active: Some("on".into()),
            ..ServiceForm::default()
        },
    });
    let mut types: Vec<String> = all.iter().map(|s| s.service_type.clone()).collect();
    types.dedup();
    let type_hint = if types.is_empty() {
        layout.t("service-type-hint-first")
    } else {
        let examples: Vec<&str> = types.iter().take(2).map(String::as_str).collect();
        layout.t1("service-type-hint", "examples", examples.join(", "))
    };
    let filters = [
        (None, "/services", msg("services-filter-all")),
        (
            Some(true),
            "/services?active=true",
            msg("services-filter-active"),
        ),
        (
            Some(false),
            "/services?active=false",
            msg("services-filter-inactive"),
        ),
    ]
    .into_iter()
    .map(|(value, href, label_id)| FilterLink {
        href,
        label_id,
        current: value == active,
    })
    .collect();
    Ok(layout.render_status(
        status,
        &ServicesPage {
            layout,
            groups: grouped(&all, editing),
            types,
            type_hint,
            filters,
            active,
            truncated,
            form,
            action: editing.map_or_else(|| "/services".to_owned(), |id| format!("/services/{id}")),
            editing,
            can_move: active.is_none() && layout.can.catalog_write,
            errors,
        },
    ))
}

/// `GET /services` (`?active=true|false` filters; `?edit=ID` shows that service's form).
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
    layout: Layout,
) -> PageResult {
    let view = ListParams {
        active: params.active,
        edit: params.edit.filter(|_| layout.can.catalog_write),
    };
    services_page(
        &state,
        &layout,
        view,
        None,
        FieldMessages::default(),
        StatusCode::OK,
    )
    .await
}

/// A taken number is shown beside the number.
fn number_taken(text: String) -> FieldError {
    FieldError::coded("display_number", "service-number-taken", text)
}

/// `POST /services`: adds a service.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<ServiceForm>,
) -> PageResult {
    let result = match form.numbers() {
        Ok(numbers) => {
            let input = NewService {
                service_type: Some(form.service_type.clone()),
                display_number: numbers.display_number,
                doctor_display_name: Some(form.doctor_display_name.clone()),
                patient_display_name: Some(form.patient_display_name.clone()),
                disclaimer: form.disclaimer(),
                consent_text: form.consent_text(),
                price: numbers.price,
                default_duration_time: numbers.duration,
                is_active: Some(form.is_active.is_some()),
                recall_months: numbers.recall_months,
                tax_type: Some(form.tax_type.clone()),
                classification_code: Some(form.classification_code.clone()),
            };
            catalog::create(&state.store, &state.audit, caller.actor(), input).await
        }
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    layout
        .submitted(result)
        .conflict(StatusCode::CONFLICT, number_taken)
        .answer(
            |service| {
                let location = format!("/services#service-{}", service.service_id);
                Saved::to(location, msg("flash-service-created"))
            },
            // The new-service form comes back with what was typed.
            async |refused| {
                let errors = refused.messages(&layout);
                let view = ListParams::default();
                services_page(&state, &layout, view, Some(form), errors, refused.status).await
            },
        )
        .await
}

/// `POST /services/{service_id}`: changes a service; an unticked "active" deactivates it
/// (it can no longer be booked or billed anew; its history keeps it), a ticked one
/// activates it again. An empty duration is the default, 30 minutes.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(service_id): Path<i64>,
    layout: Layout,
    Form(form): Form<ServiceForm>,
) -> PageResult {
    let numbers = form.numbers().and_then(|n| {
        // On a change, empty is not "leave it": the number and the price are required.
        let mut errors = Vec::new();
        for (field, value) in [("display_number", n.display_number), ("price", n.price)] {
            if value.is_none() {
                errors.push(FieldError::coded(field, "required", "is required"));
            }
        }
        if errors.is_empty() {
            Ok(n)
        } else {
            Err(errors)
        }
    });
    let result = match numbers {
        Ok(numbers) => {
            let changes = ServiceChanges {
                service_type: Some(form.service_type.clone()),
                display_number: numbers.display_number,
                doctor_display_name: Some(form.doctor_display_name.clone()),
                patient_display_name: Some(form.patient_display_name.clone()),
                disclaimer: Some(form.disclaimer()),
                consent_text: Some(form.consent_text()),
                price: numbers.price,
                default_duration_time: Some(
                    numbers.duration.unwrap_or(i64::from(DEFAULT_DURATION)),
                ),
                is_active: Some(form.is_active.is_some()),
                recall_months: Some(numbers.recall_months),
                tax_type: Some(Some(form.tax_type.clone())),
                classification_code: Some(Some(form.classification_code.clone())),
            };
            catalog::update(
                &state.store,
                &state.audit,
                caller.actor(),
                service_id,
                changes,
            )
            .await
        }
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    layout
        .submitted(result)
        .conflict(StatusCode::CONFLICT, number_taken)
        .answer(
            |_| {
                Saved::to(
                    format!("/services#service-{service_id}"),
                    msg("flash-saved"),
                )
            },
            async |refused| {
                let errors = refused.messages(&layout);
                let view = ListParams {
                    active: None,
                    edit: Some(service_id),
                };
                services_page(&state, &layout, view, Some(form), errors, refused.status).await
            },
        )
        .await
}

/// The move form: `direction=up|down`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    direction: String,
}

/// `POST /services/{service_id}/move`: swaps a service with its neighbour above (`up`) or
/// below (`down`) in its type, by renumbering the whole type in the new order in one
/// transaction (`catalog::reorder`; the type's numbers become 1..n). The first moved up or
/// the last moved down stays where it is. Back to the service's row in the list.
pub async fn move_service(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(service_id): Path<i64>,
    layout: Layout,
    Form(form): Form<MoveForm>,
) -> PageResult {
    let up = match form.direction.as_str() {
        "up" => true,
        "down" => false,
        // The buttons send one or the other: anything else is a malformed request.
        _ => {
            return Err(layout.error_page(StatusCode::BAD_REQUEST, msg("error-invalid"), None));
        }
    };
    let location = format!("/services#service-{service_id}");
    let mut attempt = 0;
    loop {
        attempt += 1;
        let service = catalog::get(&state.store, service_id)
            .await
            .or_page(&layout)?;
        let filter = ServiceFilter {
            service_type: Some(service.service_type.clone()),
            ..ServiceFilter::default()
        };
        let mut ids: Vec<i64> = catalog::list(&state.store, filter, REORDER_MAX as u64)
            .await
            .or_page(&layout)?
            .iter()
            .map(|s| s.service_id)
            .collect();
        let Some(at) = ids.iter().position(|id| *id == service_id) else {
            return Err(layout.error(ServiceError::NotFound("service")));
        };
        let neighbour = if up {
            at.checked_sub(1)
        } else {
            Some(at + 1).filter(|i| *i < ids.len())
        };
        let Some(neighbour) = neighbour else {
            // Already first (or last): nothing to do.
            return Ok(see_other(&location));
        };
        ids.swap(at, neighbour);
        match catalog::reorder(
            &state.store,
            &state.audit,
            caller.actor(),
            Some(service.service_type),
            ids,
        )
        .await
        {
            Ok(_) => {
                return Ok(see_other_with_flash(
                    &location,
                    msg("flash-service-moved"),
                    layout.secure,
                ));
            }
            // The type changed since it was read: read it again.
            Err(ServiceError::Invalid(_)) if attempt < MOVE_ATTEMPTS => continue,
            Err(err) => return Err(layout.error(err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_disclaimers_are_shortened() {
        assert_eq!(shortened("Short."), None);
        assert_eq!(
            shortened("First line\nsecond line").as_deref(),
            Some("First line…")
        );
        let long = "а".repeat(DISCLAIMER_SHOWN + 5);
        let short = shortened(&long).unwrap();
        assert_eq!(short.chars().count(), DISCLAIMER_SHOWN + 1);
    }

    #[test]
    fn prices_are_read_as_people_write_them() {
        let form = |price: &str, duration: &str| ServiceForm {
            display_number: " 3 ".into(),
            price: price.into(),
            default_duration_time: duration.into(),
            ..ServiceForm::default()
        };
        let n = form("150 000", "").numbers().ok().unwrap();
        assert_eq!(
            (n.display_number, n.price, n.duration),
            (Some(3), Some(150_000), None)
        );
        assert_eq!(
            form("150,000 ₮", "45").numbers().ok().unwrap().price,
            Some(150_000)
        );
        // Negative numbers are read; the service refuses them with its own message.
        assert_eq!(form("-5", "-1").numbers().ok().unwrap().duration, Some(-1));
        let errors = form("12.5", "half an hour").numbers().err().unwrap();
        let codes: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [
                ("price", Some("price-format")),
                ("default_duration_time", Some("duration"))
            ]
        );
        assert_eq!(price_text(Money::new(1_250_000)), "1 250 000");
    }
}
