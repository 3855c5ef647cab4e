//! Outcome tracking across visits: per visit the pain score (now and worst, 0 to 10), the systemic
//! opioids (MME, mg/day), side effects; and the markers the seed studies report, with their
//! thresholds as sourced data (`data/outcomes.json`): mild pain, severe pain, a responder (pain at
//! least a given percent below the baseline, the first visit with a score), and systemic opioids
//! stopped. Scores are compared in tenths, so 8 → 6.4 is exactly 20 % below (no floating-point
//! edge).

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::DrugLibrary;
use crate::engine::catalogue::pump::Catalogue;
use crate::engine::convert::SourcedValue;
use crate::engine::error::{Error, Field, Problem};
use crate::engine::plan::evaluate::evaluate;
use crate::engine::quantities::dose::AnyDoseRate;
use crate::engine::quantities::format::with_unit;
use crate::engine::record::Record;

const BUILTIN: &str = include_str!("../../data/outcomes.json");
/// At most this systemic MME, mg/day (our design: a typing error beyond).
pub const MAX_MME: f64 = 100_000.0;

/// The markers' thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// "itdose-outcomes".
    pub format: String,
    /// 1.
    pub version: u32,
    /// Pain below this is mild.
    pub mild_below: SourcedValue,
    /// Pain at or above this is severe.
    pub severe_from: SourcedValue,
    /// A responder's pain is at least this percent below the baseline.
    pub responder_percent: SourcedValue,
}

impl Thresholds {
    /// The built-in thresholds.
    ///
    /// # Errors
    /// At the outcome thresholds when the data is invalid (a test guarantees it is not).
    pub fn builtin() -> Result<Self, Error> {
        serde_json::from_str(BUILTIN).map_err(|e| Error::invalid(Field::OutcomeThresholds, e.to_string()))
    }
}

/// One visit's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeEntry {
    /// When.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// Pain now, 0 to 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pain_now: Option<f64>,
    /// Worst pain since the last visit, 0 to 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pain_worst: Option<f64>,
    /// Systemic opioids, MME in mg/day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub systemic_mme: Option<f64>,
    /// Side effects, as the clinician writes them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub side_effects: String,
}

fn score(field: Field, value: Option<f64>) -> Result<(), Error> {
    let Some(v) = value else { return Ok(()) };
    if !v.is_finite() {
        return Err(Error::new(field, Problem::NotFinite));
    }
    if v < 0.0 {
        return Err(Error::new(field, Problem::Negative));
    }
    if v > 10.0 {
        return Err(Error::above(
            field,
            with_unit(v, "of 10"),
            with_unit(10.0, "of 10"),
            "the top of the scale",
        ));
    }
    if ((v * 10.0).round() - v * 10.0).abs() > 1e-6 {
        return Err(Error::invalid(
            field,
            "give the score to one decimal at most (6.4, not 6.44)",
        ));
    }
    Ok(())
}

