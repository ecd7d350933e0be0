//! Hiring, changing and firing an employee (with their phones and first position
//! assignments), and the phone use cases of `services::phones` for an employee.

use super::{
    ADDRESS_MAX, AssignmentInput, Employee, EmployeeChanges, MAX_POSITIONS, NAME_MAX, NewEmployee,
    PhoneInput, Recorder, active_position, audited, audited_assignment, check_user_link, get,
    invalid_if_any, load, lock_employee, today, user_link_conflict,
};
use crate::services::audit::AuditTrail;
use crate::services::fields::{self, optional_text};
use crate::services::phones::{self, GivenPhone, Owner, ValidPhone};
use crate::services::{Actor, FieldError, ServiceError};
use dcms_domain::{EmployeeStatus, Role};
use dcms_store::audit::AuditEntry;
use dcms_store::phones::{PhoneOwner, PhoneRow};
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::staff as repo;
use dcms_store::time::{date_to_db, now};
use dcms_store::{Store, users};
use jiff::civil::Date;
use serde_json::{Value, json};

// --- validation ----------------------------------------------------------------------------

type Errors = Vec<FieldError>;

/// A status an employee may be given by a create or a change (not `not_working`).
fn status(errors: &mut Errors, value: &str) -> Option<EmployeeStatus> {
    match value.trim().parse::<EmployeeStatus>() {
        Ok(EmployeeStatus::NotWorking) => {
            errors.push(FieldError::coded(
                "status",
                "status-fire",
                "an employee becomes not_working only by being fired (POST .../fire)",
            ));
            None
        }
        Ok(s) => Some(s),
        Err(e) => {
            errors.push(FieldError::coded("status", "choose", e));
            None
        }
    }
}

impl PhoneInput {
    /// The phone as the phone rules read it (`services::phones`).
    pub fn given(&self) -> GivenPhone<'_> {
        GivenPhone {
            number: Some(&self.number),
            label: Some(&self.label),
            is_primary: self.is_primary,
        }
    }
}

/// The phones of a new employee (`services::phones`): each valid, no number twice
/// (`phones[i].number`), at most [`MAX_PHONES`], at least two, exactly one primary
/// (`phones`).
fn phones(errors: &mut Errors, input: &[PhoneInput]) -> Vec<ValidPhone> {
    let given: Vec<GivenPhone<'_>> = input.iter().map(PhoneInput::given).collect();
    phones::parse_set(Owner::Employee, &given, errors)
}

/// A valid assignment (the position is checked against the database later).
#[derive(Debug, Clone)]
struct ValidAssignment {
    position_id: i64,
    is_primary: bool,
    started_at: Date,
}

fn assignments(
    errors: &mut Errors,
    input: &[AssignmentInput],
    today: Date,
) -> Vec<ValidAssignment> {
    let mut valid = Vec::new();
    if input.len() > MAX_POSITIONS {
        errors.push(
            FieldError::coded(
                "positions",
                "positions-max",
                format!("at most {MAX_POSITIONS} positions at once"),
            )
            .arg("max", MAX_POSITIONS),
        );
        return valid;
    }
    for (i, a) in input.iter().enumerate() {
        let started_at = match a.started_at.as_deref().map(str::trim) {
            None | Some("") => Some(today),
            Some(s) => fields::date(errors, &format!("positions[{i}].started_at"), s),
        };
        if let Some(started_at) = started_at {
            valid.push(ValidAssignment {
                position_id: a.position_id,
                is_primary: a.is_primary,
                started_at,
            });
        }
    }
    let primaries = input.iter().filter(|a| a.is_primary).count();
    if primaries > 1 {
        errors.push(FieldError::coded(
            "positions",
            "positions-one-primary",
            format!("at most one open position may be primary, got {primaries}"),
        ));
    }
    let mut ids: Vec<i64> = input.iter().map(|a| a.position_id).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        errors.push(FieldError::coded(
            "positions",
            "positions-repeated",
            format!("position {} is listed twice", w[0]),
        ));
    }
    valid
}

// --- employees -----------------------------------------------------------------------------

