//! The embedded cluster (librdkafka's in-process mock, three brokers on loopback). After
//! an embedded run its topics are read back and compared with the plan
//! (`crate::consume`'s verification), so a new user's first run proves every event
//! arrived exactly once, in order per key.

use rdkafka::error::KafkaError;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::DefaultProducerContext;

use crate::error::Error;

/// Brokers in the embedded cluster.
pub(crate) const BROKERS: i32 = 3;

/// A running embedded cluster with the topic created.
pub struct Embedded {
    // Kept alive for the run; dropping it stops the brokers.
    _cluster: MockCluster<'static, DefaultProducerContext>,
    /// Its bootstrap servers.
    pub bootstrap: String,
}

impl Embedded {
    /// Starts the cluster and creates each of `topics` with `partitions` partitions.
    pub fn start(topics: &[&str], partitions: i32) -> Result<Embedded, Error> {
        let fail = |what: &str, e: KafkaError| {
            Error::Runtime(format!(
                "cannot start the embedded Kafka cluster: {what}: {e}"
            ))
        };
        let cluster = MockCluster::new(BROKERS).map_err(|e| fail("mock cluster", e))?;
        for topic in topics {
            cluster
                .create_topic(topic, partitions, BROKERS)
                .map_err(|e| fail(&format!("create topic `{topic}`"), e))?;
        }
        let bootstrap = cluster.bootstrap_servers();
        Ok(Embedded {
            _cluster: cluster,
            bootstrap,
        })
    }
}
