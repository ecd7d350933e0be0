//! A PosAPI 3.0 simulator for tests: a small axum app that answers `POST /rest/receipt`,
//! `DELETE /rest/receipt` and `GET /rest/sendData` as the clinic's PosAPI service does
//! (success with an id, a lottery number and QR data; `status: ERROR`; HTTP 500; a hang past
//! the caller's time-out), checks what DCMS sends (the required fields, items summing to
//! their receipt and receipts to the total, quantity × unit price, VAT of VAT_ABLE lines a
//! eleventh of the price, none on others, B2B with a customer TIN), and issues at most one
//! receipt per `billIdSuffix` (a repeat is answered with the receipt already issued). Its
//! state outlives a restart on the same port: a restart loses nothing.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the simulator answers the next calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Ok,
    /// 200 with `status: ERROR`.
    Error,
    /// HTTP 500.
    Http500,
    /// Issues the receipt, then waits this long before answering.
    Hang(Duration),
}

/// A receipt the simulator issued.
#[derive(Debug, Clone)]
pub struct Issued {
    pub id: String,
    pub lottery: String,
    pub qr_data: String,
    pub date: String,
    pub body: Value,
    pub returned: bool,
}

#[derive(Debug)]
pub struct SimState {
    pub mode: Mode,
    /// Every receipt by `billIdSuffix`.
    pub receipts: HashMap<String, Issued>,
    /// How many receipts were issued for each suffix (never more than one).
    pub issued: HashMap<String, u32>,
    /// Every `POST /rest/receipt` body received.
    pub posts: Vec<Value>,
    /// What DCMS sent that PosAPI would refuse.
    pub problems: Vec<String>,
    pub send_data: u32,
    next: u64,
}

