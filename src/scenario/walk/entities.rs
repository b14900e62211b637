//! Reading a stream's `entities:`: its cameras as keys (`1000:`), its moves, its
//! sighting period and its attributes.

use serde_yaml::Value;

use super::{Walker, describe};
use crate::scenario::diagnostics::{FieldPath, Problem};
use crate::scenario::model::*;

impl Walker {
    /// `entities:`.
    pub(super) fn entities(&mut self, value: &Value, path: &FieldPath) -> Option<EntitiesFile> {
        let e = self.mapping(
            value,
            path,
            "entities such as `{arrivals: {…}, enter: [1000], moves: {…}, dwell: {…}}`",
            EntitiesFile::FIELDS,
        )?;
        let arrivals = self.required(
            &e,
            "arrivals",
            "add e.g. `arrivals: {distribution: exponential, mean: 20s}`",
            Self::inter_arrival,
        );
        let enter = self.required(
            &e,
            "enter",
            "add the entry cameras, e.g. `enter: {1000: 3, 1003: 1}` or `enter: [1000]`",
            Self::enter,
        );
        let moves = self.optional(&e, "moves", |w, v, p| {
            w.by_camera(v, p, "moves", |w, v, p| {
                w.list(v, p, "moves", Self::move_file)
            })
        });
        let dwell = self.required(
            &e,
            "dwell",
            "add e.g. `dwell: {distribution: uniform, min: 5s, max: 30s}`",
            Self::inter_arrival,
        );
        let dwell_by_camera = self.optional(&e, "dwell_by_camera", |w, v, p| {
            w.by_camera(v, p, "dwell_by_camera", Self::inter_arrival)
        });
        let sightings = self.optional(&e, "sightings", Self::sightings);
        let miss = self.optional(&e, "miss", Self::number);
        let max_visits = self.optional(&e, "max_visits", |w, v, p| w.unsigned(v, p, u64::MAX));
        let attributes = self.optional(&e, "attributes", Self::payload);
        Some(EntitiesFile {
            arrivals: arrivals?,
            enter: enter?,
            moves,
            dwell: dwell?,
            dwell_by_camera,
            sightings,
            miss,
            max_visits,
            attributes,
        })
    }

    /// `enter`: `{camera: weight}` or `[camera, …]`.
    fn enter(&mut self, value: &Value, path: &FieldPath) -> Option<Vec<(CameraId, Option<f64>)>> {
        match value {
            Value::Sequence(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    out.push((self.camera_id(item, &path.index(i))?, None));
                }
                Some(out)
            }
            Value::Mapping(_) => self
                .by_camera(value, path, "enter", |w, v, p| w.number(v, p))
                .map(|entries| entries.into_iter().map(|(c, w)| (c, Some(w))).collect()),
            other => {
                self.wrong_type(
                    other,
                    path,
                    "entry cameras: `{1000: 3, 1003: 1}` or `[1000, 1003]`",
                );
                None
            }
        }
    }

    /// A mapping keyed by camera id, each entry read by `read`, in the order written.
    fn by_camera<T>(
        &mut self,
        value: &Value,
        path: &FieldPath,
        what: &str,
        mut read: impl FnMut(&mut Self, &Value, &FieldPath) -> Option<T>,
    ) -> Option<Vec<(CameraId, T)>> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(
                value,
                path,
                &format!("`{what}`: a mapping keyed by camera id"),
            );
            return None;
        };
        let mut out = Vec::with_capacity(mapping.len());
        let mut ok = true;
        for (key, entry) in mapping {
            let name = match key {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.clone(),
                other => {
                    self.report(Problem::new(
                        path,
                        format!("`{what}` is keyed by camera ids; found {}", describe(other)),
                    ));
                    ok = false;
                    continue;
                }
            };
            let at = path.key(&name);
            let Some(camera) = self.camera_id(key, &at) else {
                ok = false;
                continue;
            };
            match read(self, entry, &at) {
                Some(v) => out.push((camera, v)),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn move_file(&mut self, value: &Value, path: &FieldPath) -> Option<MoveFile> {
        let e = self.mapping(
            value,
            path,
            "a move such as `{to: 1001, weight: 3, travel: {distribution: constant, interval: 10s}}`",
            MoveFile::FIELDS,
        )?;
        let to = self.required(
            &e,
            "to",
            "add e.g. `to: 1001` or `to: exit`",
            Self::camera_id,
        );
        let weight = self.optional(&e, "weight", Self::number);
        let travel = self.optional(&e, "travel", Self::inter_arrival);
        Some(MoveFile {
            to: to?,
            weight,
            travel,
        })
    }

    fn sightings(&mut self, value: &Value, path: &FieldPath) -> Option<SightingsFile> {
        match value {
            Value::String(s) if s == "once" => Some(SightingsFile::Once),
            Value::Mapping(_) => {
                let e = self.mapping(value, path, "`{every: 2s}` or `once`", &["every"])?;
                let every = self.required(&e, "every", "add e.g. `every: 2s`", Self::duration)?;
                Some(SightingsFile::Every(every))
            }
            other => {
                self.wrong_type(other, path, "`{every: 2s}` or `once`");
                None
            }
        }
    }
}
