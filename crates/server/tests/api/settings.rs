//! `/api/v1/settings` through HTTP: the defaults, who may read and change them, validation
//! of every field (all errors at once, nothing changed), the audit entry, and a round trip
//! of opening hours with a closed day.
use crate::backend_test;
use crate::helpers::TestApp;
use dcms_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

const DEFAULT_HOURS: &str = r#"{"mon":[["09:00","18:00"]],"tue":[["09:00","18:00"]],"wed":[["09:00","18:00"]],"thu":[["09:00","18:00"]],"fri":[["09:00","18:00"]],"sat":[["10:00","15:00"]],"sun":[]}"#;

fn week(overrides: Value) -> Value {
    let mut week: Value = serde_json::from_str(DEFAULT_HOURS).unwrap();
    for (day, intervals) in overrides.as_object().unwrap() {
        week[day] = intervals.clone();
    }
    week
}

backend_test!(spawn_app -> TestApp, async fn defaults_read_back(app) {
    let token = app.login("root", Role::Admin).await;
    let (status, body) = app.get_json("/api/v1/settings", &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["clinic_name"], "DCMS");
    assert_eq!(body["clinic_code"], "");
    assert_eq!(body["time_zone"], "Asia/Ulaanbaatar");
    assert_eq!(body["tooth_notation"], "fdi");
    assert_eq!(body["language"], "mn");
    assert_eq!(body["opening_hours"], serde_json::from_str::<Value>(DEFAULT_HOURS).unwrap());
    let keys: Vec<&str> = body["opening_hours"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 7);
    body["updated_at"].as_str().unwrap().parse::<jiff::Timestamp>().expect("an RFC 3339 instant");
    let service = dcms_server::services::settings::get(&app.store).await.unwrap();
    assert_eq!(service.time_zone().iana_name(), Some("Asia/Ulaanbaatar"));
    assert_eq!(service.now_local().offset().seconds(), 8 * 3600);
});

