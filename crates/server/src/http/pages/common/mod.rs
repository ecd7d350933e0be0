//! What more than one page uses: small helpers here, the parts several pages show in the
//! submodules. No page module takes anything from another page module.

pub mod accounts;
pub mod alerts;
pub mod appointment_block;
pub mod clinical;
pub mod contacts;
pub mod patient_search;
pub mod phones;

use dcms_domain::{Phone, PositionCategory};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

/// One option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A stored number as people write it (`9911 2233`).
pub fn shown_number(number: &str) -> String {
    Phone::parse(number)
        .map(|p| p.display_grouped())
        .unwrap_or_else(|_| number.to_owned())
}

/// The message id of a position's category.
pub fn category_id(category: PositionCategory) -> String {
    format!("position-category-{}", category.as_str())
}

/// The instant of a local date and time in the clinic's zone (the earlier of two in a
/// repeated hour, the later in a skipped one: jiff's "compatible" rule).
pub fn local_instant(tz: &TimeZone, date: Date, time: Time) -> Option<Timestamp> {
    date.to_datetime(time)
        .to_zoned(tz.clone())
        .ok()
        .map(|z| z.timestamp())
}

/// Intervals of local time as people type them, `09:00-13:00, 14:00-19:00` (commas or
/// semicolons between, a dash or an en dash within), as `(start, end)` texts; None when a
/// piece is not two times joined by a dash (the times themselves are the services' to check).
pub fn intervals_typed(text: &str) -> Option<Vec<(String, String)>> {
    text.split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|piece| {
            let (start, end) = piece.split_once(['-', '–'])?;
            Some((start.trim().to_owned(), end.trim().to_owned()))
        })
        .collect()
}
