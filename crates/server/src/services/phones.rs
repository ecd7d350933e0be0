//! The rules a person's phones keep, the same for a patient and an employee (docs/patients.md, docs/staff.md):
//! every number parsed and normalised (`dcms_domain::Phone`), a label of free text (Self,
//! Father, Work, ...), no number twice, at least [`MIN_PHONES`], exactly one primary, and at
//! most [`MAX_PHONES`] given at once. One place for the rules, their field names and error
//! codes (`phone`, `required`, `too-long`, `control-characters`, `duplicate-phone`,
//! `phones-count`, `phones-primary`, `phones-max`), and the use cases that add, change and
//! delete one phone, written once over the owner ([`PhoneOwner`]: a patient or an employee);
//! `services::patients` and `services::staff` adapt their own inputs to [`GivenPhone`].

use super::audit::{AuditTrail, changes};
use super::{Actor, FieldError, ServiceError};
use dcms_domain::Phone;
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::phones::{self as repo, PhoneOwner, PhoneRow};
use dcms_store::sea_orm::DatabaseTransaction;
use serde_json::{Value, json};

/// Fewest phones a person has.
pub const MIN_PHONES: usize = 2;
/// Most phones one request may give (a bound on the work of one request).
pub const MAX_PHONES: usize = 20;
/// Longest phone label.
pub const LABEL_MAX_CHARS: usize = 255;

/// Whose phones they are, for the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Patient,
    Employee,
}

impl Owner {
    fn noun(self) -> &'static str {
        match self {
            Owner::Patient => "patient",
            Owner::Employee => "employee",
        }
    }

    fn article(self) -> &'static str {
        match self {
            Owner::Patient => "a",
            Owner::Employee => "an",
        }
    }

    /// What the "too few" message adds after the minimum (an employee's has always said how
    /// many there would be).
    fn count_note(self, count: usize) -> String {
        match self {
            Owner::Patient => String::new(),
            Owner::Employee => format!(", not {count}"),
        }
    }
}

/// One phone as the client gave it.
#[derive(Debug, Clone, Copy, Default)]
pub struct GivenPhone<'a> {
    /// Any usual writing of the number; None: missing (`required`).
    pub number: Option<&'a str>,
    /// None or blank: "".
    pub label: Option<&'a str>,
    pub is_primary: bool,
}

/// A phone that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPhone {
    pub number: Phone,
    pub label: String,
    pub is_primary: bool,
}

