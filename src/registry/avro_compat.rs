//! Avro compatibility: whether a reader schema can read what a writer schema wrote,
//! by the Avro specification's "Schema Resolution" rules (as Avro's own
//! `SchemaCompatibility`, which Confluent's registry uses, applies them): same
//! primitive, or a promotion (int → long, float, double; long → float, double; float →
//! double; string ↔ bytes); named types by name (or a reader alias); a reader field
//! absent from the writer needs a default; writer enum symbols the reader lacks need
//! a reader default; a writer union's every branch readable; a reader union reads
//! a writer type if one of its branches does. Logical types do not matter.

use std::collections::BTreeSet;

use super::avro::{AvroSchema, NamedKind, Ty};
use super::problem::{Problem, Roles};

/// Every reason `reader` cannot read data written with `writer` (none: compatible).
pub(crate) fn problems(reader: &AvroSchema, writer: &AvroSchema, roles: Roles) -> Vec<Problem> {
    let mut check = Check {
        reader,
        writer,
        roles,
        assumed: BTreeSet::new(),
        out: Vec::new(),
    };
    check.ty(&reader.root, &writer.root, "");
    check.out
}

struct Check<'a> {
    reader: &'a AvroSchema,
    writer: &'a AvroSchema,
    roles: Roles,
    /// Pairs of named types being compared (assumed compatible: recursion).
    assumed: BTreeSet<(String, String)>,
    out: Vec<Problem>,
}

fn unlogical(ty: &Ty) -> &Ty {
    match ty {
        Ty::Logical(base, _) => unlogical(base),
        other => other,
    }
}

fn path(at: &str) -> &str {
    if at.is_empty() { "/" } else { at }
}

/// The type's name in a message: a primitive's or a named type's name, else its kind.
fn describe(ty: &Ty) -> String {
    match unlogical(ty) {
        Ty::Null => "null".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Int => "int".into(),
        Ty::Long => "long".into(),
        Ty::Float => "float".into(),
        Ty::Double => "double".into(),
        Ty::Bytes => "bytes".into(),
        Ty::String => "string".into(),
        Ty::Named(name) => name.clone(),
        Ty::Array(_) => "array".into(),
        Ty::Map(_) => "map".into(),
        Ty::Union(_) => "union".into(),
        Ty::Logical(..) => "logical".into(),
    }
}

