//! The web pages through HTTP, as a browser speaks to them (without running one): the
//! session cookie, CSRF tokens, redirects to the login page and back, 403 pages, static
//! assets, no external URLs, and every page route walked as every principal.
use crate::backend_test;
use crate::helpers::{PASSWORD, TestApp};
use dcms_domain::{Principal, Role};
use dcms_server::http::csrf::CsrfToken;
use dcms_server::http::permissions::{PAGE_ROUTES, Rule};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::{Client, Method, StatusCode, redirect};

/// A client that does not follow redirects, so that each answer can be checked.
fn browser() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The value a `Set-Cookie` gives cookie `name`.
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    set_cookies(headers).iter().find_map(|c| {
        c.split(';')
            .next()
            .and_then(|kv| kv.split_once('='))
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    })
}

fn location(headers: &HeaderMap) -> String {
    headers[LOCATION].to_str().unwrap().to_owned()
}

/// Signs in through the login form; returns the session token from the cookie.
async fn form_login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    let b = browser();
    let login = b.get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let csrf = cookie_value(login.headers(), "dcms_csrf").expect("the login form sets its token");
    b.post(app.url("/login?next=%2Fusers"))
        .header("cookie", format!("dcms_csrf={csrf}"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/users"),
        ])
        .send()
        .await
        .unwrap()
}

backend_test!(spawn_app -> TestApp, async fn login_form_sets_a_strict_http_only_session_cookie(app) {
    app.create_user("oyuna", Role::Admin).await;
    let page = browser().get(app.url("/login")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"mn\">"), "Mongolian by default");
    assert!(html.contains("name=\"csrf\""));

    let answer = form_login(&app, "oyuna", PASSWORD).await;
    assert_eq!(answer.status(), 303);
    assert_eq!(location(answer.headers()), "/users", "back where the user was going");
    let cookie = set_cookies(answer.headers())
        .into_iter()
        .find(|c| c.starts_with("dcms_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP here");

    let wrong = form_login(&app, "oyuna", "not the password").await;
    assert_eq!(wrong.status(), 401);
    assert!(cookie_value(wrong.headers(), "dcms_session").is_none());
    assert!(wrong.text().await.unwrap().contains("id=\"login-error\""));
});

backend_test!(spawn_app -> TestApp, async fn login_without_its_token_is_refused(app) {
    app.create_user("oyuna", Role::Admin).await;
    let b = browser();
    let no_token = b.post(app.url("/login"))
        .form(&[("username", "oyuna"), ("password", PASSWORD)])
        .send().await.unwrap();
    assert_eq!(no_token.status(), 303);
    assert_eq!(location(no_token.headers()), "/login");
    assert!(cookie_value(no_token.headers(), "dcms_session").is_none());
    let forged = b.post(app.url("/login"))
        .header("cookie", "dcms_csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        .form(&[("username", "oyuna"), ("password", PASSWORD), ("csrf", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")])
        .send().await.unwrap();
    assert_eq!(forged.status(), 303);
    assert!(cookie_value(forged.headers(), "dcms_session").is_none());
});

backend_test!(spawn_app -> TestApp, async fn pages_send_visitors_to_log_in_and_back(app) {
    let b = browser();
    let home = b.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 303);
    assert_eq!(location(home.headers()), "/login");
    let users = b.get(app.url("/users?after=3")).send().await.unwrap();
    assert_eq!(location(users.headers()), "/login?next=%2Fusers%3Fafter%3D3");

    // A cookie whose session has ended: removed, and the login page says why.
    let stale = b.get(app.url("/account")).header("cookie", "dcms_session=1.c29tZXRoaW5n").send().await.unwrap();
    assert_eq!(stale.status(), 303);
    assert_eq!(location(stale.headers()), "/login?next=%2Faccount");
    let cookies = set_cookies(stale.headers());
    assert!(cookies.iter().any(|c| c.starts_with("dcms_session=;") && c.contains("Max-Age=0")), "{cookies:?}");
    let flash = cookie_value(stale.headers(), "dcms_flash").unwrap();
    let login = b.get(app.url("/login?next=%2Faccount")).header("cookie", format!("dcms_flash={flash}")).send().await.unwrap();
    let cleared = set_cookies(login.headers());
    assert!(cleared.iter().any(|c| c.starts_with("dcms_flash=;")), "a flash shows once: {cleared:?}");
    let html = login.text().await.unwrap();
    assert!(html.contains("id=\"flash\""), "{html}");
    assert!(html.contains("value=\"/account\""), "the form goes back to /account");

    // Off-site `next` is ignored.
    let evil = b.get(app.url("/login?next=%2F%2Fevil.example")).send().await.unwrap().text().await.unwrap();
    assert!(evil.contains("name=\"next\" value=\"/\""), "{evil}");
});

