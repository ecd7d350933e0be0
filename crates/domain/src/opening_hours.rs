//! The clinic's weekly opening hours: intervals of local time per weekday, closed days, and
//! the `HH:MM` times they are written in.

use jiff::civil::{Time, Weekday};
use serde_json::Value;

/// The JSON keys of the weekdays, Monday first.
pub const WEEKDAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The weekdays, Monday first (the order of [`WEEKDAY_KEYS`]).
pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

const WEEKDAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn index(day: Weekday) -> usize {
    // 0..=6 by construction.
    day.to_monday_zero_offset() as usize
}

/// The JSON key of a weekday: `mon`, `tue`, ... `sun`.
pub fn weekday_key(day: Weekday) -> &'static str {
    WEEKDAY_KEYS[index(day)]
}

/// The weekday of a JSON key (`mon` ... `sun`, exactly).
pub fn weekday_from_key(key: &str) -> Option<Weekday> {
    WEEKDAY_KEYS
        .iter()
        .position(|k| *k == key)
        .map(|i| WEEKDAYS[i])
}

/// The English name of a weekday, for messages.
fn day_name(day: &Weekday) -> &'static str {
    WEEKDAY_NAMES[index(*day)]
}

/// A time of day as `HH:MM`.
pub fn format_hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Parses a time of day written exactly `HH:MM`, `00:00` to `23:59`.
pub fn parse_hhmm(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || !b[..2].iter().chain(&b[3..]).all(u8::is_ascii_digit) {
        return None;
    }
    let hour = (b[0] - b'0') * 10 + (b[1] - b'0');
    let minute = (b[3] - b'0') * 10 + (b[4] - b'0');
    // At most 99, so the casts are exact; `Time::new` rejects 24:00 and :60.
    Time::new(hour as i8, minute as i8, 0, 0).ok()
}

/// Why weekly opening hours are not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpeningHoursError {
    /// The text is not JSON at all.
    #[error("the opening hours are not valid JSON: {0}")]
    Json(String),
    /// Not a JSON object.
    #[error(
        "the opening hours must be an object with the keys mon, tue, wed, thu, fri, sat and sun"
    )]
    NotAnObject,
    /// A key that is not a weekday.
    #[error(
        "'{key}' is not a weekday; the opening hours have exactly the keys mon, tue, wed, thu, fri, sat and sun"
    )]
    UnknownDay {
        /// The key given.
        key: String,
    },
    /// A weekday without an entry.
    #[error("the opening hours for {} are missing; give [] for a closed day", day_name(.day))]
    MissingDay {
        /// The weekday left out.
        day: Weekday,
    },
    /// A weekday whose value is not a list.
    #[error(
        "{}: the opening hours of a day are a list of intervals like [[\"09:00\", \"13:00\"]], or [] for a closed day",
        day_name(.day)
    )]
    NotAList {
        /// The weekday.
        day: Weekday,
    },
    /// An interval that is not a pair of strings.
    #[error(
        "{}: each interval is a pair of times like [\"09:00\", \"13:00\"]",
        day_name(.day)
    )]
    NotAPair {
        /// The weekday.
        day: Weekday,
    },
    /// A time not written `HH:MM` from 00:00 to 23:59 (or not a whole minute).
    #[error(
        "{}: '{value}' is not a time of day; write HH:MM from 00:00 to 23:59, e.g. 09:00",
        day_name(.day)
    )]
    BadTime {
        /// The weekday.
        day: Weekday,
        /// The time as given.
        value: String,
    },
    /// An interval that does not end after it starts.
    #[error(
        "{}: the interval {start}-{end} must end after it starts",
        day_name(.day)
    )]
    EndNotAfterStart {
        /// The weekday.
        day: Weekday,
        /// The start, `HH:MM`.
        start: String,
        /// The end, `HH:MM`.
        end: String,
    },
    /// Two intervals of one day overlap.
    #[error("{}: the intervals {first} and {second} overlap", day_name(.day))]
    Overlap {
        /// The weekday.
        day: Weekday,
        /// The earlier interval, `HH:MM-HH:MM`.
        first: String,
        /// The later interval, `HH:MM-HH:MM`.
        second: String,
    },
}

