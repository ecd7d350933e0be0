//! The chart's summary (the latest state of each tooth: open findings, planned items of
//! open plans, the done items that make the tooth as it is now) and one tooth's history,
//! newest first, a page at a time.
//!
//! "Done as it is now": a tooth's single- and multi-tooth items (not an arch's or the
//! mouth's, such as a scaling) newest first, each kept while it covers a surface
//! no newer kept item covers, or, without surfaces, while no newer item without surfaces was
//! kept; at most [`DONE_PER_TOOTH`]. A 700-visit patient's summary is a few kilobytes where
//! the whole history was 900.

use super::{Finding, ToothRef, surfaces_of};
use crate::services::audit::AuditTrail;
use crate::services::{Actor, ServiceError, catalog, cursor};
use dcms_domain::{PlanItemStatus, PlanStatus, Surface, Surfaces, ToothSystem};
use dcms_store::Store;
use dcms_store::clinical::{self, DoneRow};
use dcms_store::time::{from_db, to_db};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// Most done items the summary keeps per tooth.
pub const DONE_PER_TOOTH: usize = 6;

/// A planned item on a tooth (an open plan's planned item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PlannedMark {
    pub plan_item_id: i64,
    pub plan_id: i64,
    pub service_id: i64,
    pub service_name: String,
    pub surfaces: Vec<Surface>,
    pub finding_id: Option<i64>,
}

/// A done treatment item on a tooth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DoneMark {
    pub treatment_item_id: i64,
    pub treatment_id: i64,
    pub service_id: i64,
    pub service_name: String,
    pub surfaces: Vec<Surface>,
    pub treatment_date: Timestamp,
    pub doctor_id: i64,
}

impl DoneMark {
    fn of(row: &DoneRow, names: &HashMap<i64, (String, String)>) -> DoneMark {
        DoneMark {
            treatment_item_id: row.treatment_item_id,
            treatment_id: row.treatment_id,
            service_id: row.service_id,
            service_name: names
                .get(&row.service_id)
                .map(|n| n.0.clone())
                .unwrap_or_default(),
            surfaces: surfaces_of(row.surfaces),
            treatment_date: from_db(row.treatment_date),
            doctor_id: row.doctor_id,
        }
    }
}

/// The latest state of one tooth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SummaryTooth {
    pub tooth_id: i64,
    #[schema(example = "36")]
    pub code: String,
    #[schema(example = "P-LL-6")]
    pub ui_key: String,
    /// Open findings, newest first.
    pub findings: Vec<Finding>,
    pub planned: Vec<PlannedMark>,
    /// The done items that make the tooth as it is now, newest first.
    pub done: Vec<DoneMark>,
}

/// A patient's chart summary: only teeth with anything, in the dictionary's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChartSummary {
    pub patient_id: i64,
    pub system: ToothSystem,
    pub teeth: Vec<SummaryTooth>,
}

impl ChartSummary {
    pub fn tooth(&self, ui_key: &str) -> Option<&SummaryTooth> {
        self.teeth.iter().find(|t| t.ui_key == ui_key)
    }
}

/// Keeps the items (one tooth's single- and multi-tooth items, newest first: the store
/// leaves out an arch's or the mouth's, such as a scaling) that make the tooth as it is now.
fn latest_done<'a>(rows: impl Iterator<Item = &'a DoneRow>) -> Vec<&'a DoneRow> {
    let mut covered = Surfaces::NONE;
    let mut whole = false;
    let mut kept = Vec::new();
    for row in rows {
        let surfaces = Surfaces::from_bits(i16::try_from(row.surfaces).unwrap_or(0));
        let keep = if surfaces.is_empty() {
            !std::mem::replace(&mut whole, true)
        } else {
            !covered.covers(surfaces)
        };
        if keep {
            for s in surfaces.iter() {
                covered = covered.with(s);
            }
            kept.push(row);
            if kept.len() == DONE_PER_TOOTH {
                break;
            }
        }
    }
    kept
}

