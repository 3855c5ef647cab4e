//! Catheter transit, refill mixing, bridge and priming boluses, worked by hand.
#![cfg(not(target_arch = "wasm32"))]
// The helpers build quantities from literal constants; a bad literal should stop the test loudly.
#![allow(clippy::expect_used)]

use itdose::engine::{
    AnyConcentration, Basal, Cycle, DeadVolume, FlexStep, MassFamily, Millilitres, MlPerDay, Schedule, bridge_bolus,
    format::Display, mixed_concentration, priming_bolus, tip_arrival,
};
use jiff::civil::{date, time};

fn ml(v: f64) -> Millilitres {
    Millilitres::new(v).expect("literal")
}
fn mg_ml(v: f64) -> AnyConcentration {
    AnyConcentration::new(MassFamily::Mg, v).expect("literal")
}

/// domain.md §4: 0.16 mL of catheter at 0.048 mL/day is more than three days:
///   0.16 ÷ 0.048 = 3.333 days = 3 days 8 h → filled Wed 25 Nov 2026 09:00, at the tip Sat 28 Nov 17:00.
#[test]
fn new_solution_reaches_the_tip_at_a_constant_rate() -> Result<(), Box<dyn std::error::Error>> {
    let schedule = Schedule::continuous(MlPerDay::new(0.048)?);
    let (at, days) = tip_arrival(&schedule, ml(20.0), date(2026, 11, 25).at(9, 0, 0, 0), ml(0.16))?;
    assert_eq!(days.ismp(), "3.333 days");
    assert_eq!(at, date(2026, 11, 28).at(17, 0, 0, 0));
    Ok(())
}

/// The rate changes midway (flex): 0.1 mL/day from 00:00, 0.3 mL/day from 12:00. Filled at
/// 00:00 with 0.25 mL ahead of the new solution: day 1 delivers 0.1 × ½ + 0.3 × ½ = 0.2 mL;
/// 0.05 mL more at 0.1 mL/day takes 12 h → the tip at 12:00 on day 2 (Thu 26 Nov 12:00).
#[test]
fn new_solution_reaches_the_tip_when_the_rate_changes_midway() -> Result<(), Box<dyn std::error::Error>> {
    let schedule = Schedule {
        basal: Basal::Flex {
            cycle: Cycle::Day,
            steps: vec![
                FlexStep {
                    day: 0,
                    start: time(0, 0, 0, 0),
                    rate: MlPerDay::new(0.1)?,
                },
                FlexStep {
                    day: 0,
                    start: time(12, 0, 0, 0),
                    rate: MlPerDay::new(0.3)?,
                },
            ],
        },
        ..Schedule::continuous(MlPerDay::new(0.1)?)
    };
    let (at, _) = tip_arrival(&schedule, ml(20.0), date(2026, 11, 25).at(0, 0, 0, 0), ml(0.25))?;
    assert_eq!(at, date(2026, 11, 26).at(12, 0, 0, 0));
    Ok(())
}

/// 1.4 mL residual of morphine 10 mg/mL + 18.6 mL fill of 20 mg/mL:
///   (10 × 1.4 + 20 × 18.6) ÷ 20 = (14 + 372) ÷ 20 = 19.3 mg/mL.
/// A drug only in the new fill is diluted by the residual: 100 mcg/mL × 18.6 ÷ 20 = 93 mcg/mL.
#[test]
fn refill_onto_a_residual_mixes() -> Result<(), Box<dyn std::error::Error>> {
    let mixed = mixed_concentration(Some(mg_ml(10.0)), ml(1.4), Some(mg_ml(20.0)), ml(18.6))?;
    assert_eq!(mixed.map(AnyConcentration::ismp).as_deref(), Some("19.3 mg/mL"));
    let clonidine = mixed_concentration(
        None,
        ml(1.4),
        Some(AnyConcentration::new(MassFamily::Mcg, 100.0)?),
        ml(18.6),
    )?;
    assert_eq!(clonidine.map(AnyConcentration::ismp).as_deref(), Some("93 mcg/mL"));
    assert!(
        mixed_concentration(
            Some(mg_ml(10.0)),
            ml(1.4),
            Some(AnyConcentration::new(MassFamily::Mcg, 10.0)?),
            ml(18.6)
        )
        .is_err()
    );
    Ok(())
}

/// Old morphine 10 mg/mL at 2 mg/day → old rate 0.2 mL/day; 0.16 mL ahead of the new solution:
///   duration 0.16 ÷ 0.2 = 0.8 day (19.2 h); old drug delivered 0.16 × 10 = 1.6 mg.
#[test]
fn bridge_bolus_volume_and_rate() -> Result<(), Box<dyn std::error::Error>> {
    let bridge = bridge_bolus(ml(0.16), mg_ml(10.0), MlPerDay::new(0.2)?)?;
    assert_eq!(
        (
            bridge.volume.ismp(),
            bridge.rate.ismp(),
            bridge.duration.ismp(),
            bridge.old_drug_delivered.ismp()
        ),
        (
            "0.16 mL".into(),
            "0.2 mL/day".into(),
            "0.8 days".into(),
            "1.6 mg".into()
        )
    );
    Ok(())
}

/// Prometra catheter: 110 cm − 21 cm trimmed = 89 cm × 0.0026 mL/cm = 0.2314 mL; with 0.14 mL of
/// tubing ahead of it the priming volume is 0.3714 mL, holding 3.714 mg of 10 mg/mL morphine.
#[test]
fn priming_bolus_fills_tubing_and_catheter() -> Result<(), Box<dyn std::error::Error>> {
    let dead = DeadVolume::with_catheter(ml(0.14), 110.0 - 21.0, 0.0026)?;
    assert_eq!(dead.catheter.ismp(), "0.2314 mL");
    let priming = priming_bolus(&dead, mg_ml(10.0));
    assert_eq!(
        (priming.volume.ismp(), priming.drug_in_dead_volume.ismp()),
        ("0.3714 mL".into(), "3.714 mg".into())
    );
    assert!(DeadVolume::with_catheter(ml(0.0), -1.0, 0.0026).is_err());
    Ok(())
}
