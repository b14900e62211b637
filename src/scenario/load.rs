//! Reading a scenario: the file (a regular file, size-limited, UTF-8), the limits on its
//! raw text checked before parsing (size, bracket nesting, indentation), and YAML
//! parsing into a generic value (its common syntax errors explained by `syntax`),
//! which `super::walk` turns into the raw model.

use std::path::Path;

use serde_yaml::Value;

use super::diagnostics::{Diagnostic, Problems};
use super::limits;
use super::model::ScenarioFile;
use super::positions::locate;
use super::syntax;
use super::walk::walk;
use crate::text::io_reason;

/// A scenario's text with the name it is shown under in messages.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as the user gave it (or `<stdin>`, `<test>`).
    pub name: String,
    /// The whole file.
    pub text: String,
}

/// Parses a scenario's text into its raw form.
///
/// Invalid YAML, or a document that is not a mapping, ends here with its diagnostics.
/// Otherwise the walk reports every structural problem and fills what it could not read
/// with harmless placeholders, so that validation can still report the problems of the
/// rest of the file in the same run.
pub(crate) fn parse(source: &Source) -> Result<(ScenarioFile, Problems), Vec<Diagnostic>> {
    let value = parse_yaml(source)?;
    match walk(&value) {
        (Some(file), problems) => Ok((file, problems)),
        (None, problems) => Err(locate(&source.name, &source.text, problems)),
    }
}

/// The diagnostic for a file over [`limits::MAX_FILE_BYTES`], wherever it is noticed.
fn too_large(name: &str) -> Diagnostic {
    let mut d = Diagnostic::new(limits::too_large()).help(limits::TOO_LARGE_HELP);
    d.file = Some(name.to_string());
    d
}

/// Size and depth checks on the raw text, then YAML parsing into a generic value.
fn parse_yaml(source: &Source) -> Result<Value, Vec<Diagnostic>> {
    let fail = |message: String, help: &str| {
        let mut d = Diagnostic::new(message).help(help.to_string());
        d.file = Some(source.name.clone());
        Err(vec![d])
    };
    if source.text.len() > limits::MAX_FILE_BYTES {
        return Err(vec![too_large(&source.name)]);
    }
    if let Some((line, column, depth)) = limits::excessive_nesting(&source.text) {
        let d = Diagnostic::new(format!(
            "nesting deeper than {} levels (reached {depth})",
            limits::MAX_DEPTH
        ))
        .help("a scenario needs at most 5 levels; check for unbalanced brackets");
        return Err(vec![d.at(&source.name, &source.text, line, column, 1)]);
    }
    if let Some((line, width)) = limits::excessive_indent(&source.text) {
        let d = Diagnostic::new(format!(
            "indented {width} characters deep; the limit is {}",
            limits::MAX_INDENT
        ))
        .help("a scenario needs a few levels of indentation; is this file generated wrongly?");
        return Err(vec![d.at(&source.name, &source.text, line, 1, width)]);
    }
    if source.text.trim().is_empty() || source.text.lines().all(is_blank_or_comment) {
        return fail(
            "the file is empty".to_string(),
            "a scenario needs at least `duration` and `streams`; see scenarios/default.yaml",
        );
    }
    match serde_yaml::from_str::<Value>(&source.text) {
        Ok(value) => Ok(value),
        Err(err) => {
            if let Some((line, column)) = tab_indent(&source.text, err.location().map(|l| l.line()))
            {
                let d = Diagnostic::new(
                    "invalid YAML: a tab in the indentation; YAML indentation must use spaces",
                )
                .help("replace the tab with spaces");
                return Err(vec![d.at(&source.name, &source.text, line, column, 1)]);
            }
            let text = err.to_string();
            let message = match text.find(" at line ") {
                Some(cut) => text[..cut].to_string(),
                None => text,
            };
            let at = err.location().map(|l| (l.line(), l.column()));
            if let Some(e) = syntax::explain(&source.text, &message, at) {
                let d = Diagnostic::new(e.message).help(e.help);
                return Err(vec![d.at(
                    &source.name,
                    &source.text,
                    e.line,
                    e.column,
                    e.len,
                )]);
            }
            let mut d = match huge_integer(&message) {
                Some((field, number)) => Diagnostic::new(format!(
                    "{number} is out of range: whole numbers here go from {} to {}",
                    i64::MIN,
                    u64::MAX
                ))
                .field(field),
                None => Diagnostic::new(format!("invalid YAML: {message}")),
            };
            d = match err.location() {
                Some(loc) => d.at(&source.name, &source.text, loc.line(), loc.column(), 1),
                None => {
                    d.file = Some(source.name.clone());
                    d
                }
            };
            Err(vec![d])
        }
    }
}

