use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::d;
use crate::deadlines::{
    Decision, Outcome, Reconsideration, ReferralHistory, Stage, Status, deadlines,
};
use crate::error::NrmError;
use crate::jurisdiction::Jurisdiction::{
    self, EnglandAndWales as EW, NorthernIreland as NI, Scotland as SC,
};

fn pos(on: NaiveDate) -> Option<Decision> {
    Some(Decision {
        on,
        outcome: Outcome::Positive,
    })
}
fn neg(on: NaiveDate) -> Option<Decision> {
    Some(Decision {
        on,
        outcome: Outcome::Negative,
    })
}
fn history(
    j: Jurisdiction,
    referred_on: NaiveDate,
    rg: Option<Decision>,
    cg: Option<Decision>,
) -> ReferralHistory {
    ReferralHistory {
        jurisdiction: j,
        referred_on,
        is_child: false,
        rg,
        reconsiderations: vec![],
        cg,
        disqualified_on: None,
    }
}

#[test]
fn rg_due_counts_working_days_over_bank_holidays() {
    // Referred Thursday 2024-03-28; Good Friday 03-29 and Easter Monday 04-01 are E&W bank
    // holidays, so the 5th working day after is Monday 2024-04-08. Scotland keeps Easter Monday as
    // a working day: Friday 2024-04-05. (Brief: RG target 5 working days; calendars per brief.)
    let ew = deadlines(&history(EW, d(2024, 3, 28), None, None), d(2024, 3, 28)).expect("valid");
    assert_eq!(ew.rg_due.due, Some(d(2024, 4, 8)));
    assert_eq!(
        (ew.rg_due.status, ew.rg_due.days),
        (Status::Pending, Some(5))
    );
    let sc = deadlines(&history(SC, d(2024, 3, 28), None, None), d(2024, 3, 28)).expect("valid");
    assert_eq!(sc.rg_due.due, Some(d(2024, 4, 5)));
}

#[test]
fn rg_due_statuses() {
    let h = |rg| history(EW, d(2024, 3, 28), rg, None);
    let met = deadlines(&h(pos(d(2024, 4, 8))), d(2024, 6, 1)).expect("valid");
    assert_eq!((met.rg_due.status, met.rg_due.days), (Status::Met, Some(0)));
    let late = deadlines(&h(pos(d(2024, 4, 10))), d(2024, 6, 1)).expect("valid");
    assert_eq!(
        (late.rg_due.status, late.rg_due.days),
        (Status::Missed, Some(-2))
    );
    let overdue = deadlines(&h(None), d(2024, 4, 9)).expect("valid");
    assert_eq!(
        (overdue.rg_due.status, overdue.rg_due.days),
        (Status::Missed, Some(-1))
    );
    // A decision after the as-of day had not happened yet.
    let future = deadlines(&h(pos(d(2024, 4, 9))), d(2024, 4, 2)).expect("valid");
    assert_eq!(future.rg_due.status, Status::Pending);
    assert_eq!(future.recovery_period_end.status, Status::NotApplicable);
}

