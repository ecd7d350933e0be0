//! The employee's page (`/staff/{employee_id}`): details, phones, positions held, firing,
//! and every form on it.

use super::{field_of, gender_choices, main_position, position_choices, status_choices, status_id};
use crate::http::pages::common::phones::PhoneView;
use crate::http::pages::common::{Choice, category_id, shown_number};
use crate::http::pages::{FieldMessages, Layout, OrPage, PageResult, Refusal, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::phones;
use crate::services::staff::{
    self, AssignmentChanges, AssignmentInput, EmployeeChanges, PhoneChanges, PhoneInput,
};
use crate::services::{FieldError, ServiceError, users};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use dcms_domain::EmployeeStatus;
use dcms_store::phones::PhoneOwner;
use serde::Deserialize;

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
        .map(|ph| PhoneView::new(ph.phone_number_id, &ph.number, &ph.label, ph.is_primary))
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

/// Back to the employee's page, saying `flash` there.
fn back_to(employee_id: i64, flash: &'static str) -> Saved {
    Saved::to(format!("/staff/{employee_id}"), flash)
}

/// A form's answer on the employee's page: back to it saying `flash`, or the page again with
/// the form `comeback` makes of the refusal.
async fn answered<T>(
    state: &AppState,
    layout: &Layout,
    employee_id: i64,
    result: Result<T, ServiceError>,
    flash: &'static str,
    comeback: impl FnOnce(&Refusal) -> Comeback,
) -> PageResult {
    layout
        .submitted(result)
        .answer(
            |_| back_to(employee_id, flash),
            async |refused| {
                let comeback = comeback(&refused);
                employee_page(state, layout, employee_id, comeback, refused.status).await
            },
        )
        .await
}

/// A refused change shown on the employee's page above a section (`phones`, `positions`).
fn above(layout: &Layout, section: &'static str) -> impl FnOnce(&Refusal) -> Comeback {
    move |refused| Comeback {
        errors: refused.messages_at(layout, |_| section),
        ..Comeback::default()
    }
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
    let result = staff::update(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        changes,
    )
    .await;
    let comeback = |refused: &Refusal| Comeback {
        errors: refused.messages_at(&layout, field_of),
        edit: Some(form),
        ..Comeback::default()
    };
    let flash = msg("flash-saved");
    answered(&state, &layout, employee_id, result, flash, comeback).await
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
    let result = phones::add(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Employee(employee_id),
        input.given(),
    )
    .await;
    let comeback = |refused: &Refusal| Comeback {
        errors: refused.messages_at(&layout, field_of),
        add_phone: Some(form),
        ..Comeback::default()
    };
    let flash = msg("flash-phone-added");
    answered(&state, &layout, employee_id, result, flash, comeback).await
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
    let result = phones::update(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Employee(employee_id),
        phone_id,
        changes,
    )
    .await;
    let (flash, comeback) = (msg("flash-primary-moved"), above(&layout, "phones"));
    answered(&state, &layout, employee_id, result, flash, comeback).await
}

/// `POST /staff/{employee_id}/phones/{phone_id}/delete`: removes a phone (not below two,
/// never the primary).
pub async fn delete_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((employee_id, phone_id)): Path<(i64, i64)>,
    layout: Layout,
) -> PageResult {
    let result = phones::delete(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Employee(employee_id),
        phone_id,
    )
    .await;
    let (flash, comeback) = (msg("flash-phone-deleted"), above(&layout, "phones"));
    answered(&state, &layout, employee_id, result, flash, comeback).await
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
    let comeback = |refused: &Refusal| Comeback {
        errors: refused.messages_at(&layout, |field| match field {
            "is_primary" => "position_primary",
            "started_at" => "started_at",
            _ => "position_id",
        }),
        add_position: Some(form),
        ..Comeback::default()
    };
    let flash = msg("flash-position-added");
    answered(&state, &layout, employee_id, result, flash, comeback).await
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
    let result = staff::update_position(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        assignment_id,
        changes,
    )
    .await;
    let (flash, comeback) = (msg("flash-position-ended"), above(&layout, "positions"));
    answered(&state, &layout, employee_id, result, flash, comeback).await
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
    let flash = msg("flash-position-primary");
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
            return Ok(layout.go(back_to(employee_id, flash)));
        }
        Some(_) => {}
    }
    // The service moves the primary here in one transaction.
    let changes = AssignmentChanges {
        ended_at: None,
        is_primary: Some(true),
    };
    let result = staff::update_position(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        assignment_id,
        changes,
    )
    .await;
    let comeback = above(&layout, "positions");
    answered(&state, &layout, employee_id, result, flash, comeback).await
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
    if form.confirm.is_none() {
        let mut errors = FieldMessages::default();
        errors.push("confirm", layout.t("fire-confirm-required"));
        let comeback = Comeback {
            fire: Some(form),
            errors,
            ..Comeback::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return employee_page(&state, &layout, employee_id, comeback, status).await;
    }
    let result = staff::fire(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        Some(form.fired_at.clone()),
    )
    .await;
    layout
        .submitted(result)
        .conflict(StatusCode::CONFLICT, |text| {
            FieldError::coded("fired_at", "fire-conflict", text)
        })
        .answer(
            |_| back_to(employee_id, msg("flash-employee-fired")),
            async |refused| {
                let comeback = Comeback {
                    errors: refused.messages_at(&layout, |_| "fired_at"),
                    fire: Some(form),
                    ..Comeback::default()
                };
                employee_page(&state, &layout, employee_id, comeback, refused.status).await
            },
        )
        .await
}
