//! The circles of a directed graph: each group of nodes that reach one another, and one
//! shortest circle through it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Each group of nodes that reach one another (a strongly connected component of more
/// than one node), with one shortest circle through it, from the group's first node back
/// to it. Arcs from a node to itself are not circles here.
pub fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<(Vec<String>, BTreeSet<String>)> {
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<&String> = graph.get(from).into_iter().flatten().collect();
        while let Some(n) = queue.pop_front() {
            if seen.insert(n.clone()) {
                queue.extend(graph.get(n).into_iter().flatten());
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|n| (n, reach(n))).collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for (&node, reached) in &reaches {
        if done.contains(node) || !reached.contains(node) {
            continue;
        }
        let group: BTreeSet<String> = reached
            .iter()
            .filter(|m| *m == node || reaches.get(m).is_some_and(|r| r.contains(node)))
            .cloned()
            .collect();
        if group.len() < 2 {
            continue;
        }
        done.extend(group.iter().cloned());
        // Breadth first from the node's successors in the group, back to the node.
        let mut before: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = VecDeque::from([node]);
        'search: while let Some(n) = queue.pop_front() {
            for next in graph.get(n).into_iter().flatten() {
                if next == node && n != node {
                    let mut chain = Vec::new();
                    let mut at = n;
                    while at != node {
                        chain.push(at.clone());
                        at = before[at];
                    }
                    chain.reverse();
                    let mut cycle = vec![node.clone()];
                    cycle.extend(chain);
                    cycle.push(node.clone());
                    out.push((cycle, group.clone()));
                    break 'search;
                }
                if group.contains(next) && !before.contains_key(next) {
                    before.insert(next, n);
                    queue.push_back(next);
                }
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn graph(arcs: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in arcs {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    }

    #[test]
    fn the_cycle_finder_finds_a_circle_and_only_a_circle() {
        let with = graph(&[
            ("a", "b"),
            ("b", "c"),
            ("c", "a"),
            ("d", "a"),
            ("c", "e"),
            ("e", "e"),
        ]);
        let found = cycles(&with);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, ["a", "b", "c", "a"]);
        assert_eq!(
            found[0].1,
            BTreeSet::from(["a", "b", "c"].map(String::from))
        );
        let without = graph(&[("a", "b"), ("b", "c"), ("a", "c"), ("d", "a"), ("e", "e")]);
        assert!(cycles(&without).is_empty(), "{:?}", cycles(&without));
        // Two separate circles, each reported once, the shorter way round.
        let two = graph(&[
            ("x", "y"),
            ("y", "x"),
            ("p", "q"),
            ("q", "r"),
            ("r", "p"),
            ("q", "p"),
        ]);
        let paths: Vec<Vec<String>> = cycles(&two).into_iter().map(|(c, _)| c).collect();
        assert_eq!(paths, [vec!["p", "q", "p"], vec!["x", "y", "x"]]);
    }
}
