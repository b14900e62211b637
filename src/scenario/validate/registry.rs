//! The scenario's `schema_registry`: the URL, the credentials (their `@FILE` values read
//! when a run starts, not here) and the TLS files.

use serde_json::Value as Json;

use crate::scenario::diagnostics::{FieldPath, Problem, Problems};
use crate::scenario::model::RegistryFile;

/// The Schema Registry settings, as validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Registry {
    /// `schema_registry.url`, if given.
    pub url: Option<String>,
    /// The credentials, if given (values may still be `@FILE`).
    pub auth: Option<Auth>,
    /// The CA file to trust, with `https`.
    pub ca: Option<String>,
    /// The client certificate file, with `https`.
    pub cert: Option<String>,
    /// The client key file, with `https`.
    pub key: Option<String>,
}

/// Registry credentials (values may be `@FILE`, read when the run starts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// HTTP basic authentication.
    Basic {
        /// The user.
        username: String,
        /// The password.
        password: String,
    },
    /// A bearer token.
    Bearer(String),
}

/// The scenario's `schema_registry` (at `path`).
pub(super) fn registry(given: Option<Json>, path: &FieldPath, problems: &mut Problems) -> Registry {
    let Some(given) = given else {
        return Registry::default();
    };
    let Some(map) = given.as_object() else {
        problems.push(Problem::new(
            path,
            "expected a mapping such as `{url: http://registry:8081}`",
        ));
        return Registry::default();
    };
    for key in map.keys() {
        if !RegistryFile::FIELDS.contains(&key.as_str()) {
            problems.push(
                Problem::new(
                    &path.key(key),
                    format!("unknown key `{key}` in `schema_registry`"),
                )
                .help("`schema_registry` has `url`, `auth`, `ca`, `cert` and `key`"),
            );
        }
    }
    let mut text =
        |key: &str, at: &FieldPath, map: &serde_json::Map<String, Json>| match map.get(key) {
            Some(Json::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(_) => {
                problems.push(Problem::new(
                    &at.key(key),
                    format!("`{key}` must be a non-empty string"),
                ));
                None
            }
            None => None,
        };
    let url = text("url", path, map);
    let (ca, cert, key) = (
        text("ca", path, map),
        text("cert", path, map),
        text("key", path, map),
    );
    let auth = match map.get("auth") {
        None => None,
        Some(Json::Object(auth)) => {
            let at = path.key("auth");
            let (user, password, bearer) = (
                text("username", &at, auth),
                text("password", &at, auth),
                text("bearer", &at, auth),
            );
            match (user, password, bearer) {
                (Some(username), Some(password), None) => Some(Auth::Basic { username, password }),
                (None, None, Some(token)) => Some(Auth::Bearer(token)),
                _ => {
                    problems.push(Problem::new(&at, "`auth` is `{username, password}` or `{bearer}`").help(
                        "e.g. `auth: {username: svc, password: \"@/run/secrets/sr\"}` or `auth: {bearer: \"@/run/secrets/token\"}`",
                    ));
                    None
                }
            }
        }
        Some(_) => {
            problems.push(Problem::new(
                &path.key("auth"),
                "`auth` is `{username, password}` or `{bearer}`",
            ));
            None
        }
    };
    if let Some(url) = &url {
        if let Err(why) = check_url(url) {
            problems
                .push(Problem::new(&path.key("url"), why).help("e.g. `url: http://registry:8081`"));
        }
    }
    if cert.is_some() != key.is_some() {
        problems.push(
            Problem::new(path, "a client certificate needs both `cert` and `key`")
                .help("add the missing one, or remove the other"),
        );
    }
    Registry {
        url,
        auth,
        ca,
        cert,
        key,
    }
}

/// Why `url` is not a registry URL, if it is not: `http://` or `https://` and a host.
pub fn check_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("`{url}` is not an http:// or https:// URL"))?;
    match rest.split(['/', '?']).next() {
        Some(host) if !host.is_empty() => Ok(()),
        _ => Err(format!("`{url}` names no host")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_urls_need_a_scheme_and_a_host() {
        assert!(check_url("http://registry:8081").is_ok());
        assert!(check_url("https://sr.example.com/api").is_ok());
        assert!(check_url("registry:8081").is_err());
        assert!(check_url("http://").is_err());
    }
}
