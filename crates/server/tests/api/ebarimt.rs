//! e-barimt through HTTP against the PosAPI simulator (`posapi.rs`): one receipt per
//! payment with its sums and VAT checked by the simulator, B2B with the payer's TIN, a refund
//! returning the receipts it touches and re-issuing what remains, PosAPI down (HTTP 500,
//! ERROR, a hang past the time-out, stopped) then up draining the queue without a receipt
//! issued twice, the cashier's list and its retry, the daily sendData, the settings' rules;
//! and a kill -9 of `dcms serve` between sending and recording.
use crate::backend_test;
use crate::helpers::{TestApp, TestBackend};
use crate::posapi::{Mode, PosApiSim};
use crate::treatments::{Setup, service, setup, tid};
use dcms_server::config::Config;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The workers on, polling every 50 ms; two retries 300 ms apart; a 1 s time-out.
fn fast(config: &mut Config) {
    config.outbox_worker = true;
    config.ebarimt.poll = Duration::from_millis(50);
    config.ebarimt.backoff = vec![Duration::from_millis(300), Duration::from_millis(300)];
    config.ebarimt.timeout = Duration::from_secs(1);
}

async fn spawn(backend: TestBackend) -> Option<TestApp> {
    crate::helpers::spawn_app_with(backend, fast).await
}

/// A clinic whose whitening is VAT_ABLE (8 610 000) and the rest the clinic's VAT_FREE,
/// receipting through `sim`; (setup, whitening's id).
async fn clinic(app: &TestApp, sim: &PosApiSim) -> (Setup, i64) {
    let s = setup(app).await;
    let whitening = service(app, &s.c.manager, 3, "Whitening", 55_000).await;
    let (status, changed) = app
        .patch_json(
            &format!("/api/v1/services/{whitening}"),
            &s.c.manager,
            json!({"tax_type": "VAT_ABLE", "classification_code": "8610000"}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["tax_type"], "VAT_ABLE");
    let (status, settings) = app
        .patch_json("/api/v1/settings", &s.c.manager, sim.settings())
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["ebarimt"]["enabled"], true);
    (s, whitening)
}

async fn pay(app: &TestApp, token: &str, treatment: i64, body: Value) -> Value {
    let (status, p) = app
        .post_json(
            &format!("/api/v1/treatments/{treatment}/payments"),
            token,
            body,
        )
        .await;
    assert_eq!(status, 201, "{p}");
    p
}

