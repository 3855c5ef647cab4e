//! The checks of each drug of a plan against the drug library and the pump catalogue, the way dose
//! error reduction software makes them: limits (concentration, maximum possible 24-hour total, each
//! bolus), what a start or a new pump needs, drugs that should not be combined, off-label use,
//! label guidance, a suggested alarm volume and commercial strengths. The change from the current
//! programme is checked in [`super::change`].
//!
//! Every check carries its rule's source and mark; findings are typed data with structured keys,
//! worded by the report module.

use crate::engine::catalogue::drug_rules::GuidanceWhen;
use crate::engine::catalogue::library::{Bound, DrugEntry, DrugLibrary, LimitQuantity, Severity};
use crate::engine::catalogue::pump::{Mark, PumpModel};
use crate::engine::format::format_number;
use crate::engine::plan::findings::{Finding, FindingKey, FindingKind, LimitSubject, Origin, limit_key};
use crate::engine::plan::model::Plan;
use crate::engine::quantities::dose::{AnyConcentration, AnyDoseRate};
use crate::engine::quantities::units::Millilitres;

/// Comparisons with a limit use a relative tolerance of 1e-9: 18.5 mcg/mL × (19.2 ÷ 18.5) mL/day is
/// 19.200000000000003 in floating point, which is the limit, not above it.
pub(crate) fn above(value: f64, bound: f64) -> bool {
    value > bound * (1.0 + 1e-9)
}

/// See [`above`].
pub(crate) fn below(value: f64, bound: f64) -> bool {
    value < bound * (1.0 - 1e-9)
}

/// One drug of the plan as the checks see it.
#[derive(Debug, Clone, Copy)]
pub struct CheckedDrug<'a> {
    /// Its line (0-based).
    pub index: usize,
    /// Its library entry.
    pub entry: &'a DrugEntry,
    /// Its concentration in the reservoir (the highest of the new, the mixed and, while it is
    /// pushed through, the old solution's: see the evaluation).
    pub concentration: AnyConcentration,
    /// The basal daily dose (heaviest 24 hours of the basal).
    pub daily_dose: AnyDoseRate,
    /// The maximum possible 24-hour total.
    pub daily_maximum: AnyDoseRate,
    /// The condition it is given for, when the plan states one ("spasticity of spinal origin").
    pub condition: Option<&'a str>,
}

/// What the checks need besides the drugs.
#[derive(Debug, Clone, Copy)]
pub struct CheckContext<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The pump model.
    pub pump: &'a PumpModel,
    /// The drug library in force.
    pub library: &'a DrugLibrary,
    /// Whether the programme has boluses (the daily dose is then the maximum possible).
    pub has_boluses: bool,
}

impl CheckContext<'_> {
    /// The region whose labelling the library follows.
    pub fn region(&self) -> &str {
        self.library.region.trim()
    }
}

/// A finding with its version-1 key (for acknowledgements saved in version 1).
pub(crate) fn found(
    severity: Severity,
    key: FindingKey,
    kind: FindingKind,
    drug: Option<usize>,
    origin: Origin,
    legacy_key: String,
) -> Finding {
    Finding {
        severity,
        key,
        kind,
        drug,
        origin,
        acknowledged: None,
        legacy_key,
    }
}

fn sourced(source: &str, mark: Mark) -> Origin {
    Origin::Source {
        source: source.to_owned(),
        mark,
    }
}

/// Every per-drug finding, in no particular order (the caller sorts by severity).
pub fn findings(cx: &CheckContext<'_>, drugs: &[CheckedDrug<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    for drug in drugs {
        limits(&mut out, cx, drug);
        bolus_limits(&mut out, cx, drug);
        start(&mut out, cx, drug);
        new_pump(&mut out, cx, drug);
        combinations(&mut out, drug, drugs);
        guidance(&mut out, cx, drug);
        stock_strength(&mut out, cx, drug);
    }
    off_label(&mut out, cx, drugs);
    out
}

/// Concentration, basal daily dose (minimums) and maximum possible 24-hour total (maximums)
/// against the library's limits. A minimum is met by the basal alone: boluses do not make up for it.
fn limits(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) {
    let daily = if cx.has_boluses {
        LimitSubject::MaximumDailyDose
    } else {
        LimitSubject::DailyDose
    };
    let c = drug.concentration;
    limit_check(
        out,
        cx,
        drug,
        LimitQuantity::Concentration,
        (c.value(), c.value()),
        LimitSubject::Concentration,
    );
    let (basal, maximum) = (drug.daily_dose.value(), drug.daily_maximum.value());
    limit_check(out, cx, drug, LimitQuantity::DailyDose, (basal, maximum), daily);
}