#[test]
fn recovery_period_by_jurisdiction_and_date() {
    // (jurisdiction, RG day, CG, expected last day, open-ended, source)
    let cases = [
        (
            EW,
            d(2022, 12, 12),
            None,
            d(2023, 1, 26),
            true,
            "E&W 45 days before 2022-12-13 (gov.uk factsheet; brief)",
        ),
        (
            EW,
            d(2022, 12, 13),
            None,
            d(2023, 1, 12),
            true,
            "E&W 30 days from 2022-12-13 (brief, unverified date)",
        ),
        (
            EW,
            d(2023, 1, 30),
            None,
            d(2023, 2, 28),
            true,
            "NABA s.61/MSA s.50A: 30 days beginning with the RG day",
        ),
        (
            EW,
            d(2023, 1, 30),
            pos(d(2023, 6, 1)),
            d(2023, 6, 1),
            false,
            "NABA: the later of CG and 30 days",
        ),
        (
            SC,
            d(2018, 3, 31),
            None,
            d(2018, 5, 15),
            true,
            "Scotland 45 days before SSI 2018/90",
        ),
        (
            SC,
            d(2018, 4, 1),
            None,
            d(2018, 6, 30),
            false,
            "SSI 2018/90: 90 days from the RG",
        ),
        (
            SC,
            d(2018, 4, 1),
            neg(d(2018, 5, 20)),
            d(2018, 5, 20),
            false,
            "SSI 2018/90 reg. 3(3)(b): or the CG if earlier",
        ),
        (
            NI,
            d(2023, 3, 1),
            pos(d(2023, 3, 20)),
            d(2023, 4, 15),
            false,
            "NI 2015 Act s.18(3): positive CG within the period",
        ),
        (
            NI,
            d(2023, 3, 1),
            neg(d(2023, 3, 20)),
            d(2023, 3, 20),
            false,
            "NI 2015 Act s.18(3)(b): until the CG",
        ),
    ];
    for (j, rg_on, cg, end, open, source) in cases {
        let h = history(j, rg_on, pos(rg_on), cg);
        let got = deadlines(&h, d(2023, 12, 31))
            .expect("valid")
            .recovery_period_end;
        assert_eq!(got.due, Some(end), "{j} RG {rg_on} ({source})");
        assert_eq!(got.open_ended, open, "{j} RG {rg_on} ({source})");
    }
}

#[test]
fn earliest_cg_and_premature_decisions() {
    let h = |cg| history(EW, d(2021, 1, 4), pos(d(2021, 1, 8)), cg);
    let waiting = deadlines(&h(None), d(2021, 1, 10))
        .expect("valid")
        .cg_earliest;
    assert_eq!(
        (waiting.status, waiting.due, waiting.days),
        (Status::Pending, Some(d(2021, 2, 22)), Some(43))
    );
    let early = deadlines(&h(pos(d(2021, 2, 1))), d(2021, 3, 1))
        .expect("valid")
        .cg_earliest;
    assert_eq!(early.status, Status::Missed);
    let fine = deadlines(&h(pos(d(2021, 5, 1))), d(2021, 6, 1)).expect("valid");
    assert_eq!(fine.cg_earliest.status, Status::Met);
    assert_eq!(
        fine.move_on_end.due,
        Some(d(2021, 6, 15)),
        "45 days move-on (brief)"
    );
    assert_eq!(fine.move_on_end.status, Status::Pending);
}

#[test]
fn reconsideration_window() {
    let mut h = history(EW, d(2024, 1, 2), neg(d(2024, 1, 8)), None);
    let open = deadlines(&h, d(2024, 1, 10))
        .expect("valid")
        .reconsideration_window_end;
    assert_eq!(
        (open.status, open.due, open.days),
        (Status::Pending, Some(d(2024, 2, 7)), Some(28))
    );
    let closed = deadlines(&h, d(2024, 2, 8))
        .expect("valid")
        .reconsideration_window_end;
    assert_eq!((closed.status, closed.days), (Status::Missed, Some(-1)));
    h.reconsiderations.push(Reconsideration {
        stage: Stage::ReasonableGrounds,
        requested_on: d(2024, 2, 1),
        decided: pos(d(2024, 3, 1)),
    });
    let asked = deadlines(&h, d(2024, 2, 10)).expect("valid");
    assert_eq!(asked.reconsideration_window_end.status, Status::Met);
    // Once the reconsidered RG is positive, the recovery period runs from it.
    let overturned = deadlines(&h, d(2024, 3, 2)).expect("valid");
    assert_eq!(
        overturned.reconsideration_window_end.status,
        Status::NotApplicable
    );
    assert_eq!(overturned.recovery_period_end.due, Some(d(2024, 3, 30)));
}

#[test]
fn public_order_disqualification_ends_support() {
    let mut h = history(EW, d(2024, 1, 2), pos(d(2024, 1, 5)), None);
    h.disqualified_on = Some(d(2024, 1, 20));
    let got = deadlines(&h, d(2024, 2, 1))
        .expect("valid")
        .recovery_period_end;
    assert_eq!(
        (got.due, got.status, got.open_ended),
        (Some(d(2024, 1, 20)), Status::Met, false)
    );
}

