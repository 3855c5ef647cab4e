//! What a report shows, and the check that none of it is a non-number: shared by the properties of
//! `tests/no_panic.rs` (through `mod common`) and the generated-plan invariants of
//! `tests/common/check.rs` (the short and the long run, which include this file by its path).

use itdose::engine::report::Report;

/// Every text a report shows: figures of every section, messages, notes, the chart's words.
pub fn shown_text(report: &Report) -> Vec<String> {
    let figures = report
        .figures
        .iter()
        .chain(report.drugs.iter().flat_map(|d| &d.figures))
        .chain(&report.comparison)
        .chain(&report.scenarios)
        .chain(&report.refill_constraints)
        .chain(&report.reconciliation)
        .chain(&report.visit_log)
        .chain(&report.worksheet)
        .chain(report.mri.iter().flat_map(|m| &m.figures))
        .map(|f| format!("{}: {}", f.name, f.display));
    figures
        .chain(report.findings.iter().map(|f| f.message.clone()))
        .chain(report.step_notes.iter().map(|n| n.text.clone()))
        .chain(report.mri.iter().flat_map(|m| m.checklist.clone()))
        .chain(std::iter::once(report.reservoir_chart.description.clone()))
        .chain(report.reservoir_chart.markers.iter().map(|m| m.label.clone()))
        .collect()
}

/// No "NaN", no "not a number", and no "inf" or "infinity" as a word in any case (a figure's name
/// may say "information").
pub fn finite_text(text: &str) -> bool {
    !text.contains("NaN")
        && !text.contains("not a number")
        && !text
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.eq_ignore_ascii_case("inf") || w.eq_ignore_ascii_case("infinity"))
}
