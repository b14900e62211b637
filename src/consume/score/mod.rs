//! `simulate score`: a pipeline's per-window aggregates judged against the ground truth.
//!
//! The pure part reads records ([`record`]: a JSON object's window start, detected as
//! RFC 3339, epoch ms or epoch s; its group; its count), turns the truth into what a
//! correct pipeline outputs ([`expected`]), keeps the latest record per window and group
//! and compares ([`compare`]), and says the result ([`summary`]). The edge reads: a JSON
//! lines file ([`read`]) or a topic (`topic`, the `kafka` feature), until nothing new has
//! come for the idle timeout (never by the high watermark, which Tansu gets wrong).

pub(crate) mod compare;
pub(crate) mod expected;
pub(crate) mod read;
pub(crate) mod record;
pub(crate) mod summary;
#[cfg(feature = "kafka")]
pub(crate) mod topic;

use crate::scenario::Scenario;
use expected::{Grouping, Measure};
use record::Fields;

/// What a score is asked: where the records come from, which fields hold what, what
/// they count and how close is right.
#[derive(Debug, Clone)]
pub(crate) struct Asked {
    /// Where the records come from, for people: `topic NAME` or `FILE`.
    pub source: String,
    /// The records' fields.
    pub fields: Fields,
    /// What the count is.
    pub measure: Measure,
    /// What the group is.
    pub grouping: Grouping,
    /// The absolute error still right.
    pub tolerance: f64,
}

/// What a record's group is, from the group field, the measure and `--group-by`
/// (`camera` or a camera attribute): no group field, no group; otherwise `--group-by`
/// when given; otherwise the zone for occupancy, the camera for entities, and for counts
/// the camera attribute named like the group field if the cameras have one (a `zone`
/// field sums the truth over each zone's cameras), the camera id if not.
pub(crate) fn grouping(
    scenario: &Scenario,
    measure: Measure,
    group_field: Option<&str>,
    group_by: Option<&str>,
) -> Grouping {
    let Some(field) = group_field else {
        return Grouping::All;
    };
    match (group_by, measure) {
        (Some("camera"), _) => Grouping::Camera,
        (Some(attribute), _) => Grouping::Attribute(attribute.to_string()),
        (None, Measure::Occupancy) => Grouping::Attribute("zone".into()),
        (None, Measure::Entities) => Grouping::Camera,
        (None, Measure::Count) => {
            let named = scenario.streams.iter().any(|s| {
                s.camera_attributes
                    .iter()
                    .flatten()
                    .any(|camera| camera.iter().any(|(name, _)| name == field))
            });
            if named {
                Grouping::Attribute(field.to_string())
            } else {
                Grouping::Camera
            }
        }
    }
}
