//! Clinical-safety rules of the plan checks, one worked example each, with the arithmetic written
//! out and every boundary tested exactly: boluses in the heaviest 24-hour total, per-bolus limits,
//! titration steps and spacing, regional maxima, a new pump, combinations, off-label use, the
//! capacity with the residual, the refill-by date, a change of drug, flex step notes, library
//! migration and the concentration CSV.
#![cfg(not(target_arch = "wasm32"))]
// The helpers build quantities from literal constants; a bad literal should stop the test loudly.
#![allow(clippy::expect_used)]

use itdose::engine::{
    AnyConcentration, AnyDoseRate, Bound, BridgeBolusSetting, Catalogue, CurrentTotal, Cycle, DrugLibrary, DrugLine,
    Error, Field, Fill, Finding, FlexDoseStep, FlexProgramme, Hours, Limit, LimitQuantity, Mark, MassFamily,
    Millilitres, MlPerDay, MriScan, Plan, PlanStatus, PreviousDrug, PrimingBolusSetting, Programme, PumpChoice, Report,
    Severity, SingleBolus, TitrationHistory, evaluate, format::Display, format::format_date_time,
};
use jiff::civil::{DateTime, date};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const MG: MassFamily = MassFamily::Mg;
const MCG: MassFamily = MassFamily::Mcg;

fn ml(v: f64) -> Millilitres {
    Millilitres::new(v).expect("literal")
}
fn hours(v: f64) -> Hours {
    Hours::new(v).expect("literal")
}
fn conc(family: MassFamily, v: f64) -> AnyConcentration {
    AnyConcentration::new(family, v).expect("literal")
}
fn dose(family: MassFamily, v: f64) -> AnyDoseRate {
    AnyDoseRate::new(family, v).expect("literal")
}
/// Wed 25 Nov 2026 09:00.
fn filled() -> DateTime {
    date(2026, 11, 25).at(9, 0, 0, 0)
}

fn line(drug: &str, family: MassFamily, concentration: f64, daily: Option<f64>) -> DrugLine {
    DrugLine {
        drug: drug.into(),
        concentration: Some(conc(family, concentration)),
        daily_dose: daily.map(|d| dose(family, d)),
        stock: None,
    }
}

/// One drug, lead-dose programme, alarm 2 mL, filled Wed 25 Nov 2026 09:00.
fn plan(pump: &str, fill: f64, drug: &str, family: MassFamily, concentration: f64, daily: f64) -> Plan {
    Plan::new(
        PumpChoice {
            model: pump.into(),
            capacity: None,
            fixed_rate: None,
            end_of_service: None,
        },
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

fn current(drug: &str, family: MassFamily, daily_maximum: f64) -> CurrentTotal {
    CurrentTotal {
        drug: drug.into(),
        daily_maximum: dose(family, daily_maximum),
    }
}

fn single(volume: f64, at: DateTime) -> SingleBolus {
    SingleBolus {
        volume: ml(volume),
        duration: hours(1.0),
        at,
    }
}

fn run_with(plan: &Plan, library: &DrugLibrary) -> Result<Report, Box<dyn std::error::Error>> {
    evaluate(plan, &Catalogue::builtin()?, library).map_err(|e| format!("{e:?}").into())
}

fn run(plan: &Plan) -> Result<Report, Box<dyn std::error::Error>> {
    run_with(plan, &DrugLibrary::builtin()?)
}

/// The errors of a plan that must not evaluate.
fn errors(plan: &Plan) -> Result<Vec<Error>, Box<dyn std::error::Error>> {
    match evaluate(plan, &Catalogue::builtin()?, &DrugLibrary::builtin()?) {
        Ok(_) => Err("the plan evaluated, but an error was expected".into()),
        Err(errors) => Ok(errors),
    }
}

fn keys(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.key.as_str()).collect()
}

/// The first finding whose key starts with `prefix`.
fn finding<'a>(report: &'a Report, prefix: &str) -> Option<&'a Finding> {
    report.findings.iter().find(|f| f.key.starts_with(prefix))
}

/// The first finding whose key contains every one of `parts`.
fn finding_with<'a>(report: &'a Report, parts: &[&str]) -> Option<&'a Finding> {
    report.findings.iter().find(|f| parts.iter().all(|p| f.key.contains(p)))
}

/// Equal up to float noise (the engine's own relative tolerance is 1e-9).
fn close(value: f64, expected: f64) -> bool {
    (value - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

fn daily_maximum(report: &Report) -> f64 {
    report.drugs.first().map_or(f64::NAN, |d| d.daily_maximum.value())
}

fn figure<'a>(report: &'a Report, name: &str) -> Option<&'a str> {
    report
        .figures
        .iter()
        .chain(report.drugs.iter().flat_map(|d| &d.figures))
        .find(|f| f.name == name)
        .map(|f| f.display.as_str())
}

// ---------------------------------------------------------------------------------------------
// 1. Every one-off bolus counts in the heaviest 24-hour total.
// ---------------------------------------------------------------------------------------------

/// SynchroMed II 40 mL, morphine 10 mg/mL at 2 mg/day, fill 40 mL, alarm 2 mL, filled
/// Wed 25 Nov 2026 09:00; one single bolus of 2 mL over 1 h on Thu 26 Nov 12:00.
///   basal rate = 2 mg/day ÷ 10 mg/mL = 0.2 mL/day
///   one-off boluses in the heaviest 24 h = 2 mL (the only bolus)
///   maximum possible per 24 h = 0.2 + 2 = 2.2 mL → × 10 mg/mL = 22 mg/day
///     (of which the bolus: 2 mL × 10 mg/mL = 20 mg/day)
///   22 > 15 mg/day (PACC as commonly cited, soft, U) and 22 > 20 mg/day (Infumorph label, soft, V)
#[test]
fn a_single_bolus_counts_in_the_heaviest_24_hours() -> TestResult {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 2.0);
    p.boluses.single = vec![single(2.0, date(2026, 11, 26).at(12, 0, 0, 0))];
    let report = run(&p)?;
    assert!(close(report.flow_rate.value(), 0.2), "{}", report.flow_rate.value());
    assert!(
        close(report.daily_volumes.one_off_boluses.value(), 2.0),
        "{:?}",
        report.daily_volumes
    );
    assert!(
        close(report.daily_volumes.maximum.value(), 2.2),
        "{:?}",
        report.daily_volumes
    );
    assert!(close(daily_maximum(&report), 22.0), "{}", daily_maximum(&report));
    assert_eq!(
        figure(&report, "morphine one-off boluses in the heaviest 24 h"),
        Some("20 mg/day")
    );
    assert_eq!(figure(&report, "morphine maximum possible per 24 h"), Some("22 mg/day"));

    let pacc = finding(&report, "morphine/daily_dose/max/15/").ok_or("no 15 mg/day finding")?;
    assert_eq!((pacc.severity, pacc.mark), (Severity::Soft, Some(Mark::Unverified)));
    assert_eq!(
        pacc.message,
        "morphine maximum possible daily dose 22 mg/day is above the soft limit of 15 mg/day."
    );
    let label = finding(&report, "morphine/daily_dose/max/20/").ok_or("no 20 mg/day finding")?;
    assert_eq!((label.severity, label.mark), (Severity::Soft, Some(Mark::Verified)));
    assert!(
        label.source.as_deref().is_some_and(|s| s.contains("Infumorph label")),
        "{:?}",
        label.source
    );
    assert_eq!(
        label.message,
        "morphine maximum possible daily dose 22 mg/day is above the soft limit of 20 mg/day."
    );
    assert_eq!(report.status, PlanStatus::NeedsAcknowledgement);
    Ok(())
}

