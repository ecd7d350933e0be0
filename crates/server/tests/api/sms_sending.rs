//! Sending SMS through the outbox, reminders and inbound replies, against a fake provider: a
//! small axum server on loopback that records every request and answers as the test tells
//! it (200, 400, 500, slowly). The crash test runs the real `dcms serve` and kills it with
//! SIGKILL while a message is with the provider.

use crate::appointments::{booked, clinic, set_status};
use crate::backend_test;
use crate::helpers::{TestApp, TestBackend, serve_dcms, spawn_app_with};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use dcms_domain::{ContactType, Direction, SmsState};
use dcms_server::config::{Config, Secret};
use dcms_server::services::audit::AuditTrail;
use dcms_server::services::outbox::{self, OutboxOptions};
use dcms_server::services::reminders;
use dcms_server::services::sms_gateway::{HttpGatewayConfig, LogOnly};
use dcms_store::comms::{NewOutbox, insert_outbox};
use dcms_store::entity::{sms, sms_outbox};
use dcms_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use dcms_store::time::{now, to_db};
use dcms_store::{Store, StoreOptions};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// --- the fake provider -------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    uri: String,
    headers: HeaderMap,
    body: String,
    at: Instant,
}

#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    body: String,
    delay: Duration,
}

#[derive(Default)]
struct ProviderState {
    requests: Mutex<Vec<Recorded>>,
    reply: Mutex<Option<Reply>>,
}

#[derive(Clone)]
struct Provider {
    url: String,
    state: Arc<ProviderState>,
}

impl Provider {
    /// Starts on 127.0.0.1:0 answering 200 `{"status": "queued"}` at once.
    async fn start() -> Provider {
        let state = Arc::new(ProviderState::default());
        let router = axum::Router::new()
            .fallback(answer)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let provider = Provider { url, state };
        provider.answer(200, r#"{"status": "queued"}"#, Duration::ZERO);
        provider
    }

    fn answer(&self, status: u16, body: &str, delay: Duration) {
        *self.state.reply.lock().unwrap() = Some(Reply {
            status,
            body: body.into(),
            delay,
        });
    }

    fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }
}

/// Records the request as it arrives, then answers (after the delay, if any).
async fn answer(
    State(state): State<Arc<ProviderState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    state.requests.lock().unwrap().push(Recorded {
        method: method.to_string(),
        uri: uri.to_string(),
        headers,
        body,
        at: Instant::now(),
    });
    let reply = state.reply.lock().unwrap().clone().unwrap();
    tokio::time::sleep(reply.delay).await;
    (StatusCode::from_u16(reply.status).unwrap(), reply.body)
}

const BODY: &str = r#"{"recipient": "{to}", "message": "{text}", "ref": "{idempotency_key}"}"#;

fn gateway(provider: &Provider) -> HttpGatewayConfig {
    HttpGatewayConfig::new(
        &format!("{}/send", provider.url),
        "POST",
        &["Authorization: Bearer test-key".into()],
        Some(BODY),
        "json",
    )
    .unwrap()
}

/// Fast polls and back-offs for tests.
/// The worker on (tests run without it), polling every 50 ms.
fn fast(config: &mut Config) {
    config.outbox_worker = true;
    config.outbox = OutboxOptions {
        poll: Duration::from_millis(50),
        backoff: vec![Duration::from_millis(150); 3],
    };
}

async fn queue(store: &Store, to: &str, text: &str, key: &str) -> i64 {
    insert_outbox(
        store.connection(),
        NewOutbox {
            phone_number: to.into(),
            subject: None,
            sms_text: text.into(),
            idempotency_key: key.into(),
            appointment_id: None,
            reminder_for_start_at: None,
            next_attempt_at: now(),
            now: now(),
        },
    )
    .await
    .unwrap()
    .sms_outbox_id
}

async fn row(store: &Store, id: i64) -> sms_outbox::Model {
    sms_outbox::Entity::find_by_id(id)
        .one(store.connection())
        .await
        .unwrap()
        .unwrap()
}

