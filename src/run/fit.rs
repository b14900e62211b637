//! `simulate fit`, assembled: the recording opened and read line by line into the
//! core's [`crate::fit::topics::Topics`] (a [`crate::fit::Fitter`] a topic; a recording
//! through [`crate::recording::lines`], or plain JSON lines with `--time-field`), the
//! scenario written to the output, bad input mapped to exit 2 with `file:line: what is
//! wrong`.

use std::io::{BufRead, BufReader, Write};

use serde_json::Value;

use crate::cli::FitArgs;
use crate::error::Error;
use crate::fit::topics::Topics;
use crate::fit::{Event, Options};
use crate::recording::{self, Recorded};

/// `simulate fit`: exit 0 with the scenario written; 2 for input that cannot be fitted.
pub(super) fn fit_command(args: &FitArgs) -> Result<u8, Error> {
    let shown = args.recording.display().to_string();
    let file = std::fs::File::open(&args.recording).map_err(|e| {
        Error::Usage(format!(
            "{shown}: cannot read the recording: {}",
            crate::text::io_reason(
                &e,
                "no such file; give the path of a recording (`simulate record -o FILE` writes one)"
            )
        ))
    })?;
    let reader = BufReader::with_capacity(1 << 20, file);
    let mut fitter = Topics::new(Options {
        camera_field: args.camera_field.clone(),
        keyed: args.time_field.is_none(),
    });
    match &args.time_field {
        None => read_recording(reader, &mut fitter, &shown)?,
        Some(field) => read_lines(reader, &mut fitter, &shown, field)?,
    }
    let topics = fitter.fit().map_err(|e| {
        Error::Usage(format!(
            "{shown}: {e}; fit a recording of at least 3 messages at different instants"
        ))
    })?;
    let fitted: Vec<&crate::fit::Fitted> = topics
        .iter()
        .filter_map(|t| t.fitted.as_ref().ok())
        .collect();
    let out_of_order: u64 = fitted.iter().map(|f| f.out_of_order).sum();
    if out_of_order > 0 {
        eprintln!(
            "simulate: {shown}: timestamps out of order (before one read above them on their partition): {out_of_order}; fitted sorted by timestamp"
        );
    }
    for topic in &topics {
        if let Err(why) = &topic.fitted {
            eprintln!(
                "warning: {shown}: topic {} ({}) not fitted: {why}",
                crate::fit::topics::label(topic),
                crate::fit::topics::events(topic.events)
            );
        }
    }
    let text = crate::fit::write::render_topics(&topics, &shown);
    let events: usize = fitted.iter().map(|f| f.events).sum();
    let cameras: usize = fitted.iter().map(|f| f.cameras.len()).sum();
    match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::write(path, text.as_bytes()).map_err(|e| {
                Error::Runtime(format!(
                    "cannot write the scenario to {}: {}",
                    path.display(),
                    crate::text::io_reason(&e, "its folder does not exist")
                ))
            })?;
            eprintln!(
                "simulate: fitted {events} events of {cameras} cameras{} from {shown} into {}",
                match fitted.len() {
                    1 => String::new(),
                    n => format!(" in {n} streams"),
                },
                path.display()
            );
            Ok(crate::error::EXIT_OK)
        }
        _ => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Output(e)),
                _ => Ok(crate::error::EXIT_OK),
            }
        }
    }
}

/// `file:line: what` as an invalid-input error.
fn at(shown: &str, line: usize, what: &str) -> Error {
    Error::Usage(format!("{shown}:{line}: {what}"))
}

/// A payload's bytes as JSON, when they are.
fn json_of(payload: Option<&[u8]>) -> Option<Value> {
    payload.and_then(|bytes| serde_json::from_slice(bytes).ok())
}

/// Feeds a recording's messages to the fitter.
fn read_recording(reader: impl BufRead, fitter: &mut Topics, shown: &str) -> Result<(), Error> {
    for item in recording::lines(reader) {
        let (line, message) = item.map_err(|e| {
            at(
                shown,
                e.line,
                &format!(
                    "{}; a recording has one JSON object per message, as `simulate record` or \
                     `kcat -C -J` write (other JSON lines: give their timestamp field with \
                     --time-field NAME)",
                    e.message
                ),
            )
        })?;
        let payload = json_of(message.payload.as_deref());
        add(fitter, &message, message.ts, payload.as_ref()).map_err(|e| at(shown, line, &e))?;
    }
    Ok(())
}

/// One message into the fitter.
fn add(
    fitter: &mut Topics,
    message: &Recorded,
    ts_ms: i64,
    payload: Option<&Value>,
) -> Result<(), String> {
    fitter.add(Event {
        ts_ms,
        topic: message.topic.as_deref(),
        partition: message.partition,
        key: message.key.as_deref(),
        headers: &message.headers,
        payload,
        opaque: message.payload.is_some() && !payload.is_some_and(Value::is_object),
    })
}

/// Feeds JSON lines whose timestamp is `field` to the fitter: each line is an event, or
/// a recording's message whose payload holds the field.
fn read_lines(
    reader: impl BufRead,
    fitter: &mut Topics,
    shown: &str,
    field: &str,
) -> Result<(), Error> {
    let empty = Recorded {
        topic: None,
        partition: None,
        offset: None,
        tstype: None,
        ts: 0,
        key: None,
        headers: Vec::new(),
        payload: None,
    };
    for (i, line) in reader.lines().enumerate() {
        let line_no = i + 1;
        let text = line.map_err(|e| {
            at(
                shown,
                line_no,
                &crate::text::io_reason(&e, "the file is gone"),
            )
        })?;
        if text.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            at(
                shown,
                line_no,
                &format!("not a JSON object ({e}); write one event per line"),
            )
        })?;
        let message = match value.get("payload").is_some() && value.get("ts").is_some() {
            true => Some(Recorded::parse(&text).map_err(|e| at(shown, line_no, &e))?),
            false => None,
        };
        let payload = match &message {
            Some(m) => json_of(m.payload.as_deref()),
            None => Some(value),
        };
        let ts = payload
            .as_ref()
            .and_then(|p| p.get(field))
            .ok_or_else(|| {
                at(
                    shown,
                    line_no,
                    &format!("no `{field}` field (--time-field): every event needs its timestamp"),
                )
            })
            .and_then(|v| {
                crate::fit::timestamp_of(v)
                    .map_err(|e| at(shown, line_no, &format!("`{field}`: {e}")))
            })?;
        add(
            fitter,
            message.as_ref().unwrap_or(&empty),
            ts,
            payload.as_ref(),
        )
        .map_err(|e| at(shown, line_no, &e))?;
    }
    Ok(())
}
