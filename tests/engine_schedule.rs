//! Delivery schedules: hand-computed 24-hour totals and reservoir times, and invariants over
//! generated programmes.
#![cfg(not(target_arch = "wasm32"))]
// The helpers build quantities from literal constants; a bad literal should stop the test loudly.
#![allow(clippy::expect_used)]

use itdose::engine::{
    Basal, Cycle, FlexStep, Hours, Millilitres, MlPerDay, PatientBolus, PatientUse, PeriodicBolus, Schedule,
    format::Display,
};
use jiff::civil::{DateTime, date, time};
use proptest::prelude::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn ml(v: f64) -> Millilitres {
    Millilitres::new(v).expect("literal")
}
fn per_day(v: f64) -> MlPerDay {
    MlPerDay::new(v).expect("literal")
}
fn hours(v: f64) -> Hours {
    Hours::new(v).expect("literal")
}
fn filled() -> DateTime {
    date(2026, 11, 25).at(9, 0, 0, 0)
}
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

fn flex(steps: &[(u8, u8, f64)]) -> Schedule {
    Schedule {
        basal: Basal::Flex {
            cycle: Cycle::Day,
            steps: steps
                .iter()
                .map(|&(h, m, r)| FlexStep {
                    day: 0,
                    start: time(h as i8, m as i8, 0, 0),
                    rate: per_day(r),
                })
                .collect(),
        },
        periodic: vec![],
        single: vec![],
        patient: None,
        pauses: vec![],
    }
}

/// Steps 00:00 0.2 mL/day, 08:00 0.4 mL/day, 20:00 0.2 mL/day:
///   0.2 × 8/24 + 0.4 × 12/24 + 0.2 × 4/24 = 0.0667 + 0.2 + 0.0333 = 0.3 mL in 24 h
///   (morphine 10 mg/mL: 3 mg/day).
/// The 08:00 step typed as 0.4 mL/h is 9.6 mL/day:
///   0.0667 + 9.6 × 12/24 + 0.0333 = 4.9 mL in 24 h, 16.3 times as much.
#[test]
fn flex_programme_24_hour_total() {
    let day = flex(&[(0, 0, 0.2), (8, 0, 0.4), (20, 0, 0.2)]).daily_volumes();
    assert!(close(day.basal.value(), 0.3), "{}", day.basal.value());
    assert!(close(day.maximum.value(), 0.3));
    let per_hour = flex(&[(0, 0, 0.2), (8, 0, 9.6), (20, 0, 0.2)]).daily_volumes();
    assert!(close(per_hour.basal.value(), 4.9), "{}", per_hour.basal.value());
}

/// A 7-day cycle: 0.2 mL/day all week, but Saturday 00:00–Sunday 00:00 at 1 mL/day.
/// The heaviest calendar day is Saturday: 1 mL.
#[test]
fn weekly_flex_takes_the_heaviest_day() {
    let schedule = Schedule {
        basal: Basal::Flex {
            cycle: Cycle::Week,
            steps: vec![
                FlexStep {
                    day: 0,
                    start: time(0, 0, 0, 0),
                    rate: per_day(0.2),
                },
                FlexStep {
                    day: 5,
                    start: time(0, 0, 0, 0),
                    rate: per_day(1.0),
                },
                FlexStep {
                    day: 6,
                    start: time(0, 0, 0, 0),
                    rate: per_day(0.2),
                },
            ],
        },
        ..Schedule::continuous(per_day(0.2))
    };
    assert!(close(schedule.daily_volumes().basal.value(), 1.0));
}

/// Periodic bolus of 0.05 mL every 8 h: 24/8 = 3 a day → 0.15 mL. Every 5 h: ⌈24/5⌉ = ⌈4.8⌉ = 5
/// can fall in one 24-hour window → 0.25 mL.
#[test]
fn periodic_bolus_24_hour_total() {
    let bolus = |interval: f64| PeriodicBolus {
        volume: ml(0.05),
        duration: hours(0.25),
        interval: hours(interval),
        first: filled(),
    };
    let every_8 = Schedule {
        periodic: vec![bolus(8.0)],
        ..Schedule::continuous(per_day(0.3))
    }
    .daily_volumes();
    assert!(close(every_8.scheduled_boluses.value(), 0.15));
    assert!(close(every_8.maximum.value(), 0.45));
    let every_5 = Schedule {
        periodic: vec![bolus(5.0)],
        ..Schedule::continuous(per_day(0.3))
    }
    .daily_volumes();
    assert!(close(every_5.scheduled_boluses.value(), 0.25));
}

