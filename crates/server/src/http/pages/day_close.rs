//! `/day-close?date=`: the cashier's end of the day. The day's payments listed, the expected
//! amount per method beside the counted one (typed in, with the difference once closed) and a
//! note; a closed day shows who closed it, and a manager or an admin may reopen it. Rules:
//! `services::day_close`.

use super::{Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::day_close::{self, Counted};
use crate::services::reports::ByMethod;
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use dcms_domain::PaymentMethod;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DayParams {
    date: String,
}

/// One method's line: expected, counted, difference.
pub struct MethodLine {
    pub key: &'static str,
    pub label: String,
    pub expected: String,
    /// As stored once closed (an input's value while open: empty).
    pub counted: Option<String>,
    pub difference: Option<String>,
    /// The difference is not zero.
    pub off: bool,
}

/// A payment of the day.
pub struct PaymentLine {
    pub time: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub treatment_id: i64,
    pub amount: String,
    pub refund: bool,
    pub method: String,
    pub note: Option<String>,
}

#[derive(Template)]
#[template(path = "day_close.html")]
struct DayClosePage<'a> {
    layout: &'a Layout,
    date: String,
    closed: bool,
    lines: Vec<MethodLine>,
    expected_total: String,
    counted_total: Option<String>,
    difference_total: Option<String>,
    note: Option<String>,
    closed_at: Option<String>,
    reopened_at: Option<String>,
    payments: Vec<PaymentLine>,
    /// The caller counts the drawer (receptionists, managers, admins).
    may_close: bool,
    may_reopen: bool,
}

fn amount_of(m: &ByMethod, method: PaymentMethod) -> i64 {
    match method {
        PaymentMethod::Cash => m.cash,
        PaymentMethod::Card => m.card,
        PaymentMethod::Transfer => m.transfer,
        PaymentMethod::Qpay => m.qpay,
    }
}

fn total(m: &ByMethod) -> i64 {
    m.cash + m.card + m.transfer + m.qpay
}

/// `GET /day-close?date=` (default today).
pub async fn show(
    State(state): State<AppState>,
    Query(params): Query<DayParams>,
    layout: Layout,
) -> PageResult {
    let date = params
        .date
        .trim()
        .parse::<jiff::civil::Date>()
        .unwrap_or_else(|_| layout.today().parse().unwrap_or_default());
    let day = day_close::get(&state.store, date).await.or_page(&layout)?;
    let payments = day_close::payments(&state.store, date)
        .await
        .or_page(&layout)?;
    let at = |t: jiff::Timestamp| {
        t.to_zoned(layout.time_zone.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    let lines = PaymentMethod::ALL
        .iter()
        .map(|&m| {
            let difference = day.difference.as_ref().map(|d| amount_of(d, m));
            MethodLine {
                key: m.as_str(),
                label: layout.t(&format!("payment-method-{}", m.as_str())),
                expected: layout.money(amount_of(&day.expected, m)),
                counted: day.counted.as_ref().map(|c| layout.money(amount_of(c, m))),
                difference: difference.map(|d| layout.money(d)),
                off: difference.is_some_and(|d| d != 0),
            }
        })
        .collect();
    Ok(layout.render(&DayClosePage {
        layout: &layout,
        date: date.to_string(),
        closed: day.closed,
        lines,
        expected_total: layout.money(total(&day.expected)),
        counted_total: day.counted.as_ref().map(|c| layout.money(total(c))),
        difference_total: day.difference.as_ref().map(|d| layout.money(total(d))),
        note: day.note.clone(),
        closed_at: day.closed_at.map(at),
        reopened_at: day.reopened_at.map(at),
        payments: payments
            .into_iter()
            .map(|p| PaymentLine {
                time: p
                    .payment
                    .paid_at
                    .to_zoned(layout.time_zone.clone())
                    .strftime("%H:%M")
                    .to_string(),
                patient_id: p.patient_id,
                patient_name: p.patient_name,
                treatment_id: p.payment.treatment_id,
                amount: layout.money(p.payment.amount.amount()),
                refund: p.payment.amount.amount() < 0,
                method: layout.t(&format!("payment-method-{}", p.payment.method.as_str())),
                note: p.payment.note,
            })
            .collect(),
        may_close: layout.can.day_close_write,
        may_reopen: layout.can.refunds,
    }))
}

/// The close as typed: an amount per method (people write `150 000`), a note.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    date: String,
    cash: String,
    card: String,
    transfer: String,
    qpay: String,
    note: String,
}

fn typed_amount(text: &str) -> Option<i64> {
    match dcms_domain::Money::parse(text) {
        Ok(m) => Some(m.amount()),
        Err(_) => None,
    }
}

/// `POST /day-close`: closes the day; back to it.
pub async fn close(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<CloseForm>,
) -> PageResult {
    let date = form.date.trim().parse::<jiff::civil::Date>().ok();
    let counted = Counted {
        cash: typed_amount(&form.cash),
        card: typed_amount(&form.card),
        transfer: typed_amount(&form.transfer),
        qpay: typed_amount(&form.qpay),
    };
    day_close::close(
        &state.store,
        &state.audit,
        caller.actor(),
        date,
        counted,
        Some(form.note.as_str()),
    )
    .await
    .or_page(&layout)?;
    Ok(layout.go(Saved::to(
        format!("/day-close?date={}", form.date.trim()),
        msg("flash-day-closed"),
    )))
}

/// `POST /day-close/{date}/reopen`.
pub async fn reopen(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(date): Path<String>,
    layout: Layout,
) -> PageResult {
    let day = date
        .trim()
        .parse::<jiff::civil::Date>()
        .map_err(|_| layout.error(crate::services::ServiceError::NotFound("day")))?;
    day_close::reopen(&state.store, &state.audit, caller.actor(), day)
        .await
        .or_page(&layout)?;
    Ok(layout.go(Saved::to(
        format!("/day-close?date={day}"),
        msg("flash-day-reopened"),
    )))
}
