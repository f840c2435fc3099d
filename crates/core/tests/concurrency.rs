//! Concurrency trials over a sled store (issue 10): 16 threads update the same case and place
//! people into the same facility at once, through the public API only.
//!
//! What could fail: a lost update (two writers both "applying" on the same version), occupancy
//! above capacity or out of step with the open placements, an audit chain broken by racing
//! appenders. Every call must either apply (`Ok`), lose the race cleanly (`CoreError::Conflict`,
//! nothing written) or — for a full facility — be refused by the rule (`CoreError::Refused`).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use unchain_core::lifecycle::{EventKind, Stage};
use unchain_core::placements::{ExitInput, ExitReason};
use unchain_core::store::{MasterKey, Store, StoreConfig};
use unchain_core::suspects::NewSuspect;
use unchain_core::testing::{self, date as d, event, needs, rescued_case, safe_house};
use unchain_core::{Actor, CoreError, FixedClock, Role, Unchain};
use uuid::Uuid;

const THREADS: usize = 16;

struct Fixture {
    core: Unchain,
    admin: Actor,
    coord: Actor,
    investigator: Actor,
    _dir: tempfile::TempDir,
}

/// A core over a fresh sled store in a temporary folder, with a fixed clock (2024-06-03).
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = Store::open(&StoreConfig::sled(dir.path().join("store"))).expect("sled opens");
    let core = Unchain::over(
        store,
        Arc::new(FixedClock(testing::now())),
        MasterKey::from_bytes([9; 32]),
    )
    .expect("core opens");
    core.bootstrap_admin("admin").expect("bootstrap");
    let admin = core.actor("admin").expect("admin");
    core.create_user(&admin, "coord", Role::AftercareCoordinator)
        .expect("coordinator");
    core.create_user(&admin, "inv", Role::Investigator)
        .expect("investigator");
    Fixture {
        coord: core.actor("coord").expect("coord"),
        investigator: core.actor("inv").expect("inv"),
        admin,
        core,
        _dir: dir,
    }
}

/// Counts a worker out when dropped, so a panicking worker still lets the watcher stop.
struct CountOut<'a>(&'a AtomicUsize);

impl Drop for CountOut<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

fn lifecycle_events(core: &Unchain, actor: &Actor, case_id: Uuid) -> usize {
    core.timeline(actor, case_id)
        .expect("timeline")
        .iter()
        .filter(|e| e.event.is_some())
        .count()
}

fn assert_audit_verifies(f: &Fixture) {
    let v = f.core.verify_audit(&f.admin).expect("verify");
    assert_eq!(v.first_bad, None, "the audit chain verifies");
    assert!(v.entries > 0);
}

/// Occupancy equals the beds of the open placements and never exceeds capacity.
fn assert_occupancy(f: &Fixture, facility: Uuid, cases: &[Uuid]) -> u32 {
    let view = f.core.facility(&f.coord, facility).expect("facility");
    let beds: u32 = cases
        .iter()
        .flat_map(|c| f.core.placements(&f.coord, *c).expect("placements"))
        .filter(|p| p.exited.is_none() && p.facility_id == Some(facility))
        .map(|p| p.beds)
        .sum();
    assert_eq!(view.occupancy, beds, "occupancy = beds of open placements");
    assert!(view.occupancy <= view.capacity, "{view:?}");
    view.occupancy
}