backend_test!(spawn_app -> TestApp, async fn cookie_sessions_need_the_csrf_token_to_write(app) {
    app.create_user("oyuna", Role::Admin).await;
    let token = app.token("oyuna").await;
    let csrf = CsrfToken::for_session(&token).0;
    let b = browser();
    let cookie = format!("dcms_session={token}");

    // The API answers a cookie too; reading needs no token.
    let me = b.get(app.url("/api/v1/auth/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(me.status(), 200);
    // Writing without it: 403, nothing happens.
    let out = b.post(app.url("/api/v1/auth/logout")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(out.status(), 403);
    assert_eq!(out.headers()["content-type"], "application/problem+json");
    let page_out = b.post(app.url("/logout")).header("cookie", &cookie).form(&[("csrf", "wrong")]).send().await.unwrap();
    assert_eq!(page_out.status(), 403);
    assert!(page_out.text().await.unwrap().contains("id=\"error-403\""));
    assert_eq!(app.with_token(Method::GET, "/api/v1/auth/me", &token).send().await.unwrap().status(), 200, "still signed in");
    // A token of another session does not pass either.
    let other = CsrfToken::for_session(&app.token("oyuna").await).0;
    let crossed = b.post(app.url("/logout")).header("cookie", &cookie).form(&[("csrf", other.as_str())]).send().await.unwrap();
    assert_eq!(crossed.status(), 403);

    // With it: the page logs out and removes the cookie.
    let page_out = b.post(app.url("/logout")).header("cookie", &cookie).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(page_out.status(), 303);
    assert_eq!(location(page_out.headers()), "/login");
    assert!(set_cookies(page_out.headers()).iter().any(|c| c.starts_with("dcms_session=;")));
    assert_eq!(app.with_token(Method::GET, "/api/v1/auth/me", &token).send().await.unwrap().status(), 401);

    // The header works for scripted requests; Bearer requests need no token at all.
    let token = app.token("oyuna").await;
    let scripted = b.post(app.url("/api/v1/auth/logout"))
        .header("cookie", format!("dcms_session={token}"))
        .header("x-csrf-token", CsrfToken::for_session(&token).0)
        .send().await.unwrap();
    assert_eq!(scripted.status(), 204);
});

backend_test!(spawn_app -> TestApp, async fn head_requests_follow_the_get_rule(app) {
    let head = browser().head(app.url("/api/v1/users")).send().await.unwrap();
    assert_eq!(head.status(), 401);
    let page = browser().head(app.url("/users")).send().await.unwrap();
    assert_eq!(page.status(), 303);
});

backend_test!(spawn_app -> TestApp, async fn pages_load_nothing_from_elsewhere_and_assets_are_cached(app) {
    app.create_user("oyuna", Role::Admin).await;
    let token = app.token("oyuna").await;
    let b = browser();
    let cookie = format!("dcms_session={token}");
    let mut assets = Vec::new();
    for path in ["/", "/account", "/users", "/users/new", "/users/1", "/settings", "/staff", "/staff/new", "/positions", "/services", "/login", "/no-such-page"] {
        let r = b.get(app.url(path)).header("cookie", &cookie).send().await.unwrap();
        let status = r.status();
        assert!(status == 200 || (path == "/no-such-page" && status == 404) || (path == "/login" && status == 303), "{path}: {status}");
        if status == 303 {
            continue;
        }
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
        let html = r.text().await.unwrap();
        for attr in ["src=\"", "href=\"", "action=\""] {
            for piece in html.split(attr).skip(1) {
                let url = piece.split('"').next().unwrap();
                assert!(url.starts_with('/') || url.starts_with('#') && !url.starts_with("//"), "{path}: external {attr}{url}");
                if url.starts_with("/static/") {
                    assets.push(url.to_owned());
                }
            }
        }
        assert!(!html.contains("http://") && !html.contains("https://"), "{path} names an external URL");
    }
    assets.sort();
    assets.dedup();
    assert!(assets.len() >= 3, "{assets:?}");
    for asset in &assets {
        let r = b.get(app.url(asset)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{asset}");
        assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable", "{asset}");
        let etag = r.headers()["etag"].clone();
        let again = b.get(app.url(asset)).header("if-none-match", etag).send().await.unwrap();
        assert_eq!(again.status(), 304);
    }
    let missing = b.get(app.url("/static/nothing.css")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let api_missing = b.get(app.url("/api/v1/nothing")).send().await.unwrap();
    assert_eq!(api_missing.headers()["content-type"], "application/problem+json");
});

backend_test!(spawn_app -> TestApp, async fn language_choice_is_remembered(app) {
    let b = browser();
    let switch = b.get(app.url("/language/en?next=%2Flogin")).send().await.unwrap();
    assert_eq!(switch.status(), 303);
    assert_eq!(location(switch.headers()), "/login");
    assert_eq!(cookie_value(switch.headers(), "dcms_lang").as_deref(), Some("en"));
    let cookie = set_cookies(switch.headers()).into_iter().find(|c| c.starts_with("dcms_lang=")).unwrap();
    assert!(cookie.contains("Max-Age=31536000"), "{cookie}");
    let en = b.get(app.url("/login")).header("cookie", "dcms_lang=en").send().await.unwrap().text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Log in"));
    let mn = b.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(mn.contains("Нэвтрэх"));
    let unknown = b.get(app.url("/language/fr")).send().await.unwrap();
    assert!(cookie_value(unknown.headers(), "dcms_lang").is_none());
});

backend_test!(spawn_app -> TestApp, async fn forms_come_back_with_errors_beside_their_fields(app) {
    app.create_user("oyuna", Role::Admin).await;
    let token = app.token("oyuna").await;
    let csrf = CsrfToken::for_session(&token).0;
    let r = browser().post(app.url("/users"))
        .header("cookie", format!("dcms_session={token}; dcms_lang=en"))
        .form(&[("csrf", csrf.as_str()), ("username", "bat<b>"), ("display_name", ""), ("role", "wizard"), ("password", "short")])
        .send().await.unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"password-error\""), "{html}");
    assert!(html.contains("Must be at least 10 characters."));
    assert!(html.contains("id=\"role-error\""));
    assert!(html.contains("value=\"bat&#60;b&#62;\"") || html.contains("value=\"bat&lt;b&gt;\""), "typed value kept, escaped");
    assert!(!html.contains("<b>"));
    let users = app.with_token(Method::GET, "/api/v1/users", &token).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
    assert_eq!(users["items"].as_array().unwrap().len(), 1, "nothing created");
});

// Every page route of the permission table, with a session cookie of each of the six
// principals and without one: to the login page without a session, 403 exactly where the
// table says no.
backend_test!(spawn_app -> TestApp, async fn every_page_answers_as_the_permission_table_says(app) {
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
    let b = browser();
    for (method, path, rule) in PAGE_ROUTES {
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
        let anonymous = b.request(method.clone(), app.url(&concrete)).form(&[("csrf", "x")]).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::SEE_OTHER, "{method} {path} without a session");
        assert!(location(anonymous.headers()).starts_with("/login"));
        for (principal, username, _, session_type) in &principals {
            let login = app.login_as(serde_json::json!({"username": username, "password": PASSWORD, "session_type": session_type})).await;
            let token = login.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
            let csrf = CsrfToken::for_session(&token).0;
            let r = b.request(method.clone(), app.url(&concrete))
                .header("cookie", format!("dcms_session={token}"))
                .form(&[("csrf", csrf.as_str())])
                .send().await.unwrap();
            let status = r.status();
            if rule.allows(*principal) {
                assert!(status != 403 && status != 401, "{principal} {method} {path}: {status}");
                assert!(status.as_u16() < 500, "{principal} {method} {path}: {status}");
            } else {
                assert_eq!(status, 403, "{principal} {method} {path}");
                assert!(r.text().await.unwrap().contains("id=\"error-403\""));
            }
        }
    }
});

backend_test!(spawn_app -> TestApp, async fn the_register_number_is_decoded_as_it_is_typed(app) {
    app.create_user("desk", Role::Receptionist).await;
    let token = app.token("desk").await;
    let b = browser();
    let ask = |number: &'static str, lang: &'static str| {
        b.get(app.url("/patients/register-number"))
            .query(&[("register_number", number)])
            .header("cookie", format!("dcms_session={token}; dcms_lang={lang}"))
            .send()
    };
    let ok = ask("уб85031512", "en").await.unwrap().text().await.unwrap();
    assert!(ok.contains("Born 1985-03-15"), "{ok}");
    let mn = ask("УБ85031512", "mn").await.unwrap().text().await.unwrap();
    assert!(mn.contains("Төрсөн: 1985-03-15"), "{mn}");
    let bad = ask("УБ85131512", "en").await.unwrap().text().await.unwrap();
    assert!(bad.contains("“13” are invalid") && bad.contains("bad"), "{bad}");
    let latin = ask("UB85031512", "en").await.unwrap().text().await.unwrap();
    assert!(latin.contains("not a Mongolian Cyrillic letter"), "{latin}");
});