impl OpeningHoursError {
    /// The weekday the error is about, if it is about one.
    pub fn weekday(&self) -> Option<Weekday> {
        match self {
            Self::Json(_) | Self::NotAnObject | Self::UnknownDay { .. } => None,
            Self::MissingDay { day }
            | Self::NotAList { day }
            | Self::NotAPair { day }
            | Self::BadTime { day, .. }
            | Self::EndNotAfterStart { day, .. }
            | Self::Overlap { day, .. } => Some(*day),
        }
    }
}

/// A clinic's weekly opening hours: for each weekday, the intervals of local time
/// (`[start, end)`, whole minutes) when it is open, sorted and not overlapping; a closed day
/// has none.
///
/// In JSON: `{"mon": [["09:00","13:00"],["14:00","19:00"]], ..., "sun": []}` with all seven
/// keys. Intervals may be given in any order and are sorted; intervals that touch
/// (`["09:00","13:00"]`, `["13:00","18:00"]`) are merged into one; overlapping ones are
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OpeningHours {
    days: [Vec<(Time, Time)>; 7],
}

impl Default for OpeningHours {
    /// Monday to Friday 09:00-18:00, Saturday 10:00-15:00, Sunday closed.
    fn default() -> Self {
        let weekday = vec![(Time::constant(9, 0, 0, 0), Time::constant(18, 0, 0, 0))];
        let saturday = vec![(Time::constant(10, 0, 0, 0), Time::constant(15, 0, 0, 0))];
        OpeningHours {
            days: [
                weekday.clone(),
                weekday.clone(),
                weekday.clone(),
                weekday.clone(),
                weekday,
                saturday,
                Vec::new(),
            ],
        }
    }
}

fn interval_text((start, end): (Time, Time)) -> String {
    format!("{}-{}", format_hhmm(start), format_hhmm(end))
}

/// Checks one day's intervals; returns them sorted, with touching intervals merged.
fn normalise_day(
    day: Weekday,
    mut intervals: Vec<(Time, Time)>,
) -> Result<Vec<(Time, Time)>, OpeningHoursError> {
    for &(start, end) in &intervals {
        for t in [start, end] {
            if t.second() != 0 || t.subsec_nanosecond() != 0 {
                return Err(OpeningHoursError::BadTime {
                    day,
                    value: t.to_string(),
                });
            }
        }
        if start >= end {
            return Err(OpeningHoursError::EndNotAfterStart {
                day,
                start: format_hhmm(start),
                end: format_hhmm(end),
            });
        }
    }
    intervals.sort();
    let mut merged: Vec<(Time, Time)> = Vec::with_capacity(intervals.len());
    for next in intervals {
        match merged.last_mut() {
            Some(last) if next.0 < last.1 => {
                return Err(OpeningHoursError::Overlap {
                    day,
                    first: interval_text(*last),
                    second: interval_text(next),
                });
            }
            Some(last) if next.0 == last.1 => last.1 = next.1,
            _ => merged.push(next),
        }
    }
    Ok(merged)
}

impl OpeningHours {
    /// Builds opening hours from each weekday's intervals, Monday first.
    pub fn new(days: [Vec<(Time, Time)>; 7]) -> Result<OpeningHours, OpeningHoursError> {
        let mut checked: [Vec<(Time, Time)>; 7] = Default::default();
        for ((slot, intervals), day) in checked.iter_mut().zip(days).zip(WEEKDAYS) {
            *slot = normalise_day(day, intervals)?;
        }
        Ok(OpeningHours { days: checked })
    }

    /// Closed every day.
    pub fn closed() -> OpeningHours {
        OpeningHours {
            days: Default::default(),
        }
    }

    /// Parses the JSON text `{"mon": [["09:00","13:00"]], ..., "sun": []}`.
    pub fn parse_json(s: &str) -> Result<OpeningHours, OpeningHoursError> {
        let value: Value =
            serde_json::from_str(s).map_err(|e| OpeningHoursError::Json(e.to_string()))?;
        Self::from_value(&value)
    }

