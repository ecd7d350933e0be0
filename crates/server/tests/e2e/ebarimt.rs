//! Discounts and e-barimt in Chromium: the manager connects the clinic's PosAPI on the
//! settings page; the doctor adds a whitening with a 10% discount and its reason; the desk
//! takes the payment of a company (its TIN), opens the receipt with its lottery number and
//! QR code, prints the invoice with it; PosAPI fails, the start page counts the failure, the
//! cashier's list shows it and one click sends it again. Screenshots at 1280, 768 and 390 px.

use crate::browser::{Browser, assert_fits};
use crate::clinic::{api, practice};
use crate::helpers::*;
use crate::posapi::{Mode, PosApiSim};
use dcms_domain::Role;
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

fn fast(config: &mut dcms_server::config::Config) {
    config.outbox_worker = true;
    config.ebarimt.poll = Duration::from_millis(50);
    config.ebarimt.backoff = vec![Duration::from_millis(200)];
    config.ebarimt.timeout = Duration::from_secs(2);
}

/// Reloads `path` until `css` says `text` (10 s at most).
async fn until(b: &Browser, path: &str, css: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        b.goto(path).await;
        if b.exists(css).await && b.text(css).await.contains(text) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css} on {path} never said {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_discount_then_a_receipt_with_its_lottery_number_and_qr_code() {
    let Some(app) = spawn_app_with(TestBackend::Sqlite, fast).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let sim = PosApiSim::start().await;
    let p = practice(&app).await;
    let filling = api(
        &app,
        &p.boss,
        Method::POST,
        "/api/v1/services",
        json!({
            "service_type": "ЛОМ", "display_number": 1, "doctor_display_name": "Ломбо",
            "patient_display_name": "Ломбо", "price": 80000,
        }),
    )
    .await;
    let whitening = api(
        &app,
        &p.boss,
        Method::POST,
        "/api/v1/services",
        json!({
            "service_type": "ГОО", "display_number": 1, "doctor_display_name": "Цайруулалт",
            "patient_display_name": "Шүд цайруулалт", "price": 150000, "tax_type": "VAT_ABLE",
            "classification_code": "8610000",
        }),
    )
    .await;

    // The manager connects PosAPI on the settings page.
    b.login("boss", PASSWORD).await;
    b.goto("/settings").await;
    b.click("#ebarimt_enabled").await;
    b.fill("#ebarimt_url", &sim.url).await;
    b.fill("#ebarimt_merchant_tin", "5317878").await;
    b.fill("#ebarimt_pos_no", "10012345").await;
    b.fill("#ebarimt_branch_no", "001").await;
    b.fill("#ebarimt_district_code", "3505").await;
    b.scroll_to("#money-settings").await;
    b.screenshot("settings-money-mn").await;
    b.click_and_wait("#settings-form > button[type=submit]")
        .await;
    let settings = api(
        &app,
        &p.boss,
        Method::GET,
        "/api/v1/settings",
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(settings["ebarimt"]["enabled"], true, "{settings}");
    assert_eq!(settings["ebarimt"]["merchant_tin"], "5317878");
    b.logout().await;

    // The doctor records a filling, then adds a whitening with 10% off.
    let dr = app.token("dr").await;
    let t = api(&app, &dr, Method::POST, "/api/v1/treatments", json!({
        "patient_id": p.patient, "doctor_id": p.doctor,
        "items": [{"service_id": filling["service_id"], "scope": "single_tooth", "teeth": ["36"]}],
    })).await;
    let path = format!("/treatments/{}", t["treatment_id"]);
    b.login("dr", PASSWORD).await;
    b.goto(&path).await;
    b.choose(
        "#item-form #service_id",
        &whitening["service_id"].to_string(),
    )
    .await;
    b.choose("#item-form #scope", "upper_arch").await;
    b.fill("#item-form #discount", "10%").await;
    b.click_and_wait("#item-submit").await;
    assert!(
        b.exists("#discount_reason-error").await,
        "a discount needs its reason"
    );
    b.fill("#item-form #discount_reason", "Ахмад настан").await;
    b.click_and_wait("#item-submit").await;
    assert!(
        b.text("#treatment-items").await.contains("15 000"),
        "the discount shown"
    );
    assert!(b.text("#treatment-total").await.contains("215 000"));
    b.screenshot("treatment-discount-mn").await;
    b.logout().await;

    // The desk takes a company's payment; the receipt comes back with lottery and QR code.
    app.create_user("desk", Role::Receptionist).await;
    b.login("desk", PASSWORD).await;
    b.goto(&path).await;
    b.fill("#customer_tin", "6123456").await;
    b.click_and_wait("#payment-submit").await;
    b.click_and_wait(".receipt-link").await;
    let receipt_path = b.path().await;
    until(&b, &receipt_path, "#receipt-state", "Баримт гарсан").await;
    assert!(b.text(".lottery-number").await.starts_with("AB "));
    assert_eq!(b.count(".ebarimt .qr svg").await, 1, "the QR code is drawn");
    assert!(b.text(".merchant-tin").await.contains("5317878"));
    assert!(b.text("#receipt-items").await.contains("Шүд цайруулалт"));
    for (width, suffix) in [(1280, "1280"), (768, "768"), (390, "390")] {
        b.resize(width, 900).await;
        b.goto(&receipt_path).await;
        b.screenshot(&format!("receipt-{suffix}")).await;
    }
    assert_fits(&b, &receipt_path).await;
    b.resize(1280, 900).await;
    b.goto(&format!("{path}/invoice")).await;
    assert!(b.text(".ebarimt .lottery-number").await.starts_with("AB "));
    b.screenshot("invoice-ebarimt-mn").await;
    assert_eq!(sim.problems(), Vec::<String>::new());
    assert_eq!(sim.posts()[0]["type"], "B2B_RECEIPT");
    b.logout().await;

    // PosAPI fails: the start page counts it, the list shows it, one click sends it again.
    sim.set(Mode::Http500);
    let t2 = api(&app, &dr, Method::POST, "/api/v1/treatments", json!({
        "patient_id": p.patient, "doctor_id": p.doctor,
        "items": [{"service_id": filling["service_id"], "scope": "single_tooth", "teeth": ["46"]}],
    })).await;
    api(
        &app,
        &p.boss,
        Method::POST,
        &format!("/api/v1/treatments/{}/payments", t2["treatment_id"]),
        json!({"amount": 80_000, "method": "cash"}),
    )
    .await;
    b.login("desk", PASSWORD).await;
    until(&b, "/", "#home-receipts", "1").await;
    b.screenshot("home-receipts-failed-mn").await;
    b.click_and_wait("#home-receipts").await;
    assert!(b.text("#receipts").await.contains("Амжилтгүй"));
    assert!(
        b.text("#receipts")
            .await
            .contains("PosAPI алдаа буцаалаа (HTTP 500"),
        "the error in Mongolian, PosAPI's words beside"
    );
    for (width, suffix) in [(1280, "1280"), (390, "390")] {
        b.resize(width, 900).await;
        b.goto("/receipts").await;
        b.screenshot(&format!("receipts-{suffix}")).await;
    }
    assert_fits(&b, "/receipts").await;
    sim.set(Mode::Ok);
    b.click_and_wait("#receipts button.primary").await;
    until(&b, "/receipts", "main", "Бүх баримт гарсан").await;
    assert_eq!(sim.receipts().len(), 2);
    assert_eq!(sim.issued_twice(), Vec::<String>::new());
    b.close().await;
}
