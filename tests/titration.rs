//! The titration planner: the steps each drug's rule allows, with their dates and rates, and the
//! low-reservoir alarm under the titrated rates. Worked examples with the arithmetic written out.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{TestResult, at, library};
use itdose::engine::{Field, OwnRule, TitrationInput, plan_titration};

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
    i.fill = Some((20.0, at(2026, 12, 1, 9, 0), 2.0));
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
    empty.fill = Some((2.0, at(2026, 12, 1, 9, 0), 2.0));
    assert_eq!(
        plan_titration(&empty, &lib).err().map(|e| e.field),
        Some(Field::FillVolume)
    );
    Ok(())
}
