//! Worked examples for admixtures, constant-flow pumps, limits, compounding, the plan file and
//! the native report, with the arithmetic written out.
#![cfg(not(target_arch = "wasm32"))]
// The helpers below build quantities from literal constants; a bad literal should stop the test loudly.
#![allow(clippy::expect_used)]

use itdose::engine::{
    Acknowledgement, AnyConcentration, AnyDoseRate, Catalogue, CompoundingLine, DrugLibrary, DrugLine, Error, Field,
    Fill, MassFamily, Millilitres, MlPerDay, Plan, PlanStatus, Problem, Programme, PumpChoice, Report, Severity,
    evaluate, format::Display, worksheet,
};
use jiff::civil::date;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn mg_ml(v: f64) -> AnyConcentration {
    AnyConcentration::new(MassFamily::Mg, v).expect("valid literal")
}
fn mcg_ml(v: f64) -> AnyConcentration {
    AnyConcentration::new(MassFamily::Mcg, v).expect("valid literal")
}
fn mg_day(v: f64) -> Option<AnyDoseRate> {
    Some(AnyDoseRate::new(MassFamily::Mg, v).expect("valid literal"))
}
fn mcg_day(v: f64) -> Option<AnyDoseRate> {
    Some(AnyDoseRate::new(MassFamily::Mcg, v).expect("valid literal"))
}
fn ml(v: f64) -> Millilitres {
    Millilitres::new(v).expect("valid literal")
}

fn line(drug: &str, concentration: Option<AnyConcentration>, daily_dose: Option<AnyDoseRate>) -> DrugLine {
    DrugLine {
        drug: drug.into(),
        concentration,
        daily_dose,
        stock: None,
    }
}

/// SynchroMed II 20 mL, 20 mL fill, alarm 2 mL; morphine 5 mg/mL (lead), bupivacaine 2.5 mg/mL,
/// cloNIDine 100 mcg/mL.
fn admixture(morphine_dose: f64) -> Plan {
    Plan::new(
        PumpChoice {
            model: "synchromed-ii-20".into(),
            capacity: None,
            fixed_rate: None,
            end_of_service: None,
        },
        Fill {
            volume: ml(20.0),
            low_reservoir_alarm: ml(2.0),
            filled_at: date(2026, 11, 25).at(9, 0, 0, 0),
            new_pump: false,
        },
        vec![
            line("morphine", Some(mg_ml(5.0)), mg_day(morphine_dose)),
            line("bupivacaine", Some(mg_ml(2.5)), None),
            line("clonidine", Some(mcg_ml(100.0)), None),
        ],
        Programme::LeadDose { lead: 0 },
    )
}

fn libraries() -> Result<(Catalogue, DrugLibrary), Box<dyn std::error::Error>> {
    Ok((Catalogue::builtin()?, DrugLibrary::builtin()?))
}

fn run(plan: &Plan) -> Result<Report, Box<dyn std::error::Error>> {
    let (catalogue, library) = libraries()?;
    evaluate(plan, &catalogue, &library).map_err(|e| format!("{e:?}").into())
}

fn doses(report: &Report) -> Vec<String> {
    report.drugs.iter().map(|d| d.daily_dose.ismp()).collect()
}

/// Titrated by morphine:
///   1 mg/day ÷ 5 mg/mL = 0.2 mL/day
///   bupivacaine 0.2 mL/day × 2.5 mg/mL = 0.5 mg/day; cloNIDine 0.2 × 100 mcg/mL = 20 mcg/day
///   days to alarm (20 − 2) ÷ 0.2 = 90; 25 Nov 2026 09:00 + 90 days = 23 Feb 2027 09:00
/// Raising morphine to 2 mg/day doubles the rate and every dose:
///   2 ÷ 5 = 0.4 mL/day; bupivacaine 1 mg/day; cloNIDine 40 mcg/day; (20 − 2) ÷ 0.4 = 45 days
#[test]
fn three_drug_admixture_titrated_by_morphine() -> TestResult {
    let report = run(&admixture(1.0))?;
    assert_eq!(report.flow_rate.ismp(), "0.2 mL/day");
    assert_eq!(doses(&report), ["1 mg/day", "0.5 mg/day", "20 mcg/day"]);
    assert_eq!(
        report.nominal().map(|p| p.alarm_at),
        Some(date(2027, 2, 23).at(9, 0, 0, 0))
    );
    // Admixtures and drugs other than morphine and ziconotide are off-label in a SynchroMed II
    // (FDA 2018): soft findings to acknowledge, never a block.
    assert_eq!(report.status, PlanStatus::NeedsAcknowledgement);
    let soft: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Soft)
        .map(|f| f.key.as_str())
        .collect();
    assert_eq!(
        soft,
        [
            "off_label/synchromed-ii-20/bupivacaine",
            "off_label/synchromed-ii-20/clonidine",
            "off_label/admixture/morphine+bupivacaine+clonidine"
        ]
    );
    assert!(report.drugs.first().is_some_and(|d| d.lead));

    let report = run(&admixture(2.0))?;
    assert_eq!(report.flow_rate.ismp(), "0.4 mL/day");
    assert_eq!(doses(&report), ["2 mg/day", "1 mg/day", "40 mcg/day"]);
    assert_eq!(
        report
            .figures
            .iter()
            .find(|f| f.name == "Days to low-reservoir alarm")
            .map(|f| f.display.as_str()),
        Some("45 days")
    );
    Ok(())
}

