//! Secrets never leave the process. A property is secret when its name says password,
//! secret, key material, token, credentials or JAAS; its value is shown as `***` wherever
//! properties are listed ([`shown`]), and once resolved it is remembered ([`remember`]),
//! so that every text the process writes about a run (error messages, the summary, the
//! `--report` JSON, librdkafka's messages quoted in them) passes through [`redact`]
//! first.
//!
//! Values shorter than [`MIN_REDACTED`] characters are still shown as `***` beside their
//! property, but not searched for in free text, where they would blank out ordinary
//! words and numbers.

use std::sync::Mutex;

/// The shortest secret value searched for in free text.
pub const MIN_REDACTED: usize = 4;

/// What a secret is shown as.
pub const MASK: &str = "***";

/// Words that make a property secret when its name contains one of them.
const SECRET_WORDS: &[&str] = &[
    "password",
    "secret",
    "key",
    "token",
    "credential",
    "jaas",
    "sasl.oauthbearer.config",
];

/// The secret values seen so far, longest first (so a secret that contains another is
/// masked whole).
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Whether the property `key` holds a secret: `sasl.password`, `ssl.key.password`,
/// `ssl.keystore.password`, `sasl.oauthbearer.client.secret`, `ssl.key.pem`, and any
/// other whose name says password, secret, key, token, credential or JAAS.
pub fn is_secret(key: &str) -> bool {
    let name = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|word| name.contains(word))
}

/// A property's value as it may be shown: `***` for a secret.
pub fn shown(key: &str, value: &str) -> String {
    if is_secret(key) {
        MASK.to_string()
    } else {
        value.to_string()
    }
}

/// Remembers the value of `key` if it is a secret, so that [`redact`] masks it.
pub fn remember(key: &str, value: &str) {
    if !is_secret(key) || value.chars().count() < MIN_REDACTED {
        return;
    }
    let mut secrets = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|s| s == value) {
        secrets.push(value.to_string());
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// `text` with every remembered secret replaced by `***`.
pub fn redact(text: &str) -> String {
    let secrets = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_string();
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), MASK);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_follow_the_rule() {
        for key in [
            "sasl.password",
            "ssl.key.password",
            "ssl.keystore.password",
            "sasl.oauthbearer.client.secret",
            "ssl.key.pem",
            "ssl.key.location",
            "sasl.oauthbearer.config",
            "sasl.jaas.config",
            "SASL.PASSWORD",
        ] {
            assert!(is_secret(key), "{key}");
            assert_eq!(shown(key, "v"), MASK);
        }
        for key in [
            "sasl.username",
            "security.protocol",
            "ssl.ca.location",
            "linger.ms",
        ] {
            assert!(!is_secret(key), "{key}");
            assert_eq!(shown(key, "v"), "v");
        }
    }

    #[test]
    fn remembered_secrets_are_masked_in_free_text() {
        remember("sasl.password", "pw-7f3a");
        remember("sasl.password", "pw-7f3a-longer");
        remember("sasl.username", "alice-user");
        remember("ssl.key.password", "abc");
        let text = "auth failed for alice-user with pw-7f3a-longer and pw-7f3a; abc";
        assert_eq!(
            redact(text),
            "auth failed for alice-user with *** and ***; abc"
        );
    }
}
