//! Regression tests for defects found in review: each would have given a wrong number, a panic or
//! a silent change.
#![cfg(not(target_arch = "wasm32"))]
// The helpers build quantities from literal constants; a bad literal should stop the test loudly.
#![allow(clippy::expect_used)]

use itdose::engine::{
    AnyConcentration, AnyDoseRate, Basal, Catalogue, CurrentTotal, Cycle, DrugLibrary, FlexStep, Hours, MassFamily,
    Millilitres, MlPerDay, MriScan, PeriodicBolus, Plan, PlanStatus, Report, Schedule, Severity, evaluate,
};
use itdose::form::PlanForm;
use jiff::civil::{date, time};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn ziconotide_plan(concentration: f64, dose: f64) -> Result<Plan, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/example-ziconotide-refill.json"
    ))?;
    let mut plan = Plan::from_json(&text).map_err(|e| e.to_string())?;
    if let Some(line) = plan.drugs.first_mut() {
        line.concentration = Some(AnyConcentration::new(MassFamily::Mcg, concentration)?);
        line.daily_dose = Some(AnyDoseRate::new(MassFamily::Mcg, dose)?);
    }
    Ok(plan)
}

fn run(plan: &Plan) -> Result<Report, Vec<itdose::engine::Error>> {
    evaluate(
        plan,
        &Catalogue::builtin().expect("catalogue"),
        &DrugLibrary::builtin().expect("library"),
    )
}

/// Weekly steps Mon 00:00 0.08 mL/day, Mon 12:00 1.44 mL/day, Tue 12:00 0.08 mL/day: the 24 hours
/// from Mon 12:00 hold 1.44 mL (36 mcg at 25 mcg/mL), though no calendar day holds more than
/// 0.08 × ½ + 1.44 × ½ = 0.76 mL.
#[test]
fn the_24_hour_maximum_is_over_any_24_hours_not_a_calendar_day() {
    let rate = |v: f64| MlPerDay::new(v).expect("literal");
    let schedule = Schedule {
        basal: Basal::Flex {
            cycle: Cycle::Week,
            steps: vec![
                FlexStep {
                    day: 0,
                    start: time(0, 0, 0, 0),
                    rate: rate(0.08),
                },
                FlexStep {
                    day: 0,
                    start: time(12, 0, 0, 0),
                    rate: rate(1.44),
                },
                FlexStep {
                    day: 1,
                    start: time(12, 0, 0, 0),
                    rate: rate(0.08),
                },
            ],
        },
        ..Schedule::continuous(rate(0.08))
    };
    assert!(
        (schedule.daily_volumes().basal.value() - 1.44).abs() < 1e-12,
        "{}",
        schedule.daily_volumes().basal.value()
    );
}

#[test]
fn huge_durations_are_errors_not_panics() -> TestResult {
    let mut plan = ziconotide_plan(25.0, 2.4)?;
    plan.csf.mri = Some(MriScan {
        at: date(2026, 12, 1).at(9, 0, 0, 0),
        duration: Hours::new(1e16)?,
    });
    assert!(run(&plan).is_err());
    Ok(())
}

#[test]
fn a_bolus_every_few_seconds_is_refused_quickly() -> TestResult {
    let mut plan = ziconotide_plan(25.0, 2.4)?;
    plan.boluses.periodic = vec![PeriodicBolus {
        volume: Millilitres::new(0.0001)?,
        duration: Hours::new(0.0001)?,
        interval: Hours::new(0.0001)?,
        first: date(2026, 11, 25).at(9, 0, 0, 0),
    }];
    let errors = run(&plan).err().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e.to_string().contains("over a million boluses")),
        "{errors:?}"
    );
    Ok(())
}

/// 19.2 mcg/day at 18.5 mcg/mL is exactly the label maximum (19.200000000000003 in floating point).
#[test]
fn a_dose_exactly_at_a_limit_is_not_above_it() -> TestResult {
    let report = run(&ziconotide_plan(18.5, 19.2)?).map_err(|e| format!("{e:?}"))?;
    assert!(
        report.findings.iter().all(|f| f.severity != Severity::Hard),
        "{:?}",
        report.findings
    );
    assert_ne!(report.status, PlanStatus::Blocked);
    Ok(())
}

#[test]
fn an_mri_before_the_fill_is_refused() -> TestResult {
    let mut plan = ziconotide_plan(25.0, 2.4)?;
    plan.csf.mri = Some(MriScan {
        at: date(2026, 1, 10).at(9, 0, 0, 0),
        duration: Hours::new(1.0)?,
    });
    let errors = run(&plan).err().unwrap_or_default();
    assert!(
        errors
            .first()
            .is_some_and(|e| e.to_string().contains("is before the fill")),
        "{errors:?}"
    );
    Ok(())
}

#[test]
fn importing_a_plan_keeps_every_digit() -> TestResult {
    let plan = ziconotide_plan(12.345, 2.4681)?;
    let form = PlanForm::from_plan(&plan, &DrugLibrary::builtin()?);
    let line = form.drugs.first().ok_or("no line")?;
    assert_eq!(
        (line.concentration.as_str(), line.daily_dose.as_str()),
        ("12.345", "2.4681")
    );
    assert_eq!(
        form.to_plan(&Catalogue::builtin()?, &DrugLibrary::builtin()?)
            .map_err(|e| format!("{e:?}"))?,
        plan
    );
    Ok(())
}

#[test]
fn half_a_model_override_is_an_error_not_ignored() -> TestResult {
    let mut form = PlanForm::from_plan(&ziconotide_plan(25.0, 2.4)?, &DrugLibrary::builtin()?);
    if let Some(line) = form.drugs.first_mut() {
        line.csf.half_life_hours = "3".into();
    }
    let errors = form
        .to_plan(&Catalogue::builtin()?, &DrugLibrary::builtin()?)
        .err()
        .unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e.to_string().contains("enter both the CSF half-life and the volume")),
        "{errors:?}"
    );
    Ok(())
}

#[test]
fn current_programme_in_the_wrong_unit_family_is_refused() -> TestResult {
    let mut plan = ziconotide_plan(25.0, 2.4)?;
    plan.current_programme = vec![CurrentTotal {
        drug: "ziconotide".into(),
        daily_maximum: AnyDoseRate::new(MassFamily::Mg, 0.0024)?,
    }];
    let errors = run(&plan).err().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e
            .to_string()
            .contains("mg/day was entered, but ziconotide is dosed in mcg/day")),
        "{errors:?}"
    );
    Ok(())
}
