//! What the signed-in caller may do, computed once per request from the domain's permission
//! table (`dcms_domain::permits`) and carried by the [`Layout`](super::Layout): handlers and
//! templates ask `layout.can.patients_write`, a field the compiler checks, instead of naming a
//! route by its method and path. The routes themselves are still guarded by the permission
//! table (`http::permissions`); a test checks that each ability answers as the route whose
//! control it shows or hides.

use dcms_domain::{Access, Capability, Principal, permits};

/// What a principal may do on the pages: a capability read or written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Can {
    /// User accounts (`/users`; the link to an employee's account).
    pub users_read: bool,
    /// Changing user accounts (firing an employee who has one disables it).
    pub users_write: bool,
    pub settings_read: bool,
    pub settings_write: bool,
    /// Employees and positions.
    pub staff_read: bool,
    pub staff_write: bool,
    /// The service catalog.
    pub catalog_read: bool,
    pub catalog_write: bool,
    pub patients_read: bool,
    pub patients_write: bool,
    /// The appointment book (read) and booking, moving and status moves (write).
    pub appointments_read: bool,
    pub appointments_write: bool,
    /// The clinical record: treatments and the dental chart.
    pub treatments_read: bool,
    pub treatments_write: bool,
    /// Invoices and the account (read), taking payments (write).
    pub payments_read: bool,
    pub payments_write: bool,
    /// Refunds, and changing a paid treatment.
    pub refunds: bool,
    /// Calls and SMS.
    pub communications_read: bool,
    pub communications_write: bool,
    pub reports: bool,
    /// The patients' medical alerts (every staff role; not HQ).
    pub alerts: bool,
    /// The medical history (receptionists see only its alerts).
    pub medical_read: bool,
    pub medical_write: bool,
    /// X-rays, photos and documents (receptionists: documents and consents).
    pub attachments_read: bool,
    pub attachments_write: bool,
    /// Closing the day (receptionists, managers, admins; doctors and HQ read it).
    pub day_close_read: bool,
    pub day_close_write: bool,
}

impl Can {
    /// Everything `principal` may do; without a session ([`Can::default`]) nothing.
    pub fn of(principal: Principal) -> Can {
        use Access::{Read, Write};
        use Capability::*;
        let may = |capability, access| permits(principal, capability, access);
        Can {
            users_read: may(Users, Read),
            users_write: may(Users, Write),
            settings_read: may(Settings, Read),
            settings_write: may(Settings, Write),
            staff_read: may(Staff, Read),
            staff_write: may(Staff, Write),
            catalog_read: may(Catalog, Read),
            catalog_write: may(Catalog, Write),
            patients_read: may(Patients, Read),
            patients_write: may(Patients, Write),
            appointments_read: may(Appointments, Read),
            appointments_write: may(Appointments, Write),
            treatments_read: may(Treatments, Read),
            treatments_write: may(Treatments, Write),
            payments_read: may(Payments, Read),
            payments_write: may(Payments, Write),
            refunds: may(Refunds, Write),
            communications_read: may(Communications, Read),
            communications_write: may(Communications, Write),
            reports: may(Reports, Read),
            alerts: may(Patients, Write),
            medical_read: may(MedicalHistory, Read),
            medical_write: may(MedicalHistory, Write),
            attachments_read: may(Attachments, Read),
            attachments_write: may(Attachments, Write),
            day_close_read: may(DayClose, Read),
            day_close_write: may(DayClose, Write),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::permissions::rule_for;

    type Ability = fn(&Can) -> bool;

    /// Each ability, and a route whose control it shows: they answer alike for everyone.
    const GUARDS: &[(Ability, &str, &str)] = &[
        (|c| c.users_read, "GET", "/users/{user_id}"),
        (|c| c.users_write, "POST", "/users/{user_id}"),
        (|c| c.settings_read, "GET", "/settings"),
        (|c| c.settings_write, "POST", "/settings"),
        (|c| c.staff_read, "GET", "/staff"),
        (|c| c.staff_write, "POST", "/staff"),
        (|c| c.staff_write, "POST", "/staff/{employee_id}"),
        (|c| c.staff_write, "POST", "/positions"),
        (|c| c.staff_write, "POST", "/positions/{position_id}"),
        (|c| c.catalog_read, "GET", "/services"),
        (|c| c.catalog_write, "POST", "/services"),
        (|c| c.catalog_write, "POST", "/services/{service_id}"),
        (|c| c.catalog_write, "POST", "/services/{service_id}/move"),
        (|c| c.patients_read, "GET", "/patients"),
        (|c| c.patients_write, "POST", "/patients"),
        (|c| c.patients_write, "POST", "/patients/{patient_id}"),
        (|c| c.appointments_read, "GET", "/appointments"),
        (|c| c.appointments_write, "POST", "/appointments"),
        (
            |c| c.appointments_write,
            "POST",
            "/appointments/{appointment_id}",
        ),
        (|c| c.treatments_read, "GET", "/patients/{patient_id}/chart"),
        (
            |c| c.treatments_read,
            "GET",
            "/api/v1/patients/{patient_id}/treatments",
        ),
        (
            |c| c.treatments_write,
            "POST",
            "/patients/{patient_id}/treatments",
        ),
        (
            |c| c.treatments_write,
            "POST",
            "/treatments/{treatment_id}/items",
        ),
        (
            |c| c.payments_read,
            "GET",
            "/api/v1/patients/{patient_id}/invoices",
        ),
        (
            |c| c.payments_write,
            "POST",
            "/treatments/{treatment_id}/payments",
        ),
        (|c| c.communications_read, "GET", "/calls"),
        (|c| c.communications_write, "POST", "/calls"),
        (|c| c.communications_write, "POST", "/sms"),
        (|c| c.reports, "GET", "/reports"),
    ];

    #[test]
    fn every_ability_answers_as_the_route_it_guards() {
        for principal in Principal::ALL {
            let can = Can::of(*principal);
            for (ability, method, path) in GUARDS {
                let rule = rule_for(method, path).unwrap_or_else(|| panic!("{method} {path}"));
                assert_eq!(
                    ability(&can),
                    rule.allows(*principal),
                    "{principal:?}: {method} {path}"
                );
            }
            assert_eq!(
                can.refunds,
                permits(*principal, Capability::Refunds, Access::Write)
            );
        }
    }

    #[test]
    fn no_session_may_do_nothing() {
        assert_eq!(Can::default(), Can::of(Principal::Patient));
    }
}