    /// Reads opening hours from a JSON value of the shape [`OpeningHours::parse_json`]
    /// takes. Unknown and missing weekday keys are errors.
    pub fn from_value(value: &Value) -> Result<OpeningHours, OpeningHoursError> {
        let object = value.as_object().ok_or(OpeningHoursError::NotAnObject)?;
        if let Some(key) = object.keys().find(|k| weekday_from_key(k).is_none()) {
            return Err(OpeningHoursError::UnknownDay { key: key.clone() });
        }
        let mut days: [Vec<(Time, Time)>; 7] = Default::default();
        for ((slot, key), day) in days.iter_mut().zip(WEEKDAY_KEYS).zip(WEEKDAYS) {
            let entry = object
                .get(key)
                .ok_or(OpeningHoursError::MissingDay { day })?;
            let list = entry
                .as_array()
                .ok_or(OpeningHoursError::NotAList { day })?;
            for item in list {
                let pair = match item.as_array().map(Vec::as_slice) {
                    Some([Value::String(start), Value::String(end)]) => (start, end),
                    _ => return Err(OpeningHoursError::NotAPair { day }),
                };
                let time = |s: &String| {
                    parse_hhmm(s).ok_or_else(|| OpeningHoursError::BadTime {
                        day,
                        value: s.clone(),
                    })
                };
                slot.push((time(pair.0)?, time(pair.1)?));
            }
        }
        Self::new(days)
    }

    /// The JSON text, all seven keys in order `mon` ... `sun`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The JSON value (what [`OpeningHours::to_json`] writes).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// The open intervals of a weekday, sorted; empty when the clinic is closed that day.
    pub fn intervals(&self, weekday: Weekday) -> &[(Time, Time)] {
        &self.days[index(weekday)]
    }

    /// Whether the clinic is closed the whole day.
    pub fn is_closed(&self, weekday: Weekday) -> bool {
        self.intervals(weekday).is_empty()
    }

    /// Whether the clinic is open at a local time on a weekday (an interval includes its
    /// start and excludes its end).
    pub fn is_open_at(&self, weekday: Weekday, time: Time) -> bool {
        self.intervals(weekday)
            .iter()
            .any(|&(start, end)| start <= time && time < end)
    }
}

impl serde::Serialize for OpeningHours {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(7))?;
        for (key, intervals) in WEEKDAY_KEYS.iter().zip(&self.days) {
            let pairs: Vec<[String; 2]> = intervals
                .iter()
                .map(|&(start, end)| [format_hhmm(start), format_hhmm(end)])
                .collect();
            map.serialize_entry(key, &pairs)?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for OpeningHours {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        OpeningHours::from_value(&value).map_err(<D::Error as serde::de::Error>::custom)
    }
}

impl utoipa::PartialSchema for OpeningHours {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, Type};
        let time = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^([01][0-9]|2[0-3]):[0-5][0-9]$"))
                .description(Some("A local time of day, HH:MM"))
                .build()
        };
        // A pair as an array of exactly two times rather than a tuple (`prefixItems` with
        // `items: false`), which common client generators do not read.
        let interval = || {
            ArrayBuilder::new()
                .description(Some(
                    "[start, end): open from start until end (start before end)",
                ))
                .items(time())
                .min_items(Some(2))
                .max_items(Some(2))
        };
        let day = || {
            ArrayBuilder::new()
                .items(interval())
                .description(Some("Intervals of the day, sorted; [] when closed"))
        };
        let mut object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Weekly opening hours in the clinic's local time: every weekday, mon to sun, with its open intervals; [] for a closed day",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for key in WEEKDAY_KEYS {
            object = object.property(key, day()).required(key);
        }
        object
            .examples([serde_json::json!({
                "mon": [["09:00", "13:00"], ["14:00", "19:00"]],
                "tue": [["09:00", "18:00"]],
                "wed": [["09:00", "18:00"]],
                "thu": [["09:00", "18:00"]],
                "fri": [["09:00", "18:00"]],
                "sat": [["10:00", "15:00"]],
                "sun": []
            })])
            .build()
            .into()
    }
}

