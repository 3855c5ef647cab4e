//! A plan's evaluation, in stages, each settled before the next: the basis (pump, drugs,
//! concentrations, the schedule with every bolus and the MRI), the projections, the MRI, the
//! refill-by constraints (the MRI included), each drug's doses, the visit, and the findings. The
//! result is a typed [`Outcome`]; its words and figures are made by the report module, last.
//! The app and the native `itdose report` evaluate plans here, so they cannot disagree.

use jiff::civil::DateTime;

use crate::engine::catalogue::library::{Applies, DrugEntry, DrugLibrary, Severity};
use crate::engine::catalogue::pump::{Catalogue, PumpKind, PumpModel, PumpSpec};
use crate::engine::csf::transit::mixed_concentration;
use crate::engine::dosing::change::{self, step_notes};
use crate::engine::dosing::compounding::{CompoundingLine, Worksheet, worksheet};
use crate::engine::dosing::limits::{self, CheckContext, CheckedDrug, found};
use crate::engine::dosing::programme::{check_fill, library_entries, pump_cautions, solve};
use crate::engine::error::{Error, Field, Location};
use crate::engine::plan::findings::{Finding, FindingKey, FindingKind, Origin, settle};
use crate::engine::plan::model::{DrugLine, Plan, Programme};
use crate::engine::plan::outcome::{Comparison, DrugOutcome, MriOutcome, Outcome, PumpOutcome, Rinse};
use crate::engine::quantities::dose::{AnyConcentration, AnyDoseRate};
use crate::engine::quantities::format::{Display as _, format_date_time};
use crate::engine::quantities::time::after;
use crate::engine::quantities::units::{Millilitres, MlPerDay};
use crate::engine::reservoir::mri;
use crate::engine::reservoir::procedures;
use crate::engine::reservoir::refill::{
    RefillBy, RefillCandidate, RefillReason, RuleVolume, refill_by, stability_candidate,
};
use crate::engine::reservoir::schedule::{DailyVolumes, PatientUse, Pause, ScenarioProjection, Schedule};
use crate::engine::reservoir::visit::{Reconciliation, VisitContext, reconcile};

/// Evaluates a plan against the pump catalogue and the drug library.
///
/// # Errors
/// Every input error found (unknown pump or drug, wrong unit family, missing concentration or
/// dose, fill (with the residual) above capacity, rate outside the pump's verified range, an
/// invalid schedule, …), each naming its field and location. Library limits are not errors: they
/// are findings.
pub fn evaluate(plan: &Plan, catalogue: &Catalogue, library: &DrugLibrary) -> Result<Outcome, Vec<Error>> {
    let one = |e: Error| vec![e];
    let basis = Basis::settle(plan, catalogue, library)?;
    let volumes = basis.schedule.daily_volumes();
    let scenarios = basis.project().map_err(one)?;
    let (Some(nominal), Some(worst)) = (scenarios.first(), scenarios.last()) else {
        return Err(vec![Error::invalid(Field::Schedule, "no projection")]);
    };
    let earliest_empty = basis.earliest_empty(worst).map_err(one)?;
    let mri = basis.mri(nominal).map_err(one)?;
    let refill = basis.refill_constraints(worst, mri.as_ref()).map_err(one)?;
    let has_boluses = volumes.scheduled_boluses.value() > 0.0
        || volumes.one_off_boluses.value() > 0.0
        || volumes.patient_boluses.value() > 0.0;
    let drugs = basis.drug_outcomes(&volumes).map_err(one)?;
    let reconciliation = basis.reconcile(&scenarios, earliest_empty).map_err(one)?;
    let seen = Seen {
        drugs: &drugs,
        has_boluses,
        mri: mri.as_ref(),
        reconciliation: reconciliation.as_ref(),
        refill_by: &refill,
    };
    let mut findings = basis.findings(&seen);
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let status = settle(&mut findings, &plan.acknowledgements);
    let lead_entry = basis.lead().and_then(|i| basis.entries.get(i).copied());
    Ok(Outcome {
        status,
        pump: basis.pump_outcome(),
        fill: plan.fill.clone(),
        flow_rate: MlPerDay::new(volumes.basal.value()).map_err(|e| vec![e.at(Field::FlowRate)])?,
        daily_volumes: volumes,
        has_boluses,
        earliest_empty,
        refill_by: refill,
        comparison: comparison(plan, &drugs),
        step_notes: step_notes(plan, lead_entry),
        reconciliation,
        visits: plan.visits.clone(),
        findings,
        compounding: basis.compounding().transpose().map_err(one)?,
        rinse: basis.rinse(),
        mri,
        drugs,
        scenarios,
        schedule: basis.schedule,
    })
}

