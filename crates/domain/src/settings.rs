//! The clinic's settings as values: the user-interface language, the time zone, and the
//! clinic's name and code. Opening hours have their own module (`opening_hours`).

use std::fmt;

use jiff::tz::TimeZone;

use crate::enums::{UnknownVariant, named_enum};

named_enum! {
    /// The language of the user interface and of messages to patients.
    #[derive(Default)]
    pub enum Language("language") {
        /// Mongolian (Cyrillic); the default.
        #[default]
        Mn => "mn",
        /// English.
        En => "en",
    }
}

impl Language {
    /// Parses a language code (`mn`, `en`), exactly.
    pub fn parse(s: &str) -> Result<Language, UnknownVariant> {
        s.parse()
    }
}

/// Why a clinic name, clinic code or time zone is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A clinic name with nothing but white space.
    #[error("the clinic name is empty")]
    EmptyClinicName,
    /// A clinic name over 255 characters.
    #[error("the clinic name is longer than 255 characters ({got})")]
    ClinicNameTooLong {
        /// Its length in characters (trimmed).
        got: usize,
    },
    /// A clinic name with a control character (a line break, a tab).
    #[error("the clinic name contains a control character such as a line break")]
    ClinicNameControlCharacter,
    /// A clinic code over 32 characters.
    #[error("the clinic code is longer than 32 characters ({got})")]
    ClinicCodeTooLong {
        /// Its length in characters (trimmed).
        got: usize,
    },
    /// A clinic code with a character other than Latin letters, digits, `-` and `_`.
    #[error("the clinic code contains '{ch}'; use only Latin letters, digits, '-' and '_'")]
    ClinicCodeCharacter {
        /// The offending character.
        ch: char,
    },
    /// An empty time zone.
    #[error("the time zone is empty; give an IANA time zone name such as Asia/Ulaanbaatar")]
    EmptyTimeZone,
    /// A name that is not in the time zone database.
    #[error(
        "'{name}' is not a time zone of the IANA database; use a name such as Asia/Ulaanbaatar, or Asia/Hovd for the western aimags"
    )]
    UnknownTimeZone {
        /// The name given.
        name: String,
    },
}

/// The clinic's name: trimmed, 1 to 255 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClinicName(String);

impl ClinicName {
    /// The longest name, in characters.
    pub const MAX_CHARS: usize = 255;

