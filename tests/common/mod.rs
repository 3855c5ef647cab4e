//! Shared helpers of the native integration tests: quantities from literals, plan builders,
//! evaluation into an outcome and its report, plan files read through `load`, and look-ups of a
//! figure by name or a finding by its key's rule.
//!
//! Every test file uses some of them (`mod common;`), none uses all.
#![allow(dead_code)]

pub mod shown;

use itdose::engine::report::{self, FindingView, Report};
use itdose::engine::{
    AckKey, Acknowledgement, AnyConcentration, AnyDoseRate, Catalogue, CurrentTotal, DrugLibrary, DrugLine, Error,
    Fill, FindingKey, Hours, Loaded, MassFamily, Millilitres, MlPerDay, Outcome, Plan, Programme, PumpChoice,
    SingleBolus, Visit, evaluate, format::format_date_time, load,
};
use jiff::civil::{DateTime, date};

/// A test's result: `?` on any failure.
pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A failure, boxed.
pub type Failure = Box<dyn std::error::Error>;

/// Milligrams.
pub const MG: MassFamily = MassFamily::Mg;
/// Micrograms.
pub const MCG: MassFamily = MassFamily::Mcg;

// -------------------------------------------------------------------------------------------------
// Quantities from literal constants: a bad literal stops the test loudly (the only `expect`s).
// -------------------------------------------------------------------------------------------------

/// A volume.
#[allow(clippy::expect_used)]
pub fn ml(v: f64) -> Millilitres {
    Millilitres::new(v).expect("valid literal")
}

/// A duration.
#[allow(clippy::expect_used)]
pub fn hours(v: f64) -> Hours {
    Hours::new(v).expect("valid literal")
}

/// A rate.
#[allow(clippy::expect_used)]
pub fn per_day(v: f64) -> MlPerDay {
    MlPerDay::new(v).expect("valid literal")
}

/// A concentration in `family`.
#[allow(clippy::expect_used)]
pub fn conc(family: MassFamily, v: f64) -> AnyConcentration {
    AnyConcentration::new(family, v).expect("valid literal")
}

/// A daily dose in `family`.
#[allow(clippy::expect_used)]
pub fn dose(family: MassFamily, v: f64) -> AnyDoseRate {
    AnyDoseRate::new(family, v).expect("valid literal")
}

/// Wed 25 Nov 2026 09:00, when every test plan is filled.
pub fn filled() -> DateTime {
    date(2026, 11, 25).at(9, 0, 0, 0)
}

/// A wall-clock date-time.
pub fn at(year: i16, month: i8, day: i8, hour: i8, minute: i8) -> DateTime {
    date(year, month, day).at(hour, minute, 0, 0)
}

/// "Wed 25 Nov 2026, 09:00".
pub fn shown(at: DateTime) -> String {
    format_date_time(at)
}

// -------------------------------------------------------------------------------------------------
// Plans.
// -------------------------------------------------------------------------------------------------

/// A catalogue pump with no capacity, rate or end of service entered.
pub fn pump(model: &str) -> PumpChoice {
    PumpChoice {
        model: model.into(),
        capacity: None,
        fixed_rate: None,
        end_of_service: None,
    }
}

/// A drug line with a concentration, and a daily dose when it is the lead.
pub fn line(drug: &str, family: MassFamily, concentration: f64, daily: Option<f64>) -> DrugLine {
    DrugLine {
        drug: drug.into(),
        concentration: Some(conc(family, concentration)),
        daily_dose: daily.map(|d| dose(family, d)),
        stock: None,
        condition: None,
    }
}

/// One drug, lead-dose programme, alarm 2 mL, filled Wed 25 Nov 2026 09:00, not a new pump.
pub fn plan(model: &str, fill: f64, drug: &str, family: MassFamily, concentration: f64, daily: f64) -> Plan {
    Plan::new(
        pump(model),
        Fill {
            volume: ml(fill),
            low_reservoir_alarm: ml(2.0),
            filled_at: filled(),
            new_pump: false,
        },
        vec![line(drug, family, concentration, Some(daily))],
        Programme::LeadDose { lead: 0 },
    )
}

/// SynchroMed II 40 mL, 40 mL of morphine 10 mg/mL at 2 mg/day (0.2 mL/day): the issue-2 example.
pub fn morphine_40() -> Plan {
    plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 2.0)
}

/// A constant-flow pump of `capacity` mL at `rate` mL/day, filled with `fill` mL, one line per
/// (drug, family, target daily dose).
pub fn constant_flow(capacity: f64, rate: f64, fill: f64, drugs: &[(&str, MassFamily, f64)]) -> Plan {
    Plan::new(
        PumpChoice {
            model: "constant-flow".into(),
            capacity: Some(ml(capacity)),
            fixed_rate: Some(per_day(rate)),
            end_of_service: None,
        },
        Fill {
            volume: ml(fill),
            low_reservoir_alarm: ml(2.0),
            filled_at: filled(),
            new_pump: false,
        },
        drugs
            .iter()
            .map(|&(drug, family, daily)| DrugLine {
                drug: drug.into(),
                concentration: None,
                daily_dose: Some(dose(family, daily)),
                stock: None,
                condition: None,
            })
            .collect(),
        Programme::ConstantFlow,
    )
}

/// A drug's maximum 24-hour total under the current programme.
pub fn current(drug: &str, family: MassFamily, daily_maximum: f64) -> CurrentTotal {
    CurrentTotal {
        drug: drug.into(),
        daily_maximum: dose(family, daily_maximum),
    }
}

