//! Where a user's schema and a stream's payload disagree (issue 24): what validation
//! reports, located in both files.

/// One disagreement between a user's schema file and the payload it is meant to encode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misfit {
    /// The payload value it concerns, as a path within the payload (`bbox.x`,
    /// `tags[0]`), or `None` for the payload as a whole (or a schema field the payload
    /// lacks, whose place in the payload does not exist).
    pub payload: Option<String>,
    /// The schema element it concerns, as the user would name it (`field score of
    /// record Detection`, `message Detection field 3 (score)`).
    pub schema: String,
    /// Where that element is in the schema file (1-based line and column), when known.
    pub at: Option<(usize, usize)>,
    /// What is wrong, in a sentence.
    pub message: String,
    /// What would fix it.
    pub help: String,
}