/// A phone number (422 `phone` on `field`; `required` when missing).
pub fn parse_number(
    field: &str,
    input: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<Phone> {
    let Some(input) = input else {
        errors.push(FieldError::coded(field, "required", "is required"));
        return None;
    };
    match Phone::parse(input) {
        Ok(phone) => Some(phone),
        Err(e) => {
            errors.push(FieldError::coded(field, "phone", e));
            None
        }
    }
}

/// A label: trimmed, possibly empty, at most [`LABEL_MAX_CHARS`] characters, no control
/// characters.
pub fn parse_label(
    field: &str,
    input: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let label = input.unwrap_or_default().trim();
    if label.chars().count() > LABEL_MAX_CHARS {
        errors.push(
            FieldError::coded(
                field,
                "too-long",
                format!("must be at most {LABEL_MAX_CHARS} characters"),
            )
            .arg("max", LABEL_MAX_CHARS),
        );
        return None;
    }
    if label.chars().any(char::is_control) {
        errors.push(FieldError::coded(
            field,
            "control-characters",
            "must not contain control characters",
        ));
        return None;
    }
    Some(label.to_owned())
}

/// One phone, its fields named `<prefix>number` and `<prefix>label`.
pub fn parse_phone(
    prefix: &str,
    given: GivenPhone<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<ValidPhone> {
    let number = parse_number(&format!("{prefix}number"), given.number, errors);
    let label = parse_label(&format!("{prefix}label"), given.label, errors);
    Some(ValidPhone {
        number: number?,
        label: label?,
        is_primary: given.is_primary,
    })
}

/// `number` is already one of the owner's (422 `duplicate-phone` on `field`).
pub fn duplicate(owner: Owner, field: &str, number: &str) -> FieldError {
    FieldError::coded(
        field,
        "duplicate-phone",
        format!("the {} already has the number {number}", owner.noun()),
    )
}

/// The rule a person's phones keep after any change: at least [`MIN_PHONES`] and exactly one
/// primary (422 on `phones`). `when_too_few` and `when_not_one_primary` end the messages
/// (what the client should do instead).
pub fn check_set(
    owner: Owner,
    count: usize,
    primaries: usize,
    errors: &mut Vec<FieldError>,
    when_too_few: &str,
    when_not_one_primary: &str,
) {
    if count < MIN_PHONES {
        errors.push(
            FieldError::coded(
                "phones",
                "phones-count",
                format!(
                    "{} {} needs at least {MIN_PHONES} phone numbers{}{when_too_few}",
                    owner.article(),
                    owner.noun(),
                    owner.count_note(count)
                ),
            )
            .arg("min", MIN_PHONES),
        );
    }
    if primaries != 1 {
        errors.push(FieldError::coded(
            "phones",
            "phones-primary",
            format!(
                "exactly one phone number must be primary, not {primaries}{when_not_one_primary}"
            ),
        ));
    }
}

/// The phones of a new person: at most [`MAX_PHONES`] (else only that error), each valid
/// (`phones[i].number`, `phones[i].label`), no number twice (`phones[i].number`), then
/// [`check_set`] over everything given. Returns the valid phones in the order given.
pub fn parse_set(
    owner: Owner,
    given: &[GivenPhone<'_>],
    errors: &mut Vec<FieldError>,
) -> Vec<ValidPhone> {
    if given.len() > MAX_PHONES {
        errors.push(
            FieldError::coded(
                "phones",
                "phones-max",
                format!("at most {MAX_PHONES} phone numbers at once"),
            )
            .arg("max", MAX_PHONES),
        );
        return Vec::new();
    }
    let mut valid: Vec<ValidPhone> = Vec::new();
    for (i, phone) in given.iter().enumerate() {
        let prefix = format!("phones[{i}].");
        let Some(phone) = parse_phone(&prefix, *phone, errors) else {
            continue;
        };
        if valid.iter().any(|v| v.number == phone.number) {
            errors.push(duplicate(
                owner,
                &format!("{prefix}number"),
                phone.number.as_str(),
            ));
            continue;
        }
        valid.push(phone);
    }
    let primaries = given.iter().filter(|p| p.is_primary).count();
    check_set(owner, given.len(), primaries, errors, "", "");
    valid
}

// --- the use cases: adding, changing and deleting one phone --------------------------------

/// What changing one phone asks for (each field left as it is when None).
#[derive(Debug, Clone, Default)]
pub struct PhoneChanges {
    pub number: Option<String>,
    pub label: Option<String>,
    /// `true` moves the primary here; `false` on the primary is refused (a person has
    /// exactly one: make another number primary instead).
    pub is_primary: Option<bool>,
}

impl Owner {
    fn of(owner: PhoneOwner) -> Owner {
        match owner {
            PhoneOwner::Patient(_) => Owner::Patient,
            PhoneOwner::Employee(_) => Owner::Employee,
        }
    }
}

/// The audited fields of a phone: the owner, number, label and primary flag.
pub fn audited(owner: PhoneOwner, p: &PhoneRow) -> Value {
    let mut fields = serde_json::Map::new();
    fields.insert(owner.owner_column().to_owned(), json!(owner.id()));
    fields.insert("number".to_owned(), json!(p.number));
    fields.insert("label".to_owned(), json!(p.label));
    fields.insert("is_primary".to_owned(), json!(p.is_primary));
    Value::Object(fields)
}

/// Records a phone's change in the audit trail (an update that changed nothing is not).
async fn record(
    audit: &AuditTrail,
    txn: &DatabaseTransaction,
    actor: Actor,
    owner: PhoneOwner,
    action: &str,
    before: Option<&PhoneRow>,
    after: Option<&PhoneRow>,
) -> Result<(), ServiceError> {
    let Some(row_id) = after.or(before).map(|p| p.phone_number_id) else {
        return Ok(());
    };
    let diff = changes(
        before.map(|p| audited(owner, p)).as_ref(),
        after.map(|p| audited(owner, p)).as_ref(),
        &[],
    );
    if action == "update" && diff.is_none() {
        return Ok(());
    }
    let entry = AuditEntry::new(action, owner.table(), Some(row_id)).with_changes(diff);
    audit.record(txn, actor.stamp(entry)).await
}

/// Locks the owner and reads their phones, for a change of them.
async fn locked_phones(
    txn: &DatabaseTransaction,
    owner: PhoneOwner,
) -> Result<Vec<PhoneRow>, ServiceError> {
    if !repo::lock_owner(txn, owner).await? {
        return Err(ServiceError::NotFound(Owner::of(owner).noun()));
    }
    Ok(repo::of_owner(txn, owner).await?)
}

/// Takes the primary flag from every phone but `keep` (writing and auditing each).
async fn demote_others(
    audit: &AuditTrail,
    txn: &DatabaseTransaction,
    actor: Actor,
    owner: PhoneOwner,
    existing: &[PhoneRow],
    keep: Option<i64>,
    now: dcms_store::time::DbTimestamp,
) -> Result<(), ServiceError> {
    for old in existing
        .iter()
        .filter(|p| p.is_primary && Some(p.phone_number_id) != keep)
    {
        let demoted = PhoneRow {
            is_primary: false,
            ..old.clone()
        };
        let saved = repo::save(txn, owner, &demoted, now).await?;
        record(audit, txn, actor, owner, "update", Some(old), Some(&saved)).await?;
    }
    Ok(())
}

fn invalid_if_any(errors: Vec<FieldError>) -> Result<(), ServiceError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// Adds a phone (`is_primary: true` moves the primary to it). The number must not be one of
/// the owner's already (`duplicate-phone` on `number`); afterwards the owner has at least two
/// phones and exactly one primary, else 422 and nothing changes. The owner's row is locked
/// first, so concurrent changes of one person's phones keep the rule too.
pub async fn add(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    owner: PhoneOwner,
    given: GivenPhone<'_>,
) -> Result<PhoneRow, ServiceError> {
    let mut errors = Vec::new();
    let phone = parse_phone("", given, &mut errors);
    invalid_if_any(errors)?;
    let Some(phone) = phone else {
        return Err(ServiceError::Internal(
            "a valid phone was not parsed".into(),
        ));
    };
    let now = dcms_store::time::now();
    let txn = store.begin_write().await?;
    let existing = locked_phones(&txn, owner).await?;
    if existing.iter().any(|p| p.number == phone.number.as_str()) {
        return Err(ServiceError::invalid_coded(duplicate(
            Owner::of(owner),
            "number",
            phone.number.as_str(),
        )));
    }
    let primaries = if phone.is_primary {
        1
    } else {
        existing.iter().filter(|p| p.is_primary).count()
    };
    let mut errors = Vec::new();
    check_set(
        Owner::of(owner),
        existing.len() + 1,
        primaries,
        &mut errors,
        "",
        "",
    );
    invalid_if_any(errors)?;
    if phone.is_primary {
        demote_others(audit, &txn, actor, owner, &existing, None, now).await?;
    }
    let added = repo::insert(
        &txn,
        owner,
        phone.number.as_str().to_owned(),
        phone.label,
        phone.is_primary,
        now,
    )
    .await?;
    record(audit, &txn, actor, owner, "create", None, Some(&added)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(added)
}

/// Changes one phone: its number (normalised; not another of the owner's), its label, or
/// `is_primary: true` to move the primary to it (`false` on the primary is 422 on
/// `is_primary`). Afterwards the owner has at least two phones and exactly one primary, else
/// 422 and nothing changes. A phone that is not the owner's is not found.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    owner: PhoneOwner,
    phone_number_id: i64,
    asked: PhoneChanges,
) -> Result<PhoneRow, ServiceError> {
    let mut errors = Vec::new();
    let number = match asked.number.as_deref() {
        Some(s) => parse_number("number", Some(s), &mut errors),
        None => None,
    };
    let label = match asked.label.as_deref() {
        Some(s) => parse_label("label", Some(s), &mut errors),
        None => None,
    };
    invalid_if_any(errors)?;
    let now = dcms_store::time::now();
    let txn = store.begin_write().await?;
    let existing = locked_phones(&txn, owner).await?;
    let before = existing
        .iter()
        .find(|p| p.phone_number_id == phone_number_id)
        .cloned()
        .ok_or(ServiceError::NotFound("phone"))?;
    let mut after = before.clone();
    let mut errors = Vec::new();
    if let Some(number) = number {
        if existing
            .iter()
            .any(|p| p.phone_number_id != phone_number_id && p.number == number.as_str())
        {
            errors.push(duplicate(Owner::of(owner), "number", number.as_str()));
        }
        after.number = number.as_str().to_owned();
    }
    if let Some(label) = label {
        after.label = label;
    }
    match asked.is_primary {
        Some(true) => after.is_primary = true,
        Some(false) if before.is_primary => errors.push(FieldError::coded(
            "is_primary",
            "phones-primary",
            format!(
                "{} {} has exactly one primary number: make another number primary instead",
                Owner::of(owner).article(),
                Owner::of(owner).noun()
            ),
        )),
        _ => {}
    }
    invalid_if_any(errors)?;
    let moves_primary = after.is_primary && !before.is_primary;
    if moves_primary {
        demote_others(
            audit,
            &txn,
            actor,
            owner,
            &existing,
            Some(phone_number_id),
            now,
        )
        .await?;
    }
    let saved = if after == before {
        before
    } else {
        let saved = repo::save(&txn, owner, &after, now).await?;
        record(
            audit,
            &txn,
            actor,
            owner,
            "update",
            Some(&before),
            Some(&saved),
        )
        .await?;
        saved
    };
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(saved)
}

/// Deletes one phone, unless that would leave fewer than two or no primary (422 on
/// `phones`, nothing changes; also when several deletes race, since each locks the owner's
/// row before it counts). A phone that is not the owner's is not found.
pub async fn delete(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    owner: PhoneOwner,
    phone_number_id: i64,
) -> Result<(), ServiceError> {
    let txn = store.begin_write().await?;
    let existing = locked_phones(&txn, owner).await?;
    let before = existing
        .iter()
        .find(|p| p.phone_number_id == phone_number_id)
        .cloned()
        .ok_or(ServiceError::NotFound("phone"))?;
    let primaries = existing
        .iter()
        .filter(|p| p.is_primary && p.phone_number_id != phone_number_id)
        .count();
    let mut errors = Vec::new();
    check_set(
        Owner::of(owner),
        existing.len() - 1,
        primaries,
        &mut errors,
        ": add another number before deleting this one",
        ": make another number primary before deleting this one",
    );
    invalid_if_any(errors)?;
    repo::delete(&txn, owner, phone_number_id).await?;
    record(audit, &txn, actor, owner, "delete", Some(&before), None).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(errors: &[FieldError]) -> Vec<(&str, Option<&str>, &str)> {
        errors
            .iter()
            .map(|e| (e.field.as_str(), e.code, e.message.as_str()))
            .collect()
    }

    #[test]
    fn the_messages_name_the_owner() {
        let one = [GivenPhone {
            number: Some("99112233"),
            label: None,
            is_primary: false,
        }];
        let mut errors = Vec::new();
        parse_set(Owner::Patient, &one, &mut errors);
        assert_eq!(
            messages(&errors),
            [
                (
                    "phones",
                    Some("phones-count"),
                    "a patient needs at least 2 phone numbers"
                ),
                (
                    "phones",
                    Some("phones-primary"),
                    "exactly one phone number must be primary, not 0"
                ),
            ]
        );
        let mut errors = Vec::new();
        parse_set(Owner::Employee, &one, &mut errors);
        assert_eq!(
            errors[0].message,
            "an employee needs at least 2 phone numbers, not 1"
        );
        assert_eq!(
            duplicate(Owner::Employee, "number", "99112233").message,
            "the employee already has the number 99112233"
        );
        let mut errors = Vec::new();
        check_set(
            Owner::Patient,
            1,
            0,
            &mut errors,
            ": add another number before deleting this one",
            ": make another number primary before deleting this one",
        );
        assert_eq!(
            errors[0].message,
            "a patient needs at least 2 phone numbers: add another number before deleting this one"
        );
    }

    #[test]
    fn a_missing_number_is_required_and_labels_are_checked() {
        let given = [
            GivenPhone {
                number: None,
                label: Some("Self"),
                is_primary: true,
            },
            GivenPhone {
                number: Some("+976 8811-2233"),
                label: Some("a\u{7}b"),
                is_primary: false,
            },
            GivenPhone {
                number: Some("88112233"),
                label: Some(&"x".repeat(LABEL_MAX_CHARS + 1)),
                is_primary: false,
            },
        ];
        let mut errors = Vec::new();
        assert!(parse_set(Owner::Patient, &given, &mut errors).is_empty());
        let codes: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.unwrap_or("")))
            .collect();
        assert_eq!(
            codes,
            [
                ("phones[0].number", "required"),
                ("phones[1].label", "control-characters"),
                ("phones[2].label", "too-long"),
            ]
        );
    }
}
