//! The service catalog (what the clinic does, at what price, for how long) and the tooth
//! dictionary. Services are created, changed and deactivated, never deleted;
//! `(service_type, display_number)` is unique (409), and [`reorder`] renumbers one type 1..n.
//! Every write is audited in its own transaction (table `service_catalog`).
//!
//! For other use cases (appointments, treatments): [`get_in`] reads a service inside the
//! caller's transaction, [`bookable_in`] also refuses an unknown or deactivated one (422).

use super::audit::{AuditTrail, changes};
use super::{Actor, FieldError, ServiceError};
use dcms_domain::{Arch, Dentition, Money, ToothSystem};
use dcms_store::audit::AuditEntry;
use dcms_store::entity::{service_catalog, tooth_definition};
use dcms_store::sea_orm::ConnectionTrait;
use dcms_store::time::{from_db, now};
use dcms_store::{Store, catalog as repo};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// The audited table.
const TABLE: &str = "service_catalog";
/// Most characters of a `service_type`.
pub const TYPE_MAX: usize = 100;
/// Most characters of a display name.
pub const NAME_MAX: usize = 255;
/// Most characters of a disclaimer.
pub const DISCLAIMER_MAX: usize = 4000;
/// Largest `display_number`.
pub const NUMBER_MAX: i64 = 10_000;
/// Largest price (one trillion tugrik: far above any treatment, far below what a
/// JavaScript number holds exactly).
pub const PRICE_MAX: i64 = 1_000_000_000_000;
/// Longest `default_duration_time`, in minutes (a day).
pub const DURATION_MAX: i64 = 1440;
/// `default_duration_time` when none is given, in minutes (docs/catalog.md).
pub const DEFAULT_DURATION: i32 = 30;
/// Most services one reorder may list.
pub const REORDER_MAX: usize = 10_000;

/// A service of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Service {
    pub service_id: i64,
    /// The category it is listed under (`CHILD`, `ORTHO`, ...), as written.
    #[schema(example = "ORTHO")]
    pub service_type: String,
    /// Its place in its type, from 1; unique within the type.
    #[schema(example = 1)]
    pub display_number: i32,
    /// The name doctors see.
    #[schema(example = "Шүдний сувгийн эмчилгээ")]
    pub doctor_display_name: String,
    /// The name patients see (invoices, the portal).
    #[schema(example = "Сувгийн эмчилгээ")]
    pub patient_display_name: String,
    pub disclaimer: Option<String>,
    /// The consent the patient signs before this service; the treatment form offers to print
    /// it (at most 8000 characters).
    pub consent_text: Option<String>,
    /// Whole tugrik, not negative.
    pub price: Money,
    /// Minutes an appointment for it takes by default (1 to 1440; default 30).
    #[schema(example = 30)]
    pub default_duration_time: i32,
    /// A deactivated service cannot be booked or billed anew; history keeps it.
    pub is_active: bool,
    /// Doing it sets the patient's recall this many months later (1 to 60; null: none).
    #[schema(example = 6)]
    pub recall_months: Option<i32>,
    /// Its e-barimt tax type; null: the clinic's default (`settings.ebarimt.default_tax_type`).
    pub tax_type: Option<dcms_domain::TaxType>,
    /// The product classification code (ББСК) printed on its receipts.
    #[schema(example = "8621000")]
    pub classification_code: Option<String>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

impl From<service_catalog::Model> for Service {
    fn from(row: service_catalog::Model) -> Service {
        Service {
            service_id: row.service_id,
            service_type: row.service_type,
            display_number: row.display_number,
            doctor_display_name: row.doctor_display_name,
            patient_display_name: row.patient_display_name,
            disclaimer: row.disclaimer,
            consent_text: row.consent_text,
            price: Money::new(row.price),
            default_duration_time: row.default_duration_time,
            is_active: row.is_active,
            recall_months: row.recall_months,
            tax_type: row.tax_type.as_deref().and_then(|t| t.parse().ok()),
            classification_code: row.classification_code,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        }
    }
}

