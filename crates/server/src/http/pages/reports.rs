//! The report pages (admins, managers and HQ, as the reports API): the day
//! (`/reports?date=`), revenue over a range (`/reports/revenue?from=&to=&group_by=`), where
//! the patients stand (`/reports/patients`) and the no-show rate
//! (`/reports/no-shows?from=&to=`). Each shows its figures in a table and as a chart drawn
//! on the server (`charts`: inline SVG, no script). The figures come from the same use cases
//! as the API (`services::reports`); definitions in `docs/reports.md`.
//!
//! A bad date, `from` after `to`, a range over 366 days or an unknown grouping shows the
//! form again with the message beside the field (422), never a server error.

use super::common::Choice;
use super::drawing::charts::{self, Bar, BarChart, Column, ColumnChart, Series};
use super::{FieldMessages, Layout, OrPage, PageResult, msg};
use crate::http::state::AppState;
use crate::services::fields::Given;
use crate::services::reports::{self as service, ByMethod, ByStatus, MAX_DAYS};
use crate::services::{ServiceError, settings};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use dcms_domain::PaymentMethod;
use jiff::civil::Date;
use serde::Deserialize;

/// One link of the reports' own navigation.
pub struct SubNavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The four report pages: (path, message id).
const REPORT_PAGES: &[(&str, &str)] = &[
    ("/reports", msg("reports-nav-day")),
    ("/reports/revenue", msg("reports-nav-revenue")),
    ("/reports/patients", msg("reports-nav-patients")),
    ("/reports/no-shows", msg("reports-nav-no-shows")),
];

fn subnav(layout: &Layout, current: &str) -> Vec<SubNavItem> {
    REPORT_PAGES
        .iter()
        .map(|(href, id)| SubNavItem {
            href,
            label: layout.t(id),
            current: *href == current,
        })
        .collect()
}

/// The statuses in the order the appointment book's legend has them: (code, class).
const STATUSES: [(&str, &str); 6] = [
    ("reserved", "fill-reserved"),
    ("confirmed", "fill-confirmed"),
    ("came", "fill-came"),
    ("finished", "fill-finished"),
    ("no_show", "fill-no_show"),
    ("canceled", "fill-canceled"),
];

fn status_counts(s: &ByStatus) -> [i64; 6] {
    [
        s.reserved,
        s.confirmed,
        s.came,
        s.finished,
        s.no_show,
        s.canceled,
    ]
}

fn method_amounts(m: &ByMethod) -> [(PaymentMethod, i64); 4] {
    [
        (PaymentMethod::Cash, m.cash),
        (PaymentMethod::Card, m.card),
        (PaymentMethod::Transfer, m.transfer),
        (PaymentMethod::Qpay, m.qpay),
    ]
}

/// A chart's largest entry in words, for those who cannot see it (its `<desc>`).
fn largest(layout: &Layout) -> impl Fn(&str, &str) -> String + '_ {
    move |label, value| {
        let args = [("label", label.to_owned()), ("value", value.to_owned())];
        super::i18n::t_args(layout.lang, msg("reports-chart-largest"), &args)
    }
}

/// `0.333…` as `33.3%`.
fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// A share of a whole in per mille (the unit of rate bars: 1000 is 100 %).
fn per_mille(rate: f64) -> i64 {
    (rate * 1000.0).round() as i64
}

/// The years a report's date may be in: any a clinic has, and far enough from jiff's limits
/// that the day after and the instants of the clinic's zone always exist.
const YEARS: std::ops::RangeInclusive<i16> = 1000..=9000;

/// A date field of a report's form: blank is `default`; something else must be a
/// `YYYY-MM-DD` date, else its message is added.
fn read_date(
    layout: &Layout,
    errors: &mut FieldMessages,
    field: &str,
    typed: &str,
    default: Date,
) -> Option<Date> {
    match typed.trim() {
        "" => Some(default),
        text => match text.parse::<Date>() {
            Ok(date) if YEARS.contains(&date.year()) => Some(date),
            _ => {
                errors.push(field, layout.t("error-date"));
                None
            }
        },
    }
}