/// Patient bolus 0.02 mL, lockout 3 h, at most 6 a day: min(6, ⌈24/3⌉ = 8) = 6 → 0.12 mL.
/// Lockout 6 h, at most 10: min(10, ⌈24/6⌉ = 4) = 4 → 0.08 mL: the lockout binds.
#[test]
fn patient_boluses_at_their_maximum_under_a_lockout() {
    let ptm = |lockout: f64, max: u32| PatientBolus {
        volume: ml(0.02),
        duration: hours(0.1),
        lockout: hours(lockout),
        max_per_day: max,
    };
    let a = ptm(3.0, 6);
    assert_eq!(a.allowed_per_day(), 6);
    let day = Schedule {
        patient: Some(a),
        ..Schedule::continuous(per_day(0.3))
    }
    .daily_volumes();
    assert!(close(day.patient_boluses.value(), 0.12));
    let b = ptm(6.0, 10);
    assert_eq!(b.allowed_per_day(), 4);
    let day = Schedule {
        patient: Some(b),
        ..Schedule::continuous(per_day(0.3))
    }
    .daily_volumes();
    assert!(close(day.patient_boluses.value(), 0.08));
    assert!(close(day.maximum.value(), 0.38));
}

/// Basal 1 mL/day, fill 10 mL on 25 Nov 2026 09:00, alarm 2 mL; patient bolus 0.5 mL over 1 h
/// (0.5 mL/h on top of 1/24 mL/h basal), lockout 3 h, at most 4 a day.
///
/// No boluses: alarm after (10 − 2) ÷ 1 = 8 days → Thu 3 Dec 09:00; empty after 10 days → 5 Dec 09:00.
///
/// Typical, 2 a day: boluses at 6 h and 18 h after the fill each day (spacing 12 h, first at
/// half-spacing). Each day delivers 1 + 2 × 0.5 = 2 mL, so 8 mL are out after exactly 4 days
/// (the day-4 boluses end at 91 h; 91 h → 96 h is basal only: 7.7917 + 5/24 = 8):
/// alarm Sun 29 Nov 09:00. Then 102–103 h bolus, 114–115 h bolus: 8 + 6/24 + 0.54167 + 11/24 +
/// 0.54167 = 9.7917 mL at 115 h; 0.2083 mL more at 1/24 mL/h takes 5 h → empty at 120 h,
/// Mon 30 Nov 09:00.
///
/// All allowed: min(4, ⌈24/3⌉) = 4 a day, at 3, 9, 15, 21 h: 3 mL a day.
/// Alarm: 6 mL at 48 h; 51 h 6.125; 52 h 6.6667; 57 h 6.875; 58 h 7.4167; 63 h 7.625; the 63 h
/// bolus needs 0.375 mL at 0.54167 mL/h = 0.6923 h = 41.5 min → 63 h 41 min after the fill →
/// Sat 28 Nov 00:41. Empty: 9 mL at 72 h; 75 h 9.125; 76 h 9.6667; 81 h 9.875; 0.125 mL at
/// 0.54167 mL/h = 13.8 min → 81 h 13 min → Sat 28 Nov 18:13.
#[test]
fn alarm_and_empty_times_for_each_scenario_to_the_minute() -> TestResult {
    let schedule = Schedule {
        patient: Some(PatientBolus {
            volume: ml(0.5),
            duration: hours(1.0),
            lockout: hours(3.0),
            max_per_day: 4,
        }),
        ..Schedule::continuous(per_day(1.0))
    };
    let project = |scenario| schedule.project(ml(10.0), filled(), ml(2.0), ml(2.0), scenario, None);
    let none = project(PatientUse::None)?;
    assert_eq!(
        (none.alarm_at, none.empty_at),
        (date(2026, 12, 3).at(9, 0, 0, 0), date(2026, 12, 5).at(9, 0, 0, 0))
    );
    let typical = project(PatientUse::Typical(2))?;
    assert_eq!(
        (typical.alarm_at, typical.empty_at),
        (date(2026, 11, 29).at(9, 0, 0, 0), date(2026, 11, 30).at(9, 0, 0, 0))
    );
    let all = project(PatientUse::AllAllowed)?;
    assert_eq!(
        (all.alarm_at, all.empty_at),
        (date(2026, 11, 28).at(0, 41, 0, 0), date(2026, 11, 28).at(18, 13, 0, 0))
    );
    Ok(())
}

/// ±14.5 % (SynchroMed II, S) on 1 mL/day, fill 10 mL, alarm 2 mL:
///   nominal 8 days; earliest 8 ÷ 1.145 = 6.987 days; latest 8 ÷ 0.855 = 9.357 days
///   empty: 10 ÷ 1.145 = 8.734 days; 10 ÷ 0.855 = 11.7 days
#[test]
fn accuracy_band() -> TestResult {
    let p = Schedule::continuous(per_day(1.0)).project(
        ml(10.0),
        filled(),
        ml(2.0),
        ml(2.0),
        PatientUse::None,
        Some(14.5),
    )?;
    let (early, late) = p.alarm_band.ok_or("no band")?;
    assert!(close(early.value(), 8.0 / 1.145) && close(late.value(), 8.0 / 0.855));
    assert_eq!(
        (early.ismp(), late.ismp()),
        ("6.987 days".to_owned(), "9.357 days".to_owned())
    );
    let (early, late) = p.empty_band.ok_or("no band")?;
    assert!(close(early.value(), 10.0 / 1.145) && close(late.value(), 10.0 / 0.855));
    Ok(())
}

