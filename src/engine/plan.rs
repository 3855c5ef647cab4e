//! The plan: pump, drugs in one reservoir, programme, fill and acknowledgements, as a versioned
//! file (`docs/plan-format.md`), and its evaluation into a report. The app and the native
//! `itdose report` command both evaluate plans here, so they cannot disagree.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use super::compounding::{CompoundingLine, Worksheet, worksheet};
use super::continuous::{Caution, ReservoirProjection, project_reservoir};
use super::dose::{AnyConcentration, AnyDoseRate};
use super::error::{Error, Field, Problem};
use super::findings::{Acknowledgement, Finding, PlanStatus, settle};
use super::format::{Display as _, format_date_time, with_unit};
use super::library::{Bound, DrugEntry, DrugLibrary, LimitQuantity, Severity};
use super::pump::{Catalogue, Mark, PumpSpec};
use super::units::{MassFamily, Millilitres, MlPerDay};

/// The file format tag of a plan.
pub const PLAN_FORMAT: &str = "itdose-plan";
/// The plan format version this build reads and writes.
pub const PLAN_VERSION: u32 = 1;
/// At most this many drugs share one reservoir.
pub const MAX_DRUGS: usize = 4;

/// The pump in a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PumpChoice {
    /// Catalogue id.
    pub model: String,
    /// Capacity, for a pump the catalogue gives none for (custom, constant-flow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Millilitres>,
    /// Rate of a constant-flow pump (label rate or last measured rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_rate: Option<MlPerDay>,
}

/// The fill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fill {
    /// Volume put into the reservoir.
    pub volume: Millilitres,
    /// Reservoir volume at which the low-reservoir alarm sounds.
    pub low_reservoir_alarm: Millilitres,
    /// When the pump is (or was) filled, wall-clock.
    #[serde(with = "super::civil_serde")]
    pub filled_at: DateTime,
}

/// One drug in the reservoir.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrugLine {
    /// Drug library id.
    pub drug: String,
    /// Concentration in the reservoir (absent on a constant-flow pump, where it is solved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concentration: Option<AnyConcentration>,
    /// Target daily dose (the lead drug's, or every drug's on a constant-flow pump).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_dose: Option<AnyDoseRate>,
    /// Stock vial strength, for the compounding worksheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<AnyConcentration>,
}

/// How the programme is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Programme {
    /// The lead drug's daily dose is set; the rate follows, and every other drug's dose follows the rate.
    LeadDose {
        /// Index of the lead drug line.
        lead: usize,
    },
    /// The flow rate is set; every drug's dose follows.
    Rate {
        /// Programmed rate.
        flow_rate: MlPerDay,
    },
    /// Constant-flow pump: the rate is fixed; each drug's target dose gives its concentration.
    ConstantFlow,
}

/// A complete plan, as saved in a plan file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Always [`PLAN_FORMAT`].
    pub format: String,
    /// Always [`PLAN_VERSION`] for files this build writes.
    pub version: u32,
    /// The pump.
    pub pump: PumpChoice,
    /// The fill.
    pub fill: Fill,
    /// One to four drugs in the reservoir.
    pub drugs: Vec<DrugLine>,
    /// How the programme is set.
    pub programme: Programme,
    /// Recorded acknowledgements of soft limits.
    #[serde(default)]
    pub acknowledgements: Vec<Acknowledgement>,
    /// Extra volume compounded to prime the refill kit (worksheet only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_volume: Option<Millilitres>,
}

/// A figure as shown: its name, its value and unit, and its ISMP display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The figure's name, as in the app's `<dt>`.
    pub name: String,
    /// The value as a number in `unit` (absent for dates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The unit of `value`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// The display, as in the app's `<dd>`.
    pub display: String,
}

impl Figure {
    fn quantity(name: &str, value: f64, unit: &str) -> Self {
        Figure {
            name: name.to_owned(),
            value: Some(value),
            unit: unit.to_owned(),
            display: with_unit(value, unit),
        }
    }
    fn text(name: &str, display: String) -> Self {
        Figure {
            name: name.to_owned(),
            value: None,
            unit: String::new(),
            display,
        }
    }
}

/// One drug's computed figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrugReport {
    /// Library id.
    pub drug: String,
    /// Tall Man display name.
    pub display_name: String,
    /// Whether this is the lead drug.
    pub lead: bool,
    /// Concentration in the reservoir.
    pub concentration: AnyConcentration,
    /// Daily dose at the programmed rate.
    pub daily_dose: AnyDoseRate,
    /// The figures as shown.
    pub figures: Vec<Figure>,
}

