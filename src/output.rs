//! Output files of a run (`--report`, `--truth`): opened before the run, so that an
//! unwritable path fails at once as invalid input and not after a three-minute run, and
//! written at the end to FILE.tmp, then renamed, so FILE is never left half-written.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::scenario::Scenario;
use crate::text::io_reason;
use crate::truth;

/// Where `--truth` goes, if anywhere, and its window.
pub(crate) struct Truth {
    /// The file, opened before the run.
    pub file: Option<Pending>,
    /// The length of the tumbling windows counted, in milliseconds.
    pub window_ms: u64,
}

impl Truth {
    /// Writes the ground truth of `scenario`'s run from `start`, if it was asked for.
    pub(crate) fn write(&self, scenario: &Scenario, start: DateTime<Utc>) -> Result<(), Error> {
        match &self.file {
            Some(file) => file.write(&truth::to_json(&truth::compute(
                scenario,
                start,
                self.window_ms,
            ))),
            None => Ok(()),
        }
    }
}

/// An output file opened before the run (so an unwritable path fails at once, as
/// invalid input) and written at the end: to FILE.tmp, then renamed, so FILE is never
/// left half-written.
pub(crate) struct Pending {
    path: PathBuf,
    tmp: PathBuf,
    what: &'static str,
}

impl Pending {
    /// Creates FILE.tmp for `path` now (`what` names the file in messages, e.g. "the
    /// report"); an unwritable path is invalid input.
    pub(crate) fn create(path: &Path, what: &'static str) -> Result<Pending, Error> {
        let tmp = tmp_path(path);
        std::fs::File::create(&tmp).map_err(|e| {
            Error::Usage(format!(
                "cannot write {what} to {}: {}; choose a path in a writable directory",
                path.display(),
                io_reason(&e, "no such directory")
            ))
        })?;
        Ok(Pending {
            path: path.to_path_buf(),
            tmp,
            what,
        })
    }

    /// Writes `text` to FILE.tmp and renames it to FILE.
    pub(crate) fn write(&self, text: &str) -> Result<(), Error> {
        std::fs::write(&self.tmp, text)
            .and_then(|()| std::fs::rename(&self.tmp, &self.path))
            .map_err(|e| {
                Error::Runtime(format!(
                    "cannot write {} to {}: {}",
                    self.what,
                    self.path.display(),
                    io_reason(&e, "no such directory")
                ))
            })
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        // Written files were renamed; an unused one is removed.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// FILE.tmp beside FILE.
fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}
