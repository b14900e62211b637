//! Build script (`package.build` in Cargo.toml points here): tells the test binary whether
//! a real Kafka-compatible broker is configured for the tests that need one.
//!
//! With `SIMULATE_TEST_BROKER` set, it passes `--cfg simulate_test_broker`; without it
//! the real-broker tests are compiled as `#[ignore]`d with their reason, so `cargo test`
//! reports them as ignored, never as passed. `.ci/run` sets the variable, so CI runs them.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(simulate_test_broker)");
    println!("cargo::rerun-if-env-changed=SIMULATE_TEST_BROKER");
    println!("cargo::rerun-if-changed=tests/build.rs");
    let configured = std::env::var("SIMULATE_TEST_BROKER").is_ok_and(|v| !v.trim().is_empty());
    if configured {
        println!("cargo::rustc-cfg=simulate_test_broker");
    }
}
