//! The native `itdose` command, run through its real entry (`cli::run`) and as a process: `report`
//! prints the report as JSON (the `Report` itself) or as text, `concentration` the modelled CSF
//! series as CSV; exit 0 when a report was produced, 1 for an invalid plan, 2 for a usage error or
//! an unreadable file.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{TestResult, args, catalogue, library, read};
use itdose::cli::run;
use itdose::engine::report::{self, Report};
use itdose::engine::{evaluate, load};

/// Runs `itdose` on the repository's files.
fn itdose(list: &[&str]) -> (u8, String, String) {
    run(&args(list), read)
}

/// `report` with no option prints the report as JSON: exactly what `report::build` makes of the
/// plan's evaluation (docs/example-plan.json: valid; flow rate 0.2 mL/day; cloNIDine 20 mcg/day).
#[test]
fn report_prints_the_report_as_json() -> TestResult {
    let (code, out, err) = itdose(&["report", "docs/example-plan.json"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let printed: Report = serde_json::from_str(&out)?;
    let plan = load(&read("docs/example-plan.json")?, &catalogue()?, &library()?)?.plan;
    let outcome = evaluate(&plan, &catalogue()?, &library()?).map_err(|e| format!("{e:?}"))?;
    assert_eq!(printed, report::build(&outcome));
    let json: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(json.pointer("/format").and_then(|v| v.as_str()), Some("itdose-report"));
    assert_eq!(json.pointer("/status/status").and_then(|v| v.as_str()), Some("valid"));
    assert_eq!(
        json.pointer("/figures/0/name").and_then(|v| v.as_str()),
        Some("Flow rate")
    );
    assert_eq!(
        json.pointer("/figures/0/display").and_then(|v| v.as_str()),
        Some("0.2 mL/day")
    );
    assert_eq!(
        json.pointer("/figures/0/value").and_then(serde_json::Value::as_f64),
        Some(0.2)
    );
    assert_eq!(
        json.pointer("/drugs/2/figures/1/display").and_then(|v| v.as_str()),
        Some("20 mcg/day")
    );
    assert_eq!(
        json.pointer("/drugs/2/figures/1/unit").and_then(|v| v.as_str()),
        Some("mcg/day")
    );
    assert_eq!(
        json.pointer("/findings/0/key/rule").and_then(|v| v.as_str()),
        Some("off_label"),
        "findings carry their structured keys"
    );
    Ok(())
}

/// `--text` is readable and ISMP-formatted: "Flow rate 0.2 mL/day", the refill-by constraints,
/// "cloNIDine in reservoir at fill 2,000 mcg", the worksheet's diluent 22 − 16.133 = 5.867 mL; no
/// trailing zero, no µg.
#[test]
fn report_text_is_readable_and_ismp_formatted() {
    let (code, out, _) = itdose(&["report", "docs/example-plan.json", "--text"]);
    assert_eq!(code, 0);
    let line = |name: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(name))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    assert_eq!(line("Flow rate").as_deref(), Some("Flow rate 0.2 mL/day"), "{out}");
    assert_eq!(
        line("Status").as_deref(),
        Some("Status: Valid: no hard limit crossed; every soft limit acknowledged")
    );
    assert!(out.contains("Refill-by constraints (earliest binds)"), "{out}");
    assert_eq!(
        line("cloNIDine in reservoir").as_deref(),
        Some("cloNIDine in reservoir at fill 2,000 mcg"),
        "{out}"
    );
    assert_eq!(line("Diluent").as_deref(), Some("Diluent: 5.867 mL"), "{out}");
    assert!(!out.contains(".0 ") && !out.contains("\u{b5}g"), "{out}");
}

/// docs/example-schedule-plan.json: Prometra II with patient boluses and a refill visit.
/// Basal 2.5 mg/day ÷ 5 mg/mL = 0.5 mL/day; 4 boluses of 0.1 mL allowed a day (lockout 4 h, at most
/// 4): 0.4 mL = 2 mg; maximum 4.5 mg/day. Refill by the Prometra rule (3 mL, every allowed bolus):
/// Mon 14 Dec 2026 06:06 (worked in tests/reservoir.rs). Typical (1 a day): 0.6 mL a day, empty
/// after 20 ÷ 0.6 = 33.33 days → Mon 28 Dec 2026 18:36 (the bolus timing makes it exact to the
/// minute). The visit on Thu 10 Dec (15 days): expected 20 − 15 × 0.6 = 11 mL, withdrawn 5.5 mL:
/// −5.5 mL, beyond 2 mL → flagged.
#[test]
fn report_includes_schedule_totals_scenarios_refill_by_and_the_visit() -> TestResult {
    let (code, out, _) = itdose(&["report", "docs/example-schedule-plan.json", "--text"]);
    assert_eq!(code, 0);
    // Column padding depends on the longest name: compare with runs of spaces folded.
    let out = out.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    for expected in [
        "morphine patient boluses per 24 h at their maximum 2 mg/day",
        "morphine maximum possible per 24 h 4.5 mg/day",
        "All allowed patient boluses: low-reservoir alarm: Mon 14 Dec 2026, 06:06",
        "Typical: 1 patient bolus a day: empty: Mon 28 Dec 2026, 18:36",
        "Refill by Mon 14 Dec 2026, 06:06 (refill-date volume 3 mL (pump rule) with every allowed patient bolus)",
        "Visit: Thu 10 Dec 2026, 09:00",
        "Expected residual: 11 mL",
        "Discrepancy (withdrawn \u{2212} expected): -5.5 mL",
        "Reconciliation: FLAGGED: less withdrawn than expected",
        "[SOFT] Withdrawn 5.5 mL is 5.5 mL less than the expected 11 mL (flag beyond 2 mL)",
        "NOT ACKNOWLEDGED",
    ] {
        assert!(out.contains(expected), "{expected}\n---\n{out}");
    }
    let (_, json, _) = itdose(&["report", "docs/example-schedule-plan.json"]);
    let json: serde_json::Value = serde_json::from_str(&json)?;
    assert_eq!(
        json.pointer("/scenarios/4/name").and_then(|v| v.as_str()),
        Some("All allowed patient boluses: low-reservoir alarm")
    );
    assert_eq!(
        json.pointer("/refill_constraints/0/name").and_then(|v| v.as_str()),
        Some("Mon 14 Dec 2026, 06:06")
    );
    assert_eq!(
        json.pointer("/status/status").and_then(|v| v.as_str()),
        Some("needs_acknowledgement")
    );
    Ok(())
}

/// An invalid plan names the field and exits 1: the example with 25 mL in its 20 mL pump; a file
/// that does not fit the format (a negative concentration) is refused as a plan file, exit 1.
#[test]
fn an_invalid_plan_names_the_field_and_exits_1() {
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
    assert!(err.starts_with("neg.json: Plan file: not a valid plan file"), "{err}");
    let future = |_: &str| read("docs/example-plan.json").map(|t| t.replace("\"version\": 1", "\"version\": 4"));
    let (code, _, err) = run(&args(&["report", "new.json"]), future);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            "new.json: Plan file: version 4 is not supported (this build reads versions 1 to 3)\n"
        )
    );
}

