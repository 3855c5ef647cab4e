//! Worked examples for the single-drug continuous plan, with the arithmetic written out.
#![cfg(not(target_arch = "wasm32"))]

use itdose::engine::{
    Catalogue, ContinuousInput, Days, Error, Field, McgPerDay, McgPerMl, MgPerDay, MgPerMl, Millilitres, MlPerDay,
    Problem, PumpSpec, daily_dose_for_rate, flow_rate_for_dose, format::Display, plan_continuous,
};
use jiff::civil::{DateTime, date};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Relative tolerance for float results computed by one or two operations.
const TOL: f64 = 1e-12;

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= TOL * expected.abs().max(1.0)
}

fn pump(id: &str) -> Result<PumpSpec, Box<dyn std::error::Error>> {
    let catalogue = Catalogue::builtin()?;
    let model = catalogue.get(id).ok_or("pump not in catalogue")?;
    Ok(model.spec(None)?)
}

fn filled_at() -> DateTime {
    date(2026, 11, 25).at(9, 0, 0, 0)
}

fn morphine_40ml() -> Result<ContinuousInput<itdose::engine::Mg>, Box<dyn std::error::Error>> {
    Ok(ContinuousInput {
        pump: pump("synchromed-ii-40")?,
        fill_volume: Millilitres::new(40.0)?,
        concentration: MgPerMl::new(10.0)?,
        daily_dose: MgPerDay::new(2.0)?,
        low_reservoir_alarm: Millilitres::new(2.0)?,
        filled_at: filled_at(),
    })
}

/// The acceptance example: SynchroMed II 40 mL, 40 mL of morphine 10 mg/mL, 2 mg/day,
/// alarm at 2 mL.
///   flow rate     = 2 mg/day ÷ 10 mg/mL           = 0.2 mL/day
///   days to alarm = (40 mL − 2 mL) ÷ 0.2 mL/day   = 190 days
///   days to empty = 40 mL ÷ 0.2 mL/day            = 200 days
///   alarm date    = 25 Nov 2026 09:00 + 190 days  = 3 Jun 2027 09:00
///                   (Nov 25→30: 5, Dec 31, Jan 31, Feb 28, Mar 31, Apr 30, May 31 = 187 → 31 May; +3 = 3 Jun)
///   empty date    = 25 Nov 2026 09:00 + 200 days  = 13 Jun 2027 09:00
///   drug in pump  = 40 mL × 10 mg/mL              = 400 mg
#[test]
fn worked_example_morphine_40_ml() -> TestResult {
    let plan = plan_continuous(&morphine_40ml()?)?;
    assert!(close(plan.flow_rate.value(), 0.2));
    assert!(close(plan.days_to_alarm.value(), 190.0));
    assert!(close(plan.days_to_empty.value(), 200.0));
    assert!(close(plan.drug_in_reservoir.value(), 400.0));
    assert_eq!(plan.flow_rate.ismp(), "0.2 mL/day");
    assert_eq!(plan.days_to_alarm.ismp(), "190 days");
    // 38 / 0.2 in floating point is 189.99999999999997; rounding down to the minute must still
    // give 09:00, not 08:59.
    assert_eq!(plan.alarm_at, date(2027, 6, 3).at(9, 0, 0, 0));
    assert_eq!(plan.empty_at, date(2027, 6, 13).at(9, 0, 0, 0));
    assert!(plan.cautions.is_empty());
    Ok(())
}

/// Ziconotide at the SynchroMed II minimum rate, in micrograms:
///   25 mcg/mL undiluted × 0.048 mL/day = 1.2 mcg/day (domain.md §4, lowest undiluted dose)
///   20 mL fill, alarm 2 mL: (20 − 2) ÷ 0.048 = 375 days; 20 ÷ 0.048 = 416.67 days
///   416.666… days = 416 days + 16 h
///   25 Nov 2026 + 365 d = 25 Nov 2027; + 51 d = 15 Jan 2028; 09:00 + 16 h = 16 Jan 2028 01:00
#[test]
fn worked_example_ziconotide_minimum_rate() -> TestResult {
    let dose = daily_dose_for_rate(MlPerDay::new(0.048)?, McgPerMl::new(25.0)?)?;
    assert!(close(dose.value(), 1.2));
    assert_eq!(dose.ismp(), "1.2 mcg/day");

    let plan = plan_continuous(&ContinuousInput {
        pump: pump("synchromed-ii-20")?,
        fill_volume: Millilitres::new(20.0)?,
        concentration: McgPerMl::new(25.0)?,
        daily_dose: McgPerDay::new(1.2)?,
        low_reservoir_alarm: Millilitres::new(2.0)?,
        filled_at: filled_at(),
    })?;
    assert!(close(plan.flow_rate.value(), 0.048));
    assert!(close(plan.days_to_alarm.value(), 375.0));
    assert!(close(plan.days_to_empty.value(), 20.0 / 0.048));
    assert_eq!(plan.days_to_empty.ismp(), "416.7 days");
    assert_eq!(plan.empty_at, date(2028, 1, 16).at(1, 0, 0, 0));
    // 375 days: 25 Nov 2026 + 365 = 25 Nov 2027, + 10 = 5 Dec 2027, 09:00
    assert_eq!(plan.alarm_at, date(2027, 12, 5).at(9, 0, 0, 0));
    Ok(())
}

#[test]
fn reverse_calculation_round_trips() -> TestResult {
    // 0.5 mL/day × 4 mg/mL = 2 mg/day, and 2 mg/day ÷ 4 mg/mL = 0.5 mL/day
    let dose = daily_dose_for_rate(MlPerDay::new(0.5)?, MgPerMl::new(4.0)?)?;
    assert!(close(dose.value(), 2.0));
    let rate = flow_rate_for_dose(dose, MgPerMl::new(4.0)?)?;
    assert!(close(rate.value(), 0.5));
    Ok(())
}

