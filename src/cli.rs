//! The native `itdose` command, on the same engine and the same report as the app. File reading is
//! passed in, so the whole command is testable without touching the disk.
//!
//! ```text
//! itdose report PLAN.json [--text] [--library LIBRARY.json]
//! itdose concentration PLAN.json [--days N] [--step 1m|5m|1h|...] [--scenario none|typical|all] [--library LIBRARY.json]
//! itdose convert [--ratio N] [--reduction PERCENT] [--to morphine|hydromorphone] [--text] DRUG=AMOUNT...
//! ```
//! `report` prints the report as JSON (`docs/report-format.md`), or as a readable table with
//! `--text`; given a patient record, it reports the plan in force and adds the outcome log with its
//! markers (JSON: `{"report": …, "outcomes": […]}`); `concentration` prints the modelled CSF series as CSV. Exit status: 0 when a report was
//! produced (its `status` says whether the plan is valid), 1 when the plan is invalid (the message
//! names the field), 2 for a usage error or an unreadable file.

mod convert;

use std::fmt::Write as _;

use crate::engine::report::{self, Report, csf_section};
use crate::engine::{Catalogue, DrugLibrary, Figure, Hours, PatientUse, Window, concentration_series, evaluate, load};

const USAGE: &str = "usage: itdose report PLAN.json [--text] [--library LIBRARY.json]\n       itdose concentration PLAN.json [--days N] [--step 1m|5m|1h|...] [--scenario none|typical|all] [--library LIBRARY.json]\n       itdose convert [--ratio N] [--reduction PERCENT] [--to morphine|hydromorphone] [--text] DRUG=AMOUNT...\n";

/// Minutes or hours, e.g. "1m", "15m", "1h", "0.5h".
fn parse_step(text: &str) -> Option<Hours> {
    let (number, unit) = text.split_at(text.len().checked_sub(1)?);
    let value: f64 = number.parse().ok()?;
    let hours = match unit {
        "m" => value / 60.0,
        "h" => value,
        _ => return None,
    };
    Hours::new(hours).ok().filter(|h| h.value() > 0.0)
}

/// The command line, read.
struct Args {
    command: String,
    plan_path: String,
    text: bool,
    days: f64,
    step: Hours,
    scenario: Option<PatientUse>,
    library_path: Option<String>,
}

fn usage(message: &str) -> (u8, String, String) {
    (2, String::new(), format!("{message}\n{USAGE}"))
}

fn parse_args(args: &[String]) -> Result<Args, (u8, String, String)> {
    let mut out = Args {
        command: String::new(),
        plan_path: String::new(),
        text: false,
        days: 30.0,
        step: parse_step("1m").ok_or_else(|| usage("bad default step"))?,
        scenario: None,
        library_path: None,
    };
    let mut positional = Vec::new();
    let mut options: Vec<&str> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg.starts_with("--") {
            options.push(arg.as_str());
        }
        match arg.as_str() {
            "--text" => out.text = true,
            "--days" => match iter.next().and_then(|d| d.parse::<f64>().ok()) {
                Some(d) if d > 0.0 && d.is_finite() => out.days = d,
                _ => return Err(usage("--days needs a positive number")),
            },
            "--scenario" => {
                out.scenario = match iter.next().map(String::as_str) {
                    Some("none") => Some(PatientUse::None),
                    Some("all") => Some(PatientUse::AllAllowed),
                    Some("typical") => None,
                    _ => return Err(usage("--scenario needs none, typical or all")),
                }
            }
            "--step" => {
                let text = iter
                    .next()
                    .ok_or_else(|| usage("--step needs a value such as 1m or 1h"))?;
                out.step = parse_step(text)
                    .ok_or_else(|| usage(&format!("--step {text}: use minutes or hours, e.g. 1m, 15m, 1h")))?;
            }
            "--library" => out.library_path = Some(iter.next().ok_or_else(|| usage("--library needs a file"))?.clone()),
            "-h" | "--help" => return Err((0, USAGE.to_owned(), String::new())),
            other if other.starts_with('-') => return Err(usage(&format!("unknown option {other}"))),
            other => positional.push(other.to_owned()),
        }
    }
    let [command, plan_path] = positional.as_slice() else {
        return Err((2, String::new(), USAGE.to_owned()));
    };
    if command != "report" && command != "concentration" {
        return Err(usage(&format!("unknown command {command}")));
    }
    // An option of the other command is refused, never silently ignored.
    let foreign: &[&str] = if command == "report" {
        &["--days", "--step", "--scenario"]
    } else {
        &["--text"]
    };
    if let Some(option) = options.iter().find(|o| foreign.contains(o)) {
        return Err(usage(&format!("{option} is not an option of {command}")));
    }
    out.command = command.clone();
    out.plan_path = plan_path.clone();
    Ok(out)
}