/// A one-off bolus (single, priming, bridge) is delivered from this fill: one dated before the
/// fill delivered nothing and vanished from every figure without a word (a year typed as 0001
/// did), so it is an error at its date, as a scan or a visit before the fill is. So is a device
/// end of service before the fill: the refill-by date would be before the fill itself.
///
/// # Errors
/// At the bolus's date, or at the end of service.
fn check_before_fill(plan: &Plan) -> Result<(), Error> {
    let filled_at = plan.fill.filled_at;
    let before = |what: &str, at: DateTime| {
        format!(
            "the {what} ({}) is before the fill ({})",
            format_date_time(at),
            format_date_time(filled_at)
        )
    };
    let one_offs = plan
        .boluses
        .single
        .iter()
        .enumerate()
        .map(|(i, b)| ("bolus", b.at, Location::SingleBolus(i)))
        .chain(
            plan.boluses
                .priming
                .iter()
                .map(|p| ("priming bolus", p.at, Location::Priming)),
        )
        .chain(
            plan.boluses
                .bridge
                .iter()
                .map(|b| ("bridge bolus", b.at, Location::Bridge)),
        );
    for (what, at, location) in one_offs {
        if at < filled_at {
            return Err(Error::invalid(Field::Date, before(what, at)).located(location));
        }
    }
    match plan.pump.end_of_service {
        Some(end) if end < filled_at => Err(Error::invalid(
            Field::EndOfService,
            format!("{}: the pump is past it", before("device's end of service", end)),
        )),
        _ => Ok(()),
    }
}

/// What the findings are made from, once everything else is settled.
struct Seen<'a> {
    drugs: &'a [DrugOutcome],
    has_boluses: bool,
    mri: Option<&'a MriOutcome>,
    reconciliation: Option<&'a Reconciliation>,
    refill_by: &'a RefillBy,
}

/// What evaluation settles before any figure is made.
struct Basis<'a> {
    plan: &'a Plan,
    model: &'a PumpModel,
    library: &'a DrugLibrary,
    pump: PumpSpec,
    entries: Vec<&'a DrugEntry>,
    concentrations: Vec<AnyConcentration>,
    /// The delivery: programme, boluses (priming and bridge among the single ones), MRI pause.
    schedule: Schedule,
    /// The MRI pause with the 24-hour-late restart, for a pump that stalls.
    mri_latest: Option<Pause>,
    /// The pump's cautions (an unverified maximum rate crossed, an alarm below the recommended).
    cautions: Vec<Finding>,
    accuracy: Option<f64>,
    /// The volume the pump's refill rule refills at.
    rule_volume: RuleVolume,
    /// The volume ahead of a new solution (pump tubing + catheter).
    dead_volume: Millilitres,
}

