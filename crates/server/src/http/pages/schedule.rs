//! The schedule's settings on the pages: the clinic's chairs (`/chairs`: added, renamed,
//! reordered, taken out of use) and a doctor's hours (`/staff/{id}/hours`: the weekly
//! template typed per weekday as `09:00-13:00, 14:00-18:00` with the usual chair, and the
//! exceptions by date). Everyone who books reads them; admins and managers change them
//! (`http::permissions`).

use super::common::{Choice, intervals_typed};
use super::{FieldMessages, Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::chairs::{self, ChairInput};
use crate::services::hours::{self, ExceptionInput, IntervalInput};
use crate::services::{ServiceError, staff};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use dcms_domain::{ExceptionKind, WEEKDAY_KEYS};
use serde::Deserialize;

/// Every refusal in one sentence, shown above the form.
fn sentence(layout: &Layout, errors: &[crate::services::FieldError]) -> String {
    errors
        .iter()
        .map(|e| layout.field_error(e))
        .collect::<Vec<_>>()
        .join(" ")
}

// --- chairs ------------------------------------------------------------------------------------

/// A chair as the page lists it.
pub struct ChairRow {
    pub chair_id: i64,
    pub name: String,
    pub position: i32,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "chairs.html")]
struct ChairsPage<'a> {
    layout: &'a Layout,
    rows: Vec<ChairRow>,
    /// What went wrong with the last change, in one sentence.
    problem: Option<String>,
}

/// `GET /chairs`.
pub async fn chairs(State(state): State<AppState>, layout: Layout) -> PageResult {
    chairs_page(&state, &layout, None, StatusCode::OK).await
}

async fn chairs_page(
    state: &AppState,
    layout: &Layout,
    problem: Option<String>,
    status: StatusCode,
) -> PageResult {
    let rows = chairs::list(&state.store, false)
        .await
        .or_page(layout)?
        .into_iter()
        .map(|c| ChairRow {
            chair_id: c.chair_id,
            name: c.name,
            position: c.position,
            active: c.active,
        })
        .collect();
    Ok(layout.render_status(
        status,
        &ChairsPage {
            layout,
            rows,
            problem,
        },
    ))
}

/// A chair added or changed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChairForm {
    name: String,
    position: String,
    /// A checkbox (present when ticked); absent from the form that adds a chair.
    active: Option<String>,
    /// Present on the form that changes a chair (so an unticked box deactivates it).
    editing: Option<String>,
}

impl ChairForm {
    fn input(&self) -> ChairInput {
        ChairInput {
            name: Some(self.name.clone()),
            active: self.editing.as_ref().map(|_| self.active.is_some()),
            position: self.position.trim().parse().ok(),
        }
    }
}

async fn chair_saved(
    state: &AppState,
    layout: &Layout,
    result: Result<chairs::Chair, ServiceError>,
) -> PageResult {
    match result {
        Ok(chair) => Ok(layout
            .go(Saved::to("/chairs", msg("flash-saved")).at(&format!("chair-{}", chair.chair_id)))),
        Err(ServiceError::Invalid(errors)) => {
            let problem = sentence(layout, &errors);
            chairs_page(
                state,
                layout,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(layout.error(other)),
    }
}

/// `POST /chairs`: adds a chair.
pub async fn add_chair(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<ChairForm>,
) -> PageResult {
    let result = chairs::create(&state.store, &state.audit, caller.actor(), form.input()).await;
    chair_saved(&state, &layout, result).await
}

/// `POST /chairs/{chair_id}`: renames, reorders, takes out of use or back.
pub async fn change_chair(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(chair_id): Path<i64>,
    layout: Layout,
    Form(form): Form<ChairForm>,
) -> PageResult {
    let result = chairs::update(
        &state.store,
        &state.audit,
        caller.actor(),
        chair_id,
        form.input(),
    )
    .await;
    chair_saved(&state, &layout, result).await
}

// --- a doctor's hours ----------------------------------------------------------------------------

/// One weekday of the template form.
pub struct DayRow {
    /// 1 Monday to 7 Sunday.
    pub weekday: u8,
    pub name: String,
    /// `09:00-13:00, 14:00-18:00`.
    pub hours: String,
    pub chair_id: String,
}

/// An exception as the page lists it.
pub struct ExceptionRow {
    pub exception_id: i64,
    pub date: String,
    pub kind: String,
    pub hours: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "doctor_hours.html")]
struct HoursPage<'a> {
    layout: &'a Layout,
    employee_id: i64,
    name: String,
    days: Vec<DayRow>,
    chairs: Vec<Choice>,
    kinds: Vec<Choice>,
    exceptions: Vec<ExceptionRow>,
    /// What the clinic's opening hours are, for the hint.
    problem: Option<String>,
    errors: FieldMessages,
}

