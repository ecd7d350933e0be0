//! What a treatment item or a plan item is, checked once for both: an active service (its
//! price copied now), a scope with the teeth it wants (in any notation), surfaces on a single
//! tooth, and the finding it treats.

use crate::services::fields::{self, optional_choice, required_choice};
use crate::services::{FieldError, ServiceError};
use dcms_domain::{
    Dentition, ScopeError, Surfaces, ToothCode, ToothSystem, TreatmentScope, select_teeth,
};
use dcms_store::sea_orm::ConnectionTrait;

/// Most teeth of one item (the whole mouth of both dentitions).
pub const TEETH_MAX: usize = 52;

/// A tooth as a client gives it: a code in the request's notation, with a note.
#[derive(Debug, Clone, Default)]
pub struct ToothInput {
    pub code: String,
    pub note: Option<String>,
}

/// An item as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub service_id: Option<i64>,
    pub scope: Option<String>,
    /// None: none given (an arch or the mouth is then chosen from the dentition).
    pub teeth: Option<Vec<ToothInput>>,
    /// The notation of `teeth`; default the clinic's.
    pub system: Option<String>,
    pub dentition: Option<String>,
    pub note: Option<String>,
    /// Surface names (single tooth only).
    pub surfaces: Option<Vec<String>>,
    /// The finding the item treats.
    pub finding_id: Option<i64>,
    /// A treatment item recorded from this plan item (its service, scope, teeth, surfaces and
    /// price are the plan item's).
    pub plan_item_id: Option<i64>,
    /// Off the item's list price, with its reason (treatment items; a plan's discount is the
    /// plan's).
    pub discount: Option<dcms_domain::Discount>,
    pub discount_reason: Option<String>,
}

type Errors = Vec<FieldError>;

/// An item whose fields parsed and whose teeth fit its scope (FDI, in the order given).
#[derive(Debug, Clone)]
pub(crate) struct ValidItem {
    pub service_id: i64,
    /// The unit price: the catalog's now, or the plan item's.
    pub price: i64,
    pub scope: TreatmentScope,
    pub dentition: Option<Dentition>,
    pub note: Option<String>,
    pub teeth: Vec<(ToothCode, Option<String>)>,
    pub surfaces: Surfaces,
    /// The finding the item treats (the patient's, open, on its one tooth).
    pub finding_id: Option<i64>,
    /// The plan item it does (a treatment item recorded from a plan).
    pub plan_item_id: Option<i64>,
    /// Off the list price (`price × quantity`).
    pub discount: crate::services::discounts::Given,
}

impl ValidItem {
    /// The unit price times the teeth for the per-tooth scopes, once otherwise.
    pub fn list_price(&self) -> i64 {
        self.price
            .saturating_mul(self.scope.quantity(self.teeth.len()))
    }
}

/// Why teeth do not fit a scope, with a message id for each reason.
fn scope_error(field: &str, err: &ScopeError) -> FieldError {
    let message = err.to_string();
    match err {
        ScopeError::NoTeethAllowed { got } => {
            FieldError::coded(field, "scope-no-teeth", message).arg("got", got)
        }
        ScopeError::NotOneTooth { got } => {
            FieldError::coded(field, "scope-one-tooth", message).arg("got", got)
        }
        ScopeError::TooFewTeeth { got } => {
            FieldError::coded(field, "scope-two-teeth", message).arg("got", got)
        }
        ScopeError::Repeated { tooth } => {
            FieldError::coded(field, "scope-repeated", message).arg("tooth", tooth.code())
        }
        ScopeError::NotInArch { tooth, arch } => FieldError::coded(field, "scope-arch", message)
            .arg("tooth", tooth.code())
            .arg("arch", arch.as_str()),
        ScopeError::WrongDentition { tooth, dentition } => {
            FieldError::coded(field, "scope-dentition", message)
                .arg("tooth", tooth.code())
                .arg("dentition", dentition.as_str())
        }
    }
}

