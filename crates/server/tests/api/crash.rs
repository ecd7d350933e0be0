//! A crash test of the embedded database: the real `dcms serve` on a SQLite file is killed
//! with SIGKILL five times, at random moments, while six clients register patients (two
//! phones each), book appointments, record treatments and take payments; each time it is
//! started again on the same file and the clients go on against it. Afterwards every write the
//! server acknowledged is in the database with the values sent, no patient lacks a phone or
//! a primary one, no treatment lacks its item, every row has its audit record, SQLite's
//! integrity check passes and the audit chain verifies.

use crate::helpers::{assert_sqlite_integrity, register_number, run_dcms, serve_dcms};
use dcms_store::entity::{
    appointment, audit_log, patient, patient_phone, payment, treatment, treatment_item,
};
use dcms_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use dcms_store::{Store, StoreOptions};
use rand::Rng;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

const KILLS: usize = 5;
const CLIENTS: usize = 6;
/// Every request's limit: a request the kill cut off fails fast, one that hangs fails here.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const PASSWORD: &str = "crash test password";
/// The price of the one service, charged once per treatment (a single tooth).
const PRICE: i64 = 30_000;

/// Starts `dcms serve` on `url` and returns it with its address (`127.0.0.1:PORT`), once it
/// logs it; lines of its log at error level, or of a panic, are kept in `problems`.
fn serve(url: &str, key: &Path, problems: Arc<Mutex<Vec<String>>>) -> (Child, String) {
    serve_dcms(url, key, &[], move |line| {
        if line.contains("ERROR") || line.contains("panicked") {
            problems.lock().unwrap().push(line.to_owned());
        }
    })
}

/// Waits (up to 30 s) until `/healthz` answers 200.
async fn wait_healthy(client: &reqwest::Client, address: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = client
            .get(format!("http://{address}/healthz"))
            .timeout(Duration::from_secs(1))
            .send()
            .await;
        if let Ok(r) = answer
            && r.status() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "{address} never became healthy");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A running server, killed if the test fails before stopping it (no server outlives it).
struct Server(Option<Child>);

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Sends `SIGKILL` (or `SIGTERM`) to the server and waits for it to end.
async fn signal(mut server: Server, signal: i32) -> std::process::ExitStatus {
    let mut child = server.0.take().unwrap();
    // SAFETY: signalling our own child process, which has not been waited for yet.
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
    tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap()
}

/// The writes the server acknowledged (2xx with the created id), with what was sent.
#[derive(Debug, Default)]
struct Acknowledged {
    /// (patient_id, register number)
    patients: Vec<(i64, String)>,
    /// (appointment_id, patient_id, start in seconds since the epoch)
    appointments: Vec<(i64, i64, i64)>,
    /// (treatment_id, patient_id)
    treatments: Vec<(i64, i64)>,
    /// (payment_id, treatment_id, amount)
    payments: Vec<(i64, i64, i64)>,
}

impl Acknowledged {
    fn total(&self) -> usize {
        self.patients.len() + self.appointments.len() + self.treatments.len() + self.payments.len()
    }
}

/// What the clients share.
struct Load {
    client: reqwest::Client,
    /// The running server's address; replaced after each restart.
    address: RwLock<String>,
    /// A receptionist's token (patients, appointments, payments) and an admin's (treatments).
    desk: String,
    admin: String,
    doctor: i64,
    service: i64,
    /// The next patient's number and the next free appointment slot.
    next_patient: AtomicU32,
    next_slot: AtomicU32,
    stop: AtomicBool,
    acknowledged: Mutex<Acknowledged>,
    /// Requests without an answer (refused, reset, cut off by a kill) and those of them that
    /// timed out.
    cut_off: AtomicU64,
    timed_out: AtomicU64,
    /// Answers that are not 2xx: the load is valid, so each is a failure.
    unexpected: Mutex<Vec<String>>,
}

