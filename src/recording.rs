//! The recording format: one JSON object per Kafka message, what `simulate record`
//! writes, a `replay:` stream plays and `simulate fit` reads.
//!
//! A line is kcat's `-J` envelope plus what kcat lacks, in this order:
//! `{"topic","partition","offset","tstype","ts","key","headers":[[name,value],…],"payload"}`.
//! `ts` is the message timestamp in milliseconds since the epoch; `key`, a header value
//! and `payload` are JSON strings when their bytes are UTF-8, `{"base64": "…"}`
//! otherwise, and `null` when absent. kcat's own output (`kcat -C -J`: headers as one
//! flat `[name, value, name, value, …]` array, a `broker` field) reads the same, and so
//! does a payload written as a JSON value rather than a string (its compact text).
//!
//! Plain data and text only, no I/O beyond the reader handed in: the scenario loader,
//! the recorder and the fitter share this one definition.

use std::io::BufRead;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

/// One recorded message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// Its topic, when the line names one.
    pub topic: Option<String>,
    /// Its partition, when the line gives one.
    pub partition: Option<i32>,
    /// Its offset in the partition, when the line gives one.
    pub offset: Option<i64>,
    /// The timestamp's type as recorded (`create`, `logappend`), when given.
    pub tstype: Option<String>,
    /// Its timestamp, in milliseconds since the epoch.
    pub ts: i64,
    /// Its key, if it had one.
    pub key: Option<Vec<u8>>,
    /// Its headers, in order: name and value (`None` for a header without a value).
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    /// Its value, if it had one.
    pub payload: Option<Vec<u8>>,
}

/// Bytes as a line writes them: text, base64, or a JSON value written in place of text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Bytes {
    Text(String),
    Base64 { base64: String },
    Json(serde_json::Value),
}

impl Bytes {
    fn into_bytes(self) -> Result<Vec<u8>, String> {
        match self {
            Bytes::Text(text) => Ok(text.into_bytes()),
            Bytes::Base64 { base64 } => STANDARD
                .decode(base64.as_bytes())
                .map_err(|e| format!("`base64` is not standard base64 ({e})")),
            Bytes::Json(value) => Ok(value.to_string().into_bytes()),
        }
    }
}

/// Headers as a line writes them: `[[name, value], …]`, or kcat's flat list.
#[derive(Deserialize)]
#[serde(untagged)]
enum Headers {
    Pairs(Vec<(Bytes, Option<Bytes>)>),
    Flat(Vec<Option<Bytes>>),
}

/// A line as written, before its bytes are decoded.
#[derive(Deserialize)]
struct Line {
    topic: Option<String>,
    partition: Option<i32>,
    offset: Option<i64>,
    tstype: Option<String>,
    ts: Option<i64>,
    key: Option<Bytes>,
    headers: Option<Headers>,
    payload: Option<Bytes>,
}

impl Recorded {
    /// Reads one line of a recording; the error says what is wrong with it.
    pub fn parse(line: &str) -> Result<Recorded, String> {
        let raw: Line = serde_json::from_str(line).map_err(|e| {
            let what = e.to_string();
            // serde_json says "at line 1 column N"; the caller gives the line.
            let what = match what.rfind(" at line ") {
                Some(at) => what[..at].to_string(),
                None => what,
            };
            match e.classify() {
                serde_json::error::Category::Data => what,
                _ => format!("not a JSON object ({what})"),
            }
        })?;
        let ts = match raw.ts {
            Some(ts) if ts >= 0 => ts,
            Some(ts) => return Err(format!("`ts` is {ts}: the message has no timestamp")),
            None => return Err("no `ts` (the message timestamp, in ms since the epoch)".into()),
        };
        let opt = |b: Option<Bytes>, what: &str| {
            b.map(Bytes::into_bytes)
                .transpose()
                .map_err(|e| format!("{what}: {e}"))
        };
        let headers = match raw.headers {
            None => Vec::new(),
            Some(Headers::Pairs(pairs)) => pairs
                .into_iter()
                .map(|(name, value)| Ok((header_name(name)?, opt(value, "a header value")?)))
                .collect::<Result<_, String>>()?,
            Some(Headers::Flat(flat)) => {
                if flat.len() % 2 != 0 {
                    return Err(format!(
                        "`headers` holds {} items: kcat's flat list alternates names and values",
                        flat.len()
                    ));
                }
                let mut headers = Vec::with_capacity(flat.len() / 2);
                let mut items = flat.into_iter();
                while let (Some(name), Some(value)) = (items.next(), items.next()) {
                    let name = name.ok_or("a header name is null")?;
                    headers.push((header_name(name)?, opt(value, "a header value")?));
                }
                headers
            }
        };
        Ok(Recorded {
            topic: raw.topic,
            partition: raw.partition,
            offset: raw.offset,
            tstype: raw.tstype,
            ts,
            key: opt(raw.key, "`key`")?,
            headers,
            payload: opt(raw.payload, "`payload`")?,
        })
    }
}

