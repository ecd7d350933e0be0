//! e-barimt on the pages: `/payments/{id}/receipt` prints a payment's receipt (the items
//! sent, the merchant's TIN, the receipt id, the lottery number and the QR code drawn from
//! PosAPI's `qrData` as SVG) or says why it is not issued yet; `/receipts` is the cashier's
//! list of receipts not issued (failed first) with a retry button. Rules:
//! `services::ebarimt`, docs/e-barimt.md.

use super::{Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::ebarimt::{self, Receipt};
use crate::services::settings;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use dcms_domain::{ReceiptKind, ReceiptState};
use serde_json::Value;

/// The QR code of `data` as an SVG element (None when it cannot be encoded).
pub fn qr_svg(data: &str) -> Option<String> {
    let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(168, 168)
            .quiet_zone(true)
            .build(),
    )
}

/// An item of the receipt as sent.
pub struct PrintedItem {
    pub name: String,
    pub qty: String,
    pub unit_price: String,
    pub total: String,
}

/// What a receipt page shows.
pub struct PrintedReceipt {
    pub receipt: Receipt,
    /// The last error in the reader's language.
    pub error: Option<String>,
    pub state: String,
    pub merchant_tin: String,
    pub customer_tin: Option<String>,
    pub items: Vec<PrintedItem>,
    pub total: String,
    pub vat: String,
    pub date: String,
    /// The QR code as an SVG element (generated here, never from input markup).
    pub qr: Option<String>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A receipt as the page prints it: what was sent, and what PosAPI answered.
pub fn printed(layout: &Layout, receipt: Receipt, request: &Value) -> PrintedReceipt {
    let money = |v: &Value| match v.as_f64() {
        Some(f) if f.fract() == 0.0 => layout.money(f as i64),
        Some(f) => format!("{f:.2} ₮"),
        None => String::new(),
    };
    let items = request["receipts"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["items"].as_array().cloned().unwrap_or_default())
        .map(|i| PrintedItem {
            name: text(&i["name"]),
            qty: text(&i["qty"]),
            unit_price: money(&i["unitPrice"]),
            total: money(&i["totalAmount"]),
        })
        .collect();
    PrintedReceipt {
        state: layout.t(&format!("receipt-state-{}", receipt.state)),
        merchant_tin: text(&request["merchantTin"]),
        customer_tin: request["customerTin"].as_str().map(str::to_owned),
        items,
        total: money(&request["totalAmount"]),
        vat: money(&request["totalVAT"]),
        date: receipt
            .issued_at
            .map(|t| layout.datetime(&t))
            .unwrap_or_default(),
        qr: receipt.qr_data.as_deref().and_then(qr_svg),
        error: receipt.last_error.as_deref().map(|e| error_text(layout, e)),
        receipt,
    }
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage<'a> {
    layout: &'a Layout,
    clinic_name: String,
    r: PrintedReceipt,
}

/// `GET /payments/{payment_id}/receipt`.
pub async fn show(
    State(state): State<AppState>,
    Path(payment_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    let receipt = ebarimt::of_payment(&state.store, payment_id)
        .await
        .or_page(&layout)?;
    let request = ebarimt::request_of(&state.store, receipt.receipt_id)
        .await
        .or_page(&layout)?;
    let clinic = settings::get(&state.store).await.or_page(&layout)?;
    Ok(layout.render(&ReceiptPage {
        layout: &layout,
        clinic_name: clinic.clinic_name,
        r: printed(&layout, receipt, &request),
    }))
}

/// A receipt's last error in the reader's language (`<code>: <detail>`, the code
/// translated, the detail as PosAPI said it).
pub fn error_text(layout: &Layout, error: &str) -> String {
    match error.split_once(": ") {
        Some((code, detail)) if code.bytes().all(|b| b.is_ascii_lowercase()) => {
            format!("{} ({detail})", layout.t(&format!("receipt-error-{code}")))
        }
        _ => error.to_owned(),
    }
}

/// A row of the cashier's list.
pub struct WaitingRow {
    pub attempts: String,
    pub error: Option<String>,
    pub receipt: Receipt,
    pub kind: String,
    pub state: String,
    pub amount: String,
    pub created: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "receipts.html")]
struct ReceiptsPage<'a> {
    layout: &'a Layout,
    enabled: bool,
    rows: Vec<WaitingRow>,
}

/// `GET /receipts`: receipts not issued yet, failed first.
pub async fn list(State(state): State<AppState>, layout: Layout) -> PageResult {
    let clinic = settings::get(&state.store).await.or_page(&layout)?;
    let receipts = ebarimt::list(&state.store, None).await.or_page(&layout)?;
    let rows = receipts
        .into_iter()
        .map(|r| WaitingRow {
            kind: layout.t(if r.kind == ReceiptKind::Return {
                "receipt-kind-return"
            } else {
                "receipt-kind-issue"
            }),
            state: layout.t(&format!("receipt-state-{}", r.state)),
            error: r.last_error.as_deref().map(|e| error_text(&layout, e)),
            attempts: layout.t1("receipt-attempts", "n", r.attempts),
            amount: layout.money(r.amount),
            created: layout.datetime(&r.created_at),
            next: if r.state == ReceiptState::Queued {
                layout.datetime(&r.next_attempt_at)
            } else {
                String::new()
            },
            receipt: r,
        })
        .collect();
    Ok(layout.render(&ReceiptsPage {
        layout: &layout,
        enabled: clinic.ebarimt.enabled,
        rows,
    }))
}

/// `POST /receipts/{receipt_id}/retry`: sends it again now; back to the list.
pub async fn retry(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(receipt_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    ebarimt::retry(&state.store, &state.audit, caller.actor(), receipt_id)
        .await
        .or_page(&layout)?;
    Ok(layout.go(Saved::to("/receipts", msg("flash-receipt-retried"))))
}