/// Usage errors (an option of the other command included) and unreadable files exit 2; `--help`
/// prints the usage and exits 0.
#[test]
fn usage_errors_exit_2() {
    assert_eq!(itdose(&[]).0, 2);
    assert_eq!(itdose(&["report"]).0, 2);
    assert_eq!(itdose(&["frobnicate", "x.json"]).0, 2);
    assert_eq!(itdose(&["report", "missing.json"]).0, 2);
    assert_eq!(itdose(&["report", "docs/example-plan.json", "--colour"]).0, 2);
    assert_eq!(itdose(&["report", "docs/example-plan.json", "--library"]).0, 2);
    // An option of the other command is refused, not ignored.
    let (code, _, err) = itdose(&["report", "docs/example-plan.json", "--days", "3"]);
    assert_eq!(
        (code, err.lines().next()),
        (2, Some("--days is not an option of report"))
    );
    let (code, _, err) = itdose(&["concentration", "docs/example-plan.json", "--text"]);
    assert_eq!(
        (code, err.lines().next()),
        (2, Some("--text is not an option of concentration"))
    );
    let (code, out, _) = itdose(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("usage: itdose report PLAN.json"), "{out}");
}

/// `--library` evaluates with another library: the built-in one made EU, where 20 mcg/day of
/// ziconotide is within the 21.6 mcg/day maximum (US: 19.2, blocked). A library file that fails
/// validation is refused, exit 2, naming the problem.
#[test]
fn report_uses_the_library_given() -> TestResult {
    let mut eu = library()?;
    eu.region = "EU".into();
    let eu_text = eu.to_json();
    let bad_text = eu_text.replacen("\"region\": \"EU\"", "\"region\": \"UK\"", 1);
    let plan_text = read("docs/example-ziconotide-refill.json")?.replace("\"value\": 2.4", "\"value\": 20");
    let files = |path: &str| -> Result<String, String> {
        match path {
            "eu.json" => Ok(eu_text.clone()),
            "uk.json" => Ok(bad_text.clone()),
            "plan.json" => Ok(plan_text.clone()),
            other => read(other),
        }
    };
    let status = |list: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
        let (code, out, err) = run(&args(list), files);
        assert_eq!(code, 0, "{err}");
        let json: serde_json::Value = serde_json::from_str(&out)?;
        Ok(json
            .pointer("/status/status")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned())
    };
    assert_eq!(status(&["report", "plan.json"])?, "blocked");
    assert_ne!(status(&["report", "plan.json", "--library", "eu.json"])?, "blocked");
    let (code, _, err) = run(&args(&["report", "plan.json", "--library", "uk.json"]), files);
    assert_eq!(code, 2);
    assert!(err.starts_with("uk.json: drug library rejected: region:"), "{err}");
    Ok(())
}

