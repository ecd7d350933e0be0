//! What the clients send: one scenario of the benchmark, or the soak's mix.

use crate::http::{Conn, Response, encode, snippet};
use anyhow::{Result, bail};
use hyper::StatusCode;
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A client's own state: its position in the lists it cycles through, its random numbers,
/// the appointments it booked and has yet to move (the soak).
pub struct ClientState {
    client: usize,
    clients: usize,
    n: u64,
    rng: u64,
    moves: VecDeque<(i64, u8)>,
}

impl ClientState {
    pub fn new(client: usize, clients: usize) -> ClientState {
        ClientState {
            client,
            clients,
            n: 0,
            rng: 0x9E37_79B9_7F4A_7C15 ^ (client as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9),
            moves: VecDeque::new(),
        }
    }

    /// The next index into a list of `len` items: the clients share the list, each taking
    /// every `clients`-th item in turn.
    fn index(&mut self, len: usize) -> usize {
        let i = (self.n as usize)
            .wrapping_mul(self.clients)
            .wrapping_add(self.client);
        self.n += 1;
        i % len.max(1)
    }

    /// xorshift64*.
    fn random(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// One request's outcome: `Err` with a message for an unexpected status or no answer.
pub type Outcome = std::result::Result<(), String>;

fn check(result: Result<Response>, expected: StatusCode, what: &str) -> (Outcome, Option<Bytes>) {
    match result {
        Ok(r) if r.status == expected => (Ok(()), Some(r.body)),
        Ok(r) => (
            Err(format!(
                "{what}: {} (expected {expected}): {}",
                r.status,
                snippet(&r.body)
            )),
            None,
        ),
        Err(e) => (Err(format!("{what}: {e:#}")), None),
    }
}

type Bytes = hyper::body::Bytes;

/// What the clients do, one request (or one small sequence) at a time.
pub enum Workload {
    /// GET one of these paths in turn; 200 expected.
    Get(Vec<String>),
    /// GET a list path and every further page (`next_cursor`); 200 expected.
    AllPages(String),
    /// POST /api/v1/appointments, never conflicting; 201 expected.
    Booking(Arc<BookingPlan>),
    /// The soak's mixed traffic.
    Mixed(Arc<Mix>),
}

impl Workload {
    /// Sends the next request; returns its kind (for the soak's breakdown) and outcome.
    pub async fn once(&self, conn: &mut Conn, state: &mut ClientState) -> (u8, Outcome) {
        match self {
            Workload::Get(paths) => {
                let path = &paths[state.index(paths.len())];
                (0, check(conn.get(path).await, StatusCode::OK, path).0)
            }
            Workload::AllPages(path) => (0, all_pages(conn, path).await),
            Workload::Booking(plan) => (0, book(conn, plan).await.map(|_| ())),
            Workload::Mixed(mix) => mix.once(conn, state).await,
        }
    }
}

/// GETs `path` and the pages after it.
async fn all_pages(conn: &mut Conn, path: &str) -> Outcome {
    #[derive(Deserialize)]
    struct Page {
        next_cursor: Option<String>,
    }
    let mut url = path.to_owned();
    for _ in 0..100 {
        let (outcome, body) = check(conn.get(&url).await, StatusCode::OK, path);
        outcome?;
        let page: Page = serde_json::from_slice(&body.unwrap_or_default())
            .map_err(|e| format!("{path}: not a page: {e}"))?;
        match page.next_cursor {
            Some(cursor) => url = format!("{path}&cursor={}", encode(&cursor)),
            None => return Ok(()),
        }
    }
    Err(format!("{path}: more than 100 pages"))
}

/// Books the plan's next slot; returns the appointment's id.
async fn book(conn: &mut Conn, plan: &BookingPlan) -> std::result::Result<i64, String> {
    let body = plan.next_booking();
    let (outcome, body) = check(
        conn.post("/api/v1/appointments", &body).await,
        StatusCode::CREATED,
        "POST /api/v1/appointments",
    );
    outcome?;
    #[derive(Deserialize)]
    struct Created {
        appointment_id: i64,
    }
    serde_json::from_slice::<Created>(&body.unwrap_or_default())
        .map(|c| c.appointment_id)
        .map_err(|e| format!("POST /api/v1/appointments: {e}"))
}

// --- bookings ------------------------------------------------------------------------------

/// Bookings that never conflict: the k-th booking goes to doctor `k mod D` in the
/// `k div D`-th half-hour slot of the clinic's opening hours, counted from a Monday about
/// three years ahead (the demo has nothing there), with patient `k mod P` (P ≥ D, so the
/// patients of one slot are distinct too).
pub struct BookingPlan {
    next: AtomicU64,
    doctors: Vec<i64>,
    patients: Vec<i64>,
    /// The half-hour starts of one week: (days after Monday, hour, minute).
    week: Vec<(i32, i8, i8)>,
    monday: Date,
    tz: TimeZone,
}

/// A booking's length, and the step of the slots.
const SLOT_MINUTES: i64 = 30;

/// The clinic's settings that bookings need (GET /api/v1/settings).
#[derive(Debug, Deserialize)]
pub struct Settings {
    pub time_zone: String,
    pub opening_hours: std::collections::BTreeMap<String, Vec<(String, String)>>,
}

impl Settings {
    pub fn zone(&self) -> Result<TimeZone> {
        Ok(TimeZone::get(&self.time_zone)?)
    }

    /// The opening intervals of a weekday, in minutes after midnight.
    pub fn intervals(&self, day: Weekday) -> Result<Vec<(i64, i64)>> {
        let key = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            [usize::try_from(day.to_monday_zero_offset())?];
        let minutes = |hhmm: &str| -> Result<i64> {
            let Some((h, m)) = hhmm.split_once(':') else {
                bail!("opening hours: '{hhmm}' is not HH:MM");
            };
            Ok(h.parse::<i64>()? * 60 + m.parse::<i64>()?)
        };
        self.opening_hours
            .get(key)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|(from, to)| Ok((minutes(from)?, minutes(to)?)))
            .collect()
    }

    /// The first day from tomorrow on, within a week, that the clinic is open.
    pub fn next_open_day(&self) -> Result<Date> {
        let today = jiff::Zoned::now().with_time_zone(self.zone()?).date();
        for days in 1..=7 {
            let day = today.checked_add(days.days())?;
            if !self.intervals(day.weekday())?.is_empty() {
                return Ok(day);
            }
        }
        bail!("the clinic is closed every day of the week (opening hours)")
    }
}

impl BookingPlan {
    pub fn new(settings: &Settings, doctors: Vec<i64>, patients: Vec<i64>) -> Result<BookingPlan> {
        if doctors.is_empty() {
            bail!("no doctors to book");
        }
        if patients.len() < doctors.len() {
            bail!(
                "{} patients to book for {} doctors: at least as many patients as doctors are needed",
                patients.len(),
                doctors.len()
            );
        }
        let tz = settings.zone()?;
        let mut week = Vec::new();
        for offset in 0..7i8 {
            let day = Weekday::from_monday_zero_offset(offset)?;
            for (open, close) in settings.intervals(day)? {
                // Whole half hours from the opening.
                let mut start = open;
                while start + SLOT_MINUTES <= close {
                    week.push((
                        i32::from(offset),
                        i8::try_from(start / 60)?,
                        i8::try_from(start % 60)?,
                    ));
                    start += SLOT_MINUTES;
                }
            }
        }
        if week.is_empty() {
            bail!("the clinic's opening hours have no half-hour slot in the week");
        }
        let today = jiff::Zoned::now().with_time_zone(tz.clone()).date();
        let later = today.checked_add(3.years())?;
        let monday =
            later.checked_sub(i64::from(later.weekday().to_monday_zero_offset()).days())?;
        Ok(BookingPlan {
            next: AtomicU64::new(0),
            doctors,
            patients,
            week,
            monday,
            tz,
        })
    }