impl<'a> Basis<'a> {
    fn settle(plan: &'a Plan, catalogue: &'a Catalogue, library: &'a DrugLibrary) -> Result<Self, Vec<Error>> {
        let one = |e: Error| vec![e];
        let model = catalogue.get(&plan.pump.model).ok_or_else(|| {
            vec![Error::invalid(
                Field::Pump,
                format!("unknown pump \u{201c}{}\u{201d}", plan.pump.model),
            )]
        })?;
        let pump = model
            .spec_with_rate(plan.pump.capacity, plan.pump.fixed_rate)
            .map_err(one)?;
        let entries = library_entries(plan, library)?;
        let (basal, concentrations) = solve(plan, &pump, &entries)?;
        let fill = &plan.fill;
        check_fill(&pump, fill.volume, fill.low_reservoir_alarm, plan.csf.residual).map_err(one)?;
        let cautions = pump_cautions(&pump, &basal, fill.low_reservoir_alarm).map_err(one)?;
        if let Some(scan) = &plan.csf.mri {
            mri::check_scan(scan, fill.filled_at).map_err(one)?;
        }
        check_before_fill(plan).map_err(one)?;
        let dead_volume = procedures::dead_volume(plan).map_err(one)?;
        let mut single = plan.boluses.single.clone();
        let basal_per_day = procedures::basal_per_day(&basal);
        single.extend(procedures::boluses(plan, basal_per_day, &entries, &concentrations).map_err(one)?);
        let schedule = Schedule {
            basal,
            periodic: plan.boluses.periodic.clone(),
            single,
            patient: plan.boluses.patient.clone(),
            pauses: Vec::new(),
        };
        let (schedule, mri_latest) = mri::with_pause(schedule, plan.csf.mri.as_ref(), model.mri_kind);
        schedule.validate().map_err(one)?;
        Ok(Basis {
            plan,
            model,
            library,
            accuracy: model.flow_accuracy_percent.as_ref().map(|s| s.value),
            rule_volume: rule_volume(model, fill.low_reservoir_alarm),
            pump,
            entries,
            concentrations,
            schedule,
            mri_latest,
            cautions,
            dead_volume,
        })
    }

    /// The lead drug's line: the lead of a lead-dose programme, else the first line.
    fn lead(&self) -> Option<usize> {
        match self.plan.programme {
            Programme::LeadDose { lead } => Some(lead),
            _ => (!self.entries.is_empty()).then_some(0),
        }
    }

    fn pump_outcome(&self) -> PumpOutcome {
        PumpOutcome {
            id: self.model.id.clone(),
            name: self.pump.name.clone(),
            capacity: self.pump.capacity,
            accuracy_percent: self.accuracy,
            constant_flow: self.model.kind == PumpKind::ConstantFlow,
        }
    }

    fn rule_ml(&self) -> Millilitres {
        match self.rule_volume {
            RuleVolume::RefillDate(v) | RuleVolume::Alarm(v) | RuleVolume::Reservoir(v) => v,
        }
    }

    /// Projections: no patient boluses first, then typical and all allowed when the programme has
    /// patient boluses.
    fn project(&self) -> Result<Vec<ScenarioProjection>, Error> {
        let fill = &self.plan.fill;
        let mut scenario_list = vec![PatientUse::None];
        if self.schedule.patient.is_some() {
            scenario_list.push(PatientUse::Typical(self.plan.boluses.typical_per_day.unwrap_or(0)));
            scenario_list.push(PatientUse::AllAllowed);
        }
        scenario_list
            .iter()
            .map(|s| {
                self.schedule.project(
                    fill.volume,
                    fill.filled_at,
                    fill.low_reservoir_alarm,
                    self.rule_ml(),
                    *s,
                    self.accuracy,
                )
            })
            .collect()
    }

    /// Every allowed patient bolus, at the fast edge of the flow accuracy.
    fn earliest_empty(&self, worst: &ScenarioProjection) -> Result<DateTime, Error> {
        match worst.empty_band {
            Some((fast, _)) => after(self.plan.fill.filled_at, fast),
            None => Ok(worst.empty_at),
        }
    }

    fn mri(&self, nominal: &ScenarioProjection) -> Result<Option<MriOutcome>, Error> {
        let Some(scan) = &self.plan.csf.mri else {
            return Ok(None);
        };
        let fill = &self.plan.fill;
        let projecting = mri::Projecting {
            schedule: &self.schedule,
            latest: self.mri_latest.as_ref(),
            volumes: (fill.volume, fill.low_reservoir_alarm, self.rule_ml()),
            filled_at: fill.filled_at,
            accuracy: self.accuracy,
        };
        let drugs: Vec<(String, AnyConcentration)> = self
            .entries
            .iter()
            .zip(&self.concentrations)
            .map(|(e, c)| (e.id.clone(), *c))
            .collect();
        mri::outcome(scan, self.model, &projecting, nominal, &drugs).map(Some)
    }

