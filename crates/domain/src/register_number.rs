//! The Mongolian national registration number (регистрийн дугаар).

use std::fmt;

use jiff::civil::Date;
use jiff::tz::{self, TimeZone};

use crate::enums::Gender;

/// The 35 letters of the Mongolian Cyrillic alphabet, upper-case.
pub const MONGOLIAN_ALPHABET: &str = "АБВГДЕЁЖЗИЙКЛМНОӨПРСТУҮФХЦЧШЩЪЫЬЭЮЯ";

/// A valid Mongolian national registration number, e.g. `УБ85031512`: two upper-case
/// Mongolian Cyrillic letters, the birth date as `YYMMDD` (20 added to the month for people
/// born in 2000 or later), a sex digit (odd male, even female) and a check digit.
///
/// The check digit is never verified: its algorithm is not public.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegisterNumber {
    // Field order matters for the derived ordering: by the normalised string.
    value: String,
    birthday: Date,
    sex: Gender,
}

/// Why a string is not a register number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterNumberError {
    /// Not 10 characters after normalisation.
    #[error(
        "a register number has 10 characters (two letters and eight digits, e.g. УБ85031512), got {chars}"
    )]
    Length {
        /// The number of characters given (after removing spaces).
        chars: usize,
    },
    /// Not two letters followed by eight digits.
    #[error(
        "a register number is two Mongolian Cyrillic letters followed by eight digits, e.g. УБ85031512"
    )]
    Shape,
    /// A letter that is not one of the 35 Mongolian Cyrillic letters (e.g. Latin `U`).
    #[error(
        "'{letter}' is not a Mongolian Cyrillic letter; a register number starts with two Cyrillic letters, e.g. УБ"
    )]
    NotMongolianLetter {
        /// The offending letter.
        letter: char,
    },
    /// The month digits are neither 01-12 nor 21-32.
    #[error(
        "the birth month digits '{month:02}' are invalid: expected 01-12 (born before 2000) or 21-32 (born in 2000 or later)"
    )]
    InvalidMonth {
        /// The two month digits as a number.
        month: u8,
    },
    /// The encoded birth date does not exist (e.g. 29 February of a common year).
    #[error("the birth date {year:04}-{month:02}-{day:02} does not exist")]
    NoSuchDate {
        /// The decoded year.
        year: i16,
        /// The decoded month.
        month: i8,
        /// The day.
        day: i8,
    },
    /// The encoded birth date is after today.
    #[error("the birth date {date} is in the future")]
    FutureDate {
        /// The decoded date.
        date: Date,
    },
}

impl RegisterNumber {
    /// A register number as it is stored and compared: inner white space removed, upper-case,
    /// the look-alikes `Є`→`Ө` and `Ї`→`Ү` mapped. The one place this is written.
    pub fn normalise(s: &str) -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .map(|c| match c {
                'Є' => 'Ө',
                'Ї' => 'Ү',
                c => c,
            })
            .collect()
    }

    /// The normalised text when `s` has a register number's shape (two Mongolian letters,
    /// eight digits), whether or not its date exists: what a search for one looks up.
    pub fn shape_of(s: &str) -> Option<String> {
        let value = Self::normalise(s);
        let chars: Vec<char> = value.chars().collect();
        (chars.len() == 10
            && chars[..2].iter().all(|c| MONGOLIAN_ALPHABET.contains(*c))
            && chars[2..].iter().all(char::is_ascii_digit))
        .then_some(value)
    }

    /// Parses and validates a register number, judging "the future" by today's date in
    /// `Asia/Ulaanbaatar`. This reads the clock; [`RegisterNumber::parse_on`] does not.
    pub fn parse(s: &str) -> Result<Self, RegisterNumberError> {
        Self::parse_on(s, today_in_ulaanbaatar())
    }

    /// Parses and validates a register number, with `today` as the latest possible birth date.
    ///
    /// Normalisation: trim, remove inner white space, upper-case, and map the look-alikes
    /// `Є`→`Ө` and `Ї`→`Ү`.
    pub fn parse_on(s: &str, today: Date) -> Result<Self, RegisterNumberError> {
        let value = Self::normalise(s);
        let chars: Vec<char> = value.chars().collect();
        if chars.len() != 10 {
            return Err(RegisterNumberError::Length { chars: chars.len() });
        }
        let (letters, digits) = chars.split_at(2);
        for &letter in letters {
            if !letter.is_alphabetic() {
                return Err(RegisterNumberError::Shape);
            }
            if !MONGOLIAN_ALPHABET.contains(letter) {
                return Err(RegisterNumberError::NotMongolianLetter { letter });
            }
        }
        let mut d = [0u8; 8];
        for (slot, c) in d.iter_mut().zip(digits) {
            // `to_digit(10)` accepts only ASCII digits and returns at most 9.
            *slot = c.to_digit(10).ok_or(RegisterNumberError::Shape)? as u8;
        }

        let yy = i16::from(d[0] * 10 + d[1]);
        let mm = d[2] * 10 + d[3];
        let day = (d[4] * 10 + d[5]) as i8;
        let (year, month) = match mm {
            1..=12 => (1900 + yy, mm as i8),
            21..=32 => (2000 + yy, (mm - 20) as i8),
            _ => return Err(RegisterNumberError::InvalidMonth { month: mm }),
        };
        let birthday = Date::new(year, month, day)
            .map_err(|_| RegisterNumberError::NoSuchDate { year, month, day })?;
        if birthday > today {
            return Err(RegisterNumberError::FutureDate { date: birthday });
        }
        let sex = if d[6] % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        };
        Ok(Self {
            value,
            birthday,
            sex,
        })
    }

    /// The normalised number, e.g. `УБ85031512`.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The birth date encoded in the number.
    pub fn birthday(&self) -> Date {
        self.birthday
    }

    /// The sex encoded in the number ([`Gender::Male`] or [`Gender::Female`]).
    pub fn sex(&self) -> Gender {
        self.sex
    }
}

