//! Findings, the way dose error reduction software reports them: hard (blocks), soft (needs an
//! explicit, recorded acknowledgement with a reason), info. A finding is typed data: what was
//! found ([`FindingKind`]), a structured key ([`FindingKey`]: rule, drug, bound, value at display
//! precision — never prose), and where the rule comes from. Its words are made by the report
//! module, so rewording a message never orphans a recorded acknowledgement.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::{Bound, LimitQuantity, Severity};
use crate::engine::catalogue::pump::Mark;
use crate::engine::quantities::dose::{AnyConcentration, AnyDoseRate, AnyMass};
use crate::engine::quantities::units::{Millilitres, MlPerDay};
use crate::engine::reservoir::visit::Direction;

/// A finding's identity: the rule, the drug, the bound and the value at display precision. Two
/// findings with the same key are the same finding for an acknowledgement; a changed value is a
/// new finding and needs a new acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FindingKey {
    /// The rule, a stable identifier ("limit.daily_dose", "titration.step", "off_label").
    pub rule: String,
    /// The drug's library id, when the rule is about one drug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drug: Option<String>,
    /// The bound crossed, or what else tells two findings of a rule apart ("max 15", the pump id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<String>,
    /// The value that crossed it, at display precision: a number in the unit its rule implies
    /// ("16" for a limit on the daily dose in mg/day) or a quantity with its unit ("16 mg/day").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl FindingKey {
    /// A key of `rule`.
    pub fn rule(rule: &str) -> Self {
        Self {
            rule: rule.to_owned(),
            drug: None,
            bound: None,
            value: None,
        }
    }

    /// With the drug.
    #[must_use]
    pub fn drug(mut self, drug: &str) -> Self {
        self.drug = Some(drug.to_owned());
        self
    }

    /// With the bound.
    #[must_use]
    pub fn bound(mut self, bound: impl Into<String>) -> Self {
        self.bound = Some(bound.into());
        self
    }

    /// With the value.
    #[must_use]
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }
}

/// What an acknowledgement acknowledges: a structured key, or (in a plan saved in version 1 whose
/// finding no longer arises) the version-1 text key, kept exactly as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AckKey {
    /// A finding's key.
    Key(FindingKey),
    /// A version-1 key, matched by the finding's version-1 key until migrated.
    Legacy(String),
}

/// A recorded acknowledgement of a soft finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// The finding acknowledged.
    pub finding: AckKey,
    /// Why the clinician proceeds.
    pub reason: String,
    /// When (wall-clock, passed in by the caller).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
}

/// What a limit was checked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitSubject {
    /// The concentration in the reservoir.
    Concentration,
    /// The daily dose (no boluses).
    DailyDose,
    /// The maximum possible daily dose (with boluses).
    MaximumDailyDose,
    /// One periodic bolus.
    PeriodicBolus,
    /// One single bolus.
    SingleBolus,
    /// One patient bolus.
    PatientBolus,
}

/// Which part of a titration rule a rise breaks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "breach", rename_all = "snake_case")]
pub enum TitrationBreach {
    /// The rise is above the largest step.
    Step {
        /// The largest step, in the drug's unit per day.
        max: f64,
    },
    /// The rise is above the largest percent per 24 h.
    Percent {
        /// The rise, percent.
        percent: f64,
        /// The largest, percent.
        max: f64,
    },
    /// Too soon after the last change.
    Spacing {
        /// Hours since the last change.
        hours: f64,
        /// The fewest hours allowed.
        min: f64,
    },
    /// Too many rises in 7 days.
    Weekly {
        /// Rises in the 7 days before this one.
        rises: u32,
        /// The most in a week.
        max: u32,
    },
}

impl TitrationBreach {
    /// The rule's bound for a key: "max 2.4", "max 30 %", "min 24 h", "max 3 a week" (the rule's
    /// own number, so an acknowledgement follows the rule, not its position in the library).
    pub fn bound(self) -> String {
        use crate::engine::quantities::format::format_number;
        match self {
            TitrationBreach::Step { max } => format!("max {}", format_number(max)),
            TitrationBreach::Percent { max, .. } => format!("max {} %", format_number(max)),
            TitrationBreach::Spacing { min, .. } => format!("min {} h", format_number(min)),
            TitrationBreach::Weekly { max, .. } => format!("max {max}"),
        }
    }

