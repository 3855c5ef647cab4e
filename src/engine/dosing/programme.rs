//! The programme: one to four drugs in one reservoir, delivered together.
//!
//! - lead dose: rate (mL/day) = lead daily dose ÷ lead concentration; every other drug's dose =
//!   rate × its concentration
//! - rate: every drug's dose = rate × its concentration
//! - constant flow: every drug's concentration = its target dose ÷ the pump's fixed rate
//! - flex: the lead drug's dose in steps; each step's rate = its dose ÷ the lead concentration
//!
//! And the pump's own limits: the fill (with the residual) within the capacity, the alarm below the
//! fill, every rate within the pump's range (a verified bound is an error, an unverified one a
//! caution), the alarm against the recommended volume.

use crate::engine::catalogue::library::{DrugEntry, DrugLibrary, Severity};
use crate::engine::catalogue::pump::{Mark, PumpSpec, Sourced};
use crate::engine::dosing::limits::found;
use crate::engine::error::{Error, Field, Location, Problem};
use crate::engine::format::{Display as _, format_number, with_unit};
use crate::engine::plan::findings::{Finding, FindingKey, FindingKind, Origin};
use crate::engine::plan::model::{MAX_DRUGS, Plan, Programme};
use crate::engine::quantities::dose::{AnyConcentration, AnyDoseRate};
use crate::engine::quantities::parse::parse_time;
use crate::engine::quantities::units::{MassFamily, Millilitres, MlPerDay};
use crate::engine::reservoir::schedule::{Basal, FlexStep};

fn wrong_family(drug: &DrugEntry, index: usize, field: Field, suffix: &str, found: MassFamily) -> Error {
    Error::new(
        field,
        Problem::WrongFamily {
            drug: drug.display_name.clone(),
            expected: format!("{}{suffix}", drug.family.symbol()),
            found: format!("{}{suffix}", found.symbol()),
        },
    )
    .for_drug(index)
}

/// Each line's library entry, with every unknown drug, repeated drug and wrong unit family.
///
/// # Errors
/// At each line: a drug not in the library, a drug twice, a value in the other unit family (mg for
/// a mcg drug: never converted).
pub fn library_entries<'a>(plan: &Plan, library: &'a DrugLibrary) -> Result<Vec<&'a DrugEntry>, Vec<Error>> {
    if plan.drugs.is_empty() || plan.drugs.len() > MAX_DRUGS {
        return Err(vec![Error::invalid(
            Field::Drugs,
            format!("{} drugs given; a reservoir holds 1 to {MAX_DRUGS}", plan.drugs.len()),
        )]);
    }
    let mut errors = Vec::new();
    let mut entries = Vec::with_capacity(plan.drugs.len());
    for (i, line) in plan.drugs.iter().enumerate() {
        let Some(entry) = library.get(&line.drug) else {
            let detail = format!("\u{201c}{}\u{201d} is not in the drug library", line.drug);
            errors.push(Error::invalid(Field::Drug, detail).for_drug(i));
            continue;
        };
        if plan.drugs.iter().take(i).any(|other| other.drug == line.drug) {
            let detail = format!("{} is already in the reservoir", entry.display_name);
            errors.push(Error::invalid(Field::Drug, detail).for_drug(i));
        }
        if let Some(condition) = line
            .condition
            .as_deref()
            .filter(|c| !entry.conditions.iter().any(|k| k == c))
        {
            let detail = if entry.conditions.is_empty() {
                format!(
                    "\u{201c}{condition}\u{201d}: the library's rules for {} do not differ by condition",
                    entry.display_name
                )
            } else {
                format!(
                    "\u{201c}{condition}\u{201d} is not one of the conditions the library names for {} ({})",
                    entry.display_name,
                    entry.conditions.join("; ")
                )
            };
            errors.push(Error::invalid(Field::Condition, detail).for_drug(i));
        }
        let previous = plan.csf.previous.iter().find(|p| p.drug == line.drug);
        let current = plan.current_programme.iter().find(|c| c.drug == line.drug);
        let families = [
            (
                Field::Concentration,
                "/mL",
                line.concentration.map(AnyConcentration::family),
            ),
            (Field::DailyDose, "/day", line.daily_dose.map(AnyDoseRate::family)),
            (Field::StockStrength, "/mL", line.stock.map(AnyConcentration::family)),
            (Field::Previous, "/mL", previous.map(|p| p.concentration.family())),
            (Field::Schedule, "/day", current.map(|c| c.daily_maximum.family())),
        ];
        for (field, suffix, family) in families {
            if let Some(found) = family.filter(|f| *f != entry.family) {
                errors.push(wrong_family(entry, i, field, suffix, found));
            }
        }
        entries.push(entry);
    }
    // A CSF model or a previous concentration for a drug not in the reservoir would be ignored:
    // refused instead, naming the drug.
    let named = plan.csf.models.iter().map(|m| (&m.drug, "a CSF model")).chain(
        plan.csf
            .previous
            .iter()
            .map(|p| (&p.drug, "a concentration being replaced")),
    );
    for (drug, what) in named {
        if !plan.drugs.iter().any(|l| l.drug == *drug) {
            errors.push(Error::invalid(
                Field::Pk,
                format!("{what} is given for \u{201c}{drug}\u{201d}, which is not in the reservoir"),
            ));
        }
    }
    if errors.is_empty() { Ok(entries) } else { Err(errors) }
}

