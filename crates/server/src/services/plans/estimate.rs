//! The estimate: a plan as the patient is given it, to read and sign. The clinic's name and
//! contacts, the patient and the doctor, each phase's lines (the services' names for
//! patients, teeth, surfaces, price, discount, charge) and subtotal, the plan's discount and
//! total, and the day the prices hold until: the day the plan was presented (today while it
//! is a draft) plus the clinic's `estimate_valid_days`. Dropped items are left out.

use super::{Plan, load};
use crate::services::audit::AuditTrail;
use crate::services::{Actor, ServiceError, settings, staff};
use dcms_domain::{Money, PlanItemStatus, PlanStatus, Surface, ToothSystem};
use dcms_store::Store;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;

/// The clinic as the estimate names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EstimateClinic {
    pub name: String,
    pub code: String,
    /// Address and phones, as the settings give them.
    pub contacts: Option<String>,
}

/// A person on the estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EstimateParty {
    pub id: i64,
    pub name: String,
    /// The patient's register number (none for the doctor).
    pub register_number: Option<String>,
}

/// One line of the estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EstimateLine {
    pub plan_item_id: i64,
    /// The service's name for patients.
    pub service: String,
    pub teeth: Vec<String>,
    pub surfaces: Vec<Surface>,
    pub quantity: i64,
    pub price: Money,
    /// Off this line (0: the plan's discount is given on the total).
    pub discount: Money,
    pub charge: Money,
    pub status: PlanItemStatus,
}

/// One phase of the estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EstimatePhase {
    pub phase: i32,
    pub lines: Vec<EstimateLine>,
    pub subtotal: Money,
}

/// A plan printed for the patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Estimate {
    pub plan_id: i64,
    pub title: Option<String>,
    pub status: PlanStatus,
    pub clinic: EstimateClinic,
    pub patient: EstimateParty,
    pub doctor: EstimateParty,
    pub phases: Vec<EstimatePhase>,
    pub subtotal: Money,
    pub discount: Money,
    pub total: Money,
    /// The day it is issued (presented), in the clinic's time zone.
    #[schema(value_type = String, format = Date, example = "2026-12-07")]
    pub issued_on: Date,
    /// The last day its prices hold.
    #[schema(value_type = String, format = Date, example = "2027-03-07")]
    pub valid_until: Date,
}

fn phases_of(plan: &Plan) -> Vec<EstimatePhase> {
    let mut phases: Vec<EstimatePhase> = Vec::new();
    for item in plan
        .items
        .iter()
        .filter(|i| i.status != PlanItemStatus::Dropped)
    {
        let line = EstimateLine {
            plan_item_id: item.plan_item_id,
            service: item.patient_service_name.clone(),
            teeth: item.teeth.iter().map(|t| t.code.clone()).collect(),
            surfaces: item.surfaces.clone(),
            quantity: item.quantity,
            price: item.price,
            discount: Money::new(0),
            charge: item.charge,
            status: item.status,
        };
        match phases.last_mut() {
            Some(p) if p.phase == item.phase => {
                p.subtotal = Money::new(p.subtotal.amount() + line.charge.amount());
                p.lines.push(line);
            }
            _ => phases.push(EstimatePhase {
                phase: item.phase,
                subtotal: line.charge,
                lines: vec![line],
            }),
        }
    }
    phases
}

/// The estimate of a plan (a read of the record, audited); `own` limits it to a patient's
/// own plan (another's is 404).
pub async fn estimate(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    plan_id: i64,
    own: Option<i64>,
    system: ToothSystem,
) -> Result<Estimate, ServiceError> {
    let db = store.connection();
    let plan = load(db, plan_id, system).await?;
    // A patient reads their own plans once presented; a draft is still the doctor's.
    if own
        .is_some_and(|patient_id| patient_id != plan.patient_id || plan.status == PlanStatus::Draft)
    {
        return Err(ServiceError::NotFound("treatment plan"));
    }
    let clinic = settings::get(store).await?;
    let patient = dcms_store::patients::find(db, plan.patient_id)
        .await?
        .ok_or(ServiceError::NotFound("patient"))?;
    let doctor = staff::names(store, &[plan.doctor_id])
        .await?
        .remove(&plan.doctor_id)
        .unwrap_or_else(|| plan.doctor_id.to_string());
    let issued = plan
        .presented_at
        .unwrap_or_else(jiff::Timestamp::now)
        .to_zoned(clinic.time_zone())
        .date();
    let valid_until = issued
        .checked_add(jiff::Span::new().days(i64::from(clinic.estimate_valid_days)))
        .unwrap_or(issued);
    audit.record_read(actor.user_id, actor.session_token_id, super::TABLE, plan_id);
    Ok(Estimate {
        plan_id,
        title: plan.title.clone(),
        status: plan.status,
        clinic: EstimateClinic {
            name: clinic.clinic_name.clone(),
            code: clinic.clinic_code.clone(),
            contacts: clinic.clinic_contacts.clone(),
        },
        patient: EstimateParty {
            id: plan.patient_id,
            name: format!("{} {}", patient.last_name, patient.first_name),
            register_number: Some(patient.register_number),
        },
        doctor: EstimateParty {
            id: plan.doctor_id,
            name: doctor,
            register_number: None,
        },
        phases: phases_of(&plan),
        subtotal: plan.subtotal,
        discount: plan.discount,
        total: plan.total,
        issued_on: issued,
        valid_until,
    })
}
