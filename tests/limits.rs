//! The drug library's limits, the way dose error reduction software enforces them: a hard limit
//! blocks and can never be acknowledged; a soft one needs an acknowledgement with a reason,
//! recorded with its time, and a changed value needs a new one. Per-bolus limits, regional
//! maxima, the condition a drug is given for, and the library file itself: import all or nothing,
//! validation messages, an institution's edit, a version-1 library's migration and its region.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    MCG, MG, TestResult, ack, current, docs, dose, element_ids, errors, finding, finding_bound, findings, hours, key,
    library, messages, ml, plan, run, run_with, single,
};
use itdose::engine::{
    AckKey, Acknowledgement, Bound, DrugLibrary, Hours, LIBRARY_VERSION, Limit, LimitQuantity, Mark, MassFamily,
    PatientBolus, PeriodicBolus, Plan, PlanStatus, Severity,
};
use jiff::civil::date;

/// Morphine 5 mg/mL alone in a SynchroMed II 20 mL at `daily` mg/day, with a current programme
/// of the same total (no start, no jump) and no residual (nothing else to acknowledge).
fn morphine(daily: f64) -> Plan {
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 5.0, daily);
    p.current_programme = vec![current("morphine", MG, daily)];
    p.csf.residual = Some(ml(0.0));
    p
}

// -------------------------------------------------------------------------------------------------
// Hard and soft limits, and their acknowledgements.
// -------------------------------------------------------------------------------------------------

/// Hard limit (V, Prialt US label): ziconotide 100 mcg/mL at 0.25 mL/day = 25 mcg/day >
/// 19.2 mcg/day. Its key: rule "limit.daily_dose", drug "ziconotide", bound "max 19.2", value
/// "25". An acknowledgement of that very key does not clear it: the plan stays blocked and the
/// finding shows no acknowledgement.
#[test]
fn a_hard_limit_blocks_and_cannot_be_acknowledged() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 100.0, 25.0);
    let hard_key = key("limit.daily_dose", Some("ziconotide"), Some("max 19.2"), Some("25"));
    p.acknowledgements.push(ack(&hard_key, "tried"));
    let (outcome, report) = run(&p)?;
    assert_eq!(outcome.status, PlanStatus::Blocked);
    assert_eq!(report.status.text, "Not valid: a hard limit is crossed");
    let hard = report.findings.first().ok_or("no finding")?;
    assert_eq!(hard.key, hard_key);
    assert_eq!((hard.severity, hard.mark), (Severity::Hard, Some(Mark::Verified)));
    assert_eq!(hard.label, "Hard limit \u{2014} blocked");
    assert_eq!(
        hard.message,
        "ziconotide daily dose 25 mcg/day is above the hard limit of 19.2 mcg/day (US labelling)."
    );
    assert_eq!(
        hard.acknowledgement, None,
        "a hard limit is never cleared by an acknowledgement"
    );
    assert!(!hard.needs_acknowledgement);
    assert!(outcome.findings.first().is_some_and(|f| f.acknowledged.is_none()));
    Ok(())
}

/// Soft limit (PACC as commonly cited, U): morphine 16 mg/day > 15 mg/day. Key: "limit.daily_dose",
/// "morphine", "max 15", "16".
///   an empty reason acknowledges nothing: still needs an acknowledgement
///   a reason: valid, and the acknowledgement is shown with its time
///   17 mg/day is another value ("17"): the old acknowledgement does not carry over
#[test]
fn a_soft_limit_needs_a_recorded_acknowledgement() -> TestResult {
    let mut p = morphine(16.0);
    let (outcome, report) = run(&p)?;
    assert_eq!(outcome.status, PlanStatus::NeedsAcknowledgement);
    let soft: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Soft)
        .collect();
    assert_eq!(soft.len(), 1, "{soft:?}");
    let soft = soft.first().ok_or("no soft finding")?;
    assert_eq!(
        soft.key,
        key("limit.daily_dose", Some("morphine"), Some("max 15"), Some("16"))
    );
    assert_eq!(
        soft.message,
        "morphine daily dose 16 mg/day is above the soft limit of 15 mg/day."
    );
    assert_eq!(soft.mark, Some(Mark::Unverified));
    assert_eq!(soft.label, "Acknowledge to proceed");
    assert!(soft.needs_acknowledgement);

    p.acknowledgements = vec![ack(&soft.key, "  ")];
    assert_eq!(run(&p)?.0.status, PlanStatus::NeedsAcknowledgement);

    p.acknowledgements = vec![ack(&soft.key, "opioid-tolerant, titrated over 6 months")];
    let (outcome, report) = run(&p)?;
    assert_eq!(outcome.status, PlanStatus::Valid);
    let acked = outcome
        .findings
        .iter()
        .find(|f| f.severity == Severity::Soft)
        .and_then(|f| f.acknowledged.clone())
        .ok_or("not acknowledged")?;
    assert_eq!(
        (acked.reason.as_str(), acked.at),
        (
            "opioid-tolerant, titrated over 6 months",
            date(2026, 11, 25).at(9, 5, 0, 0)
        )
    );
    let view = finding(&report, "limit.daily_dose").ok_or("no finding")?;
    assert_eq!(
        view.acknowledgement.as_deref(),
        Some("Acknowledged Wed 25 Nov 2026, 09:05: opioid-tolerant, titrated over 6 months")
    );
    assert!(!view.needs_acknowledgement);

    let mut changed = morphine(17.0);
    changed.acknowledgements = p.acknowledgements;
    assert_eq!(run(&changed)?.0.status, PlanStatus::NeedsAcknowledgement);
    Ok(())
}