    /// Refill-by: the pump's rule under every allowed patient bolus, at the fast edge of the flow
    /// accuracy where the pump has a labelled accuracy (the alarm is computed from the programmed
    /// rate; a pump over-infusing within its accuracy empties first: TGA RC-2016-RN-01458-1); each
    /// drug's stability; the device's end of service; an MRI that empties the pump.
    fn refill_constraints(&self, worst: &ScenarioProjection, mri: Option<&MriOutcome>) -> Result<RefillBy, Error> {
        let fill = &self.plan.fill;
        let every_bolus = self.schedule.patient.is_some();
        let rule = |fast_edge| RefillReason::PumpRule {
            volume: self.rule_volume,
            every_bolus,
            fast_edge,
        };
        let programmed = RefillCandidate {
            at: worst.refill_volume_at,
            reason: rule(None),
        };
        let (pump_rule, at_programmed_rate) = match (worst.refill_volume_fast_at, self.accuracy) {
            (Some(fast), Some(a)) => (
                RefillCandidate {
                    at: fast,
                    reason: rule(Some(a)),
                },
                Some(programmed),
            ),
            _ => (programmed, None),
        };
        let mut candidates = vec![pump_rule];
        for ((entry, line), concentration) in self.entries.iter().zip(&self.plan.drugs).zip(&self.concentrations) {
            candidates.extend(stability_for(
                entry,
                line,
                *concentration,
                fill.new_pump,
                fill.filled_at,
            )?);
        }
        if let Some(end) = self.plan.pump.end_of_service {
            candidates.push(RefillCandidate {
                at: end,
                reason: RefillReason::EndOfService,
            });
        }
        if let Some(m) = mri.filter(|m| m.removed.is_some()) {
            candidates.push(RefillCandidate {
                at: m.from,
                reason: RefillReason::MriEmptied,
            });
        }
        let mut refill = refill_by(candidates).ok_or_else(|| Error::invalid(Field::Schedule, "no refill date"))?;
        refill.at_programmed_rate = at_programmed_rate;
        Ok(refill)
    }

    fn drug_outcomes(&self, volumes: &DailyVolumes) -> Result<Vec<DrugOutcome>, Error> {
        let lead = match self.plan.programme {
            Programme::LeadDose { lead } => Some(lead),
            _ => None,
        };
        self.entries
            .iter()
            .zip(&self.concentrations)
            .enumerate()
            .map(|(i, (entry, concentration))| {
                let old = self
                    .plan
                    .csf
                    .previous
                    .iter()
                    .find(|p| p.drug == entry.id)
                    .map(|p| p.concentration);
                let mixing = self.mixing(old, *concentration)?;
                let outcome = drug_outcome(
                    entry,
                    *concentration,
                    volumes,
                    lead == Some(i),
                    self.plan.fill.volume,
                    mixing,
                );
                finite(&outcome, i)?;
                Ok(outcome)
            })
            .collect()
    }

    /// The old solution, when one is entered: its concentration, the reservoir's after mixing with
    /// the residual, and the volume ahead of the new solution.
    fn mixing(&self, old: Option<AnyConcentration>, new: AnyConcentration) -> Result<Option<Mixing>, Error> {
        let Some(old) = old else { return Ok(None) };
        let residual = self.plan.csf.residual.unwrap_or(Millilitres::ZERO);
        let mixed = mixed_concentration(Some(old), residual, Some(new), self.plan.fill.volume)?.unwrap_or(new);
        Ok(Some(Mixing {
            old,
            mixed,
            dead: self.dead_volume,
        }))
    }

    fn reconcile(
        &self,
        scenarios: &[ScenarioProjection],
        earliest_empty: DateTime,
    ) -> Result<Option<Reconciliation>, Error> {
        let (Some(visit), Some(programme)) = (&self.plan.visit, scenarios.first()) else {
            return Ok(None);
        };
        let cx = VisitContext {
            programme,
            typical: scenarios
                .get(1)
                .filter(|_| self.schedule.patient.is_some())
                .map(|p| (p, self.plan.boluses.typical_per_day.unwrap_or(0))),
            patient_bolus: self.schedule.patient.as_ref().map(|p| p.volume),
            filled_at: self.plan.fill.filled_at,
            fill: self.plan.fill.volume,
            capacity: self.pump.capacity,
            accuracy_percent: self.accuracy,
            residual_left: self.plan.csf.residual.unwrap_or(Millilitres::ZERO),
            earliest_empty,
        };
        reconcile(visit, &cx).map(Some)
    }

