//! Reading what a stream's messages hold: payload fields (generators, nested objects,
//! lists, constants), the message key and the headers.

use serde_yaml::Value;

use super::{Entries, Walker, likely};
use crate::scenario::diagnostics::{FieldPath, Problem, list};
use crate::scenario::limits;
use crate::scenario::model::*;

impl Walker {
    /// A stream's payload: field name → field, in the order written.
    pub(super) fn payload(
        &mut self,
        value: &Value,
        path: &FieldPath,
    ) -> Option<Vec<(String, FieldSpec)>> {
        self.fields(
            value,
            path,
            "a mapping of payload fields such as `{kind: {gen: choice, values: [a, b]}}`",
        )
    }

    /// The fields of an object, in the order written.
    fn fields(
        &mut self,
        value: &Value,
        path: &FieldPath,
        what: &str,
    ) -> Option<Vec<(String, FieldSpec)>> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(value, path, what);
            return None;
        };
        self.named_entries(mapping, path, "field", |w, _, v, p| {
            Some(w.field_or_placeholder(v, p))
        })
    }

    /// A payload field, or (its problems reported) a constant standing in for it, so
    /// that the other fields, the key and the headers are still checked.
    fn field_or_placeholder(&mut self, value: &Value, path: &FieldPath) -> FieldSpec {
        self.field(value, path)
            .unwrap_or(FieldSpec::Constant(serde_json::Value::Null))
    }

    /// One payload field: a generator, a nested object, a list or a constant.
    fn field(&mut self, value: &Value, path: &FieldPath) -> Option<FieldSpec> {
        match value {
            Value::Mapping(mapping) if mapping.contains_key("gen") => {
                self.generator(value, path).map(FieldSpec::Generated)
            }
            Value::Mapping(_) => self
                .fields(value, path, "a nested object")
                .map(FieldSpec::Object),
            Value::Sequence(items) => self
                .items(items, path, |w, v, p| Some(w.field_or_placeholder(v, p)))
                .map(FieldSpec::List),
            _ => self.json(value, path).map(FieldSpec::Constant),
        }
    }

    /// The generator named by `gen`, with its parameters. A misspelt name is reported with
    /// the generator it most likely means, and the parameters are checked against that one.
    fn generator(&mut self, value: &Value, path: &FieldPath) -> Option<Generated> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(
                value,
                path,
                "a generator such as `{gen: int, min: 0, max: 9}`",
            );
            return None;
        };
        let name = mapping.get("gen")?;
        let kind = self.generator_kind(name, &path.key("gen"))?;
        let mut keys = vec!["gen"];
        keys.extend(kind.params().iter().map(|(p, _)| *p));
        keys.extend(GeneratorKind::COMMON);
        let e = self.mapping(value, path, "a generator", &keys)?;
        for &(param, need) in kind.params() {
            if need == Need::Required && !e.has(param) {
                let problem = Problem::new(path, format!("missing required field `{param}`"));
                self.report(problem.help(format!(
                    "`{}` takes {}",
                    kind.name(),
                    list(&kind.params().iter().map(|(p, _)| *p).collect::<Vec<_>>())
                )));
            }
        }
        // Misspelt: built as the one it most likely means, so that validation checks it
        // too (the file is refused either way).
        let null_rate = self.defaulted(&e, "null_rate", Self::number);
        let generator = self.generator_params(kind, &e)?;
        Some(Generated {
            generator,
            null_rate: null_rate?,
        })
    }

    /// The generator `gen` names, or (misspelt, and reported) the one it most likely
    /// means. `None` when there is no telling.
    fn generator_kind(&mut self, name: &Value, path: &FieldPath) -> Option<GeneratorKind> {
        let names = GeneratorKind::NAMES;
        let Value::String(s) = name else {
            self.wrong_type(name, path, &format!("one of {}", list(names)));
            return None;
        };
        if let Some(kind) = GeneratorKind::from_name(s) {
            return Some(kind);
        }
        if matches!(s.to_lowercase().as_str(), "constant" | "const" | "fixed") {
            let problem = Problem::new(path, format!("unknown generator `{s}`"));
            self.report(
                problem.help("a constant is written as the value itself, e.g. `schema_version: 2`"),
            );
            return None;
        }
        let (guess, help) = likely(s, names, GeneratorKind::ALIASES);
        let problem = Problem::new(path, format!("unknown generator `{s}`"));
        self.report(problem.help(help));
        guess
    }

    /// The parameters of a generator of `kind` (their presence is checked already).
    fn generator_params(&mut self, kind: GeneratorKind, e: &Entries<'_, '_>) -> Option<Generator> {
        match kind {
            GeneratorKind::EventId => Some(Generator::EventId),
            GeneratorKind::CameraId => Some(Generator::CameraId),
            GeneratorKind::EntityId => Some(Generator::EntityId),
            GeneratorKind::TrackId => Some(Generator::TrackId),
            GeneratorKind::Entity => {
                let attribute = self.optional(e, "attribute", Self::string)?;
                Some(Generator::Entity { attribute })
            }
            GeneratorKind::Timestamp => {
                let format = self.defaulted(e, "format", Self::string)?;
                Some(Generator::Timestamp { format })
            }
            GeneratorKind::Camera => {
                let attribute = self.optional(e, "attribute", Self::string)?;
                Some(Generator::Camera { attribute })
            }
            GeneratorKind::Choice => {
                let values = self.optional(e, "values", Self::values);
                let weights = self.defaulted(e, "weights", Self::numbers)?;
                Some(Generator::Choice {
                    values: values?,
                    weights,
                })
            }
            GeneratorKind::Float => {
                let min = self.optional(e, "min", Self::number);
                let max = self.optional(e, "max", Self::number);
                let decimals = self.decimals(e);
                Some(Generator::Float(FloatParams {
                    min: min?,
                    max: max?,
                    decimals: decimals?,
                }))
            }
            GeneratorKind::Int => {
                let min = self.optional(e, "min", Self::signed);
                let max = self.optional(e, "max", Self::signed);
                Some(Generator::Int(IntParams {
                    min: min?,
                    max: max?,
                }))
            }
            GeneratorKind::Normal => {
                let mean = self.optional(e, "mean", Self::number);
                let std_dev = self.optional(e, "std_dev", Self::number);
                let decimals = self.decimals(e);
                Some(Generator::Normal(NormalParams {
                    mean: mean?,
                    std_dev: std_dev?,
                    decimals: decimals?,
                }))
            }
            GeneratorKind::Sequence => {
                let start = self.defaulted(e, "start", Self::signed)?;
                Some(Generator::Sequence { start })
            }
            GeneratorKind::Bbox => {
                let width = self.defaulted(e, "width", Self::signed);
                let height = self.defaulted(e, "height", Self::signed);
                Some(Generator::Bbox(BboxParams {
                    width: width?,
                    height: height?,
                }))
            }
        }
    }

    /// The `values` of a choice: a list of any values.
    fn values(&mut self, value: &Value, path: &FieldPath) -> Option<Vec<serde_json::Value>> {
        match value {
            Value::Sequence(_) => match self.json(value, path)? {
                serde_json::Value::Array(values) => Some(values),
                _ => None,
            },
            other => {
                self.wrong_type(other, path, "a list of values");
                None
            }
        }
    }

    /// `decimals` of a generator: `Some(None)` when absent, `None` when unreadable.
    fn decimals(&mut self, e: &Entries<'_, '_>) -> Option<Option<u32>> {
        self.defaulted(e, "decimals", |w, v, p| {
            w.unsigned(v, p, u64::from(limits::MAX_DECIMALS))
                .map(|d| d as u32)
        })
    }

    /// A stream's key: `camera_id`, `none` or `{field: NAME}`.
    pub(super) fn stream_key(&mut self, value: &Value, path: &FieldPath) -> Option<StreamKey> {
        match value {
            Value::Mapping(_) => self.field_ref(value, path).map(StreamKey::Field),
            _ => self
                .named_besides(
                    value,
                    path,
                    "field",
                    "`field` needs the name of a payload field",
                    "write e.g. `key: {field: camera_id}`",
                )
                .map(StreamKey::Named),
        }
    }

    /// `{field: NAME}`.
    fn field_ref(&mut self, value: &Value, path: &FieldPath) -> Option<FieldRef> {
        let e = self.mapping(value, path, "`{field: NAME}`", FieldRef::FIELDS)?;
        let field = self.required(&e, "field", "write e.g. `{field: camera_id}`", Self::string)?;
        Some(FieldRef { field })
    }

    /// Kafka headers: name → value, in the order written.
    pub(super) fn headers(
        &mut self,
        value: &Value,
        path: &FieldPath,
    ) -> Option<Vec<(String, HeaderSpec)>> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(
                value,
                path,
                "a mapping of header names to values such as `{source: simulate}`",
            );
            return None;
        };
        // A header that cannot be read stands in as a constant (its problems reported),
        // so that the others are still checked.
        self.named_entries(mapping, path, "header", |w, _, v, p| {
            Some(
                w.header(v, p)
                    .unwrap_or(HeaderSpec::Constant(serde_json::Value::Null)),
            )
        })
    }

    /// One header's value: a generator, `{field: NAME}` or a constant.
    fn header(&mut self, value: &Value, path: &FieldPath) -> Option<HeaderSpec> {
        match value {
            Value::Mapping(m) if m.contains_key("gen") => {
                self.generator(value, path).map(HeaderSpec::Generated)
            }
            Value::Mapping(m) if m.contains_key("field") => {
                self.field_ref(value, path).map(HeaderSpec::Field)
            }
            Value::Mapping(_) | Value::Sequence(_) => {
                self.wrong_type(
                    value,
                    path,
                    "a header value: a generator, `{field: NAME}` or a constant",
                );
                None
            }
            _ => self.json(value, path).map(HeaderSpec::Constant),
        }
    }
}
