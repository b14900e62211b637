//! The read-back check of an embedded run: every topic is consumed and compared with the
//! plan. What the topic should hold is taken by replaying the plan, as fast as possible,
//! into a fingerprinting [`Sink`]: the same rendering path as the send, so the payload is
//! rendered in one place only.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::embedded::{self, Fingerprint, Verification};
use crate::encode::codec::Codecs;
use crate::error::Error;
use crate::plan::Plan;
use crate::render::Message;
use crate::replay::pacer::Pace;
use crate::replay::{self, Control, Options};
use crate::scenario::Scenario;
use crate::sink::{Handover, Sink};

/// How long the read-back of an embedded run may take.
const READ_BACK_TIMEOUT: Duration = Duration::from_secs(60);

/// Compares every topic with the plan. The embedded cluster keeps only the newest ~5 MB
/// of each partition, so for each key the messages read are compared with that key's
/// last planned events, and the rest is checked by offsets.
pub(crate) fn verify(
    scenario: &Scenario,
    start: DateTime<Utc>,
    bootstrap: &str,
    stop: &AtomicBool,
    codecs: &Codecs,
) -> Result<Verification, String> {
    let topics = scenario.topics();
    let mut reads = Vec::with_capacity(topics.len());
    for topic in &topics {
        let read = embedded::read_back(bootstrap, topic, READ_BACK_TIMEOUT, stop)
            .map_err(|e| format!("could not read topic `{topic}` back: {e}"))?;
        reads.push(read);
    }
    // Past the cluster's retention, which unkeyed events were kept depends on the
    // partitioner, not on plan order: for them only the counts can be compared.
    // Pass 1: how many events each key of each topic has; pass 2: fingerprint each key's
    // retained tail.
    let mut per_key = vec![Fingerprint::default(); topics.len()];
    let mut count = Each::new(&topics, false, codecs, |topic, key, _, _, _| {
        per_key[topic].add(key, &[], &[], 0)
    });
    replay_into(scenario, start, &mut count)?;
    let mut seen: Vec<BTreeMap<Option<Vec<u8>>, u64>> = vec![BTreeMap::new(); topics.len()];
    let mut expected = vec![Fingerprint::default(); topics.len()];
    let mut print = Each::new(
        &topics,
        true,
        codecs,
        |topic, key, value, headers, timestamp| {
            let index = seen[topic].entry(key.map(<[u8]>::to_vec)).or_default();
            let skip = per_key[topic]
                .count(key)
                .saturating_sub(reads[topic].print.count(key));
            if *index >= skip {
                expected[topic].add(key, value, headers, timestamp);
            }
            *index += 1;
        },
    );
    replay_into(scenario, start, &mut print)?;
    let mut total = Verification::default();
    for ((read, expected), per_key) in reads.iter().zip(&expected).zip(&per_key) {
        let truncated = read.print.total() < read.written;
        let mut verification = read.print.compare(expected, !truncated);
        let planned = per_key.total();
        verification.expected = planned;
        verification.written = read.written;
        if read.written < planned {
            verification.missing = verification.missing.max(planned - read.written);
        } else {
            verification.duplicated = verification.duplicated.max(read.written - planned);
        }
        total.add(&verification);
    }
    Ok(total)
}

/// Replays the whole plan of `scenario`, unpaced, into `sink`.
fn replay_into<S: Sink>(
    scenario: &Scenario,
    start: DateTime<Utc>,
    sink: &mut S,
) -> Result<(), String> {
    let options = Options {
        pace: Pace::Max,
        progress: false,
        per_camera: false,
    };
    let control = Control::default();
    replay::replay(
        scenario,
        Plan::new(scenario),
        start,
        sink,
        options,
        &control,
        None,
    )
    .map(|_| ())
    .map_err(|e| format!("could not replay the plan to compare: {e}"))
}

/// A sink that hands each message's topic (its index in the scenario's topics), key,
/// value, headers (encoded by [`embedded::encode_header`]) and timestamp to a closure; with
/// `whole` false, only the topic and key are rendered.
struct Each<'t, F> {
    topics: &'t [&'t str],
    whole: bool,
    codecs: &'t Codecs,
    each: F,
    key: Vec<u8>,
    value: Vec<u8>,
    headers: Vec<u8>,
    text: Vec<u8>,
}

impl<'t, F> Each<'t, F>
where
    F: FnMut(usize, Option<&[u8]>, &[u8], &[u8], i64),
{
    fn new(topics: &'t [&'t str], whole: bool, codecs: &'t Codecs, each: F) -> Self {
        Each {
            topics,
            whole,
            codecs,
            each,
            key: Vec::new(),
            value: Vec::new(),
            headers: Vec::new(),
            text: Vec::new(),
        }
    }
}

impl<F> Sink for Each<'_, F>
where
    F: FnMut(usize, Option<&[u8]>, &[u8], &[u8], i64),
{
    fn send(&mut self, mut message: Message<'_, '_>) -> Result<Handover, Error> {
        let name = message.topic();
        let topic = self.topics.iter().position(|t| *t == name).unwrap_or(0);
        self.key.clear();
        self.value.clear();
        self.headers.clear();
        let keyed = message.write_key(&mut self.key);
        let mut timestamp = 0;
        if self.whole {
            message
                .write_wire_value(&mut self.value, self.codecs)
                .map_err(|m| Error::Runtime(format!("cannot encode a value: {}", m.0)))?;
            for i in 0..message.header_count() {
                self.text.clear();
                message.write_header(&mut self.text, i);
                embedded::encode_header(
                    &mut self.headers,
                    message.header_name(i).as_bytes(),
                    &self.text,
                );
            }
            timestamp = message.timestamp_ms();
        }
        (self.each)(
            topic,
            keyed.then_some(&self.key[..]),
            &self.value,
            &self.headers,
            timestamp,
        );
        Ok(Handover::Taken)
    }

    fn idle(&mut self, _budget: Duration) {}

    fn finish(&mut self) -> Result<(), Error> {
        Ok(())
    }
}