impl utoipa::ToSchema for OpeningHours {}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};
    use proptest::prelude::*;
    use serde_json::json;

    fn t(h: i8, m: i8) -> Time {
        time(h, m, 0, 0)
    }

    fn err(s: &str) -> OpeningHoursError {
        OpeningHours::parse_json(s).unwrap_err()
    }

    /// A week with `day` set to `intervals` and every other day closed, as JSON text.
    fn week_with(day: &str, intervals: Value) -> String {
        let mut week = serde_json::Map::new();
        for key in WEEKDAY_KEYS {
            week.insert(key.into(), json!([]));
        }
        week.insert(day.into(), intervals);
        Value::Object(week).to_string()
    }

    const EXAMPLE: &str = r#"{"mon":[["09:00","13:00"],["14:00","19:00"]],"tue":[["09:00","18:00"]],"wed":[["09:00","18:00"]],"thu":[["09:00","18:00"]],"fri":[["09:00","18:00"]],"sat":[["10:00","15:00"]],"sun":[]}"#;

    #[test]
    fn parses_and_round_trips() {
        let hours = OpeningHours::parse_json(EXAMPLE).unwrap();
        assert_eq!(
            hours.intervals(Weekday::Monday),
            [(t(9, 0), t(13, 0)), (t(14, 0), t(19, 0))]
        );
        assert_eq!(hours.intervals(Weekday::Saturday), [(t(10, 0), t(15, 0))]);
        assert!(hours.intervals(Weekday::Sunday).is_empty());
        assert!(hours.is_closed(Weekday::Sunday));
        assert_eq!(hours.to_json(), EXAMPLE);
        assert_eq!(OpeningHours::parse_json(&hours.to_json()).unwrap(), hours);
        // serde goes through the same rules.
        let via_serde: OpeningHours = serde_json::from_str(EXAMPLE).unwrap();
        assert_eq!(via_serde, hours);
        assert_eq!(serde_json::to_string(&hours).unwrap(), EXAMPLE);
        assert_eq!(OpeningHours::from_value(&hours.to_value()).unwrap(), hours);
    }

    #[test]
    fn the_default_week() {
        let default = OpeningHours::default();
        assert_eq!(
            default.to_json(),
            r#"{"mon":[["09:00","18:00"]],"tue":[["09:00","18:00"]],"wed":[["09:00","18:00"]],"thu":[["09:00","18:00"]],"fri":[["09:00","18:00"]],"sat":[["10:00","15:00"]],"sun":[]}"#
        );
        let closed = OpeningHours::closed();
        assert!(WEEKDAYS.iter().all(|d| closed.is_closed(*d)));
        assert_eq!(
            closed.to_json(),
            r#"{"mon":[],"tue":[],"wed":[],"thu":[],"fri":[],"sat":[],"sun":[]}"#
        );
    }

    #[test]
    fn closed_days_and_whitespace() {
        let text = r#" { "sun": [], "sat": [ ], "fri": [], "thu": [], "wed": [], "tue": [], "mon": [ [ "08:30" , "12:00" ] ] } "#;
        let hours = OpeningHours::parse_json(text).unwrap();
        assert_eq!(hours.intervals(Weekday::Monday), [(t(8, 30), t(12, 0))]);
        for day in &WEEKDAYS[1..] {
            assert!(hours.is_closed(*day));
        }
        assert!(
            hours
                .to_json()
                .starts_with(r#"{"mon":[["08:30","12:00"]],"tue":[]"#)
        );
    }

    #[test]
    fn open_at() {
        let hours = OpeningHours::parse_json(EXAMPLE).unwrap();
        let monday = Weekday::Monday;
        assert!(!hours.is_open_at(monday, t(8, 59)));
        assert!(hours.is_open_at(monday, t(9, 0)));
        assert!(hours.is_open_at(monday, time(12, 59, 59, 999_999_999)));
        assert!(!hours.is_open_at(monday, t(13, 0)), "the end is excluded");
        assert!(!hours.is_open_at(monday, t(13, 30)));
        assert!(hours.is_open_at(monday, t(14, 0)));
        assert!(!hours.is_open_at(monday, t(19, 0)));
        assert!(!hours.is_open_at(Weekday::Sunday, t(12, 0)));
        // A weekday of a real date.
        assert_eq!(date(2025, 6, 9).weekday(), Weekday::Monday);
    }

    #[test]
    fn sorts_and_merges_touching_intervals() {
        let hours = OpeningHours::parse_json(&week_with(
            "wed",
            json!([["14:00", "18:00"], ["09:00", "12:00"], ["12:00", "13:00"]]),
        ))
        .unwrap();
        assert_eq!(
            hours.intervals(Weekday::Wednesday),
            [(t(9, 0), t(13, 0)), (t(14, 0), t(18, 0))]
        );
        assert!(hours.is_open_at(Weekday::Wednesday, t(12, 0)));
    }

    #[test]
    fn overlaps_are_refused() {
        for intervals in [
            json!([["09:00", "13:00"], ["12:00", "18:00"]]),
            json!([["12:00", "18:00"], ["09:00", "13:00"]]),
            json!([["09:00", "18:00"], ["10:00", "11:00"]]),
            json!([["09:00", "13:00"], ["09:00", "13:00"]]),
        ] {
            let e = err(&week_with("tue", intervals.clone()));
            assert!(
                matches!(
                    e,
                    OpeningHoursError::Overlap {
                        day: Weekday::Tuesday,
                        ..
                    }
                ),
                "{intervals}: {e:?}"
            );
            assert_eq!(e.weekday(), Some(Weekday::Tuesday));
        }
        assert_eq!(
            err(&week_with(
                "tue",
                json!([["09:00", "13:00"], ["12:00", "18:00"]])
            ))
            .to_string(),
            "Tuesday: the intervals 09:00-13:00 and 12:00-18:00 overlap"
        );
    }

    #[test]
    fn an_interval_must_end_after_it_starts() {
        let e = err(&week_with("fri", json!([["13:00", "09:00"]])));
        assert_eq!(
            e,
            OpeningHoursError::EndNotAfterStart {
                day: Weekday::Friday,
                start: "13:00".into(),
                end: "09:00".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "Friday: the interval 13:00-09:00 must end after it starts"
        );
        assert!(matches!(
            err(&week_with("fri", json!([["09:00", "09:00"]]))),
            OpeningHoursError::EndNotAfterStart { .. }
        ));
    }

    #[test]
    fn times_are_exactly_hh_mm() {
        for bad in [
            "9:00",
            "24:00",
            "09:60",
            "09:0",
            "0900",
            "09.00",
            "09:00:00",
            " 09:00",
            "٠٩:٠٠",
            "",
            "-1:00",
            "+9:00",
            "99:99",
            "ab:cd",
        ] {
            let e = err(&week_with("sat", json!([[bad, "18:00"]])));
            assert_eq!(
                e,
                OpeningHoursError::BadTime {
                    day: Weekday::Saturday,
                    value: bad.into()
                },
                "{bad:?}"
            );
        }
        assert_eq!(
            err(&week_with("sat", json!([["9:00", "18:00"]]))).to_string(),
            "Saturday: '9:00' is not a time of day; write HH:MM from 00:00 to 23:59, e.g. 09:00"
        );
        assert_eq!(parse_hhmm("00:00"), Some(t(0, 0)));
        assert_eq!(parse_hhmm("23:59"), Some(t(23, 59)));
        assert_eq!(format_hhmm(t(7, 5)), "07:05");
        let hours =
            OpeningHours::parse_json(&week_with("sat", json!([["00:00", "23:59"]]))).unwrap();
        assert!(hours.is_open_at(Weekday::Saturday, t(0, 0)));
    }

    #[test]
    fn shape_errors() {
        assert!(matches!(err("{"), OpeningHoursError::Json(_)));
        assert_eq!(err("[]"), OpeningHoursError::NotAnObject);
        assert_eq!(err("null"), OpeningHoursError::NotAnObject);
        let missing = r#"{"mon":[],"tue":[],"wed":[],"thu":[],"fri":[],"sat":[]}"#;
        assert_eq!(
            err(missing),
            OpeningHoursError::MissingDay {
                day: Weekday::Sunday
            }
        );
        assert_eq!(
            err(missing).to_string(),
            "the opening hours for Sunday are missing; give [] for a closed day"
        );
        let mut unknown: Value = serde_json::from_str(EXAMPLE).unwrap();
        unknown["Mon"] = json!([]);
        let e = OpeningHours::from_value(&unknown).unwrap_err();
        assert_eq!(e, OpeningHoursError::UnknownDay { key: "Mon".into() });
        assert_eq!(e.weekday(), None);
        assert_eq!(
            err(&week_with("thu", json!("closed"))),
            OpeningHoursError::NotAList {
                day: Weekday::Thursday
            }
        );
        for bad in [
            json!([["09:00"]]),
            json!([["09:00", "12:00", "13:00"]]),
            json!([[9, 12]]),
            json!(["09:00-12:00"]),
            json!([{"from": "09:00", "to": "12:00"}]),
        ] {
            assert_eq!(
                err(&week_with("thu", bad.clone())),
                OpeningHoursError::NotAPair {
                    day: Weekday::Thursday
                },
                "{bad}"
            );
        }
        // serde reports the same message.
        let e = serde_json::from_str::<OpeningHours>(missing).unwrap_err();
        assert!(e.to_string().contains("Sunday are missing"), "{e}");
    }

    #[test]
    fn built_from_times() {
        let mut days: [Vec<(Time, Time)>; 7] = Default::default();
        days[0] = vec![(t(14, 0), t(19, 0)), (t(9, 0), t(13, 0))];
        let hours = OpeningHours::new(days.clone()).unwrap();
        assert_eq!(
            hours,
            OpeningHours::parse_json(&week_with(
                "mon",
                json!([["09:00", "13:00"], ["14:00", "19:00"]])
            ))
            .unwrap()
        );
        days[6] = vec![(time(9, 0, 30, 0), t(10, 0))];
        assert!(matches!(
            OpeningHours::new(days).unwrap_err(),
            OpeningHoursError::BadTime {
                day: Weekday::Sunday,
                ..
            }
        ));
    }

    #[test]
    fn weekday_keys() {
        for (day, key) in WEEKDAYS.iter().zip(WEEKDAY_KEYS) {
            assert_eq!(weekday_key(*day), key);
            assert_eq!(weekday_from_key(key), Some(*day));
        }
        assert_eq!(weekday_from_key("Mon"), None);
        assert_eq!(weekday_from_key("monday"), None);
    }

    #[test]
    fn opening_hours_schema() {
        let schema =
            serde_json::to_value(<OpeningHours as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["required"], json!(WEEKDAY_KEYS));
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["properties"]["mon"]["type"], "array");
        let interval = &schema["properties"]["sun"]["items"];
        assert_eq!(interval["items"]["type"], "string");
        assert_eq!(
            (&interval["minItems"], &interval["maxItems"]),
            (&json!(2), &json!(2))
        );
        assert!(interval.get("prefixItems").is_none(), "{interval}");
        assert_eq!(schema["examples"][0]["sun"], json!([]));
        // The example is itself valid.
        OpeningHours::from_value(&schema["examples"][0]).unwrap();
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in ".*") {
            let _ = OpeningHours::parse_json(&s);
            let _ = parse_hhmm(&s);
        }

        #[test]
        fn valid_hours_round_trip(
            day in 0usize..7,
            cuts in proptest::collection::btree_set(0u16..1440, 0..8),
        ) {
            // Consecutive pairs of distinct minutes are disjoint, non-touching intervals.
            let cuts: Vec<u16> = cuts.into_iter().collect();
            let mut days: [Vec<(Time, Time)>; 7] = Default::default();
            for pair in cuts.chunks_exact(2) {
                let at = |m: u16| t((m / 60) as i8, (m % 60) as i8);
                days[day].push((at(pair[0]), at(pair[1])));
            }
            let expected = days[day].len();
            let hours = OpeningHours::new(days).unwrap();
            prop_assert_eq!(hours.intervals(WEEKDAYS[day]).len(), expected);
            prop_assert_eq!(OpeningHours::parse_json(&hours.to_json()).unwrap(), hours);
        }
    }
}