/// Waits (up to 15 s) until the payment's receipt is in `state`.
async fn receipt_in(app: &TestApp, token: &str, payment: &Value, state: &str) -> Value {
    let path = format!("/api/v1/payments/{}/receipt", payment["payment_id"]);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, r) = app.get_json(&path, token).await;
        if status == 200 && r["state"] == state {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "the receipt never became {state}: {status} {r}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until no receipt is queued or sending.
async fn drained(app: &TestApp, token: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, queued) = app.get_json("/api/v1/receipts?state=queued", token).await;
        let (_, sending) = app.get_json("/api/v1/receipts?state=sending", token).await;
        if queued.as_array().is_some_and(Vec::is_empty)
            && sending.as_array().is_some_and(Vec::is_empty)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "receipts still queued: {queued} {sending}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

backend_test!(spawn -> TestApp, async fn each_payment_is_receipted_once_with_its_sums_and_vat(app) {
    let sim = PosApiSim::start().await;
    let (s, whitening) = clinic(&app, &sim).await;
    let t = crate::treatments::recorded(&app, &s, s.c.patients[0], json!([
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["16"], "system": "fdi", "discount": 3_000, "discount_reason": "Ахмад настан"},
        {"service_id": whitening, "scope": "upper_arch"},
    ])).await;
    assert_eq!(t["total"], 82_000);
    // 40 000 in cash (the filling's 27 000 and 13 000 of the whitening), the rest by card
    // for a company (B2B).
    let cash = pay(&app, &s.c.desk, tid(&t), json!({"amount": 40_000, "method": "cash"})).await;
    let card = pay(&app, &s.c.desk, tid(&t), json!({"amount": 42_000, "method": "card", "customer_tin": "5317878"})).await;
    let first = receipt_in(&app, &s.c.desk, &cash, "done").await;
    let second = receipt_in(&app, &s.c.desk, &card, "done").await;
    assert_eq!(sim.problems(), Vec::<String>::new());
    assert_eq!(sim.issued_twice(), Vec::<String>::new());
    let issued = sim.receipts();
    assert_eq!(issued.len(), 2);
    let by_suffix = |r: &Value| issued[r["bill_id_suffix"].as_str().unwrap()].clone();
    let (one, two) = (by_suffix(&first), by_suffix(&second));
    assert_eq!(first["ebarimt_id"].as_str(), Some(one.id.as_str()));
    assert_eq!(first["lottery"].as_str(), Some(one.lottery.as_str()));
    assert_eq!(first["qr_data"].as_str(), Some(one.qr_data.as_str()));
    assert!(first["issued_at"].is_string());
    assert_eq!(first["amount"], 40_000);
    // The cash receipt: B2C, the filling VAT_FREE and part of the whitening VAT_ABLE.
    assert_eq!(one.body["type"], "B2C_RECEIPT");
    assert_eq!(one.body["totalAmount"], 40_000);
    assert_eq!(one.body["payments"], json!([{"code": "CASH", "status": "PAID", "paidAmount": 40_000}]));
    let taxes: Vec<&str> = one.body["receipts"].as_array().unwrap().iter().map(|r| r["taxType"].as_str().unwrap()).collect();
    assert_eq!(taxes, ["VAT_FREE", "VAT_ABLE"]);
    assert_eq!(one.body["receipts"][0]["items"][0]["totalAmount"], 27_000);
    assert_eq!(one.body["receipts"][0]["items"][0]["name"], "Filling (patient)");
    assert_eq!(one.body["receipts"][1]["items"][0]["classificationCode"], "8610000");
    assert_eq!(one.body["receipts"][1]["totalVAT"].as_f64(), Some(1181.82));
    // The card receipt: B2B with the company's TIN, the rest of the whitening.
    assert_eq!(two.body["type"], "B2B_RECEIPT");
    assert_eq!(two.body["customerTin"], "5317878");
    assert_eq!(two.body["totalAmount"], 42_000);
    assert_eq!(two.body["payments"][0]["code"], "PAYMENT_CARD");
    assert_eq!(two.body["totalVAT"].as_f64(), Some(3818.18));
    // A bad TIN is 422 and takes nothing.
    let t2 = crate::treatments::recorded(&app, &s, s.c.patients[1], json!([{"service_id": s.filling, "scope": "single_tooth", "teeth": ["11"], "system": "fdi"}])).await;
    let (status, problem) = app.post_json(&format!("/api/v1/treatments/{}/payments", tid(&t2)), &s.c.desk, json!({"amount": 1_000, "method": "cash", "customer_tin": "12ab"})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "customer_tin");
    // The daily sendData was called once.
    let deadline = Instant::now() + Duration::from_secs(5);
    while sim.send_data_calls() == 0 {
        assert!(Instant::now() < deadline, "sendData was never called");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sim.send_data_calls(), 1);
    // Every change of a receipt is audited.
    let rows = app.audit_rows(&s.c.admin, "ebarimt_receipt", first["receipt_id"].as_i64().unwrap()).await;
    assert_eq!(crate::helpers::actions(&rows), ["status", "status", "create"], "newest first");
});

backend_test!(spawn -> TestApp, async fn a_refund_returns_the_receipts_it_touches_and_reissues_the_rest(app) {
    let sim = PosApiSim::start().await;
    let (s, _) = clinic(&app, &sim).await;
    let t = crate::treatments::recorded(&app, &s, s.c.patients[0], json!([{"service_id": s.scaling, "scope": "upper_arch"}])).await;
    let a = pay(&app, &s.c.desk, tid(&t), json!({"amount": 120_000, "method": "cash"})).await;
    let b = pay(&app, &s.c.desk, tid(&t), json!({"amount": 50_000, "method": "card"})).await;
    let ra = receipt_in(&app, &s.c.desk, &a, "done").await;
    let rb = receipt_in(&app, &s.c.desk, &b, "done").await;
    // A refund of 70 000: the newest (50 000) is not enough, so both are returned and one
    // receipt of 100 000 is issued for what remains paid.
    let refund = pay(&app, &s.c.manager, tid(&t), json!({"amount": -70_000, "method": "cash"})).await;
    let reissued = receipt_in(&app, &s.c.desk, &refund, "done").await;
    drained(&app, &s.c.desk).await;
    assert_eq!(reissued["amount"], 100_000);
    assert_eq!(sim.problems(), Vec::<String>::new());
    assert_eq!(sim.issued_twice(), Vec::<String>::new());
    let issued = sim.receipts();
    let returned: Vec<&str> = issued.values().filter(|r| r.returned).map(|r| r.id.as_str()).collect();
    assert_eq!(returned.len(), 2, "{returned:?}");
    for r in [&ra, &rb] {
        assert!(returned.contains(&r["ebarimt_id"].as_str().unwrap()));
    }
    let (_, ra_now) = app.get_json(&format!("/api/v1/payments/{}/receipt", a["payment_id"]), &s.c.desk).await;
    assert_eq!(ra_now["state"], "returned");
    // What is receipted and not returned is what is paid: 100 000.
    let live: f64 = issued.values().filter(|r| !r.returned).map(|r| r.body["totalAmount"].as_f64().unwrap()).sum();
    assert_eq!(live, 100_000.0);
    // A refund of everything left returns the re-issue and issues nothing.
    let all = pay(&app, &s.c.manager, tid(&t), json!({"amount": -100_000, "method": "cash"})).await;
    drained(&app, &s.c.desk).await;
    assert_eq!(app.get_json(&format!("/api/v1/payments/{}/receipt", all["payment_id"]), &s.c.desk).await.1["kind"], "return");
    assert!(sim.receipts().values().all(|r| r.returned));
});