/// What creating a service needs (as the client sent it; validated by [`create`]).
#[derive(Debug, Clone, Default)]
pub struct NewService {
    pub service_type: Option<String>,
    pub display_number: Option<i64>,
    pub doctor_display_name: Option<String>,
    pub patient_display_name: Option<String>,
    pub disclaimer: Option<String>,
    pub consent_text: Option<String>,
    pub price: Option<i64>,
    /// Minutes; default 30.
    pub default_duration_time: Option<i64>,
    /// Default true.
    pub is_active: Option<bool>,
    /// 1 to 60; none: no recall.
    pub recall_months: Option<i64>,
    /// VAT_ABLE, VAT_FREE, VAT_ZERO, NO_VAT; none: the clinic's.
    pub tax_type: Option<String>,
    /// Digits, at most 20.
    pub classification_code: Option<String>,
}

/// What changing a service asks for: `None` leaves a field as it is; `disclaimer:
/// Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ServiceChanges {
    pub service_type: Option<String>,
    pub display_number: Option<i64>,
    pub doctor_display_name: Option<String>,
    pub patient_display_name: Option<String>,
    pub disclaimer: Option<Option<String>>,
    pub consent_text: Option<Option<String>>,
    pub price: Option<i64>,
    pub default_duration_time: Option<i64>,
    pub is_active: Option<bool>,
    /// `Some(None)` clears it.
    pub recall_months: Option<Option<i64>>,
    /// `Some(None)` (or blank): the clinic's.
    pub tax_type: Option<Option<String>>,
    pub classification_code: Option<Option<String>>,
}

/// `?type=&active=` and the position after which a page starts.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    pub service_type: Option<String>,
    pub active: Option<bool>,
    /// The `(service_type, display_number)` of the last service of the previous page.
    pub after: Option<(String, i32)>,
}

fn audited(s: &service_catalog::Model) -> Value {
    json!({
        "service_type": s.service_type,
        "display_number": s.display_number,
        "doctor_display_name": s.doctor_display_name,
        "patient_display_name": s.patient_display_name,
        "disclaimer": s.disclaimer,
        "consent_text": s.consent_text,
        "price": s.price,
        "default_duration_time": s.default_duration_time,
        "is_active": s.is_active,
        "recall_months": s.recall_months,
        "tax_type": s.tax_type,
        "classification_code": s.classification_code,
    })
}

/// A tax type (blank: none, the clinic's); None when invalid.
fn tax_type(errors: &mut Vec<FieldError>, value: Option<&str>) -> Option<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(None),
        Some(v) => match v.parse::<dcms_domain::TaxType>() {
            Ok(t) => Some(Some(t.as_str().to_owned())),
            Err(e) => {
                errors.push(FieldError::coded("tax_type", "choose", e.to_string()));
                None
            }
        },
    }
}

/// A classification code: digits, at most 20 (blank: none); None when invalid.
fn classification_code(
    errors: &mut Vec<FieldError>,
    value: Option<&str>,
) -> Option<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(None),
        Some(v) if v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit()) => {
            Some(Some(v.to_owned()))
        }
        Some(_) => {
            errors.push(FieldError::coded(
                "classification_code",
                "classification-code",
                "is digits, at most 20",
            ));
            None
        }
    }
}

// --- validation ----------------------------------------------------------------------------

/// A trimmed single-line text of 1 to `max` characters (absent: required).
fn required_text(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    super::fields::required_text(errors, field, value.unwrap_or_default(), max)
}

/// A disclaimer: trimmed, empty is none, at most [`DISCLAIMER_MAX`] characters (line breaks
/// and tabs allowed, other control characters not).
fn disclaimer(errors: &mut Vec<FieldError>, value: Option<String>) -> Option<String> {
    long_text(errors, "disclaimer", value, DISCLAIMER_MAX)
}

/// A consent text: as a disclaimer, at most [`CONSENT_MAX`] characters.
fn consent_text(errors: &mut Vec<FieldError>, value: Option<String>) -> Option<String> {
    long_text(errors, "consent_text", value, CONSENT_MAX)
}

/// Recall months: 1 to [`dcms_domain::RECALL_MONTHS_MAX`] (None: no recall); None when
/// invalid, with the reason in `errors`.
fn recall_months(errors: &mut Vec<FieldError>, value: Option<i64>) -> Option<Option<i32>> {
    match value {
        None => Some(None),
        Some(m) => match i32::try_from(m) {
            Ok(m) if (1..=dcms_domain::RECALL_MONTHS_MAX).contains(&m) => Some(Some(m)),
            _ => {
                errors.push(
                    FieldError::coded("recall_months", "range", "must be 1 to 60 months")
                        .arg("min", 1)
                        .arg("max", dcms_domain::RECALL_MONTHS_MAX),
                );
                None
            }
        },
    }
}

/// Longest consent text.
pub const CONSENT_MAX: usize = 8000;