/// Waits (up to 15 s) until the row is in `state`.
async fn wait_for(store: &Store, id: i64, state: SmsState) -> sms_outbox::Model {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = row(store, id).await;
        if r.state == state.code() {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "row {id} never became {state}: {r:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn outbox_rows(store: &Store) -> Vec<sms_outbox::Model> {
    sms_outbox::Entity::find()
        .order_by_asc(sms_outbox::Column::SmsOutboxId)
        .all(store.connection())
        .await
        .unwrap()
}

// --- delivery ------------------------------------------------------------------------------

backend_test!(no_setup -> TestBackend, async fn delivered_messages_become_sms_rows_with_their_contact(backend) {
    let provider = Provider::start().await;
    let Some(app) = spawn_app_with(backend, |c| {
        c.sms_gateway = Some(gateway(&provider));
        fast(c);
    })
    .await
    else {
        return;
    };
    let people = clinic(&app, 1, 1).await;
    let text = "Сайн \"уу\"\nмөр 2 \\ {to}";
    let id = queue(&app.store, "99000000", text, "key-1").await;
    let sent = wait_for(&app.store, id, SmsState::Sent).await;
    assert_eq!(sent.attempts, 1);
    assert_eq!(sent.last_error, None);

    let requests = provider.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!((r.method.as_str(), r.uri.as_str()), ("POST", "/send"));
    assert_eq!(r.headers["authorization"], "Bearer test-key");
    assert_eq!(r.headers["content-type"], "application/json");
    // The template's placeholders, JSON-escaped: the body parses and says exactly the text.
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body, json!({"recipient": "99000000", "message": text, "ref": "key-1"}));

    let sms = sms::Entity::find_by_id(sent.sms_id.expect("sms_id set"))
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sms.direction, Direction::Out.code());
    assert_eq!(sms.sms_text, text);
    assert_eq!(sms.contact_type, ContactType::Patient.code());
    assert_eq!(sms.contacter_id, Some(people.patients[0]));

    // Audited: queued -> sending -> sent, by nobody.
    let (status, page) = app.get_json(&format!("/api/v1/audit?table=sms_outbox&row_id={id}"), &people.manager).await;
    assert_eq!(status, 200, "{page}");
    let states: Vec<Value> = page["items"].as_array().unwrap().iter().map(|i| i["changes"]["state"].clone()).collect();
    assert_eq!(states, [json!(["sending", "sent"]), json!(["queued", "sending"])], "{page}");
    assert!(page["items"][0]["user_id"].is_null());
});

backend_test!(no_setup -> TestBackend, async fn definite_failures_back_off_then_fail(backend) {
    let provider = Provider::start().await;
    provider.answer(400, r#"{"error": "invalid number"}"#, Duration::ZERO);
    let Some(app) = spawn_app_with(backend, |c| {
        c.sms_gateway = Some(gateway(&provider));
        fast(c);
    })
    .await
    else {
        return;
    };
    let id = queue(&app.store, "99112233", "hello", "key-400").await;
    let failed = wait_for(&app.store, id, SmsState::Failed).await;
    assert_eq!(failed.attempts, 4);
    assert!(failed.last_error.as_deref().unwrap().contains("400"), "{failed:?}");
    assert_eq!(failed.sms_id, None);
    let requests = provider.requests();
    assert_eq!(requests.len(), 4, "four attempts in all");
    for pair in requests.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_millis(140), "backed off");
    }
    // A 2xx whose body says it failed is a definite failure too.
    provider.answer(200, r#"{"status": "FAILED"}"#, Duration::ZERO);
    let id = queue(&app.store, "99112233", "again", "key-200-failed").await;
    let failed = wait_for(&app.store, id, SmsState::Failed).await;
    assert_eq!(failed.attempts, 4);
    assert!(failed.last_error.as_deref().unwrap().contains("FAILED"), "{failed:?}");
});

