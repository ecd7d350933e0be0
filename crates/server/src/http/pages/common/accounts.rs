//! User accounts and sessions as the account pages show them (`/account`, `/users`): the
//! views the use cases give (never a password or a token hash).

pub use crate::services::users::{SessionView, UserView};
