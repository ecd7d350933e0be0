//! The demo clinic itself: its name, positions, staff with their logins, and the service
//! list with Mongolian names and prices. Written through the ordinary services, so every
//! row is validated and audited.

use super::people::{self, RegisterNumbers};
use super::{DEMO_PASSWORD, DemoLogin};
use crate::config::PasswordCost;
use crate::services::audit::AuditTrail;
use crate::services::{Actor, ServiceError, catalog, positions, settings, staff, users};
use dcms_domain::{Dentition, Gender, Role, ToothCode, TreatmentScope};
use dcms_store::Store;
use jiff::civil::Date;
use rand::Rng;

/// One line of the demo's service list.
pub struct DemoService {
    pub service_type: &'static str,
    pub doctor_name: &'static str,
    pub patient_name: &'static str,
    /// Tugrik.
    pub price: i64,
    pub minutes: i64,
    /// How an item of it covers teeth when the generator records one.
    pub scope: TreatmentScope,
    /// Which teeth it is done on (a wisdom tooth's extraction on a third molar only).
    pub teeth: Teeth,
    /// How often it is done, relative to the others.
    pub weight: u32,
}

/// The teeth a demo service is done on, so the history never extracts a wisdom tooth from
/// a child's milk teeth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Teeth {
    /// Any tooth of the patient's dentition.
    Any,
    /// Permanent teeth only (adults: implants, crowns, whitening, braces).
    Permanent,
    /// Primary (milk) teeth only.
    Primary,
    /// Permanent third molars only (wisdom teeth).
    Wisdom,
}

impl Teeth {
    /// Whether the service is done on a patient of `dentition`.
    pub fn fits(self, dentition: Dentition) -> bool {
        match self {
            Teeth::Any => true,
            Teeth::Permanent | Teeth::Wisdom => dentition == Dentition::Permanent,
            Teeth::Primary => dentition == Dentition::Primary,
        }
    }

    /// Whether the service is done on `tooth`.
    pub fn allows(self, tooth: ToothCode) -> bool {
        let tooth = tooth.tooth();
        self.fits(tooth.dentition) && (self != Teeth::Wisdom || tooth.index_in_quadrant == 8)
    }
}