/// Runs the command. Returns (exit code, standard output, standard error).
pub fn run(args: &[String], read: impl Fn(&str) -> Result<String, String>) -> (u8, String, String) {
    if let Some(("convert", rest)) = args.split_first().map(|(c, r)| (c.as_str(), r)) {
        return convert::run(rest);
    }
    let args = match parse_args(args) {
        Ok(a) => a,
        Err(done) => return done,
    };
    let path = &args.plan_path;
    let plan_text = match read(path) {
        Ok(t) => t,
        Err(e) => return (2, String::new(), format!("{path}: {e}\n")),
    };
    let library = match &args.library_path {
        Some(lib) => read(lib)
            .map_err(|e| format!("{lib}: {e}"))
            .and_then(|t| DrugLibrary::from_json(&t).map_err(|e| format!("{lib}: {e}"))),
        None => DrugLibrary::builtin().map_err(|e| e.to_string()),
    };
    let (library, catalogue) = match (library, Catalogue::builtin()) {
        (Ok(l), Ok(c)) => (l, c),
        (Err(e), _) => return (2, String::new(), format!("{e}\n")),
        (_, Err(e)) => return (2, String::new(), format!("{e}\n")),
    };
    // A patient record is reported by its plan in force, with its outcome log and markers.
    let record = match read_record(&plan_text, &catalogue, &library) {
        Ok(r) => r,
        Err(e) => return (1, String::new(), format!("{path}: {e}\n")),
    };
    let loaded = match &record {
        Some(r) => Ok(r.plan.clone()),
        None => load(&plan_text, &catalogue, &library).map(|l| l.plan),
    };
    let plan = match loaded {
        Ok(plan) => plan,
        Err(e) => return (1, String::new(), format!("{path}: {e}\n")),
    };
    let outcome = match evaluate(&plan, &catalogue, &library) {
        Ok(o) => o,
        Err(errors) => {
            let mut err = format!("{path}: the plan is invalid\n");
            for e in errors {
                let _ = writeln!(err, "  {e}");
            }
            return (1, String::new(), err);
        }
    };
    if args.command == "concentration" {
        let window = Window {
            days: crate::engine::Days::new(args.days).unwrap_or(crate::engine::Days::ZERO),
            step: args.step,
            scenario: args.scenario,
        };
        return match concentration_series(&plan, &outcome, &library, window) {
            Ok(csf) => {
                let section = csf_section(&csf);
                let mut err = String::new();
                for m in &section.missing {
                    let _ = writeln!(err, "{m}");
                }
                let _ = writeln!(err, "{}", section.caption);
                (0, crate::engine::to_csv(&csf), err)
            }
            Err(e) => (1, String::new(), format!("{path}: {e}\n")),
        };
    }
    let report = report::build(&outcome);
    let outcomes = record.as_ref().and_then(|r| {
        let thresholds = crate::engine::outcomes::Thresholds::builtin().ok()?;
        let history = crate::engine::outcomes::intrathecal_history(r, &catalogue, &library);
        Some(crate::engine::report::outcomes::rows(r, &history, &thresholds))
    });
    let out = match (args.text, outcomes) {
        (true, None) => text_report(&report, path),
        (true, Some(rows)) => {
            let mut out = text_report(&report, path);
            let _ = writeln!(out, "\nOutcomes (pain now, worst, systemic MME, intrathecal, markers)");
            for r in rows {
                let _ = writeln!(
                    out,
                    "  {}: pain {}, worst {}; MME {}; {}; {}",
                    r.at, r.pain_now, r.pain_worst, r.systemic_mme, r.intrathecal, r.markers
                );
            }
            out
        }
        (false, None) => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        (false, Some(rows)) => {
            let both = serde_json::json!({ "report": report, "outcomes": rows });
            serde_json::to_string_pretty(&both).unwrap_or_default() + "\n"
        }
    };
    (0, out, String::new())
}