/// Setting the rate instead: 0.3 mL/day × 5 mg/mL = 1.5 mg/day morphine; × 2.5 = 0.75 mg/day
/// bupivacaine; × 100 = 30 mcg/day cloNIDine.
#[test]
fn rate_mode_sets_every_dose() -> TestResult {
    let mut plan = admixture(1.0);
    plan.programme = Programme::Rate {
        flow_rate: MlPerDay::new(0.3)?,
    };
    let report = run(&plan)?;
    assert_eq!(doses(&report), ["1.5 mg/day", "0.75 mg/day", "30 mcg/day"]);
    Ok(())
}

/// Constant-flow pump, 30 mL, fixed rate 1 mL/day (from its label); targets morphine 4 mg/day
/// and cloNIDine 150 mcg/day:
///   morphine 4 mg/day ÷ 1 mL/day = 4 mg/mL; cloNIDine 150 mcg/day ÷ 1 mL/day = 150 mcg/mL
///   30 mL fill, alarm 2 mL: (30 − 2) ÷ 1 = 28 days
#[test]
fn constant_flow_pump_solves_concentrations() -> TestResult {
    let plan = Plan {
        pump: PumpChoice {
            model: "constant-flow".into(),
            capacity: Some(ml(30.0)),
            fixed_rate: Some(MlPerDay::new(1.0)?),
            end_of_service: None,
        },
        fill: Fill {
            volume: ml(30.0),
            ..admixture(1.0).fill
        },
        drugs: vec![
            line("morphine", None, mg_day(4.0)),
            line("clonidine", None, mcg_day(150.0)),
        ],
        programme: Programme::ConstantFlow,
        ..admixture(1.0)
    };
    let report = run(&plan)?;
    let concentrations: Vec<String> = report.drugs.iter().map(|d| d.concentration.ismp()).collect();
    assert_eq!(concentrations, ["4 mg/mL", "150 mcg/mL"]);
    assert_eq!(
        report.nominal().map(|p| p.days_to_alarm.ismp()).as_deref(),
        Some("28 days")
    );
    // A rate programme is refused on a constant-flow pump: its rate is fixed.
    let wrong = Plan {
        programme: Programme::LeadDose { lead: 0 },
        ..plan
    };
    let (catalogue, library) = libraries()?;
    let errors = evaluate(&wrong, &catalogue, &library).err().unwrap_or_default();
    assert_eq!(errors.first().map(|e| e.field), Some(Field::Programme));
    Ok(())
}

/// Hard limit (V): ziconotide 100 mcg/mL at 0.25 mL/day = 25 mcg/day > 19.2 mcg/day label maximum.
#[test]
fn hard_limit_blocks_and_cannot_be_acknowledged() -> TestResult {
    let mut plan = admixture(1.0);
    plan.drugs = vec![line("ziconotide", Some(mcg_ml(100.0)), mcg_day(25.0))];
    let hard_key = run(&plan)?.findings.first().map(|f| f.key.clone()).unwrap_or_default();
    plan.acknowledgements.push(Acknowledgement {
        finding: hard_key,
        reason: "tried".into(),
        at: date(2026, 11, 25).at(9, 5, 0, 0),
    });
    let report = run(&plan)?;
    assert_eq!(report.status, PlanStatus::Blocked);
    let hard = report.findings.first().ok_or("no finding")?;
    assert_eq!(hard.severity, Severity::Hard);
    assert_eq!(
        hard.message,
        "ziconotide daily dose 25 mcg/day is above the hard limit of 19.2 mcg/day (US labelling)."
    );
    assert!(
        hard.acknowledged.is_none(),
        "a hard limit is never cleared by an acknowledgement"
    );
    Ok(())
}

