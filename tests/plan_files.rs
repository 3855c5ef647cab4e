//! Plan files, format version 2: every file of every version is read through `load`; a plan
//! written with `to_json` reads back identical; another format or an unknown version is refused
//! with a message; every docs example loads and evaluates; version-1 acknowledgements are carried
//! across the migration to structured keys (one whose finding no longer arises kept verbatim and
//! listed); the issue-8 figures of every version-1 fixture are still computed; a plan shown on the
//! form keeps every digit.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    MCG, MG, TestResult, ack, at, catalogue, current, docs, dose, fixture, hours, key, library, line, ml, plan, run,
    visit,
};
use itdose::engine::{
    AckKey, Acknowledgement, BridgeBolusSetting, Change, Cycle, DrugModel, FlexDoseStep, FlexProgramme, MriScan,
    PLAN_VERSION, PatientBolus, PeriodicBolus, PkModel, Plan, PlanStatus, PreviousDrug, PrimingBolusSetting, Session,
    TitrationHistory, load,
};
use itdose::form::PlanForm;

/// The docs examples, by file name.
const DOCS: [&str; 5] = [
    "example-new-pump-cautions.json",
    "example-plan.json",
    "example-prometra-transit.json",
    "example-schedule-plan.json",
    "example-ziconotide-refill.json",
];

/// A plan with every optional part filled in: flex steps, every bolus kind, a titration history,
/// a visit, the CSF settings with a model and an MRI, an end of service, a condition, and both
/// kinds of acknowledgement.
fn every_part() -> Plan {
    let mut p = plan("prometra-ii-40", 38.0, "morphine", MG, 10.0, 2.0);
    p.pump.end_of_service = Some(at(2028, 1, 1, 0, 0));
    p.drugs.push(line("baclofen", MCG, 500.0, None));
    if let Some(l) = p.drugs.get_mut(1) {
        l.stock = Some(common::conc(MCG, 2000.0));
        l.condition = Some("spasticity of spinal origin".into());
    }
    p.extra_volume = Some(ml(2.0));
    p.flex = Some(FlexProgramme {
        cycle: Cycle::Week,
        steps: vec![
            FlexDoseStep {
                day: 0,
                start: "08:00".into(),
                daily_dose: dose(MG, 2.5),
            },
            FlexDoseStep {
                day: 5,
                start: "20:00".into(),
                daily_dose: dose(MG, 1.5),
            },
        ],
    });
    p.boluses.periodic = vec![PeriodicBolus {
        volume: ml(0.05),
        duration: hours(0.25),
        interval: hours(8.0),
        first: at(2026, 11, 25, 12, 0),
    }];
    p.boluses.single = vec![common::single(0.1, at(2026, 11, 26, 12, 0))];
    p.boluses.patient = Some(PatientBolus {
        volume: ml(0.05),
        duration: hours(0.1),
        lockout: hours(4.0),
        max_per_day: 4,
    });
    p.boluses.typical_per_day = Some(2);
    p.boluses.priming = Some(PrimingBolusSetting {
        at: at(2026, 11, 25, 9, 5),
        duration: hours(0.5),
    });
    p.boluses.bridge = Some(BridgeBolusSetting {
        at: at(2026, 11, 25, 10, 0),
    });
    p.current_programme = vec![current("morphine", MG, 2.0), current("clonidine", MCG, 300.0)];
    p.titration = Some(TitrationHistory {
        last_change: Some(at(2026, 11, 20, 9, 0)),
        increases_past_week: Some(1),
    });
    p.visit = Some(visit(at(2026, 12, 20, 9, 0), 30.0));
    p.csf.pump_tubing = Some(ml(0.1));
    p.csf.catheter_length_cm = Some(89.0);
    p.csf.catheter_ml_per_cm = Some(0.0026);
    p.csf.residual = Some(ml(0.5));
    p.csf.weight_kg = Some(70.0);
    p.csf.previous = vec![PreviousDrug {
        drug: "morphine".into(),
        concentration: common::conc(MG, 5.0),
    }];
    p.csf.models = vec![DrugModel {
        drug: "baclofen".into(),
        model: PkModel::OneCompartment {
            half_life: hours(1.3),
            volume: ml(100.0),
        },
    }];
    p.csf.mri = Some(MriScan {
        at: at(2026, 12, 10, 9, 0),
        duration: hours(1.0),
    });
    p.acknowledgements = vec![
        ack(
            &key("off_label.admixture", None, None, Some("morphine+baclofen")),
            "protocol",
        ),
        Acknowledgement {
            finding: AckKey::Legacy("morphine/daily_dose/max/15/99".into()),
            reason: "an old one".into(),
            at: at(2026, 11, 1, 9, 0),
        },
    ];
    p.sessions = vec![Session {
        at: at(2026, 11, 25, 9, 30),
        workflow: "Change the programme".into(),
        changes: vec![Change {
            parameter: "morphine daily dose".into(),
            from: "1.5 mg/day".into(),
            to: "2 mg/day".into(),
        }],
        acknowledgements: p.acknowledgements.clone(),
    }];
    p
}

