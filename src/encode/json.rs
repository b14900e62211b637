//! Reads the JSON text the renderer writes back into a value for the encoders, with every
//! number as exactly the number its text denotes: `str::parse` rounds correctly, which
//! serde_json's default float parser does not promise (its `float_roundtrip` feature is
//! off here), and an Avro double must be the double the JSON text says.

use serde_json::{Map, Number, Value as Json};

/// The value of the JSON text `bytes`; `None` when it is not JSON (a malformed value).
pub fn parse(bytes: &[u8]) -> Option<Json> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut reader = Reader { text, at: 0 };
    let value = reader.value()?;
    reader.space();
    (reader.at == text.len()).then_some(value)
}

struct Reader<'t> {
    text: &'t str,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.space();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    fn word(&mut self, word: &str, value: Json) -> Option<Json> {
        self.text[self.at..].starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    fn value(&mut self) -> Option<Json> {
        self.space();
        match self.peek()? {
            b'{' => {
                self.at += 1;
                let mut fields = Map::new();
                if self.eat(b'}').is_some() {
                    return Some(Json::Object(fields));
                }
                loop {
                    self.eat(b'"')?;
                    let name = self.string()?;
                    self.eat(b':')?;
                    fields.insert(name, self.value()?);
                    if self.eat(b'}').is_some() {
                        return Some(Json::Object(fields));
                    }
                    self.eat(b',')?;
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']').is_some() {
                    return Some(Json::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    if self.eat(b']').is_some() {
                        return Some(Json::Array(items));
                    }
                    self.eat(b',')?;
                }
            }
            b'"' => {
                self.at += 1;
                self.string().map(Json::String)
            }
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'n' => self.word("null", Json::Null),
            _ => self.number(),
        }
    }

    fn number(&mut self) -> Option<Json> {
        let rest = &self.text[self.at..];
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
            .unwrap_or(rest.len());
        let text = &rest[..len];
        self.at += len;
        if let Ok(n) = text.parse::<i64>() {
            return Some(Json::from(n));
        }
        if let Ok(n) = text.parse::<u64>() {
            return Some(Json::from(n));
        }
        let x: f64 = text.parse().ok()?;
        Number::from_f64(x).map(Json::Number)
    }

    /// The rest of a string whose opening quote was read.
    fn string(&mut self) -> Option<String> {
        let mut out = String::new();
        loop {
            let rest = &self.text[self.at..];
            let stop = rest.find(['"', '\\'])?;
            out.push_str(&rest[..stop]);
            self.at += stop + 1;
            if rest.as_bytes()[stop] == b'"' {
                return Some(out);
            }
            let escape = self.peek()?;
            self.at += 1;
            out.push(match escape {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let high = self.hex4()?;
                    match high {
                        0xD800..=0xDBFF => {
                            self.word("\\u", Json::Null)?;
                            let low = self.hex4()?;
                            char::from_u32(
                                0x10000 + ((high - 0xD800) << 10) + (low.checked_sub(0xDC00)?),
                            )?
                        }
                        _ => char::from_u32(high)?,
                    }
                }
                _ => return None,
            });
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads_and_rounds_numbers_correctly() {
        for text in [
            r#"{"a":1,"b":[true,false,null],"c":"x\"\\\n\u0001é\ud83d\ude00","d":-2.5e3,"e":{}}"#,
            "[]",
            "18446744073709551615",
            "-9223372036854775808",
            "0.1",
        ] {
            assert_eq!(
                parse(text.as_bytes()),
                serde_json::from_str(text).ok(),
                "{text}"
            );
        }
        // A 17-digit shortest text reads back as exactly the double that printed it.
        for x in [
            0.8603811812740727f64,
            1.2345678901234567e-7,
            5e-324,
            f64::MAX,
        ] {
            let text = format!("{x:?}");
            assert_eq!(parse(text.as_bytes()).unwrap().as_f64(), Some(x), "{text}");
        }
        for bad in ["{", "[1,]", "\"a", "tru", "{\"a\" 1}", "1 2", "\"\\ud800\""] {
            assert_eq!(parse(bad.as_bytes()), None, "{bad}");
        }
    }
}
