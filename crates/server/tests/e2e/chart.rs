//! The dentist's chart in Chromium: the doctor charts a caries on two surfaces of 36 by
//! clicking them, plans a filling for it in one action, the plan is accepted and the filling
//! recorded from it, and the tooth turns from red to filled. Screenshots at 1280, 768 and
//! 390 px.

use crate::browser::{Browser, assert_fits};
use crate::clinic::{Practice, api, practice};
use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

const TOOTH: &str = "a.tooth[data-ui-key='P-LL-6']";

#[tokio::test]
async fn chart_a_caries_plan_a_filling_record_it_and_see_the_tooth_filled() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let Practice {
        boss,
        doctor: _,
        patient,
    } = practice(&app).await;
    let service = api(
        &app,
        &boss,
        Method::POST,
        "/api/v1/services",
        json!({
            "service_type": "GEN", "display_number": 1, "doctor_display_name": "Композит ломбо",
            "patient_display_name": "Шүд ломбодох", "price": 45000, "default_duration_time": 30,
        }),
    )
    .await["service_id"]
        .as_i64()
        .unwrap();

    b.login("dr", PASSWORD).await;
    let chart = format!("/patients/{patient}/chart");
    b.goto(&chart).await;
    b.choose("#chart-what", "finding:caries").await;
    b.click(&format!("{TOOTH} polygon[data-surface='mesial']"))
        .await;
    b.click(&format!("{TOOTH} polygon[data-surface='occlusal']"))
        .await;
    assert_eq!(b.text("#chart-chosen").await, "36 MO");
    b.screenshot("chart-charting-mn").await;
    b.click_and_wait("#chart-form button[type=submit]").await;
    assert_eq!(
        b.count(&format!("{TOOTH} polygon.s-path")).await,
        2,
        "two red surfaces"
    );
    assert!(b.text("#chart-findings").await.contains("Цоорол"));

    // "Plan a filling for this caries": one action on the finding.
    b.choose("#chart-findings select", &format!("service:{service}"))
        .await;
    b.click_and_wait("#chart-findings form[action$='/plan'] button")
        .await;
    assert_eq!(
        b.count(&format!("{TOOTH} polygon.s-planned")).await,
        2,
        "planned, outlined"
    );
    assert!(
        b.text("#chart-plans").await.contains("0 хийгдсэн"),
        "{}",
        b.text("#chart-plans").await
    );
    b.screenshot("chart-planned-mn").await;

    // The plan's page: present it, print the estimate, the patient accepts, the filling is
    // recorded as done from its item (the treatment form filled from it).
    b.click_and_wait("#chart-plans a").await;
    let plan_path = b.path().await;
    assert!(b.text("#plan-status").await.contains("Ноорог"));
    assert!(b.text("#phase-1").await.contains("Композит ломбо"));
    b.click_and_wait("#plan-move-presented").await;
    assert!(b.text("#plan-status").await.contains("Танилцуулсан"));
    b.screenshot("plan-presented-mn").await;
    b.click_and_wait("#print-estimate").await;
    assert_eq!(b.text("#estimate-total").await, "45 000 ₮");
    assert!(b.text("#estimate-patient").await.contains("Дорж Өлзий"));
    assert!(b.text("#estimate-valid").await.contains("хүртэл хүчинтэй"));
    assert!(
        b.text("#estimate").await.contains("36 (MO)"),
        "{}",
        b.text("#estimate").await
    );
    b.screenshot("estimate-mn").await;
    b.click_and_wait("p.no-print a").await;
    b.click_and_wait("#plan-move-accepted").await;
    b.click_and_wait("a.record-item").await;
    assert!(
        b.text("#from-plan").await.contains("Композит ломбо"),
        "{}",
        b.text("#from-plan").await
    );
    b.screenshot("treatment-from-plan-mn").await;
    b.click_and_wait("#treatment-submit").await;
    assert_eq!(b.text("#treatment-total").await, "45 000 ₮");

    b.goto(&chart).await;
    assert_eq!(
        b.count(&format!("{TOOTH} polygon.s-done")).await,
        2,
        "filled"
    );
    assert_eq!(
        b.count(&format!("{TOOTH} polygon.s-path")).await,
        0,
        "no longer red"
    );
    assert_eq!(b.count(&format!("{TOOTH} polygon.s-planned")).await, 0);
    for (width, name) in [
        (1280, "chart-done-1280"),
        (768, "chart-done-768"),
        (390, "chart-done-390"),
    ] {
        b.resize(width, 900).await;
        b.goto(&chart).await;
        b.screenshot(name).await;
    }
    // Nothing scrolls sideways at 1280, 768 or 390 px: the chart, the plan, the estimate.
    for path in [
        chart.clone(),
        plan_path.clone(),
        format!("{plan_path}/estimate"),
    ] {
        assert_fits(&b, &path).await;
    }
    b.resize(390, 900).await;
    b.goto(&plan_path).await;
    b.screenshot("plan-390").await;
    b.goto(&format!("{plan_path}/estimate")).await;
    b.screenshot("estimate-390").await;
    b.close().await;
}