/// The value in a key is at display precision (four significant figures): 16.00004 mg/day shows
/// as "16", the same finding as 16 mg/day, and keeps its acknowledgement; 16.01 mg/day shows as
/// "16.01", a new finding that needs a new one.
#[test]
fn a_key_holds_the_value_at_display_precision() -> TestResult {
    let acknowledged = key("limit.daily_dose", Some("morphine"), Some("max 15"), Some("16"));
    let mut p = morphine(16.00004);
    p.current_programme = vec![current("morphine", MG, 16.0)];
    p.acknowledgements = vec![ack(&acknowledged, "titrated over 6 months")];
    let (outcome, _) = run(&p)?;
    assert_eq!(outcome.status, PlanStatus::Valid);
    let mut p = morphine(16.01);
    p.current_programme = vec![current("morphine", MG, 16.0)];
    p.acknowledgements = vec![ack(&acknowledged, "titrated over 6 months")];
    let (outcome, report) = run(&p)?;
    assert_eq!(outcome.status, PlanStatus::NeedsAcknowledgement);
    assert_eq!(
        finding(&report, "limit.daily_dose").and_then(|f| f.key.value.as_deref()),
        Some("16.01")
    );
    Ok(())
}

/// An acknowledgement of another drug's, bound's or rule's key does not match: keys are compared
/// whole (rule, drug, bound, value).
#[test]
fn an_acknowledgement_matches_its_whole_key_only() -> TestResult {
    for other in [
        key("limit.daily_dose", Some("hydromorphone"), Some("max 15"), Some("16")),
        key("limit.daily_dose", Some("morphine"), Some("max 20"), Some("16")),
        key("limit.concentration", Some("morphine"), Some("max 15"), Some("16")),
        key("limit.daily_dose", Some("morphine"), None, Some("16")),
    ] {
        let mut p = morphine(16.0);
        p.acknowledgements = vec![ack(&other, "a reason")];
        assert_eq!(run(&p)?.0.status, PlanStatus::NeedsAcknowledgement, "{other:?}");
    }
    Ok(())
}

/// A version-1 text key still matches its finding through the finding's version-1 key
/// ("morphine/daily_dose/max/15/16": drug, quantity, bound, limit and the raw value).
#[test]
fn a_version_1_text_key_still_matches() -> TestResult {
    let mut p = morphine(16.0);
    p.acknowledgements = vec![Acknowledgement {
        finding: AckKey::Legacy("morphine/daily_dose/max/15/16".into()),
        reason: "acknowledged in version 1".into(),
        at: date(2026, 11, 20).at(9, 10, 0, 0),
    }];
    let (outcome, report) = run(&p)?;
    assert_eq!(outcome.status, PlanStatus::Valid);
    assert_eq!(
        finding(&report, "limit.daily_dose").and_then(|f| f.acknowledgement.as_deref()),
        Some("Acknowledged Fri 20 Nov 2026, 09:10: acknowledged in version 1")
    );
    p.acknowledgements = vec![Acknowledgement {
        finding: AckKey::Legacy("morphine/daily_dose/max/15/17".into()),
        reason: "another value".into(),
        at: date(2026, 11, 20).at(9, 10, 0, 0),
    }];
    assert_eq!(run(&p)?.0.status, PlanStatus::NeedsAcknowledgement);
    Ok(())
}

/// Every drug with no low-concentration limit is named in one info finding (ISMP: a
/// concentration entered lower than the real one is an unguarded overdose path).
#[test]
fn drugs_without_a_low_concentration_limit_are_named() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 5.0, 1.0);
    p.drugs.push(common::line("bupivacaine", MG, 2.5, None));
    p.drugs.push(common::line("clonidine", MCG, 100.0, None));
    let (_, report) = run(&p)?;
    let info = findings(&report, "no_low_concentration_limit");
    let info = info.first().ok_or("no info")?;
    assert_eq!(info.severity, Severity::Info);
    assert_eq!(info.source.as_deref(), Some("ISMP smart-pump guidance"));
    assert!(
        info.message.contains("morphine, bupivacaine, cloNIDine"),
        "{}",
        info.message
    );
    Ok(())
}

