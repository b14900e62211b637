//! One planned event: what the merge yields and the send order turns into messages.

/// One planned event. Events order by (offset, stream position, camera position,
/// sequence number within the process), a total order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Event {
    /// Nanoseconds after the start.
    pub offset_ns: u64,
    /// Position of the stream in the scenario.
    pub stream: u32,
    /// Position of the camera in its stream.
    pub camera: u32,
    /// Sequence number of the event within its process, from 0.
    pub seq: u64,
    /// The identity of the arrival process that drew it: the leading 64 bits of its key
    /// (`random::Key::head`), the same on every replay.
    pub process: u64,
}