/// A flex programme: 0.5 mL/day from 08:00, 0.1 mL/day from 20:00. Filled 09:00 with 1 mL,
/// alarm 0.5 mL. 09:00–20:00 = 11 h at 0.5/24 mL/h = 0.2292 mL → 0.7708 left; 20:00–08:00
/// = 12 h at 0.1/24 = 0.05 → 0.7208 at 08:00; then 0.2208 mL more at 0.5/24 mL/h = 10.6 h →
/// 18:36 on 26 Nov (10.6 h = 10 h 36 min).
#[test]
fn flex_projection_follows_the_steps() -> TestResult {
    let p = flex(&[(8, 0, 0.5), (20, 0, 0.1)]).project(ml(1.0), filled(), ml(0.5), ml(0.5), PatientUse::None, None)?;
    assert_eq!(p.alarm_at, date(2026, 11, 26).at(18, 36, 0, 0));
    Ok(())
}

#[test]
fn invalid_schedules_are_named() {
    let empty = Schedule {
        basal: Basal::Flex {
            cycle: Cycle::Day,
            steps: vec![],
        },
        ..Schedule::continuous(per_day(1.0))
    };
    assert_eq!(
        empty.validate().map_err(|e| e.to_string()),
        Err("Schedule: a flex programme needs at least one step".into())
    );
    let zero = Schedule::continuous(per_day(0.0));
    assert!(zero.validate().is_err());
    let short = Schedule {
        patient: Some(PatientBolus {
            volume: ml(0.1),
            duration: hours(2.0),
            lockout: hours(1.0),
            max_per_day: 4,
        }),
        ..Schedule::continuous(per_day(1.0))
    };
    assert_eq!(
        short.validate().map_err(|e| e.to_string()),
        Err("Schedule: patient bolus: the lockout (1 h) is shorter than the delivery duration (2 h)".into())
    );
}

fn generated_schedule() -> impl Strategy<Value = (Schedule, u32)> {
    (
        prop::collection::vec((0u8..24, 0u8..60, 0.05f64..5.0), 1..5),
        prop::option::of((0.01f64..0.5, 0.1f64..2.0, 1.0f64..12.0, 0.25f64..2.0)),
        prop::option::of((0.01f64..0.5, 0.05f64..1.0, 1u32..12)),
        0u32..12,
    )
        .prop_map(|(steps, periodic, patient, typical)| {
            let mut seen = std::collections::BTreeSet::new();
            let steps: Vec<FlexStep> = steps
                .into_iter()
                .filter(|(h, m, _)| seen.insert((*h, *m)))
                .map(|(h, m, r)| FlexStep {
                    day: 0,
                    start: time(h as i8, m as i8, 0, 0),
                    rate: per_day(r),
                })
                .collect();
            let schedule = Schedule {
                basal: Basal::Flex {
                    cycle: Cycle::Day,
                    steps,
                },
                periodic: periodic
                    .map(|(v, d, i, _)| PeriodicBolus {
                        volume: ml(v),
                        duration: hours(d.min(i)),
                        interval: hours(i),
                        first: filled(),
                    })
                    .into_iter()
                    .collect(),
                single: vec![],
                patient: patient.map(|(v, d, max)| PatientBolus {
                    volume: ml(v),
                    duration: hours(d),
                    lockout: hours(d.max(1.0)),
                    max_per_day: max,
                }),
                pauses: vec![],
            };
            (schedule, typical)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// The reservoir never rises; it starts at the fill and ends at zero (delivered + left = filled).
    #[test]
    fn reservoir_never_rises_and_mass_balances((schedule, typical) in generated_schedule(), fill in 1.0f64..40.0) {
        let p = schedule.project(ml(fill), filled(), ml(fill / 10.0), ml(fill / 10.0), PatientUse::Typical(typical), Some(14.5))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(p.vertices.windows(2).all(|w| matches!(w, [a, b] if b.1 <= a.1 + 1e-12 && b.0 >= a.0)));
        prop_assert!(p.vertices.first().is_some_and(|v| close(v.1, fill)));
        prop_assert!(p.vertices.last().is_some_and(|v| v.1 == 0.0));
        prop_assert!(p.alarm_at <= p.empty_at);
        let (early, late) = p.alarm_band.ok_or_else(|| TestCaseError::fail("no band"))?;
        prop_assert!(early <= p.days_to_alarm && p.days_to_alarm <= late);
    }

    /// More patient boluses never make the alarm (or empty) later.
    #[test]
    fn more_patient_boluses_never_make_the_alarm_later((schedule, typical) in generated_schedule(), fill in 1.0f64..40.0) {
        let run = |s| schedule.project(ml(fill), filled(), ml(fill / 10.0), ml(fill / 10.0), s, None).map_err(|e| TestCaseError::fail(e.to_string()));
        let none = run(PatientUse::None)?;
        let some = run(PatientUse::Typical(typical))?;
        let all = run(PatientUse::AllAllowed)?;
        prop_assert!(some.alarm_at <= none.alarm_at && all.alarm_at <= some.alarm_at);
        prop_assert!(some.empty_at <= none.empty_at && all.empty_at <= some.empty_at);
    }
}
