//! Conversions between the services' `jiff` types and the storage columns (`chrono`, which
//! is what the database drivers speak). Instants are stored in UTC with microsecond
//! precision, the finest every backend keeps, so a value reads back exactly as written.

use chrono::{DateTime, NaiveDate, Utc};

/// A UTC instant as stored.
pub type DbTimestamp = DateTime<Utc>;

/// An instant for storage, truncated to microseconds.
pub fn to_db(ts: jiff::Timestamp) -> DbTimestamp {
    let micros = ts.as_microsecond();
    DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A stored instant.
pub fn from_db(ts: DbTimestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(ts.timestamp_micros()).unwrap_or(jiff::Timestamp::MIN)
}

/// The current instant, as stored.
pub fn now() -> DbTimestamp {
    to_db(jiff::Timestamp::now())
}

/// A calendar date for storage.
pub fn date_to_db(date: jiff::civil::Date) -> NaiveDate {
    NaiveDate::from_ymd_opt(
        i32::from(date.year()),
        date.month() as u32,
        date.day() as u32,
    )
    .unwrap_or(NaiveDate::MIN)
}

/// A stored calendar date.
pub fn date_from_db(date: NaiveDate) -> jiff::civil::Date {
    use chrono::Datelike;
    jiff::civil::Date::new(date.year() as i16, date.month() as i8, date.day() as i8)
        .unwrap_or(jiff::civil::Date::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_at_microsecond_precision() {
        let ts: jiff::Timestamp = "2016-07-01T03:04:05.123456789Z".parse().unwrap();
        let back = from_db(to_db(ts));
        assert_eq!(back.to_string(), "2016-07-01T03:04:05.123456Z");
    }

    #[test]
    fn dates_round_trip() {
        let d = jiff::civil::date(2000, 2, 29);
        assert_eq!(date_from_db(date_to_db(d)), d);
    }
}
