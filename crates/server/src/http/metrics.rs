//! `GET /metrics`: Prometheus text for an operator, through the `metrics` crate and its
//! Prometheus exporter. Unauthenticated like `/healthz`, and limited to what running the
//! server needs (no patient, money or staff figure):
//!
//! - `http_requests_total{method,route,status}` and the `http_request_duration_seconds`
//!   histogram: `route` is the route's template (`/api/v1/patients/{patient_id}`), never the
//!   raw path, and `unmatched` for paths no route serves; `method` is one of the methods the
//!   server routes or `OTHER`, so the number of series stays bounded;
//! - `db_pool_connections{state="in_use"|"idle"|"max"}`;
//! - `sms_outbox_depth{state}`: messages queued, sending, failed or unknown;
//! - `process_resident_memory_bytes`.
//!
//! The recorder is the process's global one, installed once; the gauges are set when scraped.

use super::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The route template a request matched, handed from the route layer to the outer layer.
#[derive(Debug, Clone)]
struct RouteLabel(String);

/// Latency buckets in seconds: 1 ms to 10 s.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's Prometheus recorder, installed on first use. Histogram samples are drained
/// into their buckets every few seconds even when nobody scrapes, so memory stays bounded.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    BUCKETS,
                )
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => {
                    let upkeep = handle.clone();
                    let _ = std::thread::Builder::new()
                        .name("metrics-upkeep".into())
                        .spawn(move || {
                            loop {
                                std::thread::sleep(Duration::from_secs(5));
                                upkeep.run_upkeep();
                            }
                        });
                    Some(handle)
                }
                Err(e) => {
                    tracing::error!(error = %e, "metrics: cannot install the recorder; /metrics stays empty");
                    None
                }
            }
        })
        .as_ref()
}

/// Installs the recorder (at start-up, so the first requests are counted).
pub fn install() {
    let _ = handle();
}

/// The route layer: notes the matched route's template on the response.
pub async fn label_route(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let route = matched.map(|m| m.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(RouteLabel(route));
    }
    response
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The outer layer: counts every request and times it, by method, route and status.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<RouteLabel>()
        .map_or_else(|| "unmatched".to_owned(), |r| r.0.clone());
    let status = response.status().as_u16().to_string();
    metrics::counter!(
        "http_requests_total",
        "method" => method,
        "route" => route.clone(),
        "status" => status,
    )
    .increment(1);
    metrics::histogram!(
        "http_request_duration_seconds",
        "method" => method,
        "route" => route,
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// The resident set size of this process, from `/proc/self/statm` (Linux); None elsewhere.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Prometheus text.
#[utoipa::path(get, path = "/metrics", operation_id = "operations_metrics", tag = "operations",
    responses(
        (status = 200, description = "Prometheus text exposition (version 0.0.4)", body = String, content_type = "text/plain"),
    ))]
pub async fn metrics_text(State(state): State<AppState>) -> Response {
    let pool = state.store.pool_stats();
    for (name, value) in [
        ("in_use", pool.in_use),
        ("idle", pool.idle),
        ("max", pool.max),
    ] {
        metrics::gauge!("db_pool_connections", "state" => name).set(f64::from(value));
    }
    match dcms_store::outbox::depth(state.store.connection()).await {
        Ok(depths) => {
            for (sms_state, n) in depths {
                metrics::gauge!("sms_outbox_depth", "state" => sms_state.as_str()).set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot count the SMS outbox"),
    }
    match dcms_store::receipts::depth(state.store.connection()).await {
        Ok(depths) => {
            for (receipt_state, n) in depths {
                metrics::gauge!("ebarimt_outbox_depth", "state" => receipt_state.as_str())
                    .set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot count the e-barimt receipts"),
    }
    if let Some(bytes) = resident_bytes() {
        metrics::gauge!("process_resident_memory_bytes").set(bytes as f64);
    }
    let body = handle().map(PrometheusHandle::render).unwrap_or_default();
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_bounded() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(
            method_label(&Method::from_bytes(b"PROPFIND").unwrap()),
            "OTHER"
        );
    }

    #[test]
    fn resident_memory_is_read() {
        if cfg!(target_os = "linux") {
            assert!(resident_bytes().unwrap() > 1024 * 1024);
        }
    }
}
