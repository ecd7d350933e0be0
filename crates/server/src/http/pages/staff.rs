//! `/staff`: the staff roll, hiring an employee (with phones and a first position), and the
//! employee's page: details, phones, positions held, firing. The positions themselves are
//! `/positions` (`positions.rs`). Everything goes through `services::staff`, as the API does.

use super::common::{Choice, category_id, shown_number};
use super::{FieldMessages, Layout, OrPage, PageResult, msg, see_other_with_flash};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::staff::{
    self, AssignmentChanges, AssignmentInput, Employee, EmployeeChanges, EmployeePosition,
    NewEmployee, PhoneChanges, PhoneInput,
};
use crate::services::{FieldError, ServiceError, positions, users};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use dcms_domain::{EmployeeStatus, Gender};
use serde::Deserialize;

const PAGE_SIZE: u64 = 100;
/// Phone rows on the hiring form (blank ones are ignored).
const PHONE_ROWS: usize = 4;
/// The most positions a select offers (a clinic has a handful).
const POSITIONS_MAX: u64 = 500;

fn gender_choices(layout: &Layout) -> Vec<Choice> {
    Gender::ALL
        .iter()
        .map(|g| Choice {
            value: g.as_str().to_owned(),
            label: layout.t(&format!("gender-{}", g.as_str())),
        })
        .collect()
}

/// The statuses an edit may give (firing is its own form).
fn status_choices(layout: &Layout) -> Vec<Choice> {
    EmployeeStatus::ALL
        .iter()
        .filter(|s| **s != EmployeeStatus::NotWorking)
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: layout.t(&status_id(*s)),
        })
        .collect()
}

fn status_id(status: EmployeeStatus) -> String {
    format!("employee-status-{}", status.as_str())
}

/// The active positions, as options `Name (CODE)`, leaving out those in `held`.
async fn position_choices(
    state: &AppState,
    layout: &Layout,
    held: &[i64],
) -> Result<Vec<Choice>, Response> {
    let active = positions::list(&state.store, Some(true), None, POSITIONS_MAX)
        .await
        .or_page(layout)?;
    Ok(active
        .into_iter()
        .filter(|p| !held.contains(&p.position_id))
        .map(|p| Choice {
            value: p.position_id.to_string(),
            label: format!("{} ({})", p.display_name, p.position_type),
        })
        .collect())
}

/// The position an employee is known by: the open primary one, else the first open one.
fn main_position(e: &Employee) -> Option<&EmployeePosition> {
    e.positions
        .iter()
        .find(|p| p.is_open() && p.is_primary)
        .or_else(|| e.positions.iter().find(|p| p.is_open()))
}

/// Where a service error on `field` shows on a form: `phones[1].number` -> `phones`, etc.
fn field_of(field: &str) -> &str {
    field.split(['[', '.']).next().unwrap_or(field)
}

// --- the roll ------------------------------------------------------------------------------

/// One row of the staff roll.
pub struct StaffRow {
    employee_id: i64,
    number: i64,
    name: String,
    position: Option<String>,
    phone: String,
    status_id: String,
    working: bool,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage<'a> {
    layout: &'a Layout,
    rows: Vec<StaffRow>,
    next_after: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    after: Option<i64>,
}

/// `GET /staff`: every employee by display order (fired ones too, marked).
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
    layout: Layout,
) -> PageResult {
    let mut found = staff::list(&state.store, None, params.after, PAGE_SIZE + 1)
        .await
        .or_page(&layout)?;
    let next_after = if found.len() as u64 > PAGE_SIZE {
        found.truncate(PAGE_SIZE as usize);
        found.last().map(|e| e.employee_id)
    } else {
        None
    };
    let rows = found
        .iter()
        .map(|e| StaffRow {
            employee_id: e.employee_id,
            number: e.employee_display_number,
            name: e.full_name(),
            position: main_position(e).map(|p| p.display_name.clone()),
            phone: e
                .primary_phone
                .as_deref()
                .map(shown_number)
                .unwrap_or_default(),
            status_id: status_id(e.status),
            working: e.status != EmployeeStatus::NotWorking,
        })
        .collect();
    Ok(layout.render(&StaffPage {
        layout: &layout,
        rows,
        next_after,
    }))
}

// --- hiring --------------------------------------------------------------------------------

