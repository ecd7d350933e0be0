//! Phone numbers: Mongolian national numbers and foreign numbers in E.164 form.

use std::fmt;

/// A valid phone number in its stored form: a Mongolian national number as digits
/// (`99112233`; 9-10 digits for aimag landlines starting with 1 or 2), or a foreign number in
/// E.164 form (`+79123456789`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

/// Why a string is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing but separators.
    #[error("the phone number is empty")]
    Empty,
    /// A character other than digits, separators and a leading `+`.
    #[error(
        "the phone number contains '{ch}'; only digits, spaces, '-', '.', '(', ')' and a leading '+' are allowed"
    )]
    InvalidCharacter {
        /// The offending character.
        ch: char,
    },
    /// A Mongolian number of the wrong length.
    #[error(
        "a Mongolian phone number has 8 digits (9 or 10 for landlines starting with 1 or 2), got {digits}; write a foreign number with '+' and its country code"
    )]
    Mongolian {
        /// How many digits the national part had.
        digits: usize,
    },
    /// A foreign number of the wrong length.
    #[error(
        "an international phone number has 8 to 15 digits including the country code, got {digits}"
    )]
    Foreign {
        /// How many digits followed `+` or `00`.
        digits: usize,
    },
    /// A foreign number whose country code starts with 0.
    #[error("an international phone number's country code cannot start with 0")]
    ForeignLeadingZero,
}

/// The characters removed before a phone number (or a phone search query) is read.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')')
}

pub(crate) fn strip_separators(s: &str) -> String {
    s.chars().filter(|&c| !is_separator(c)).collect()
}

/// A fixed-line national number: 8-10 digits starting with 1 or 2.
fn is_fixed_line(national: &str) -> bool {
    (8..=10).contains(&national.len()) && national.starts_with(['1', '2'])
}

impl Phone {
    /// The Mongolian country calling code.
    pub const COUNTRY_CODE: &str = "976";

    /// Parses and normalises a phone number.
    ///
    /// Spaces, `-`, `.`, `(` and `)` are removed. `+976`, `00976` and `001976` introduce a
    /// Mongolian number, as does a bare `976` when 11 digits are given. One trunk `0` in front
    /// of a fixed-line number (`011 45 2222`) is dropped. Any other `+` or `00` introduces a
    /// foreign number, kept as `+` and 8-15 digits. Anything else must be a national number:
    /// 8 digits, or 9-10 digits starting with 1 or 2.
    pub fn parse(s: &str) -> Result<Phone, PhoneError> {
        let cleaned = strip_separators(s);
        if cleaned.is_empty() {
            return Err(PhoneError::Empty);
        }
        let (plus, digits) = match cleaned.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        if let Some(ch) = digits.chars().find(|c| !c.is_ascii_digit()) {
            return Err(PhoneError::InvalidCharacter { ch });
        }

        if plus {
            return Self::international(digits);
        }
        if digits.len() == 8 {
            // Any 8 digits, even `00…` or `976…`, are a national number.
            return Self::national(digits);
        }
        if let Some(rest) = digits.strip_prefix("00") {
            // `001` is Mongolia's international prefix; `00` the usual one.
            return match rest.strip_prefix("1976") {
                Some(national) => Self::national(national),
                None => Self::international(rest),
            };
        }
        if digits.len() == 11
            && let Some(national) = digits.strip_prefix(Self::COUNTRY_CODE)
        {
            return Self::national(national);
        }
        match digits.strip_prefix('0') {
            Some(national) if is_fixed_line(national) => Self::national(national),
            _ => Self::national(digits),
        }
    }

    /// The digits after a `+` (or an international prefix).
    fn international(digits: &str) -> Result<Phone, PhoneError> {
        if let Some(national) = digits.strip_prefix(Self::COUNTRY_CODE) {
            return Self::national(national);
        }
        if digits.starts_with('0') {
            return Err(PhoneError::ForeignLeadingZero);
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(PhoneError::Foreign {
                digits: digits.len(),
            });
        }
        Ok(Phone(format!("+{digits}")))
    }

    /// A Mongolian national number (ASCII digits only).
    fn national(digits: &str) -> Result<Phone, PhoneError> {
        if digits.len() == 8 || is_fixed_line(digits) {
            Ok(Phone(digits.to_owned()))
        } else {
            Err(PhoneError::Mongolian {
                digits: digits.len(),
            })
        }
    }

    /// The stored form: national digits, or `+` and digits for a foreign number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a Mongolian (national) number.
    pub fn is_mongolian(&self) -> bool {
        !self.0.starts_with('+')
    }

