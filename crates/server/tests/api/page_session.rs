//! A browser's session for page tests: the `dcms_session` cookie, its CSRF token and a
//! language, with helpers that get pages, post forms and call the API as the same user.
use crate::helpers::TestApp;
use dcms_domain::Role;
use dcms_server::http::csrf::CsrfToken;
use reqwest::header::LOCATION;
use reqwest::{Client, Method, redirect};
use serde_json::Value;

/// A signed-in browser: the session cookie, its CSRF token and a language.
pub struct Session {
    pub client: Client,
    pub cookie: String,
    pub csrf: String,
    pub token: String,
}

/// Creates a user of `role` and signs them in; the pages answer in `lang`.
pub async fn session(app: &TestApp, username: &str, role: Role, lang: &str) -> Session {
    app.create_user(username, role).await;
    signed_in(app, username, lang).await
}

/// Signs in an existing user; the pages answer in `lang`.
pub async fn signed_in(app: &TestApp, username: &str, lang: &str) -> Session {
    let token = app.token(username).await;
    with_token(token, lang)
}

/// Creates a manager and signs them in with a head-office (`hq`) session.
pub async fn hq_session(app: &TestApp, username: &str, lang: &str) -> Session {
    app.create_user(username, Role::Manager).await;
    let login = app
        .login_as(serde_json::json!({
            "username": username,
            "password": crate::helpers::PASSWORD,
            "session_type": "hq",
        }))
        .await;
    assert_eq!(login.status(), 201);
    let body: Value = login.json().await.unwrap();
    with_token(body["token"].as_str().unwrap().to_owned(), lang)
}

fn with_token(token: String, lang: &str) -> Session {
    Session {
        client: Client::builder()
            .redirect(redirect::Policy::none())
            .build()
            .unwrap(),
        cookie: format!("dcms_session={token}; dcms_lang={lang}"),
        csrf: CsrfToken::for_session(&token).0,
        token,
    }
}

/// A page's status and HTML (or, for a redirect, its `Location`).
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        assert_eq!(self.status, 303, "{}", self.body);
        &self.body
    }

    pub fn has(&self, text: &str) -> bool {
        self.body.contains(text)
    }

    /// Where `text` first appears (it must).
    pub fn at(&self, text: &str) -> usize {
        self.body
            .find(text)
            .unwrap_or_else(|| panic!("{text} not on the page: {}", self.body))
    }
}

impl Session {
    pub async fn answer(r: reqwest::Response) -> Answer {
        let status = r.status().as_u16();
        let body = if status == 303 {
            r.headers()[LOCATION].to_str().unwrap().to_owned()
        } else {
            r.text().await.unwrap()
        };
        Answer { status, body }
    }

    pub async fn get(&self, app: &TestApp, path: &str) -> Answer {
        let r = self
            .client
            .get(app.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        Self::answer(r).await
    }

    /// Posts a form (with the CSRF token added).
    pub async fn post(&self, app: &TestApp, path: &str, form: &[(&str, &str)]) -> Answer {
        let mut fields = vec![("csrf", self.csrf.as_str())];
        fields.extend_from_slice(form);
        let r = self
            .client
            .post(app.url(path))
            .header("cookie", &self.cookie)
            .form(&fields)
            .send()
            .await
            .unwrap();
        Self::answer(r).await
    }

    /// The API's JSON answer, with the same user's bearer token.
    pub async fn api(
        &self,
        app: &TestApp,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = app.with_token(method, path, &self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let r = request.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}
