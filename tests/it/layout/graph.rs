//! The crate's import graph, read from its source, and the circles in it.
//!
//! Modules come from the file layout (`lib.rs` is the root, `a.rs` and `a/mod.rs` are
//! `a`, `a/b.rs` is `a::b`) and from inline `mod name { … }` blocks. A module *names*
//! another when its code (comments and literals left out) holds a path that resolves
//! there: a `use` tree (groups, `self`, `*` and `as` included), or a path in code starting
//! with `crate::`, `super::`, `self::` or the name of a child module. Paths resolve
//! through `super`, `self`, `crate`, `mod.rs` files, and `pub use` re-exports (so
//! `crate::plan::Plan` names `plan::merge`, where `plan/mod.rs` re-exports it from). A
//! module's `pub use` of its own descendants is its public face, not a use of them; every
//! other use of a child by its parent counts. A test module is a module like any other,
//! so its `use super::*` names its own file and is no circle.

use std::collections::{BTreeMap, BTreeSet};

use super::code::{Tok, closing, code_of, tokens};
use super::cycles::cycles;

/// A module, as its path from the crate root.
type ModulePath = Vec<String>;

/// One place where a module names another.
#[derive(Debug, Clone)]
pub struct Edge {
    pub from: ModulePath,
    pub to: ModulePath,
    /// The file (relative to `src/`) and line of the path.
    pub file: String,
    pub line: usize,
    /// The path as written, `::`-joined.
    pub named: String,
}

/// A path found in a module's code, not yet resolved.
struct Found {
    scope: ModulePath,
    segments: Vec<String>,
    /// The name a `use` gives it (its last segment, or the `as` name).
    alias: Option<String>,
    /// A `pub use` (any visibility but private): a re-export.
    public_use: bool,
    file: String,
    line: usize,
}

/// The modules of a crate, the file each is written in, and every place one names another.
pub struct Crate {
    modules: BTreeMap<ModulePath, String>,
    /// Per module, its re-exported names: name → (path as written, the module it is
    /// written in).
    reexports: BTreeMap<ModulePath, BTreeMap<String, Vec<String>>>,
    pub edges: Vec<Edge>,
}

impl Crate {
    /// The crate written in `sources`: (path relative to `src/`, text).
    pub fn from_sources(sources: &[(String, String)]) -> Crate {
        let mut modules = BTreeMap::new();
        let mut found = Vec::new();
        for (file, text) in sources {
            let module = module_of_file(file);
            modules.insert(module.clone(), file.clone());
            read_file(file, text, module, &mut modules, &mut found);
        }
        let mut reexports: BTreeMap<ModulePath, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for f in found.iter().filter(|f| f.public_use) {
            let Some(name) = f.alias.as_ref().or(f.segments.last()).filter(|n| *n != "*") else {
                continue;
            };
            reexports
                .entry(f.scope.clone())
                .or_default()
                .insert(name.clone(), f.segments.clone());
        }
        let mut krate = Crate {
            modules,
            reexports,
            edges: Vec::new(),
        };
        for f in &found {
            let Some(to) = krate.resolve(&f.scope, &f.segments, 0) else {
                continue;
            };
            if f.public_use && to.starts_with(&f.scope) {
                continue; // the module's public face
            }
            krate.edges.push(Edge {
                from: f.scope.clone(),
                to,
                file: f.file.clone(),
                line: f.line,
                named: f.segments.join("::"),
            });
        }
        krate
    }

    /// The module a path written in `scope` leads to, or `None` for a path outside the
    /// crate (std, a dependency) or a local name.
    fn resolve(&self, scope: &[String], path: &[String], depth: usize) -> Option<ModulePath> {
        let first = path.first()?;
        let (mut at, mut i) = match first.as_str() {
            "crate" => (Vec::new(), 1),
            "super" | "self" => {
                let mut at = scope.to_vec();
                let mut i = 0;
                while let Some(word) = path.get(i).filter(|w| *w == "super" || *w == "self") {
                    if word == "super" {
                        at.pop()?;
                    }
                    i += 1;
                }
                (at, i)
            }
            name => {
                let child = [scope, &[name.to_string()]].concat();
                if !self.modules.contains_key(&child) {
                    return None;
                }
                (child, 1)
            }
        };
        while let Some(segment) = path.get(i) {
            let child = [&at[..], std::slice::from_ref(segment)].concat();
            if self.modules.contains_key(&child) {
                at = child;
                i += 1;
                continue;
            }
            let reexported = self.reexports.get(&at).and_then(|r| r.get(segment));
            if let Some(target) = reexported.filter(|_| depth < 8) {
                let onward = [&target[..], &path[i + 1..]].concat();
                if let Some(module) = self.resolve(&at, &onward, depth + 1) {
                    return Some(module);
                }
            }
            break;
        }
        Some(at)
    }