    fn findings(&self, seen: &Seen<'_>) -> Vec<Finding> {
        let checked: Vec<CheckedDrug<'_>> = self
            .entries
            .iter()
            .zip(seen.drugs)
            .enumerate()
            .map(|(index, (entry, d))| CheckedDrug {
                index,
                entry,
                concentration: d
                    .mixed
                    .filter(|m| m.value() > d.concentration.value())
                    .unwrap_or(d.concentration),
                daily_dose: d.daily_dose,
                daily_maximum: d.daily_maximum,
                condition: self.plan.drugs.get(index).and_then(|l| l.condition.as_deref()),
            })
            .collect();
        let cx = CheckContext {
            plan: self.plan,
            pump: self.model,
            library: self.library,
            has_boluses: seen.has_boluses,
        };
        let mut findings = limits::findings(&cx, &checked);
        findings.extend(change::findings(&cx, &checked));
        findings.extend(self.cautions.iter().cloned());
        findings.extend(self.plan_findings(seen));
        if let Some(r) = seen.reconciliation {
            findings.extend(self.visit_findings(r, seen.refill_by));
        }
        findings
    }

    /// Findings about the plan as a whole: no low-concentration limit, a concentration change with
    /// no bridge, an unknown residual, a constant-flow pump's drift, the Prometra emptied for MRI.
    fn plan_findings(&self, seen: &Seen<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        let no_low_limit: Vec<String> = self
            .entries
            .iter()
            .filter(|e| !e.has_low_concentration_limit())
            .map(|e| e.display_name.clone())
            .collect();
        if !no_low_limit.is_empty() {
            out.push(found(
                Severity::Info,
                FindingKey::rule("no_low_concentration_limit"),
                FindingKind::NoLowConcentrationLimit { drugs: no_low_limit },
                None,
                Origin::Cited {
                    source: "ISMP smart-pump guidance".into(),
                },
                "info/no-low-concentration-limit".into(),
            ));
        }
        out.extend(self.concentration_changes(seen.drugs));
        out.extend(self.residual_unknown());
        if let Some(drift) = &self.model.rate_drift {
            out.push(found(
                Severity::Info,
                FindingKey::rule("pump.rate_drift"),
                FindingKind::RateDrift {
                    text: drift.value.clone(),
                },
                None,
                Origin::Source {
                    source: drift.source.clone(),
                    mark: drift.mark,
                },
                String::new(),
            ));
        }
        out.extend(seen.mri.and_then(|m| self.mri_finding(m)));
        out
    }

