//! The book's grid: the columns (a doctor, or a chair, on a day), 15-minute rows of local
//! time, each appointment a block spanning its rows, the empty cells links to book (greyed
//! where the doctor does not work).

use crate::http::pages::Layout;
use crate::http::pages::common::appointment_block::Block;
use crate::http::pages::common::local_instant;
use crate::services::appointments::{BookEntry, BookMarks};
use crate::services::settings::ClinicSettings;
use dcms_domain::AppointmentStatus;
use jiff::Timestamp;
use jiff::civil::{Date, Time};

/// Minutes per row of the book.
const STEP_MINUTES: i32 = 15;
/// Minutes in a day: the last row ends at most here.
const DAY_MINUTES: i32 = 24 * 60;

/// An empty cell: a link to book that doctor at that time.
pub struct Slot {
    /// None when the caller may not book.
    pub href: Option<String>,
    /// What the link says to a screen reader: the time and the doctor.
    pub label: String,
    pub past: bool,
    /// Outside the doctor's working hours (greyed; a manager may still book it).
    pub off: bool,
}

/// One cell of the grid: an appointment starting in this row, an empty slot, or neither
/// (a row covered by an appointment that started above: no `<td>`).
pub struct Cell {
    pub block: Option<Block>,
    pub slot: Option<Slot>,
}

/// One 15-minute row.
pub struct GridRow {
    pub time: String,
    /// The end of the row, `HH:MM` (`24:00` for the last row of a day).
    pub end: String,
    /// The row starts a full hour.
    pub hour: bool,
    pub cells: Vec<Cell>,
}

/// One column: a doctor (or a chair) on a day.
pub struct Column {
    /// The doctor; None for a chair's column (its blocks are not dragged).
    pub doctor_id: Option<i64>,
    pub date: String,
    pub title: String,
    pub subtitle: String,
    /// The day view (from the week) or the doctor's week (from the day).
    pub link: String,
    /// The clinic is closed that day.
    pub closed: bool,
    /// The column's day is today (the "now" line crosses it).
    pub today: bool,
    /// The doctor's exceptions that day, as labels (`Амралт`, `Нэмэлт цаг 15:00–17:00`).
    pub exceptions: Vec<String>,
}

/// The grid of the book, and the appointments it cannot place.
pub struct Grid {
    pub columns: Vec<Column>,
    pub rows: Vec<GridRow>,
    /// Canceled and no-show appointments, and those sharing a row with another.
    pub others: Vec<Block>,
    /// The local time now in minutes since midnight, when a column is today (for the "now"
    /// line, which `book.js` draws and moves).
    pub now_minute: Option<i32>,
}

/// What the book shows on its blocks beyond the appointments themselves.
pub struct Marking<'a> {
    /// The caller may book and move appointments.
    pub can_write: bool,
    pub marks: &'a BookMarks,
    /// The appointment just booked or changed, highlighted.
    pub changed: Option<i64>,
}

impl Marking<'_> {
    fn block(&self, layout: &Layout, entry: &BookEntry) -> Block {
        let mut block = Block::of(layout, entry, self.can_write);
        let id = block.appointment_id;
        block.unpaid = self.marks.unpaid.contains(&id);
        block.confirmed_by_sms = self.marks.confirmed_by_sms.contains(&id);
        block.reminded = self.marks.reminded.contains(&id);
        block.set_alerts(layout, self.marks);
        block.changed = self.changed == Some(id);
        block
    }
}

/// A column to build: a doctor on a date, or a chair (`chair: Some(id)`, `Some(None)` for
/// the appointments without one) on a date.
pub struct ColumnSpec {
    pub doctor_id: i64,
    pub doctor_name: String,
    pub chair: Option<Option<i64>>,
    pub date: Date,
    pub title: String,
    pub subtitle: String,
    pub link: String,
    /// The doctor's working hours that day (local minutes), when they are known.
    pub hours: Option<Vec<dcms_domain::Span>>,
    pub exceptions: Vec<String>,
}

impl ColumnSpec {
    /// Whether an appointment goes in this column (by its doctor or its chair).
    fn holds(&self, a: &crate::services::appointments::Appointment, date: Date) -> bool {
        self.date == date
            && match self.chair {
                None => self.doctor_id == a.doctor_id,
                Some(chair) => a.chair_id == chair,
            }
    }
}

fn minutes(t: Time) -> i32 {
    i32::from(t.hour()) * 60 + i32::from(t.minute())
}