impl Load {
    /// POSTs `body` to `path`; the created id (`id_field`) of a 2xx answer, None otherwise.
    async fn write(&self, path: &str, token: &str, body: Value, id_field: &str) -> Option<i64> {
        let address = self.address.read().unwrap().clone();
        let sent = self
            .client
            .post(format!("http://{address}{path}"))
            .bearer_auth(token)
            .timeout(REQUEST_TIMEOUT)
            .json(&body)
            .send()
            .await;
        let outcome = match sent {
            Ok(response) => {
                let status = response.status();
                response.text().await.map(|text| (status, text))
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok((status, text)) if status.is_success() => {
                let id = serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|v| v[id_field].as_i64());
                if id.is_none() {
                    self.unexpected
                        .lock()
                        .unwrap()
                        .push(format!("POST {path}: {status} without {id_field}: {text}"));
                }
                id
            }
            Ok((status, text)) => {
                self.unexpected
                    .lock()
                    .unwrap()
                    .push(format!("POST {path} {body}: {status} {text}"));
                None
            }
            Err(e) => {
                // The server is being killed or is not up yet: expected, not recorded.
                self.cut_off.fetch_add(1, Ordering::Relaxed);
                if e.is_timeout() {
                    self.timed_out.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                None
            }
        }
    }
}

/// The first appointment slot: Monday 2031-01-06 08:00 in Ulaanbaatar; slots are 30 minutes
/// apart, one after the other, so no two bookings of the doctor overlap.
fn slot_start(slot: u32) -> jiff::Timestamp {
    let first: jiff::Timestamp = "2031-01-06T08:00:00+08:00".parse().unwrap();
    first
        .checked_add(jiff::SignedDuration::from_mins(30 * i64::from(slot)))
        .unwrap()
}

/// One client: a patient, their appointment, a treatment with one item and its payment, over
/// and over. A write that fails (the server was killed) is dropped and the client goes on.
async fn client(load: Arc<Load>) {
    while !load.stop.load(Ordering::Relaxed) {
        let i = load.next_patient.fetch_add(1, Ordering::Relaxed);
        let number = register_number(i);
        let Some(patient) = load
            .write(
                "/api/v1/patients",
                &load.desk,
                json!({
                    "register_number": number,
                    "first_name": "Болд",
                    "last_name": "Бат",
                    "phones": [
                        {"number": format!("99{:06}", i), "label": "Өөрийн", "is_primary": true},
                        {"number": format!("88{:06}", i), "label": "Ээж", "is_primary": false},
                    ],
                }),
                "patient_id",
            )
            .await
        else {
            continue;
        };
        load.acknowledged
            .lock()
            .unwrap()
            .patients
            .push((patient, number));

        let start = slot_start(load.next_slot.fetch_add(1, Ordering::Relaxed));
        if let Some(id) = load
            .write(
                "/api/v1/appointments",
                &load.desk,
                json!({"patient_id": patient, "doctor_id": load.doctor, "start_at": start.to_string()}),
                "appointment_id",
            )
            .await
        {
            load.acknowledged.lock().unwrap().appointments.push((
                id,
                patient,
                start.as_second(),
            ));
        }

        let Some(treatment) = load
            .write(
                "/api/v1/treatments",
                &load.admin,
                json!({
                    "patient_id": patient,
                    "doctor_id": load.doctor,
                    "items": [{"service_id": load.service, "scope": "single_tooth", "teeth": ["16"]}],
                }),
                "treatment_id",
            )
            .await
        else {
            continue;
        };
        load.acknowledged
            .lock()
            .unwrap()
            .treatments
            .push((treatment, patient));

        let amount = 1_000 * (1 + i64::from(i % 30));
        if let Some(id) = load
            .write(
                &format!("/api/v1/treatments/{treatment}/payments"),
                &load.desk,
                json!({"amount": amount, "method": "cash"}),
                "payment_id",
            )
            .await
        {
            load.acknowledged
                .lock()
                .unwrap()
                .payments
                .push((id, treatment, amount));
        }
    }
}

/// POSTs a setup request that must succeed; the answer.
async fn setup_post(
    client: &reqwest::Client,
    address: &str,
    path: &str,
    token: &str,
    body: Value,
) -> Value {
    let r = client
        .post(format!("http://{address}{path}"))
        .bearer_auth(token)
        .timeout(Duration::from_secs(30))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let answer: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

async fn login(client: &reqwest::Client, address: &str, username: &str) -> String {
    let answer = setup_post(
        client,
        address,
        "/api/v1/auth/login",
        "",
        json!({"username": username, "password": PASSWORD}),
    )
    .await;
    answer["token"].as_str().unwrap().to_owned()
}

/// `(table, row_id)` of every `create` in the audit trail.
async fn audited_creates(db: &impl ConnectionTrait) -> HashSet<(String, i64)> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("create"))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|row| Some((row.table_name, row.row_id?)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_of_the_server() {
    let began = Instant::now();
    let dir: PathBuf = std::env::temp_dir().join(format!("dcms-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("crash.db").display());
    let key = dir.join("audit.key");

    // The staff the load needs, created as an operator would.
    for (username, role) in [("admin", "admin"), ("desk", "receptionist")] {
        let out = run_dcms(
            &url,
            &key,
            &[
                "users",
                "create",
                "--username",
                username,
                "--role",
                role,
                "--password-stdin",
            ],
            Some(&format!("{PASSWORD}\n")),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let problems: Arc<Mutex<Vec<String>>> = Arc::default();
    let (child, address) = serve(&url, &key, problems.clone());
    let mut server = Server(Some(child));
    let http = reqwest::Client::new();
    wait_healthy(&http, &address).await;
    let admin = login(&http, &address, "admin").await;
    let desk = login(&http, &address, "desk").await;
    let position = setup_post(
        &http,
        &address,
        "/api/v1/positions",
        &admin,
        json!({"position_type": "DENTIST", "display_name": "Шүдний эмч", "category": "clinical"}),
    )
    .await["position_id"]
        .as_i64()
        .unwrap();
    let doctor = setup_post(
        &http,
        &address,
        "/api/v1/employees",
        &admin,
        json!({
            "first_name": "Эмч", "last_name": "Бат", "gender": "female",
            "phones": [
                {"number": "99500000", "label": "Self", "is_primary": true},
                {"number": "88500000", "label": "Home", "is_primary": false},
            ],
            "positions": [{"position_id": position, "is_primary": true}],
        }),
    )
    .await["employee_id"]
        .as_i64()
        .unwrap();
    let service = setup_post(
        &http,
        &address,
        "/api/v1/services",
        &admin,
        json!({
            "service_type": "GEN", "display_number": 1,
            "doctor_display_name": "Filling", "patient_display_name": "Ломбо",
            "price": PRICE, "default_duration_time": 30,
        }),
    )
    .await["service_id"]
        .as_i64()
        .unwrap();

    let load = Arc::new(Load {
        client: http.clone(),
        address: RwLock::new(address),
        desk,
        admin,
        doctor,
        service,
        next_patient: AtomicU32::new(0),
        next_slot: AtomicU32::new(0),
        stop: AtomicBool::new(false),
        acknowledged: Mutex::default(),
        cut_off: AtomicU64::new(0),
        timed_out: AtomicU64::new(0),
        unexpected: Mutex::default(),
    });
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| tokio::spawn(client(load.clone())))
        .collect();

    // Five kills, each after 0.5 to 2 s of load.
    let delays: Vec<u64> = {
        let mut rng = rand::thread_rng();
        (0..KILLS).map(|_| rng.gen_range(500..=2_000)).collect()
    };
    let mut rounds = Vec::new();
    for delay in &delays {
        tokio::time::sleep(Duration::from_millis(*delay)).await;
        let status = signal(server, libc::SIGKILL).await;
        assert_eq!(status.signal(), Some(libc::SIGKILL), "{status:?}");
        rounds.push(load.acknowledged.lock().unwrap().total());
        let (url, key, problems) = (url.clone(), key.clone(), problems.clone());
        let (child, address) = tokio::task::spawn_blocking(move || serve(&url, &key, problems))
            .await
            .unwrap();
        server = Server(Some(child));
        wait_healthy(&http, &address).await;
        *load.address.write().unwrap() = address;
    }

    // The clients go on against the last server: a few more full rounds of writes, then stop.
    let after_last_kill = load.acknowledged.lock().unwrap().payments.len();
    let deadline = Instant::now() + Duration::from_secs(30);
    while load.acknowledged.lock().unwrap().payments.len() < after_last_kill + 2 * CLIENTS {
        assert!(
            Instant::now() < deadline,
            "the clients made no progress after the last restart: {:?}",
            load.unexpected.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    load.stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let status = signal(server, libc::SIGTERM).await;
    assert!(status.success(), "SIGTERM: {status:?}");
    let load_took = began.elapsed();

    let unexpected = load.unexpected.lock().unwrap().clone();
    assert!(
        unexpected.is_empty(),
        "answers that are not 2xx: {unexpected:#?}"
    );
    let acknowledged = std::mem::take(&mut *load.acknowledged.lock().unwrap());
    for (kind, count) in [
        ("patients", acknowledged.patients.len()),
        ("appointments", acknowledged.appointments.len()),
        ("treatments", acknowledged.treatments.len()),
        ("payments", acknowledged.payments.len()),
    ] {
        assert!(count > 0, "no {kind} were acknowledged");
    }

    // What is on disk, read directly.
    let store = Store::connect(&url, &StoreOptions::default())
        .await
        .unwrap();
    assert_sqlite_integrity(&store).await;
    let db = store.connection();

    let patients: HashMap<i64, patient::Model> = patient::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.patient_id, p))
        .collect();
    for (id, number) in &acknowledged.patients {
        let row = patients
            .get(id)
            .unwrap_or_else(|| panic!("acknowledged patient {id} is missing"));
        assert_eq!(&row.register_number, number, "patient {id}");
    }
    // Every patient on disk, acknowledged or not: two phones, exactly one primary.
    let mut phones: HashMap<i64, (usize, usize)> = HashMap::new();
    for phone in patient_phone::Entity::find().all(db).await.unwrap() {
        let entry = phones.entry(phone.patient_id).or_default();
        entry.0 += 1;
        entry.1 += usize::from(phone.is_primary);
    }
    for id in patients.keys() {
        let (count, primary) = phones.get(id).copied().unwrap_or_default();
        assert!(
            count >= 2 && primary == 1,
            "patient {id}: {count} phones, {primary} primary"
        );
    }

    let appointments: HashMap<i64, appointment::Model> = appointment::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.appointment_id, a))
        .collect();
    for (id, patient_id, start) in &acknowledged.appointments {
        let row = appointments
            .get(id)
            .unwrap_or_else(|| panic!("acknowledged appointment {id} is missing"));
        assert_eq!(
            (row.patient_id, row.doctor_id, row.start_at.timestamp()),
            (*patient_id, doctor, *start),
            "appointment {id}"
        );
    }

    let treatments: HashMap<i64, treatment::Model> = treatment::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.treatment_id, t))
        .collect();
    let mut items: HashMap<i64, Vec<treatment_item::Model>> = HashMap::new();
    for item in treatment_item::Entity::find().all(db).await.unwrap() {
        items.entry(item.treatment_id).or_default().push(item);
    }
    for (id, patient_id) in &acknowledged.treatments {
        let row = treatments
            .get(id)
            .unwrap_or_else(|| panic!("acknowledged treatment {id} is missing"));
        assert_eq!(
            (row.patient_id, row.doctor_id),
            (*patient_id, doctor),
            "treatment {id}"
        );
    }
    // Every treatment on disk has its one item: never a treatment without what was done.
    for id in treatments.keys() {
        let its = items.get(id).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(its.len(), 1, "treatment {id}: {its:?}");
        assert_eq!(
            (its[0].service_id, its[0].price),
            (service, PRICE),
            "treatment {id}"
        );
    }

    let payments: HashMap<i64, payment::Model> = payment::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.payment_id, p))
        .collect();
    for (id, treatment_id, amount) in &acknowledged.payments {
        let row = payments
            .get(id)
            .unwrap_or_else(|| panic!("acknowledged payment {id} is missing"));
        assert_eq!(
            (row.treatment_id, row.amount),
            (*treatment_id, *amount),
            "payment {id}"
        );
    }

    // Every row on disk was audited in its own transaction.
    let audited = audited_creates(db).await;
    for (table, ids) in [
        ("patient", patients.keys().copied().collect::<Vec<_>>()),
        ("appointment", appointments.keys().copied().collect()),
        ("treatment", treatments.keys().copied().collect()),
        ("payment", payments.keys().copied().collect()),
    ] {
        for id in ids {
            assert!(
                audited.contains(&(table.to_owned(), id)),
                "{table} {id} has no audit record"
            );
        }
    }
    store.close().await.unwrap();

    let out = run_dcms(&url, &key, &["audit", "verify"], None);
    let verified = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{verified} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(verified.contains("verified"), "{verified}");

    let problems = problems.lock().unwrap().clone();
    assert!(problems.is_empty(), "the server logged: {problems:#?}");

    // Writes acknowledged between two kills, and after the last one.
    rounds.push(acknowledged.total());
    let per_round: Vec<usize> = rounds
        .iter()
        .scan(0, |before, &now| {
            let delta = now - *before;
            *before = now;
            Some(delta)
        })
        .collect();
    eprintln!(
        "crash test: {KILLS} kills after {delays:?} ms of load; writes acknowledged in each round {per_round:?}; \
         in all {} patients, {} appointments, {} treatments, {} payments ({} writes; on disk \
         {} patients, {} appointments, {} treatments, {} payments); {} requests cut off ({} \
         timed out); load {:.1} s, in all {:.1} s; {}",
        acknowledged.patients.len(),
        acknowledged.appointments.len(),
        acknowledged.treatments.len(),
        acknowledged.payments.len(),
        acknowledged.total(),
        patients.len(),
        appointments.len(),
        treatments.len(),
        payments.len(),
        load.cut_off.load(Ordering::Relaxed),
        load.timed_out.load(Ordering::Relaxed),
        load_took.as_secs_f64(),
        began.elapsed().as_secs_f64(),
        verified.trim(),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
