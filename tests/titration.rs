//! The titration planner: the steps each drug's rule allows, with their dates and rates, and the
//! low-reservoir alarm under the titrated rates. Worked examples with the arithmetic written out.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{TestResult, at, library, load_file, ml, run};
use itdose::engine::{Days, Field, OwnRule, RefillReason, RuleVolume, TitrationFill, TitrationInput, plan_titration};

/// A fill of `volume` mL with the alarm (and the pump's rule) at 2 mL, at the programmed rate.
fn fill(volume: f64, filled_at: jiff::civil::DateTime) -> TitrationFill {
    TitrationFill {
        volume,
        filled_at,
        alarm: 2.0,
        rule: RuleVolume::Alarm(ml(2.0)),
        fast_edge: None,
        stability: None,
        later_stability: None,
        mri_emptied: None,
        end_of_service: None,
    }
}

fn input(drug: &str, current: f64, target: f64, concentration: f64) -> TitrationInput {
    TitrationInput {
        drug: drug.into(),
        condition: None,
        current,
        target,
        start: at(2026, 12, 1, 9, 0),
        last_change: None,
        own_rule: None,
        concentration,
        fill: None,
    }
}

/// Ziconotide 2.4 → 9.6 mcg/day under the US label (rise ≤ 2.4 mcg/day, ≥ 24 h apart, "no more
/// than 2-3 times a week": planned at the lower figure, 2 a week, every 4 days): 4.8 on Tue 1 Dec,
/// 7.2 on Sat 5 Dec, 9.6 on Wed 9 Dec; never more than 2.4 mcg/day a step, never more than 3 (nor 2)
/// rises in any 7 days. At 25 mcg/mL the rates are 4.8 ÷ 25 = 0.192, 7.2 ÷ 25 = 0.288 and
/// 9.6 ÷ 25 = 0.384 mL/day. A 20 mL fill on Tue 1 Dec 09:00 with the alarm at 2 mL has 18 mL to
/// deliver: 0.192 × 4 + 0.288 × 4 = 1.92 mL by Wed 9 Dec, then 16.08 ÷ 0.384 = 41.875 days: the
/// alarm on Wed 20 Jan 2027 at 06:00.
#[test]
fn ziconotide_from_2_4_to_9_6_never_steps_more_than_the_label_allows() -> TestResult {
    let lib = library()?;
    let mut i = input("ziconotide", 2.4, 9.6, 25.0);
    i.fill = Some(fill(20.0, at(2026, 12, 1, 9, 0)));
    let plan = plan_titration(&i, &lib)?;
    let dates: Vec<_> = plan.steps.iter().map(|s| s.at).collect();
    assert_eq!(
        dates,
        vec![at(2026, 12, 1, 9, 0), at(2026, 12, 5, 9, 0), at(2026, 12, 9, 9, 0)]
    );
    let doses: Vec<f64> = plan.steps.iter().map(|s| s.dose).collect();
    for (got, want) in doses.iter().zip([4.8, 7.2, 9.6]) {
        assert!((got - want).abs() < 1e-9, "{doses:?}");
    }
    assert!(plan.steps.iter().all(|s| s.rise <= 2.4 + 1e-9), "{:?}", plan.steps);
    for s in &plan.steps {
        let within = plan
            .steps
            .iter()
            .filter(|o| o.at >= s.at && o.at.duration_since(s.at).as_secs_f64() < 7.0 * 86_400.0)
            .count();
        assert!(within <= 2, "{within} rises in the 7 days from {}", s.at);
    }
    let rates: Vec<f64> = plan.steps.iter().map(|s| s.rate).collect();
    for (got, want) in rates.iter().zip([0.192, 0.288, 0.384]) {
        assert!((got - want).abs() < 1e-12, "{rates:?}");
    }
    assert_eq!(plan.alarm, Some(at(2027, 1, 20, 6, 0)));
    assert!(plan.rules.iter().any(|r| r.contains("Prialt")), "{:?}", plan.rules);
    Ok(())
}

/// The first rise keeps the spacing from the last change: changed on Mon 30 Nov, so the first
/// rise is on Fri 4 Dec (4 days later), not on Tue 1 Dec.
#[test]
fn the_first_rise_keeps_its_distance_from_the_last_change() -> TestResult {
    let mut i = input("ziconotide", 2.4, 4.8, 25.0);
    i.last_change = Some(at(2026, 11, 30, 9, 0));
    let plan = plan_titration(&i, &library()?)?;
    assert_eq!(plan.steps.first().map(|s| s.at), Some(at(2026, 12, 4, 9, 0)));
    Ok(())
}

