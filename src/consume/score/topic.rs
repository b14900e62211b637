//! The records of a pipeline's output topic (the `kafka` feature): every partition read
//! through the one [`Reader`], from the start's timestamp or the beginning, until
//! nothing new has come for the idle timeout. Tansu's high watermarks are wrong, so they
//! never end the read; and since Tansu answers `offsetsForTimes` with offset 0, a read
//! from the start also skips messages stamped before it by their own timestamps.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::compare::Gathered;
use super::expected::Expected;
use super::record::Fields;
use crate::consume::reader::{From, Reader};
use crate::error::Error;

/// How long the metadata and offsets of the topic may take to come.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one poll waits.
const POLL: Duration = Duration::from_millis(100);

/// Where and how long to read.
#[derive(Debug, Clone)]
pub(crate) struct Source<'a> {
    /// The consumer's librdkafka properties.
    pub properties: &'a BTreeMap<String, String>,
    /// The topic.
    pub topic: &'a str,
    /// From where: the start's timestamp (messages stamped before it skipped) or the
    /// beginning.
    pub from: From,
    /// The read ends when nothing new has come for this long.
    pub idle: Duration,
}

/// Reads the topic into `gathered`; returns how many messages were skipped as stamped
/// before the start.
pub(crate) fn topic(
    source: &Source,
    fields: &Fields,
    truth: &Expected,
    gathered: &mut Gathered,
) -> Result<u64, Error> {
    let failed = |e: rdkafka::error::KafkaError| {
        Error::Runtime(format!("cannot read topic {}: {e}", source.topic))
    };
    let mut reader = Reader::open(
        source.properties,
        &[source.topic],
        source.from,
        OPEN_TIMEOUT,
    )
    .map_err(failed)?;
    if reader.partitions().is_empty() {
        return Err(Error::Runtime(format!(
            "topic {} has no partitions: is it the pipeline's output topic, and does it exist?",
            source.topic
        )));
    }
    let before = match source.from {
        From::Timestamp(ms) => ms,
        From::Beginning | From::End => i64::MIN,
    };
    let mut skipped = 0;
    let mut last = Instant::now();
    while last.elapsed() < source.idle {
        let read = match reader.poll(POLL) {
            None => continue,
            Some(read) => read.map_err(failed)?,
        };
        last = Instant::now();
        let stamped = read.timestamp_ms();
        if stamped >= 0 && stamped < before {
            skipped += 1;
            continue;
        }
        let place = format!("partition {} offset {}", read.partition(), read.offset());
        gathered.add(&place, read.value(), fields, truth);
    }
    Ok(skipped)
}
