//! Producer properties from outside the scenario: a properties file (`-F FILE`), the
//! environment (`SIMULATE_X_*`) and `-X`, and values read from files (`@FILE`).
//!
//! Precedence, lowest first: the scenario's `kafka.properties`, the properties file, the
//! environment, `-X` (the later source wins, as the more specific one). Any value that
//! starts with `@` is read from the file it names, relative to the working directory,
//! without its trailing line break; `@@` stands for a literal leading `@`.
//!
//! Parsing is pure (text in, properties out); reading files is left to the caller's
//! `read` function, so the rules are unit-tested without a file system.

use std::io;
use std::path::Path;

/// The prefix of environment variables that set a property: `SIMULATE_X_SASL_PASSWORD`
/// sets `sasl.password`.
pub const ENV_PREFIX: &str = "SIMULATE_X_";

/// Where a property was set, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `kafka.properties` in the scenario file.
    Scenario,
    /// A line of the properties file given with `-F`.
    File {
        /// The file as given.
        path: String,
        /// The line (from 1) where the property starts.
        line: usize,
    },
    /// An environment variable.
    Env {
        /// Its name, e.g. `SIMULATE_X_SASL_PASSWORD`.
        name: String,
    },
    /// `-X key=value`.
    Flag,
}

impl Origin {
    /// Where `key` was set, as a user would look for it: `-X sasl.password`,
    /// `client.properties:3: sasl.password`, `SIMULATE_X_SASL_PASSWORD`.
    pub fn describe(&self, key: &str) -> String {
        match self {
            Origin::Scenario => format!("kafka.properties: {key} in the scenario"),
            Origin::File { path, line } => format!("{path}:{line}: {key}"),
            Origin::Env { name } => name.clone(),
            Origin::Flag => format!("-X {key}"),
        }
    }
}

/// One property and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// The librdkafka property name.
    pub key: String,
    /// Its value (after `@FILE` is read, once [`read_values`] ran).
    pub value: String,
    /// Where it was set.
    pub origin: Origin,
}

impl Property {
    /// A property given as `-X key=value`.
    pub fn flag(key: &str, value: &str) -> Property {
        Property {
            key: key.to_string(),
            value: value.to_string(),
            origin: Origin::Flag,
        }
    }
}

/// The properties set by `SIMULATE_X_*` variables among `vars`, in name order (the
/// environment's own order is arbitrary): the rest of the name lower-cased, with `_`
/// for `.` (librdkafka's property names have no underscores).
pub fn from_env(vars: impl IntoIterator<Item = (String, String)>) -> Vec<Property> {
    let mut found: Vec<Property> = vars
        .into_iter()
        .filter_map(|(name, value)| {
            let rest = name.strip_prefix(ENV_PREFIX)?;
            if rest.is_empty() {
                return None;
            }
            Some(Property {
                key: rest.to_ascii_lowercase().replace('_', "."),
                value,
                origin: Origin::Env { name },
            })
        })
        .collect();
    found.sort_by(|a, b| a.key.cmp(&b.key));
    found
}

/// What a properties file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertiesFile {
    /// The librdkafka properties, in file order.
    pub properties: Vec<Property>,
    /// `bootstrap.servers`, if the file sets it (used after `-b` and
    /// `KAFKA_BOOTSTRAP_SERVERS`, before the scenario's).
    pub bootstrap_servers: Option<String>,
    /// What was translated or left out, one line each, for stderr.
    pub notes: Vec<String>,
}

/// Java client properties that mean nothing to librdkafka (serializers, DNS lookup, the
/// Schema Registry's settings in a Confluent Cloud file): left out with a note.
const JAVA_ONLY: &[&str] = &[
    "client.dns.lookup",
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
    "schema.registry.",
    "basic.auth.",
    "sasl.login.callback.handler.class",
    "sasl.client.callback.handler.class",
];

