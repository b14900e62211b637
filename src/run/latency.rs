//! A run's `--latency`, assembled: the options from the command line, the consumer
//! started (configured like the run's producer, reaching the same cluster, the embedded
//! one too) before the schedule begins, and what it found put in the report.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::check::FETCH_WAIT_MS;
use crate::cli::RunArgs;
use crate::consume::latency::Measuring;
pub(super) use crate::consume::latency::Options;
use crate::error::Error;
use crate::report::{LatencyReport, Report};
use crate::scenario::Scenario;
use crate::sink::kafka::config::consumer_properties;
use crate::sink::kafka::{Session, Settings};

/// The options of a run that measures latency (`None`: it does not).
pub(super) fn options(args: &RunArgs) -> Option<Options> {
    let l = &args.latency;
    l.wanted().then(|| Options {
        through: l.latency_topic.clone().zip(l.latency_field.clone()),
        idle_timeout: Duration::from_nanos(args.verifying.idle_timeout.0),
    })
}

/// Starts the consumer of `options` on the cluster `session` sends to, and has the sink
/// record its sends.
pub(super) fn start(
    options: &Options,
    scenario: &Scenario,
    settings: &Settings,
    session: &mut Session,
    stop: &Arc<AtomicBool>,
) -> Result<Measuring, Error> {
    let pairs: Vec<(String, String)> = settings
        .properties
        .iter()
        .map(|p| (p.key.clone(), p.value.clone()))
        .collect();
    let properties = consumer_properties(&scenario.kafka, &pairs, session.servers(), FETCH_WAIT_MS);
    let metric = settings.metrics.as_ref().map(|m| m.e2e_latency());
    let (measuring, log) = Measuring::start(
        properties,
        &scenario.topics(),
        options,
        metric,
        Arc::clone(stop),
    )
    .map_err(Error::Runtime)?;
    session.sink.record_sends(log);
    Ok(measuring)
}

/// Waits for the consumer (after the sink was dropped) and puts what it found in
/// `report`.
pub(super) fn finish(measuring: Measuring, options: &Options, report: &mut Report) {
    let found = measuring.finish();
    report.e2e_latency = Some(LatencyReport::new(
        &found,
        options.through.clone(),
        FETCH_WAIT_MS,
    ));
}
