//! Outcome markers at their boundaries (pain exactly 4 and 7; exactly 20 % below the baseline,
//! 8 → 6.4, which floating point puts a hair under 20 %), validation of scores, and the CSV.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{TestResult, at, docs, library};
use itdose::engine::Field;
use itdose::engine::outcomes::{OutcomeEntry, Thresholds, intrathecal_history, markers};
use itdose::engine::record::{Implant, Patient, Record};
use itdose::engine::report::outcomes::{csv, rows};

fn visit(day: i8, pain: Option<f64>, mme: Option<f64>) -> OutcomeEntry {
    OutcomeEntry {
        at: at(2026, 12, day, 9, 0),
        pain_now: pain,
        pain_worst: None,
        systemic_mme: mme,
        side_effects: String::new(),
    }
}

/// Pain 4 is not mild (mild is below 4); 3.9 is. Pain 7 is severe (severe is 7 or more); 6.9 is not.
#[test]
fn mild_and_severe_at_their_boundaries() -> TestResult {
    let t = Thresholds::builtin()?;
    let m = |p: f64| markers(&visit(1, Some(p), None), None, &t);
    assert_eq!((m(4.0).mild, m(3.9).mild), (Some(false), Some(true)));
    assert_eq!((m(7.0).severe, m(6.9).severe), (Some(true), Some(false)));
    assert_eq!(
        markers(&visit(1, None, None), None, &t).mild,
        None,
        "no score, no marker"
    );
    Ok(())
}

/// Baseline 8. 6.4 is exactly 20 % below: (8 − 6.4) ÷ 8 = 0.2, although 8.0 − 6.4 is
/// 1.5999999999999996 in binary floating point; in tenths, (80 − 64) × 1,000 = 16,000 ≥ 200 × 80 =
/// 16,000: a responder. 6.5 is 18.75 % below: not.
#[test]
fn a_responder_is_exactly_20_percent_below_the_baseline() -> TestResult {
    let t = Thresholds::builtin()?;
    // The trap this guards against: in floating point, (8 − 6.4) ÷ 8 is a hair under 0.2.
    let (base, now) = (std::hint::black_box(8.0_f64), std::hint::black_box(6.4_f64));
    assert!((base - now) / base < 0.2);
    let base = visit(1, Some(8.0), Some(360.0));
    assert_eq!(
        markers(&visit(29, Some(6.4), None), Some(&base), &t).responder,
        Some(true)
    );
    assert_eq!(
        markers(&visit(29, Some(6.5), None), Some(&base), &t).responder,
        Some(false)
    );
    assert_eq!(
        markers(&visit(29, Some(0.0), Some(0.0)), Some(&base), &t).opioids_stopped,
        Some(true)
    );
    assert_eq!(
        markers(&visit(29, None, Some(30.0)), Some(&base), &t).opioids_stopped,
        Some(false)
    );
    Ok(())
}

/// Scores of 11, −1 and NaN are refused at their field; an empty visit is refused.
#[test]
fn bad_scores_are_refused_at_their_field() {
    let mut e = visit(1, Some(11.0), Some(-1.0));
    e.pain_worst = Some(f64::NAN);
    let errors = e.validate().err().unwrap_or_default();
    let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, vec![Field::PainNow, Field::PainWorst, Field::SystemicMme]);
    assert!(visit(1, None, None).validate().is_err());
    // Scores to one decimal: 6.44 would be rounded into a responder, so it is refused.
    let fine = visit(1, Some(6.44), None).validate().err().unwrap_or_default();
    assert_eq!(fine.first().map(|e| e.field), Some(Field::PainNow));
    assert!(visit(1, Some(6.4), None).validate().is_ok());
    assert!(visit(1, Some(10.0), Some(0.0)).validate().is_ok());
}

