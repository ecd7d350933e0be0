//! Names, search keys and e-mail addresses.

use std::fmt;

/// The search key of a name: trimmed, Unicode lower-case, with the look-alikes `є`→`ө` and
/// `ї`→`ү`. Nothing else is removed or folded.
pub fn name_key(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'є' => 'ө',
            'ї' => 'ү',
            c => c,
        })
        .collect()
}

/// The uniqueness key of a username: trimmed and Unicode lower-case.
pub fn username_key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Whether a character may appear in no text a client sends: a control character other
/// than tab, line feed and carriage return (NUL, escape, DEL, the C1 controls). PostgreSQL
/// cannot store NUL in text at all; none of them has a place in a clinic's records.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Whether a text holds a character [`is_forbidden_control`] refuses.
pub fn has_forbidden_control(s: &str) -> bool {
    s.chars().any(is_forbidden_control)
}

/// Why a name or an e-mail address is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A name with nothing but white space.
    #[error("the name is empty")]
    EmptyName,
    /// A name longer than allowed.
    #[error("the name is longer than {max} characters ({got})")]
    NameTooLong {
        /// The limit.
        max: usize,
        /// The length given, in characters.
        got: usize,
    },
    /// A name containing a control character (such as a line break or a tab).
    #[error("the name contains a control character")]
    NameControlCharacter,
    /// An empty e-mail address.
    #[error("the e-mail address is empty")]
    EmptyEmail,
    /// An e-mail address over 254 characters.
    #[error("the e-mail address is longer than 254 characters")]
    EmailTooLong,
    /// Not exactly one `@`.
    #[error("an e-mail address has exactly one '@'")]
    EmailAt,
    /// A bad part before the `@`.
    #[error("the part of the e-mail address before '@' must be 1 to 64 characters without spaces")]
    EmailLocalPart,
    /// A bad domain.
    #[error(
        "the domain of the e-mail address must be like example.mn: letters, digits and '-' in dot-separated parts"
    )]
    EmailDomain,
}

/// A person's first or last name: trimmed, non-empty, no control characters, at most a
/// given number of characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonName(String);

