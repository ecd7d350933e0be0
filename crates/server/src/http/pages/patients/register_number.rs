//! The register number decoded while it is typed: `GET /patients/register-number?register_number=`
//! answers a small HTML fragment with the birthday and sex the number implies, or why it is
//! not a register number, in the page's language. The registration form asks for it as the
//! receptionist types (htmx); the decoding is the domain's own `RegisterNumber::parse`.

use crate::http::pages::Layout;
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use dcms_domain::{Gender, RegisterNumber, RegisterNumberError};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct Typed {
    #[serde(default)]
    register_number: String,
}

#[derive(Template)]
#[template(
    source = r#"<p class="decoded{% if ok %} ok{% else %} bad{% endif %}" id="rn-decoded-text">{{ text }}</p>"#,
    ext = "html"
)]
struct Decoded {
    ok: bool,
    text: String,
}

/// What a register number says, or why it is not one, in the page's language.
pub fn describe(layout: &Layout, typed: &str) -> (bool, String) {
    match RegisterNumber::parse(typed) {
        Ok(number) => (
            true,
            crate::http::pages::i18n::t_args(
                layout.lang,
                super::msg("rn-decoded"),
                &[
                    ("birthday", number.birthday().to_string()),
                    ("sex", layout.t(gender_id(number.sex()))),
                ],
            ),
        ),
        Err(e) => (false, error_text(layout, &e)),
    }
}

fn gender_id(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => super::msg("gender-male"),
        Gender::Female => super::msg("gender-female"),
        _ => super::msg("gender-other"),
    }
}

/// A register number's error in the page's language.
pub fn error_text(layout: &Layout, error: &RegisterNumberError) -> String {
    use RegisterNumberError::*;
    let lang = layout.lang;
    let t = |id: &str, args: &[(&'static str, String)]| {
        crate::http::pages::i18n::t_args(lang, id, args)
    };
    match error {
        Length { chars } => t(super::msg("rn-length"), &[("chars", chars.to_string())]),
        Shape => t(super::msg("rn-shape"), &[]),
        NotMongolianLetter { letter } => {
            t(super::msg("rn-letter"), &[("letter", letter.to_string())])
        }
        InvalidMonth { month } => t(super::msg("rn-month"), &[("month", format!("{month:02}"))]),
        NoSuchDate { year, month, day } => t(
            "rn-no-such-date",
            &[("date", format!("{year:04}-{month:02}-{day:02}"))],
        ),
        FutureDate { date } => t(super::msg("rn-future"), &[("date", date.to_string())]),
    }
}

/// `GET /patients/register-number?register_number=`: the fragment.
pub async fn decode(layout: Layout, Query(typed): Query<Typed>) -> Response {
    let typed = typed.register_number.trim();
    let (ok, text) = if typed.is_empty() {
        (false, String::new())
    } else {
        describe(&layout, typed)
    };
    layout.render(&Decoded { ok, text })
}
