//! Reads the JSON text the renderer writes, with every number as exactly the number its
//! text denotes: `str::parse` rounds correctly, which serde_json's default float parser
//! does not promise (its `float_roundtrip` feature is off here), and an Avro double must
//! be the double the JSON text says. [`parse`] builds a value for the encoders; the
//! `Reader` it uses is also what the encoders' single pass over the text reads tokens
//! with (scalars as a `Leaf`, strings borrowed when they hold no escape), so both read
//! the same grammar.

use std::borrow::Cow;

use serde_json::{Map, Number, Value as Json};

/// The value of the JSON text `bytes`; `None` when it is not JSON (a malformed value).
pub fn parse(bytes: &[u8]) -> Option<Json> {
    let mut reader = Reader::new(bytes)?;
    let value = reader.value()?;
    reader.end().then_some(value)
}

/// A JSON text read token by token.
pub(crate) struct Reader<'t> {
    text: &'t str,
    at: usize,
}

/// A JSON value that is neither an object nor a list, as [`parse`] would read it (a
/// string borrowed from the text when it holds no escape).
pub(crate) enum Leaf<'t> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number: an `i64` when it is one, else a `u64`, else the correctly rounded, finite
    /// `f64`.
    Number(Number),
    /// A string, unescaped.
    String(Cow<'t, str>),
}

impl Leaf<'_> {
    /// The value [`parse`] reads for it.
    pub(crate) fn into_json(self) -> Json {
        match self {
            Leaf::Null => Json::Null,
            Leaf::Bool(b) => Json::Bool(b),
            Leaf::Number(n) => Json::Number(n),
            Leaf::String(s) => Json::String(s.into_owned()),
        }
    }
}