#[test]
fn bad_histories_are_errors_naming_the_field() {
    let before = history(EW, d(2024, 1, 10), pos(d(2024, 1, 5)), None);
    assert!(matches!(
        deadlines(&before, d(2024, 2, 1)),
        Err(NrmError::InvalidField { field: "rg.on", .. })
    ));
    let cg_alone = history(EW, d(2024, 1, 10), None, pos(d(2024, 3, 5)));
    assert!(matches!(
        deadlines(&cg_alone, d(2024, 4, 1)),
        Err(NrmError::InvalidField { field: "cg", .. })
    ));
    let old = history(EW, d(2008, 1, 10), None, None);
    assert!(matches!(
        deadlines(&old, d(2009, 1, 1)),
        Err(NrmError::NrmNotInForce { .. })
    ));
    let far = history(EW, d(2024, 1, 10), None, None);
    assert!(matches!(
        deadlines(&far, d(2101, 1, 1)),
        Err(NrmError::DateOutOfRange { field: "as_of", .. })
    ));
}

fn any_history() -> impl Strategy<Value = ReferralHistory> {
    (
        prop::sample::select(Jurisdiction::ALL.to_vec()),
        0u64..(16 * 365),
        prop::option::of((0u64..30, any::<bool>())),
        prop::option::of((0u64..900, any::<bool>())),
        any::<bool>(),
    )
        .prop_map(|(j, start, rg, cg, child)| {
            let referred_on = d(2009, 4, 1) + Days::new(start);
            let rg = rg.map(|(off, p)| Decision {
                on: referred_on + Days::new(off),
                outcome: if p {
                    Outcome::Positive
                } else {
                    Outcome::Negative
                },
            });
            let cg = match (rg, cg) {
                (Some(r), Some((off, p))) => Some(Decision {
                    on: r.on + Days::new(off),
                    outcome: if p {
                        Outcome::Positive
                    } else {
                        Outcome::Negative
                    },
                }),
                _ => None,
            };
            ReferralHistory {
                jurisdiction: j,
                referred_on,
                is_child: child,
                rg,
                reconsiderations: vec![],
                cg,
                disqualified_on: None,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Statuses agree with the as-of day: a pending fixed date lies ahead (days ≥ 0); a period
    /// met by elapse lies behind; a positive RG always gives a recovery period and an earliest CG.
    #[test]
    fn statuses_are_consistent_with_as_of(h in any_history(), after in 0u64..1200) {
        let as_of = h.referred_on + Days::new(after);
        let got = deadlines(&h, as_of).expect("generated histories are valid");
        for dl in [got.rg_due, got.recovery_period_end, got.cg_earliest, got.reconsideration_window_end, got.move_on_end] {
            match dl.status {
                Status::NotApplicable => prop_assert!(dl.due.is_none()),
                Status::Pending if !dl.open_ended => {
                    prop_assert!(dl.due.is_some_and(|due| due >= as_of));
                    prop_assert!(dl.days.is_some_and(|n| n >= 0));
                }
                _ => prop_assert!(dl.due.is_some()),
            }
        }
        if got.rg_due.status == Status::Pending {
            prop_assert!(h.rg.is_none_or(|r| r.on > as_of));
        }
        let positive_rg = h.rg.is_some_and(|r| r.on <= as_of && r.outcome == Outcome::Positive);
        prop_assert_eq!(got.recovery_period_end.status != Status::NotApplicable, positive_rg);
        prop_assert_eq!(got.cg_earliest.status != Status::NotApplicable, positive_rg);
        if h.is_child {
            prop_assert_eq!(got.move_on_end.status, Status::NotApplicable);
        }
    }

    /// Moving the as-of day forward never turns a Met or Missed deadline back into Pending.
    #[test]
    fn settled_deadlines_stay_settled(h in any_history(), a in 0u64..1200, more in 0u64..400) {
        let first = h.referred_on + Days::new(a);
        let later = first + Days::new(more);
        let x = deadlines(&h, first).expect("valid");
        let y = deadlines(&h, later).expect("valid");
        for (p, q) in [(x.rg_due, y.rg_due), (x.cg_earliest, y.cg_earliest), (x.move_on_end, y.move_on_end)] {
            if matches!(p.status, Status::Met | Status::Missed) {
                prop_assert_ne!(q.status, Status::Pending);
            }
        }
    }
}