/// Prices as Ulaanbaatar private clinics list them in 2025-2026 (tugrik).
#[rustfmt::skip]
pub const SERVICES: &[DemoService] = &[
    DemoService { service_type: "ҮЗЛЭГ", doctor_name: "Анхан шатны үзлэг, зөвлөгөө", patient_name: "Үзлэг, зөвлөгөө", price: 20_000, minutes: 30, scope: TreatmentScope::None, teeth: Teeth::Any, weight: 30 },
    DemoService { service_type: "ҮЗЛЭГ", doctor_name: "Шүдний рентген зураг (периапикал)", patient_name: "Рентген зураг", price: 15_000, minutes: 15, scope: TreatmentScope::SingleTooth, teeth: Teeth::Any, weight: 14 },
    DemoService { service_type: "ҮЗЛЭГ", doctor_name: "Панорам рентген (OPG)", patient_name: "Панорам зураг", price: 45_000, minutes: 15, scope: TreatmentScope::None, teeth: Teeth::Any, weight: 5 },
    DemoService { service_type: "ЭМЧИЛГЭЭ", doctor_name: "Кариесийн эмчилгээ, композит ломбо", patient_name: "Шүдний ломбо", price: 70_000, minutes: 45, scope: TreatmentScope::SingleTooth, teeth: Teeth::Any, weight: 30 },
    DemoService { service_type: "ЭМЧИЛГЭЭ", doctor_name: "Сувгийн эмчилгээ (нэг суваг)", patient_name: "Сувгийн эмчилгээ", price: 150_000, minutes: 60, scope: TreatmentScope::SingleTooth, teeth: Teeth::Any, weight: 10 },
    DemoService { service_type: "ЭМЧИЛГЭЭ", doctor_name: "Сувгийн эмчилгээ (олон суваг)", patient_name: "Сувгийн эмчилгээ (олон суваг)", price: 280_000, minutes: 90, scope: TreatmentScope::SingleTooth, teeth: Teeth::Any, weight: 5 },
    DemoService { service_type: "ЭМЧИЛГЭЭ", doctor_name: "Шүдний чулуу авах, өнгөлгөө", patient_name: "Шүдний цэвэрлэгээ", price: 60_000, minutes: 45, scope: TreatmentScope::FullMouth, teeth: Teeth::Any, weight: 12 },
    DemoService { service_type: "ЭМЧИЛГЭЭ", doctor_name: "Ломбо солих", patient_name: "Ломбо солих", price: 60_000, minutes: 45, scope: TreatmentScope::SingleTooth, teeth: Teeth::Any, weight: 6 },
    DemoService { service_type: "ХҮҮХЭД", doctor_name: "Фторжуулалт", patient_name: "Шүдэнд фтор түрхэх", price: 30_000, minutes: 30, scope: TreatmentScope::FullMouth, teeth: Teeth::Any, weight: 4 },
    DemoService { service_type: "ХҮҮХЭД", doctor_name: "Силант (ховил битүүмжлэл)", patient_name: "Ховил битүүмжлэх", price: 35_000, minutes: 30, scope: TreatmentScope::MultiTooth, teeth: Teeth::Any, weight: 4 },
    DemoService { service_type: "ХҮҮХЭД", doctor_name: "Сүүн шүд авах", patient_name: "Сүүн шүд авах", price: 25_000, minutes: 20, scope: TreatmentScope::SingleTooth, teeth: Teeth::Primary, weight: 3 },
    DemoService { service_type: "МЭС ЗАСАЛ", doctor_name: "Шүд авах (энгийн)", patient_name: "Шүд авах", price: 50_000, minutes: 30, scope: TreatmentScope::SingleTooth, teeth: Teeth::Any, weight: 8 },
    DemoService { service_type: "МЭС ЗАСАЛ", doctor_name: "Ухаан шүд авах (мэс заслын)", patient_name: "Ухаан шүд авах", price: 180_000, minutes: 60, scope: TreatmentScope::SingleTooth, teeth: Teeth::Wisdom, weight: 3 },
    DemoService { service_type: "МЭС ЗАСАЛ", doctor_name: "Имплант суулгах", patient_name: "Шүдний имплант", price: 1_800_000, minutes: 90, scope: TreatmentScope::SingleTooth, teeth: Teeth::Permanent, weight: 1 },
    DemoService { service_type: "ПРОТЕЗ", doctor_name: "Шаазан титэм (циркон)", patient_name: "Циркон бүрээс", price: 650_000, minutes: 60, scope: TreatmentScope::SingleTooth, teeth: Teeth::Permanent, weight: 2 },
    DemoService { service_type: "ПРОТЕЗ", doctor_name: "Металл шаазан титэм", patient_name: "Шаазан бүрээс", price: 380_000, minutes: 60, scope: TreatmentScope::SingleTooth, teeth: Teeth::Permanent, weight: 2 },
    DemoService { service_type: "ПРОТЕЗ", doctor_name: "Авдаг хэсэгчилсэн протез (дээд эрүү)", patient_name: "Авдаг шүд (дээд)", price: 750_000, minutes: 60, scope: TreatmentScope::UpperArch, teeth: Teeth::Permanent, weight: 1 },
    DemoService { service_type: "ГАЖИГ", doctor_name: "Гажиг заслын металл брекет (хоёр эрүү)", patient_name: "Брекет", price: 2_800_000, minutes: 90, scope: TreatmentScope::FullMouth, teeth: Teeth::Permanent, weight: 1 },
    DemoService { service_type: "ГАЖИГ", doctor_name: "Брекет тохируулга", patient_name: "Брекет тохируулах", price: 60_000, minutes: 30, scope: TreatmentScope::None, teeth: Teeth::Permanent, weight: 4 },
    DemoService { service_type: "ГОО ЗАСАЛ", doctor_name: "Шүд цайруулах (кабинетэд)", patient_name: "Шүд цайруулах", price: 400_000, minutes: 60, scope: TreatmentScope::FullMouth, teeth: Teeth::Permanent, weight: 2 },
];