/// Today's date in `Asia/Ulaanbaatar` (UTC+8 if the time zone database is unavailable).
fn today_in_ulaanbaatar() -> Date {
    let zone = TimeZone::get("Asia/Ulaanbaatar").unwrap_or_else(|_| TimeZone::fixed(tz::offset(8)));
    jiff::Zoned::now().with_time_zone(zone).date()
}

impl fmt::Display for RegisterNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl std::str::FromStr for RegisterNumber {
    type Err = RegisterNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

crate::strings::string_serialize!(
    RegisterNumber,
    "A Mongolian national registration number: two Mongolian Cyrillic letters and eight digits.",
    "УБ85031512"
);
crate::strings::string_deserialize!(RegisterNumber);

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    const TODAY: Date = date(2025, 6, 1);

    fn ok(s: &str) -> RegisterNumber {
        RegisterNumber::parse_on(s, TODAY).unwrap()
    }

    fn err(s: &str) -> RegisterNumberError {
        RegisterNumber::parse_on(s, TODAY).unwrap_err()
    }

    #[test]
    fn alphabet_has_35_letters() {
        assert_eq!(MONGOLIAN_ALPHABET.chars().count(), 35);
        assert!(MONGOLIAN_ALPHABET.contains('Ө') && MONGOLIAN_ALPHABET.contains('Ү'));
    }

    #[test]
    fn worked_examples() {
        let cases = [
            ("УБ85031512", date(1985, 3, 15), Gender::Male),
            ("АР92112748", date(1992, 11, 27), Gender::Female),
            ("ЧБ05250931", date(2005, 5, 9), Gender::Male),
            ("ӨВ12301260", date(2012, 10, 12), Gender::Female),
            ("ДА00222907", date(2000, 2, 29), Gender::Female),
        ];
        for (s, birthday, sex) in cases {
            let n = ok(s);
            assert_eq!(n.as_str(), s);
            assert_eq!(n.to_string(), s);
            assert_eq!(n.birthday(), birthday, "{s}");
            assert_eq!(n.sex(), sex, "{s}");
        }
    }

    #[test]
    fn must_fail() {
        assert_eq!(
            err("УБ85131512"),
            RegisterNumberError::InvalidMonth { month: 13 }
        );
        assert_eq!(
            err("ДА01222907"),
            RegisterNumberError::NoSuchDate {
                year: 2001,
                month: 2,
                day: 29
            }
        );
        assert_eq!(
            err("UB85031512"),
            RegisterNumberError::NotMongolianLetter { letter: 'U' }
        );
        assert_eq!(err("УБ8503151"), RegisterNumberError::Length { chars: 9 });
    }