/// The chart summary of a patient (a read of the record, audited): open findings, open
/// plans' planned items and the teeth's done items, seven small statements.
pub async fn summary(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    system: ToothSystem,
) -> Result<ChartSummary, ServiceError> {
    let db = store.connection();
    if dcms_store::patients::find(db, patient_id).await?.is_none() {
        return Err(ServiceError::NotFound("patient"));
    }
    let mut teeth: BTreeMap<i64, SummaryTooth> = BTreeMap::new();
    let entry = |teeth: &mut BTreeMap<i64, SummaryTooth>, tooth_id: i64| {
        if let std::collections::btree_map::Entry::Vacant(slot) = teeth.entry(tooth_id) {
            let tooth = ToothRef::from_id(tooth_id, system)?;
            slot.insert(SummaryTooth {
                tooth_id,
                code: tooth.code,
                ui_key: tooth.ui_key,
                findings: Vec::new(),
                planned: Vec::new(),
                done: Vec::new(),
            });
        }
        Ok::<_, ServiceError>(())
    };
    for row in dcms_store::findings::of_patient(db, patient_id, true).await? {
        entry(&mut teeth, row.tooth_id)?;
        let finding = Finding::from_row(row, system)?;
        if let Some(t) = teeth.get_mut(&finding.tooth.tooth_id) {
            t.findings.push(finding);
        }
    }
    let open: Vec<i64> = dcms_store::plans::of_patient(db, patient_id)
        .await?
        .into_iter()
        .filter(|p| PlanStatus::from_code(p.status).is_some_and(PlanStatus::is_open))
        .map(|p| p.plan_id)
        .collect();
    let planned: Vec<_> = dcms_store::plans::items_of(db, &open)
        .await?
        .into_iter()
        .filter(|i| i.status == PlanItemStatus::Planned.code())
        .collect();
    let ids: Vec<i64> = planned.iter().map(|i| i.plan_item_id).collect();
    let names = catalog::names(db, planned.iter().map(|i| i.service_id)).await?;
    for tooth in dcms_store::plans::teeth_of(db, &ids).await? {
        let Some(item) = planned
            .iter()
            .find(|i| i.plan_item_id == tooth.plan_item_id)
        else {
            continue;
        };
        entry(&mut teeth, tooth.tooth_id)?;
        if let Some(t) = teeth.get_mut(&tooth.tooth_id) {
            t.planned.push(PlannedMark {
                plan_item_id: item.plan_item_id,
                plan_id: item.plan_id,
                service_id: item.service_id,
                service_name: names
                    .get(&item.service_id)
                    .map(|n| n.0.clone())
                    .unwrap_or_default(),
                surfaces: surfaces_of(item.surfaces),
                finding_id: item.finding_id,
            });
        }
    }
    let rows = clinical::done_on_teeth(db, patient_id).await?;
    let kept: Vec<&DoneRow> = rows
        .chunk_by(|a, b| a.tooth_id == b.tooth_id)
        .flat_map(|run| latest_done(run.iter()))
        .collect();
    let done_names = catalog::names(db, kept.iter().map(|r| r.service_id)).await?;
    for row in kept {
        entry(&mut teeth, row.tooth_id)?;
        if let Some(t) = teeth.get_mut(&row.tooth_id) {
            t.done.push(DoneMark::of(row, &done_names));
        }
    }
    audit.record_read(actor.user_id, actor.session_token_id, "patient", patient_id);
    Ok(ChartSummary {
        patient_id,
        system,
        teeth: teeth.into_values().collect(),
    })
}

/// One entry of a tooth's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum HistoryEntry {
    /// A finding, at the time it was recorded.
    Finding { at: Timestamp, finding: Finding },
    /// A treatment item done on the tooth, at its treatment's date.
    TreatmentItem {
        at: Timestamp,
        treatment_item_id: i64,
        treatment_id: i64,
        service_id: i64,
        service_name: String,
        surfaces: Vec<Surface>,
        doctor_id: i64,
        item_note: Option<String>,
        tooth_note: Option<String>,
    },
}

