//! The registry's state and its operations, as Confluent's Schema Registry defines
//! them: global schema ids (the same schema, by identity, under any subject has one
//! id; ids are never reused), versions per subject (the next is one past the highest
//! kept), soft deletion (a deleted version keeps its number and its id but leaves the
//! lists, the checks and `latest`) and permanent deletion (only of what was soft
//! deleted), compatibility levels global and per subject. Errors are Confluent's error
//! codes and messages ([`ApiError`]); the HTTP side is in `api.rs`.

use std::collections::BTreeMap;

use super::problem::Problem;
use super::schema::{self, Identity, Kind, Level, Reference, Stored};

/// An error as the API answers it: `{"error_code": code, "message": message}`, with the
/// HTTP status the first three digits of the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Confluent's error code, e.g. 40401.
    pub code: u32,
    /// Its message.
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(code: u32, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status: the code's first three digits (the code itself if it has three).
    pub fn status(&self) -> u16 {
        let mut code = self.code;
        while code >= 1000 {
            code /= 10;
        }
        u16::try_from(code).unwrap_or(500)
    }

    pub(crate) fn subject_not_found(subject: &str) -> ApiError {
        ApiError::new(40401, format!("Subject '{subject}' not found."))
    }

    fn version_not_found(version: impl std::fmt::Display) -> ApiError {
        ApiError::new(40402, format!("Version {version} not found."))
    }
}

/// A version in a path: a number or `latest` (or `-1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    /// The latest (live, or any with `deleted=true`).
    Latest,
    /// A version number.
    Number(i64),
}

impl Which {
    /// Reads a path's version.
    pub(crate) fn parse(text: &str) -> Result<Which, ApiError> {
        match text {
            "latest" | "-1" => Ok(Which::Latest),
            _ => match text.parse::<i64>() {
                Ok(n) if (1..=i64::from(i32::MAX)).contains(&n) => Ok(Which::Number(n)),
                _ => Err(ApiError::new(
                    42202,
                    format!(
                        "The specified version '{text}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
                    ),
                )),
            },
        }
    }
}

/// One version of a subject.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Version {
    /// Its number.
    pub number: i64,
    /// Its schema's id.
    pub id: u32,
    /// Whether it was soft deleted.
    pub deleted: bool,
}

#[derive(Debug, Clone, Default)]
struct Subject {
    versions: Vec<Version>,
    level: Option<Level>,
}

/// A schema sent in a request: its type, text and references.
#[derive(Debug, Clone)]
pub(crate) struct Submitted {
    pub kind: Kind,
    pub text: String,
    pub references: Vec<Reference>,
}

/// A parsed submission: what it is, as stored, and its identity.
struct Candidate {
    stored: Stored,
    identity: Identity,
}

/// The state of an embedded registry.
#[derive(Debug, Clone)]
pub(crate) struct State {
    /// Schema `i + 1` is `schemas[i]`.
    schemas: Vec<(Stored, Identity)>,
    subjects: BTreeMap<String, Subject>,
    global: Level,
}

impl Default for State {
    fn default() -> State {
        State {
            schemas: Vec::new(),
            subjects: BTreeMap::new(),
            global: Level::Backward,
        }
    }
}

type Key<'a> = (Kind, &'a [Reference], &'a str);

impl State {
    fn stored(&self, id: u32) -> Option<&Stored> {
        let index = usize::try_from(id).ok()?.checked_sub(1)?;
        self.schemas.get(index).map(|(s, _)| s)
    }

    fn key<'a>(stored: &'a Stored, identity: &'a Identity, normalize: bool) -> Key<'a> {
        let text = if normalize {
            &identity.normalized
        } else {
            &identity.raw
        };
        (stored.kind, &stored.references, text)
    }

