//! `simulate report merge`: the reports of the shards of one run merged into one.

use std::collections::BTreeMap;

use super::kafka::Merging;
use super::latency;
use super::{Report, histogram, timeline};

/// Merges the reports of the shards of one run (`simulate report merge`): counts and
/// per-camera counts summed, percentiles recomputed from the merged histograms, the wall
/// time the longest shard's. Refused (with what is wrong, naming the files) when a report
/// is not a shard's, two claim the same shard, the shards disagree on the run, or the
/// set is incomplete.
pub fn merge(reports: &[(String, Report)]) -> Result<Report, String> {
    let Some((first_name, first)) = reports.first() else {
        return Err("no reports to merge".into());
    };
    let count = check_set(reports)?;
    let mut total = first.clone();
    let mut lateness = histogram(first_name, &first.lateness_histogram, &first.lateness)?;
    let mut lateness_timeline = timeline(first_name, &first.lateness_timeline)?;
    let mut kafka = match &first.kafka {
        Some(k) => Some(Merging::new(first_name, k)?),
        None => None,
    };
    let mut e2e = match &first.e2e_latency {
        Some(l) => Some(latency::Merging::new(first_name, l)?),
        None => None,
    };
    for (name, r) in &reports[1..] {
        total.planned_events += r.planned_events;
        total.planned_messages += r.planned_messages;
        total.drop += r.drop;
        total.duplicate += r.duplicate;
        total.malformed += r.malformed;
        total.planned_exact &= r.planned_exact;
        total.sent += r.sent;
        total.not_sent += r.not_sent;
        total.wall_time_s = total.wall_time_s.max(r.wall_time_s);
        total.end_drift_us = total.end_drift_us.max(r.end_drift_us);
        total.interrupted |= r.interrupted;
        for (camera, n) in &r.per_camera {
            *total.per_camera.entry(camera.clone()).or_default() += n;
        }
        for topic in &r.topics {
            if !total.topics.contains(topic) {
                total.topics.push(topic.clone());
            }
        }
        lateness.merge(&histogram(name, &r.lateness_histogram, &r.lateness)?);
        lateness_timeline.merge(&timeline(name, &r.lateness_timeline)?);
        if let (Some(merging), Some(k)) = (&mut kafka, &r.kafka) {
            merging.add(name, k)?;
        }
        if let (Some(merging), Some(l)) = (&mut e2e, &r.e2e_latency) {
            merging.add(name, l)?;
        }
    }
    total.shard = None;
    total.merged_shards = Some(count);
    total.lateness = lateness.summary_us();
    total.lateness_histogram = lateness.to_buckets();
    total.lateness_timeline = lateness_timeline.to_steps();
    total.kafka = kafka.map(Merging::finish);
    total.e2e_latency = e2e.map(latency::Merging::finish);
    total.rate_per_s = total.rate();
    Ok(total)
}

/// Checks that `reports` are the whole set of shards of one run; returns how many.
fn check_set(reports: &[(String, Report)]) -> Result<u32, String> {
    let (first_name, first) = &reports[0];
    let shard_of = |name: &str, r: &Report| {
        r.shard.map(|s| (s.index, s.count)).ok_or_else(|| {
            format!("{name} is the report of a whole run, not of a shard (it has no `shard`)")
        })
    };
    let (_, count) = shard_of(first_name, first)?;
    let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
    for (name, r) in reports {
        let (index, n) = shard_of(name, r)?;
        if n != count {
            return Err(format!(
                "{name} is shard {index}/{n}, but {first_name} is one of {count} shards"
            ));
        }
        if let Some(other) = seen.insert(index, name) {
            return Err(format!(
                "{other} and {name} both claim shard {index}/{count}"
            ));
        }
        for (what, mine, theirs) in [
            ("scenario", &r.scenario, &first.scenario),
            ("start", &r.start, &first.start),
            ("pace", &r.pace, &first.pace),
        ] {
            if mine != theirs {
                return Err(format!(
                    "{name} and {first_name} are not shards of one run: {what} `{mine}` ≠ `{theirs}`"
                ));
            }
        }
        if r.seed != first.seed {
            return Err(format!(
                "{name} and {first_name} are not shards of one run: seed {} ≠ {}",
                r.seed, first.seed
            ));
        }
        if r.kafka.is_some() != first.kafka.is_some() {
            return Err(format!(
                "{name} and {first_name} are not shards of one run: one has a Kafka section"
            ));
        }
        if r.e2e_latency.is_some() != first.e2e_latency.is_some() {
            return Err(format!(
                "{name} and {first_name} are not shards of one run: one measured end-to-end latency (--latency)"
            ));
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|k| !seen.contains_key(k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the shard set is incomplete: {} of {count} reports given; missing shard{} {}",
            seen.len(),
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        ));
    }
    Ok(count)
}