/// Baclofen (spasticity of spinal origin: ≤ 30 % per 24 h) 100 → 200 mcg/day: 100 × 1.3 = 130,
/// 130 × 1.3 = 169, then 200 (169 × 1.3 = 219.7 is past the target); one a day.
#[test]
fn baclofen_rises_by_percent_per_day() -> TestResult {
    let mut i = input("baclofen", 100.0, 200.0, 500.0);
    i.condition = Some("spasticity of spinal origin".into());
    let plan = plan_titration(&i, &library()?)?;
    let doses: Vec<f64> = plan.steps.iter().map(|s| s.dose).collect();
    for (got, want) in doses.iter().zip([130.0, 169.0, 200.0]) {
        assert!((got - want).abs() < 1e-9, "{doses:?}");
    }
    assert_eq!(doses.len(), 3);
    assert!((plan.spacing_hours - 24.0).abs() < 1e-12);
    Ok(())
}

/// Morphine has no titration rule in the library: the planner asks for the clinician's own. With
/// at most 20 % a step every 7 days, 1 → 1.5 mg/day: 1.2, 1.44, 1.5.
#[test]
fn a_drug_without_a_library_rule_needs_the_clinicians_own() -> TestResult {
    let lib = library()?;
    let mut i = input("morphine", 1.0, 1.5, 10.0);
    let e = plan_titration(&i, &lib).err().ok_or("planned without a rule")?;
    assert_eq!(e.field, Field::TitrationRule);
    assert!(e.to_string().contains("set your own"), "{e}");
    i.own_rule = Some(OwnRule {
        max_step: None,
        max_percent: Some(20.0),
        days_between: 7.0,
    });
    let plan = plan_titration(&i, &lib)?;
    let doses: Vec<f64> = plan.steps.iter().map(|s| s.dose).collect();
    for (got, want) in doses.iter().zip([1.2, 1.44, 1.5]) {
        assert!((got - want).abs() < 1e-9, "{doses:?}");
    }
    assert_eq!(plan.steps.get(2).map(|s| s.at), Some(at(2026, 12, 15, 9, 0)));
    Ok(())
}

/// Each part of the clinician's own rule is refused at its own input (the planner shows the
/// message next to that input): days between rises below 1, a largest rise of 0 or below.
#[test]
fn each_part_of_the_clinicians_own_rule_is_refused_at_its_input() -> TestResult {
    let lib = library()?;
    let mut i = input("morphine", 1.0, 1.5, 10.0);
    let own = |max_step, max_percent, days_between| {
        Some(OwnRule {
            max_step,
            max_percent,
            days_between,
        })
    };
    for (rule, field, message) in [
        (
            own(None, Some(20.0), 0.0),
            Field::OwnDays,
            "Your days between rises: at least 1",
        ),
        (
            own(Some(0.0), Some(20.0), 7.0),
            Field::OwnStep,
            "Your largest rise per step: must be greater than 0",
        ),
        (
            own(None, Some(-1.0), 7.0),
            Field::OwnPercent,
            "Your largest rise per step (%): must be greater than 0",
        ),
        (
            own(None, Some(f64::INFINITY), 7.0),
            Field::OwnPercent,
            "Your largest rise per step (%): must be a finite number",
        ),
        (
            own(None, None, 7.0),
            Field::TitrationRule,
            "Titration rule: set the largest rise per step (an amount, a percent, or both) as a positive number",
        ),
    ] {
        i.own_rule = rule;
        let e = plan_titration(&i, &lib).err().ok_or("planned with a bad rule")?;
        assert_eq!((e.field, e.to_string().as_str()), (field, message));
    }
    Ok(())
}

/// Bad numbers are refused at their field; a target that needs too many rises is refused.
#[test]
fn bad_titration_input_is_refused() -> TestResult {
    let lib = library()?;
    for (current, target, conc, field) in [
        (f64::NAN, 9.6, 25.0, Field::DailyDose),
        (2.4, 0.0, 25.0, Field::TitrationTarget),
        (2.4, 9.6, -1.0, Field::Concentration),
    ] {
        let e = plan_titration(&input("ziconotide", current, target, conc), &lib)
            .err()
            .ok_or("planned")?;
        assert_eq!(e.field, field);
    }
    let far = plan_titration(&input("ziconotide", 0.1, 1_000.0, 25.0), &lib)
        .err()
        .ok_or("planned")?;
    assert_eq!(far.field, Field::TitrationTarget);
    // The planner plans rises: a target at or below the current dose is refused at the target.
    let down = plan_titration(&input("ziconotide", 9.6, 4.8, 25.0), &lib)
        .err()
        .ok_or("planned a decrease")?;
    assert_eq!(down.field, Field::TitrationTarget);
    // A fill at or below the alarm volume cannot project the alarm: refused at the fill.
    let mut empty = input("ziconotide", 2.4, 4.8, 25.0);
    empty.fill = Some(fill(2.0, at(2026, 12, 1, 9, 0)));
    assert_eq!(
        plan_titration(&empty, &lib).err().map(|e| e.field),
        Some(Field::FillVolume)
    );
    Ok(())
}

