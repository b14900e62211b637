//! The walk from a parsed YAML value to the raw model ([`ScenarioFile`]), field by field.
//!
//! It checks the shape of every field (types, known keys, names from the tables in
//! [`super::model`]) and records every problem instead of stopping at the first, filling
//! what it could not read with harmless placeholders, so that validation can still report
//! the problems of the rest of the file in the same run.
//!
//! This file holds the walker, the readers of leaves (strings, numbers, durations, names,
//! lists, any value as JSON) and the three ways a mapping's field is read: [`Walker::optional`],
//! [`Walker::required`] and [`Walker::defaulted`]. The readers of the parts are in one
//! file per topic: `streams` (the scenario, Kafka settings, streams, rate changes, faults,
//! cameras), `payload` (payload fields, generators, key, headers) and `distribution`
//! (inter-arrival distributions and lengths).

use std::collections::BTreeMap;

use serde_yaml::{Mapping, Value};

use super::diagnostics::{FieldPath, Problem, Problems, did_you_mean, list, suggestion};
use super::duration;
use super::model::{Duration, Named, ScenarioFile};

mod distribution;
mod entities;
mod payload;
mod streams;

/// Walks `value`, the whole document, into the raw model. `None` when the document is
/// not a mapping (nothing else can be read); the problems found either way.
pub(crate) fn walk(value: &Value) -> (Option<ScenarioFile>, Problems) {
    let mut walker = Walker::default();
    let file = walker.scenario(value);
    (file, walker.problems)
}

/// A short description of a value's type and, for scalars, the value itself.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) if s.chars().count() > 40 => "a long string".into(),
        Value::String(s) => format!("a string (\"{s}\")"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("a value tagged {}", t.tag),
    }
}

/// What an unknown name `s` most likely means, among `names`: a common other name from
/// `aliases` (what people write, lower-cased; what is meant; why), or a near spelling;
/// with the help that says so.
fn likely<E: Named>(s: &str, names: &[&str], aliases: &[(&str, E, &str)]) -> (Option<E>, String) {
    let lower = s.to_lowercase();
    match aliases.iter().find(|(a, _, _)| *a == lower) {
        Some(&(_, kind, why)) => {
            let help = format!("did you mean `{}`? {why}", kind.name());
            (Some(kind), help.trim_end().to_string())
        }
        None => (
            did_you_mean(s, names).and_then(E::from_name),
            suggestion(s, names),
        ),
    }
}

/// `2%` as the fraction it means (`0.02`), written with as many decimals as it needs.
fn fraction_of_percent(text: &str) -> Option<String> {
    let number = text.trim().strip_suffix('%')?.trim_end();
    let value: f64 = number.parse().ok().filter(|v: &f64| v.is_finite())?;
    let decimals = number.split_once('.').map_or(0, |(_, d)| d.len()) + 2;
    let fixed = format!("{:.*}", decimals, value / 100.0);
    let trimmed = match fixed.contains('.') {
        true => fixed.trim_end_matches('0').trim_end_matches('.'),
        false => &fixed,
    };
    Some(trimmed.to_string())
}

/// Walks a YAML value into the raw model, recording problems as it goes.
#[derive(Default)]
struct Walker {
    problems: Problems,
}

/// The known entries of one mapping, by key.
type Fields<'v> = BTreeMap<&'v str, &'v Value>;

/// The known entries of one mapping and the mapping's path: what fields are read from.
struct Entries<'v, 'p> {
    fields: Fields<'v>,
    path: &'p FieldPath,
}

impl Entries<'_, '_> {
    /// Whether the mapping has `key`.
    fn has(&self, key: &str) -> bool {
        self.fields.contains_key(key)
    }
}

