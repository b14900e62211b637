//! Which cameras a shard owns. A run split into `n` shards gives each camera to exactly
//! one of them, by a stable hash of the camera id's text (its Kafka key): every event of
//! a camera, in every stream and topic, stays in one process, so its key's order holds,
//! and the union of the shards' plans is the plan of the single run.
//!
//! The hash is 64-bit FNV-1a of the id's text, finished by SplitMix64's mixer (so every
//! input bit moves every output bit), reduced to `0..n` by the high bits of a
//! 64 × 64-bit product: integer arithmetic only, the same on every machine. It is fast
//! (a shard hashes every camera of the scenario) and is not meant to resist an
//! adversary; balance is tested. Changing `n` moves most cameras. An entity stream is
//! split by entity instead (`plan/entity/stream.rs`), by the same hash of the entity's id.

use super::random::mix;

use crate::scenario::model::CameraId;
use crate::scenario::{Scenario, Shard};

/// The shard, of `count`, that owns `camera`.
pub fn shard_of(camera: &CameraId, count: u32) -> u32 {
    let mut itoa = itoa::Buffer::new();
    let text = match camera {
        CameraId::Int(n) => itoa.format(*n).as_bytes(),
        CameraId::Text(s) => s.as_bytes(),
    };
    shard_of_text(text, count)
}

/// The shard, of `count`, that owns the key `text` (a camera id's text, an entity id).
pub fn shard_of_text(text: &[u8], count: u32) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in text {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    ((u128::from(mix(hash)) * u128::from(count)) >> 64) as u32
}

/// Whether `shard` (or the whole run, with none) owns `camera`.
pub fn owns(shard: Option<Shard>, camera: &CameraId) -> bool {
    shard.is_none_or(|s| s.count <= 1 || shard_of(camera, s.count) == s.index)
}

/// Per stream, per camera position: whether the scenario's shard owns the camera.
/// `None` when the run is not split.
pub(crate) fn owned(scenario: &Scenario) -> Option<Vec<Vec<bool>>> {
    let shard = scenario.shard.filter(|s| s.count > 1)?;
    Some(
        scenario
            .streams
            .iter()
            .map(|s| match s.arrivals {
                // An entity stream is split by entity, in the stream itself.
                crate::scenario::StreamArrivals::Entities(_) => vec![true; s.cameras.len()],
                _ => s.cameras.iter().map(|c| owns(Some(shard), c)).collect(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of an id decides: an integer id and the same digits as text share a shard,
    /// and every camera lands in exactly one shard of any count.
    #[test]
    fn every_camera_has_exactly_one_shard() {
        for n in 1..=9u32 {
            for id in 0..500i64 {
                let shard = shard_of(&CameraId::Int(id), n);
                assert!(shard < n);
                assert_eq!(shard, shard_of(&CameraId::Text(id.to_string()), n));
                let owners = (0..n)
                    .filter(|&k| owns(Some(Shard { index: k, count: n }), &CameraId::Int(id)))
                    .count();
                assert_eq!(owners, 1);
            }
        }
    }
}