backend_test!(no_setup -> TestBackend, async fn the_gateway_url_and_headers_never_reach_what_people_read(backend) {
    // The provider's key travels in the URL's query and in a header; a provider that echoes
    // the request, and one that cannot be reached at all.
    let provider = Provider::start().await;
    provider.answer(400, "rejected /send?api_key=URL-KEY-1234 with header key HDR-KEY-5678", Duration::ZERO);
    let config = |base: &str| {
        HttpGatewayConfig::new(
            &format!("{base}/send?api_key=URL-KEY-1234&to={{to}}"),
            "POST",
            &["X-Api-Key: HDR-KEY-5678".into()],
            Some(BODY),
            "json",
        )
        .unwrap()
    };
    let unreachable = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        url
    };
    for base in [provider.url.clone(), unreachable] {
        let Some(app) = spawn_app_with(backend, |c| {
            c.sms_gateway = Some(config(&base));
            fast(c);
        })
        .await
        else {
            return;
        };
        let id = queue(&app.store, "99112233", "hello", "key-secret").await;
        let failed = wait_for(&app.store, id, SmsState::Failed).await;
        let error = failed.last_error.clone().unwrap();
        app.audit.flush().await;
        let audit: Vec<String> = dcms_store::entity::audit_log::Entity::find()
            .all(app.store.connection())
            .await
            .unwrap()
            .into_iter()
            .filter_map(|r| r.changes)
            .collect();
        for text in std::iter::once(&error).chain(audit.iter()) {
            for secret in ["URL-KEY-1234", "HDR-KEY-5678", base.as_str()] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
        // What helps the cashier stays: the status, or that nothing answered.
        assert!(error.contains("400") || error.contains("no connection"), "{error}");
    }
});