    /// The body of the next booking.
    pub fn next_booking(&self) -> Value {
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        let doctors = self.doctors.len() as u64;
        let slot = k / doctors;
        let doctor = self.doctors[(k % doctors) as usize];
        let patient = self.patients[(k % self.patients.len() as u64) as usize];
        let week = slot / self.week.len() as u64;
        let (day, hour, minute) = self.week[(slot % self.week.len() as u64) as usize];
        let (start, end) = self
            .slot_bounds(week, day, hour, minute)
            .unwrap_or_else(|e| (format!("invalid slot: {e}"), String::new()));
        json!({
            "patient_id": patient,
            "doctor_id": doctor,
            "start_at": start,
            "end_at": end,
            "note": "dcms-bench",
        })
    }

    fn slot_bounds(&self, week: u64, day: i32, hour: i8, minute: i8) -> Result<(String, String)> {
        let days = i64::try_from(week)? * 7 + i64::from(day);
        let date = self.monday.checked_add(days.days())?;
        let start = date.at(hour, minute, 0, 0).to_zoned(self.tz.clone())?;
        let end = start.checked_add(SLOT_MINUTES.minutes())?;
        let format = |z: &jiff::Zoned| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
        Ok((format(&start), format(&end)))
    }
}

// --- registrations -------------------------------------------------------------------------

/// New patients with register numbers nobody has: `ЪЬ` (letters no region uses, so no
/// generated patient has them) and a birth date and two digits counted from a number.
#[derive(Default)]
pub struct Registrations {
    next: AtomicU64,
}

const FIRST_NAMES: [&str; 8] = [
    "Болд",
    "Сарнай",
    "Тэмүүлэн",
    "Оюунчимэг",
    "Ганбаатар",
    "Номин",
    "Энхжин",
    "Мөнхбат",
];
const LAST_NAMES: [&str; 8] = [
    "Батбаяр",
    "Должин",
    "Ганзориг",
    "Цэцэг",
    "Нямдорж",
    "Отгон",
    "Пүрэв",
    "Алтанхуяг",
];
/// Days from 1950-01-01 to 2009-12-31: every birth date a number can take.
const BIRTH_DAYS: u64 = 21_915;

impl Registrations {
    /// The body of the next registration.
    pub fn next_patient(&self) -> Value {
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        json!({
            "register_number": register_number(k),
            "first_name": FIRST_NAMES[(k % 8) as usize],
            "last_name": LAST_NAMES[(k / 8 % 8) as usize],
            "phones": [
                {"number": format!("99{:06}", k % 1_000_000), "label": "Self", "is_primary": true},
                {"number": format!("88{:06}", (k * 7919) % 1_000_000), "label": "Mother", "is_primary": false},
            ],
        })
    }
}

/// The `k`-th register number of the bench (distinct for k below 2,191,500).
pub fn register_number(k: u64) -> String {
    let day = (k % BIRTH_DAYS) as i64;
    let rest = k / BIRTH_DAYS;
    let birthday = jiff::civil::date(1950, 1, 1)
        .checked_add(day.days())
        .unwrap_or(jiff::civil::date(1980, 1, 1));
    let year = birthday.year();
    let month = if year >= 2000 {
        birthday.month() + 20
    } else {
        birthday.month()
    };
    format!(
        "ЪЬ{:02}{:02}{:02}{}{}",
        year % 100,
        month,
        birthday.day(),
        rest % 10,
        rest / 10 % 10
    )
}

// --- the soak's mix ------------------------------------------------------------------------

/// The soak's traffic: the benchmark's reads, bookings, registrations and status moves.
pub struct Mix {
    pub register_lookups: Vec<String>,
    pub phone_lookups: Vec<String>,
    pub name_searches: Vec<String>,
    pub book: String,
    pub chart: String,
    pub bookings: Arc<BookingPlan>,
    pub registrations: Registrations,
}

/// The kinds of the mix, in the order [`Mix::KINDS`] names them.
const K_REGISTER: u8 = 0;
const K_PHONE: u8 = 1;
const K_NAME: u8 = 2;
const K_BOOK: u8 = 3;
const K_CHART: u8 = 4;
const K_ME: u8 = 5;
const K_BOOKING: u8 = 6;
const K_REGISTRATION: u8 = 7;
const K_STATUS: u8 = 8;

impl Mix {
    /// Each kind's name and its share of the requests in percent.
    pub const KINDS: [(&'static str, u64); 9] = [
        ("lookup by register number", 20),
        ("lookup by phone", 12),
        ("name-prefix search", 12),
        ("one day's appointment book", 5),
        ("chart (700 visits)", 2),
        ("GET /auth/me", 12),
        ("booking", 18),
        ("patient registration", 6),
        ("status move", 13),
    ];

    async fn once(&self, conn: &mut Conn, state: &mut ClientState) -> (u8, Outcome) {
        let mut roll = state.random() % 100;
        let mut kind = 0u8;
        for (i, (_, share)) in Self::KINDS.iter().enumerate() {
            if roll < *share {
                kind = i as u8;
                break;
            }
            roll -= share;
        }
        if kind == K_STATUS && state.moves.is_empty() {
            kind = K_BOOKING;
        }
        let get =
            |list: &Vec<String>, state: &mut ClientState| list[state.index(list.len())].clone();
        let outcome = match kind {
            K_REGISTER => {
                let path = get(&self.register_lookups, state);
                check(conn.get(&path).await, StatusCode::OK, &path).0
            }
            K_PHONE => {
                let path = get(&self.phone_lookups, state);
                check(conn.get(&path).await, StatusCode::OK, &path).0
            }
            K_NAME => {
                let path = get(&self.name_searches, state);
                check(conn.get(&path).await, StatusCode::OK, &path).0
            }
            K_BOOK => all_pages(conn, &self.book).await,
            K_CHART => check(conn.get(&self.chart).await, StatusCode::OK, &self.chart).0,
            K_ME => check(conn.get(ME).await, StatusCode::OK, ME).0,
            K_BOOKING => match book(conn, &self.bookings).await {
                Ok(id) => {
                    state.moves.push_back((id, 0));
                    Ok(())
                }
                Err(e) => Err(e),
            },
            K_REGISTRATION => {
                let body = self.registrations.next_patient();
                check(
                    conn.post("/api/v1/patients", &body).await,
                    StatusCode::CREATED,
                    "POST /api/v1/patients",
                )
                .0
            }
            _ => match state.moves.pop_front() {
                Some((id, stage)) => {
                    let status = if stage == 0 { "confirmed" } else { "canceled" };
                    let path = format!("/api/v1/appointments/{id}/status");
                    let outcome = check(
                        conn.post(&path, &json!({"status": status})).await,
                        StatusCode::OK,
                        &path,
                    )
                    .0;
                    if stage == 0 && outcome.is_ok() {
                        state.moves.push_back((id, 1));
                    }
                    outcome
                }
                None => Ok(()),
            },
        };
        (kind, outcome)
    }
}

/// The authenticated GET of the benchmark.
pub const ME: &str = "/api/v1/auth/me";

#[cfg(test)]
mod tests {
    use super::*;
    use dcms_domain::RegisterNumber;