/// 16 threads, each repeatedly reading the case and recording the stage event that its read
/// allows (moving on ↔ support resumed) or linking its own suspect, all with the version it read.
/// No lost update: the events stored are exactly the initial ones plus the `Ok` event calls, the
/// version rose by exactly one per `Ok`, and every thread's suspect is linked.
#[test]
fn sixteen_writers_on_one_case_lose_no_update() {
    let f = fixture();
    let case = rescued_case(&f.core, &f.coord, "Concurrent Case");
    let v = f.core.case(&f.coord, case).expect("case").version;
    f.core
        .record_case_event(
            &f.coord,
            case,
            v,
            event(EventKind::SupportStarted, Some(d(2024, 4, 3))),
        )
        .expect("support started");
    let suspects: Vec<Uuid> = (0..THREADS)
        .map(|_| {
            f.core
                .create_suspect(&f.investigator, NewSuspect::default())
                .expect("suspect")
                .id
        })
        .collect();
    let before = f.core.case(&f.coord, case).expect("case");
    let events_before = lifecycle_events(&f.core, &f.coord, case);

    const ROUNDS: usize = 12;
    let barrier = Barrier::new(THREADS);
    let outcomes: Vec<(u32, u32, u32, u32)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (f, barrier, suspect) = (&f, &barrier, suspects[t]);
                s.spawn(move || {
                    let (mut event_ok, mut link_ok, mut conflicts, mut refused) = (0, 0, 0, 0);
                    let mut linked = false;
                    // One start line (nothing that can fail comes before it, so no thread waits
                    // forever on a panicked one).
                    barrier.wait();
                    for round in 0..ROUNDS {
                        let view = f.core.case(&f.coord, case).expect("read");
                        let result = if !linked && round % 2 == 1 {
                            f.core
                                .link_case(&f.investigator, case, view.version, &[], &[suspect])
                                .map(|_| true)
                        } else {
                            let kind = if view.stage == Stage::MovingOn {
                                EventKind::SupportResumed
                            } else {
                                EventKind::MovingOnStarted
                            };
                            f.core
                                .record_case_event(
                                    &f.coord,
                                    case,
                                    view.version,
                                    event(kind, Some(d(2024, 5, 1))),
                                )
                                .map(|_| false)
                        };
                        match result {
                            Ok(true) => {
                                link_ok += 1;
                                linked = true;
                            }
                            Ok(false) => event_ok += 1,
                            Err(CoreError::Conflict { kind: "case", .. }) => conflicts += 1,
                            Err(CoreError::Refused(_)) => refused += 1,
                            Err(e) => panic!("thread {t}: unexpected {e:?}"),
                        }
                    }
                    // Make sure the suspect is linked in the end (retry on conflict only).
                    while !linked {
                        let view = f.core.case(&f.coord, case).expect("read");
                        match f
                            .core
                            .link_case(&f.investigator, case, view.version, &[], &[suspect])
                        {
                            Ok(_) => {
                                link_ok += 1;
                                linked = true;
                            }
                            Err(CoreError::Conflict { .. }) => conflicts += 1,
                            Err(e) => panic!("thread {t}: unexpected {e:?}"),
                        }
                    }
                    (event_ok, link_ok, conflicts, refused)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let event_ok: u32 = outcomes.iter().map(|o| o.0).sum();
    let link_ok: u32 = outcomes.iter().map(|o| o.1).sum();
    let conflicts: u32 = outcomes.iter().map(|o| o.2).sum();
    let refused: u32 = outcomes.iter().map(|o| o.3).sum();
    eprintln!("events applied {event_ok}, links applied {link_ok}, conflicts {conflicts}");
    // A read-then-write with the version read can only conflict, never be refused by the guard:
    // the event chosen is always allowed at the version it names.
    assert_eq!(refused, 0);
    assert!(event_ok > 0 && conflicts > 0, "the trial raced");
    assert_eq!(link_ok as usize, THREADS);

    let after = f.core.case(&f.coord, case).expect("case");
    assert_eq!(
        lifecycle_events(&f.core, &f.coord, case),
        events_before + event_ok as usize,
        "every applied event is stored, no other"
    );
    assert_eq!(
        after.version,
        before.version + u64::from(event_ok + link_ok),
        "one version per applied write"
    );
    let linked: BTreeSet<_> = after.suspect_ids.iter().copied().collect();
    assert_eq!(linked, suspects.iter().copied().collect());
    // The stage alternates with each applied event: its parity tells no event was half-applied.
    let expected = if event_ok % 2 == 1 {
        Stage::MovingOn
    } else {
        Stage::InSupport
    };
    assert_eq!(after.stage, expected);
    assert_audit_verifies(&f);
}

/// 16 threads place 16 people into one house of 5 beds at once, then keep exiting and
/// re-placing them, while a watcher samples the occupancy: it never exceeds capacity, and at the
/// end it equals the beds of the open placements.
#[test]
fn sixteen_placements_into_one_house_never_overfill_it() {
    let f = fixture();
    const CAPACITY: u32 = 5;
    let rose = f
        .core
        .create_facility(&f.coord, safe_house("Rose", CAPACITY))
        .expect("facility");
    let cases: Vec<Uuid> = (0..THREADS)
        .map(|i| {
            let c = rescued_case(&f.core, &f.coord, &format!("Racer {i}"));
            let v = f.core.case(&f.coord, c).expect("case").version;
            f.core
                .assess_needs(&f.coord, c, v, needs(0))
                .expect("needs");
            c
        })
        .collect();

    // Round one: everyone at once, with the version each read.
    let barrier = Barrier::new(THREADS);
    let first: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .map(|c| {
                let (f, barrier, c) = (&f, &barrier, *c);
                s.spawn(move || {
                    barrier.wait();
                    let v = f.core.case(&f.coord, c).expect("case").version;
                    f.core.place(&f.coord, c, v, rose.id, d(2024, 4, 5))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let placed = testing::placed_or_lost_race(&first);
    assert!(
        placed >= 1 && placed <= CAPACITY as usize,
        "{placed} placed"
    );
    assert_eq!(assert_occupancy(&f, rose.id, &cases), placed as u32);

    // Round two: churn. Each thread exits its person if placed, else reassesses and tries to
    // place, for a bounded number of steps; a watcher samples occupancy meanwhile.
    let running = AtomicUsize::new(THREADS);
    let max_seen = AtomicU32::new(0);
    let applied = AtomicU32::new(0);
    std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            let mut samples = 0u32;
            while running.load(Ordering::Relaxed) > 0 {
                let view = f.core.facility(&f.coord, rose.id).expect("facility");
                max_seen.fetch_max(view.occupancy, Ordering::Relaxed);
                samples += 1;
            }
            samples
        });
        let workers: Vec<_> = cases
            .iter()
            .map(|c| {
                let (f, c, applied, running) = (&f, *c, &applied, &running);
                s.spawn(move || {
                    // Count out even if this worker panics.
                    let _out = CountOut(running);
                    for step in 0..6 {
                        // Dates only move forward within a track.
                        let on = d(2024, 5, 1 + step);
                        let view = f.core.case(&f.coord, c).expect("case");
                        let result = if view.placed_at.is_some() {
                            f.core
                                .exit_placement(
                                    &f.coord,
                                    c,
                                    view.version,
                                    ExitInput {
                                        on,
                                        reason: ExitReason::MovedOn,
                                        notes: None,
                                    },
                                )
                                .map(|_| ())
                        } else {
                            let mut input = needs(0);
                            input.assessed_on = Some(on);
                            let v = match f.core.assess_needs(&f.coord, c, view.version, input) {
                                Ok(n) => n.case_version,
                                Err(CoreError::Conflict { .. }) => continue,
                                Err(e) => panic!("needs: {e:?}"),
                            };
                            f.core.place(&f.coord, c, v, rose.id, on).map(|_| ())
                        };
                        match result {
                            Ok(()) => {
                                applied.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(CoreError::Conflict { .. } | CoreError::Refused(_)) => {}
                            Err(e) => panic!("unexpected {e:?}"),
                        }
                    }
                })
            })
            .collect();
        let workers: Vec<_> = workers.into_iter().map(|w| w.join()).collect();
        let samples = watcher.join().expect("watcher");
        eprintln!(
            "churn: {} writes applied, {samples} occupancy samples, max seen {}",
            applied.load(Ordering::Relaxed),
            max_seen.load(Ordering::Relaxed)
        );
        for w in workers {
            w.expect("worker");
        }
    });
    assert!(max_seen.load(Ordering::Relaxed) <= CAPACITY);
    assert!(applied.load(Ordering::Relaxed) > 0);
    assert_occupancy(&f, rose.id, &cases);
    // Every case agrees with its placements: placed exactly where its one open placement is.
    for c in &cases {
        let view = f.core.case(&f.coord, *c).expect("case");
        let open: Vec<_> = f
            .core
            .placements(&f.coord, *c)
            .expect("placements")
            .into_iter()
            .filter(|p| p.exited.is_none())
            .map(|p| p.facility_id)
            .collect();
        match view.placed_at {
            Some(at) => assert_eq!(open, [Some(at)]),
            None => assert!(open.is_empty(), "{open:?}"),
        }
    }
    assert_audit_verifies(&f);
}
