//! The modelled CSF series of a plan: transit delay after a refill with a new concentration, the
//! mixed reservoir concentration, the MRI interruption, and the CSV command.
#![cfg(not(target_arch = "wasm32"))]

use itdose::engine::{Catalogue, Days, DrugLibrary, Hours, Plan, evaluate, format::Display};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn load(name: &str) -> Result<Plan, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(name))?;
    Ok(Plan::from_json(&text).map_err(|e| e.to_string())?)
}

fn example() -> Result<Plan, Box<dyn std::error::Error>> {
    load("example-ziconotide-refill.json")
}

/// `docs/example-prometra-transit.json`: Prometra II, morphine 10 mg/mL at 1 mg/day (0.1 mL/day),
/// replacing 5 mg/mL; the Prometra catheter, 89 cm × 0.0026 mL/cm = 0.2314 mL, ahead of it.
///   tip: 0.2314 ÷ 0.1 = 2.314 days after the fill
///   model: t½ 3 h (S), V = 1 mL/kg × 70 kg = 70 mL; k = ln 2 ÷ 3 = 0.2310 /h
///   before: 5 mg/mL × 0.1 mL/day = 0.5 mg/day → C = (0.5/24) ÷ (0.2310 × 70) = 0.001288 mg/mL,
///   exactly from the first point (the closed-form steady state, no warm-up)
///   after: 10 × 0.1 = 1 mg/day → C_ss = 0.002576 mg/mL
#[test]
fn new_concentration_reaches_the_csf_after_the_transit_delay() -> TestResult {
    let plan = load("example-prometra-transit.json")?;
    let catalogue = Catalogue::builtin()?;
    let library = DrugLibrary::builtin()?;
    let report = evaluate(&plan, &catalogue, &library).map_err(|e| format!("{e:?}"))?;
    let csf = itdose::engine::concentration_series(&plan, &report, &library, Days::new(10.0)?, Hours::new(1.0)?)?;
    assert_eq!(csf.dead_volume.ismp(), "0.2314 mL");
    assert_eq!(csf.tip_days.ismp(), "2.314 days");
    let s = csf.series.first().ok_or("no series")?;
    assert_eq!(s.reservoir_concentration.ismp(), "10 mg/mL");
    let at = |hours: usize| s.values.get(hours).copied().unwrap_or(f64::NAN);
    let k = std::f64::consts::LN_2 / 3.0;
    let old = 0.5 / 24.0 / (k * 70.0);
    // Time 0 and day 2 (48 h): the old solution at its exact steady state.
    assert!((at(0) - old).abs() < 1e-12 * old, "{} vs {old}", at(0));
    assert!((at(48) - old).abs() < 1e-12 * old, "{} vs {old}", at(48));
    assert!((old - 0.001_288).abs() < 1e-6);
    // Day 9 (216 h): the new solution, 160 h = 53 half-lives after arrival, at its steady state.
    assert!((at(216) - s.steady_state).abs() < 1e-9 * s.steady_state);
    assert!((s.steady_state - 0.002_576).abs() < 1e-6, "{}", s.steady_state);
    // One compartment: 90 % of the change is done after ln 10 ÷ ln 2 = 3.322 half-lives
    // = 3.322 × 3 h = 9.966 h (on a 1-hour grid: at most one hour later).
    let t90 = s.time_to_90_percent.ok_or("not reached")?.to_hours().value();
    let exact = std::f64::consts::LN_10 / std::f64::consts::LN_2 * 3.0;
    assert!(t90 >= exact && t90 < exact + 1.0, "{t90} vs {exact}");
    Ok(())
}

/// `docs/example-ziconotide-refill.json`: SynchroMed II 20 mL, ziconotide 25 mcg/mL, 18.6 mL filled
/// onto the 1.4 mL left of 10 mcg/mL (18.6 + 1.4 = 20 mL, the capacity); no catheter volume entered
/// (Medtronic catheters' volume per cm is not in the catalogue), so no transit delay.
///   reservoir: (10 × 1.4 + 25 × 18.6) ÷ 20 = (14 + 465) ÷ 20 = 23.95 mcg/mL
#[test]
fn a_refill_mixes_with_the_residual() -> TestResult {
    let plan = example()?;
    let library = DrugLibrary::builtin()?;
    let report = evaluate(&plan, &Catalogue::builtin()?, &library).map_err(|e| format!("{e:?}"))?;
    let csf = itdose::engine::concentration_series(&plan, &report, &library, Days::new(2.0)?, Hours::new(1.0)?)?;
    assert_eq!(csf.tip_days.ismp(), "0 days");
    let s = csf.series.first().ok_or("no series")?;
    assert_eq!(s.reservoir_concentration.ismp(), "23.95 mcg/mL");
    assert!(s.parameters.contains("Prialt label"), "{}", s.parameters);
    Ok(())
}