fn header_name(name: Bytes) -> Result<String, String> {
    let bytes = name
        .into_bytes()
        .map_err(|e| format!("a header name: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "a header name is not UTF-8".to_string())
}

/// A line that could not be read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The line's number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// Every message of a recording, in file order, with its line number; blank lines are
/// skipped. Reads one line at a time, so memory is one line.
pub fn lines(reader: impl BufRead) -> impl Iterator<Item = Result<(usize, Recorded), LineError>> {
    reader.lines().enumerate().filter_map(|(i, line)| {
        let line_no = i + 1;
        match line {
            Err(e) => Some(Err(LineError {
                line: line_no,
                message: if e.kind() == std::io::ErrorKind::InvalidData {
                    "not UTF-8 text (bytes that are not UTF-8 are written as {\"base64\": \"…\"})"
                        .into()
                } else {
                    crate::text::io_reason(&e, "the file is gone")
                },
            })),
            Ok(line) if line.trim().is_empty() => None,
            Ok(line) => Some(
                Recorded::parse(&line)
                    .map(|r| (line_no, r))
                    .map_err(|message| LineError {
                        line: line_no,
                        message,
                    }),
            ),
        }
    })
}

/// Writes recording lines, field by field, into a reused buffer: [`Writer::start`], any
/// number of [`Writer::header`]s, then [`Writer::end`].
#[derive(Debug, Default)]
pub struct Writer {
    /// The line being written, and those written since it was last taken.
    pub out: Vec<u8>,
    headers: usize,
}

/// Where a message sits and when it was made: the fields before its key.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    /// Its topic.
    pub topic: &'a str,
    /// Its partition.
    pub partition: i32,
    /// Its offset.
    pub offset: i64,
    /// Its timestamp's type: `create`, `logappend` or `none`.
    pub tstype: &'a str,
    /// Its timestamp, ms since the epoch.
    pub ts: i64,
}

impl Writer {
    /// Begins a line: the message's place and its key.
    pub fn start(&mut self, place: Place<'_>, key: Option<&[u8]>) {
        let out = &mut self.out;
        out.extend_from_slice(b"{\"topic\":");
        write_text(out, place.topic);
        out.extend_from_slice(b",\"partition\":");
        out.extend_from_slice(itoa::Buffer::new().format(place.partition).as_bytes());
        out.extend_from_slice(b",\"offset\":");
        out.extend_from_slice(itoa::Buffer::new().format(place.offset).as_bytes());
        out.extend_from_slice(b",\"tstype\":");
        write_text(out, place.tstype);
        out.extend_from_slice(b",\"ts\":");
        out.extend_from_slice(itoa::Buffer::new().format(place.ts).as_bytes());
        out.extend_from_slice(b",\"key\":");
        write_bytes(out, key);
        out.extend_from_slice(b",\"headers\":[");
        self.headers = 0;
    }

    /// Adds a header to the line begun.
    pub fn header(&mut self, name: &[u8], value: Option<&[u8]>) {
        if self.headers > 0 {
            self.out.push(b',');
        }
        self.headers += 1;
        self.out.push(b'[');
        write_bytes(&mut self.out, Some(name));
        self.out.push(b',');
        write_bytes(&mut self.out, value);
        self.out.push(b']');
    }

    /// Ends the line with the message's value and a newline.
    pub fn end(&mut self, payload: Option<&[u8]>) {
        self.out.extend_from_slice(b"],\"payload\":");
        write_bytes(&mut self.out, payload);
        self.out.extend_from_slice(b"}\n");
    }
}

fn write_text(out: &mut Vec<u8>, text: &str) {
    // Writing a str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// Writes `bytes` as a line does: a JSON string when UTF-8, `{"base64": …}` otherwise,
/// `null` when absent.
pub(crate) fn write_bytes(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        None => out.extend_from_slice(b"null"),
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => write_text(out, text),
            Err(_) => {
                out.extend_from_slice(b"{\"base64\":\"");
                out.extend_from_slice(STANDARD.encode(bytes).as_bytes());
                out.extend_from_slice(b"\"}");
            }
        },
    }
}

