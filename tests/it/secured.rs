//! End to end against a secured broker: Tansu with SCRAM authentication behind stunnel's
//! TLS, with certificates made for the test by the `openssl` command, read back by
//! kafka-python over the same TLS and SASL.
//!
//! Tansu 0.6.0 cannot serve TLS itself (its `--cert` and `--key` flags conflict), so
//! stunnel accepts TLS on one loopback port and forwards to Tansu's plaintext port;
//! Tansu advertises the TLS port, so every connection goes through stunnel. Users must
//! exist before authentication is switched on and memory storage forgets them, so Tansu
//! (built with `libsql`) keeps them in SQLite: started without `--authentication`, users
//! and topics are created, then it is restarted on the same file with it.
//!
//! These run with the other real-broker tests (`SIMULATE_TEST_BROKER`, tests/build.rs);
//! they also need `SIMULATE_TEST_STUNNEL` and `SIMULATE_TEST_OPENSSL`, which `.ci/run`
//! sets. What is not tested against a broker here (PLAIN, OAUTHBEARER) and why is in
//! the README.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use crate::real_broker::{Env, assert_matches_plan, env, free_port, read_back_with, unique_topic};

/// The password of the test's SCRAM users: planted, and looked for in every output.
const PASSWORD: &str = "pw-PLANTED-7f3a9c";
/// Another planted secret, for a property whose name says it is one.
const KEY_PASSWORD: &str = "kp-PLANTED-51e0";

/// The tools beyond the plain broker's: stunnel and openssl.
struct Tools {
    env: Env,
    stunnel: String,
    openssl: String,
}

fn tools() -> Tools {
    let get = |k: &str| {
        std::env::var(k)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| {
                panic!("SIMULATE_TEST_BROKER is set but {k} is not (.ci/run sets it)")
            })
    };
    Tools {
        env: env(),
        stunnel: get("SIMULATE_TEST_STUNNEL"),
        openssl: get("SIMULATE_TEST_OPENSSL"),
    }
}

