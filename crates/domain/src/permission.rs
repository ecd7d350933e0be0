//! Who may do what: the permission table (docs/architecture.md, "Who may do what"), in
//! one place.

use crate::enums::{Role, SessionType, named_enum};

named_enum! {
    /// Who is making a request, as far as permissions go: a role, except that a head-office
    /// session is its own principal.
    pub enum Principal("principal") {
        /// An admin.
        Admin => "admin",
        /// A manager.
        Manager => "manager",
        /// A doctor.
        Doctor => "doctor",
        /// A receptionist.
        Receptionist => "receptionist",
        /// A DCMS HQ session of an admin or a manager: reads what a manager reads, writes nothing.
        Hq => "hq",
        /// A patient (the `/me` portal only).
        Patient => "patient",
    }
}

named_enum! {
    /// An area of the system that permissions are granted on.
    pub enum Capability("capability") {
        /// User accounts, including other users' sessions.
        Users => "users",
        /// Clinic settings.
        Settings => "settings",
        /// Employees and positions.
        Staff => "staff",
        /// The service catalog and its prices.
        Catalog => "catalog",
        /// Patients, their phones, patient search.
        Patients => "patients",
        /// Appointments.
        Appointments => "appointments",
        /// Treatments, their items and teeth.
        Treatments => "treatments",
        /// Payments (not refunds).
        Payments => "payments",
        /// Refunds, finishing an appointment with an unpaid treatment, editing a fully paid
        /// treatment, booking or moving an appointment into the past: a manager's or an
        /// admin's overrides of the front desk's rules.
        Refunds => "refunds",
        /// Calls and SMS.
        Communications => "communications",
        /// Reports and the audit log.
        Reports => "reports",
        /// The patient portal (`/me`): one's own record.
        OwnRecord => "own_record",
        /// Medical histories (clinical staff; receptionists see only the alerts, through the
        /// patient; HQ nothing).
        MedicalHistory => "medical_history",
        /// X-rays, photos and documents on the record (receptionists: documents and consents
        /// only, which the use case checks; HQ nothing).
        Attachments => "attachments",
        /// Closing the day against the drawer (those who count it: not doctors, who take
        /// payments but do not keep the till).
        DayClose => "day_close",
    }
}

named_enum! {
    /// Reading or writing.
    pub enum Access("access") {
        /// Reading.
        Read => "read",
        /// Creating, changing or acting.
        Write => "write",
    }
}

impl Principal {
    /// The principal of a session of type `session_type` held by a user with `role`.
    ///
    /// A patient is always [`Principal::Patient`]; an HQ session of an admin or a manager is
    /// [`Principal::Hq`]. Other roles cannot open HQ sessions (login refuses them); should
    /// one exist, it gets no more than the role's own rights.
    pub const fn of(role: Role, session_type: SessionType) -> Principal {
        match (role, session_type) {
            (Role::Patient, _) => Principal::Patient,
            (Role::Admin | Role::Manager, SessionType::Hq) => Principal::Hq,
            (Role::Admin, _) => Principal::Admin,
            (Role::Manager, _) => Principal::Manager,
            (Role::Doctor, _) => Principal::Doctor,
            (Role::Receptionist, _) => Principal::Receptionist,
        }
    }
}

/// What one principal may do with one capability.
#[derive(Clone, Copy)]
struct Grant {
    read: bool,
    write: bool,
}

const NO: Grant = Grant {
    read: false,
    write: false,
};
const R: Grant = Grant {
    read: true,
    write: false,
};
const W: Grant = Grant {
    read: false,
    write: true,
};
const RW: Grant = Grant {
    read: true,
    write: true,
};

/// The permission table: one row per capability (in `Capability::ALL` order), one column per
/// principal (in `Principal::ALL` order). A test walks it.
#[rustfmt::skip]
const TABLE: [(Capability, [Grant; 6]); 15] = [
    //                            admin manager doctor receptionist hq  patient
    (Capability::Users,          [RW,   NO,     NO,    NO,          NO, NO]),
    (Capability::Settings,       [RW,   RW,     R,     R,           R,  NO]),
    (Capability::Staff,          [RW,   RW,     R,     R,           R,  NO]),
    (Capability::Catalog,        [RW,   RW,     R,     R,           R,  NO]),
    (Capability::Patients,       [RW,   RW,     RW,    RW,          R,  NO]),
    (Capability::Appointments,   [RW,   RW,     RW,    RW,          R,  NO]),
    (Capability::Treatments,     [RW,   RW,     RW,    R,           R,  NO]),
    (Capability::Payments,       [RW,   RW,     RW,    RW,          R,  NO]),
    (Capability::Refunds,        [W,    W,      NO,    NO,          NO, NO]),
    (Capability::Communications, [RW,   RW,     R,     RW,          R,  NO]),
    (Capability::Reports,        [R,    R,      NO,    NO,          R,  NO]),
    (Capability::OwnRecord,      [NO,   NO,     NO,    NO,          NO, RW]),
    (Capability::MedicalHistory, [RW,   RW,     RW,    NO,          NO, NO]),
    (Capability::Attachments,    [RW,   RW,     RW,    RW,          NO, NO]),
    (Capability::DayClose,       [RW,   RW,     R,     RW,          R,  NO]),
];

