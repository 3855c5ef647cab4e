//! A patient record in words: the line in the list of records, and its history, one row per
//! confirmed session with what changed in it (the fill, the visit, the programme, the MRI).

use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::DrugLibrary;
use crate::engine::catalogue::pump::Catalogue;
use crate::engine::format::{Display as _, format_date_time};
use crate::engine::plan::model::Plan;
use crate::engine::record::Record;

/// What the list of records shows of one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordSummary {
    /// The name, else the identifier, else "Record without a name".
    pub title: String,
    /// The identifier (empty when none).
    pub identifier: String,
    /// The pump's name.
    pub pump: String,
    /// Each drug and its concentration: "MORPHINE 25 mg/mL".
    pub drugs: String,
    /// The last session, "Thu 3 Jun 2027, 09:36 (Refill visit)", or "no session".
    pub last: String,
    /// How many sessions the history holds.
    pub sessions: usize,
}

/// One row of the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// When it was confirmed.
    pub at: String,
    /// The workflow.
    pub workflow: String,
    /// What it recorded, one line each.
    pub lines: Vec<String>,
}

fn drug_name(library: &DrugLibrary, id: &str) -> String {
    library
        .get(id)
        .map_or_else(|| id.to_owned(), |d| d.display_name.clone())
}

/// The drugs of `plan` and their concentrations.
fn drugs(plan: &Plan, library: &DrugLibrary) -> String {
    plan.drugs
        .iter()
        .map(|d| match d.concentration {
            Some(c) => format!("{} {}", drug_name(library, &d.drug), c.ismp()),
            None => drug_name(library, &d.drug),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The list line of `record`.
pub fn summary(record: &Record, catalogue: &Catalogue, library: &DrugLibrary) -> RecordSummary {
    let name = record.patient.name.trim();
    let identifier = record.patient.identifier.trim();
    let title = if !name.is_empty() {
        name.to_owned()
    } else if !identifier.is_empty() {
        identifier.to_owned()
    } else {
        "Record without a name".to_owned()
    };
    RecordSummary {
        title,
        identifier: identifier.to_owned(),
        pump: catalogue
            .get(&record.plan.pump.model)
            .map_or_else(|| record.plan.pump.model.clone(), |p| p.name.clone()),
        drugs: drugs(&record.plan, library),
        last: record.history.last().map_or_else(
            || "no session".to_owned(),
            |e| format!("{} ({})", format_date_time(e.at), e.workflow),
        ),
        sessions: record.history.len(),
    }
}

/// The history, newest first: each session with the fill it started (when new), the visits it
/// logged, the rows its review changed, the acknowledgements it recorded and its MRI.
pub fn history(record: &Record, library: &DrugLibrary) -> Vec<HistoryRow> {
    let mut rows = Vec::with_capacity(record.history.len());
    let mut before: Option<&Plan> = None;
    for entry in &record.history {
        let plan = &entry.plan;
        let mut lines = Vec::new();
        if before.is_none_or(|b| b.fill != plan.fill) {
            lines.push(format!(
                "Fill: {} on {}, {}; low-reservoir alarm at {}",
                plan.fill.volume.ismp(),
                format_date_time(plan.fill.filled_at),
                drugs(plan, library),
                plan.fill.low_reservoir_alarm.ismp()
            ));
        }
        for visit in plan
            .visits
            .iter()
            .filter(|v| before.is_none_or(|b| !b.visits.contains(v)))
        {
            let mut line = format!(
                "Visit {}: {} withdrawn, {} expected, discrepancy {}{}",
                format_date_time(visit.at),
                visit.withdrawn.ismp(),
                visit.expected.ismp(),
                visit.discrepancy.ismp(),
                if visit.flagged { " (flagged)" } else { "" }
            );
            if let Some(injected) = visit.new_fill {
                line.push_str(&format!("; {} injected", injected.ismp()));
            }
            if let Some(confirmed) = visit.confirmed_after_refill {
                line.push_str(&format!(
                    "; {} confirmed in the reservoir after the refill",
                    confirmed.ismp()
                ));
            }
            if visit.after_refill_flagged {
                line.push_str(" (check after the refill flagged)");
            }
            lines.push(line);
        }
        if let Some(session) = plan.sessions.last().filter(|s| s.at == entry.at) {
            lines.extend(
                session
                    .changes
                    .iter()
                    .map(|c| format!("Changed: {}: {} \u{2192} {}", c.parameter, c.from, c.to)),
            );
            let new_acks = session
                .acknowledgements
                .iter()
                .filter(|a| before.is_none_or(|b| !b.acknowledgements.contains(a)))
                .count();
            if new_acks > 0 {
                lines.push(format!("Soft limits acknowledged: {new_acks}"));
            }
        }
        if let Some(mri) = plan
            .csf
            .mri
            .as_ref()
            .filter(|m| before.is_none_or(|b| b.csf.mri.as_ref() != Some(*m)))
        {
            lines.push(format!("MRI: {}, {}", format_date_time(mri.at), mri.duration.ismp()));
        }
        if lines.is_empty() {
            lines.push("No change recorded.".to_owned());
        }
        rows.push(HistoryRow {
            at: format_date_time(entry.at),
            workflow: entry.workflow.clone(),
            lines,
        });
        before = Some(plan);
    }
    rows.reverse();
    rows
}
