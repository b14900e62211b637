//! Reading a distribution (`{distribution: NAME, …parameters}`, by the registry
//! [`DistributionKind`]) and a length (a fixed duration, or a distribution).

use std::collections::BTreeMap;

use serde_yaml::Value;

use super::{Walker, likely};
use crate::scenario::diagnostics::{FieldPath, Problem, list};
use crate::scenario::model::{DistributionKind, Duration, InterArrival, Length, ParamKind};

impl Walker {
    /// A fixed duration (`10m`), or a distribution drawn each time.
    pub(super) fn length(&mut self, value: &Value, path: &FieldPath) -> Option<Length> {
        match value {
            Value::Mapping(_) => self.inter_arrival(value, path).map(Length::Random),
            _ => self.duration(value, path).map(Length::Fixed),
        }
    }

    /// The distribution named `value`. An unknown name is reported, with the
    /// distribution it most likely means (a common other name such as `poisson` or
    /// `gaussian`, or a near spelling), which is returned as `Err(Some(_))`.
    fn distribution_name(
        &mut self,
        value: &Value,
        path: &FieldPath,
    ) -> Result<DistributionKind, Option<DistributionKind>> {
        let names = DistributionKind::NAMES;
        let Value::String(s) = value else {
            self.wrong_type(value, path, &format!("one of {}", list(names)));
            return Err(None);
        };
        if let Some(kind) = DistributionKind::from_name(s) {
            return Ok(kind);
        }
        let (guess, help) = likely(s, names, DistributionKind::ALIASES);
        self.report(Problem::new(path, format!("unknown value `{s}`")).help(help));
        Err(guess)
    }

    /// Checks the parameters of a distribution whose name is missing or unknown by what
    /// every distribution that takes them expects (durations with units, plain numbers).
    fn any_parameters(&mut self, value: &Value, path: &FieldPath) {
        let Value::Mapping(mapping) = value else {
            return;
        };
        for (key, entry) in mapping {
            let Value::String(key) = key else { continue };
            let kind = DistributionKind::ALL
                .iter()
                .flat_map(|d| d.params())
                .find(|(param, _)| param == key)
                .map(|(_, kind)| *kind);
            match kind {
                Some(ParamKind::Duration) => {
                    self.duration(entry, &path.key(key));
                }
                Some(ParamKind::Number) => {
                    self.number(entry, &path.key(key));
                }
                None => {}
            }
        }
    }

    /// A distribution: `distribution` names it, the other keys are its parameters. A
    /// missing or unknown name is reported, and the parameters are still checked.
    pub(super) fn inter_arrival(
        &mut self,
        value: &Value,
        path: &FieldPath,
    ) -> Option<InterArrival> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(
                value,
                path,
                "a distribution such as `{distribution: exponential, mean: 1s}`",
            );
            return None;
        };
        let Some(name) = mapping.get("distribution") else {
            let problem = Problem::new(path, "missing required field `distribution`");
            self.report(problem.help(format!("one of {}", list(DistributionKind::NAMES))));
            // The parameters can still be checked for what every distribution shares.
            self.any_parameters(value, path);
            return None;
        };
        let kind = match self.distribution_name(name, &path.key("distribution")) {
            Ok(kind) => kind,
            // Misspelt: check the rest against the distribution it most likely means, here
            // and in validation, so that its other problems are reported in the same run.
            Err(Some(guess)) => guess,
            Err(None) => {
                self.any_parameters(value, path);
                return None;
            }
        };
        let mut keys: Vec<&str> = vec!["distribution"];
        keys.extend(kind.params().iter().map(|(p, _)| *p));
        let e = self.mapping(value, path, "a distribution", &keys)?;
        let mut params = Params::default();
        for &(param, param_kind) in kind.params() {
            match param_kind {
                ParamKind::Duration => {
                    let hint = format!("add e.g. `{param}: 1s`");
                    if let Some(d) = self.required(&e, param, &hint, Self::duration) {
                        params.durations.insert(param, d);
                    }
                }
                ParamKind::Number => {
                    let hint = format!("add e.g. `{param}: 2.0`");
                    if let Some(n) = self.required(&e, param, &hint, Self::number) {
                        params.numbers.insert(param, n);
                    }
                }
            }
        }
        params.distribution(kind)
    }
}

/// The parameters of a distribution that could be read, by name.
#[derive(Default)]
struct Params<'k> {
    durations: BTreeMap<&'k str, Duration>,
    numbers: BTreeMap<&'k str, f64>,
}

impl Params<'_> {
    /// The distribution of `kind` built from these parameters; `None` when one is
    /// missing. By name: a parameter missing from `params()` leaves its distribution
    /// unbuilt, which the registry test would see.
    fn distribution(&self, kind: DistributionKind) -> Option<InterArrival> {
        let d = |name: &str| self.durations.get(name).copied();
        let n = |name: &str| self.numbers.get(name).copied();
        Some(match kind {
            DistributionKind::Constant => InterArrival::Constant {
                interval: d("interval")?,
            },
            DistributionKind::Uniform => InterArrival::Uniform {
                min: d("min")?,
                max: d("max")?,
            },
            DistributionKind::Exponential => InterArrival::Exponential { mean: d("mean")? },
            DistributionKind::Normal => InterArrival::Normal {
                mean: d("mean")?,
                std_dev: d("std_dev")?,
            },
            DistributionKind::Lognormal => InterArrival::Lognormal {
                mean: d("mean")?,
                std_dev: d("std_dev")?,
            },
            DistributionKind::Gamma => InterArrival::Gamma {
                shape: n("shape")?,
                mean: d("mean")?,
            },
            DistributionKind::Weibull => InterArrival::Weibull {
                shape: n("shape")?,
                scale: d("scale")?,
            },
            DistributionKind::Pareto => InterArrival::Pareto {
                shape: n("shape")?,
                scale: d("scale")?,
            },
        })
    }
}