fn long_text(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    value: Option<String>,
    max: usize,
) -> Option<String> {
    let value = value?.trim().to_owned();
    if value.is_empty() {
        return None;
    }
    if value.chars().count() > max {
        errors.push(
            FieldError::coded(
                field,
                "too-long",
                format!("must be at most {max} characters"),
            )
            .arg("max", max),
        );
        return None;
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.push(FieldError::coded(
            field,
            "control-characters",
            "must not contain control characters",
        ));
        return None;
    }
    Some(value)
}

/// `display_number`: 1 to [`NUMBER_MAX`].
fn display_number(errors: &mut Vec<FieldError>, value: Option<i64>) -> Option<i32> {
    let Some(value) = value else {
        errors.push(FieldError::coded(
            "display_number",
            "required",
            "is required",
        ));
        return None;
    };
    match i32::try_from(value) {
        Ok(n) if (1..=NUMBER_MAX).contains(&value) => Some(n),
        _ => {
            errors.push(
                FieldError::coded(
                    "display_number",
                    "display-number",
                    format!("must be a whole number from 1 to {NUMBER_MAX}"),
                )
                .arg("max", NUMBER_MAX),
            );
            None
        }
    }
}

/// `price`: whole tugrik, 0 to [`PRICE_MAX`].
fn price(errors: &mut Vec<FieldError>, value: Option<i64>) -> Option<i64> {
    let Some(value) = value else {
        errors.push(FieldError::coded("price", "required", "is required"));
        return None;
    };
    if (0..=PRICE_MAX).contains(&value) {
        return Some(value);
    }
    let message = if value < 0 {
        "must not be negative".to_owned()
    } else {
        format!("must be at most {PRICE_MAX} tugrik")
    };
    errors.push(FieldError::coded("price", "price", message).arg("max", PRICE_MAX));
    None
}

/// `default_duration_time`: 1 to [`DURATION_MAX`] minutes.
fn duration(errors: &mut Vec<FieldError>, value: i64) -> Option<i32> {
    match i32::try_from(value) {
        Ok(n) if (1..=DURATION_MAX).contains(&value) => Some(n),
        _ => {
            let message = if value < 0 {
                "must not be negative".to_owned()
            } else {
                format!("must be from 1 to {DURATION_MAX} minutes")
            };
            errors.push(
                FieldError::coded("default_duration_time", "duration", message)
                    .arg("max", DURATION_MAX),
            );
            None
        }
    }
}

// --- services ------------------------------------------------------------------------------

/// Creates a service; a taken `(service_type, display_number)` is 409, invalid fields 422
/// (all together).
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewService,
) -> Result<Service, ServiceError> {
    let mut errors = Vec::new();
    let service_type = required_text(
        &mut errors,
        "service_type",
        input.service_type.as_deref(),
        TYPE_MAX,
    );
    let number = display_number(&mut errors, input.display_number);
    let doctor_name = required_text(
        &mut errors,
        "doctor_display_name",
        input.doctor_display_name.as_deref(),
        NAME_MAX,
    );
    let patient_name = required_text(
        &mut errors,
        "patient_display_name",
        input.patient_display_name.as_deref(),
        NAME_MAX,
    );
    let disclaimer = disclaimer(&mut errors, input.disclaimer);
    let consent_text = consent_text(&mut errors, input.consent_text);
    let recall = recall_months(&mut errors, input.recall_months);
    let tax = tax_type(&mut errors, input.tax_type.as_deref());
    let code = classification_code(&mut errors, input.classification_code.as_deref());
    let price = price(&mut errors, input.price);
    let duration = match input.default_duration_time {
        Some(d) => duration(&mut errors, d),
        None => Some(DEFAULT_DURATION),
    };
    let (
        Some(service_type),
        Some(display_number),
        Some(doctor_display_name),
        Some(patient_display_name),
        Some(price),
        Some(default_duration_time),
        Some(recall_months),
        Some(tax_type),
        Some(classification_code),
        true,
    ) = (
        service_type,
        number,
        doctor_name,
        patient_name,
        price,
        duration,
        recall,
        tax,
        code,
        errors.is_empty(),
    )
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    let row = repo::insert(
        &txn,
        repo::NewService {
            service_type,
            display_number,
            doctor_display_name,
            patient_display_name,
            disclaimer,
            consent_text,
            price,
            default_duration_time,
            is_active: input.is_active.unwrap_or(true),
            recall_months,
            tax_type,
            classification_code,
            now: now(),
        },
    )
    .await?;
    let entry = AuditEntry::new("create", TABLE, Some(row.service_id)).with_changes(changes(
        None,
        Some(&audited(&row)),
        &[],
    ));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(row.into())
}