    /// The file a module is written in.
    pub fn file_of(&self, module: &[String]) -> &str {
        &self.modules[module]
    }

    /// The graph of files: file → the other files it names, with the first place each is
    /// named.
    pub fn file_graph(&self) -> Graph {
        let mut graph = Graph::default();
        for e in &self.edges {
            let (from, to) = (self.file_of(&e.from), self.file_of(&e.to));
            if from != to {
                graph.add(from, to, e);
            }
        }
        graph
    }

    /// For each module with children, the graph of its children (each with everything
    /// inside it): child → the other children it names. Keyed by the parent's name
    /// (`crate` for the root).
    pub fn module_graphs(&self) -> BTreeMap<String, Graph> {
        let mut graphs: BTreeMap<String, Graph> = BTreeMap::new();
        for e in &self.edges {
            let common = e.from.iter().zip(&e.to).take_while(|(a, b)| a == b).count();
            if common >= e.from.len() || common >= e.to.len() {
                continue; // one is inside the other: parent and child, not siblings
            }
            let parent = &e.from[..common];
            let name = |m: &[String]| {
                if m.is_empty() {
                    "crate".to_string()
                } else {
                    m.join("::")
                }
            };
            graphs.entry(name(parent)).or_default().add(
                &name(&e.from[..=common]),
                &name(&e.to[..=common]),
                e,
            );
        }
        graphs
    }
}

