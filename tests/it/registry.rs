//! The name tables agree with everything that spells the same names: each distribution
//! of the registry (`DistributionKind`) with the loader, the variant it builds, the JSON
//! Schema and the docs' table; the other names written in files (arrivals, pick, key
//! mode, first event) with the schema and the format reference (docs/scenario-format.md).
//! Adding a name in one place only fails here.
//!
//! The same for payload generators (`GeneratorKind`): the loader, the schema, the docs'
//! table and the aliases. A table is looked for in every doc (README.md, CONTRIBUTING.md,
//! docs/), so it is checked wherever it lives, and must live in exactly one.
//!
//! Also: every distribution that validation accepts can be built and sampled, over
//! generated parameters (validation is the only guard the samplers have).

use std::path::{Path, PathBuf};

use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use serde_json::Value;
use simulate::plan::Events;
use simulate::scenario::model::{
    Arrivals, DistributionKind, FirstEvent, GeneratorKind, Interpolate, KeyMode, Need, ParamKind,
    PickName, TimeFormatName,
};

use crate::common::*;
use crate::readme::{doc_files, read_doc};

fn schema() -> Value {
    serde_json::from_str(&simulate::schema::scenario()).unwrap()
}

/// The format reference, which must mention every name a scenario file can use.
const FORMAT_REFERENCE: &str = "docs/scenario-format.md";

fn format_reference() -> String {
    read_doc(Path::new(FORMAT_REFERENCE))
}

/// The rows of the table headed `header` (its cells, trimmed), from the one doc that has
/// it.
fn table(header: &str) -> Vec<Vec<String>> {
    let homes: Vec<(PathBuf, String)> = doc_files()
        .into_iter()
        .map(|f| {
            let text = read_doc(&f);
            (f, text)
        })
        .filter(|(_, text)| text.contains(header))
        .collect();
    let [(_, text)] = homes.as_slice() else {
        let files: Vec<_> = homes.iter().map(|(f, _)| f.display().to_string()).collect();
        panic!("the table `{header}` is in {files:?}: it needs exactly one home");
    };
    let after = text.split(header).nth(1).unwrap();
    after
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .collect()
}

/// A value for parameter `index` of kind `kind`: durations grow (so `min` < `max`), and
/// each is distinct, so a swapped parameter shows.
fn sample_value(kind: ParamKind, index: usize) -> (String, String) {
    match kind {
        ParamKind::Duration => {
            let seconds = index + 2;
            (
                format!("{seconds}s"),
                format!("Duration(Nanos({}))", seconds as u64 * 1_000_000_000),
            )
        }
        ParamKind::Number => {
            let n = 1.5 + index as f64;
            (n.to_string(), n.to_string())
        }
    }
}

#[test]
fn each_distribution_name_builds_its_own_variant_with_its_parameters() {
    for &kind in DistributionKind::ALL {
        let params: Vec<String> = kind
            .params()
            .iter()
            .enumerate()
            .map(|(i, (name, k))| format!("{name}: {}", sample_value(*k, i).0))
            .collect();
        let text = format!(
            "duration: 1m\nstreams: [{{cameras: [1], inter_arrival: {{distribution: {}, {}}}}}]\n",
            kind.name(),
            params.join(", ")
        );
        let s = try_scenario(&text).unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        let built = &s.streams[0].inter_arrival;
        assert_eq!(built.kind(), kind, "`{}` builds {built:?}", kind.name());
        let shown = format!("{built:?}");
        for (i, (name, k)) in kind.params().iter().enumerate() {
            let field = format!("{name}: {}", sample_value(*k, i).1);
            assert!(
                shown.contains(&field),
                "`{}`: {field} not in {shown}",
                kind.name()
            );
        }
        // And it plans: the sampler of this variant builds and draws.
        assert!(Events::new(&s).next().is_some(), "{}", kind.name());
    }
}

