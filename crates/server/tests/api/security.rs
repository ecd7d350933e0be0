//! The findings of the ASVS level 2 review (issue 17), each as a regression test: who may
//! change accounts, sessions that end when rights change, guesses counted before they are
//! checked, the client behind a proxy, headers on every API answer, the audit and log of
//! security events, `/metrics`, session limits, and control characters on every database.
use crate::backend_test;
use crate::helpers::{PASSWORD, TestApp, spawn_app_with};
use crate::page_session::{Session, signed_in};
use dcms_domain::Role;
use dcms_server::services::auth::LoginLimits;
use dcms_store::sea_orm::ConnectionTrait;
use dcms_store::sea_orm::sea_query::{Expr, ExprTrait, Query};
use reqwest::Method;
use serde_json::{Value, json};

fn employee_body(first_name: &str) -> Value {
    json!({
        "first_name": first_name,
        "last_name": "Бат",
        "gender": "female",
        "phones": [
            {"number": "99001122", "label": "Self", "is_primary": true},
            {"number": "88001122", "label": "Home", "is_primary": false},
        ],
    })
}

async fn login_status(app: &TestApp, body: Value) -> (u16, Option<String>) {
    let r = app.login_as(body).await;
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (r.status().as_u16(), retry)
}

// --- access control ------------------------------------------------------------------------

backend_test!(spawn_app -> TestApp, async fn a_manager_cannot_reach_an_admins_account_through_staff(app) {
    let admin_id = app.create_user("root", Role::Admin).await;
    let admin = app.token("root").await;
    let manager = app.login("boss", Role::Manager).await;
    // The attack: link the admin's account to a new employee, then fire the employee.
    let mut body = employee_body("Хуурамч");
    body["user_id"] = json!(admin_id);
    let (status, problem) = app.call(Method::POST, "/api/v1/employees", &manager, Some(body)).await;
    assert_eq!(status, 403, "{problem}");
    let (_, list) = app.call(Method::GET, "/api/v1/employees", &manager, None).await;
    assert_eq!(list["items"], json!([]), "nothing was created");
    // An employee without an account, then linked by the manager afterwards: 403 too.
    let (status, e) = app.call(Method::POST, "/api/v1/employees", &manager, Some(employee_body("Бат"))).await;
    assert_eq!(status, 201);
    let path = format!("/api/v1/employees/{}", e["employee_id"]);
    let (status, _) = app.call(Method::PATCH, &path, &manager, Some(json!({"user_id": admin_id}))).await;
    assert_eq!(status, 403);
    // Linked by the admin (the admin is also on the staff): the manager may not fire them.
    let (status, _) = app.call(Method::PATCH, &path, &admin, Some(json!({"user_id": admin_id}))).await;
    assert_eq!(status, 200);
    let (status, _) = app.call(Method::POST, &format!("{path}/fire"), &manager, Some(json!({}))).await;
    assert_eq!(status, 403);
    let (status, me) = app.call(Method::GET, "/api/v1/auth/me", &admin, None).await;
    assert_eq!(status, 200, "the admin is still signed in: {me}");
    let (_, user) = app.call(Method::GET, &format!("/api/v1/users/{admin_id}"), &admin, None).await;
    assert_eq!(user["disabled"], false);
});

backend_test!(spawn_app -> TestApp, async fn a_role_change_ends_the_users_sessions(app) {
    let admin = app.login("root", Role::Admin).await;
    let boss_id = app.create_user("boss", Role::Manager).await;
    let hq = app.token_from(json!({"username": "boss", "password": PASSWORD, "session_type": "hq"})).await;
    let portal = app.token("boss").await;
    // A display name changes nothing of what the user may do: the sessions stay.
    let (status, _) = app.call(Method::PATCH, &format!("/api/v1/users/{boss_id}"), &admin, Some(json!({"display_name": "Boss"}))).await;
    assert_eq!(status, 200);
    assert_eq!(app.call(Method::GET, "/api/v1/auth/me", &hq, None).await.0, 200);
    let (status, _) = app.call(Method::PATCH, &format!("/api/v1/users/{boss_id}"), &admin, Some(json!({"role": "doctor"}))).await;
    assert_eq!(status, 200);
    for token in [&hq, &portal] {
        assert_eq!(app.call(Method::GET, "/api/v1/auth/me", token, None).await.0, 401);
    }
    // An HQ session of a user whose role was changed behind the application's back (the
    // database edited) is not honoured either: as a doctor it would have been writable.
    let root_hq = app.token_from(json!({"username": "root", "password": PASSWORD, "session_type": "hq"})).await;
    let update = Query::update()
        .table("user")
        .value("roles", Role::Doctor.code())
        .and_where(Expr::col("username").eq("root"))
        .to_owned();
    app.store.connection().execute(&update).await.unwrap();
    let (status, _) = app.call(Method::POST, "/api/v1/patients", &root_hq, Some(json!({}))).await;
    assert_eq!(status, 401);
});