/// Whether `principal` may `access` `capability`.
pub const fn permits(principal: Principal, capability: Capability, access: Access) -> bool {
    // Discriminants are declaration positions, which index the table (checked by a test).
    let grant = TABLE[capability as usize].1[principal as usize];
    match access {
        Access::Read => grant.read,
        Access::Write => grant.write,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table_rows_and_columns_line_up() {
        assert_eq!(TABLE.len(), Capability::ALL.len());
        for (i, (capability, _)) in TABLE.iter().enumerate() {
            assert_eq!(*capability, Capability::ALL[i]);
            assert_eq!(*capability as usize, i);
        }
        for (i, principal) in Principal::ALL.iter().enumerate() {
            assert_eq!(*principal as usize, i);
        }
    }

    #[test]
    fn a_few_cells() {
        use Access::*;
        use Capability::*;
        use Principal::*;
        let cell = |p, c| match (permits(p, c, Read), permits(p, c, Write)) {
            (true, true) => "rw",
            (true, false) => "r",
            (false, true) => "w",
            (false, false) => "-",
        };
        for &c in Capability::ALL {
            let row: Vec<_> = Principal::ALL.iter().map(|&p| cell(p, c)).collect();
            println!("{:<15} {}", c.as_str(), row.join(" "));
        }
        assert_eq!(cell(Admin, Users), "rw");
        assert_eq!(cell(Manager, Users), "-");
        assert_eq!(cell(Doctor, Settings), "r");
        assert_eq!(cell(Receptionist, Treatments), "r");
        assert_eq!(cell(Doctor, Treatments), "rw");
        assert_eq!(cell(Doctor, Payments), "rw");
        assert_eq!(cell(Doctor, Refunds), "-");
        assert_eq!(cell(Manager, Refunds), "w");
        assert_eq!(cell(Doctor, Communications), "r");
        assert_eq!(cell(Receptionist, Communications), "rw");
        assert_eq!(cell(Hq, Reports), "r");
        assert_eq!(cell(Doctor, Reports), "-");
        assert_eq!(cell(Patient, OwnRecord), "rw");
        assert_eq!(cell(Admin, OwnRecord), "-");
        assert!(permits(Manager, Catalog, Write));
        assert!(!permits(Receptionist, Staff, Write));
    }

    #[test]
    fn hq_never_writes_and_patients_only_see_their_own() {
        for &c in Capability::ALL {
            assert!(!permits(Principal::Hq, c, Access::Write), "hq writes {c}");
            assert_eq!(
                permits(Principal::Patient, c, Access::Read),
                c == Capability::OwnRecord
            );
            // HQ reads what a manager reads, except what is medical.
            let medical = [Capability::MedicalHistory, Capability::Attachments].contains(&c);
            let hq = permits(Principal::Hq, c, Access::Read);
            let manager = permits(Principal::Manager, c, Access::Read);
            assert!(if medical { !hq } else { hq == manager }, "{c}");
        }
    }

    #[test]
    fn principal_of_role_and_session() {
        use Principal as P;
        let cases = [
            (Role::Admin, SessionType::UserPortal, P::Admin),
            (Role::Admin, SessionType::Hq, P::Hq),
            (Role::Manager, SessionType::Hq, P::Hq),
            (Role::Manager, SessionType::UserPortal, P::Manager),
            (Role::Doctor, SessionType::UserPortal, P::Doctor),
            (Role::Doctor, SessionType::Hq, P::Doctor),
            (Role::Receptionist, SessionType::UserPortal, P::Receptionist),
            (Role::Patient, SessionType::PatientWeb, P::Patient),
            (Role::Patient, SessionType::Hq, P::Patient),
        ];
        for (role, session, principal) in cases {
            assert_eq!(P::of(role, session), principal, "{role} {session}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            Principal::NAMES,
            [
                "admin",
                "manager",
                "doctor",
                "receptionist",
                "hq",
                "patient"
            ]
        );
        assert_eq!(serde_json::to_string(&Principal::Hq).unwrap(), "\"hq\"");
        assert_eq!("own_record".parse(), Ok(Capability::OwnRecord));
        assert_eq!(Access::Write.to_string(), "write");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".*") {
            let _ = s.parse::<Principal>();
            let _ = s.parse::<Capability>();
            let _ = s.parse::<Access>();
        }

        #[test]
        fn display_parse_round_trip(p in 0usize..6, c in 0usize..12, a in 0usize..2) {
            let principal = Principal::ALL[p];
            prop_assert_eq!(principal.to_string().parse::<Principal>(), Ok(principal));
            let capability = Capability::ALL[c];
            prop_assert_eq!(capability.to_string().parse::<Capability>(), Ok(capability));
            let access = Access::ALL[a];
            prop_assert_eq!(access.to_string().parse::<Access>(), Ok(access));
        }
    }
}
