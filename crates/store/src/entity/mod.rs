//! sea-orm entities, one module per table. Column names follow the seed; the repositories
//! turn rows into domain types.

pub mod audit_chain_head;
pub mod audit_log;
pub mod session_token;
pub mod settings;
pub mod tooth_definition;
pub mod user;
