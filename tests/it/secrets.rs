//! Secured-cluster settings without a broker: secrets planted in every way a user can
//! pass them never appear in any output (progress bar, summary, report, errors); `-F`,
//! `SIMULATE_X_*` and `@FILE` mistakes are invalid input, located; and what librdkafka
//! only accepts when TLS, SASL and OIDC are compiled in is accepted.
//! Against a secured broker: `secured.rs`.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::*;

/// Planted secrets, one per way of passing them.
const IN_FLAG: &str = "flag-PLANTED-0a1b";
const IN_FILE: &str = "atfile-PLANTED-2c3d";
const IN_ENV: &str = "env-PLANTED-4e5f";
const IN_PROPERTIES: &str = "props-PLANTED-6a7b";
const ALL: [&str; 4] = [IN_FLAG, IN_FILE, IN_ENV, IN_PROPERTIES];

/// Writes the secret files and returns the arguments and environment that pass them.
fn planted(dir: &Path) -> (Vec<String>, Vec<(String, String)>) {
    let secret_file = dir.join("secret");
    std::fs::write(&secret_file, format!("{IN_FILE}\n")).unwrap();
    let properties = dir.join("client.properties");
    std::fs::write(
        &properties,
        format!("ssl.keystore.password={IN_PROPERTIES}\nlinger.ms=5\n"),
    )
    .unwrap();
    let args = [
        "-X",
        &format!("ssl.key.password={IN_FLAG}"),
        "-X",
        &format!("sasl.password=@{}", secret_file.display()),
        "-F",
        properties.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    let env = vec![(
        "SIMULATE_X_SASL_OAUTHBEARER_CLIENT_SECRET".to_string(),
        IN_ENV.to_string(),
    )];
    (args, env)
}

fn assert_hidden(name: &str, text: &str) {
    for secret in ALL {
        assert!(!text.contains(secret), "{name} shows {secret}:\n{text}");
    }
}

#[test]
fn planted_secrets_appear_in_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let (secrets, env) = planted(dir.path());
    let report = dir.path().join("report.json");

    // A run under a terminal (progress bar, summary) with a report.
    let out = Test::new()
        .line("scenarios/default.yaml --embedded-broker --speed 30 --duration 60s --report")
        .arg(&report)
        .args(&secrets)
        .envs(env.iter().cloned())
        .terminal()
        .status(0)
        .run();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("simulated"), "no progress bar:\n{screen}");
    assert!(screen.contains("delivered"), "no summary:\n{screen}");
    assert_hidden("the terminal", &screen);
    let text = std::fs::read_to_string(&report).unwrap();
    assert_hidden("the report", &text);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let properties = &json["producer_properties"];
    for key in [
        "ssl.key.password",
        "sasl.password",
        "ssl.keystore.password",
        "sasl.oauthbearer.client.secret",
    ] {
        assert_eq!(properties[key], "***", "{key}: {properties}");
    }
    assert_eq!(properties["linger.ms"], "5", "the -F file was not applied");

    // A run that fails to connect: its error, and librdkafka's words in it.
    let mut args = vec![
        "scenarios/default.yaml".to_string(),
        "-b".into(),
        "127.0.0.1:1".into(),
        "--connect-timeout".into(),
        "1s".into(),
    ];
    args.extend(secrets.iter().cloned());
    let out = Test::new()
        .args(&args)
        .envs(env.iter().cloned())
        .status(1)
        .run();
    assert_hidden("a connection error", &stderr_of(&out));

    // A secret librdkafka quotes back: an unparsable key in ssl.key.pem.
    let mut args = vec![
        "scenarios/default.yaml".to_string(),
        "-b".into(),
        "127.0.0.1:1".into(),
        "-X".into(),
        "security.protocol=SSL".into(),
        "-X".into(),
        format!("ssl.key.pem={IN_FLAG}"),
        "-X".into(),
        format!("ssl.certificate.pem={IN_FLAG}"),
    ];
    args.extend(secrets.iter().cloned());
    let out = Test::new()
        .args(&args)
        .envs(env.iter().cloned())
        .failure()
        .run();
    assert_hidden("a TLS set-up error", &stderr_of(&out));
    assert_hidden("stdout", &String::from_utf8_lossy(&out.stdout));
}