/// Creates an employee with their phones and position assignments in one transaction: on
/// any error nothing is stored (and the display number is not used up). Invalid fields are
/// 422 (all reported together); a user account linked to another employee is 409.
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewEmployee,
) -> Result<Employee, ServiceError> {
    if input.user_id.is_some() {
        actor.must_manage_users()?;
    }
    let today = today(store).await?;
    let mut errors = Vec::new();
    let e = &mut errors;
    let first_name = fields::person_name(e, "first_name", &input.first_name, NAME_MAX);
    let last_name = fields::person_name(e, "last_name", &input.last_name, NAME_MAX);
    let gender = fields::gender(e, &input.gender);
    let status = match input.status.as_deref().map(str::trim) {
        None | Some("") => Some(EmployeeStatus::Active),
        Some(s) => status(e, s),
    };
    let birthday = fields::optional_date(e, "birthday", input.birthday.as_deref());
    let hired_at = fields::optional_date(e, "hired_at", input.hired_at.as_deref());
    let email = fields::email(e, input.email.as_deref()).map(|m| m.map(|m| m.as_str().to_owned()));
    let home_address = optional_text(
        e,
        "home_address",
        input.home_address.as_deref(),
        ADDRESS_MAX,
    );
    let phones = phones(e, &input.phones);
    let assignments = assignments(e, &input.positions, today);
    if let Some(Some(b)) = birthday {
        fields::not_in_future(e, "birthday", Some(b), today);
    }
    let (
        Some(first_name),
        Some(last_name),
        Some(gender),
        Some(status),
        Some(birthday),
        Some(hired_at),
        Some(email),
        Some(home_address),
        true,
    ) = (
        first_name,
        last_name,
        gender,
        status,
        birthday,
        hired_at,
        email,
        home_address,
        errors.is_empty(),
    )
    else {
        return Err(ServiceError::Invalid(errors));
    };

    let txn = store.begin_write().await?;
    if let Some(user_id) = input.user_id {
        check_user_link(&txn, user_id, None).await?;
    }
    let mut held = Vec::new();
    for (i, a) in assignments.iter().enumerate() {
        held.push(
            active_position(&txn, a.position_id, &format!("positions[{i}].position_id")).await?,
        );
    }
    let number = repo::next_display_number(&txn).await?;
    let at = now();
    let row = repo::insert(
        &txn,
        repo::NewEmployee {
            employee_display_number: number,
            user_id: input.user_id,
            first_name_key: first_name.key(),
            last_name_key: last_name.key(),
            first_name: first_name.as_str().to_owned(),
            last_name: last_name.as_str().to_owned(),
            gender: gender.code(),
            status: status.code(),
            birthday: birthday.map(date_to_db),
            email,
            home_address,
            hired_at: hired_at.map(date_to_db),
            now: at,
        },
    )
    .await
    .map_err(user_link_conflict)?;
    let id = row.employee_id;
    Recorder {
        audit,
        txn: &txn,
        actor,
    }
    .record("create", "employee", id, None, Some(&audited(&row)))
    .await?;
    let mut phone_rows = Vec::new();
    for p in phones {
        let phone = repo::insert_phone(
            &txn,
            repo::NewPhone {
                employee_id: id,
                number: p.number.as_str().to_owned(),
                label: p.label,
                is_primary: p.is_primary,
                now: at,
            },
        )
        .await?;
        Recorder {
            audit,
            txn: &txn,
            actor,
        }
        .record(
            "create",
            "employee_phone",
            phone.phone_number_id,
            None,
            Some(&phones::audited(
                PhoneOwner::Employee(id),
                &PhoneRow::from(phone.clone()),
            )),
        )
        .await?;
        phone_rows.push(phone);
    }
    let mut assignment_rows = Vec::new();
    for (a, position) in assignments.into_iter().zip(held) {
        let log = Recorder {
            audit,
            txn: &txn,
            actor,
        };
        let assignment = log
            .add_assignment(repo::NewAssignment {
                employee_id: id,
                position_id: a.position_id,
                is_primary: a.is_primary,
                started_at: date_to_db(a.started_at),
            })
            .await?;
        assignment_rows.push((assignment, position));
    }
    let employee = Employee::from_rows(row, phone_rows, assignment_rows)?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(employee)
}