backend_test!(no_setup -> TestBackend, async fn indefinite_failures_are_unknown_and_never_retried(backend) {
    let provider = Provider::start().await;
    provider.answer(503, "upstream broke", Duration::ZERO);
    let Some(app) = spawn_app_with(backend, |c| {
        c.sms_gateway = Some(gateway(&provider));
        fast(c);
    })
    .await
    else {
        return;
    };
    let id = queue(&app.store, "99112233", "hello", "key-503").await;
    let unknown = wait_for(&app.store, id, SmsState::Unknown).await;
    assert_eq!(unknown.attempts, 1);
    assert!(unknown.last_error.as_deref().unwrap().contains("503"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(provider.requests().len(), 1, "never sent again");
    assert_eq!(row(&app.store, id).await.state, SmsState::Unknown.code());
});

backend_test!(no_setup -> TestBackend, async fn get_gateway_percent_encodes_the_url(backend) {
    let provider = Provider::start().await;
    let Some(app) = spawn_app_with(backend, |c| {
        c.sms_gateway = Some(
            HttpGatewayConfig::new(
                &format!("{}/api/sms?to={{to}}&msg={{text}}&id={{idempotency_key}}", provider.url),
                "GET",
                &[],
                None,
                "json",
            )
            .unwrap(),
        );
        fast(c);
    })
    .await
    else {
        return;
    };
    let id = queue(&app.store, "+79123456789", "Сайн уу & 1+1", "k 1").await;
    wait_for(&app.store, id, SmsState::Sent).await;
    let requests = provider.requests();
    assert_eq!(requests[0].method, "GET");
    assert_eq!(
        requests[0].uri,
        "/api/sms?to=%2B79123456789&msg=%D0%A1%D0%B0%D0%B9%D0%BD%20%D1%83%D1%83%20%26%201%2B1&id=k%201"
    );
});

// --- reminders -----------------------------------------------------------------------------

/// `2030-01-07` (a Monday) at `hh:mm` in Ulaanbaatar, as an instant.
fn ub(day: u8, hhmm: &str) -> jiff::Timestamp {
    format!("2030-01-{day:02}T{hhmm}:00+08:00").parse().unwrap()
}

async fn run_reminders(app: &TestApp, at: jiff::Timestamp) -> usize {
    reminders::run(&app.store, &app.audit, at).await.unwrap()
}

fn no_worker(c: &mut Config) {
    c.outbox_worker = false;
}

async fn reminder_rows(store: &Store, appointment: i64) -> Vec<sms_outbox::Model> {
    sms_outbox::Entity::find()
        .filter(sms_outbox::Column::AppointmentId.eq(appointment))
        .order_by_asc(sms_outbox::Column::SmsOutboxId)
        .all(store.connection())
        .await
        .unwrap()
}

backend_test!(no_setup -> TestBackend, async fn reminders_once_per_start_time(backend) {
    let Some(app) = spawn_app_with(backend, no_worker).await else {
        return;
    };
    let people = clinic(&app, 1, 4).await;
    let (status, s) = app.patch_json("/api/v1/settings", &people.manager, json!({
        "clinic_name": "Гэгээн шүд",
        "reminder_enabled": true,
        "reminder_hour": 18,
        "reminder_template": "{patient}|{date}|{time}|{doctor}|{clinic}",
    })).await;
    assert_eq!(status, 200, "{s}");
    let doctor = people.doctors[0];
    let book = |patient: i64, start: String| json!({"patient_id": patient, "doctor_id": doctor, "start_at": start});
    let a0 = booked(&app, &people.desk, book(people.patients[0], "2030-01-08T09:00:00+08:00".into())).await;
    let a1 = booked(&app, &people.desk, book(people.patients[1], "2030-01-08T10:00:00+08:00".into())).await;
    let a2 = booked(&app, &people.desk, book(people.patients[2], "2030-01-08T11:00:00+08:00".into())).await;
    let a3 = booked(&app, &people.desk, book(people.patients[3], "2030-01-08T12:00:00+08:00".into())).await;
    let later = booked(&app, &people.desk, book(people.patients[0], "2030-01-09T09:00:00+08:00".into())).await;
    let id = |a: &Value| a["appointment_id"].as_i64().unwrap();
    assert_eq!(set_status(&app, &people.desk, id(&a1), "confirmed").await.0, 200);
    assert_eq!(set_status(&app, &people.desk, id(&a3), "canceled").await.0, 200);
    let (status, p) = app.patch_json(&format!("/api/v1/patients/{}", people.patients[2]), &people.desk,
        json!({"sms_reminder_opt_out": true})).await;
    assert_eq!(status, 200, "{p}");

    // Before the hour, nothing; turned off, nothing.
    assert_eq!(run_reminders(&app, ub(7, "17:59")).await, 0);
    // At and after the hour: the reserved and the confirmed one of tomorrow.
    assert_eq!(run_reminders(&app, ub(7, "18:00")).await, 2);
    for _ in 0..3 {
        assert_eq!(run_reminders(&app, ub(7, "19:30")).await, 0, "no duplicates");
    }
    let r0 = reminder_rows(&app.store, id(&a0)).await;
    assert_eq!(r0.len(), 1);
    assert_eq!(r0[0].sms_text, "Нэр0|2030-01-08|09:00|Бат Ажилтан0|Гэгээн шүд");
    assert_eq!(r0[0].phone_number, "99000000");
    assert_eq!(r0[0].state, SmsState::Queued.code());
    let start0 = ub(8, "09:00");
    assert_eq!(r0[0].reminder_for_start_at, Some(to_db(start0)));
    assert_eq!(r0[0].idempotency_key, format!("rem-{}-{}", id(&a0), start0.as_second()));
    assert_eq!(reminder_rows(&app.store, id(&a1)).await.len(), 1);
    assert!(reminder_rows(&app.store, id(&a2)).await.is_empty(), "opted out");
    assert!(reminder_rows(&app.store, id(&a3)).await.is_empty(), "canceled");
    assert!(reminder_rows(&app.store, id(&later)).await.is_empty(), "not tomorrow");

    // Moved: reminded again, once, for the new time.
    let (status, m) = app.patch_json(&format!("/api/v1/appointments/{}", id(&a0)), &people.desk,
        json!({"start_at": "2030-01-08T15:00:00+08:00", "end_at": "2030-01-08T15:30:00+08:00"})).await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(run_reminders(&app, ub(7, "20:00")).await, 1);
    assert_eq!(run_reminders(&app, ub(7, "20:01")).await, 0);
    let r0 = reminder_rows(&app.store, id(&a0)).await;
    assert_eq!(r0.len(), 2);
    assert!(r0[1].sms_text.contains("|15:00|"));
    // Canceled after its reminder was queued: not sent.
    assert_eq!(set_status(&app, &people.desk, id(&a1), "canceled").await.0, 200);

    // The worker's claim drops the stale ones and takes the current one.
    let claimed = outbox::claim(&app.store, &app.audit).await.unwrap().unwrap();
    assert_eq!(claimed.sms_outbox_id, r0[1].sms_outbox_id);
    assert_eq!(claimed.state, SmsState::Sending.code());
    let old = row(&app.store, r0[0].sms_outbox_id).await;
    assert_eq!((old.state, old.last_error.as_deref()), (SmsState::Failed.code(), Some("moved")));
    let r1 = reminder_rows(&app.store, id(&a1)).await;
    assert_eq!((r1[0].state, r1[0].last_error.as_deref()), (SmsState::Failed.code(), Some("canceled")));
    assert!(outbox::claim(&app.store, &app.audit).await.unwrap().is_none());
    let state = outbox::deliver(&app.store, &app.audit, &LogOnly, &OutboxOptions::default(), &claimed).await.unwrap();
    assert_eq!(state, SmsState::Sent);

    // Turned off: nothing more.
    let (status, _) = app.patch_json("/api/v1/settings", &people.manager, json!({"reminder_enabled": false})).await;
    assert_eq!(status, 200);
    assert_eq!(run_reminders(&app, ub(8, "18:00")).await, 0);
});

backend_test!(no_setup -> TestBackend, async fn reminder_settings_are_validated(backend) {
    let Some(app) = spawn_app_with(backend, no_worker).await else {
        return;
    };
    app.create_user("boss", dcms_domain::Role::Manager).await;
    let token = app.token("boss").await;
    let (status, s) = app.get_json("/api/v1/settings", &token).await;
    assert_eq!(status, 200);
    assert_eq!(s["reminder_enabled"], false);
    assert_eq!(s["reminder_hour"], 18);
    assert_eq!(s["sms_confirm_replies"], false);
    assert!(s["reminder_template"].as_str().unwrap().starts_with("Сайн байна уу, {patient}!"));
    let (status, p) = app.patch_json("/api/v1/settings", &token, json!({
        "reminder_hour": 24, "reminder_template": "{patient} {phone}",
    })).await;
    assert_eq!(status, 422, "{p}");
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["reminder_hour", "reminder_template"]);
    assert!(p["errors"][1]["message"].as_str().unwrap().contains("{phone}"));
    let (status, p) = app.patch_json("/api/v1/settings", &token, json!({"reminder_template": "я".repeat(481)})).await;
    assert_eq!(status, 422, "{p}");
    let (status, p) = app.patch_json("/api/v1/settings", &token, json!({"reminder_hour": -1})).await;
    assert_eq!(status, 422, "{p}");
    let (status, s) = app.patch_json("/api/v1/settings", &token, json!({
        "reminder_enabled": true, "reminder_hour": 0, "sms_confirm_replies": true,
        "reminder_template": " {clinic}: {date} {time} ",
    })).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!((s["reminder_enabled"].clone(), s["reminder_hour"].clone(), s["sms_confirm_replies"].clone()), (json!(true), json!(0), json!(true)));
    assert_eq!(s["reminder_template"], "{clinic}: {date} {time}");
});

// --- inbound -------------------------------------------------------------------------------

async fn inbound(app: &TestApp, secret: Option<&str>, body: Value) -> (u16, Value, String) {
    let mut request = app.client.post(app.url("/api/v1/sms/inbound")).json(&body);
    if let Some(secret) = secret {
        request = request.header("X-DCMS-SMS-Secret", secret);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, r.json().await.unwrap_or(Value::Null), content_type)
}

/// A sent reminder of an appointment tomorrow (2030-01-08) for patient 0; its id.
async fn reminded(app: &TestApp, people: &crate::appointments::Clinic, audit: &AuditTrail) -> i64 {
    let a = booked(
        app,
        &people.desk,
        json!({"patient_id": people.patients[0], "doctor_id": people.doctors[0],
        "start_at": "2030-01-08T10:00:00+08:00"}),
    )
    .await;
    assert_eq!(run_reminders(app, ub(7, "19:00")).await, 1);
    let claimed = outbox::claim(&app.store, audit).await.unwrap().unwrap();
    outbox::deliver(
        &app.store,
        audit,
        &LogOnly,
        &OutboxOptions::default(),
        &claimed,
    )
    .await
    .unwrap();
    a["appointment_id"].as_i64().unwrap()
}

backend_test!(no_setup -> TestBackend, async fn inbound_replies_are_logged_and_confirm_when_enabled(backend) {
    let Some(app) = spawn_app_with(backend, |c| {
        no_worker(c);
        c.sms_inbound_secret = Some(Secret("s3cret-value".into()));
    })
    .await
    else {
        return;
    };
    let people = clinic(&app, 1, 1).await;
    let (status, _) = app.patch_json("/api/v1/settings", &people.manager, json!({"reminder_enabled": true, "reminder_hour": 0})).await;
    assert_eq!(status, 200);
    let appointment = reminded(&app, &people, &app.audit).await;

    for secret in [None, Some("wrong"), Some("s3cret-valuE"), Some("")] {
        let (status, p, content_type) = inbound(&app, secret, json!({"from": "99000000", "text": "1"})).await;
        assert_eq!(status, 401, "{secret:?}: {p}");
        assert_eq!(content_type, "application/problem+json");
    }
    let before = sms::Entity::find().all(app.store.connection()).await.unwrap().len();

    // Confirming by reply is off: logged and resolved, nothing confirmed.
    let (status, r, _) = inbound(&app, Some("s3cret-value"), json!({"from": "+976 9900-0000", "text": " тийм "})).await;
    assert_eq!(status, 200, "{r}");
    assert!(r["confirmed_appointment_id"].is_null());
    let logged = sms::Entity::find_by_id(r["sms_id"].as_i64().unwrap()).one(app.store.connection()).await.unwrap().unwrap();
    assert_eq!(logged.direction, Direction::In.code());
    assert_eq!(logged.phone_number, "99000000");
    assert_eq!((logged.contact_type, logged.contacter_id), (ContactType::Patient.code(), Some(people.patients[0])));
    assert_eq!(logged.sms_text, " тийм ");
    let (_, a) = app.get_json(&format!("/api/v1/appointments/{appointment}"), &people.desk).await;
    assert_eq!(a["status"], "reserved");

    // On: "ТИЙМ" (form-encoded) confirms the reminded appointment, through the status move.
    let (status, _) = app.patch_json("/api/v1/settings", &people.manager, json!({"sms_confirm_replies": true})).await;
    assert_eq!(status, 200);
    let r = app.client.post(app.url("/api/v1/sms/inbound"))
        .header("X-DCMS-SMS-Secret", "s3cret-value")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("from=99000000&text=%D0%A2%D0%98%D0%99%D0%9C&received_at=2030-01-07T20%3A00%3A00%2B08%3A00")
        .send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r: Value = r.json().await.unwrap();
    assert_eq!(r["confirmed_appointment_id"], appointment, "{r}");
    let (_, a) = app.get_json(&format!("/api/v1/appointments/{appointment}"), &people.desk).await;
    assert_eq!(a["status"], "confirmed");
    let (_, audit) = app.get_json(&format!("/api/v1/audit?table=appointment&row_id={appointment}"), &people.manager).await;
    assert_eq!(audit["items"][0]["changes"]["status"], json!(["reserved", "confirmed"]), "{audit}");
    // Again: already confirmed, nothing to do; another number: a new contact.
    let (_, r, _) = inbound(&app, Some("s3cret-value"), json!({"from": "99000000", "text": "1"})).await;
    assert!(r["confirmed_appointment_id"].is_null());
    let (status, r, _) = inbound(&app, Some("s3cret-value"), json!({"from": "95123456", "text": "1"})).await;
    assert_eq!(status, 200);
    assert!(r["confirmed_appointment_id"].is_null());
    let stranger = sms::Entity::find_by_id(r["sms_id"].as_i64().unwrap()).one(app.store.connection()).await.unwrap().unwrap();
    assert_eq!((stranger.contact_type, stranger.contacter_id), (ContactType::New.code(), None));
    assert_eq!(sms::Entity::find().all(app.store.connection()).await.unwrap().len(), before + 4);

    // Bad input: 4xx problems, never 500.
    let (status, p, _) = inbound(&app, Some("s3cret-value"), json!({"from": "abc", "text": "1"})).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "from");
    let (status, p, _) = inbound(&app, Some("s3cret-value"), json!({"from": "99000000", "text": "1", "received_at": "yesterday"})).await;
    assert_eq!(status, 422, "{p}");
    let (status, p, _) = inbound(&app, Some("s3cret-value"), json!({"text": "1"})).await;
    assert_eq!(status, 422, "{p}");
    let r = app.client.post(app.url("/api/v1/sms/inbound")).header("X-DCMS-SMS-Secret", "s3cret-value")
        .header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(r.status(), 400);
});

