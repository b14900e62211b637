//! The `kafka` section: the sink's settings, with the librdkafka properties simulate sets
//! itself refused (one check, [`KafkaFile::managed`], which the command line and the
//! environment's properties use too).

use std::collections::BTreeMap;

use crate::scenario::diagnostics::{FieldPath, Problem, Problems};
use crate::scenario::model::{KafkaFile, KeyMode, TimestampMode};

/// Kafka sink settings from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Kafka {
    /// `kafka.bootstrap_servers`, if set.
    pub bootstrap_servers: Option<String>,
    /// The producer's `client.id`.
    pub client_id: String,
    /// What becomes the message key.
    pub key: KeyMode,
    /// Which instant the message timestamp carries.
    pub timestamp: TimestampMode,
    /// librdkafka properties passed through, in key order.
    pub properties: BTreeMap<String, String>,
}

impl Default for Kafka {
    /// The settings of a file without a `kafka` section.
    fn default() -> Kafka {
        Kafka {
            bootstrap_servers: None,
            client_id: "simulate".to_string(),
            key: KeyMode::default(),
            timestamp: TimestampMode::default(),
            properties: BTreeMap::new(),
        }
    }
}

impl KafkaFile {
    /// Why a librdkafka property is not for the user to set (what to do instead), if
    /// simulate sets it itself; `None` for every other property.
    pub(crate) fn managed(key: &str) -> Option<&'static str> {
        KafkaFile::MANAGED_PROPERTIES
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, instead)| *instead)
    }
}

/// Checks the `kafka` section and fills in its defaults.
pub(super) fn kafka(file: Option<KafkaFile>, path: &FieldPath, problems: &mut Problems) -> Kafka {
    let file = file.unwrap_or(KafkaFile {
        bootstrap_servers: None,
        client_id: None,
        key: None,
        timestamp: None,
        properties: BTreeMap::new(),
    });
    for key in file.properties.keys() {
        if let Some(instead) = KafkaFile::managed(key) {
            let path = path.key("properties").key(key);
            problems.push(Problem::new(&path, format!("`{key}` is set by simulate")).help(instead));
        }
    }
    if let Some(servers) = &file.bootstrap_servers {
        if servers.trim().is_empty() {
            problems.push(Problem::new(
                &path.key("bootstrap_servers"),
                "no broker addresses given",
            ));
        }
    }
    Kafka {
        bootstrap_servers: file.bootstrap_servers,
        client_id: file.client_id.unwrap_or_else(|| "simulate".to_string()),
        key: file.key.unwrap_or_default(),
        timestamp: file.timestamp.unwrap_or_default(),
        properties: file.properties,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_properties_simulate_sets_are_refused_with_what_to_do_instead() {
        assert_eq!(KafkaFile::managed("client.id"), Some("use kafka.client_id"));
        assert!(KafkaFile::managed("bootstrap.servers").is_some());
        assert_eq!(KafkaFile::managed("linger.ms"), None);
        assert_eq!(KafkaFile::managed("client.id "), None);
    }
}