/// Found in review: a long bolus and one a day later share a 24-hour window. Morphine 10 mg/mL at
/// 2 mg/day (0.2 mL/day); 1 mL over 10 h from Thu 26 Nov 12:00, 1 mL over 1 h from Fri 27 Nov 12:00.
/// The window Thu 13:00 – Fri 13:00 holds 9 h of the first (0.9 mL) and all the second (1 mL):
///   one-off 1.9 mL; maximum 0.2 + 1.9 = 2.1 mL → 21 mg/day, above both soft limits (15, 20 mg/day).
/// (Counting each bolus whole at its start gave 1.2 mL → 12 mg/day and missed both.)
#[test]
fn a_long_bolus_shares_a_window_with_the_next_day_one() -> TestResult {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 2.0);
    p.boluses.single = vec![
        SingleBolus {
            volume: ml(1.0),
            duration: hours(10.0),
            at: date(2026, 11, 26).at(12, 0, 0, 0),
        },
        SingleBolus {
            volume: ml(1.0),
            duration: hours(1.0),
            at: date(2026, 11, 27).at(12, 0, 0, 0),
        },
    ];
    let report = run(&p)?;
    assert!(
        close(report.daily_volumes.one_off_boluses.value(), 1.9),
        "{:?}",
        report.daily_volumes
    );
    assert!(close(daily_maximum(&report), 21.0), "{}", daily_maximum(&report));
    assert!(finding(&report, "morphine/daily_dose/max/20/").is_some());
    Ok(())
}

