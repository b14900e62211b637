//! The records of a JSON lines file (`--input FILE`, `-` for stdin): one record a line,
//! blank lines skipped, each placed by its line number.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::compare::Gathered;
use super::expected::Expected;
use super::record::Fields;
use crate::error::Error;
use crate::text::io_reason;

/// Reads every line of `path` into `gathered`. A file that cannot be opened is invalid
/// input; one that breaks off while read is a failure at run time.
pub(crate) fn file(
    path: &Path,
    fields: &Fields,
    truth: &Expected,
    gathered: &mut Gathered,
) -> Result<(), Error> {
    let input: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| {
            Error::Usage(format!(
                "cannot read --input {}: {}",
                path.display(),
                io_reason(&e, "no such file")
            ))
        })?)
    };
    lines(BufReader::new(input), fields, truth, gathered).map_err(|e| {
        Error::Runtime(format!(
            "cannot read --input {}: {}",
            path.display(),
            io_reason(&e, "no such file")
        ))
    })
}

/// Reads every line of `input` into `gathered`.
pub(crate) fn lines(
    mut input: impl BufRead,
    fields: &Fields,
    truth: &Expected,
    gathered: &mut Gathered,
) -> std::io::Result<()> {
    let mut line = Vec::new();
    for number in 1.. {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        gathered.add(&format!("line {number}"), &line, fields, truth);
    }
    Ok(())
}