/// Every line's concentration, or an error at each line that lacks one.
fn concentrations(plan: &Plan, errors: &mut Vec<Error>) -> Vec<AnyConcentration> {
    let mut out = Vec::with_capacity(plan.drugs.len());
    for (i, line) in plan.drugs.iter().enumerate() {
        match line.concentration {
            Some(c) if c.value() == 0.0 => errors.push(Error::new(Field::Concentration, Problem::Zero).for_drug(i)),
            Some(c) => out.push(c),
            None => errors.push(Error::new(Field::Concentration, Problem::Missing).for_drug(i)),
        }
    }
    out
}

/// A line's target daily dose, or an error at that line.
fn target_dose(plan: &Plan, index: usize, errors: &mut Vec<Error>) -> Option<AnyDoseRate> {
    match plan.drugs.get(index).and_then(|l| l.daily_dose) {
        Some(d) if d.value() == 0.0 => {
            errors.push(Error::new(Field::DailyDose, Problem::Zero).for_drug(index));
            None
        }
        Some(d) => Some(d),
        None => {
            errors.push(Error::new(Field::DailyDose, Problem::Missing).for_drug(index));
            None
        }
    }
}

fn all_or_errors<T>(value: T, errors: Vec<Error>) -> Result<T, Vec<Error>> {
    if errors.is_empty() { Ok(value) } else { Err(errors) }
}

/// The basal (continuous or flex) and each drug's concentration, by programme mode.
///
/// # Errors
/// Every missing or zero concentration or dose, a programme the pump cannot run, and each flex
/// step whose time or dose is invalid (at its step).
pub fn solve(
    plan: &Plan,
    pump: &PumpSpec,
    entries: &[&DrugEntry],
) -> Result<(Basal, Vec<AnyConcentration>), Vec<Error>> {
    let (rate, concentrations) = solve_rate(plan, pump, entries)?;
    let Some(flex) = &plan.flex else {
        let rate = rate.unwrap_or(MlPerDay::ZERO);
        return Ok((Basal::Continuous { rate }, concentrations));
    };
    let Programme::LeadDose { lead } = plan.programme else {
        return Err(vec![Error::invalid(
            Field::Programme,
            "flex steps are set as the lead drug's dose: choose a lead-dose programme",
        )]);
    };
    let (Some(lead_concentration), Some(entry)) = (concentrations.get(lead), entries.get(lead)) else {
        return Err(vec![Error::invalid(
            Field::LeadDrug,
            format!("line {} does not exist", lead.saturating_add(1)),
        )]);
    };
    let mut errors = Vec::new();
    let mut steps = Vec::with_capacity(flex.steps.len());
    for (i, step) in flex.steps.iter().enumerate() {
        let at = Location::FlexStep(i);
        let start = parse_time(Field::Start, &step.start).map_err(|e| e.located(at));
        let rate = lead_concentration
            .rate_for(step.daily_dose)
            .map_err(|m| wrong_family(entry, lead, Field::Dose, "/day", m.found).located(at));
        match (start, rate) {
            (Ok(start), Ok(Some(rate))) => steps.push(FlexStep {
                day: step.day,
                start,
                rate,
            }),
            (Err(e), _) | (_, Err(e)) => errors.push(e),
            (_, Ok(None)) => errors.push(Error::invalid(Field::Dose, "the dose cannot be computed").located(at)),
        }
    }
    all_or_errors(
        (
            Basal::Flex {
                cycle: flex.cycle,
                steps,
            },
            concentrations,
        ),
        errors,
    )
}