    /// A drug whose solution being replaced differs from the new one, pushed through at the new
    /// rate with no bridge bolus (our design: the first day can deliver more than the programme).
    fn concentration_changes(&self, drugs: &[DrugOutcome]) -> Vec<Finding> {
        if self.plan.boluses.bridge.is_some() || self.dead_volume.value() <= 0.0 {
            return Vec::new();
        }
        let old_of = |id: &str| {
            self.plan
                .csf
                .previous
                .iter()
                .find(|p| p.drug == id)
                .map(|p| p.concentration)
        };
        drugs
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let old = old_of(&d.id)?;
                let new = d.mixed.unwrap_or(d.concentration);
                let first_day = d.first_day?;
                ((old.value() - new.value()).abs() > 1e-9 * new.value()).then(|| {
                    found(
                        Severity::Soft,
                        FindingKey::rule("concentration_change")
                            .drug(&d.id)
                            .bound(old.ismp())
                            .value(new.ismp()),
                        FindingKind::ConcentrationChange {
                            drug: d.display_name.clone(),
                            old,
                            new,
                            dead_volume: self.dead_volume,
                            first_day,
                        },
                        Some(i),
                        Origin::Design,
                        String::new(),
                    )
                })
            })
            .collect()
    }

    /// A refill with no residual entered, on a pump that can keep some (SynchroMed II: up to
    /// 1.4 mL), where the fill and that residual could exceed the capacity.
    fn residual_unknown(&self) -> Option<Finding> {
        let dead = self.model.dead_space_ml.as_ref()?;
        let fill = self.plan.fill.volume;
        let capacity = self.pump.capacity;
        let exceeds = fill.value() + dead.value.value() > capacity.value() * (1.0 + 1e-9);
        (self.plan.csf.residual.is_none() && !self.plan.fill.new_pump && exceeds).then(|| {
            found(
                Severity::Soft,
                FindingKey::rule("residual_unknown")
                    .bound(capacity.ismp())
                    .value(fill.ismp()),
                FindingKind::ResidualUnknown {
                    fill,
                    dead_space: dead.value,
                    capacity,
                },
                None,
                Origin::Source {
                    source: dead.source.clone(),
                    mark: dead.mark,
                },
                String::new(),
            )
        })
    }

    /// The Prometra emptying before an MRI, as a caution at the top of the findings.
    fn mri_finding(&self, m: &MriOutcome) -> Option<Finding> {
        let removed = m.removed?;
        let source = self.model.mri.as_ref()?;
        let drugs = m
            .removed_drug
            .iter()
            .map(|(id, amount)| {
                let name = self.library.get(id).map_or(id.clone(), |e| e.display_name.clone());
                (name, *amount)
            })
            .collect();
        Some(found(
            Severity::Soft,
            FindingKey::rule("mri.empty")
                .bound(crate::engine::quantities::civil_serde::key(m.from))
                .value(removed.ismp()),
            FindingKind::MriEmpty {
                at: m.from,
                pump: self.pump.name.clone(),
                removed,
                drugs,
            },
            None,
            Origin::Source {
                source: source.source.clone(),
                mark: source.mark,
            },
            format!(
                "mri/empty/{}/{}",
                crate::engine::quantities::civil_serde::key(m.from),
                removed.ismp()
            ),
        ))
    }

    fn visit_findings(&self, r: &Reconciliation, refill: &RefillBy) -> Vec<Finding> {
        visit_findings(r, refill, &self.entries)
    }

    fn compounding(&self) -> Option<Result<Worksheet, Error>> {
        let stocks: Option<Vec<AnyConcentration>> = self.plan.drugs.iter().map(|d| d.stock).collect();
        let lines: Vec<CompoundingLine> = self
            .entries
            .iter()
            .zip(&self.concentrations)
            .zip(stocks?)
            .map(|((entry, target), stock)| CompoundingLine {
                drug: entry.display_name.clone(),
                target: *target,
                stock,
            })
            .collect();
        Some(worksheet(
            self.plan.fill.volume,
            self.plan.extra_volume.unwrap_or(Millilitres::ZERO),
            &lines,
        ))
    }

    /// The rinse of a new pump before its first fill, from the library's new-pump rule.
    fn rinse(&self) -> Option<Rinse> {
        if !self.plan.fill.new_pump {
            return None;
        }
        self.entries.iter().zip(&self.concentrations).find_map(|(entry, c)| {
            let rule = entry.new_pump.as_ref()?;
            let rinse = rule.rinse?;
            let concentration = match rule.concentration {
                Some(v) => AnyConcentration::new(entry.family, v).ok()?,
                None => *c,
            };
            let total = Millilitres::new(rinse.volume_ml * f64::from(rinse.times)).ok()?;
            Some(Rinse {
                drug: entry.display_name.clone(),
                times: rinse.times,
                each: Millilitres::new(rinse.volume_ml).ok()?,
                total,
                concentration,
                amount: concentration.amount_in(total),
                source: rule.source.clone(),
                mark: rule.mark,
            })
        })
    }
}

/// The volume the pump's refill rule refills at: the manufacturer's refill-date volume (Prometra:
/// 3 mL) or the alarm, whichever is higher (a 4 mL alarm for baclofen must not come after the
/// refill-by date); a constant-flow pump has no alarm, so the volume entered is its refill volume.
fn rule_volume(model: &PumpModel, alarm: Millilitres) -> RuleVolume {
    match (&model.refill_volume_ml, model.kind) {
        (_, PumpKind::ConstantFlow) => RuleVolume::Reservoir(alarm),
        (Some(v), _) if v.value >= alarm => RuleVolume::RefillDate(v.value),
        _ => RuleVolume::Alarm(alarm),
    }
}

/// The old solution of a drug, for a change of concentration.
#[derive(Debug, Clone, Copy)]
struct Mixing {
    old: AnyConcentration,
    mixed: AnyConcentration,
    dead: Millilitres,
}