/// A throwaway PKI: a CA, a broker certificate it issued (for 127.0.0.1 and localhost),
/// a client certificate it issued, and a second CA that issued nothing the broker uses.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new(tools: &Tools) -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let out = Command::new(&tools.openssl)
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        for (name, cn) in [
            ("ca", "simulate test CA"),
            ("other-ca", "simulate other CA"),
        ] {
            let mut args = vec!["req", "-x509", "-days", "2", "-subj"];
            let subject = format!("/CN={cn}");
            args.push(&subject);
            args.extend(ec);
            let (key, pem) = (format!("{name}.key"), format!("{name}.pem"));
            args.extend(["-keyout", &key, "-out", &pem]);
            run(&args);
        }
        std::fs::write(
            dir.path().join("server.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("client.ext"),
            "extendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        for (name, cn) in [("server", "localhost"), ("client", "svc-sim")] {
            let subject = format!("/CN={cn}");
            let (key, csr, pem, ext) = (
                format!("{name}.key"),
                format!("{name}.csr"),
                format!("{name}.pem"),
                format!("{name}.ext"),
            );
            let mut args = vec!["req", "-new", "-subj", &subject];
            args.extend(ec);
            args.extend(["-keyout", &key, "-out", &csr]);
            run(&args);
            run(&[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                &ext,
                "-out",
                &pem,
            ]);
        }
        Pki { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

/// How the secured broker is set up.
#[derive(Clone, Copy)]
enum Security {
    /// SCRAM-SHA-256 and SCRAM-SHA-512 users, behind TLS.
    SaslSsl,
    /// TLS, no authentication.
    Ssl,
    /// TLS with a client certificate required (mutual TLS), no SASL.
    MutualTls,
}

/// Tansu behind stunnel, both stopped when dropped.
struct Secured {
    children: Vec<Child>,
    _dir: tempfile::TempDir,
    /// stunnel's TLS port (the one Tansu advertises).
    tls: String,
    /// Tansu's own plaintext port.
    plain: String,
}

impl Drop for Secured {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_for_port(address: &str, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(address).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited ({status}) before listening on {address}");
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on {address}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn tansu_command(tools: &Tools, dir: &Path) -> Command {
    let mut command = Command::new(&tools.env.tansu);
    command
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn tansu(tools: &Tools, dir: &Path, args: &[&str]) {
    let status = tansu_command(tools, dir).args(args).status().unwrap();
    assert!(status.success(), "tansu {args:?} failed");
}

/// Starts Tansu (with `topics` created, 3 partitions each) behind stunnel.
fn start_secured(tools: &Tools, pki: &Pki, security: Security, topics: &[&str]) -> Secured {
    let dir = tempfile::tempdir().unwrap();
    let (plain, tls) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let broker_args = |storage: &str| -> Vec<String> {
        [
            "broker",
            "--listener-url",
            &format!("tcp://{plain}"),
            "--advertised-listener-url",
            &format!("tcp://{tls}"),
            "--storage-engine",
            storage,
        ]
        .map(String::from)
        .to_vec()
    };
    let mut children = Vec::new();
    let create_topics = || {
        for topic in topics {
            tansu(
                tools,
                dir.path(),
                &[
                    "topic",
                    "create",
                    topic,
                    "--broker",
                    &format!("tcp://{plain}"),
                    "--partitions",
                    "3",
                ],
            );
        }
    };
    match security {
        Security::SaslSsl => {
            // Users and topics first, in SQLite; then authentication on the same file.
            let mut first = tansu_command(tools, dir.path())
                .args(broker_args("sqlite://tansu.db"))
                .spawn()
                .unwrap();
            wait_for_port(&plain, &mut first, "tansu");
            for (user, mechanism) in [("svc-512", "scram512"), ("svc-256", "scram256")] {
                tansu(
                    tools,
                    dir.path(),
                    &[
                        "user",
                        "create",
                        user,
                        PASSWORD,
                        "--mechanism",
                        mechanism,
                        "--broker",
                        &format!("tcp://{plain}"),
                    ],
                );
            }
            create_topics();
            let _ = first.kill();
            let _ = first.wait();
            let mut args = broker_args("sqlite://tansu.db");
            args.push("--authentication".into());
            let mut second = tansu_command(tools, dir.path()).args(args).spawn().unwrap();
            wait_for_port(&plain, &mut second, "tansu --authentication");
            children.push(second);
        }
        Security::Ssl | Security::MutualTls => {
            let mut broker = tansu_command(tools, dir.path())
                .args(broker_args("memory://tansu/"))
                .spawn()
                .unwrap();
            wait_for_port(&plain, &mut broker, "tansu");
            children.push(broker);
            create_topics();
        }
    }
    let mut conf = format!(
        "foreground = yes\npid =\ndebug = 3\n[kafka]\naccept = {tls}\nconnect = {plain}\ncert = {}\nkey = {}\n",
        pki.path("server.pem"),
        pki.path("server.key")
    );
    if let Security::MutualTls = security {
        conf.push_str(&format!(
            "CAfile = {}\nverifyChain = yes\nrequireCert = yes\n",
            pki.path("ca.pem")
        ));
    }
    let conf_path = dir.path().join("stunnel.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let mut stunnel = Command::new(&tools.stunnel)
        .arg(&conf_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(&tls, &mut stunnel, "stunnel");
    children.push(stunnel);
    Secured {
        children,
        _dir: dir,
        tls,
        plain,
    }
}

/// An error case: the port, security.protocol, sasl.mechanisms, CA property, extra
/// environment (the password) and what the message must say besides the broker.
type ErrorCase<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a [&'a str],
);

/// Neither stream of `out`, nor `report` if given, shows a planted secret.
fn assert_no_secret(out: &Output, report: Option<&Path>) {
    let mut texts = vec![
        ("stdout", String::from_utf8_lossy(&out.stdout).into_owned()),
        ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
    ];
    if let Some(report) = report {
        texts.push(("the report", std::fs::read_to_string(report).unwrap()));
    }
    for (name, text) in texts {
        for secret in [PASSWORD, KEY_PASSWORD] {
            assert!(!text.contains(secret), "{name} shows a secret:\n{text}");
        }
    }
}

/// Runs `path` at `--max-speed` into `topic` with `extra` arguments (the brokers and
/// their security) and `envs`, then checks: exit 0, no planted secret in its output,
/// and the topic at `broker`, read back by kafka-python with read_topic.py's security
/// arguments `read`, equal to the dry-run plan. Returns the run's output.
fn deliver(
    tools: &Tools,
    (broker, topic): (&str, &str),
    path: &str,
    (extra, envs): (&[&str], &[(&str, &str)]),
    read: &[String],
) -> Output {
    let mut args = vec![path, "--topic", topic, "--max-speed", "--start", START];
    args.extend(extra);
    let out = Test::new()
        .args(&args)
        .envs(envs.iter().copied())
        .status(0)
        .run();
    assert_no_secret(&out, None);
    let password = [("READ_TOPIC_PASSWORD", PASSWORD)];
    let got = read_back_with(&tools.env, broker, topic, planned(path), read, &password);
    assert_matches_plan(path, START, &got);
    // `simulate verify` reaches the cluster with the run's own flags and finds the plan.
    let mut same: Vec<&str> = vec!["verify", path, "--topic", topic, "--start", START];
    let mut flags = extra.iter();
    while let Some(flag) = flags.next() {
        match *flag {
            "--report" => {
                flags.next();
            }
            other => same.push(other),
        }
    }
    same.extend(["--idle-timeout", "5s"]);
    let verified = Test::new()
        .args(&same)
        .envs(envs.iter().copied())
        .status(0)
        .run();
    let words = String::from_utf8_lossy(&verified.stdout).into_owned();
    let n = planned(path);
    assert!(
        words.starts_with(&format!("{n} expected, {n} found exactly once, 0 missing")),
        "{words}"
    );
    assert_no_secret(&verified, None);
    out
}

/// The number of lines the dry run of `path` prints.
fn planned(path: &str) -> usize {
    render(
        &simulate::scenario::load_file(&root().join(path), &Default::default()).unwrap(),
        simulate::sink::stdout::Format::Values,
    )
    .lines()
    .count()
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker, stunnel and openssl: set SIMULATE_TEST_BROKER and the rest (.ci/run does)"
)]
fn sasl_ssl_with_scram_delivers_the_plan_and_shows_no_secret() {
    let tools = tools();
    let pki = Pki::new(&tools);
    let topics: Vec<String> = (0..3).map(|_| unique_topic("sasl")).collect();
    let names: Vec<&str> = topics.iter().map(String::as_str).collect();
    let broker = start_secured(&tools, &pki, Security::SaslSsl, &names);
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("kafka-password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
    let ca = pki.path("ca.pem");

    let sasl = |mechanism: &str, user: &str| {
        [
            "--security-protocol",
            "SASL_SSL",
            "--sasl-mechanism",
            mechanism,
            "--username",
            user,
            "--cafile",
            &ca,
        ]
        .map(String::from)
    };
    let with_ca = format!("ssl.ca.location={ca}");

    // 1. SCRAM-SHA-512, the password from a file (-X sasl.password=@FILE), a report.
    let report = dir.path().join("report.json");
    let at_file = format!("sasl.password=@{}", password_file.display());
    let key_password = format!("ssl.key.password={KEY_PASSWORD}");
    let out = deliver(
        &tools,
        (&broker.tls, &topics[0]),
        "scenarios/default.yaml",
        (
            &[
                "-b",
                &broker.tls,
                "--report",
                report.to_str().unwrap(),
                "-X",
                "security.protocol=SASL_SSL",
                "-X",
                "sasl.mechanisms=SCRAM-SHA-512",
                "-X",
                "sasl.username=svc-512",
                "-X",
                &at_file,
                "-X",
                &with_ca,
                "-X",
                &key_password,
            ],
            &[],
        ),
        &sasl("SCRAM-SHA-512", "svc-512"),
    );
    assert_no_secret(&out, Some(&report));
    let shown: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let properties = &shown["producer_properties"];
    assert_eq!(properties["sasl.password"], "***", "{properties}");
    assert_eq!(properties["ssl.key.password"], "***", "{properties}");
    assert_eq!(properties["sasl.username"], "svc-512", "{properties}");

    // 2. Another example through a Java-style properties file (-F), as Confluent Cloud
    //    hands them out: bootstrap.servers, sasl.jaas.config, a Java-only setting.
    let properties_file = dir.path().join("client.properties");
    std::fs::write(
        &properties_file,
        format!(
            "# a Java client's file\nbootstrap.servers={}\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n\
             sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"svc-512\" password=\"{PASSWORD}\";\n\
             client.dns.lookup=use_all_dns_ips\nssl.ca.location={ca}\n",
            broker.tls
        ),
    )
    .unwrap();
    let file = properties_file.to_str().unwrap();
    let out = deliver(
        &tools,
        (&broker.tls, &topics[1]),
        "scenarios/parking.yaml",
        (&["-F", file], &[]),
        &sasl("SCRAM-SHA-512", "svc-512"),
    );
    let err = stderr_of(&out);
    assert!(err.contains("client.dns.lookup"), "{err}");

    // 3. SCRAM-SHA-256, the password from the environment (SIMULATE_X_SASL_PASSWORD),
    //    which wins over the -F file's.
    deliver(
        &tools,
        (&broker.tls, &topics[2]),
        "scenarios/default.yaml",
        (
            &[
                "-F",
                file,
                "-X",
                "sasl.mechanism=SCRAM-SHA-256",
                "-X",
                "sasl.username=svc-256",
            ],
            &[("SIMULATE_X_SASL_PASSWORD", PASSWORD)],
        ),
        &sasl("SCRAM-SHA-256", "svc-256"),
    );

    // Errors a user can act on: exit 1, within the connect timeout, naming the broker,
    // and no secret in them.
    let timeout = Duration::from_secs(10);
    let fails = |args: &[&str], envs: &[(&str, &str)], words: &[&str]| {
        let mut all = vec![
            "scenarios/default.yaml",
            "--topic",
            &topics[0],
            "--connect-timeout",
            "10s",
        ];
        all.extend(args);
        let started = Instant::now();
        let out = words
            .iter()
            .fold(
                Test::new().args(&all).envs(envs.iter().copied()).status(1),
                |test, word| test.stderr_contains(word),
            )
            .run();
        let took = started.elapsed();
        let err = stderr_of(&out);
        assert!(took < timeout, "{args:?} took {took:?}: {err}");
        assert_no_secret(&out, None);
        eprintln!("{args:?} failed in {took:?}:\n{err}");
    };
    let other_ca = format!("ssl.ca.location={}", pki.path("other-ca.pem"));
    let right = [("SIMULATE_X_SASL_PASSWORD", PASSWORD)];
    let wrong = [("SIMULATE_X_SASL_PASSWORD", "not-the-password")];
    let cases: [ErrorCase; 5] = [
        // The broker's certificate, not trusted by the CA given.
        (
            &broker.tls,
            "SASL_SSL",
            "SCRAM-SHA-512",
            &other_ca,
            &right,
            &[
                "TLS verification",
                "CN=localhost",
                "simulate test CA",
                "other-ca.pem",
                "simulate other CA",
            ],
        ),
        // A mechanism the broker does not offer.
        (
            &broker.tls,
            "SASL_SSL",
            "PLAIN",
            &with_ca,
            &right,
            &["does not accept SASL mechanism PLAIN"],
        ),
        // A wrong password (the right one is in no output either).
        (
            &broker.tls,
            "SASL_SSL",
            "SCRAM-SHA-512",
            &with_ca,
            &wrong,
            &["refused the credentials of sasl.username=svc-512"],
        ),
        // A plaintext client on the TLS port.
        (
            &broker.tls,
            "SASL_PLAINTEXT",
            "SCRAM-SHA-512",
            &with_ca,
            &right,
            &["expects TLS", "security.protocol=SASL_SSL"],
        ),
        // A TLS client on the plaintext port.
        (
            &broker.plain,
            "SASL_SSL",
            "SCRAM-SHA-512",
            &with_ca,
            &right,
            &["does not speak TLS"],
        ),
    ];
    for (port, protocol, mechanism, ca, envs, words) in cases {
        let (protocol, mechanism) = (
            format!("security.protocol={protocol}"),
            format!("sasl.mechanisms={mechanism}"),
        );
        let args = [
            "-b",
            port,
            "-X",
            &protocol,
            "-X",
            &mechanism,
            "-X",
            ca,
            "-X",
            "sasl.username=svc-512",
        ];
        fails(&args, envs, &[&[port][..], words].concat());
    }
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker, stunnel and openssl: set SIMULATE_TEST_BROKER and the rest (.ci/run does)"
)]
fn tls_without_sasl_and_mutual_tls_deliver_the_plan() {
    let tools = tools();
    let pki = Pki::new(&tools);
    let ca = pki.path("ca.pem");
    let path = "scenarios/default.yaml";

    let with_ca = format!("ssl.ca.location={ca}");
    let tls = ["--security-protocol", "SSL", "--cafile", &ca].map(String::from);

    let topic = unique_topic("tls");
    let broker = start_secured(&tools, &pki, Security::Ssl, &[&topic]);
    let ssl = [
        "-b",
        &broker.tls,
        "-X",
        "security.protocol=SSL",
        "-X",
        &with_ca,
    ];
    deliver(&tools, (&broker.tls, &topic), path, (&ssl, &[]), &tls);
    drop(broker);

    let topic = unique_topic("mtls");
    let broker = start_secured(&tools, &pki, Security::MutualTls, &[&topic]);
    let (cert, key) = (pki.path("client.pem"), pki.path("client.key"));
    let (with_cert, with_key) = (
        format!("ssl.certificate.location={cert}"),
        format!("ssl.key.location={key}"),
    );
    let ssl = [
        "-b",
        &broker.tls,
        "-X",
        "security.protocol=SSL",
        "-X",
        &with_ca,
    ];
    let mutual = [&ssl[..], &["-X", &with_cert, "-X", &with_key]].concat();
    let mut read = tls.to_vec();
    read.extend([
        "--certfile".to_string(),
        cert.clone(),
        "--keyfile".into(),
        key.clone(),
    ]);
    deliver(&tools, (&broker.tls, &topic), path, (&mutual, &[]), &read);

    // Without a client certificate the broker refuses the connection.
    let started = Instant::now();
    let mut args = vec![path, "--topic", &topic, "--connect-timeout", "10s"];
    args.extend(ssl);
    let out = Test::new()
        .args(&args)
        .status(1)
        .stderr_contains(&broker.tls)
        .run();
    let err = stderr_of(&out);
    assert!(started.elapsed() < Duration::from_secs(10), "{err}");
    eprintln!("no client certificate: {err}");
}