backend_test!(spawn -> TestApp, async fn posapi_down_then_up_drains_the_queue_and_issues_each_once(app) {
    let sim = PosApiSim::start().await;
    let (s, _) = clinic(&app, &sim).await;
    let t = crate::treatments::recorded(&app, &s, s.c.patients[0], json!([{"service_id": s.scaling, "scope": "upper_arch"}])).await;
    // HTTP 500, then ERROR: retried with back-off, then failed (three attempts).
    sim.set(Mode::Http500);
    let p1 = pay(&app, &s.c.desk, tid(&t), json!({"amount": 10_000, "method": "cash"})).await;
    let failed = receipt_in(&app, &s.c.desk, &p1, "failed").await;
    assert_eq!(failed["attempts"], 3);
    assert!(failed["last_error"].as_str().unwrap().contains("500"), "{failed}");
    sim.set(Mode::Error);
    let p2 = pay(&app, &s.c.desk, tid(&t), json!({"amount": 20_000, "method": "cash"})).await;
    let failed2 = receipt_in(&app, &s.c.desk, &p2, "failed").await;
    assert!(failed2["last_error"].as_str().unwrap().contains("Сугалааны"), "{failed2}");
    // The cashier's list shows both, patient named; a retry while PosAPI is stopped queues
    // it again and it stays on the list.
    let (status, list) = app.get_json("/api/v1/receipts", &s.c.desk).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert!(list[0]["patient_name"].is_string());
    assert_eq!(app.get_json("/api/v1/receipts?state=nonsense", &s.c.desk).await.0, 422);
    sim.stop().await;
    sim.set(Mode::Ok);
    let p3 = pay(&app, &s.c.desk, tid(&t), json!({"amount": 30_000, "method": "cash"})).await;
    for p in [&p1, &p2] {
        let receipt = app.get_json(&format!("/api/v1/payments/{}/receipt", p["payment_id"]), &s.c.desk).await.1;
        let (status, retried) = app.post_json(&format!("/api/v1/receipts/{}/retry", receipt["receipt_id"]), &s.c.desk, json!({})).await;
        assert_eq!(status, 200, "{retried}");
        assert_eq!(retried["state"], "queued");
        assert_eq!(retried["attempts"], 0);
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (_, waiting) = app.get_json("/api/v1/receipts", &s.c.desk).await;
    assert_eq!(waiting.as_array().unwrap().len(), 3, "{waiting}");
    assert!(waiting.as_array().unwrap().iter().any(|r| r["last_error"].as_str().is_some_and(|e| e.contains("unreachable"))), "{waiting}");
    // PosAPI up again (the same state: a restart loses nothing): the queue drains.
    sim.restart().await;
    for p in [&p1, &p2, &p3] {
        let (_, r) = app.get_json(&format!("/api/v1/payments/{}/receipt", p["payment_id"]), &s.c.desk).await;
        if r["state"] == "failed" {
            app.post_json(&format!("/api/v1/receipts/{}/retry", r["receipt_id"]), &s.c.desk, json!({})).await;
        }
    }
    for p in [&p1, &p2, &p3] {
        receipt_in(&app, &s.c.desk, p, "done").await;
    }
    assert_eq!(sim.receipts().len(), 3);
    assert_eq!(sim.issued_twice(), Vec::<String>::new());
    assert_eq!(app.get_json("/api/v1/receipts", &s.c.desk).await.1, json!([]));
    // A done receipt is not sent again.
    let done = app.get_json(&format!("/api/v1/payments/{}/receipt", p3["payment_id"]), &s.c.desk).await.1;
    assert_eq!(app.post_json(&format!("/api/v1/receipts/{}/retry", done["receipt_id"]), &s.c.desk, json!({})).await.0, 409);
    assert_eq!(app.post_json("/api/v1/receipts/999999/retry", &s.c.desk, json!({})).await.0, 404);
    // A hang past the time-out: the receipt was issued but the answer lost; the retry gets
    // the same receipt, not a second one.
    sim.set(Mode::Hang(Duration::from_millis(1_500)));
    let before = sim.posts().len();
    let p4 = pay(&app, &s.c.desk, tid(&t), json!({"amount": 40_000, "method": "cash"})).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.posts().len() <= before {
        assert!(Instant::now() < deadline, "PosAPI was not called");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sim.set(Mode::Ok);
    let r4 = receipt_in(&app, &s.c.desk, &p4, "done").await;
    assert!(r4["attempts"].as_i64().unwrap() >= 2, "{r4}");
    assert_eq!(sim.receipts().len(), 4);
    assert_eq!(sim.issued_twice(), Vec::<String>::new());
    let suffix = r4["bill_id_suffix"].as_str().unwrap();
    let posts_of_it = sim.posts().iter().filter(|b| b["billIdSuffix"] == suffix).count();
    assert!(posts_of_it >= 2, "sent again after the time-out: {posts_of_it}");
    assert_eq!(r4["ebarimt_id"].as_str(), Some(sim.receipts()[suffix].id.as_str()));
});

backend_test!(spawn -> TestApp, async fn ebarimt_settings_are_checked_and_off_means_no_receipt(app) {
    let s = setup(&app).await;
    let t = crate::treatments::recorded(&app, &s, s.c.patients[0], json!([{"service_id": s.scaling, "scope": "upper_arch"}])).await;
    let (status, settings) = app.get_json("/api/v1/settings", &s.c.manager).await;
    assert_eq!(status, 200);
    assert_eq!(settings["ebarimt"]["enabled"], false);
    assert_eq!(settings["discount_threshold_percent"], 10);
    let p = pay(&app, &s.c.desk, tid(&t), json!({"amount": 1_000, "method": "cash"})).await;
    assert_eq!(app.get_json(&format!("/api/v1/payments/{}/receipt", p["payment_id"]), &s.c.desk).await.0, 404);
    // Enabling needs every field; a bad URL, TIN or tax type is named.
    let (status, problem) = app.patch_json("/api/v1/settings", &s.c.manager, json!({"ebarimt": {"enabled": true, "url": "http://127.0.0.1:7080"}})).await;
    assert_eq!(status, 422, "{problem}");
    let named: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(named, ["ebarimt.merchant_tin", "ebarimt.pos_no", "ebarimt.branch_no", "ebarimt.district_code"]);
    let (status, problem) = app.patch_json("/api/v1/settings", &s.c.manager, json!({"ebarimt": {"url": "ftp://x", "merchant_tin": "12", "default_tax_type": "VAT"}})).await;
    assert_eq!(status, 422, "{problem}");
    let named: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(named, ["ebarimt.url", "ebarimt.merchant_tin", "ebarimt.default_tax_type"]);
    let (_, unchanged) = app.get_json("/api/v1/settings", &s.c.manager).await;
    assert_eq!(unchanged["ebarimt"], settings["ebarimt"]);
    assert_eq!(app.patch_json("/api/v1/settings", &s.c.desk, json!({"ebarimt": {"enabled": false}})).await.0, 403);
    // A service's tax type and code are checked too.
    let (status, problem) = app.patch_json(&format!("/api/v1/services/{}", s.filling), &s.c.manager, json!({"tax_type": "VAT", "classification_code": "86-10"})).await;
    assert_eq!(status, 422, "{problem}");
    // Doctors read the cashier's list; patients do not.
    assert_eq!(app.get_json("/api/v1/receipts", &s.doctor).await.0, 200);
});

// --- a kill -9 between sending and recording -----------------------------------------------

const PASSWORD: &str = "ebarimt crash password";

async fn post(
    http: &reqwest::Client,
    address: &str,
    path: &str,
    token: &str,
    body: Value,
) -> Value {
    let r = http
        .post(format!("http://{address}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let answer: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

async fn receipt_row(store: &dcms_store::Store) -> Vec<dcms_store::entity::ebarimt_receipt::Model> {
    use dcms_store::sea_orm::EntityTrait;
    dcms_store::entity::ebarimt_receipt::Entity::find()
        .all(store.connection())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_between_sending_and_recording_neither_doubles_nor_loses_the_receipt() {
    use crate::helpers::{run_dcms, serve_dcms};
    let dir = std::env::temp_dir().join(format!("dcms-ebarimt-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("clinic.db").display());
    let key = dir.join("audit.key");
    let out = run_dcms(
        &url,
        &key,
        &[
            "users",
            "create",
            "--username",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let args = ["--ebarimt-poll-ms", "50", "--ebarimt-timeout-ms", "60000"];
    let (mut child, address) = serve_dcms(&url, &key, &args, |_| {});
    let http = reqwest::Client::new();
    let admin = post(
        &http,
        &address,
        "/api/v1/auth/login",
        "",
        json!({"username": "admin", "password": PASSWORD}),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let position = post(
        &http,
        &address,
        "/api/v1/positions",
        &admin,
        json!({"position_type": "DENTIST", "display_name": "Шүдний эмч", "category": "clinical"}),
    )
    .await["position_id"]
        .clone();
    let doctor = post(&http, &address, "/api/v1/employees", &admin, json!({
        "first_name": "Эмч", "last_name": "Бат", "gender": "female",
        "phones": [{"number": "99500000", "label": "Self", "is_primary": true}, {"number": "88500000", "label": "Home", "is_primary": false}],
        "positions": [{"position_id": position, "is_primary": true}],
    })).await["employee_id"].clone();
    let service = post(&http, &address, "/api/v1/services", &admin, json!({"service_type": "GEN", "display_number": 1, "doctor_display_name": "Filling", "patient_display_name": "Ломбо", "price": 30_000, "default_duration_time": 30})).await["service_id"].clone();
    let patient = post(&http, &address, "/api/v1/patients", &admin, json!({"register_number": crate::helpers::register_number(1), "first_name": "Болд", "last_name": "Бат", "phones": [{"number": "99000001", "label": "Өөрийн", "is_primary": true}, {"number": "88000001", "label": "Ээж", "is_primary": false}]})).await["patient_id"].clone();
    let treatment = post(&http, &address, "/api/v1/treatments", &admin, json!({"patient_id": patient, "doctor_id": doctor, "items": [{"service_id": service, "scope": "single_tooth", "teeth": ["16"]}]})).await["treatment_id"].clone();
    // PosAPI issues the receipt, then does not answer: DCMS is killed while it waits.
    let sim = PosApiSim::start().await;
    sim.set(Mode::Hang(Duration::from_secs(120)));
    let r = http
        .patch(format!("http://{address}/api/v1/settings"))
        .bearer_auth(&admin)
        .json(&sim.settings())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    post(
        &http,
        &address,
        &format!("/api/v1/treatments/{treatment}/payments"),
        &admin,
        json!({"amount": 30_000, "method": "cash"}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while sim.posts().is_empty() {
        assert!(Instant::now() < deadline, "PosAPI was never called");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // SAFETY: signalling our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGKILL);
    }
    child.wait().unwrap();
    let store = dcms_store::Store::connect(&url, &dcms_store::StoreOptions::default())
        .await
        .unwrap();
    let rows = receipt_row(&store).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].state,
        dcms_domain::ReceiptState::Sending.code(),
        "with PosAPI when killed"
    );
    assert_eq!(sim.receipts().len(), 1, "PosAPI issued it");

    // Started again: the receipt is sent again with the same billIdSuffix; PosAPI answers the
    // receipt it issued; DCMS records it. One receipt, not lost, not doubled.
    sim.set(Mode::Ok);
    let (mut child, _) = serve_dcms(&url, &key, &args, |_| {});
    let deadline = Instant::now() + Duration::from_secs(30);
    let row = loop {
        let rows = receipt_row(&store).await;
        if rows[0].state == dcms_domain::ReceiptState::Done.code() {
            break rows[0].clone();
        }
        assert!(
            Instant::now() < deadline,
            "the receipt was never recorded: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let issued = sim.receipts();
    assert_eq!(issued.len(), 1);
    assert_eq!(sim.issued_twice(), Vec::<String>::new());
    let suffix = row.bill_id_suffix.clone().unwrap();
    assert_eq!(row.ebarimt_id.as_deref(), Some(issued[&suffix].id.as_str()));
    assert_eq!(
        row.lottery.as_deref(),
        Some(issued[&suffix].lottery.as_str())
    );
    assert_eq!(
        sim.posts()
            .iter()
            .filter(|b| b["billIdSuffix"] == suffix.as_str())
            .count(),
        2,
        "sent twice, issued once"
    );
    assert_eq!(sim.problems(), Vec::<String>::new());
    // SAFETY: signalling our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    assert!(child.wait().unwrap().success());
    store.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
