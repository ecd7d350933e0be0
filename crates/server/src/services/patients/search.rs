//! Finding patients as the front desk types (docs/patients.md, "Search and lists"): the shape
//! of a query and its forms in rank order are the domain's (`dcms_domain::SearchShape`); each
//! rank is one index-backed statement of the store (`dcms_store::patients::PatientQuery`); a
//! page runs the ranks from its cursor's on until it is full, and its cursor names the rank
//! and the keys of the last patient in that rank's order.

use super::{Clock, Patient};
use crate::services::{FieldError, ServiceError};
use dcms_domain::{SearchShape, has_forbidden_control};
use dcms_store::Store;
use dcms_store::entity::{patient, patient_phone};
use dcms_store::patients::{self as repo, Keyset, NewestKeyset, PatientQuery};
use dcms_store::time::{from_db, to_db};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Where the next page of a list or search starts (opaque to clients: [`PatientCursor::encode`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatientCursor {
    /// After this patient in the newest-first list.
    Newest {
        created_at: jiff::Timestamp,
        patient_id: i64,
    },
    /// After this patient in a search: its rank (the index of the query's form that found
    /// them), then its keys in that rank's order.
    Ranked { rank: u8, keyset: Keyset },
}

impl PatientCursor {
    /// The cursor as a client carries it (base64url of a small JSON array).
    pub fn encode(&self) -> String {
        use base64::Engine;
        let value = match self {
            PatientCursor::Newest {
                created_at,
                patient_id,
            } => json!(["n", created_at.as_microsecond(), patient_id]),
            PatientCursor::Ranked { rank, keyset } => {
                json!(["r", rank, keyset.major, keyset.minor, keyset.patient_id])
            }
        };
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    }

    /// A cursor from [`PatientCursor::encode`]; None for anything else (also for keys with
    /// a control character, which no stored key has and PostgreSQL cannot even compare).
    pub fn decode(cursor: &str) -> Option<PatientCursor> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor.trim())
            .ok()?;
        let value: Value = serde_json::from_slice(&bytes).ok()?;
        let parts = value.as_array()?;
        let key = |v: &Value| {
            v.as_str()
                .filter(|s| !has_forbidden_control(s))
                .map(str::to_owned)
        };
        match (parts.first()?.as_str()?, parts.len()) {
            ("n", 3) => Some(PatientCursor::Newest {
                created_at: jiff::Timestamp::from_microsecond(parts[1].as_i64()?).ok()?,
                patient_id: parts[2].as_i64()?,
            }),
            ("r", 5) => Some(PatientCursor::Ranked {
                rank: u8::try_from(parts[1].as_u64()?).ok()?,
                keyset: Keyset {
                    major: key(&parts[2])?,
                    minor: key(&parts[3])?,
                    patient_id: parts[4].as_i64()?,
                },
            }),
            _ => None,
        }
    }
}

/// The longest search query: longer than any name, number or phone.
pub const SEARCH_MAX_CHARS: usize = 100;

/// One page of patients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientPage {
    pub items: Vec<Patient>,
    /// Where the next page starts; None on the last page.
    pub next_cursor: Option<PatientCursor>,
}

fn wrong_cursor() -> ServiceError {
    ServiceError::invalid("cursor", "this cursor belongs to another query")
}