/// A single bolus of `volume` mL over 1 h.
pub fn single(volume: f64, at: DateTime) -> SingleBolus {
    SingleBolus {
        volume: ml(volume),
        duration: hours(1.0),
        at,
    }
}

/// A visit with only the withdrawn volume entered.
pub fn visit(at: DateTime, withdrawn: f64) -> Visit {
    Visit {
        at,
        withdrawn: ml(withdrawn),
        new_fill: None,
        pump_expected: None,
        patient_boluses: None,
        confirmed_after_refill: None,
    }
}

/// An acknowledgement of `key`, recorded Wed 25 Nov 2026 09:05.
pub fn ack(key: &FindingKey, reason: &str) -> Acknowledgement {
    Acknowledgement {
        finding: AckKey::Key(key.clone()),
        reason: reason.into(),
        at: at(2026, 11, 25, 9, 5),
    }
}

// -------------------------------------------------------------------------------------------------
// Evaluation.
// -------------------------------------------------------------------------------------------------

/// The built-in pump catalogue.
pub fn catalogue() -> Result<Catalogue, Failure> {
    Ok(Catalogue::builtin()?)
}

/// The built-in drug library (region US).
pub fn library() -> Result<DrugLibrary, Failure> {
    Ok(DrugLibrary::builtin()?)
}

fn failed(errors: &[Error]) -> Failure {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!("the plan did not evaluate: {}", lines.join("; ")).into()
}

/// Evaluates `plan` against `library` and builds its report.
pub fn run_with(plan: &Plan, library: &DrugLibrary) -> Result<(Outcome, Report), Failure> {
    let outcome = evaluate(plan, &catalogue()?, library).map_err(|e| failed(&e))?;
    let report = report::build(&outcome);
    Ok((outcome, report))
}

/// Evaluates `plan` with the built-in catalogue and library and builds its report.
pub fn run(plan: &Plan) -> Result<(Outcome, Report), Failure> {
    run_with(plan, &library()?)
}

/// The errors of a plan that must not evaluate.
pub fn errors(plan: &Plan) -> Result<Vec<Error>, Failure> {
    match evaluate(plan, &catalogue()?, &library()?) {
        Ok(_) => Err("the plan evaluated, but an error was expected".into()),
        Err(errors) => Ok(errors),
    }
}

/// Each error as shown.
pub fn messages(errors: &[Error]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

/// Each error's element id ("drug-1-concentration", "flex-0-start").
pub fn element_ids(errors: &[Error]) -> Vec<String> {
    errors.iter().map(Error::element_id).collect()
}

// -------------------------------------------------------------------------------------------------
// Files.
// -------------------------------------------------------------------------------------------------

/// A file of the repository, by its path from the repository root.
pub fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).map_err(|e| e.to_string())
}

/// A plan file of the repository, read through `load` (the only way in).
pub fn load_file(path: &str) -> Result<Loaded, Failure> {
    let text = read(path)?;
    Ok(load(&text, &catalogue()?, &library()?)?)
}

/// A plan of `docs/`, read through `load`.
pub fn docs(name: &str) -> Result<Plan, Failure> {
    Ok(load_file(&format!("docs/{name}"))?.plan)
}

/// A version-1 plan of `tests/fixtures/plans-v1`, read through `load`.
pub fn fixture(name: &str) -> Result<Loaded, Failure> {
    load_file(&format!("tests/fixtures/plans-v1/{name}"))
}

/// Command-line arguments.
pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

// -------------------------------------------------------------------------------------------------
// Look-ups in a report.
// -------------------------------------------------------------------------------------------------

/// The display of the overall or per-drug figure named `name`.
pub fn figure<'a>(report: &'a Report, name: &str) -> Option<&'a str> {
    report
        .figures
        .iter()
        .chain(report.drugs.iter().flat_map(|d| &d.figures))
        .find(|f| f.name == name)
        .map(|f| f.display.as_str())
}

/// The display of the reconciliation figure named `name`.
pub fn reconciliation<'a>(report: &'a Report, name: &str) -> Option<&'a str> {
    report
        .reconciliation
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.display.as_str())
}

/// Every finding whose rule is `rule` exactly.
pub fn findings<'a>(report: &'a Report, rule: &str) -> Vec<&'a FindingView> {
    report.findings.iter().filter(|f| f.key.rule == rule).collect()
}

/// The first finding whose rule starts with `prefix` ("limit.", "titration.", "visit.").
pub fn finding<'a>(report: &'a Report, prefix: &str) -> Option<&'a FindingView> {
    report.findings.iter().find(|f| f.key.rule.starts_with(prefix))
}

/// The first finding of `rule` whose bound is `bound` ("max 15").
pub fn finding_bound<'a>(report: &'a Report, rule: &str, bound: &str) -> Option<&'a FindingView> {
    report
        .findings
        .iter()
        .find(|f| f.key.rule == rule && f.key.bound.as_deref() == Some(bound))
}

/// Every finding's rule, in report order (hard first).
pub fn rules(report: &Report) -> Vec<String> {
    report.findings.iter().map(|f| f.key.rule.clone()).collect()
}

/// A structured key.
pub fn key(rule: &str, drug: Option<&str>, bound: Option<&str>, value: Option<&str>) -> FindingKey {
    FindingKey {
        rule: rule.into(),
        drug: drug.map(str::to_owned),
        bound: bound.map(str::to_owned),
        value: value.map(str::to_owned),
    }
}

/// Equal up to float noise (the engine's own relative tolerance is 1e-9).
pub fn close(value: f64, expected: f64) -> bool {
    (value - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}