/// A record with visits over three months: rows and CSV with the markers and the doses in force.
#[test]
fn the_outcome_log_and_its_csv() -> TestResult {
    let lib = library()?;
    let t = Thresholds::builtin()?;
    let mut record = Record::new(
        "r-9",
        Patient::default(),
        Implant::default(),
        docs("example-plan.json")?,
        at(2026, 11, 25, 9, 0),
    )?;
    record.outcomes = vec![
        visit(1, Some(8.0), Some(360.0)),
        OutcomeEntry {
            at: at(2027, 1, 5, 9, 0),
            pain_now: Some(6.4),
            pain_worst: Some(8.0),
            systemic_mme: Some(60.0),
            side_effects: "=itching, mild".into(),
        },
        OutcomeEntry {
            at: at(2027, 2, 25, 9, 0),
            pain_now: Some(3.0),
            pain_worst: Some(5.0),
            systemic_mme: Some(0.0),
            side_effects: String::new(),
        },
    ];
    let history = intrathecal_history(&record, &common::catalogue()?, &lib);
    let r = rows(&record, &history, &t);
    assert_eq!(r.len(), 3);
    assert_eq!(r.get(1).map(|x| x.markers.as_str()), Some("responder"));
    assert_eq!(
        r.get(2).map(|x| x.markers.as_str()),
        Some("mild pain; responder; systemic opioids stopped")
    );
    assert_eq!(r.first().map(|x| x.markers.as_str()), Some("severe pain"));
    // Every drug's evaluated daily dose: 1 mg/day of morphine at 5 mg/mL is 0.2 mL/day, so
    // bupivacaine 2.5 mg/mL × 0.2 = 0.5 mg/day and cloNIDine 100 mcg/mL × 0.2 = 20 mcg/day.
    assert_eq!(
        r.first().map(|x| x.intrathecal.as_str()),
        Some("morphine 1 mg/day, bupivacaine 0.5 mg/day, cloNIDine 20 mcg/day")
    );
    let text = csv(&record, &history, &t);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines.get(2).copied(),
        Some(
            "2027-01-05,09:00,6.4,8,60,\"morphine 1 mg/day, bupivacaine 0.5 mg/day, cloNIDine 20 mcg/day\",no,no,yes,no,\"'=itching, mild\""
        )
    );
    Ok(())
}

/// docs/record-example.json: four visits over three months. Baseline 8 of 10 on 360 MME (severe);
/// 6.4 is exactly 20 % below (responder); 4 is not mild (mild is below 4) but a responder;
/// 3 with 0 MME: mild, responder, systemic opioids stopped.
#[test]
fn the_docs_example_record_reads_with_its_markers() -> TestResult {
    let text = std::fs::read_to_string("docs/record-example.json")?;
    let opened = itdose::engine::record::import(
        &text,
        "unused",
        at(2026, 11, 25, 9, 0),
        &common::catalogue()?,
        &library()?,
    )?;
    let t = Thresholds::builtin()?;
    let history = intrathecal_history(&opened.record, &common::catalogue()?, &library()?);
    let r = rows(&opened.record, &history, &t);
    let markers: Vec<&str> = r.iter().map(|x| x.markers.as_str()).collect();
    assert_eq!(
        markers,
        vec![
            "severe pain",
            "responder",
            "responder",
            "mild pain; responder; systemic opioids stopped"
        ]
    );
    Ok(())
}

/// The timeline marks each session by its workflow's initial; the legend says which is which.
#[test]
fn the_timeline_legend_names_each_marker() -> TestResult {
    let mut record = Record::new(
        "r-8",
        Patient::default(),
        Implant::default(),
        docs("example-plan.json")?,
        at(2026, 11, 25, 9, 0),
    )?;
    let plan = record.plan.clone();
    record.confirm(at(2027, 1, 25, 9, 0), "Refill visit", plan.clone());
    record.confirm(at(2027, 1, 26, 9, 0), "Change the programme", plan);
    assert_eq!(
        itdose::engine::report::outcomes::session_legend(&record),
        "Session markers: R: Record created, Refill visit; C: Change the programme."
    );
    Ok(())
}

