//! `simulate plot`: every example scenario's plan and a run's report draw as SVG (parsed
//! back by roxmltree, an independent XML parser) with their titles, axis labels and one
//! planned and one expected series per stream, and as PNG; the committed example image
//! is what the command draws today.

use std::path::Path;

use crate::common::*;

/// The texts of an SVG document, and the class attributes of its elements.
fn read_svg(path: &Path) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{}: not well-formed XML: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("1200"));
    let texts = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let classes = doc
        .descendants()
        .filter_map(|n| n.attribute("class"))
        .map(str::to_string)
        .collect();
    (texts, classes)
}

/// The legend of a stream as the plot writes it (names over 12 characters shortened).
fn legend(name: &str) -> String {
    if name.chars().count() > 12 {
        name.chars().take(11).chain(['…']).collect()
    } else {
        name.to_string()
    }
}

#[test]
fn every_example_plots_with_a_series_per_stream_and_its_labels() {
    let dir = tempfile::tempdir().unwrap();
    for path in example_scenarios() {
        let name = stem(&path);
        let svg = dir.path().join(format!("{name}.svg"));
        Test::new()
            .arg("plot")
            .arg(&path)
            .arg("-o")
            .arg(&svg)
            .status(0);
        let (texts, classes) = read_svg(&svg);
        let scenario = simulate::scenario::load_file(&path, &Default::default()).unwrap();
        for want in [
            format!("{}: events per second over time", scenario.name),
            "events/s".to_string(),
            "gap (s)".to_string(),
            "density (1/s)".to_string(),
            "events per camera".to_string(),
            "camera (in scenario order)".to_string(),
            "events".to_string(),
        ] {
            assert!(texts.contains(&want), "{name}: no `{want}` in {texts:?}");
        }
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("time since the start (")),
            "{name}: no time axis label"
        );
        for stream in &scenario.streams {
            let planned = legend(&stream.name);
            let expected = format!("{planned}, exp.");
            assert!(texts.contains(&planned), "{name}: no series `{planned}`");
            assert!(texts.contains(&expected), "{name}: no series `{expected}`");
            assert!(
                texts.contains(&format!("gaps of {}", stream.name))
                    || texts.contains(&format!("gaps of {} (shaped: real time)", stream.name)),
                "{name}: no gap panel for {}",
                stream.name
            );
        }
        // One drawn line per planned and per expected series of the rate panel, and
        // one per stream's density (constant gaps have none).
        let lines = classes
            .iter()
            .filter(|c| {
                let words: Vec<&str> = c.split_whitespace().collect();
                words.contains(&"poloto_plot") && words.contains(&"poloto_line")
            })
            .count();
        let densities = scenario
            .streams
            .iter()
            .filter(|s| {
                !matches!(
                    s.inter_arrival,
                    simulate::scenario::model::InterArrival::Constant { .. }
                )
            })
            .count();
        assert_eq!(
            lines,
            2 * scenario.streams.len() + densities,
            "{name}: lines"
        );

        let png = dir.path().join(format!("{name}.png"));
        Test::new()
            .arg("plot")
            .arg(&path)
            .arg("-o")
            .arg(&png)
            .status(0);
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}: not a PNG");
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        assert_eq!(width, 1200, "{name}: PNG width");
    }
}