    /// The number in E.164 form, e.g. `+97699112233` (for SMS providers).
    pub fn e164(&self) -> String {
        if self.is_mongolian() {
            format!("+{}{}", Self::COUNTRY_CODE, self.0)
        } else {
            self.0.clone()
        }
    }

    /// The number grouped for reading: `9911 2233`; aimag landlines `145 22 2233` or
    /// `145 222 2333`; foreign numbers as stored.
    pub fn display_grouped(&self) -> String {
        let s = self.0.as_str();
        // Mongolian numbers are ASCII digits, so byte indices are character boundaries.
        match s.len() {
            _ if !self.is_mongolian() => s.to_owned(),
            8 => format!("{} {}", &s[..4], &s[4..]),
            n => format!("{} {} {}", &s[..3], &s[3..n - 4], &s[n - 4..]),
        }
    }
}

/// The digits of a phone search query that is 4 to 7 digits long once spaces, `-`, `.`, `(`
/// and `)` are removed (a prefix of a phone number); otherwise `None`.
pub fn digits_prefix(query: &str) -> Option<String> {
    let digits = strip_separators(query);
    ((4..=7).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Phone {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

crate::strings::string_serialize!(
    Phone,
    "A phone number: a Mongolian national number (8 digits, 9-10 for aimag landlines) or a foreign number in E.164 form.",
    "99112233"
);
crate::strings::string_deserialize!(Phone);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) -> String {
        Phone::parse(s)
            .unwrap_or_else(|e| panic!("{s:?}: {e}"))
            .as_str()
            .to_owned()
    }

    fn err(s: &str) -> PhoneError {
        Phone::parse(s).unwrap_err()
    }

    #[test]
    fn mongolian_numbers() {
        assert_eq!(ok("99112233"), "99112233");
        assert_eq!(ok("9911 2233"), "99112233");
        assert_eq!(ok("9911-2233"), "99112233");
        assert_eq!(ok(" (9911) 22.33 "), "99112233");
        assert_eq!(ok("+976 9911 2233"), "99112233");
        assert_eq!(ok("+976-99-11-22-33"), "99112233");
        assert_eq!(ok("00976 9911 2233"), "99112233");
        assert_eq!(ok("001976 9911 2233"), "99112233");
        assert_eq!(ok("976 9911 2233"), "99112233");
        // `976xxxxx` is itself a number.
        assert_eq!(ok("97612345"), "97612345");
        assert_eq!(ok("976 1 2345"), "97612345");
        // Any 8 digits.
        assert_eq!(ok("00123456"), "00123456");
        assert_eq!(ok("01234567"), "01234567");
        assert_eq!(ok("12345678"), "12345678");
    }

    #[test]
    fn landlines() {
        assert_eq!(ok("11 45 2222"), "11452222");
        assert_eq!(ok("01145 2222"), "11452222");
        assert_eq!(ok("011 45 2222"), "11452222");
        assert_eq!(ok("02194 2222"), "21942222");
        assert_eq!(ok("+976 1 145 2222"), "11452222");
        // Aimag landlines: 9-10 digits starting with 1 or 2.
        assert_eq!(ok("132 12 3456"), "132123456");
        assert_eq!(ok("1321234567"), "1321234567");
        assert_eq!(ok("0 132 12 3456"), "132123456");
        assert_eq!(ok("+976 132 123 4567"), "1321234567");
    }

    #[test]
    fn foreign_numbers() {
        assert_eq!(ok("+7 912 345 67 89"), "+79123456789");
        assert_eq!(ok("+1 (415) 555-0123"), "+14155550123");
        assert_eq!(ok("0086 138 0013 8000"), "+8613800138000");
        assert_eq!(ok("+82 10 1234 5678"), "+821012345678");
        assert_eq!(ok("+4930123456"), "+4930123456");
        let p = Phone::parse("+82 10 1234 5678").unwrap();
        assert!(!p.is_mongolian());
        assert_eq!(p.display_grouped(), "+821012345678");
        assert_eq!(p.e164(), "+821012345678");
    }

    #[test]
    fn failures() {
        assert_eq!(err(""), PhoneError::Empty);
        assert_eq!(err(" - ( ) . "), PhoneError::Empty);
        assert_eq!(err("9911a233"), PhoneError::InvalidCharacter { ch: 'a' });
        assert_eq!(err("9911/2233"), PhoneError::InvalidCharacter { ch: '/' });
        assert_eq!(err("99+112233"), PhoneError::InvalidCharacter { ch: '+' });
        assert_eq!(
            err("++97699112233"),
            PhoneError::InvalidCharacter { ch: '+' }
        );
        assert_eq!(err("९९११२२३३"), PhoneError::InvalidCharacter { ch: '९' });
        assert_eq!(err("9911223"), PhoneError::Mongolian { digits: 7 });
        assert_eq!(err("991122334"), PhoneError::Mongolian { digits: 9 });
        assert_eq!(err("+976 9911 223"), PhoneError::Mongolian { digits: 7 });
        assert_eq!(err("+976 99112 2334"), PhoneError::Mongolian { digits: 9 });
        assert_eq!(err("976991122334"), PhoneError::Mongolian { digits: 12 });
        assert_eq!(err("13212345678"), PhoneError::Mongolian { digits: 11 });
        assert_eq!(err("+7912345"), PhoneError::Foreign { digits: 7 });
        assert_eq!(err("+7912345678901234"), PhoneError::Foreign { digits: 16 });
        assert_eq!(err("+0912345678"), PhoneError::ForeignLeadingZero);
        assert_eq!(err("000912345678"), PhoneError::ForeignLeadingZero);
        assert_eq!(err("+"), PhoneError::Foreign { digits: 0 });
        assert_eq!(
            err("9911223").to_string(),
            "a Mongolian phone number has 8 digits (9 or 10 for landlines starting with 1 or 2), got 7; write a foreign number with '+' and its country code"
        );
        assert_eq!(
            err("abc").to_string(),
            "the phone number contains 'a'; only digits, spaces, '-', '.', '(', ')' and a leading '+' are allowed"
        );
    }

    #[test]
    fn grouping() {
        let grouped = |s: &str| Phone::parse(s).unwrap().display_grouped();
        assert_eq!(grouped("99112233"), "9911 2233");
        assert_eq!(grouped("132123456"), "132 12 3456");
        assert_eq!(grouped("1321234567"), "132 123 4567");
        assert_eq!(Phone::parse("99112233").unwrap().e164(), "+97699112233");
    }

    #[test]
    fn search_prefixes() {
        assert_eq!(digits_prefix("9911"), Some("9911".into()));
        assert_eq!(digits_prefix("99-11 22"), Some("991122".into()));
        assert_eq!(digits_prefix("9911223"), Some("9911223".into()));
        assert_eq!(digits_prefix("991"), None);
        assert_eq!(digits_prefix("99112233"), None);
        assert_eq!(digits_prefix("+9911"), None);
        assert_eq!(digits_prefix("Бат"), None);
        assert_eq!(digits_prefix(""), None);
    }

    #[test]
    fn serde_as_a_string() {
        let p = Phone::parse("9911 2233").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"99112233\"");
        assert_eq!(
            serde_json::from_str::<Phone>("\"+976 9911-2233\"").unwrap(),
            p
        );
        assert!(serde_json::from_str::<Phone>("\"12\"").is_err());
        assert!(serde_json::from_str::<Phone>("99112233").is_err());
    }

    #[test]
    fn openapi_schema_is_a_string() {
        let schema = serde_json::to_value(<Phone as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["examples"][0], "99112233");
        assert_eq!(<Phone as utoipa::ToSchema>::name(), "Phone");
        let money =
            serde_json::to_value(<crate::Money as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(money["type"], "integer");
    }

    /// A stored form: 8 digits, a 9-10 digit landline, or a foreign E.164 number.
    fn stored_phone() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{8}",
            "[12][0-9]{8,9}",
            "\\+[1-9][0-9]{7,14}".prop_filter("not Mongolian", |s| !s.starts_with("+976")),
        ]
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            let _ = Phone::parse(&s);
            let _ = digits_prefix(&s);
        }

        #[test]
        fn never_panics_on_near_misses(s in "[-+0-9 ().]{0,20}") {
            if let Ok(p) = Phone::parse(&s) {
                prop_assert_eq!(Phone::parse(p.as_str()), Ok(p.clone()));
                let _ = p.display_grouped();
            }
        }

        #[test]
        fn round_trip(stored in stored_phone()) {
            let p = Phone::parse(&stored).unwrap();
            prop_assert_eq!(p.as_str(), stored.as_str());
            prop_assert_eq!(Phone::parse(&p.to_string()), Ok(p.clone()));
            prop_assert_eq!(Phone::parse(&p.display_grouped()), Ok(p.clone()));
            prop_assert_eq!(Phone::parse(&p.e164()), Ok(p.clone()));
        }

        #[test]
        fn mongolian_prefixes_are_stripped(national in "[0-9]{8}|[12][0-9]{8,9}") {
            let p = Phone::parse(&national).unwrap();
            for prefix in ["+976", "+976 ", "00976", "001976", "(+976) "] {
                let formatted = format!("{prefix}{national}");
                prop_assert_eq!(Phone::parse(&formatted), Ok(p.clone()));
            }
        }
    }
}
