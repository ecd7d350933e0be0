//! Whose number it is: a call's or an SMS's contact resolved from the number (a primary
//! holder first, patients before employees), and the caller looked up as the number is typed.

use super::{HOLDERS_MAX, LOOKUP_MAX};
use crate::services::{FieldError, ServiceError};
use dcms_domain::{ContactType, Phone};
use dcms_store::Store;
use dcms_store::comms::{self as repo, HolderKind, NumberMatch, PhoneHolder};
use dcms_store::sea_orm::ConnectionTrait;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

// --- contact resolution ----------------------------------------------------------------------

/// Another person holding the number of a call or an SMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Candidate {
    pub contact_type: ContactType,
    /// The patient or employee id.
    pub contacter_id: i64,
}

/// Who a number belongs to: the contact (new and null when nobody holds it) and everyone
/// else who holds it, in the order of [`resolve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Resolution {
    pub contact_type: ContactType,
    /// The patient or employee id; null when the contact type is new.
    pub contacter_id: Option<i64>,
    /// The other holders of the number, best first.
    pub other_candidates: Vec<Candidate>,
}

impl Resolution {
    /// Nobody holds the number.
    pub const NEW: Resolution = Resolution {
        contact_type: ContactType::New,
        contacter_id: None,
        other_candidates: Vec::new(),
    };

    /// The resolution of people already ranked (best first).
    fn of_ranked(mut ranked: Vec<Candidate>) -> Resolution {
        if ranked.is_empty() {
            return Resolution::NEW;
        }
        let first = ranked.remove(0);
        Resolution {
            contact_type: first.contact_type,
            contacter_id: Some(first.contacter_id),
            other_candidates: ranked,
        }
    }

    /// The contact's codes as stored (`contact_type`, `contacter_id`).
    pub fn codes(&self) -> (i16, Option<i64>) {
        (self.contact_type.code(), self.contacter_id)
    }
}

fn contact_type_of(kind: HolderKind) -> ContactType {
    match kind {
        HolderKind::Patient => ContactType::Patient,
        HolderKind::Employee => ContactType::Employee,
    }
}

/// The holders ranked: primary holders first, patients before employees, then by id; each
/// person once (at their best rank), with the number they were found by.
fn rank(mut holders: Vec<PhoneHolder>) -> Vec<(Candidate, String)> {
    holders.sort_by_key(|h| (!h.is_primary, h.kind, h.id));
    let mut seen = HashSet::new();
    holders
        .into_iter()
        .filter(|h| seen.insert((h.kind, h.id)))
        .map(|h| {
            (
                Candidate {
                    contact_type: contact_type_of(h.kind),
                    contacter_id: h.id,
                },
                h.phone_number,
            )
        })
        .collect()
}

/// Who holds `number` (a normalised number, as `Phone::as_str` gives it; another writing of a
/// valid number is normalised first). Two indexed statements whatever the number of
/// holders; works inside the caller's transaction (the outbox worker's, the inbound
/// webhook's) when `db` is one.
pub async fn resolve(db: &impl ConnectionTrait, number: &str) -> Result<Resolution, ServiceError> {
    let number = Phone::parse(number)
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|_| number.to_owned());
    let holders = repo::holders(db, &NumberMatch::Exact(number), HOLDERS_MAX).await?;
    Ok(Resolution::of_ranked(
        rank(holders).into_iter().map(|(c, _)| c).collect(),
    ))
}

// --- who is calling --------------------------------------------------------------------------

/// A person holding a looked-up number, with their name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NamedCandidate {
    pub contact_type: ContactType,
    pub contacter_id: i64,
    /// `last_name first_name`.
    pub name: String,
    /// Their number that matched (the whole number, when a part was typed).
    pub phone_number: String,
}

/// Who a number (or the start of one) belongs to, with names: the best match and the rest,
/// in the order of [`resolve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Lookup {
    pub contact_type: ContactType,
    pub contacter_id: i64,
    /// `last_name first_name`.
    pub name: String,
    pub phone_number: String,
    pub other_candidates: Vec<NamedCandidate>,
}

/// What the desk typed: a whole number (any usual writing) or the first 4 to 7 digits of a
/// Mongolian one (after an optional `+976`). 422 `phone` on `phone` otherwise.
fn lookup_match(typed: &str) -> Result<NumberMatch, ServiceError> {
    if let Ok(phone) = Phone::parse(typed) {
        return Ok(NumberMatch::Exact(phone.as_str().to_owned()));
    }
    let compact: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let national = compact
        .strip_prefix("+976")
        .or_else(|| compact.strip_prefix("00976"))
        .unwrap_or(&compact);
    dcms_domain::phone::digits_prefix(national)
        .map(NumberMatch::Prefix)
        .ok_or_else(|| {
            ServiceError::invalid_coded(FieldError::coded(
                "phone",
                "phone-lookup",
                "type a whole phone number or its first 4 to 7 digits",
            ))
        })
}