#[test]
fn the_schema_lists_every_distribution_with_its_parameters() {
    let schema = schema();
    let variants = schema["definitions"]["InterArrival"]["oneOf"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = variants
        .iter()
        .map(|v| v["properties"]["distribution"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(names, DistributionKind::NAMES);
    for (variant, &kind) in variants.iter().zip(DistributionKind::ALL) {
        let properties = variant["properties"].as_object().unwrap();
        let params: Vec<&str> = properties
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "distribution")
            .collect();
        let expected: Vec<&str> = kind.params().iter().map(|(p, _)| *p).collect();
        assert_eq!(params, expected, "{}", kind.name());
        for (param, param_kind) in kind.params() {
            let text = properties[*param].to_string();
            let is_duration = text.contains("#/definitions/Duration");
            let is_number = properties[*param]["type"] == "number";
            match param_kind {
                ParamKind::Duration => assert!(is_duration, "{}.{param}: {text}", kind.name()),
                ParamKind::Number => assert!(is_number, "{}.{param}: {text}", kind.name()),
            }
        }
    }
}

#[test]
fn the_docs_table_lists_every_distribution_with_its_parameters() {
    let rows: Vec<(String, String)> = table("| distribution | parameters | gap |")
        .iter()
        .map(|cells| (cells[1].replace('`', ""), cells[2].replace('`', "")))
        .collect();
    let expected: Vec<(String, String)> = DistributionKind::ALL
        .iter()
        .map(|k| {
            let params: Vec<&str> = k.params().iter().map(|(p, _)| *p).collect();
            (k.name().to_string(), params.join(", "))
        })
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn aliases_point_to_distributions_and_never_shadow_one() {
    for (alias, kind, _) in DistributionKind::ALIASES {
        assert!(
            DistributionKind::from_name(alias).is_none(),
            "`{alias}` is a name"
        );
        assert_eq!(
            alias.to_lowercase(),
            *alias,
            "aliases are matched lower-cased"
        );
        let out = try_scenario(&format!(
            "duration: 1m\nstreams: [{{cameras: [1], inter_arrival: {{distribution: {alias}}}}}]\n"
        ))
        .unwrap_err();
        assert!(
            out.contains(&format!("did you mean `{}`?", kind.name())),
            "{alias}: {out}"
        );
    }
}

/// Whether `text` holds `word` as a whole word (not inside a longer name).
fn mentions(text: &str, word: &str) -> bool {
    let part = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(part) && !after.is_some_and(part)
    })
}

/// The names a schema definition accepts: the `const` of each `oneOf` branch.
fn schema_names(definition: &str) -> Vec<String> {
    schema()["definitions"][definition]["oneOf"]
        .as_array()
        .unwrap_or_else(|| panic!("{definition} has no oneOf"))
        .iter()
        .filter_map(|v| v["const"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn every_other_name_table_agrees_with_the_schema_the_loader_and_the_format_reference() {
    let reference = format_reference();
    let tables: [(&str, &[&str], &str); 5] = [
        ("Arrivals", Arrivals::NAMES, "arrivals"),
        ("PickName", PickName::NAMES, "pick"),
        ("KeyMode", KeyMode::NAMES, "kafka.key"),
        ("FirstEvent", FirstEvent::NAMES, "first_event"),
        ("Interpolate", Interpolate::NAMES, "rate.interpolate"),
    ];
    for (definition, names, field) in tables {
        assert_eq!(schema_names(definition), names, "{definition}");
        for name in names {
            assert!(
                mentions(&reference, name),
                "{FORMAT_REFERENCE} does not mention {field} `{name}`"
            );
        }
    }
    // Each name is read back as its own variant.
    for &a in Arrivals::ALL {
        assert_eq!(Arrivals::from_name(a.name()), Some(a));
    }
    for &p in PickName::ALL {
        assert_eq!(PickName::from_name(p.name()), Some(p));
    }
    for &k in KeyMode::ALL {
        assert_eq!(KeyMode::from_name(k.name()), Some(k));
    }
    for &f in FirstEvent::ALL {
        assert_eq!(FirstEvent::from_name(f.name()), Some(f));
    }
    for &i in Interpolate::ALL {
        assert_eq!(Interpolate::from_name(i.name()), Some(i));
    }
    // Timestamp format names are strings in the schema (any other is a strftime pattern).
    for &t in TimeFormatName::ALL {
        assert_eq!(TimeFormatName::from_name(t.name()), Some(t));
        assert!(
            mentions(&reference, t.name()),
            "{FORMAT_REFERENCE} does not mention the timestamp format `{}`",
            t.name()
        );
    }
}

/// Parameters for each generator that validation accepts.
fn generator_params(kind: GeneratorKind) -> &'static str {
    match kind {
        GeneratorKind::EventId | GeneratorKind::CameraId => "",
        GeneratorKind::Timestamp => ", format: epoch_s",
        GeneratorKind::Camera => ", attribute: zone",
        GeneratorKind::Choice => ", values: [a, b], weights: [1, 2]",
        GeneratorKind::Float => ", min: 0, max: 1, decimals: 2",
        GeneratorKind::Int => ", min: 0, max: 9",
        GeneratorKind::Normal => ", mean: 0, std_dev: 1, decimals: 1",
        GeneratorKind::Sequence => ", start: 5",
        GeneratorKind::Bbox => ", width: 640, height: 480",
        GeneratorKind::EntityId | GeneratorKind::TrackId => "",
        GeneratorKind::Entity => ", attribute: k",
    }
}

#[test]
fn each_generator_name_builds_its_own_generator_with_its_parameters() {
    for &kind in GeneratorKind::ALL {
        let params = generator_params(kind);
        // Every parameter the registry lists is given here, and nothing else.
        for (name, _) in kind.params() {
            assert!(
                params.contains(&format!("{name}:")),
                "{}: {name}",
                kind.name()
            );
        }
        assert_eq!(
            params.matches(':').count(),
            kind.params().len(),
            "{}",
            kind.name()
        );
        // The entity generators need a stream of entities.
        let arrivals = match kind {
            GeneratorKind::EntityId | GeneratorKind::TrackId | GeneratorKind::Entity => {
                "entities: {arrivals: {distribution: constant, interval: 1s}, enter: [1], dwell: {distribution: constant, interval: 1s}, attributes: {k: {gen: int, min: 0, max: 1}}}"
            }
            _ => "inter_arrival: {distribution: constant, interval: 1s}",
        };
        let text = format!(
            "duration: 1m\nstreams: [{{cameras: [{{id: 1, zone: z}}], {arrivals}, payload: {{v: {{gen: {}{params}}}}}}}]\n",
            kind.name()
        );
        let s = try_scenario(&text).unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        let built = format!("{:?}", s.streams[0].message.payload);
        let variant: String = kind
            .name()
            .split('_')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect();
        assert!(built.contains(&variant), "`{}` builds {built}", kind.name());
        // A required parameter left out is reported by name.
        for (name, need) in kind.params() {
            if *need == Need::Required {
                let without = text.replace(&format!("{name}:"), "zzz:");
                let out = try_scenario(&without).unwrap_err();
                assert!(
                    out.contains(&format!("missing required field `{name}`")),
                    "{}: {out}",
                    kind.name()
                );
            }
        }
    }
}

#[test]
fn the_schema_lists_every_generator_with_its_parameters() {
    let schema = schema();
    let variants = schema["definitions"]["Generator"]["oneOf"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = variants
        .iter()
        .map(|v| v["properties"]["gen"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(names, GeneratorKind::NAMES);
    for (variant, &kind) in variants.iter().zip(GeneratorKind::ALL) {
        let params: Vec<&str> = variant["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "gen")
            .collect();
        // Its own parameters, then the options every generator takes.
        let mut expected: Vec<&str> = kind.params().iter().map(|(p, _)| *p).collect();
        expected.extend(GeneratorKind::COMMON);
        assert_eq!(params, expected, "{}", kind.name());
        let required: Vec<&str> = variant["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .filter(|r| *r != "gen")
            .collect();
        let expected: Vec<&str> = kind
            .params()
            .iter()
            .filter(|(_, need)| *need == Need::Required)
            .map(|(p, _)| *p)
            .collect();
        assert_eq!(required, expected, "{}", kind.name());
    }
}

#[test]
fn the_docs_table_lists_every_generator_with_its_parameters_and_output() {
    let rows: Vec<(String, String, String)> =
        table("| gen | parameters | prints | what it draws |")
            .iter()
            .map(|cells| {
                (
                    cells[1].replace('`', ""),
                    cells[2].replace('`', ""),
                    cells[3].clone(),
                )
            })
            .collect();
    let expected: Vec<(String, String, String)> = GeneratorKind::ALL
        .iter()
        .map(|k| {
            let params: Vec<String> = k
                .params()
                .iter()
                .map(|(p, need)| match need {
                    Need::Required => p.to_string(),
                    Need::Optional => format!("[{p}]"),
                })
                .collect();
            (
                k.name().to_string(),
                params.join(", "),
                k.output().to_string(),
            )
        })
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn generator_aliases_point_to_generators_and_never_shadow_one() {
    for (alias, kind, _) in GeneratorKind::ALIASES {
        assert!(
            GeneratorKind::from_name(alias).is_none(),
            "`{alias}` is a name"
        );
        assert_eq!(
            alias.to_lowercase(),
            *alias,
            "aliases are matched lower-cased"
        );
        let out = try_scenario(&format!(
            "duration: 1m\nstreams: [{{cameras: [1], inter_arrival: {{distribution: constant, interval: 1s}}, payload: {{v: {{gen: {alias}}}}}}}]\n"
        ))
        .unwrap_err();
        assert!(
            out.contains(&format!("did you mean `{}`?", kind.name())),
            "{alias}: {out}"
        );
    }
}

/// A distribution with parameters drawn from every corner: zero, tiny, huge, NaN,
/// infinite, negative, typical.
#[derive(Debug, Clone)]
struct AnyDistribution {
    kind: DistributionKind,
    values: Vec<String>,
}

impl Arbitrary for AnyDistribution {
    fn arbitrary(g: &mut Gen) -> Self {
        let kind = *g.choose(DistributionKind::ALL).unwrap();
        let values = kind
            .params()
            .iter()
            .map(|(_, k)| match k {
                ParamKind::Duration => g
                    .choose(&[
                        "0s",
                        "1ns",
                        "999ns",
                        "1us",
                        "1ms",
                        "250ms",
                        "1s",
                        "7s",
                        "1h",
                        "876000h",
                        "18446744073709551615ns",
                    ])
                    .unwrap()
                    .to_string(),
                ParamKind::Number => g
                    .choose(&[
                        "0", "1e-320", "1e-9", "0.5", "1", "1.5", "3", "1e9", "1e308", ".nan",
                        ".inf", "-1",
                    ])
                    .unwrap()
                    .to_string(),
            })
            .collect();
        AnyDistribution { kind, values }
    }
}

#[test]
fn every_distribution_validation_accepts_builds_and_samples() {
    fn property(d: AnyDistribution) -> TestResult {
        let params: Vec<String> = d
            .kind
            .params()
            .iter()
            .zip(&d.values)
            .map(|((name, _), v)| format!("{name}: {v}"))
            .collect();
        let text = format!(
            "duration: 1s\nstreams: [{{cameras: [1], inter_arrival: {{distribution: {}, {}}}}}]\n",
            d.kind.name(),
            params.join(", ")
        );
        match try_scenario(&text) {
            Err(_) => TestResult::discard(),
            // Building the plan builds the sampler (a refusal would panic); drawing a few
            // events samples it, and they fall inside the run.
            Ok(s) => {
                TestResult::from_bool(Events::new(&s).take(3).all(|e| e.offset_ns < s.duration.0))
            }
        }
    }
    QuickCheck::new()
        .tests(500)
        .max_tests(20_000)
        .quickcheck(property as fn(AnyDistribution) -> TestResult);
}
