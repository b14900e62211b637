//! The scenario file format: plain data in, plain data out. It imports nothing
//! downstream (no planner, no sink, no command line).
//!
//! A file goes [`load`] (read it, limits on the raw text, YAML) → `walk` (the raw model
//! of [`model`], every problem collected) → [`validate`] (a [`Scenario`] that cannot hold
//! an invalid value). Problems become [`diagnostics::Diagnostic`]s with the field path and,
//! from `positions`, the line and column they are written at.

mod checks;
pub mod diagnostics;
mod distribution;
pub mod duration;
pub mod limits;
pub mod load;
pub mod model;
pub mod payload;
mod positions;
pub mod recorded;
mod shard;
mod syntax;
pub mod validate;
mod walk;

use std::path::Path;

pub use diagnostics::{Diagnostic, Severity, render_all};
pub use duration::Nanos;
pub use load::{STDIN, Source};
pub use validate::{CameraPick, Faults, Overrides, Scenario, Shard, Stream, StreamArrivals};

/// Reads, parses and validates a scenario file, reporting every problem found.
pub fn load_file(path: &Path, overrides: &Overrides) -> Result<Scenario, Vec<Diagnostic>> {
    let source = load::read(path)?;
    let dir =
        (path.as_os_str() != "-" && path != Path::new("/dev/stdin")).then(|| match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        });
    let mut scenario = load_source_in(&source, &default_name(path), overrides, dir.as_deref())?;
    scenario.dir = dir;
    Ok(scenario)
}

/// Parses and validates a scenario held in memory; `name` is used when it sets none.
/// The recordings it replays are read relative to the working directory.
pub fn load_source(
    source: &Source,
    name: &str,
    overrides: &Overrides,
) -> Result<Scenario, Vec<Diagnostic>> {
    load_source_in(source, name, overrides, None)
}

/// [`load_source`], with the recordings it replays read relative to `dir`.
fn load_source_in(
    source: &Source,
    name: &str,
    overrides: &Overrides,
    dir: Option<&Path>,
) -> Result<Scenario, Vec<Diagnostic>> {
    let (file, problems) = load::parse(source)?;
    let recordings = recorded::read_all(&file, dir);
    // Validation adds its problems to the walk's, so that a check can tell a part that
    // could not be read (and skip what depends on it) from one that is fine.
    match validate::validate(file, name, overrides, &recordings, problems) {
        Ok((mut scenario, warnings)) => {
            scenario.warnings = positions::locate(&source.name, &source.text, warnings);
            for warning in &mut scenario.warnings {
                warning.severity = diagnostics::Severity::Warning;
            }
            scenario.source = Some(std::sync::Arc::new(source.clone()));
            Ok(scenario)
        }
        Err(problems) => Err(positions::locate(&source.name, &source.text, problems)),
    }
}

/// The scenario's name when the file sets none: the file name without its extension.
pub fn default_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        return "stdin".to_string();
    }
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "scenario".to_string())
}