/// An MRI on a SynchroMed II stops delivery for the scan: the concentration falls during it.
#[test]
fn mri_interrupts_delivery() -> TestResult {
    let mut plan = example()?;
    plan.csf.mri = Some(itdose::engine::MriScan {
        at: jiff::civil::date(2026, 12, 3).at(9, 0, 0, 0),
        duration: Hours::new(2.0)?,
    });
    let catalogue = Catalogue::builtin()?;
    let library = DrugLibrary::builtin()?;
    let report = evaluate(&plan, &catalogue, &library).map_err(|e| format!("{e:?}"))?;
    let mri = report.mri.clone().ok_or("no MRI report")?;
    assert_eq!(mri.restart_latest, Some(jiff::civil::date(2026, 12, 4).at(11, 0, 0, 0)));
    assert!(
        mri.checklist
            .iter()
            .any(|c| c.contains("Interrogate the pump after the scan"))
    );
    let csf = itdose::engine::concentration_series(&plan, &report, &library, Days::new(10.0)?, Hours::new(1.0)?)?;
    let s = csf.series.first().ok_or("no series")?;
    // The scan starts 8 days (192 h) after the fill and lasts 2 h: C falls by e^(−k × 2 h).
    let k = std::f64::consts::LN_2 / 4.6;
    let before = s.values.get(192).copied().unwrap_or(f64::NAN);
    let after = s.values.get(194).copied().unwrap_or(f64::NAN);
    assert!(
        (after - before * (-k * 2.0).exp()).abs() < 1e-9 * before,
        "{before} {after}"
    );
    // Prometra must be emptied instead.
    plan.pump.model = "prometra-ii-20".into();
    let report = evaluate(&plan, &catalogue, &library).map_err(|e| format!("{e:?}"))?;
    let mri = report.mri.ok_or("no MRI report")?;
    assert!(mri.removed.is_some());
    assert!(report.refill_by.binding.reason.starts_with("MRI: the pump is emptied"));
    Ok(())
}

#[test]
fn concentration_command_prints_csv() {
    let read = |path: &str| {
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).map_err(|e| e.to_string())
    };
    let args: Vec<String> = [
        "concentration",
        "docs/example-ziconotide-refill.json",
        "--days",
        "2",
        "--step",
        "1h",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let (code, out, err) = itdose::cli::run(&args, read);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first().copied(), Some("time_h,drug,concentration,unit"));
    assert_eq!(lines.len(), 1 + 49, "header + 0..=48 h");
    assert!(
        lines
            .get(1)
            .is_some_and(|l| l.starts_with("0,ziconotide,") && l.ends_with(",mcg/mL"))
    );
    assert!(err.contains("not a measurement"));
    let bad: Vec<String> = ["concentration", "docs/example-ziconotide-refill.json", "--step", "1x"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(itdose::cli::run(&bad, read).0, 2);
}

/// Patient boluses per scenario: more boluses never lower the modelled peak.
#[test]
fn patient_bolus_scenarios_raise_the_peak() -> TestResult {
    let mut plan = example()?;
    plan.boluses.patient = Some(itdose::engine::PatientBolus {
        volume: itdose::engine::Millilitres::new(0.02)?,
        duration: Hours::new(0.25)?,
        lockout: Hours::new(6.0)?,
        max_per_day: 4,
    });
    plan.boluses.typical_per_day = Some(1);
    let catalogue = Catalogue::builtin()?;
    let library = DrugLibrary::builtin()?;
    let report = evaluate(&plan, &catalogue, &library).map_err(|e| format!("{e:?}"))?;
    let peak = |s| -> Result<f64, Box<dyn std::error::Error>> {
        let r = itdose::engine::concentration_series_for(
            &plan,
            &report,
            &library,
            Days::new(7.0)?,
            Hours::new(1.0 / 60.0)?,
            s,
        )?;
        Ok(r.series.first().map_or(0.0, |x| x.peak))
    };
    let none = peak(Some(itdose::engine::PatientUse::None))?;
    let typical = peak(None)?;
    let all = peak(Some(itdose::engine::PatientUse::AllAllowed))?;
    assert!(none < typical && typical <= all, "{none} {typical} {all}");
    let read = |path: &str| {
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).map_err(|e| e.to_string())
    };
    let bad: Vec<String> = [
        "concentration",
        "docs/example-ziconotide-refill.json",
        "--scenario",
        "most",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_eq!(itdose::cli::run(&bad, read).0, 2);
    Ok(())
}

/// A Prometra is emptied before an MRI: from the scan on nothing is delivered, so the modelled
/// concentration only decays. Morphine (t½ 3 h, S): 6 h after the scan it is e^(−ln 2 × 6 ÷ 3) =
/// 1/4 of its value at the scan.
#[test]
fn an_emptied_prometra_delivers_nothing_after_the_scan() -> TestResult {
    let mut plan = load("example-prometra-transit.json")?;
    plan.csf.mri = Some(itdose::engine::MriScan {
        at: jiff::civil::date(2026, 11, 30).at(9, 0, 0, 0), // 120 h after the fill
        duration: Hours::new(1.0)?,
    });
    let library = DrugLibrary::builtin()?;
    let report = evaluate(&plan, &Catalogue::builtin()?, &library).map_err(|e| format!("{e:?}"))?;
    let csf = itdose::engine::concentration_series(&plan, &report, &library, Days::new(7.0)?, Hours::new(1.0)?)?;
    let s = csf.series.first().ok_or("no series")?;
    let at = |hours: usize| s.values.get(hours).copied().unwrap_or(f64::NAN);
    assert!(
        (at(126) - at(120) / 4.0).abs() < 1e-12 * at(120),
        "{} {}",
        at(120),
        at(126)
    );
    Ok(())
}