impl<'t> Reader<'t> {
    /// A reader at the start of `bytes`; `None` when they are not UTF-8.
    pub(crate) fn new(bytes: &'t [u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        Some(Reader { text, at: 0 })
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    #[inline]
    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    /// The next token's first byte, after any white space.
    #[inline]
    pub(crate) fn next_byte(&mut self) -> Option<u8> {
        self.space();
        self.peek()
    }

    /// Reads `byte` (after any white space), or `None` when it is not next.
    #[inline]
    pub(crate) fn eat(&mut self, byte: u8) -> Option<()> {
        self.space();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// Whether only white space is left.
    #[inline]
    pub(crate) fn end(&mut self) -> bool {
        self.space();
        self.at == self.text.len()
    }

    /// An object's key and its colon.
    #[inline]
    pub(crate) fn key(&mut self) -> Option<Cow<'t, str>> {
        self.eat(b'"')?;
        let key = self.string()?;
        self.eat(b':')?;
        Some(key)
    }

    /// Reads the key `name` and its colon when the text spells the key plainly, as
    /// `"name"` with no escape; `false`, with nothing read, when it does not (another
    /// key, an escaped spelling, no key): then read it with [`Reader::key`].
    #[inline]
    pub(crate) fn plain_key(&mut self, name: &str) -> bool {
        self.space();
        let rest = &self.text.as_bytes()[self.at..];
        let plain = rest.first() == Some(&b'"')
            && rest.get(name.len() + 1) == Some(&b'"')
            && (rest[1..].iter().zip(name.as_bytes()))
                .all(|(r, n)| r == n && *n != b'"' && *n != b'\\');
        if plain {
            self.at += name.len() + 2;
        }
        plain && self.eat(b':').is_some()
    }

    fn word<T>(&mut self, word: &str, value: T) -> Option<T> {
        self.text[self.at..].starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    /// The next value when it is a [`Leaf`] (`None` for an object, a list, or what is
    /// not JSON).
    #[inline]
    pub(crate) fn leaf(&mut self) -> Option<Leaf<'t>> {
        self.space();
        match self.peek()? {
            b'{' | b'[' => None,
            b'"' => {
                self.at += 1;
                self.string().map(Leaf::String)
            }
            b't' => self.word("true", Leaf::Bool(true)),
            b'f' => self.word("false", Leaf::Bool(false)),
            b'n' => self.word("null", Leaf::Null),
            _ => self.number().map(Leaf::Number),
        }
    }

    fn value(&mut self) -> Option<Json> {
        match self.next_byte()? {
            b'{' => {
                self.at += 1;
                let mut fields = Map::new();
                if self.eat(b'}').is_some() {
                    return Some(Json::Object(fields));
                }
                loop {
                    let name = self.key()?;
                    fields.insert(name.into_owned(), self.value()?);
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
            _ => self.leaf().map(Leaf::into_json),
        }
    }

    #[inline]
    fn number(&mut self) -> Option<Number> {
        if let Some((n, len)) = short_integer(&self.text.as_bytes()[self.at..]) {
            self.at += len;
            return Some(Number::from(n));
        }
        let rest = &self.text[self.at..];
        let (mut len, mut integral) = (0, true);
        for b in rest.bytes() {
            match b {
                b'0'..=b'9' | b'+' | b'-' => {}
                b'.' | b'e' | b'E' => integral = false,
                _ => break,
            }
            len += 1;
        }
        let text = &rest[..len];
        self.at += len;
        // Only a sign and digits can be an integer: a fraction or an exponent is read as
        // an f64 straight away.
        if integral {
            if let Ok(n) = text.parse::<i64>() {
                return Some(Number::from(n));
            }
            if let Ok(n) = text.parse::<u64>() {
                return Some(Number::from(n));
            }
        }
        Number::from_f64(text.parse().ok()?)
    }

    /// The rest of a string whose opening quote was read: borrowed from the text when it
    /// holds no escape.
    #[inline]
    fn string(&mut self) -> Option<Cow<'t, str>> {
        let text = self.text;
        let rest = &text[self.at..];
        let stop = quote_or_escape(rest)?;
        self.at += stop + 1;
        if rest.as_bytes()[stop] == b'"' {
            return Some(Cow::Borrowed(&rest[..stop]));
        }
        let mut out = rest[..stop].to_string();
        loop {
            self.escape(&mut out)?;
            let rest = &text[self.at..];
            let stop = quote_or_escape(rest)?;
            out.push_str(&rest[..stop]);
            self.at += stop + 1;
            if rest.as_bytes()[stop] == b'"' {
                return Some(Cow::Owned(out));
            }
        }
    }

    /// Appends the character of the escape whose backslash was read.
    fn escape(&mut self, out: &mut String) -> Option<()> {
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
                        self.word("\\u", ())?;
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
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }
}

/// The integer `bytes` start with and its length in bytes, when it is an optional sign
/// and 1 to 18 digits followed by no other byte of a number (what `str::parse::<i64>`
/// reads too, and cannot overflow), read without the general parser.
#[inline]
fn short_integer(bytes: &[u8]) -> Option<(i64, usize)> {
    let (negative, start) = match bytes.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut n: i64 = 0;
    let mut end = start;
    while let Some(d) = bytes.get(end).filter(|d| d.is_ascii_digit()) {
        n = n.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
        end += 1;
    }
    let ended = !matches!(bytes.get(end), Some(b'+' | b'-' | b'.' | b'e' | b'E'));
    // Beyond 18 digits `n` may have wrapped: it is not used.
    let n = if negative { n.wrapping_neg() } else { n };
    (ended && (1..=18).contains(&(end - start))).then_some((n, end))
}

/// Where the first `"` or `\\` of `text` is.
#[inline]
fn quote_or_escape(text: &str) -> Option<usize> {
    text.bytes().position(|b| b == b'"' || b == b'\\')
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
            "-9223372036854775809",
            "123456789012345678",
            "-1234567890123456789",
            "[0,7,1e5,2E-3,-12.5]",
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
        // A sign the parser of `i64` takes (serde_json does not) reads as it always did.
        assert_eq!(parse(b"+5"), Some(Json::from(5)));
        assert_eq!(parse(b"[1-2]"), None);
        for bad in ["{", "[1,]", "\"a", "tru", "{\"a\" 1}", "1 2", "\"\\ud800\""] {
            assert_eq!(parse(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn a_plain_key_is_read_only_when_spelled_plainly() {
        let text = br#" "ab" : 1, "a\u0062":2, "ab2":3"#;
        let mut reader = Reader::new(text).unwrap();
        assert!(!reader.plain_key("a"));
        assert!(reader.plain_key("ab"));
        assert!(reader.leaf().is_some());
        reader.eat(b',').unwrap();
        assert!(!reader.plain_key("ab"));
        assert_eq!(reader.key().as_deref(), Some("ab"));
        assert!(reader.leaf().is_some());
        reader.eat(b',').unwrap();
        assert!(!reader.plain_key("ab"));
        assert!(reader.plain_key("ab2"));
    }
}