/// One phone row of the hiring form (as `_phone_fields.html` shows it).
pub struct PhoneRow {
    index: usize,
    number: String,
    label: String,
    primary: bool,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewEmployeeForm {
    last_name: String,
    first_name: String,
    gender: String,
    birthday: String,
    email: String,
    home_address: String,
    hired_at: String,
    phone_number_1: String,
    phone_label_1: String,
    phone_number_2: String,
    phone_label_2: String,
    phone_number_3: String,
    phone_label_3: String,
    phone_number_4: String,
    phone_label_4: String,
    primary: String,
    /// The first position's id; empty for none.
    position_id: String,
    /// A checkbox: present when ticked.
    position_primary: Option<String>,
}

impl NewEmployeeForm {
    fn phones(&self) -> [(&str, &str); PHONE_ROWS] {
        [
            (&self.phone_number_1, &self.phone_label_1),
            (&self.phone_number_2, &self.phone_label_2),
            (&self.phone_number_3, &self.phone_label_3),
            (&self.phone_number_4, &self.phone_label_4),
        ]
    }

    fn primary_row(&self) -> usize {
        self.primary.parse().unwrap_or(1)
    }
}

#[derive(Template)]
#[template(path = "employee_new.html")]
struct NewEmployeePage<'a> {
    layout: &'a Layout,
    form: NewEmployeeForm,
    genders: Vec<Choice>,
    positions: Vec<Choice>,
    phone_rows: Vec<PhoneRow>,
    errors: FieldMessages,
    known_fields: &'static [&'static str],
}

const NEW_EMPLOYEE_FIELDS: &[&str] = &[
    "last_name",
    "first_name",
    "gender",
    "birthday",
    "email",
    "home_address",
    "hired_at",
    "phones",
    "position_id",
];

async fn new_employee_page<'a>(
    state: &AppState,
    layout: &'a Layout,
    form: NewEmployeeForm,
    errors: FieldMessages,
    row_errors: Vec<(usize, String)>,
) -> Result<NewEmployeePage<'a>, Response> {
    let primary = form.primary_row();
    let phone_rows = form
        .phones()
        .iter()
        .enumerate()
        .map(|(i, (number, label))| PhoneRow {
            index: i + 1,
            number: (*number).to_owned(),
            label: (*label).to_owned(),
            primary: primary == i + 1,
            error: row_errors
                .iter()
                .find(|(row, _)| *row == i + 1)
                .map(|(_, m)| m.clone()),
        })
        .collect();
    Ok(NewEmployeePage {
        layout,
        genders: gender_choices(layout),
        positions: position_choices(state, layout, &[]).await?,
        form,
        phone_rows,
        errors,
        known_fields: NEW_EMPLOYEE_FIELDS,
    })
}

/// `GET /staff/new`.
pub async fn new_form(State(state): State<AppState>, layout: Layout) -> PageResult {
    let form = NewEmployeeForm {
        primary: "1".into(),
        position_primary: Some("on".into()),
        ..NewEmployeeForm::default()
    };
    let page =
        new_employee_page(&state, &layout, form, FieldMessages::default(), Vec::new()).await?;
    Ok(layout.render(&page))
}

