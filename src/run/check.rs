//! The other side of the pipe, assembled: `simulate verify` and `simulate score`, and
//! the consumer configuration they share with a run (the same cluster, reached the same
//! way as the run reached it).

use std::collections::BTreeMap;

use crate::cli::{ClusterArgs, ScoreArgs, VerifyArgs};
use crate::error::Error;
use crate::scenario::Scenario;
use crate::sink::kafka::config::{self, Brokers};
use crate::sink::kafka::sources::{self, Given};

/// How long a broker may hold a fetch of the checks' consumer: short, so that an idle
/// timeout is measured from the data, and latency figures carry little broker wait
/// (Tansu holds every fetch for the whole `fetch.wait.max.ms`).
pub(crate) const FETCH_WAIT_MS: u32 = 10;

/// The librdkafka properties of a consumer of the cluster `cluster` names (its `-X`,
/// `-F` and `SIMULATE_X_*` read as a run reads them, `@FILE` values included), and the
/// bootstrap servers. There is no embedded cluster to read from outside a run: no
/// brokers is invalid input, said with `what` (e.g. "simulate verify").
pub(crate) fn consumer_config(
    cluster: &ClusterArgs,
    scenario: &mut Scenario,
    what: &str,
    quiet: bool,
) -> Result<(String, BTreeMap<String, String>), Error> {
    let given = Given {
        file: cluster.properties_file.as_deref(),
        env: &cluster.env_properties,
        flags: &cluster.properties,
        notes: !quiet,
    };
    let sources = sources::gather(given, &mut scenario.kafka.properties)?;
    let brokers = config::brokers(
        cluster.bootstrap_servers.as_deref(),
        cluster.env_bootstrap_servers.as_deref(),
        sources.bootstrap_servers.as_deref(),
        scenario.kafka.bootstrap_servers.as_deref(),
        false,
    );
    let Brokers::Remote { servers, .. } = brokers else {
        return Err(Error::Usage(format!(
            "{what} reads a cluster: give -b HOST:PORT (or KAFKA_BOOTSTRAP_SERVERS, or the \
             scenario's kafka.bootstrap_servers); an embedded cluster lives only as long as \
             its run, so use the run's --verify there"
        )));
    };
    let pairs: Vec<(String, String)> = sources
        .properties
        .iter()
        .map(|p| (p.key.clone(), p.value.clone()))
        .collect();
    let properties = config::consumer_properties(&scenario.kafka, &pairs, &servers, FETCH_WAIT_MS);
    Ok((servers, properties))
}

/// `simulate verify`.
pub(super) fn verify_command(_args: &VerifyArgs) -> Result<u8, Error> {
    Err(Error::Usage("simulate verify: not built yet".into()))
}

/// `simulate score`.
pub(super) fn score_command(_args: &ScoreArgs) -> Result<u8, Error> {
    Err(Error::Usage("simulate score: not built yet".into()))
}