/// `values` is (checked against minimums, checked against maximums).
fn limit_check(
    out: &mut Vec<Finding>,
    cx: &CheckContext<'_>,
    drug: &CheckedDrug<'_>,
    quantity: LimitQuantity,
    values: (f64, f64),
    subject: LimitSubject,
) {
    let entry = drug.entry;
    let unit = quantity.unit(entry.family);
    for limit in entry
        .limits_in(quantity, cx.region())
        .filter(|l| l.applies_to(drug.condition))
    {
        let (value, crossed) = match limit.bound {
            Bound::Max => (values.1, above(values.1, limit.value)),
            Bound::Min => (values.0, below(values.0, limit.value)),
        };
        if !crossed {
            continue;
        }
        // A minimum is checked on the basal daily dose: never call it the maximum possible.
        let subject = match (limit.bound, subject) {
            (Bound::Min, LimitSubject::MaximumDailyDose) => LimitSubject::DailyDose,
            _ => subject,
        };
        let bound = match limit.bound {
            Bound::Max => "max",
            Bound::Min => "min",
        };
        out.push(found(
            limit.severity,
            limit_key(&entry.id, quantity, limit.bound, limit.value, &format_number(value)),
            FindingKind::Limit {
                drug: entry.display_name.clone(),
                subject,
                bound: limit.bound,
                severity: limit.severity,
                limit: limit.value,
                value,
                unit: unit.clone(),
                condition: limit.condition.clone(),
                regions: limit.regions.clone(),
            },
            Some(drug.index),
            sourced(&limit.source, limit.mark),
            format!(
                "{}/{}/{bound}/{}/{}",
                entry.id,
                quantity.name().replace(' ', "_"),
                limit.value,
                value
            ),
        ));
    }
}

/// Each bolus's dose (periodic, single, patient: volume × concentration) against per-bolus limits.
fn bolus_limits(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) {
    if drug
        .entry
        .limits_in(LimitQuantity::BolusDose, cx.region())
        .next()
        .is_none()
    {
        return;
    }
    let boluses = &cx.plan.boluses;
    let volumes = boluses
        .periodic
        .iter()
        .map(|b| (LimitSubject::PeriodicBolus, b.volume))
        .chain(boluses.single.iter().map(|b| (LimitSubject::SingleBolus, b.volume)))
        .chain(boluses.patient.iter().map(|b| (LimitSubject::PatientBolus, b.volume)));
    let (mut periodic, mut single, mut patient) = (0usize, 0usize, 0usize);
    for (subject, volume) in volumes {
        let dose = drug.concentration.amount_in(volume).value();
        let mut found = Vec::new();
        limit_check(&mut found, cx, drug, LimitQuantity::BolusDose, (dose, dose), subject);
        // Each bolus has its own finding: the key names the kind of bolus and which one, so an
        // acknowledgement of one never covers another of the same dose.
        let (kind, count) = match subject {
            LimitSubject::PeriodicBolus => ("periodic", &mut periodic),
            LimitSubject::SingleBolus => ("single", &mut single),
            _ => ("patient", &mut patient),
        };
        *count += 1;
        for mut f in found {
            f.key.rule = format!("{}.{kind}", f.key.rule);
            f.key.value = Some(format!("{} {}", *count, f.key.value.unwrap_or_default()));
            out.push(f);
        }
    }
}

/// Whether a drug is being started: a new pump, or absent from the current programme. With no
/// current programme set a start cannot be ruled out (the second value says so).
pub(crate) fn starting(plan: &Plan, drug_id: &str) -> Option<bool> {
    let current = &plan.current_programme;
    if plan.fill.new_pump {
        Some(false)
    } else if current.is_empty() {
        Some(true)
    } else {
        (!current.iter().any(|c| c.drug == drug_id)).then_some(false)
    }
}

/// A drug being started above its highest starting dose: the new-pump rule's (ziconotide, label)
/// or the library's usual starting range.
fn start(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) {
    let entry = drug.entry;
    let Some(current_unknown) = starting(cx.plan, &entry.id) else {
        return;
    };
    let rule = entry
        .new_pump
        .as_ref()
        .and_then(|r| {
            r.max_start_dose
                .map(|max| (max, r.severity, sourced(&r.source, r.mark)))
        })
        .or_else(|| {
            entry
                .start_dose_per_day
                .as_ref()
                .map(|r| (r.high, Severity::Soft, sourced(&r.source, r.mark)))
        });
    let Some((max, severity, origin)) = rule else { return };
    if !above(drug.daily_maximum.value(), max) {
        return;
    }
    let dose = drug.daily_maximum;
    out.push(found(
        severity,
        FindingKey::rule("start")
            .drug(&entry.id)
            .bound(format!("max {}", format_number(max)))
            .value(dose.ismp()),
        FindingKind::Start {
            drug: entry.display_name.clone(),
            new_pump: cx.plan.fill.new_pump,
            current_unknown,
            dose,
            max,
        },
        Some(drug.index),
        origin,
        format!("{}/start/max/{max}/{}", entry.id, dose.ismp()),
    ));
}

