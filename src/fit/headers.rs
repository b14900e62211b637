//! The recorded headers, per name: a constant, the text of the payload field of the same
//! name, or the camera id in every event, as a scenario's `headers` write them; anything
//! else is left out, with a note.

use serde_json::{Map, Value};

use super::camera::CameraId;

/// What one header name held over the events.
#[derive(Debug, Clone)]
struct Header {
    name: String,
    count: u64,
    first: Option<String>,
    constant: bool,
    field: bool,
    camera: bool,
    text: bool,
}

/// Every header name seen, in order of first appearance (a recording has few).
#[derive(Debug, Clone, Default)]
pub struct Headers {
    names: Vec<Header>,
}

/// The text a header carries for a payload field: a string without quotes, a number as
/// printed, anything else as its JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Headers {
    /// Adds one event's headers, its payload's top-level fields and its camera.
    pub fn add(
        &mut self,
        headers: &[(String, Option<Vec<u8>>)],
        fields: Option<&Map<String, Value>>,
        camera: &CameraId,
    ) {
        for (name, value) in headers {
            let at = match self.names.iter().position(|h| &h.name == name) {
                Some(at) => at,
                None => {
                    self.names.push(Header {
                        name: name.clone(),
                        count: 0,
                        first: None,
                        constant: true,
                        field: true,
                        camera: true,
                        text: true,
                    });
                    self.names.len() - 1
                }
            };
            let header = &mut self.names[at];
            header.count += 1;
            let text = value.as_deref().and_then(|v| std::str::from_utf8(v).ok());
            let Some(text) = text else {
                header.text = false;
                continue;
            };
            match &header.first {
                None => header.first = Some(text.to_string()),
                Some(first) => header.constant &= first == text,
            }
            header.field &= fields
                .and_then(|f| f.get(name))
                .is_some_and(|v| text_of(v) == text);
            header.camera &= camera.key_text() == text;
        }
    }

    /// The headers as a scenario writes them (`name: value` pairs of YAML flow text),
    /// and a note on those left out; `events` is how many events there were.
    pub fn infer(&self, events: u64) -> (Vec<(String, String)>, Vec<String>) {
        let (mut written, mut left) = (Vec::new(), Vec::new());
        for h in &self.names {
            let value = if h.count < events || !h.text {
                None
            } else if h.field {
                Some(format!("{{field: {}}}", Value::from(h.name.as_str())))
            } else if h.camera {
                Some("{gen: camera_id}".to_string())
            } else if h.constant {
                h.first.as_deref().map(|v| Value::from(v).to_string())
            } else {
                None
            };
            match value {
                Some(value) => written.push((h.name.clone(), value)),
                None => left.push(h.name.clone()),
            }
        }
        (written, left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_constants_fields_or_the_camera() {
        let mut headers = Headers::default();
        for i in 0..4 {
            let kind = ["motion", "person"][i % 2];
            let fields = serde_json::json!({"kind": kind, "n": i});
            let h = |v: &str| Some(v.as_bytes().to_vec());
            let list = vec![
                ("source".to_string(), h("simulate")),
                ("kind".to_string(), h(kind)),
                ("cam".to_string(), h("1000")),
                ("n".to_string(), h("7")),
                ("trace".to_string(), h(&format!("t{i}"))),
            ];
            headers.add(&list, fields.as_object(), &CameraId::Int(1000));
        }
        let (written, left) = headers.infer(4);
        let want = [
            ("source", "\"simulate\""),
            ("kind", "{field: \"kind\"}"),
            ("cam", "{gen: camera_id}"),
            ("n", "\"7\""),
        ];
        let got: Vec<(&str, &str)> = written
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(left, vec!["trace".to_string()]);
    }
}