/// The record a file holds, when it is a patient record (none: a plan file).
fn read_record(
    text: &str,
    catalogue: &Catalogue,
    library: &DrugLibrary,
) -> Result<Option<crate::engine::record::Record>, crate::engine::Error> {
    let format = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("format").and_then(|f| f.as_str().map(str::to_owned)));
    if format.as_deref() != Some(crate::engine::record::RECORD_FORMAT) {
        return Ok(None);
    }
    let at = jiff::civil::DateTime::default();
    crate::engine::record::import(text, "cli", at, catalogue, library).map(|o| Some(o.record))
}

fn section(out: &mut String, heading: &str, figures: &[Figure], width: Option<usize>) {
    if figures.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{heading}");
    for f in figures {
        match width {
            Some(width) => {
                let _ = writeln!(out, "  {:width$}  {}", f.name, f.display);
            }
            None => {
                let _ = writeln!(out, "  {}: {}", f.name, f.display);
            }
        }
    }
}

/// The report as a readable table: every section, as the app shows it.
pub fn text_report(report: &Report, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "itdose report: {title}");
    let _ = writeln!(out, "Pump: {}", report.pump);
    let _ = writeln!(out, "Status: {}", report.status.text);
    let width = report
        .figures
        .iter()
        .chain(report.drugs.iter().flat_map(|d| &d.figures))
        .map(|f| f.name.chars().count())
        .max()
        .unwrap_or(0);
    section(&mut out, "Results", &report.figures, Some(width));
    section(&mut out, "Current vs proposed", &report.comparison, None);
    section(&mut out, "Patient-bolus scenarios", &report.scenarios, None);
    section(
        &mut out,
        "Refill-by constraints (earliest binds)",
        &report.refill_constraints,
        None,
    );
    for note in &report.step_notes {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", note.text);
    }
    section(&mut out, "Refill visit", &report.reconciliation, None);
    section(&mut out, "Visit log", &report.visit_log, None);
    if let Some(trend) = &report.visit_trend {
        let _ = writeln!(out, "  Discrepancy trend: {trend}");
    }
    for drug in &report.drugs {
        section(&mut out, &drug.heading, &drug.figures, Some(width));
    }
    findings(&mut out, report);
    section(&mut out, "Compounding worksheet", &report.worksheet, None);
    if let Some(m) = &report.mri {
        section(&mut out, &m.title, &m.figures, None);
        for (i, c) in m.checklist.iter().enumerate() {
            let _ = writeln!(out, "  {}. {c}", i + 1);
        }
    }
    for note in &report.notes {
        let _ = writeln!(out);
        let _ = writeln!(out, "{note}");
    }
    out
}

fn findings(out: &mut String, report: &Report) {
    if report.findings.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Findings");
    for f in &report.findings {
        let severity = match f.severity {
            crate::engine::Severity::Hard => "HARD",
            crate::engine::Severity::Soft => "SOFT",
            crate::engine::Severity::Info => "INFO",
        };
        let _ = writeln!(out, "  [{severity}] {}", f.message);
        if let Some(source) = &f.source {
            let mark = f.mark.map(|m| format!(" ({})", m.letter())).unwrap_or_default();
            let _ = writeln!(out, "         source: {source}{mark}");
        }
        if let Some(ack) = &f.acknowledgement {
            let _ = writeln!(out, "         {ack}");
        } else if f.needs_acknowledgement {
            let _ = writeln!(out, "         NOT ACKNOWLEDGED");
        }
    }
}
