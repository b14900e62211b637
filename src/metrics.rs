//! `--metrics ADDR`: the run's counters and histograms in Prometheus text format, served
//! at `http://ADDR/metrics` while it runs (the `prometheus` crate encodes, `tiny_http`
//! serves; one thread, one request at a time).
//!
//! Words as in the report and the truth: an *event* is what the plan draws, a *message*
//! what is sent (events less dropped ones, plus second copies of duplicates). The plan's
//! totals are gauges set once a count of the whole plan (beside the run, from the same
//! pure plan) is done, so that a dashboard computes progress as
//! `simulate_messages_taken_total / simulate_plan_messages`.
//!
//! The replay loop counts messages taken from the plan and handed to the sink, observes
//! pacing lateness, and copies the sink's delivered, failed and queued counts every 64
//! messages, while it waits, and once more after the final flush (and, after a stop,
//! adds the rest of the plan it counted), so a scrape after the flush equals the report.
//! The process ends right after, so a scraper polling every few seconds usually misses
//! that last state: the report is the run's record. The Kafka sink observes delivery
//! latency as reports arrive; with `--latency`, the run's consumer observes end-to-end
//! latency (`simulate_e2e_latency_seconds`) as it matches messages. Every series carries the labels `scenario` and `shard`
//! (`K/N`, or `all`).

use std::net::SocketAddr;
use std::sync::Arc;

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntGauge, Opts, Registry, TextEncoder,
};

use crate::error::Error;

/// The metrics of one run.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    /// The `scenario` and `shard` labels, for series registered later.
    labels: (String, String),
    /// Messages taken from the plan so far.
    pub taken: IntCounter,
    /// Messages handed to the sink.
    pub sent: IntCounter,
    delivered: IntCounter,
    failed: IntCounter,
    /// Messages handed to the producer and not yet confirmed.
    queued: IntGauge,
    /// How late each paced send was, in seconds.
    pub lateness: Histogram,
    /// Send to broker acknowledgement, in seconds (sampled as the report samples it).
    pub delivery_latency: Histogram,
}

/// `metric`, registered in `registry` (names are fixed here, so registering cannot clash).
fn registered<C: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    metric: C,
) -> C {
    registry
        .register(Box::new(metric.clone()))
        .expect("each metric registered once");
    metric
}

impl Metrics {
    /// The metrics of a run of `scenario` (as shard `shard`, e.g. `3/8`, or `all`).
    pub fn new(scenario: &str, shard: &str) -> Metrics {
        let registry = Registry::new();
        let opts = |name: &str, help: &str| {
            Opts::new(name, help)
                .const_label("scenario", scenario)
                .const_label("shard", shard)
        };
        let counter = |name: &str, help: &str| {
            let c = IntCounter::with_opts(opts(name, help)).expect("a valid metric name");
            registered(&registry, c)
        };
        let histogram = |name: &str, help: &str, buckets: Vec<f64>| {
            let h = Histogram::with_opts(HistogramOpts {
                common_opts: opts(name, help),
                buckets,
            })
            .expect("a valid histogram");
            registered(&registry, h)
        };
        let taken = counter(
            "simulate_messages_taken_total",
            "Messages taken from the plan so far (of simulate_plan_messages).",
        );
        let sent = counter(
            "simulate_messages_sent_total",
            "Messages handed to the sink (queued for delivery).",
        );
        let delivered = counter(
            "simulate_messages_delivered_total",
            "Messages the broker acknowledged.",
        );
        let failed = counter(
            "simulate_messages_failed_total",
            "Messages that failed (at send or in a delivery report).",
        );
        let queued = IntGauge::with_opts(opts(
            "simulate_messages_queued",
            "Messages handed to the producer and not yet confirmed.",
        ))
        .expect("a valid metric name");
        let queued = registered(&registry, queued);
        let lateness = histogram(
            "simulate_pacing_lateness_seconds",
            "How late each paced send was against its planned instant.",
            prometheus::exponential_buckets(1e-6, 4.0, 12).expect("valid buckets"),
        );
        let delivery_latency = histogram(
            "simulate_delivery_latency_seconds",
            "Time from send to the broker's acknowledgement (sampled).",
            prometheus::exponential_buckets(1e-4, 2.0, 17).expect("valid buckets"),
        );
        Metrics {
            registry,
            labels: (scenario.to_string(), shard.to_string()),
            taken,
            sent,
            delivered,
            failed,
            queued,
            lateness,
            delivery_latency,
        }
    }