/// Two single boluses of 2 mL (20 mg each) on the plan above, the first on Thu 26 Nov 12:00.
/// A window is [t, t + 24 h) from a bolus start:
///   second 23 h later (Fri 27 Nov 11:00): 1,380 min < 1,440 → both in one window:
///     0.2 + 2 + 2 = 4.2 mL → 42 mg/day
///   second 25 h later (Fri 27 Nov 13:00): 1,500 min ≥ 1,440 → one per window:
///     0.2 + 2 = 2.2 mL → 22 mg/day
///   second exactly 24 h later (Fri 27 Nov 12:00): 1,440 min is not < 1,440 → one per window:
///     2.2 mL → 22 mg/day
#[test]
fn single_boluses_count_together_only_within_24_hours() -> TestResult {
    let first = date(2026, 11, 26).at(12, 0, 0, 0);
    for (second, one_off, maximum) in [
        (date(2026, 11, 27).at(11, 0, 0, 0), 4.0, 42.0),
        (date(2026, 11, 27).at(13, 0, 0, 0), 2.0, 22.0),
        (date(2026, 11, 27).at(12, 0, 0, 0), 2.0, 22.0),
    ] {
        let mut p = plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 2.0);
        p.boluses.single = vec![single(2.0, first), single(2.0, second)];
        let report = run(&p)?;
        assert!(
            close(report.daily_volumes.one_off_boluses.value(), one_off),
            "second bolus {second}: {:?}",
            report.daily_volumes
        );
        assert!(
            close(daily_maximum(&report), maximum),
            "second bolus {second}: {}",
            daily_maximum(&report)
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 2. Priming and bridge boluses count.
// ---------------------------------------------------------------------------------------------

/// Prometra II 20 mL, fill 20 mL, morphine 10 mg/mL at 1 mg/day; catheter 100 cm × 0.0026 mL/cm.
///   basal = 1 ÷ 10 = 0.1 mL/day
///   volume ahead of the drug = 100 × 0.0026 = 0.26 mL (no pump tubing entered)
///   priming bolus at the fill over 0.5 h: 0.26 mL, a one-off bolus
///   maximum per 24 h = 0.1 + 0.26 = 0.36 mL → × 10 = 3.6 mg/day (1 basal + 2.6 priming)
fn prometra_with_catheter() -> Plan {
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 1.0);
    p.csf.catheter_length_cm = Some(100.0);
    p.csf.catheter_ml_per_cm = Some(0.0026);
    p.boluses.priming = Some(PrimingBolusSetting {
        at: filled(),
        duration: hours(0.5),
    });
    p
}

/// See [`prometra_with_catheter`]: 0.26 mL one-off → 1 + 2.6 = 3.6 mg/day.
#[test]
fn a_priming_bolus_counts_in_the_24_hour_total() -> TestResult {
    let report = run(&prometra_with_catheter())?;
    assert!(close(report.flow_rate.value(), 0.1), "{}", report.flow_rate.value());
    assert!(
        close(report.daily_volumes.one_off_boluses.value(), 0.26),
        "{:?}",
        report.daily_volumes
    );
    assert!(close(daily_maximum(&report), 3.6), "{}", daily_maximum(&report));
    assert_eq!(
        figure(&report, "morphine one-off boluses in the heaviest 24 h"),
        Some("2.6 mg/day")
    );
    Ok(())
}

/// The priming plan plus a bridge bolus at the fill, replacing morphine 5 mg/mL:
///   bridge rate = basal × new ÷ old = 0.1 mL/day × 10 ÷ 5 = 0.2 mL/day (keeps 1 mg/day of the old)
///   bridge volume = the volume ahead of the new solution = 0.26 mL,
///     over 0.26 ÷ 0.2 = 1.3 days = 31.2 h
///   both start at the fill; a bolus delivers evenly over its duration, so the heaviest 24 hours
///   (from the fill) hold all the priming bolus and 24 ÷ 31.2 of the bridge:
///   one-off = 0.26 + 0.26 × 24 ÷ 31.2 = 0.26 + 0.2 = 0.46 mL
///   maximum per 24 h = 0.1 + 0.46 = 0.56 mL → × 10 = 5.6 mg/day (1 + 2.6 + 2)
#[test]
fn a_bridge_bolus_counts_with_the_priming_bolus() -> TestResult {
    let mut p = prometra_with_catheter();
    p.boluses.bridge = Some(BridgeBolusSetting { at: filled() });
    p.csf.previous = vec![PreviousDrug {
        drug: "morphine".into(),
        concentration: conc(MG, 5.0),
    }];
    let report = run(&p)?;
    assert!(
        close(report.daily_volumes.one_off_boluses.value(), 0.46),
        "{:?}",
        report.daily_volumes
    );
    assert!(close(daily_maximum(&report), 5.6), "{}", daily_maximum(&report));
    // The schedule holds the priming bolus, then the bridge, as single boluses.
    let durations: Vec<f64> = report.schedule.single.iter().map(|b| b.duration.value()).collect();
    assert_eq!(durations.len(), 2, "{durations:?}");
    assert!(
        matches!(durations.as_slice(), [priming, bridge] if close(*priming, 0.5) && close(*bridge, 31.2)),
        "{durations:?}"
    );
    Ok(())
}

/// A priming bolus is sized by the volume ahead of the drug (pump tubing + catheter). With
/// neither entered that volume is 0 + 0 × 0 = 0 mL, and the plan is refused at the schedule.
#[test]
fn a_priming_bolus_needs_the_volume_ahead_of_the_drug() -> TestResult {
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 1.0);
    p.boluses.priming = Some(PrimingBolusSetting {
        at: filled(),
        duration: hours(0.5),
    });
    let errors = errors(&p)?;
    let error = errors.first().ok_or("no error")?;
    assert_eq!(error.field, Field::Schedule, "{errors:?}");
    assert!(
        error.to_string().contains("enter the pump tubing and the catheter"),
        "{error}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. Per-bolus limits.
// ---------------------------------------------------------------------------------------------

/// The built-in library with an institution's soft limit of 1 mg per morphine bolus. SynchroMed II
/// 20 mL, morphine 10 mg/mL at 2 mg/day, one single bolus on Thu 26 Nov 12:00 over 1 h:
///   0.2 mL × 10 mg/mL = 2 mg > 1 mg → soft finding
///   0.1 mL × 10 mg/mL = 1 mg, exactly the limit → no finding
#[test]
fn a_bolus_above_a_per_bolus_limit_is_a_soft_finding() -> TestResult {
    let mut library = DrugLibrary::builtin()?;
    let morphine = library
        .drugs
        .iter_mut()
        .find(|d| d.id == "morphine")
        .ok_or("no morphine in the library")?;
    morphine.limits.push(Limit {
        quantity: LimitQuantity::BolusDose,
        bound: Bound::Max,
        severity: Severity::Soft,
        value: 1.0,
        source: "test".into(),
        mark: Mark::Institution,
        condition: String::new(),
        regions: vec![],
    });
    let at = date(2026, 11, 26).at(12, 0, 0, 0);

    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 2.0);
    p.boluses.single = vec![single(0.2, at)];
    let report = run_with(&p, &library)?;
    let bolus = finding(&report, "morphine/bolus_dose/").ok_or("no bolus finding")?;
    assert_eq!(bolus.severity, Severity::Soft);
    assert_eq!(bolus.mark, Some(Mark::Institution));
    assert!(
        bolus
            .message
            .contains("single bolus 2 mg is above the soft limit of 1 mg"),
        "{}",
        bolus.message
    );

    p.boluses.single = vec![single(0.1, at)];
    let report = run_with(&p, &library)?;
    assert!(
        finding(&report, "morphine/bolus_dose/").is_none(),
        "{:?}",
        keys(&report)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 4. Ziconotide titration (US library, the default).
// ---------------------------------------------------------------------------------------------

/// SynchroMed II 20 mL, fill 20 mL, ziconotide 25 mcg/mL; current programme 2.4 mcg/day, last
/// changed 48 h before the fill with 1 rise in the past 7 days.
fn ziconotide_titration(from: f64, to: f64) -> Plan {
    let mut p = plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, to);
    p.current_programme = vec![current("ziconotide", MCG, from)];
    p.titration = Some(TitrationHistory {
        last_change: Some(date(2026, 11, 23).at(9, 0, 0, 0)),
        increases_past_week: Some(1),
    });
    p
}

fn titration_keys(report: &Report) -> Vec<&str> {
    keys(report).into_iter().filter(|k| k.contains("/titration/")).collect()
}

/// Prialt US label: raise by at most 2.4 mcg/day.
///   2.4 → 4.8 mcg/day (4.8 ÷ 25 = 0.192 mL/day): step 4.8 − 2.4 = 2.4, not above 2.4 → no finding
///   2.4 → 4.9 mcg/day: step 4.9 − 2.4 = 2.5 > 2.4 → soft step finding (V)
///   7.2 → 9.6 mcg/day: step 9.6 − 7.2 = 2.4 (2.3999999999999995 in floating point) → no finding
/// The last change was 48 h ago (≥ 24 h) and this is rise 2 in a week (≤ 3): no spacing finding.
#[test]
fn ziconotide_titration_step_is_at_most_2_4_mcg_per_day() -> TestResult {
    let report = run(&ziconotide_titration(2.4, 4.8))?;
    assert!(close(daily_maximum(&report), 4.8), "{}", daily_maximum(&report));
    assert_eq!(titration_keys(&report), Vec::<&str>::new());

    let report = run(&ziconotide_titration(2.4, 4.9))?;
    assert_eq!(titration_keys(&report).len(), 1, "{:?}", titration_keys(&report));
    let step = finding_with(&report, &["/titration/", "/step/"]).ok_or("no step finding")?;
    assert_eq!((step.severity, step.mark), (Severity::Soft, Some(Mark::Verified)));
    assert!(
        step.message
            .contains("rises from 2.4 mcg/day to 4.9 mcg/day (+2.5 mcg/day)"),
        "{}",
        step.message
    );
    assert!(
        step.message.contains("at most 2.4 mcg/day (US labelling)"),
        "{}",
        step.message
    );

    let report = run(&ziconotide_titration(7.2, 9.6))?;
    assert!(close(daily_maximum(&report), 9.6), "{}", daily_maximum(&report));
    assert_eq!(titration_keys(&report), Vec::<&str>::new());
    Ok(())
}

/// Prialt US label: at least 24 h between rises. The change is at the fill (Wed 25 Nov 09:00),
/// 2.4 → 4.8 mcg/day (a step of exactly 2.4: no step finding).
///   last change Tue 24 Nov 10:00: 23 h < 24 h → soft spacing finding
///   last change Tue 24 Nov 09:00: 24 h, not below 24 h → none
#[test]
fn ziconotide_rises_are_at_least_24_hours_apart() -> TestResult {
    let mut p = ziconotide_titration(2.4, 4.8);
    p.titration = Some(TitrationHistory {
        last_change: Some(date(2026, 11, 24).at(10, 0, 0, 0)),
        increases_past_week: Some(1),
    });
    let report = run(&p)?;
    let spacing = finding_with(&report, &["/titration/", "/spacing/"]).ok_or("no spacing finding")?;
    assert_eq!(spacing.severity, Severity::Soft);
    assert!(
        spacing.message.contains("23 h after the last change"),
        "{}",
        spacing.message
    );
    assert!(spacing.message.contains("at least 24 h apart"), "{}", spacing.message);
    assert_eq!(titration_keys(&report).len(), 1, "{:?}", titration_keys(&report));

    p.titration = Some(TitrationHistory {
        last_change: Some(date(2026, 11, 24).at(9, 0, 0, 0)),
        increases_past_week: Some(1),
    });
    assert_eq!(titration_keys(&run(&p)?), Vec::<&str>::new());
    Ok(())
}

/// Prialt US label: no more than 3 rises in any 7 days, this one included.
///   2 rises in the past week + this one = 3 ≤ 3 → none
///   3 rises in the past week + this one = 4 > 3 → soft weekly finding
#[test]
fn ziconotide_rises_at_most_3_times_a_week() -> TestResult {
    let mut p = ziconotide_titration(2.4, 4.8);
    p.titration = Some(TitrationHistory {
        last_change: Some(date(2026, 11, 23).at(9, 0, 0, 0)),
        increases_past_week: Some(2),
    });
    assert_eq!(titration_keys(&run(&p)?), Vec::<&str>::new());

    p.titration = Some(TitrationHistory {
        last_change: Some(date(2026, 11, 23).at(9, 0, 0, 0)),
        increases_past_week: Some(3),
    });
    let report = run(&p)?;
    let weekly = finding_with(&report, &["/titration/", "/weekly/"]).ok_or("no weekly finding")?;
    assert_eq!(weekly.severity, Severity::Soft);
    assert!(
        weekly.message.contains("this is rise 4 in a week; at most 3"),
        "{}",
        weekly.message
    );
    Ok(())
}

/// A rise (2.4 → 4.8 mcg/day) with no titration history: the spacing and the weekly count cannot
/// be checked, and an info finding asks for them.
#[test]
fn ziconotide_titration_without_history_asks_for_it() -> TestResult {
    let mut p = ziconotide_titration(2.4, 4.8);
    p.titration = None;
    let report = run(&p)?;
    let unknown = report
        .findings
        .iter()
        .find(|f| f.key.ends_with("/titration/history-unknown"))
        .ok_or("no history-unknown finding")?;
    assert_eq!(unknown.severity, Severity::Info);
    assert_eq!(unknown.key, "ziconotide/titration/history-unknown");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 5. The maximum daily dose follows the library's region.
// ---------------------------------------------------------------------------------------------

/// Ziconotide 25 mcg/mL in a SynchroMed II 20 mL (fill 20 mL):
///   20 mcg/day (20 ÷ 25 = 0.8 mL/day): US maximum 19.2 (hard) → 20 > 19.2 → blocked
///                                       EU maximum 21.6 (hard) → 20 ≤ 21.6 → not blocked
///   22 mcg/day (0.88 mL/day) in EU: 22 > 21.6 → blocked
#[test]
fn ziconotide_maximum_follows_the_library_region() -> TestResult {
    let us = run(&plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 20.0))?;
    assert_eq!(us.status, PlanStatus::Blocked);
    let hard = us.findings.first().ok_or("no finding")?;
    assert_eq!(hard.severity, Severity::Hard);
    assert_eq!(
        hard.message,
        "ziconotide daily dose 20 mcg/day is above the hard limit of 19.2 mcg/day (US labelling)."
    );

    let mut eu = DrugLibrary::builtin()?;
    eu.region = "EU".into();
    let report = run_with(&plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 20.0), &eu)?;
    assert_ne!(report.status, PlanStatus::Blocked);
    assert!(
        report.findings.iter().all(|f| f.severity != Severity::Hard),
        "{:?}",
        keys(&report)
    );

    let report = run_with(&plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 22.0), &eu)?;
    assert_eq!(report.status, PlanStatus::Blocked);
    let hard = report.findings.first().ok_or("no finding")?;
    assert_eq!(
        hard.message,
        "ziconotide daily dose 22 mcg/day is above the hard limit of 21.6 mcg/day (EU labelling)."
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 6. Baclofen: percent titration, the suggested alarm, the boxed warning, maintenance limits.
// ---------------------------------------------------------------------------------------------

/// SynchroMed II 20 mL, baclofen 500 mcg/mL; current programme 300 mcg/day, last changed 48 h
/// ago. Labels: raise by at most 30 % per 24 h (spinal origin), 15 % (cerebral origin).
///   390 mcg/day: (390 − 300) ÷ 300 × 100 = 30 % → above 15 % only → one finding (cerebral)
///   391 mcg/day: (391 − 300) ÷ 300 × 100 = 30.33 % → above 30 % and 15 % → two findings
#[test]
fn baclofen_percent_titration_by_condition() -> TestResult {
    let with = |to: f64| {
        let mut p = plan("synchromed-ii-20", 20.0, "baclofen", MCG, 500.0, to);
        p.current_programme = vec![current("baclofen", MCG, 300.0)];
        p.titration = Some(TitrationHistory {
            last_change: Some(date(2026, 11, 23).at(9, 0, 0, 0)),
            increases_past_week: None,
        });
        p
    };
    let report = run(&with(390.0))?;
    let percent: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.key.contains("/titration/") && f.key.contains("/percent/"))
        .collect();
    assert_eq!(percent.len(), 1, "{:?}", keys(&report));
    let cerebral = percent.first().ok_or("no percent finding")?;
    assert_eq!(cerebral.severity, Severity::Soft);
    assert_eq!(
        cerebral.message,
        "baclofen rises from 300 mcg/day to 390 mcg/day (+90 mcg/day): +30 % is above the titration step of at most +15 % per 24 h (spasticity of cerebral origin)."
    );

    let report = run(&with(391.0))?;
    let messages: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.key.contains("/titration/") && f.key.contains("/percent/"))
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages.iter().any(|m| m
            .contains("+30.33 % is above the titration step of at most +30 % per 24 h (spasticity of spinal origin)")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains(
            "+30.33 % is above the titration step of at most +15 % per 24 h (spasticity of cerebral origin)"
        )),
        "{messages:?}"
    );
    Ok(())
}