fn drug_outcome(
    entry: &DrugEntry,
    concentration: AnyConcentration,
    volumes: &DailyVolumes,
    lead: bool,
    fill: Millilitres,
    mixing: Option<Mixing>,
) -> DrugOutcome {
    let at = |c: AnyConcentration, v: Millilitres| c.dose_at(MlPerDay::new(v.value()).unwrap_or(MlPerDay::ZERO));
    let per_day = |v: Millilitres| at(concentration, v);
    // While the old solution ahead of the new one is pushed through at the new rate, the first
    // 24 hours deliver old × min(dead, V) + mixed × max(0, V − dead), V the maximum 24-hour volume.
    let maximum = volumes.maximum.value();
    let first_day = mixing.filter(|m| m.dead.value() > 0.0).and_then(|m| {
        let pushed = m.dead.value().min(maximum);
        let value = m.old.value() * pushed + m.mixed.value() * (maximum - pushed).max(0.0);
        AnyDoseRate::new(concentration.family(), value).ok()
    });
    let steady = mixing.map_or(concentration, |m| {
        if m.mixed.value() > concentration.value() {
            m.mixed
        } else {
            concentration
        }
    });
    let mut daily_maximum = at(steady, volumes.maximum);
    if let Some(first) = first_day.filter(|f| f.value() > daily_maximum.value()) {
        daily_maximum = first;
    }
    DrugOutcome {
        id: entry.id.clone(),
        display_name: entry.display_name.clone(),
        lead,
        concentration,
        mixed: mixing.map(|m| m.mixed),
        daily_dose: per_day(volumes.basal),
        scheduled_boluses: per_day(volumes.scheduled_boluses),
        one_off_boluses: per_day(volumes.one_off_boluses),
        patient_boluses: per_day(volumes.patient_boluses),
        daily_maximum,
        first_day,
        in_reservoir: concentration.amount_in(fill),
    }
}

/// Every figure of a drug is a number: a product of two entered values can exceed the largest
/// one a computer holds (a dose of 1e308 mg/day at 1e5 mg/mL), and is refused at the line.
fn finite(d: &DrugOutcome, index: usize) -> Result<(), Error> {
    let figures = [
        (Field::DailyDose, d.daily_dose.value()),
        (Field::DailyDose, d.daily_maximum.value()),
        (
            Field::DailyDose,
            d.scheduled_boluses.value() + d.one_off_boluses.value() + d.patient_boluses.value(),
        ),
        (Field::DailyDose, d.first_day.map_or(0.0, |f| f.value())),
        (Field::Concentration, d.in_reservoir.value()),
        (Field::Concentration, d.mixed.map_or(0.0, |m| m.value())),
    ];
    match figures.iter().find(|(_, v)| !v.is_finite()) {
        Some((field, _)) => Err(Error::invalid(
            *field,
            "with the other values entered, a figure is beyond the largest number this calculator holds: check the units and the decimal point",
        )
        .for_drug(index)),
        None => Ok(()),
    }
}

