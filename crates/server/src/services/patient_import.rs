//! Importing patients from a CSV file and exporting them to one (issue 5, point 5).
//!
//! The file is read by `services::patient_csv`; every row is checked with exactly the rules
//! of registration (`patients::check_registration`), plus two of the file as a whole: a
//! register number on two lines of the file is refused on each of them, and one that is
//! already registered is refused too (field `register_number`). Each problem names its line
//! and its column (`phone2` for the second phone of a line, `phone2_label` for its label).
//!
//! By default any bad row stops the import: nothing is stored and every problem is reported.
//! With `skip_bad`, the good rows are imported and the bad ones reported. What is imported is
//! one transaction with its audit entries (`create` on `patient` and `patient_phone` for
//! every row, as a registration, and one `import` on `patient`), so a failure midway stores
//! nothing. The rows are inserted in multi-row statements (`dcms_store::patients::create_many`).

use super::audit::AuditTrail;
use super::patient_csv::{self, CsvPatient, CsvPhone, CsvProblem};
use super::patients::{
    self, Clock, NewPatientInput, PATIENT_TABLE, PhoneInput, Registration, check_registration,
};
use super::{Actor, FieldError, ServiceError};
use dcms_domain::{Gender, RegisterNumber};
use dcms_store::audit::AuditEntry;
use dcms_store::patients as repo;
use dcms_store::time::date_from_db;
use dcms_store::{Store, StoreError};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// Patients stored.
    pub imported: usize,
    /// Every problem of the file, by line: with `skip_bad` the lines that were left out,
    /// otherwise the reasons nothing was imported.
    pub problems: Vec<CsvProblem>,
}

impl ImportReport {
    /// Whether the file was refused: it had problems and nothing was imported.
    pub fn refused(&self) -> bool {
        self.imported == 0 && !self.problems.is_empty()
    }
}

/// What registering the patient of a row asks for: the first phone is the primary one; an
/// empty cell is a missing value.
fn registration_of(row: &CsvPatient) -> NewPatientInput {
    let given = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
    NewPatientInput {
        register_number: given(&row.register_number),
        first_name: given(&row.first_name),
        last_name: given(&row.last_name),
        email: row.email.clone(),
        birthday: row.birthday.clone(),
        gender: row.gender.clone(),
        phones: row
            .phones
            .iter()
            .enumerate()
            .map(|(i, p)| PhoneInput {
                number: Some(p.number.clone()),
                label: p.label.clone(),
                is_primary: Some(i == 0),
            })
            .collect(),
    }
}

/// The file's name of a registration's field: `phones[1].number` is `phone2`,
/// `phones[1].label` is `phone2_label`; the others are the same in both.
fn column_of(field: &str) -> String {
    let phone = field
        .strip_prefix("phones[")
        .and_then(|rest| rest.split_once("]."))
        .and_then(|(i, part)| Some((i.parse::<usize>().ok()? + 1, part)));
    match phone {
        Some((n, "number")) => format!("phone{n}"),
        Some((n, "label")) => format!("phone{n}_label"),
        _ => field.to_owned(),
    }
}

fn problem(line: u64, error: FieldError) -> CsvProblem {
    CsvProblem {
        line,
        field: column_of(&error.field),
        message: error.message,
    }
}

fn store_error(e: dcms_store::sea_orm::DbErr) -> ServiceError {
    StoreError::from(e).into()
}