/// Parses the teeth given in `system` and checks them against `scope`; errors on `field`.
pub(crate) fn teeth_for(
    errors: &mut Errors,
    field: &str,
    scope: TreatmentScope,
    given: &[ToothInput],
    system: ToothSystem,
    patient_dentition: Dentition,
    named: Option<Dentition>,
) -> Option<Vec<(ToothCode, Option<String>)>> {
    if given.len() > TEETH_MAX {
        errors.push(
            FieldError::coded(field, "teeth-max", format!("at most {TEETH_MAX} teeth"))
                .arg("max", TEETH_MAX),
        );
        return None;
    }
    let mut codes = Vec::with_capacity(given.len());
    let mut notes = Vec::with_capacity(given.len());
    for tooth in given {
        match ToothCode::parse(system, &tooth.code) {
            Ok(code) => codes.push(code),
            Err(e) => {
                errors.push(
                    FieldError::coded(field, "tooth-unknown", e.to_string())
                        .arg("code", tooth.code.trim()),
                );
                return None;
            }
        }
        let note = fields::note(errors, field, tooth.note.as_deref())?;
        notes.push(note);
    }
    match select_teeth(scope, &codes, patient_dentition, named) {
        Ok(chosen) => {
            // Teeth chosen from the dentition have no note; listed ones keep theirs.
            let notes = notes.into_iter().chain(std::iter::repeat(None));
            Some(chosen.into_iter().zip(notes).collect())
        }
        Err(e) => {
            errors.push(scope_error(field, &e));
            None
        }
    }
}

/// Checks one item: its service (active, priced now), scope, dentition, teeth, surfaces and
/// the finding it treats (of `patient_id`).
pub(crate) async fn check_item(
    db: &impl ConnectionTrait,
    errors: &mut Errors,
    prefix: &str,
    item: &ItemInput,
    clinic_system: ToothSystem,
    patient: (i64, Dentition),
) -> Result<Option<ValidItem>, ServiceError> {
    let (patient_id, patient_dentition) = patient;
    let field = |name: &str| format!("{prefix}{name}");
    let service = match item.service_id {
        None => {
            errors.push(FieldError::coded(
                field("service_id"),
                "required",
                "is required",
            ));
            None
        }
        Some(id) => match dcms_store::catalog::find(db, id).await? {
            None => {
                errors.push(FieldError::coded(
                    field("service_id"),
                    "service-unknown",
                    format!("there is no service {id}"),
                ));
                None
            }
            Some(s) if !s.is_active => {
                errors.push(FieldError::coded(
                    field("service_id"),
                    "service-inactive",
                    format!("service {id} is deactivated"),
                ));
                None
            }
            Some(s) => Some(s),
        },
    };
    let scope = required_choice::<TreatmentScope>(errors, &field("scope"), item.scope.as_deref());
    let system = optional_choice::<ToothSystem>(errors, &field("system"), item.system.as_deref())
        .map(|s| s.unwrap_or(clinic_system));
    let dentition =
        optional_choice::<Dentition>(errors, &field("dentition"), item.dentition.as_deref());
    let note = fields::note(errors, &field("note"), item.note.as_deref());
    let (Some(service), Some(scope), Some(system), Some(dentition), Some(note)) =
        (service, scope, system, dentition, note)
    else {
        return Ok(None);
    };
    let given = item.teeth.as_deref().unwrap_or_default();
    let Some(teeth) = teeth_for(
        errors,
        &field("teeth"),
        scope,
        given,
        system,
        patient_dentition,
        dentition,
    ) else {
        return Ok(None);
    };
    let codes: Vec<ToothCode> = teeth.iter().map(|(t, _)| *t).collect();
    let Some(surfaces) = super::item_surfaces(
        errors,
        &field("surfaces"),
        scope,
        &codes,
        item.surfaces.as_deref(),
    ) else {
        return Ok(None);
    };
    let list = service.price.saturating_mul(scope.quantity(teeth.len()));
    let Some(discount) = crate::services::discounts::check(
        errors,
        prefix,
        item.discount,
        item.discount_reason.as_deref(),
        list,
    ) else {
        return Ok(None);
    };
    let finding_id = match item.finding_id {
        Some(id) => {
            let found =
                super::item_finding(db, errors, &field("finding_id"), id, patient_id, &codes)
                    .await?;
            if found.is_none() {
                return Ok(None);
            }
            found
        }
        None => None,
    };
    Ok(Some(ValidItem {
        service_id: service.service_id,
        price: service.price,
        scope,
        dentition,
        note,
        teeth,
        surfaces,
        finding_id,
        plan_item_id: None,
        discount,
    }))
}
