//! Accounts, sessions and permissions, through HTTP.
use crate::backend_test;
use dcms_domain::{Principal, Role};
use dcms_server::http::permissions::{ROUTES, Rule};
use reqwest::Method;
use serde_json::{Value, json};

backend_test!(spawn_app -> TestApp, async fn login_me_logout(app) {
    app.create_user("Oyuna", Role::Admin).await;
    let response = app.login_as(json!({"username": "OYUNA", "password": PASSWORD, "device_name": "front desk"})).await;
    assert_eq!(response.status(), 201);
    let body = json_of(response).await;
    let token = body["token"].as_str().unwrap().to_owned();
    let (id, secret) = token.split_once('.').unwrap();
    assert_eq!(id, body["session_token_id"].to_string());
    assert_eq!(secret.len(), 43);
    assert_eq!(body["session_type"], "user_portal");
    assert_eq!(body["user"]["username"], "Oyuna");
    assert_eq!(body["user"]["role"], "admin");
    assert!(body["user"].get("password_hash").is_none());

    let me = app.with_token(Method::GET, "/api/v1/auth/me", &token).send().await.unwrap();
    assert_eq!(me.status(), 200);
    let me = json_of(me).await;
    assert_eq!(me["user"]["username"], "Oyuna");
    assert_eq!(me["session"]["device_name"], "front desk");
    assert_eq!(me["session"]["current"], true);

    let none = app.get("/api/v1/auth/me").await;
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["content-type"], "application/problem+json");

    let out = app.with_token(Method::POST, "/api/v1/auth/logout", &token).send().await.unwrap();
    assert_eq!(out.status(), 204);
    let after = app.with_token(Method::GET, "/api/v1/auth/me", &token).send().await.unwrap();
    assert_eq!(after.status(), 401, "a logged-out token stops working at once");
});

backend_test!(spawn_app -> TestApp, async fn failures_look_the_same(app) {
    app.create_user("tsetseg", Role::Doctor).await;
    let disabled = app.create_user("bold", Role::Doctor).await;
    app.create_user("root", Role::Admin).await;
    let admin = app.token("root").await;
    let r = app.with_token(Method::PATCH, &format!("/api/v1/users/{disabled}"), &admin)
        .json(&json!({"disabled": true})).send().await.unwrap();
    assert_eq!(r.status(), 200);

    let mut bodies = Vec::new();
    for (user, password) in [("tsetseg", "wrong password!"), ("nobody", PASSWORD), ("bold", PASSWORD)] {
        let r = app.login_as(json!({"username": user, "password": password})).await;
        assert_eq!(r.status(), 401, "{user}");
        bodies.push(json_of(r).await);
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[1], bodies[2]);
});