/// 19.2 mcg/day at 18.5 mcg/mL is exactly the label maximum (18.5 × (19.2 ÷ 18.5) is
/// 19.200000000000003 in floating point): not above it. 19.21 mcg/day is above it: blocked.
/// (docs/example-ziconotide-refill.json, its concentration and dose changed.)
#[test]
fn a_dose_exactly_at_a_limit_is_not_above_it() -> TestResult {
    let with = |concentration: f64, daily: f64| -> Result<Plan, Box<dyn std::error::Error>> {
        let mut p = docs("example-ziconotide-refill.json")?;
        if let Some(l) = p.drugs.first_mut() {
            l.concentration = Some(common::conc(MCG, concentration));
            l.daily_dose = Some(dose(MCG, daily));
        }
        Ok(p)
    };
    let (outcome, report) = run(&with(18.5, 19.2)?)?;
    assert!(
        report.findings.iter().all(|f| f.severity != Severity::Hard),
        "{:?}",
        report.findings
    );
    assert_ne!(outcome.status, PlanStatus::Blocked);
    let (outcome, report) = run(&with(18.5, 19.21)?)?;
    assert_eq!(outcome.status, PlanStatus::Blocked);
    assert_eq!(
        finding(&report, "limit.daily_dose").map(|f| f.key.value.as_deref()),
        Some(Some("19.21"))
    );
    Ok(())
}

/// A concentration limit: morphine 25 mg/mL > 20 mg/mL (PACC as commonly cited, soft, U); the key
/// says "limit.concentration", "max 20", "25".
#[test]
fn a_concentration_above_its_limit_is_a_finding() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 25.0, 5.0);
    p.current_programme = vec![current("morphine", MG, 5.0)];
    let (_, report) = run(&p)?;
    let f = finding(&report, "limit.concentration").ok_or("no concentration finding")?;
    assert_eq!(
        f.key,
        key("limit.concentration", Some("morphine"), Some("max 20"), Some("25"))
    );
    assert_eq!(
        f.message,
        "morphine concentration 25 mg/mL is above the soft limit of 20 mg/mL."
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Per-bolus limits.
// -------------------------------------------------------------------------------------------------

/// The built-in library with an institution's soft limit of 1 mg per morphine bolus.
fn with_bolus_limit() -> Result<DrugLibrary, Box<dyn std::error::Error>> {
    let mut library = library()?;
    let morphine = library
        .drugs
        .iter_mut()
        .find(|d| d.id == "morphine")
        .ok_or("no morphine")?;
    morphine.limits.push(Limit {
        quantity: LimitQuantity::BolusDose,
        bound: Bound::Max,
        severity: Severity::Soft,
        value: 1.0,
        source: "institution".into(),
        mark: Mark::Institution,
        condition: String::new(),
        regions: vec![],
    });
    Ok(library)
}

/// SynchroMed II 20 mL, morphine 10 mg/mL at 2 mg/day, one single bolus on Thu 26 Nov 12:00 over
/// 1 h, against an institution's 1 mg per bolus:
///   0.2 mL × 10 mg/mL = 2 mg > 1 mg → soft finding, key ("limit.bolus_dose", "max 1", "2")
///   0.1 mL × 10 mg/mL = 1 mg, exactly the limit → no finding
#[test]
fn a_single_bolus_above_a_per_bolus_limit_is_a_soft_finding() -> TestResult {
    let library = with_bolus_limit()?;
    let at = date(2026, 11, 26).at(12, 0, 0, 0);
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 2.0);
    p.boluses.single = vec![single(0.2, at)];
    let (_, report) = run_with(&p, &library)?;
    let bolus = finding(&report, "limit.bolus_dose").ok_or("no bolus finding")?;
    // The key names the kind of bolus and which one (single bolus 1), then the dose in mg.
    assert_eq!(
        bolus.key,
        key("limit.bolus_dose.single", Some("morphine"), Some("max 1"), Some("1 2"))
    );
    assert_eq!((bolus.severity, bolus.mark), (Severity::Soft, Some(Mark::Institution)));
    assert_eq!(
        bolus.message,
        "morphine single bolus 2 mg is above the soft limit of 1 mg."
    );

    p.boluses.single = vec![single(0.1, at)];
    let (_, report) = run_with(&p, &library)?;
    assert!(finding(&report, "limit.bolus_dose").is_none(), "{:?}", report.findings);
    Ok(())
}

