//! librdkafka's producer properties by name, for "did you mean" on a misspelt `-X` key,
//! and the accepted values of those that take one of a few words, for a value that is
//! none of them. librdkafka says only "No such configuration property" and "Invalid
//! value"; a test ties both tables to the librdkafka linked in (each name is one it
//! knows, each value one it accepts).

use crate::scenario::diagnostics::{did_you_mean, list};

/// librdkafka's global and topic properties a producer may set.
pub(crate) const NAMES: &[&str] = &[
    "acks",
    "allow.auto.create.topics",
    "api.version.fallback.ms",
    "api.version.request",
    "api.version.request.timeout.ms",
    "batch.num.messages",
    "batch.size",
    "bootstrap.servers",
    "broker.address.family",
    "broker.address.ttl",
    "broker.version.fallback",
    "builtin.features",
    "client.dns.lookup",
    "client.id",
    "client.rack",
    "compression.codec",
    "compression.level",
    "compression.type",
    "connections.max.idle.ms",
    "debug",
    "delivery.timeout.ms",
    "enable.gapless.guarantee",
    "enable.idempotence",
    "enable.metrics.push",
    "enable.sasl.oauthbearer.unsecure.jwt",
    "enable.ssl.certificate.verification",
    "https.ca.location",
    "https.ca.pem",
    "linger.ms",
    "log.connection.close",
    "log.queue",
    "log.thread.name",
    "log_level",
    "max.in.flight",
    "max.in.flight.requests.per.connection",
    "message.copy.max.bytes",
    "message.max.bytes",
    "message.send.max.retries",
    "message.timeout.ms",
    "metadata.max.age.ms",
    "metadata.recovery.strategy",
    "partitioner",
    "queue.buffering.backpressure.threshold",
    "queue.buffering.max.kbytes",
    "queue.buffering.max.messages",
    "queue.buffering.max.ms",
    "reconnect.backoff.max.ms",
    "reconnect.backoff.ms",
    "request.required.acks",
    "request.timeout.ms",
    "retries",
    "retry.backoff.max.ms",
    "retry.backoff.ms",
    "sasl.kerberos.kinit.cmd",
    "sasl.kerberos.keytab",
    "sasl.kerberos.min.time.before.relogin",
    "sasl.kerberos.principal",
    "sasl.kerberos.service.name",
    "sasl.mechanism",
    "sasl.mechanisms",
    "sasl.oauthbearer.client.id",
    "sasl.oauthbearer.client.secret",
    "sasl.oauthbearer.config",
    "sasl.oauthbearer.extensions",
    "sasl.oauthbearer.method",
    "sasl.oauthbearer.scope",
    "sasl.oauthbearer.token.endpoint.url",
    "sasl.password",
    "sasl.username",
    "security.protocol",
    "socket.connection.setup.timeout.ms",
    "socket.keepalive.enable",
    "socket.max.fails",
    "socket.nagle.disable",
    "socket.receive.buffer.bytes",
    "socket.send.buffer.bytes",
    "socket.timeout.ms",
    "ssl.ca.certificate.stores",
    "ssl.ca.location",
    "ssl.ca.pem",
    "ssl.certificate.location",
    "ssl.certificate.pem",
    "ssl.cipher.suites",
    "ssl.crl.location",
    "ssl.curves.list",
    "ssl.endpoint.identification.algorithm",
    "ssl.key.location",
    "ssl.key.password",
    "ssl.key.pem",
    "ssl.keystore.location",
    "ssl.keystore.password",
    "ssl.sigalgs.list",
    "statistics.interval.ms",
    "sticky.partitioning.linger.ms",
    "topic.metadata.propagation.max.ms",
    "topic.metadata.refresh.fast.interval.ms",
    "topic.metadata.refresh.interval.ms",
    "topic.metadata.refresh.sparse",
    "transaction.timeout.ms",
    "transactional.id",
];

/// Properties that take one of a few words, and the words (as librdkafka spells them)
/// that this build accepts (no zstd: it is built without libzstd).
pub(crate) const VALUES: &[(&str, &[&str])] = &[
    ("acks", &["all", "-1", "0", "1"]),
    ("request.required.acks", &["all", "-1", "0", "1"]),
    ("compression.type", &["none", "gzip", "snappy", "lz4"]),
    ("compression.codec", &["none", "gzip", "snappy", "lz4"]),
    (
        "security.protocol",
        &["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"],
    ),
    (
        "partitioner",
        &[
            "random",
            "consistent",
            "consistent_random",
            "murmur2",
            "murmur2_random",
            "fnv1a",
            "fnv1a_random",
        ],
    ),
    ("broker.address.family", &["any", "v4", "v6"]),
    ("ssl.endpoint.identification.algorithm", &["none", "https"]),
    (
        "client.dns.lookup",
        &[
            "use_all_dns_ips",
            "resolve_canonical_bootstrap_servers_only",
        ],
    ),
    ("sasl.oauthbearer.method", &["default", "oidc"]),
    ("enable.idempotence", &["true", "false"]),
    ("metadata.recovery.strategy", &["none", "rebootstrap"]),
];

/// What to add to librdkafka's complaint about `key` (set to `value`): the property
/// meant, for a name it does not know; the accepted values, for a value it refuses.
pub(crate) fn hint(description: &str, key: &str) -> Option<String> {
    if description.contains("No such configuration property") {
        return did_you_mean(key, NAMES).map(|near| format!("did you mean `{near}`?"));
    }
    let (_, words) = VALUES.iter().find(|(name, _)| *name == key)?;
    Some(format!("accepted values: {}", list(words)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::ClientConfig;

    /// Whether librdkafka knows the property `key` (whatever it makes of `value`).
    fn known(key: &str, value: &str) -> Result<(), String> {
        match ClientConfig::new().set(key, value).create_native_config() {
            Ok(_) => Ok(()),
            Err(e) if e.to_string().contains("No such configuration property") => {
                Err(e.to_string())
            }
            Err(_) => Ok(()),
        }
    }

    #[test]
    fn every_name_is_a_librdkafka_property() {
        for name in NAMES {
            assert_eq!(known(name, "1"), Ok(()), "{name}");
        }
        // The check can fail: a misspelt name is not one.
        assert!(known("lingr.ms", "1").is_err());
    }

    #[test]
    fn every_listed_value_is_accepted_and_others_are_not() {
        for (name, words) in VALUES {
            assert!(NAMES.contains(name), "{name} is not in NAMES");
            for word in *words {
                let accepted = ClientConfig::new()
                    .set(*name, *word)
                    .create_native_config()
                    .is_ok();
                assert!(accepted, "{name}={word} is refused by librdkafka");
            }
            let refused = ClientConfig::new()
                .set(*name, "everything")
                .create_native_config()
                .is_err();
            assert!(refused, "{name}=everything is accepted");
        }
    }

    #[test]
    fn hints_name_the_property_or_the_values() {
        assert_eq!(
            hint("No such configuration property: \"lingr.ms\"", "lingr.ms").as_deref(),
            Some("did you mean `linger.ms`?")
        );
        assert_eq!(
            hint("Invalid value for configuration property \"acks\"", "acks").as_deref(),
            Some("accepted values: `all`, `-1`, `0` or `1`")
        );
        assert_eq!(hint("No such configuration property", "zzzzzzzz.qqq"), None);
    }
}