/// A plan written with `to_json` reads back identical, as version 3 (its version-1 text key with
/// no finding kept as it was, and listed; its confirmed session kept).
#[test]
fn a_plan_round_trips_through_to_json_and_load() -> TestResult {
    let p = every_part();
    run(&p)?;
    let text = p.to_json();
    assert!(text.contains("\"version\": 3"), "{text}");
    let loaded = load(&text, &catalogue()?, &library()?)?;
    assert_eq!(loaded.plan, p);
    assert_eq!(loaded.from_version, PLAN_VERSION);
    assert_eq!(loaded.kept, ["morphine/daily_dose/max/15/99"]);
    Ok(())
}

/// A version-2 file (before confirmed sessions) loads as version 3 with no session, everything
/// else as it was.
#[test]
fn a_version_2_file_migrates_to_version_3() -> TestResult {
    let mut p = every_part();
    p.sessions.clear();
    let text = p.to_json().replace("\"version\": 3", "\"version\": 2");
    let loaded = load(&text, &catalogue()?, &library()?)?;
    assert_eq!((loaded.from_version, loaded.plan.version), (2, 3));
    assert_eq!(loaded.plan, p);
    Ok(())
}

/// A file that is not a plan is refused with a message: not JSON; another format; version 0 or a
/// version newer than this build (3); a field that does not fit (a negative volume).
#[test]
fn wrong_files_are_refused_with_a_message() -> TestResult {
    let (catalogue, library) = (catalogue()?, library()?);
    let good = morphine_json();
    let refused = |text: &str| load(text, &catalogue, &library).map(|_| ()).map_err(|e| e.to_string());
    assert!(refused("{ not json").is_err_and(|e| e.starts_with("Plan file: not a valid plan file:")));
    assert_eq!(
        refused(&good.replace("\"itdose-plan\"", "\"pump-plan\"")),
        Err("Plan file: format is \u{201c}pump-plan\u{201d}, expected \u{201c}itdose-plan\u{201d}".into())
    );
    for version in ["0", "4", "9"] {
        assert_eq!(
            refused(&good.replace("\"version\": 3", &format!("\"version\": {version}"))),
            Err(format!(
                "Plan file: version {version} is not supported (this build reads versions 1 to 3)"
            )),
            "version {version}"
        );
    }
    // The message names the key that does not fit, not only its line and column.
    let negative = refused(&good.replace("\"volume\": 40.0", "\"volume\": -40.0"));
    assert!(
        negative
            .as_ref()
            .is_err_and(|e| e.starts_with("Plan file: not a valid plan file: fill.volume: ")),
        "{negative:?}"
    );
    let mut wrong: serde_json::Value = serde_json::from_str(&good)?;
    *wrong.pointer_mut("/drugs/0/concentration").ok_or("no concentration")? = "ten".into();
    let concentration = refused(&wrong.to_string());
    assert!(
        concentration
            .as_ref()
            .is_err_and(|e| e.starts_with(
                "Plan file: not a valid plan file: drugs[0].concentration: invalid type: string \"ten\", expected a concentration such as {\"unit\": \"mg/mL\", \"value\": 10} (unit mg/mL or mcg/mL) at line "
            )),
        "{concentration:?}"
    );
    assert!(refused(&good).is_ok());
    // A file larger than a record may be (2,000,000 bytes): 3 MB of padding in a reason.
    let padded = good.replacen(
        "\"format\"",
        &format!("\"padding\": \"{}\", \"format\"", "x".repeat(3 << 20)),
        1,
    );
    assert_eq!(
        refused(&padded),
        Err(format!(
            "Plan file: the file has {} bytes, more than the 2000000 a plan may have",
            padded.len()
        ))
    );
    // 1 MB of text where the fill volume goes: the JSON reader quotes what it found, and the
    // message quoted all of it; now its start and where it is.
    let quoted = good.replacen(
        "\"volume\": 40.0",
        &format!("\"volume\": \"{}\"", "v".repeat(1 << 20)),
        1,
    );
    let message = refused(&quoted).err().ok_or("a volume of text was read")?;
    assert!(
        message.starts_with("Plan file: not a valid plan file: fill.volume: invalid type: string \"vvvv")
            && message.chars().count() < 250,
        "{} characters: {}",
        message.chars().count(),
        message.chars().take(300).collect::<String>()
    );
    assert!(message.contains("\u{2026} at line "), "{message:.300}");
    // A drug named by 1 MB of text is no drug: refused, and the name is not repeated back.
    let named = good.replacen("\"morphine\"", &format!("\"{}\"", "m".repeat(1 << 20)), 1);
    assert_eq!(
        refused(&named),
        Err("Plan file: a drug is named by 1048576 characters, more than the 64 of an id".into())
    );
    Ok(())
}

