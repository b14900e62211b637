//! One message on its way to a sink, rendered on demand through the [`Renderer`].

use super::Renderer;
use crate::plan::Outgoing;

/// One message on its way to a sink, rendered on demand: a sink asks for what it sends
/// (the value, the key, the headers, the timestamp, or the whole plan line), and nothing
/// else is rendered.
#[derive(Debug)]
pub struct Message<'r, 's> {
    message: Outgoing,
    renderer: &'r mut Renderer<'s>,
}

impl<'r, 's> Message<'r, 's> {
    /// The rendering of `message`.
    pub fn new(message: Outgoing, renderer: &'r mut Renderer<'s>) -> Self {
        Message { message, renderer }
    }

    /// The index of the stream the message belongs to, in the scenario's stream order.
    pub fn stream(&self) -> usize {
        self.message.event.stream as usize
    }

    /// The topic the message goes to.
    pub fn topic(&self) -> &'s str {
        self.renderer.topic(&self.message.event)
    }

    /// Appends the message value (a malformed message's broken one).
    pub fn write_value(&mut self, out: &mut Vec<u8>) {
        self.renderer.write_sent_value(out, &self.message);
    }

    /// Appends the value as the wire carries it: encoded by its stream's codec in
    /// `codecs`, if it has one (see [`Renderer::write_wire_value`]).
    pub fn write_wire_value(
        &mut self,
        out: &mut Vec<u8>,
        codecs: &crate::encode::codec::Codecs,
    ) -> Result<(), crate::encode::avro::Mismatch> {
        self.renderer.write_wire_value(out, &self.message, codecs)
    }

    /// Appends the key; false when the message has none.
    pub fn write_key(&mut self, out: &mut Vec<u8>) -> bool {
        self.renderer.write_key(out, &self.message.event)
    }

    /// How many headers the message carries.
    pub fn header_count(&self) -> usize {
        self.renderer.header_count(&self.message.event)
    }

    /// The name of header `index`.
    pub fn header_name(&self, index: usize) -> &'s str {
        self.renderer.header_name(&self.message.event, index)
    }

    /// Appends the value (text) of header `index`.
    pub fn write_header(&mut self, out: &mut Vec<u8>, index: usize) {
        self.renderer.write_header(out, &self.message.event, index);
    }

    /// The partition the message goes to, when its stream says; `None`: the producer's
    /// partitioner picks.
    pub fn partition(&self) -> Option<i32> {
        self.renderer.partition(&self.message.event)
    }

    /// The Kafka timestamp in milliseconds since the epoch (`kafka.timestamp`).
    pub fn timestamp_ms(&self) -> i64 {
        self.renderer.kafka_timestamp_ms(&self.message)
    }

    /// Appends the `--format plan` line (without the newline).
    pub fn write_plan(&mut self, out: &mut Vec<u8>) {
        self.renderer.write_plan(out, &self.message);
    }
}