/// A new pump: its only concentration, filled undiluted (the stock too), and its rinse.
fn new_pump(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) {
    let (Some(rule), true) = (&drug.entry.new_pump, cx.plan.fill.new_pump) else {
        return;
    };
    let entry = drug.entry;
    let stock = cx.plan.drugs.get(drug.index).and_then(|l| l.stock);
    if let Some(only) = rule.concentration {
        let differs = |v: f64| (v - only).abs() > 1e-9 * only;
        // Undiluted: the reservoir at the only concentration, and (when entered) the stock too, so
        // that 100 mcg/mL diluted to 25 is not taken for the undiluted 25 mcg/mL vial.
        if differs(drug.concentration.value()) || stock.is_some_and(|s| differs(s.value())) {
            let shown = stock.filter(|s| differs(s.value())).unwrap_or(drug.concentration);
            out.push(found(
                rule.severity,
                FindingKey::rule("new_pump.concentration")
                    .drug(&entry.id)
                    .bound(format_number(only))
                    .value(shown.ismp()),
                FindingKind::NewPumpConcentration {
                    drug: entry.display_name.clone(),
                    concentration: shown,
                    only,
                },
                Some(drug.index),
                sourced(&rule.source, rule.mark),
                format!("{}/new_pump/concentration/{only}/{}", entry.id, shown.ismp()),
            ));
        }
    }
    if let Some(rinse) = rule.rinse {
        out.push(found(
            Severity::Info,
            FindingKey::rule("new_pump.rinse").drug(&entry.id),
            FindingKind::Rinse {
                drug: entry.display_name.clone(),
                times: rinse.times,
                each: Millilitres::new(rinse.volume_ml).unwrap_or(Millilitres::ZERO),
                strength: rule
                    .concentration
                    .and_then(|c| AnyConcentration::new(entry.family, c).ok()),
            },
            Some(drug.index),
            sourced(&rule.source, rule.mark),
            format!("{}/new_pump/rinse", entry.id),
        ));
    }
}

/// Drugs that should not share the reservoir (ziconotide with an opioid).
fn combinations(out: &mut Vec<Finding>, drug: &CheckedDrug<'_>, all: &[CheckedDrug<'_>]) {
    for avoid in &drug.entry.avoid_with {
        let others: Vec<&CheckedDrug<'_>> = all
            .iter()
            .filter(|o| o.index != drug.index && o.entry.is_in_class(&avoid.class))
            .collect();
        if others.is_empty() {
            continue;
        }
        out.push(found(
            avoid.severity,
            FindingKey::rule("avoid_with")
                .drug(&drug.entry.id)
                .bound(avoid.class.clone())
                .value(others.iter().map(|o| o.entry.id.as_str()).collect::<Vec<_>>().join("+")),
            FindingKind::AvoidWith {
                drug: drug.entry.display_name.clone(),
                others: others.iter().map(|o| o.entry.display_name.clone()).collect(),
                class: avoid.class.clone(),
                text: avoid.message.clone(),
            },
            Some(drug.index),
            sourced(&avoid.source, avoid.mark),
            format!("{}/avoid_with/{}", drug.entry.id, avoid.class),
        ));
    }
}

/// Label guidance that applies now, and a suggested alarm volume.
fn guidance(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) {
    let entry = drug.entry;
    for (i, g) in entry.guidance.iter().enumerate() {
        let applies = match g.when {
            GuidanceWhen::Always => true,
            GuidanceWhen::NewPump => cx.plan.fill.new_pump,
            GuidanceWhen::Stopping | GuidanceWhen::Reference => false,
        };
        if applies {
            out.push(found(
                Severity::Info,
                FindingKey::rule("guidance").drug(&entry.id).bound(i.to_string()),
                FindingKind::Guidance {
                    drug: entry.display_name.clone(),
                    text: g.text.clone(),
                },
                Some(drug.index),
                sourced(&g.source, g.mark),
                format!("{}/guidance/{i}", entry.id),
            ));
        }
    }
    let alarm = cx.plan.fill.low_reservoir_alarm;
    if let Some(suggested) = &entry.low_reservoir_alarm_ml
        && below(alarm.value(), suggested.value)
    {
        out.push(found(
            Severity::Info,
            FindingKey::rule("alarm.suggested")
                .drug(&entry.id)
                .bound(format_number(suggested.value)),
            FindingKind::SuggestedAlarm {
                drug: entry.display_name.clone(),
                suggested: Millilitres::new(suggested.value).unwrap_or(Millilitres::ZERO),
                alarm,
            },
            Some(drug.index),
            sourced(&suggested.source, suggested.mark),
            format!("{}/alarm/{}", entry.id, suggested.value),
        ));
    }
}