/// A service by id (404 when there is none).
pub async fn get(store: &Store, service_id: i64) -> Result<Service, ServiceError> {
    get_in(store.connection(), service_id).await
}

/// A service by id, read on `db`: the pool or the caller's transaction (404 when there is
/// none). Active or not: check `is_active` where that matters, or use [`bookable_in`].
pub async fn get_in(db: &impl ConnectionTrait, service_id: i64) -> Result<Service, ServiceError> {
    repo::find(db, service_id)
        .await?
        .map(Service::from)
        .ok_or(ServiceError::NotFound("service"))
}

/// A service that may be booked or billed anew, read on `db` (the caller's transaction):
/// an unknown id or a deactivated service is 422 on `field` (codes `service-unknown`,
/// `service-inactive`).
pub async fn bookable_in(
    db: &impl ConnectionTrait,
    service_id: i64,
    field: &str,
) -> Result<Service, ServiceError> {
    match repo::find(db, service_id).await? {
        None => Err(ServiceError::invalid_coded(FieldError::coded(
            field,
            "service-unknown",
            format!("there is no service {service_id}"),
        ))),
        Some(row) if !row.is_active => Err(ServiceError::invalid_coded(FieldError::coded(
            field,
            "service-inactive",
            format!("service {service_id} is no longer offered"),
        ))),
        Some(row) => Ok(row.into()),
    }
}

/// The names patients see (`patient_display_name`) of services by id, in one query whatever
/// their number; ids that name no service are left out (for the patient portal, which
/// never shows the doctors' names of services).
pub async fn patient_names(
    store: &Store,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, ServiceError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(repo::find_many(store.connection(), &ids)
        .await?
        .into_iter()
        .map(|s| (s.service_id, s.patient_display_name))
        .collect())
}

/// Services by `(service_type, display_number)`, filtered, at most `limit`.
pub async fn list(
    store: &Store,
    filter: ServiceFilter,
    limit: u64,
) -> Result<Vec<Service>, ServiceError> {
    let rows = repo::list(
        store.connection(),
        filter.service_type.as_deref(),
        filter.active,
        filter.after,
        limit,
    )
    .await?;
    Ok(rows.into_iter().map(Service::from).collect())
}

/// Changes a service (`is_active: false` deactivates it, `true` activates it again). A taken
/// `(service_type, display_number)` is 409; a request that changes nothing is answered
/// without a write or an audit row.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    service_id: i64,
    asked: ServiceChanges,
) -> Result<Service, ServiceError> {
    let mut errors = Vec::new();
    let service_type = asked
        .service_type
        .map(|t| required_text(&mut errors, "service_type", Some(&t), TYPE_MAX));
    let number = asked
        .display_number
        .map(|n| display_number(&mut errors, Some(n)));
    let doctor_name = asked
        .doctor_display_name
        .map(|n| required_text(&mut errors, "doctor_display_name", Some(&n), NAME_MAX));
    let patient_name = asked
        .patient_display_name
        .map(|n| required_text(&mut errors, "patient_display_name", Some(&n), NAME_MAX));
    let disclaimer = asked.disclaimer.map(|d| disclaimer(&mut errors, d));
    let consent = asked.consent_text.map(|d| consent_text(&mut errors, d));
    let recall = asked.recall_months.map(|m| recall_months(&mut errors, m));
    let tax = asked.tax_type.map(|t| tax_type(&mut errors, t.as_deref()));
    let code = asked
        .classification_code
        .map(|c| classification_code(&mut errors, c.as_deref()));
    let price = asked.price.map(|p| price(&mut errors, Some(p)));
    let duration = asked
        .default_duration_time
        .map(|d| duration(&mut errors, d));
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let txn = store.begin_write().await?;
    let before = repo::find_for_update(&txn, service_id)
        .await?
        .ok_or(ServiceError::NotFound("service"))?;
    let mut row = before.clone();
    if let Some(Some(t)) = service_type {
        row.service_type = t;
    }
    if let Some(Some(n)) = number {
        row.display_number = n;
    }
    if let Some(Some(n)) = doctor_name {
        row.doctor_display_name = n;
    }
    if let Some(Some(n)) = patient_name {
        row.patient_display_name = n;
    }
    if let Some(d) = disclaimer {
        row.disclaimer = d;
    }
    if let Some(c) = consent {
        row.consent_text = c;
    }
    if let Some(Some(m)) = recall {
        row.recall_months = m;
    }
    if let Some(Some(t)) = tax {
        row.tax_type = t;
    }
    if let Some(Some(c)) = code {
        row.classification_code = c;
    }
    if let Some(Some(p)) = price {
        row.price = p;
    }
    if let Some(Some(d)) = duration {
        row.default_duration_time = d;
    }
    if let Some(active) = asked.is_active {
        row.is_active = active;
    }
    let Some(diff) = changes(Some(&audited(&before)), Some(&audited(&row)), &[]) else {
        txn.commit().await.map_err(ServiceError::from)?;
        return Ok(before.into());
    };
    row.updated_at = now();
    let saved = repo::save(&txn, row).await?;
    let entry = AuditEntry::new("update", TABLE, Some(service_id)).with_changes(Some(diff));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(saved.into())
}

