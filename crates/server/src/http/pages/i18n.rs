//! Every string of the pages through Fluent: `locales/<lang>/*.ftl`, compiled into the
//! binary. Mongolian is the default; English is the other language. A unit test fails when
//! a message is missing in either language or a page uses an id no file defines.

use dcms_domain::Language;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "mn",
        // No Unicode isolation marks around arguments: they would show up in inputs and tests.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static MN: LanguageIdentifier = langid!("mn");
static EN: LanguageIdentifier = langid!("en");

fn langid(lang: Language) -> &'static LanguageIdentifier {
    match lang {
        Language::Mn => &MN,
        Language::En => &EN,
    }
}

/// The language named by a cookie or form value (`mn`, `en`), if it is one of ours.
pub fn language_from_code(code: &str) -> Option<Language> {
    match code {
        "mn" => Some(Language::Mn),
        "en" => Some(Language::En),
        _ => None,
    }
}

/// The code of a language (`mn`, `en`), as in `<html lang>` and the cookie.
pub fn language_code(lang: Language) -> &'static str {
    match lang {
        Language::Mn => "mn",
        Language::En => "en",
    }
}

/// The message `id` in `lang`; a missing message is logged and shows its id.
pub fn t(lang: Language, id: &str) -> String {
    LOCALES.try_lookup(langid(lang), id).unwrap_or_else(|| {
        tracing::error!(id, lang = language_code(lang), "missing message");
        id.to_owned()
    })
}

/// Whether `id` is a message of ours (in the default language).
pub fn has_message(id: &str) -> bool {
    LOCALES.try_lookup(&MN, id).is_some()
}

/// The message `id` in `lang` with named arguments; None when it is not in the catalogue
/// (or names an argument not given).
pub fn try_t_args(lang: Language, id: &str, args: &[(&'static str, String)]) -> Option<String> {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
        .collect();
    LOCALES.try_lookup_with_args(langid(lang), id, &args)
}

/// The message `id` in `lang` with named arguments.
pub fn t_args(lang: Language, id: &str, args: &[(&'static str, String)]) -> String {
    try_t_args(lang, id, args).unwrap_or_else(|| {
        tracing::error!(id, lang = language_code(lang), "missing message");
        id.to_owned()
    })
}

/// A tooth's name in `lang` from the parts of the dictionary
/// (`dcms_domain::Tooth::name_parts`): "дээд баруун нэгдүгээр том араа", "upper right first
/// molar". The API keeps the dictionary's English `name`.
pub fn tooth_name(lang: Language, tooth: &dcms_domain::Tooth) -> String {
    let parts = tooth.name_parts();
    t_args(
        lang,
        "tooth-name",
        &[
            ("arch", t(lang, &format!("tooth-arch-{}", parts.arch))),
            ("side", t(lang, &format!("tooth-side-{}", parts.side))),
            ("kind", t(lang, &format!("tooth-kind-{}", parts.kind))),
        ],
    )
}

#[cfg(test)]
mod tests {
    //! The catalogue is complete: both languages define the same messages, and every id the
    //! templates and the page code use exists.
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn ids_in(file: &str) -> BTreeSet<String> {
        let text = std::fs::read_to_string(file).unwrap();
        text.lines()
            .filter(|l| {
                l.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_uppercase())
            })
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    fn catalogue(lang: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut ids = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ftl") {
                ids.extend(ids_in(path.to_str().unwrap()));
            }
        }
        ids
    }

    /// Every message id the templates and the page code name: the literals passed to `.t(`,
    /// `.t1(` and `msg(`, and every literal starting `"error-` or `"flash-`.
    fn used_ids() -> BTreeSet<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("templates"), root.join("src/http/pages")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        let mut ids = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for marker in [".t(\"", ".t1(\"", "msg(\"", "\"error-", "\"flash-"] {
                for piece in text.split(marker).skip(1) {
                    let prefix = marker.strip_prefix('"').unwrap_or("");
                    if let Some(rest) = piece.split('"').next()
                        && !rest.is_empty()
                        && let id = format!("{prefix}{rest}")
                        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    {
                        ids.insert(id);
                    }
                }
            }
        }
        ids
    }

    #[test]
    fn both_languages_define_the_same_messages() {
        let mn = catalogue("mn");
        let en = catalogue("en");
        let only_mn: Vec<_> = mn.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&mn).collect();
        assert!(only_mn.is_empty(), "missing in English: {only_mn:?}");
        assert!(only_en.is_empty(), "missing in Mongolian: {only_en:?}");
        assert!(mn.len() > 50, "only {} messages found", mn.len());
    }

    #[test]
    fn every_message_the_pages_use_exists_in_both_languages() {
        let used = used_ids();
        assert!(used.len() > 30, "found only {} used ids", used.len());
        for lang in ["mn", "en"] {
            let defined = catalogue(lang);
            for id in &used {
                assert!(defined.contains(id), "message {id} is missing in {lang}");
            }
        }
    }

    /// Every code a service gives a field error (`FieldError::coded(field, CODE, ...)`) has
    /// its `error-<code>` message, so no page falls back to the English text.
    #[test]
    fn every_field_error_code_has_a_message() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut codes = BTreeSet::new();
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for piece in text.split("FieldError::coded(").skip(1) {
                    if let Some((_, rest)) = piece.split_once(',')
                        && let Some(code) = rest.trim_start().strip_prefix('"')
                        && let Some(code) = code.split('"').next()
                    {
                        codes.insert(code.to_owned());
                    }
                }
            }
        }
        assert!(codes.len() > 10, "found only {codes:?}");
        for lang in ["mn", "en"] {
            let defined = catalogue(lang);
            for code in &codes {
                assert!(
                    defined.contains(&format!("error-{code}")),
                    "error-{code} is missing in {lang}"
                );
            }
        }
    }

    #[test]
    fn tooth_names_in_both_languages() {
        for tooth in dcms_domain::all_teeth() {
            assert_eq!(tooth_name(Language::En, tooth), tooth.name);
            let mn = tooth_name(Language::Mn, tooth);
            assert!(
                !mn.contains("tooth-") && !mn.is_ascii(),
                "{} {}: {mn}",
                tooth.system,
                tooth.code
            );
        }
        let name = |code: &str| {
            let code = dcms_domain::ToothCode::parse(dcms_domain::ToothSystem::Fdi, code).unwrap();
            tooth_name(Language::Mn, code.tooth())
        };
        assert_eq!(name("16"), "дээд баруун нэгдүгээр том араа");
        assert_eq!(name("38"), "доод зүүн гуравдугаар том араа (ухаан шүд)");
        assert_eq!(name("21"), "дээд зүүн төв хөрөөч шүд");
        assert_eq!(name("43"), "доод баруун соёо шүд");
        assert_eq!(name("24"), "дээд зүүн нэгдүгээр жижиг араа");
        assert_eq!(name("55"), "дээд баруун хоёрдугаар сүүн араа");
        assert_eq!(name("72"), "доод зүүн сүүн хажуугийн хөрөөч шүд");
    }

    #[test]
    fn arguments_are_substituted_without_isolation_marks() {
        let text = t_args(Language::En, "signed-in-as", &[("name", "Bat".into())]);
        assert!(text.contains("Bat") && !text.contains('\u{2068}'), "{text}");
    }
}