/// The refills along the way. Ziconotide 2.4 → 9.6 mcg/day at 25 mcg/mL from Tue 1 Dec 09:00 (rises
/// on 1, 5 and 9 Dec), a 3.5 mL fill then with the alarm at 2 mL: 1.5 mL to deliver. Dec 1–5 at
/// 0.192 mL/day: 0.768 mL; 0.732 mL left at 0.288 mL/day: 2.541 666… days = 2 days 13 h: refill by
/// Mon 7 Dec 22:00. Refilled to 3.5 mL then: 1.5 mL again; to Wed 9 Dec 09:00 (1 day 11 h =
/// 1.458 333… days) at 0.288: 0.42 mL; 1.08 mL left at 0.384 mL/day: 2.8125 days = 2 days 19 h
/// 30 min: refill by Sat 12 Dec 04:30, after the last rise, where the list ends.
#[test]
fn the_refills_along_the_way_follow_the_titrated_rates() -> TestResult {
    let mut i = input("ziconotide", 2.4, 9.6, 25.0);
    i.fill = Some(fill(3.5, at(2026, 12, 1, 9, 0)));
    let plan = plan_titration(&i, &library()?)?;
    let dates: Vec<_> = plan.refills.iter().map(|r| r.at).collect();
    assert_eq!(dates, vec![at(2026, 12, 7, 22, 0), at(2026, 12, 12, 4, 30)]);
    assert!(
        plan.refills
            .iter()
            .all(|r| matches!(r.binding.reason, RefillReason::PumpRule { fast_edge: None, .. })),
        "{:?}",
        plan.refills
    );
    // A stability of 3 days binds first: 1 Dec 09:00 + 3 days = Fri 4 Dec 09:00, then Mon 7 Dec
    // 09:00 (3 days again, before the pump's rule counted from 4 Dec: 1 day at 0.192 and 4 at 0.288
    // are 1.344 mL by 9 Dec 09:00, the last 0.156 mL at 0.384 take 0.406 25 days: Wed 9 Dec 18:45),
    // and so on to the first after the last rise (Wed 9 Dec): Thu 10 Dec 09:00.
    let mut f = fill(3.5, at(2026, 12, 1, 9, 0));
    let three_days = (
        Days::new(3.0)?,
        RefillReason::Stability {
            drug: "ziconotide".into(),
            days: Days::new(3.0)?,
            condition: "test".into(),
            dilution_unknown: false,
        },
    );
    f.stability = Some(three_days.clone());
    f.later_stability = Some(three_days);
    i.fill = Some(f);
    let plan = plan_titration(&i, &library()?)?;
    let dates: Vec<_> = plan.refills.iter().map(|r| r.at).collect();
    assert_eq!(
        dates,
        vec![at(2026, 12, 4, 9, 0), at(2026, 12, 7, 9, 0), at(2026, 12, 10, 9, 0)]
    );
    Ok(())
}

/// From an evaluated plan (`docs/example-ziconotide-refill.json`: SynchroMed II, 18.6 mL on Wed 25 Nov
/// 09:00, alarm 2 mL, ziconotide 25 mcg/mL with no stock strength entered), the planner takes the
/// pump's flow accuracy (+14.5 %) and the shorter stability (40 days diluted, as the dilution is not
/// known). Titrated 2.4 → 9.6 from Tue 1 Dec, the pump's rule at the fast edge: 16.6 mL to deliver;
/// 6 days × 0.096 × 1.145 = 0.659 52, 4 × 0.192 × 1.145 = 0.879 36, 4 × 0.288 × 1.145 = 1.319 04 by
/// 9 Dec (2.857 92 mL); 13.742 08 mL left at 0.384 × 1.145 = 0.439 68 mL/day: 31.2547 days, Sat 9
/// Jan 2027 15:06. Stability: 25 Nov + 40 days = Mon 4 Jan 2027 09:00, which binds.
#[test]
fn an_evaluated_plan_gives_the_pump_accuracy_and_the_shortest_stability() -> TestResult {
    let lib = library()?;
    let plan = load_file("docs/example-ziconotide-refill.json")?.plan;
    let (outcome, _) = run(&plan)?;
    let f =
        TitrationFill::of(&plan, &outcome, &common::catalogue()?, &lib).ok_or("a plan without boluses has a fill")?;
    assert_eq!(f.fast_edge, Some(14.5));
    assert!(matches!(f.rule, RuleVolume::Alarm(_)), "{:?}", f.rule);
    let days = f.stability.as_ref().map(|(d, _)| d.value());
    assert!(days.is_some_and(|d| (d - 40.0).abs() < 1e-12), "{days:?}");
    let mut i = input("ziconotide", 2.4, 9.6, 25.0);
    i.fill = Some(f);
    let titrated = plan_titration(&i, &lib)?;
    let first = titrated.refills.first().ok_or("a refill")?;
    assert_eq!(first.at, at(2027, 1, 4, 9, 0));
    assert!(
        matches!(first.binding.reason, RefillReason::Stability { .. }),
        "{first:?}"
    );
    assert_eq!(titrated.refills.len(), 1, "the first refill is after the last rise");
    Ok(())
}

