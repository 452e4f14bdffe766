//! One log line per request, naming the route's pattern rather than the path: paths carry
//! secrets (`/password-reset/{token}`, `/unsubscribe/{token}`, a personal calendar feed's
//! signature), and a log is read by more people, and kept longer, than a database row. The
//! same pattern, method and status are counted for `/metrics`.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::Data;

use crate::metrics::Metrics;

/// What a path that matched no route is logged as.
const UNMATCHED: &str = "(no route)";

pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let peer = req
        .peer_addr()
        .map(|address| address.ip().to_string())
        .unwrap_or_default();
    let metrics = req.app_data::<Data<Metrics>>().cloned();
    let outcome = next.call(req).await;
    let elapsed = started.elapsed();
    let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
    match &outcome {
        Ok(response) => {
            let route = response
                .request()
                .match_pattern()
                .unwrap_or_else(|| UNMATCHED.to_owned());
            let status = response.status().as_u16();
            if let Some(metrics) = &metrics {
                metrics.request(&route, method.as_str(), status, elapsed);
            }
            tracing::info!(
                target: "spot::access",
                %peer,
                %method,
                %route,
                status,
                ms = format_args!("{elapsed_ms:.1}"),
                "request"
            );
        }
        Err(error) => {
            if let Some(metrics) = &metrics {
                let status = error.as_response_error().status_code().as_u16();
                metrics.request(UNMATCHED, method.as_str(), status, elapsed);
            }
            tracing::warn!(target: "spot::access", %peer, %method, %error, "request failed");
        }
    }
    outcome
}
