//! The verification loop: the reader's messages on one side, the plan's prints on the
//! other, the plan kept just ahead of what is read (up to the newest timestamp read), so
//! that a message that arrives as planned is matched at once and nothing waits but the
//! problems.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::Verification;
use super::matcher::{Matcher, Place, Print, Read, Shown, encode_header};
use super::planned::{self, Feed, Found};
use crate::consume::reader::{From, Reader};
use crate::encode::codec::Codecs;
use crate::scenario::Scenario;
use crate::scenario::model::TimestampMode;

/// At most this many planned messages are held ahead of the read (partitions are read at
/// different paces, and the plan is loaded up to the newest timestamp read); beyond,
/// messages read wait for the plan instead: both ways match, only memory differs (about
/// 50 bytes a planned message held, a few hundred a message read).
const AHEAD: usize = 1_000_000;

/// Once the plan's last message has been matched, reading goes on this long (or the
/// idle timeout, if shorter) for copies and strangers behind it; [`SETTLE`] only, once
/// every partition has been read to the end the broker last gave.
const GRACE: Duration = Duration::from_secs(1);
const SETTLE: Duration = Duration::from_millis(100);

/// How far behind the slowest partition a planned message may be before, on a cluster
/// whose watermarks are right, it is given up on as deleted: a partition holds its
/// messages in send order, so send timestamps only ever grow along it (the margin is for
/// millisecond rounding); event timestamps go back by up to a late event's delay.
fn retention_margin_ms(scenario: &Scenario) -> i64 {
    match scenario.kafka.timestamp {
        TimestampMode::Send => 1_000,
        TimestampMode::Event => 3_600_000,
    }
}

/// What to verify and how.
pub(crate) struct Request<'a> {
    /// The scenario whose plan the topics should hold.
    pub scenario: &'a Scenario,
    /// The run's start.
    pub start: DateTime<Utc>,
    /// The value codecs, ids resolved as the run registered them.
    pub codecs: &'a Arc<Codecs>,
    /// The consumer's librdkafka properties.
    pub properties: &'a BTreeMap<String, String>,
    /// Where to read from.
    pub from: From,
    /// Stop when nothing new came for this long.
    pub idle: Duration,
    /// The cluster's watermarks are right and it may have deleted old messages (the
    /// embedded cluster): the read ends at the watermarks, and messages below a
    /// partition's first offset count as deleted, not missing.
    pub embedded: bool,
    /// Unexpected messages fail too.
    pub strict: bool,
    /// Ctrl-C.
    pub stop: &'a AtomicBool,
}

/// Reads every topic of the scenario and compares it with the plan.
pub(crate) fn verify(request: &Request<'_>) -> Result<Verification, String> {
    let scenario = request.scenario;
    let topics = scenario.topics();
    let timeout = Duration::from_secs(10);
    let mut reader = Reader::open(request.properties, &topics, request.from, timeout)
        .map_err(|e| format!("cannot read the topics: {e}"))?;
    let deleted: i64 = match request.embedded {
        true => reader.partitions().iter().map(|p| p.low).sum(),
        false => 0,
    };
    let mut feed = Feed::start(scenario, request.start, request.codecs);
    let mut matcher = Matcher::default();
    let (mut expected, mut read, mut horizon, mut fed_all) = (0u64, 0u64, i64::MIN, false);
    let mut newest = vec![i64::MIN; reader.partitions().len()];
    let mut headers = Vec::new();
    let mut last_new = Instant::now();
    let mut idle_timeout = false;
    let start_ms = request.start.timestamp_millis();
    let mut asked_watermarks = false;
    loop {
        if request.stop.load(Ordering::Relaxed) {
            return Err("interrupted".into());
        }
        let complete = fed_all && matcher.planned_held() == 0;
        if request.embedded && reader.caught_up() {
            break;
        }
        if complete {
            let quiet = last_new.elapsed();
            if quiet >= GRACE.min(request.idle) {
                break;
            }
            // Asked once: the broker's high watermarks, to end without the grace.
            if quiet >= SETTLE && !asked_watermarks {
                asked_watermarks = true;
                if reader.drained(Duration::from_millis(500)) {
                    break;
                }
            }
        }
        if last_new.elapsed() >= request.idle {
            idle_timeout = !complete;
            break;
        }
        let Some(message) = reader.poll(Duration::from_millis(50)) else {
            continue;
        };
        let m = message.map_err(|e| format!("cannot read the topics: {e}"))?;
        read += 1;
        last_new = Instant::now();
        headers.clear();
        m.headers(|name, value| encode_header(&mut headers, name, value));
        let ts = m.timestamp_ms();
        let print = Print::of(m.topic() as u32, m.key(), m.value(), &headers, ts);
        if ts < start_ms {
            let place = describe(&m, matcher.keeps_old());
            drop(m);
            matcher.old(Read { print, place });
            continue;
        }
        while !fed_all && horizon <= ts && matcher.planned_held() < AHEAD {
            match feed.next()? {
                Some(p) => {
                    expected += 1;
                    horizon = horizon.max(p.print.timestamp);
                    matcher.plan(p);
                }
                None => fed_all = true,
            }
        }
        let place = describe(&m, matcher.describes(print.whole));
        if let Some(slot) = m.slot() {
            newest[slot] = newest[slot].max(ts);
        }
        drop(m);
        matcher.read(Read { print, place });
        if request.embedded && read % 16_384 == 0 {
            expire(
                &mut matcher,
                &reader,
                &newest,
                retention_margin_ms(scenario),
            );
        }
    }
    while let Some(p) = feed.next()? {
        expected += 1;
        matcher.unread(p);
    }
    finish(request, matcher, expected, read, deleted, idle_timeout)
}

