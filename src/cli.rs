//! The native `itdose` command, on the same engine as the app. File reading is passed in, so the
//! whole command is testable without touching the disk.
//!
//! ```text
//! itdose report PLAN.json [--text] [--library LIBRARY.json]
//! ```
//! Prints the computed report as JSON (or a readable table with `--text`). Exit status: 0 when a
//! report was produced (its `status` says whether the plan is valid), 1 when the plan is invalid
//! (the message names the field), 2 for a usage error or an unreadable file.

use std::fmt::Write as _;

use crate::engine::{Catalogue, DrugLibrary, Plan, Report, Severity, evaluate};

const USAGE: &str = "usage: itdose report PLAN.json [--text] [--library LIBRARY.json]\n       itdose concentration PLAN.json [--days N] [--step 1m|5m|1h|...] [--scenario none|typical|all] [--library LIBRARY.json]\n";

/// "1m", "90s"? No: minutes or hours, e.g. "1m", "15m", "1h", "0.5h".
fn parse_step(text: &str) -> Option<crate::engine::Hours> {
    let (number, unit) = text.split_at(text.len().checked_sub(1)?);
    let value: f64 = number.parse().ok()?;
    let hours = match unit {
        "m" => value / 60.0,
        "h" => value,
        _ => return None,
    };
    crate::engine::Hours::new(hours).ok().filter(|h| h.value() > 0.0)
}

/// Runs the command. Returns (exit code, standard output, standard error).
pub fn run(args: &[String], read: impl Fn(&str) -> Result<String, String>) -> (u8, String, String) {
    let mut text = false;
    let mut days = 30.0;
    let mut step = "1m".to_owned();
    let mut scenario = None;
    let mut library_path = None;
    let mut positional = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--text" => text = true,
            "--days" => match iter.next().and_then(|d| d.parse::<f64>().ok()) {
                Some(d) if d > 0.0 && d.is_finite() => days = d,
                _ => return (2, String::new(), format!("--days needs a positive number\n{USAGE}")),
            },
            "--scenario" => match iter.next().map(String::as_str) {
                Some("none") => scenario = Some(crate::engine::PatientUse::None),
                Some("all") => scenario = Some(crate::engine::PatientUse::AllAllowed),
                Some("typical") => scenario = None,
                _ => {
                    return (
                        2,
                        String::new(),
                        format!("--scenario needs none, typical or all\n{USAGE}"),
                    );
                }
            },
            "--step" => match iter.next() {
                Some(s) => step = s.clone(),
                None => {
                    return (
                        2,
                        String::new(),
                        format!("--step needs a value such as 1m or 1h\n{USAGE}"),
                    );
                }
            },
            "--library" => match iter.next() {
                Some(path) => library_path = Some(path.clone()),
                None => return (2, String::new(), format!("--library needs a file\n{USAGE}")),
            },
            "-h" | "--help" => return (0, USAGE.to_owned(), String::new()),
            other if other.starts_with('-') => {
                return (2, String::new(), format!("unknown option {other}\n{USAGE}"));
            }
            other => positional.push(other.to_owned()),
        }
    }
    let [command, plan_path] = positional.as_slice() else {
        return (2, String::new(), USAGE.to_owned());
    };
    if command != "report" && command != "concentration" {
        return (2, String::new(), format!("unknown command {command}\n{USAGE}"));
    }
    let Some(step_hours) = parse_step(&step) else {
        return (
            2,
            String::new(),
            format!("--step {step}: use minutes or hours, e.g. 1m, 15m, 1h\n{USAGE}"),
        );
    };
    let plan_text = match read(plan_path) {
        Ok(t) => t,
        Err(e) => return (2, String::new(), format!("{plan_path}: {e}\n")),
    };
    let library = match &library_path {
        Some(path) => match read(path)
            .map_err(|e| format!("{path}: {e}"))
            .and_then(|t| DrugLibrary::from_json(&t).map_err(|e| format!("{path}: {e}")))
        {
            Ok(l) => l,
            Err(e) => return (2, String::new(), format!("{e}\n")),
        },
        None => match DrugLibrary::builtin() {
            Ok(l) => l,
            Err(e) => return (2, String::new(), format!("{e}\n")),
        },
    };
    let catalogue = match Catalogue::builtin() {
        Ok(c) => c,
        Err(e) => return (2, String::new(), format!("{e}\n")),
    };
    let plan = match Plan::from_json(&plan_text) {
        Ok(p) => p,
        Err(e) => return (1, String::new(), format!("{plan_path}: {e}\n")),
    };
    match evaluate(&plan, &catalogue, &library) {
        Ok(report) if command == "concentration" => {
            let window = crate::engine::Days::new(days).unwrap_or(crate::engine::Days::ZERO);
            match crate::engine::concentration_series_for(&plan, &report, &library, window, step_hours, scenario) {
                Ok(csf) => {
                    let mut err = String::new();
                    for m in &csf.missing {
                        let _ = writeln!(err, "not modelled: {m}");
                    }
                    let _ = writeln!(err, "{}", csf.caption);
                    (0, crate::engine::to_csv(&csf), err)
                }
                Err(e) => (1, String::new(), format!("{plan_path}: {e}\n")),
            }
        }
        Ok(report) => {
            let out = if text {
                text_report(&report, plan_path)
            } else {
                serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
            };
            (0, out, String::new())
        }
        Err(errors) => {
            let mut err = format!("{plan_path}: the plan is invalid\n");
            for e in errors {
                let _ = writeln!(err, "  {e}");
            }
            (1, String::new(), err)
        }
    }
}