/// The visit's concerns as soft findings, keyed by kind, visit time and discrepancy.
fn visit_findings(r: &Reconciliation, refill: &RefillBy, entries: &[&DrugEntry]) -> Vec<Finding> {
    let at = crate::engine::quantities::civil_serde::key(r.visit.at);
    let asra = Origin::Source {
        source: "ASRA 2017 e-poster \u{201c}Accuracy in intrathecal drug delivery\u{201d}: evaluate a discrepancy outside the device accuracy or greater than 2 mL".into(),
        mark: crate::engine::Mark::Verified,
    };
    let mut out = Vec::new();
    if let Some(empty_at) = r.after_empty {
        let (opioids, others): (Vec<&&DrugEntry>, Vec<&&DrugEntry>) =
            entries.iter().partition(|e| e.is_in_class("opioid"));
        out.push(found(
            Severity::Soft,
            FindingKey::rule("visit.after_empty").bound(at.clone()),
            FindingKind::VisitAfterEmpty {
                empty_at,
                found_empty: r.visit.withdrawn.value() == 0.0,
                opioids: opioids.iter().map(|e| e.display_name.clone()).collect(),
                others: others.iter().map(|e| e.display_name.clone()).collect(),
            },
            None,
            Origin::Source {
                source:
                    "Medtronic field notice FA596 (HSA 2016): running the pump empty is a risk factor for over-infusion"
                        .into(),
                mark: crate::engine::Mark::Verified,
            },
            String::new(),
        ));
    }
    if r.visit.at > refill.binding.at {
        out.push(found(
            Severity::Soft,
            FindingKey::rule("visit.late").bound(at.clone()),
            FindingKind::VisitLate {
                refill_by: refill.binding.at,
            },
            None,
            Origin::Design,
            String::new(),
        ));
    }
    if let Some(direction) = r.direction {
        let word = match direction {
            crate::engine::reservoir::visit::Direction::Shortfall => "shortfall",
            crate::engine::reservoir::visit::Direction::Excess => "excess",
        };
        out.push(found(
            Severity::Soft,
            FindingKey::rule(&format!("visit.{word}"))
                .bound(at.clone())
                .value(r.discrepancy.ismp()),
            FindingKind::VisitDiscrepancy {
                direction,
                withdrawn: r.visit.withdrawn,
                expected: r.expected,
                threshold: r.threshold,
                amount: r.discrepancy.value().abs(),
            },
            None,
            asra,
            format!("visit/{at}/{word}/{}", r.discrepancy.ismp()),
        ));
    }
    if let Some(a) = r.after_refill.as_ref().filter(|a| a.flagged) {
        let less = a.discrepancy.value() < 0.0;
        let word = if less { "pocket_fill" } else { "more_after_refill" };
        out.push(found(
            Severity::Soft,
            FindingKey::rule(&format!("visit.{word}")).bound(at.clone()).value(a.discrepancy.ismp()),
            FindingKind::AfterRefill {
                less,
                confirmed: a.confirmed,
                expected: a.expected,
                threshold: a.threshold,
                amount: a.discrepancy.value().abs(),
            },
            None,
            Origin::Source {
                source: "Maino 2017, Neuromodulation 20:733: after the refill, a discrepancy above 1 mL (20 mL pump) or 2 mL (40 mL pump) suggests a pocket fill".into(),
                mark: crate::engine::Mark::Verified,
            },
            format!("visit/{at}/{word}/{}", a.discrepancy.ismp()),
        ));
    }
    out
}

/// Current vs proposed maximum 24-hour totals, as the programmer's closing review shows them.
fn comparison(plan: &Plan, drugs: &[DrugOutcome]) -> Vec<Comparison> {
    drugs
        .iter()
        .filter_map(|d| {
            let current = plan.current_programme.iter().find(|c| c.drug == d.id)?;
            Some(Comparison {
                drug: d.display_name.clone(),
                current: current.daily_maximum,
                proposed: d.daily_maximum,
            })
        })
        .collect()
}

/// The stability constraint of one drug, if its library entry has one that applies.
fn stability_for(
    entry: &DrugEntry,
    line: &DrugLine,
    concentration: AnyConcentration,
    new_pump: bool,
    filled_at: DateTime,
) -> Result<Option<RefillCandidate>, Error> {
    // Undiluted when the reservoir concentration equals the stock's; unknown without a stock.
    let undiluted = line
        .stock
        .map(|s| (s.value() - concentration.value()).abs() <= 1e-9 * s.value());
    let mut best: Option<(f64, String, bool)> = None;
    let mut consider = |days: f64, condition: &str, unknown: bool| {
        if best.as_ref().is_none_or(|b| days < b.0) {
            best = Some((days, condition.to_owned(), unknown));
        }
    };
    for s in &entry.stability {
        match (s.applies, undiluted) {
            (Applies::Always, _) => consider(s.days, &s.condition, false),
            (Applies::NewPump, _) if new_pump => consider(s.days, &s.condition, false),
            (Applies::Diluted, Some(false)) | (Applies::Undiluted, Some(true)) => consider(s.days, &s.condition, false),
            _ => {}
        }
    }
    if undiluted.is_none()
        && let Some(shortest) = entry
            .stability
            .iter()
            .filter(|s| matches!(s.applies, Applies::Diluted | Applies::Undiluted))
            .min_by(|a, b| a.days.total_cmp(&b.days))
    {
        consider(shortest.days, &shortest.condition, true);
    }
    best.map(|(days, condition, unknown)| {
        stability_candidate(filled_at, &entry.display_name, days, &condition, unknown)
    })
    .transpose()
}