/// `from` and `to` of a form checked as the API checks them (`from` not after `to`, at
/// most [`MAX_DAYS`] days), with the pages' messages.
fn read_range(
    layout: &Layout,
    errors: &mut FieldMessages,
    from: &str,
    to: &str,
    defaults: (Date, Date),
) -> Option<(Date, Date)> {
    let from = read_date(layout, errors, "from", from, defaults.0);
    let to = read_date(layout, errors, "to", to, defaults.1);
    let (from, to) = (from?, to?);
    if from > to {
        errors.push("to", layout.t("error-date-order"));
        return None;
    }
    let days = from.until(to).map(|s| s.get_days()).unwrap_or(i32::MAX);
    if days >= MAX_DAYS {
        errors.push("to", layout.t1("reports-error-span", "days", MAX_DAYS));
        return None;
    }
    Some((from, to))
}

/// A report the use case refused after all (it checks again): its fields' messages; any
/// other error is the error page.
fn refused(
    layout: &Layout,
    errors: &mut FieldMessages,
    err: ServiceError,
) -> Result<(), axum::response::Response> {
    match err {
        ServiceError::Invalid(fields) => {
            for f in &fields {
                errors.push(&f.field, layout.field_error(f));
            }
            Ok(())
        }
        other => Err(layout.error(other)),
    }
}

fn status_of(errors: &FieldMessages) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

// --- the day -------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DayParams {
    date: String,
}

/// A doctor's row of the day's appointments.
pub struct DoctorRow {
    name: String,
    counts: [i64; 6],
    total: i64,
}

/// A payment method's row.
pub struct MethodRow {
    method: String,
    amount: String,
}

/// The figures of a day, when the date was a date.
pub struct DayView {
    title: String,
    previous: String,
    next: String,
    book_link: String,
    doctors: Vec<DoctorRow>,
    totals: [i64; 6],
    total: i64,
    appointments_chart: String,
    treatments: i64,
    charges: String,
    methods: Vec<MethodRow>,
    paid: String,
    payments_chart: String,
}

#[derive(Template)]
#[template(path = "reports_day.html")]
struct DayPage<'a> {
    layout: &'a Layout,
    subnav: Vec<SubNavItem>,
    /// The date as typed (or the day shown).
    date: String,
    errors: FieldMessages,
    status_names: Vec<String>,
    view: Option<DayView>,
}

/// `GET /reports?date=`: the day (default today in the clinic's zone): appointments by
/// doctor and status, treatments, their charges and payments by method.
pub async fn day(
    State(state): State<AppState>,
    Query(params): Query<DayParams>,
    layout: Layout,
) -> PageResult {
    let clinic = settings::get(&state.store).await.or_page(&layout)?;
    let today = clinic.now_local().date();
    let mut errors = FieldMessages::default();
    let date = read_date(&layout, &mut errors, "date", &params.date, today);
    let status_names: Vec<String> = STATUSES
        .iter()
        .map(|(code, _)| layout.t(&format!("appointment-status-{code}")))
        .collect();
    let mut view = None;
    if let Some(date) = date {
        match service::day(&state.store, Given::Value(date)).await {
            Ok(report) => view = Some(day_view(&layout, &status_names, date, &report)),
            Err(e) => refused(&layout, &mut errors, e)?,
        }
    }
    let shown = match (&view, date) {
        (Some(_), Some(d)) => d.to_string(),
        _ => params.date.trim().to_owned(),
    };
    Ok(layout.render_status(
        status_of(&errors),
        &DayPage {
            layout: &layout,
            subnav: subnav(&layout, "/reports"),
            date: shown,
            errors,
            status_names,
            view,
        },
    ))
}