/// On a cluster that deletes old messages, gives up on planned messages older than what
/// every partition still being read has reached.
fn expire(matcher: &mut Matcher, reader: &Reader, newest: &[i64], margin_ms: i64) {
    let mut floor = i64::MAX;
    for (p, ts) in reader.partitions().iter().zip(newest) {
        if p.position >= p.high {
            continue;
        }
        floor = floor.min(*ts);
    }
    if floor != i64::MAX && floor != i64::MIN {
        matcher.expire(floor - margin_ms);
    }
}

/// Classifies what is left, with a second look at the plan only when something is.
fn finish(
    request: &Request<'_>,
    matcher: Matcher,
    expected: u64,
    read: u64,
    deleted: i64,
    idle_timeout: bool,
) -> Result<Verification, String> {
    let topics = request.scenario.topics();
    let (matched, peak) = (matcher.matched, matcher.peak_unmatched);
    let prints = matcher.read_prints();
    let wanted = matcher.held_indices();
    let (scenario, start, codecs) = (request.scenario, request.start, request.codecs);
    let found = match prints.is_empty() && wanted.is_empty() {
        true => Found::default(),
        false => planned::look_up(scenario, start, codecs, &prints, &wanted, false)?,
    };
    let start_ms = start.timestamp_millis();
    let print_of = |index: u64| found.prints.get(&index).copied();
    let left = matcher.finish(start_ms, &|p| found.held.contains(&p), &print_of);
    let mut indices: BTreeSet<u64> = BTreeSet::new();
    for (_, e) in left.examples.iter().chain(&left.order) {
        indices.extend(e.planned);
    }
    let lines = match indices.is_empty() {
        true => BTreeMap::new(),
        false => planned::look_up(scenario, start, codecs, &BTreeSet::new(), &indices, true)?.lines,
    };
    let mut v = Verification::new(expected, matched, left, &topics, &lines);
    v.read = read;
    v.peak_unmatched = peak as u64;
    v.strict = request.strict;
    v.idle_timeout = idle_timeout && v.missing > 0;
    // What the cluster deleted before it could be read is not missing: the offsets
    // say it was written.
    if deleted > 0 {
        let expired = v.missing.min(deleted as u64);
        v.expired = expired;
        v.missing -= expired;
        if v.missing == 0 {
            v.examples.retain(|e| e.kind != "missing");
        }
    }
    Ok(v)
}

/// Where a message read is, and (`text`) what it holds, for a person.
fn describe(m: &crate::consume::reader::Read<'_>, text: bool) -> Place {
    Place {
        partition: m.partition(),
        offset: m.offset(),
        shown: text.then(|| {
            Box::new(Shown {
                key: m.key().map(shown),
                value: shown(m.value()),
            })
        }),
    }
}

/// Bytes as a person reads them: text, shortened to 160 characters.
fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    match text.char_indices().nth(160) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}