    /// Stable key word.
    pub fn key(self) -> &'static str {
        match self {
            TitrationBreach::Step { .. } => "step",
            TitrationBreach::Percent { .. } => "percent",
            TitrationBreach::Spacing { .. } => "spacing",
            TitrationBreach::Weekly { .. } => "weekly",
        }
    }
}

/// A drug and a dose, named.
pub type NamedDose = (String, AnyDoseRate);

/// What was found, as data. The report module words it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingKind {
    /// A library limit crossed.
    Limit {
        /// Tall Man name.
        drug: String,
        /// On what.
        subject: LimitSubject,
        /// Max or min.
        bound: Bound,
        /// How the library enforces it.
        severity: Severity,
        /// The limit.
        limit: f64,
        /// The value.
        value: f64,
        /// The unit of both ("mg/day").
        unit: String,
        /// When the limit applies.
        condition: String,
        /// Regions whose labelling gives it.
        regions: Vec<String>,
    },
    /// A drug started above its highest starting dose.
    Start {
        /// Tall Man name.
        drug: String,
        /// At the first fill of a new pump.
        new_pump: bool,
        /// No current programme was set, so a start cannot be ruled out.
        current_unknown: bool,
        /// The proposed maximum 24-hour total.
        dose: AnyDoseRate,
        /// The highest starting dose.
        max: f64,
    },
    /// A new pump filled with another concentration than its only one.
    NewPumpConcentration {
        /// Tall Man name.
        drug: String,
        /// What is in the plan.
        concentration: AnyConcentration,
        /// The only concentration for a new pump.
        only: f64,
    },
    /// The rinse of a new pump before its first fill.
    Rinse {
        /// Tall Man name.
        drug: String,
        /// How many.
        times: u32,
        /// Volume of each.
        each: Millilitres,
        /// Rinsed with.
        strength: Option<AnyConcentration>,
    },
    /// Drugs that should not share the reservoir.
    AvoidWith {
        /// Tall Man name.
        drug: String,
        /// The others of the class.
        others: Vec<String>,
        /// The class.
        class: String,
        /// What the labelling says.
        text: String,
    },
    /// Label guidance that applies now.
    Guidance {
        /// Tall Man name.
        drug: String,
        /// What the labelling says.
        text: String,
    },
    /// An alarm below the volume suggested for a drug.
    SuggestedAlarm {
        /// Tall Man name.
        drug: String,
        /// Suggested alarm.
        suggested: Millilitres,
        /// The plan's alarm.
        alarm: Millilitres,
    },
    /// A stock that is not a commercial strength.
    StockStrength {
        /// Tall Man name.
        drug: String,
        /// The stock entered.
        stock: AnyConcentration,
        /// The commercial strengths.
        listed: Vec<AnyConcentration>,
    },
    /// A drug not approved for the pump, or a pump its labelling does not name.
    OffLabel {
        /// Tall Man name.
        drug: String,
        /// The pump's name.
        pump: String,
        /// The drug's labelling names its pumps (these catalogue ids); else the pump's approved
        /// drugs are listed (ids with their marks).
        by_drug: bool,
        /// The pumps the drug's labelling names, or the drugs approved for the pump.
        approved: Vec<String>,
    },
    /// The catalogue does not know which drugs are approved for the pump.
    ApprovalUnknown {
        /// Tall Man name.
        drug: String,
        /// The pump's name.
        pump: String,
    },
    /// More than one drug in the reservoir.
    Admixture {
        /// Tall Man names.
        drugs: Vec<String>,
    },
    /// No current programme to compare with.
    NoCurrentProgramme {
        /// At the first fill of a new pump.
        new_pump: bool,
    },
    /// A 24-hour total changes against the current programme.
    Jump {
        /// Tall Man name.
        drug: String,
        /// Current maximum 24-hour total.
        current: AnyDoseRate,
        /// Proposed maximum 24-hour total.
        proposed: AnyDoseRate,
    },
    /// A rise breaks a titration rule.
    Titration {
        /// Tall Man name.
        drug: String,
        /// Current maximum 24-hour total.
        current: AnyDoseRate,
        /// Proposed maximum 24-hour total.
        proposed: AnyDoseRate,
        /// What is broken.
        breach: TitrationBreach,
        /// When the rule applies.
        condition: String,
        /// Regions whose labelling gives it.
        regions: Vec<String>,
    },
    /// The titration history is needed to check a rule's spacing.
    TitrationHistoryUnknown {
        /// Tall Man name.
        drug: String,
    },
    /// A drug of the current programme is not in the proposed one, and its label says how to stop.
    Stopping {
        /// Tall Man name.
        drug: String,
        /// Its current maximum 24-hour total.
        current: AnyDoseRate,
        /// What the labelling says.
        text: String,
    },
    /// The drug changes.
    DrugChange {
        /// Current drugs dropped, with their 24-hour totals.
        current: Vec<NamedDose>,
        /// Proposed drugs added.
        proposed: Vec<NamedDose>,
        /// (before, after) as intrathecal morphine equivalents, mg/day, when every drug has one.
        equivalents: Option<(f64, f64)>,
    },
    /// A rate above the pump's unverified maximum.
    AboveMaximumRate {
        /// The rate.
        rate: MlPerDay,
        /// The maximum.
        maximum: MlPerDay,
    },
    /// An alarm below the pump's recommended volume.
    AlarmBelowRecommended {
        /// The plan's alarm.
        alarm: Millilitres,
        /// Recommended.
        recommended: Millilitres,
    },
    /// Drugs with no low-concentration limit (ISMP's overdose path).
    NoLowConcentrationLimit {
        /// Tall Man names.
        drugs: Vec<String>,
    },
    /// A pump that must be emptied before an MRI.
    MriEmpty {
        /// Scan start.
        #[serde(with = "crate::engine::quantities::civil_serde")]
        at: DateTime,
        /// The pump's name.
        pump: String,
        /// Volume removed.
        removed: Millilitres,
        /// Drug removed, per drug.
        drugs: Vec<(String, AnyMass)>,
    },
    /// A visit after the earliest date the pump could be empty, or finding it empty.
    VisitAfterEmpty {
        /// The earliest empty date (every allowed patient bolus, fast edge of the accuracy).
        #[serde(with = "crate::engine::quantities::civil_serde")]
        empty_at: DateTime,
        /// Nothing could be withdrawn.
        found_empty: bool,
        /// Opioids in the reservoir (tolerance lost: restarting at the old dose may overdose).
        opioids: Vec<String>,
        /// Other drugs whose interruption causes withdrawal (baclofen, cloNIDine).
        others: Vec<String>,
    },
    /// A visit after the refill-by date.
    VisitLate {
        /// The refill-by date.
        #[serde(with = "crate::engine::quantities::civil_serde")]
        refill_by: DateTime,
    },
    /// A change of concentration pushed through at the new rate, with no bridge bolus.
    ConcentrationChange {
        /// Tall Man name.
        drug: String,
        /// The solution being replaced.
        old: AnyConcentration,
        /// The new solution (after mixing with the residual).
        new: AnyConcentration,
        /// The volume ahead of the new solution.
        dead_volume: Millilitres,
        /// The first 24 hours while it is pushed through.
        first_day: AnyDoseRate,
    },
    /// The residual left in the pump is not entered, and the fill with the pump's dead space
    /// could exceed the capacity.
    ResidualUnknown {
        /// The fill.
        fill: Millilitres,
        /// The pump's dead space (the residual it can keep).
        dead_space: Millilitres,
        /// The capacity.
        capacity: Millilitres,
    },
    /// A constant-flow pump's rate drifts.
    RateDrift {
        /// What the catalogue says.
        text: String,
    },
    /// A withdrawn volume beyond the threshold.
    VisitDiscrepancy {
        /// Shortfall or excess.
        direction: Direction,
        /// Withdrawn.
        withdrawn: Millilitres,
        /// Expected.
        expected: Millilitres,
        /// The flag threshold.
        threshold: Millilitres,
        /// |withdrawn − expected|.
        amount: f64,
    },
    /// After the refill, the confirmed volume beyond the threshold.
    AfterRefill {
        /// Less confirmed than expected (possible pocket fill).
        less: bool,
        /// Confirmed.
        confirmed: Millilitres,
        /// Expected.
        expected: Millilitres,
        /// The flag threshold.
        threshold: Millilitres,
        /// |confirmed − expected|.
        amount: f64,
    },
}