/// Changes an employee's own fields (not phones or positions, which have their own use
/// cases). Invalid fields are 422, all together; a user account linked to another employee
/// is 409.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    asked: EmployeeChanges,
) -> Result<Employee, ServiceError> {
    if let Some(user_id) = asked.user_id {
        // Before anything is validated, like the route's own permission.
        let current = repo::find(store.connection(), employee_id)
            .await?
            .ok_or(ServiceError::NotFound("employee"))?;
        if current.user_id != user_id {
            actor.must_manage_users()?;
        }
    }
    let today = today(store).await?;
    let mut errors = Vec::new();
    let e = &mut errors;
    let first_name = asked
        .first_name
        .map(|n| fields::person_name(e, "first_name", &n, NAME_MAX));
    let last_name = asked
        .last_name
        .map(|n| fields::person_name(e, "last_name", &n, NAME_MAX));
    let gender = asked.gender.map(|g| fields::gender(e, &g));
    let status = asked.status.map(|s| status(e, &s));
    let birthday = asked
        .birthday
        .map(|b| fields::optional_date(e, "birthday", b.as_deref()));
    let hired_at = asked
        .hired_at
        .map(|h| fields::optional_date(e, "hired_at", h.as_deref()));
    let email = asked
        .email
        .map(|m| fields::email(e, m.as_deref()).map(|m| m.map(|m| m.as_str().to_owned())));
    let home_address = asked
        .home_address
        .map(|a| optional_text(e, "home_address", a.as_deref(), ADDRESS_MAX));
    if let Some(Some(b)) = birthday {
        fields::not_in_future(e, "birthday", b, today);
    }
    invalid_if_any(errors)?;

    let txn = store.begin_write().await?;
    let before = lock_employee(&txn, employee_id).await?;
    let mut row = before.clone();
    if let Some(Some(n)) = first_name {
        row.first_name_key = n.key();
        row.first_name = n.as_str().to_owned();
    }
    if let Some(Some(n)) = last_name {
        row.last_name_key = n.key();
        row.last_name = n.as_str().to_owned();
    }
    if let Some(Some(g)) = gender {
        row.gender = g.code();
    }
    if let Some(Some(s)) = status {
        row.status = s.code();
        // Working again after being fired.
        row.fired_at = None;
    }
    if let Some(Some(b)) = birthday {
        row.birthday = b.map(date_to_db);
    }
    if let Some(Some(h)) = hired_at {
        row.hired_at = h.map(date_to_db);
    }
    if let Some(Some(m)) = email {
        row.email = m;
    }
    if let Some(Some(a)) = home_address {
        row.home_address = a;
    }
    if let Some(user_id) = asked.user_id {
        if before.user_id != user_id {
            actor.must_manage_users()?;
        }
        if let Some(user_id) = user_id
            && before.user_id != Some(user_id)
        {
            check_user_link(&txn, user_id, Some(employee_id)).await?;
        }
        row.user_id = user_id;
    }
    if let (Some(hired), Some(fired)) = (row.hired_at, row.fired_at)
        && fired < hired
    {
        return Err(ServiceError::invalid_coded(FieldError::coded(
            "hired_at",
            "date-order",
            "must not be after fired_at",
        )));
    }
    let before_json = audited(&before);
    let after_json = audited(&row);
    if before_json == after_json {
        txn.commit().await.map_err(ServiceError::from)?;
        return get(store, employee_id).await;
    }
    row.last_updated_at = now();
    let saved = repo::save(&txn, row).await.map_err(user_link_conflict)?;
    Recorder {
        audit,
        txn: &txn,
        actor,
    }
    .record(
        "update",
        "employee",
        employee_id,
        Some(&before_json),
        Some(&after_json),
    )
    .await?;
    let employee = load(&txn, saved).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(employee)
}