/// Who holds the number typed (whole, or its first digits), with names, for the call log's
/// "who is calling"; None when nobody does. At most [`LOOKUP_MAX`] people; four statements
/// whatever their number.
pub async fn lookup(store: &Store, typed: &str) -> Result<Option<Lookup>, ServiceError> {
    let number = lookup_match(typed)?;
    let db = store.connection();
    let mut ranked = rank(repo::holders(db, &number, HOLDERS_MAX).await?);
    ranked.truncate(LOOKUP_MAX);
    let ids = |kind: ContactType| -> Vec<i64> {
        ranked
            .iter()
            .filter(|(c, _)| c.contact_type == kind)
            .map(|(c, _)| c.contacter_id)
            .collect()
    };
    let mut names: HashMap<(ContactType, i64), String> = HashMap::new();
    for p in dcms_store::patients::find_many(db, &ids(ContactType::Patient)).await? {
        names.insert(
            (ContactType::Patient, p.patient_id),
            format!("{} {}", p.last_name, p.first_name),
        );
    }
    for e in dcms_store::staff::find_many(db, &ids(ContactType::Employee)).await? {
        names.insert(
            (ContactType::Employee, e.employee_id),
            format!("{} {}", e.last_name, e.first_name),
        );
    }
    let mut named = ranked.into_iter().map(|(c, phone_number)| NamedCandidate {
        name: names
            .get(&(c.contact_type, c.contacter_id))
            .cloned()
            .unwrap_or_default(),
        contact_type: c.contact_type,
        contacter_id: c.contacter_id,
        phone_number,
    });
    let Some(first) = named.next() else {
        return Ok(None);
    };
    Ok(Some(Lookup {
        contact_type: first.contact_type,
        contacter_id: first.contacter_id,
        name: first.name,
        phone_number: first.phone_number,
        other_candidates: named.collect(),
    }))
}

/// Who the number typed belongs to and their display name (`last_name first_name`), for the
/// call-log page as the desk types; None when nobody holds it.
pub async fn who_is(
    store: &Store,
    typed: &str,
) -> Result<Option<(Resolution, String)>, ServiceError> {
    Ok(lookup(store, typed).await?.map(|found| {
        (
            Resolution {
                contact_type: found.contact_type,
                contacter_id: Some(found.contacter_id),
                other_candidates: found
                    .other_candidates
                    .iter()
                    .map(|c| Candidate {
                        contact_type: c.contact_type,
                        contacter_id: c.contacter_id,
                    })
                    .collect(),
            },
            found.name,
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(kind: HolderKind, id: i64, is_primary: bool) -> PhoneHolder {
        PhoneHolder {
            kind,
            id,
            is_primary,
            phone_number: "99112233".into(),
        }
    }

    #[test]
    fn primary_holders_first_then_patients_before_employees_then_ids() {
        use HolderKind::{Employee, Patient};
        let ranked = rank(vec![
            holder(Employee, 1, false),
            holder(Patient, 9, false),
            holder(Employee, 3, true),
            holder(Patient, 7, true),
            holder(Patient, 2, false),
            holder(Patient, 4, true),
        ]);
        let order: Vec<_> = ranked
            .iter()
            .map(|(c, _)| (c.contact_type, c.contacter_id))
            .collect();
        assert_eq!(
            order,
            [
                (ContactType::Patient, 4),
                (ContactType::Patient, 7),
                (ContactType::Employee, 3),
                (ContactType::Patient, 2),
                (ContactType::Patient, 9),
                (ContactType::Employee, 1),
            ]
        );
        let r = Resolution::of_ranked(ranked.into_iter().map(|(c, _)| c).collect());
        assert_eq!(r.codes(), (1, Some(4)));
        assert_eq!(r.other_candidates.len(), 5);
        assert_eq!(Resolution::of_ranked(Vec::new()), Resolution::NEW);
    }

    #[test]
    fn a_lookup_takes_a_whole_number_or_its_first_digits() {
        assert_eq!(
            lookup_match("+976 9911-2233").ok(),
            Some(NumberMatch::Exact("99112233".into()))
        );
        assert_eq!(
            lookup_match("9911 2").ok(),
            Some(NumberMatch::Prefix("99112".into()))
        );
        assert_eq!(
            lookup_match("+976 9911").ok(),
            Some(NumberMatch::Prefix("9911".into()))
        );
        assert!(lookup_match("991").is_err());
        assert!(lookup_match("abc").is_err());
    }
}