#[test]
fn volume_falls_linearly_and_never_below_zero() -> TestResult {
    let plan = plan_continuous(&morphine_40ml()?)?;
    // 40 mL − 0.2 mL/day × 50 days = 30 mL
    assert!(close(plan.volume_at(Days::new(50.0)?).value(), 30.0));
    assert_eq!(plan.volume_at(Days::new(500.0)?), Millilitres::ZERO);
    Ok(())
}

#[test]
fn fill_above_capacity_is_blocked_naming_the_bound() -> TestResult {
    let mut input = morphine_40ml()?;
    input.pump = pump("synchromed-ii-20")?;
    let err = plan_continuous(&input).err().ok_or("expected an error")?;
    assert_eq!(err.field, Field::FillVolume);
    assert_eq!(
        err.to_string(),
        "Fill volume: 40 mL is above the pump capacity of 20 mL"
    );
    Ok(())
}

#[test]
fn zero_inputs_are_errors_at_their_field() -> TestResult {
    type Edit = Box<dyn Fn(&mut ContinuousInput<itdose::engine::Mg>)>;
    let cases: Vec<(Edit, Field)> = vec![
        (Box::new(|i| i.fill_volume = Millilitres::ZERO), Field::FillVolume),
        (
            Box::new(|i| i.concentration = MgPerMl::new(0.0).unwrap_or(i.concentration)),
            Field::Concentration,
        ),
        (
            Box::new(|i| i.daily_dose = MgPerDay::new(0.0).unwrap_or(i.daily_dose)),
            Field::DailyDose,
        ),
        (
            Box::new(|i| i.low_reservoir_alarm = Millilitres::ZERO),
            Field::LowReservoirAlarm,
        ),
    ];
    for (edit, field) in cases {
        let mut input = morphine_40ml()?;
        edit(&mut input);
        assert_eq!(
            plan_continuous(&input),
            Err(Error::new(field, Problem::Zero)),
            "{field}"
        );
    }
    Ok(())
}

#[test]
fn negative_and_non_finite_numbers_never_become_quantities() {
    for value in [-1.0, -0.001, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(Millilitres::new(value).is_err(), "{value}");
        assert!(MgPerMl::new(value).is_err(), "{value}");
        assert!(MgPerDay::new(value).is_err(), "{value}");
    }
    let err = Millilitres::new(-2.0).map_err(|e| e.at(Field::FillVolume).to_string());
    assert_eq!(err, Err("Fill volume: cannot be negative".to_owned()));
}

#[test]
fn alarm_must_be_below_fill_volume() -> TestResult {
    let mut input = morphine_40ml()?;
    input.fill_volume = Millilitres::new(2.0)?;
    let err = plan_continuous(&input).err().ok_or("expected an error")?;
    assert_eq!(
        err.to_string(),
        "Low-reservoir alarm: 2 mL must be below the fill volume of 2 mL"
    );
    Ok(())
}

/// 0.2 mg/day at 10 mg/mL = 0.02 mL/day, below SynchroMed II's 0.048 mL/day (V).
#[test]
fn rate_below_pump_minimum_is_blocked() -> TestResult {
    let mut input = morphine_40ml()?;
    input.daily_dose = MgPerDay::new(0.2)?;
    let err = plan_continuous(&input).err().ok_or("expected an error")?;
    assert_eq!(err.field, Field::FlowRate);
    assert_eq!(
        err.to_string(),
        "Flow rate: 0.02 mL/day is below the pump's minimum rate of 0.048 mL/day"
    );
    Ok(())
}

/// The commonly cited 24 mL/day maximum is unverified: crossing it cautions, never blocks.
/// 300 mg/day ÷ 10 mg/mL = 30 mL/day > 24 mL/day.
#[test]
fn unverified_maximum_rate_only_cautions() -> TestResult {
    let mut input = morphine_40ml()?;
    input.daily_dose = MgPerDay::new(300.0)?;
    let plan = plan_continuous(&input)?;
    assert!(close(plan.flow_rate.value(), 30.0));
    let caution = plan.cautions.first().ok_or("expected a caution")?;
    assert_eq!(caution.field, Field::FlowRate);
    assert!(
        caution
            .message
            .contains("30 mL/day is above the pump's maximum rate of 24 mL/day (unverified")
    );
    Ok(())
}

#[test]
fn alarm_below_recommended_cautions() -> TestResult {
    let mut input = morphine_40ml()?;
    input.low_reservoir_alarm = Millilitres::new(1.0)?;
    let plan = plan_continuous(&input)?;
    assert!(plan.cautions.iter().any(|c| c.field == Field::LowReservoirAlarm));
    // (40 − 1) ÷ 0.2 = 195 days
    assert!(close(plan.days_to_alarm.value(), 195.0));
    Ok(())
}

/// A custom pump with no minimum rate and a tiny dose: 1e-9 mg/day at 10 mg/mL runs for
/// 4e11 days, which no calendar should show; the engine refuses instead of overflowing.
#[test]
fn absurd_interval_is_an_error_not_a_panic() -> TestResult {
    let catalogue = Catalogue::builtin()?;
    let custom = catalogue.get("custom").ok_or("no custom pump")?;
    let mut input = morphine_40ml()?;
    input.pump = custom.spec(Some(Millilitres::new(40.0)?))?;
    input.daily_dose = MgPerDay::new(1e-9)?;
    let err = plan_continuous(&input).err().ok_or("expected an error")?;
    assert_eq!(err.field, Field::FlowRate);
    assert!(matches!(err.problem, Problem::OutOfRange { .. }));
    Ok(())
}