/// `concentration docs/example-ziconotide-refill.json --days 2 --step 1h`: a CSV header and one
/// row an hour, 0 to 48 h (49 rows); drugs without a model and the model caption go to standard
/// error. A bad step, scenario or window is a usage error.
#[test]
fn the_concentration_command_prints_csv() {
    let (code, out, err) = itdose(&[
        "concentration",
        "docs/example-ziconotide-refill.json",
        "--days",
        "2",
        "--step",
        "1h",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first().copied(), Some("time_h,drug,concentration,unit"));
    assert_eq!(lines.len(), 1 + 49, "header + 0..=48 h");
    assert!(
        lines
            .get(1)
            .is_some_and(|l| l.starts_with("0,ziconotide,") && l.ends_with(",mcg/mL"))
    );
    assert!(lines.last().is_some_and(|l| l.starts_with("48,ziconotide,")));
    assert!(err.contains("not a measurement"), "{err}");
    for bad in [
        &["concentration", "docs/example-ziconotide-refill.json", "--step", "1x"][..],
        &[
            "concentration",
            "docs/example-ziconotide-refill.json",
            "--scenario",
            "most",
        ][..],
        &["concentration", "docs/example-ziconotide-refill.json", "--days", "0"][..],
        &["concentration", "docs/example-ziconotide-refill.json", "--step", "0m"][..],
    ] {
        assert_eq!(itdose(bad).0, 2, "{bad:?}");
    }
}

/// The concentration command names a drug it cannot model on standard error: docs/example-plan.json
/// (morphine with no weight entered, bupivacaine and cloNIDine) models cloNIDine only.
#[test]
fn the_concentration_command_names_drugs_it_cannot_model() {
    let (code, out, err) = itdose(&["concentration", "docs/example-plan.json", "--days", "1", "--step", "1h"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines().skip(1).all(|l| l.split(',').nth(1) == Some("clonidine")),
        "{out}"
    );
    assert!(
        err.contains("Not modelled: morphine: no CSF volume; enter the patient's weight to model it"),
        "{err}"
    );
    assert!(
        err.contains("Not modelled: bupivacaine: no CSF half-life in the drug library"),
        "{err}"
    );
}

/// The binary runs the same command, and exits 2 on a missing file.
#[test]
fn the_binary_runs_the_same_command() -> TestResult {
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

/// `convert`: oxyCODONE 40 mg/day × 1.5 + fentaNYL 25 mcg/h × 2.4 = 60 + 60 = 120 MME; at 100 : 1,
/// 1.2 mg/day; less 30 %, 0.84 mg/day of intrathecal morphine; JSON with each line's factor.
#[test]
fn convert_prints_the_conversion_as_json() -> TestResult {
    let (code, out, err) = itdose(&[
        "convert",
        "--ratio",
        "100",
        "--reduction",
        "30",
        "oxycodone=40mg/day",
        "fentanyl-patch=25mcg/h",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let json: serde_json::Value = serde_json::from_str(&out)?;
    let num = |p: &str| json.pointer(p).and_then(serde_json::Value::as_f64);
    let text = |p: &str| json.pointer(p).and_then(serde_json::Value::as_str).map(str::to_owned);
    assert!(num("/total_mme/value").is_some_and(|v| (v - 120.0).abs() < 1e-9));
    assert_eq!(text("/total_mme/unit").as_deref(), Some("mg/day"));
    assert_eq!(text("/items/1/drug").as_deref(), Some("fentanyl-patch"));
    assert_eq!(text("/items/1/amount/unit").as_deref(), Some("mcg/h"));
    assert!(num("/items/1/factor").is_some_and(|v| (v - 2.4).abs() < 1e-12));
    assert!(num("/items/1/mme").is_some_and(|v| (v - 60.0).abs() < 1e-9));
    assert_eq!(text("/intrathecal/drug").as_deref(), Some("morphine"));
    assert!(num("/intrathecal/ratio").is_some_and(|v| (v - 100.0).abs() < 1e-12));
    assert!(num("/intrathecal/reduction_percent").is_some_and(|v| (v - 30.0).abs() < 1e-12));
    assert!(num("/intrathecal/daily_dose/value").is_some_and(|v| (v - 0.84).abs() < 1e-12));
    let cautions = json
        .pointer("/cautions")
        .and_then(serde_json::Value::as_array)
        .map(Vec::len);
    assert!(cautions.is_some_and(|n| n >= 2), "the general and the fentaNYL caution");
    let (code, text_out, _) = itdose(&["convert", "--text", "--reduction", "30", "methadone=20mg/day"]);
    assert_eq!(code, 0);
    assert!(
        text_out.contains("methadone (oral) 20 mg/day × 4.7 = 94 MME"),
        "{text_out}"
    );
    assert!(
        text_out.contains("- Methadone: the CDC asks for extra caution"),
        "{text_out}"
    );
    Ok(())
}

/// An unknown drug, a wrong unit and a bad number exit 1 with a message naming the item.
#[test]
fn convert_names_the_bad_item() {
    for (item, says) in [
        ("oxycodon=40mg/day", "oxycodon=40mg/day: unknown drug"),
        (
            "fentanyl-patch=25mg/day",
            "fentanyl-patch=25mg/day: fentaNYL (transdermal patch) is given in mcg/h",
        ),
        ("morphine=1,5mg/day", "morphine=1,5mg/day: Amount:"),
        ("morphine=0mg/day", "morphine=0mg/day: Opioid 1, amount"),
    ] {
        let (code, out, err) = itdose(&["convert", "--reduction", "30", item]);
        assert_eq!((code, out.as_str()), (1, ""), "{item}");
        assert!(err.starts_with(says), "{item}: {err}");
    }
    let (code, _, err) = itdose(&["convert", "--reduction", "30", "--ratio", "3", "morphine=30mg/day"]);
    assert_eq!(code, 1);
    assert!(err.contains("3 : 1 is outside 10 : 1 to 1,000 : 1"), "{err}");
    assert_eq!(itdose(&["convert"]).0, 2, "no item: usage");
    // The reduction is the clinician's choice: without it, a usage error.
    let (code, _, err) = itdose(&["convert", "morphine=30mg/day"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("--reduction is required"), "{err}");
}

/// `convert --table FILE` uses a factor table exported from the app: oxyCODONE set to 2 makes
/// 40 mg/day 40 × 2 = 80 MME; a table with a slipped decimal point (fentaNYL 240) exits 1 naming
/// the file, and a missing file name is a usage error.
#[test]
fn convert_uses_an_exported_factor_table() -> TestResult {
    let dir = std::env::temp_dir().join(format!("itdose-factors-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut table = itdose::engine::convert::OpioidTable::builtin()?;
    table.edit_factor("oxycodone", 2.0, jiff::civil::date(2026, 11, 26))?;
    let good = dir.join("good.json");
    std::fs::write(&good, table.to_json())?;
    let good = good.to_string_lossy().into_owned();
    let (code, out, err) = itdose(&["convert", "--table", &good, "--reduction", "0", "oxycodone=40mg/day"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let json: serde_json::Value = serde_json::from_str(&out)?;
    let mme = json.pointer("/total_mme/value").and_then(serde_json::Value::as_f64);
    assert!(mme.is_some_and(|v| (v - 80.0).abs() < 1e-9), "{mme:?}");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, table.to_json().replace("\"factor\": 2.4", "\"factor\": 240.0"))?;
    let bad = bad.to_string_lossy().into_owned();
    let (code, _, err) = itdose(&["convert", "--table", &bad, "--reduction", "0", "oxycodone=40mg/day"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(&format!("{bad}: ")) && err.contains("fentanyl-patch"),
        "{err}"
    );
    assert_eq!(
        itdose(&["convert", "--reduction", "0", "oxycodone=40mg/day", "--table"]).0,
        2
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// `report` of a patient record: the plan in force, and the outcome log with its markers
/// (docs/record-example.json: 8 → 6.4 of 10 is exactly 20 % below the baseline, a responder).
#[test]
fn report_of_a_record_adds_the_outcome_markers() -> TestResult {
    let (code, out, err) = itdose(&["report", "docs/record-example.json"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let json: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(
        json.pointer("/report/format").and_then(|v| v.as_str()),
        Some("itdose-report")
    );
    assert_eq!(
        json.pointer("/outcomes/1/markers").and_then(|v| v.as_str()),
        Some("responder")
    );
    assert_eq!(
        json.pointer("/outcomes/3/markers").and_then(|v| v.as_str()),
        Some("mild pain; responder; systemic opioids stopped")
    );
    let (code, text, _) = itdose(&["report", "docs/record-example.json", "--text"]);
    assert_eq!(code, 0);
    assert!(text.contains("Wed 9 Dec 2026, 10:00: pain 6.4 of 10"), "{text}");
    Ok(())
}