#[test]
fn a_report_plots_lateness_and_latency_over_time_and_as_histograms() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("run.json");
    Test::new()
        .line("scenarios/default.yaml --embedded-broker --speed 30 --duration 60s --quiet --report")
        .arg(&report)
        .status(0);
    // The report's timelines hold every sample its percentiles count.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let count = |steps: &serde_json::Value| -> u64 {
        steps["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["count"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        count(&json["lateness_timeline"]),
        json["lateness"]["samples"].as_u64().unwrap()
    );
    assert_eq!(
        count(&json["delivery_latency_timeline"]),
        json["delivery_latency"]["samples"].as_u64().unwrap()
    );
    assert_eq!(json["lateness_timeline"]["step_s"], 1.0);
    let steps = json["lateness_timeline"]["steps"].as_array().unwrap().len();
    assert!((50..=60).contains(&steps), "{steps} steps for a 60 s plan");

    let svg = dir.path().join("run.svg");
    Test::new()
        .args(["plot", "--report"])
        .arg(&report)
        .arg("-o")
        .arg(&svg)
        .status(0);
    let (texts, _) = read_svg(&svg);
    for want in [
        "default: pacing lateness",
        "delivery latency (send to acknowledgement)",
        "pacing lateness, all sends",
        "delivery latency, timed messages",
        "lateness (µs)",
        "latency (ms)",
        "planned send time since the start (s)",
        "mean",
        "largest",
    ] {
        assert!(texts.iter().any(|t| t == want), "no `{want}` in {texts:?}");
    }
    let png = dir.path().join("run.png");
    Test::new()
        .args(["plot", "--report"])
        .arg(&report)
        .arg("-o")
        .arg(&png)
        .status(0);

    // An output whose format cannot be told, and a file that is no report: exit 2.
    Test::new()
        .args(["plot", "scenarios/default.yaml", "-o", "x.jpg"])
        .status(2)
        .stderr_contains(".svg or .png");
    Test::new()
        .args(["plot", "--report", "scenarios/default.yaml", "-o"])
        .arg(&svg)
        .status(2);
}

/// `docs/mall-day.svg`, linked from the README, is what `simulate plot` draws for
/// `scenarios/mall-day.yaml` today (`UPDATE_GOLDEN=1` rewrites it with the PNG beside it).
#[test]
fn the_committed_example_image_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("mall-day.svg");
    Test::new()
        .args(["plot", "scenarios/mall-day.yaml", "-o"])
        .arg(&svg)
        .status(0);
    let drawn = std::fs::read_to_string(&svg).unwrap();
    let committed = root().join("docs/mall-day.svg");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&committed, &drawn).unwrap();
        let png = root().join("docs/mall-day.png");
        Test::new()
            .args(["plot", "scenarios/mall-day.yaml", "-o"])
            .arg(&png)
            .status(0);
    }
    assert!(
        std::fs::read_to_string(&committed).is_ok_and(|c| c == drawn),
        "docs/mall-day.svg differs from what simulate plot draws: UPDATE_GOLDEN=1 cargo test the_committed_example"
    );
}

/// The windows a plot shades are those of the YAML: incident.yaml's incident at 10 min
/// for 5 min on the entrance, its outage of one camera at 20 min for 4 min, and the
/// lobby's outage at 5 min for 10 min (fixed instants: the same for every camera).
#[test]
fn the_shaded_windows_are_the_scenarios() {
    let path = root().join("scenarios/incident.yaml");
    let scenario = simulate::scenario::load_file(&path, &Default::default()).unwrap();
    let min = 60_000_000_000u64;
    let windows: Vec<Vec<(u64, u64, bool)>> = (0..scenario.streams.len())
        .map(|s| simulate::plan::windows::stream_windows(&scenario, s))
        .collect();
    assert_eq!(
        windows,
        [
            vec![(10 * min, 15 * min, false), (20 * min, 24 * min, true)],
            vec![(5 * min, 15 * min, true)],
        ]
    );
    // mall-day: the food court's incident at 12h30m for 20 min, then recurring ones on
    // drawn cameras, every ~6 h on average, each 1 to 10 min long, inside the day; its
    // outages are each camera's own, not shaded.
    let path = root().join("scenarios/mall-day.yaml");
    let scenario = simulate::scenario::load_file(&path, &Default::default()).unwrap();
    let day = scenario.duration.0;
    let windows = simulate::plan::windows::stream_windows(&scenario, 0);
    assert_eq!(windows[0], (750 * min, 770 * min, false));
    assert!(windows.len() > 1 && windows.len() < 20, "{windows:?}");
    for (start, end, outage) in &windows[1..] {
        assert!(*start < day && end > start && *end <= day, "{start}..{end}");
        assert!(end - start <= 10 * min || *end == day, "{start}..{end}");
        assert!(!outage, "a camera's own outage is listed");
    }
}