#[derive(Clone)]
pub struct PosApiSim {
    pub url: String,
    pub state: Arc<Mutex<SimState>>,
    stop: Arc<Mutex<Option<tokio::sync::oneshot::Sender<()>>>>,
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// What PosAPI would refuse in a receipt request.
pub fn check(body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut need = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    for field in [
        "branchNo",
        "merchantTin",
        "posNo",
        "type",
        "billIdSuffix",
        "districtCode",
    ] {
        need(
            body[field].as_str().is_some_and(|s| !s.is_empty()),
            format!("{field} is required"),
        );
    }
    let kind = body["type"].as_str().unwrap_or_default();
    need(
        matches!(kind, "B2C_RECEIPT" | "B2B_RECEIPT"),
        format!("type {kind}"),
    );
    need(
        (kind == "B2B_RECEIPT") == body["customerTin"].as_str().is_some(),
        "customerTin goes with B2B_RECEIPT, and only with it".into(),
    );
    let total = number(&body["totalAmount"]).unwrap_or(-1.0);
    need(total > 0.0, "totalAmount".into());
    let receipts = body["receipts"].as_array().cloned().unwrap_or_default();
    need(!receipts.is_empty(), "receipts must not be empty".into());
    let (mut sum, mut vat_sum) = (0.0, 0.0);
    for r in &receipts {
        let tax = r["taxType"].as_str().unwrap_or_default();
        need(
            matches!(tax, "VAT_ABLE" | "VAT_FREE" | "VAT_ZERO" | "NO_VAT"),
            format!("taxType {tax}"),
        );
        need(
            r["merchantTin"] == body["merchantTin"],
            "a receipt's merchantTin".into(),
        );
        let items = r["items"].as_array().cloned().unwrap_or_default();
        need(!items.is_empty(), "items must not be empty".into());
        let (mut isum, mut ivat) = (0.0, 0.0);
        for i in &items {
            need(
                i["name"].as_str().is_some_and(|s| !s.is_empty()),
                "item name".into(),
            );
            need(
                i["measureUnit"].as_str().is_some(),
                "item measureUnit".into(),
            );
            let qty = number(&i["qty"]).unwrap_or(0.0);
            let unit = number(&i["unitPrice"]).unwrap_or(0.0);
            let amount = number(&i["totalAmount"]).unwrap_or(-1.0);
            need(
                qty > 0.0 && unit > 0.0,
                format!("qty and unitPrice > 0: {i}"),
            );
            need(
                (qty * unit - amount).abs() < 0.005,
                format!("qty × unitPrice = totalAmount: {i}"),
            );
            let vat = number(&i["totalVAT"]).unwrap_or(0.0);
            let want = if tax == "VAT_ABLE" {
                amount / 11.0
            } else {
                0.0
            };
            need(
                (vat - want).abs() <= 0.006,
                format!("item VAT {vat}, want {want:.2}"),
            );
            isum += amount;
            ivat += vat;
        }
        let rtotal = number(&r["totalAmount"]).unwrap_or(-1.0);
        let rvat = number(&r["totalVAT"]).unwrap_or(0.0);
        need(
            (isum - rtotal).abs() < 0.005,
            format!("items sum {isum} to their receipt's {rtotal}"),
        );
        let want = if tax == "VAT_ABLE" {
            rtotal / 11.0
        } else {
            0.0
        };
        need(
            (rvat - want).abs() <= 0.006 * (items.len() as f64 + 1.0),
            format!("receipt VAT {rvat}, want {want:.2}"),
        );
        need(
            (ivat - rvat).abs() < 0.005 * items.len() as f64 + 0.001,
            "items' VAT sum to the receipt's".into(),
        );
        sum += rtotal;
        vat_sum += rvat;
    }
    need(
        (sum - total).abs() < 0.005,
        format!("receipts sum {sum} to the total {total}"),
    );
    need(
        (number(&body["totalVAT"]).unwrap_or(0.0) - vat_sum).abs() < 0.005,
        "totalVAT".into(),
    );
    let paid: f64 = body["payments"].as_array().map_or(0.0, |p| {
        p.iter().filter_map(|p| number(&p["paidAmount"])).sum()
    });
    need(
        (paid - total).abs() < 0.005,
        format!("payments {paid} to the total {total}"),
    );
    problems
}

async fn receipt(
    State(sim): State<Arc<Mutex<SimState>>>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let (mode, answer) = {
        let mut s = sim.lock().unwrap();
        s.posts.push(body.clone());
        let mode = s.mode;
        match mode {
            Mode::Http500 => {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(json!({"message": "internal"})),
                );
            }
            Mode::Error => {
                return (
                    StatusCode::OK,
                    Json(json!({"status": "ERROR", "message": "Сугалааны дугаар дууссан"})),
                );
            }
            _ => {}
        }
        let problems = check(&body);
        if !problems.is_empty() {
            s.problems.extend(problems.iter().cloned());
            return (
                StatusCode::OK,
                Json(json!({"status": "ERROR", "message": problems.join("; ")})),
            );
        }
        let suffix = body["billIdSuffix"].as_str().unwrap_or_default().to_owned();
        if !s.receipts.contains_key(&suffix) {
            s.next += 1;
            let n = s.next;
            let issued = Issued {
                id: format!("0370{:029}", n),
                lottery: format!("AB {:08}", 12_345_600 + n),
                qr_data: format!("{:0>100}", n * 7919),
                date: jiff::Timestamp::now()
                    .in_tz("Asia/Ulaanbaatar")
                    .unwrap()
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                body: body.clone(),
                returned: false,
            };
            s.receipts.insert(suffix.clone(), issued);
            *s.issued.entry(suffix.clone()).or_default() += 1;
        }
        let r = &s.receipts[&suffix];
        let answer = json!({
            "id": r.id, "version": "3.0.0", "posId": 1, "status": "SUCCESS",
            "qrData": r.qr_data, "lottery": r.lottery, "date": r.date, "easy": false,
            "totalAmount": body["totalAmount"], "receipts": body["receipts"],
            "merchantTin": body["merchantTin"], "branchNo": body["branchNo"], "posNo": body["posNo"], "type": body["type"],
        });
        (mode, answer)
    };
    if let Mode::Hang(wait) = mode {
        tokio::time::sleep(wait).await;
    }
    (StatusCode::OK, Json(answer))
}