/// Where the value of the top-level field `name` lies in the JSON object `json` (a
/// byte range of its text), if `json` is an object that has it. Scans, does not parse:
/// the rest of the text is left exactly as it is, for a caller that rewrites the field.
pub fn field_span(json: &[u8], name: &str) -> Option<std::ops::Range<usize>> {
    let mut i = skip_space(json, 0);
    if json.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_space(json, i);
        if json.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(json, i)?;
        let key = &json[i + 1..key_end - 1];
        i = skip_space(json, key_end);
        if json.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_space(json, i + 1);
        let end = value_end(json, start)?;
        if key == name.as_bytes() {
            return Some(start..end);
        }
        i = skip_space(json, end);
        match json.get(i) {
            Some(b',') => i += 1,
            _ => return None,
        }
    }
}

fn skip_space(json: &[u8], mut i: usize) -> usize {
    while matches!(json.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The end (exclusive) of the string starting at `i` (its opening quote).
fn string_end(json: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        match json.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
}

/// The end (exclusive) of the value starting at `i`.
fn value_end(json: &[u8], i: usize) -> Option<usize> {
    match json.get(i)? {
        b'"' => string_end(json, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match json.get(j)? {
                    b'"' => {
                        j = string_end(json, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while let Some(c) = json.get(j) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(key: Option<&[u8]>, headers: &[(&[u8], Option<&[u8]>)], payload: &[u8]) -> String {
        let mut w = Writer::default();
        let place = Place {
            topic: "events",
            partition: 2,
            offset: 41,
            tstype: "create",
            ts: 1_767_254_400_123,
        };
        w.start(place, key);
        for (name, value) in headers {
            w.header(name, *value);
        }
        w.end(Some(payload));
        String::from_utf8(w.out).unwrap()
    }

    #[test]
    fn a_line_has_the_fields_in_order_and_reads_back_as_written() {
        let text = line(
            Some(b"1000"),
            &[(b"trace", Some(b"a\"b")), (b"empty", None)],
            br#"{"camera_id":1000}"#,
        );
        assert_eq!(
            text,
            "{\"topic\":\"events\",\"partition\":2,\"offset\":41,\"tstype\":\"create\",\
             \"ts\":1767254400123,\"key\":\"1000\",\"headers\":[[\"trace\",\"a\\\"b\"],\
             [\"empty\",null]],\"payload\":\"{\\\"camera_id\\\":1000}\"}\n"
        );
        let back = Recorded::parse(text.trim_end()).unwrap();
        assert_eq!(back.topic.as_deref(), Some("events"));
        assert_eq!(
            (back.partition, back.offset, back.ts),
            (Some(2), Some(41), 1_767_254_400_123)
        );
        assert_eq!(back.key.as_deref(), Some(&b"1000"[..]));
        assert_eq!(
            back.headers,
            vec![
                ("trace".to_string(), Some(b"a\"b".to_vec())),
                ("empty".to_string(), None)
            ]
        );
        assert_eq!(back.payload.as_deref(), Some(&br#"{"camera_id":1000}"#[..]));
    }

    #[test]
    fn bytes_that_are_not_utf8_go_through_base64_and_back() {
        let value = [0u8, 0, 0, 0, 1, 0xff, 0xfe, 0x80];
        let text = line(Some(&[0xc3, 0x28]), &[(b"bin", Some(&[0xff]))], &value);
        assert!(text.contains("\"key\":{\"base64\":\"wyg=\"}"), "{text}");
        let back = Recorded::parse(text.trim_end()).unwrap();
        assert_eq!(back.key, Some(vec![0xc3, 0x28]));
        assert_eq!(back.headers, vec![("bin".to_string(), Some(vec![0xff]))]);
        assert_eq!(back.payload, Some(value.to_vec()));
    }

    #[test]
    fn kcat_json_output_is_read_the_same() {
        let kcat = r#"{"topic":"events","partition":0,"offset":7,"tstype":"create","ts":1767254400000,"broker":1,"headers":["a","1","b","2"],"key":null,"payload":"x"}"#;
        let r = Recorded::parse(kcat).unwrap();
        assert_eq!(r.key, None);
        assert_eq!(
            r.headers,
            vec![
                ("a".into(), Some(b"1".to_vec())),
                ("b".into(), Some(b"2".to_vec()))
            ]
        );
        assert_eq!(r.payload, Some(b"x".to_vec()));
        let without_headers = r#"{"topic":"t","partition":0,"offset":0,"tstype":"create","ts":5,"key":"k","payload":null}"#;
        let r = Recorded::parse(without_headers).unwrap();
        assert!(r.headers.is_empty() && r.payload.is_none());
    }

    #[test]
    fn a_top_level_field_is_found_by_its_span() {
        let json =
            br#"{"a": {"ts": 1, "b": "}"}, "s": "x\"y", "ts" : "2026-01-01 08:00:00" ,"n":12}"#;
        let at =
            |name| field_span(json, name).map(|r| String::from_utf8_lossy(&json[r]).into_owned());
        assert_eq!(at("ts").as_deref(), Some("\"2026-01-01 08:00:00\""));
        assert_eq!(at("n").as_deref(), Some("12"));
        assert_eq!(at("a").as_deref(), Some(r#"{"ts": 1, "b": "}"}"#));
        assert_eq!(at("s").as_deref(), Some(r#""x\"y""#));
        assert_eq!(at("b"), None);
        assert_eq!(field_span(b"[1]", "ts"), None);
        assert_eq!(field_span(b"{\"ts\":", "ts"), None);
    }

    #[test]
    fn a_payload_written_as_json_reads_as_its_compact_text() {
        let r = Recorded::parse(r#"{"ts":5,"payload":{"b":1,"a":[1, 2]}}"#).unwrap();
        assert_eq!(r.payload, Some(br#"{"b":1,"a":[1,2]}"#.to_vec()));
    }

    #[test]
    fn bad_lines_say_what_is_wrong_and_where() {
        let text = "{\"ts\":1,\"payload\":\"a\"}\n\nnot json\n{\"payload\":\"a\"}\n{\"ts\":-1}\n\
                    {\"ts\":1,\"headers\":[\"a\"]}\n{\"ts\":1,\"key\":{\"base64\":\"!!\"}}\n";
        let got: Vec<_> = lines(text.as_bytes()).collect();
        assert_eq!(got.len(), 6);
        assert_eq!(got[0].as_ref().map(|(n, _)| *n), Ok(1));
        let errors: Vec<(usize, String)> = got
            .into_iter()
            .filter_map(Result::err)
            .map(|e| (e.line, e.message))
            .collect();
        assert_eq!(
            errors.iter().map(|e| e.0).collect::<Vec<_>>(),
            [3, 4, 5, 6, 7]
        );
        assert!(
            errors[0].1.starts_with("not a JSON object"),
            "{}",
            errors[0].1
        );
        assert!(errors[1].1.contains("no `ts`"), "{}", errors[1].1);
        assert!(errors[2].1.contains("no timestamp"), "{}", errors[2].1);
        assert!(errors[3].1.contains("flat list"), "{}", errors[3].1);
        assert!(errors[4].1.contains("base64"), "{}", errors[4].1);
    }
}