fn day_view(
    layout: &Layout,
    status_names: &[String],
    date: Date,
    report: &service::DayReport,
) -> DayView {
    let doctors: Vec<DoctorRow> = report
        .doctors
        .iter()
        .map(|d| {
            let counts = status_counts(&d.by_status);
            DoctorRow {
                name: d.name.clone(),
                counts,
                total: counts.iter().sum(),
            }
        })
        .collect();
    let mut totals = [0i64; 6];
    for d in &doctors {
        for (t, c) in totals.iter_mut().zip(d.counts) {
            *t += c;
        }
    }
    let series: Vec<Series> = STATUSES
        .iter()
        .zip(status_names)
        .map(|((_, class), name)| Series {
            name: name.clone(),
            class,
        })
        .collect();
    let bars: Vec<Bar> = doctors
        .iter()
        .map(|d| Bar {
            label: d.name.clone(),
            values: d.counts.to_vec(),
        })
        .collect();
    let no_data = layout.t("reports-no-data");
    let count = |v: i64| v.to_string();
    let money = |v: i64| layout.money(v);
    let describe = largest(layout);
    let appointments_chart = charts::bar_chart(&BarChart {
        id: "chart-appointments",
        title: &layout.t1("reports-chart-appointments", "date", date),
        no_data: &no_data,
        series: &series,
        bars: &bars,
        full_scale: 0,
        zero_is_empty: true,
        format: &count,
        describe: &describe,
    });
    let methods = method_amounts(&report.payments_by_method);
    let method_bars: Vec<Bar> = methods
        .iter()
        .map(|(m, amount)| Bar::single(layout.payment_method(m), *amount))
        .collect();
    let payments_chart = charts::bar_chart(&BarChart {
        id: "chart-payments",
        title: &layout.t1("reports-chart-payments", "date", date),
        no_data: &no_data,
        series: &[Series {
            name: layout.t("reports-paid"),
            class: "fill-paid",
        }],
        bars: &method_bars,
        full_scale: 0,
        zero_is_empty: true,
        format: &money,
        describe: &describe,
    });
    let weekday = layout.t(&format!(
        "weekday-{}",
        dcms_domain::weekday_key(date.weekday())
    ));
    let day_link = |d: Option<Date>| {
        d.map(|d| format!("/reports?date={d}"))
            .unwrap_or_else(|| "/reports".to_owned())
    };
    DayView {
        title: format!("{date} · {weekday}"),
        previous: day_link(date.yesterday().ok()),
        next: day_link(date.tomorrow().ok()),
        book_link: format!("/appointments?date={date}"),
        total: totals.iter().sum(),
        totals,
        doctors,
        appointments_chart,
        treatments: report.treatments,
        charges: layout.money(report.charges),
        paid: layout.money(methods.iter().map(|(_, a)| a).sum()),
        methods: methods
            .iter()
            .map(|(m, amount)| MethodRow {
                method: layout.payment_method(m),
                amount: layout.money(*amount),
            })
            .collect(),
        payments_chart,
    }
}

// --- revenue -------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RangeParams {
    from: String,
    to: String,
    group_by: String,
}

const GROUPS: [(&str, &str); 3] = [
    ("doctor", msg("reports-group-doctor")),
    ("service", msg("reports-group-service")),
    ("day", msg("reports-group-day")),
];

/// A row of revenue.
pub struct RevenueLine {
    label: String,
    list: String,
    discounts: String,
    charges: String,
    paid: String,
}

/// The revenue figures, when the form was right.
pub struct RevenueView {
    /// The column header of the labels (doctor, service, date).
    label_header: String,
    /// Payments are not split among services: no paid column by service.
    paid_column: bool,
    rows: Vec<RevenueLine>,
    total_list: String,
    total_discounts: String,
    total_charges: String,
    total_paid: String,
    charts: Vec<String>,
}

#[derive(Template)]
#[template(path = "reports_revenue.html")]
struct RevenuePage<'a> {
    layout: &'a Layout,
    subnav: Vec<SubNavItem>,
    from: String,
    to: String,
    groups: Vec<Choice>,
    /// The grouping chosen.
    group: String,
    errors: FieldMessages,
    known_fields: &'static [&'static str],
    view: Option<RevenueView>,
}