/// The field and number of yaml_serde's "f: invalid type: integer `N` as u128" error,
/// which it gives for integers beyond 64 bits.
fn huge_integer(message: &str) -> Option<(&str, &str)> {
    let (field, rest) = message.split_once(": invalid type: integer `")?;
    let (number, tail) = rest.split_once('`')?;
    (tail.starts_with(" as u128") || tail.starts_with(" as i128")).then_some((field, number))
}

/// The 1-based line and column of a tab in the indentation of line `line`, the line
/// where the parser gave up. Tabs elsewhere (after a key, inside a value) are legal YAML.
fn tab_indent(text: &str, line: Option<usize>) -> Option<(usize, usize)> {
    let line = line?;
    let content = text.lines().nth(line.checked_sub(1)?)?;
    let column = content
        .chars()
        .take_while(|c| matches!(c, ' ' | '\t'))
        .position(|c| c == '\t')?;
    Some((line, column + 1))
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
}

/// The name a scenario read from standard input (`-`) is shown under.
pub const STDIN: &str = "<stdin>";

/// How long a pipe or FIFO may stay silent, with a writer, before reading gives up.
const SILENT_PIPE: std::time::Duration = std::time::Duration::from_secs(30);

/// Reads a scenario with a size limit, as UTF-8: a file, standard input (`-`), or a pipe,
/// FIFO or device (`/dev/stdin`, `<(…)` process substitution), read as it comes.
pub(crate) fn read(path: &Path) -> Result<Source, Vec<Diagnostic>> {
    use std::io::Read;
    let stdin = path.as_os_str() == "-";
    let name = match stdin {
        true => STDIN.to_string(),
        false => path.display().to_string(),
    };
    let fail = |message: String, help: &str| {
        let mut d = Diagnostic::new(message);
        if !help.is_empty() {
            d = d.help(help.to_string());
        }
        d.file = Some(name.clone());
        vec![d]
    };
    let unreadable = |e: std::io::Error| {
        let reason = io_reason(&e, "no such file");
        fail(format!("cannot read the scenario file: {reason}"), "")
    };
    let limit = limits::MAX_FILE_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    if stdin {
        use std::io::IsTerminal;
        if std::io::stdin().is_terminal() {
            eprintln!("simulate: reading the scenario from standard input; end it with Ctrl-D");
        }
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
    } else {
        let metadata = std::fs::metadata(path).map_err(unreadable)?;
        if metadata.is_dir() {
            return Err(fail(
                "this is a directory, not a scenario file".into(),
                "name a .yaml file, e.g. scenarios/default.yaml",
            ));
        }
        if metadata.is_file() {
            let file = std::fs::File::open(path).map_err(unreadable)?;
            file.take(limit)
                .read_to_end(&mut bytes)
                .map_err(unreadable)?;
        } else {
            read_stream(path, limit, is_fifo(&metadata), &mut bytes).map_err(unreadable)?;
            if bytes.is_empty() && is_fifo(&metadata) {
                return Err(fail(
                    "nothing was written to this FIFO".into(),
                    "start the program that writes the scenario into it first, or pipe the \
                     scenario in: `generate | simulate -`",
                ));
            }
        }
    }
    if bytes.len() as u64 >= limit {
        return Err(vec![too_large(&name)]);
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

/// How long a FIFO may go without a writer before it counts as empty.
const FIFO_WRITER: std::time::Duration = std::time::Duration::from_millis(300);

/// Reads a pipe, FIFO or device up to `limit` bytes. A FIFO is opened without waiting for
/// a writer, which then has [`FIFO_WRITER`] to open it (none: nothing to read), and a
/// writer that stays silent for [`SILENT_PIPE`] ends the read with an error, so that
/// nothing blocks forever.
fn read_stream(path: &Path, limit: u64, fifo: bool, bytes: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut file = options.open(path)?;
    let mut chunk = [0u8; 8192];
    let opened = std::time::Instant::now();
    let mut quiet_since = opened;
    while (bytes.len() as u64) < limit {
        match file.read(&mut chunk) {
            // No writer yet (a FIFO opened without waiting): give one a moment.
            Ok(0) if fifo && bytes.is_empty() && opened.elapsed() < FIFO_WRITER => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Ok(0) => break,
            Ok(n) => {
                bytes.extend_from_slice(&chunk[..n]);
                quiet_since = std::time::Instant::now();
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if quiet_since.elapsed() >= SILENT_PIPE {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("nothing arrived for {} s", SILENT_PIPE.as_secs()),
                    ));
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Whether `metadata` is a FIFO's.
fn is_fifo(metadata: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        metadata.file_type().is_fifo()
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        false
    }
}
