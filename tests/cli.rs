//! The native `itdose report` command, run through its real entry (`cli::run`) and as a process.
#![cfg(not(target_arch = "wasm32"))]

use itdose::cli::run;

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).map_err(|e| e.to_string())
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn report_prints_json_with_the_figures() -> Result<(), Box<dyn std::error::Error>> {
    let (code, out, err) = run(&args(&["report", "docs/example-plan.json"]), read);
    assert_eq!((code, err.as_str()), (0, ""));
    let json: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(json.pointer("/status").cloned().unwrap_or_default(), "valid");
    assert_eq!(
        json.pointer("/figures/0/name").cloned().unwrap_or_default(),
        "Flow rate"
    );
    assert_eq!(
        json.pointer("/figures/0/display").cloned().unwrap_or_default(),
        "0.2 mL/day"
    );
    assert_eq!(
        json.pointer("/drugs/2/figures/1/display").cloned().unwrap_or_default(),
        "20 mcg/day"
    );
    assert_eq!(
        json.pointer("/drugs/2/daily_dose/unit").cloned().unwrap_or_default(),
        "mcg/day"
    );
    Ok(())
}

#[test]
fn report_text_is_readable_and_ismp_formatted() {
    let (code, out, _) = run(&args(&["report", "docs/example-plan.json", "--text"]), read);
    assert_eq!(code, 0);
    let line = |name: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(name))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    assert_eq!(line("Flow rate").as_deref(), Some("Flow rate 0.2 mL/day"), "{out}");
    assert!(out.contains("Refill-by constraints (earliest binds)"), "{out}");
    assert!(
        line("cloNIDine in reservoir").as_deref() == Some("cloNIDine in reservoir at fill 2,000 mcg"),
        "{out}"
    );
    assert!(out.contains("diluent: 5.867 mL"), "{out}");
    assert!(!out.contains(".0 ") && !out.contains("µg"), "{out}");
}

#[test]
fn invalid_plan_names_the_field_and_exits_non_zero() {
    let bad = |path: &str| -> Result<String, String> {
        read("docs/example-plan.json").map(|t| {
            if path == "bad.json" {
                t.replace("\"volume\": 20", "\"volume\": 25")
            } else {
                t
            }
        })
    };
    let (code, out, err) = run(&args(&["report", "bad.json"]), bad);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "bad.json: the plan is invalid\n  Fill volume: 25 mL is above the pump capacity of 20 mL\n"
    );
    let negative = |_: &str| read("docs/example-plan.json").map(|t| t.replace("\"value\": 100", "\"value\": -100"));
    let (code, _, err) = run(&args(&["report", "neg.json"]), negative);
    assert_eq!(code, 1);
    assert!(err.contains("not a valid plan file"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&args(&[]), read).0, 2);
    assert_eq!(run(&args(&["report"]), read).0, 2);
    assert_eq!(run(&args(&["frobnicate", "x.json"]), read).0, 2);
    assert_eq!(run(&args(&["report", "missing.json"]), read).0, 2);
    assert_eq!(run(&args(&["report", "docs/example-plan.json", "--colour"]), read).0, 2);
}

#[test]
fn the_binary_runs_the_same_command() -> Result<(), Box<dyn std::error::Error>> {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_itdose"))
        .args(["report", "docs/example-plan.json", "--text"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()?;
    assert!(output.status.success());
    assert!(String::from_utf8(output.stdout)?.contains("Status: Valid"));
    let failing = std::process::Command::new(env!("CARGO_BIN_EXE_itdose"))
        .args(["report", "nope.json"])
        .output()?;
    assert_eq!(failing.status.code(), Some(2));
    Ok(())
}

/// `docs/example-schedule-plan.json`: Prometra II with patient boluses and a refill visit.
/// Basal 2.5 mg/day ÷ 5 mg/mL = 0.5 mL/day; 4 boluses of 0.1 mL allowed a day (lockout 4 h,
/// at most 4): 0.4 mL = 2 mg; maximum 4.5 mg/day. Refill by the Prometra rule (3 mL, every allowed
/// bolus): Mon 14 Dec 2026 06:06 (worked in tests/engine_refill.rs).
#[test]
fn report_includes_schedule_totals_scenarios_and_refill_by() {
    let (code, out, _) = run(&args(&["report", "docs/example-schedule-plan.json", "--text"]), read);
    assert_eq!(code, 0);
    // Column padding depends on the longest name: compare with runs of spaces folded.
    let out = out.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    for expected in [
        "morphine patient boluses per 24 h at their maximum 2 mg/day",
        "morphine maximum possible per 24 h 4.5 mg/day",
        "All allowed patient boluses: low-reservoir alarm: Mon 14 Dec 2026, 06:06",
        "Typical: 1 patient bolus a day: empty: Mon 28 Dec 2026, 18:36",
        "Refill by Mon 14 Dec 2026, 06:06 (refill-date volume 3 mL (pump rule) with every allowed patient bolus)",
        "Refill visit Thu 10 Dec 2026, 09:00: withdrawn 5.5 mL, expected 11 mL, discrepancy -5.5 mL (threshold 2 mL): FLAGGED",
    ] {
        assert!(out.contains(expected), "{expected}\n---\n{out}");
    }
    let (_, json, _) = run(&args(&["report", "docs/example-schedule-plan.json"]), read);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(
        json.pointer("/scenarios/2/scenario/scenario").and_then(|v| v.as_str()),
        Some("all_allowed")
    );
    assert_eq!(
        json.pointer("/refill_by/binding/at").and_then(|v| v.as_str()),
        Some("2026-12-14T06:06:00")
    );
}