// --- authentication ------------------------------------------------------------------------

backend_test!(spawn_app -> TestApp, async fn parallel_guesses_are_counted_before_they_are_checked(app) {
    app.create_user("tsetseg", Role::Doctor).await;
    let guesses = (0..20).map(|i| {
        app.login_as(json!({"username": "tsetseg", "password": format!("wrong password {i}")}))
    });
    let answers = futures_util::future::join_all(guesses).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    let evaluated = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(evaluated <= 10, "at most the limit is ever tried: {statuses:?}");
    assert_eq!(evaluated + refused, 20, "{statuses:?}");
    for r in answers.iter().filter(|r| r.status() == 429) {
        assert!(r.headers().contains_key("retry-after"));
    }
    // Locked: the right password is refused too until the lock passes.
    let (status, retry) = login_status(&app, json!({"username": "tsetseg", "password": PASSWORD})).await;
    assert_eq!(status, 429);
    assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
    // Failed logins and the lock-out are in the audit trail, with the name as typed and
    // where they came from.
    app.audit.flush().await;
    let admin = app.login("root", Role::Admin).await;
    let (status, page) = app.call(Method::GET, "/api/v1/audit?action=login_failed&limit=100", &admin, None).await;
    assert_eq!(status, 200, "{page}");
    let failed = page["items"].as_array().unwrap();
    assert_eq!(failed.len(), evaluated);
    assert_eq!(failed[0]["changes"]["username"], "tsetseg");
    assert_eq!(failed[0]["changes"]["client"], "127.0.0.1");
    assert_eq!(failed[0]["table"], "user");
    assert!(failed.iter().all(|r| !r.to_string().contains("wrong password")), "never the password");
    let (_, page) = app.call(Method::GET, "/api/v1/audit?action=locked_out", &admin, None).await;
    let locked = page["items"].as_array().unwrap();
    assert_eq!(locked.len(), 1, "{page}");
    assert_eq!(locked[0]["changes"]["scope"], "username");
    let report = app.audit.verify().await.unwrap();
    assert!(report.is_ok(), "{report:?}");
});