/// The pump's rule at the fast edge of the flow accuracy (+14.5 %), no stability: the 3.5 mL fill of
/// the test above (1.5 mL to deliver) at 1.145 times each rate. Dec 1–5 at 0.192 × 1.145 = 0.219 84
/// mL/day: 0.879 36 mL; 0.620 64 mL left at 0.288 × 1.145 = 0.329 76 mL/day: 1.882 096 days = 45 h
/// 10 min (to the minute, down): refill by Mon 7 Dec 06:10 (at the programmed rate it was 22:00).
/// Then 1.5 mL again: to Wed 9 Dec 09:00 (2 days 2 h 50 min = 2.118 056 days) 0.698 45 mL; 0.801 55
/// mL left at 0.384 × 1.145 = 0.439 68 mL/day: 1.823 03 days = 43 h 45 min: Fri 11 Dec 04:45.
#[test]
fn the_refills_err_early_at_the_fast_edge_of_the_flow_accuracy() -> TestResult {
    let mut i = input("ziconotide", 2.4, 9.6, 25.0);
    let mut f = fill(3.5, at(2026, 12, 1, 9, 0));
    f.fast_edge = Some(14.5);
    i.fill = Some(f);
    let plan = plan_titration(&i, &library()?)?;
    let dates: Vec<_> = plan.refills.iter().map(|r| r.at).collect();
    assert_eq!(dates, vec![at(2026, 12, 7, 6, 10), at(2026, 12, 11, 4, 45)]);
    assert!(
        plan.refills.iter().all(|r| matches!(
            r.binding.reason,
            RefillReason::PumpRule { fast_edge: Some(a), .. } if (a - 14.5).abs() < 1e-12
        )),
        "{:?}",
        plan.refills
    );
    Ok(())
}

/// A new pump's first fill of ziconotide (`docs/example-ziconotide-refill.json` as a new pump): the
/// label's 14 days for the first fill (rinse) binds the first refill, 25 Nov + 14 days = Wed 9 Dec
/// 09:00; the refills after it take the 40 days after the first refill (diluted, the dilution not
/// known), not 14 again.
#[test]
fn a_new_pump_has_its_first_fill_stability_then_the_later_one() -> TestResult {
    let lib = library()?;
    let mut plan = load_file("docs/example-ziconotide-refill.json")?.plan;
    plan.fill.new_pump = true;
    let (outcome, _) = run(&plan)?;
    let f = TitrationFill::of(&plan, &outcome, &common::catalogue()?, &lib).ok_or("a fill")?;
    let days = |s: &Option<(Days, RefillReason)>| s.as_ref().map(|(d, _)| d.value());
    assert!(
        days(&f.stability).is_some_and(|d| (d - 14.0).abs() < 1e-12),
        "{:?}",
        f.stability
    );
    assert!(
        days(&f.later_stability).is_some_and(|d| (d - 40.0).abs() < 1e-12),
        "{:?}",
        f.later_stability
    );
    let mut i = input("ziconotide", 2.4, 9.6, 25.0);
    i.fill = Some(f);
    let titrated = plan_titration(&i, &lib)?;
    let first = titrated.refills.first().ok_or("a refill")?;
    assert_eq!(first.at, at(2026, 12, 9, 9, 0));
    assert!(
        matches!(first.binding.reason, RefillReason::Stability { .. }),
        "{first:?}"
    );
    assert!(
        titrated
            .refills
            .iter()
            .skip(1)
            .all(|r| !matches!(&r.binding.reason, RefillReason::Stability { days, .. } if (days.value() - 14.0).abs() < 1e-12)),
        "{:?}",
        titrated.refills
    );
    Ok(())
}
