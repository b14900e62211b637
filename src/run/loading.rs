//! Reading a scenario for a command: loaded and validated, the checks only its
//! processes' identities can make, its warnings said; and what a binary built without a
//! feature answers. Every command's file uses these (none of them imports another's).

use std::path::Path;

use super::registry;
use crate::error::Error;
use crate::render;
use crate::scenario::{self, Diagnostic, Overrides, Scenario};

/// Loads and validates a scenario file, and checks what only its processes' identities
/// can tell: that no two arrival processes would share event ids. Its warnings are
/// printed on stderr (every command that reads a scenario this way says them).
pub(crate) fn load(path: &Path, overrides: &Overrides) -> Result<Scenario, Vec<Diagnostic>> {
    let scenario = scenario::load_file(path, overrides)?;
    if render::event_ids_clash(&scenario) {
        return Err(vec![ids_clash(path)]);
    }
    // A schema file that does not fit the payload is as invalid as the scenario.
    if let Err(Error::Invalid(diagnostics)) = registry::codecs(&scenario) {
        return Err(diagnostics);
    }
    warn(&scenario);
    Ok(scenario)
}

/// Two arrival processes of the scenario in `path` would share event ids.
pub(crate) fn ids_clash(path: &Path) -> Diagnostic {
    let mut d = Diagnostic::new("two arrival processes would share event ids under this seed")
        .field("seed")
        .help("choose another seed");
    d.file = Some(path.display().to_string());
    d
}

/// Prints the scenario's warnings (legal, but probably not meant) on stderr.
pub(crate) fn warn(scenario: &Scenario) {
    for warning in &scenario.warnings {
        eprintln!("{}\n", warning.to_string().trim_end());
    }
}

/// What a binary built without `feature` says when asked to `what`.
#[cfg_attr(all(feature = "kafka", feature = "plot"), allow(dead_code))]
pub(crate) fn needs_feature(feature: &str, what: &str) -> Error {
    Error::Usage(format!(
        "this simulate was built without the `{feature}` feature and cannot {what}; \
         build it with the default features (cargo build --release --locked)"
    ))
}
