//! The matcher alone: prints in, counts and examples out, whatever the order in which
//! the two sides arrive.

use super::matcher::{Kind, Matcher, Place, Planned, Print, Read, Shown};

/// A message: (topic, key, value, timestamp).
type Message<'a> = (u32, Option<&'a str>, &'a str, i64);

fn print((topic, key, value, ts): Message<'_>) -> Print {
    Print::of(topic, key.map(str::as_bytes), value.as_bytes(), &[], ts)
}

fn read(m: Message<'_>, partition: i32, offset: i64) -> Read {
    Read {
        print: print(m),
        place: Place {
            partition,
            offset,
            shown: Some(Box::new(Shown {
                key: m.1.map(str::to_string),
                value: m.2.to_string(),
            })),
        },
    }
}

const PLAN: [Message<'static>; 5] = [
    (0, Some("a"), "1", 10),
    (0, Some("b"), "2", 11),
    (0, Some("a"), "3", 12),
    (0, None, "4", 13),
    (0, Some("a"), "5", 14),
];

fn planned(plan: &[Message<'_>]) -> Vec<Planned> {
    plan.iter()
        .enumerate()
        .map(|(i, m)| Planned {
            print: print(*m),
            index: i as u64,
        })
        .collect()
}

/// Runs the matcher: the plan handed over first or last, then finishes.
fn outcome(
    plan: &[Message<'_>],
    got: &[(Message<'_>, i32)],
    plan_first: bool,
) -> (u64, super::matcher::Leftovers) {
    let mut m = Matcher::default();
    let planned = planned(plan);
    let all: Vec<u64> = planned.iter().map(|p| p.print.whole).collect();
    if plan_first {
        planned.iter().for_each(|p| m.plan(*p));
    }
    for (offset, (message, partition)) in got.iter().enumerate() {
        m.read(read(*message, *partition, offset as i64));
    }
    if !plan_first {
        planned.iter().for_each(|p| m.unread(*p));
    }
    let matched = m.matched;
    let print_of = |i: u64| planned.get(i as usize).map(|p| p.print);
    (matched, m.finish(0, &|p| all.contains(&p), &print_of))
}

#[test]
fn the_plan_itself_matches_whichever_side_comes_first() {
    let got: Vec<_> = PLAN.iter().map(|m| (*m, 0)).collect();
    for plan_first in [true, false] {
        let (matched, left) = outcome(&PLAN, &got, plan_first);
        assert_eq!(matched, 5);
        assert_eq!(left.counts, [0; 4]);
        assert_eq!((left.reordered, left.moved), (0, 0));
    }
}

#[test]
fn each_problem_is_counted_once_and_exemplified() {
    let got = [
        // "1" missing; "2" twice; "3" changed (same key and time); "5" before "3"'s
        // place is fine but read before the changed one; a stranger; an old one.
        ((0, Some("b"), "2", 11), 1),
        ((0, Some("b"), "2", 11), 1),
        ((0, Some("a"), "3!", 12), 0),
        ((0, None, "4", 13), 2),
        ((0, Some("a"), "5", 14), 0),
        ((0, Some("z"), "stranger", 20), 0),
        ((0, Some("a"), "old", -5), 0),
    ];
    let (matched, left) = outcome(&PLAN, &got, true);
    assert_eq!(matched, 3, "2, 4 and 5");
    assert_eq!(left.counts[Kind::Missing as usize], 1);
    assert_eq!(left.counts[Kind::Duplicated as usize], 1);
    assert_eq!(left.counts[Kind::Changed as usize], 1);
    assert_eq!(left.counts[Kind::Unexpected as usize], 2);
    assert_eq!(left.before_start, 1);
    let changed = left
        .examples
        .iter()
        .find(|(k, _)| *k == Kind::Changed)
        .unwrap();
    assert_eq!(changed.1.planned, Some(2), "paired with plan message 2");
    let missing = left
        .examples
        .iter()
        .find(|(k, _)| *k == Kind::Missing)
        .unwrap();
    assert_eq!(missing.1.planned, Some(0));
}

#[test]
fn order_within_a_key_and_its_partition_are_checked() {
    let swapped = [
        ((0, Some("a"), "3", 12), 0),
        ((0, Some("a"), "1", 10), 0),
        ((0, Some("b"), "2", 11), 1),
        ((0, None, "4", 13), 2),
        ((0, Some("a"), "5", 14), 0),
    ];
    let (_, left) = outcome(&PLAN, &swapped, true);
    assert_eq!((left.reordered, left.moved), (1, 0));
    // One message moved from last to first counts once, not once per message after it.
    let plan = [
        (0, Some("k"), "1", 1),
        (0, Some("k"), "2", 2),
        (0, Some("k"), "3", 3),
        (0, Some("k"), "4", 4),
    ];
    let early = [
        ((0, Some("k"), "4", 4), 0),
        ((0, Some("k"), "1", 1), 0),
        ((0, Some("k"), "2", 2), 0),
        ((0, Some("k"), "3", 3), 0),
    ];
    assert_eq!(outcome(&plan, &early, true).1.reordered, 1);
    let late = [
        ((0, Some("k"), "2", 2), 0),
        ((0, Some("k"), "3", 3), 0),
        ((0, Some("k"), "4", 4), 0),
        ((0, Some("k"), "1", 1), 0),
    ];
    assert_eq!(outcome(&plan, &late, true).1.reordered, 1);
    assert_eq!(left.counts, [0; 4]);
    let moved = [
        ((0, Some("a"), "1", 10), 0),
        ((0, Some("b"), "2", 11), 1),
        ((0, Some("a"), "3", 12), 2),
        ((0, None, "4", 13), 2),
        ((0, Some("a"), "5", 14), 0),
    ];
    let (_, left) = outcome(&PLAN, &moved, true);
    assert_eq!((left.reordered, left.moved), (0, 1));
    // Unkeyed messages have no order to keep.
    let unkeyed = [(0, None, "x", 1), (0, None, "y", 2)];
    let got = [((0, None, "y", 2), 0), ((0, None, "x", 1), 1)];
    let (matched, left) = outcome(&unkeyed, &got, true);
    assert_eq!((matched, left.reordered, left.moved), (2, 0, 0));
}

#[test]
fn planned_copies_must_all_be_there_and_prints_differ_by_every_part() {
    // A planned duplicate (the same message twice) found once: one missing.
    let plan = [(0, Some("a"), "1", 10), (0, Some("a"), "1", 10)];
    let (matched, left) = outcome(&plan, &[((0, Some("a"), "1", 10), 0)], true);
    assert_eq!((matched, left.counts[Kind::Missing as usize]), (1, 1));
    let base = print((0, Some("a"), "1", 10));
    for other in [
        print((1, Some("a"), "1", 10)),
        print((0, Some("b"), "1", 10)),
        print((0, None, "1", 10)),
        print((0, Some("a"), "2", 10)),
        print((0, Some("a"), "1", 11)),
        Print::of(0, Some(b"a"), b"1", b"h", 10),
    ] {
        assert_ne!(base.whole, other.whole);
    }
    // Parts do not run into one another.
    assert_ne!(
        super::print::hash(&[b"ab", b"c"]),
        super::print::hash(&[b"a", b"bc"])
    );
}

#[test]
fn expired_planned_messages_count_missing_without_being_held() {
    let mut m = Matcher::default();
    for p in planned(&PLAN) {
        m.plan(p);
    }
    m.expire(12);
    assert_eq!(m.planned_held(), 3, "10 and 11 given up");
    m.read(read((0, Some("a"), "3", 12), 0, 0));
    let all = planned(&PLAN);
    let print_of = |i: u64| all.get(i as usize).map(|p| p.print);
    let (matched, left) = (m.matched, m.finish(0, &|_| false, &print_of));
    assert_eq!(matched, 1);
    assert_eq!(left.counts[Kind::Missing as usize], 4);
}