/// Periodic and patient boluses are checked one by one too: a periodic bolus of 0.15 mL (1.5 mg)
/// and a patient bolus of 0.12 mL (1.2 mg) at 10 mg/mL are each above 1 mg.
#[test]
fn periodic_and_patient_boluses_are_checked_against_per_bolus_limits() -> TestResult {
    let library = with_bolus_limit()?;
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 2.0);
    p.boluses.periodic = vec![PeriodicBolus {
        volume: ml(0.15),
        duration: hours(0.25),
        interval: hours(12.0),
        first: date(2026, 11, 25).at(12, 0, 0, 0),
    }];
    p.boluses.patient = Some(PatientBolus {
        volume: ml(0.12),
        duration: hours(0.1),
        lockout: Hours::new(6.0)?,
        max_per_day: 2,
    });
    let (_, report) = run_with(&p, &library)?;
    let messages: Vec<&str> = ["limit.bolus_dose.periodic", "limit.bolus_dose.patient"]
        .iter()
        .flat_map(|rule| findings(&report, rule))
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "morphine periodic bolus 1.5 mg is above the soft limit of 1 mg.",
            "morphine patient bolus 1.2 mg is above the soft limit of 1 mg."
        ]
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Regional maxima.
// -------------------------------------------------------------------------------------------------

/// Ziconotide 25 mcg/mL in a SynchroMed II 20 mL (fill 20 mL):
///   20 mcg/day (20 ÷ 25 = 0.8 mL/day): US maximum 19.2 (hard) → 20 > 19.2 → blocked
///                                       EU maximum 21.6 (hard) → 20 ≤ 21.6 → not blocked
///   22 mcg/day (0.88 mL/day) in EU: 22 > 21.6 → blocked
#[test]
fn the_ziconotide_maximum_follows_the_library_region() -> TestResult {
    let (outcome, report) = run(&plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 20.0))?;
    assert_eq!(outcome.status, PlanStatus::Blocked);
    let hard = report.findings.first().ok_or("no finding")?;
    assert_eq!(
        (hard.severity, hard.message.as_str()),
        (
            Severity::Hard,
            "ziconotide daily dose 20 mcg/day is above the hard limit of 19.2 mcg/day (US labelling)."
        )
    );

    let mut eu = library()?;
    eu.region = "EU".into();
    eu.validate()?;
    let (outcome, report) = run_with(&plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 20.0), &eu)?;
    assert_ne!(outcome.status, PlanStatus::Blocked);
    assert!(
        report.findings.iter().all(|f| f.severity != Severity::Hard),
        "{:?}",
        report.findings
    );

    let (outcome, report) = run_with(&plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 22.0), &eu)?;
    assert_eq!(outcome.status, PlanStatus::Blocked);
    assert_eq!(
        report.findings.first().map(|f| f.message.as_str()),
        Some("ziconotide daily dose 22 mcg/day is above the hard limit of 21.6 mcg/day (EU labelling).")
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Baclofen: maintenance limits and the condition it is given for.
// -------------------------------------------------------------------------------------------------

/// Baclofen 500 mcg/mL in a SynchroMed II 20 mL at `daily` mcg/day, given for `condition`, with
/// a current programme of the same total and no residual.
fn baclofen(daily: f64, condition: Option<&str>) -> Plan {
    let mut p = plan("synchromed-ii-20", 20.0, "baclofen", MCG, 500.0, daily);
    p.current_programme = vec![current("baclofen", MCG, daily)];
    p.csf.residual = Some(ml(0.0));
    if let Some(l) = p.drugs.first_mut() {
        l.condition = condition.map(str::to_owned);
    }
    p
}

/// With no condition stated every limit applies. 750 mcg/day (750 ÷ 500 = 1.5 mL/day): above 703
/// (maintenance, cerebral origin, soft), not above 800 (maintenance, spinal origin) nor 1,000.
#[test]
fn baclofen_maintenance_limits_with_no_condition_stated() -> TestResult {
    let (_, report) = run(&baclofen(750.0, None))?;
    let cerebral = finding_bound(&report, "limit.daily_dose", "max 703").ok_or("no 703 finding")?;
    assert_eq!(cerebral.severity, Severity::Soft);
    assert_eq!(
        cerebral.message,
        "baclofen daily dose 750 mcg/day is above the soft limit of 703 mcg/day (spasticity of cerebral origin)."
    );
    assert!(finding_bound(&report, "limit.daily_dose", "max 800").is_none());
    assert!(finding_bound(&report, "limit.daily_dose", "max 1,000").is_none());
    Ok(())
}

/// The condition filters the limits: given for "spasticity of spinal origin",
/// 750 mcg/day is within 300–800 (the cerebral 703 does not apply); 850 mcg/day is above 800.
/// 1,000 mcg/day exactly is not above the unconditioned 1,000; 1,001 is.
#[test]
fn the_condition_filters_the_limits() -> TestResult {
    let spinal = Some("spasticity of spinal origin");
    let (outcome, report) = run(&baclofen(750.0, spinal))?;
    assert!(
        findings(&report, "limit.daily_dose").is_empty(),
        "{:?}",
        report.findings
    );
    assert_eq!(outcome.status, PlanStatus::Valid);
    let (_, report) = run(&baclofen(850.0, spinal))?;
    let bounds: Vec<Option<&str>> = findings(&report, "limit.daily_dose")
        .iter()
        .map(|f| f.key.bound.as_deref())
        .collect();
    assert_eq!(bounds, [Some("max 800")]);
    let (_, report) = run(&baclofen(1000.0, spinal))?;
    assert!(finding_bound(&report, "limit.daily_dose", "max 1,000").is_none());
    let (_, report) = run(&baclofen(1001.0, spinal))?;
    assert!(finding_bound(&report, "limit.daily_dose", "max 1,000").is_some());
    Ok(())
}

/// Minimum limits are checked on the basal daily dose: boluses do not make up for a basal below
/// the maintenance range. Spinal origin (300–800 mcg/day, info below 300):
///   basal 250 mcg/day (0.5 mL/day) with a 0.2 mL (100 mcg) bolus every 24 h: maximum
///   250 + 100 = 350 ≥ 300, but the basal 250 < 300 → info, value "250"
///   basal 300 mcg/day exactly → none
#[test]
fn a_minimum_limit_is_checked_on_the_basal() -> TestResult {
    let spinal = Some("spasticity of spinal origin");
    let mut p = baclofen(250.0, spinal);
    p.boluses.periodic = vec![PeriodicBolus {
        volume: ml(0.2),
        duration: hours(0.5),
        interval: hours(24.0),
        first: date(2026, 11, 25).at(12, 0, 0, 0),
    }];
    p.current_programme = vec![current("baclofen", MCG, 350.0)];
    let (outcome, report) = run(&p)?;
    assert!(common::close(
        outcome.drugs.first().map_or(0.0, |d| d.daily_maximum.value()),
        350.0
    ));
    let low = finding_bound(&report, "limit.daily_dose", "min 300").ok_or("no minimum finding")?;
    assert_eq!((low.severity, low.key.value.as_deref()), (Severity::Info, Some("250")));
    let (_, report) = run(&baclofen(300.0, spinal))?;
    assert!(
        finding_bound(&report, "limit.daily_dose", "min 300").is_none(),
        "{:?}",
        report.findings
    );
    Ok(())
}

/// A condition the library does not name is refused at the drug line's condition, naming the
/// conditions it does; a condition for a drug whose rules do not differ by condition too. Never a
/// silent "every rule applies".
#[test]
fn a_condition_the_library_does_not_name_is_refused_at_the_line() -> TestResult {
    let errs = errors(&baclofen(500.0, Some("spinal")))?;
    assert_eq!(element_ids(&errs), ["drug-0-condition"]);
    assert_eq!(
        messages(&errs),
        [
            "Drug 1, condition: \u{201c}spinal\u{201d} is not one of the conditions the library names for baclofen (spasticity of spinal origin; spasticity of cerebral origin)"
        ]
    );
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 1.0);
    if let Some(l) = p.drugs.first_mut() {
        l.condition = Some("cancer pain".into());
    }
    assert_eq!(
        messages(&errors(&p)?),
        ["Drug 1, condition: \u{201c}cancer pain\u{201d}: the library's rules for morphine do not differ by condition"]
    );
    Ok(())
}

