//! Value encoders beside the JSON the renderer writes (issue 24): Avro schemas derived
//! from a stream's payload (`derive`), users' own Avro schemas read and checked against
//! a payload (`avsc`), the Avro binary encoding of a JSON value by either (`avro`), JSON
//! Schemas derived from a payload or read from a user's file and checked (`jsonschema`),
//! schema files read with the line and column of every value (`located`), the Confluent
//! wire format that frames a value (`wire`), and the reading of the renderer's JSON text
//! back into a value with exact numbers (`json`). It knows nothing of events or sinks:
//! the renderer ([`crate::render`]) hands it the JSON value it wrote and the payload it
//! compiled. No registry client yet: framed values carry the placeholder schema id 0.

pub mod avro;
pub mod avsc;
pub mod derive;
pub mod json;
pub mod jsonschema;
pub mod located;
pub mod misfit;
pub mod wire;
