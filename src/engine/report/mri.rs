//! The MRI in words: the interruption or the emptying, and the checklist, from the pump's labelling
//! as the catalogue holds it.

use super::{Figure, MriSection};
use crate::engine::catalogue::pump::MriKind;
use crate::engine::format::{Display as _, format_date_time};
use crate::engine::plan::outcome::Outcome;

pub(super) fn section(outcome: &Outcome) -> Option<MriSection> {
    let m = outcome.mri.as_ref()?;
    let mut figures = vec![Figure::text(
        "No delivery",
        format!(
            "{} to {}{}",
            format_date_time(m.from),
            format_date_time(m.to),
            m.restart_latest
                .map(|l| format!(" (restart possibly as late as {})", format_date_time(l)))
                .unwrap_or_default()
        ),
    )];
    if let Some(e) = m.empty_if_late {
        figures.push(Figure::text(
            "Empty date if the restart is 24 h late",
            format_date_time(e),
        ));
    }
    if let Some(v) = m.removed {
        let drugs: Vec<String> = m
            .removed_drug
            .iter()
            .map(|(id, amount)| {
                let name = outcome
                    .drugs
                    .iter()
                    .find(|d| d.id == *id)
                    .map_or(id.as_str(), |d| d.display_name.as_str());
                format!("{name} {}", amount.ismp())
            })
            .collect();
        figures.push(Figure::text(
            "Removed before the scan",
            format!("aspirate until empty: about {} ({})", v.ismp(), drugs.join(", ")),
        ));
    }
    let mut checklist: Vec<String> = m.conditions.iter().cloned().collect();
    match m.kind {
        Some(MriKind::StallRestartDelay) => checklist.extend([
            "The MRI field stalls the pump's rotor: no drug is delivered during the scan.".to_owned(),
            "Do not program \u{201c}stopped pump\u{201d} before the scan (Medtronic).".into(),
            "Interrogate the pump after the scan to confirm it has restarted; restart delays of 2 to 24 hours have been reported.".into(),
            "Check the event log for the stall and recovery; they may appear only after a second interrogation.".into(),
            "A pump that is alarming when the scan forces it into telemetry mode does not resume until it is interrogated: clear alarms before the scan.".into(),
            "Watch for withdrawal during the interruption.".into(),
        ]),
        Some(MriKind::EmptyBefore) => {
            checklist.push(format!(
                "Empty the pump before the scan: aspirate until it is empty (about {} expected); the field can open both valves and dump the reservoir and catheter contents.",
                m.removed.map(|v| v.ismp()).unwrap_or_default()
            ));
            checklist.extend(m.emergency.iter().cloned());
            checklist.extend([
                "Refill after the scan and confirm delivery has resumed.".to_owned(),
                "Plan for the interruption of therapy (withdrawal).".into(),
            ]);
        }
        None => checklist.push("The catalogue has no MRI behaviour for this pump: follow its labelling.".into()),
    }
    if m.baclofen {
        checklist.push(
            "Baclofen: an interruption risks withdrawal (boxed warning); the patient is at higher risk from the scan."
                .into(),
        );
    }
    Some(MriSection {
        title: format!("MRI {}", format_date_time(m.from)),
        figures,
        checklist,
    })
}