fn time_of(minutes: i32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Lays out the appointments on the columns' days in 15-minute rows of local time: from
/// the earliest opening to the latest closing of those days, widened to every placed
/// appointment. Reserved, confirmed, came and finished appointments are placed; the rest,
/// and any that would share a row with one already placed, go to `others`.
pub fn build_grid(
    layout: &Layout,
    clinic: &ClinicSettings,
    specs: Vec<ColumnSpec>,
    entries: &[BookEntry],
    marking: &Marking,
) -> Grid {
    let can_write = marking.can_write;
    let tz = &layout.time_zone;
    let mut lo = DAY_MINUTES;
    let mut hi = 0;
    for spec in &specs {
        for &(open, close) in clinic.opening_hours.intervals(spec.date.weekday()) {
            lo = lo.min(minutes(open));
            hi = hi.max(minutes(close));
        }
    }
    // Where each appointment would go: (column, first row minute, end minute).
    let mut others = Vec::new();
    let mut placed: Vec<(usize, i32, i32, &BookEntry)> = Vec::new();
    for entry in entries {
        let a = &entry.appointment;
        let start = a.start_at.to_zoned(tz.clone());
        let end = a.end_at.to_zoned(tz.clone());
        let column = specs.iter().position(|s| s.holds(a, start.date()));
        let shown = matches!(
            a.status,
            AppointmentStatus::Reserved
                | AppointmentStatus::Confirmed
                | AppointmentStatus::Came
                | AppointmentStatus::Finished
        );
        let (Some(column), true) = (column, shown) else {
            others.push(marking.block(layout, entry));
            continue;
        };
        let first = minutes(start.time()) / STEP_MINUTES * STEP_MINUTES;
        let last = if end.date() > start.date() {
            DAY_MINUTES
        } else {
            let m = minutes(end.time());
            ((m + STEP_MINUTES - 1) / STEP_MINUTES * STEP_MINUTES).min(DAY_MINUTES)
        };
        let last = last.max(first + STEP_MINUTES);
        lo = lo.min(first);
        hi = hi.max(last);
        placed.push((column, first, last, entry));
    }
    lo = lo / STEP_MINUTES * STEP_MINUTES;
    hi = ((hi + STEP_MINUTES - 1) / STEP_MINUTES * STEP_MINUTES).min(DAY_MINUTES);
    let row_count = if hi > lo {
        ((hi - lo) / STEP_MINUTES) as usize
    } else {
        0
    };
    // Which rows of each column an appointment holds, and where each one starts.
    let mut taken = vec![vec![false; row_count]; specs.len()];
    let mut starts: Vec<Vec<Option<Block>>> = (0..specs.len())
        .map(|_| (0..row_count).map(|_| None).collect())
        .collect();
    for (column, first, last, entry) in placed {
        let r0 = ((first - lo) / STEP_MINUTES) as usize;
        let r1 = (((last - lo) / STEP_MINUTES) as usize).min(row_count);
        if taken[column][r0..r1].iter().any(|t| *t) {
            others.push(marking.block(layout, entry));
            continue;
        }
        taken[column][r0..r1].iter_mut().for_each(|t| *t = true);
        let mut block = marking.block(layout, entry);
        block.rowspan = r1 - r0;
        if specs[column].chair.is_some() {
            // A chair's column: dragging would change the chair, not the doctor.
            block.movable = false;
        }
        starts[column][r0] = Some(block);
    }
    let now = Timestamp::now();
    let now_local = now.to_zoned(tz.clone());
    let mut rows = Vec::with_capacity(row_count);
    for r in 0..row_count {
        let minute = lo + r as i32 * STEP_MINUTES;
        let time = time_of(minute);
        let mut cells = Vec::with_capacity(specs.len());
        for (c, spec) in specs.iter().enumerate() {
            if let Some(block) = starts[c][r].take() {
                cells.push(Cell {
                    block: Some(block),
                    slot: None,
                });
            } else if taken[c][r] {
                cells.push(Cell {
                    block: None,
                    slot: None,
                });
            } else {
                let at = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0)
                    .ok()
                    .and_then(|t| local_instant(tz, spec.date, t));
                let off = spec
                    .hours
                    .as_ref()
                    .is_some_and(|h| !dcms_domain::fits(h, minute as u16, STEP_MINUTES as u16));
                let who = match spec.chair {
                    None => format!("doctor_id={}", spec.doctor_id),
                    Some(chair) => format!(
                        "chair_id={}",
                        chair.map(|c| c.to_string()).unwrap_or_default()
                    ),
                };
                cells.push(Cell {
                    block: None,
                    slot: Some(Slot {
                        off,
                        href: can_write.then(|| {
                            format!("/appointments/new?{who}&date={}&time={}", spec.date, time)
                        }),
                        label: layout.t1(
                            "book-slot",
                            "time",
                            format!("{} {time}, {}", spec.date, spec.doctor_name),
                        ),
                        past: at.is_some_and(|at| at < now),
                    }),
                });
            }
        }
        rows.push(GridRow {
            hour: minute % 60 == 0,
            end: time_of(minute + STEP_MINUTES),
            time,
            cells,
        });
    }
    let today = now_local.date();
    let now_minute = specs
        .iter()
        .any(|s| s.date == today)
        .then(|| minutes(now_local.time()));
    let columns = specs
        .into_iter()
        .map(|s| Column {
            closed: clinic.opening_hours.is_closed(s.date.weekday()),
            today: s.date == today,
            doctor_id: s.chair.is_none().then_some(s.doctor_id),
            exceptions: s.exceptions,
            date: s.date.to_string(),
            title: s.title,
            subtitle: s.subtitle,
            link: s.link,
        })
        .collect();
    Grid {
        columns,
        rows,
        others,
        now_minute,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_quarter_hours() {
        assert_eq!(time_of(9 * 60 + 45), "09:45");
        assert_eq!(time_of(DAY_MINUTES), "24:00");
        assert_eq!(minutes(Time::constant(10, 15, 0, 0)), 615);
    }
}
