//! `simulate plot`: every example scenario's plan and a run's report draw as SVG (parsed
//! back by roxmltree, an independent XML parser) with their titles, axis labels and one
//! planned and one expected series per stream, and as PNG; one bar per camera labelled
//! with its id; a steady stream plotted steady; no text outside its panel and no tick in
//! exponent form; empty report panels say why; the committed example image is what the
//! command draws today.

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
            "events".to_string(),
        ] {
            assert!(texts.contains(&want), "{name}: no `{want}` in {texts:?}");
        }
        for prefix in ["time since the start (", "events per camera", "camera id ("] {
            assert!(
                texts.iter().any(|t| t.starts_with(prefix)),
                "{name}: no `{prefix}…` in {texts:?}"
            );
        }
        for stream in &scenario.streams {
            let planned = format!("{}, planned", stream.name);
            let expected = format!("{}, expected", stream.name);
            assert!(texts.contains(&planned), "{name}: no series `{planned}`");
            // A replay stream's planned line is its recording; nothing else is expected.
            let replay = matches!(
                stream.arrivals,
                simulate::scenario::StreamArrivals::Replay(_)
            );
            assert_eq!(
                texts.contains(&expected),
                !replay,
                "{name}: series `{expected}` drawn: {}",
                !replay
            );
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
                words.contains(&"series")
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
        // And one per zone of an entity stream's occupancy panel.
        let zones: usize = scenario
            .streams
            .iter()
            .filter_map(|s| match &s.arrivals {
                simulate::scenario::StreamArrivals::Entities(e) => e.zones.as_ref(),
                _ => None,
            })
            .map(|z| z.iter().collect::<std::collections::BTreeSet<_>>().len())
            .sum();
        // A replay stream has its planned line only.
        let replays = scenario
            .streams
            .iter()
            .filter(|s| matches!(s.arrivals, simulate::scenario::StreamArrivals::Replay(_)))
            .count();
        assert_eq!(
            lines,
            2 * scenario.streams.len() - replays + densities + zones,
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
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert_texts_inside("the report", &drawn);
    assert_no_exponent("the report", &drawn);
    let png = dir.path().join("run.png");
    Test::new()
        .args(["plot", "--report"])
        .arg(&report)
        .arg("-o")
        .arg(&png)
        .status(0);

    // Panels with nothing to draw say why: a run at --max-speed is not paced, and a
    // report without Kafka has no delivery latency.
    let fast = dir.path().join("fast.json");
    Test::new()
        .line(
            "scenarios/default.yaml --embedded-broker --max-speed --duration 10s --quiet --report",
        )
        .arg(&fast)
        .status(0);
    let mut fast = simulate::report::Report::read(&fast).unwrap();
    for (name, without, want) in [
        ("at --max-speed", false, "no pacing at --max-speed"),
        (
            "without Kafka",
            true,
            "no Kafka delivery latency: this run did not send to Kafka",
        ),
    ] {
        if without {
            fast.kafka = None;
        }
        let drawn = simulate::plot::report_svg(&fast).unwrap();
        let doc = roxmltree::Document::parse(&drawn).unwrap();
        let messages: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text") && has_class(n, "message"))
            .filter_map(|n| n.text())
            .collect();
        assert!(messages.contains(&want), "{name}: {messages:?}");
        // Both panels of lateness say it, and no empty axes stand beside the message.
        assert!(messages.len() >= 2, "{name}: {messages:?}");
        for panel in doc.descendants().filter(|n| n.has_tag_name("svg")) {
            let says = panel.children().any(|n| has_class(&n, "message"));
            let ticks = panel.children().filter(|n| has_class(n, "tick")).count();
            assert!(!says || ticks == 0, "{name}: a message over {ticks} ticks");
        }
        assert_texts_inside(name, &drawn);
        assert_no_exponent(name, &drawn);
    }

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

/// The SVG of `scenario`'s plan, drawn in-process.
fn plan_svg(scenario: &simulate::scenario::Scenario) -> String {
    simulate::plot::scenario_svg(scenario).unwrap()
}

/// The first text of `node` that starts with `start`.
fn text_from<'a>(node: roxmltree::Node<'a, '_>, start: &str) -> Option<&'a str> {
    node.descendants()
        .filter(|t| t.has_tag_name("text"))
        .filter_map(|t| t.text())
        .find(|t| t.trim().starts_with(start))
}

/// The panel (a nested `<svg>`) with a text that starts with `title`.
fn panel<'a, 'i>(doc: &'a roxmltree::Document<'i>, title: &str) -> roxmltree::Node<'a, 'i> {
    doc.root_element()
        .descendants()
        .filter(|n| n.has_tag_name("svg") && *n != doc.root_element())
        .find(|n| text_from(*n, title).is_some())
        .unwrap_or_else(|| panic!("no panel `{title}…`"))
}

/// Whether `node`'s class attribute holds every word of `class`.
fn has_class(node: &roxmltree::Node, class: &str) -> bool {
    let words: Vec<&str> = node
        .attribute("class")
        .unwrap_or("")
        .split_whitespace()
        .collect();
    class.split_whitespace().all(|c| words.contains(&c))
}

/// The camera panel's bars and the labels under them, in order.
fn camera_bars(svg: &str) -> (String, Vec<f64>, Vec<String>) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let panel = panel(&doc, "events per camera");
    let title = text_from(panel, "events per camera").unwrap().to_string();
    let heights = panel
        .descendants()
        .filter(|n| n.has_tag_name("rect") && has_class(n, "bar"))
        .map(|n| n.attribute("height").unwrap().parse().unwrap())
        .collect();
    let labels = panel
        .descendants()
        .filter(|n| n.has_tag_name("text") && has_class(n, "tick x"))
        .map(|n| n.text().unwrap().to_string())
        .collect();
    (title, heights, labels)
}

/// One bar per camera, labelled with its id: 3 cameras (default.yaml), one camera, 50
/// cameras with ids 100 … 149; of city.yaml's 92 cameras the busiest 60, most events
/// first, said in the title.
#[test]
fn each_camera_is_one_bar_labelled_with_its_id() {
    let path = root().join("scenarios/default.yaml");
    let default = simulate::scenario::load_file(&path, &Default::default()).unwrap();
    let (_, heights, labels) = camera_bars(&plan_svg(&default));
    assert_eq!(labels, ["1000", "1001", "1002"]);
    assert_eq!(heights.len(), 3, "bars");
    assert!(heights.iter().all(|h| *h > 0.0), "{heights:?}");

    let one = scenario(
        "name: one\nduration: 1m\nstreams: [{cameras: [7], inter_arrival: {distribution: constant, interval: 1s}}]\n",
    );
    let (_, heights, labels) = camera_bars(&plan_svg(&one));
    assert_eq!((heights.len(), labels), (1, vec!["7".to_string()]));
    assert!(heights[0] > 0.0, "an empty bar for the one camera");

    let fifty = scenario(
        "name: fifty\nduration: 10m\nstreams: [{cameras: {count: 50, first: 100}, inter_arrival: {distribution: exponential, mean: 1s}}]\n",
    );
    let (title, heights, labels) = camera_bars(&plan_svg(&fifty));
    let ids: Vec<String> = (100..150).map(|i| i.to_string()).collect();
    assert_eq!(title, "events per camera");
    assert_eq!((heights.len(), labels), (50, ids));

    let path = root().join("scenarios/city.yaml");
    let city = simulate::scenario::load_file(&path, &Default::default()).unwrap();
    let (title, heights, labels) = camera_bars(&plan_svg(&city));
    assert_eq!(title, "events per camera: the busiest 60 of 92 cameras");
    assert_eq!((heights.len(), labels.len()), (60, 60));
    assert!(
        heights.windows(2).all(|w| w[0] >= w[1]),
        "not busiest first"
    );
    let all: Vec<String> = city
        .streams
        .iter()
        .flat_map(|s| s.cameras.iter().map(|c| c.to_string()))
        .collect();
    for label in &labels {
        assert!(all.contains(label), "`{label}` is not a camera id");
    }
}

/// A camera sending exactly one event a second for 2 minutes is plotted at 1 event/s,
/// within ±20 % in every bin (bins narrower than a gap made it jump between 0 and 2),
/// and the time axis says how wide a bin is.
#[test]
fn a_constant_rate_is_plotted_within_a_fifth_of_it() {
    let steady = scenario(
        "name: steady\nduration: 2m\nstreams: [{name: steady, cameras: [1], inter_arrival: {distribution: constant, interval: 1s}}]\n",
    );
    let svg = plan_svg(&steady);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let panel = panel(&doc, "steady: events per second over time");
    // The y axis from its tick labels: value = a + b·y.
    let ticks: Vec<(f64, f64)> = panel
        .descendants()
        .filter(|n| n.has_tag_name("text") && has_class(n, "tick y"))
        .map(|n| {
            let value: f64 = n.text().unwrap().parse().unwrap();
            (value, n.attribute("y").unwrap().parse().unwrap())
        })
        .collect();
    assert!(ticks.len() >= 2, "y ticks: {ticks:?}");
    let ((v0, y0), (v1, y1)) = (ticks[0], ticks[ticks.len() - 1]);
    let value = |y: f64| v0 + (y - y0) * (v1 - v0) / (y1 - y0);
    let planned = panel
        .descendants()
        .find(|n| n.has_tag_name("polyline") && has_class(n, "series observed"))
        .expect("no planned series");
    let rates: Vec<f64> = planned
        .attribute("points")
        .unwrap()
        .split_whitespace()
        .map(|p| value(p.split(',').nth(1).unwrap().parse().unwrap()))
        .collect();
    assert!(rates.len() >= 8, "{rates:?}");
    for rate in &rates {
        assert!(
            (0.8..=1.2).contains(rate),
            "a rate of {rate} events/s in {rates:?}"
        );
    }
    let texts: Vec<&str> = panel.descendants().filter_map(|n| n.text()).collect();
    assert!(
        texts.contains(&"time since the start (s); each bin 10 s"),
        "{texts:?}"
    );
}

/// The SVG of every example scenario's plan, by name.
fn every_example_drawn() -> Vec<(String, String)> {
    example_scenarios()
        .iter()
        .map(|path| {
            let scenario = simulate::scenario::load_file(path, &Default::default()).unwrap();
            (stem(path), plan_svg(&scenario))
        })
        .collect()
}

/// A number read from an attribute.
fn number(node: &roxmltree::Node, name: &str) -> Option<f64> {
    node.attribute(name)
        .and_then(|v| v.trim_end_matches("px").parse().ok())
}

/// The box a text takes, estimated (DejaVu Sans: at least 0.55 em a character, rising
/// 0.75 em above its baseline): (left, top, right, bottom).
fn text_box(node: &roxmltree::Node, text: &str) -> Option<[f64; 4]> {
    let inherited = |name: &str| node.ancestors().find_map(|a| a.attribute(name));
    let (x, y) = (number(node, "x")?, number(node, "y")?);
    let size: f64 =
        inherited("font-size").map_or(14.0, |s| s.trim_end_matches("px").parse().unwrap());
    let width = text.chars().count() as f64 * 0.55 * size;
    let (a, b) = match inherited("text-anchor") {
        Some("middle") => (-width / 2.0, width / 2.0),
        Some("end") => (-width, 0.0),
        _ => (0.0, width),
    };
    let (c, d) = match node.attribute("dominant-baseline") {
        Some("middle" | "central") => (-size / 2.0, size / 2.0),
        _ => (-0.75 * size, 0.2 * size),
    };
    match node.attribute("transform") {
        // Turned a quarter left about its own anchor: along the text is up the page.
        Some(t) if t.starts_with("rotate(-90") => Some([x + c, y - b, x + d, y - a]),
        Some(t) => panic!("a text transformed by `{t}`"),
        None => Some([x + a, y + c, x + b, y + d]),
    }
}

/// No text of `svg` runs past its panel (a nested `<svg>`, which clips it) or the
/// canvas, and no panel past the canvas.
fn assert_texts_inside(name: &str, svg: &str) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let root = doc.root_element();
    let canvas = [
        number(&root, "width").unwrap(),
        number(&root, "height").unwrap(),
    ];
    for panel in root
        .descendants()
        .filter(|n| n.has_tag_name("svg") && *n != root)
    {
        let (x, y) = (
            number(&panel, "x").unwrap_or(0.0),
            number(&panel, "y").unwrap_or(0.0),
        );
        let (w, h) = (
            number(&panel, "width").unwrap(),
            number(&panel, "height").unwrap(),
        );
        assert!(
            x + w <= canvas[0] + 0.5 && y + h <= canvas[1] + 0.5,
            "{name}: a panel at {x},{y} of {w}×{h}"
        );
    }
    let texts = doc
        .descendants()
        .filter(|n| n.has_tag_name("text") || n.has_tag_name("tspan"));
    for node in texts {
        let Some(text) = node.children().find(|c| c.is_text()).and_then(|c| c.text()) else {
            continue;
        };
        let text = text.trim();
        let Some([left, top, right, bottom]) = text_box(&node, text).filter(|_| !text.is_empty())
        else {
            continue;
        };
        let holder = node.ancestors().find(|a| a.has_tag_name("svg")).unwrap();
        let (w, h) = (
            number(&holder, "width").unwrap(),
            number(&holder, "height").unwrap(),
        );
        assert!(
            left >= -0.5 && top >= -0.5 && right <= w + 0.5 && bottom <= h + 0.5,
            "{name}: `{text}` takes {left:.0}…{right:.0} × {top:.0}…{bottom:.0} in a panel of {w}×{h}"
        );
    }
}

/// No text of `svg` is a number in exponent form.
fn assert_no_exponent(name: &str, svg: &str) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    for text in doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
    {
        let text = text.trim();
        let exponent = text.parse::<f64>().is_ok() && text.contains(['e', 'E']);
        assert!(
            !exponent && text != "NaN" && text != "inf",
            "{name}: a label `{text}`"
        );
    }
}

/// No text of any example's plot runs past its panel or the canvas (city.yaml's legend
/// read `intersectio… exp`); the reports' are checked with them.
#[test]
fn no_text_lies_outside_its_panel() {
    for (name, svg) in every_example_drawn() {
        assert_texts_inside(&name, &svg);
    }
}

/// No text of any example's plot is a number in exponent form (ticks read `0e0`).
#[test]
fn no_tick_label_is_in_exponent_form() {
    for (name, svg) in every_example_drawn() {
        assert_no_exponent(&name, &svg);
    }
}
