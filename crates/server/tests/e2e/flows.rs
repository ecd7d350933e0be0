//! The flows of the pages' foundation. Texts are checked in the language the page is in
//! (Mongolian by default), so a missing or wrong translation fails here too.

use crate::browser::Browser;
use crate::helpers::*;
use dcms_domain::Role;
use fantoccini::Locator;

const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";

async fn setup() -> Option<(TestApp, Browser)> {
    let app = spawn_app(TestBackend::Sqlite).await?;
    let browser = Browser::start(&app.address).await?;
    Some((app, browser))
}

#[tokio::test]
async fn log_in_and_out_in_both_languages() {
    let Some((app, b)) = setup().await else {
        return;
    };
    app.create_user("admin1", Role::Admin).await;

    b.goto("/").await;
    assert!(b.path().await.starts_with("/login"), "{}", b.path().await);
    assert_eq!(b.text("h1").await, "Нэвтрэх");
    b.screenshot("login-mn").await;

    b.login("admin1", PASSWORD).await;
    assert_eq!(b.path().await, "/");
    assert!(b.text("#user-menu").await.contains("admin1"));
    assert!(b.text("nav.mainnav").await.contains("Хэрэглэгчид"));
    b.screenshot("home-admin-mn").await;

    b.logout().await;
    assert_eq!(b.path().await, "/login");
    assert_eq!(b.text("#flash").await, "Та системээс гарлаа.");
    b.screenshot("logged-out-mn").await;

    b.click_and_wait("#lang-switch a[hreflang=en]").await;
    assert_eq!(b.text("h1").await, "Log in");
    b.screenshot("login-en").await;

    b.login("admin1", "not the password").await;
    assert!(b.text("#login-error").await.contains("wrong"));
    let kept = b
        .client
        .find(Locator::Css("#username"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("admin1"),
        "the username typed is kept"
    );
    b.screenshot("login-failed-en").await;

    b.login("admin1", PASSWORD).await;
    assert_eq!(b.path().await, "/");
    assert!(b.text("nav.mainnav").await.contains("Users"));
    b.screenshot("home-admin-en").await;
    b.logout().await;
    assert_eq!(b.text("#flash").await, "You have logged out.");
    b.close().await;
}

#[tokio::test]
async fn change_ones_password() {
    let Some((app, b)) = setup().await else {
        return;
    };
    app.create_user("doctor1", Role::Doctor).await;
    b.login("doctor1", PASSWORD).await;
    b.goto("/account").await;
    b.screenshot("account-mn").await;

    // A form submits once: after the first submit its button is disabled (once the
    // browser has read the form, so a clicked button's value is still sent) and a second
    // submit event is cancelled (the page script; checked without leaving the page).
    let once = b
        .client
        .execute(
            r#"const form = document.getElementById("password-form");
               form.addEventListener("submit", e => e.preventDefault());
               const first = new Event("submit", {bubbles: true, cancelable: true});
               form.dispatchEvent(first);
               const second = new Event("submit", {bubbles: true, cancelable: true});
               form.dispatchEvent(second);
               return new Promise(done => setTimeout(() => done(
                   [form.querySelector("button[type=submit]").disabled, second.defaultPrevented]), 0));"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(once, serde_json::json!([true, true]));
    b.goto("/account").await;

    b.fill("#current_password", "wrong password").await;
    b.fill("#new_password", "a much longer secret").await;
    b.fill("#confirm_password", "something else entirely").await;
    b.click_and_wait("#password-form button[type=submit]").await;
    assert_eq!(
        b.text("#confirm_password-error").await,
        "Хоёр шинэ нууц үг зөрж байна."
    );
    b.screenshot("account-password-errors-mn").await;

    b.fill("#current_password", "wrong password").await;
    b.fill("#new_password", "a much longer secret").await;
    b.fill("#confirm_password", "a much longer secret").await;
    b.click_and_wait("#password-form button[type=submit]").await;
    assert_eq!(
        b.text("#current_password-error").await,
        "Энэ таны одоогийн нууц үг биш байна."
    );

    b.fill("#current_password", PASSWORD).await;
    b.fill("#new_password", "a much longer secret").await;
    b.fill("#confirm_password", "a much longer secret").await;
    b.click_and_wait("#password-form button[type=submit]").await;
    assert_eq!(
        b.text("#flash").await,
        "Нууц үг солигдлоо. Таны бусад нэвтрэлт дууслаа."
    );
    b.screenshot("account-password-changed-mn").await;

    b.logout().await;
    b.login("doctor1", PASSWORD).await;
    assert!(
        b.exists("#login-error").await,
        "the old password no longer works"
    );
    b.login("doctor1", "a much longer secret").await;
    assert_eq!(b.path().await, "/");
    b.close().await;
}

#[tokio::test]
async fn end_another_session() {
    let Some((app, b)) = setup().await else {
        return;
    };
    app.create_user("desk", Role::Receptionist).await;
    let other = app
        .login_as(serde_json::json!({
            "username": "desk", "password": PASSWORD, "device_name": "Front desk tablet"
        }))
        .await;
    let token = other.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    b.login("desk", PASSWORD).await;
    b.goto("/account").await;
    assert_eq!(b.count("#sessions tbody tr").await, 2);
    assert!(b.text("#sessions").await.contains("Front desk tablet"));
    b.screenshot("account-sessions-mn").await;

    b.click_and_wait("#sessions tbody tr:not(.current) form.revoke-session button")
        .await;
    assert_eq!(b.text("#flash").await, "Нэвтрэлт дууслаа.");
    assert_eq!(b.count("#sessions tbody tr").await, 1);
    b.screenshot("account-session-ended-mn").await;

    let me = app
        .with_token(reqwest::Method::GET, "/api/v1/auth/me", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.status(),
        401,
        "the ended session's token no longer works"
    );
    b.close().await;
}

#[tokio::test]
async fn an_admin_creates_a_user() {
    let Some((app, b)) = setup().await else {
        return;
    };
    app.create_user("admin1", Role::Admin).await;
    b.login("admin1", PASSWORD).await;
    b.click_and_wait("nav.mainnav a[href='/users']").await;
    assert_eq!(b.path().await, "/users");
    b.screenshot("users-mn").await;

    b.click_and_wait("#new-user").await;
    b.fill("#username", "dr.bold").await;
    b.fill("#display_name", "Болд").await;
    b.client
        .find(Locator::Css("#role"))
        .await
        .unwrap()
        .select_by_value("doctor")
        .await
        .unwrap();
    b.fill("#password", "short").await;
    b.click_and_wait("#user-form button[type=submit]").await;
    assert_eq!(
        b.text("#password-error").await,
        "Дор хаяж 10 тэмдэгт байх ёстой."
    );
    let kept = |css: &'static str| {
        let b = &b;
        async move {
            b.client
                .find(Locator::Css(css))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .unwrap_or_default()
        }
    };
    assert_eq!(kept("#username").await, "dr.bold");
    assert_eq!(kept("#display_name").await, "Болд");
    assert_eq!(kept("#role").await, "doctor");
    b.screenshot("user-new-errors-mn").await;

    b.fill("#password", "a long enough password").await;
    b.click_and_wait("#user-form button[type=submit]").await;
    assert!(b.path().await.starts_with("/users/"), "{}", b.path().await);
    assert_eq!(b.text("#flash").await, "Хэрэглэгч үүслээ.");
    assert!(b.text("h1").await.contains("Болд"));
    b.screenshot("user-created-mn").await;

    let login = app
        .login_as(serde_json::json!({"username": "dr.bold", "password": "a long enough password"}))
        .await;
    assert_eq!(login.status(), 201);
    let body: serde_json::Value = login.json().await.unwrap();
    assert_eq!(body["user"]["role"], "doctor");

    b.goto("/users/new").await;
    b.fill("#username", "DR.BOLD").await;
    b.fill("#password", "a long enough password").await;
    b.click_and_wait("#user-form button[type=submit]").await;
    assert_eq!(
        b.text("#username-error").await,
        "Энэ нэвтрэх нэр аль хэдийн бүртгэлтэй байна."
    );
    b.close().await;
}

#[tokio::test]
async fn a_receptionist_is_refused_the_users_page() {
    let Some((app, b)) = setup().await else {
        return;
    };
    app.create_user("desk", Role::Receptionist).await;
    b.login("desk", PASSWORD).await;
    assert!(!b.exists("nav.mainnav a[href='/users']").await);
    b.goto("/users").await;
    assert!(b.exists("#error-403").await);
    assert_eq!(b.text("h1").await, "Танд энэ хуудсыг үзэх эрх байхгүй.");
    b.screenshot("users-refused-receptionist-mn").await;

    b.goto("/settings").await;
    assert!(b.exists("#settings-readonly").await);
    assert!(!b.exists("#settings-form button[type=submit]").await);
    b.screenshot("settings-readonly-mn").await;
    b.close().await;
}

#[tokio::test]
async fn an_ended_session_logs_in_again_and_comes_back() {
    let Some((app, b)) = setup().await else {
        return;
    };
    app.create_user("admin1", Role::Admin).await;
    b.login("admin1", PASSWORD).await;
    b.goto("/users").await;

    // End the browser's session from another one.
    let token = app.token("admin1").await;
    let sessions: serde_json::Value = app
        .with_token(reqwest::Method::GET, "/api/v1/auth/sessions", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let browser_session = sessions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["session_token_id"]
        .as_i64()
        .unwrap();
    let revoked = app
        .with_token(
            reqwest::Method::DELETE,
            &format!("/api/v1/auth/sessions/{browser_session}"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);

    b.goto("/users").await;
    assert_eq!(b.path().await, "/login?next=%2Fusers");
    assert_eq!(
        b.text("#flash").await,
        "Таны нэвтрэлт дууссан байна. Дахин нэвтэрнэ үү."
    );
    b.screenshot("session-ended-mn").await;
    b.login("admin1", PASSWORD).await;
    assert_eq!(b.path().await, "/users");
    b.close().await;
}

#[tokio::test]
async fn an_admin_changes_the_clinic_settings() {
    let Some((app, b)) = setup().await else {
        return;
    };
    app.create_user("admin1", Role::Admin).await;
    b.login("admin1", PASSWORD).await;
    b.click_and_wait("nav.mainnav a[href='/settings']").await;
    b.screenshot("settings-mn").await;

    b.fill("#clinic_name", "Гэгээ Дентал").await;
    b.fill("#hours_sat", "10:00-14:00").await;
    b.fill("#hours_sun", "").await;
    b.click_and_wait("#settings-form button[type=submit]").await;
    assert_eq!(b.text("#flash").await, "Хадгаллаа.");
    assert_eq!(b.text(".brand").await, "Гэгээ Дентал");

    b.fill("#hours_mon", "09:00-25:00").await;
    b.fill("#time_zone", "Mars/Olympus").await;
    b.click_and_wait("#settings-form button[type=submit]").await;
    assert!(b.exists("#hours_mon-error").await);
    assert!(b.exists("#time_zone-error").await);
    let typed = b
        .client
        .find(Locator::Css("#time_zone"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(typed.as_deref(), Some("Mars/Olympus"));
    b.screenshot("settings-errors-mn").await;

    let token = app.token("admin1").await;
    let settings: serde_json::Value = app
        .with_token(reqwest::Method::GET, "/api/v1/settings", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings["clinic_name"], "Гэгээ Дентал");
    assert_eq!(settings["time_zone"], "Asia/Ulaanbaatar");
    assert_eq!(
        settings["opening_hours"]["sat"],
        serde_json::json!([["10:00", "14:00"]])
    );

    // How long sessions last: staff sign out after 30 minutes unused.
    b.goto("/settings").await;
    b.fill("#staff_session_idle_minutes", "30").await;
    b.click_and_wait("#settings-form button[type=submit]").await;
    assert_eq!(b.text("#flash").await, "Хадгаллаа.");
    for (width, name) in [
        (1280, "settings-sessions-mn"),
        (768, "settings-sessions-tablet-mn"),
        (390, "settings-sessions-phone-mn"),
    ] {
        b.resize(width, 900).await;
        b.scroll_to("#session-settings").await;
        b.screenshot(name).await;
    }
    b.resize(1280, 900).await;
    // Within each field's range, but idle longer than the whole lifetime.
    b.fill("#staff_session_idle_minutes", "120").await;
    b.fill("#staff_session_max_hours", "1").await;
    b.click_and_wait("#settings-form button[type=submit]").await;
    assert_eq!(
        b.text("#staff_session_idle_minutes-error").await,
        "Идэвхгүй байх хугацаа нийт хугацаанаас урт байж болохгүй."
    );
    b.scroll_to("#session-settings").await;
    b.screenshot("settings-sessions-errors-mn").await;

    // Unused for longer than that, the browser is signed out and told why.
    let idle = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(31);
    let update = dcms_store::sea_orm::sea_query::Query::update()
        .table("session_token")
        .value("last_seen_at", dcms_store::time::to_db(idle))
        .to_owned();
    use dcms_store::sea_orm::ConnectionTrait;
    app.store.connection().execute(&update).await.unwrap();
    b.goto("/patients").await;
    assert_eq!(b.path().await, "/login?next=%2Fpatients");
    assert_eq!(
        b.text("#flash").await,
        "Удаан идэвхгүй байсан тул системээс гарсан байна. Дахин нэвтэрнэ үү."
    );
    b.screenshot("login-idle-mn").await;
    b.close().await;
}

#[tokio::test]
async fn works_with_the_keyboard_at_tablet_width() {
    let Some((app, b)) = setup().await else {
        return;
    };
    app.create_user("admin1", Role::Admin).await;
    b.resize(768, 1024).await;
    b.goto("/login").await;
    b.click("#username").await;
    let field = b.client.active_element().await.unwrap();
    field
        .send_keys(&format!("admin1{TAB}{PASSWORD}{ENTER}"))
        .await
        .unwrap();
    b.text("footer").await;
    for _ in 0..50 {
        if b.path().await == "/" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(b.path().await, "/");
    b.screenshot("home-tablet-mn").await;
    for (path, name) in [
        ("/users", "users-tablet-mn"),
        ("/account", "account-tablet-mn"),
        ("/settings", "settings-tablet-mn"),
    ] {
        b.goto(path).await;
        let fits = b
            .client
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            fits,
            serde_json::json!(true),
            "{path} scrolls sideways at 768 px"
        );
        b.screenshot(name).await;
    }
    b.close().await;
}

#[tokio::test]
async fn register_a_patient_find_them_and_add_a_phone() {
    let Some((app, b)) = setup().await else {
        return;
    };
    app.create_user("desk", Role::Receptionist).await;
    b.login("desk", PASSWORD).await;
    b.click_and_wait("nav.mainnav a[href='/patients']").await;
    b.screenshot("patients-empty-mn").await;
    b.click_and_wait("#new-patient").await;

    // The register number is decoded while it is typed.
    b.fill("#register_number", "УБ85031512").await;
    b.client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::Css("#rn-decoded-text.ok"))
        .await
        .expect("the decoded register number appears");
    assert_eq!(
        b.text("#rn-decoded-text").await,
        "Төрсөн: 1985-03-15, Эрэгтэй"
    );
    b.fill("#last_name", "Дорж").await;
    b.fill("#first_name", "Өлзий").await;
    b.fill("#phone_number_1", "9911 2233").await;
    b.fill("#phone_label_1", "гар утас").await;
    b.screenshot("patient-new-mn").await;
    b.click_and_wait("#patient-form button[type=submit]").await;
    // One phone is not enough: the form comes back with what was typed.
    assert_eq!(
        b.text("#phones-error").await,
        "Дор хаяж 2 утасны дугаар шаардлагатай."
    );
    b.screenshot("patient-new-errors-mn").await;
    b.fill("#phone_number_2", "+976 8811-2233").await;
    b.click_and_wait("#patient-form button[type=submit]").await;
    assert!(
        b.path().await.starts_with("/patients/"),
        "{}",
        b.path().await
    );
    assert_eq!(b.text("#flash").await, "Үйлчлүүлэгч бүртгэгдлээ.");
    assert!(b.text("h1").await.contains("Дорж Өлзий"));
    assert_eq!(b.count("#patient-phone-list li").await, 2);
    b.screenshot("patient-mn").await;
    let patient_path = b.path().await;

    // Find them by phone and by name, as they are typed.
    for (query, name) in [
        ("99112233", "by-phone"),
        ("өлз", "by-name"),
        ("ДОР", "by-family-name"),
    ] {
        b.goto("/patients").await;
        b.fill("#q", query).await;
        b.client
            .wait()
            .at_most(std::time::Duration::from_secs(10))
            .for_element(Locator::Css("#patient-table tbody tr"))
            .await
            .unwrap_or_else(|e| panic!("no result for {query}: {e}"));
        assert!(
            b.text("#patient-table").await.contains("Дорж Өлзий"),
            "{query}"
        );
        b.screenshot(&format!("patients-search-{name}-mn")).await;
    }
    b.goto("/patients").await;
    b.fill("#q", "Бат").await;
    b.client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::Css("#no-patients"))
        .await
        .expect("no match is said");

    // Add a phone, make it primary: on the page behind the patient page's "edit".
    b.goto(&patient_path).await;
    b.click_and_wait("#edit-patient").await;
    assert_eq!(b.path().await, format!("{patient_path}/edit"));
    b.fill("#number", "7011 2233").await;
    b.fill("#label", "ажил").await;
    b.click_and_wait("#add-phone-form button[type=submit]")
        .await;
    assert_eq!(b.text("#flash").await, "Утас нэмэгдлээ.");
    assert_eq!(b.count("#patient-phones tbody tr").await, 3);
    b.click_and_wait("#patient-phones tbody tr:nth-child(3) form.make-primary button")
        .await;
    assert_eq!(b.text("#flash").await, "Үндсэн утас солигдлоо.");
    assert!(
        b.text("#patient-phones tbody tr:nth-child(3)")
            .await
            .contains("Үндсэн")
    );
    b.screenshot("patient-phone-added-mn").await;
    b.close().await;
}

/// Whether the page fits the window's width (no sideways scrolling).
async fn fits_the_width(b: &Browser) -> bool {
    b.client
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap()
        == serde_json::json!(true)
}

#[tokio::test]
async fn fire_an_employee() {
    let Some((app, b)) = setup().await else {
        return;
    };
    app.create_user("manager1", Role::Manager).await;
    b.login("manager1", PASSWORD).await;
    b.click_and_wait("nav.mainnav a[href='/staff']").await;
    assert_eq!(b.path().await, "/staff");
    assert_eq!(
        b.text("#no-staff").await,
        "Одоогоор бүртгэлтэй ажилтан алга."
    );
    b.screenshot("staff-empty-mn").await;

    // A position first.
    b.click_and_wait("#positions-link").await;
    assert_eq!(b.path().await, "/positions");
    b.screenshot("positions-empty-mn").await;
    b.fill("#display_name", "Шүдний эмч").await;
    b.fill("#position_type", "DENTIST").await;
    b.choose("#category", "clinical").await;
    b.fill("#description", "Эмчилгээ хийж, цаг авна.").await;
    b.click_and_wait("#position-form button[type=submit]").await;
    assert_eq!(b.text("#flash").await, "Албан тушаал нэмэгдлээ.");
    assert_eq!(b.count("#positions-table tbody tr").await, 1);
    assert!(b.text("#positions-table").await.contains("Эмчилгээний"));
    b.screenshot("positions-mn").await;
    b.click_and_wait("#positions-table a.edit-position").await;
    assert_eq!(b.text("#position-form-title").await, "Албан тушаал засах");
    b.screenshot("positions-edit-mn").await;

    // Hire: one phone is not enough; the form comes back with what was typed.
    b.goto("/staff").await;
    b.click_and_wait("#new-employee").await;
    b.fill("#last_name", "Бат").await;
    b.fill("#first_name", "Болормаа").await;
    b.choose("#gender", "female").await;
    b.fill("#email", "bolor@example.mn").await;
    b.fill("#hired_at", "2024-09-01").await;
    b.fill("#phone_number_1", "9911 2233").await;
    b.fill("#phone_label_1", "гар утас").await;
    let position_id = b
        .client
        .find(Locator::Css("#position_id option:nth-child(2)"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    b.choose("#position_id", &position_id).await;
    b.screenshot("staff-new-mn").await;
    b.click_and_wait("#employee-form button[type=submit]").await;
    assert_eq!(
        b.text("#phones-error").await,
        "Дор хаяж 2 утасны дугаар шаардлагатай."
    );
    b.screenshot("staff-new-errors-mn").await;
    b.fill("#phone_number_2", "8811 2233").await;
    b.fill("#phone_label_2", "гэр").await;
    b.click_and_wait("#employee-form button[type=submit]").await;
    assert!(b.path().await.starts_with("/staff/"), "{}", b.path().await);
    assert_eq!(b.text("#flash").await, "Ажилтан бүртгэгдлээ.");
    assert_eq!(b.count("#employee-phones tbody tr").await, 2);
    assert_eq!(b.text("#employee-position").await, "Шүдний эмч");
    assert!(
        b.text("#employee-positions").await.contains("2024-09-01"),
        "the first position starts on the hiring date"
    );
    b.client
        .execute(
            "document.getElementById('employee-positions').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    b.screenshot("staff-employee-positions-mn").await;

    // Open them from the roll and fire them.
    b.goto("/staff").await;
    assert_eq!(b.count("#staff-table tbody tr").await, 1);
    assert!(b.text("#staff-table").await.contains("9911 2233"));
    b.screenshot("staff-mn").await;
    b.click_and_wait("#staff-table a[href^='/staff/']").await;
    assert!(b.text("h1").await.contains("Бат Болормаа"));
    assert_eq!(b.text("#employee-status").await, "Ажиллаж байгаа");
    b.screenshot("staff-employee-mn").await;
    let fire_button = b
        .client
        .find(Locator::Css("#fire-form button[type=submit]"))
        .await
        .unwrap();
    assert!(
        !fire_button.is_displayed().await.unwrap(),
        "the firing form is folded away until asked for"
    );
    // With the keyboard: the fold opens with Enter, the box ticks with Space.
    b.client
        .execute("document.querySelector('#fire summary').focus();", vec![])
        .await
        .unwrap();
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys(ENTER)
        .await
        .unwrap();
    b.text("#fire-form").await;
    assert_eq!(
        b.client
            .find(Locator::Css("#fired_at"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(today().as_str()),
        "today in the clinic's time zone by default"
    );
    b.screenshot("staff-fire-mn").await;
    assert!(fire_button.is_displayed().await.unwrap());
    b.click("#confirm").await;
    b.click_and_wait("#fire-form button[type=submit]").await;
    assert_eq!(b.text("#flash").await, "Ажилтан ажлаас чөлөөлөгдлөө.");
    assert_eq!(b.text("#employee-status").await, "Ажиллахгүй");
    assert_eq!(b.text("#employee-fired-at").await, today());
    assert!(!b.exists("#fire-form").await);
    b.screenshot("staff-fired-mn").await;

    b.goto("/staff").await;
    assert!(b.text("#staff-table").await.contains("Ажиллахгүй"));

    // At tablet width nothing scrolls sideways.
    let employee_path = b
        .client
        .find(Locator::Css("#staff-table a[href^='/staff/']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    b.resize(768, 1024).await;
    for (path, name) in [
        ("/staff", "staff-tablet-mn"),
        (employee_path.as_str(), "staff-employee-tablet-mn"),
        ("/staff/new", "staff-new-tablet-mn"),
        ("/positions", "positions-tablet-mn"),
    ] {
        b.goto(path).await;
        assert!(
            fits_the_width(&b).await,
            "{path} scrolls sideways at 768 px"
        );
        b.screenshot(name).await;
    }
    b.close().await;
}

/// Today in Ulaanbaatar, `YYYY-MM-DD`.
fn today() -> String {
    jiff::Timestamp::now()
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .date()
        .to_string()
}