/// Why a reorder's list is not exactly the services of its type.
fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renumbers the services of `service_type` 1..n in the order of `service_ids`, in one
/// transaction. `service_ids` must be exactly the services of that type, each once;
/// otherwise 422 on `service_ids` naming the ids missing, extra or repeated, and nothing
/// changes. Each service whose number changes gets an audit row (action `reorder`).
/// Answers the services of the type in their new order.
pub async fn reorder(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    service_type: Option<String>,
    service_ids: Vec<i64>,
) -> Result<Vec<Service>, ServiceError> {
    let mut errors = Vec::new();
    let service_type = required_text(
        &mut errors,
        "service_type",
        service_type.as_deref(),
        TYPE_MAX,
    );
    if service_ids.len() > REORDER_MAX {
        errors.push(
            FieldError::coded(
                "service_ids",
                "reorder-max",
                format!("at most {REORDER_MAX} services"),
            )
            .arg("max", REORDER_MAX),
        );
    }
    let mut seen = BTreeSet::new();
    let repeated: BTreeSet<i64> = service_ids
        .iter()
        .copied()
        .filter(|id| !seen.insert(*id))
        .collect();
    if !repeated.is_empty() {
        let ids = id_list(&repeated.into_iter().collect::<Vec<_>>());
        errors.push(
            FieldError::coded(
                "service_ids",
                "reorder-repeated",
                format!("listed more than once: {ids}"),
            )
            .arg("ids", ids),
        );
    }
    let Some(service_type) = service_type.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };

    let txn = store.begin_write().await?;
    let current = repo::of_type_for_update(&txn, &service_type).await?;
    let of_type: BTreeSet<i64> = current.iter().map(|s| s.service_id).collect();
    let missing: Vec<i64> = current
        .iter()
        .map(|s| s.service_id)
        .filter(|id| !seen.contains(id))
        .collect();
    let extra: Vec<i64> = service_ids
        .iter()
        .copied()
        .filter(|id| !of_type.contains(id))
        .collect();
    if !missing.is_empty() {
        let ids = id_list(&missing);
        errors.push(
            FieldError::coded(
                "service_ids",
                "reorder-missing",
                format!("services of type '{service_type}' missing from the list: {ids}"),
            )
            .arg("ids", ids),
        );
    }
    if !extra.is_empty() {
        let ids = id_list(&extra);
        errors.push(
            FieldError::coded(
                "service_ids",
                "reorder-extra",
                format!("not services of type '{service_type}': {ids}"),
            )
            .arg("ids", ids),
        );
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }

    let mut entries = Vec::new();
    let mut changed = Vec::new();
    for (i, id) in service_ids.iter().enumerate() {
        let Some(before) = current.iter().find(|s| s.service_id == *id) else {
            continue;
        };
        let new_number = i64::try_from(i + 1).unwrap_or(i64::MAX);
        if i64::from(before.display_number) != new_number {
            changed.push(*id);
            let diff = json!({"display_number": [before.display_number, new_number]});
            entries.push(
                actor.stamp(AuditEntry::new("reorder", TABLE, Some(*id)).with_changes(Some(diff))),
            );
        }
    }
    if !changed.is_empty() {
        repo::renumber(&txn, &service_ids, &changed, now()).await?;
        audit.record_many(&txn, entries).await?;
    }
    let mut rows = repo::of_type_for_update(&txn, &service_type).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    rows.sort_by_key(|s| s.display_number);
    Ok(rows.into_iter().map(Service::from).collect())
}

