//! The programme: one to four drugs in one reservoir set by the lead drug's dose, by the rate or
//! by a constant-flow pump's fixed rate; flex basal programmes; the continuous worked examples;
//! the compounding worksheet; and every input error, each at its field and location.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    MCG, MG, TestResult, close, conc, constant_flow, current, dose, element_ids, errors, figure, filled, finding,
    findings, line, messages, ml, morphine_40, per_day, plan, run,
};
use itdose::engine::{
    AnyConcentration, AnyDoseRate, CompoundingLine, Cycle, DrugLine, Error, Field, FlexDoseStep, FlexProgramme, Mark,
    MgPerDay, MgPerMl, Millilitres, Plan, PlanStatus, Problem, Programme, Severity, format::Display, worksheet,
};
use itdose::form::{DrugForm, FlexForm, FlexStepForm, PeriodicForm, PlanForm, SingleForm};
use jiff::civil::date;

/// SynchroMed II 20 mL, 20 mL fill, alarm 2 mL; morphine 5 mg/mL (lead), bupivacaine 2.5 mg/mL,
/// cloNIDine 100 mcg/mL.
fn admixture(morphine_dose: f64) -> Plan {
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 5.0, morphine_dose);
    p.drugs.push(line("bupivacaine", MG, 2.5, None));
    p.drugs.push(line("clonidine", MCG, 100.0, None));
    p
}

/// Each drug's daily dose as shown.
fn doses(outcome: &itdose::engine::Outcome) -> Vec<String> {
    outcome.drugs.iter().map(|d| d.daily_dose.ismp()).collect()
}

// -------------------------------------------------------------------------------------------------
// Admixtures: lead dose and rate.
// -------------------------------------------------------------------------------------------------

