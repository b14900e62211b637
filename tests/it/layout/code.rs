//! Reading Rust source for the layout checks, without a parser: comments and the insides
//! of string and character literals blanked out (lines kept), then a token stream of
//! identifiers, `::` and single punctuation characters, each with its line.

/// `text` with every comment and the contents of every string, byte-string, raw-string
/// and character literal replaced by spaces; newlines are kept, so lines and columns stay
/// where they were, and a brace inside a literal or a comment is no longer a brace.
pub fn code_of(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after_word = i > 0 && is_ident(chars[i - 1]);
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            // Block comments nest.
            let mut depth = 0;
            loop {
                if i >= chars.len() {
                    break;
                }
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_at(&chars, i).filter(|_| !after_word) {
            // r"…", r#"…"#, br"…": no escapes; ends at a quote followed by the hashes.
            let open = chars[i..].iter().position(|&c| c == '"').unwrap() + i;
            for &c in &chars[i..=open] {
                out.push(c);
            }
            i = open + 1;
            while i < chars.len() {
                let closes =
                    chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#'));
                if closes {
                    out.push('"');
                    out.extend(std::iter::repeat_n('#', hashes));
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            if i < chars.len() {
                out.push('"');
                i += 1;
            }
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            let literal_end = match next {
                Some('\\') => chars
                    .get(i + 3..)
                    .and_then(|rest| rest.iter().position(|&c| c == '\''))
                    .map(|p| i + 3 + p),
                Some(_) if chars.get(i + 2) == Some(&'\'') => Some(i + 2),
                _ => None,
            };
            match literal_end {
                Some(end) => {
                    out.push('\'');
                    out.extend(std::iter::repeat_n(' ', end - i - 1));
                    out.push('\'');
                    i = end + 1;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// At `i`, the opening of a raw (byte) string: the number of its `#`s.
fn raw_string_at(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    (chars.get(j + hashes) == Some(&'"')).then_some(hashes)
}

pub fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A token of cleaned code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword (also a number, which no check looks at).
    Word(String),
    /// `::`.
    Path,
    /// Any other character that is not white space.
    Punct(char),
}

/// The tokens of cleaned code (see [`code_of`]), each with its line (from 1).
pub fn tokens(code: &str) -> Vec<(Tok, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        } else if c.is_whitespace() {
        } else if is_ident(c) {
            let mut word = c.to_string();
            while let Some(&n) = chars.peek().filter(|&&n| is_ident(n)) {
                word.push(n);
                chars.next();
            }
            out.push((Tok::Word(word), line));
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            out.push((Tok::Path, line));
        } else {
            out.push((Tok::Punct(c), line));
        }
    }
    out
}

/// The index of the token closing the bracket opened at `open` (`{`, `(`, `[`).
pub fn closing(tokens: &[(Tok, usize)], open: usize) -> usize {
    let (o, c) = match tokens[open].0 {
        Tok::Punct('(') => ('(', ')'),
        Tok::Punct('[') => ('[', ']'),
        _ => ('{', '}'),
    };
    let mut depth = 0;
    for (i, (t, _)) in tokens.iter().enumerate().skip(open) {
        if *t == Tok::Punct(o) {
            depth += 1;
        } else if *t == Tok::Punct(c) {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    tokens.len() - 1
}

/// One function of a file: its name, the line of `fn`, and how many lines of it hold
/// code.
#[derive(Debug)]
pub struct Function {
    pub name: String,
    pub line: usize,
    pub code_lines: usize,
}

/// Every function with a body in `text`, nested ones included (a nested function's lines
/// count for it and for the one around it).
///
/// The heuristic: a function runs from its `fn` to the brace closing the first `{` after
/// it (a `;` first means a declaration without a body, as in a trait), and its length is
/// the number of those lines that hold code once comments are gone: blank and
/// comment-only lines do not count, as in clippy's `too_many_lines`. A signature never
/// holds a `{` in this code base (no const-generic blocks).
pub fn functions(text: &str) -> Vec<Function> {
    let code = code_of(text);
    let lines: Vec<&str> = code.lines().collect();
    let toks = tokens(&code);
    let mut out = Vec::new();
    for (i, (t, line)) in toks.iter().enumerate() {
        let (Tok::Word(w), Some((Tok::Word(name), _))) = (t, toks.get(i + 1)) else {
            continue;
        };
        if w != "fn" {
            continue;
        }
        let Some(open) = toks[i..]
            .iter()
            .position(|(t, _)| matches!(t, Tok::Punct('{') | Tok::Punct(';')))
            .map(|p| p + i)
            .filter(|&p| toks[p].0 == Tok::Punct('{'))
        else {
            continue;
        };
        let end = toks[closing(&toks, open)].1;
        let code_lines = lines[line - 1..end.min(lines.len())]
            .iter()
            .filter(|l| !l.trim().is_empty())
            .count();
        out.push(Function {
            name: name.clone(),
            line: *line,
            code_lines,
        });
    }
    out
}

#[test]
fn comments_and_literals_are_blanked_and_lines_kept() {
    let text = "let a = \"{ // }\"; // a { comment\n/* outer /* inner } */ still */ b('{', '\\'', 'x);\nlet r = r#\"raw \" { \"#; c::<'a>();\n";
    let code = code_of(text);
    assert_eq!(code.lines().count(), 3);
    assert_eq!(code.chars().count(), text.chars().count());
    assert!(!code.contains('{') && !code.contains('}'), "{code}");
    assert!(code.contains("b(' ', '  ', 'x);"), "{code}");
    assert!(
        code.contains("c::<'a>()"),
        "a lifetime is not a literal: {code}"
    );
}

#[test]
fn function_lengths_count_code_lines_only() {
    let text = "fn short() {\n    a();\n}\n\n/// doc\npub fn long() -> u8 {\n    // a comment\n\n    let x = \"}\";\n    x.len() as u8\n}\ntrait T {\n    fn declared(&self);\n}\n";
    let found: Vec<(String, usize, usize)> = functions(text)
        .into_iter()
        .map(|f| (f.name, f.line, f.code_lines))
        .collect();
    assert_eq!(
        found,
        [("short".to_string(), 1, 3), ("long".to_string(), 6, 4)]
    );
}