/// `GET /reports/revenue?from=&to=&group_by=`: charges and payments from `from` to `to`
/// (default: the current month to today) by doctor, service or day.
pub async fn revenue(
    State(state): State<AppState>,
    Query(params): Query<RangeParams>,
    layout: Layout,
) -> PageResult {
    let clinic = settings::get(&state.store).await.or_page(&layout)?;
    let today = clinic.now_local().date();
    let mut errors = FieldMessages::default();
    let group = match params.group_by.trim() {
        "" => Some("doctor"),
        typed => GROUPS.iter().map(|(v, _)| *v).find(|v| *v == typed),
    };
    if group.is_none() {
        errors.push("group_by", layout.t("reports-error-group-by"));
    }
    let range = read_range(
        &layout,
        &mut errors,
        &params.from,
        &params.to,
        (today.first_of_month(), today),
    );
    let mut view = None;
    if let (Some(group), Some((from, to))) = (group, range) {
        let by = service::RevenueGroup::given(Some(group));
        match service::revenue(&state.store, Given::Value(from), Given::Value(to), by).await {
            Ok(report) => view = Some(revenue_view(&layout, group, from, to, &report)),
            Err(e) => refused(&layout, &mut errors, e)?,
        }
    }
    let (from, to) = match range {
        Some((f, t)) => (f.to_string(), t.to_string()),
        None => (params.from.trim().to_owned(), params.to.trim().to_owned()),
    };
    Ok(layout.render_status(
        status_of(&errors),
        &RevenuePage {
            layout: &layout,
            subnav: subnav(&layout, "/reports/revenue"),
            from,
            to,
            groups: GROUPS
                .iter()
                .map(|(value, id)| Choice {
                    value: (*value).to_owned(),
                    label: layout.t(id),
                })
                .collect(),
            group: group.unwrap_or("doctor").to_owned(),
            errors,
            known_fields: &["from", "to", "group_by"],
            view,
        },
    ))
}

fn revenue_view(
    layout: &Layout,
    group: &str,
    from: Date,
    to: Date,
    report: &service::RevenueReport,
) -> RevenueView {
    let period = format!("{from} – {to}");
    let no_data = layout.t("reports-no-data");
    let money = |v: i64| layout.money(v);
    let describe = largest(layout);
    let charges_title = layout.t1("reports-chart-charges", "period", &period);
    let paid_title = layout.t1("reports-chart-paid", "period", &period);
    let mut charts = Vec::new();
    if group == "day" {
        let columns = |paid: bool| -> Vec<Column> {
            report
                .rows
                .iter()
                .map(|r| Column {
                    label: r.label.clone(),
                    tick: r.label.get(5..).unwrap_or(&r.label).to_owned(),
                    value: if paid { r.paid } else { r.charges },
                })
                .collect()
        };
        charts.push(charts::column_chart(&ColumnChart {
            id: "chart-charges",
            title: &charges_title,
            no_data: &no_data,
            series: Series {
                name: layout.t("reports-charges"),
                class: "fill-charges",
            },
            columns: &columns(false),
            zero_is_empty: true,
            format: &money,
            describe: &describe,
        }));
        charts.push(charts::column_chart(&ColumnChart {
            id: "chart-paid",
            title: &paid_title,
            no_data: &no_data,
            series: Series {
                name: layout.t("reports-paid"),
                class: "fill-paid",
            },
            columns: &columns(true),
            zero_is_empty: true,
            format: &money,
            describe: &describe,
        }));
    } else {
        let bars = |paid: bool| -> Vec<Bar> {
            report
                .rows
                .iter()
                .map(|r| Bar::single(r.label.clone(), if paid { r.paid } else { r.charges }))
                .collect()
        };
        let series = |name: &str, class: &'static str| {
            [Series {
                name: layout.t(name),
                class,
            }]
        };
        charts.push(charts::bar_chart(&BarChart {
            id: "chart-charges",
            title: &charges_title,
            no_data: &no_data,
            series: &series("reports-charges", "fill-charges"),
            bars: &bars(false),
            full_scale: 0,
            zero_is_empty: true,
            format: &money,
            describe: &describe,
        }));
        if group == "doctor" {
            charts.push(charts::bar_chart(&BarChart {
                id: "chart-paid",
                title: &paid_title,
                no_data: &no_data,
                series: &series("reports-paid", "fill-paid"),
                bars: &bars(true),
                full_scale: 0,
                zero_is_empty: true,
                format: &money,
                describe: &describe,
            }));
        }
    }
    let label_header = match group {
        "service" => layout.t("field-service"),
        "day" => layout.t("field-date"),
        _ => layout.t("field-doctor"),
    };
    RevenueView {
        label_header,
        paid_column: group != "service",
        rows: report
            .rows
            .iter()
            .map(|r| RevenueLine {
                label: r.label.clone(),
                list: layout.money(r.list),
                discounts: layout.money(r.discounts),
                charges: layout.money(r.charges),
                paid: layout.money(r.paid),
            })
            .collect(),
        total_list: layout.money(report.total_list),
        total_discounts: layout.money(report.total_discounts),
        total_charges: layout.money(report.total_charges),
        total_paid: layout.money(report.total_paid),
        charts,
    }
}

