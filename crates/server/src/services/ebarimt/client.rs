//! The HTTP calls to the clinic's PosAPI 3.0 service: `POST /rest/receipt`,
//! `DELETE /rest/receipt`, `GET /rest/sendData`. Every failure is an error the worker
//! retries with back-off: PosAPI down, a time-out, HTTP 5xx or 4xx, or an answer with
//! `status: ERROR` (its `message` kept for the cashier).

use serde::Deserialize;
use std::time::Duration;

/// Why a call did not succeed. Shown as `<code>: <detail>` (the receipt's `last_error`): the
/// pages say the code in the reader's language (`receipt-error-<code>`), the detail as PosAPI
/// said it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PosError {
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("timeout: no answer within {0} s")]
    TimedOut(u64),
    #[error("http: HTTP {0} {1}")]
    Http(u16, String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("garbled: {0}")]
    Garbled(String),
}

/// What PosAPI answers for an issued receipt (the fields DCMS keeps).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issued {
    pub id: String,
    pub lottery: Option<String>,
    pub qr_data: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS`, needed to return it.
    pub date: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    status: Option<String>,
    message: Option<String>,
    id: Option<String>,
    lottery: Option<String>,
    qr_data: Option<String>,
    date: Option<String>,
}

/// A client with the time-out for each call.
#[derive(Debug, Clone)]
pub struct PosApi {
    http: reqwest::Client,
    timeout: Duration,
}

fn url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

impl PosApi {
    pub fn new(timeout: Duration) -> PosApi {
        PosApi {
            http: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .unwrap_or_default(),
            timeout,
        }
    }

    fn failed(&self, e: reqwest::Error) -> PosError {
        if e.is_timeout() {
            PosError::TimedOut(self.timeout.as_secs())
        } else {
            PosError::Unreachable(e.without_url().to_string())
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<String, PosError> {
        let response = request.send().await.map_err(|e| self.failed(e))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| self.failed(e))?;
        if !status.is_success() {
            let said: String = body.chars().take(300).collect();
            return Err(PosError::Http(status.as_u16(), said));
        }
        Ok(body)
    }

    /// `POST /rest/receipt` with `body` (the stored request).
    pub async fn issue(&self, base: &str, body: &str) -> Result<Issued, PosError> {
        let request = self
            .http
            .post(url(base, "/rest/receipt"))
            .header("content-type", "application/json")
            .body(body.to_owned());
        let text = self.send(request).await?;
        let answer: Answer =
            serde_json::from_str(&text).map_err(|e| PosError::Garbled(e.to_string()))?;
        match (answer.status.as_deref(), answer.id) {
            (Some("SUCCESS") | None, Some(id)) if !id.is_empty() => Ok(Issued {
                id,
                lottery: answer.lottery,
                qr_data: answer.qr_data,
                date: answer.date,
            }),
            (status, _) => {
                Err(PosError::Refused(answer.message.unwrap_or_else(|| {
                    format!("status {}", status.unwrap_or("none"))
                })))
            }
        }
    }

    /// `DELETE /rest/receipt {id, date}`.
    pub async fn return_receipt(
        &self,
        base: &str,
        id: &str,
        date: Option<&str>,
    ) -> Result<(), PosError> {
        let body = serde_json::json!({"id": id, "date": date});
        let request = self
            .http
            .delete(url(base, "/rest/receipt"))
            .header("content-type", "application/json")
            .body(body.to_string());
        let text = self.send(request).await?;
        // An empty body is success; a body may say ERROR.
        if let Ok(answer) = serde_json::from_str::<Answer>(&text)
            && answer.status.as_deref() == Some("ERROR")
        {
            return Err(PosError::Refused(
                answer.message.unwrap_or_else(|| "status ERROR".into()),
            ));
        }
        Ok(())
    }

    /// `GET /rest/sendData`: PosAPI sends the day's receipts to the tax authority.
    pub async fn send_data(&self, base: &str) -> Result<(), PosError> {
        self.send(self.http.get(url(base, "/rest/sendData")))
            .await
            .map(|_| ())
    }
}
