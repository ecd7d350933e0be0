//! Which route needs what: the one table every API route is checked against (before its
//! body is read), built on the domain's permission table (`dcms_domain::permits`). A test
//! checks that every operation of the OpenAPI document has a row here and the reverse, and
//! another walks every row as each principal.

use dcms_domain::{Access, Capability, Principal, permits};

/// What a route needs from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Nothing: answers without a session.
    Public,
    /// Any valid session, of any role (one's own account and sessions).
    Session,
    /// Any valid session that may write: not a read-only HQ session.
    SessionWrite,
    /// A capability of the permission table.
    Needs(Capability, Access),
}

impl Rule {
    /// Whether a signed-in principal passes this rule.
    pub fn allows(self, principal: Principal) -> bool {
        match self {
            Rule::Public | Rule::Session => true,
            Rule::SessionWrite => principal != Principal::Hq,
            Rule::Needs(capability, access) => permits(principal, capability, access),
        }
    }
}

use Access::{Read, Write};
use Capability::*;
use Rule::*;

/// Every route: (method, path as routed, rule).
pub const ROUTES: &[(&str, &str, Rule)] = &[
    ("GET", "/healthz", Public),
    ("GET", "/api/v1/version", Public),
    ("GET", "/metrics", Public),
    ("GET", "/api/openapi.json", Public),
    ("POST", "/api/v1/auth/login", Public),
    ("POST", "/api/v1/auth/logout", Session),
    ("GET", "/api/v1/auth/me", Session),
    ("GET", "/api/v1/auth/sessions", Session),
    (
        "DELETE",
        "/api/v1/auth/sessions/{session_token_id}",
        Session,
    ),
    ("POST", "/api/v1/auth/password", SessionWrite),
    ("GET", "/api/v1/users", Needs(Users, Read)),
    ("POST", "/api/v1/users", Needs(Users, Write)),
    ("GET", "/api/v1/users/{user_id}", Needs(Users, Read)),
    ("PATCH", "/api/v1/users/{user_id}", Needs(Users, Write)),
    (
        "POST",
        "/api/v1/users/{user_id}/password",
        Needs(Users, Write),
    ),
    (
        "GET",
        "/api/v1/users/{user_id}/sessions",
        Needs(Users, Read),
    ),
    (
        "DELETE",
        "/api/v1/users/{user_id}/sessions/{session_token_id}",
        Needs(Users, Write),
    ),
    ("GET", "/api/v1/audit", Needs(Reports, Read)),
    // Reports: admins, managers and HQ read them.
    ("GET", "/api/v1/reports/day", Needs(Reports, Read)),
    ("GET", "/api/v1/reports/revenue", Needs(Reports, Read)),
    ("GET", "/api/v1/reports/days", Needs(Reports, Read)),
    ("GET", "/api/v1/reports/first-day", Needs(Reports, Read)),
    ("GET", "/api/v1/reports/patients", Needs(Reports, Read)),
    ("GET", "/api/v1/reports/no-shows", Needs(Reports, Read)),
    ("GET", "/api/v1/settings", Needs(Settings, Read)),
    ("PATCH", "/api/v1/settings", Needs(Settings, Write)),
    // Patients, their phones, search (HQ reads: the table gives it no write).
    ("GET", "/api/v1/patients", Needs(Patients, Read)),
    ("POST", "/api/v1/patients", Needs(Patients, Write)),
    // The CSV file of every patient: import writes, export reads (and is audited).
    ("POST", "/api/v1/patients/import", Needs(Patients, Write)),
    ("GET", "/api/v1/patients/export", Needs(Patients, Read)),
    (
        "GET",
        "/api/v1/patients/{patient_id}",
        Needs(Patients, Read),
    ),
    (
        "PATCH",
        "/api/v1/patients/{patient_id}",
        Needs(Patients, Write),
    ),
    (
        "POST",
        "/api/v1/patients/{patient_id}/phones",
        Needs(Patients, Write),
    ),
    (
        "PATCH",
        "/api/v1/patients/{patient_id}/phones/{phone_id}",
        Needs(Patients, Write),
    ),
    (
        "DELETE",
        "/api/v1/patients/{patient_id}/phones/{phone_id}",
        Needs(Patients, Write),
    ),
    // A patient's own record: `OwnRecord` is granted to the patient principal only (the
    // domain's table), so staff and HQ sessions get 403 here.
    ("GET", "/api/v1/me/patient", Needs(OwnRecord, Read)),
    ("PATCH", "/api/v1/me/patient", Needs(OwnRecord, Write)),
    ("GET", "/api/v1/me/patient/phones", Needs(OwnRecord, Read)),
    ("POST", "/api/v1/me/patient/phones", Needs(OwnRecord, Write)),
    (
        "PATCH",
        "/api/v1/me/patient/phones/{phone_id}",
        Needs(OwnRecord, Write),
    ),
    (
        "DELETE",
        "/api/v1/me/patient/phones/{phone_id}",
        Needs(OwnRecord, Write),
    ),
    // Staff: employees, their phones and positions, doctors, positions.
    ("GET", "/api/v1/employees", Needs(Staff, Read)),
    ("POST", "/api/v1/employees", Needs(Staff, Write)),
    ("GET", "/api/v1/employees/{employee_id}", Needs(Staff, Read)),
    (
        "PATCH",
        "/api/v1/employees/{employee_id}",
        Needs(Staff, Write),
    ),
    (
        "POST",
        "/api/v1/employees/{employee_id}/fire",
        Needs(Staff, Write),
    ),
    (
        "POST",
        "/api/v1/employees/{employee_id}/phones",
        Needs(Staff, Write),
    ),
    (
        "PATCH",
        "/api/v1/employees/{employee_id}/phones/{phone_id}",
        Needs(Staff, Write),
    ),
    (
        "DELETE",
        "/api/v1/employees/{employee_id}/phones/{phone_id}",
        Needs(Staff, Write),
    ),
    (
        "POST",
        "/api/v1/employees/{employee_id}/positions",
        Needs(Staff, Write),
    ),
    (
        "PATCH",
        "/api/v1/employees/{employee_id}/positions/{employee_position_id}",
        Needs(Staff, Write),
    ),
    // Doctors and receptionists read it to book appointments: both have staff read.
    ("GET", "/api/v1/doctors", Needs(Staff, Read)),
    ("GET", "/api/v1/positions", Needs(Staff, Read)),
    // Appointments (HQ reads); a patient reads their own under /me.
    ("GET", "/api/v1/appointments", Needs(Appointments, Read)),
    ("POST", "/api/v1/appointments", Needs(Appointments, Write)),
    (
        "GET",
        "/api/v1/appointments/{appointment_id}",
        Needs(Appointments, Read),
    ),
    (
        "PATCH",
        "/api/v1/appointments/{appointment_id}",
        Needs(Appointments, Write),
    ),
    (
        "POST",
        "/api/v1/appointments/{appointment_id}/status",
        Needs(Appointments, Write),
    ),
    (
        "GET",
        "/api/v1/doctors/{doctor_id}/free-slots",
        Needs(Appointments, Read),
    ),
    (
        "GET",
        "/api/v1/patients/{patient_id}/appointments",
        Needs(Appointments, Read),
    ),
    ("GET", "/api/v1/me/appointments", Needs(OwnRecord, Read)),
    ("POST", "/api/v1/positions", Needs(Staff, Write)),
    ("GET", "/api/v1/positions/{position_id}", Needs(Staff, Read)),
    (
        "PATCH",
        "/api/v1/positions/{position_id}",
        Needs(Staff, Write),
    ),
    // The service catalog: staff and HQ read (to book and bill), admins and managers write.
    ("GET", "/api/v1/services", Needs(Catalog, Read)),
    ("POST", "/api/v1/services", Needs(Catalog, Write)),
    ("POST", "/api/v1/services/reorder", Needs(Catalog, Write)),
    ("GET", "/api/v1/services/{service_id}", Needs(Catalog, Read)),
    (
        "PATCH",
        "/api/v1/services/{service_id}",
        Needs(Catalog, Write),
    ),
    // The tooth dictionary is reference data like the catalog: every staff role and HQ
    // read it; a patient does not (403 outside /me, whose answers carry their own teeth).
    ("GET", "/api/v1/teeth", Needs(Catalog, Read)),
    // The clinical record: doctors, managers and admins write it; receptionists and HQ
    // read it (to bill and take payments). Paid treatments and refunds are checked by the
    // use case (Refunds).
    ("POST", "/api/v1/treatments", Needs(Treatments, Write)),
    (
        "GET",
        "/api/v1/treatments/{treatment_id}",
        Needs(Treatments, Read),
    ),
    (
        "PATCH",
        "/api/v1/treatments/{treatment_id}",
        Needs(Treatments, Write),
    ),
    (
        "POST",
        "/api/v1/treatments/{treatment_id}/items",
        Needs(Treatments, Write),
    ),
    (
        "DELETE",
        "/api/v1/treatments/{treatment_id}/items/{treatment_item_id}",
        Needs(Treatments, Write),
    ),
    (
        "PUT",
        "/api/v1/treatments/{treatment_id}/items/{treatment_item_id}/teeth",
        Needs(Treatments, Write),
    ),
    (
        "GET",
        "/api/v1/treatments/{treatment_id}/invoice",
        Needs(Payments, Read),
    ),
    (
        "GET",
        "/api/v1/treatments/{treatment_id}/payments",
        Needs(Payments, Read),
    ),
    (
        "POST",
        "/api/v1/treatments/{treatment_id}/payments",
        Needs(Payments, Write),
    ),
    (
        "GET",
        "/api/v1/patients/{patient_id}/treatments",
        Needs(Treatments, Read),
    ),
    (
        "GET",
        "/api/v1/patients/{patient_id}/chart",
        Needs(Treatments, Read),
    ),
    (
        "GET",
        "/api/v1/patients/{patient_id}/invoices",
        Needs(Payments, Read),
    ),
    ("GET", "/api/v1/me/treatments", Needs(OwnRecord, Read)),
    // The chart and plans: as treatments (doctors, managers and admins write; receptionists
    // and HQ read); a patient reads their own plans.
    (
        "GET",
        "/api/v1/patients/{patient_id}/findings",
        Needs(Treatments, Read),
    ),
    (
        "POST",
        "/api/v1/patients/{patient_id}/findings",
        Needs(Treatments, Write),
    ),
    (
        "PATCH",
        "/api/v1/findings/{finding_id}",
        Needs(Treatments, Write),
    ),
    (
        "GET",
        "/api/v1/patients/{patient_id}/chart/summary",
        Needs(Treatments, Read),
    ),
    (
        "GET",
        "/api/v1/patients/{patient_id}/teeth/{code}/history",
        Needs(Treatments, Read),
    ),
    (
        "GET",
        "/api/v1/patients/{patient_id}/treatment-plans",
        Needs(Treatments, Read),
    ),
    (
        "POST",
        "/api/v1/patients/{patient_id}/treatment-plans",
        Needs(Treatments, Write),
    ),
    (
        "GET",
        "/api/v1/treatment-plans/{plan_id}",
        Needs(Treatments, Read),
    ),
    (
        "PATCH",
        "/api/v1/treatment-plans/{plan_id}",
        Needs(Treatments, Write),
    ),
    (
        "POST",
        "/api/v1/treatment-plans/{plan_id}/items",
        Needs(Treatments, Write),
    ),
    (
        "PATCH",
        "/api/v1/treatment-plans/{plan_id}/items/{plan_item_id}",
        Needs(Treatments, Write),
    ),
    (
        "DELETE",
        "/api/v1/treatment-plans/{plan_id}/items/{plan_item_id}",
        Needs(Treatments, Write),
    ),
    (
        "POST",
        "/api/v1/treatment-plans/{plan_id}/status",
        Needs(Treatments, Write),
    ),
    (
        "GET",
        "/api/v1/treatment-plans/{plan_id}/estimate",
        Needs(Treatments, Read),
    ),
    ("GET", "/api/v1/me/treatment-plans", Needs(OwnRecord, Read)),
    (
        "GET",
        "/api/v1/me/treatment-plans/{plan_id}/estimate",
        Needs(OwnRecord, Read),
    ),
    ("GET", "/api/v1/me/invoices", Needs(OwnRecord, Read)),
    // Medical history: clinical staff; receptionists read only the alerts (on the patient);
    // HQ nothing; a patient their own.
    (
        "GET",
        "/api/v1/patients/{patient_id}/medical-history",
        Needs(MedicalHistory, Read),
    ),
    (
        "PUT",
        "/api/v1/patients/{patient_id}/medical-history",
        Needs(MedicalHistory, Write),
    ),
    (
        "GET",
        "/api/v1/patients/{patient_id}/medical-history/versions",
        Needs(MedicalHistory, Read),
    ),
    (
        "POST",
        "/api/v1/patients/{patient_id}/medical-history/acknowledgements",
        Needs(MedicalHistory, Write),
    ),
    ("GET", "/api/v1/me/medical-history", Needs(OwnRecord, Read)),
    // Closing the day: the till's people read and close it, managers and admins reopen it.
    ("GET", "/api/v1/day-close", Needs(DayClose, Read)),
    ("POST", "/api/v1/day-close", Needs(DayClose, Write)),
    (
        "POST",
        "/api/v1/day-close/{date}/reopen",
        Needs(Refunds, Write),
    ),
    // e-barimt receipts: read with the payments, sent again by those who take payments.
    (
        "GET",
        "/api/v1/payments/{payment_id}/receipt",
        Needs(Payments, Read),
    ),
    ("GET", "/api/v1/receipts", Needs(Payments, Read)),
    (
        "POST",
        "/api/v1/receipts/{receipt_id}/retry",
        Needs(Payments, Write),
    ),
    // What is owed: read with the payments; the reminder is an SMS.
    ("GET", "/api/v1/balances", Needs(Payments, Read)),
    (
        "POST",
        "/api/v1/balances/{patient_id}/reminders",
        Needs(Communications, Write),
    ),
    // The front desk: chairs and doctors' hours are set by admins and managers (settings and
    // staff), read by everyone who books; recalls carry phones (patients read), their SMS is
    // communications; requests are appointments, a patient's own under /me.
    ("GET", "/api/v1/chairs", Needs(Appointments, Read)),
    ("POST", "/api/v1/chairs", Needs(Settings, Write)),
    ("PATCH", "/api/v1/chairs/{chair_id}", Needs(Settings, Write)),
    (
        "GET",
        "/api/v1/employees/{employee_id}/working-hours",
        Needs(Staff, Read),
    ),
    (
        "PUT",
        "/api/v1/employees/{employee_id}/working-hours",
        Needs(Staff, Write),
    ),
    (
        "GET",
        "/api/v1/employees/{employee_id}/exceptions",
        Needs(Staff, Read),
    ),
    (
        "POST",
        "/api/v1/employees/{employee_id}/exceptions",
        Needs(Staff, Write),
    ),
    (
        "DELETE",
        "/api/v1/employees/{employee_id}/exceptions/{exception_id}",
        Needs(Staff, Write),
    ),
    ("GET", "/api/v1/free-slots", Needs(Appointments, Read)),
    ("GET", "/api/v1/arrivals", Needs(Appointments, Read)),
    ("GET", "/api/v1/recalls", Needs(Patients, Read)),
    (
        "PATCH",
        "/api/v1/recalls/{recall_id}",
        Needs(Appointments, Write),
    ),
    (
        "POST",
        "/api/v1/recalls/{recall_id}/contacts",
        Needs(Communications, Write),
    ),
    (
        "GET",
        "/api/v1/me/appointment-requests",
        Needs(OwnRecord, Read),
    ),
    (
        "POST",
        "/api/v1/me/appointment-requests",
        Needs(OwnRecord, Write),
    ),
    (
        "GET",
        "/api/v1/appointment-requests",
        Needs(Appointments, Read),
    ),
    (
        "POST",
        "/api/v1/appointment-requests/{request_id}/book",
        Needs(Appointments, Write),
    ),
    (
        "POST",
        "/api/v1/appointment-requests/{request_id}/decline",
        Needs(Appointments, Write),
    ),
    // Attachments: staff (receptionists documents and consents only, checked by the use
    // case); HQ nothing.
    (
        "GET",
        "/api/v1/patients/{patient_id}/attachments",
        Needs(Attachments, Read),
    ),
    (
        "POST",
        "/api/v1/patients/{patient_id}/attachments",
        Needs(Attachments, Write),
    ),
    (
        "GET",
        "/api/v1/attachments/{attachment_id}",
        Needs(Attachments, Read),
    ),
    (
        "PATCH",
        "/api/v1/attachments/{attachment_id}",
        Needs(Attachments, Write),
    ),
    (
        "DELETE",
        "/api/v1/attachments/{attachment_id}",
        Needs(Attachments, Write),
    ),
    (
        "GET",
        "/api/v1/attachments/{attachment_id}/content",
        Needs(Attachments, Read),
    ),
    (
        "GET",
        "/api/v1/attachments/{attachment_id}/thumbnail",
        Needs(Attachments, Read),
    ),
    // Purging removes content for good: admins only (the capability only admins hold).
    (
        "POST",
        "/api/v1/attachments/{attachment_id}/purge",
        Needs(Users, Write),
    ),
    // Calls and SMS: admins, managers and receptionists write; doctors and HQ read.
    ("GET", "/api/v1/calls", Needs(Communications, Read)),
    ("POST", "/api/v1/calls", Needs(Communications, Write)),
    (
        "GET",
        "/api/v1/calls/{call_id}",
        Needs(Communications, Read),
    ),
    (
        "PATCH",
        "/api/v1/calls/{call_id}",
        Needs(Communications, Write),
    ),
    ("GET", "/api/v1/sms", Needs(Communications, Read)),
    ("POST", "/api/v1/sms", Needs(Communications, Write)),
    ("GET", "/api/v1/sms/{sms_id}", Needs(Communications, Read)),
    (
        "PATCH",
        "/api/v1/sms/{sms_id}",
        Needs(Communications, Write),
    ),
    ("GET", "/api/v1/sms-outbox", Needs(Communications, Read)),
    (
        "GET",
        "/api/v1/contacts/lookup",
        Needs(Communications, Read),
    ),
    // The SMS provider's webhook: no session; the handler checks the shared secret.
    ("POST", "/api/v1/sms/inbound", Public),
];