impl PersonName {
    /// Validates a name of at most `max_chars` characters (after trimming).
    pub fn parse(s: &str, max_chars: usize) -> Result<PersonName, TextError> {
        let name = s.trim();
        if name.is_empty() {
            return Err(TextError::EmptyName);
        }
        let got = name.chars().count();
        if got > max_chars {
            return Err(TextError::NameTooLong {
                max: max_chars,
                got,
            });
        }
        if name.chars().any(char::is_control) {
            return Err(TextError::NameControlCharacter);
        }
        Ok(PersonName(name.to_owned()))
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The search key of the name ([`name_key`]).
    pub fn key(&self) -> String {
        name_key(&self.0)
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::strings::string_serialize!(PersonName, "A person's name.", "Бат-Эрдэнэ");

/// A plausible e-mail address, stored as given (trimmed) but with the domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Validates an e-mail address: at most 254 characters, one `@`, a local part of 1-64
    /// characters without white space or control characters, and a domain of at least two
    /// dot-separated labels of letters (any script), digits and `-`, no label starting or
    /// ending with `-`.
    pub fn parse(s: &str) -> Result<Email, TextError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(TextError::EmptyEmail);
        }
        if s.chars().count() > 254 {
            return Err(TextError::EmailTooLong);
        }
        let mut parts = s.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(TextError::EmailAt);
        };
        if local.is_empty()
            || local.chars().count() > 64
            || local.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(TextError::EmailLocalPart);
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let label_ok = |label: &&str| {
            !label.is_empty()
                && label.chars().count() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if labels.len() < 2 || !labels.iter().all(label_ok) {
            return Err(TextError::EmailDomain);
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Email {
    type Err = TextError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

crate::strings::string_serialize!(Email, "An e-mail address.", "bat@example.mn");
crate::strings::string_deserialize!(Email);

#[cfg(test)]
mod tests {
    #[test]
    fn forbidden_controls_are_the_ones_no_text_needs() {
        for c in ['\0', '\u{1}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'] {
            assert!(is_forbidden_control(c), "{c:?}");
        }
        for c in ['\t', '\n', '\r', ' ', 'Ө', '\u{a0}', '\u{2028}'] {
            assert!(!is_forbidden_control(c), "{c:?}");
        }
        assert!(has_forbidden_control("Бат\u{0}"));
        assert!(!has_forbidden_control("line one\nline two"));
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn name_keys() {
        assert_eq!(name_key("  Бат-Эрдэнэ "), "бат-эрдэнэ");
        assert_eq!(name_key("ЄНХБАЯР"), "өнхбаяр");
        assert_eq!(name_key("Її"), "үү");
        assert_eq!(name_key("Өлзий Үүрийн"), "өлзий үүрийн");
        // Nothing else is folded: Ё stays ё, Й stays й.
        assert_eq!(name_key("Ёндон Йовуу"), "ёндон йовуу");
        assert_eq!(name_key("O'Brien"), "o'brien");
        assert_eq!(name_key(""), "");
    }

    #[test]
    fn username_keys() {
        assert_eq!(username_key("  Admin "), "admin");
        assert_eq!(username_key("Бат@Example.MN"), "бат@example.mn");
        assert_eq!(username_key("Єва"), "єва");
    }

    #[test]
    fn person_names() {
        let n = PersonName::parse("  Бат-Эрдэнэ ", 50).unwrap();
        assert_eq!(n.as_str(), "Бат-Эрдэнэ");
        assert_eq!(n.to_string(), "Бат-Эрдэнэ");
        assert_eq!(n.key(), "бат-эрдэнэ");
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"Бат-Эрдэнэ\"");
        assert_eq!(PersonName::parse(" \t ", 50), Err(TextError::EmptyName));
        assert_eq!(
            PersonName::parse("Болд", 3),
            Err(TextError::NameTooLong { max: 3, got: 4 })
        );
        assert!(PersonName::parse("Болд", 4).is_ok());
        assert_eq!(
            PersonName::parse("Бо\nлд", 50),
            Err(TextError::NameControlCharacter)
        );
        assert_eq!(
            TextError::NameTooLong { max: 3, got: 4 }.to_string(),
            "the name is longer than 3 characters (4)"
        );
    }

    #[test]
    fn emails() {
        let ok = |s: &str| Email::parse(s).unwrap().as_str().to_owned();
        assert_eq!(
            ok(" Bat.Erdene+dcms@Example.MN "),
            "Bat.Erdene+dcms@example.mn"
        );
        assert_eq!(ok("бат@жишээ.мн"), "бат@жишээ.мн");
        assert_eq!(ok("a@b-c.d1"), "a@b-c.d1");
        assert_eq!(ok("x@ЖИШЭЭ.МН"), "x@жишээ.мн");
        let err = |s: &str| Email::parse(s).unwrap_err();
        assert_eq!(err(""), TextError::EmptyEmail);
        assert_eq!(err("bat"), TextError::EmailAt);
        assert_eq!(err("a@b@c.mn"), TextError::EmailAt);
        assert_eq!(err("@example.mn"), TextError::EmailLocalPart);
        assert_eq!(err("a b@example.mn"), TextError::EmailLocalPart);
        assert_eq!(
            err(&format!("{}@example.mn", "a".repeat(65))),
            TextError::EmailLocalPart
        );
        assert!(Email::parse(&format!("{}@example.mn", "a".repeat(64))).is_ok());
        for bad in [
            "a@",
            "a@localhost",
            "a@.mn",
            "a@example.",
            "a@-x.mn",
            "a@x-.mn",
            "a@ex ample.mn",
            "a@ex_ample.mn",
            "a@example..mn",
        ] {
            assert_eq!(err(bad), TextError::EmailDomain, "{bad}");
        }
        let long = format!("{}@{}.mn", "a".repeat(64), "b".repeat(200));
        assert_eq!(err(&long), TextError::EmailTooLong);
    }

    #[test]
    fn email_serde() {
        let e = Email::parse("bat@example.mn").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"bat@example.mn\"");
        assert_eq!(
            serde_json::from_str::<Email>("\" bat@EXAMPLE.mn\"").unwrap(),
            e
        );
        let bad = serde_json::from_str::<Email>("\"bat\"").unwrap_err();
        assert!(bad.to_string().contains("exactly one '@'"));
        assert_eq!("bat@example.mn".parse::<Email>(), Ok(e));
    }

    fn valid_email() -> impl Strategy<Value = String> {
        (
            "[a-zA-Z0-9._%+-]{1,20}",
            proptest::collection::vec("[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", 2..4),
        )
            .prop_map(|(local, labels)| format!("{local}@{}", labels.join(".")))
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*", max in 0usize..100) {
            let _ = Email::parse(&s);
            let _ = PersonName::parse(&s, max);
            let _ = name_key(&s);
            let _ = username_key(&s);
        }

        #[test]
        fn email_round_trip(s in valid_email()) {
            let e = Email::parse(&s).unwrap();
            prop_assert_eq!(e.as_str(), s.as_str());
            prop_assert_eq!(Email::parse(&e.to_string()), Ok(e));
        }

        #[test]
        fn person_name_round_trip(s in "[^\\p{Cc}]{1,40}") {
            if let Ok(n) = PersonName::parse(&s, 40) {
                prop_assert_eq!(PersonName::parse(&n.to_string(), 40), Ok(n.clone()));
                prop_assert_eq!(name_key(&n.key()), n.key());
            } else {
                prop_assert!(s.trim().is_empty());
            }
        }
    }
}