/// Baclofen 500 mcg/mL with the pump's 2 mL alarm:
///   suggested alarm 4 mL (Neurosurgery 2004, S): 2 < 4 → info finding
///   the boxed warning (abrupt withdrawal) is shown whenever baclofen is in the reservoir → info
///   750 mcg/day (750 ÷ 500 = 1.5 mL/day): above 703 (cerebral-origin maintenance, soft),
///     not above 800 (spinal-origin maintenance) nor 1,000
#[test]
fn baclofen_alarm_warning_and_maintenance_limits() -> TestResult {
    let report = run(&plan("synchromed-ii-20", 20.0, "baclofen", MCG, 500.0, 750.0))?;
    let alarm = finding(&report, "baclofen/alarm/").ok_or("no alarm finding")?;
    assert_eq!((alarm.severity, alarm.mark), (Severity::Info, Some(Mark::Secondary)));
    assert_eq!(
        alarm.message,
        "baclofen: a low-reservoir alarm of 4 mL is suggested (now 2 mL), so the refill comes before withdrawal."
    );
    let boxed = finding(&report, "baclofen/guidance/").ok_or("no guidance finding")?;
    assert_eq!(boxed.severity, Severity::Info);
    assert!(
        boxed.message.starts_with("baclofen: Boxed warning:"),
        "{}",
        boxed.message
    );

    let cerebral = finding(&report, "baclofen/daily_dose/max/703/").ok_or("no 703 finding")?;
    assert_eq!(cerebral.severity, Severity::Soft);
    assert_eq!(
        cerebral.message,
        "baclofen daily dose 750 mcg/day is above the soft limit of 703 mcg/day (maintenance, spasticity of cerebral origin)."
    );
    assert!(
        finding(&report, "baclofen/daily_dose/max/800/").is_none(),
        "{:?}",
        keys(&report)
    );
    assert!(
        finding(&report, "baclofen/daily_dose/max/1000/").is_none(),
        "{:?}",
        keys(&report)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 7. Ziconotide in a new pump.
// ---------------------------------------------------------------------------------------------

fn ziconotide_new_pump(concentration: f64, daily: f64) -> Plan {
    let mut p = plan("synchromed-ii-20", 20.0, "ziconotide", MCG, concentration, daily);
    p.fill.new_pump = true;
    p
}

/// Prialt US label: start at no more than 2.4 mcg/day; the first fill is undiluted 25 mcg/mL.
///   25 mcg/mL at 9.6 mcg/day: 9.6 > 2.4 → soft start finding
///   25 mcg/mL at 2.4 mcg/day: exactly the starting maximum → none
///   20 mcg/mL at 2.4 mcg/day: not 25 mcg/mL → soft new-pump concentration finding
#[test]
fn ziconotide_new_pump_starts_low_and_undiluted() -> TestResult {
    let report = run(&ziconotide_new_pump(25.0, 9.6))?;
    let start = finding(&report, "ziconotide/start/").ok_or("no start finding")?;
    assert_eq!(start.severity, Severity::Soft);
    assert_eq!(
        start.message,
        "ziconotide is being started in a new pump: 9.6 mcg/day is above the starting dose of at most 2.4 mcg/day."
    );
    assert!(finding(&report, "ziconotide/new_pump/concentration/").is_none());

    let report = run(&ziconotide_new_pump(25.0, 2.4))?;
    assert!(finding(&report, "ziconotide/start/").is_none(), "{:?}", keys(&report));
    assert!(finding(&report, "ziconotide/new_pump/concentration/").is_none());

    let report = run(&ziconotide_new_pump(20.0, 2.4))?;
    let diluted = finding(&report, "ziconotide/new_pump/concentration/").ok_or("no concentration finding")?;
    assert_eq!(diluted.severity, Severity::Soft);
    assert_eq!(
        diluted.message,
        "ziconotide 20 mcg/mL in a new pump: the first fill of a new pump is undiluted 25 mcg/mL only."
    );
    Ok(())
}

/// The new pump is rinsed 3 × 2 mL = 6 mL with 25 mcg/mL: 6 × 25 = 150 mcg. Refill-by at
/// 9.6 mcg/day (0.384 mL/day):
///   pump rule at the fast edge: 18 mL ÷ (0.384 × 1.145) = 40.94 days
///   stability: new pump 14 days; dilution unknown (no stock) 40 days → 14 days binds
///   Wed 25 Nov 2026 09:00 + 14 days = Wed 9 Dec 2026 09:00
#[test]
fn ziconotide_new_pump_rinse_and_refill_by() -> TestResult {
    let report = run(&ziconotide_new_pump(25.0, 9.6))?;
    let rinse = report.rinse.as_ref().ok_or("no rinse")?;
    assert_eq!(rinse.times, 3);
    assert_eq!(rinse.each.ismp(), "2 mL");
    assert_eq!(rinse.total.ismp(), "6 mL");
    assert_eq!(rinse.concentration.ismp(), "25 mcg/mL");
    assert_eq!(rinse.amount.ismp(), "150 mcg");
    assert_eq!(format_date_time(report.refill_by.binding.at), "Wed 9 Dec 2026, 09:00");
    assert_eq!(
        report.refill_by.binding.reason,
        "ziconotide stability in the pump: 14 days (first fill of a new pump (rinse))"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 8. Ziconotide with an opioid.
// ---------------------------------------------------------------------------------------------

/// SynchroMed II 20 mL: ziconotide 25 mcg/mL (lead, 2.4 mcg/day → 0.096 mL/day) with morphine
/// 10 mg/mL (0.096 × 10 = 0.96 mg/day). Prialt label: concomitant intrathecal opioids are not
/// recommended → soft (V); any admixture is off-label (FDA 2018) → soft, named in line order.
#[test]
fn ziconotide_with_an_opioid_is_a_soft_finding() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 2.4);
    p.drugs.push(line("morphine", MG, 10.0, None));
    let report = run(&p)?;
    let avoid = finding(&report, "ziconotide/avoid_with/opioid").ok_or("no avoid_with finding")?;
    assert_eq!(avoid.key, "ziconotide/avoid_with/opioid");
    assert_eq!((avoid.severity, avoid.mark), (Severity::Soft, Some(Mark::Verified)));
    let admixture = finding(&report, "off_label/admixture/").ok_or("no admixture finding")?;
    assert_eq!(admixture.key, "off_label/admixture/ziconotide+morphine");
    assert_eq!(admixture.severity, Severity::Soft);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 9. Drugs approved for the pump (off-label use, FDA 2018).
// ---------------------------------------------------------------------------------------------

/// Off-label is a soft caution, never a block:
///   HYDROmorphone 2 mg/mL at 1 mg/day (0.5 mL/day) in a SynchroMed II → off-label
///   ziconotide 25 mcg/mL at 2.4 mcg/day (0.096 mL/day) in a Prometra II → off-label
///   morphine 10 mg/mL at 2 mg/day in a SynchroMed II or a Prometra II → approved
///   morphine 4 mg/day in a constant-flow pump (30 mL, 1 mL/day: 4 ÷ 1 = 4 mg/mL) → the catalogue
///     lists no approved drugs for it, so no caution
#[test]
fn off_label_follows_the_pump_approval() -> TestResult {
    let off_label = |r: &Report| -> Vec<String> {
        r.findings
            .iter()
            .filter(|f| f.key.starts_with("off_label/"))
            .map(|f| f.key.clone())
            .collect()
    };
    let report = run(&plan("synchromed-ii-20", 20.0, "hydromorphone", MG, 2.0, 1.0))?;
    assert_eq!(off_label(&report), ["off_label/synchromed-ii-20/hydromorphone"]);
    assert_eq!(finding(&report, "off_label/").map(|f| f.severity), Some(Severity::Soft));
    assert_ne!(report.status, PlanStatus::Blocked);

    let report = run(&plan("prometra-ii-20", 20.0, "ziconotide", MCG, 25.0, 2.4))?;
    assert_eq!(off_label(&report), ["off_label/prometra-ii-20/ziconotide"]);
    assert_ne!(report.status, PlanStatus::Blocked);

    for pump in ["synchromed-ii-20", "prometra-ii-20"] {
        let report = run(&plan(pump, 20.0, "morphine", MG, 10.0, 2.0))?;
        assert_eq!(off_label(&report), Vec::<String>::new(), "{pump}");
        assert_ne!(report.status, PlanStatus::Blocked);
    }

    let constant = Plan {
        pump: PumpChoice {
            model: "constant-flow".into(),
            capacity: Some(ml(30.0)),
            fixed_rate: Some(MlPerDay::new(1.0)?),
            end_of_service: None,
        },
        fill: Fill {
            volume: ml(30.0),
            low_reservoir_alarm: ml(2.0),
            filled_at: filled(),
            new_pump: false,
        },
        drugs: vec![DrugLine {
            drug: "morphine".into(),
            concentration: None,
            daily_dose: Some(dose(MG, 4.0)),
            stock: None,
        }],
        programme: Programme::ConstantFlow,
        ..plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 2.0)
    };
    let report = run(&constant)?;
    assert_eq!(
        report.drugs.first().map(|d| d.concentration.ismp()).as_deref(),
        Some("4 mg/mL")
    );
    assert_eq!(off_label(&report), Vec::<String>::new());
    assert_ne!(report.status, PlanStatus::Blocked);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 10. The fill and the residual must fit the reservoir.
// ---------------------------------------------------------------------------------------------

/// SynchroMed II 20 mL with a residual of 1.4 mL left after aspiration:
///   fill 18.6 mL: 18.6 + 1.4 = 20 mL, exactly the capacity → evaluates
///   fill 18.7 mL: 18.7 + 1.4 = 20.1 mL > 20 mL → error on the fill volume
#[test]
fn the_fill_and_the_residual_must_fit_the_reservoir() -> TestResult {
    let mut p = plan("synchromed-ii-20", 18.6, "morphine", MG, 10.0, 2.0);
    p.csf.residual = Some(ml(1.4));
    run(&p)?;

    p.fill.volume = ml(18.7);
    let errors = errors(&p)?;
    let error = errors.first().ok_or("no error")?;
    assert_eq!(error.field, Field::FillVolume, "{errors:?}");
    assert_eq!(
        error.to_string(),
        "Fill volume: 18.7 mL + the residual 1.4 mL = 20.1 mL is above the pump capacity of 20 mL"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 11. "Refill by" is the binding constraint, for every pump in the catalogue.
// ---------------------------------------------------------------------------------------------

/// The worked refill-by of [`refill_by_is_the_binding_constraint_for_every_pump`], per pump.
///
/// Morphine 10 mg/mL at 2 mg/day → 0.2 mL/day, fill 20 mL, alarm 2 mL; morphine stability 90 days
/// → Tue 23 Feb 2027 09:00.
///   SynchroMed II (±14.5 %): alarm at the fast edge 18 ÷ (0.2 × 1.145) = 18 ÷ 0.229
///     = 78.6026 days = 78 days 14 h 27.8 min → Thu 11 Feb 2027 23:27 (rounded down);
///     a 1-hour MRI stalls the pump for the hour → Fri 12 Feb 2027 00:27
///   SynchroMed III, custom (capacity 20 mL, no accuracy): alarm 18 ÷ 0.2 = 90 days, the same as
///     stability → Tue 23 Feb 2027 09:00; no MRI model, so the MRI changes nothing
///   Prometra (refill-date volume 3 mL): (20 − 3) ÷ 0.2 = 85 days → Thu 18 Feb 2027 09:00;
///     emptied for an MRI 10 days after the fill → Sat 5 Dec 2026 09:00
///   constant-flow (30 mL, 1 mL/day, 4 mg/mL): (30 − 2) ÷ 1 = 28 days → Wed 23 Dec 2026 09:00
fn worked_refill_by(pump: &str, with_mri: bool) -> Option<&'static str> {
    Some(match (pump, with_mri) {
        ("synchromed-ii-20" | "synchromed-ii-40", false) => "Thu 11 Feb 2027, 23:27",
        ("synchromed-ii-20" | "synchromed-ii-40", true) => "Fri 12 Feb 2027, 00:27",
        ("synchromed-iii" | "custom", _) => "Tue 23 Feb 2027, 09:00",
        ("prometra-20" | "prometra-ii-20" | "prometra-ii-40", false) => "Thu 18 Feb 2027, 09:00",
        ("prometra-20" | "prometra-ii-20" | "prometra-ii-40", true) => "Sat 5 Dec 2026, 09:00",
        ("constant-flow", _) => "Wed 23 Dec 2026, 09:00",
        _ => return None,
    })
}

/// For every catalogue pump, with and without an MRI 10 days after the fill (Sat 5 Dec 2026
/// 09:00, 1 h): the figure "Refill by" shows the binding constraint's date and reason, and the
/// binding constraint is the earliest candidate. Worked dates in [`worked_refill_by`].
#[test]
fn refill_by_is_the_binding_constraint_for_every_pump() -> TestResult {
    let catalogue = Catalogue::builtin()?;
    let scan = MriScan {
        at: date(2026, 12, 5).at(9, 0, 0, 0),
        duration: hours(1.0),
    };
    for model in &catalogue.pumps {
        for mri in [None, Some(scan.clone())] {
            let mut p = if model.is_constant_flow() {
                let mut p = plan(&model.id, 30.0, "morphine", MG, 4.0, 4.0);
                p.pump.capacity = Some(ml(30.0));
                p.pump.fixed_rate = Some(MlPerDay::new(1.0)?);
                p.programme = Programme::ConstantFlow;
                if let Some(l) = p.drugs.first_mut() {
                    l.concentration = None;
                }
                p
            } else {
                let mut p = plan(&model.id, 20.0, "morphine", MG, 10.0, 2.0);
                if model.is_custom() {
                    p.pump.capacity = Some(ml(20.0));
                }
                p
            };
            p.csf.mri = mri.clone();
            let what = format!(
                "{} {}",
                model.id,
                if mri.is_some() { "with MRI" } else { "without MRI" }
            );
            let report = run(&p).map_err(|e| format!("{what}: {e}"))?;
            let binding = &report.refill_by.binding;
            let earliest = report.refill_by.candidates.iter().map(|c| c.at).min();
            assert_eq!(Some(binding.at), earliest, "{what}");
            assert_eq!(
                figure(&report, "Refill by"),
                Some(format!("{} ({})", format_date_time(binding.at), binding.reason).as_str()),
                "{what}"
            );
            if let Some(expected) = worked_refill_by(&model.id, mri.is_some()) {
                assert_eq!(format_date_time(binding.at), expected, "{what}: {}", binding.reason);
            }
            if model.id.starts_with("prometra") && mri.is_some() {
                assert!(
                    binding.reason.starts_with("MRI: the pump is emptied"),
                    "{what}: {}",
                    binding.reason
                );
                let empty = finding(&report, "mri/empty/").ok_or(format!("{what}: no mri/empty finding"))?;
                assert_eq!(empty.severity, Severity::Soft, "{what}");
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 12. A change of drug.
// ---------------------------------------------------------------------------------------------

/// Current programme morphine 10 mg/day; proposed HYDROmorphone 2 mg/mL at 2 mg/day (1 mL/day) in
/// a SynchroMed II. As intrathecal morphine equivalents (library: morphine × 1 [V],
/// HYDROmorphone × 5 [U]):
///   current 10 × 1 = 10 mg/day; proposed 2 × 5 = 10 mg/day; 10 ÷ 10 = 1 times the current
///   the weakest mark of the factors is U
#[test]
fn a_change_of_opioid_is_compared_as_morphine_equivalents() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "hydromorphone", MG, 2.0, 2.0);
    p.current_programme = vec![current("morphine", MG, 10.0)];
    let report = run(&p)?;
    let change = finding(&report, "drug_change/").ok_or("no drug_change finding")?;
    assert_eq!(change.key, "drug_change/morphine/hydromorphone");
    assert_eq!((change.severity, change.mark), (Severity::Soft, Some(Mark::Unverified)));
    assert!(
        change
            .message
            .contains("morphine 10 mg/day (current) \u{2192} HYDROmorphone 2 mg/day (proposed)"),
        "{}",
        change.message
    );
    assert!(
        change
            .message
            .contains("As intrathecal morphine equivalents: 10 mg/day \u{2192} 10 mg/day, 1 times the current."),
        "{}",
        change.message
    );
    Ok(())
}

/// Current morphine 10 mg/day; proposed fentaNYL 50 mcg/mL at 100 mcg/day (2 mL/day). The library
/// has no morphine equivalent for fentaNYL: the totals cannot be compared, and the change still
/// needs an acknowledgement.
#[test]
fn a_change_to_a_drug_without_an_equivalent_cannot_be_compared() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "fentanyl", MCG, 50.0, 100.0);
    p.current_programme = vec![current("morphine", MG, 10.0)];
    let report = run(&p)?;
    let change = finding(&report, "drug_change/").ok_or("no drug_change finding")?;
    assert_eq!(change.key, "drug_change/morphine/fentanyl");
    assert_eq!((change.severity, change.mark), (Severity::Soft, None));
    assert!(change.message.contains("cannot be compared"), "{}", change.message);
    Ok(())
}

/// Current programme morphine 2 mg/day + cloNIDine 100 mcg/day; proposed morphine 10 mg/mL at
/// 2 mg/day alone: cloNIDine stops → soft finding to taper over 2-4 days (Duraclon label). No drug
/// is added, so there is no drug_change finding.
#[test]
fn stopping_clonidine_asks_for_a_taper() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 2.0);
    p.current_programme = vec![current("morphine", MG, 2.0), current("clonidine", MCG, 100.0)];
    let report = run(&p)?;
    let stopping = finding(&report, "clonidine/stopping/").ok_or("no stopping finding")?;
    assert_eq!(stopping.severity, Severity::Soft);
    assert_eq!(stopping.source.as_deref(), Some("Duraclon label"));
    assert!(
        stopping
            .message
            .starts_with("cloNIDine (100 mcg/day now) is not in the proposed programme."),
        "{}",
        stopping.message
    );
    assert!(stopping.message.contains("taper"), "{}", stopping.message);
    assert!(finding(&report, "drug_change/").is_none(), "{:?}", keys(&report));
    Ok(())
}

/// With no current programme, nothing can be compared: an info finding says so.
#[test]
fn no_current_programme_is_named() -> TestResult {
    let report = run(&plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 2.0))?;
    let none = finding(&report, "info/no-current-programme").ok_or("no info finding")?;
    assert_eq!(none.key, "info/no-current-programme");
    assert_eq!(none.severity, Severity::Info);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 13. Flex step notes.
// ---------------------------------------------------------------------------------------------

/// Current programme morphine 2 mg/day; proposed morphine 10 mg/mL on a 24-hour flex programme.
/// A step above 2 × 2 = 4 mg/day is noted (a dose per hour typed as per day, or the reverse):
///   step 1, 08:00 48 mg/day: 48 > 4 (48 ÷ 2 = 24 times) → note on step index 0
///   step 2, 20:00 1 mg/day: 1 ≤ 4 → no note
///   step 1 at exactly 4 mg/day (2 times): not above 4 → no note
#[test]
fn a_flex_step_far_above_the_current_programme_is_noted() -> TestResult {
    let with_first_step = |first: f64| {
        let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 2.0);
        p.current_programme = vec![current("morphine", MG, 2.0)];
        p.flex = Some(FlexProgramme {
            cycle: Cycle::Day,
            steps: vec![
                FlexDoseStep {
                    day: 0,
                    start: "08:00".into(),
                    daily_dose: dose(MG, first),
                },
                FlexDoseStep {
                    day: 0,
                    start: "20:00".into(),
                    daily_dose: dose(MG, 1.0),
                },
            ],
        });
        p
    };
    let report = run(&with_first_step(48.0))?;
    assert_eq!(report.step_notes.len(), 1, "{:?}", report.step_notes);
    let note = report.step_notes.first().ok_or("no step note")?;
    assert_eq!(note.step, 0);
    assert!(note.message.contains("more than 2 times"), "{}", note.message);
    assert!(note.message.contains("(24 times)"), "{}", note.message);

    let report = run(&with_first_step(4.0))?;
    assert!(report.step_notes.is_empty(), "{:?}", report.step_notes);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 14. A version-1 library migrates.
// ---------------------------------------------------------------------------------------------

/// data/drugs.json made into a version-1 file: version 1, no region, and no drug-specific rules
/// (classes, titration, new pump, combinations, strengths, guidance, suggested alarm, morphine
/// equivalent). Reading it gives version 2, region US, the built-in rules back, and every limit of
/// the file unchanged; the note says so.
#[test]
fn a_version_1_library_migrates_to_version_2() -> TestResult {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/drugs.json"))?;
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
    let builtin = DrugLibrary::builtin()?;
    assert_eq!(migrated.version, 2);
    assert_eq!(migrated.region, "US");
    let (Some(zico), Some(zico_builtin)) = (migrated.get("ziconotide"), builtin.get("ziconotide")) else {
        return Err("no ziconotide".into());
    };
    assert_eq!(zico.titration, zico_builtin.titration);
    assert_eq!(zico.new_pump, zico_builtin.new_pump);
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

// ---------------------------------------------------------------------------------------------
// 15. The concentration CSV has a distinct time on every row.
// ---------------------------------------------------------------------------------------------

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).map_err(|e| e.to_string())
}

/// `itdose concentration docs/example-ziconotide-refill.json --days 30 --step 1m`: one drug
/// (ziconotide) over 30 days at 1-minute steps: 30 × 24 × 60 = 43,200 steps, so rows k = 0 … 43,200,
/// 43,201 data rows. Row k's time is k × (1/60) h, written exactly: it reads back as the same f64,
/// and every row's time is distinct and later than the last.
#[test]
fn the_concentration_csv_has_a_distinct_time_on_every_row() -> TestResult {
    let args: Vec<String> = [
        "concentration",
        "docs/example-ziconotide-refill.json",
        "--days",
        "30",
        "--step",
        "1m",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let (code, out, err) = itdose::cli::run(&args, read);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("time_h,drug,concentration,unit"));
    let times: Vec<f64> = lines
        .map(|l| l.split(',').next().unwrap_or_default().parse::<f64>())
        .collect::<Result<_, _>>()?;
    assert_eq!(times.len(), 43_201);
    assert!(times.windows(2).all(|w| matches!(w, [a, b] if a < b)));
    let distinct: std::collections::HashSet<u64> = times.iter().map(|t| t.to_bits()).collect();
    assert_eq!(distinct.len(), times.len());
    for (k, t) in times.iter().enumerate() {
        let expected = k as f64 * (1.0 / 60.0);
        assert_eq!(t.to_bits(), expected.to_bits(), "row {k}: {t} ≠ {expected}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Falls and starts the current programme cannot rule out (found in review)
// ---------------------------------------------------------------------------------------------

/// Morphine 10 mg/mL; current programme 2.4 mg/day. A fall to less than 1 ÷ 1.5 of it needs an
/// acknowledgement (a per-day dose typed as per hour is 24 times too low; abrupt cuts risk
/// withdrawal):
///   1 mg/day: 1 ÷ 2.4 = 0.4167; 0.4167 × 1.5 = 0.625 < 1 → soft
///   1.7 mg/day: 1.7 ÷ 2.4 = 0.7083; × 1.5 = 1.0625 ≥ 1 → info
#[test]
fn a_large_fall_needs_an_acknowledgement() -> TestResult {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 1.0);
    p.current_programme = vec![current("morphine", MG, 2.4)];
    let jump = |report: &Report| -> Option<(Severity, String)> {
        finding(report, "morphine/jump/").map(|f| (f.severity, f.message.clone()))
    };
    let report = run(&p)?;
    let (severity, message) = jump(&report).ok_or("no jump finding")?;
    assert_eq!(severity, Severity::Soft);
    assert!(message.contains("An abrupt reduction risks withdrawal"), "{message}");
    if let Some(l) = p.drugs.first_mut() {
        l.daily_dose = Some(dose(MG, 1.7));
    }
    assert_eq!(jump(&run(&p)?).map(|j| j.0), Some(Severity::Info));
    Ok(())
}

/// With no current programme on an existing pump a start cannot be ruled out: ziconotide
/// 9.6 mcg/day (25 mcg/mL) is checked against the starting dose of at most 2.4 mcg/day and says so.
#[test]
fn a_start_cannot_be_ruled_out_without_a_current_programme() -> TestResult {
    let p = plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 9.6);
    let report = run(&p)?;
    let start = finding(&report, "ziconotide/start/").ok_or("no start finding")?;
    assert_eq!(start.severity, Severity::Soft);
    assert_eq!(
        start.message,
        "ziconotide, if it is being started (no current programme is set): 9.6 mcg/day is above the starting dose of at most 2.4 mcg/day."
    );
    Ok(())
}
