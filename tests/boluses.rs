//! Every bolus in the 24-hour totals: periodic (⌈24 h ÷ interval⌉ a day), single boluses by their
//! actual delivery in the heaviest 24 hours, patient boluses at their maximum, and the priming and
//! bridge boluses; the schedule's validation; and the notes next to flex steps far from the
//! current programme.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    MG, TestResult, close, conc, current, dose, element_ids, errors, figure, filled, finding_bound, hours, messages,
    ml, morphine_40, plan, run, single,
};
use itdose::engine::{
    BridgeBolusSetting, Cycle, FlexDoseStep, FlexProgramme, Location, Mark, PatientBolus, PeriodicBolus, Plan,
    PlanStatus, PreviousDrug, PrimingBolusSetting, Programme, Schedule, Severity, SingleBolus,
};
use jiff::civil::date;

fn daily_maximum(outcome: &itdose::engine::Outcome) -> f64 {
    outcome.drugs.first().map_or(f64::NAN, |d| d.daily_maximum.value())
}

// -------------------------------------------------------------------------------------------------
// Single boluses, by their actual delivery.
// -------------------------------------------------------------------------------------------------

/// SynchroMed II 40 mL, morphine 10 mg/mL at 2 mg/day, fill 40 mL, alarm 2 mL, filled
/// Wed 25 Nov 2026 09:00; one single bolus of 2 mL over 1 h on Thu 26 Nov 12:00.
///   basal rate = 2 mg/day ÷ 10 mg/mL = 0.2 mL/day
///   one-off boluses in the heaviest 24 h = 2 mL (the only bolus)
///   maximum possible per 24 h = 0.2 + 2 = 2.2 mL → × 10 mg/mL = 22 mg/day
///     (of which the bolus: 2 mL × 10 mg/mL = 20 mg/day)
///   22 > 15 mg/day (PACC as commonly cited, soft, U) and 22 > 20 mg/day (Infumorph label, soft, V)
#[test]
fn a_single_bolus_counts_in_the_heaviest_24_hours() -> TestResult {
    let mut p = morphine_40();
    p.boluses.single = vec![single(2.0, date(2026, 11, 26).at(12, 0, 0, 0))];
    let (outcome, report) = run(&p)?;
    assert!(close(outcome.flow_rate.value(), 0.2), "{}", outcome.flow_rate.value());
    assert!(
        close(outcome.daily_volumes.one_off_boluses.value(), 2.0),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(
        close(outcome.daily_volumes.maximum.value(), 2.2),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(close(daily_maximum(&outcome), 22.0), "{}", daily_maximum(&outcome));
    assert!(outcome.has_boluses);
    assert_eq!(
        figure(&report, "morphine one-off boluses in the heaviest 24 h"),
        Some("20 mg/day")
    );
    assert_eq!(figure(&report, "morphine scheduled boluses per 24 h"), Some("0 mg/day"));
    assert_eq!(figure(&report, "morphine maximum possible per 24 h"), Some("22 mg/day"));

    let pacc = finding_bound(&report, "limit.daily_dose", "max 15").ok_or("no 15 mg/day finding")?;
    assert_eq!((pacc.severity, pacc.mark), (Severity::Soft, Some(Mark::Unverified)));
    assert_eq!(pacc.key.value.as_deref(), Some("22"));
    assert_eq!(
        pacc.message,
        "morphine maximum possible daily dose 22 mg/day is above the soft limit of 15 mg/day."
    );
    let label = finding_bound(&report, "limit.daily_dose", "max 20").ok_or("no 20 mg/day finding")?;
    assert_eq!((label.severity, label.mark), (Severity::Soft, Some(Mark::Verified)));
    assert!(
        label.source.as_deref().is_some_and(|s| s.contains("Infumorph label")),
        "{:?}",
        label.source
    );
    assert_eq!(
        label.message,
        "morphine maximum possible daily dose 22 mg/day is above the soft limit of 20 mg/day."
    );
    assert_eq!(outcome.status, PlanStatus::NeedsAcknowledgement);
    Ok(())
}

/// Found in review: a long bolus and one a day later share a 24-hour window. Morphine 10 mg/mL at
/// 2 mg/day (0.2 mL/day); 1 mL over 10 h from Thu 26 Nov 12:00, 1 mL over 1 h from Fri 27 Nov 12:00.
/// The window Thu 13:00 – Fri 13:00 holds 9 h of the first (0.9 mL) and all the second (1 mL):
///   one-off 1.9 mL; maximum 0.2 + 1.9 = 2.1 mL → 21 mg/day, above both soft limits (15, 20 mg/day).
/// (Counting each bolus whole at its start gave 1.2 mL → 12 mg/day and missed both.)
#[test]
fn a_long_bolus_shares_a_window_with_the_next_day_one() -> TestResult {
    let mut p = morphine_40();
    p.boluses.single = vec![
        SingleBolus {
            volume: ml(1.0),
            duration: hours(10.0),
            at: date(2026, 11, 26).at(12, 0, 0, 0),
        },
        SingleBolus {
            volume: ml(1.0),
            duration: hours(1.0),
            at: date(2026, 11, 27).at(12, 0, 0, 0),
        },
    ];
    let (outcome, report) = run(&p)?;
    assert!(
        close(outcome.daily_volumes.one_off_boluses.value(), 1.9),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(close(daily_maximum(&outcome), 21.0), "{}", daily_maximum(&outcome));
    assert_eq!(
        finding_bound(&report, "limit.daily_dose", "max 20").and_then(|f| f.key.value.as_deref()),
        Some("21")
    );
    Ok(())
}

/// Two single boluses of 2 mL (20 mg each) on the plan above, the first on Thu 26 Nov 12:00, each
/// over 1 h. A window is [t, t + 24 h):
///   second 23 h later (Fri 27 Nov 11:00): both whole in one window: 0.2 + 2 + 2 = 4.2 mL → 42 mg/day
///   second 25 h later (Fri 27 Nov 13:00): one per window: 0.2 + 2 = 2.2 mL → 22 mg/day
///   second exactly 24 h later (Fri 27 Nov 12:00): a window holding all of the first (Thu 12:00 to
///     13:00) ends by Fri 12:00, before the second starts; a window from Thu 12:00 + x h holds
///     (1 − x) h of the first and x h of the second: 2 × (1 − x) + 2 × x = 2 mL → 22 mg/day
#[test]
fn single_boluses_count_together_only_within_24_hours() -> TestResult {
    let first = date(2026, 11, 26).at(12, 0, 0, 0);
    for (second, one_off, maximum) in [
        (date(2026, 11, 27).at(11, 0, 0, 0), 4.0, 42.0),
        (date(2026, 11, 27).at(13, 0, 0, 0), 2.0, 22.0),
        (date(2026, 11, 27).at(12, 0, 0, 0), 2.0, 22.0),
    ] {
        let mut p = morphine_40();
        p.boluses.single = vec![single(2.0, first), single(2.0, second)];
        let (outcome, _) = run(&p)?;
        assert!(
            close(outcome.daily_volumes.one_off_boluses.value(), one_off),
            "second bolus {second}: {:?}",
            outcome.daily_volumes
        );
        assert!(
            close(daily_maximum(&outcome), maximum),
            "second bolus {second}: {}",
            daily_maximum(&outcome)
        );
    }
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Periodic and patient boluses.
// -------------------------------------------------------------------------------------------------

/// Morphine 10 mg/mL at 3 mg/day (0.3 mL/day) with a periodic bolus of `volume` mL every
/// `interval` h.
fn periodic(volume: f64, interval: f64) -> Plan {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 3.0);
    p.boluses.periodic = vec![PeriodicBolus {
        volume: ml(volume),
        duration: hours(0.25),
        interval: hours(interval),
        first: filled(),
    }];
    p
}

/// Periodic bolus of 0.05 mL every 8 h: 24 ÷ 8 = 3 a day → 0.15 mL (1.5 mg); maximum
/// 0.3 + 0.15 = 0.45 mL (4.5 mg/day). Every 5 h: ⌈24 ÷ 5⌉ = ⌈4.8⌉ = 5 can fall in one 24-hour
/// window → 0.25 mL (2.5 mg/day).
#[test]
fn periodic_bolus_24_hour_total() -> TestResult {
    let (outcome, report) = run(&periodic(0.05, 8.0))?;
    assert!(
        close(outcome.daily_volumes.scheduled_boluses.value(), 0.15),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(close(outcome.daily_volumes.maximum.value(), 0.45));
    assert_eq!(
        figure(&report, "morphine scheduled boluses per 24 h"),
        Some("1.5 mg/day")
    );
    assert_eq!(
        figure(&report, "morphine maximum possible per 24 h"),
        Some("4.5 mg/day")
    );
    let (outcome, _) = run(&periodic(0.05, 5.0))?;
    assert!(
        close(outcome.daily_volumes.scheduled_boluses.value(), 0.25),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(close(daily_maximum(&outcome), 5.5));
    Ok(())
}

/// Patient bolus 0.02 mL, lockout 3 h, at most 6 a day: min(6, ⌈24 ÷ 3⌉ = 8) = 6 → 0.12 mL
/// (1.2 mg/day). Lockout 6 h, at most 10: min(10, ⌈24 ÷ 6⌉ = 4) = 4 → 0.08 mL: the lockout binds;
/// maximum 0.3 + 0.08 = 0.38 mL → 3.8 mg/day.
#[test]
fn patient_boluses_at_their_maximum_under_a_lockout() -> TestResult {
    let ptm = |lockout: f64, max: u32| PatientBolus {
        volume: ml(0.02),
        duration: hours(0.1),
        lockout: hours(lockout),
        max_per_day: max,
    };
    assert_eq!(ptm(3.0, 6).allowed_per_day(), 6);
    assert_eq!(ptm(6.0, 10).allowed_per_day(), 4);
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 3.0);
    p.boluses.patient = Some(ptm(3.0, 6));
    let (outcome, report) = run(&p)?;
    assert!(
        close(outcome.daily_volumes.patient_boluses.value(), 0.12),
        "{:?}",
        outcome.daily_volumes
    );
    assert_eq!(
        figure(&report, "morphine patient boluses per 24 h at their maximum"),
        Some("1.2 mg/day")
    );
    p.boluses.patient = Some(ptm(6.0, 10));
    let (outcome, _) = run(&p)?;
    assert!(
        close(outcome.daily_volumes.patient_boluses.value(), 0.08),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(close(outcome.daily_volumes.maximum.value(), 0.38));
    assert!(close(daily_maximum(&outcome), 3.8));
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Priming and bridge boluses.
// -------------------------------------------------------------------------------------------------

/// Prometra II 20 mL, fill 20 mL, morphine 10 mg/mL at 1 mg/day; catheter 100 cm × 0.0026 mL/cm.
///   basal = 1 ÷ 10 = 0.1 mL/day
///   volume ahead of the drug = 100 × 0.0026 = 0.26 mL (no pump tubing entered)
///   priming bolus at the fill over 0.5 h: 0.26 mL, a one-off bolus
///   maximum per 24 h = 0.1 + 0.26 = 0.36 mL → × 10 = 3.6 mg/day (1 basal + 2.6 priming)
fn prometra_with_catheter() -> Plan {
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 1.0);
    p.csf.catheter_length_cm = Some(100.0);
    p.csf.catheter_ml_per_cm = Some(0.0026);
    p.boluses.priming = Some(PrimingBolusSetting {
        at: filled(),
        duration: hours(0.5),
    });
    p
}

/// See [`prometra_with_catheter`]: 0.26 mL one-off → 1 + 2.6 = 3.6 mg/day.
#[test]
fn a_priming_bolus_counts_in_the_24_hour_total() -> TestResult {
    let (outcome, report) = run(&prometra_with_catheter())?;
    assert!(close(outcome.flow_rate.value(), 0.1), "{}", outcome.flow_rate.value());
    assert!(
        close(outcome.daily_volumes.one_off_boluses.value(), 0.26),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(close(daily_maximum(&outcome), 3.6), "{}", daily_maximum(&outcome));
    assert_eq!(
        figure(&report, "morphine one-off boluses in the heaviest 24 h"),
        Some("2.6 mg/day")
    );
    Ok(())
}

/// The priming plan plus a bridge bolus at the fill, replacing morphine 5 mg/mL:
///   bridge rate = basal × new ÷ old = 0.1 mL/day × 10 ÷ 5 = 0.2 mL/day (keeps 1 mg/day of the old)
///   bridge volume = the volume ahead of the new solution = 0.26 mL,
///     over 0.26 ÷ 0.2 = 1.3 days = 31.2 h
///   both start at the fill; a bolus delivers evenly over its duration, so the heaviest 24 hours
///   (from the fill) hold all the priming bolus and 24 ÷ 31.2 of the bridge:
///   one-off = 0.26 + 0.26 × 24 ÷ 31.2 = 0.26 + 0.2 = 0.46 mL
///   maximum per 24 h = 0.1 + 0.46 = 0.56 mL → × 10 = 5.6 mg/day (1 + 2.6 + 2)
/// With a bridge there is no "concentration change without bridge" finding.
#[test]
fn a_bridge_bolus_counts_with_the_priming_bolus() -> TestResult {
    let mut p = prometra_with_catheter();
    p.boluses.bridge = Some(BridgeBolusSetting { at: filled() });
    p.csf.previous = vec![PreviousDrug {
        drug: "morphine".into(),
        concentration: conc(MG, 5.0),
    }];
    let (outcome, report) = run(&p)?;
    assert!(
        close(outcome.daily_volumes.one_off_boluses.value(), 0.46),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(close(daily_maximum(&outcome), 5.6), "{}", daily_maximum(&outcome));
    let durations: Vec<f64> = outcome.schedule.single.iter().map(|b| b.duration.value()).collect();
    assert!(
        matches!(durations.as_slice(), [priming, bridge] if close(*priming, 0.5) && close(*bridge, 31.2)),
        "{durations:?}"
    );
    assert!(
        common::finding(&report, "concentration_change").is_none(),
        "{:?}",
        report.findings
    );
    Ok(())
}

/// A priming bolus is sized by the volume ahead of the drug (pump tubing + catheter). With
/// neither entered that volume is 0 + 0 × 0 = 0 mL: refused at the priming bolus's volume.
/// A bridge needs the old concentration of the lead drug: refused at that drug line.
#[test]
fn priming_and_bridge_boluses_need_what_they_are_made_of() -> TestResult {
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 1.0);
    p.boluses.priming = Some(PrimingBolusSetting {
        at: filled(),
        duration: hours(0.5),
    });
    let errs = errors(&p)?;
    assert_eq!(element_ids(&errs), ["priming-volume"]);
    assert_eq!(
        messages(&errs),
        [
            "Priming bolus, volume: it is the volume ahead of the drug: enter the pump tubing and the catheter (length and volume per cm)"
        ]
    );
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 1.0);
    p.csf.pump_tubing = Some(ml(0.1));
    p.boluses.bridge = Some(BridgeBolusSetting { at: filled() });
    let errs = errors(&p)?;
    assert_eq!(element_ids(&errs), ["drug-0-previous"]);
    assert_eq!(
        messages(&errs),
        ["Drug 1, concentration being replaced: enter the concentration of morphine in the solution being replaced"]
    );
    Ok(())
}

/// A bridge runs at the rate that kept the lead drug's dose with the old concentration:
/// 0.1 mL/day × 10 ÷ old. An old concentration of 0 has no such rate; it was refused as "must
/// be a finite number" (the division's infinity), which is not what was wrong with a typed 0.
#[test]
fn a_bridge_from_a_solution_without_the_drug_is_refused_at_its_concentration() -> TestResult {
    let mut p = prometra_with_catheter();
    p.boluses.bridge = Some(BridgeBolusSetting { at: filled() });
    p.csf.previous = vec![PreviousDrug {
        drug: "morphine".into(),
        concentration: conc(MG, 0.0),
    }];
    let errs = errors(&p)?;
    assert_eq!(element_ids(&errs), ["drug-0-previous"]);
    assert_eq!(
        messages(&errs),
        [
            "Drug 1, concentration being replaced: must be greater than 0 for the bridge bolus, which runs at the rate that kept the dose of morphine with the old concentration"
        ]
    );
    Ok(())
}

/// A one-off bolus is delivered from this fill (Wed 25 Nov 2026, 09:00): one dated before it
/// (a year typed as 0001, found by the bad-input matrix) delivered nothing and vanished from
/// every figure without a word. Each is refused at its own date.
#[test]
fn one_off_boluses_before_the_fill_are_refused_at_their_date() -> TestResult {
    let year_one = date(1, 1, 1).at(9, 0, 0, 0);
    let mut p = prometra_with_catheter();
    p.boluses.single = vec![SingleBolus {
        volume: ml(0.1),
        duration: hours(1.0),
        at: year_one,
    }];
    let errs = errors(&p)?;
    assert_eq!(element_ids(&errs), ["single-0-date"]);
    assert_eq!(
        messages(&errs),
        ["Single bolus 1, date: the bolus (Mon 1 Jan 1, 09:00) is before the fill (Wed 25 Nov 2026, 09:00)"]
    );
    let mut p = prometra_with_catheter();
    p.boluses.priming = Some(PrimingBolusSetting {
        at: year_one,
        duration: hours(0.5),
    });
    assert_eq!(element_ids(&errors(&p)?), ["priming-date"]);
    let mut p = prometra_with_catheter();
    p.boluses.bridge = Some(BridgeBolusSetting {
        at: date(2026, 11, 25).at(8, 59, 0, 0),
    });
    p.csf.previous = vec![PreviousDrug {
        drug: "morphine".into(),
        concentration: conc(MG, 5.0),
    }];
    let errs = errors(&p)?;
    assert_eq!(element_ids(&errs), ["bridge-date"]);
    assert_eq!(
        messages(&errs),
        ["Bridge bolus, date: the bridge bolus (Wed 25 Nov 2026, 08:59) is before the fill (Wed 25 Nov 2026, 09:00)"]
    );
    // At the fill itself is delivered from it (the priming plan above starts there).
    assert!(run(&prometra_with_catheter()).is_ok());
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// The schedule's validation.
// -------------------------------------------------------------------------------------------------

fn flex_step(day: u8, start: &str, daily: f64) -> FlexDoseStep {
    FlexDoseStep {
        day,
        start: start.into(),
        daily_dose: dose(MG, daily),
    }
}

/// Each schedule the pump cannot run, as (plan, the message naming its step or bolus, the location
/// it belongs to).
fn invalid_schedules() -> Vec<(Plan, &'static str, Option<Location>)> {
    let with_flex = |cycle: Cycle, steps: Vec<FlexDoseStep>| {
        let mut p = morphine_40();
        p.flex = Some(FlexProgramme { cycle, steps });
        p
    };
    let mut interval = morphine_40();
    interval.boluses.periodic = vec![PeriodicBolus {
        volume: ml(0.1),
        duration: hours(2.0),
        interval: hours(1.0),
        first: filled(),
    }];
    let mut zero_duration = morphine_40();
    zero_duration.boluses.single = vec![SingleBolus {
        volume: ml(0.1),
        duration: hours(0.0),
        at: filled(),
    }];
    let mut lockout = morphine_40();
    lockout.boluses.patient = Some(PatientBolus {
        volume: ml(0.1),
        duration: hours(2.0),
        lockout: hours(1.0),
        max_per_day: 4,
    });
    vec![
        (
            with_flex(Cycle::Day, vec![]),
            "Schedule: a flex programme needs at least one step",
            None,
        ),
        (
            with_flex(Cycle::Week, vec![flex_step(7, "08:00", 2.0)]),
            "Flex step 1, start: day 7 is outside the cycle",
            Some(Location::FlexStep(0)),
        ),
        (
            with_flex(Cycle::Day, vec![flex_step(0, "08:00", 2.0), flex_step(0, "08:00", 3.0)]),
            "Flex step 2, start: the same start as an earlier step",
            Some(Location::FlexStep(1)),
        ),
        (
            interval,
            "Periodic bolus 1, interval: 1 h is shorter than the duration (2 h)",
            Some(Location::PeriodicBolus(0)),
        ),
        (
            zero_duration,
            "Single bolus 1, duration: must be greater than 0",
            Some(Location::SingleBolus(0)),
        ),
        (
            lockout,
            "Patient bolus, lockout: 1 h is shorter than the delivery duration (2 h)",
            Some(Location::PatientBolus),
        ),
    ]
}

/// A schedule the pump cannot run is refused, the message naming the step or bolus: no flex
/// step; a step on day 7 of a week (days 0–6); two steps at 08:00; a periodic bolus every 1 h
/// lasting 2 h; a single bolus of no duration; a 1 h lockout on a 2 h patient bolus.
/// A basal that delivers nothing never empties the reservoir: refused by the schedule, and a rate
/// programme of 0 mL/day at its field.
#[test]
fn invalid_schedules_are_refused_naming_the_step_or_bolus() -> TestResult {
    for (p, expected, _) in invalid_schedules() {
        assert_eq!(messages(&errors(&p)?), [expected]);
    }
    assert_eq!(
        Schedule::continuous(common::per_day(0.0))
            .validate()
            .map_err(|e| e.to_string()),
        Err("Schedule: the basal delivers nothing: the reservoir would never empty; check the rates".into())
    );
    let mut zero = morphine_40();
    zero.programme = Programme::Rate {
        flow_rate: common::per_day(0.0),
    };
    assert_eq!(messages(&errors(&zero)?), ["Flow rate: must be greater than 0"]);
    Ok(())
}

/// The same errors belong next to their input (the flex step, the bolus), as every other input
/// error does: `Error.at` names the step or bolus, and the element id is its input's.
#[test]
fn invalid_schedules_are_refused_at_their_location() -> TestResult {
    for (p, expected, location) in invalid_schedules() {
        let errs = errors(&p)?;
        assert_eq!(errs.iter().map(|e| e.at).collect::<Vec<_>>(), [location], "{expected}");
    }
    let ids: Vec<String> = invalid_schedules()
        .iter()
        .map(|(p, _, _)| errors(p).map(|e| element_ids(&e).join(",")))
        .collect::<Result<_, _>>()?;
    assert_eq!(
        ids,
        [
            "schedule",
            "flex-0-start",
            "flex-1-start",
            "periodic-0-interval",
            "single-0-duration",
            "ptm-lockout"
        ]
    );
    Ok(())
}

/// A bolus of 0.0001 mL every 0.0001 h (0.36 s) would be about 3.8e11 boluses before the 38 mL
/// are out: refused at once, not computed.
#[test]
fn a_bolus_every_few_seconds_is_refused_quickly() -> TestResult {
    let mut p = morphine_40();
    p.boluses.periodic = vec![PeriodicBolus {
        volume: ml(0.0001),
        duration: hours(0.0001),
        interval: hours(0.0001),
        first: filled(),
    }];
    assert_eq!(
        messages(&errors(&p)?),
        ["Schedule: over a million boluses before the reservoir empties: check the bolus interval and the lockout"]
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Notes next to flex steps.
// -------------------------------------------------------------------------------------------------

/// Current programme morphine 2 mg/day; proposed morphine 10 mg/mL on a 24-hour flex programme.
/// A step above 2 × 2 = 4 mg/day, or below 2 ÷ 2 = 1 mg/day, is noted (a dose per hour typed as
/// per day, or the reverse):
///   step 1, 08:00 48 mg/day: 48 > 4 (48 ÷ 2 = 24 times) → note on step index 0
///   step 2, 20:00 1 mg/day: 1 is not below 1 → no note
///   step 1 at exactly 4 mg/day (2 times): not above 4 → no note
///   step 2 at 0.99 mg/day: 0.99 × 2 = 1.98 < 2 → note on step index 1 (0.495 times)
#[test]
fn a_flex_step_far_from_the_current_programme_is_noted() -> TestResult {
    let with_steps = |first: f64, second: f64| {
        let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 2.0);
        p.current_programme = vec![current("morphine", MG, 2.0)];
        p.flex = Some(FlexProgramme {
            cycle: Cycle::Day,
            steps: vec![flex_step(0, "08:00", first), flex_step(0, "20:00", second)],
        });
        p
    };
    let (outcome, report) = run(&with_steps(48.0, 1.0))?;
    assert_eq!(outcome.step_notes.iter().map(|n| n.step).collect::<Vec<_>>(), [0]);
    let note = report.step_notes.first().ok_or("no step note")?;
    assert_eq!(note.step, 0);
    assert_eq!(
        note.text,
        "Step 1: 48 mg/day is more than 2 times the current programme's 24-hour total of 2 mg/day (24 times). Was a dose per hour entered as per day, or the reverse? Per hour is \u{d7} 24."
    );

    let (_, report) = run(&with_steps(4.0, 1.0))?;
    assert!(report.step_notes.is_empty(), "{:?}", report.step_notes);

    let (_, report) = run(&with_steps(4.0, 0.99))?;
    let note = report.step_notes.first().ok_or("no step note")?;
    assert_eq!(note.step, 1);
    assert!(
        note.text
            .starts_with("Step 2: 0.99 mg/day is less than 1 \u{f7} 2 times"),
        "{}",
        note.text
    );
    assert!(note.text.contains("(0.495 times)"), "{}", note.text);
    Ok(())
}

/// Without a current programme for the lead drug nothing is compared: no step notes.
#[test]
fn no_step_notes_without_a_current_programme() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 2.0);
    p.flex = Some(FlexProgramme {
        cycle: Cycle::Day,
        steps: vec![flex_step(0, "08:00", 48.0), flex_step(0, "20:00", 1.0)],
    });
    let (outcome, report) = run(&p)?;
    assert!(outcome.step_notes.is_empty() && report.step_notes.is_empty());
    Ok(())
}