/// Soft limit (U, PACC as commonly cited): morphine 16 mg/day > 15 mg/day. Needs an
/// acknowledgement with a reason; a changed dose is a new finding.
#[test]
fn soft_limit_needs_a_recorded_acknowledgement() -> TestResult {
    let mut plan = admixture(16.0);
    plan.drugs.truncate(1); // morphine alone: approved for the SynchroMed II, no off-label finding
    let report = run(&plan)?;
    assert_eq!(report.status, PlanStatus::NeedsAcknowledgement);
    let soft = report
        .findings
        .iter()
        .find(|f| f.severity == Severity::Soft)
        .ok_or("no soft finding")?;
    assert_eq!(
        soft.message,
        "morphine daily dose 16 mg/day is above the soft limit of 15 mg/day."
    );
    assert_eq!(soft.mark, Some(itdose::engine::Mark::Unverified));

    // An empty reason is not an acknowledgement.
    let at = date(2026, 11, 25).at(9, 5, 0, 0);
    plan.acknowledgements.push(Acknowledgement {
        finding: soft.key.clone(),
        reason: "  ".into(),
        at,
    });
    assert_eq!(run(&plan)?.status, PlanStatus::NeedsAcknowledgement);

    plan.acknowledgements = vec![Acknowledgement {
        finding: soft.key.clone(),
        reason: "opioid-tolerant, titrated over 6 months".into(),
        at,
    }];
    let report = run(&plan)?;
    assert_eq!(report.status, PlanStatus::Valid);
    let acked = report
        .findings
        .iter()
        .find(|f| f.severity == Severity::Soft)
        .and_then(|f| f.acknowledged.clone());
    assert_eq!(
        acked.map(|a| (a.reason, a.at)),
        Some(("opioid-tolerant, titrated over 6 months".to_owned(), at))
    );

    // 17 mg/day is a different value: the old acknowledgement does not carry over.
    let mut changed = admixture(17.0);
    changed.drugs.truncate(1);
    changed.acknowledgements = plan.acknowledgements;
    assert_eq!(run(&changed)?.status, PlanStatus::NeedsAcknowledgement);
    Ok(())
}

#[test]
fn info_finding_names_drugs_without_a_low_concentration_limit() -> TestResult {
    let report = run(&admixture(1.0))?;
    let info = report
        .findings
        .iter()
        .find(|f| f.key == "info/no-low-concentration-limit")
        .ok_or("no info")?;
    assert_eq!(info.severity, Severity::Info);
    assert!(
        info.message.contains("morphine, bupivacaine, cloNIDine"),
        "{}",
        info.message
    );
    Ok(())
}

#[test]
fn wrong_unit_family_is_blocked_not_converted() -> TestResult {
    let mut plan = admixture(1.0);
    if let Some(clonidine) = plan.drugs.get_mut(2) {
        clonidine.concentration = Some(mg_ml(0.1)); // 0.1 mg/mL is 100 mcg/mL, but it must be entered in mcg
    }
    let (catalogue, library) = libraries()?;
    let errors = evaluate(&plan, &catalogue, &library).err().unwrap_or_default();
    assert_eq!(errors.len(), 1);
    let error = errors.first().ok_or("no error")?;
    assert_eq!((error.field, error.drug), (Field::Concentration, Some(2)));
    assert_eq!(
        error.to_string(),
        "Drug 3, concentration: mg/mL was entered, but cloNIDine is dosed in mcg/mL: re-enter it in mcg/mL (nothing is converted)"
    );
    Ok(())
}

#[test]
fn missing_and_unknown_inputs_name_their_line() -> TestResult {
    let mut plan = admixture(1.0);
    plan.drugs.push(line("clonidine", None, None));
    let (catalogue, library) = libraries()?;
    let errors = evaluate(&plan, &catalogue, &library).err().unwrap_or_default();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages, ["Drug 4, drug: cloNIDine is already in the reservoir"]);
    if let Some(l) = plan.drugs.get_mut(3) {
        l.drug = "heroin".into();
    }
    let errors = evaluate(&plan, &catalogue, &library).err().unwrap_or_default();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        ["Drug 4, drug: \u{201c}heroin\u{201d} is not in the drug library"]
    );
    plan.drugs.push(line("fentanyl", None, None));
    let errors = evaluate(&plan, &catalogue, &library).err().unwrap_or_default();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages, ["Drugs: 5 drugs given; a reservoir holds 1 to 4"]);
    let mut missing = admixture(1.0);
    if let Some(l) = missing.drugs.get_mut(1) {
        l.concentration = None;
    }
    let errors = evaluate(&missing, &catalogue, &library).err().unwrap_or_default();
    assert_eq!(
        errors,
        vec![Error::new(Field::Concentration, Problem::Missing).for_drug(1)]
    );
    Ok(())
}