/// What a plan computes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Where the plan stands.
    pub status: PlanStatus,
    /// The pump's name.
    pub pump: String,
    /// Programmed (or fixed) flow rate.
    pub flow_rate: MlPerDay,
    /// Reservoir projection.
    pub reservoir: ReservoirProjection,
    /// Overall figures as shown.
    pub figures: Vec<Figure>,
    /// Per drug.
    pub drugs: Vec<DrugReport>,
    /// Findings, hard first.
    pub findings: Vec<Finding>,
    /// The compounding worksheet, when every drug has a stock strength.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compounding: Option<Worksheet>,
}

impl Plan {
    /// Reads a plan file.
    ///
    /// # Errors
    /// [`Field::PlanFile`] naming the JSON problem, the format or the version.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let plan: Plan = serde_json::from_str(text)
            .map_err(|e| Error::invalid(Field::PlanFile, format!("not a valid plan file: {e}")))?;
        if plan.format != PLAN_FORMAT {
            return Err(Error::invalid(
                Field::PlanFile,
                format!(
                    "format is \u{201c}{}\u{201d}, expected \u{201c}{PLAN_FORMAT}\u{201d}",
                    plan.format
                ),
            ));
        }
        if plan.version != PLAN_VERSION {
            return Err(Error::invalid(
                Field::PlanFile,
                format!(
                    "version {} is not supported (this build reads version {PLAN_VERSION})",
                    plan.version
                ),
            ));
        }
        Ok(plan)
    }

    /// The plan as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn wrong_family(
    drug: &DrugEntry,
    index: usize,
    field: Field,
    suffix: &str,
    found: MassFamily,
) -> Error {
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

/// Evaluates a plan against the pump catalogue and the drug library.
///
/// # Errors
/// Every input error found (unknown pump or drug, wrong unit family, missing concentration or
/// dose, fill above capacity, rate outside the pump's verified range, …), each naming its field
/// and drug line. Library limits are not errors: they are findings in the report.
pub fn evaluate(
    plan: &Plan,
    catalogue: &Catalogue,
    library: &DrugLibrary,
) -> Result<Report, Vec<Error>> {
    let mut errors = Vec::new();
    let model = catalogue.get(&plan.pump.model).ok_or_else(|| {
        vec![Error::invalid(
            Field::Pump,
            format!("unknown pump \u{201c}{}\u{201d}", plan.pump.model),
        )]
    })?;
    let pump = model
        .spec_with_rate(plan.pump.capacity, plan.pump.fixed_rate)
        .map_err(|e| vec![e])?;

    if plan.drugs.is_empty() || plan.drugs.len() > MAX_DRUGS {
        return Err(vec![Error::invalid(
            Field::Drugs,
            format!(
                "{} drugs given; a reservoir holds 1 to {MAX_DRUGS}",
                plan.drugs.len()
            ),
        )]);
    }
    let mut entries = Vec::with_capacity(plan.drugs.len());
    for (i, line) in plan.drugs.iter().enumerate() {
        match library.get(&line.drug) {
            Some(entry) => {
                if plan
                    .drugs
                    .iter()
                    .take(i)
                    .any(|other| other.drug == line.drug)
                {
                    errors.push(
                        Error::invalid(
                            Field::Drug,
                            format!("{} is already in the reservoir", entry.display_name),
                        )
                        .for_drug(i),
                    );
                }
                if let Some(c) = line.concentration
                    && c.family() != entry.family
                {
                    errors.push(wrong_family(
                        entry,
                        i,
                        Field::Concentration,
                        "/mL",
                        c.family(),
                    ));
                }
                if let Some(d) = line.daily_dose
                    && d.family() != entry.family
                {
                    errors.push(wrong_family(entry, i, Field::DailyDose, "/day", d.family()));
                }
                if let Some(s) = line.stock
                    && s.family() != entry.family
                {
                    errors.push(wrong_family(
                        entry,
                        i,
                        Field::StockStrength,
                        "/mL",
                        s.family(),
                    ));
                }
                entries.push(entry);
            }
            None => errors.push(
                Error::invalid(
                    Field::Drug,
                    format!("\u{201c}{}\u{201d} is not in the drug library", line.drug),
                )
                .for_drug(i),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let (flow_rate, concentrations) = solve(plan, &pump, &entries)?;
    let projection = project_reservoir(
        &pump,
        plan.fill.volume,
        plan.fill.low_reservoir_alarm,
        flow_rate,
        plan.fill.filled_at,
    )
    .map_err(|e| vec![e])?;

    let lead = match plan.programme {
        Programme::LeadDose { lead } => Some(lead),
        _ => None,
    };
    let mut findings = Vec::new();
    let mut drugs = Vec::with_capacity(entries.len());
    for (i, (entry, concentration)) in entries.iter().zip(&concentrations).enumerate() {
        let daily_dose = concentration.dose_at(flow_rate);
        limit_findings(
            &mut findings,
            i,
            entry,
            LimitQuantity::Concentration,
            concentration.value(),
            &concentration.ismp(),
        );
        limit_findings(
            &mut findings,
            i,
            entry,
            LimitQuantity::DailyDose,
            daily_dose.value(),
            &daily_dose.ismp(),
        );
        let name = &entry.display_name;
        drugs.push(DrugReport {
            drug: entry.id.clone(),
            display_name: name.clone(),
            lead: lead == Some(i),
            concentration: *concentration,
            daily_dose,
            figures: vec![
                Figure::quantity(
                    &format!("{name} concentration"),
                    concentration.value(),
                    &concentration.symbol(),
                ),
                Figure::quantity(
                    &format!("{name} daily dose"),
                    daily_dose.value(),
                    &daily_dose.symbol(),
                ),
                Figure::quantity(
                    &format!("{name} in reservoir at fill"),
                    concentration.amount_in(plan.fill.volume).value(),
                    concentration.family().symbol(),
                ),
            ],
        });
    }
    for caution in &projection.cautions {
        findings.push(caution_finding(caution));
    }
    let no_low_limit: Vec<&str> = entries
        .iter()
        .filter(|e| !e.has_low_concentration_limit())
        .map(|e| e.display_name.as_str())
        .collect();
    if !no_low_limit.is_empty() {
        findings.push(Finding {
            severity: Severity::Info,
            key: "info/no-low-concentration-limit".into(),
            drug: None,
            message: format!(
                "The drug library sets no low-concentration limit for {}. A concentration entered lower than the real one makes the pump deliver more drug than displayed (ISMP): check the concentration against the bag label.",
                no_low_limit.join(", ")
            ),
            source: Some("ISMP smart-pump guidance".into()),
            mark: None,
            acknowledged: None,
        });
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let status = settle(&mut findings, &plan.acknowledgements);

    let compounding = compounding_for(plan, &entries, &concentrations)
        .transpose()
        .map_err(|e| vec![e])?;

    let figures = vec![
        Figure::quantity("Flow rate", flow_rate.value(), MlPerDay::SYMBOL),
        Figure::quantity(
            "Days to low-reservoir alarm",
            projection.days_to_alarm.value(),
            "days",
        ),
        Figure::text(
            "Low-reservoir alarm date",
            format_date_time(projection.alarm_at),
        ),
        Figure::quantity("Days to empty", projection.days_to_empty.value(), "days"),
        Figure::text("Empty date", format_date_time(projection.empty_at)),
    ];
    // "1 day" / "N days": the display follows the engine's own Days formatting.
    let figures = figures
        .into_iter()
        .map(|mut f| {
            if f.unit == "days" {
                f.display = super::units::Days::new(f.value.unwrap_or(0.0))
                    .map(|d| d.ismp())
                    .unwrap_or_default();
            }
            f
        })
        .collect();

    Ok(Report {
        status,
        pump: pump.name.clone(),
        flow_rate,
        reservoir: projection,
        figures,
        drugs,
        findings,
        compounding,
    })
}

/// Every line's concentration, or an error at each line that lacks one.
fn concentrations(plan: &Plan, errors: &mut Vec<Error>) -> Vec<AnyConcentration> {
    let mut out = Vec::with_capacity(plan.drugs.len());
    for (i, line) in plan.drugs.iter().enumerate() {
        match line.concentration {
            Some(c) if c.value() == 0.0 => {
                errors.push(Error::new(Field::Concentration, Problem::Zero).for_drug(i))
            }
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

/// The rate and each drug's concentration, by programme mode.
fn solve(
    plan: &Plan,
    pump: &PumpSpec,
    entries: &[&DrugEntry],
) -> Result<(MlPerDay, Vec<AnyConcentration>), Vec<Error>> {
    let mut errors = Vec::new();
    match (&plan.programme, pump.fixed_rate) {
        (Programme::ConstantFlow, Some(rate)) => {
            // concentration = target dose ÷ fixed rate, per drug
            let mut out = Vec::with_capacity(entries.len());
            for (i, entry) in entries.iter().enumerate() {
                if let Some(dose) = target_dose(plan, i, &mut errors) {
                    match dose.concentration_at(rate) {
                        Some(c) => out.push(c),
                        None => errors.push(
                            Error::invalid(
                                Field::DailyDose,
                                format!(
                                    "no concentration of {} gives this dose",
                                    entry.display_name
                                ),
                            )
                            .for_drug(i),
                        ),
                    }
                }
            }
            if errors.is_empty() {
                Ok((rate, out))
            } else {
                Err(errors)
            }
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
            if errors.is_empty() {
                Ok((*flow_rate, out))
            } else {
                Err(errors)
            }
        }
        (Programme::LeadDose { lead }, None) => {
            if *lead >= plan.drugs.len() {
                return Err(vec![Error::invalid(
                    Field::LeadDrug,
                    format!("line {} does not exist", lead + 1),
                )]);
            }
            let out = concentrations(plan, &mut errors);
            let dose = target_dose(plan, *lead, &mut errors);
            if !errors.is_empty() {
                return Err(errors);
            }
            // rate = lead dose ÷ lead concentration (families already checked equal)
            let rate = match (out.get(*lead), dose) {
                (Some(c), Some(d)) => c.rate_for(d).ok().flatten(),
                _ => None,
            };
            match rate {
                Some(rate) => Ok((rate, out)),
                None => Err(vec![
                    Error::invalid(
                        Field::DailyDose,
                        "daily dose ÷ concentration cannot be computed",
                    )
                    .for_drug(*lead),
                ]),
            }
        }
    }
}

fn limit_findings(
    findings: &mut Vec<Finding>,
    index: usize,
    entry: &DrugEntry,
    quantity: LimitQuantity,
    value: f64,
    shown: &str,
) {
    for limit in entry.limits_on(quantity) {
        let crossed = match limit.bound {
            Bound::Max => value > limit.value,
            Bound::Min => value < limit.value,
        };
        if !crossed {
            continue;
        }
        let (word, bound) = match limit.bound {
            Bound::Max => ("above", "max"),
            Bound::Min => ("below", "min"),
        };
        let limit_shown = with_unit(limit.value, &quantity.unit(entry.family));
        let kind = match limit.severity {
            Severity::Hard => "hard",
            Severity::Soft => "soft",
            Severity::Info => "reference",
        };
        findings.push(Finding {
            severity: limit.severity,
            key: format!(
                "{}/{}/{bound}/{}/{}",
                entry.id,
                quantity.name().replace(' ', "_"),
                limit.value,
                value
            ),
            drug: Some(index),
            message: format!(
                "{} {} {shown} is {word} the {kind} limit of {limit_shown}.",
                entry.display_name,
                quantity.name()
            ),
            source: Some(limit.source.clone()),
            mark: Some(limit.mark),
            acknowledged: None,
        });
    }
}

fn caution_finding(caution: &Caution) -> Finding {
    Finding {
        severity: Severity::Soft,
        key: format!("pump/{}/{}", caution.field.key(), caution.message),
        drug: None,
        message: caution.message.clone(),
        source: None,
        mark: Some(Mark::Unverified).filter(|_| caution.message.contains("unverified")),
        acknowledged: None,
    }
}

fn compounding_for(
    plan: &Plan,
    entries: &[&DrugEntry],
    concentrations: &[AnyConcentration],
) -> Option<Result<Worksheet, Error>> {
    let stocks: Option<Vec<AnyConcentration>> = plan.drugs.iter().map(|d| d.stock).collect();
    let stocks = stocks?;
    let lines: Vec<CompoundingLine> = entries
        .iter()
        .zip(concentrations)
        .zip(stocks)
        .map(|((entry, target), stock)| CompoundingLine {
            drug: entry.display_name.clone(),
            target: *target,
            stock,
        })
        .collect();
    Some(worksheet(
        plan.fill.volume,
        plan.extra_volume.unwrap_or(Millilitres::ZERO),
        &lines,
    ))
}
