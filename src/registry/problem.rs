//! One reason two schemas are incompatible, spelled as Confluent's Schema Registry
//! spells it in a 409 message and in `verbose` compatibility answers:
//! `{errorType:'…', description:'…', additionalInfo:'…'}`.

use std::fmt;

/// One incompatibility between a new schema and an old one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// Confluent's name for it, e.g. `READER_FIELD_MISSING_DEFAULT_VALUE`.
    pub error_type: &'static str,
    /// What changed, and where (a path into the schema).
    pub description: String,
    /// The name or value concerned.
    pub info: String,
}

impl Problem {
    /// A problem of `error_type`.
    pub(crate) fn new(
        error_type: &'static str,
        description: String,
        info: impl Into<String>,
    ) -> Problem {
        Problem {
            error_type,
            description,
            info: info.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{errorType:'{}', description:'{}', additionalInfo:'{}'}}",
            self.error_type, self.description, self.info
        )
    }
}

/// Which of the two schemas is the reader: the words a description uses for each.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Roles {
    /// The reader's name: `new` (a BACKWARD check) or `old` (FORWARD).
    pub reader: &'static str,
    /// The writer's name.
    pub writer: &'static str,
}

impl Roles {
    /// The new schema reads data written with the old one (BACKWARD).
    pub(crate) const BACKWARD: Roles = Roles {
        reader: "new",
        writer: "old",
    };
    /// The old schema reads data written with the new one (FORWARD).
    pub(crate) const FORWARD: Roles = Roles {
        reader: "old",
        writer: "new",
    };
}