/// The clinic as the generator uses it.
pub struct Clinic {
    pub doctor_ids: Vec<i64>,
    /// `last_name first_name` of each doctor of `doctor_ids`, in the same order.
    pub doctor_names: Vec<String>,
    pub assistant_ids: Vec<i64>,
    pub receptionist_ids: Vec<i64>,
    /// `(service_id, line of SERVICES)`; services the clinic had before are not billed.
    pub services: Vec<(i64, &'static DemoService)>,
    pub logins: Vec<DemoLogin>,
    /// The user who receives payments (the receptionist's login).
    pub cashier_user_id: Option<i64>,
}

struct StaffMember {
    position: &'static str,
    login: Option<(String, Role)>,
}

/// Creates the clinic: settings, positions, staff (`doctors` doctors, two assistants, two
/// receptionists, a manager) with logins for the admin, the manager, the first receptionist
/// and the first five doctors, and the service list.
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    rng: &mut impl Rng,
    register_numbers: &mut RegisterNumbers,
    doctors: u32,
    today: Date,
) -> Result<Clinic, ServiceError> {
    let actor = Actor::SYSTEM;
    settings::update(
        store,
        audit,
        actor,
        settings::SettingsChanges {
            clinic_name: Some("Инээмсэглэл шүдний эмнэлэг (демо)".to_owned()),
            clinic_code: Some("DEMO".to_owned()),
            reminder_enabled: Some(true),
            // The reminder asks for a reply "1" (the default text): the clinic acts on it.
            sms_confirm_replies: Some(true),
            ..Default::default()
        },
    )
    .await?;

    let position_list = [
        ("DENTIST", "Шүдний эмч", "clinical"),
        ("ORTHODONTIST", "Гажиг заслын эмч", "clinical"),
        ("ASSISTANT", "Эмчийн туслах", "support"),
        ("RECEPTION", "Ресепшн", "admin"),
        ("MANAGER", "Менежер", "admin"),
    ];
    let mut position_ids = std::collections::HashMap::new();
    for (position_type, display_name, category) in position_list {
        let position = positions::create(
            store,
            audit,
            actor,
            positions::NewPosition {
                position_type: position_type.to_owned(),
                display_name: display_name.to_owned(),
                category: category.to_owned(),
                ..Default::default()
            },
        )
        .await?;
        position_ids.insert(position_type, position.position_id);
    }

    let mut logins = vec![DemoLogin {
        username: "admin".to_owned(),
        password: DEMO_PASSWORD.to_owned(),
        role: Role::Admin,
    }];
    create_login(store, audit, "admin", Role::Admin, "Систем админ").await?;

    let mut members = Vec::new();
    for n in 0..doctors.max(5) {
        let position = if n % 5 == 4 {
            "ORTHODONTIST"
        } else {
            "DENTIST"
        };
        let login = (n < 5).then(|| (format!("doctor{}", n + 1), Role::Doctor));
        members.push(StaffMember { position, login });
    }
    for _ in 0..2 {
        members.push(StaffMember {
            position: "ASSISTANT",
            login: None,
        });
    }
    members.push(StaffMember {
        position: "RECEPTION",
        login: Some(("reception".to_owned(), Role::Receptionist)),
    });
    members.push(StaffMember {
        position: "RECEPTION",
        login: None,
    });
    members.push(StaffMember {
        position: "MANAGER",
        login: Some(("manager".to_owned(), Role::Manager)),
    });

    let mut clinic = Clinic {
        doctor_ids: Vec::new(),
        doctor_names: Vec::new(),
        assistant_ids: Vec::new(),
        receptionist_ids: Vec::new(),
        services: Vec::new(),
        logins: Vec::new(),
        cashier_user_id: None,
    };
    let born_from = today.saturating_sub(jiff::Span::new().years(60));
    let born_until = today.saturating_sub(jiff::Span::new().years(23));
    let hired = today.saturating_sub(jiff::Span::new().years(3)).to_string();
    for member in members {
        let person = register_numbers.person(rng, born_from, born_until);
        let display_name = format!("{} {}", person.last_name, person.first_name);
        let user_id = match &member.login {
            Some((username, role)) => {
                let user = create_login(store, audit, username, *role, &display_name).await?;
                logins.push(DemoLogin {
                    username: username.clone(),
                    password: DEMO_PASSWORD.to_owned(),
                    role: *role,
                });
                Some(user.user_id)
            }
            None => None,
        };
        let position_id = position_ids.get(member.position).copied().ok_or_else(|| {
            ServiceError::Internal(format!("demo position {} missing", member.position))
        })?;
        let employee = staff::create(
            store,
            audit,
            actor,
            staff::NewEmployee {
                first_name: person.first_name.to_owned(),
                last_name: person.last_name.to_owned(),
                gender: match person.gender {
                    Gender::Female => "female",
                    _ => "male",
                }
                .to_owned(),
                birthday: Some(person.birthday.to_string()),
                hired_at: Some(hired.clone()),
                user_id,
                phones: vec![
                    staff::PhoneInput {
                        number: people::mobile(rng),
                        label: "Өөрийн".to_owned(),
                        is_primary: true,
                    },
                    staff::PhoneInput {
                        number: people::mobile(rng),
                        label: "Гэр".to_owned(),
                        is_primary: false,
                    },
                ],
                positions: vec![staff::AssignmentInput {
                    position_id,
                    is_primary: true,
                    started_at: Some(hired.clone()),
                }],
                ..Default::default()
            },
        )
        .await?;
        match member.position {
            "DENTIST" | "ORTHODONTIST" => {
                clinic.doctor_ids.push(employee.employee_id);
                clinic.doctor_names.push(display_name.clone());
            }
            "ASSISTANT" => clinic.assistant_ids.push(employee.employee_id),
            "RECEPTION" => {
                clinic.receptionist_ids.push(employee.employee_id);
                if clinic.cashier_user_id.is_none() {
                    clinic.cashier_user_id = user_id;
                }
            }
            _ => {}
        }
    }

    let mut numbers = std::collections::HashMap::new();
    for line in SERVICES {
        let number = numbers.entry(line.service_type).or_insert(0i64);
        *number += 1;
        let service = catalog::create(
            store,
            audit,
            actor,
            catalog::NewService {
                service_type: Some(line.service_type.to_owned()),
                display_number: Some(*number),
                doctor_display_name: Some(line.doctor_name.to_owned()),
                patient_display_name: Some(line.patient_name.to_owned()),
                price: Some(line.price),
                default_duration_time: Some(line.minutes),
                ..Default::default()
            },
        )
        .await?;
        clinic.services.push((service.service_id, line));
    }
    clinic.logins = logins;
    Ok(clinic)
}