// --- teeth ---------------------------------------------------------------------------------

/// A tooth of the dictionary in one notation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ToothView {
    /// The id treatments refer to (one per system and code).
    pub tooth_id: i64,
    pub system: ToothSystem,
    /// The code in that notation: `16`, `A`, `UR6`.
    #[schema(example = "16")]
    pub code: String,
    pub arch: Arch,
    /// 1 upper right, 2 upper left, 3 lower left, 4 lower right.
    #[schema(example = 1)]
    pub quadrant: i32,
    /// From the midline, from 1.
    #[schema(example = 6)]
    pub index_in_quadrant: i32,
    pub dentition: Dentition,
    /// The same for one physical tooth in every notation: `P-UR-6`, `D-LL-3`.
    #[schema(example = "P-UR-6")]
    pub ui_key: String,
    /// An English name.
    #[schema(example = "upper right first molar")]
    pub name: String,
}

impl ToothView {
    fn from_row(row: tooth_definition::Model) -> Result<ToothView, ServiceError> {
        let bad = |what: &str| {
            ServiceError::Internal(format!("tooth {} has an unknown {what} code", row.tooth_id))
        };
        Ok(ToothView {
            tooth_id: row.tooth_id,
            system: ToothSystem::from_code(row.system).ok_or_else(|| bad("system"))?,
            arch: Arch::from_code(row.arch).ok_or_else(|| bad("arch"))?,
            dentition: Dentition::from_code(row.dentition).ok_or_else(|| bad("dentition"))?,
            code: row.code,
            quadrant: row.quadrant,
            index_in_quadrant: row.index_in_quadrant,
            ui_key: row.ui_key,
            name: row.name,
        })
    }
}

/// Every tooth of the dictionary by id, optionally of one system and one dentition.
pub async fn teeth(
    store: &Store,
    system: Option<ToothSystem>,
    dentition: Option<Dentition>,
) -> Result<Vec<ToothView>, ServiceError> {
    repo::teeth(
        store.connection(),
        system.map(ToothSystem::code),
        dentition.map(Dentition::code),
    )
    .await?
    .into_iter()
    .map(ToothView::from_row)
    .collect()
}

/// The doctors' and the patients' names of the services `ids` (repeats allowed), in one
/// statement: how treatments, plans and the chart name their items.
pub(crate) async fn names(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, (String, String)>, ServiceError> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(repo::find_many(db, &ids)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.service_id,
                (s.doctor_display_name, s.patient_display_name),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked() {
        let mut errors = Vec::new();
        assert_eq!(display_number(&mut errors, Some(1)), Some(1));
        assert_eq!(price(&mut errors, Some(0)), Some(0));
        assert_eq!(duration(&mut errors, 45), Some(45));
        assert!(errors.is_empty());
        assert_eq!(display_number(&mut errors, Some(0)), None);
        assert_eq!(display_number(&mut errors, Some(i64::MAX)), None);
        assert_eq!(display_number(&mut errors, None), None);
        assert_eq!(price(&mut errors, Some(-1)), None);
        assert_eq!(price(&mut errors, Some(PRICE_MAX + 1)), None);
        assert_eq!(duration(&mut errors, 0), None);
        assert_eq!(duration(&mut errors, -5), None);
        assert_eq!(duration(&mut errors, i64::MAX), None);
        let codes: Vec<_> = errors.iter().filter_map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                "display-number",
                "display-number",
                "required",
                "price",
                "price",
                "duration",
                "duration",
                "duration"
            ]
        );
    }

    #[test]
    fn texts_are_checked() {
        let mut errors = Vec::new();
        assert_eq!(
            required_text(&mut errors, "service_type", Some(" ORTHO "), TYPE_MAX),
            Some("ORTHO".to_owned())
        );
        assert_eq!(
            disclaimer(&mut errors, Some(" a\nb ".into())),
            Some("a\nb".into())
        );
        assert!(errors.is_empty());
        assert_eq!(required_text(&mut errors, "a", None, 5), None);
        assert_eq!(required_text(&mut errors, "b", Some("x\ny"), 5), None);
        assert_eq!(disclaimer(&mut errors, Some("  ".into())), None);
        assert_eq!(disclaimer(&mut errors, Some("a\u{7}".into())), None);
        assert_eq!(errors.len(), 3);
    }
}