/// `POST /staff`: hires the employee with their phones and first position, then shows them.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<NewEmployeeForm>,
) -> PageResult {
    // The rows with a number, in order; the service numbers them phones[0], phones[1], ...
    let primary = form.primary_row();
    let given: Vec<(usize, PhoneInput)> = form
        .phones()
        .iter()
        .enumerate()
        .filter(|(_, (number, _))| !number.trim().is_empty())
        .map(|(i, (number, label))| {
            (
                i + 1,
                PhoneInput {
                    number: (*number).to_owned(),
                    label: (*label).to_owned(),
                    is_primary: primary == i + 1,
                },
            )
        })
        .collect();
    let position = form.position_id.trim();
    let result = match position.parse::<i64>() {
        Err(_) if !position.is_empty() => Err(ServiceError::invalid_coded(FieldError::coded(
            "position_id",
            "choose",
            "choose one of the positions",
        ))),
        parsed => {
            // The first position starts on the hiring date when one is given (else today).
            let started_at = staff::parse_date(&form.hired_at)
                .ok()
                .map(|d| d.to_string());
            let input = NewEmployee {
                first_name: form.first_name.clone(),
                last_name: form.last_name.clone(),
                gender: form.gender.clone(),
                status: None,
                birthday: Some(form.birthday.clone()),
                email: Some(form.email.clone()),
                home_address: Some(form.home_address.clone()),
                hired_at: Some(form.hired_at.clone()),
                user_id: None,
                phones: given.iter().map(|(_, p)| p.clone()).collect(),
                positions: parsed
                    .ok()
                    .map(|position_id| AssignmentInput {
                        position_id,
                        is_primary: form.position_primary.is_some(),
                        started_at,
                    })
                    .into_iter()
                    .collect(),
            };
            staff::create(&state.store, &state.audit, caller.actor(), input).await
        }
    };
    let errors = match result {
        Ok(employee) => {
            return Ok(see_other_with_flash(
                &format!("/staff/{}", employee.employee_id),
                msg("flash-employee-created"),
                layout.secure,
            ));
        }
        Err(ServiceError::Invalid(errors)) => errors,
        Err(other) => return Err(layout.error(other)),
    };
    let mut messages = FieldMessages::default();
    let mut row_errors = Vec::new();
    for e in &errors {
        let text = translate(&layout, e);
        // `phones[1].number` is the second row that had a number.
        if let Some(rest) = e.field.strip_prefix("phones[")
            && let Some((i, _)) = rest.split_once(']')
            && let Ok(i) = i.parse::<usize>()
            && let Some((row, _)) = given.get(i)
        {
            row_errors.push((*row, text));
            continue;
        }
        // The one position the form gives: every error about it shows beside its select.
        let field = match field_of(&e.field) {
            "positions" => "position_id",
            other => other,
        };
        messages.push(field, text);
    }
    let page = new_employee_page(&state, &layout, form, messages, row_errors).await?;
    Ok(layout.render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// A service's field error in the page's language.
fn translate(layout: &Layout, e: &FieldError) -> String {
    layout
        .field_errors(std::slice::from_ref(e))
        .get(&e.field)
        .unwrap_or_default()
        .to_owned()
}

// --- the employee's page -------------------------------------------------------------------

/// The employee's details as the page shows them.
pub struct EmployeeView {
    employee_id: i64,
    number: i64,
    name: String,
    gender_id: String,
    status_id: String,
    fired: bool,
    birthday: Option<String>,
    email: Option<String>,
    home_address: Option<String>,
    hired_at: Option<String>,
    fired_at: Option<String>,
    position: Option<String>,
    primary_phone: Option<String>,
}

pub struct PhoneView {
    phone_number_id: i64,
    number: String,
    label: Option<String>,
    is_primary: bool,
}

pub struct AssignmentView {
    employee_position_id: i64,
    display_name: String,
    position_type: String,
    category_id: String,
    is_primary: bool,
    started_at: String,
    ended_at: Option<String>,
}

/// The linked user account: id, username, and whether the viewer may open its page.
pub struct UserLink {
    user_id: i64,
    username: String,
    linkable: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    last_name: String,
    first_name: String,
    gender: String,
    /// Empty: leave it (a fired employee's "not working" shows as empty).
    status: String,
    birthday: String,
    email: String,
    home_address: String,
    hired_at: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddPhoneForm {
    number: String,
    label: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddPositionForm {
    position_id: String,
    /// A checkbox: present when ticked.
    is_primary: Option<String>,
    started_at: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndPositionForm {
    ended_at: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FireForm {
    fired_at: String,
    /// The confirmation checkbox: present when ticked.
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "employee.html")]
struct EmployeePage<'a> {
    layout: &'a Layout,
    e: EmployeeView,
    phones: Vec<PhoneView>,
    assignments: Vec<AssignmentView>,
    user: Option<UserLink>,
    edit: EditForm,
    add_phone: AddPhoneForm,
    add_position: AddPositionForm,
    fire: FireForm,
    genders: Vec<Choice>,
    statuses: Vec<Choice>,
    positions: Vec<Choice>,
    today: String,
    /// Whether the caller may fire this employee: firing disables a linked account, which
    /// only those who may change user accounts may do.
    can_fire: bool,
    /// The firing form is shown open (it came back with an error).
    fire_open: bool,
    errors: FieldMessages,
}

/// What a failed form on the employee's page brings back.
#[derive(Default)]
struct Comeback {
    edit: Option<EditForm>,
    add_phone: Option<AddPhoneForm>,
    add_position: Option<AddPositionForm>,
    fire: Option<FireForm>,
    errors: FieldMessages,
}

async fn employee_page(
    state: &AppState,
    layout: &Layout,
    employee_id: i64,
    comeback: Comeback,
    status: StatusCode,
) -> PageResult {
    let e = staff::get(&state.store, employee_id)
        .await
        .or_page(layout)?;
    let user = match e.user_id {
        Some(user_id) => Some(UserLink {
            user_id,
            // The account is named; should it be unreadable, the page still shows.
            username: match users::get(&state.store, user_id).await {
                Ok(u) => u.username,
                Err(err) => {
                    tracing::error!(error = %err, user_id, "reading an employee's user account");
                    format!("#{user_id}")
                }
            },
            linkable: layout.can.users_read,
        }),
        None => None,
    };
    let fired = e.status == EmployeeStatus::NotWorking;
    let edit = comeback.edit.unwrap_or_else(|| EditForm {
        last_name: e.last_name.clone(),
        first_name: e.first_name.clone(),
        gender: e.gender.as_str().to_owned(),
        status: if fired {
            String::new()
        } else {
            e.status.as_str().to_owned()
        },
        birthday: e.birthday.map(|d| d.to_string()).unwrap_or_default(),
        email: e.email.clone().unwrap_or_default(),
        home_address: e.home_address.clone().unwrap_or_default(),
        hired_at: e.hired_at.map(|d| d.to_string()).unwrap_or_default(),
    });
    let today = layout.today();
    let held: Vec<i64> = e
        .positions
        .iter()
        .filter(|p| p.is_open())
        .map(|p| p.position_id)
        .collect();
    let positions = if layout.can.staff_write && !fired {
        position_choices(state, layout, &held).await?
    } else {
        Vec::new()
    };
    let view = EmployeeView {
        employee_id: e.employee_id,
        number: e.employee_display_number,
        name: e.full_name(),
        gender_id: format!("gender-{}", e.gender.as_str()),
        status_id: status_id(e.status),
        fired,
        birthday: e.birthday.map(|d| d.to_string()),
        email: e.email.clone(),
        home_address: e.home_address.clone(),
        hired_at: e.hired_at.map(|d| d.to_string()),
        fired_at: e.fired_at.map(|d| d.to_string()),
        position: main_position(&e).map(|p| p.display_name.clone()),
        primary_phone: e.primary_phone.as_deref().map(shown_number),
    };
    let phones = e
        .phones
        .iter()
        .map(|ph| PhoneView {
            phone_number_id: ph.phone_number_id,
            number: shown_number(&ph.number),
            label: Some(ph.label.clone()).filter(|l| !l.is_empty()),
            is_primary: ph.is_primary,
        })
        .collect();
    let assignments = e
        .positions
        .iter()
        .map(|p| AssignmentView {
            employee_position_id: p.employee_position_id,
            display_name: p.display_name.clone(),
            position_type: p.position_type.clone(),
            category_id: category_id(p.category),
            is_primary: p.is_primary,
            started_at: p.started_at.to_string(),
            ended_at: p.ended_at.map(|d| d.to_string()),
        })
        .collect();
    let fire_open = comeback.fire.is_some();
    let can_fire = layout.can.staff_write && (e.user_id.is_none() || layout.can.users_write);
    Ok(layout.render_status(
        status,
        &EmployeePage {
            layout,
            e: view,
            phones,
            assignments,
            user,
            edit,
            add_phone: comeback.add_phone.unwrap_or_default(),
            add_position: comeback.add_position.unwrap_or_else(|| AddPositionForm {
                started_at: today.clone(),
                ..AddPositionForm::default()
            }),
            fire: comeback.fire.unwrap_or_else(|| FireForm {
                fired_at: today.clone(),
                confirm: None,
            }),
            genders: gender_choices(layout),
            statuses: status_choices(layout),
            positions,
            today,
            can_fire,
            fire_open,
            errors: comeback.errors,
        },
    ))
}

/// `GET /staff/{employee_id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(employee_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    employee_page(
        &state,
        &layout,
        employee_id,
        Comeback::default(),
        StatusCode::OK,
    )
    .await
}

/// The messages of a service's field errors, each under `rename(field)`.
fn messages(
    layout: &Layout,
    errors: &[FieldError],
    rename: impl Fn(&str) -> &str,
) -> FieldMessages {
    let mut messages = FieldMessages::default();
    for e in errors {
        messages.push(rename(&e.field), translate(layout, e));
    }
    messages
}

/// Redirects to the employee's page with a one-time message.
fn back_to(layout: &Layout, employee_id: i64, flash: &str) -> PageResult {
    Ok(see_other_with_flash(
        &format!("/staff/{employee_id}"),
        flash,
        layout.secure,
    ))
}

/// `POST /staff/{employee_id}`: names, sex, status, dates, e-mail, address.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    layout: Layout,
    Form(form): Form<EditForm>,
) -> PageResult {
    let status = form.status.trim();
    let changes = EmployeeChanges {
        first_name: Some(form.first_name.clone()),
        last_name: Some(form.last_name.clone()),
        gender: Some(form.gender.clone()),
        status: (!status.is_empty()).then(|| status.to_owned()),
        birthday: Some(Some(form.birthday.clone())),
        email: Some(Some(form.email.clone())),
        home_address: Some(Some(form.home_address.clone())),
        hired_at: Some(Some(form.hired_at.clone())),
        user_id: None,
    };
    match staff::update(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        changes,
    )
    .await
    {
        Ok(_) => back_to(&layout, employee_id, msg("flash-saved")),
        Err(ServiceError::Invalid(errors)) => {
            let comeback = Comeback {
                errors: messages(&layout, &errors, field_of),
                edit: Some(form),
                ..Comeback::default()
            };
            employee_page(
                &state,
                &layout,
                employee_id,
                comeback,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(layout.error(other)),
    }
}

/// `POST /staff/{employee_id}/phones`: adds a phone.
pub async fn add_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    layout: Layout,
    Form(form): Form<AddPhoneForm>,
) -> PageResult {
    let input = PhoneInput {
        number: form.number.clone(),
        label: form.label.clone(),
        is_primary: false,
    };
    match staff::add_phone(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        input,
    )
    .await
    {
        Ok(_) => back_to(&layout, employee_id, msg("flash-phone-added")),
        Err(ServiceError::Invalid(errors)) => {
            let comeback = Comeback {
                errors: messages(&layout, &errors, field_of),
                add_phone: Some(form),
                ..Comeback::default()
            };
            employee_page(
                &state,
                &layout,
                employee_id,
                comeback,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(layout.error(other)),
    }
}

/// A refused change shown on the employee's page above a section (`phones`, `positions`).
async fn refused_change(
    state: &AppState,
    layout: &Layout,
    employee_id: i64,
    section: &'static str,
    errors: Vec<FieldError>,
) -> PageResult {
    let comeback = Comeback {
        errors: messages(layout, &errors, |_| section),
        ..Comeback::default()
    };
    employee_page(
        state,
        layout,
        employee_id,
        comeback,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `POST /staff/{employee_id}/phones/{phone_id}/primary`: makes this phone the primary one.
pub async fn make_phone_primary(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((employee_id, phone_id)): Path<(i64, i64)>,
    layout: Layout,
) -> PageResult {
    let changes = PhoneChanges {
        is_primary: Some(true),
        ..PhoneChanges::default()
    };
    match staff::update_phone(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        phone_id,
        changes,
    )
    .await
    {
        Ok(_) => back_to(&layout, employee_id, msg("flash-primary-moved")),
        Err(ServiceError::Invalid(errors)) => {
            refused_change(&state, &layout, employee_id, "phones", errors).await
        }
        Err(other) => Err(layout.error(other)),
    }
}

/// `POST /staff/{employee_id}/phones/{phone_id}/delete`: removes a phone (not below two,
/// never the primary).
pub async fn delete_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((employee_id, phone_id)): Path<(i64, i64)>,
    layout: Layout,
) -> PageResult {
    match staff::delete_phone(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        phone_id,
    )
    .await
    {
        Ok(()) => back_to(&layout, employee_id, msg("flash-phone-deleted")),
        Err(ServiceError::Invalid(errors)) => {
            refused_change(&state, &layout, employee_id, "phones", errors).await
        }
        Err(other) => Err(layout.error(other)),
    }
}

/// `POST /staff/{employee_id}/positions`: assigns a position.
pub async fn add_position(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    layout: Layout,
    Form(form): Form<AddPositionForm>,
) -> PageResult {
    let result = match form.position_id.trim().parse::<i64>() {
        Err(_) => Err(ServiceError::invalid_coded(FieldError::coded(
            "position_id",
            "required",
            "choose a position",
        ))),
        Ok(position_id) => {
            let input = AssignmentInput {
                position_id,
                is_primary: form.is_primary.is_some(),
                started_at: Some(form.started_at.clone()),
            };
            staff::add_position(
                &state.store,
                &state.audit,
                caller.actor(),
                employee_id,
                input,
            )
            .await
        }
    };
    match result {
        Ok(_) => back_to(&layout, employee_id, msg("flash-position-added")),
        Err(ServiceError::Invalid(errors)) => {
            let comeback = Comeback {
                errors: messages(&layout, &errors, |field| match field {
                    "is_primary" => "position_primary",
                    "started_at" => "started_at",
                    _ => "position_id",
                }),
                add_position: Some(form),
                ..Comeback::default()
            };
            employee_page(
                &state,
                &layout,
                employee_id,
                comeback,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(layout.error(other)),
    }
}

/// `POST /staff/{employee_id}/positions/{employee_position_id}/end`: ends an assignment on
/// `ended_at` (default today).
pub async fn end_position(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((employee_id, assignment_id)): Path<(i64, i64)>,
    layout: Layout,
    Form(form): Form<EndPositionForm>,
) -> PageResult {
    let ended_at = match form.ended_at.trim() {
        "" => layout.today(),
        date => date.to_owned(),
    };
    let changes = AssignmentChanges {
        ended_at: Some(Some(ended_at)),
        is_primary: None,
    };
    match staff::update_position(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        assignment_id,
        changes,
    )
    .await
    {
        Ok(_) => back_to(&layout, employee_id, msg("flash-position-ended")),
        Err(ServiceError::Invalid(errors)) => {
            refused_change(&state, &layout, employee_id, "positions", errors).await
        }
        Err(other) => Err(layout.error(other)),
    }
}

/// `POST /staff/{employee_id}/positions/{employee_position_id}/primary`: makes this open
/// assignment the primary one (the previous primary stays, no longer primary, in the same
/// transaction).
pub async fn make_position_primary(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((employee_id, assignment_id)): Path<(i64, i64)>,
    layout: Layout,
) -> PageResult {
    let e = staff::get(&state.store, employee_id)
        .await
        .or_page(&layout)?;
    match e
        .positions
        .iter()
        .find(|p| p.employee_position_id == assignment_id)
    {
        None => return Err(layout.error(ServiceError::NotFound("employee position"))),
        Some(p) if !p.is_open() => {
            return Err(layout.error(ServiceError::Conflict(
                "this position has ended: only an open one can be primary".into(),
            )));
        }
        Some(p) if p.is_primary => {
            return back_to(&layout, employee_id, msg("flash-position-primary"));
        }
        Some(_) => {}
    }
    // The service moves the primary here in one transaction.
    match staff::update_position(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        assignment_id,
        AssignmentChanges {
            ended_at: None,
            is_primary: Some(true),
        },
    )
    .await
    {
        Ok(_) => back_to(&layout, employee_id, msg("flash-position-primary")),
        Err(ServiceError::Invalid(errors)) => {
            refused_change(&state, &layout, employee_id, "positions", errors).await
        }
        Err(other) => Err(layout.error(other)),
    }
}

/// `POST /staff/{employee_id}/fire`: fires the employee on `fired_at` once the form's
/// confirmation is ticked; their open positions end and their user account is disabled.
pub async fn fire(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    layout: Layout,
    Form(form): Form<FireForm>,
) -> PageResult {
    let (errors, status) = if form.confirm.is_none() {
        let mut errors = FieldMessages::default();
        errors.push("confirm", layout.t("fire-confirm-required"));
        (errors, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        match staff::fire(
            &state.store,
            &state.audit,
            caller.actor(),
            employee_id,
            Some(form.fired_at.clone()),
        )
        .await
        {
            Ok(_) => return back_to(&layout, employee_id, msg("flash-employee-fired")),
            Err(ServiceError::Invalid(errors)) => (
                messages(&layout, &errors, |_| "fired_at"),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(ServiceError::Conflict(_)) => {
                let mut errors = FieldMessages::default();
                errors.push("fired_at", layout.t("error-fire-conflict"));
                (errors, StatusCode::CONFLICT)
            }
            Err(other) => return Err(layout.error(other)),
        }
    };
    let comeback = Comeback {
        fire: Some(form),
        errors,
        ..Comeback::default()
    };
    employee_page(&state, &layout, employee_id, comeback, status).await
}