/// A stock that is not a commercial strength: a compounded stock, or a typing error.
fn stock_strength(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) {
    let (Some(strengths), Some(stock)) = (
        &drug.entry.strengths,
        cx.plan.drugs.get(drug.index).and_then(|l| l.stock),
    ) else {
        return;
    };
    if strengths.values.iter().any(|v| (stock.value() - v).abs() <= 1e-9 * v) {
        return;
    }
    let family = drug.entry.family;
    out.push(found(
        Severity::Info,
        FindingKey::rule("stock_strength")
            .drug(&drug.entry.id)
            .value(stock.ismp()),
        FindingKind::StockStrength {
            drug: drug.entry.display_name.clone(),
            stock,
            listed: strengths
                .values
                .iter()
                .filter_map(|v| AnyConcentration::new(family, *v).ok())
                .collect(),
        },
        Some(drug.index),
        sourced(&strengths.source, strengths.mark),
        format!("{}/stock/{}", drug.entry.id, stock.ismp()),
    ));
}

/// Off-label use (FDA safety communication, 14 Nov 2018): a drug not approved for the pump, or a
/// pump its labelling does not name, and any admixture. A visible caution, never a block:
/// admixtures are common practice (PACC).
fn off_label(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drugs: &[CheckedDrug<'_>]) {
    for drug in drugs {
        if let Some(finding) = off_label_drug(cx, drug) {
            out.push(finding);
        }
    }
    if drugs.len() > 1 {
        let ids: Vec<&str> = drugs.iter().map(|d| d.entry.id.as_str()).collect();
        out.push(found(
            Severity::Soft,
            FindingKey::rule("off_label.admixture").value(ids.join("+")),
            FindingKind::Admixture {
                drugs: drugs.iter().map(|d| d.entry.display_name.clone()).collect(),
            },
            None,
            sourced("FDA safety communication, 14 Nov 2018", Mark::Verified),
            format!("off_label/admixture/{}", ids.join("+")),
        ));
    }
}

fn off_label_drug(cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) -> Option<Finding> {
    let pump = cx.pump;
    let entry = drug.entry;
    // The drug's own labelling names its pumps (Prialt: SynchroMed II/III only).
    let by_drug = entry
        .labelled_pumps
        .as_ref()
        .filter(|l| !l.pumps.contains(&pump.id))
        .map(|l| (true, l.pumps.clone(), sourced(&l.source, l.mark)));
    // The pump's approved drugs, where the catalogue knows them.
    let by_pump = pump.approved_drugs.as_ref().and_then(|approved| {
        (!approved.iter().any(|a| a.drug == entry.id)).then(|| {
            let source = approved
                .iter()
                .map(|a| format!("{} ({}) [{}]", a.source, a.drug, a.mark.letter()))
                .collect::<Vec<_>>()
                .join("; ");
            let listed = approved
                .iter()
                .map(|a| format!("{} [{}]", a.drug, a.mark.letter()))
                .collect();
            (false, listed, Origin::Cited { source })
        })
    });
    let key = FindingKey::rule("off_label").drug(&entry.id).bound(pump.id.clone());
    let legacy = format!("off_label/{}/{}", pump.id, entry.id);
    if let Some((by_drug, approved, origin)) = by_drug.or(by_pump) {
        return Some(found(
            Severity::Soft,
            key,
            FindingKind::OffLabel {
                drug: entry.display_name.clone(),
                pump: pump.name.clone(),
                by_drug,
                approved,
            },
            Some(drug.index),
            origin,
            legacy,
        ));
    }
    // Neither the drug's labelling nor the catalogue says: the user must check.
    (pump.approved_drugs.is_none() && entry.labelled_pumps.is_none()).then(|| {
        found(
            Severity::Soft,
            FindingKey::rule("off_label.unknown")
                .drug(&entry.id)
                .bound(pump.id.clone()),
            FindingKind::ApprovalUnknown {
                drug: entry.display_name.clone(),
                pump: pump.name.clone(),
            },
            Some(drug.index),
            sourced("FDA safety communication, 14 Nov 2018", Mark::Verified),
            legacy,
        )
    })
}