/// 20 mL fill + 2 mL to prime the refill kit = 22 mL, from stocks morphine 25 mg/mL,
/// bupivacaine 7.5 mg/mL, cloNIDine 500 mcg/mL:
///   morphine    5 mg/mL × 22 mL ÷ 25 mg/mL   = 4.4 mL   (110 mg)
///   bupivacaine 2.5 mg/mL × 22 mL ÷ 7.5 mg/mL = 7.333 mL (55 mg)
///   cloNIDine   100 mcg/mL × 22 mL ÷ 500 mcg/mL = 4.4 mL (2,200 mcg)
///   diluent     22 − (4.4 + 7.3333 + 4.4)     = 5.867 mL
#[test]
fn compounding_worksheet() -> TestResult {
    let lines = [
        CompoundingLine {
            drug: "morphine".into(),
            target: mg_ml(5.0),
            stock: mg_ml(25.0),
        },
        CompoundingLine {
            drug: "bupivacaine".into(),
            target: mg_ml(2.5),
            stock: mg_ml(7.5),
        },
        CompoundingLine {
            drug: "cloNIDine".into(),
            target: mcg_ml(100.0),
            stock: mcg_ml(500.0),
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
    assert!((total - 22.0).abs() < 1e-9, "stock + diluent = total volume");
    Ok(())
}

#[test]
fn compounding_refuses_stocks_that_cannot_make_the_bag() -> TestResult {
    // A stock weaker than its target.
    let weak = [CompoundingLine {
        drug: "bupivacaine".into(),
        target: mg_ml(10.0),
        stock: mg_ml(7.5),
    }];
    let err = worksheet(ml(20.0), ml(0.0), &weak).err().ok_or("expected an error")?;
    assert_eq!(
        err.to_string(),
        "Drug 1, stock strength: 7.5 mg/mL is below the target concentration of bupivacaine of 10 mg/mL"
    );
    // Each stock strong enough, together too dilute: 20 × 5/7.5 + 20 × 6/10 = 13.333 + 12 = 25.33 mL > 20 mL.
    let together = [
        CompoundingLine {
            drug: "bupivacaine".into(),
            target: mg_ml(5.0),
            stock: mg_ml(7.5),
        },
        CompoundingLine {
            drug: "morphine".into(),
            target: mg_ml(6.0),
            stock: mg_ml(10.0),
        },
    ];
    let err = worksheet(ml(20.0), ml(0.0), &together)
        .err()
        .ok_or("expected an error")?;
    assert_eq!(
        err.to_string(),
        "Stock strength: the stocks are too dilute: together they need 25.33 mL of stock for 20 mL in total"
    );
    // Wrong family.
    let wrong = [CompoundingLine {
        drug: "cloNIDine".into(),
        target: mcg_ml(100.0),
        stock: mg_ml(0.5),
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

#[test]
fn rejected_library_import_leaves_the_old_library_in_force() -> TestResult {
    let mut library = DrugLibrary::builtin()?;
    let before = library.clone();
    let good = library.to_json();
    let cases = [
        (
            good.replacen("\"severity\": \"soft\"", "\"severity\": \"hard\"", 1),
            "drug \u{201c}morphine\u{201d}, limits[0].severity: an unverified (U) value cannot be a hard limit",
        ),
        (
            good.replacen("\"value\": 15.0", "\"value\": -15.0", 1),
            "drug \u{201c}morphine\u{201d}, limits[0].value: -15 must be a positive number",
        ),
        (
            good.replacen("\"id\": \"hydromorphone\"", "\"id\": \"morphine\"", 1),
            "drug \u{201c}morphine\u{201d}, id: appears twice",
        ),
        (
            good.replacen("\"format\": \"itdose-drug-library\"", "\"format\": \"pump-library\"", 1),
            "format is",
        ),
        ("{ not json".to_owned(), "not a valid library file"),
    ];
    for (text, expected) in cases {
        let err = library.import(&text).err().ok_or("import should fail")?;
        assert!(err.to_string().contains(expected), "{err} should contain {expected}");
        assert_eq!(library, before, "the old library stays in force");
    }
    // A valid edited library is taken whole.
    library.import(&good.replacen("\"value\": 15.0", "\"value\": 12.0", 1))?;
    assert_ne!(library, before);
    Ok(())
}

#[test]
fn default_library_uses_tall_man_names_and_sources_every_limit() -> TestResult {
    let library = DrugLibrary::builtin()?;
    let names: Vec<&str> = library.drugs.iter().map(|d| d.display_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "morphine",
            "HYDROmorphone",
            "fentaNYL",
            "SUFentanil",
            "bupivacaine",
            "cloNIDine",
            "ziconotide",
            "baclofen"
        ]
    );
    for drug in &library.drugs {
        for limit in &drug.limits {
            assert!(!limit.source.is_empty(), "{} limit without source", drug.id);
            assert!(!(limit.severity == Severity::Hard && limit.mark == itdose::engine::Mark::Unverified));
        }
    }
    let families: Vec<MassFamily> = ["ziconotide", "fentanyl", "sufentanil", "clonidine"]
        .iter()
        .filter_map(|id| library.get(id).map(|d| d.family))
        .collect();
    assert_eq!(families, [MassFamily::Mcg; 4]);
    Ok(())
}

#[test]
fn prometra_ii_40_catalogue_values_carry_sources() -> TestResult {
    let catalogue = Catalogue::builtin()?;
    let pump = catalogue.get("prometra-ii-40").ok_or("no Prometra II 40")?;
    let rows = pump.sourced_values();
    let find = |name: &str| rows.iter().find(|r| r.name == name).map(|r| (r.value.clone(), r.mark));
    assert_eq!(
        find("Reservoir capacity"),
        Some(("40 mL".into(), itdose::engine::Mark::Verified))
    );
    assert_eq!(
        find("Refill-date volume"),
        Some(("3 mL".into(), itdose::engine::Mark::Verified))
    );
    assert_eq!(
        find("Catheter volume per cm"),
        Some(("0.0026 mL/cm".into(), itdose::engine::Mark::Verified))
    );
    assert!(find("MRI").is_some_and(|(v, _)| v.contains("Empty the pump before MRI")));
    assert!(
        find("Minimum flow rate").is_none(),
        "unknown values are absent, not invented"
    );
    Ok(())
}

#[test]
fn plan_file_round_trips_and_the_docs_example_is_valid() -> TestResult {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/example-plan.json"))?;
    let plan = Plan::from_json(&text).map_err(|e| e.to_string())?;
    assert_eq!(Plan::from_json(&plan.to_json()).map_err(|e| e.to_string())?, plan);
    let report = run(&plan)?;
    assert_eq!(report.status, PlanStatus::Valid);
    assert_eq!(doses(&report), ["1 mg/day", "0.5 mg/day", "20 mcg/day"]);
    assert!(report.compounding.is_some());
    let wrong_version = text.replace("\"version\": 1", "\"version\": 9");
    assert_eq!(
        Plan::from_json(&wrong_version)
            .map_err(|e| e.to_string())
            .err()
            .as_deref(),
        Some("Plan file: version 9 is not supported (this build reads version 1)")
    );
    Ok(())
}

/// An institution lowers morphine's soft maximum to 12 mg/day and makes it hard: its own value,
/// marked I, may block; an invalid edit changes nothing.
#[test]
fn institution_edits_a_limit_in_place() -> TestResult {
    let mut library = DrugLibrary::builtin()?;
    let before = library.clone();
    let on = date(2026, 11, 25);
    let err = library
        .edit_limit("morphine", 0, -1.0, Severity::Hard, on)
        .err()
        .ok_or("negative accepted")?;
    assert_eq!(
        err.to_string(),
        "drug library rejected: drug \u{201c}morphine\u{201d}, limits[0].value: -1 must be a positive number"
    );
    assert_eq!(library, before);
    assert!(library.edit_limit("morphine", 9, 1.0, Severity::Soft, on).is_err());
    library.edit_limit("morphine", 0, 12.0, Severity::Hard, on)?;
    let limit = library
        .get("morphine")
        .and_then(|d| d.limits.first())
        .ok_or("no limit")?;
    assert_eq!(
        (limit.value, limit.severity, limit.mark),
        (12.0, Severity::Hard, itdose::engine::Mark::Institution)
    );
    assert!(
        limit
            .source
            .starts_with("set in itdose on 2026-11-25 (default 15 mg/day [U]: PACC"),
        "{}",
        limit.source
    );
    // 13 mg/day morphine now blocks.
    let catalogue = Catalogue::builtin()?;
    let report = evaluate(&admixture(13.0), &catalogue, &library).map_err(|e| format!("{e:?}"))?;
    assert_eq!(report.status, PlanStatus::Blocked);
    Ok(())
}