backend_test!(spawn_app -> TestApp, async fn a_stolen_session_cannot_guess_the_password(app) {
    let token = app.login("nara", Role::Receptionist).await;
    let mut statuses = Vec::new();
    let mut retry = None;
    for i in 0..12 {
        let r = app
            .with_token(Method::POST, "/api/v1/auth/password", &token)
            .json(&json!({"current_password": format!("guess number {i}"), "new_password": "a new password 1"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        }
    }
    assert_eq!(&statuses[..10], &[422; 10], "{statuses:?}");
    assert_eq!(&statuses[10..], &[429, 429], "{statuses:?}");
    assert!(retry.is_some());
    // The right current password waits for the lock as well, and so do logins.
    let r = app
        .with_token(Method::POST, "/api/v1/auth/password", &token)
        .json(&json!({"current_password": PASSWORD, "new_password": "a new password 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(login_status(&app, json!({"username": "nara", "password": PASSWORD})).await.0, 429);
    app.audit.flush().await;
    let admin = app.login("root", Role::Admin).await;
    let (_, page) = app.call(Method::GET, "/api/v1/audit?action=login_failed&limit=100", &admin, None).await;
    let rows = page["items"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[0]["changes"]["via"], "password_change");
});

/// A small per-address limit, for the proxy tests.
fn address_limit(c: &mut dcms_server::config::Config) {
    c.login = LoginLimits {
        address_failures: 3,
        ..LoginLimits::default()
    };
}

async fn login_from(app: &TestApp, forwarded_for: Option<&str>, username: &str) -> u16 {
    let mut request = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": "not the password"}));
    if let Some(addr) = forwarded_for {
        request = request.header("x-forwarded-for", addr);
    }
    request.send().await.unwrap().status().as_u16()
}

backend_test!(no_setup -> TestBackend, async fn behind_a_proxy(backend) {
    // Trusted: each client behind the proxy is counted by its own address.
    let Some(app) = spawn_app_with(backend, |c| {
        address_limit(c);
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await
    else {
        return;
    };
    for i in 0..3 {
        assert_eq!(
            login_from(&app, Some("203.0.113.7"), &format!("a{i}")).await,
            401
        );
    }
    assert_eq!(login_from(&app, Some("203.0.113.7"), "a9").await, 429);
    assert_eq!(
        login_from(&app, Some("198.51.100.2"), "b").await,
        401,
        "another client is not blocked"
    );
    // A forged first hop does not move the count: the proxy appended the real address.
    assert_eq!(
        login_from(&app, Some("1.1.1.1, 203.0.113.7"), "c").await,
        429
    );
    // Oversized names are answered at once and not counted against the address.
    let long = "x".repeat(300);
    for _ in 0..5 {
        assert_eq!(login_from(&app, Some("192.0.2.50"), &long).await, 401);
    }
    assert_eq!(login_from(&app, Some("192.0.2.50"), "d").await, 401);

    // Not trusted: the header is ignored; every client is the peer.
    let Some(app) = spawn_app_with(backend, address_limit).await else {
        return;
    };
    for i in 0..3 {
        assert_eq!(
            login_from(&app, Some(&format!("203.0.113.{i}")), &format!("a{i}")).await,
            401
        );
    }
    assert_eq!(login_from(&app, Some("198.51.100.2"), "b").await, 429);
});

// --- data protection -------------------------------------------------------------------------

backend_test!(spawn_app -> TestApp, async fn every_api_answer_is_no_store_and_nosniff(app) {
    let token = app.login("nara", Role::Receptionist).await;
    let answers = [
        app.get("/api/v1/auth/me").await,
        app.with_token(Method::GET, "/api/v1/auth/me", &token).send().await.unwrap(),
        app.with_token(Method::GET, "/api/v1/patients/export", &token).send().await.unwrap(),
        app.with_token(Method::GET, "/api/v1/nowhere", &token).send().await.unwrap(),
        app.with_token(Method::POST, "/api/v1/patients", &token).json(&json!({})).send().await.unwrap(),
    ];
    for r in answers {
        assert_eq!(r.headers()["cache-control"], "no-store", "{}", r.url());
        assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{}", r.url());
    }
});

backend_test!(spawn_app -> TestApp, async fn a_too_large_body_is_never_answered_with_a_false_encoding(app) {
    let token = app.login("nara", Role::Receptionist).await;
    let big = "x".repeat(1024 * 1024 + 10);
    let session = signed_in(&app, "nara", "mn").await;
    let requests = [
        app.with_token(Method::POST, "/api/v1/patients/import", &token)
            .header("content-type", "text/csv")
            .body(big.clone()),
        app.with_token(Method::POST, "/api/v1/patients", &token)
            .header("content-type", "application/json")
            .body(big.clone()),
        session.client.post(app.url("/patients/new"))
            .header("cookie", &session.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf={}&first_name={big}", session.csrf)),
    ];
    for request in requests {
        let r = request.header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(r.status(), 413);
        let encoding = r.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_owned());
        let bytes = r.bytes().await.unwrap();
        match encoding.as_deref() {
            None => assert!(std::str::from_utf8(&bytes).is_ok(), "a plain body"),
            Some("gzip") => assert_eq!(&bytes[..2], &[0x1f, 0x8b], "a gzip body"),
            Some(other) => panic!("unexpected encoding {other}"),
        }
    }
    // Without a length: the limit is met while the body streams in chunks.
    let head = chunked_upload(&app, "/api/v1/patients/import", &token).await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(!head.to_ascii_lowercase().contains("content-encoding: gzip"), "{head}");
});

/// Sends 2.5 MiB in chunks (no Content-Length) and returns the answer's head.
async fn chunked_upload(app: &TestApp, path: &str, token: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: text/csv\r\nAccept-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
    for _ in 0..40 {
        // The server may answer and close before it has read everything.
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    text.split("\r\n\r\n").next().unwrap_or_default().to_owned()
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_and_the_audit_key_are_private_files() {
    use std::os::unix::fs::PermissionsExt;
    let app = crate::helpers::spawn_app(crate::helpers::TestBackend::Sqlite)
        .await
        .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let db = std::path::PathBuf::from(app.db.url.trim_start_matches("sqlite://"));
    assert_eq!(mode(&db), 0o600, "{}", db.display());
    assert_eq!(mode(&app.db.audit_key_file()), 0o600);
}

// --- logging, audit, operations ----------------------------------------------------------

backend_test!(spawn_app -> TestApp, async fn metrics_are_prometheus_text_by_route_template(app) {
    let token = app.login("nara", Role::Receptionist).await;
    assert_eq!(app.call(Method::GET, "/api/v1/patients/424242", &token, None).await.0, 404);
    assert_eq!(app.get("/no/such/page/at/all").await.status(), 404);
    let r = app.get("/metrics").await;
    assert_eq!(r.status(), 200, "no session needed");
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("http_requests_total{")
            && l.contains(r#"method="GET""#)
            && l.contains(r#"route="/api/v1/patients/{patient_id}""#)
            && l.contains(r#"status="404""#)),
        "{text}"
    );
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    assert!(!text.contains("424242") && !text.contains("/no/such/page"), "never a raw path: {text}");
    assert!(text.contains("http_request_duration_seconds_bucket{"), "{text}");
    assert!(text.contains(r#"db_pool_connections{state="max"}"#), "{text}");
    assert!(text.contains(r#"sms_outbox_depth{state="queued"} 0"#), "{text}");
    assert!(text.contains(r#"ebarimt_outbox_depth{state="failed"} 0"#), "{text}");
    assert!(text.contains("process_resident_memory_bytes"), "{text}");
    assert!(!text.contains("Бат") && !text.contains("patient_id=\""), "no records' data");
});

// --- sessions --------------------------------------------------------------------------------

/// Moves a session's clock back: its last use and its creation `minutes` ago.
async fn age_session(app: &TestApp, token: &str, idle_minutes: i64, created_minutes: i64) {
    let id: i64 = token.split_once('.').unwrap().0.parse().unwrap();
    let at = |m: i64| {
        let t = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(m);
        dcms_store::time::to_db(t)
    };
    let update = Query::update()
        .table("session_token")
        .value("last_seen_at", at(idle_minutes))
        .value("created_at", at(created_minutes))
        .and_where(Expr::col("session_token_id").eq(id))
        .to_owned();
    app.store.connection().execute(&update).await.unwrap();
}

backend_test!(spawn_app -> TestApp, async fn sessions_idle_out_and_end_by_the_settings(app) {
    let admin = app.login("root", Role::Admin).await;
    let (_, settings) = app.call(Method::GET, "/api/v1/settings", &admin, None).await;
    assert_eq!(
        (&settings["staff_session_idle_minutes"], &settings["staff_session_max_hours"]),
        (&json!(60), &json!(12)),
        "the safer defaults"
    );
    assert_eq!(settings["hq_session_idle_minutes"], 1440);
    assert_eq!(settings["patient_session_idle_minutes"], 1440);
    // Bad limits: 422, nothing changed.
    let (status, problem) = app.call(Method::PATCH, "/api/v1/settings", &admin, Some(json!({"staff_session_idle_minutes": 2}))).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "staff_session_idle_minutes");
    let (status, problem) = app.call(Method::PATCH, "/api/v1/settings", &admin, Some(json!({"staff_session_max_hours": 1, "staff_session_idle_minutes": 90}))).await;
    assert_eq!(status, 422, "{problem}");

    // Staff: an hour unused ends it; used all along, it still ends after 12 hours.
    let nara = app.login("nara", Role::Receptionist).await;
    age_session(&app, &nara, 59, 59).await;
    assert_eq!(app.call(Method::GET, "/api/v1/auth/me", &nara, None).await.0, 200);
    age_session(&app, &nara, 61, 61).await;
    assert_eq!(app.call(Method::GET, "/api/v1/auth/me", &nara, None).await.0, 401);
    let bold = app.login("bold", Role::Doctor).await;
    age_session(&app, &bold, 1, 12 * 60 + 1).await;
    assert_eq!(app.call(Method::GET, "/api/v1/auth/me", &bold, None).await.0, 401);

    // A setting applies to sessions already open.
    let sara = app.login("sara", Role::Doctor).await;
    age_session(&app, &sara, 30, 30).await;
    assert_eq!(app.call(Method::GET, "/api/v1/auth/me", &sara, None).await.0, 200);
    let (status, _) = app.call(Method::PATCH, "/api/v1/settings", &admin, Some(json!({"staff_session_idle_minutes": 20}))).await;
    assert_eq!(status, 200);
    age_session(&app, &sara, 30, 30).await;
    assert_eq!(app.call(Method::GET, "/api/v1/auth/me", &sara, None).await.0, 401);

    // A browser idle too long is sent to the login page, which says why.
    app.create_user("tuul", Role::Doctor).await;
    let browser: Session = signed_in(&app, "tuul", "mn").await;
    age_session(&app, &browser.token, 25, 25).await;
    let r = browser.client.get(app.url("/patients")).header("cookie", &browser.cookie).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/login"), "{location}");
    let set: Vec<String> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert!(set.iter().any(|c| c.starts_with("dcms_flash=flash-session-idle;")), "{set:?}");
    let r = browser
        .client
        .get(app.url(&location))
        .header("cookie", "dcms_lang=mn; dcms_flash=flash-session-idle")
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains("Удаан идэвхгүй байсан тул системээс гарсан байна"), "{page}");
    // A session that was revoked says only that it ended.
    let other: Session = signed_in(&app, "tuul", "mn").await;
    app.call(Method::POST, "/api/v1/auth/logout", &other.token, None).await;
    let r = other.client.get(app.url("/patients")).header("cookie", &other.cookie).send().await.unwrap();
    let set: Vec<String> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert!(set.iter().any(|c| c.starts_with("dcms_flash=flash-session-expired;")), "{set:?}");
});

// --- bad input on every database -----------------------------------------------------------

backend_test!(spawn_app -> TestApp, async fn control_characters_are_refused_on_every_database(app) {
    let admin = app.login("root", Role::Admin).await;
    let desk = app.login("desk", Role::Receptionist).await;
    // A login's username: 422 naming it, not 500 (PostgreSQL cannot store a NUL).
    let r = app.login_as(json!({"username": "ro\u{0}ot", "password": PASSWORD})).await;
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "username");
    // A call's note, a patient's name in a list of phones, a nested field.
    let (status, problem) = app.call(Method::POST, "/api/v1/calls", &desk, Some(json!({
        "phone_number": "99112233", "direction": "in", "begin_call": "2026-01-05T10:00:00+08:00",
        "note": "a\u{0}b",
    }))).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "note");
    let (status, problem) = app.call(Method::POST, "/api/v1/patients", &desk, Some(json!({
        "register_number": "УБ85031512", "first_name": "Бат", "last_name": "Дорж",
        "phones": [{"number": "99112233", "label": "Self", "is_primary": true},
                   {"number": "88112233", "label": "x\u{1b}[2J", "is_primary": false}],
    }))).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "phones[1].label");
    // Parameters: 400.
    for path in ["/api/v1/audit?table=pat%00ient", "/api/v1/patients?q=%00", "/api/v1/calls?phone=99%7F"] {
        let token = if path.contains("audit") { &admin } else { &desk };
        let (status, problem) = app.call(Method::GET, path, token, None).await;
        assert_eq!(status, 400, "{path}: {problem}");
    }
    // Lines and tabs in a note are text, not control.
    let (status, call) = app.call(Method::POST, "/api/v1/calls", &desk, Some(json!({
        "phone_number": "99112233", "direction": "in", "begin_call": "2026-01-05T10:00:00+08:00",
        "note": "first line\nsecond\tline",
    }))).await;
    assert_eq!(status, 201, "{call}");
    // A page's form: refused as well, without a 500.
    let browser = signed_in(&app, "desk", "mn").await;
    let answer = browser.post(&app, "/patients/new", &[("first_name", "Бат\u{0}")]).await;
    assert_eq!(answer.status, 422);
    // Nothing reached the database.
    let (_, patients) = app.call(Method::GET, "/api/v1/patients", &desk, None).await;
    assert_eq!(patients["items"], json!([]));
});

backend_test!(spawn_app -> TestApp, async fn instants_far_from_now_never_fail_the_server(app) {
    let desk = app.login("desk", Role::Receptionist).await;
    // MariaDB stores no instant outside 1970-2038: the rule is the same on every database,
    // a 422 naming the field, never a 500.
    for at in ["2999-01-01T10:00:00+08:00", "2040-06-01T10:00:00+08:00", "1905-01-01T10:00:00+08:00", "1969-12-31T23:00:00Z"] {
        let (status, answer) = app.call(Method::POST, "/api/v1/calls", &desk, Some(json!({
            "phone_number": "99112233", "direction": "in", "begin_call": at,
        }))).await;
        assert_eq!(status, 422, "{at}: {answer}");
        assert_eq!(answer["errors"][0]["field"], "begin_call");
        let (status, _) = app.call(Method::GET, &format!("/api/v1/calls?from={}", at.replace('+', "%2B")), &desk, None).await;
        assert_eq!(status, 200, "a filter beyond the range is moved to its end: {at}");
    }
    for at in ["2037-12-31T10:00:00+08:00", "1971-01-01T10:00:00+08:00"] {
        let (status, answer) = app.call(Method::POST, "/api/v1/calls", &desk, Some(json!({
            "phone_number": "99112233", "direction": "in", "begin_call": at,
        }))).await;
        assert_eq!(status, 201, "{at}: {answer}");
    }
});