/// Where a finding's rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "origin", rename_all = "snake_case")]
pub enum Origin {
    /// A published or catalogued source, with its mark.
    Source {
        /// The citation.
        source: String,
        /// How far it has been checked.
        mark: Mark,
    },
    /// A published source whose mark is not a single letter (a list of approvals).
    Cited {
        /// The citation.
        source: String,
    },
    /// Our design, not a published threshold (the report says so).
    Design,
    /// No source: a request for an input.
    None,
}

/// One finding about a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Hard, soft or info.
    pub severity: Severity,
    /// Its identity.
    pub key: FindingKey,
    /// What was found.
    pub kind: FindingKind,
    /// The drug line (0-based) it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drug: Option<usize>,
    /// Where the rule comes from.
    pub origin: Origin,
    /// The acknowledgement recorded for this (soft) finding, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<Acknowledgement>,
    /// Its version-1 key, to migrate acknowledgements saved in version 1.
    #[serde(skip)]
    pub legacy_key: String,
}

impl Finding {
    /// The mark of its source, when it has one.
    pub fn mark(&self) -> Option<Mark> {
        match &self.origin {
            Origin::Source { mark, .. } => Some(*mark),
            _ => None,
        }
    }
}

/// Where a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// No hard finding; every soft finding acknowledged.
    Valid,
    /// Soft findings wait for an acknowledgement.
    NeedsAcknowledgement,
    /// A hard limit is crossed: not valid, cannot be exported as a proposed programme.
    Blocked,
}

