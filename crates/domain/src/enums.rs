//! Small enumerations: stored as the seed's small-integer codes, exposed in JSON as
//! lower-case strings.
//!
//! Two crate-private declarative macros generate the repetitive parts: `named_enum!` for
//! enumerations that only have names, and `code_enum!` for enumerations that also have a
//! stored code.

use jiff::civil::Date;
use jiff::{Span, ToSpan};

/// A string that names no variant of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} '{value}'; expected one of: {}", .expected.join(", "))]
pub struct UnknownVariant {
    /// What was being parsed, e.g. `"gender"`.
    pub kind: &'static str,
    /// The string that was given.
    pub value: String,
    /// The accepted names, in declaration order.
    pub expected: &'static [&'static str],
}

/// Defines an enumeration whose variants have lower-case names (and nothing else):
/// `ALL`, `NAMES`, `as_str`, `Display`, `FromStr` (exact name, error [`UnknownVariant`]),
/// serde under those names and `utoipa::ToSchema`.
///
/// The names are taken as `tt`, not `literal`: a `literal` fragment reaches derive macros
/// wrapped in an invisible group, which `utoipa` silently ignores in `#[serde(rename)]`.
///
/// ```text
/// named_enum! {
///     /// Doc.
///     pub enum Access("access") {
///         /// Doc.
///         Read => "read",
///     }
/// }
/// ```
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident $(= $code:literal)? => $str:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $str)]
                $variant $(= $code)?,
            )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            /// Every variant's name, in declaration order.
            pub const NAMES: &[&str] = &[$($str),+];

            /// The lower-case name used in JSON and in the user interface.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $str,)+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::enums::UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($str => Ok(Self::$variant),)+
                    _ => Err($crate::enums::UnknownVariant {
                        kind: $kind,
                        value: s.to_owned(),
                        expected: Self::NAMES,
                    }),
                }
            }
        }
    };
}
pub(crate) use named_enum;