/// Every web page: (method, path as routed, rule). The same rules as the API: a page shows
/// what the API would let its viewer read, and its forms do what the API would let them do.
pub const PAGE_ROUTES: &[(&str, &str, Rule)] = &[
    ("GET", "/", Session),
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    ("POST", "/logout", Session),
    ("GET", "/language/{code}", Public),
    ("GET", "/static/{file}", Public),
    ("GET", "/account", Session),
    ("POST", "/account/password", SessionWrite),
    (
        "POST",
        "/account/sessions/{session_token_id}/revoke",
        Session,
    ),
    ("GET", "/users", Needs(Users, Read)),
    ("POST", "/users", Needs(Users, Write)),
    ("GET", "/users/new", Needs(Users, Write)),
    ("GET", "/users/{user_id}", Needs(Users, Read)),
    ("POST", "/users/{user_id}", Needs(Users, Write)),
    ("POST", "/users/{user_id}/password", Needs(Users, Write)),
    (
        "POST",
        "/users/{user_id}/sessions/{session_token_id}/revoke",
        Needs(Users, Write),
    ),
    ("GET", "/settings", Needs(Settings, Read)),
    ("POST", "/settings", Needs(Settings, Write)),
    ("GET", "/patients/register-number", Needs(Patients, Read)),
    ("GET", "/patients", Needs(Patients, Read)),
    ("POST", "/patients", Needs(Patients, Write)),
    ("GET", "/patients/search", Needs(Patients, Read)),
    ("GET", "/patients/new", Needs(Patients, Write)),
    ("GET", "/patients/{patient_id}", Needs(Patients, Read)),
    ("POST", "/patients/{patient_id}", Needs(Patients, Write)),
    ("GET", "/patients/{patient_id}/edit", Needs(Patients, Write)),
    (
        "POST",
        "/patients/{patient_id}/phones",
        Needs(Patients, Write),
    ),
    (
        "POST",
        "/patients/{patient_id}/phones/{phone_id}/primary",
        Needs(Patients, Write),
    ),
    (
        "POST",
        "/patients/{patient_id}/phones/{phone_id}/delete",
        Needs(Patients, Write),
    ),
    // The appointment book: everyone with appointment access reads it (HQ included);
    // booking, moving and status moves are writes.
    ("GET", "/appointments", Needs(Appointments, Read)),
    ("POST", "/appointments", Needs(Appointments, Write)),
    ("GET", "/appointments/week", Needs(Appointments, Read)),
    ("GET", "/appointments/new", Needs(Appointments, Write)),
    // The doctors a user's book shows: remembered for the user, so a write.
    ("POST", "/appointments/doctors", Needs(Appointments, Write)),
    (
        "GET",
        "/appointments/patient-options",
        Needs(Appointments, Write),
    ),
    (
        "GET",
        "/appointments/{appointment_id}",
        Needs(Appointments, Read),
    ),
    (
        "GET",
        "/appointments/{appointment_id}/panel",
        Needs(Appointments, Read),
    ),
    (
        "POST",
        "/appointments/{appointment_id}",
        Needs(Appointments, Write),
    ),
    (
        "POST",
        "/appointments/{appointment_id}/status",
        Needs(Appointments, Write),
    ),
    // Treatments: doctors, managers and admins record them; every member of staff takes
    // payments and prints invoices; HQ reads.
    (
        "GET",
        "/patients/{patient_id}/treatments/new",
        Needs(Treatments, Write),
    ),
    (
        "POST",
        "/patients/{patient_id}/treatments",
        Needs(Treatments, Write),
    ),
    ("GET", "/treatments/{treatment_id}", Needs(Treatments, Read)),
    (
        "POST",
        "/treatments/{treatment_id}/items",
        Needs(Treatments, Write),
    ),
    (
        "POST",
        "/treatments/{treatment_id}/items/{treatment_item_id}/delete",
        Needs(Treatments, Write),
    ),
    (
        "POST",
        "/treatments/{treatment_id}/payments",
        Needs(Payments, Write),
    ),
    (
        "GET",
        "/treatments/{treatment_id}/invoice",
        Needs(Payments, Read),
    ),
    // Calls and SMS: receptionists, managers and admins log and send; doctors and HQ read.
    ("GET", "/calls", Needs(Communications, Read)),
    ("POST", "/calls", Needs(Communications, Write)),
    ("GET", "/calls/lookup", Needs(Communications, Read)),
    ("GET", "/sms", Needs(Communications, Read)),
    ("POST", "/sms", Needs(Communications, Write)),
    // Staff and positions: everyone with staff access reads; admins and managers write.
    ("GET", "/staff", Needs(Staff, Read)),
    ("POST", "/staff", Needs(Staff, Write)),
    // The hiring form is for those who may submit it, as `/patients/new`.
    ("GET", "/staff/new", Needs(Staff, Write)),
    ("GET", "/staff/{employee_id}", Needs(Staff, Read)),
    ("POST", "/staff/{employee_id}", Needs(Staff, Write)),
    ("POST", "/staff/{employee_id}/fire", Needs(Staff, Write)),
    ("POST", "/staff/{employee_id}/phones", Needs(Staff, Write)),
    (
        "POST",
        "/staff/{employee_id}/phones/{phone_id}/primary",
        Needs(Staff, Write),
    ),
    (
        "POST",
        "/staff/{employee_id}/phones/{phone_id}/delete",
        Needs(Staff, Write),
    ),
    (
        "POST",
        "/staff/{employee_id}/positions",
        Needs(Staff, Write),
    ),
    (
        "POST",
        "/staff/{employee_id}/positions/{employee_position_id}/primary",
        Needs(Staff, Write),
    ),
    (
        "POST",
        "/staff/{employee_id}/positions/{employee_position_id}/end",
        Needs(Staff, Write),
    ),
    ("GET", "/positions", Needs(Staff, Read)),
    // The recall list reads patients' phones; its SMS and calls are communications, a stop
    // is the front desk's.
    ("GET", "/recalls", Needs(Patients, Read)),
    (
        "POST",
        "/recalls/{recall_id}/contacts",
        Needs(Communications, Write),
    ),
    (
        "POST",
        "/recalls/{recall_id}/stop",
        Needs(Appointments, Write),
    ),
    // Closing the day: the till's people; reopening is a manager's.
    ("GET", "/day-close", Needs(DayClose, Read)),
    ("GET", "/balances", Needs(Payments, Read)),
    // e-barimt: receipts read with the payments, sent again by those who take them.
    (
        "GET",
        "/payments/{payment_id}/receipt",
        Needs(Payments, Read),
    ),
    ("GET", "/receipts", Needs(Payments, Read)),
    (
        "POST",
        "/receipts/{receipt_id}/retry",
        Needs(Payments, Write),
    ),
    (
        "POST",
        "/balances/{patient_id}/remind",
        Needs(Communications, Write),
    ),
    (
        "GET",
        "/patients/{patient_id}/statement",
        Needs(Payments, Read),
    ),
    ("POST", "/day-close", Needs(DayClose, Write)),
    ("POST", "/day-close/{date}/reopen", Needs(Refunds, Write)),
    // Chairs and doctors' hours: read by those who book, set by admins and managers.
    ("GET", "/chairs", Needs(Appointments, Read)),
    ("POST", "/chairs", Needs(Settings, Write)),
    ("POST", "/chairs/{chair_id}", Needs(Settings, Write)),
    ("GET", "/staff/{employee_id}/hours", Needs(Staff, Read)),
    ("POST", "/staff/{employee_id}/hours", Needs(Staff, Write)),
    (
        "POST",
        "/staff/{employee_id}/exceptions",
        Needs(Staff, Write),
    ),
    (
        "POST",
        "/staff/{employee_id}/exceptions/{exception_id}/delete",
        Needs(Staff, Write),
    ),
    // A patient asks from the portal (the use case finds their record: anyone else has
    // none, 404); reception declines from the start page.
    ("POST", "/requests", SessionWrite),
    (
        "POST",
        "/appointment-requests/{request_id}/decline",
        Needs(Appointments, Write),
    ),
    ("POST", "/positions", Needs(Staff, Write)),
    ("POST", "/positions/{position_id}", Needs(Staff, Write)),
    // The service catalog: everyone with catalog access reads prices; admins and managers
    // add, change, deactivate and reorder services.
    ("GET", "/services", Needs(Catalog, Read)),
    ("POST", "/services", Needs(Catalog, Write)),
    ("POST", "/services/{service_id}", Needs(Catalog, Write)),
    ("POST", "/services/{service_id}/move", Needs(Catalog, Write)),
    // The patient's dental chart: whoever reads treatments (HQ included; not a patient).
    (
        "GET",
        "/patients/{patient_id}/chart",
        Needs(Treatments, Read),
    ),
    // Charting: findings and planned services (doctors, managers, admins).
    (
        "POST",
        "/patients/{patient_id}/chart/marks",
        Needs(Treatments, Write),
    ),
    (
        "POST",
        "/findings/{finding_id}/plan",
        Needs(Treatments, Write),
    ),
    (
        "POST",
        "/findings/{finding_id}/close",
        Needs(Treatments, Write),
    ),
    // The medical history's page: clinical staff; the tablet questionnaire: whoever registers
    // patients (the receptionist hands it over; its answers wait for clinical review).
    (
        "GET",
        "/patients/{patient_id}/medical-history",
        Needs(MedicalHistory, Read),
    ),
    (
        "POST",
        "/patients/{patient_id}/medical-history",
        Needs(MedicalHistory, Write),
    ),
    (
        "GET",
        "/patients/{patient_id}/questionnaire",
        Needs(Patients, Write),
    ),
    (
        "POST",
        "/patients/{patient_id}/questionnaire",
        Needs(Patients, Write),
    ),
    // The patient's files (receptionists: documents and consents) and a treatment's consent
    // to print.
    (
        "GET",
        "/patients/{patient_id}/files",
        Needs(Attachments, Read),
    ),
    (
        "GET",
        "/treatments/{treatment_id}/consent",
        Needs(Treatments, Read),
    ),
    // A plan's page and its estimate: readers of treatments; its actions: their writers.
    ("GET", "/treatment-plans/{plan_id}", Needs(Treatments, Read)),
    (
        "GET",
        "/treatment-plans/{plan_id}/estimate",
        Needs(Treatments, Read),
    ),
    (
        "POST",
        "/treatment-plans/{plan_id}/status",
        Needs(Treatments, Write),
    ),
    (
        "POST",
        "/treatment-plans/{plan_id}/discount",
        Needs(Treatments, Write),
    ),
    (
        "POST",
        "/treatment-plans/{plan_id}/items/{plan_item_id}",
        Needs(Treatments, Write),
    ),
    (
        "POST",
        "/treatment-plans/{plan_id}/items/{plan_item_id}/delete",
        Needs(Treatments, Write),
    ),
    // Reports with charts: admins, managers and HQ, as the reports API.
    ("GET", "/reports", Needs(Reports, Read)),
    ("GET", "/reports/revenue", Needs(Reports, Read)),
    ("GET", "/reports/patients", Needs(Reports, Read)),
    ("GET", "/reports/no-shows", Needs(Reports, Read)),
];

/// Every route of the application, API and pages.
pub fn all_routes() -> impl Iterator<Item = &'static (&'static str, &'static str, Rule)> {
    ROUTES.iter().chain(PAGE_ROUTES.iter())
}

/// The rule of a routed path and method; None for a route missing from the tables (refused).
/// `HEAD` is answered by the `GET` handler, so it has the `GET` rule.
pub fn rule_for(method: &str, path: &str) -> Option<Rule> {
    let method = if method == "HEAD" { "GET" } else { method };
    all_routes()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, rule)| *rule)
}

#[cfg(test)]
#[path = "permissions_tests.rs"]
mod tests;