    /// Validates a clinic name (trimmed first).
    pub fn parse(s: &str) -> Result<ClinicName, SettingsError> {
        let name = s.trim();
        if name.is_empty() {
            return Err(SettingsError::EmptyClinicName);
        }
        let got = name.chars().count();
        if got > Self::MAX_CHARS {
            return Err(SettingsError::ClinicNameTooLong { got });
        }
        if name.chars().any(char::is_control) {
            return Err(SettingsError::ClinicNameControlCharacter);
        }
        Ok(ClinicName(name.to_owned()))
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClinicName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ClinicName {
    type Err = SettingsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

crate::strings::string_serialize!(
    ClinicName,
    "The clinic's name: 1 to 255 characters.",
    "Гэгээн шүд"
);
crate::strings::string_deserialize!(ClinicName);

/// The clinic's short code (e.g. for a chain's head office): trimmed, 0 to 32 Latin
/// letters, digits, `-` and `_`; may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ClinicCode(String);

impl ClinicCode {
    /// The longest code, in characters.
    pub const MAX_CHARS: usize = 32;

    /// Validates a clinic code (trimmed first).
    pub fn parse(s: &str) -> Result<ClinicCode, SettingsError> {
        let code = s.trim();
        let got = code.chars().count();
        if got > Self::MAX_CHARS {
            return Err(SettingsError::ClinicCodeTooLong { got });
        }
        if let Some(ch) = code
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
        {
            return Err(SettingsError::ClinicCodeCharacter { ch });
        }
        Ok(ClinicCode(code.to_owned()))
    }

    /// The code as stored ("" when none).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether no code is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ClinicCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ClinicCode {
    type Err = SettingsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

crate::strings::string_serialize!(
    ClinicCode,
    "The clinic's short code: 0 to 32 Latin letters, digits, '-' and '_'.",
    "UB-01"
);
crate::strings::string_deserialize!(ClinicCode);

/// The name of a time zone of the IANA database (`Asia/Ulaanbaatar`, `Asia/Hovd`, `UTC`),
/// checked against the time zone database jiff uses (the system's `/usr/share/zoneinfo` on
/// Unix), and the zone itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneName {
    name: String,
    zone: TimeZone,
}

impl TimeZoneName {
    /// The clinic default: Ulaanbaatar (UTC+8; DST only in 2015-2016).
    pub const DEFAULT: &str = "Asia/Ulaanbaatar";
    /// The longest name kept (the `settings.time_zone` column).
    pub const MAX_CHARS: usize = 64;

    /// Looks a name up in the time zone database. Letter case is forgiven: the name kept is
    /// the database's own spelling.
    pub fn parse(s: &str) -> Result<TimeZoneName, SettingsError> {
        let name = s.trim();
        if name.is_empty() {
            return Err(SettingsError::EmptyTimeZone);
        }
        let unknown = || SettingsError::UnknownTimeZone {
            name: name.to_owned(),
        };
        let plausible = name.len() <= Self::MAX_CHARS
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
        if !plausible {
            return Err(unknown());
        }
        let zone = TimeZone::get(name).map_err(|_| unknown())?;
        let name = zone
            .iana_name()
            .filter(|n| n.eq_ignore_ascii_case(name))
            .unwrap_or(name)
            .to_owned();
        Ok(TimeZoneName { name, zone })
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The time zone.
    pub fn time_zone(&self) -> TimeZone {
        self.zone.clone()
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl std::str::FromStr for TimeZoneName {
    type Err = SettingsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

crate::strings::string_serialize!(TimeZoneName, "An IANA time zone name.", "Asia/Ulaanbaatar");
crate::strings::string_deserialize!(TimeZoneName);

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn languages() {
        assert_eq!(Language::default(), Language::Mn);
        assert_eq!(Language::parse("mn"), Ok(Language::Mn));
        assert_eq!(Language::parse("en"), Ok(Language::En));
        assert_eq!(Language::En.as_str(), "en");
        assert_eq!(
            Language::parse("fr").unwrap_err().to_string(),
            "unknown language 'fr'; expected one of: mn, en"
        );
        assert!(Language::parse("MN").is_err());
        assert_eq!(serde_json::to_string(&Language::Mn).unwrap(), "\"mn\"");
        assert_eq!(
            serde_json::from_str::<Language>("\"en\"").unwrap(),
            Language::En
        );
        let schema = serde_json::to_value(<Language as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["enum"], json!(["mn", "en"]));
    }

    #[test]
    fn time_zones() {
        for name in [
            "Asia/Ulaanbaatar",
            "Asia/Hovd",
            "UTC",
            "Asia/Choibalsan",
            "Europe/Berlin",
        ] {
            let tz = TimeZoneName::parse(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(tz.as_str(), name);
        }
        assert_eq!(
            TimeZoneName::parse(" asia/hovd ").unwrap().as_str(),
            "Asia/Hovd"
        );
        // Ulaanbaatar is UTC+8, with summer time in 2015 and 2016 only.
        let ub = TimeZoneName::parse(TimeZoneName::DEFAULT)
            .unwrap()
            .time_zone();
        let offset =
            |dt: jiff::civil::DateTime| dt.to_zoned(ub.clone()).unwrap().offset().seconds() / 3600;
        assert_eq!(offset(date(2025, 7, 1).at(12, 0, 0, 0)), 8);
        assert_eq!(offset(date(2015, 7, 1).at(12, 0, 0, 0)), 9);
        assert_eq!(offset(date(2025, 1, 1).at(12, 0, 0, 0)), 8);
        // The western aimags are an hour behind.
        let hovd = TimeZoneName::parse("Asia/Hovd").unwrap().time_zone();
        let noon = date(2025, 7, 1).at(12, 0, 0, 0);
        assert_eq!(noon.to_zoned(hovd).unwrap().offset().seconds(), 7 * 3600);
        let utc = TimeZoneName::parse("UTC").unwrap().time_zone();
        assert_eq!(noon.to_zoned(utc).unwrap().offset().seconds(), 0);

        for bad in [
            "Mars/Olympus",
            "Asia/Ulan Bator",
            "../../etc/passwd",
            "+08:00",
            "/etc/localtime",
        ] {
            assert_eq!(
                TimeZoneName::parse(bad),
                Err(SettingsError::UnknownTimeZone { name: bad.into() }),
                "{bad}"
            );
        }
        assert_eq!(TimeZoneName::parse("  "), Err(SettingsError::EmptyTimeZone));
        assert!(TimeZoneName::parse(&"A".repeat(65)).is_err());
        assert_eq!(
            TimeZoneName::parse("Mars/Olympus").unwrap_err().to_string(),
            "'Mars/Olympus' is not a time zone of the IANA database; use a name such as Asia/Ulaanbaatar, or Asia/Hovd for the western aimags"
        );
        let tz: TimeZoneName = serde_json::from_str("\"Asia/Hovd\"").unwrap();
        assert_eq!(serde_json::to_string(&tz).unwrap(), "\"Asia/Hovd\"");
        assert!(serde_json::from_str::<TimeZoneName>("\"Nowhere\"").is_err());
    }

    #[test]
    fn clinic_names_and_codes() {
        assert_eq!(
            ClinicName::parse("  Гэгээн шүд ").unwrap().as_str(),
            "Гэгээн шүд"
        );
        assert_eq!(ClinicName::parse(" "), Err(SettingsError::EmptyClinicName));
        assert!(ClinicName::parse(&"ш".repeat(255)).is_ok());
        assert_eq!(
            ClinicName::parse(&"ш".repeat(256)),
            Err(SettingsError::ClinicNameTooLong { got: 256 })
        );
        assert_eq!(
            ClinicName::parse("a\nb"),
            Err(SettingsError::ClinicNameControlCharacter)
        );

        assert_eq!(ClinicCode::parse("").unwrap(), ClinicCode::default());
        assert!(ClinicCode::parse("  ").unwrap().is_empty());
        assert_eq!(ClinicCode::parse(" UB-01_a ").unwrap().as_str(), "UB-01_a");
        assert!(ClinicCode::parse(&"x".repeat(32)).is_ok());
        assert_eq!(
            ClinicCode::parse(&"x".repeat(33)),
            Err(SettingsError::ClinicCodeTooLong { got: 33 })
        );
        assert_eq!(
            ClinicCode::parse("UB 01"),
            Err(SettingsError::ClinicCodeCharacter { ch: ' ' })
        );
        assert_eq!(
            ClinicCode::parse("УБ01"),
            Err(SettingsError::ClinicCodeCharacter { ch: 'У' })
        );
        assert_eq!(
            ClinicCode::parse("a/b").unwrap_err().to_string(),
            "the clinic code contains '/'; use only Latin letters, digits, '-' and '_'"
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in ".*") {
            let _ = TimeZoneName::parse(&s);
            let _ = ClinicName::parse(&s);
            let _ = ClinicCode::parse(&s);
        }
    }
}