impl Check<'_> {
    /// Whether `reader` reads `writer` without a problem (a trial: nothing recorded).
    fn reads(&mut self, reader: &Ty, writer: &Ty, at: &str) -> bool {
        let before = self.out.len();
        self.ty(reader, writer, at);
        let ok = self.out.len() == before;
        self.out.truncate(before);
        ok
    }

    fn mismatch(&mut self, reader: &Ty, writer: &Ty, at: &str) {
        let Roles {
            reader: r,
            writer: w,
        } = self.roles;
        self.out.push(Problem::new(
            "TYPE_MISMATCH",
            format!(
                "The type (path '{}') of a field in the {r} schema does not match with the {w} schema",
                path(at)
            ),
            format!("reader type: {} not compatible with writer type: {}", describe(reader), describe(writer)),
        ));
    }

    fn ty(&mut self, reader: &Ty, writer: &Ty, at: &str) {
        let (reader, writer) = (unlogical(reader), unlogical(writer));
        match (reader, writer) {
            (_, Ty::Union(branches)) => {
                for (i, branch) in branches.iter().enumerate() {
                    if let Ty::Union(members) = reader {
                        if !members.iter().any(|m| self.reads(m, branch, at)) {
                            let Roles {
                                reader: r,
                                writer: w,
                            } = self.roles;
                            self.out.push(Problem::new(
                                "MISSING_UNION_BRANCH",
                                format!(
                                    "The {r} schema is missing a type inside a union field at path '{at}/{i}' in the {w} schema"
                                ),
                                format!("reader union lacking writer type: {}", describe(branch)),
                            ));
                        }
                    } else {
                        self.ty(reader, branch, &format!("{at}/{i}"));
                    }
                }
            }
            (Ty::Union(members), _) => {
                if !members.iter().any(|m| self.reads(m, writer, at)) {
                    self.mismatch(reader, writer, at);
                }
            }
            (Ty::Array(r), Ty::Array(w)) => self.ty(r, w, &format!("{at}/items")),
            (Ty::Map(r), Ty::Map(w)) => self.ty(r, w, &format!("{at}/values")),
            (Ty::Named(r), Ty::Named(w)) => self.named(r, w, at),
            (Ty::Long, Ty::Int)
            | (Ty::Float, Ty::Int | Ty::Long)
            | (Ty::Double, Ty::Int | Ty::Long | Ty::Float)
            | (Ty::String, Ty::Bytes)
            | (Ty::Bytes, Ty::String) => {}
            (r, w) if r == w => {}
            (r, w) => self.mismatch(r, w, at),
        }
    }

    fn named(&mut self, r: &str, w: &str, at: &str) {
        let (Some(rn), Some(wn)) = (self.reader.named.get(r), self.writer.named.get(w)) else {
            return;
        };
        let Roles {
            reader: rr,
            writer: ww,
        } = self.roles;
        let short = |n: &str| n.rsplit('.').next().unwrap_or(n).to_string();
        let same_name = r == w || rn.aliases.iter().any(|a| a == w) || short(r) == short(w);
        if !same_name {
            self.out.push(Problem::new(
                "NAME_MISMATCH",
                format!("The name of the schema has changed (path '{}/name')", at),
                format!("expected: {w}"),
            ));
            return;
        }
        if !self.assumed.insert((r.to_string(), w.to_string())) {
            return;
        }
        match (&rn.kind, &wn.kind) {
            (NamedKind::Record(rf), NamedKind::Record(wf)) => {
                for (i, field) in rf.iter().enumerate() {
                    let written = wf
                        .iter()
                        .position(|f| f.name == field.name || field.aliases.contains(&f.name));
                    match written {
                        Some(j) => {
                            let ty = wf[j].ty.clone();
                            self.ty(&field.ty, &ty, &format!("{at}/fields/{i}/type"));
                        }
                        None if field.default.is_some() => {}
                        None => self.out.push(Problem::new(
                            "READER_FIELD_MISSING_DEFAULT_VALUE",
                            format!(
                                "The field '{}' at path '{at}/fields/{i}' in the {rr} schema has no default value and is missing in the {ww} schema",
                                field.name
                            ),
                            field.name.clone(),
                        )),
                    }
                }
            }
            (
                NamedKind::Enum {
                    symbols: rs,
                    default,
                },
                NamedKind::Enum { symbols: ws, .. },
            ) => {
                let missing: Vec<&String> = ws.iter().filter(|s| !rs.contains(s)).collect();
                if !missing.is_empty() && default.is_none() {
                    let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
                    self.out.push(Problem::new(
                        "MISSING_ENUM_SYMBOLS",
                        format!(
                            "The {rr} schema is missing enum symbols '[{}]' at path '{at}/symbols' in the {ww} schema",
                            list.join(", ")
                        ),
                        format!("[{}]", list.join(", ")),
                    ));
                }
            }
            (NamedKind::Fixed(rs), NamedKind::Fixed(ws)) => {
                if rs != ws {
                    self.out.push(Problem::new(
                        "FIXED_SIZE_MISMATCH",
                        format!(
                            "The size of FIXED type field at path '{at}/size' in the {rr} schema does not match with the {ww} schema"
                        ),
                        format!("expected: {ws}, found: {rs}"),
                    ));
                }
            }
            (
                NamedKind::Record(_) | NamedKind::Enum { .. } | NamedKind::Fixed(_),
                NamedKind::Record(_) | NamedKind::Enum { .. } | NamedKind::Fixed(_),
            ) => self.mismatch(&Ty::Named(r.into()), &Ty::Named(w.into()), at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::avro::parse;

    fn backward(new: &str, old: &str) -> Vec<String> {
        let (new, old) = (parse(new, &[]).unwrap(), parse(old, &[]).unwrap());
        problems(&new, &old, Roles::BACKWARD)
            .iter()
            .map(|p| p.error_type.to_string())
            .collect()
    }

    fn record(fields: &str) -> String {
        format!(r#"{{"type":"record","name":"R","fields":[{fields}]}}"#)
    }

    #[test]
    fn an_added_field_needs_a_default() {
        let old = record(r#"{"name":"a","type":"int"}"#);
        let with_default =
            record(r#"{"name":"a","type":"int"},{"name":"b","type":"string","default":""}"#);
        let without = record(r#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#);
        assert!(backward(&with_default, &old).is_empty());
        assert_eq!(
            backward(&without, &old),
            ["READER_FIELD_MISSING_DEFAULT_VALUE"]
        );
        // Removing a field is backward compatible: the reader ignores it.
        assert!(backward(&old, &without).is_empty());
    }

    #[test]
    fn promotions_one_way_only() {
        let int = record(r#"{"name":"a","type":"int"}"#);
        let long = record(r#"{"name":"a","type":"long"}"#);
        let double = record(r#"{"name":"a","type":"double"}"#);
        let string = record(r#"{"name":"a","type":"string"}"#);
        let bytes = record(r#"{"name":"a","type":"bytes"}"#);
        assert!(backward(&long, &int).is_empty());
        assert!(backward(&double, &long).is_empty());
        assert_eq!(backward(&int, &long), ["TYPE_MISMATCH"]);
        assert!(backward(&string, &bytes).is_empty() && backward(&bytes, &string).is_empty());
        assert_eq!(backward(&string, &int), ["TYPE_MISMATCH"]);
    }

    #[test]
    fn enums_unions_and_nesting() {
        let e = |symbols: &str, default: &str| {
            record(&format!(
                r#"{{"name":"e","type":{{"type":"enum","name":"E","symbols":[{symbols}]{default}}}}}"#
            ))
        };
        assert!(backward(&e(r#""A","B""#, ""), &e(r#""A""#, "")).is_empty());
        assert_eq!(
            backward(&e(r#""A""#, ""), &e(r#""A","B""#, "")),
            ["MISSING_ENUM_SYMBOLS"]
        );
        assert!(backward(&e(r#""A""#, r#","default":"A""#), &e(r#""A","B""#, "")).is_empty());
        let opt = record(r#"{"name":"a","type":["null","string"],"default":null}"#);
        let plain = record(r#"{"name":"a","type":"string"}"#);
        assert!(backward(&opt, &plain).is_empty());
        assert_eq!(backward(&plain, &opt), ["TYPE_MISMATCH"]);
        let nested = |f: &str| {
            record(&format!(
                r#"{{"name":"n","type":{}}}"#,
                record(f).replace("\"R\"", "\"N\"")
            ))
        };
        assert_eq!(
            backward(&nested(r#"{"name":"x","type":"int"}"#), &nested("")),
            ["READER_FIELD_MISSING_DEFAULT_VALUE"]
        );
        let renamed = record("").replace("\"R\"", "\"S\"");
        assert_eq!(backward(&renamed, &record("")), ["NAME_MISMATCH"]);
    }

    #[test]
    fn recursive_types_terminate() {
        let list = r#"{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"],"default":null}]}"#;
        assert!(backward(list, list).is_empty());
    }
}