impl OutcomeEntry {
    /// Checks the scores (0 to 10) and the MME (0 to [`MAX_MME`] mg/day).
    ///
    /// # Errors
    /// Every problem, each at its field.
    pub fn validate(&self) -> Result<(), Vec<Error>> {
        let mut errors: Vec<Error> = [
            score(Field::PainNow, self.pain_now),
            score(Field::PainWorst, self.pain_worst),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect();
        if let Some(m) = self.systemic_mme {
            if !m.is_finite() {
                errors.push(Error::new(Field::SystemicMme, Problem::NotFinite));
            } else if m < 0.0 {
                errors.push(Error::new(Field::SystemicMme, Problem::Negative));
            } else if m > MAX_MME {
                errors.push(Error::above(
                    Field::SystemicMme,
                    with_unit(m, "mg/day"),
                    with_unit(MAX_MME, "mg/day"),
                    "the largest MME accepted (check the unit)",
                ));
            }
        }
        if self.pain_now.is_none()
            && self.pain_worst.is_none()
            && self.systemic_mme.is_none()
            && self.side_effects.trim().is_empty()
        {
            errors.push(Error::invalid(
                Field::PainNow,
                "enter at least a score, the MME or the side effects",
            ));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// A visit's markers (none: not enough to say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Markers {
    /// Pain now below the mild threshold.
    pub mild: Option<bool>,
    /// Pain now at or above the severe threshold.
    pub severe: Option<bool>,
    /// Pain now at least the responder percent below the baseline's.
    pub responder: Option<bool>,
    /// Systemic opioids at 0 MME.
    pub opioids_stopped: Option<bool>,
}

/// Tenths of a score or percentage, as a whole number: 6.4 → 64 (none outside 0 to 100: an entry
/// that was never validated gives no marker rather than a wrong one).
fn tenths(v: f64) -> Option<i64> {
    (v.is_finite() && (0.0..=100.0).contains(&v)).then(|| (v * 10.0).round() as i64)
}

/// The markers of `entry` against `baseline` (the first visit with a pain score).
pub fn markers(entry: &OutcomeEntry, baseline: Option<&OutcomeEntry>, t: &Thresholds) -> Markers {
    let now = entry.pain_now.and_then(tenths);
    let base = baseline.and_then(|b| b.pain_now).and_then(tenths);
    let (Some(mild), Some(severe), Some(percent)) = (
        tenths(t.mild_below.value),
        tenths(t.severe_from.value),
        tenths(t.responder_percent.value),
    ) else {
        return Markers::default();
    };
    Markers {
        mild: now.map(|n| n < mild),
        severe: now.map(|n| n >= severe),
        responder: match (now, base) {
            // (base - now) / base ≥ p / 100, in whole tenths: (base - now) × 1,000 ≥ (10 p) × base.
            (Some(n), Some(b)) if b > 0 => Some((b - n) * 1_000 >= percent * b),
            _ => None,
        },
        opioids_stopped: entry.systemic_mme.map(|m| m <= 0.0),
    }
}

/// The baseline of a list of entries: the first (by date) with a pain score now.
pub fn baseline(entries: &[OutcomeEntry]) -> Option<&OutcomeEntry> {
    entries.iter().filter(|e| e.pain_now.is_some()).min_by_key(|e| e.at)
}

/// One drug's intrathecal daily dose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntrathecalDose {
    /// Library id.
    pub drug: String,
    /// Tall Man name.
    pub display_name: String,
    /// The basal daily dose (the heaviest 24 hours of a flex cycle), boluses apart; none when the
    /// session's plan no longer evaluates and the plan declares no dose for this drug.
    pub daily: Option<AnyDoseRate>,
}

/// The intrathecal doses in force from a confirmed session on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DosesFrom {
    /// When the session was confirmed.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// Every drug's basal daily dose as the plan evaluates (when it no longer evaluates, e.g. under
    /// another library, the doses the plan declares, and none for a drug it declares none for).
    pub doses: Vec<IntrathecalDose>,
    /// Whether the doses are evaluated (false: declared only).
    pub evaluated: bool,
}

/// The intrathecal daily dose of every drug in force from each confirmed session of `record`,
/// oldest first: each session's plan evaluated against `catalogue` and `library`.
pub fn intrathecal_history(record: &Record, catalogue: &Catalogue, library: &DrugLibrary) -> Vec<DosesFrom> {
    let mut entries: Vec<&crate::engine::record::Entry> = record.history.iter().collect();
    entries.sort_by_key(|h| h.at);
    entries
        .into_iter()
        .map(|h| match evaluate(&h.plan, catalogue, library) {
            Ok(outcome) => DosesFrom {
                at: h.at,
                doses: outcome
                    .drugs
                    .iter()
                    .map(|d| IntrathecalDose {
                        drug: d.id.clone(),
                        display_name: d.display_name.clone(),
                        daily: Some(d.daily_dose),
                    })
                    .collect(),
                evaluated: true,
            },
            Err(_) => DosesFrom {
                at: h.at,
                doses: h
                    .plan
                    .drugs
                    .iter()
                    .map(|line| IntrathecalDose {
                        drug: line.drug.clone(),
                        display_name: library
                            .get(&line.drug)
                            .map_or_else(|| line.drug.clone(), |e| e.display_name.clone()),
                        daily: line.daily_dose,
                    })
                    .collect(),
                evaluated: false,
            },
        })
        .collect()
}

/// The doses in force at `at`: from the last session confirmed at or before it (none: before the
/// record's first session).
pub fn doses_at(history: &[DosesFrom], at: DateTime) -> Option<&DosesFrom> {
    history.iter().rev().find(|d| d.at <= at)
}

/// The entries oldest first, with the baseline (the first with a pain score now).
pub fn by_date(entries: &[OutcomeEntry]) -> (Vec<&OutcomeEntry>, Option<&OutcomeEntry>) {
    let mut sorted: Vec<&OutcomeEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.at);
    let base = sorted.iter().copied().find(|e| e.pain_now.is_some());
    (sorted, base)
}