/// The doses in force at each visit: a visit before the record's first session says so; after a
/// confirmed change of the morphine dose from 1 to 1.5 mg/day (rate 0.3 mL/day), the visit shows
/// 1.5 mg/day of morphine, 2.5 × 0.3 = 0.75 mg/day of bupivacaine and 100 × 0.3 = 30 mcg/day of
/// cloNIDine.
#[test]
fn each_visit_shows_the_doses_in_force_then() -> TestResult {
    let lib = library()?;
    let t = Thresholds::builtin()?;
    let plan = docs("example-plan.json")?;
    let mut record = Record::new(
        "r-10",
        Patient::default(),
        Implant::default(),
        plan.clone(),
        at(2026, 11, 25, 9, 0),
    )?;
    let mut changed = plan;
    let lead = changed.drugs.first_mut().ok_or("a drug")?;
    lead.daily_dose = Some(itdose::engine::AnyDoseRate::new(itdose::engine::MassFamily::Mg, 1.5)?);
    record.confirm(at(2026, 12, 10, 9, 0), "Change the programme", changed);
    record.outcomes = vec![
        OutcomeEntry {
            at: at(2026, 11, 20, 9, 0),
            ..visit(1, Some(8.0), None)
        },
        visit(5, Some(7.0), None),
        visit(20, Some(5.0), None),
    ];
    let history = intrathecal_history(&record, &common::catalogue()?, &lib);
    assert_eq!(history.len(), 2);
    assert!(history.iter().all(|h| h.evaluated));
    let r = rows(&record, &history, &t);
    let doses: Vec<&str> = r.iter().map(|x| x.intrathecal.as_str()).collect();
    assert_eq!(
        doses,
        vec![
            "before the record's first session",
            "morphine 1 mg/day, bupivacaine 0.5 mg/day, cloNIDine 20 mcg/day",
            "morphine 1.5 mg/day, bupivacaine 0.75 mg/day, cloNIDine 30 mcg/day",
        ]
    );
    // The timeline draws a strip per drug under the pain and MME panel: 320 + 3 × 110 pixels.
    let svg = itdose::chart::timeline::svg(&record, &history, &t, 720);
    assert!(svg.contains("height=\"650\""), "{}", svg.get(..200).unwrap_or_default());
    for label in [
        "Intrathecal morphine, basal (mg/day)",
        "Intrathecal bupivacaine, basal (mg/day)",
        "Intrathecal cloNIDine, basal (mcg/day)",
    ] {
        assert!(svg.contains(label), "{label} missing");
    }
    // Each drug a step line: level from the first session to the change, up at the change, level
    // to the end: four points, the first two at one height, the last two higher (smaller y).
    let steps: Vec<Vec<(f64, f64)>> = svg
        .split("<polyline")
        .filter(|p| p.contains("stroke=\"#7C2D12\""))
        .filter_map(|p| p.split("points=\"").nth(1)?.split('"').next())
        .map(|pts| {
            pts.split_whitespace()
                .filter_map(|xy| {
                    xy.split_once(',')
                        .and_then(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?)))
                })
                .collect()
        })
        .collect();
    assert_eq!(steps.len(), 3, "one line per drug");
    for line in &steps {
        let [a, b, c, d] = line.as_slice() else {
            return Err(format!("four points expected: {line:?}").into());
        };
        assert!(
            (a.1 - b.1).abs() < 0.5 && (c.1 - d.1).abs() < 0.5 && c.1 < b.1 - 5.0,
            "{line:?}"
        );
        assert!((b.0 - c.0).abs() < 0.5 && a.0 < b.0 && c.0 < d.0, "{line:?}");
    }
    Ok(())
}

/// A session whose plan no longer evaluates (here: the library in force has no cloNIDine) shows
/// the doses the plan declares, said to be declared, and a drug it declares none for as not
/// evaluated, never dropped: the lead-dose example declares only morphine's 1 mg/day.
#[test]
fn a_plan_that_no_longer_evaluates_keeps_every_drug_in_the_log() -> TestResult {
    let mut lib = library()?;
    lib.drugs.retain(|d| d.id != "clonidine");
    let t = Thresholds::builtin()?;
    let mut record = Record::new(
        "r-11",
        Patient::default(),
        Implant::default(),
        docs("example-plan.json")?,
        at(2026, 11, 25, 9, 0),
    )?;
    record.outcomes = vec![visit(1, Some(8.0), None)];
    let history = intrathecal_history(&record, &common::catalogue()?, &lib);
    assert!(history.iter().all(|h| !h.evaluated));
    let r = rows(&record, &history, &t);
    assert_eq!(
        r.first().map(|x| x.intrathecal.as_str()),
        Some(
            "morphine 1 mg/day, bupivacaine dose not evaluated, clonidine dose not evaluated (as declared: the plan does not evaluate now)"
        )
    );
    Ok(())
}