/// Patients matching `query` (docs/patients.md, "Search and lists"), `limit` at a time, ranked
/// as `dcms_domain::SearchShape::forms` lists the query's forms: a register number exactly or
/// by its start; a phone number exactly, by its last 4 to 8 digits or its first 4 to 7; names
/// by the start of the last or first name, of both (two words, either order), then the same
/// with ө/о and ү/у folded. A patient found by several forms is listed once, at the first.
/// Within a rank, the order of its index (docs/patients.md). Without a query, every patient,
/// newest first. Each rank is one index-backed statement (two for numbers: their owners, then
/// those patients), and a page runs only the ranks it needs. Searches are not audited (no
/// record is opened).
pub async fn search(
    store: &Store,
    query: Option<&str>,
    cursor: Option<&PatientCursor>,
    limit: u64,
) -> Result<PatientPage, ServiceError> {
    if query.is_some_and(|q| q.chars().count() > SEARCH_MAX_CHARS) {
        return Err(ServiceError::Invalid(vec![
            FieldError::coded(
                "q",
                "too-long",
                format!("must be at most {SEARCH_MAX_CHARS} characters"),
            )
            .arg("max", SEARCH_MAX_CHARS),
        ]));
    }
    let limit = limit.max(1);
    let db = store.connection();
    // Rows with the cursor that follows each, one more than a page to know whether another
    // page follows.
    let mut rows: Vec<(PatientCursor, patient::Model)> = Vec::new();
    let fetch = limit + 1;
    match query.and_then(SearchShape::of) {
        None => {
            let after = match cursor {
                None => None,
                Some(PatientCursor::Newest {
                    created_at,
                    patient_id,
                }) => Some(NewestKeyset {
                    created_at: to_db(*created_at),
                    patient_id: *patient_id,
                }),
                Some(_) => return Err(wrong_cursor()),
            };
            let found = repo::query(db, &PatientQuery::Newest { after }, fetch).await?;
            rows.extend(found.into_iter().map(|p| {
                let after = PatientCursor::Newest {
                    created_at: from_db(p.created_at),
                    patient_id: p.patient_id,
                };
                (after, p)
            }));
        }
        Some(shape) => {
            let forms = shape.forms();
            let (start, mut after) = match cursor {
                None => (0, None),
                Some(PatientCursor::Ranked { rank, keyset })
                    if usize::from(*rank) < forms.len() =>
                {
                    (usize::from(*rank), Some(keyset.clone()))
                }
                Some(_) => return Err(wrong_cursor()),
            };
            // The ranks from the cursor's on, until the page is full.
            for rank in start..forms.len() {
                let missing = fetch - rows.len() as u64;
                if missing == 0 {
                    break;
                }
                let q = PatientQuery::of_form(&forms, rank, after.take());
                for p in repo::query(db, &q, missing).await? {
                    let keyset = q
                        .keyset_of(&p)
                        .ok_or_else(|| ServiceError::Internal("a rank without an order".into()))?;
                    let rank = u8::try_from(rank)
                        .map_err(|_| ServiceError::Internal("too many ranks".into()))?;
                    rows.push((PatientCursor::Ranked { rank, keyset }, p));
                }
            }
        }
    }

    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|(after, _)| after.clone())
    } else {
        None
    };
    let ids: Vec<i64> = rows.iter().map(|(_, p)| p.patient_id).collect();
    let mut phones: HashMap<i64, Vec<patient_phone::Model>> = HashMap::new();
    for phone in repo::phones_of_many(db, &ids).await? {
        phones.entry(phone.patient_id).or_default().push(phone);
    }
    let clock = Clock::now(store).await?;
    let items = rows
        .into_iter()
        .map(|(_, p)| {
            let own = phones.remove(&p.patient_id).unwrap_or_default();
            clock.patient(p, own)
        })
        .collect();
    Ok(PatientPage { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let cursors = [
            PatientCursor::Newest {
                created_at: "2026-01-02T03:04:05.123456Z".parse().unwrap(),
                patient_id: 7,
            },
            PatientCursor::Ranked {
                rank: 7,
                keyset: Keyset {
                    major: "бат%_\\".into(),
                    minor: "өлзий".into(),
                    patient_id: 42,
                },
            },
        ];
        for c in cursors {
            assert_eq!(PatientCursor::decode(&c.encode()), Some(c));
        }
        let control = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            r#"["r",0,"a\u0000","b",1]"#,
        );
        for bad in [
            "",
            "x",
            "WyJyIiwzMDAsImEiLCJiIiwxXQ",
            "bnVsbA",
            "WyJuIl0",
            &control,
        ] {
            assert_eq!(PatientCursor::decode(bad), None, "{bad}");
        }
    }
}