backend_test!(spawn_app -> TestApp, async fn who_may_read_and_change(app) {
    let admin = app.login("root", Role::Admin).await;
    let manager = app.login("boss", Role::Manager).await;
    let doctor = app.login("doc", Role::Doctor).await;
    let receptionist = app.login("desk", Role::Receptionist).await;
    let hq = app.login_with("head", Role::Manager, "hq").await;
    let patient = app.login("pat", Role::Patient).await;

    for token in [&admin, &manager, &doctor, &receptionist, &hq] {
        let (status, body) = app.get_json("/api/v1/settings", token).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["time_zone"], "Asia/Ulaanbaatar");
    }
    let (status, body) = app.get_json("/api/v1/settings", &patient).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(app.get("/api/v1/settings").await.status(), 401);

    let (status, body) = app.patch_json("/api/v1/settings", &admin, json!({"clinic_name": "Гэгээн шүд"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["clinic_name"], "Гэгээн шүд");
    let (status, body) = app.patch_json("/api/v1/settings", &manager, json!({"language": "en"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["language"], "en");
    assert_eq!(body["clinic_name"], "Гэгээн шүд", "fields not sent are kept");

    for (who, token) in [("doctor", &doctor), ("receptionist", &receptionist), ("hq", &hq), ("patient", &patient)] {
        let (status, _) = app.patch_json("/api/v1/settings", token, json!({"language": "mn"})).await;
        assert_eq!(status, 403, "{who} with a valid body");
        let (status, _) = app.patch_json("/api/v1/settings", token, json!({"time_zone": "Mars/Olympus", "opening_hours": []})).await;
        assert_eq!(status, 403, "{who} with an invalid body");
        let r = app.with_token(Method::PATCH, "/api/v1/settings", token)
            .header("content-type", "application/json").body("{not json").send().await.unwrap();
        assert_eq!(r.status(), 403, "{who} with malformed JSON");
    }
    let r = app.client.patch(app.url("/api/v1/settings")).json(&json!({"language": "mn"})).send().await.unwrap();
    assert_eq!(r.status(), 401);

    let (_, body) = app.get_json("/api/v1/settings", &admin).await;
    assert_eq!(body["language"], "en", "no forbidden change went through");
    assert_eq!(body["clinic_name"], "Гэгээн шүд");
});

backend_test!(spawn_app -> TestApp, async fn invalid_values_are_422_and_change_nothing(app) {
    let admin = app.login("root", Role::Admin).await;
    let (_, before) = app.get_json("/api/v1/settings", &admin).await;

    // Every field wrong at once: every field named, nothing changed.
    let (status, problem) = app.patch_json("/api/v1/settings", &admin, json!({
        "clinic_name": "   ",
        "clinic_code": "УБ 01",
        "time_zone": "Mars/Olympus",
        "opening_hours": week(json!({"mon": [["09:00", "13:00"], ["12:00", "18:00"]]})),
        "tooth_notation": "roman",
        "language": "fr",
    })).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        validation_fields(&problem),
        ["clinic_code", "clinic_name", "language", "opening_hours.mon", "time_zone", "tooth_notation"]
    );
    let messages = problem["errors"].to_string();
    assert!(messages.contains("Monday: the intervals 09:00-13:00 and 12:00-18:00 overlap"), "{messages}");
    assert!(messages.contains("Mars/Olympus"), "{messages}");

    // One bad field spoils the good ones.
    let (status, problem) = app.patch_json("/api/v1/settings", &admin, json!({"clinic_name": "New name", "time_zone": "Asia/Nowhere"})).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["time_zone"]);

    let cases = [
        (week(json!({"tue": [["12:00", "18:00"], ["09:00", "12:30"]]})), "opening_hours.tue"),
        (week(json!({"wed": [["9:00", "18:00"]]})), "opening_hours.wed"),
        (week(json!({"thu": [["09:00", "24:00"]]})), "opening_hours.thu"),
        (week(json!({"fri": [["09:60", "18:00"]]})), "opening_hours.fri"),
        (week(json!({"sat": [["15:00", "10:00"]]})), "opening_hours.sat"),
        (week(json!({"sun": [["10:00", "10:00"]]})), "opening_hours.sun"),
        (week(json!({"mon": [["09:00"]]})), "opening_hours.mon"),
        (week(json!({"mon": "closed"})), "opening_hours.mon"),
        (json!({"mon": [], "tue": [], "wed": [], "thu": [], "fri": [], "sat": []}), "opening_hours.sun"),
        (week(json!({"holiday": []})), "opening_hours"),
        (json!([["09:00", "18:00"]]), "opening_hours"),
    ];
    for (hours, field) in cases {
        let (status, problem) = app.patch_json("/api/v1/settings", &admin, json!({"opening_hours": hours})).await;
        assert_eq!(status, 422, "{hours}: {problem}");
        assert_eq!(validation_fields(&problem), [field], "{hours}");
    }
    for (body, field) in [
        (json!({"clinic_name": "ш".repeat(256)}), "clinic_name"),
        (json!({"clinic_code": "x".repeat(33)}), "clinic_code"),
        (json!({"time_zone": ""}), "time_zone"),
        (json!({"tooth_notation": "FDI"}), "tooth_notation"),
        (json!({"language": "MN"}), "language"),
    ] {
        let (status, problem) = app.patch_json("/api/v1/settings", &admin, body.clone()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(validation_fields(&problem), [field], "{body}");
    }
    // Well-formed JSON of the wrong type: 422; malformed JSON: 400.
    let (status, problem) = app.patch_json("/api/v1/settings", &admin, json!({"tooth_notation": 1})).await;
    assert_eq!(status, 422, "{problem}");
    let r = app.with_token(Method::PATCH, "/api/v1/settings", &admin)
        .header("content-type", "application/json").body(r#"{"language": "en""#).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    let (_, after) = app.get_json("/api/v1/settings", &admin).await;
    assert_eq!(after, before, "nothing changed, not even updated_at");
    let audit = json_of(app.with_token(Method::GET, "/api/v1/audit?table=settings", &admin).send().await.unwrap()).await;
    assert_eq!(audit["items"], json!([]), "a refused change is not audited");
});

backend_test!(spawn_app -> TestApp, async fn a_change_round_trips_and_is_audited(app) {
    let root = app.create_user("root", Role::Admin).await;
    let admin = app.token("root").await;
    let (_, before) = app.get_json("/api/v1/settings", &admin).await;

    let hours = json!({
        "mon": [["14:00", "19:00"], ["09:00", "13:00"]],
        "tue": [["09:00", "12:00"], ["12:00", "17:30"]],
        "wed": [],
        "thu": [["08:00", "20:00"]],
        "fri": [["09:00", "18:00"]],
        "sat": [["10:00", "14:00"]],
        "sun": [],
    });
    let (status, body) = app.patch_json("/api/v1/settings", &admin, json!({
        "clinic_name": "  Гэгээн шүд  ",
        "clinic_code": "HOV-01",
        "time_zone": "Asia/Hovd",
        "opening_hours": hours,
        "tooth_notation": "universal",
        "language": "en",
    })).await;
    assert_eq!(status, 200, "{body}");
    let expected_hours = json!({
        "mon": [["09:00", "13:00"], ["14:00", "19:00"]],
        "tue": [["09:00", "17:30"]],
        "wed": [],
        "thu": [["08:00", "20:00"]],
        "fri": [["09:00", "18:00"]],
        "sat": [["10:00", "14:00"]],
        "sun": [],
    });
    assert_eq!(body["clinic_name"], "Гэгээн шүд");
    assert_eq!(body["clinic_code"], "HOV-01");
    assert_eq!(body["time_zone"], "Asia/Hovd");
    assert_eq!(body["opening_hours"], expected_hours, "sorted, touching intervals merged, closed days kept");
    assert_eq!(body["tooth_notation"], "universal");
    assert_eq!(body["language"], "en");
    let updated: jiff::Timestamp = body["updated_at"].as_str().unwrap().parse().unwrap();
    let was: jiff::Timestamp = before["updated_at"].as_str().unwrap().parse().unwrap();
    assert!(updated > was, "updated_at moves: {was} -> {updated}");

    let (_, read_back) = app.get_json("/api/v1/settings", &admin).await;
    assert_eq!(read_back, body, "GET shows what PATCH answered");
    // Sending back what was read changes nothing.
    let (status, again) = app.patch_json("/api/v1/settings", &admin, json!({"opening_hours": read_back["opening_hours"]})).await;
    assert_eq!(status, 200);
    assert_eq!(again, read_back);

    let service = dcms_server::services::settings::get(&app.store).await.unwrap();
    assert_eq!(service.time_zone().iana_name(), Some("Asia/Hovd"));
    assert_eq!(service.now_local().offset().seconds(), 7 * 3600);
    assert!(service.opening_hours.is_closed(jiff::civil::Weekday::Wednesday));

    let audit = json_of(app.with_token(Method::GET, "/api/v1/audit?table=settings", &admin).send().await.unwrap()).await;
    let items = audit["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one entry; the no-op change wrote none: {audit}");
    let entry = &items[0];
    assert_eq!(entry["action"], "update");
    assert_eq!(entry["table"], "settings");
    assert_eq!(entry["row_id"], 1);
    assert_eq!(entry["user_id"], root);
    let changes = &entry["changes"];
    assert_eq!(changes["clinic_name"], json!(["DCMS", "Гэгээн шүд"]));
    assert_eq!(changes["clinic_code"], json!(["", "HOV-01"]));
    assert_eq!(changes["time_zone"], json!(["Asia/Ulaanbaatar", "Asia/Hovd"]));
    assert_eq!(changes["tooth_notation"], json!(["fdi", "universal"]));
    assert_eq!(changes["language"], json!(["mn", "en"]));
    assert_eq!(changes["opening_hours"][0], serde_json::from_str::<Value>(DEFAULT_HOURS).unwrap());
    assert_eq!(changes["opening_hours"][1], expected_hours);
    assert!(changes.get("updated_at").is_none());

    // A change of one field audits that field only.
    let (status, _) = app.patch_json("/api/v1/settings", &admin, json!({"tooth_notation": "palmer", "language": "en"})).await;
    assert_eq!(status, 200);
    let audit = json_of(app.with_token(Method::GET, "/api/v1/audit?table=settings&row_id=1", &admin).send().await.unwrap()).await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 2);
    assert_eq!(audit["items"][0]["changes"], json!({"tooth_notation": ["universal", "palmer"]}));

    let report = app.audit.verify().await.unwrap();
    assert!(report.first_bad_row.is_none(), "{report:?}");
});

backend_test!(spawn_app -> TestApp, async fn time_zones_and_clearing_the_code(app) {
    let manager = app.login("boss", Role::Manager).await;
    for tz in ["UTC", "Asia/Hovd", "Asia/Ulaanbaatar"] {
        let (status, body) = app.patch_json("/api/v1/settings", &manager, json!({"time_zone": tz})).await;
        assert_eq!(status, 200, "{tz}: {body}");
        assert_eq!(body["time_zone"], tz);
    }
    let (status, body) = app.patch_json("/api/v1/settings", &manager, json!({"time_zone": "asia/hovd"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["time_zone"], "Asia/Hovd", "stored in the database's spelling");
    let (status, problem) = app.patch_json("/api/v1/settings", &manager, json!({"time_zone": "Europe/Atlantis"})).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["time_zone"]);

    let (_, body) = app.patch_json("/api/v1/settings", &manager, json!({"clinic_code": "UB_1"})).await;
    assert_eq!(body["clinic_code"], "UB_1");
    let (status, body) = app.patch_json("/api/v1/settings", &manager, json!({"clinic_code": "", "clinic_name": null})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["clinic_code"], "");
    assert_eq!(body["clinic_name"], "DCMS", "null leaves a field as it is");
    // An empty change is fine and changes nothing.
    let (status, same) = app.patch_json("/api/v1/settings", &manager, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(same, body);
});