    fn parse(&self, submitted: &Submitted, normalize: bool) -> Result<Candidate, ApiError> {
        let mut references = Vec::new();
        for r in &submitted.references {
            let found = Which::parse(&r.version.to_string())
                .ok()
                .and_then(|w| self.version_of(&r.subject, Some(w), false).ok())
                .map(|(_, stored)| stored);
            match found {
                Some(stored) => references.push((r.name.as_str(), stored)),
                None => {
                    return Err(ApiError::new(
                        42201,
                        format!(
                            "Invalid schema: reference {:?} to subject '{}' version {} does not exist",
                            r.name, r.subject, r.version
                        ),
                    ));
                }
            }
        }
        let parsed = schema::parse(submitted.kind, &submitted.text, &references).map_err(|e| {
            ApiError::new(
                42201,
                format!(
                    "Invalid schema of type {}, details: {e}",
                    submitted.kind.name()
                ),
            )
        })?;
        let identity = parsed.identity();
        let stored = Stored {
            kind: submitted.kind,
            text: parsed.text(&submitted.text, normalize),
            references: submitted.references.clone(),
            parsed,
        };
        Ok(Candidate { stored, identity })
    }

    /// The subject's versions, live ones only unless `deleted`.
    fn versions(&self, subject: &str, deleted: bool) -> Vec<Version> {
        self.subjects
            .get(subject)
            .map(|s| {
                s.versions
                    .iter()
                    .filter(|v| deleted || !v.deleted)
                    .copied()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The version `which` of `subject` (`None`: latest) and its schema.
    pub(crate) fn version_of(
        &self,
        subject: &str,
        which: Option<Which>,
        deleted: bool,
    ) -> Result<(Version, &Stored), ApiError> {
        let versions = self.versions(subject, deleted);
        if versions.is_empty() {
            return Err(ApiError::subject_not_found(subject));
        }
        let found = match which.unwrap_or(Which::Latest) {
            Which::Latest => versions.last().copied(),
            Which::Number(n) => versions.iter().find(|v| v.number == n).copied(),
        };
        let version = found.ok_or_else(|| match which {
            Some(Which::Number(n)) => ApiError::version_not_found(n),
            Some(Which::Latest) | None => ApiError::version_not_found("latest"),
        })?;
        let stored = self
            .stored(version.id)
            .ok_or_else(|| ApiError::new(50001, "Error in the backend data store"))?;
        Ok((version, stored))
    }

    /// The level that applies to `subject`.
    pub(crate) fn level_of(&self, subject: &str) -> Level {
        self.subjects
            .get(subject)
            .and_then(|s| s.level)
            .unwrap_or(self.global)
    }

    /// The problems of `new` against the versions `level` names (`against`: one only).
    fn check(
        &self,
        subject: &str,
        new: &Stored,
        against: Option<Version>,
    ) -> Vec<(Version, Vec<Problem>)> {
        let level = self.level_of(subject);
        let live = self.versions(subject, false);
        let olds: Vec<Version> = match against {
            Some(v) => vec![v],
            None if level.transitive() => live.into_iter().rev().collect(),
            None => live.last().copied().into_iter().collect(),
        };
        olds.into_iter()
            .filter_map(|v| {
                let old = self.stored(v.id)?;
                let problems = schema::problems(&new.parsed, &old.parsed, level);
                (!problems.is_empty()).then_some((v, problems))
            })
            .collect()
    }

    /// The messages of a failed check, as Confluent lists them.
    fn messages(&self, subject: &str, failed: &(Version, Vec<Problem>)) -> Vec<String> {
        let (version, problems) = failed;
        let mut out: Vec<String> = problems.iter().map(ToString::to_string).collect();
        out.push(format!("{{oldSchemaVersion: {}}}", version.number));
        if let Some(old) = self.stored(version.id) {
            out.push(format!("{{oldSchema: '{}'}}", old.text));
        }
        out.push(format!(
            "{{compatibility: '{}'}}",
            self.level_of(subject).name()
        ));
        out
    }

    /// `POST /subjects/{subject}/versions`: the schema's id, registered if new.
    pub(crate) fn register(
        &mut self,
        subject: &str,
        submitted: &Submitted,
        normalize: bool,
    ) -> Result<u32, ApiError> {
        let candidate = self.parse(submitted, normalize)?;
        let key = State::key(&candidate.stored, &candidate.identity, normalize);
        let live = self.versions(subject, false);
        for v in &live {
            if let Some((stored, identity)) = self.schemas.get(v.id as usize - 1) {
                if State::key(stored, identity, normalize) == key {
                    return Ok(v.id);
                }
            }
        }
        if let Some(failed) = self.check(subject, &candidate.stored, None).first() {
            let details = self.messages(subject, failed).join(", ");
            return Err(ApiError::new(
                409,
                format!(
                    "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{details}]"
                ),
            ));
        }
        let existing = self
            .schemas
            .iter()
            .position(|(s, i)| State::key(s, i, normalize) == key);
        let id = match existing {
            Some(index) => index + 1,
            None => {
                self.schemas.push((candidate.stored, candidate.identity));
                self.schemas.len()
            }
        };
        let id = u32::try_from(id).map_err(|_| ApiError::new(50001, "Too many schemas"))?;
        let entry = self.subjects.entry(subject.to_string()).or_default();
        let number = entry.versions.iter().map(|v| v.number).max().unwrap_or(0) + 1;
        entry.versions.push(Version {
            number,
            id,
            deleted: false,
        });
        Ok(id)
    }

    /// `POST /subjects/{subject}`: the version of `subject` that holds the schema.
    pub(crate) fn lookup(
        &self,
        subject: &str,
        submitted: &Submitted,
        normalize: bool,
        deleted: bool,
    ) -> Result<(Version, &Stored), ApiError> {
        let versions = self.versions(subject, deleted);
        if versions.is_empty() {
            return Err(ApiError::subject_not_found(subject));
        }
        let candidate = self.parse(submitted, normalize)?;
        let key = State::key(&candidate.stored, &candidate.identity, normalize);
        versions
            .iter()
            .rev()
            .find_map(|v| {
                let (stored, identity) = self.schemas.get(v.id as usize - 1)?;
                (State::key(stored, identity, normalize) == key).then_some((*v, stored))
            })
            .ok_or_else(|| ApiError::new(40403, "Schema not found"))
    }

    /// `GET /schemas/ids/{id}`: a schema some version (even soft deleted) still holds.
    pub(crate) fn schema(&self, id: u32) -> Result<&Stored, ApiError> {
        let held = self
            .subjects
            .values()
            .any(|s| s.versions.iter().any(|v| v.id == id));
        self.stored(id)
            .filter(|_| held)
            .ok_or_else(|| ApiError::new(40403, format!("Schema {id} not found")))
    }

    /// `GET /schemas/ids/{id}/versions`: the (subject, version) pairs holding `id`.
    pub(crate) fn uses(&self, id: u32, deleted: bool) -> Result<Vec<(&str, i64)>, ApiError> {
        self.schema(id)?;
        Ok(self
            .subjects
            .iter()
            .flat_map(|(name, s)| {
                s.versions
                    .iter()
                    .filter(move |v| v.id == id && (deleted || !v.deleted))
                    .map(move |v| (name.as_str(), v.number))
            })
            .collect())
    }

    /// `GET /subjects`: subjects with a live version (any version if `deleted`).
    pub(crate) fn subjects(&self, deleted: bool) -> Vec<&str> {
        self.subjects
            .keys()
            .filter(|s| !self.versions(s, deleted).is_empty())
            .map(String::as_str)
            .collect()
    }

    /// `GET /subjects/{subject}/versions`.
    pub(crate) fn version_numbers(
        &self,
        subject: &str,
        deleted: bool,
    ) -> Result<Vec<i64>, ApiError> {
        let versions = self.versions(subject, deleted);
        if versions.is_empty() {
            return Err(ApiError::subject_not_found(subject));
        }
        Ok(versions.iter().map(|v| v.number).collect())
    }

    /// `DELETE /subjects/{subject}`: the versions deleted.
    pub(crate) fn delete_subject(
        &mut self,
        subject: &str,
        permanent: bool,
    ) -> Result<Vec<i64>, ApiError> {
        let all = self.versions(subject, true);
        let live = self.versions(subject, false);
        if all.is_empty() {
            return Err(ApiError::subject_not_found(subject));
        }
        if let Some(v) = live.iter().find(|v| self.referenced(subject, v.number)) {
            return Err(referenced(subject, v.number));
        }
        let entry = self.subjects.entry(subject.to_string()).or_default();
        if permanent {
            if !live.is_empty() {
                return Err(ApiError::new(
                    40405,
                    format!(
                        "Subject '{subject}' was not deleted first before being permanently deleted"
                    ),
                ));
            }
            entry.versions.clear();
            entry.level = None;
            return Ok(all.iter().map(|v| v.number).collect());
        }
        if live.is_empty() {
            return Err(ApiError::new(
                40404,
                format!(
                    "Subject '{subject}' was soft deleted.Set permanent=true to delete permanently"
                ),
            ));
        }
        entry.versions.iter_mut().for_each(|v| v.deleted = true);
        // "Deletes the specified subject and its associated compatibility level".
        entry.level = None;
        Ok(live.iter().map(|v| v.number).collect())
    }

    /// Whether a live version of some subject references `subject` version `number`.
    fn referenced(&self, subject: &str, number: i64) -> bool {
        !self.referenced_by(subject, number).is_empty()
    }

    /// `GET /subjects/{subject}/versions/{version}/referencedby`: the ids of the live
    /// schemas that reference `subject` version `number`, in order.
    pub(crate) fn referenced_by(&self, subject: &str, number: i64) -> Vec<u32> {
        let mut ids: Vec<u32> = self
            .subjects
            .values()
            .flat_map(|s| s.versions.iter().filter(|v| !v.deleted))
            .filter(|v| {
                self.stored(v.id).is_some_and(|st| {
                    st.references
                        .iter()
                        .any(|r| r.subject == subject && r.version == number)
                })
            })
            .map(|v| v.id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// `DELETE /subjects/{subject}/versions/{version}`: the version deleted.
    pub(crate) fn delete_version(
        &mut self,
        subject: &str,
        which: Which,
        permanent: bool,
    ) -> Result<i64, ApiError> {
        if let (false, Which::Number(n)) = (permanent, which) {
            let soft = self
                .versions(subject, true)
                .iter()
                .any(|v| v.number == n && v.deleted);
            if soft {
                return Err(ApiError::new(
                    40406,
                    format!(
                        "Subject '{subject}' Version {n} was soft deleted.Set permanent=true to delete permanently"
                    ),
                ));
            }
        }
        let (version, _) = self.version_of(subject, Some(which), permanent)?;
        let number = version.number;
        if permanent && !version.deleted {
            return Err(ApiError::new(
                40407,
                format!(
                    "Subject '{subject}' Version {number} was not deleted first before being permanently deleted"
                ),
            ));
        }
        if !permanent && self.referenced(subject, number) {
            return Err(referenced(subject, number));
        }
        let entry = self.subjects.entry(subject.to_string()).or_default();
        if permanent {
            entry.versions.retain(|v| v.number != number);
        } else if let Some(v) = entry.versions.iter_mut().find(|v| v.number == number) {
            v.deleted = true;
        }
        Ok(number)
    }

    /// `POST /compatibility/subjects/{subject}/versions[/{version}]`: the messages of
    /// every incompatibility (none: compatible).
    pub(crate) fn compatibility(
        &self,
        subject: &str,
        which: Option<Which>,
        submitted: &Submitted,
    ) -> Result<Vec<String>, ApiError> {
        let against = match which {
            Some(w) => Some(self.version_of(subject, Some(w), false)?.0),
            None => None,
        };
        let candidate = self.parse(submitted, false)?;
        let failed = self.check(subject, &candidate.stored, against);
        Ok(failed
            .iter()
            .flat_map(|f| self.messages(subject, f))
            .collect())
    }

    /// The global level.
    pub(crate) fn global(&self) -> Level {
        self.global
    }

    /// Sets the global level.
    pub(crate) fn set_global(&mut self, level: Level) {
        self.global = level;
    }

    /// The subject's own level, if it has one.
    pub(crate) fn subject_level(&self, subject: &str) -> Option<Level> {
        self.subjects.get(subject).and_then(|s| s.level)
    }

    /// Sets (or with `None` removes) the subject's own level.
    pub(crate) fn set_subject_level(&mut self, subject: &str, level: Option<Level>) {
        self.subjects.entry(subject.to_string()).or_default().level = level;
    }
}

fn referenced(subject: &str, number: i64) -> ApiError {
    ApiError::new(
        42206,
        format!(
            "One or more references exist to the schema {{subject={subject},version={number}}}."
        ),
    )
}