/// The report as a readable table, ISMP-formatted.
pub fn text_report(report: &Report, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "itdose report: {title}");
    let _ = writeln!(out, "Pump: {}", report.pump);
    let _ = writeln!(out, "Status: {}", report.status.describe());
    let _ = writeln!(out);
    let width = report
        .figures
        .iter()
        .chain(report.drugs.iter().flat_map(|d| &d.figures))
        .map(|f| f.name.chars().count())
        .max()
        .unwrap_or(0);
    for f in &report.figures {
        let _ = writeln!(out, "  {:width$}  {}", f.name, f.display);
    }
    if !report.comparison.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Current vs proposed");
        for f in &report.comparison {
            let _ = writeln!(out, "  {}: {}", f.name, f.display);
        }
    }
    if !report.scenario_figures.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Patient-bolus scenarios");
        for f in &report.scenario_figures {
            let _ = writeln!(out, "  {}: {}", f.name, f.display);
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Refill-by constraints (earliest binds)");
    for c in &report.refill_by.candidates {
        let _ = writeln!(out, "  {}  {}", crate::engine::format::format_date_time(c.at), c.reason);
    }
    for note in &report.step_notes {
        let _ = writeln!(out);
        let _ = writeln!(out, "Flex step {}: {}", note.step + 1, note.message);
    }
    if let Some(r) = &report.reconciliation {
        use crate::engine::format::Display as _;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Refill visit {}: withdrawn {}, expected {}, discrepancy {} (threshold {}){}",
            crate::engine::format::format_date_time(r.visit.at),
            r.visit.withdrawn.ismp(),
            r.expected.ismp(),
            r.discrepancy.ismp(),
            r.threshold.ismp(),
            if r.flagged { ": FLAGGED" } else { ": within threshold" }
        );
        let _ = writeln!(out, "  expected from {}", r.basis.describe());
        if let Some(a) = &r.after_refill {
            let _ = writeln!(
                out,
                "  after the refill: {} confirmed, {} expected, discrepancy {} (threshold {}){}",
                a.confirmed.ismp(),
                a.expected.ismp(),
                a.discrepancy.ismp(),
                a.threshold.ismp(),
                if a.flagged { ": FLAGGED" } else { ": within threshold" }
            );
        }
    }
    if let Some(trend) = &report.visit_trend {
        let _ = writeln!(out, "Discrepancy trend over logged visits: {trend}");
    }
    for drug in &report.drugs {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}{}",
            drug.display_name,
            if drug.lead { " (lead drug)" } else { "" }
        );
        for f in &drug.figures {
            let _ = writeln!(out, "  {:width$}  {}", f.name, f.display);
        }
    }
    if !report.findings.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Findings");
        for f in &report.findings {
            let severity = match f.severity {
                Severity::Hard => "HARD",
                Severity::Soft => "SOFT",
                Severity::Info => "INFO",
            };
            let _ = writeln!(out, "  [{severity}] {}", f.message);
            if let Some(source) = &f.source {
                let mark = f.mark.map(|m| format!(" ({})", m.letter())).unwrap_or_default();
                let _ = writeln!(out, "         source: {source}{mark}");
            }
            if let Some(ack) = &f.acknowledged {
                let _ = writeln!(
                    out,
                    "         acknowledged {}: {}",
                    crate::engine::format::format_date_time(ack.at),
                    ack.reason
                );
            } else if f.severity == Severity::Soft {
                let _ = writeln!(out, "         NOT ACKNOWLEDGED");
            }
        }
    }
    if let Some(w) = &report.compounding {
        use crate::engine::format::Display as _;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Compounding worksheet: {} total ({} fill + {} to prime the refill kit)",
            w.total_volume.ismp(),
            w.fill_volume.ismp(),
            w.extra_volume.ismp()
        );
        for l in &w.lines {
            let _ = writeln!(
                out,
                "  {}: {} of {} stock (target {}; {} in total)",
                l.drug,
                l.stock_volume.ismp(),
                l.stock.ismp(),
                l.target.ismp(),
                l.amount.ismp()
            );
        }
        let _ = writeln!(out, "  diluent: {}", w.diluent_volume.ismp());
    }
    if let Some(r) = &report.rinse {
        use crate::engine::format::Display as _;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Rinse before the first fill of the new pump: {} \u{d7} {} of {} {} ({} in all, {})",
            r.times,
            r.each.ismp(),
            r.drug,
            r.concentration.ismp(),
            r.total.ismp(),
            r.amount.ismp()
        );
        let _ = writeln!(out, "  source: {} ({})", r.source, r.mark.letter());
    }
    out
}