/// The continuous rate (absent for a flex programme) and each drug's concentration.
fn solve_rate(
    plan: &Plan,
    pump: &PumpSpec,
    entries: &[&DrugEntry],
) -> Result<(Option<MlPerDay>, Vec<AnyConcentration>), Vec<Error>> {
    let mut errors = Vec::new();
    match (&plan.programme, pump.fixed_rate) {
        (Programme::ConstantFlow, Some(rate)) => {
            // concentration = target dose ÷ fixed rate, per drug
            let mut out = Vec::with_capacity(entries.len());
            for (i, entry) in entries.iter().enumerate() {
                if let Some(dose) = target_dose(plan, i, &mut errors) {
                    match dose.concentration_at(rate) {
                        Some(c) => out.push(c),
                        None => {
                            let detail = format!("no concentration of {} gives this dose", entry.display_name);
                            errors.push(Error::invalid(Field::DailyDose, detail).for_drug(i));
                        }
                    }
                }
            }
            all_or_errors((Some(rate), out), errors)
        }
        (Programme::ConstantFlow, None) => Err(vec![Error::invalid(
            Field::Programme,
            "a constant-flow programme needs a constant-flow pump",
        )]),
        (_, Some(_)) => Err(vec![Error::invalid(
            Field::Programme,
            "a constant-flow pump's rate is fixed: set each drug's target dose (constant-flow programme)",
        )]),
        (Programme::Rate { flow_rate }, None) => {
            let out = concentrations(plan, &mut errors);
            if flow_rate.value() == 0.0 {
                errors.push(Error::new(Field::FlowRate, Problem::Zero));
            }
            all_or_errors((Some(*flow_rate), out), errors)
        }
        (Programme::LeadDose { lead }, None) => lead_dose_rate(plan, *lead),
    }
}

