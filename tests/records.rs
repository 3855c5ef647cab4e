//! Patient records: the record file and the stored envelope round-trip; plans inside a record
//! migrate as plan files do; damaged, newer and hostile texts are refused with a message naming
//! why (the app keeps them aside); a stored record edited over a hard limit is still blocked; the
//! history in words; search. Property tests: any stored bytes load or are refused with a message,
//! never a panic, and a damaged sealed record never reads as a different record.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{MCG, TestResult, at, catalogue, docs, fixture, hours, library, ml, plan, run, visit};
use itdose::engine::record::{
    CREATED, Implant, MAX_RECORD_BYTES, Patient, Record, checksum, export, import, seal, unseal,
};
use itdose::engine::report::record::{history, summary};
use itdose::engine::{Change, Field, MriScan, PlanStatus, Session, Severity, roll_forward};
use proptest::prelude::*;

fn example_record() -> Result<Record, Box<dyn std::error::Error>> {
    let patient = Patient {
        name: "Ada Example".into(),
        identifier: "MRN 0042".into(),
    };
    let implant = Implant {
        implanted_on: "2025-03-14".into(),
        catheter: "tip T10, 40 cm".into(),
    };
    Ok(Record::new(
        "r-1",
        patient,
        implant,
        docs("example-plan.json")?,
        at(2026, 11, 25, 9, 0),
    )?)
}

/// FNV-1a 64 test vectors (Fowler, Noll, Vo: the empty string and "a").
#[test]
fn the_checksum_is_fnv_1a_64() {
    assert_eq!(checksum(""), "cbf29ce484222325");
    assert_eq!(checksum("a"), "af63dc4c8601ec8c");
}

/// Seal then unseal, and export then import, give the same record.
#[test]
fn a_record_round_trips_through_storage_and_a_file() -> TestResult {
    let (cat, lib) = (catalogue()?, library()?);
    let record = example_record()?;
    let saved = at(2026, 11, 25, 9, 5);
    let opened = unseal(&seal(&record, saved)?, &cat, &lib)?;
    assert_eq!(opened.record, record);
    assert_eq!(opened.saved_at, Some(saved));
    assert!(opened.notes.is_empty(), "{:?}", opened.notes);
    let imported = import(&export(&record)?, "unused", saved, &cat, &lib)?;
    assert_eq!(imported.record, record);
    Ok(())
}

/// A version-1 plan inside a record is migrated by the plan format's own migration, and said so.
#[test]
fn an_old_plan_inside_a_record_migrates() -> TestResult {
    let (cat, lib) = (catalogue()?, library()?);
    let v1 = std::fs::read_to_string("tests/fixtures/plans-v1/example-plan.json")?;
    let text = format!(
        r#"{{"format":"itdose-record","version":1,"id":"old-1","plan":{v1},"history":[{{"at":"2026-11-25T09:00:00","workflow":"Record created","plan":{v1}}}]}}"#
    );
    let opened = import(&text, "unused", at(2026, 11, 25, 9, 0), &cat, &lib)?;
    assert_eq!(opened.record.plan, fixture("example-plan.json")?.plan);
    assert_eq!(opened.record.plan.version, 3);
    // A version-1 record (no outcome log) reads as the current version, with an empty log.
    assert_eq!(opened.record.version, 2);
    assert!(opened.record.outcomes.is_empty());
    assert_eq!(
        opened.notes,
        vec![
            "The plan in force was plan version 1: migrated.".to_owned(),
            "History entry 1 was plan version 1: migrated.".to_owned()
        ]
    );
    Ok(())
}

/// A plan file imported as a record becomes a new record without a name, under the fresh id.
#[test]
fn a_plan_file_becomes_a_new_record() -> TestResult {
    let (cat, lib) = (catalogue()?, library()?);
    let text = std::fs::read_to_string("docs/example-plan.json")?;
    let opened = import(&text, "fresh-7", at(2026, 11, 26, 10, 0), &cat, &lib)?;
    assert_eq!(opened.record.id, "fresh-7");
    assert_eq!(opened.record.patient, Patient::default());
    assert_eq!(opened.record.history.len(), 1);
    assert_eq!(
        opened.record.history.first().map(|e| e.workflow.as_str()),
        Some(CREATED)
    );
    Ok(())
}