fn morphine_json() -> String {
    common::morphine_40().to_json()
}

/// Every docs example (version 1 files) loads through the migration and evaluates; none keeps an
/// acknowledgement unmatched.
#[test]
fn every_docs_example_loads_and_evaluates() -> TestResult {
    let mut found: Vec<String> = std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs"))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("example-") && n.ends_with(".json"))
        .collect();
    found.sort();
    // Every plan example (the record example, docs/record-example.json, is read in tests/outcomes.rs).
    assert_eq!(found, DOCS);
    for name in DOCS {
        let loaded = common::load_file(&format!("docs/{name}"))?;
        assert_eq!((loaded.from_version, loaded.kept.len()), (1, 0), "{name}");
        run(&loaded.plan).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// docs/example-plan.json: SynchroMed II 20 mL, morphine 5 mg/mL (1 mg/day) with bupivacaine and
/// cloNIDine, its three version-1 acknowledgements (off-label bupivacaine and cloNIDine, the
/// admixture) carried to structured keys, and the residual entered (0 mL): valid.
///   0.2 mL/day: bupivacaine 0.2 × 2.5 = 0.5 mg/day; cloNIDine 0.2 × 100 = 20 mcg/day
///   worksheet for 22 mL (20 + 2): morphine 4.4 mL, bupivacaine 7.333 mL, cloNIDine 4.4 mL,
///   diluent 5.867 mL
#[test]
fn the_docs_example_plan_is_valid_with_its_acknowledgements() -> TestResult {
    let p = docs("example-plan.json")?;
    assert_eq!(p.csf.residual.map(|r| r.value()), Some(0.0));
    let keys: Vec<AckKey> = p.acknowledgements.iter().map(|a| a.finding.clone()).collect();
    assert_eq!(
        keys,
        [
            AckKey::Key(key("off_label", Some("bupivacaine"), Some("synchromed-ii-20"), None)),
            AckKey::Key(key("off_label", Some("clonidine"), Some("synchromed-ii-20"), None)),
            AckKey::Key(key(
                "off_label.admixture",
                None,
                None,
                Some("morphine+bupivacaine+clonidine")
            )),
        ]
    );
    let (outcome, report) = run(&p)?;
    assert_eq!(outcome.status, PlanStatus::Valid);
    let doses: Vec<String> = outcome.drugs.iter().map(|d| d.daily_dose.ismp()).collect();
    assert_eq!(doses, ["1 mg/day", "0.5 mg/day", "20 mcg/day"]);
    assert_eq!(
        report.worksheet.last().map(|f| (f.name.as_str(), f.display.as_str())),
        Some(("Diluent", "5.867 mL"))
    );
    Ok(())
}

/// tests/fixtures/plans-v1/acknowledged-v1.json: morphine 0.5 mg/mL at 16 mg/day (32 mL/day) in a
/// SynchroMed II 40 mL with a 1 mL alarm, current programme 10 mg/day. Its version-1 text keys
/// migrate to the structured keys of the findings they named:
///   "morphine/daily_dose/max/15/16"     → limit.daily_dose, morphine, "max 15", "16"
///   "morphine/jump/10/16"               → jump, morphine, "10 mg/day", "16 mg/day"
///   "pump/flow_rate/Flow rate 32 …"     → pump.maximum_rate, "24", "32 mL/day"
///   "pump/low_reservoir_alarm/…"        → pump.alarm_below_recommended, "2", "1 mL"
///   "morphine/daily_dose/max/15/12"     → no such finding now: kept verbatim, listed in `kept`
/// Reasons and times are kept. Written back it is a version-2 file that loads unchanged.
#[test]
fn version_1_acknowledgements_migrate_to_structured_keys() -> TestResult {
    let loaded = fixture("acknowledged-v1.json")?;
    assert_eq!(loaded.from_version, 1);
    assert_eq!(loaded.kept, ["morphine/daily_dose/max/15/12"]);
    let migrated: Vec<(AckKey, &str)> = loaded
        .plan
        .acknowledgements
        .iter()
        .map(|a| (a.finding.clone(), a.reason.as_str()))
        .collect();
    assert_eq!(
        migrated,
        [
            (
                AckKey::Key(key("limit.daily_dose", Some("morphine"), Some("max 15"), Some("16"))),
                "acknowledged in version 1 (daily_dose)"
            ),
            (
                AckKey::Key(key("jump", Some("morphine"), Some("10 mg/day"), Some("16 mg/day"))),
                "acknowledged in version 1 (jump)"
            ),
            (
                AckKey::Key(key("pump.maximum_rate", None, Some("24"), Some("32 mL/day"))),
                "acknowledged in version 1 (flow_rate)"
            ),
            (
                AckKey::Key(key("pump.alarm_below_recommended", None, Some("2"), Some("1 mL"))),
                "acknowledged in version 1 (low_reservoir_alarm)"
            ),
            (
                AckKey::Legacy("morphine/daily_dose/max/15/12".into()),
                "an acknowledgement whose finding no longer arises"
            ),
        ]
    );
    assert!(
        loaded
            .plan
            .acknowledgements
            .iter()
            .take(4)
            .all(|a| a.at == at(2026, 11, 25, 9, 10))
    );
    assert_eq!(
        loaded.plan.acknowledgements.last().map(|a| a.at),
        Some(at(2026, 11, 20, 9, 10))
    );

    let (outcome, report) = run(&loaded.plan)?;
    let waiting: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.needs_acknowledgement)
        .map(|f| f.key.rule.as_str())
        .collect();
    // The four migrated findings are acknowledged; only the new residual caution (40 + 1.4 mL >
    // 40 mL, no residual entered) waits.
    assert_eq!(waiting, ["residual_unknown"]);
    assert_eq!(outcome.status, PlanStatus::NeedsAcknowledgement);

    let again = load(&loaded.plan.to_json(), &catalogue()?, &library()?)?;
    assert_eq!((again.from_version, &again.plan), (3, &loaded.plan));
    assert_eq!(again.kept, ["morphine/daily_dose/max/15/12"]);
    Ok(())
}

/// Every figure `itdose report` computed for each version-1 fixture at the end of issue 8
/// (tests/fixtures/plans-v1/snapshots.json) is computed identically after the migration, and so
/// is every acknowledgement shown; the only new figures are the deliberate ones (the earliest
/// possible empty date, a mixed reservoir concentration, a first-day total). The fixture that was
/// invalid then is invalid now with the same message.
#[test]
fn the_issue_8_figures_survive_the_migration() -> TestResult {
    let snapshots: serde_json::Value = serde_json::from_str(&common::read("tests/fixtures/plans-v1/snapshots.json")?)?;
    let snapshots = snapshots.as_object().ok_or("no snapshots")?;
    assert_eq!(snapshots.len(), 7);
    let pairs = |v: Option<&serde_json::Value>| -> Vec<Vec<String>> {
        v.and_then(serde_json::Value::as_array)
            .map(|rows| {
                rows.iter()
                    .map(|r| {
                        r.as_array()
                            .map(|cells| {
                                cells
                                    .iter()
                                    .map(|c| c.as_str().unwrap_or_default().to_owned())
                                    .collect()
                            })
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    for (name, snapshot) in snapshots {
        let loaded = fixture(name)?;
        if let Some(expected) = snapshot.get("errors") {
            let errs = common::errors(&loaded.plan)?;
            let expected: Vec<String> = serde_json::from_value(expected.clone())?;
            assert_eq!(common::messages(&errs), expected, "{name}");
            continue;
        }
        let (_, report) = run(&loaded.plan)?;
        let now: Vec<(String, String)> = report
            .figures
            .iter()
            .chain(report.drugs.iter().flat_map(|d| &d.figures))
            .map(|f| (f.name.clone(), f.display.clone()))
            .collect();
        let then: Vec<(String, String)> = pairs(snapshot.get("figures"))
            .into_iter()
            .chain(pairs(snapshot.get("drugs")))
            .filter_map(|row| match row.as_slice() {
                [name, display] => Some((name.clone(), display.clone())),
                _ => None,
            })
            .collect();
        assert!(!then.is_empty(), "{name}");
        for figure in &then {
            assert!(now.contains(figure), "{name}: {figure:?} is no longer computed");
        }
        for (figure, _) in now.iter().filter(|f| !then.iter().any(|t| t.0 == f.0)) {
            assert!(
                figure.starts_with("Earliest possible empty date")
                    || figure.ends_with("in the reservoir after mixing with the residual")
                    || figure.ends_with("in the first 24 h, the old solution pushed through"),
                "{name}: unexpected new figure {figure}"
            );
        }
        let reasons_then: Vec<String> = pairs(snapshot.get("findings"))
            .into_iter()
            .filter_map(|row| row.get(4).filter(|r| !r.is_empty()).cloned())
            .collect();
        let reasons_now: Vec<String> = loaded
            .plan
            .acknowledgements
            .iter()
            .filter(|a| {
                report
                    .findings
                    .iter()
                    .any(|f| f.acknowledgement.as_deref().is_some_and(|t| t.ends_with(&a.reason)))
            })
            .map(|a| a.reason.clone())
            .collect();
        assert_eq!(reasons_now, reasons_then, "{name}");
    }
    Ok(())
}

/// A version-1 fixture's status after the migration, and why it changed where it did:
///   acknowledged-v1, example-plan (no residual entered, 40 + 1.4 > 40 and 20 + 1.4 > 20 mL):
///     valid → needs an acknowledgement (residual unknown)
///   example-prometra-transit: valid → needs an acknowledgement (5 → 10 mg/mL pushed through the
///     0.2314 mL catheter with no bridge)
///   example-ziconotide-refill: valid (residual entered, no catheter volume)
#[test]
fn version_1_fixtures_are_checked_by_todays_rules() -> TestResult {
    for (name, status, waiting) in [
        (
            "acknowledged-v1.json",
            PlanStatus::NeedsAcknowledgement,
            vec!["residual_unknown"],
        ),
        (
            "example-plan.json",
            PlanStatus::NeedsAcknowledgement,
            vec!["residual_unknown"],
        ),
        (
            "example-prometra-transit.json",
            PlanStatus::NeedsAcknowledgement,
            vec!["concentration_change"],
        ),
        ("example-ziconotide-refill.json", PlanStatus::Valid, vec![]),
    ] {
        let (outcome, report) = run(&fixture(name)?.plan)?;
        let now: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.needs_acknowledgement)
            .map(|f| f.key.rule.as_str())
            .collect();
        assert_eq!((outcome.status, now), (status, waiting), "{name}");
    }
    Ok(())
}

/// A version-2 file may still hold a version-1 text key (saved by the app before its finding
/// arose): `load` upgrades it when its finding arises now. Morphine 0.5 mg/mL at 16 mg/day with the
/// key "morphine/daily_dose/max/15/16".
#[test]
fn load_upgrades_a_text_key_whose_finding_arises() -> TestResult {
    let mut p = plan("synchromed-ii-40", 38.0, "morphine", MG, 10.0, 16.0);
    p.current_programme = vec![current("morphine", MG, 16.0)];
    p.acknowledgements = vec![Acknowledgement {
        finding: AckKey::Legacy("morphine/daily_dose/max/15/16".into()),
        reason: "tolerant".into(),
        at: at(2026, 11, 25, 9, 5),
    }];
    let loaded = load(&p.to_json(), &catalogue()?, &library()?)?;
    assert!(loaded.kept.is_empty());
    assert_eq!(
        loaded.plan.acknowledgements.first().map(|a| a.finding.clone()),
        Some(AckKey::Key(key(
            "limit.daily_dose",
            Some("morphine"),
            Some("max 15"),
            Some("16")
        )))
    );
    Ok(())
}

/// A plan shown on the form and read back is the same plan, every digit kept (the display's four
/// figures never round an import): ziconotide 12.345 mcg/mL at 2.4681 mcg/day; and every docs
/// example.
#[test]
fn a_plan_shown_on_the_form_keeps_every_digit() -> TestResult {
    let (catalogue, library) = (catalogue()?, library()?);
    let mut p = docs("example-ziconotide-refill.json")?;
    if let Some(l) = p.drugs.first_mut() {
        l.concentration = Some(common::conc(MCG, 12.345));
        l.daily_dose = Some(dose(MCG, 2.4681));
    }
    let form = PlanForm::from_plan(&p, &library);
    let line = form.drugs.first().ok_or("no line")?;
    assert_eq!(
        (line.concentration.as_str(), line.daily_dose.as_str()),
        ("12.345", "2.4681")
    );
    assert_eq!(form.to_plan(&catalogue, &library).map_err(|e| format!("{e:?}"))?, p);
    for name in DOCS {
        let p = docs(name)?;
        let back = PlanForm::from_plan(&p, &library)
            .to_plan(&catalogue, &library)
            .map_err(|e| format!("{name}: {e:?}"))?;
        assert_eq!(back, p, "{name}");
    }
    // A device end of service at 15:30 (not midnight) comes back whole.
    let mut p = docs("example-ziconotide-refill.json")?;
    p.pump.end_of_service = Some(at(2027, 1, 10, 15, 30));
    let form = PlanForm::from_plan(&p, &library);
    assert_eq!(
        (form.end_of_service.as_str(), form.end_of_service_time.as_str()),
        ("2027-01-10", "15:30")
    );
    assert_eq!(form.to_plan(&catalogue, &library).map_err(|e| format!("{e:?}"))?, p);
    Ok(())
}

/// Finding keys hold no free text: an acknowledgement must survive a rewording of any message. The
/// rule is a dotted snake-case name; the drug a library id; the bound and value are made of
/// numbers (ISMP), units, "max"/"min", ids of drugs, pumps and classes, drug names, and ISO times,
/// joined by spaces and "+". Checked over the docs examples, the version-1 fixtures, the plan with
/// every part, and plans that raise a change of drug, a stop, a jump, a titration breach and a late
/// visit.
#[test]
fn finding_keys_hold_no_free_text() -> TestResult {
    let (catalogue, library) = (catalogue()?, library()?);
    let mut plans: Vec<Plan> = DOCS.iter().map(|f| docs(f)).collect::<Result<_, _>>()?;
    for f in [
        "acknowledged-v1.json",
        "example-plan.json",
        "example-schedule-plan.json",
    ] {
        plans.push(fixture(f)?.plan);
    }
    plans.push(every_part());
    let mut switch = plan("synchromed-ii-20", 20.0, "hydromorphone", MG, 4.0, 2.0);
    switch.current_programme = vec![current("morphine", MG, 2.0), current("clonidine", MCG, 100.0)];
    plans.push(switch);
    let mut jump = plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 6.0);
    jump.current_programme = vec![current("morphine", MG, 2.0)];
    jump.visit = Some(visit(at(2027, 6, 1, 9, 0), 1.0));
    plans.push(jump);
    let mut zico = plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 4.8);
    zico.current_programme = vec![current("ziconotide", MCG, 2.4)];
    plans.push(zico);
    let unit = [
        "mg", "mcg", "mL", "mg/mL", "mcg/mL", "mg/day", "mcg/day", "mL/day", "h", "days", "%",
    ];
    let word_ok = |w: &str| {
        w.is_empty()
            || unit.contains(&w)
            || ["max", "min"].contains(&w)
            || w.replace(',', "").parse::<f64>().is_ok()
            || library.get(w).is_some()
            || library
                .drugs
                .iter()
                .any(|d| d.display_name == w || d.classes.iter().any(|c| c == w))
            || catalogue.get(w).is_some()
            || jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M:%S", w).is_ok()
    };
    let mut keys = 0;
    for p in &plans {
        let Ok(outcome) = itdose::engine::evaluate(p, &catalogue, &library) else {
            continue;
        };
        for f in &outcome.findings {
            keys += 1;
            let k = &f.key;
            assert!(
                !k.rule.is_empty()
                    && k.rule
                        .split('.')
                        .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c == '_')),
                "rule {k:?}"
            );
            assert!(k.drug.as_deref().is_none_or(|d| library.get(d).is_some()), "drug {k:?}");
            for part in [&k.bound, &k.value].into_iter().flatten() {
                assert!(part.split(['+', ' ']).all(word_ok), "free text in {k:?}");
            }
        }
    }
    assert!(keys >= 30, "only {keys} keys checked");
    Ok(())
}
