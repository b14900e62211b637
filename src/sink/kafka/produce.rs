//! The produce call, through a topic handle. rdkafka's `BaseProducer::send` names the
//! topic for every message: it copies the name into a `CString` and librdkafka looks the
//! topic up under its client lock. kcat holds a topic handle and passes it instead; so
//! does this module, with the same `rd_kafka_producev` call rdkafka makes otherwise
//! (same flags, `RD_KAFKA_MSG_F_COPY`, the same opaque, so delivery reports reach the
//! producer's context exactly as before).
//!
//! Every `unsafe` block here is one FFI call; what makes each sound is written beside it.
//! This is the only module where the crate's `unsafe_code = "deny"` is lifted.
#![allow(unsafe_code)]

use std::ffi::{CString, c_void};
use std::ptr::{self, NonNull};

use rdkafka::bindings as rd;
use rdkafka::bindings::rd_kafka_vtype_t::{
    RD_KAFKA_VTYPE_END, RD_KAFKA_VTYPE_HEADERS, RD_KAFKA_VTYPE_KEY, RD_KAFKA_VTYPE_MSGFLAGS,
    RD_KAFKA_VTYPE_OPAQUE, RD_KAFKA_VTYPE_PARTITION, RD_KAFKA_VTYPE_RKT, RD_KAFKA_VTYPE_TIMESTAMP,
    RD_KAFKA_VTYPE_VALUE,
};
use rdkafka::producer::{BaseProducer, Producer};
use rdkafka::types::{RDKafkaErrorCode, RDKafkaRespErr};

use super::delivery::Delivery;

/// A librdkafka topic handle of one producer. It must be dropped before its producer:
/// `KafkaSink` declares its topics before its producer, so they drop first.
#[derive(Debug)]
pub(crate) struct Topic {
    handle: NonNull<rd::rd_kafka_topic_t>,
    name: String,
}

impl Topic {
    /// The handle of `name` on `producer`; `None` when librdkafka refuses it.
    pub fn new(producer: &BaseProducer<Delivery>, name: &str) -> Option<Topic> {
        let cname = CString::new(name).ok()?;
        // SAFETY: `native_ptr` is the producer's live handle; librdkafka copies the name;
        // a NULL configuration means the topic's defaults. The handle is refcounted by
        // librdkafka and released in `Drop`.
        let raw = unsafe {
            rd::rd_kafka_topic_new(
                producer.client().native_ptr(),
                cname.as_ptr(),
                ptr::null_mut(),
            )
        };
        NonNull::new(raw).map(|handle| Topic {
            handle,
            name: name.to_string(),
        })
    }

    /// The topic's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Topic {
    fn drop(&mut self) {
        // SAFETY: the handle came from rd_kafka_topic_new and is released once, while
        // its producer is still alive (see the type's documentation).
        unsafe { rd::rd_kafka_topic_destroy(self.handle.as_ptr()) }
    }
}

/// One message to produce: borrowed bytes, copied by librdkafka.
pub(crate) struct Record<'a> {
    pub key: Option<&'a [u8]>,
    pub value: &'a [u8],
    pub timestamp_ms: i64,
    /// The partition, or −1 (`RD_KAFKA_PARTITION_UA`) for the partitioner's choice.
    pub partition: i32,
    /// (name, value) of each header, in order.
    pub headers: &'a [(&'a str, &'a [u8])],
    /// The delivery opaque (`Delivery`'s stamp), as rdkafka passes a `usize` opaque.
    pub opaque: usize,
}

/// Produces `record` to `topic`: what `BaseProducer::send` does, with a topic handle.
pub(crate) fn produce(
    producer: &BaseProducer<Delivery>,
    topic: &Topic,
    record: &Record<'_>,
) -> Result<(), RDKafkaErrorCode> {
    let headers = if record.headers.is_empty() {
        ptr::null_mut()
    } else {
        // SAFETY: a fresh header list; each name and value is copied by librdkafka.
        unsafe {
            let list = rd::rd_kafka_headers_new(record.headers.len());
            for (name, value) in record.headers {
                rd::rd_kafka_header_add(
                    list,
                    name.as_ptr().cast(),
                    name.len() as isize,
                    value.as_ptr().cast(),
                    value.len() as isize,
                );
            }
            list
        }
    };
    let (key, key_len) = match record.key {
        Some(k) => (k.as_ptr() as *mut c_void, k.len()),
        None => (ptr::null_mut(), 0),
    };
    // SAFETY: the same call, with the same argument types, as rdkafka 0.39's
    // BaseProducer::send, but RD_KAFKA_VTYPE_RKT (a live handle of this producer) in
    // place of the topic's name. RD_KAFKA_MSG_F_COPY makes librdkafka copy the key and
    // value before it returns; on success it takes ownership of the header list.
    let error = unsafe {
        rd::rd_kafka_producev(
            producer.client().native_ptr(),
            RD_KAFKA_VTYPE_RKT,
            topic.handle.as_ptr(),
            RD_KAFKA_VTYPE_PARTITION,
            record.partition,
            RD_KAFKA_VTYPE_MSGFLAGS,
            rd::RD_KAFKA_MSG_F_COPY,
            RD_KAFKA_VTYPE_VALUE,
            record.value.as_ptr() as *mut c_void,
            record.value.len(),
            RD_KAFKA_VTYPE_KEY,
            key,
            key_len,
            RD_KAFKA_VTYPE_OPAQUE,
            record.opaque as *mut c_void,
            RD_KAFKA_VTYPE_TIMESTAMP,
            record.timestamp_ms,
            RD_KAFKA_VTYPE_HEADERS,
            headers,
            RD_KAFKA_VTYPE_END,
        )
    };
    if error == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
        return Ok(());
    }
    if !headers.is_null() {
        // SAFETY: refused, so the list is still ours; it is destroyed once.
        unsafe { rd::rd_kafka_headers_destroy(headers) }
    }
    Err(error.into())
}
