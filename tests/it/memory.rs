//! The plan streams in memory proportional to its processes, never to its events: a
//! counting allocator (per thread, so parallel tests do not disturb it) shows that
//! drawing millions of events allocates nothing that stays.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn add(delta: isize) {
    let _ = LIVE.try_with(|live| live.set(live.get() + delta));
}

#[allow(unsafe_code)]
// SAFETY: delegates every call to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.with(Cell::get)
}

#[test]
fn a_long_plan_streams_in_constant_memory() {
    let s = crate::common::scenario(
        "duration: 24h\nstreams:\n  - cameras: {count: 1000}\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 10ms}\n",
    );
    let before = live();
    let mut plan = simulate::plan::Events::new(&s);
    let built = live() - before;
    // About 350 bytes a process, and two window buffers of about 17,000 events.
    assert!(built < 2 << 20, "{built} bytes for 1,000 processes");
    let mut last = 0;
    for _ in 0..100_000 {
        last = plan.next().unwrap().offset_ns;
    }
    let early = live();
    take_in_order(&mut plan, 2_000_000, last);
    assert_eq!(live(), early, "memory grew while streaming events");
}

/// Takes `n` events, checking that offsets never go back from `last`; returns the last.
fn take_in_order(plan: &mut simulate::plan::Events, n: usize, mut last: u64) -> u64 {
    for _ in 0..n {
        let event = plan.next().unwrap();
        assert!(event.offset_ns >= last);
        last = event.offset_ns;
    }
    last
}

/// The counter works: holding on to events is noticed.
#[test]
fn the_counter_notices_growth() {
    let before = live();
    let kept: Vec<u64> = (0..10_000).collect();
    assert!(live() - before >= 80_000);
    drop(kept);
}

/// A first window far too long for the rate (a million events due in its first
/// millisecond) is cut at its cap instead of growing: memory stays at what the plan
/// allocated up front.
#[test]
fn a_window_never_outgrows_its_cap() {
    let s = crate::common::scenario(
        "duration: 1s\nstreams:\n  - cameras: {count: 1000}\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 1us}\n",
    );
    let before = live();
    let mut plan = simulate::plan::Events::new(&s);
    let built = live() - before;
    let last = take_in_order(&mut plan, 1_000_000, 0);
    assert!(
        last < 2_000_000,
        "a million events take about 1 ms here, not {last} ns"
    );
    assert_eq!(live() - before, built, "a window grew past its cap");
}

/// A month of a daily cycle with incidents and outages streams in constant memory too:
/// each process keeps only where it is in its profile and its windows.
#[test]
fn a_shaped_plan_streams_in_constant_memory() {
    let s = crate::common::scenario(
        "duration: 720h\nstreams:\n  - cameras: {count: 100}\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 30s}\n    rate: {points: [{at: 0s, factor: 0.1}, {at: 12h, factor: 3}, {at: 24h, factor: 0.1}], repeat: 24h}\n    incidents: [{every: {distribution: exponential, mean: 2h}, duration: {distribution: uniform, min: 1m, max: 10m}, factor: 5, cameras: 10}]\n    outages: [{every: {distribution: exponential, mean: 6h}, duration: {distribution: lognormal, mean: 20m, std_dev: 10m}}]\n",
    );
    let before = live();
    let mut plan = simulate::plan::Events::new(&s);
    let built = live() - before;
    assert!(built < 1 << 20, "{built} bytes for 100 shaped processes");
    let last = take_in_order(&mut plan, 200_000, 0);
    let early = live();
    // Days of the month: hundreds of windows come and go.
    let last = take_in_order(&mut plan, 2_000_000, last);
    assert!(last > 3 * 86_400_000_000_000, "only {last} ns reached");
    assert_eq!(live(), early, "memory grew while streaming a shaped plan");
}