backend_test!(no_setup -> TestBackend, async fn inbound_without_a_configured_secret_is_refused(backend) {
    let Some(app) = spawn_app_with(backend, no_worker).await else {
        return;
    };
    let (status, _, content_type) = inbound(&app, Some(""), json!({"from": "99000000", "text": "1"})).await;
    assert_eq!(status, 401);
    assert_eq!(content_type, "application/problem+json");
});

// --- a crash while sending -----------------------------------------------------------------

/// Starts `dcms serve` against `url`, sending through `provider`, and returns it with its
/// address.
fn serve(url: &str, key: &std::path::Path, provider: &str) -> (std::process::Child, String) {
    serve_dcms(
        url,
        key,
        &[
            "--sms-gateway-url",
            &format!("{provider}/send"),
            "--outbox-poll-ms",
            "50",
        ],
        |_| {},
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_while_sending_leaves_unknown_and_nothing_sent_twice() {
    let dir = std::env::temp_dir().join(format!("dcms-sms-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("clinic.db").display());
    let key = dir.join("audit.key");
    let store = Store::connect(&url, &StoreOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(
            queue(
                &store,
                &format!("9911223{i}"),
                &format!("message {i}"),
                &format!("crash-{i}"),
            )
            .await,
        );
    }

    let provider = Provider::start().await;
    provider.answer(200, "{}", Duration::from_secs(30));
    let (mut child, _) = serve(&url, &key, &provider.url);
    let deadline = Instant::now() + Duration::from_secs(30);
    while provider.requests().is_empty() {
        assert!(Instant::now() < deadline, "the provider was never called");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let in_flight = provider.requests()[0].body.clone();
    // SAFETY: signalling our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGKILL);
    }
    child.wait().unwrap();
    let interrupted: Vec<_> = outbox_rows(&store)
        .await
        .into_iter()
        .filter(|r| r.state == SmsState::Sending.code())
        .collect();
    assert_eq!(interrupted.len(), 1, "one message was with the provider");
    let interrupted = interrupted[0].clone();
    assert!(in_flight.contains(&interrupted.idempotency_key));

    provider.answer(200, r#"{"status": "ok"}"#, Duration::ZERO);
    let (mut child, _) = serve(&url, &key, &provider.url);
    for id in &ids {
        let state = if *id == interrupted.sms_outbox_id {
            SmsState::Unknown
        } else {
            SmsState::Sent
        };
        wait_for(&store, *id, state).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let requests = provider.requests();
    assert_eq!(requests.len(), 4, "each message reached the provider once");
    for i in 0..4 {
        let key = format!("crash-{i}");
        assert_eq!(
            requests
                .iter()
                .filter(|r| r.body.contains(&format!("\"{key}\"")))
                .count(),
            1,
            "{key}"
        );
    }
    let unknown = row(&store, interrupted.sms_outbox_id).await;
    assert_eq!(unknown.attempts, 1);
    assert!(unknown.last_error.unwrap().contains("interrupted"));

    // SAFETY: signalling our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    assert!(child.wait().unwrap().success());
    store.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