    #[test]
    fn other_failures() {
        assert_eq!(err(""), RegisterNumberError::Length { chars: 0 });
        assert_eq!(err("   "), RegisterNumberError::Length { chars: 0 });
        assert_eq!(
            err("УБ850315122"),
            RegisterNumberError::Length { chars: 11 }
        );
        assert_eq!(err("1285031512"), RegisterNumberError::Shape);
        assert_eq!(err("У185031512"), RegisterNumberError::Shape);
        assert_eq!(err("УБ8503151Ж"), RegisterNumberError::Shape);
        // Non-ASCII digits are not digits here.
        assert_eq!(err("УБ850315١٢"), RegisterNumberError::Shape);
        assert_eq!(
            err("ΑΒ85031512"),
            RegisterNumberError::NotMongolianLetter { letter: 'Α' }
        );
        assert_eq!(
            err("УБ85001512"),
            RegisterNumberError::InvalidMonth { month: 0 }
        );
        assert_eq!(
            err("УБ85201512"),
            RegisterNumberError::InvalidMonth { month: 20 }
        );
        assert_eq!(
            err("УБ85331512"),
            RegisterNumberError::InvalidMonth { month: 33 }
        );
        assert_eq!(
            err("УБ85043112"),
            RegisterNumberError::NoSuchDate {
                year: 1985,
                month: 4,
                day: 31
            }
        );
        assert_eq!(
            err("УБ85030012"),
            RegisterNumberError::NoSuchDate {
                year: 1985,
                month: 3,
                day: 0
            }
        );
        assert_eq!(
            err("УБ25260212"),
            RegisterNumberError::FutureDate {
                date: date(2025, 6, 2)
            }
        );
        // Today itself is fine.
        assert_eq!(ok("УБ25260112").birthday(), TODAY);
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            err("UB85031512").to_string(),
            "'U' is not a Mongolian Cyrillic letter; a register number starts with two Cyrillic letters, e.g. УБ"
        );
        assert_eq!(
            err("ДА01222907").to_string(),
            "the birth date 2001-02-29 does not exist"
        );
        assert_eq!(
            err("УБ85131512").to_string(),
            "the birth month digits '13' are invalid: expected 01-12 (born before 2000) or 21-32 (born in 2000 or later)"
        );
        assert_eq!(
            err("УБ25260212").to_string(),
            "the birth date 2025-06-02 is in the future"
        );
        assert!(err("УБ8503151").to_string().contains("got 9"));
    }

    #[test]
    fn normalisation() {
        assert_eq!(ok("уб85031512").as_str(), "УБ85031512");
        assert_eq!(ok("єв12301260").as_str(), "ӨВ12301260");
        assert_eq!(ok("ЄВ12301260").as_str(), "ӨВ12301260");
        assert_eq!(ok("її12301260").as_str(), "ҮҮ12301260");
        assert_eq!(ok("  УБ 8503 1512 ").as_str(), "УБ85031512");
        assert_eq!(ok("у б\t85031512\n").as_str(), "УБ85031512");
        assert_eq!(ok("ёъ85031512").as_str(), "ЁЪ85031512");
    }

    #[test]
    fn check_digit_is_never_checked() {
        for c in '0'..='9' {
            assert!(RegisterNumber::parse_on(&format!("УБ8503151{c}"), TODAY).is_ok());
        }
    }

    #[test]
    fn sex_digit() {
        for (c, sex) in [
            ('0', Gender::Female),
            ('1', Gender::Male),
            ('8', Gender::Female),
            ('9', Gender::Male),
        ] {
            assert_eq!(ok(&format!("УБ850315{c}2")).sex(), sex);
        }
    }

    #[test]
    fn parse_with_the_clock() {
        assert_eq!(
            RegisterNumber::parse("УБ85031512").unwrap().birthday(),
            date(1985, 3, 15)
        );
        assert!(matches!(
            RegisterNumber::parse("УБ99321512"),
            Err(RegisterNumberError::FutureDate { .. })
        ));
        assert_eq!(
            "уб85031512".parse::<RegisterNumber>().unwrap().as_str(),
            "УБ85031512"
        );
    }

    #[test]
    fn serde_as_a_string() {
        let n = ok("УБ85031512");
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"УБ85031512\"");
        let back: RegisterNumber = serde_json::from_str("\"уб 85031512\"").unwrap();
        assert_eq!(back, n);
        let e = serde_json::from_str::<RegisterNumber>("\"UB85031512\"").unwrap_err();
        assert!(e.to_string().contains("not a Mongolian Cyrillic letter"));
        assert!(serde_json::from_str::<RegisterNumber>("85031512").is_err());
    }

    fn valid_number() -> impl Strategy<Value = (String, Date, Gender)> {
        let letter = proptest::sample::select(MONGOLIAN_ALPHABET.chars().collect::<Vec<_>>());
        (
            letter.clone(),
            letter,
            1900i16..=2099,
            1i8..=12,
            1i8..=31,
            0u8..=9,
            0u8..=9,
        )
            .prop_filter_map("the day must exist", |(a, b, year, month, day, s, c)| {
                let birthday = Date::new(year, month, day).ok()?;
                let mm = if year >= 2000 { month + 20 } else { month };
                let s_str = format!("{a}{b}{:02}{mm:02}{day:02}{s}{c}", year % 100);
                let sex = if s % 2 == 1 {
                    Gender::Male
                } else {
                    Gender::Female
                };
                Some((s_str, birthday, sex))
            })
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            let _ = RegisterNumber::parse_on(&s, TODAY);
        }

        #[test]
        fn never_panics_on_near_misses(s in "[УБuбЄїa-z0-9 ]{8,12}") {
            let _ = RegisterNumber::parse_on(&s, TODAY);
        }

        #[test]
        fn round_trip((s, birthday, sex) in valid_number()) {
            let today = date(2099, 12, 31);
            let n = RegisterNumber::parse_on(&s, today).unwrap();
            prop_assert_eq!(n.birthday(), birthday);
            prop_assert_eq!(n.sex(), sex);
            prop_assert_eq!(n.as_str(), s.as_str());
            prop_assert_eq!(RegisterNumber::parse_on(&n.to_string(), today), Ok(n.clone()));
            let lower = n.as_str().to_lowercase();
            prop_assert_eq!(RegisterNumber::parse_on(&lower, today), Ok(n));
        }
    }
}
