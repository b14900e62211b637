//! A user's schema file read as JSON with the place of every value (1-based line and
//! column), so that what is wrong in it, or what does not fit the payload, points into
//! the file: serde_json keeps no positions. The text is first read by serde_json, whose
//! syntax errors carry a line and column; the tree with positions is read from text
//! known to be JSON.

use serde_json::{Map, Number, Value as Json};

/// A 1-based line and column (columns count characters).
pub type At = (usize, usize);

/// One JSON value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value starts.
    pub at: At,
    /// The value.
    pub kind: Kind,
}

/// A JSON value whose parts are [`Node`]s.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, exactly as its text denotes (integers as integers).
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object's members, in file order (a repeated key is refused when read).
    Object(Vec<Member>),
}

/// One member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key.
    pub key: String,
    /// Where the key starts.
    pub at: At,
    /// The value.
    pub value: Node,
}

impl Node {
    /// The member `key` of an object; `None` for a missing key or a value that is not
    /// an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Object(members) => members.iter().find(|m| m.key == key).map(|m| &m.value),
            Kind::Null | Kind::Bool(_) | Kind::Number(_) | Kind::String(_) | Kind::Array(_) => None,
        }
    }

    /// The value as text, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            Kind::Null | Kind::Bool(_) | Kind::Number(_) | Kind::Array(_) | Kind::Object(_) => None,
        }
    }

    /// The value as a plain JSON value.
    pub fn json(&self) -> Json {
        match &self.kind {
            Kind::Null => Json::Null,
            Kind::Bool(b) => Json::Bool(*b),
            Kind::Number(n) => Json::Number(n.clone()),
            Kind::String(s) => Json::String(s.clone()),
            Kind::Array(items) => Json::Array(items.iter().map(Node::json).collect()),
            Kind::Object(members) => {
                let mut out = Map::new();
                for m in members {
                    out.insert(m.key.clone(), m.value.json());
                }
                Json::Object(out)
            }
        }
    }
}

/// The JSON text `text` with positions; an error is where the text stops being JSON
/// (or repeats a key), and what is wrong.
pub fn parse(text: &str) -> Result<Node, (At, String)> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the place is said apart.
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        return Err(((e.line().max(1), e.column().max(1)), message));
    }
    let mut reader = Reader {
        text,
        at: 0,
        line: 1,
        line_start: 0,
    };
    let node = reader.value()?;
    Ok(node)
}

struct Reader<'t> {
    text: &'t str,
    at: usize,
    line: usize,
    line_start: usize,
}

impl Reader<'_> {
    fn here(&self) -> At {
        let column = self.text[self.line_start..self.at].chars().count() + 1;
        (self.line, column)
    }

    fn space(&mut self) {
        while let Some(&b) = self.text.as_bytes().get(self.at) {
            match b {
                b'\n' => {
                    self.at += 1;
                    self.line += 1;
                    self.line_start = self.at;
                }
                b' ' | b'\r' | b'\t' => self.at += 1,
                _ => break,
            }
        }
    }

    fn peek(&self) -> u8 {
        self.text.as_bytes().get(self.at).copied().unwrap_or(0)
    }

    /// Skips white space and `byte` if it is next; whether it was.
    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let next = self.peek() == byte;
        if next {
            self.at += 1;
        }
        next
    }

    fn broken(&self) -> (At, String) {
        (self.here(), "not JSON".into())
    }

    fn value(&mut self) -> Result<Node, (At, String)> {
        self.space();
        let at = self.here();
        let kind = match self.peek() {
            b'{' => {
                self.at += 1;
                let mut members: Vec<Member> = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.space();
                        let key_at = self.here();
                        let key = self.string()?;
                        if members.iter().any(|m| m.key == key) {
                            return Err((key_at, format!("the key `{key}` is repeated")));
                        }
                        if !self.eat(b':') {
                            return Err(self.broken());
                        }
                        let value = self.value()?;
                        members.push(Member {
                            key,
                            at: key_at,
                            value,
                        });
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(self.broken());
                        }
                    }
                }
                Kind::Object(members)
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value()?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(self.broken());
                        }
                    }
                }
                Kind::Array(items)
            }
            b'"' => Kind::String(self.string()?),
            b't' => self.word("true", Kind::Bool(true))?,
            b'f' => self.word("false", Kind::Bool(false))?,
            b'n' => self.word("null", Kind::Null)?,
            _ => Kind::Number(self.number()?),
        };
        Ok(Node { at, kind })
    }

    fn word(&mut self, word: &str, kind: Kind) -> Result<Kind, (At, String)> {
        match self.text[self.at..].starts_with(word) {
            true => {
                self.at += word.len();
                Ok(kind)
            }
            false => Err(self.broken()),
        }
    }

    fn number(&mut self) -> Result<Number, (At, String)> {
        let rest = &self.text[self.at..];
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
            .unwrap_or(rest.len());
        let text = &rest[..len];
        let number = if let Ok(n) = text.parse::<i64>() {
            Some(Number::from(n))
        } else if let Ok(n) = text.parse::<u64>() {
            Some(Number::from(n))
        } else {
            text.parse::<f64>().ok().and_then(Number::from_f64)
        };
        let number = number.ok_or_else(|| (self.here(), format!("`{text}` is not a number")))?;
        self.at += len;
        Ok(number)
    }

    /// A string (the reader at its opening quote), escapes read by serde_json.
    fn string(&mut self) -> Result<String, (At, String)> {
        if self.peek() != b'"' {
            return Err(self.broken());
        }
        let bytes = self.text.as_bytes();
        let mut end = self.at + 1;
        while end < bytes.len() && bytes[end] != b'"' {
            end += if bytes[end] == b'\\' { 2 } else { 1 };
        }
        let quoted = self.text.get(self.at..=end).ok_or_else(|| self.broken())?;
        let value = serde_json::from_str(quoted).map_err(|_| self.broken())?;
        self.at = end + 1;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_knows_its_line_and_column() {
        let text = "{\n  \"a\": [1, \"é\\\"x\", {\"b\": null}],\n  \"c\": -2.5e3\n}";
        let node = parse(text).unwrap();
        assert_eq!(node.at, (1, 1));
        let a = node.get("a").unwrap();
        assert_eq!(a.at, (2, 8));
        let Kind::Array(items) = &a.kind else {
            panic!("{a:?}")
        };
        assert_eq!(items[1].at, (2, 12));
        assert_eq!(items[1].as_str(), Some("é\"x"));
        assert_eq!(items[2].get("b").unwrap().at, (2, 26));
        assert_eq!(node.get("c").unwrap().at, (3, 8));
        let Kind::Object(members) = &node.kind else {
            panic!()
        };
        assert_eq!(members[1].at, (3, 3));
        assert_eq!(node.json(), serde_json::from_str::<Json>(text).unwrap());
    }

    #[test]
    fn text_that_is_not_json_is_located_and_a_repeated_key_is_refused() {
        let (at, message) = parse("{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert_eq!(at, (3, 7));
        assert_eq!(message, "expected `:`");
        let (at, message) = parse("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert_eq!(at, (2, 2));
        assert_eq!(message, "the key `a` is repeated");
    }
}
