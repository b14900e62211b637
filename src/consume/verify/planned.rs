//! The planned side of a verification: the plan of the scenario rendered exactly as the
//! send renders it (topic, key, the value as the wire carries it, headers, timestamp),
//! reduced to prints, lazily — in a thread that runs as far ahead of the reading as a
//! bounded channel lets it — and, once problems are known, looked at again for the
//! plan lines of the examples and for which leftover prints the plan holds.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, SyncSender};

use chrono::{DateTime, Utc};

use super::matcher::{Planned, Print, encode_header};
use crate::encode::codec::Codecs;
use crate::plan::Plan;
use crate::render::{Message, Renderer};
use crate::scenario::Scenario;

/// Planned messages are handed over in batches of this many.
const BATCH: usize = 1024;

/// The messages of `scenario`'s plan from `start`, one at a time, to `each` (with the
/// message's index among the sent ones); stops when `each` returns false. Values the
/// codecs cannot encode are an error.
pub(crate) fn each_message(
    scenario: &Scenario,
    start: DateTime<Utc>,
    codecs: &Codecs,
    mut each: impl FnMut(u64, &mut Message<'_, '_>, Print) -> bool,
) -> Result<(), String> {
    let topics = scenario.topics();
    let mut renderer = Renderer::new(scenario, start);
    let (mut key, mut value, mut headers, mut text) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut index = 0u64;
    for outgoing in Plan::new(scenario) {
        if !outgoing.mark.is_sent() {
            continue;
        }
        let mut message = Message::new(outgoing, &mut renderer);
        let topic = topics
            .iter()
            .position(|t| *t == message.topic())
            .unwrap_or(0) as u32;
        key.clear();
        value.clear();
        headers.clear();
        let keyed = message.write_key(&mut key);
        message
            .write_wire_value(&mut value, codecs)
            .map_err(|m| format!("cannot encode a planned value: {}", m.0))?;
        for i in 0..message.header_count() {
            text.clear();
            message.write_header(&mut text, i);
            encode_header(&mut headers, message.header_name(i).as_bytes(), &text);
        }
        let print = Print::of(
            topic,
            keyed.then_some(&key[..]),
            &value,
            &headers,
            message.timestamp_ms(),
        );
        if !each(index, &mut message, print) {
            break;
        }
        index += 1;
    }
    Ok(())
}

/// The plan's prints, made in a thread and received in order.
pub(crate) struct Feed {
    batches: Receiver<Result<Vec<Planned>, String>>,
    current: std::vec::IntoIter<Planned>,
    done: bool,
}

impl Feed {
    /// Starts rendering the plan of `scenario` from `start`.
    pub fn start(scenario: &Scenario, start: DateTime<Utc>, codecs: &Arc<Codecs>) -> Feed {
        let (sender, batches) = mpsc::sync_channel(8);
        let (scenario, codecs) = (scenario.clone(), Arc::clone(codecs));
        let spawned = std::thread::Builder::new()
            .name("verify-plan".into())
            .spawn(move || feed(&scenario, start, &codecs, &sender));
        let done = spawned.is_err();
        Feed {
            batches,
            current: Vec::new().into_iter(),
            done,
        }
    }

    /// The next planned message; `None` at the plan's end.
    pub fn next(&mut self) -> Result<Option<Planned>, String> {
        loop {
            if let Some(p) = self.current.next() {
                return Ok(Some(p));
            }
            if self.done {
                return Ok(None);
            }
            match self.batches.recv() {
                Ok(Ok(batch)) => self.current = batch.into_iter(),
                Ok(Err(e)) => return Err(e),
                Err(_) => self.done = true,
            }
        }
    }
}

fn feed(
    scenario: &Scenario,
    start: DateTime<Utc>,
    codecs: &Codecs,
    sender: &SyncSender<Result<Vec<Planned>, String>>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let result = each_message(scenario, start, codecs, |index, _, print| {
        batch.push(Planned { print, index });
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            return sender.send(Ok(full)).is_ok();
        }
        true
    });
    let _ = match result {
        Ok(()) => sender.send(Ok(batch)),
        Err(e) => sender.send(Err(e)),
    };
}

/// What a second look at the plan found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Which of the prints asked for (whole or loose) the plan holds.
    pub held: BTreeSet<u64>,
    /// The whole prints of the messages at the indices asked for.
    pub prints: BTreeMap<u64, Print>,
    /// Their plan lines (`--dry-run --format plan`), when asked for.
    pub lines: BTreeMap<u64, String>,
}

/// A second look at the plan: which of `prints` (whole or loose) it holds, and the
/// prints and (with `lines`) the plan lines of the messages at `indices`.
pub(crate) fn look_up(
    scenario: &Scenario,
    start: DateTime<Utc>,
    codecs: &Codecs,
    prints: &BTreeSet<u64>,
    indices: &BTreeSet<u64>,
    lines: bool,
) -> Result<Found, String> {
    let mut found = Found::default();
    let last = indices.last().copied();
    let mut line = Vec::new();
    each_message(scenario, start, codecs, |index, message, print| {
        for p in [print.whole, print.loose()] {
            if prints.contains(&p) {
                found.held.insert(p);
            }
        }
        if indices.contains(&index) {
            found.prints.insert(index, print);
            if lines {
                line.clear();
                message.write_plan(&mut line);
                found
                    .lines
                    .insert(index, String::from_utf8_lossy(&line).into_owned());
            }
        }
        !(prints.is_empty() && last.is_none_or(|l| index >= l))
    })?;
    Ok(found)
}
