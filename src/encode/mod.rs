//! Value encoders beside the JSON the renderer writes (issue 24): Avro schemas derived
//! from a stream's payload (`derive`), users' own Avro schemas read and checked against
//! a payload (`avsc`), the Avro binary encoding of a JSON value by either (`avro`),
//! Protobuf messages derived or read from a `.proto`, and their encoding (`protobuf`),
//! JSON Schemas derived from a payload or read from a user's file and checked
//! (`jsonschema`), schema files read with the line and column of every value
//! (`located`), the Confluent wire format that frames a value (`wire`), and the reading
//! of the renderer's JSON text back into a value with exact numbers (`json`). The Avro
//! and Protobuf encoders first take one pass over that text directed by the schema,
//! building no value (`avro::encode_text`, `protobuf::Encoder::encode_text`), and fall
//! back to the value when the pass gives up: the bytes are the same. A stream's
//! codec (`codec`) is compiled from its scenario after validation (`compile`, with
//! users' files in `user`); disagreements are `misfit`s. It knows nothing of events or
//! sinks: the renderer ([`crate::render`]) hands it the JSON text it wrote.

pub mod avro;
pub mod avsc;
pub mod codec;
pub mod compile;
pub mod derive;
pub mod json;
pub mod jsonschema;
pub mod located;
pub mod misfit;
pub mod protobuf;
pub mod user;
pub mod wire;
