//! The producer properties set outside the scenario, gathered: the `-F` file read and
//! parsed, `SIMULATE_X_*` and `-X` added in order, every `@FILE` value read (the
//! scenario's `kafka.properties` included, in place), the properties simulate manages
//! refused, and the secret values remembered so that nothing the process writes shows
//! them. The rules themselves are pure, in [`super::properties`]; this is their I/O.

use std::collections::BTreeMap;
use std::path::Path;

use super::properties::{self, Origin, Property};
use crate::error::Error;
use crate::redact;
use crate::scenario::model::KafkaFile;
use crate::text::io_reason;

/// Where the properties outside the scenario come from, as the command line gave them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Given<'a> {
    /// `-F FILE`.
    pub file: Option<&'a Path>,
    /// `SIMULATE_X_*` variables, read once at start-up.
    pub env: &'a [(String, String)],
    /// `-X key=value`, in order.
    pub flags: &'a [(String, String)],
    /// Print the properties file's notes (unless quiet).
    pub notes: bool,
}

/// The producer properties set outside the scenario, resolved.
#[derive(Debug, Default)]
pub(crate) struct Sources {
    /// From `-F`, the environment and `-X`, in that order (the later wins).
    pub properties: Vec<Property>,
    /// `bootstrap.servers` of the `-F` file.
    pub bootstrap_servers: Option<String>,
}

/// Gathers the properties of `given` and reads every `@FILE` value, the scenario's
/// `kafka.properties` (`scenario_properties`) in place. The file's notes go to stderr.
pub(crate) fn gather(
    given: Given<'_>,
    scenario_properties: &mut BTreeMap<String, String>,
) -> Result<Sources, Error> {
    let mut sources = Sources::default();
    if let Some(file) = given.file {
        let shown = file.display().to_string();
        let text = std::fs::read_to_string(file).map_err(|e| {
            Error::Usage(format!(
                "cannot read the properties file {shown}: {}",
                io_reason(&e, "no such file")
            ))
        })?;
        let parsed = properties::parse_file(&text, &shown).map_err(Error::Usage)?;
        if given.notes {
            for note in &parsed.notes {
                eprintln!("simulate: {note}");
            }
        }
        sources.properties = parsed.properties;
        sources.bootstrap_servers = parsed.bootstrap_servers;
    }
    sources
        .properties
        .extend(properties::from_env(given.env.iter().cloned()));
    for property in &sources.properties {
        if let Some(instead) = KafkaFile::managed(&property.key) {
            return Err(Error::Usage(format!(
                "{}: `{}` is set by simulate: {instead}",
                property.origin.describe(&property.key),
                property.key
            )));
        }
    }
    sources
        .properties
        .extend(given.flags.iter().map(|(key, value)| Property {
            key: key.clone(),
            value: value.clone(),
            origin: Origin::Flag,
        }));
    let mut read = |path: &Path| std::fs::read_to_string(path);
    properties::read_values(&mut sources.properties, &mut read).map_err(Error::Usage)?;
    for (key, value) in scenario_properties.iter_mut() {
        if let Some(read) = properties::read_value(value, &mut read)
            .map_err(|e| Error::Usage(format!("{}: {e}", Origin::Scenario.describe(key))))?
        {
            *value = read;
        }
    }
    let all = sources.properties.iter().map(|p| (&p.key, &p.value));
    for (key, value) in all.chain(scenario_properties.iter()) {
        redact::remember(key, value);
    }
    Ok(sources)
}
