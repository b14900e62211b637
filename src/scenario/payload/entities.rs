//! The payload's side of entity streams: the entities' attributes (drawn once per
//! entity) and the generators that need a stream with `entities` (`entity_id`,
//! `track_id`, `entity`).

use super::{Checker, Gen, Value};
use crate::scenario::diagnostics::{FieldPath, Problem, Problems, suggestion};
use crate::scenario::model::FieldSpec;

/// Checks the attributes of a stream's entities (`entities.attributes`): each one a
/// `choice`, `int`, `float`, `normal` or `sequence` generator, without `null_rate`.
pub(crate) fn entity_attributes(
    raw: Vec<(String, FieldSpec)>,
    path: &FieldPath,
    problems: &mut Problems,
) -> Vec<(String, Gen)> {
    let mut checker = Checker {
        stream: path.clone(),
        cameras: None,
        attributes: None,
        entities: None,
        problems,
        values: 0,
    };
    let mut out = Vec::new();
    for (name, spec) in raw {
        let at = path.key(&name);
        let allowed = "an attribute is drawn once per entity by `choice`, `int`, `float`, `normal` or `sequence`, e.g. `kind: {gen: choice, values: [adult, child], weights: [4, 1]}`";
        let FieldSpec::Generated(generated) = spec else {
            checker.problems.push(
                Problem::new(&at, format!("attribute `{name}` is not a generator")).help(allowed),
            );
            continue;
        };
        if generated.null_rate.is_some() {
            checker.problems.push(
                Problem::new(
                    &at.key("null_rate"),
                    "an entity attribute cannot be null at times",
                )
                .help("remove `null_rate`; a payload field can have one"),
            );
        }
        match checker.generated(generated, &at, format!("entity\0{name}")) {
            Value::Generated {
                generator:
                    generator @ (Gen::Choice { .. }
                    | Gen::Int(_)
                    | Gen::Float(_)
                    | Gen::Normal(_)
                    | Gen::Sequence { .. }),
                ..
            } => out.push((name, generator)),
            _ => checker.problems.push(
                Problem::new(
                    &at.key("gen"),
                    format!("attribute `{name}` cannot be drawn once per entity by this generator"),
                )
                .help(allowed),
            ),
        }
    }
    out
}

impl Checker<'_> {
    /// `generator` (`name` in the file), which needs a stream with `entities`.
    pub(super) fn of_entity(&mut self, generator: Gen, name: &str, at: &FieldPath) -> Gen {
        if self.entities.is_none() {
            self.problems.push(
                Problem::new(
                    &at.key("gen"),
                    format!("`{name}` names the entity a sighting is of, and this stream has no `entities`"),
                )
                .help("declare `entities:` (arrivals, enter, moves, dwell) instead of `inter_arrival:`, or remove this field"),
            );
        }
        generator
    }

    /// `{gen: entity, attribute: NAME}`: one of the entities' attributes.
    pub(super) fn entity_attribute(&mut self, attribute: String, at: &FieldPath) -> Gen {
        let fallback = Gen::Entity {
            attribute: attribute.clone(),
            generator: Box::new(Gen::EntityId),
        };
        let Some(attributes) = self.entities else {
            return self.of_entity(fallback, "entity", at);
        };
        match attributes.iter().find(|(name, _)| *name == attribute) {
            Some((_, generator)) => Gen::Entity {
                attribute,
                generator: Box::new(generator.clone()),
            },
            None => {
                let names: Vec<&str> = attributes.iter().map(|(n, _)| n.as_str()).collect();
                let help = if names.is_empty() {
                    "declare it under `entities.attributes`, e.g. `kind: {gen: choice, values: [adult, child]}`".to_string()
                } else {
                    suggestion(&attribute, &names)
                };
                self.problems.push(
                    Problem::new(
                        &at.key("attribute"),
                        format!("the entities have no attribute `{attribute}`"),
                    )
                    .help(help),
                );
                fallback
            }
        }
    }
}
