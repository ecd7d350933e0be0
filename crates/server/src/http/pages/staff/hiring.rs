//! Hiring: `/staff/new` and `POST /staff`, the employee with their phones and a first
//! position.

use super::{field_of, gender_choices, position_choices};
use crate::http::pages::common::Choice;
use crate::http::pages::common::phones::{PhoneFields, PhoneRow, placed_messages};
use crate::http::pages::{FieldMessages, Layout, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::staff::{self, AssignmentInput, NewEmployee, PhoneInput};
use crate::services::{FieldError, ServiceError};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, State};
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewEmployeeForm {
    last_name: String,
    first_name: String,
    gender: String,
    birthday: String,
    email: String,
    home_address: String,
    hired_at: String,
    #[serde(flatten)]
    phones: PhoneFields,
    /// The first position's id; empty for none.
    position_id: String,
    /// A checkbox: present when ticked.
    position_primary: Option<String>,
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
    let phone_rows = form.phones.typed().shown(&row_errors);
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

/// Where an error shows on the hiring form: the one position the form gives has every error
/// about it beside its select.
fn form_field(field: &str) -> &str {
    match field_of(field) {
        "positions" => "position_id",
        other => other,
    }
}

/// `GET /staff/new`.
pub async fn new_form(State(state): State<AppState>, layout: Layout) -> PageResult {
    let form = NewEmployeeForm {
        phones: PhoneFields::blank(),
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
    let phones = form.phones.typed();
    let given = phones.given();
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
                phones: given
                    .iter()
                    .map(|p| PhoneInput {
                        number: p.number.to_owned(),
                        label: p.label.to_owned(),
                        is_primary: p.is_primary,
                    })
                    .collect(),
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
    layout
        .submitted(result)
        .answer(
            |employee| {
                let location = format!("/staff/{}", employee.employee_id);
                Saved::to(location, msg("flash-employee-created"))
            },
            async |refused| {
                let text = |e: &FieldError| layout.field_error(e);
                let (messages, row_errors) =
                    placed_messages(&refused.errors, &given, text, form_field);
                let page =
                    new_employee_page(&state, &layout, form.clone(), messages, row_errors).await?;
                Ok(layout.render_status(refused.status, &page))
            },
        )
        .await
}