    /// `--latency`: the histogram of end-to-end latency, `simulate_e2e_latency_seconds`
    /// (registered by this call; call it once).
    pub fn e2e_latency(&self) -> Histogram {
        let opts = Opts::new(
            "simulate_e2e_latency_seconds",
            "End-to-end latency: consume time minus send time of each message matched (--latency).",
        )
        .const_label("scenario", &self.labels.0)
        .const_label("shard", &self.labels.1);
        let h = Histogram::with_opts(HistogramOpts {
            common_opts: opts,
            buckets: prometheus::exponential_buckets(1e-4, 2.0, 20).expect("valid buckets"),
        })
        .expect("a valid histogram");
        // Registered once per run; a second call observes into a series not exported.
        let _ = self.registry.register(Box::new(h.clone()));
        h
    }

    /// Exports the plan's totals, once counted: `simulate_plan_events` and
    /// `simulate_plan_messages` (gauges; absent until known).
    pub fn plan_known(&self, events: u64, messages: u64) {
        for (name, help, value) in [
            (
                "simulate_plan_events",
                "Events in the whole plan (dropped ones included, second copies not).",
                events,
            ),
            (
                "simulate_plan_messages",
                "Messages in the whole plan: what simulate_messages_taken_total ends at.",
                messages,
            ),
        ] {
            let opts = Opts::new(name, help)
                .const_label("scenario", &self.labels.0)
                .const_label("shard", &self.labels.1);
            let gauge = IntGauge::with_opts(opts).expect("a valid metric name");
            gauge.set(i64::try_from(value).unwrap_or(i64::MAX));
            // Set once per run; a second call would only repeat the same values.
            let _ = self.registry.register(Box::new(gauge));
        }
    }

    /// Copies the sink's counts (totals so far; counters only move up).
    pub fn refresh(&self, delivered: u64, failed: u64, queued: u64) {
        self.delivered
            .inc_by(delivered.saturating_sub(self.delivered.get()));
        self.failed.inc_by(failed.saturating_sub(self.failed.get()));
        self.queued.set(i64::try_from(queued).unwrap_or(i64::MAX));
    }

    /// The metrics in Prometheus text format.
    pub fn text(&self) -> String {
        let mut out = Vec::new();
        // Encoding text into a Vec cannot fail.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Serves `/metrics` at `addr` from a thread of its own, for as long as the process
    /// lives. Returns the address bound (port 0 picks a free one).
    pub fn serve(self: &Arc<Self>, addr: &str) -> Result<SocketAddr, Error> {
        let server = tiny_http::Server::http(addr).map_err(|e| {
            Error::Runtime(format!(
                "cannot serve metrics at {addr}: {e}; choose a free address, e.g. --metrics 127.0.0.1:9464"
            ))
        })?;
        let bound = server.server_addr().to_ip().ok_or_else(|| {
            Error::Runtime(format!("cannot serve metrics at {addr}: not an IP address"))
        })?;
        let metrics = Arc::clone(self);
        std::thread::Builder::new()
            .name("metrics".into())
            .spawn(move || {
                for request in server.incoming_requests() {
                    let response = if request.url() == "/metrics" {
                        let header = tiny_http::Header::from_bytes(
                            &b"Content-Type"[..],
                            &b"text/plain; version=0.0.4; charset=utf-8"[..],
                        )
                        .expect("a valid header");
                        tiny_http::Response::from_string(metrics.text()).with_header(header)
                    } else {
                        tiny_http::Response::from_string("see /metrics\n").with_status_code(404)
                    };
                    let _ = request.respond(response);
                }
            })
            .map_err(|e| Error::Runtime(format!("cannot start the metrics thread: {e}")))?;
        Ok(bound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_to_end_latency_is_a_histogram_in_seconds_once_asked_for() {
        let m = Metrics::new("default", "all");
        assert!(!m.text().contains("simulate_e2e_latency_seconds"));
        let h = m.e2e_latency();
        h.observe(0.2);
        h.observe(0.25);
        let text = m.text();
        assert!(
            text.contains("# TYPE simulate_e2e_latency_seconds histogram"),
            "{text}"
        );
        assert!(
            text.contains(
                r#"simulate_e2e_latency_seconds_count{scenario="default",shard="all"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"simulate_e2e_latency_seconds_bucket{scenario="default",shard="all",le="0.2048"} 1"#),
            "{text}"
        );
    }
}