// --- patients ------------------------------------------------------------------------------

/// A status's row.
pub struct StatusLine {
    name: String,
    count: i64,
    share: String,
}

/// A month's row.
pub struct MonthLine {
    month: String,
    count: i64,
}

#[derive(Template)]
#[template(path = "reports_patients.html")]
struct PatientsPage<'a> {
    layout: &'a Layout,
    subnav: Vec<SubNavItem>,
    statuses: Vec<StatusLine>,
    total: i64,
    status_chart: String,
    months: Vec<MonthLine>,
    new_total: i64,
    months_chart: String,
}

/// `GET /reports/patients`: patients by status (from each one's last visit, today) and new
/// patients in each of the last 12 months.
pub async fn patients(State(state): State<AppState>, layout: Layout) -> PageResult {
    let report = service::patients(&state.store).await.or_page(&layout)?;
    let s = &report.by_status;
    let counts = [
        ("active", s.active),
        ("within_1y", s.within_1y),
        ("within_5y", s.within_5y),
        ("older", s.older),
    ];
    let total: i64 = counts.iter().map(|(_, c)| c).sum();
    let share = |c: i64| {
        if total == 0 {
            percent(0.0)
        } else {
            percent(c as f64 / total as f64)
        }
    };
    let statuses: Vec<StatusLine> = counts
        .iter()
        .map(|(code, c)| StatusLine {
            name: layout.t(&format!("patient-status-{code}")),
            count: *c,
            share: share(*c),
        })
        .collect();
    let no_data = layout.t("reports-no-data");
    let count = |v: i64| v.to_string();
    let describe = largest(&layout);
    let bars: Vec<Bar> = statuses
        .iter()
        .map(|l| Bar::single(l.name.clone(), l.count))
        .collect();
    let status_chart = charts::bar_chart(&BarChart {
        id: "chart-patient-status",
        title: &layout.t("reports-patients-status"),
        no_data: &no_data,
        series: &[Series {
            name: layout.t("reports-patients-count"),
            class: "fill-patients",
        }],
        bars: &bars,
        full_scale: 0,
        zero_is_empty: true,
        format: &count,
        describe: &describe,
    });
    let columns: Vec<Column> = report
        .new_per_month
        .iter()
        .map(|m| Column {
            label: m.month.clone(),
            tick: m.month.clone(),
            value: m.count,
        })
        .collect();
    let months_chart = charts::column_chart(&ColumnChart {
        id: "chart-new-patients",
        title: &layout.t("reports-new-patients"),
        no_data: &no_data,
        series: Series {
            name: layout.t("reports-new"),
            class: "fill-new",
        },
        columns: &columns,
        zero_is_empty: true,
        format: &count,
        describe: &describe,
    });
    Ok(layout.render(&PatientsPage {
        layout: &layout,
        subnav: subnav(&layout, "/reports/patients"),
        statuses,
        total,
        status_chart,
        new_total: report.new_per_month.iter().map(|m| m.count).sum(),
        months: report
            .new_per_month
            .iter()
            .map(|m| MonthLine {
                month: m.month.clone(),
                count: m.count,
            })
            .collect(),
        months_chart,
    }))
}