async fn return_receipt(
    State(sim): State<Arc<Mutex<SimState>>>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mut s = sim.lock().unwrap();
    match s.mode {
        Mode::Http500 => return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({}))),
        Mode::Error => {
            return (
                StatusCode::OK,
                Json(json!({"status": "ERROR", "message": "returned already"})),
            );
        }
        _ => {}
    }
    let id = body["id"].as_str().unwrap_or_default().to_owned();
    let date = body["date"].as_str().unwrap_or_default().to_owned();
    match s.receipts.values_mut().find(|r| r.id == id) {
        Some(r) if r.date == date && !r.returned => {
            r.returned = true;
            (StatusCode::OK, Json(json!({})))
        }
        _ => {
            s.problems
                .push(format!("a return of {id} {date}: not an issued receipt"));
            (
                StatusCode::OK,
                Json(json!({"status": "ERROR", "message": "no such receipt"})),
            )
        }
    }
}

async fn send_data(State(sim): State<Arc<Mutex<SimState>>>) -> StatusCode {
    let mut s = sim.lock().unwrap();
    if s.mode == Mode::Http500 {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    s.send_data += 1;
    StatusCode::OK
}

impl PosApiSim {
    /// Starts on a free port, answering successfully.
    pub async fn start() -> PosApiSim {
        let state = Arc::new(Mutex::new(SimState {
            mode: Mode::Ok,
            receipts: HashMap::new(),
            issued: HashMap::new(),
            posts: Vec::new(),
            problems: Vec::new(),
            send_data: 0,
            next: 0,
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let sim = PosApiSim {
            url,
            state,
            stop: Arc::new(Mutex::new(None)),
        };
        sim.serve(listener);
        sim
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let router = axum::Router::new()
            .route(
                "/rest/receipt",
                axum::routing::post(receipt).delete(return_receipt),
            )
            .route("/rest/sendData", axum::routing::get(send_data))
            .with_state(self.state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        *self.stop.lock().unwrap() = Some(tx);
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
                .unwrap()
        });
    }

    /// Stops answering (connections are refused) until [`PosApiSim::restart`].
    pub async fn stop(&self) {
        if let Some(tx) = self.stop.lock().unwrap().take() {
            let _ = tx.send(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    /// Serves again on the same port with the same state.
    pub async fn restart(&self) {
        let address = self.url.trim_start_matches("http://").to_owned();
        let listener = loop {
            match tokio::net::TcpListener::bind(&address).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        self.serve(listener);
    }

    pub fn set(&self, mode: Mode) {
        self.state.lock().unwrap().mode = mode;
    }

    pub fn posts(&self) -> Vec<Value> {
        self.state.lock().unwrap().posts.clone()
    }

    pub fn problems(&self) -> Vec<String> {
        self.state.lock().unwrap().problems.clone()
    }

    /// The receipts issued, by suffix.
    pub fn receipts(&self) -> HashMap<String, Issued> {
        self.state.lock().unwrap().receipts.clone()
    }

    /// Suffixes issued more than once (always empty).
    pub fn issued_twice(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .issued
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(s, _)| s.clone())
            .collect()
    }

    pub fn send_data_calls(&self) -> u32 {
        self.state.lock().unwrap().send_data
    }

    /// The settings body that points DCMS at this simulator.
    pub fn settings(&self) -> Value {
        json!({"ebarimt": {
            "enabled": true, "url": self.url, "merchant_tin": "5317878", "pos_no": "10012345",
            "branch_no": "001", "district_code": "3505", "default_tax_type": "VAT_FREE"
        }})
    }
}
