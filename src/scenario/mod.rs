//! The scenario file format: its raw model, loading with error locations, and validation
//! into a [`Scenario`] that cannot hold an invalid value.

pub mod duration;
pub mod limits;
pub mod load;
pub mod model;
pub mod validate;

use std::path::Path;

pub use duration::Nanos;
pub use load::Source;
pub use validate::{CameraPick, Overrides, Scenario, Stream, StreamArrivals};

use crate::error::Diagnostic;

/// Reads, parses and validates a scenario file, reporting every problem found.
pub fn load_file(path: &Path, overrides: &Overrides) -> Result<Scenario, Vec<Diagnostic>> {
    let source = read(path)?;
    load_source(&source, &default_name(path), overrides)
}

/// Parses and validates a scenario held in memory; `name` is used when it sets none.
pub fn load_source(
    source: &Source,
    name: &str,
    overrides: &Overrides,
) -> Result<Scenario, Vec<Diagnostic>> {
    let (file, mut problems) = load::parse(source)?;
    match validate::validate(file, name, overrides) {
        Ok(scenario) if problems.is_empty() => Ok(scenario),
        Ok(_) => Err(load::locate(source, problems)),
        Err(more) => {
            problems.append(more);
            Err(load::locate(source, problems))
        }
    }
}

/// The scenario's name when the file sets none: the file name without its extension.
pub fn default_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "scenario".to_string())
}

/// Reads a scenario file with a size limit, as UTF-8.
pub fn read(path: &Path) -> Result<Source, Vec<Diagnostic>> {
    use std::io::Read;
    let name = path.display().to_string();
    let fail = |message: String, help: &str| {
        let mut d = Diagnostic::new(message);
        if !help.is_empty() {
            d = d.help(help.to_string());
        }
        d.file = Some(name.clone());
        vec![d]
    };
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(fail(
                "this is a directory, not a scenario file".into(),
                "name a .yaml file, e.g. scenarios/default.yaml",
            ));
        }
        // A FIFO or a device could block the read forever, or never end.
        Ok(m) if !m.is_file() => {
            return Err(fail(
                "this is not a regular file".into(),
                "name a .yaml file, e.g. scenarios/default.yaml",
            ));
        }
        _ => {}
    }
    let file = std::fs::File::open(path).map_err(|e| {
        fail(
            format!("cannot read the scenario file: {}", io_reason(&e)),
            "",
        )
    })?;
    let mut bytes = Vec::new();
    let limit = limits::MAX_FILE_BYTES as u64 + 1;
    file.take(limit).read_to_end(&mut bytes).map_err(|e| {
        fail(
            format!("cannot read the scenario file: {}", io_reason(&e)),
            "",
        )
    })?;
    if bytes.len() as u64 >= limit {
        return Err(fail(limits::TOO_LARGE.to_string(), limits::TOO_LARGE_HELP));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let prefix = &e.as_bytes()[..offset];
        let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = prefix.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        let mut d = fail(
            format!("the file is not valid UTF-8 (byte {offset}, line {line}, column {column})"),
            "scenario files are UTF-8 text; is this a binary file?",
        );
        d[0].location = None;
        d
    })?;
    Ok(Source { name, text })
}

/// An I/O error in words, without the `(os error N)` suffix.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_string(),
                None => text,
            }
        }
    }
}
