//! Finding patients as the front desk types: by register number, phone or name, ranked and
//! paged by a keyset cursor.

use super::{Clock, Patient};
use crate::services::{FieldError, ServiceError};
use dcms_domain::{Phone, RegisterNumber, digits_prefix, name_key};
use dcms_store::Store;
use dcms_store::entity::{patient, patient_phone};
use dcms_store::patients::{self as repo, NameKeyset, NewestKeyset, PatientQuery, PhoneMatch};
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
    /// After this patient in a search's `(rank, last name key, first name key, id)` order.
    Ranked {
        rank: u8,
        last_name_key: String,
        first_name_key: String,
        patient_id: i64,
    },
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
            PatientCursor::Ranked {
                rank,
                last_name_key,
                first_name_key,
                patient_id,
            } => json!(["r", rank, last_name_key, first_name_key, patient_id]),
        };
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    }

    /// A cursor from [`PatientCursor::encode`]; None for anything else.
    pub fn decode(cursor: &str) -> Option<PatientCursor> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor.trim())
            .ok()?;
        let value: Value = serde_json::from_slice(&bytes).ok()?;
        let parts = value.as_array()?;
        match (parts.first()?.as_str()?, parts.len()) {
            ("n", 3) => Some(PatientCursor::Newest {
                created_at: jiff::Timestamp::from_microsecond(parts[1].as_i64()?).ok()?,
                patient_id: parts[2].as_i64()?,
            }),
            ("r", 5) => Some(PatientCursor::Ranked {
                rank: u8::try_from(parts[1].as_u64()?).ok().filter(|r| *r <= 1)?,
                last_name_key: parts[2].as_str()?.to_owned(),
                first_name_key: parts[3].as_str()?.to_owned(),
                patient_id: parts[4].as_i64()?,
            }),
            _ => None,
        }
    }

    fn names(&self) -> Option<(u8, NameKeyset)> {
        match self {
            PatientCursor::Ranked {
                rank,
                last_name_key,
                first_name_key,
                patient_id,
            } => Some((
                *rank,
                NameKeyset {
                    last_name_key: last_name_key.clone(),
                    first_name_key: first_name_key.clone(),
                    patient_id: *patient_id,
                },
            )),
            PatientCursor::Newest { .. } => None,
        }
    }
}

/// What a search query is, by its shape (docs/patients.md, "Search and lists").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchKind {
    /// No query (or a blank one): every patient, newest first.
    All,
    /// Two Mongolian letters and eight digits: that register number exactly (normalised).
    RegisterNumber(String),
    /// A phone number: that number exactly (normalised).
    Phone(String),
    /// 4 to 7 digits: phone numbers starting with them.
    PhonePrefix(String),
    /// Anything else: first or last name keys starting with this key.
    Name(String),
}

