//! An MRI scan: a SynchroMed II's rotor stalls for the scan and restarts up to 24 hours late; a
//! Prometra must be emptied before it. The schedule gets the pause; the outcome says what to do.

use jiff::civil::DateTime;

use crate::engine::catalogue::pump::{MriKind, PumpModel};
use crate::engine::error::{Error, Field, Location, Problem};
use crate::engine::plan::model::MriScan;
use crate::engine::plan::outcome::MriOutcome;
use crate::engine::quantities::format::format_date_time;
use crate::engine::quantities::time::after;
use crate::engine::quantities::units::Days;
use crate::engine::reservoir::schedule::{PatientUse, Pause, ScenarioProjection, Schedule};

/// A scan before the fill cannot be planned on this fill.
///
/// # Errors
/// At the MRI's date.
pub fn check_scan(scan: &MriScan, filled_at: DateTime) -> Result<(), Error> {
    if scan.at < filled_at {
        return Err(Error::new(
            Field::Date,
            Problem::Invalid {
                detail: format!(
                    "the MRI ({}) is before the fill ({})",
                    format_date_time(scan.at),
                    format_date_time(filled_at)
                ),
            },
        )
        .located(Location::Mri));
    }
    let hours = scan.duration.value();
    let end = Days::new(hours / 24.0).ok().and_then(|d| after(scan.at, d).ok());
    if end.is_none() {
        return Err(Error::new(
            Field::Duration,
            Problem::Invalid {
                detail: format!(
                    "{} h would end the scan beyond the calendar",
                    crate::engine::quantities::format::format_number(hours)
                ),
            },
        )
        .located(Location::Mri));
    }
    Ok(())
}

fn scan_end(scan: &MriScan) -> DateTime {
    after(scan.at, Days::new(scan.duration.value() / 24.0).unwrap_or(Days::ZERO)).unwrap_or(scan.at)
}

/// Adds the MRI pause to the schedule: the scan itself for a pump that stalls (restart at the
/// scan's end; the 24-hour-late restart is returned separately for the band), nothing for a pump
/// that is emptied (the outcome says so instead).
pub fn with_pause(mut schedule: Schedule, scan: Option<&MriScan>, kind: Option<MriKind>) -> (Schedule, Option<Pause>) {
    let Some(scan) = scan else { return (schedule, None) };
    let end = scan_end(scan);
    match kind {
        Some(MriKind::StallRestartDelay) => {
            schedule.pauses.push(Pause { from: scan.at, to: end });
            let latest = after(end, Days::new(1.0).unwrap_or(Days::ZERO)).unwrap_or(end);
            (
                schedule,
                Some(Pause {
                    from: scan.at,
                    to: latest,
                }),
            )
        }
        _ => (schedule, None),
    }
}

/// What the fill's projection needs for the late-restart band.
pub struct Projecting<'a> {
    /// The schedule with the scan's pause.
    pub schedule: &'a Schedule,
    /// The pause up to the latest restart.
    pub latest: Option<&'a Pause>,
    /// Fill volume, alarm, refill-rule volume.
    pub volumes: (
        crate::engine::Millilitres,
        crate::engine::Millilitres,
        crate::engine::Millilitres,
    ),
    /// When filled.
    pub filled_at: DateTime,
    /// Flow accuracy, ± percent.
    pub accuracy: Option<f64>,
}

/// What a scan does to this fill: the interruption and its late-restart band (stall), or the
/// volume and drug to remove (emptied), with the pump's conditions from the catalogue.
///
/// # Errors
/// A projection that fails (past year 9999).
pub fn outcome(
    scan: &MriScan,
    model: &PumpModel,
    p: &Projecting<'_>,
    nominal: &ScenarioProjection,
    drugs: &[(String, crate::engine::AnyConcentration)],
) -> Result<MriOutcome, Error> {
    let mut out = MriOutcome {
        from: scan.at,
        to: scan_end(scan),
        kind: model.mri_kind,
        restart_latest: None,
        empty_if_late: None,
        removed: None,
        removed_drug: Vec::new(),
        conditions: model.mri_conditions.as_ref().map(|c| c.value.clone()),
        emergency: model.emergency_mri.as_ref().map(|c| c.value.clone()),
        baclofen: drugs.iter().any(|(id, _)| id == "baclofen"),
    };
    match model.mri_kind {
        Some(MriKind::StallRestartDelay) => {
            if let Some(latest) = p.latest {
                let mut late = p.schedule.clone();
                late.pauses = vec![latest.clone()];
                let (fill, alarm, refill) = p.volumes;
                let projection = late.project(fill, p.filled_at, alarm, refill, PatientUse::None, p.accuracy)?;
                out.restart_latest = Some(latest.to);
                out.empty_if_late = Some(projection.empty_at);
            }
        }
        Some(MriKind::EmptyBefore) => {
            let days = p.filled_at.duration_until(scan.at).as_secs_f64() / 86_400.0;
            let removed = nominal.volume_at(days);
            out.removed_drug = drugs.iter().map(|(id, c)| (id.clone(), c.amount_in(removed))).collect();
            out.removed = Some(removed);
        }
        None => {}
    }
    Ok(out)
}
