use dcms_store::StoreError;
use serde::Serialize;

/// One invalid field of a request, with a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name as the client sent it (`phones`, `phones[1].number`).
    pub field: String,
    pub message: String,
    /// The rule broken, as a message id of the pages' catalogue (`error-...`), so that the
    /// pages can say it in the user's language. Not part of the API's JSON.
    #[serde(skip)]
    #[schema(ignore)]
    pub code: Option<&'static str>,
    /// The values the translated message names (`min`, `max`).
    #[serde(skip)]
    #[schema(ignore)]
    pub args: Vec<(&'static str, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl ToString) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.to_string(),
            code: None,
            args: Vec::new(),
        }
    }

    /// An error with a translatable code (see `code`).
    pub fn coded(
        field: impl Into<String>,
        code: &'static str,
        message: impl ToString,
    ) -> FieldError {
        FieldError {
            code: Some(code),
            ..FieldError::new(field, message)
        }
    }

    /// Adds a named value for the translated message.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> FieldError {
        self.args.push((name, value.to_string()));
        self
    }
}

/// Why a use case refused or failed. Mapped to HTTP once, in `http::error`, and to a one-line
/// message on the command line.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Well-formed but invalid input (422), field by field.
    #[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The thing named does not exist, or is not the caller's to see (404).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A rule about the current state forbids it (409).
    #[error("{0}")]
    Conflict(String),
    /// No valid session (401).
    #[error("not signed in, or the session has ended")]
    Unauthenticated,
    /// Too many failed attempts; try again after this many seconds (429).
    #[error("too many attempts; try again in {retry_after} s")]
    TooManyAttempts { retry_after: u64 },
    /// A limit of open things is reached (429): the sentence says which.
    #[error("{0}")]
    TooMany(String),
    /// The server is too busy to take this now (503).
    #[error("the server is busy; try again shortly")]
    Busy,
    /// The caller's role may not do this (403).
    #[error("forbidden")]
    Forbidden,
    /// The caller's role may not do this particular thing (403), said plainly: `code` is a
    /// message id of the pages' catalogue (`error-...`), `detail` the API's sentence.
    #[error("forbidden: {detail}")]
    ForbiddenBecause {
        code: &'static str,
        detail: &'static str,
    },
    /// A file larger than the clinic accepts (413).
    #[error("the file is larger than {limit_mib} MiB, the largest the clinic accepts")]
    TooLarge { limit_mib: u32 },
    /// A file of a type DCMS does not keep (415).
    #[error("unsupported file type: {0}")]
    UnsupportedType(&'static str),
    /// The storage failed (500, logged).
    #[error(transparent)]
    Store(StoreError),
    /// Something that should not happen (500, logged).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// A single-field validation error.
    pub fn invalid(field: impl Into<String>, message: impl ToString) -> ServiceError {
        ServiceError::Invalid(vec![FieldError::new(field, message)])
    }

    /// A single-field validation error with a translatable code.
    pub fn invalid_coded(field: FieldError) -> ServiceError {
        ServiceError::Invalid(vec![field])
    }
}

impl From<dcms_store::sea_orm::DbErr> for ServiceError {
    /// A failed commit or statement outside the repositories (a unique violation is still a
    /// conflict).
    fn from(err: dcms_store::sea_orm::DbErr) -> Self {
        StoreError::from(err).into()
    }
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => ServiceError::NotFound(what),
            StoreError::Conflict(detail) => ServiceError::Conflict(detail),
            StoreError::Busy(detail) => {
                tracing::warn!(%detail, "database busy: answered 503");
                ServiceError::Busy
            }
            other => ServiceError::Store(other),
        }
    }
}
