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
    // 09:00 (3 days again, before the pump's rule at 22:00 counted from 4 Dec), and so on to the
    // first after the last rise (Wed 9 Dec): Thu 10 Dec 09:00.
    let mut f = fill(3.5, at(2026, 12, 1, 9, 0));
    f.stability = Some((
        Days::new(3.0)?,
        RefillReason::Stability {
            drug: "ziconotide".into(),
            days: Days::new(3.0)?,
            condition: "test".into(),
            dilution_unknown: false,
        },
    ));
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
/// 9 Dec (2.857 92 mL); 13.742 08 mL left at 0.384 × 1.145 = 0.439 68 mL/day: 31.25 days, about
/// Sun 10 Jan 2027. Stability: 25 Nov + 40 days = Mon 4 Jan 2027 09:00, which binds.
#[test]
fn an_evaluated_plan_gives_the_pump_accuracy_and_the_shortest_stability() -> TestResult {
    let lib = library()?;
    let plan = load_file("docs/example-ziconotide-refill.json")?.plan;
    let (outcome, _) = run(&plan)?;
    let f = TitrationFill::of(&plan, &outcome).ok_or("a plan without boluses has a fill")?;
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