/// Defines an enumeration as [`named_enum!`] does, each variant with an explicit stored code
/// (`i16`), and adds `code` and `from_code`.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $str:tt ),+ $(,)?
        }
    ) => {
        $crate::enums::named_enum! {
            $(#[$meta])*
            #[repr(i16)]
            $vis enum $name ($kind) {
                $( $(#[$vmeta])* $variant = $code => $str ),+
            }
        }

        impl $name {
            /// The small integer stored in the database.
            pub const fn code(self) -> i16 {
                self as i16
            }

            /// The variant stored as `code`, if any.
            pub const fn from_code(code: i16) -> Option<Self> {
                match code {
                    $($code => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use code_enum;

code_enum! {
    /// A user account's role (`user.roles`).
    pub enum Role("role") {
        /// A patient using the patient portal.
        Patient = 0 => "patient",
        /// Everything, including user accounts.
        Admin = 1 => "admin",
        /// Everything but user accounts.
        Manager = 2 => "manager",
        /// Clinical work, appointments and payments.
        Doctor = 3 => "doctor",
        /// Front desk: patients, appointments, calls, payments.
        Receptionist = 4 => "receptionist",
    }
}

code_enum! {
    /// The kind of a session (`session_token.session_type`). Code 0 ("undefined") is refused.
    pub enum SessionType("session type") {
        /// Staff using the clinic's user portal.
        UserPortal = 1 => "user_portal",
        /// A patient using the patient web portal.
        PatientWeb = 2 => "patient_web",
        /// A head-office (DCMS HQ) session: reads what a manager reads, writes nothing.
        Hq = 3 => "hq",
    }
}

impl SessionType {
    /// Whether a user of `role` may hold a session of this type: patients only `patient_web`,
    /// staff only `user_portal`, and `hq` only admins and managers. A session whose user's
    /// role has since changed so that it no longer fits is not honoured.
    pub const fn fits(self, role: Role) -> bool {
        matches!(
            (self, role),
            (Self::PatientWeb, Role::Patient)
                | (
                    Self::UserPortal,
                    Role::Admin | Role::Manager | Role::Doctor | Role::Receptionist
                )
                | (Self::Hq, Role::Admin | Role::Manager)
        )
    }
}

code_enum! {
    /// A person's gender.
    pub enum Gender("gender") {
        /// Male.
        Male = 0 => "male",
        /// Female.
        Female = 1 => "female",
        /// Other.
        Other = 2 => "other",
    }
}

code_enum! {
    /// A patient's status, from the date of their last visit.
    pub enum PatientStatus("patient status") {
        /// Last visit within 6 months.
        Active = 0 => "active",
        /// Last visit within 1 year.
        Within1y = 1 => "within_1y",
        /// Last visit within 5 years.
        Within5y = 2 => "within_5y",
        /// Last visit longer ago.
        Older = 3 => "older",
    }
}

impl PatientStatus {
    /// The status of a patient whose last visit was on `last_visit`, seen on `today`.
    ///
    /// Periods are calendar periods: active when `last_visit >= today - 6 months`, and so on
    /// (a date with no such day in the earlier month, like 31 August - 6 months, is clamped to
    /// the last day of that month). A visit after `today` counts as active.
    pub fn from_last_visit(last_visit: Date, today: Date) -> PatientStatus {
        Self::period_starts(today)
            .into_iter()
            .find(|(_, first_day)| last_visit >= *first_day)
            .map_or(Self::Older, |(status, _)| status)
    }

    /// The first day of each status's period seen on `today`, newest first: a last visit on
    /// or after a first day (and before the one above it) has that status; one before the
    /// last is [`PatientStatus::Older`]. The one place the periods are written (the stored
    /// column's refresh compares against these days too).
    pub fn period_starts(today: Date) -> [(PatientStatus, Date); 3] {
        let periods: [(PatientStatus, Span); 3] = [
            (Self::Active, 6.months()),
            (Self::Within1y, 1.year()),
            (Self::Within5y, 5.years()),
        ];
        periods.map(|(status, period)| (status, today.saturating_sub(period)))
    }
}

code_enum! {
    /// An employee's status.
    pub enum EmployeeStatus("employee status") {
        /// Not working (fired).
        NotWorking = 0 => "not_working",
        /// Working.
        Active = 1 => "active",
        /// On vacation.
        Vacation = 2 => "vacation",
        /// In training.
        Training = 3 => "training",
        /// An intern.
        Intern = 4 => "intern",
    }
}

code_enum! {
    /// The direction of a call or an SMS.
    pub enum Direction("direction") {
        /// Incoming.
        In = 0 => "in",
        /// Outgoing.
        Out = 1 => "out",
    }
}

code_enum! {
    /// Who the other party of a call or an SMS is.
    pub enum ContactType("contact type") {
        /// A number that belongs to nobody known.
        New = 0 => "new",
        /// A patient's number.
        Patient = 1 => "patient",
        /// An employee's number.
        Employee = 2 => "employee",
    }
}

code_enum! {
    /// The category of a position.
    pub enum PositionCategory("position category") {
        /// Clinical: may be the doctor of an appointment or a treatment.
        Clinical = 0 => "clinical",
        /// Support staff.
        Support = 1 => "support",
        /// Administration.
        Admin = 2 => "admin",
    }
}

code_enum! {
    /// How a payment was made.
    pub enum PaymentMethod("payment method") {
        /// Cash.
        Cash = 0 => "cash",
        /// Bank card.
        Card = 1 => "card",
        /// Bank transfer.
        Transfer = 2 => "transfer",
        /// QPay.
        Qpay = 3 => "qpay",
    }
}

code_enum! {
    /// A tooth numbering system.
    pub enum ToothSystem("tooth system") {
        /// Universal (ADA): 1-32 and A-T.
        Universal = 0 => "universal",
        /// FDI (ISO 3950): 11-48 and 51-85; the clinic default.
        Fdi = 1 => "fdi",
        /// Palmer: quadrant and number, e.g. UR6, ULA.
        Palmer = 2 => "palmer",
    }
}

code_enum! {
    /// A dental arch.
    pub enum Arch("arch") {
        /// The upper (maxillary) arch.
        Upper = 0 => "upper",
        /// The lower (mandibular) arch.
        Lower = 1 => "lower",
    }
}

code_enum! {
    /// A set of teeth: adult or milk teeth.
    pub enum Dentition("dentition") {
        /// The 32 permanent teeth.
        Permanent = 0 => "permanent",
        /// The 20 primary (milk) teeth.
        Primary = 1 => "primary",
    }
}

impl Dentition {
    /// The age, in full years, under which a patient is treated as having primary teeth.
    pub const PRIMARY_UNDER_YEARS: i16 = 6;

    /// The dentition of a patient born on `birthday`, on the date `on`: primary when they
    /// are under 6 full years old that day, permanent otherwise.
    pub fn on(birthday: Date, on: Date) -> Dentition {
        if age_in_years(birthday, on) < Self::PRIMARY_UNDER_YEARS {
            Self::Primary
        } else {
            Self::Permanent
        }
    }
}

/// The age in full years on `on` of a person born on `birthday` (negative if `on` is before
/// the birthday). Someone born on 29 February turns a year older on 1 March in common years.
pub fn age_in_years(birthday: Date, on: Date) -> i16 {
    let years = on.year() - birthday.year();
    if (on.month(), on.day()) < (birthday.month(), birthday.day()) {
        years - 1
    } else {
        years
    }
}

code_enum! {
    /// The delivery state of an outgoing SMS.
    pub enum SmsState("SMS state") {
        /// Waiting to be sent.
        Queued = 0 => "queued",
        /// Handed to the provider, no answer yet.
        Sending = 1 => "sending",
        /// Sent.
        Sent = 2 => "sent",
        /// Failed.
        Failed = 3 => "failed",
        /// The provider's answer was lost or not understood.
        Unknown = 4 => "unknown",
    }
}

code_enum! {
    /// What an e-barimt outbox row asks of PosAPI.
    pub enum ReceiptKind("receipt kind") {
        /// Issue a receipt for money received (`POST /rest/receipt`).
        Issue = 1 => "issue",
        /// Return an issued receipt (`DELETE /rest/receipt`).
        Return = 2 => "return",
    }
}

code_enum! {
    /// Where an e-barimt receipt stands (docs/e-barimt.md).
    pub enum ReceiptState("receipt state") {
        /// Waiting to be sent (again, after a failure, at `next_attempt_at`).
        Queued = 1 => "queued",
        /// Handed to PosAPI, no answer recorded yet (a crash here resends it: the
        /// `billIdSuffix` makes that safe).
        Sending = 2 => "sending",
        /// PosAPI issued it (or, for a return, returned it).
        Done = 3 => "done",
        /// Every attempt failed: on the cashier's list until someone retries it.
        Failed = 4 => "failed",
        /// Returned after a refund (an issued receipt).
        Returned = 5 => "returned",
        /// Never sent: a refund took back its money before it was issued.
        Canceled = 6 => "canceled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;
    use std::str::FromStr;

    /// Checks the generated parts of one enumeration.
    fn check_enum<T>(all: &[T], names: &[&str], code: fn(T) -> i16, from_code: fn(i16) -> Option<T>)
    where
        T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + FromStr + serde::Serialize,
        T: serde::de::DeserializeOwned,
    {
        assert_eq!(all.len(), names.len());
        for (&v, &name) in all.iter().zip(names) {
            assert_eq!(v.to_string(), name);
            assert_eq!(name.parse::<T>().ok(), Some(v));
            assert_eq!(from_code(code(v)), Some(v));
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), v);
            assert!(name.to_uppercase().parse::<T>().is_err());
        }
    }

    #[test]
    fn all_enums_round_trip() {
        check_enum(Role::ALL, Role::NAMES, Role::code, Role::from_code);
        check_enum(
            SessionType::ALL,
            SessionType::NAMES,
            SessionType::code,
            SessionType::from_code,
        );
        check_enum(Gender::ALL, Gender::NAMES, Gender::code, Gender::from_code);
        check_enum(
            PatientStatus::ALL,
            PatientStatus::NAMES,
            PatientStatus::code,
            PatientStatus::from_code,
        );
        check_enum(
            EmployeeStatus::ALL,
            EmployeeStatus::NAMES,
            EmployeeStatus::code,
            EmployeeStatus::from_code,
        );
        check_enum(
            Direction::ALL,
            Direction::NAMES,
            Direction::code,
            Direction::from_code,
        );
        check_enum(
            ContactType::ALL,
            ContactType::NAMES,
            ContactType::code,
            ContactType::from_code,
        );
        check_enum(
            PositionCategory::ALL,
            PositionCategory::NAMES,
            PositionCategory::code,
            PositionCategory::from_code,
        );
        check_enum(
            PaymentMethod::ALL,
            PaymentMethod::NAMES,
            PaymentMethod::code,
            PaymentMethod::from_code,
        );
        check_enum(
            ToothSystem::ALL,
            ToothSystem::NAMES,
            ToothSystem::code,
            ToothSystem::from_code,
        );
        check_enum(Arch::ALL, Arch::NAMES, Arch::code, Arch::from_code);
        check_enum(
            Dentition::ALL,
            Dentition::NAMES,
            Dentition::code,
            Dentition::from_code,
        );
        check_enum(
            SmsState::ALL,
            SmsState::NAMES,
            SmsState::code,
            SmsState::from_code,
        );
    }

    #[test]
    fn codes_match_the_seed() {
        let roles: Vec<_> = Role::ALL.iter().map(|r| (r.code(), r.as_str())).collect();
        assert_eq!(
            roles,
            [
                (0, "patient"),
                (1, "admin"),
                (2, "manager"),
                (3, "doctor"),
                (4, "receptionist")
            ]
        );
        assert_eq!(SessionType::from_code(0), None);
        assert_eq!(SessionType::from_code(1), Some(SessionType::UserPortal));
        assert_eq!(SessionType::Hq.code(), 3);
        assert_eq!(Gender::Other.code(), 2);
        assert_eq!(PatientStatus::Older.code(), 3);
        assert_eq!(EmployeeStatus::Intern.code(), 4);
        assert_eq!(Direction::Out.code(), 1);
        assert_eq!(ContactType::Employee.code(), 2);
        assert_eq!(PositionCategory::Admin.code(), 2);
        assert_eq!(PaymentMethod::Qpay.code(), 3);
        assert_eq!(ToothSystem::Palmer.code(), 2);
        assert_eq!(Arch::Lower.code(), 1);
        assert_eq!(Dentition::Primary.code(), 1);
        assert_eq!(SmsState::Unknown.code(), 4);
        assert_eq!(Gender::from_code(3), None);
        assert_eq!(Gender::from_code(-1), None);
    }

    #[test]
    fn unknown_variant_message() {
        let err = "x".parse::<Gender>().unwrap_err();
        assert_eq!(err.kind, "gender");
        assert_eq!(err.value, "x");
        assert_eq!(
            err.to_string(),
            "unknown gender 'x'; expected one of: male, female, other"
        );
        assert!("Male".parse::<Gender>().is_err());
        assert!(" male".parse::<Gender>().is_err());
        assert!(serde_json::from_str::<Gender>("\"Male\"").is_err());
        assert!(serde_json::from_str::<Gender>("0").is_err());
    }

    #[test]
    fn openapi_schema_lists_the_names() {
        let schema = serde_json::to_value(<Gender as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["type"], "string");
        assert_eq!(
            schema["enum"],
            serde_json::json!(["male", "female", "other"])
        );
        assert_eq!(<SessionType as utoipa::ToSchema>::name(), "SessionType");
        let schema =
            serde_json::to_value(<PatientStatus as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(
            schema["enum"],
            serde_json::json!(["active", "within_1y", "within_5y", "older"])
        );
    }

    #[test]
    fn session_types_fit_roles() {
        for role in Role::ALL {
            assert_eq!(SessionType::PatientWeb.fits(*role), *role == Role::Patient);
            assert_eq!(SessionType::UserPortal.fits(*role), *role != Role::Patient);
            assert_eq!(
                SessionType::Hq.fits(*role),
                matches!(role, Role::Admin | Role::Manager)
            );
        }
    }

    #[test]
    fn patient_status_from_last_visit() {
        let today = date(2025, 8, 31);
        let status = |d| PatientStatus::from_last_visit(d, today);
        assert_eq!(status(today), PatientStatus::Active);
        assert_eq!(status(date(2026, 1, 1)), PatientStatus::Active);
        // 31 August - 6 months = 28 February.
        assert_eq!(status(date(2025, 2, 28)), PatientStatus::Active);
        assert_eq!(status(date(2025, 2, 27)), PatientStatus::Within1y);
        assert_eq!(status(date(2024, 8, 31)), PatientStatus::Within1y);
        assert_eq!(status(date(2024, 8, 30)), PatientStatus::Within5y);
        assert_eq!(status(date(2020, 8, 31)), PatientStatus::Within5y);
        assert_eq!(status(date(2020, 8, 30)), PatientStatus::Older);
        assert_eq!(status(date(1900, 1, 1)), PatientStatus::Older);
        // Near the ends of the supported range nothing panics.
        assert_eq!(
            PatientStatus::from_last_visit(Date::MIN, Date::MIN),
            PatientStatus::Active
        );
        assert_eq!(
            PatientStatus::from_last_visit(Date::MIN, Date::MAX),
            PatientStatus::Older
        );
    }

    #[test]
    fn dentition_by_age() {
        let birthday = date(2019, 5, 10);
        assert_eq!(
            Dentition::on(birthday, date(2019, 5, 10)),
            Dentition::Primary
        );
        assert_eq!(
            Dentition::on(birthday, date(2025, 5, 9)),
            Dentition::Primary
        );
        assert_eq!(
            Dentition::on(birthday, date(2025, 5, 10)),
            Dentition::Permanent
        );
        assert_eq!(
            Dentition::on(date(1985, 3, 15), date(2025, 1, 1)),
            Dentition::Permanent
        );
        // Born on 29 February: six on 1 March of a common year.
        let leap = date(2020, 2, 29);
        assert_eq!(Dentition::on(leap, date(2026, 2, 28)), Dentition::Primary);
        assert_eq!(Dentition::on(leap, date(2026, 3, 1)), Dentition::Permanent);
        assert_eq!(age_in_years(date(2000, 1, 1), date(1999, 12, 31)), -1);
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".*") {
            let _ = s.parse::<Role>();
            let _ = s.parse::<SessionType>();
            let _ = s.parse::<Gender>();
            let _ = s.parse::<PatientStatus>();
            let _ = s.parse::<EmployeeStatus>();
            let _ = s.parse::<Direction>();
            let _ = s.parse::<ContactType>();
            let _ = s.parse::<PositionCategory>();
            let _ = s.parse::<PaymentMethod>();
            let _ = s.parse::<ToothSystem>();
            let _ = s.parse::<Arch>();
            let _ = s.parse::<Dentition>();
            let _ = s.parse::<SmsState>();
        }

        #[test]
        fn from_code_is_inverse_of_code(code in any::<i16>()) {
            if let Some(role) = Role::from_code(code) {
                prop_assert_eq!(role.code(), code);
            }
            if let Some(state) = SmsState::from_code(code) {
                prop_assert_eq!(state.code(), code);
            }
        }

        #[test]
        fn display_parse_round_trip(i in 0usize..5) {
            let role = Role::ALL[i];
            prop_assert_eq!(role.to_string().parse::<Role>(), Ok(role));
            let state = SmsState::ALL[i];
            prop_assert_eq!(state.to_string().parse::<SmsState>(), Ok(state));
        }

        #[test]
        fn patient_status_is_monotonic(
            a in -100_000i32..100_000,
            b in -100_000i32..100_000,
        ) {
            let today = date(2025, 6, 15);
            let day = |n: i32| today.saturating_add(n.days());
            let (recent, old) = if a >= b { (day(a), day(b)) } else { (day(b), day(a)) };
            prop_assert!(
                PatientStatus::from_last_visit(recent, today)
                    <= PatientStatus::from_last_visit(old, today)
            );
        }
    }
}
