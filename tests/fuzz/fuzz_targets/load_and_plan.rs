//! Fuzz target: any bytes as a scenario file. Loading must end in a scenario or in
//! diagnostics (never a panic), diagnostics must render, and a loaded scenario must
//! plan and render its first events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use simulate::plan::Events;
use simulate::render::Renderer;
use simulate::scenario::{Overrides, Source, load_source};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = Source { name: "fuzz.yaml".into(), text: text.to_string() };
    match load_source(&source, "fuzz", &Overrides::default()) {
        Ok(scenario) => {
            let start = chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap();
            let mut renderer = Renderer::new(&scenario, start);
            let mut line = Vec::new();
            for event in Events::new(&scenario).take(2_000) {
                line.clear();
                renderer.write_plan(&mut line, &event);
            }
        }
        Err(diagnostics) => {
            let _ = simulate::scenario::render_all(&diagnostics);
        }
    }
});