// --- no-shows ------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoShowParams {
    from: String,
    to: String,
}

/// A doctor-month's row.
pub struct NoShowLine {
    month: String,
    name: String,
    due: i64,
    no_shows: i64,
    rate: String,
}

/// The no-show figures, when the form was right.
pub struct NoShowView {
    rows: Vec<NoShowLine>,
    due: i64,
    no_shows: i64,
    rate: String,
    chart: String,
}

#[derive(Template)]
#[template(path = "reports_no_shows.html")]
struct NoShowPage<'a> {
    layout: &'a Layout,
    subnav: Vec<SubNavItem>,
    from: String,
    to: String,
    errors: FieldMessages,
    known_fields: &'static [&'static str],
    view: Option<NoShowView>,
}

/// `GET /reports/no-shows?from=&to=`: no-shows ÷ appointments that were due, by doctor and
/// month (default: the current month and the 11 before it, to today).
pub async fn no_shows(
    State(state): State<AppState>,
    Query(params): Query<NoShowParams>,
    layout: Layout,
) -> PageResult {
    let clinic = settings::get(&state.store).await.or_page(&layout)?;
    let today = clinic.now_local().date();
    let first = today
        .first_of_month()
        .checked_sub(jiff::Span::new().months(11))
        .unwrap_or_else(|_| today.first_of_month());
    let mut errors = FieldMessages::default();
    let range = read_range(
        &layout,
        &mut errors,
        &params.from,
        &params.to,
        (first, today),
    );
    let mut view = None;
    if let Some((from, to)) = range {
        match service::no_shows(&state.store, Given::Value(from), Given::Value(to)).await {
            Ok(report) => view = Some(no_show_view(&layout, from, to, &report)),
            Err(e) => refused(&layout, &mut errors, e)?,
        }
    }
    let (from, to) = match range {
        Some((f, t)) => (f.to_string(), t.to_string()),
        None => (params.from.trim().to_owned(), params.to.trim().to_owned()),
    };
    Ok(layout.render_status(
        status_of(&errors),
        &NoShowPage {
            layout: &layout,
            subnav: subnav(&layout, "/reports/no-shows"),
            from,
            to,
            errors,
            known_fields: &["from", "to"],
            view,
        },
    ))
}

fn no_show_view(
    layout: &Layout,
    from: Date,
    to: Date,
    report: &service::NoShowReport,
) -> NoShowView {
    let bars: Vec<Bar> = report
        .rows
        .iter()
        .map(|r| Bar::single(format!("{} · {}", r.month, r.name), per_mille(r.rate)))
        .collect();
    let rate = |v: i64| format!("{:.1}%", v as f64 / 10.0);
    let describe = largest(layout);
    let chart = charts::bar_chart(&BarChart {
        id: "chart-no-shows",
        title: &layout.t1("reports-chart-no-shows", "period", format!("{from} – {to}")),
        no_data: &layout.t("reports-no-data"),
        series: &[Series {
            name: layout.t("reports-rate"),
            class: "fill-no_show",
        }],
        bars: &bars,
        full_scale: 1000,
        zero_is_empty: false,
        format: &rate,
        describe: &describe,
    });
    NoShowView {
        rows: report
            .rows
            .iter()
            .map(|r| NoShowLine {
                month: r.month.clone(),
                name: r.name.clone(),
                due: r.due,
                no_shows: r.no_shows,
                rate: percent(r.rate),
            })
            .collect(),
        due: report.due,
        no_shows: report.no_shows,
        rate: percent(report.rate),
        chart,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_written_as_percentages() {
        assert_eq!(percent(1.0 / 3.0), "33.3%");
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(per_mille(1.0 / 3.0), 333);
        assert_eq!(per_mille(1.0), 1000);
    }
}