    fn settings() -> Settings {
        serde_json::from_value(json!({
            "time_zone": "Asia/Ulaanbaatar",
            "opening_hours": {
                "mon": [["09:00", "13:00"], ["14:00", "19:00"]],
                "tue": [["09:00", "18:00"]], "wed": [["09:00", "18:00"]],
                "thu": [["09:00", "18:00"]], "fri": [["09:00", "18:00"]],
                "sat": [["10:00", "15:00"]], "sun": []
            },
            "clinic_name": "ignored"
        }))
        .unwrap()
    }

    #[test]
    fn register_numbers_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for k in (0..2_191_500)
            .step_by(997)
            .chain([0, 1, 21_914, 21_915, 2_191_499])
        {
            let number = register_number(k);
            let parsed = RegisterNumber::parse(&number);
            assert!(parsed.is_ok(), "{number}: {parsed:?}");
            seen.insert((k, number));
        }
        let numbers: std::collections::HashSet<_> = seen.iter().map(|(_, n)| n.clone()).collect();
        assert_eq!(numbers.len(), seen.len());
    }

    #[test]
    fn registrations_have_two_valid_phones() {
        let r = Registrations::default();
        let body = r.next_patient();
        let phones = body["phones"].as_array().unwrap();
        assert_eq!(phones.len(), 2);
        for phone in phones {
            let number = phone["number"].as_str().unwrap();
            assert!(dcms_domain::Phone::parse(number).is_ok(), "{number}");
        }
    }

