//! The `faults` of a stream as a file writes them: late, duplicate, dropped and malformed
//! events, and the ways a value can be broken.

use schemars::JsonSchema;

use super::gaps::Length;

/// The faults a stream injects. Each `rate` is a probability per event; one draw per
/// event picks late, duplicate, drop, malformed or none, so an event gets at most one.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FaultsFile {
    /// Sent `delay` after its event time, so it arrives out of order.
    pub late: Option<DelayedFault>,
    /// Sent twice: the second copy (same key, value and headers) `delay` after the first.
    pub duplicate: Option<DelayedFault>,
    /// Planned but never sent: the consumer sees a gap.
    pub drop: Option<RateFault>,
    /// A broken value instead of the good one.
    pub malformed: Option<MalformedFault>,
}

impl FaultsFile {
    /// The keys `faults` may have.
    pub const FIELDS: &'static [&'static str] = &["late", "duplicate", "drop", "malformed"];
}

/// A fault that delays a message.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DelayedFault {
    /// The probability per event, in [0, 1].
    #[schemars(range(min = 0, max = 1))]
    pub rate: f64,
    /// How long after its due time the message is sent: a duration (`30s`) or a
    /// distribution drawn for each message (`{distribution: exponential, mean: 30s}`).
    pub delay: Length,
}

impl DelayedFault {
    /// The keys a delayed fault may have.
    pub const FIELDS: &'static [&'static str] = &["rate", "delay"];
}

/// A fault given by its rate alone.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RateFault {
    /// The probability per event, in [0, 1].
    #[schemars(range(min = 0, max = 1))]
    pub rate: f64,
}

impl RateFault {
    /// The keys a rate-only fault may have.
    pub const FIELDS: &'static [&'static str] = &["rate"];
}

/// Malformed values: which ways of breaking them are drawn from.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MalformedFault {
    /// The probability per event, in [0, 1].
    #[schemars(range(min = 0, max = 1))]
    pub rate: f64,
    /// The ways values are broken, each equally likely. Defaults to all of them but
    /// `out_of_range` and the binary kinds (`bad_magic`, `unknown_schema_id`,
    /// `truncated_binary`).
    pub kinds: Option<Vec<Malformation>>,
}

impl MalformedFault {
    /// The keys `malformed` may have.
    pub const FIELDS: &'static [&'static str] = &["rate", "kinds"];
}

named! {
    /// One way a message value is broken. Every broken value is UTF-8 text.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
    pub enum Malformation {
        /// The good value cut in half (at a character boundary): JSON that ends early.
        Truncated => "truncated",
        /// Text that is not JSON at all: `event_id=…;camera_id=…`.
        NotJson => "not_json",
        /// The good value without one top-level field (drawn; never `event_id` while
        /// there is another to remove).
        MissingField => "missing_field",
        /// The good value with one top-level field of the wrong type (drawn, as for
        /// `missing_field`): a string becomes the number 0, anything else its JSON text
        /// as a string.
        WrongType => "wrong_type",
        /// An empty value (zero bytes).
        Empty => "empty",
        /// The good value with one number outside its generator's range (drawn among the
        /// `int`, `float`, `sequence` and `bbox` values, nested ones included): an `int`
        /// or `float` above `max` or below `min`, a `sequence` below `start`, a box one
        /// pixel past its frame's right or bottom edge. Only when listed in `kinds`.
        OutOfRange => "out_of_range",
        /// For a value encoded by a schema (`avro`, `protobuf`, `json_schema`): the good
        /// encoded value with magic byte 1 instead of 0, which no Confluent deserializer
        /// takes. Only when listed in `kinds`.
        BadMagic => "bad_magic",
        /// For a value encoded by a schema: the good value framed with schema id
        /// 2147483647, which the registry does not know. Only when listed in `kinds`.
        UnknownSchemaId => "unknown_schema_id",
        /// For a value encoded by a schema: the good encoded value cut to half its body
        /// (the 5-byte header kept). Only when listed in `kinds`.
        TruncatedBinary => "truncated_binary",
    }
}

impl Malformation {
    /// Whether the kind breaks the wire format of a value encoded by a schema (and so
    /// needs one).
    pub fn is_binary(self) -> bool {
        matches!(
            self,
            Malformation::BadMagic | Malformation::UnknownSchemaId | Malformation::TruncatedBinary
        )
    }

    /// The kinds drawn from when `kinds` is left out: all but `out_of_range`, which
    /// needs a value with a range and came later.
    pub const DEFAULT: &'static [Malformation] = &[
        Malformation::Truncated,
        Malformation::NotJson,
        Malformation::MissingField,
        Malformation::WrongType,
        Malformation::Empty,
    ];
}