impl Walker {
    fn report(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn wrong_type(&mut self, value: &Value, path: &FieldPath, expected: &str) {
        if !self.problems.has_room() {
            return self.problems.count();
        }
        let problem = Problem::new(
            path,
            format!("expected {expected}, found {}", describe(value)),
        );
        self.report(problem);
    }

    /// The known entries of a mapping; unknown keys are reported with a suggestion.
    fn mapping<'v, 'p>(
        &mut self,
        value: &'v Value,
        path: &'p FieldPath,
        what: &str,
        fields: &[&str],
    ) -> Option<Entries<'v, 'p>> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(value, path, what);
            return None;
        };
        let mut known = Fields::new();
        for (key, entry) in mapping {
            let Value::String(key) = key else {
                self.report(Problem::new(
                    path,
                    format!("keys must be field names, found {}", describe(key)),
                ));
                continue;
            };
            if fields.contains(&key.as_str()) {
                known.insert(key.as_str(), entry);
            } else {
                let mut problem = Problem::new(&path.key(key), format!("unknown field `{key}`"));
                problem.at_key = true;
                problem.help = Some(suggestion(key, fields));
                self.report(problem);
            }
        }
        Some(Entries {
            fields: known,
            path,
        })
    }

    /// Field `key`, read by `read` when it is there.
    fn optional<T>(
        &mut self,
        entries: &Entries<'_, '_>,
        key: &str,
        read: impl FnOnce(&mut Self, &Value, &FieldPath) -> Option<T>,
    ) -> Option<T> {
        let value = entries.fields.get(key)?;
        read(self, value, &entries.path.key(key))
    }

    /// Field `key`, read by `read`; when it is missing, that is reported with `hint`.
    fn required<T>(
        &mut self,
        entries: &Entries<'_, '_>,
        key: &str,
        hint: &str,
        read: impl FnOnce(&mut Self, &Value, &FieldPath) -> Option<T>,
    ) -> Option<T> {
        let Some(value) = entries.fields.get(key) else {
            let message = format!("missing required field `{key}`");
            self.report(Problem::new(entries.path, message).help(hint.to_string()));
            return None;
        };
        read(self, value, &entries.path.key(key))
    }

    /// Field `key`, read by `read`: `Some(None)` when it is absent, `None` when it is
    /// there but cannot be read.
    fn defaulted<T>(
        &mut self,
        entries: &Entries<'_, '_>,
        key: &str,
        read: impl FnOnce(&mut Self, &Value, &FieldPath) -> Option<T>,
    ) -> Option<Option<T>> {
        match entries.fields.get(key) {
            None => Some(None),
            Some(value) => read(self, value, &entries.path.key(key)).map(Some),
        }
    }

    /// The entries of a mapping whose keys are names the file chooses (`what` names
    /// them in the problem of a key that is not text), each read by `read` (given the
    /// name), in the order written; `None` when any cannot be read (all are tried).
    fn named_entries<T>(
        &mut self,
        mapping: &Mapping,
        path: &FieldPath,
        what: &str,
        mut read: impl FnMut(&mut Self, &str, &Value, &FieldPath) -> Option<T>,
    ) -> Option<Vec<(String, T)>> {
        let mut entries = Vec::with_capacity(mapping.len());
        let mut ok = true;
        for (key, entry) in mapping {
            let Value::String(name) = key else {
                let problem = Problem::new(
                    path,
                    format!("{what} names must be text, found {}", describe(key)),
                );
                self.report(problem.help("quote the name"));
                ok = false;
                continue;
            };
            match read(self, name, entry, &path.key(name)) {
                Some(value) => entries.push((name.clone(), value)),
                None => ok = false,
            }
        }
        ok.then_some(entries)
    }

    fn string(&mut self, value: &Value, path: &FieldPath) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.wrong_type(value, path, "a string");
                None
            }
        }
    }

    fn unsigned(&mut self, value: &Value, path: &FieldPath, max: u64) -> Option<u64> {
        match value {
            Value::Number(n) => match n.as_u64() {
                Some(v) if v <= max => Some(v),
                _ => {
                    let message =
                        format!("{n} is out of range: expected a whole number from 0 to {max}");
                    self.report(Problem::new(path, message));
                    None
                }
            },
            _ => {
                self.wrong_type(value, path, "a whole number");
                None
            }
        }
    }

    fn signed(&mut self, value: &Value, path: &FieldPath) -> Option<i64> {
        match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                let message = format!(
                    "{n} is out of range: expected a whole number from {} to {}",
                    i64::MIN,
                    i64::MAX
                );
                self.report(Problem::new(path, message));
                None
            }),
            _ => {
                self.wrong_type(value, path, "a whole number");
                None
            }
        }
    }

    fn number(&mut self, value: &Value, path: &FieldPath) -> Option<f64> {
        match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if fraction_of_percent(s).is_some() => {
                let fraction = fraction_of_percent(s).unwrap_or_default();
                let problem = Problem::new(
                    path,
                    format!("expected a number, found a percentage (\"{s}\")"),
                );
                self.report(problem.help(format!("write it as a fraction: `{fraction}`")));
                None
            }
            _ => {
                self.wrong_type(value, path, "a number");
                None
            }
        }
    }

    fn duration(&mut self, value: &Value, path: &FieldPath) -> Option<Duration> {
        match value {
            Value::String(s) => match duration::parse(s) {
                Ok(n) => Some(Duration(n)),
                Err(message) => {
                    self.report(Problem::new(path, message));
                    None
                }
            },
            Value::Number(n) if n.as_f64().is_some_and(|x| x < 0.0) => {
                let positive = n.to_string().trim_start_matches('-').to_string();
                let message = format!("negative durations are not allowed: `{n}`");
                let help = format!("write a positive duration with a unit, e.g. `{positive}s`");
                self.report(Problem::new(path, message).help(help));
                None
            }
            Value::Number(n) => {
                let message = format!("duration {n} needs a unit");
                let help = format!("write e.g. `{n}s` or `{n}ms`");
                self.report(Problem::new(path, message).help(help));
                None
            }
            _ => {
                self.wrong_type(value, path, "a duration such as `500ms` or `3m`");
                None
            }
        }
    }

    /// One of a fixed set of names, with a suggestion when it is misspelt.
    fn choice<'n>(
        &mut self,
        value: &Value,
        path: &FieldPath,
        names: &[&'n str],
    ) -> Option<&'n str> {
        let Value::String(s) = value else {
            self.wrong_type(value, path, &format!("one of {}", list(names)));
            return None;
        };
        if let Some(name) = names.iter().find(|n| *n == s) {
            return Some(name);
        }
        let problem = Problem::new(path, format!("unknown value `{s}`"));
        self.report(problem.help(suggestion(s, names)));
        None
    }

    /// A variant of a named enum, by its name, where the file may also write a mapping
    /// whose one key is `extra`: that key written as a bare name is reported with
    /// `message` and `help`.
    fn named_besides<E: Named>(
        &mut self,
        value: &Value,
        path: &FieldPath,
        extra: &str,
        message: &str,
        help: &str,
    ) -> Option<E> {
        let mut names = E::NAMES.to_vec();
        names.push(extra);
        let name = self.choice(value, path, &names)?;
        if name == extra {
            self.report(Problem::new(path, message).help(help));
            return None;
        }
        E::from_name(name)
    }

    /// A variant of a named enum, by its name.
    fn named<E: Named>(&mut self, value: &Value, path: &FieldPath) -> Option<E> {
        self.choice(value, path, E::NAMES).and_then(E::from_name)
    }

    /// A list whose items `item` reads; `None` when it is not a list or an item cannot
    /// be read (every item's problems are reported).
    fn list<T>(
        &mut self,
        value: &Value,
        path: &FieldPath,
        what: &str,
        mut item: impl FnMut(&mut Self, &Value, &FieldPath) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Value::Sequence(items) = value else {
            self.wrong_type(value, path, &format!("a list of {what}"));
            return None;
        };
        self.items(items, path, &mut item)
    }

    /// The items of a list, each read by `item`; `None` when any cannot be read (all
    /// are tried).
    fn items<T>(
        &mut self,
        items: &[Value],
        path: &FieldPath,
        mut item: impl FnMut(&mut Self, &Value, &FieldPath) -> Option<T>,
    ) -> Option<Vec<T>> {
        let read: Vec<Option<T>> = items
            .iter()
            .enumerate()
            .map(|(i, v)| item(self, v, &path.index(i)))
            .collect();
        read.into_iter().collect()
    }

    /// A list of numbers.
    fn numbers(&mut self, value: &Value, path: &FieldPath) -> Option<Vec<f64>> {
        self.list(value, path, "numbers", Self::number)
    }

    /// Any YAML value as JSON: scalars, lists and mappings with text keys. A number that
    /// is not finite, or a tagged value, is reported.
    fn json(&mut self, value: &Value, path: &FieldPath) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        match value {
            Value::Null => Some(J::Null),
            Value::Bool(b) => Some(J::Bool(*b)),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Some(J::from(i))
                } else if let Some(u) = n.as_u64() {
                    Some(J::from(u))
                } else {
                    let number = n.as_f64().and_then(serde_json::Number::from_f64);
                    if number.is_none() {
                        let problem = Problem::new(path, format!("{n} is not a finite number"));
                        self.report(
                            problem
                                .help("JSON has no NaN or infinity; quote it to send it as text"),
                        );
                    }
                    number.map(J::Number)
                }
            }
            Value::String(s) => Some(J::String(s.clone())),
            Value::Sequence(items) => self.items(items, path, Self::json).map(J::Array),
            Value::Mapping(mapping) => {
                let mut object = serde_json::Map::new();
                let mut ok = true;
                for (k, v) in mapping {
                    let Value::String(k) = k else {
                        self.wrong_type(k, path, "text keys (JSON object keys are text)");
                        ok = false;
                        continue;
                    };
                    match self.json(v, &path.key(k)) {
                        Some(v) => {
                            object.insert(k.clone(), v);
                        }
                        None => ok = false,
                    }
                }
                ok.then_some(J::Object(object))
            }
            Value::Tagged(_) => {
                self.wrong_type(value, path, "a plain value (no YAML tags)");
                None
            }
        }
    }
}