/// Parses a properties file: `key=value`, `key: value` or `key value` lines, `#` and `!`
/// comments, `\` continuations and escapes, as Java reads them (so the files Confluent
/// Cloud, MSK and Aiven hand out read as they are). Java-only settings are translated
/// (`sasl.jaas.config` gives `sasl.username` and `sasl.password`) or left out, with a
/// note. `path` names the file in messages and origins.
pub fn parse_file(text: &str, path: &str) -> Result<PropertiesFile, String> {
    let mut file = PropertiesFile::default();
    for (line, logical) in logical_lines(text) {
        let (key, value) = split_entry(&logical);
        let key = unescape(key);
        let value = unescape(value);
        let at = |key: &str| {
            Origin::File {
                path: path.to_string(),
                line,
            }
            .describe(key)
        };
        if key == "bootstrap.servers" || key == "metadata.broker.list" {
            file.bootstrap_servers = Some(value);
            continue;
        }
        if JAVA_ONLY
            .iter()
            .any(|p| key == *p || (p.ends_with('.') && key.starts_with(p)))
        {
            file.notes.push(format!(
                "{}: a Java client setting librdkafka has no use for; left out",
                at(&key)
            ));
            continue;
        }
        let property = |key: &str, value: String| Property {
            key: key.to_string(),
            value,
            origin: Origin::File {
                path: path.to_string(),
                line,
            },
        };
        if key == "sasl.jaas.config" {
            let (username, password) = jaas_credentials(&value).ok_or_else(|| {
                format!(
                    "{}: only PlainLoginModule and ScramLoginModule with username and password are understood; for OAUTHBEARER set sasl.oauthbearer.method=oidc, sasl.oauthbearer.client.id, sasl.oauthbearer.client.secret and sasl.oauthbearer.token.endpoint.url instead",
                    at(&key)
                )
            })?;
            file.notes.push(format!(
                "{}: read as sasl.username and sasl.password",
                at(&key)
            ));
            file.properties.push(property("sasl.username", username));
            file.properties.push(property("sasl.password", password));
            continue;
        }
        if key.is_empty() {
            return Err(format!("{path}:{line}: a value without a property name"));
        }
        file.properties.push(property(&key, value));
    }
    Ok(file)
}

/// The file's logical lines (continuations joined), each with the line it starts on;
/// blank lines and comments are skipped.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let continued = current.is_some();
        let part = raw.trim_start();
        if !continued && (part.is_empty() || part.starts_with('#') || part.starts_with('!')) {
            continue;
        }
        // An odd number of trailing backslashes continues the line.
        let trailing = part.chars().rev().take_while(|c| *c == '\\').count();
        let (part, more) = if trailing % 2 == 1 {
            (&part[..part.len() - 1], true)
        } else {
            (part, false)
        };
        let (start, mut text) = current.take().unwrap_or((i + 1, String::new()));
        text.push_str(part);
        if more {
            current = Some((start, text));
        } else {
            lines.push((start, text));
        }
    }
    if let Some(last) = current {
        lines.push(last);
    }
    lines
}

/// Splits a logical line at the first unescaped `=`, `:` or whitespace (Java's rule),
/// with the whitespace around the separator dropped.
fn split_entry(line: &str) -> (&str, &str) {
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '=' | ':' => return (&line[..i], line[i + 1..].trim_start()),
            c if c.is_whitespace() => {
                let rest = line[i..].trim_start();
                let rest = rest.strip_prefix(['=', ':']).map_or(rest, str::trim_start);
                return (&line[..i], rest);
            }
            _ => {}
        }
    }
    (line, "")
}