async fn create_login(
    store: &Store,
    audit: &AuditTrail,
    username: &str,
    role: Role,
    display_name: &str,
) -> Result<dcms_store::entity::user::Model, ServiceError> {
    users::create(
        store,
        audit,
        Actor::SYSTEM,
        PasswordCost::OWASP,
        users::CreateUser {
            username: username.to_owned(),
            display_name: Some(display_name.to_owned()),
            password: DEMO_PASSWORD.to_owned(),
            role,
        },
    )
    .await
}

/// The clinic a database already has: its doctors and active services (billed at their
/// catalog prices, with the teeth scope of the demo line of the same name, or no teeth).
pub async fn existing(store: &Store) -> Result<Clinic, ServiceError> {
    let doctors = staff::doctors(store, None, 10_000).await?;
    let doctor_ids = doctors.iter().map(|e| e.employee_id).collect();
    let doctor_names = doctors
        .iter()
        .map(|e| format!("{} {}", e.last_name, e.first_name))
        .collect();
    let services = catalog::list(
        store,
        catalog::ServiceFilter {
            active: Some(true),
            ..Default::default()
        },
        10_000,
    )
    .await?
    .into_iter()
    .filter_map(|s| {
        SERVICES
            .iter()
            .find(|line| line.doctor_name == s.doctor_display_name)
            .map(|line| (s.service_id, line))
    })
    .collect();
    Ok(Clinic {
        doctor_ids,
        doctor_names,
        assistant_ids: Vec::new(),
        receptionist_ids: Vec::new(),
        services,
        logins: Vec::new(),
        cashier_user_id: None,
    })
}