impl AckKey {
    /// Whether this acknowledges `finding`.
    pub fn matches(&self, finding: &Finding) -> bool {
        match self {
            AckKey::Key(key) => *key == finding.key,
            AckKey::Legacy(text) => !finding.legacy_key.is_empty() && *text == finding.legacy_key,
        }
    }
}

/// Attaches matching acknowledgements to soft findings and says where the plan stands.
/// Acknowledgements never clear hard findings.
pub fn settle(findings: &mut [Finding], acknowledgements: &[Acknowledgement]) -> PlanStatus {
    for finding in findings.iter_mut().filter(|f| f.severity == Severity::Soft) {
        finding.acknowledged = acknowledgements
            .iter()
            .find(|a| a.finding.matches(finding) && !a.reason.trim().is_empty())
            .cloned();
    }
    if findings.iter().any(|f| f.severity == Severity::Hard) {
        PlanStatus::Blocked
    } else if findings
        .iter()
        .any(|f| f.severity == Severity::Soft && f.acknowledged.is_none())
    {
        PlanStatus::NeedsAcknowledgement
    } else {
        PlanStatus::Valid
    }
}

/// The limit's key: rule "limit.{quantity}", the drug, "max 15", the value at display precision.
pub fn limit_key(drug: &str, quantity: LimitQuantity, bound: Bound, limit: f64, value: &str) -> FindingKey {
    let word = match bound {
        Bound::Max => "max",
        Bound::Min => "min",
    };
    FindingKey::rule(&format!("limit.{}", quantity.name().replace(' ', "_")))
        .drug(drug)
        .bound(format!("{word} {}", crate::engine::format::format_number(limit)))
        .value(value)
}