fn lead_dose_rate(plan: &Plan, lead: usize) -> Result<(Option<MlPerDay>, Vec<AnyConcentration>), Vec<Error>> {
    let mut errors = Vec::new();
    if lead >= plan.drugs.len() {
        return Err(vec![Error::invalid(
            Field::LeadDrug,
            format!("line {} does not exist", lead.saturating_add(1)),
        )]);
    }
    let out = concentrations(plan, &mut errors);
    if plan.flex.is_some() {
        // Flex steps carry the lead dose; the line's own daily dose is not used.
        return all_or_errors((None, out), errors);
    }
    let dose = target_dose(plan, lead, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    // rate = lead dose ÷ lead concentration (families already checked equal)
    let rate = match (out.get(lead), dose) {
        (Some(c), Some(d)) => c.rate_for(d).ok().flatten(),
        _ => None,
    };
    match rate {
        Some(rate) => Ok((Some(rate), out)),
        None => Err(vec![
            Error::invalid(Field::DailyDose, "daily dose ÷ concentration cannot be computed").for_drug(lead),
        ]),
    }
}

/// Checks the fill against the pump capacity, the residual left in the pump with it (overfilling
/// is a risk factor for over-infusion: Medtronic FA596, HSA 2016), and the alarm against the fill.
///
/// # Errors
/// Fill volume zero, or (with the residual) above the capacity; alarm zero or not below the fill.
pub fn check_fill(
    pump: &PumpSpec,
    fill: Millilitres,
    alarm: Millilitres,
    residual: Option<Millilitres>,
) -> Result<(), Error> {
    if fill.value() == 0.0 {
        return Err(Error::new(Field::FillVolume, Problem::Zero));
    }
    if fill > pump.capacity {
        return Err(Error::above(
            Field::FillVolume,
            fill.ismp(),
            pump.capacity.ismp(),
            "the pump capacity",
        ));
    }
    if let Some(residual) = residual.filter(|r| r.value() > 0.0) {
        let total = fill.value() + residual.value();
        if total > pump.capacity.value() * (1.0 + 1e-9) {
            let value = format!(
                "{} + the residual {} = {}",
                fill.ismp(),
                residual.ismp(),
                with_unit(total, Millilitres::SYMBOL)
            );
            return Err(Error::above(
                Field::FillVolume,
                value,
                pump.capacity.ismp(),
                "the pump capacity",
            ));
        }
    }
    if alarm.value() == 0.0 {
        return Err(Error::new(Field::LowReservoirAlarm, Problem::Zero));
    }
    if alarm >= fill {
        return Err(Error::new(
            Field::LowReservoirAlarm,
            Problem::NotBelow {
                value: alarm.ismp(),
                bound: fill.ismp(),
                bound_name: "the fill volume".into(),
            },
        ));
    }
    Ok(())
}

/// Every rate of the basal against the pump's range (each flex step at its step, a zero step
/// included: the pump cannot run below its minimum), and the alarm against its recommended volume.
///
/// # Errors
/// A zero rate, a rate below the pump's minimum or above a verified maximum.
pub fn pump_cautions(pump: &PumpSpec, basal: &Basal, alarm: Millilitres) -> Result<Vec<Finding>, Error> {
    let rates: Vec<(Option<Location>, MlPerDay)> = match basal {
        Basal::Continuous { rate } => vec![(None, *rate)],
        Basal::Flex { steps, .. } => steps
            .iter()
            .enumerate()
            .map(|(i, s)| (Some(Location::FlexStep(i)), s.rate))
            .collect(),
    };
    let mut out: Vec<Finding> = Vec::new();
    for (at, rate) in rates {
        let located = |e: Error| match at {
            Some(at) => e.located(at),
            None => e,
        };
        if let Some(caution) = check_rate(pump, rate).map_err(located)?
            && !out.iter().any(|f| f.key == caution.key)
        {
            out.push(caution);
        }
    }
    out.extend(alarm_caution(pump, alarm));
    Ok(out)
}

/// A rate against the pump's range: below a known minimum (or above a verified maximum) is an
/// error; above an unverified maximum is a caution.
fn check_rate(pump: &PumpSpec, flow_rate: MlPerDay) -> Result<Option<Finding>, Error> {
    if flow_rate.value() == 0.0 && pump.minimum_rate.is_none() {
        return Err(Error::new(Field::FlowRate, Problem::Zero));
    }
    if let Some(minimum) = pump.minimum_rate
        && flow_rate < minimum
    {
        return Err(Error::below(
            Field::FlowRate,
            flow_rate.ismp(),
            minimum.ismp(),
            "the pump's minimum rate",
        ));
    }
    let Some(Sourced {
        value: maximum,
        mark,
        source,
    }) = &pump.maximum_rate
    else {
        return Ok(None);
    };
    if flow_rate <= *maximum {
        return Ok(None);
    }
    if *mark == Mark::Verified {
        return Err(Error::above(
            Field::FlowRate,
            flow_rate.ismp(),
            maximum.ismp(),
            "the pump's maximum rate",
        ));
    }
    Ok(Some(found(
        Severity::Soft,
        FindingKey::rule("pump.maximum_rate")
            .bound(format_number(maximum.value()))
            .value(flow_rate.ismp()),
        FindingKind::AboveMaximumRate {
            rate: flow_rate,
            maximum: *maximum,
        },
        None,
        Origin::Source {
            source: source.clone(),
            mark: *mark,
        },
        // The version-1 key held the message.
        format!(
            "pump/flow_rate/Flow rate {} is above the pump's maximum rate of {} ({}; {}).",
            flow_rate.ismp(),
            maximum.ismp(),
            mark.describe(),
            source
        ),
    )))
}

/// A caution when the alarm is below the pump's recommended volume.
fn alarm_caution(pump: &PumpSpec, alarm: Millilitres) -> Option<Finding> {
    let recommended = pump.recommended_alarm.as_ref()?;
    (alarm < recommended.value).then(|| {
        found(
            Severity::Soft,
            FindingKey::rule("pump.alarm_below_recommended")
                .bound(format_number(recommended.value.value()))
                .value(alarm.ismp()),
            FindingKind::AlarmBelowRecommended {
                alarm,
                recommended: recommended.value,
            },
            None,
            Origin::Source {
                source: recommended.source.clone(),
                mark: recommended.mark,
            },
            format!(
                "pump/low_reservoir_alarm/Low-reservoir alarm {} is below the recommended {} ({}): withdrawal has been reported with residuals above 2 mL.",
                alarm.ismp(),
                recommended.value.ismp(),
                recommended.source
            ),
        )
    })
}
