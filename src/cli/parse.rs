//! The value parsers of the command line: each turns one typed value into what the
//! options hold, or says in words what would be accepted.

use chrono::{DateTime, Utc};

use crate::scenario::model::KafkaFile;
use crate::scenario::{Nanos, Shard, duration};

/// Parses one `-X key=value`; the properties simulate sets itself are refused here.
pub(super) fn parse_property(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not key=value, e.g. -X compression.type=lz4"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("`{text}` has no property name"));
    }
    if let Some(instead) = KafkaFile::managed(key) {
        return Err(format!("`{key}` is set by simulate: {instead}"));
    }
    Ok((key.to_string(), value.trim().to_string()))
}

/// A duration value: `--duration -1s` reaches the duration parser (which says negative
/// durations are not allowed), while an option where the value should be is named.
pub(super) fn parse_duration(text: &str) -> Result<Nanos, String> {
    if text.starts_with("--") {
        return Err(format!(
            "expected a duration such as `30s`, found the option `{text}`"
        ));
    }
    duration::parse(text)
}

/// A truth window: a positive whole number of milliseconds.
pub(super) fn parse_window(text: &str) -> Result<Nanos, String> {
    let window = parse_duration(text)?;
    if window.0 == 0 || window.0 % 1_000_000 != 0 {
        return Err(format!(
            "`{text}` is not a positive whole number of milliseconds; use e.g. 1m or 500ms"
        ));
    }
    Ok(window)
}

pub(super) fn parse_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
        _ => Err(format!(
            "`{text}` is not a positive number; use e.g. --speed 10, or --max-speed"
        )),
    }
}

/// An RFC 3339 instant, or `next:PERIOD`: the next whole multiple of PERIOD since the Unix
/// epoch after now (`next:1m`, the next whole minute), which shards launched within one
/// period all compute alike. The clock is read here, at the edge.
pub(super) fn parse_start(text: &str) -> Result<DateTime<Utc>, String> {
    if let Some(period) = text.strip_prefix("next:") {
        let period = duration::parse(period)?.0;
        return next_multiple(Utc::now(), period)
            .ok_or_else(|| format!("`{text}`: the period must be positive, e.g. next:1m"));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!(
                "`{text}` is not an RFC 3339 instant ({e}); write a date, time and zone such \
                 as 2026-01-01T00:00:00Z or 2026-01-01T09:30:00+01:00, or next:PERIOD such \
                 as next:1m (the next whole minute)"
            )
        })
}

/// A seed: a whole number from 0 to 2⁶⁴−1 (`--seed -1` reaches here, to say so).
pub(super) fn parse_seed(text: &str) -> Result<u64, String> {
    text.parse().map_err(|_| {
        format!(
            "`{text}` is not a seed: seeds are whole numbers from 0 to {} (2⁶⁴−1)",
            u64::MAX
        )
    })
}

/// `--metrics`: `HOST:PORT`, or `:PORT` for every interface (as Prometheus exporters
/// take it), as the address to bind.
pub(super) fn parse_metrics(text: &str) -> Result<String, String> {
    let forms = "give HOST:PORT, e.g. 127.0.0.1:9464 (this machine only), or :PORT, e.g. \
                 :9464 (all interfaces)";
    let (host, port) = text
        .rsplit_once(':')
        .ok_or_else(|| format!("`{text}` is not an address; {forms}"))?;
    if port.parse::<u16>().is_err() {
        return Err(format!(
            "`{text}`: `{port}` is not a port (0 … 65535); {forms}"
        ));
    }
    Ok(match host {
        "" => format!("0.0.0.0:{port}"),
        _ => text.to_string(),
    })
}

/// The first whole multiple of `period_ns` since the epoch strictly after `now`.
pub(super) fn next_multiple(now: DateTime<Utc>, period_ns: u64) -> Option<DateTime<Utc>> {
    let period = i128::from(period_ns);
    if period == 0 {
        return None;
    }
    let now_ns =
        i128::from(now.timestamp()) * 1_000_000_000 + i128::from(now.timestamp_subsec_nanos());
    let next = (now_ns.div_euclid(period) + 1) * period;
    let secs = i64::try_from(next.div_euclid(1_000_000_000)).ok()?;
    DateTime::from_timestamp(secs, next.rem_euclid(1_000_000_000) as u32)
}

/// `K/N`: shard K of N ([`Shard`]'s one parser).
pub(super) fn parse_shard(text: &str) -> Result<Shard, String> {
    text.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `next:P` is the first multiple of P after now, so launches within one period
    /// agree, and a launch exactly on a boundary moves to the next one.
    #[test]
    fn next_start_is_the_next_whole_period() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let minute = 60_000_000_000;
        let next = at("2026-01-01T10:01:00Z");
        assert_eq!(
            next_multiple(at("2026-01-01T10:00:00.001Z"), minute),
            Some(next)
        );
        assert_eq!(
            next_multiple(at("2026-01-01T10:00:59.999Z"), minute),
            Some(next)
        );
        assert_eq!(
            next_multiple(at("2026-01-01T10:00:00Z"), minute),
            Some(next)
        );
        assert_eq!(next_multiple(next, 0), None);
    }

    #[test]
    fn properties_parse_and_managed_keys_are_refused() {
        assert_eq!(
            parse_property("acks=all"),
            Ok(("acks".into(), "all".into()))
        );
        assert_eq!(parse_property("a.b=x=y"), Ok(("a.b".into(), "x=y".into())));
        assert!(parse_property("acks").is_err());
        assert!(parse_property("=1").is_err());
        assert!(
            parse_property("bootstrap.servers=x:1")
                .unwrap_err()
                .contains("--bootstrap-servers")
        );
        let refused = parse_property("delivery.report.only.error=true").unwrap_err();
        assert!(refused.contains("leave it unset"), "{refused}");
    }
}