impl HistoryEntry {
    fn at(&self) -> Timestamp {
        match self {
            HistoryEntry::Finding { at, .. } | HistoryEntry::TreatmentItem { at, .. } => *at,
        }
    }

    /// The entry's place in the order: items by positive id, findings by negative, so that
    /// at one instant items come first (newest id first), then findings (oldest id first).
    fn signed_id(&self) -> i64 {
        match self {
            HistoryEntry::Finding { finding, .. } => -finding.finding_id,
            HistoryEntry::TreatmentItem {
                treatment_item_id, ..
            } => *treatment_item_id,
        }
    }
}

/// A page of one tooth's history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ToothHistory {
    pub patient_id: i64,
    pub tooth: ToothRef,
    pub items: Vec<HistoryEntry>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// One tooth's history (findings and done items), newest first, `limit` at a time after
/// `after` (the previous page's `next_cursor`, decoded by `services::cursor::decode`).
#[allow(clippy::too_many_arguments)]
pub async fn tooth_history(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    tooth: dcms_domain::ToothCode,
    system: ToothSystem,
    after: Option<(Timestamp, i64)>,
    limit: u64,
) -> Result<ToothHistory, ServiceError> {
    let db = store.connection();
    if dcms_store::patients::find(db, patient_id).await?.is_none() {
        return Err(ServiceError::NotFound("patient"));
    }
    let tooth_id = super::id_of(tooth);
    let db_before = after.map(|(at, id)| (to_db(at), id));
    let items = clinical::tooth_items(db, patient_id, tooth_id, db_before, limit + 1).await?;
    let findings =
        dcms_store::findings::of_tooth(db, patient_id, tooth_id, db_before, limit + 1).await?;
    let mut entries: Vec<HistoryEntry> = items
        .iter()
        .map(|row| HistoryEntry::TreatmentItem {
            at: from_db(row.treatment_date),
            treatment_item_id: row.treatment_item_id,
            treatment_id: row.treatment_id,
            service_id: row.service_id,
            service_name: row.service_name.clone(),
            surfaces: surfaces_of(row.surfaces),
            doctor_id: row.doctor_id,
            item_note: row.item_note.clone(),
            tooth_note: row.tooth_note.clone(),
        })
        .collect();
    for row in findings {
        let finding = Finding::from_row(row, system)?;
        entries.push(HistoryEntry::Finding {
            at: finding.recorded_at,
            finding,
        });
    }
    entries.sort_by_key(|e| std::cmp::Reverse((e.at(), e.signed_id())));
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if entries.len() > limit {
        entries.truncate(limit);
        entries
            .last()
            .map(|e| cursor::encode(e.at(), e.signed_id()))
    } else {
        None
    };
    audit.record_read(actor.user_id, actor.session_token_id, "patient", patient_id);
    Ok(ToothHistory {
        patient_id,
        tooth: ToothRef::of(tooth, system),
        items: entries,
        next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, surfaces: &[Surface]) -> DoneRow {
        DoneRow {
            tooth_id: 36,
            treatment_item_id: id,
            service_id: 1,
            treatment_id: id,
            treatment_date: dcms_store::time::now(),
            doctor_id: 1,
            surfaces: i32::from(
                surfaces
                    .iter()
                    .fold(Surfaces::NONE, |s, x| s.with(*x))
                    .bits(),
            ),
        }
    }

    #[test]
    fn the_latest_state_keeps_what_newer_items_do_not_cover() {
        use Surface::*;
        // Newest first: an MO filling, an older O filling (covered), an older D one
        // (kept), two whole-tooth items (the newer kept).
        let rows = [
            row(5, &[Mesial, Occlusal]),
            row(4, &[Occlusal]),
            row(3, &[Distal]),
            row(2, &[]),
            row(1, &[]),
        ];
        let kept: Vec<i64> = latest_done(rows.iter())
            .iter()
            .map(|r| r.treatment_item_id)
            .collect();
        assert_eq!(kept, [5, 3, 2]);
    }
}