impl SearchKind {
    /// The kind of a query.
    pub fn of(query: Option<&str>) -> SearchKind {
        let Some(query) = query.map(str::trim).filter(|q| !q.is_empty()) else {
            return SearchKind::All;
        };
        if let Some(number) = RegisterNumber::shape_of(query) {
            return SearchKind::RegisterNumber(number);
        }
        if let Ok(phone) = Phone::parse(query) {
            return SearchKind::Phone(phone.as_str().to_owned());
        }
        if let Some(digits) = digits_prefix(query) {
            return SearchKind::PhonePrefix(digits);
        }
        SearchKind::Name(name_key(query))
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

/// Patients matching `query` (docs/patients.md, "Search and lists"), `limit` at a time: a register
/// number exactly, a phone number exactly, 4 to 7 digits as the start of a phone number,
/// anything else as the start of a last name (rank 0) or, failing that, of a first name
/// (rank 1); ordered by (rank, last name key, first name key, id). Without a query, every
/// patient, newest first. Every shape is one index-backed statement (two for a name
/// search that crosses from rank 0 to rank 1). Searches are not audited (no record is
/// opened).
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
    let names_after =
        |cursor: Option<&PatientCursor>| -> Result<(u8, Option<NameKeyset>), ServiceError> {
            match cursor {
                None => Ok((0, None)),
                Some(c) => c
                    .names()
                    .map(|(r, k)| (r, Some(k)))
                    .ok_or_else(wrong_cursor),
            }
        };
    // Rows with their rank, one more than a page to know whether another follows.
    let mut rows: Vec<(u8, patient::Model)> = Vec::new();
    let fetch = limit + 1;
    match SearchKind::of(query) {
        SearchKind::All => {
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
            rows.extend(found.into_iter().map(|p| (0, p)));
        }
        SearchKind::Name(prefix) => {
            let (rank, after) = names_after(cursor)?;
            if rank == 0 {
                let q = PatientQuery::LastNamePrefix {
                    prefix: prefix.clone(),
                    after,
                };
                rows.extend(
                    repo::query(db, &q, fetch)
                        .await?
                        .into_iter()
                        .map(|p| (0, p)),
                );
            }
            let missing = fetch - rows.len() as u64;
            if missing > 0 {
                let q = PatientQuery::FirstNameOnlyPrefix {
                    prefix,
                    after: if rank == 1 {
                        names_after(cursor)?.1
                    } else {
                        None
                    },
                };
                rows.extend(
                    repo::query(db, &q, missing)
                        .await?
                        .into_iter()
                        .map(|p| (1, p)),
                );
            }
        }
        kind => {
            let (rank, after) = names_after(cursor)?;
            if rank != 0 {
                return Err(wrong_cursor());
            }
            let q = match kind {
                SearchKind::RegisterNumber(register_number) => PatientQuery::RegisterNumber {
                    register_number,
                    after,
                },
                SearchKind::Phone(number) => PatientQuery::Phone {
                    phone: PhoneMatch::Exact(number),
                    after,
                },
                SearchKind::PhonePrefix(digits) => PatientQuery::Phone {
                    phone: PhoneMatch::Prefix(digits),
                    after,
                },
                SearchKind::All | SearchKind::Name(_) => {
                    return Err(ServiceError::Internal("unreachable search kind".into()));
                }
            };
            rows.extend(
                repo::query(db, &q, fetch)
                    .await?
                    .into_iter()
                    .map(|p| (0, p)),
            );
        }
    }

    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|(rank, p)| match SearchKind::of(query) {
            SearchKind::All => PatientCursor::Newest {
                created_at: from_db(p.created_at),
                patient_id: p.patient_id,
            },
            _ => PatientCursor::Ranked {
                rank: *rank,
                last_name_key: p.last_name_key.clone(),
                first_name_key: p.first_name_key.clone(),
                patient_id: p.patient_id,
            },
        })
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
    fn query_kinds() {
        use SearchKind::*;
        assert_eq!(SearchKind::of(None), All);
        assert_eq!(SearchKind::of(Some("  ")), All);
        assert_eq!(
            SearchKind::of(Some(" уб 85031512")),
            RegisterNumber("УБ85031512".into())
        );
        assert_eq!(
            SearchKind::of(Some("єв12301260")),
            RegisterNumber("ӨВ12301260".into())
        );
        // Shaped like one, even when no such date exists: an exact match finds nobody.
        assert_eq!(
            SearchKind::of(Some("УБ85131512")),
            RegisterNumber("УБ85131512".into())
        );
        assert_eq!(
            SearchKind::of(Some("UB85031512")),
            Name("ub85031512".into())
        );
        assert_eq!(
            SearchKind::of(Some("+976 9911-2233")),
            Phone("99112233".into())
        );
        assert_eq!(SearchKind::of(Some("99112233")), Phone("99112233".into()));
        assert_eq!(
            SearchKind::of(Some("+7 912 345 67 89")),
            Phone("+79123456789".into())
        );
        assert_eq!(SearchKind::of(Some("9911")), PhonePrefix("9911".into()));
        assert_eq!(
            SearchKind::of(Some("99-11-223")),
            PhonePrefix("9911223".into())
        );
        assert_eq!(SearchKind::of(Some("991")), Name("991".into()));
        assert_eq!(SearchKind::of(Some(" ЄНХ ")), Name("өнх".into()));
        assert_eq!(SearchKind::of(Some("Ї")), Name("ү".into()));
        assert_eq!(SearchKind::of(Some("a%_\\")), Name("a%_\\".into()));
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let cursors = [
            PatientCursor::Newest {
                created_at: "2026-01-02T03:04:05.123456Z".parse().unwrap(),
                patient_id: 7,
            },
            PatientCursor::Ranked {
                rank: 1,
                last_name_key: "бат%_\\".into(),
                first_name_key: "өлзий".into(),
                patient_id: 42,
            },
        ];
        for c in cursors {
            assert_eq!(PatientCursor::decode(&c.encode()), Some(c));
        }
        for bad in ["", "x", "WyJyIiw5LCJhIiwiYiIsMV0", "bnVsbA", "WyJuIl0"] {
            assert_eq!(PatientCursor::decode(bad), None, "{bad}");
        }
    }
}
