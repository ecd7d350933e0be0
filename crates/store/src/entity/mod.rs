//! sea-orm entities, one module per table. Column names follow the seed; the repositories
//! turn rows into domain types.

pub mod appointment;
pub mod attachment;
pub mod attachment_tooth;
pub mod audit_chain_head;
pub mod audit_log;
pub mod call;
pub mod employee;
pub mod employee_display_number_counter;
pub mod employee_phone;
pub mod employee_position;
pub mod finding;
pub mod medical_history;
pub mod medical_questionnaire;
pub mod patient;
pub mod patient_phone;
pub mod payment;
pub mod position;
pub mod service_catalog;
pub mod session_token;
pub mod settings;
pub mod sms;
pub mod sms_outbox;
pub mod tooth_definition;
pub mod treatment;
pub mod treatment_item;
pub mod treatment_item_tooth;
pub mod treatment_plan;
pub mod treatment_plan_item;
pub mod treatment_plan_item_tooth;
pub mod user;
pub mod user_preference;