/// Titrated by morphine:
///   1 mg/day ÷ 5 mg/mL = 0.2 mL/day
///   bupivacaine 0.2 mL/day × 2.5 mg/mL = 0.5 mg/day; cloNIDine 0.2 × 100 mcg/mL = 20 mcg/day
///   days to alarm (20 − 2) ÷ 0.2 = 90; 25 Nov 2026 09:00 + 90 days = Tue 23 Feb 2027 09:00
/// Raising morphine to 2 mg/day doubles the rate and every dose:
///   2 ÷ 5 = 0.4 mL/day; bupivacaine 1 mg/day; cloNIDine 40 mcg/day; (20 − 2) ÷ 0.4 = 45 days
/// Admixtures and drugs other than morphine, ziconotide (and baclofen) are off-label in a
/// SynchroMed II (FDA safety communication, 14 Nov 2018): soft findings, never a block. With no
/// residual entered, 20 mL + the 1.4 mL a SynchroMed II can keep = 21.4 mL > 20 mL: a soft
/// "residual unknown" too (SynchroMed II dead space 1.4 mL).
#[test]
fn three_drug_admixture_titrated_by_morphine() -> TestResult {
    let (outcome, report) = run(&admixture(1.0))?;
    assert_eq!(outcome.flow_rate.ismp(), "0.2 mL/day");
    assert_eq!(doses(&outcome), ["1 mg/day", "0.5 mg/day", "20 mcg/day"]);
    assert_eq!(
        outcome.nominal().map(|p| p.alarm_at),
        Some(date(2027, 2, 23).at(9, 0, 0, 0))
    );
    assert_eq!(outcome.status, PlanStatus::NeedsAcknowledgement);
    let soft: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Soft)
        .map(|f| {
            format!(
                "{} {} {} {}",
                f.key.rule,
                f.key.drug.as_deref().unwrap_or("-"),
                f.key.bound.as_deref().unwrap_or("-"),
                f.key.value.as_deref().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        soft,
        [
            "off_label bupivacaine synchromed-ii-20 -",
            "off_label clonidine synchromed-ii-20 -",
            "off_label.admixture - - morphine+bupivacaine+clonidine",
            "residual_unknown - 20 mL 20 mL",
        ]
    );
    assert!(outcome.drugs.first().is_some_and(|d| d.lead));
    assert_eq!(
        report.drugs.iter().map(|d| d.heading.as_str()).collect::<Vec<_>>(),
        ["morphine (lead drug)", "bupivacaine", "cloNIDine"]
    );
    assert_eq!(
        report.summary,
        "morphine 5 mg/mL at 1 mg/day; bupivacaine 2.5 mg/mL at 0.5 mg/day; cloNIDine 100 mcg/mL at 20 mcg/day"
    );

    let (outcome, report) = run(&admixture(2.0))?;
    assert_eq!(outcome.flow_rate.ismp(), "0.4 mL/day");
    assert_eq!(doses(&outcome), ["2 mg/day", "1 mg/day", "40 mcg/day"]);
    assert_eq!(figure(&report, "Days to low-reservoir alarm"), Some("45 days"));
    Ok(())
}

/// Setting the rate instead: 0.3 mL/day × 5 mg/mL = 1.5 mg/day morphine; × 2.5 = 0.75 mg/day
/// bupivacaine; × 100 = 30 mcg/day cloNIDine. No drug leads.
#[test]
fn rate_mode_sets_every_dose() -> TestResult {
    let mut p = admixture(1.0);
    p.programme = Programme::Rate {
        flow_rate: per_day(0.3),
    };
    let (outcome, report) = run(&p)?;
    assert_eq!(doses(&outcome), ["1.5 mg/day", "0.75 mg/day", "30 mcg/day"]);
    assert!(outcome.drugs.iter().all(|d| !d.lead));
    assert_eq!(figure(&report, "Flow rate"), Some("0.3 mL/day"));
    Ok(())
}

/// The reverse calculations agree: 0.5 mL/day × 4 mg/mL = 2 mg/day (rate programme), and
/// 2 mg/day ÷ 4 mg/mL = 0.5 mL/day (lead-dose programme).
#[test]
fn rate_and_lead_dose_are_reverse_calculations() -> TestResult {
    let mut by_rate = plan("synchromed-ii-40", 40.0, "morphine", MG, 4.0, 2.0);
    by_rate.programme = Programme::Rate {
        flow_rate: per_day(0.5),
    };
    let (outcome, _) = run(&by_rate)?;
    let daily = outcome.drugs.first().map(|d| d.daily_dose.value()).ok_or("no drug")?;
    assert!(close(daily, 2.0), "{daily}");
    let (outcome, _) = run(&plan("synchromed-ii-40", 40.0, "morphine", MG, 4.0, 2.0))?;
    assert!(close(outcome.flow_rate.value(), 0.5), "{}", outcome.flow_rate.value());
    Ok(())
}

/// Constant-flow pump, 30 mL, fixed rate 1 mL/day (from its label); targets morphine 4 mg/day
/// and cloNIDine 150 mcg/day:
///   morphine 4 mg/day ÷ 1 mL/day = 4 mg/mL; cloNIDine 150 mcg/day ÷ 1 mL/day = 150 mcg/mL
///   30 mL fill, refill volume 2 mL: (30 − 2) ÷ 1 = 28 days
/// A lead-dose (or rate) programme is refused on a constant-flow pump: its rate is fixed; and a
/// constant-flow programme is refused on a programmable pump.
#[test]
fn constant_flow_pump_solves_concentrations() -> TestResult {
    let p = constant_flow(30.0, 1.0, 30.0, &[("morphine", MG, 4.0), ("clonidine", MCG, 150.0)]);
    let (outcome, report) = run(&p)?;
    let concentrations: Vec<String> = outcome.drugs.iter().map(|d| d.concentration.ismp()).collect();
    assert_eq!(concentrations, ["4 mg/mL", "150 mcg/mL"]);
    assert_eq!(
        outcome.nominal().map(|p| p.days_to_alarm.ismp()).as_deref(),
        Some("28 days")
    );
    assert!(outcome.pump.constant_flow);
    // The constant-flow pump's drift is named (catalogue, from its labelling).
    assert!(
        findings(&report, "pump.rate_drift").first().is_some_and(
            |f| f.severity == Severity::Info && f.message.starts_with("Constant-flow pump: The rate drifts")
        ),
        "{:?}",
        report.findings
    );

    let wrong = Plan {
        programme: Programme::LeadDose { lead: 0 },
        ..p.clone()
    };
    let errs = errors(&wrong)?;
    assert_eq!(errs.iter().map(|e| e.field).collect::<Vec<_>>(), [Field::Programme]);
    assert_eq!(
        messages(&errs),
        ["Programme: a constant-flow pump's rate is fixed: set each drug's target dose (constant-flow programme)"]
    );
    let mut programmable = morphine_40();
    programmable.programme = Programme::ConstantFlow;
    assert_eq!(
        messages(&errors(&programmable)?),
        ["Programme: a constant-flow programme needs a constant-flow pump"]
    );
    Ok(())
}

/// A constant-flow pump needs its capacity and its rate; a zero rate is refused.
#[test]
fn constant_flow_pump_needs_its_capacity_and_rate() -> TestResult {
    let mut p = constant_flow(30.0, 1.0, 30.0, &[("morphine", MG, 4.0)]);
    p.pump.fixed_rate = None;
    assert_eq!(errors(&p)?, vec![Error::new(Field::FixedRate, Problem::Missing)]);
    p.pump.fixed_rate = Some(per_day(0.0));
    assert_eq!(errors(&p)?, vec![Error::new(Field::FixedRate, Problem::Zero)]);
    p.pump.fixed_rate = Some(per_day(1.0));
    p.pump.capacity = None;
    assert_eq!(errors(&p)?, vec![Error::new(Field::PumpCapacity, Problem::Missing)]);
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// The continuous worked examples, through the evaluation.
// -------------------------------------------------------------------------------------------------

/// The acceptance example: SynchroMed II 40 mL, 40 mL of morphine 10 mg/mL, 2 mg/day,
/// alarm at 2 mL.
///   flow rate     = 2 mg/day ÷ 10 mg/mL           = 0.2 mL/day
///   days to alarm = (40 mL − 2 mL) ÷ 0.2 mL/day   = 190 days
///   days to empty = 40 mL ÷ 0.2 mL/day            = 200 days
///   alarm date    = 25 Nov 2026 09:00 + 190 days  = Thu 3 Jun 2027 09:00
///                   (Nov 25→30: 5, Dec 31, Jan 31, Feb 28, Mar 31, Apr 30, May 31 = 187 → 31 May; +3 = 3 Jun)
///   empty date    = 25 Nov 2026 09:00 + 200 days  = Sun 13 Jun 2027 09:00
///   drug in pump  = 40 mL × 10 mg/mL              = 400 mg
/// 38 ÷ 0.2 in floating point is 189.99999999999997; rounding down to the minute must still give
/// 09:00, not 08:59. The rate is within the pump's range and the alarm is the recommended 2 mL:
/// no pump caution.
#[test]
fn worked_example_morphine_40_ml() -> TestResult {
    let (outcome, report) = run(&morphine_40())?;
    let nominal = outcome.nominal().ok_or("no projection")?;
    assert!(close(outcome.flow_rate.value(), 0.2));
    assert!(close(nominal.days_to_alarm.value(), 190.0));
    assert!(close(nominal.days_to_empty.value(), 200.0));
    let drug = outcome.drugs.first().ok_or("no drug")?;
    assert!(close(drug.in_reservoir.value(), 400.0));
    assert_eq!(outcome.flow_rate.ismp(), "0.2 mL/day");
    assert_eq!(nominal.days_to_alarm.ismp(), "190 days");
    assert_eq!(nominal.alarm_at, date(2027, 6, 3).at(9, 0, 0, 0));
    assert_eq!(nominal.empty_at, date(2027, 6, 13).at(9, 0, 0, 0));
    assert_eq!(
        figure(&report, "Low-reservoir alarm date"),
        Some("Thu 3 Jun 2027, 09:00")
    );
    assert_eq!(figure(&report, "Empty date"), Some("Sun 13 Jun 2027, 09:00"));
    assert_eq!(figure(&report, "morphine in reservoir at fill"), Some("400 mg"));
    assert!(finding(&report, "pump.").is_none(), "{:?}", report.findings);
    Ok(())
}

/// Ziconotide at the SynchroMed II minimum rate, in micrograms:
///   25 mcg/mL undiluted × 0.048 mL/day = 1.2 mcg/day (domain.md §4, lowest undiluted dose)
///   20 mL fill, alarm 2 mL: (20 − 2) ÷ 0.048 = 375 days; 20 ÷ 0.048 = 416.67 days
///   375 days: 25 Nov 2026 + 365 = 25 Nov 2027, + 10 = Sun 5 Dec 2027 09:00
///   416.666… days = 416 days + 16 h: 25 Nov 2026 + 365 d = 25 Nov 2027; + 51 d = 15 Jan 2028;
///   09:00 + 16 h = Sun 16 Jan 2028 01:00
#[test]
fn worked_example_ziconotide_minimum_rate() -> TestResult {
    let (outcome, _) = run(&plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 1.2))?;
    let nominal = outcome.nominal().ok_or("no projection")?;
    assert!(close(outcome.flow_rate.value(), 0.048));
    assert_eq!(
        outcome.drugs.first().map(|d| d.daily_dose.ismp()).as_deref(),
        Some("1.2 mcg/day")
    );
    assert!(close(nominal.days_to_alarm.value(), 375.0));
    assert!(close(nominal.days_to_empty.value(), 20.0 / 0.048));
    assert_eq!(nominal.days_to_empty.ismp(), "416.7 days");
    assert_eq!(nominal.alarm_at, date(2027, 12, 5).at(9, 0, 0, 0));
    assert_eq!(nominal.empty_at, date(2028, 1, 16).at(1, 0, 0, 0));
    Ok(())
}

/// The fill must fit the pump: 40 mL in a SynchroMed II 20 mL is refused, naming the bound.
#[test]
fn fill_above_capacity_is_refused_naming_the_bound() -> TestResult {
    let mut p = morphine_40();
    p.pump.model = "synchromed-ii-20".into();
    let errs = errors(&p)?;
    assert_eq!(errs.iter().map(|e| e.field).collect::<Vec<_>>(), [Field::FillVolume]);
    assert_eq!(
        messages(&errs),
        ["Fill volume: 40 mL is above the pump capacity of 20 mL"]
    );
    Ok(())
}

/// Zero where only a positive value makes sense is an error at its field (and drug line).
#[test]
fn zero_inputs_are_errors_at_their_field() -> TestResult {
    type Edit = fn(&mut Plan);
    let cases: [(Edit, Error); 4] = [
        (
            |p| p.fill.volume = Millilitres::ZERO,
            Error::new(Field::FillVolume, Problem::Zero),
        ),
        (
            |p| {
                if let Some(l) = p.drugs.first_mut() {
                    l.concentration = Some(conc(MG, 0.0));
                }
            },
            Error::new(Field::Concentration, Problem::Zero).for_drug(0),
        ),
        (
            |p| {
                if let Some(l) = p.drugs.first_mut() {
                    l.daily_dose = Some(dose(MG, 0.0));
                }
            },
            Error::new(Field::DailyDose, Problem::Zero).for_drug(0),
        ),
        (
            |p| p.fill.low_reservoir_alarm = Millilitres::ZERO,
            Error::new(Field::LowReservoirAlarm, Problem::Zero),
        ),
    ];
    for (edit, expected) in cases {
        let mut p = morphine_40();
        edit(&mut p);
        assert_eq!(errors(&p)?, vec![expected.clone()], "{expected}");
    }
    Ok(())
}

/// Negative and non-finite numbers never become quantities; the error names its field.
#[test]
fn negative_and_non_finite_numbers_never_become_quantities() {
    for value in [-1.0, -0.001, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(Millilitres::new(value).is_err(), "{value}");
        assert!(MgPerMl::new(value).is_err(), "{value}");
        assert!(MgPerDay::new(value).is_err(), "{value}");
        assert!(AnyConcentration::new(MCG, value).is_err(), "{value}");
        assert!(AnyDoseRate::new(MG, value).is_err(), "{value}");
    }
    let err = Millilitres::new(-2.0).map_err(|e| e.at(Field::FillVolume).to_string());
    assert_eq!(err, Err("Fill volume: cannot be negative".to_owned()));
}

/// The alarm must be strictly below the fill: 2 mL filled with a 2 mL alarm is refused.
#[test]
fn alarm_must_be_below_the_fill_volume() -> TestResult {
    let mut p = morphine_40();
    p.fill.volume = ml(2.0);
    assert_eq!(
        messages(&errors(&p)?),
        ["Low-reservoir alarm: 2 mL must be below the fill volume of 2 mL"]
    );
    Ok(())
}

/// 0.2 mg/day at 10 mg/mL = 0.02 mL/day, below the SynchroMed II's 0.048 mL/day (V): refused.
/// 0.48 mg/day = 0.048 mL/day exactly: accepted.
#[test]
fn rate_below_the_pump_minimum_is_refused() -> TestResult {
    let mut p = morphine_40();
    if let Some(l) = p.drugs.first_mut() {
        l.daily_dose = Some(dose(MG, 0.2));
    }
    let errs = errors(&p)?;
    assert_eq!(errs.iter().map(|e| e.field).collect::<Vec<_>>(), [Field::FlowRate]);
    assert_eq!(
        messages(&errs),
        ["Flow rate: 0.02 mL/day is below the pump's minimum rate of 0.048 mL/day"]
    );
    if let Some(l) = p.drugs.first_mut() {
        l.daily_dose = Some(dose(MG, 0.48));
    }
    let (outcome, _) = run(&p)?;
    assert_eq!(outcome.flow_rate.ismp(), "0.048 mL/day");
    Ok(())
}

/// The commonly cited 24 mL/day maximum is unverified (U): crossing it cautions, never blocks.
/// 300 mg/day ÷ 10 mg/mL = 30 mL/day > 24 mL/day; 240 mg/day = 24 mL/day exactly is no caution.
#[test]
fn unverified_maximum_rate_only_cautions() -> TestResult {
    let mut p = morphine_40();
    if let Some(l) = p.drugs.first_mut() {
        l.daily_dose = Some(dose(MG, 300.0));
    }
    let (outcome, report) = run(&p)?;
    assert!(close(outcome.flow_rate.value(), 30.0));
    assert_ne!(outcome.status, PlanStatus::Blocked);
    let caution = finding(&report, "pump.maximum_rate").ok_or("no maximum-rate caution")?;
    assert_eq!(
        (caution.severity, caution.mark),
        (Severity::Soft, Some(Mark::Unverified))
    );
    assert_eq!(caution.key.bound.as_deref(), Some("24"));
    assert_eq!(caution.key.value.as_deref(), Some("30 mL/day"));
    assert_eq!(
        caution.message,
        "Flow rate 30 mL/day is above the pump's maximum rate of 24 mL/day."
    );
    if let Some(l) = p.drugs.first_mut() {
        l.daily_dose = Some(dose(MG, 240.0));
    }
    let (_, report) = run(&p)?;
    assert!(finding(&report, "pump.maximum_rate").is_none());
    Ok(())
}

/// An alarm below the pump's recommended 2 mL cautions (soft); the alarm date follows it:
/// (40 − 1) ÷ 0.2 = 195 days.
#[test]
fn alarm_below_the_recommended_volume_cautions() -> TestResult {
    let mut p = morphine_40();
    p.fill.low_reservoir_alarm = ml(1.0);
    let (outcome, report) = run(&p)?;
    let caution = finding(&report, "pump.alarm_below_recommended").ok_or("no alarm caution")?;
    assert_eq!(caution.severity, Severity::Soft);
    assert_eq!(
        caution.message,
        "Low-reservoir alarm 1 mL is below the recommended 2 mL: withdrawal has been reported with residuals above 2 mL."
    );
    assert!(close(outcome.nominal().map_or(0.0, |n| n.days_to_alarm.value()), 195.0));
    Ok(())
}

/// A custom pump with no minimum rate and a tiny dose: 1e-9 mg/day at 10 mg/mL runs for
/// (40 − 2) ÷ 1e-10 = 3.8e11 days, which no calendar can show: the schedule refuses it (anything
/// beyond 10 years), not a panic nor an overflow.
#[test]
fn an_absurd_interval_is_an_error_not_a_panic() -> TestResult {
    let mut p = morphine_40();
    p.pump.model = "custom".into();
    p.pump.capacity = Some(ml(40.0));
    if let Some(l) = p.drugs.first_mut() {
        l.daily_dose = Some(dose(MG, 1e-9));
    }
    let errs = errors(&p)?;
    let e = errs.first().ok_or("no error")?;
    assert_eq!(e.field, Field::Schedule, "{errs:?}");
    assert!(matches!(e.problem, Problem::OutOfRange { .. }), "{errs:?}");
    assert_eq!(
        messages(&errs),
        ["Schedule: out of range: the reservoir would last more than 10 years; check the rates"]
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Flex basal programmes.
// -------------------------------------------------------------------------------------------------

fn step(day: u8, start: &str, daily: f64) -> FlexDoseStep {
    FlexDoseStep {
        day,
        start: start.into(),
        daily_dose: dose(MG, daily),
    }
}

/// Morphine 10 mg/mL in a SynchroMed II 40 mL with flex steps of `cycle`.
fn flex(cycle: Cycle, steps: Vec<FlexDoseStep>) -> Plan {
    let mut p = morphine_40();
    p.flex = Some(FlexProgramme { cycle, steps });
    p
}

/// Steps 00:00 2 mg/day, 08:00 4 mg/day, 20:00 2 mg/day at 10 mg/mL (0.2, 0.4, 0.2 mL/day):
///   0.2 × 8/24 + 0.4 × 12/24 + 0.2 × 4/24 = 0.0667 + 0.2 + 0.0333 = 0.3 mL in 24 h → 3 mg/day
/// The 08:00 step typed per hour as per day, 96 mg/day (9.6 mL/day):
///   0.0667 + 9.6 × 12/24 + 0.0333 = 4.9 mL in 24 h → 49 mg/day, 16.3 times as much.
/// The flow rate figure shows the range of the steps.
#[test]
fn flex_programme_24_hour_total() -> TestResult {
    let (outcome, report) = run(&flex(
        Cycle::Day,
        vec![step(0, "00:00", 2.0), step(0, "08:00", 4.0), step(0, "20:00", 2.0)],
    ))?;
    assert!(
        close(outcome.daily_volumes.basal.value(), 0.3),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(close(outcome.daily_volumes.maximum.value(), 0.3));
    assert!(close(outcome.drugs.first().map_or(0.0, |d| d.daily_dose.value()), 3.0));
    assert_eq!(figure(&report, "Flow rate"), Some("flex: 0.2 to 0.4 mL/day"));
    let (outcome, _) = run(&flex(
        Cycle::Day,
        vec![step(0, "00:00", 2.0), step(0, "08:00", 96.0), step(0, "20:00", 2.0)],
    ))?;
    assert!(
        close(outcome.daily_volumes.basal.value(), 4.9),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(close(outcome.drugs.first().map_or(0.0, |d| d.daily_dose.value()), 49.0));
    Ok(())
}

/// A 7-day cycle: 2 mg/day (0.2 mL/day) all week, but Saturday 00:00 – Sunday 00:00 at
/// 10 mg/day (1 mL/day). The heaviest 24 hours are Saturday's: 1 mL → 10 mg/day.
#[test]
fn weekly_flex_takes_the_heaviest_day() -> TestResult {
    let (outcome, _) = run(&flex(
        Cycle::Week,
        vec![step(0, "00:00", 2.0), step(5, "00:00", 10.0), step(6, "00:00", 2.0)],
    ))?;
    assert!(
        close(outcome.daily_volumes.basal.value(), 1.0),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(close(outcome.drugs.first().map_or(0.0, |d| d.daily_dose.value()), 10.0));
    Ok(())
}

/// Found in review: weekly steps Mon 00:00 0.8 mg/day (0.08 mL/day), Mon 12:00 14.4 mg/day
/// (1.44 mL/day), Tue 12:00 0.8 mg/day: the 24 hours from Mon 12:00 hold 1.44 mL (14.4 mg),
/// though no calendar day holds more than 0.08 × ½ + 1.44 × ½ = 0.76 mL.
#[test]
fn the_24_hour_maximum_is_over_any_24_hours_not_a_calendar_day() -> TestResult {
    let (outcome, _) = run(&flex(
        Cycle::Week,
        vec![step(0, "00:00", 0.8), step(0, "12:00", 14.4), step(1, "12:00", 0.8)],
    ))?;
    assert!(
        close(outcome.daily_volumes.basal.value(), 1.44),
        "{:?}",
        outcome.daily_volumes
    );
    assert!(close(outcome.drugs.first().map_or(0.0, |d| d.daily_dose.value()), 14.4));
    Ok(())
}

/// A flex step of 0 mg/day is a rate of 0 mL/day, below the SynchroMed II's minimum of
/// 0.048 mL/day: an error at that step (the pump cannot run below its minimum), not a pause. On a
/// pump with no minimum rate in the catalogue (Prometra II) a step of 0 is refused too.
#[test]
fn a_flex_step_of_zero_is_below_the_pump_minimum() -> TestResult {
    let errs = errors(&flex(Cycle::Day, vec![step(0, "08:00", 2.0), step(0, "20:00", 0.0)]))?;
    assert_eq!(element_ids(&errs), ["flex-1-flow_rate"]);
    assert_eq!(
        messages(&errs),
        ["Flex step 2, flow rate: 0 mL/day is below the pump's minimum rate of 0.048 mL/day"]
    );
    let mut prometra = flex(Cycle::Day, vec![step(0, "08:00", 2.0), step(0, "20:00", 0.0)]);
    prometra.pump.model = "prometra-ii-40".into();
    let errs = errors(&prometra)?;
    assert_eq!(element_ids(&errs), ["flex-1-flow_rate"]);
    assert_eq!(messages(&errs), ["Flex step 2, flow rate: must be greater than 0"]);
    Ok(())
}

/// Flex steps are the lead drug's dose: a step in the other unit family (mcg for morphine), or a
/// start that is not HH:MM, is an error at that step; a flex programme with a rate programme is
/// refused.
#[test]
fn flex_step_errors_are_at_their_step() -> TestResult {
    let mut wrong = flex(Cycle::Day, vec![step(0, "08:00", 2.0), step(0, "25:00", 2.0)]);
    if let Some(f) = wrong.flex.as_mut() {
        f.steps.push(FlexDoseStep {
            day: 0,
            start: "20:00".into(),
            daily_dose: dose(MCG, 2000.0),
        });
    }
    let errs = errors(&wrong)?;
    assert_eq!(element_ids(&errs), ["flex-1-start", "flex-2-dose"]);
    assert!(
        messages(&errs)
            .last()
            .is_some_and(|m| m == "Flex step 3, dose: mcg/day was entered, but morphine is dosed in mg/day: re-enter it in mg/day (nothing is converted)"),
        "{errs:?}"
    );
    let mut by_rate = flex(Cycle::Day, vec![step(0, "08:00", 2.0)]);
    by_rate.programme = Programme::Rate {
        flow_rate: per_day(0.2),
    };
    assert_eq!(
        messages(&errors(&by_rate)?),
        ["Programme: flex steps are set as the lead drug's dose: choose a lead-dose programme"]
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Drug lines: unit families, missing, unknown and repeated drugs.
// -------------------------------------------------------------------------------------------------

/// cloNIDine 0.1 mg/mL is 100 mcg/mL, but it must be entered in mcg: refused, never converted.
#[test]
fn wrong_unit_family_is_refused_not_converted() -> TestResult {
    let mut p = admixture(1.0);
    if let Some(clonidine) = p.drugs.get_mut(2) {
        clonidine.concentration = Some(conc(MG, 0.1));
    }
    let errs = errors(&p)?;
    assert_eq!(element_ids(&errs), ["drug-2-concentration"]);
    assert_eq!(
        messages(&errs),
        [
            "Drug 3, concentration: mg/mL was entered, but cloNIDine is dosed in mcg/mL: re-enter it in mcg/mL (nothing is converted)"
        ]
    );
    Ok(())
}

/// The stock, the solution being replaced and the current programme are checked for their unit
/// family too: ziconotide (mcg) with a stock of 0.1 mg/mL, an old solution of 0.01 mg/mL and a
/// current programme of 0.0024 mg/day — three errors at drug line 1.
#[test]
fn every_value_of_a_drug_is_in_its_unit_family() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 2.4);
    if let Some(l) = p.drugs.first_mut() {
        l.stock = Some(conc(MG, 0.1));
    }
    p.csf.previous = vec![itdose::engine::PreviousDrug {
        drug: "ziconotide".into(),
        concentration: conc(MG, 0.01),
    }];
    p.current_programme = vec![current("ziconotide", MG, 0.0024)];
    let errs = errors(&p)?;
    assert_eq!(
        element_ids(&errs),
        ["drug-0-stock_strength", "drug-0-previous", "drug-0-schedule"]
    );
    assert!(
        messages(&errs)
            .iter()
            .any(|m| m.contains("mg/day was entered, but ziconotide is dosed in mcg/day")),
        "{errs:?}"
    );
    Ok(())
}

/// A drug twice, a drug not in the library, five drugs, and a missing concentration: each named
/// at its line (or at the list).
#[test]
fn missing_and_unknown_drugs_name_their_line() -> TestResult {
    let mut p = admixture(1.0);
    p.drugs.push(line("clonidine", MCG, 100.0, None));
    assert_eq!(
        messages(&errors(&p)?),
        ["Drug 4, drug: cloNIDine is already in the reservoir"]
    );
    if let Some(l) = p.drugs.get_mut(3) {
        l.drug = "heroin".into();
    }
    let errs = errors(&p)?;
    assert_eq!(
        messages(&errs),
        ["Drug 4, drug: \u{201c}heroin\u{201d} is not in the drug library"]
    );
    assert_eq!(element_ids(&errs), ["drug-3-drug"]);
    p.drugs.push(line("fentanyl", MCG, 50.0, None));
    assert_eq!(
        messages(&errors(&p)?),
        ["Drugs: 5 drugs given; a reservoir holds 1 to 4"]
    );
    p.drugs.clear();
    assert_eq!(
        messages(&errors(&p)?),
        ["Drugs: 0 drugs given; a reservoir holds 1 to 4"]
    );

    let mut missing = admixture(1.0);
    if let Some(l) = missing.drugs.get_mut(1) {
        l.concentration = None;
    }
    assert_eq!(
        errors(&missing)?,
        vec![Error::new(Field::Concentration, Problem::Missing).for_drug(1)]
    );
    let mut no_dose = admixture(1.0);
    if let Some(l) = no_dose.drugs.first_mut() {
        l.daily_dose = None;
    }
    assert_eq!(
        errors(&no_dose)?,
        vec![Error::new(Field::DailyDose, Problem::Missing).for_drug(0)]
    );
    let mut no_lead = admixture(1.0);
    no_lead.programme = Programme::LeadDose { lead: 3 };
    assert_eq!(messages(&errors(&no_lead)?), ["Lead drug: line 4 does not exist"]);
    Ok(())
}

/// An unknown pump is refused by name.
#[test]
fn an_unknown_pump_is_refused() -> TestResult {
    let mut p = morphine_40();
    p.pump.model = "nope".into();
    assert_eq!(messages(&errors(&p)?), ["Pump: unknown pump \u{201c}nope\u{201d}"]);
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// The compounding worksheet.
// -------------------------------------------------------------------------------------------------

/// 20 mL fill + 2 mL to prime the refill kit = 22 mL, from stocks morphine 25 mg/mL,
/// bupivacaine 7.5 mg/mL, cloNIDine 500 mcg/mL:
///   morphine    5 mg/mL × 22 mL ÷ 25 mg/mL     = 4.4 mL   (110 mg)
///   bupivacaine 2.5 mg/mL × 22 mL ÷ 7.5 mg/mL  = 7.333 mL (55 mg)
///   cloNIDine   100 mcg/mL × 22 mL ÷ 500 mcg/mL = 4.4 mL  (2,200 mcg)
///   diluent     22 − (4.4 + 7.3333 + 4.4)      = 5.867 mL
#[test]
fn compounding_worksheet() -> TestResult {
    let lines = [
        CompoundingLine {
            drug: "morphine".into(),
            target: conc(MG, 5.0),
            stock: conc(MG, 25.0),
        },
        CompoundingLine {
            drug: "bupivacaine".into(),
            target: conc(MG, 2.5),
            stock: conc(MG, 7.5),
        },
        CompoundingLine {
            drug: "cloNIDine".into(),
            target: conc(MCG, 100.0),
            stock: conc(MCG, 500.0),
        },
    ];
    let w = worksheet(ml(20.0), ml(2.0), &lines)?;
    assert_eq!(w.total_volume.ismp(), "22 mL");
    let volumes: Vec<String> = w.lines.iter().map(|l| l.stock_volume.ismp()).collect();
    assert_eq!(volumes, ["4.4 mL", "7.333 mL", "4.4 mL"]);
    let amounts: Vec<String> = w.lines.iter().map(|l| l.amount.ismp()).collect();
    assert_eq!(amounts, ["110 mg", "55 mg", "2,200 mcg"]);
    assert_eq!(w.diluent_volume.ismp(), "5.867 mL");
    let total: f64 = w.lines.iter().map(|l| l.stock_volume.value()).sum::<f64>() + w.diluent_volume.value();
    assert!(close(total, 22.0), "stock + diluent = total volume");
    Ok(())
}

/// The same worksheet through the evaluation, when every line has a stock (the report's words).
#[test]
fn the_worksheet_is_in_the_report_when_every_line_has_a_stock() -> TestResult {
    let mut p = admixture(1.0);
    for (l, stock) in p
        .drugs
        .iter_mut()
        .zip([conc(MG, 25.0), conc(MG, 7.5), conc(MCG, 500.0)])
    {
        l.stock = Some(stock);
    }
    p.extra_volume = Some(ml(2.0));
    let (outcome, report) = run(&p)?;
    assert!(outcome.compounding.is_some());
    let rows: Vec<(String, String)> = report
        .worksheet
        .iter()
        .map(|f| (f.name.clone(), f.display.clone()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "Total volume to compound".into(),
                "22 mL (20 mL fill + 2 mL to prime the refill kit)".into()
            ),
            (
                "morphine stock to draw up".into(),
                "4.4 mL of 25 mg/mL (target 5 mg/mL; 110 mg in total)".into()
            ),
            (
                "bupivacaine stock to draw up".into(),
                "7.333 mL of 7.5 mg/mL (target 2.5 mg/mL; 55 mg in total)".into()
            ),
            (
                "cloNIDine stock to draw up".into(),
                "4.4 mL of 500 mcg/mL (target 100 mcg/mL; 2,200 mcg in total)".into()
            ),
            ("Diluent".into(), "5.867 mL".into()),
        ]
    );
    // Without a stock on every line there is no worksheet.
    if let Some(l) = p.drugs.get_mut(1) {
        l.stock = None;
    }
    let (outcome, report) = run(&p)?;
    assert!(outcome.compounding.is_none() && report.worksheet.is_empty());
    Ok(())
}

/// Stocks that cannot make the bag are refused: one weaker than its target; stocks each strong
/// enough but together too dilute (20 × 5/7.5 + 20 × 6/10 = 13.333 + 12 = 25.33 mL > 20 mL);
/// a stock in the other unit family.
#[test]
fn compounding_refuses_stocks_that_cannot_make_the_bag() -> TestResult {
    let weak = [CompoundingLine {
        drug: "bupivacaine".into(),
        target: conc(MG, 10.0),
        stock: conc(MG, 7.5),
    }];
    let err = worksheet(ml(20.0), ml(0.0), &weak).err().ok_or("expected an error")?;
    assert_eq!(
        err.to_string(),
        "Drug 1, stock strength: 7.5 mg/mL is below the target concentration of bupivacaine of 10 mg/mL"
    );
    let together = [
        CompoundingLine {
            drug: "bupivacaine".into(),
            target: conc(MG, 5.0),
            stock: conc(MG, 7.5),
        },
        CompoundingLine {
            drug: "morphine".into(),
            target: conc(MG, 6.0),
            stock: conc(MG, 10.0),
        },
    ];
    let err = worksheet(ml(20.0), ml(0.0), &together)
        .err()
        .ok_or("expected an error")?;
    assert_eq!(
        err.to_string(),
        "Stock strength: the stocks are too dilute: together they need 25.33 mL of stock for 20 mL in total"
    );
    let wrong = [CompoundingLine {
        drug: "cloNIDine".into(),
        target: conc(MCG, 100.0),
        stock: conc(MG, 0.5),
    }];
    assert!(matches!(
        worksheet(ml(20.0), ml(0.0), &wrong),
        Err(Error {
            problem: Problem::WrongFamily { .. },
            ..
        })
    ));
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// The form: every bad field reported at once, at its location.
// -------------------------------------------------------------------------------------------------

/// A valid form: SynchroMed II 40 mL, 40 mL of morphine 10 mg/mL at 2 mg/day.
fn form() -> PlanForm {
    PlanForm {
        pump_id: "synchromed-ii-40".into(),
        fill_volume: "40".into(),
        low_reservoir_alarm: "2".into(),
        fill_date: "2026-11-25".into(),
        fill_time: "09:00".into(),
        drugs: vec![DrugForm {
            concentration: "10".into(),
            daily_dose: "2".into(),
            ..DrugForm::for_drug("morphine", MG)
        }],
        new_pump: Some(false),
        ..PlanForm::default()
    }
}

/// The valid form converts to the issue-2 plan: 2 mg/day ÷ 10 mg/mL = 0.2 mL/day.
#[test]
fn a_valid_form_is_the_worked_example() -> TestResult {
    let (catalogue, library) = (common::catalogue()?, common::library()?);
    let p = form().to_plan(&catalogue, &library).map_err(|e| format!("{e:?}"))?;
    assert_eq!(p.fill.filled_at, filled());
    let (outcome, _) = run(&p)?;
    assert_eq!(outcome.flow_rate.ismp(), "0.2 mL/day");
    Ok(())
}

/// Every bad field at once, each at its element id: a flex step's start (25:00), the second
/// periodic bolus's volume (abc), a single bolus's duration (0 minutes), the visit's withdrawn
/// volume (missing while its date is entered), the drug line's CSF half-life (x, and with it the
/// volume the half-life needs), and the MRI's duration (0 minutes).
#[test]
fn every_bad_form_field_is_reported_at_its_location() -> TestResult {
    let mut f = form();
    f.flex = FlexForm {
        enabled: true,
        cycle: Cycle::Day,
        steps: vec![FlexStepForm {
            start: "25:00".into(),
            dose: "2".into(),
            unit: MG,
            ..FlexStepForm::default()
        }],
    };
    let good_periodic = PeriodicForm {
        volume: "0.1".into(),
        duration_minutes: "15".into(),
        interval_hours: "8".into(),
        first_date: "2026-11-26".into(),
        first_time: "09:00".into(),
    };
    f.periodic = vec![
        good_periodic.clone(),
        PeriodicForm {
            volume: "abc".into(),
            ..good_periodic
        },
    ];
    f.single = vec![SingleForm {
        volume: "0.5".into(),
        duration_minutes: "0".into(),
        date: "2026-11-26".into(),
        time: "12:00".into(),
    }];
    f.visit.date = "2027-01-04".into();
    f.visit.time = "09:00".into();
    if let Some(d) = f.drugs.first_mut() {
        d.csf.half_life_hours = "x".into();
    }
    f.csf.mri_date = "2026-12-01".into();
    f.csf.mri_time = "09:00".into();
    f.csf.mri_minutes = "0".into();
    let errs = f
        .to_plan(&common::catalogue()?, &common::library()?)
        .err()
        .ok_or("the form converted")?;
    assert_eq!(
        element_ids(&errs),
        [
            "flex-0-start",
            "periodic-1-volume",
            "single-0-duration",
            "visit-withdrawn",
            "mri-duration",
            "drug-0-half_life",
            "drug-0-csf_volume",
        ]
    );
    Ok(())
}

/// Half a CSF model override (a half-life without its volume) is an error, never a silent fall
/// back to the library's model.
#[test]
fn half_a_model_override_is_an_error_not_ignored() -> TestResult {
    let mut f = form();
    if let Some(d) = f.drugs.first_mut() {
        d.csf.half_life_hours = "3".into();
    }
    let errs = f
        .to_plan(&common::catalogue()?, &common::library()?)
        .err()
        .ok_or("the form converted")?;
    assert_eq!(element_ids(&errs), ["drug-0-csf_volume"]);
    assert!(
        messages(&errs)
            .iter()
            .any(|m| m.contains("enter both the CSF half-life and the volume")),
        "{errs:?}"
    );
    Ok(())
}

/// A drug with new-pump rules (ziconotide) needs the question "first fill of a new pump?"
/// answered; nothing defaults silently.
#[test]
fn the_new_pump_question_must_be_answered_for_ziconotide() -> TestResult {
    let mut f = form();
    f.new_pump = None;
    f.drugs = vec![DrugForm {
        concentration: "25".into(),
        daily_dose: "2.4".into(),
        ..DrugForm::for_drug("ziconotide", MCG)
    }];
    let (catalogue, library) = (common::catalogue()?, common::library()?);
    let errs = f.to_plan(&catalogue, &library).err().ok_or("the form converted")?;
    assert_eq!(element_ids(&errs), ["new_pump"]);
    assert_eq!(
        messages(&errs),
        [
            "First fill of a new pump: ziconotide has rules for a new pump: answer whether this is the first fill of a new pump"
        ]
    );
    f.new_pump = Some(false);
    assert!(f.to_plan(&catalogue, &library).is_ok());
    Ok(())
}

/// The form's drug line keeps the condition the drug is given for (baclofen), trimmed; an empty
/// condition is none.
#[test]
fn the_form_keeps_the_condition() -> TestResult {
    let mut f = form();
    f.drugs = vec![DrugForm {
        concentration: "500".into(),
        daily_dose: "300".into(),
        condition: " spasticity of spinal origin ".into(),
        ..DrugForm::for_drug("baclofen", MCG)
    }];
    let (catalogue, library) = (common::catalogue()?, common::library()?);
    let p = f.to_plan(&catalogue, &library).map_err(|e| format!("{e:?}"))?;
    assert_eq!(
        p.drugs.first().and_then(|l| l.condition.as_deref()),
        Some("spasticity of spinal origin")
    );
    if let Some(d) = f.drugs.first_mut() {
        d.condition = "  ".into();
    }
    let p = f.to_plan(&catalogue, &library).map_err(|e| format!("{e:?}"))?;
    assert_eq!(p.drugs.first().map(|l: &DrugLine| l.condition.clone()), Some(None));
    Ok(())
}