async fn hours_page(
    state: &AppState,
    layout: &Layout,
    employee_id: i64,
    typed: Option<Vec<DayRow>>,
    problem: Option<String>,
    errors: FieldMessages,
    status: StatusCode,
) -> PageResult {
    let employee = staff::get(&state.store, employee_id)
        .await
        .or_page(layout)?;
    let weekly = hours::weekly(&state.store, employee_id)
        .await
        .or_page(layout)?;
    let today = jiff::Timestamp::now()
        .to_zoned(layout.time_zone.clone())
        .date();
    let exceptions = hours::exceptions(&state.store, employee_id, Some(today), None)
        .await
        .or_page(layout)?
        .into_iter()
        .map(|x| ExceptionRow {
            exception_id: x.exception_id,
            date: x.date.to_string(),
            kind: layout.t(&format!("exception-{}", x.kind.as_str())),
            hours: match (x.start, x.end) {
                (Some(s), Some(e)) => format!("{s}–{e}"),
                _ => layout.t("exception-whole-day"),
            },
            note: x.note.unwrap_or_default(),
        })
        .collect();
    let days = typed.unwrap_or_else(|| {
        (1..=7u8)
            .map(|weekday| {
                let mine: Vec<_> = weekly.iter().filter(|w| w.weekday == weekday).collect();
                DayRow {
                    weekday,
                    name: layout.t(&format!(
                        "weekday-{}",
                        WEEKDAY_KEYS[usize::from(weekday - 1)]
                    )),
                    hours: mine
                        .iter()
                        .map(|w| format!("{}-{}", w.start, w.end))
                        .collect::<Vec<_>>()
                        .join(", "),
                    chair_id: mine
                        .iter()
                        .find_map(|w| w.chair_id)
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                }
            })
            .collect()
    });
    let chairs = chairs::list(&state.store, true)
        .await
        .or_page(layout)?
        .into_iter()
        .map(|c| Choice {
            value: c.chair_id.to_string(),
            label: c.name,
        })
        .collect();
    let kinds = ExceptionKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: layout.t(&format!("exception-{}", k.as_str())),
        })
        .collect();
    Ok(layout.render_status(
        status,
        &HoursPage {
            layout,
            employee_id,
            name: format!("{} {}", employee.last_name, employee.first_name),
            days,
            chairs,
            kinds,
            exceptions,
            problem,
            errors,
        },
    ))
}

/// Back to the hours page after a change (at `anchor`), or the page again with the refusal
/// in one sentence above the forms (and the week as typed).
async fn hours_answer<T>(
    state: &AppState,
    layout: &Layout,
    employee_id: i64,
    result: Result<T, ServiceError>,
    anchor: &str,
    typed: Option<Vec<DayRow>>,
) -> PageResult {
    match result {
        Ok(_) => Ok(layout.go(Saved::to(
            format!("/staff/{employee_id}/hours{anchor}"),
            msg("flash-saved"),
        ))),
        Err(ServiceError::Invalid(refused)) => {
            let problem = Some(sentence(layout, &refused));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let errors = FieldMessages::default();
            hours_page(state, layout, employee_id, typed, problem, errors, status).await
        }
        Err(other) => Err(layout.error(other)),
    }
}

/// `GET /staff/{employee_id}/hours`.
pub async fn doctor_hours(
    State(state): State<AppState>,
    Path(employee_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    hours_page(
        &state,
        &layout,
        employee_id,
        None,
        None,
        FieldMessages::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /staff/{employee_id}/hours` (`hours_1`..`hours_7`, `chair_1`..`chair_7`): writes
/// the weekly template; every day empty removes it.
pub async fn set_hours(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    layout: Layout,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> PageResult {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: String| {
        fields
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut errors = FieldMessages::default();
    let mut input = Vec::new();
    let mut typed = Vec::new();
    for weekday in 1..=7u8 {
        let text = field(format!("hours_{weekday}"));
        let chair = field(format!("chair_{weekday}"));
        match intervals_typed(&text) {
            Some(intervals) => {
                for (start, end) in intervals {
                    input.push(IntervalInput {
                        weekday: Some(i64::from(weekday)),
                        start: Some(start),
                        end: Some(end),
                        chair_id: chair.trim().parse().ok(),
                    });
                }
            }
            None => errors.push(&format!("hours_{weekday}"), layout.t("error-opening-hours")),
        }
        typed.push(DayRow {
            weekday,
            name: layout.t(&format!(
                "weekday-{}",
                WEEKDAY_KEYS[usize::from(weekday - 1)]
            )),
            hours: text,
            chair_id: chair,
        });
    }
    if !errors.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return hours_page(
            &state,
            &layout,
            employee_id,
            Some(typed),
            None,
            errors,
            status,
        )
        .await;
    }
    let result = hours::set_weekly(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        input,
    )
    .await;
    hours_answer(&state, &layout, employee_id, result, "", Some(typed)).await
}

/// An exception as the form sends it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExceptionForm {
    date: String,
    kind: String,
    start: String,
    end: String,
    note: String,
}

/// `POST /staff/{employee_id}/exceptions`: adds an exception.
pub async fn add_exception(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    layout: Layout,
    Form(form): Form<ExceptionForm>,
) -> PageResult {
    let blank = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let input = ExceptionInput {
        date: blank(&form.date),
        kind: blank(&form.kind),
        start: blank(&form.start),
        end: blank(&form.end),
        note: blank(&form.note),
    };
    let result = hours::add_exception(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        input,
    )
    .await;
    hours_answer(&state, &layout, employee_id, result, "#exceptions", None).await
}

/// `POST /staff/{employee_id}/exceptions/{exception_id}/delete`.
pub async fn remove_exception(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((employee_id, exception_id)): Path<(i64, i64)>,
    layout: Layout,
) -> PageResult {
    hours::remove_exception(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        exception_id,
    )
    .await
    .or_page(&layout)?;
    Ok(layout.go(Saved::to(
        format!("/staff/{employee_id}/hours#exceptions"),
        msg("flash-saved"),
    )))
}