/// Fires an employee on `fired_at` (`YYYY-MM-DD`; default today): status `not_working`,
/// `fired_at` set, open assignments ended on that date, the linked user account disabled
/// and its sessions revoked at once. Firing a fired employee is 409; a date before
/// `hired_at` or before the start of an open assignment is 422. Disabling the last active
/// admin this way is refused too (409). An employee with a linked account is fired by
/// someone who may change user accounts (an admin; others 403), since it disables the
/// account.
pub async fn fire(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    fired_at: Option<String>,
) -> Result<Employee, ServiceError> {
    let fired_at = match fired_at.as_deref().map(str::trim) {
        None | Some("") => today(store).await?,
        Some(s) => fields::parse_date(s)
            .map_err(|m| ServiceError::invalid_coded(FieldError::coded("fired_at", "date", m)))?,
    };
    let txn = store.begin_write().await?;
    let before = lock_employee(&txn, employee_id).await?;
    if before.user_id.is_some() {
        // Firing disables the linked account: a side effect on a user account.
        actor.must_manage_users()?;
    }
    if before.status == EmployeeStatus::NotWorking.code() || before.fired_at.is_some() {
        return Err(ServiceError::Conflict(
            "this employee has already been fired".into(),
        ));
    }
    let fired_db = date_to_db(fired_at);
    if before.hired_at.is_some_and(|h| fired_db < h) {
        return Err(ServiceError::invalid_coded(FieldError::coded(
            "fired_at",
            "date-order",
            "must not be before hired_at",
        )));
    }
    let assignments = repo::assignments_of(&txn, employee_id).await?;
    if let Some((late, _)) = assignments
        .iter()
        .find(|(a, _)| a.ended_at.is_none() && a.started_at > fired_db)
    {
        return Err(ServiceError::invalid_coded(FieldError::coded(
            "fired_at",
            "date-order",
            format!(
                "must not be before the start ({}) of the open position assignment {}",
                late.started_at, late.employee_position_id
            ),
        )));
    }
    let mut row = before.clone();
    row.status = EmployeeStatus::NotWorking.code();
    row.fired_at = Some(fired_db);
    row.last_updated_at = now();
    let saved = repo::save(&txn, row).await?;
    Recorder {
        audit,
        txn: &txn,
        actor,
    }
    .record(
        "fire",
        "employee",
        employee_id,
        Some(&audited(&before)),
        Some(&audited(&saved)),
    )
    .await?;
    for (a, _) in assignments
        .into_iter()
        .filter(|(a, _)| a.ended_at.is_none())
    {
        let mut ended = a.clone();
        ended.ended_at = Some(fired_db);
        let ended = repo::save_assignment(&txn, ended).await?;
        Recorder {
            audit,
            txn: &txn,
            actor,
        }
        .record(
            "update",
            "employee_position",
            a.employee_position_id,
            Some(&audited_assignment(&a)),
            Some(&audited_assignment(&ended)),
        )
        .await?;
    }
    if let Some(user_id) = saved.user_id {
        disable_user(&txn, audit, actor, user_id).await?;
    }
    let employee = load(&txn, saved).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(employee)
}