/// Java's escapes: `\t`, `\n`, `\r`, `\f`, `\uXXXX`, and `\` before any other character
/// stands for that character.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(decoded) if hex.len() == 4 => {
                        out.push(decoded);
                        chars.nth(3);
                    }
                    _ => out.push('u'),
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// `username` and `password` of a PLAIN or SCRAM `sasl.jaas.config`, e.g.
/// `org.apache.kafka.common.security.plain.PlainLoginModule required username='u' password='p';`.
fn jaas_credentials(config: &str) -> Option<(String, String)> {
    if !(config.contains("PlainLoginModule") || config.contains("ScramLoginModule")) {
        return None;
    }
    let option = |name: &str| -> Option<String> {
        let mut rest = config;
        loop {
            let at = rest.find(name)?;
            let before = rest[..at].chars().next_back();
            let after = rest[at + name.len()..].trim_start();
            rest = &rest[at + name.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let Some(after) = after.strip_prefix('=') else {
                continue;
            };
            let after = after.trim_start();
            let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let body = &after[1..];
            let end = body.find(quote)?;
            return Some(body[..end].to_string());
        }
    };
    Some((option("username")?, option("password")?))
}

/// Replaces every `@FILE` value with the file's contents (without trailing line breaks),
/// and `@@…` with `@…`. `read` reads a file; an unreadable one is named with the
/// property's origin (the value itself is never shown: it may be a secret).
pub fn read_values(
    properties: &mut [Property],
    mut read: impl FnMut(&Path) -> io::Result<String>,
) -> Result<(), String> {
    for property in properties {
        if let Some(value) = read_value(&property.value, &mut read)
            .map_err(|e| format!("{}: {e}", property.origin.describe(&property.key)))?
        {
            property.value = value;
        }
    }
    Ok(())
}

/// The value `value` stands for, if it is an `@FILE` or `@@` value; `None` if it is
/// taken as it is.
pub fn read_value(
    value: &str,
    read: &mut impl FnMut(&Path) -> io::Result<String>,
) -> Result<Option<String>, String> {
    if let Some(literal) = value.strip_prefix("@@") {
        return Ok(Some(format!("@{literal}")));
    }
    let Some(path) = value.strip_prefix('@') else {
        return Ok(None);
    };
    if path.trim().is_empty() {
        return Err(
            "`@` needs a file to read the value from, e.g. @/run/secrets/kafka-password (write @@ for a value that starts with @)"
                .to_string(),
        );
    }
    let text = read(Path::new(path)).map_err(|e| {
        format!(
            "cannot read the value from {path}: {}",
            crate::text::io_reason(&e, "no such file")
        )
    })?;
    Ok(Some(text.trim_end_matches(['\n', '\r']).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(file: &PropertiesFile) -> Vec<(&str, &str)> {
        file.properties
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str()))
            .collect()
    }

    #[test]
    fn environment_names_become_property_names_in_order() {
        let found = from_env([
            ("SIMULATE_X_SASL_PASSWORD".to_string(), "p".to_string()),
            ("PATH".to_string(), "/bin".to_string()),
            ("SIMULATE_X_".to_string(), "ignored".to_string()),
            ("SIMULATE_X_LINGER_MS".to_string(), "5".to_string()),
            ("SIMULATE_SHARD".to_string(), "0/2".to_string()),
        ]);
        let keys: Vec<_> = found.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["linger.ms", "sasl.password"]);
        assert_eq!(
            found[1].origin,
            Origin::Env {
                name: "SIMULATE_X_SASL_PASSWORD".into()
            }
        );
    }

    #[test]
    fn a_java_style_file_reads_as_java_reads_it() {
        let text = "# Confluent Cloud\n\
                    ! another comment\n\
                    \n\
                    bootstrap.servers=pkc-1.cloud:9092\n\
                    security.protocol = SASL_SSL\n\
                    sasl.mechanisms:PLAIN\n\
                    linger.ms 5\n\
                    ssl.ca.location=/etc/ssl/a\\\n\
                    \x20   b.pem\n\
                    client.dns.lookup=use_all_dns_ips\n\
                    schema.registry.url=https://x\n\
                    weird\\=key=a\\tb\\u0041\n\
                    empty=\n";
        let file = parse_file(text, "client.properties").unwrap();
        assert_eq!(file.bootstrap_servers.as_deref(), Some("pkc-1.cloud:9092"));
        assert_eq!(
            pairs(&file),
            [
                ("security.protocol", "SASL_SSL"),
                ("sasl.mechanisms", "PLAIN"),
                ("linger.ms", "5"),
                ("ssl.ca.location", "/etc/ssl/ab.pem"),
                ("weird=key", "a\tbA"),
                ("empty", ""),
            ]
        );
        assert_eq!(
            file.properties[3].origin,
            Origin::File {
                path: "client.properties".into(),
                line: 8
            }
        );
        assert_eq!(file.notes.len(), 2, "{:?}", file.notes);
        assert!(file.notes[0].starts_with("client.properties:10: client.dns.lookup"));
    }

    #[test]
    fn jaas_config_gives_username_and_password() {
        let text = "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username='svc-sim' password=\"p=w'd\";\n";
        let file = parse_file(text, "f").unwrap();
        assert_eq!(
            pairs(&file),
            [("sasl.username", "svc-sim"), ("sasl.password", "p=w'd")]
        );
        let oauth = "sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;";
        let err = parse_file(oauth, "f").unwrap_err();
        assert!(err.starts_with("f:1: sasl.jaas.config:"), "{err}");
        assert!(err.contains("sasl.oauthbearer.method=oidc"), "{err}");
    }

    #[test]
    fn at_values_are_read_from_files() {
        let mut read = |p: &Path| -> io::Result<String> {
            match p.to_str() {
                Some("/run/secrets/pw") => Ok("s3cret\r\n".into()),
                _ => Err(io::Error::from(io::ErrorKind::NotFound)),
            }
        };
        let mut props = vec![
            Property {
                key: "sasl.password".into(),
                value: "@/run/secrets/pw".into(),
                origin: Origin::Flag,
            },
            Property {
                key: "sasl.username".into(),
                value: "@@at-sign".into(),
                origin: Origin::Flag,
            },
            Property {
                key: "linger.ms".into(),
                value: "5".into(),
                origin: Origin::Flag,
            },
        ];
        read_values(&mut props, &mut read).unwrap();
        let values: Vec<_> = props.iter().map(|p| p.value.as_str()).collect();
        assert_eq!(values, ["s3cret", "@at-sign", "5"]);

        let mut missing = vec![Property {
            key: "sasl.password".into(),
            value: "@/nope".into(),
            origin: Origin::Env {
                name: "SIMULATE_X_SASL_PASSWORD".into(),
            },
        }];
        let err = read_values(&mut missing, &mut read).unwrap_err();
        assert!(
            err.starts_with("SIMULATE_X_SASL_PASSWORD: cannot read the value from /nope"),
            "{err}"
        );
        assert!(read_value("@", &mut read).is_err());
    }
}