/// The minimum's message names what was checked: the basal daily dose of 250 mcg/day, not the
/// "maximum possible daily dose" (which is 250 + 100 = 350 mcg/day).
#[test]
fn a_minimum_limit_message_names_the_basal() -> TestResult {
    let mut p = baclofen(250.0, Some("spasticity of spinal origin"));
    p.boluses.periodic = vec![PeriodicBolus {
        volume: ml(0.2),
        duration: hours(0.5),
        interval: hours(24.0),
        first: date(2026, 11, 25).at(12, 0, 0, 0),
    }];
    p.current_programme = vec![current("baclofen", MCG, 350.0)];
    let (_, report) = run(&p)?;
    assert_eq!(
        finding_bound(&report, "limit.daily_dose", "min 300").map(|f| f.message.as_str()),
        Some(
            "baclofen daily dose 250 mcg/day is below the reference limit of 300 mcg/day (spasticity of spinal origin)."
        )
    );
    Ok(())
}

/// A condition's limits and its titration rules apply together: a baclofen line given for
/// "spasticity of spinal origin" is checked against the spinal-origin maintenance maximum of
/// 800 mcg/day (850 is above it), one given for cerebral origin against 703 mcg/day (750 is above
/// it). Version 2 of the library worded the limits "maintenance, spasticity of … origin" and the
/// rules "spasticity of … origin", so stating either switched the other off; version 3 declares
/// each drug's conditions and refuses a limit or rule that names another.
#[test]
fn a_stated_condition_keeps_its_own_maintenance_limits() -> TestResult {
    let (_, report) = run(&baclofen(850.0, Some("spasticity of spinal origin")))?;
    assert!(
        finding_bound(&report, "limit.daily_dose", "max 800").is_some(),
        "{:?}",
        report.findings
    );
    let (_, report) = run(&baclofen(750.0, Some("spasticity of cerebral origin")))?;
    assert!(
        finding_bound(&report, "limit.daily_dose", "max 703").is_some(),
        "{:?}",
        report.findings
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// The library file.
// -------------------------------------------------------------------------------------------------

/// An import that fails validation is refused with a message naming the drug and the field, and
/// the library in force stays in force; a valid edited library is taken whole.
#[test]
fn a_rejected_import_leaves_the_old_library_in_force() -> TestResult {
    let mut library = library()?;
    let before = library.clone();
    let good = library.to_json();
    let cases = [
        (
            good.replacen("\"severity\": \"soft\"", "\"severity\": \"hard\"", 1),
            "drug library rejected: drug \u{201c}morphine\u{201d}, limits[0].severity: an unverified (U) value cannot be a hard limit; make it soft or verify it",
        ),
        (
            good.replacen("\"value\": 15.0", "\"value\": -15.0", 1),
            "drug library rejected: drug \u{201c}morphine\u{201d}, limits[0].value: -15 must be a positive number",
        ),
        (
            good.replacen("\"id\": \"hydromorphone\"", "\"id\": \"morphine\"", 1),
            "drug library rejected: drug \u{201c}morphine\u{201d}, id: appears twice",
        ),
        (
            good.replacen("\"format\": \"itdose-drug-library\"", "\"format\": \"pump-library\"", 1),
            "drug library rejected: format is \u{201c}pump-library\u{201d}, expected \u{201c}itdose-drug-library\u{201d}",
        ),
        (
            good.replacen("\"version\": 3", "\"version\": 4", 1),
            "drug library rejected: version 4 is not supported (this build reads versions 1 to 3)",
        ),
        (
            good.replacen(
                "\"condition\": \"spasticity of spinal origin\"",
                "\"condition\": \"spinal spasticity\"",
                1,
            ),
            "drug library rejected: drug \u{201c}baclofen\u{201d}, limits[0].condition: \u{201c}spinal spasticity\u{201d} is not one of the drug's conditions (spasticity of spinal origin; spasticity of cerebral origin)",
        ),
        (
            good.replacen("\"display_name\": \"morphine\"", "\"display_name\": \" \"", 1),
            "drug library rejected: drug \u{201c}morphine\u{201d}, display_name: is empty",
        ),
    ];
    for (text, expected) in cases {
        let err = library.import(&text).err().ok_or("import should fail")?;
        assert_eq!(err.to_string(), expected);
        assert_eq!(library, before, "the old library stays in force");
    }
    // 3 MB of note: more than a library may have (512 KB), refused before it is read.
    let big = good.replacen("\"note\": \"", &format!("\"note\": \"{}", "x".repeat(3 << 20)), 1);
    let err = library.import(&big).err().ok_or("a 3 MB library was imported")?;
    assert_eq!(
        err.to_string(),
        format!(
            "drug library rejected: the file has {} bytes, more than the 524288 a drug library may have",
            big.len()
        )
    );
    assert_eq!(library, before);
    let err = library.import("{ not json").err().ok_or("import should fail")?;
    assert!(
        err.to_string()
            .starts_with("drug library rejected: not a valid library file"),
        "{err}"
    );
    assert_eq!(library, before);
    library.import(&good.replacen("\"value\": 15.0", "\"value\": 12.0", 1))?;
    assert_ne!(library, before);
    Ok(())
}

/// A minimum at or above its maximum, a start range low above high, a titration rule without a
/// bound, a new-pump rinse of 0 times: each refused, naming the drug and field.
#[test]
fn library_validation_names_the_drug_and_the_field() -> TestResult {
    let base = library()?;
    let mut bad = base.clone();
    let baclofen = bad.drugs.iter_mut().find(|d| d.id == "baclofen").ok_or("no baclofen")?;
    baclofen.limits.push(Limit {
        quantity: LimitQuantity::DailyDose,
        bound: Bound::Min,
        severity: Severity::Info,
        value: 703.0,
        source: "test".into(),
        mark: Mark::Institution,
        condition: String::new(),
        regions: vec![],
    });
    assert_eq!(
        bad.validate().map_err(|e| e.to_string()),
        Err("drug library rejected: drug \u{201c}baclofen\u{201d}, limits: daily dose minimum 703 is not below its maximum 703".into())
    );
    let mut bad = base.clone();
    let morphine = bad.drugs.iter_mut().find(|d| d.id == "morphine").ok_or("no morphine")?;
    if let Some(range) = morphine.start_dose_per_day.as_mut() {
        range.low = 2.0;
    }
    assert_eq!(
        bad.validate().map_err(|e| e.to_string()),
        Err("drug library rejected: drug \u{201c}morphine\u{201d}, start_dose_per_day: low 2 is above high 1".into())
    );
    let mut bad = base.clone();
    let zico = bad
        .drugs
        .iter_mut()
        .find(|d| d.id == "ziconotide")
        .ok_or("no ziconotide")?;
    if let Some(rule) = zico.titration.first_mut() {
        rule.max_step = None;
        rule.min_hours_between = None;
        rule.max_increases_per_week = None;
    }
    assert_eq!(
        bad.validate().map_err(|e| e.to_string()),
        Err(
            "drug library rejected: drug \u{201c}ziconotide\u{201d}, titration: titration[0]: set at least one bound"
                .into()
        )
    );
    let mut bad = base;
    let zico = bad
        .drugs
        .iter_mut()
        .find(|d| d.id == "ziconotide")
        .ok_or("no ziconotide")?;
    if let Some(rinse) = zico.new_pump.as_mut().and_then(|r| r.rinse.as_mut()) {
        rinse.times = 0;
    }
    assert_eq!(
        bad.validate().map_err(|e| e.to_string()),
        Err("drug library rejected: drug \u{201c}ziconotide\u{201d}, new_pump: new_pump.rinse.times: must be at least 1".into())
    );
    Ok(())
}

/// The region must be one the library's limits and rules name (here EU and US): an unknown or
/// empty region would switch off every regional limit, ziconotide's hard maximum among them, without
/// a word. "eu" is EU.
#[test]
fn the_library_region_must_be_one_its_rules_name() -> TestResult {
    let base = library()?;
    assert_eq!(base.regions(), ["EU", "US"]);
    for (region, expected) in [
        (
            "UK",
            "drug library rejected: region: \u{201c}UK\u{201d} is not one of the regions its limits and rules name (EU, US)",
        ),
        (
            "",
            "drug library rejected: region: \u{201c}\u{201d} is not one of the regions its limits and rules name (EU, US)",
        ),
    ] {
        let mut l = base.clone();
        l.region = region.into();
        assert_eq!(
            l.validate().map_err(|e| e.to_string()),
            Err(expected.to_owned()),
            "{region:?}"
        );
        let mut in_force = base.clone();
        let text = l.to_json();
        assert!(in_force.import(&text).is_err());
        assert_eq!(in_force, base);
    }
    let mut eu = base.clone();
    eu.region = "eu".into();
    assert!(eu.validate().is_ok());
    // In force, "eu" follows the EU labelling: 20 mcg/day of ziconotide is not blocked.
    let (outcome, _) = run_with(&plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 20.0), &eu)?;
    assert_ne!(outcome.status, PlanStatus::Blocked);
    Ok(())
}

/// An institution lowers morphine's soft maximum to 12 mg/day and makes it hard: its own value,
/// marked I, may block (13 mg/day now blocks); its source records the date and the default it
/// replaced. An invalid edit (a negative value, a limit that does not exist) changes nothing.
#[test]
fn an_institution_edits_a_limit_in_place() -> TestResult {
    let mut library = library()?;
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
    let err = library
        .edit_limit("morphine", 9, 1.0, Severity::Soft, on)
        .err()
        .ok_or("no such limit accepted")?;
    assert_eq!(
        err.to_string(),
        "drug library rejected: drug \u{201c}morphine\u{201d}, limits[9]: no such limit"
    );
    assert!(library.edit_limit("heroin", 0, 1.0, Severity::Soft, on).is_err());
    assert_eq!(library, before);
    library.edit_limit("morphine", 0, 12.0, Severity::Hard, on)?;
    let limit = library
        .get("morphine")
        .and_then(|d| d.limits.first())
        .ok_or("no limit")?;
    assert_eq!((limit.severity, limit.mark), (Severity::Hard, Mark::Institution));
    assert!(common::close(limit.value, 12.0));
    assert!(
        limit
            .source
            .starts_with("set in itdose on 2026-11-25 (default 15 mg/day [U]: PACC"),
        "{}",
        limit.source
    );
    let (outcome, report) = run_with(&morphine(13.0), &library)?;
    assert_eq!(outcome.status, PlanStatus::Blocked);
    assert_eq!(
        finding(&report, "limit.daily_dose").map(|f| (f.key.bound.as_deref(), f.mark)),
        Some((Some("max 12"), Some(Mark::Institution)))
    );
    Ok(())
}

/// data/drugs.json made into a version-1 file: version 1, no region, and no drug-specific rules
/// (classes, titration, new pump, combinations, strengths, guidance, suggested alarm, morphine
/// equivalent, labelled pumps) nor declared conditions. Reading it gives the current version,
/// region US, the built-in rules back, the conditions its limits and rules name, and every limit of
/// the file unchanged; the note says so.
#[test]
fn a_version_1_library_migrates_to_the_current_version() -> TestResult {
    let text = common::read("data/drugs.json")?;
    let mut value: serde_json::Value = serde_json::from_str(&text)?;
    let root = value.as_object_mut().ok_or("the library is not an object")?;
    root.insert("version".into(), 1.into());
    root.remove("region");
    let drugs = root
        .get_mut("drugs")
        .and_then(serde_json::Value::as_array_mut)
        .ok_or("no drugs")?;
    let mut file_limits = Vec::new();
    for drug in drugs.iter_mut() {
        let drug = drug.as_object_mut().ok_or("a drug is not an object")?;
        for key in [
            "classes",
            "titration",
            "new_pump",
            "avoid_with",
            "strengths",
            "guidance",
            "low_reservoir_alarm_ml",
            "intrathecal_morphine_equivalent",
            "labelled_pumps",
            "conditions",
        ] {
            drug.remove(key);
        }
        let id = drug
            .get("id")
            .and_then(serde_json::Value::as_str)
            .ok_or("no id")?
            .to_owned();
        let limits: Vec<Limit> = serde_json::from_value(drug.get("limits").cloned().unwrap_or_default())?;
        file_limits.push((id, limits));
    }
    let v1 = serde_json::to_string(&value)?;

    let migrated = DrugLibrary::from_json(&v1)?;
    let builtin = library()?;
    assert_eq!((migrated.version, migrated.region.as_str()), (LIBRARY_VERSION, "US"));
    assert_eq!(
        migrated.get("baclofen").map(|d| d.conditions.clone()),
        builtin.get("baclofen").map(|d| d.conditions.clone())
    );
    let (Some(zico), Some(zico_builtin)) = (migrated.get("ziconotide"), builtin.get("ziconotide")) else {
        return Err("no ziconotide".into());
    };
    assert_eq!(zico.titration, zico_builtin.titration);
    assert_eq!(zico.new_pump, zico_builtin.new_pump);
    assert_eq!(zico.labelled_pumps, zico_builtin.labelled_pumps);
    assert!(!zico.titration.is_empty() && zico.new_pump.is_some());
    assert_eq!(file_limits.len(), migrated.drugs.len());
    for (id, limits) in &file_limits {
        let drug = migrated.get(id).ok_or(format!("{id} missing after migration"))?;
        assert_eq!(&drug.limits, limits, "{id}");
    }
    assert!(
        migrated.note.contains("Migrated from a version-1 library"),
        "{}",
        migrated.note
    );
    Ok(())
}

/// data/drugs.json made into a version-2 file as the issue-8 build wrote it: no declared conditions,
/// and the baclofen limits worded "maintenance, spasticity of … origin" while the titration rules
/// say "spasticity of … origin". Reading it gives the current version with the limits naming the
/// rules' condition, the two conditions declared, every value unchanged, and a note saying so.
#[test]
fn a_version_2_library_migrates_its_condition_words() -> TestResult {
    let text = common::read("data/drugs.json")?
        .replacen("\"version\": 3", "\"version\": 2", 1)
        .replace(
            "\"condition\": \"spasticity of spinal origin\"\n        }",
            "\"condition\": \"maintenance, spasticity of spinal origin\"\n        }",
        )
        .replace(
            "\"condition\": \"spasticity of cerebral origin\"\n        }",
            "\"condition\": \"maintenance, spasticity of cerebral origin\"\n        }",
        );
    let mut value: serde_json::Value = serde_json::from_str(&text)?;
    for drug in value
        .get_mut("drugs")
        .and_then(serde_json::Value::as_array_mut)
        .ok_or("no drugs")?
    {
        drug.as_object_mut()
            .ok_or("a drug is not an object")?
            .remove("conditions");
    }
    let v2 = serde_json::to_string(&value)?;
    assert!(
        v2.contains("maintenance, spasticity of spinal origin"),
        "the v2 wording is in the file"
    );
    let migrated = DrugLibrary::from_json(&v2)?;
    let builtin = library()?;
    assert_eq!(migrated.version, LIBRARY_VERSION);
    assert_eq!(migrated.drugs, builtin.drugs);
    assert!(
        migrated.note.contains("Migrated from a version-2 library"),
        "{}",
        migrated.note
    );
    Ok(())
}

/// The shipped library: Tall Man display names; every limit sourced; no unverified value is a
/// hard limit; ziconotide, fentaNYL, SUFentanil and cloNIDine are dosed in micrograms.
#[test]
fn the_default_library_uses_tall_man_names_and_sources_every_limit() -> TestResult {
    let library = library()?;
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
            assert!(
                !(limit.severity == Severity::Hard && limit.mark == Mark::Unverified),
                "{}",
                drug.id
            );
        }
    }
    let families: Vec<MassFamily> = ["ziconotide", "fentanyl", "sufentanil", "clonidine"]
        .iter()
        .filter_map(|id| library.get(id).map(|d| d.family))
        .collect();
    assert_eq!(families, [MCG; 4]);
    Ok(())
}
