//! Medical history through HTTP: versions and the 409 of a stale one (also under ten
//! parallel writers of one version), the alerts derived from it on the history and on the
//! patient, who may read and write it (receptionists only the alerts, HQ nothing, a patient
//! their own), invalid contents refused, and the audited acknowledgement of a severe allergy.
use crate::backend_test;
use crate::helpers::{TestApp, actions, error_fields};
use crate::treatments::setup;
use dcms_domain::Role;
use serde_json::{Value, json};

fn history(version: i64) -> Value {
    json!({
        "version": version,
        "allergies": [
            {"substance": "лидокаин", "reaction": "anaphylaxis", "severity": "severe"},
            {"substance": "penicillin", "severity": "mild"},
        ],
        "conditions": [
            {"code": "asthma"},
            {"code": "anticoagulants", "text": "warfarin"},
        ],
        "medications": "warfarin 5 mg",
        "notes": null,
    })
}

fn kinds(alerts: &Value) -> Vec<&str> {
    alerts
        .as_array()
        .unwrap_or_else(|| panic!("no alerts in {alerts}"))
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect()
}

backend_test!(spawn_app -> TestApp, async fn history_is_versioned_and_a_stale_version_changes_nothing(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let path = format!("/api/v1/patients/{p}/medical-history");
    let (status, empty) = app.get_json(&path, &s.doctor).await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["version"], 0);
    assert_eq!(empty["alerts"], json!([]));
    let (status, first) = app.call(reqwest::Method::PUT, &path, &s.doctor, Some(history(0))).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["version"], 1);
    assert_eq!(kinds(&first["alerts"]), ["allergy", "allergy", "anticoagulants"]);
    assert_eq!(first["alerts"][0]["severe"], true);
    assert_eq!(first["alerts"][0]["text"], "лидокаин: anaphylaxis");
    assert_eq!(first["alerts"][2]["text"], "warfarin");
    assert!(first["updated_by"].is_i64());
    // Written against version 0 again: 409, and nothing changes.
    let (status, problem) = app.call(reqwest::Method::PUT, &path, &s.doctor, Some(json!({"version": 0, "allergies": []}))).await;
    assert_eq!(status, 409, "{problem}");
    let (_, now) = app.get_json(&path, &s.doctor).await;
    assert_eq!(now, first);
    let (status, second) = app.call(reqwest::Method::PUT, &path, &s.c.manager, Some(json!({"version": 1, "conditions": [{"code": "pregnancy"}], "reviewed_at": "2026-01-05T10:00:00+08:00"}))).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["version"], 2);
    assert_eq!(kinds(&second["alerts"]), ["pregnancy"]);
    assert_eq!(second["reviewed_at"], "2026-01-05T02:00:00Z");
    // Ten writers of version 2 at once: exactly one lands.
    let mut writers = Vec::new();
    for i in 0..10 {
        let (client, url, token) = (app.client.clone(), app.url(&path), s.doctor.clone());
        writers.push(tokio::spawn(async move {
            client.put(url).bearer_auth(token)
                .json(&json!({"version": 2, "notes": format!("writer {i}")}))
                .send().await.unwrap().status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for w in writers {
        statuses.push(w.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    let (status, versions) = app.get_json(&format!("{path}/versions"), &s.doctor).await;
    assert_eq!(status, 200, "{versions}");
    let numbers: Vec<i64> = versions.as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [3, 2, 1]);
    assert_eq!(versions[2]["allergies"][0]["substance"], "лидокаин");
    // Invalid contents: each field named, nothing written.
    for (body, field) in [
        (json!({"version": 3, "conditions": [{"code": "other"}]}), "conditions[0].text"),
        (json!({"version": 3, "allergies": [{"substance": " ", "severity": "mild"}]}), "allergies[0].substance"),
        (json!({"version": 3, "conditions": [{"code": "asthma"}, {"code": "asthma"}]}), "conditions[1].code"),
        (json!({"version": 3, "reviewed_at": "2999-01-01T00:00:00Z"}), "reviewed_at"),
        (json!({"allergies": []}), "version"),
    ] {
        let (status, problem) = app.call(reqwest::Method::PUT, &path, &s.doctor, Some(body.clone())).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(error_fields(&problem), [field], "{body}");
    }
    let (status, _) = app.call(reqwest::Method::PUT, &path, &s.doctor, Some(json!({"version": 3, "allergies": [{"substance": "x", "severity": "deadly"}]}))).await;
    assert_eq!(status, 422);
    let (_, latest) = app.get_json(&path, &s.doctor).await;
    assert_eq!(latest["version"], 3);
    let (status, _) = app.call(reqwest::Method::PUT, "/api/v1/patients/999999/medical-history", &s.doctor, Some(history(0))).await;
    assert_eq!(status, 404);
});

backend_test!(spawn_app -> TestApp, async fn receptionists_see_only_alerts_hq_nothing_and_patients_their_own(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let path = format!("/api/v1/patients/{p}/medical-history");
    let (status, _) = app.call(reqwest::Method::PUT, &path, &s.doctor, Some(history(0))).await;
    assert_eq!(status, 200);
    // The receptionist: the alerts on the patient, not the history.
    let (status, patient) = app.get_json(&format!("/api/v1/patients/{p}"), &s.c.desk).await;
    assert_eq!(status, 200, "{patient}");
    assert_eq!(kinds(&patient["alerts"]), ["allergy", "allergy", "anticoagulants"]);
    for route in [path.clone(), format!("{path}/versions")] {
        let (status, _) = app.get_json(&route, &s.c.desk).await;
        assert_eq!(status, 403, "{route}");
    }
    let (status, _) = app.call(reqwest::Method::PUT, &path, &s.c.desk, Some(history(1))).await;
    assert_eq!(status, 403);
    // HQ: neither the history nor the alerts.
    let hq = app.login_with("hq", Role::Manager, "hq").await;
    let (status, _) = app.get_json(&path, &hq).await;
    assert_eq!(status, 403);
    let (status, patient) = app.get_json(&format!("/api/v1/patients/{p}"), &hq).await;
    assert_eq!(status, 200);
    assert!(patient.get("alerts").is_none(), "{patient}");
    // A patient reads their own; staff routes are closed to them.
    let portal = app.create_user("portal", Role::Patient).await;
    let (status, _) = app.patch_json(&format!("/api/v1/patients/{p}"), &s.c.admin, json!({"user_id": portal})).await;
    assert_eq!(status, 200);
    let token = app.token("portal").await;
    let (status, mine) = app.get_json("/api/v1/me/medical-history", &token).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["version"], 1);
    assert_eq!(mine["medications"], "warfarin 5 mg");
    let (status, _) = app.get_json(&path, &token).await;
    assert_eq!(status, 403);
    // The doctor acknowledges the severe allergy: audited with what was seen.
    let (status, _) = app.call(reqwest::Method::POST, &format!("{path}/acknowledgements"), &s.doctor, None).await;
    assert_eq!(status, 204);
    app.audit.flush().await;
    let rows = app.audit_rows(&s.c.admin, "medical_history", p).await;
    let done = actions(&rows);
    assert!(done.contains(&"update") && done.contains(&"acknowledge_alert") && done.contains(&"read"), "{done:?}");
    let ack = rows.iter().find(|r| r["action"] == "acknowledge_alert").unwrap();
    assert_eq!(ack["changes"]["severe_allergies"], json!(["лидокаин: anaphylaxis"]), "{ack}");
});