    #[test]
    fn bookings_never_share_a_doctor_or_a_patient_at_one_time() {
        let plan = BookingPlan::new(&settings(), (1..=20).collect(), (100..150).collect()).unwrap();
        let mut doctor_slots = std::collections::HashSet::new();
        let mut patient_slots = std::collections::HashSet::new();
        for _ in 0..5_000 {
            let b = plan.next_booking();
            let start = b["start_at"].as_str().unwrap().to_owned();
            let end = b["end_at"].as_str().unwrap();
            let s: jiff::Timestamp = start.parse().unwrap();
            let e: jiff::Timestamp = end.parse().unwrap();
            assert_eq!(e.duration_since(s).as_secs(), 30 * 60);
            let local = s.to_zoned(TimeZone::get("Asia/Ulaanbaatar").unwrap());
            assert_ne!(local.weekday(), Weekday::Sunday);
            assert!(local.hour() >= 9 && local.hour() < 19, "{start}");
            assert!(s > jiff::Timestamp::now());
            assert!(doctor_slots.insert((b["doctor_id"].as_i64().unwrap(), start.clone())));
            assert!(patient_slots.insert((b["patient_id"].as_i64().unwrap(), start)));
        }
    }

    #[test]
    fn the_next_open_day_is_within_a_week() {
        let day = settings().next_open_day().unwrap();
        assert_ne!(day.weekday(), Weekday::Sunday);
    }
}