backend_test!(spawn_app -> TestApp, async fn forged_secret_never_passes_nor_disturbs(app) {
    app.create_user("nara", Role::Receptionist).await;
    let token = app.token("nara").await;
    let (id, _) = token.split_once('.').unwrap();
    for forged in [
        format!("{id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        format!("{id}."),
        id.to_string(),
        "x.y".to_string(),
        format!("99999.{}", token.split_once('.').unwrap().1),
    ] {
        let r = app.with_token(Method::GET, "/api/v1/auth/me", &forged).send().await.unwrap();
        assert_eq!(r.status(), 401, "{forged}");
    }
    let r = app.with_token(Method::GET, "/api/v1/auth/me", &token).send().await.unwrap();
    assert_eq!(r.status(), 200, "the real session still works");
});

backend_test!(spawn_app -> TestApp, async fn session_types_by_role(app) {
    app.create_user("boss", Role::Manager).await;
    app.create_user("doc", Role::Doctor).await;
    app.create_user("pat", Role::Patient).await;
    let hq = app.login_as(json!({"username": "boss", "password": PASSWORD, "session_type": "hq"})).await;
    assert_eq!(hq.status(), 201);
    let hq = json_of(hq).await;
    assert_eq!(hq["session_type"], "hq");
    let hq_token = hq["token"].as_str().unwrap();
    let r = app.with_token(Method::POST, "/api/v1/auth/password", hq_token)
        .json(&json!({"current_password": PASSWORD, "new_password": "another long one"})).send().await.unwrap();
    assert_eq!(r.status(), 403, "an HQ session writes nothing");

    let r = app.login_as(json!({"username": "doc", "password": PASSWORD, "session_type": "hq"})).await;
    assert_eq!(r.status(), 403);
    let r = app.login_as(json!({"username": "doc", "password": PASSWORD, "session_type": "patient_web"})).await;
    assert_eq!(r.status(), 403);
    let r = app.login_as(json!({"username": "pat", "password": PASSWORD, "session_type": "user_portal"})).await;
    assert_eq!(r.status(), 201);
    let body = json_of(r).await;
    assert_eq!(body["session_type"], "patient_web", "patients always get patient_web");
    let r = app.login_as(json!({"username": "doc", "password": PASSWORD, "session_type": "undefined"})).await;
    assert_eq!(r.status(), 422);
});

backend_test!(spawn_app -> TestApp, async fn own_sessions_and_password(app) {
    app.create_user("saraa", Role::Doctor).await;
    app.create_user("other", Role::Doctor).await;
    let first = app.token("saraa").await;
    let second = app.token("saraa").await;
    let third = app.token("saraa").await;
    let others = app.token("other").await;

    let list = json_of(app.with_token(Method::GET, "/api/v1/auth/sessions", &first).send().await.unwrap()).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(items.iter().all(|s| s.get("session_token_hash").is_none()));

    let second_id = second.split_once('.').unwrap().0;
    let r = app.with_token(Method::DELETE, &format!("/api/v1/auth/sessions/{second_id}"), &first).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.with_token(Method::GET, "/api/v1/auth/me", &second).send().await.unwrap().status(), 401);
    let others_id = others.split_once('.').unwrap().0;
    let r = app.with_token(Method::DELETE, &format!("/api/v1/auth/sessions/{others_id}"), &first).send().await.unwrap();
    assert_eq!(r.status(), 404, "not one of mine");
    assert_eq!(app.with_token(Method::GET, "/api/v1/auth/me", &others).send().await.unwrap().status(), 200);

    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let r = app.with_token(Method::POST, "/api/v1/auth/password", &first).json(&change("wrong one!!", "a new long password")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let r = app.with_token(Method::POST, "/api/v1/auth/password", &first).json(&change(PASSWORD, "short")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(json_of(r).await["errors"][0]["field"], "new_password");
    let r = app.with_token(Method::POST, "/api/v1/auth/password", &first).json(&change(PASSWORD, "a new long password")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.with_token(Method::GET, "/api/v1/auth/me", &first).send().await.unwrap().status(), 200, "this session stays");
    assert_eq!(app.with_token(Method::GET, "/api/v1/auth/me", &third).send().await.unwrap().status(), 401, "other sessions are revoked");
    let r = app.login_as(json!({"username": "saraa", "password": "a new long password"})).await;
    assert_eq!(r.status(), 201);
});

backend_test!(spawn_app -> TestApp, async fn admin_manages_users(app) {
    app.create_user("root", Role::Admin).await;
    let admin = app.token("root").await;
    let create = |body: Value| app.with_token(Method::POST, "/api/v1/users", &admin).json(&body);
    let r = create(json!({"username": "Gerel", "password": "ten chars!", "role": "receptionist", "display_name": "Гэрэл"})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let gerel = json_of(r).await;
    assert_eq!(gerel["display_name"], "Гэрэл");
    assert!(gerel.get("password_hash").is_none());
    let id = gerel["user_id"].as_i64().unwrap();
    let r = create(json!({"username": "GEREL", "password": "ten chars!", "role": "doctor"})).send().await.unwrap();
    assert_eq!(r.status(), 409, "taken in another letter case");
    let r = create(json!({"username": "x", "password": "nine char", "role": "doctor"})).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let r = create(json!({"username": "x", "password": "ten chars!", "role": "dentist"})).send().await.unwrap();
    assert_eq!(r.status(), 422);

    let list = json_of(app.with_token(Method::GET, "/api/v1/users?limit=1", &admin).send().await.unwrap()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let cursor = list["next_cursor"].as_str().unwrap();
    let next = json_of(app.with_token(Method::GET, &format!("/api/v1/users?limit=1&cursor={cursor}"), &admin).send().await.unwrap()).await;
    assert_eq!(next["items"][0]["user_id"], id);
    assert!(next["next_cursor"].is_null());
    assert_eq!(app.with_token(Method::GET, "/api/v1/users?cursor=garbage", &admin).send().await.unwrap().status(), 400);

    let gerel_token = app.login_as(json!({"username": "gerel", "password": "ten chars!"})).await;
    let gerel_token = json_of(gerel_token).await["token"].as_str().unwrap().to_owned();
    let sessions = json_of(app.with_token(Method::GET, &format!("/api/v1/users/{id}/sessions"), &admin).send().await.unwrap()).await;
    assert_eq!(sessions["items"].as_array().unwrap().len(), 1);

    // An admin's password reset revokes every session of that user.
    let r = app.with_token(Method::POST, &format!("/api/v1/users/{id}/password"), &admin).json(&json!({"new_password": "brand new password"})).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.with_token(Method::GET, "/api/v1/auth/me", &gerel_token).send().await.unwrap().status(), 401);

    // Disabling revokes sessions and refuses logins; enabling allows them again.
    let token = json_of(app.login_as(json!({"username": "gerel", "password": "brand new password"})).await).await["token"].as_str().unwrap().to_owned();
    let r = app.with_token(Method::PATCH, &format!("/api/v1/users/{id}"), &admin).json(&json!({"disabled": true, "display_name": "Gerel B."})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = json_of(r).await;
    assert_eq!(body["disabled"], true);
    assert_eq!(body["display_name"], "Gerel B.");
    assert_eq!(app.with_token(Method::GET, "/api/v1/auth/me", &token).send().await.unwrap().status(), 401);
    assert_eq!(app.login_as(json!({"username": "gerel", "password": "brand new password"})).await.status(), 401);
    let r = app.with_token(Method::PATCH, &format!("/api/v1/users/{id}"), &admin).json(&json!({"disabled": false, "role": "doctor"})).send().await.unwrap();
    assert_eq!(json_of(r).await["role"], "doctor");
    assert_eq!(app.login_as(json!({"username": "gerel", "password": "brand new password"})).await.status(), 201);

    // One session of a user can be revoked by the admin.
    let token = json_of(app.login_as(json!({"username": "gerel", "password": "brand new password"})).await).await["token"].as_str().unwrap().to_owned();
    let sid = token.split_once('.').unwrap().0;
    assert_eq!(app.with_token(Method::DELETE, &format!("/api/v1/users/{id}/sessions/{sid}"), &admin).send().await.unwrap().status(), 204);
    assert_eq!(app.with_token(Method::GET, "/api/v1/auth/me", &token).send().await.unwrap().status(), 401);
    assert_eq!(app.with_token(Method::GET, "/api/v1/users/999999", &admin).send().await.unwrap().status(), 404);
});

backend_test!(spawn_app -> TestApp, async fn the_last_active_admin_stays(app) {
    let root = app.create_user("root", Role::Admin).await;
    let admin = app.token("root").await;
    let patch = |id: i64, body: Value| app.with_token(Method::PATCH, &format!("/api/v1/users/{id}"), &admin).json(&body);
    assert_eq!(patch(root, json!({"disabled": true})).send().await.unwrap().status(), 409);
    assert_eq!(patch(root, json!({"role": "manager"})).send().await.unwrap().status(), 409);
    let second = app.create_user("second", Role::Admin).await;
    assert_eq!(patch(second, json!({"role": "manager"})).send().await.unwrap().status(), 200);
    assert_eq!(patch(root, json!({"role": "doctor"})).send().await.unwrap().status(), 409);
    assert_eq!(patch(second, json!({"role": "admin"})).send().await.unwrap().status(), 200);
    // Two admins demoting each other at the same moment: exactly one wins.
    let second_token = app.token("second").await;
    let a = app.with_token(Method::PATCH, &format!("/api/v1/users/{second}"), &admin).json(&json!({"role": "doctor"})).send();
    let b = app.with_token(Method::PATCH, &format!("/api/v1/users/{root}"), &second_token).json(&json!({"role": "doctor"})).send();
    let (a, b) = tokio::join!(a, b);
    let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort();
    // The loser is refused: 409 if it got as far as the lock, 403 when it was already
    // demoted by the time its request was authorised, or 401 when its session had ended
    // with its role.
    assert!(
        statuses == [200, 409] || statuses == [200, 403] || statuses == [200, 401],
        "{statuses:?}"
    );
    let admins = dcms_store::users::count_active_admins(app.store.connection()).await.unwrap();
    assert_eq!(admins, 1);
});

backend_test!(spawn_app -> TestApp, async fn throttles_a_username_after_ten_failures(app) {
    let _ = &app;
    let app = spawn_app_with(app.db.backend, |c| {
        c.login.lockout = std::time::Duration::from_secs(1);
    }).await.unwrap();
    app.create_user("tuya", Role::Doctor).await;
    for _ in 0..10 {
        assert_eq!(app.login_as(json!({"username": "tuya", "password": "wrong password"})).await.status(), 401);
    }
    let r = app.login_as(json!({"username": "TUYA", "password": PASSWORD})).await;
    assert_eq!(r.status(), 429, "locked even with the right password");
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.login_as(json!({"username": "tuya", "password": PASSWORD})).await.status(), 201);
    // A success resets the count: nine more failures do not lock.
    for _ in 0..9 {
        assert_eq!(app.login_as(json!({"username": "tuya", "password": "wrong password"})).await.status(), 401);
    }
    assert_eq!(app.login_as(json!({"username": "tuya", "password": PASSWORD})).await.status(), 201);
});

backend_test!(spawn_app -> TestApp, async fn throttles_an_address_only_past_its_limit(app) {
    let _ = &app;
    let app = spawn_app_with(app.db.backend, |c| {
        c.login.address_failures = 5;
    }).await.unwrap();
    app.create_user("ok", Role::Doctor).await;
    for i in 0..5 {
        assert_eq!(app.login_as(json!({"username": format!("nobody{i}"), "password": "wrong password"})).await.status(), 401);
    }
    let r = app.login_as(json!({"username": "ok", "password": PASSWORD})).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
});

backend_test!(spawn_app -> TestApp, async fn last_seen_is_written_at_most_once_a_minute(app) {
    app.create_user("mend", Role::Doctor).await;
    let token = app.token("mend").await;
    let id: i64 = token.split_once('.').unwrap().0.parse().unwrap();
    for _ in 0..5 {
        assert_eq!(app.with_token(Method::GET, "/api/v1/auth/me", &token).send().await.unwrap().status(), 200);
    }
    let s = dcms_store::sessions::find(app.store.connection(), id).await.unwrap().unwrap();
    assert_eq!(s.last_seen_at, s.created_at);
});

// Every route of the permission table, as each of the six principals and without a
// session: 401 without one, 403 exactly where the table says no.
backend_test!(spawn_app -> TestApp, async fn every_route_answers_as_the_permission_table_says(app) {
    let principals = [
        (Principal::Admin, "p_admin", Role::Admin, None),
        (Principal::Manager, "p_manager", Role::Manager, None),
        (Principal::Doctor, "p_doctor", Role::Doctor, None),
        (Principal::Receptionist, "p_reception", Role::Receptionist, None),
        (Principal::Hq, "p_hq", Role::Manager, Some("hq")),
        (Principal::Patient, "p_patient", Role::Patient, None),
    ];
    for (_, username, role, _) in &principals {
        app.create_user(username, *role).await;
    }
    for (method, path, rule) in ROUTES {
        if *rule == Rule::Public {
            continue;
        }
        // Every `{id}` placeholder becomes an id that does not exist.
        let concrete = path
            .split('/')
            .map(|segment| if segment.starts_with('{') { "999999" } else { segment })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let anonymous = app.client.request(method.clone(), app.url(&concrete)).json(&json!({})).send().await.unwrap();
        assert_eq!(anonymous.status(), 401, "{method} {path} without a session");
        for (principal, username, _, session_type) in &principals {
            let login = app.login_as(json!({"username": username, "password": PASSWORD, "session_type": session_type})).await;
            let token = json_of(login).await["token"].as_str().unwrap().to_owned();
            let status = app.with_token(method.clone(), &concrete, &token).json(&json!({})).send().await.unwrap().status();
            if rule.allows(*principal) {
                assert!(status != 403 && status != 401, "{principal} {method} {path}: {status}");
            } else {
                assert_eq!(status, 403, "{principal} {method} {path}");
            }
        }
    }
});

backend_test!(spawn_app -> TestApp, async fn writes_are_audited_and_the_chain_verifies(app) {
    let root = app.create_user("root", Role::Admin).await;
    let admin = app.token("root").await;
    let r = app.with_token(Method::POST, "/api/v1/users", &admin)
        .json(&json!({"username": "zaya", "password": "ten chars!", "role": "doctor"})).send().await.unwrap();
    let zaya = json_of(r).await["user_id"].as_i64().unwrap();
    app.with_token(Method::PATCH, &format!("/api/v1/users/{zaya}"), &admin)
        .json(&json!({"display_name": "Заяа"})).send().await.unwrap();

    let page = json_of(app.with_token(Method::GET, &format!("/api/v1/audit?table=user&row_id={zaya}"), &admin).send().await.unwrap()).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{page}");
    assert_eq!(items[0]["action"], "update", "newest first");
    assert_eq!(items[0]["changes"]["display_name"], json!(["zaya", "Заяа"]));
    assert_eq!(items[0]["user_id"], root);
    assert_eq!(items[1]["action"], "create");
    assert!(!items[1]["changes"].to_string().contains("argon2"), "no password hash in the trail");
    let logins = json_of(app.with_token(Method::GET, "/api/v1/audit?table=session_token", &admin).send().await.unwrap()).await;
    assert!(logins["items"].as_array().unwrap().iter().any(|r| r["action"] == "login"));

    app.create_user("doc", Role::Doctor).await;
    let doctor = app.token("doc").await;
    assert_eq!(app.with_token(Method::GET, "/api/v1/audit", &doctor).send().await.unwrap().status(), 403);

    let report = app.audit.verify().await.unwrap();
    assert!(report.first_bad_row.is_none(), "{report:?}");
    assert!(report.rows_checked >= 6);
});