/// The module a file (relative to `src/`) holds.
fn module_of_file(file: &str) -> ModulePath {
    let path = file.trim_end_matches(".rs");
    let mut parts: Vec<String> = path.split('/').map(str::to_string).collect();
    if parts == ["lib"] || parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Collects the inline modules of one file into `modules` and its paths into `found`.
fn read_file(
    file: &str,
    text: &str,
    module: ModulePath,
    modules: &mut BTreeMap<ModulePath, String>,
    found: &mut Vec<Found>,
) {
    let toks = tokens(&code_of(text));
    // Inline modules open a scope until their closing brace.
    let mut scopes: Vec<(ModulePath, usize)> = vec![(module, usize::MAX)];
    let mut i = 0;
    while i < toks.len() {
        while scopes.last().is_some_and(|(_, end)| i > *end) {
            scopes.pop();
        }
        let scope = scopes.last().unwrap().0.clone();
        let word = match &toks[i].0 {
            Tok::Word(w) => w.as_str(),
            Tok::Path | Tok::Punct(_) => {
                i += 1;
                continue;
            }
        };
        let after_path = i > 0 && matches!(toks[i - 1].0, Tok::Path | Tok::Punct('.'));
        match (
            word,
            toks.get(i + 1).map(|t| &t.0),
            toks.get(i + 2).map(|t| &t.0),
        ) {
            ("mod", Some(Tok::Word(name)), Some(Tok::Punct('{'))) => {
                let inner = [&scope[..], std::slice::from_ref(name)].concat();
                modules.insert(inner.clone(), file.to_string());
                scopes.push((inner, closing(&toks, i + 2)));
                i += 3;
            }
            ("use", _, _) if !after_path => {
                let public_use = is_public(&toks, i);
                let line = toks[i].1;
                let mut pos = i + 1;
                let mut paths = Vec::new();
                use_tree(&toks, &mut pos, Vec::new(), &mut paths);
                for (segments, alias) in paths {
                    found.push(Found {
                        scope: scope.clone(),
                        segments,
                        alias,
                        public_use,
                        file: file.to_string(),
                        line,
                    });
                }
                i = pos;
            }
            (_, Some(Tok::Path), Some(Tok::Word(_))) if !after_path => {
                let line = toks[i].1;
                let mut segments = vec![word.to_string()];
                let mut pos = i + 1;
                while let (Some(Tok::Path), Some(Tok::Word(w))) =
                    (toks.get(pos).map(|t| &t.0), toks.get(pos + 1).map(|t| &t.0))
                {
                    segments.push(w.clone());
                    pos += 2;
                }
                found.push(Found {
                    scope,
                    segments,
                    alias: None,
                    public_use: false,
                    file: file.to_string(),
                    line,
                });
                i = pos;
            }
            _ => i += 1,
        }
    }
}

/// Whether the `use` at `at` is preceded by a visibility (`pub`, `pub(crate)`, …).
fn is_public(toks: &[(Tok, usize)], at: usize) -> bool {
    let mut i = at;
    if i > 0 && toks[i - 1].0 == Tok::Punct(')') {
        while i > 0 && toks[i - 1].0 != Tok::Punct('(') {
            i -= 1;
        }
        i = i.saturating_sub(1);
    }
    i > 0 && toks[i - 1].0 == Tok::Word("pub".into())
}

/// Reads one use tree from `pos` (after `use`, or inside a group), adding each full path
/// it names to `out` with its `as` name if it has one; a trailing `self` names the module
/// before it, `*` stays a segment.
fn use_tree(
    toks: &[(Tok, usize)],
    pos: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) {
    let mut segments = prefix;
    if toks.get(*pos).map(|t| &t.0) == Some(&Tok::Path) {
        *pos += 1;
    }
    loop {
        match toks.get(*pos).map(|t| &t.0) {
            Some(Tok::Word(w)) => {
                segments.push(w.clone());
                *pos += 1;
            }
            Some(Tok::Punct('*')) => {
                segments.push("*".into());
                *pos += 1;
                break;
            }
            Some(Tok::Punct('{')) => {
                *pos += 1;
                while let Some(t) = toks.get(*pos).map(|t| &t.0) {
                    match t {
                        Tok::Punct('}') => {
                            *pos += 1;
                            break;
                        }
                        Tok::Punct(',') => *pos += 1,
                        Tok::Word(_) | Tok::Path | Tok::Punct(_) => {
                            let before = *pos;
                            use_tree(toks, pos, segments.clone(), out);
                            if *pos == before {
                                *pos += 1;
                            }
                        }
                    }
                }
                return;
            }
            Some(Tok::Path | Tok::Punct(_)) | None => break,
        }
        if toks.get(*pos).map(|t| &t.0) == Some(&Tok::Path) {
            *pos += 1;
        } else {
            break;
        }
    }
    let mut alias = None;
    if toks.get(*pos).map(|t| &t.0) == Some(&Tok::Word("as".into())) {
        if let Some(Tok::Word(name)) = toks.get(*pos + 1).map(|t| &t.0) {
            alias = Some(name.clone());
        }
        *pos += 2;
    }
    if segments.len() > 1 && segments.last().is_some_and(|s| s == "self") {
        segments.pop();
    }
    if !segments.is_empty() {
        out.push((segments, alias));
    }
}

/// A directed graph of names, each arc with the first place that made it.
#[derive(Debug, Default)]
pub struct Graph {
    pub arcs: BTreeMap<String, BTreeMap<String, Edge>>,
}

impl Graph {
    fn add(&mut self, from: &str, to: &str, why: &Edge) {
        self.arcs
            .entry(from.to_string())
            .or_default()
            .entry(to.to_string())
            .or_insert_with(|| why.clone());
    }

    /// The bare shape: node → successors.
    pub fn shape(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.arcs
            .iter()
            .map(|(from, to)| (from.clone(), to.keys().cloned().collect()))
            .collect()
    }

    /// Each circle of the graph ([`cycles`]) written out, `a → b → a`, with the others
    /// caught in it if there are more, and the place that makes each step on the lines
    /// after it.
    pub fn circles(&self) -> Vec<String> {
        cycles(&self.shape())
            .into_iter()
            .map(|(cycle, group)| {
                let mut text = cycle.join(" → ");
                if group.len() + 1 > cycle.len() {
                    let all: Vec<&str> = group.iter().map(String::as_str).collect();
                    text.push_str(&format!(" (all of {} reach one another)", all.join(", ")));
                }
                for step in cycle.windows(2) {
                    let e = &self.arcs[&step[0]][&step[1]];
                    text.push_str(&format!(
                        "\n    {} → {}: {}:{} names {}",
                        step[0], step[1], e.file, e.line, e.named
                    ));
                }
                text
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::layout::cycles::tests::graph;

    /// A [`Graph`] of `shape`, each arc made at `x.rs:1`.
    fn graph_of(shape: &BTreeMap<String, BTreeSet<String>>) -> Graph {
        let mut g = Graph::default();
        for (a, successors) in shape {
            for b in successors {
                let why = Edge {
                    from: Vec::new(),
                    to: Vec::new(),
                    file: "x.rs".into(),
                    line: 1,
                    named: b.clone(),
                };
                g.add(a, b, &why);
            }
        }
        g
    }

    #[test]
    fn a_circle_is_written_with_the_group_it_is_in() {
        let two = graph(&[
            ("x", "y"),
            ("y", "x"),
            ("p", "q"),
            ("q", "r"),
            ("r", "p"),
            ("q", "p"),
        ]);
        assert!(
            graph_of(&two).circles()[0].starts_with("p → q → p (all of p, q, r reach one another)")
        );
    }

    fn sources(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    /// The circle of issue 22 in small: `schedule.rs` takes a hash from `process.rs`,
    /// which imports `schedule`; the facade `pub use`, a test module's `use super::*`, a
    /// child's `super::Event` and paths in comments and strings are no circle.
    #[test]
    fn a_circle_between_files_of_a_module_is_found_and_named() {
        let files = sources(&[
            (
                "lib.rs",
                "pub mod plan;\npub mod render;\npub use plan::Plan;\n",
            ),
            (
                "plan/mod.rs",
                "pub mod process;\npub(crate) mod schedule;\npub use process::{self, Plan};\npub struct Event;\n",
            ),
            (
                "plan/schedule.rs",
                "use super::process::{hash_camera, key_hash as kh};\n// use crate::render;\nfn f() { let _ = \"crate::render::x\"; }\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
            ),
            (
                "plan/process.rs",
                "use super::Event;\nfn g() { super::schedule::Schedule::new(); }\n",
            ),
            ("render.rs", "use crate::plan::{Event, Plan};\n"),
        ]);
        let krate = Crate::from_sources(&files);
        let circles = krate.file_graph().circles();
        assert_eq!(circles.len(), 1, "{circles:#?}");
        assert_eq!(
            circles[0],
            "plan/process.rs → plan/schedule.rs → plan/process.rs\n    \
             plan/process.rs → plan/schedule.rs: plan/process.rs:2 names super::schedule::Schedule::new\n    \
             plan/schedule.rs → plan/process.rs: plan/schedule.rs:1 names super::process::hash_camera"
        );
        let modules = krate.module_graphs();
        let plan = modules["plan"].circles();
        assert_eq!(plan.len(), 1);
        assert!(plan[0].starts_with("plan::process → plan::schedule → plan::process\n"));
        // render names plan::Plan through the re-exports: plan::process, no circle.
        assert!(modules["crate"].circles().is_empty());
        assert!(
            krate
                .edges
                .iter()
                .any(|e| e.file == "render.rs" && e.to == ["plan", "process"])
        );
    }

    #[test]
    fn a_circle_between_modules_is_found() {
        let files = sources(&[
            ("lib.rs", "pub mod scenario;\npub mod plan;\npub mod run;\n"),
            ("scenario/mod.rs", "mod load;\n"),
            ("scenario/load.rs", "pub fn f() { crate::plan::g(); }\n"),
            ("plan.rs", "use crate::scenario;\n"),
            ("run.rs", "use crate::{plan, scenario::load};\n"),
        ]);
        let krate = Crate::from_sources(&files);
        let circles = krate.module_graphs()["crate"].circles();
        assert_eq!(circles.len(), 1, "{circles:#?}");
        assert!(
            circles[0].starts_with("plan → scenario → plan\n"),
            "{}",
            circles[0]
        );
        // No file names one that names it back: only the module level sees this one.
        assert!(krate.file_graph().circles().is_empty());
    }
}