/// Disables a fired employee's user account (unless it is already) and revokes every open
/// session of it. The last active admin is never disabled (409).
async fn disable_user(
    txn: &DatabaseTransaction,
    audit: &AuditTrail,
    actor: Actor,
    user_id: i64,
) -> Result<(), ServiceError> {
    let at = now();
    let Some(user) = users::find(txn, user_id).await? else {
        return Ok(());
    };
    if user.disabled_at.is_none() {
        if user.roles == Role::Admin.code() {
            let admins = users::lock_active_admins(txn).await?;
            if admins.contains(&user_id) && admins.len() <= 1 {
                return Err(ServiceError::Conflict(
                    "the employee's user account is the last active admin: make another user admin first".into(),
                ));
            }
        }
        let mut disabled = user.clone();
        disabled.disabled_at = Some(at);
        users::save(txn, disabled).await?;
        let entry = AuditEntry::new("update", "user", Some(user_id)).with_changes(Some(json!({
            "disabled_at": [Value::Null, at.to_rfc3339()],
        })));
        audit.record(txn, actor.stamp(entry)).await?;
    }
    users::revoke_sessions(txn, user_id, at).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::FieldError;
    use crate::services::staff::{MAX_PHONES, PhoneInput};
    use dcms_domain::Gender;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    fn phone(number: &str, is_primary: bool) -> PhoneInput {
        PhoneInput {
            number: number.into(),
            label: "Self".into(),
            is_primary,
        }
    }

    #[test]
    fn phone_sets() {
        let mut errors = Vec::new();
        let valid = phones(
            &mut errors,
            &[phone("9911 2233", true), phone("+976 88112233", false)],
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(valid[0].number.as_str(), "99112233");
        assert_eq!(valid[1].number.as_str(), "88112233");

        let mut errors = Vec::new();
        phones(&mut errors, &[phone("99112233", true)]);
        assert_eq!(fields(&errors), ["phones"]);

        let mut errors = Vec::new();
        phones(
            &mut errors,
            &[phone("99112233", true), phone("88112233", true)],
        );
        assert_eq!(fields(&errors), ["phones"]);

        let mut errors = Vec::new();
        phones(
            &mut errors,
            &[phone("99112233", false), phone("88112233", false)],
        );
        assert_eq!(fields(&errors), ["phones"]);

        let mut errors = Vec::new();
        phones(
            &mut errors,
            &[phone("99112233", true), phone("9911-2233", false)],
        );
        assert_eq!(fields(&errors), ["phones[1].number"]);
        assert!(errors[0].message.contains("already has"));

        let mut errors = Vec::new();
        phones(&mut errors, &[phone("12", true)]);
        assert_eq!(fields(&errors), ["phones[0].number", "phones"]);

        let mut errors = Vec::new();
        let mut unlabelled = phone("99112233", true);
        unlabelled.label = "  ".into();
        let valid = phones(&mut errors, &[unlabelled, phone("88112233", false)]);
        assert!(errors.is_empty(), "a label may be empty, as a patient's");
        assert_eq!(valid[0].label, "");

        let mut errors = Vec::new();
        let mut bad_label = phone("99112233", true);
        bad_label.label = "a\tb".into();
        phones(&mut errors, &[bad_label, phone("88112233", false)]);
        assert_eq!(fields(&errors), ["phones[0].label"]);

        let mut errors = Vec::new();
        let many: Vec<PhoneInput> = (0..=MAX_PHONES)
            .map(|i| phone(&format!("9900{i:04}"), i == 0))
            .collect();
        assert!(phones(&mut errors, &many).is_empty());
        assert_eq!(fields(&errors), ["phones"]);
    }

    #[test]
    fn assignment_rules() {
        let today = jiff::civil::date(2025, 1, 2);
        let a = |id, is_primary, started_at: Option<&str>| AssignmentInput {
            position_id: id,
            is_primary,
            started_at: started_at.map(str::to_owned),
        };
        let mut errors = Vec::new();
        let valid = assignments(
            &mut errors,
            &[a(1, true, None), a(2, false, Some("2024-01-01"))],
            today,
        );
        assert!(errors.is_empty());
        assert_eq!(valid[0].started_at, today);
        assert_eq!(valid[1].started_at, jiff::civil::date(2024, 1, 1));
        let mut errors = Vec::new();
        assignments(
            &mut errors,
            &[a(1, true, None), a(2, true, Some("x"))],
            today,
        );
        assert_eq!(fields(&errors), ["positions[1].started_at", "positions"]);
        let mut errors = Vec::new();
        assignments(&mut errors, &[a(1, false, None), a(1, false, None)], today);
        assert_eq!(fields(&errors), ["positions"]);
    }

    #[test]
    fn statuses_and_genders() {
        let mut errors = Vec::new();
        assert_eq!(
            status(&mut errors, "vacation"),
            Some(EmployeeStatus::Vacation)
        );
        assert_eq!(status(&mut errors, "not_working"), None);
        assert_eq!(status(&mut errors, "asleep"), None);
        assert_eq!(fields::gender(&mut errors, ""), None);
        assert_eq!(fields::gender(&mut errors, "female"), Some(Gender::Female));
        assert_eq!(fields(&errors), ["status", "status", "gender"]);
    }
}
