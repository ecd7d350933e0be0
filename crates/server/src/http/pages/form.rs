//! A submitted form's answer, said once for every form of the pages: saved, it goes on to a
//! page of ours with a one-time message; refused for what was typed (`ServiceError::Invalid`,
//! 422, and the refusals a form words itself, such as a taken number), the form comes back
//! with each field's message; any other error is the error page. A handler states only what
//! differs: where a saved form goes, which other refusals its form shows, and how the form
//! comes back.
//!
//! ```text
//! let result = staff::update(&state.store, &state.audit, caller.actor(), id, changes).await;
//! layout
//!     .submitted(result)
//!     .answer(
//!         |_| Saved::to(format!("/staff/{id}"), msg("flash-saved")),
//!         async |refused| employee_page(&state, &layout, id, refused.messages(&layout)).await,
//!     )
//!     .await
//! ```

use super::layout::{FieldMessages, Layout, PageResult};
use super::respond::{see_other, see_other_with_flash};
use crate::services::{FieldError, ServiceError};
use axum::http::StatusCode;

/// Where a saved form goes: a path of ours, and the one-time message shown there.
pub struct Saved {
    location: String,
    flash: Option<&'static str>,
}

impl Saved {
    /// To `location`, saying `flash` (a message id) there.
    pub fn to(location: impl Into<String>, flash: &'static str) -> Saved {
        Saved {
            location: location.into(),
            flash: Some(flash),
        }
    }

    /// The same, at the fragment `#id` of the page.
    pub fn at(mut self, id: &str) -> Saved {
        self.location = format!("{}#{id}", self.location);
        self
    }

    /// To `location`, saying nothing.
    pub fn quietly(location: impl Into<String>) -> Saved {
        Saved {
            location: location.into(),
            flash: None,
        }
    }
}

/// A refusal the form shows: the service's field errors, and the status the page answers
/// with (422 for what was typed; another for a refusal the handler words, such as 409).
pub struct Refusal {
    pub errors: Vec<FieldError>,
    pub status: StatusCode,
}

impl Refusal {
    /// Each error's message beside its own field.
    pub fn messages(&self, layout: &Layout) -> FieldMessages {
        layout.field_errors(&self.errors)
    }

    /// Each error's message beside the field `place` gives for the error's field (the form
    /// shows `phones[1].number` beside `phones`, every error of a section above it).
    pub fn messages_at(&self, layout: &Layout, place: impl Fn(&str) -> &str) -> FieldMessages {
        self.worded(|e| layout.field_error(e), place)
    }

    /// Each error as `text` words it, beside the field `place` gives.
    pub fn worded(
        &self,
        text: impl Fn(&FieldError) -> String,
        place: impl Fn(&str) -> &str,
    ) -> FieldMessages {
        let mut messages = FieldMessages::default();
        for e in &self.errors {
            messages.push(place(&e.field), text(e));
        }
        messages
    }

    /// Every message in one sentence, for a form that shows them together.
    pub fn sentence(&self, layout: &Layout) -> String {
        self.errors
            .iter()
            .map(|e| layout.field_error(e))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A form's result on its way to an answer: see [`Layout::submitted`].
pub struct Submitted<'a, T, R> {
    layout: &'a Layout,
    result: Result<T, ServiceError>,
    /// The refusal a form shows for an error, or the error back for the error page.
    refusal: R,
}

/// `ServiceError::Invalid` is shown on the form (422); the rest is the error page.
fn invalid(err: ServiceError) -> Result<Refusal, ServiceError> {
    match err {
        ServiceError::Invalid(errors) => Ok(Refusal {
            errors,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }),
        other => Err(other),
    }
}

type Shown = fn(ServiceError) -> Result<Refusal, ServiceError>;

impl Layout {
    /// The redirect to where a saved form goes.
    pub fn go(&self, saved: Saved) -> axum::response::Response {
        match saved.flash {
            Some(id) => see_other_with_flash(&saved.location, id, self.secure),
            None => see_other(&saved.location),
        }
    }

    /// Starts the answer to a submitted form whose use case gave `result`; its
    /// [`answer`](Submitted::answer) says the rest.
    pub fn submitted<T>(&self, result: Result<T, ServiceError>) -> Submitted<'_, T, Shown> {
        Submitted {
            layout: self,
            result,
            refusal: invalid,
        }
    }
}

impl<'a, T, R> Submitted<'a, T, R>
where
    R: FnOnce(ServiceError) -> Result<Refusal, ServiceError>,
{
    /// A conflict (a taken number, the last admin) is shown on the form too: as the field
    /// error `error` makes of its text, answered with `status`.
    pub fn conflict(
        self,
        status: StatusCode,
        error: impl FnOnce(String) -> FieldError,
    ) -> Submitted<'a, T, impl FnOnce(ServiceError) -> Result<Refusal, ServiceError>> {
        self.or_show(status, move |err| match err {
            ServiceError::Conflict(text) => Ok(error(text)),
            other => Err(other),
        })
    }

    /// Another refusal shown on the form: `error` makes a field error of the ones the form
    /// shows (answered with `status`) and gives the others back for the error page.
    pub fn or_show(
        self,
        status: StatusCode,
        error: impl FnOnce(ServiceError) -> Result<FieldError, ServiceError>,
    ) -> Submitted<'a, T, impl FnOnce(ServiceError) -> Result<Refusal, ServiceError>> {
        let before = self.refusal;
        Submitted {
            layout: self.layout,
            result: self.result,
            refusal: move |err| {
                before(err).or_else(|err| {
                    error(err).map(|e| Refusal {
                        errors: vec![e],
                        status,
                    })
                })
            },
        }
    }

    /// The answer: saved, a redirect to where `saved` says (with its message); refused in
    /// a way the form shows, the page `again` makes of the refusal; else the error page.
    pub async fn answer(
        self,
        saved: impl FnOnce(T) -> Saved,
        again: impl AsyncFnOnce(Refusal) -> PageResult,
    ) -> PageResult {
        let layout = self.layout;
        match self.result {
            Ok(value) => Ok(layout.go(saved(value))),
            Err(err) => match (self.refusal)(err) {
                Ok(refusal) => again(refusal).await,
                Err(other) => Err(layout.error(other)),
            },
        }
    }
}

/// The value of the field `name` of a posted form read as pairs (the first, or "").
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

impl Layout {
    /// A refused action of a page without a form to show again (a button on a list): the
    /// error page saying `id` (what was not changed) and each field's message; another error
    /// is its usual page.
    pub fn refused_action(&self, err: ServiceError, id: &'static str) -> axum::response::Response {
        match err {
            ServiceError::Invalid(errors) => {
                let detail = errors
                    .iter()
                    .map(|e| self.field_error(e))
                    .collect::<Vec<_>>()
                    .join(" ");
                self.error_page(StatusCode::UNPROCESSABLE_ENTITY, id, Some(detail))
            }
            other => self.error(other),
        }
    }
}