fn lines_list(lines: &[u64]) -> String {
    lines
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Imports the patients of a CSV file (`patient_csv` describes it). Without `skip_bad`, a
/// file with any problem imports nothing and the report lists every problem (its
/// [`ImportReport::refused`] is true); with `skip_bad` the good rows are imported. A header
/// that cannot be read refuses the file. Fails only for what is not the file's fault (the
/// database).
pub async fn import(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    bytes: &[u8],
    skip_bad: bool,
) -> Result<ImportReport, ServiceError> {
    let (rows, mut problems) = match patient_csv::read(bytes) {
        Ok(read) => read,
        Err(problems) => {
            return Ok(ImportReport {
                imported: 0,
                problems,
            });
        }
    };
    let clock = Clock::now(store).await?;
    let now = dcms_store::time::now();

    // Every row by the rules of registration.
    let mut checked: Vec<(u64, Registration)> = Vec::with_capacity(rows.len());
    for row in &rows {
        match check_registration(&registration_of(row), &clock, now) {
            Ok(registration) => checked.push((row.line, registration)),
            Err(ServiceError::Invalid(errors)) => {
                problems.extend(errors.into_iter().map(|e| problem(row.line, e)));
            }
            Err(other) => return Err(other),
        }
    }
    // A register number on several lines: refused on each (which of them is right is for a
    // person to say). Rows whose other fields are bad count too.
    let mut lines_of: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for row in &rows {
        if let Ok(number) = RegisterNumber::parse_on(&row.register_number, clock.today()) {
            lines_of
                .entry(number.as_str().to_owned())
                .or_default()
                .push(row.line);
        }
    }
    for (number, lines) in lines_of.iter().filter(|(_, lines)| lines.len() > 1) {
        for &line in lines {
            let others: Vec<u64> = lines.iter().copied().filter(|l| *l != line).collect();
            problems.push(CsvProblem {
                line,
                field: "register_number".into(),
                message: format!(
                    "the register number {number} is also on line {}",
                    lines_list(&others)
                ),
            });
        }
    }

    // One transaction from here: what is already registered is read under the same write
    // lock (SQLite) that the inserts take; elsewhere the unique index has the last word.
    let txn = store.begin_write().await?;
    let numbers: Vec<String> = lines_of.keys().cloned().collect();
    let taken = repo::taken_register_numbers(&txn, &numbers).await?;
    for (number, lines) in &lines_of {
        if let Some(patient_id) = taken.get(number) {
            for &line in lines {
                problems.push(CsvProblem {
                    line,
                    field: "register_number".into(),
                    message: format!(
                        "the register number {number} is already registered (patient {patient_id})"
                    ),
                });
            }
        }
    }
    problems.sort_by_key(|p| p.line);

    let bad: BTreeSet<u64> = problems.iter().map(|p| p.line).collect();
    if !skip_bad && !bad.is_empty() {
        txn.rollback().await.map_err(store_error)?;
        return Ok(ImportReport {
            imported: 0,
            problems,
        });
    }
    let good: Vec<(repo::NewPatient, Vec<repo::NewPhone>)> = checked
        .into_iter()
        .filter(|(line, _)| !bad.contains(line))
        .map(|(_, r)| (r.patient, r.phones))
        .collect();
    if good.is_empty() {
        txn.rollback().await.map_err(store_error)?;
        return Ok(ImportReport {
            imported: 0,
            problems,
        });
    }
    let created = repo::create_many(&txn, good).await.map_err(|e| match e {
        StoreError::Conflict(detail) => ServiceError::Conflict(format!(
            "a register number of the file was registered meanwhile; nothing was imported ({detail})"
        )),
        other => other.into(),
    })?;
    let mut entries: Vec<AuditEntry> = Vec::with_capacity(created.len() * 3 + 1);
    for (row, phones) in &created {
        entries.extend(patients::creation_entries(actor, row, phones));
    }
    entries.push(actor.stamp(
        AuditEntry::new("import", PATIENT_TABLE, None).with_changes(Some(json!({
            "imported": created.len(),
            "skipped_lines": bad.len(),
        }))),
    ));
    audit.record_many(&txn, entries).await?;
    txn.commit().await.map_err(store_error)?;
    Ok(ImportReport {
        imported: created.len(),
        problems,
    })
}

/// Every patient as a CSV file that [`import`] reads back (`patient_csv::write`): by id, the
/// primary phone first, then the others in creation order. Audited as one `export` on
/// `patient` (who took the whole list, and how many), in the transaction that reads it.
pub async fn export(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
) -> Result<Vec<u8>, ServiceError> {
    let txn = store.begin_write().await?;
    let (rows, phones) = repo::all_with_phones(&txn).await?;
    let mut phones_of: HashMap<i64, Vec<CsvPhone>> = HashMap::new();
    // Primary first; otherwise the order read (creation order within a patient).
    for phone in phones
        .iter()
        .filter(|p| p.is_primary)
        .chain(phones.iter().filter(|p| !p.is_primary))
    {
        phones_of
            .entry(phone.patient_id)
            .or_default()
            .push(CsvPhone {
                number: phone.phone_number_val.clone(),
                label: (!phone.label.is_empty()).then(|| phone.label.clone()),
            });
    }
    let patients: Vec<CsvPatient> = rows
        .into_iter()
        .enumerate()
        .map(|(i, p)| CsvPatient {
            line: i as u64 + 2,
            phones: phones_of.remove(&p.patient_id).unwrap_or_default(),
            register_number: p.register_number,
            first_name: p.first_name,
            last_name: p.last_name,
            email: p.email,
            birthday: Some(date_from_db(p.birthday).to_string()),
            gender: Gender::from_code(p.gender).map(|g| g.as_str().to_owned()),
        })
        .collect();
    let csv = patient_csv::write(&patients)
        .map_err(|e| ServiceError::Internal(format!("writing the patients' CSV: {e}")))?;
    let entry = AuditEntry::new("export", PATIENT_TABLE, None)
        .with_changes(Some(json!({ "patients": patients.len() })));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(store_error)?;
    Ok(csv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_named_as_the_file_names_its_columns() {
        assert_eq!(column_of("phones[0].number"), "phone1");
        assert_eq!(column_of("phones[11].label"), "phone12_label");
        assert_eq!(column_of("phones"), "phones");
        assert_eq!(column_of("register_number"), "register_number");
        assert_eq!(column_of("phones[x].number"), "phones[x].number");
    }

    #[test]
    fn a_row_is_a_registration_with_the_first_phone_primary() {
        let row = CsvPatient {
            line: 2,
            register_number: " ".into(),
            first_name: "Бат".into(),
            last_name: "Дорж".into(),
            email: None,
            birthday: None,
            gender: Some("male".into()),
            phones: vec![
                CsvPhone {
                    number: "99112233".into(),
                    label: Some("гар".into()),
                },
                CsvPhone {
                    number: "88112233".into(),
                    label: None,
                },
            ],
        };
        let input = registration_of(&row);
        assert_eq!(input.register_number, None, "blank is missing: `required`");
        assert_eq!(input.first_name.as_deref(), Some("Бат"));
        let primaries: Vec<_> = input.phones.iter().map(|p| p.is_primary).collect();
        assert_eq!(primaries, [Some(true), Some(false)]);
        assert_eq!(input.phones[0].label.as_deref(), Some("гар"));
    }
}
