//! The clinic's use cases: domain rules, repositories and (later) audit, one place for each.
//! The JSON API, the web pages and the command line all call these.

pub mod audit;
pub mod auth;
mod error;
pub mod passwords;
pub mod users;

pub use error::{FieldError, ServiceError};
