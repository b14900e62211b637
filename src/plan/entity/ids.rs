//! How a sighting names its entity and visit: the event's sequence number packs the
//! entity's number, the visit and the sighting within it, so an [`Event`] carries them
//! with no extra field; an entity's identity, the seed of all its draws, and its track
//! ids are pure functions of the stream's process identity and those numbers.
//!
//! `seq` = entity (32 bits) · visit (10 bits) · sighting within the visit (22 bits):
//! unique within the stream, so event ids, faults and payload draws stay apart.

use crate::plan::Event;
use crate::plan::random::mix;

/// Bits of `seq` below the entity's number.
const ENTITY_SHIFT: u32 = 32;
/// Bits of `seq` below the visit.
const VISIT_SHIFT: u32 = 22;
/// The visit's mask, after the shift.
const VISIT_MASK: u64 = (1 << (ENTITY_SHIFT - VISIT_SHIFT)) - 1;
/// The sighting's mask.
const SIGHTING_MASK: u64 = (1 << VISIT_SHIFT) - 1;

/// The most entities one stream plans: numbers fit 32 bits.
pub const MAX_ENTITIES: u64 = 1 << ENTITY_SHIFT;

/// The sequence number of sighting `sighting` of visit `visit` of entity `entity`.
#[inline]
pub fn pack(entity: u64, visit: u32, sighting: u64) -> u64 {
    (entity << ENTITY_SHIFT) | (u64::from(visit) << VISIT_SHIFT) | (sighting & SIGHTING_MASK)
}

/// The entity's number, from 0 in order of entering.
#[inline]
pub fn entity_of(seq: u64) -> u64 {
    seq >> ENTITY_SHIFT
}

/// The visit's number within the entity's path, from 0.
#[inline]
pub fn visit_of(seq: u64) -> u32 {
    ((seq >> VISIT_SHIFT) & VISIT_MASK) as u32
}

/// The sighting's number within its visit, from 0 (missed ones counted).
#[inline]
pub fn sighting_of(seq: u64) -> u64 {
    seq & SIGHTING_MASK
}

/// The identity of entity `entity` of the stream whose process identity is `stream`:
/// the seed of its path, its misses and its attributes.
#[inline]
pub fn identity(stream: u64, entity: u64) -> u64 {
    mix(mix(stream ^ 0x656e_7469_7479_2f31) ^ entity.wrapping_mul(crate::plan::random::GAMMA))
}

/// The track id of visit `visit` of entity `entity` of the stream `stream`: a keyed
/// bijection of (entity, visit) onto `0..2⁴⁸`, so no two visits of a stream share one and
/// none reveals its entity. Entity numbers below 2³⁸ (far more than [`MAX_ENTITIES`]).
pub fn track_id(stream: u64, entity: u64, visit: u32) -> u64 {
    const BITS: u32 = 48;
    const MASK: u64 = (1 << BITS) - 1;
    let key = mix(stream ^ 0x7472_6163_6b2f_3131);
    let mut x = ((entity << 10) | (u64::from(visit) & VISIT_MASK)) & MASK;
    // Each step is a bijection of 48-bit words: adding a key, an xor with a right shift,
    // a multiplication by an odd constant.
    for round in 0..3u32 {
        x = x.wrapping_add(key.rotate_left(round * 16)) & MASK;
        x ^= x >> 23;
        x = x.wrapping_mul(0x9E37_79B9_7F4B) & MASK;
        x ^= x >> 21;
    }
    x
}

/// The entity a sighting `event` is of, as the event a payload attribute draws for: the
/// entity's identity as its process and its number as its sequence number, so every
/// sighting of one entity draws the same attributes.
#[inline]
pub fn attribute_event(event: &Event) -> Event {
    let entity = entity_of(event.seq);
    Event {
        process: identity(event.process, entity),
        seq: entity,
        ..*event
    }
}

/// The key of the draws of the entity attribute `name` (apart from every payload
/// field's: no payload path starts with `entity` and a NUL).
pub fn attribute_key(name: &str) -> u64 {
    crate::plan::random::field_key(&format!("entity\0{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips() {
        for (e, v, s) in [
            (0, 0, 0),
            (1, 2, 3),
            (MAX_ENTITIES - 1, 1023, SIGHTING_MASK),
        ] {
            let seq = pack(e, v, s);
            assert_eq!((entity_of(seq), visit_of(seq), sighting_of(seq)), (e, v, s));
        }
    }

    #[test]
    fn track_ids_are_distinct_and_below_two_to_the_48() {
        let mut seen = std::collections::BTreeSet::new();
        for e in 0..2_000u64 {
            for v in 0..20 {
                let t = track_id(7, e, v);
                assert!(t < 1 << 48);
                assert!(seen.insert(t), "track id {t} repeats");
            }
        }
        assert_ne!(track_id(7, 1, 0), track_id(8, 1, 0));
    }
}