#[test]
fn property_sources_are_checked_and_located() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "scenarios/default.yaml",
        "-b",
        "127.0.0.1:1",
        "--connect-timeout",
        "1s",
    ];
    // An @FILE that does not exist: exit 2, where it was set, never the value.
    Test::new()
        .args(base)
        .args(["-X", "sasl.password=@/nonexistent/pw"])
        .status(2)
        .stderr_contains("-X sasl.password: cannot read the value from /nonexistent/pw");
    Test::new()
        .args(base)
        .env("SIMULATE_X_SSL_KEY_PASSWORD", "@/nonexistent/kp")
        .status(2)
        .stderr_contains("SIMULATE_X_SSL_KEY_PASSWORD: cannot read the value");
    // A property simulate sets, from the environment.
    Test::new()
        .args(base)
        .env("SIMULATE_X_CLIENT_ID", "x")
        .status(2)
        .stderr_contains("SIMULATE_X_CLIENT_ID: `client.id` is set by simulate");
    // A misspelt property in a -F file: named with the file and its line.
    let file = dir.path().join("bad.properties");
    std::fs::write(&file, "# ok\nlinger.ms=5\nlinger.mss=5\n").unwrap();
    Test::new()
        .args(base)
        .arg("-F")
        .arg(&file)
        .status(2)
        .stderr_contains(format!("{}:3: linger.mss=5", file.display()));
    // -X wins over the environment, which wins over the file: the run's report says
    // which value was used.
    std::fs::write(
        &file,
        "linger.ms=1\nbatch.num.messages=7\ncompression.type=gzip\n",
    )
    .unwrap();
    let report = dir.path().join("r.json");
    Test::new()
        .line("scenarios/default.yaml --embedded-broker --max-speed --duration 5s -q")
        .arg("-F")
        .arg(&file)
        .args(["-X", "linger.ms=3", "--report"])
        .arg(&report)
        .envs([
            ("SIMULATE_X_LINGER_MS", "2"),
            ("SIMULATE_X_BATCH_NUM_MESSAGES", "8"),
        ])
        .status(0);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let p = &json["producer_properties"];
    assert_eq!(
        (
            &p["linger.ms"],
            &p["batch.num.messages"],
            &p["compression.type"]
        ),
        (&"3".into(), &"8".into(), &"gzip".into()),
        "{p}"
    );
}

/// librdkafka refuses SCRAM without OpenSSL and OIDC without libcurl when the client is
/// configured; this build accepts both, and fails only at the (absent) broker.
#[test]
fn tls_sasl_and_oidc_are_compiled_in() {
    for extra in [
        &[
            "security.protocol=SASL_SSL",
            "sasl.mechanisms=SCRAM-SHA-512",
            "sasl.username=u",
            "sasl.password=p",
        ][..],
        &[
            "security.protocol=SASL_SSL",
            "sasl.mechanisms=OAUTHBEARER",
            "sasl.oauthbearer.method=oidc",
            "sasl.oauthbearer.client.id=simulate",
            "sasl.oauthbearer.client.secret=s",
            "sasl.oauthbearer.token.endpoint.url=http://127.0.0.1:1/token",
        ][..],
    ] {
        let mut args = vec![
            "scenarios/default.yaml",
            "-b",
            "127.0.0.1:1",
            "--connect-timeout",
            "2s",
        ];
        for property in extra {
            args.extend(["-X", property]);
        }
        // The connect loop's own timeout ended the run (no wall-clock limit here: that
        // failed once on a loaded machine; the message says which path ended it).
        Test::new()
            .args(&args)
            .status(1)
            .stderr_contains(
                "cannot reach Kafka at 127.0.0.1:1 (from --bootstrap-servers) within 2s",
            )
            .run();
    }
}

/// librdkafka's OIDC client-credentials flow runs: with `sasl.oauthbearer.method=oidc`
/// it asks the token endpoint (here a one-request HTTP server of the test's own) for a
/// token, with the client id and secret as HTTP Basic credentials, before any broker
/// is reached. No broker here serves OAUTHBEARER (README), so the run then fails to
/// connect; the secret is in no output.
#[test]
fn oidc_fetches_a_token_with_the_client_credentials() {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/token", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        // Bounded: a client that never asks fails the test instead of hanging it.
        listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Err(e) => panic!("no token request in 20 s: {e}"),
            }
        };
        stream.set_nonblocking(false).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = Vec::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            head.push(line.trim_end().to_string());
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        // A token librdkafka accepts: a JWT with `sub` and `exp` (it checks no signature).
        let b64 = |s: &str| {
            const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let bytes = s.as_bytes();
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | *b as u32)
                    << (8 * (3 - chunk.len()));
                for i in 0..=chunk.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                }
            }
            out
        };
        let exp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600;
        let token = format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"none","typ":"JWT"}"#),
            b64(&format!(r#"{{"sub":"simulate","exp":{exp}}}"#))
        );
        let json =
            format!(r#"{{"access_token":"{token}","token_type":"bearer","expires_in":3600}}"#);
        let mut stream = stream;
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
            json.len()
        );
        (head, String::from_utf8(body).unwrap())
    });
    let secret = "oidc-PLANTED-9d8c";
    Test::new()
        .line("scenarios/default.yaml -b 127.0.0.1:1 --connect-timeout 3s")
        .line("-X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=OAUTHBEARER")
        .line("-X sasl.oauthbearer.method=oidc -X sasl.oauthbearer.client.id=simulate-client")
        .arg("-X")
        .arg(format!("sasl.oauthbearer.client.secret={secret}"))
        .arg("-X")
        .arg(format!("sasl.oauthbearer.token.endpoint.url={endpoint}"))
        .status(1)
        .stderr_lacks(secret);
    let (head, body) = server.join().unwrap();
    assert!(head[0].starts_with("POST /token "), "{head:?}");
    assert!(body.contains("grant_type=client_credentials"), "{body}");
    // Basic base64("simulate-client:oidc-PLANTED-9d8c").
    let basic = "Authorization: Basic c2ltdWxhdGUtY2xpZW50Om9pZGMtUExBTlRFRC05ZDhj";
    assert!(
        head.iter().any(|h| h.eq_ignore_ascii_case(basic)),
        "no client credentials in {head:?}"
    );
}