/// Damaged, newer, oversized and hostile texts are refused at the record, with the reason.
#[test]
fn damaged_newer_and_hostile_texts_are_refused_with_the_reason() -> TestResult {
    let (cat, lib) = (catalogue()?, library()?);
    let sealed = seal(&example_record()?, at(2026, 11, 25, 9, 5))?;
    let damaged = sealed.replacen("Ada", "Eve", 1);
    let newer_envelope = sealed.replacen(r#""version":1"#, r#""version":2"#, 1);
    let record_text = export(&example_record()?)?;
    let newer_record = record_text.replacen(r#""version": 2"#, r#""version": 3"#, 1);
    let newer_plan = record_text.replacen(r#""version": 3"#, r#""version": 4"#, 1);
    let long = format!(
        "{{\"format\":\"itdose-record\",\"x\":\"{}\"}}",
        "a".repeat(2 * MAX_RECORD_BYTES)
    );
    let cases: Vec<(&str, String, bool)> = vec![
        ("checksum does not match", damaged, true),
        ("saved by a newer itdose", newer_envelope, true),
        ("written by a newer itdose", newer_record, false),
        ("version 4 is not supported", newer_plan, false),
        ("not a record or plan file", "{\"format\":".into(), false),
        (
            "expected \u{201c}itdose-record\u{201d}",
            "{\"format\":\"x\",\"version\":1}".into(),
            false,
        ),
        ("more than the 4000000", long, false),
        (
            "must be 1 to 64",
            record_text.replacen("\"r-1\"", "\"../../x\"", 1),
            false,
        ),
        // A 1 MB name fits in a record's 2 MB, and was kept and shown whole everywhere.
        (
            "the patient's name has 1048576 characters, more than 200",
            record_text.replacen("\"Ada Example\"", &format!("\"{}\"", "n".repeat(1 << 20)), 1),
            false,
        ),
        (
            "the catheter's description has 2001 characters, more than 2000",
            record_text.replacen("\"tip T10, 40 cm\"", &format!("\"{}\"", "c".repeat(2001)), 1),
            false,
        ),
    ];
    for (expected, text, stored) in cases {
        let result = if stored {
            unseal(&text, &cat, &lib).map(|o| o.record)
        } else {
            import(&text, "fresh", at(2026, 11, 25, 9, 0), &cat, &lib).map(|o| o.record)
        };
        match result {
            Err(e) => {
                assert_eq!(e.field, Field::RecordFile, "{e}");
                assert!(e.to_string().contains(expected), "{expected}: {e}");
            }
            Ok(r) => return Err(format!("{expected}: read as {}", r.id).into()),
        }
    }
    // A plan inside the record that does not fit is named from the record's top, without the line
    // and column of the plan taken out of it (they would not be the file's).
    let mut wrong: serde_json::Value = serde_json::from_str(&record_text)?;
    *wrong
        .pointer_mut("/plan/drugs/0/concentration")
        .ok_or("no concentration")? = "ten".into();
    let e = import(&wrong.to_string(), "fresh", at(2026, 11, 25, 9, 0), &cat, &lib)
        .err()
        .ok_or("a concentration of text was read")?
        .to_string();
    assert!(
        e.contains("not a valid plan file: plan.drugs[0].concentration: invalid type: string \"ten\""),
        "{e}"
    );
    assert!(!e.contains(" at line "), "{e}");
    let bad_date = record_text.replacen("2025-03-14", "2025-02-30", 1);
    let e = import(&bad_date, "fresh", at(2026, 11, 25, 9, 0), &cat, &lib)
        .err()
        .ok_or("an impossible implant date was read")?;
    assert_eq!(e.field, Field::ImplantDate);
    Ok(())
}

/// A stored record edited to ziconotide 25 mcg/day (above the US maximum of 19.2 mcg/day) and
/// sealed again opens, and its plan is blocked exactly as a typed one.
#[test]
fn a_stored_record_over_a_hard_limit_is_still_blocked() -> TestResult {
    let (cat, lib) = (catalogue()?, library()?);
    let mut p = plan("synchromed-ii-40", 40.0, "ziconotide", MCG, 25.0, 25.0);
    p.fill.new_pump = false;
    let record = Record::new("r-2", Patient::default(), Implant::default(), p, at(2026, 11, 25, 9, 0))?;
    let opened = unseal(&seal(&record, at(2026, 11, 25, 9, 1))?, &cat, &lib)?;
    let (outcome, _) = run(&opened.record.plan)?;
    assert_eq!(outcome.status, PlanStatus::Blocked);
    assert!(outcome.findings.iter().any(|f| f.severity == Severity::Hard));
    Ok(())
}

/// The history in words, newest first. The example's first fill is 20 mL on Wed 25 Nov 2026 at
/// 09:00; a change session at 10:30 the same day raises the morphine dose and books an MRI of 1 h.
#[test]
fn the_history_says_what_each_session_recorded() -> TestResult {
    let lib = library()?;
    let mut record = example_record()?;
    let mut next = record.plan.clone();
    let when = at(2026, 11, 25, 10, 30);
    next.sessions.push(Session {
        at: when,
        workflow: "Change the programme".into(),
        changes: vec![Change {
            parameter: "MORPHINE daily dose".into(),
            from: "1 mg/day".into(),
            to: "1.2 mg/day".into(),
        }],
        acknowledgements: Vec::new(),
    });
    next.csf.mri = Some(MriScan {
        at: at(2026, 12, 1, 14, 0),
        duration: hours(1.0),
    });
    record.confirm(when, "Change the programme", next.clone());
    assert_eq!(record.plan, next);
    let rows = history(&record, &lib);
    assert_eq!(rows.len(), 2);
    let newest = rows.first().ok_or("no row")?;
    assert_eq!(newest.at, "Wed 25 Nov 2026, 10:30");
    assert_eq!(
        newest.lines,
        vec![
            "Changed: MORPHINE daily dose: 1 mg/day \u{2192} 1.2 mg/day".to_owned(),
            "MRI: Tue 1 Dec 2026, 14:00, 1 h".to_owned(),
        ]
    );
    let first = rows.get(1).ok_or("no row")?;
    assert_eq!(first.workflow, CREATED);
    let fill = first.lines.first().ok_or("no line")?;
    assert!(fill.starts_with("Fill: 20 mL on Wed 25 Nov 2026, 09:00, "), "{fill}");
    assert!(fill.ends_with("; low-reservoir alarm at 2 mL"), "{fill}");
    let s = summary(&record, &catalogue()?, &lib);
    assert_eq!(s.title, "Ada Example");
    assert_eq!(s.last, "Wed 25 Nov 2026, 10:30 (Change the programme)");
    assert_eq!(s.sessions, 2);
    Ok(())
}

/// Two refill visits recorded in a record: each history entry keeps only the visit its session
/// added (the plan in force keeps the whole log), and the history says what was withdrawn,
/// injected and confirmed in the reservoir.
#[test]
fn refills_in_a_record_keep_each_visit_once_and_say_what_was_injected() -> TestResult {
    let lib = library()?;
    let mut record = example_record()?;
    for (when, withdrawn) in [(at(2027, 1, 25, 9, 0), 7.6), (at(2027, 3, 27, 9, 0), 7.5)] {
        let mut p = record.plan.clone();
        let mut v = visit(when, withdrawn);
        v.new_fill = Some(ml(20.0));
        v.confirmed_after_refill = Some(ml(19.5));
        p.visit = Some(v);
        let (outcome, _) = run(&p)?;
        let next = roll_forward(&p, &outcome, &record.plan)?;
        record.confirm(when, "Refill visit", next);
    }
    assert_eq!(record.plan.visits.len(), 2);
    let last = record.history.last().ok_or("no entry")?;
    assert_eq!(last.plan.visits.len(), 1, "only the visit this session added");
    let rows = history(&record, &lib);
    let newest = rows.first().ok_or("no row")?;
    assert_eq!(newest.at, "Sat 27 Mar 2027, 09:00");
    // The refill started a new fill of the smaller of injected and confirmed: 19.5 mL.
    let fill = newest.lines.first().ok_or("no fill line")?;
    assert!(fill.starts_with("Fill: 19.5 mL on Sat 27 Mar 2027, 09:00"), "{fill}");
    let visit_line = newest.lines.get(1).ok_or("no visit line")?;
    assert!(
        visit_line.starts_with("Visit Sat 27 Mar 2027, 09:00: 7.5 mL withdrawn, "),
        "{visit_line}"
    );
    assert!(
        visit_line.contains("; 20 mL injected; 19.5 mL confirmed in the reservoir after the refill"),
        "{visit_line}"
    );
    assert_eq!(rows.len(), 3);
    Ok(())
}

/// A record larger than the storage limit is refused when it is sealed (nothing is stored).
#[test]
fn an_oversized_record_is_refused_when_sealed() -> TestResult {
    let mut record = example_record()?;
    record.implant.catheter = "x".repeat(MAX_RECORD_BYTES);
    let e = seal(&record, at(2026, 11, 25, 9, 5))
        .err()
        .ok_or("an oversized record was sealed")?;
    assert_eq!(e.field, Field::RecordFile);
    assert!(e.to_string().contains("export it"), "{e}");
    Ok(())
}

/// Search: every word must match the name, identifier, catheter, pump or a drug (case ignored).
#[test]
fn search_matches_every_word() -> TestResult {
    let record = example_record()?;
    assert!(record.matches(""));
    assert!(record.matches("ada MORPHINE"));
    assert!(record.matches("0042 t10"));
    assert!(!record.matches("ada ziconotide"));
    let copy = record.duplicate("r-1b", at(2026, 12, 1, 8, 0))?;
    assert_eq!(copy.patient.name, "Ada Example (copy)");
    // A starting point for another patient: no identifier, none of this patient's history.
    assert_eq!(copy.patient.identifier, "");
    assert_eq!(copy.history.len(), 1);
    assert_eq!(
        copy.history.first().map(|e| (e.at, e.workflow.as_str())),
        Some((
            at(2026, 12, 1, 8, 0),
            "Record created as a copy of another record's plan"
        ))
    );
    assert!(copy.plan.visits.is_empty() && copy.plan.sessions.is_empty());
    assert!(record.duplicate("bad id", at(2026, 12, 1, 8, 0)).is_err());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    /// Any stored bytes either open as a record or are refused with a reason at the record (the
    /// app then keeps them aside); never a panic.
    #[test]
    fn any_stored_bytes_open_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let (cat, lib) = (catalogue().map_err(|e| TestCaseError::fail(e.to_string()))?, library().map_err(|e| TestCaseError::fail(e.to_string()))?);
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = unseal(&text, &cat, &lib) {
            prop_assert_eq!(e.field, Field::RecordFile);
            prop_assert!(!e.to_string().is_empty());
        }
    }

    /// Changing one character of a sealed record either leaves the same record or is refused:
    /// damage never reads as another record.
    #[test]
    fn a_damaged_sealed_record_never_reads_as_another(index in 0_usize..20_000, replacement in any::<char>()) {
        let (cat, lib) = (catalogue().map_err(|e| TestCaseError::fail(e.to_string()))?, library().map_err(|e| TestCaseError::fail(e.to_string()))?);
        let record = example_record().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let sealed = seal(&record, at(2026, 11, 25, 9, 5)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut chars: Vec<char> = sealed.chars().collect();
        let i = index % chars.len().max(1);
        if let Some(c) = chars.get_mut(i) {
            *c = replacement;
        }
        let damaged: String = chars.into_iter().collect();
        if let Ok(opened) = unseal(&damaged, &cat, &lib) {
            prop_assert_eq!(opened.record, record);
        }
    }
}
