//! The domain model of DCMS, a dental clinic management system for clinics in Mongolia.
//!
//! Plain values with their rules and nothing else: no I/O, no database, no HTTP. Every type
//! validates when it is built (constructors return `Result`), so a value that exists is
//! valid. Error messages are plain English sentences, fit for an HTTP 422 body.
//!
//! * [`enums`]: the small-integer enumerations (roles, session types, statuses, ...).
//! * [`RegisterNumber`]: the Mongolian national registration number.
//! * [`Phone`]: Mongolian and foreign phone numbers.
//! * [`ToothCode`], [`all_teeth`]: the tooth dictionary in three notations.
//! * [`AppointmentStatus`]: appointment statuses and their moves.
//! * [`TreatmentScope`], [`select_teeth`]: which teeth a treatment item covers.
//! * [`Surfaces`], [`FindingKind`], [`PlanStatus`]: the dentist's chart and treatment plans.
//! * [`MedicalHistory`], [`Alert`], [`AttachmentKind`], [`FileType`]: medical history, its
//!   alerts, and the files kept with the record.
//! * [`working_hours`], [`slot_starts`], [`RecallState`], [`RequestStatus`]: the front desk.
//! * [`Money`]: whole tugrik; [`Discount`], [`TaxType`], [`Tin`]: discounts and e-barimt.
//! * [`SearchShape`], [`SearchForm`], [`fold_name_key`], [`reversed_digits`]: patient search as
//!   the front desk types, and the keys stored for it.
//! * [`permits`]: the permission table.
//! * [`PersonName`], [`Email`], [`name_key`], [`username_key`]: text values and search keys.
//! * [`parse_template`], [`render`]: message templates with placeholders.
//! * [`SessionLimits`]: how long sessions last.
//! * [`OpeningHours`], [`Language`], [`TimeZoneName`], [`ClinicName`], [`ClinicCode`]: clinic settings.
//!
//! Everything is re-exported at the crate root.

#![forbid(unsafe_code)]

pub mod appointment;
pub mod chart;
pub mod ebarimt;
pub mod enums;
pub mod front_desk;
pub mod medical;
pub mod money;
pub mod opening_hours;
pub mod permission;
pub mod phone;
pub mod register_number;
pub mod search;
pub mod session;
pub mod settings;
mod strings;
pub mod template;
pub mod text;
pub mod tooth;
pub mod treatment;

pub use appointment::*;
pub use chart::*;
pub use ebarimt::*;
pub use enums::*;
pub use front_desk::*;
pub use medical::*;
pub use money::*;
pub use opening_hours::*;
pub use permission::*;
pub use phone::*;
pub use register_number::*;
pub use search::*;
pub use session::*;
pub use settings::*;
pub use template::*;
pub use text::*;
pub use tooth::*;
pub use treatment::*;
