//! Drug-specific rules held in the drug library as data, each with its source and mark: how fast a
//! drug may be titrated, what a new pump needs, which drugs it should not share a reservoir with,
//! its commercial strengths, label guidance, and a suggested low-reservoir alarm.
//!
//! The rules are checked in [`crate::engine::dosing::limits`]; here they are only described and validated.

use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::Severity;
use crate::engine::catalogue::pump::Mark;

/// A titration rule: how much, how often a drug's daily dose may rise (label guidance).
///
/// At least one of the bounds is set. Steps are compared on the maximum possible 24-hour total,
/// proposed against the current programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TitrationRule {
    /// Largest rise per change, in the drug's unit per day (ziconotide: 2.4 mcg/day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_step: Option<f64>,
    /// Largest rise per change, percent of the current dose (baclofen: 30 % spinal, 15 % cerebral).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_percent: Option<f64>,
    /// Fewest hours between two rises (ziconotide: 24 h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_hours_between: Option<f64>,
    /// Most rises in any 7 days, this one included (ziconotide: 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_increases_per_week: Option<u32>,
    /// When the rule applies, in words ("spasticity of spinal origin"); empty: always.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
    /// Regions whose labelling gives this rule; empty: every region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Soft (acknowledge) or info.
    pub severity: Severity,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// A commissioning volume rinsed through a new pump before its first fill.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rinse {
    /// How many rinses.
    pub times: u32,
    /// Volume of each, mL.
    pub volume_ml: f64,
}

/// What the first fill of a new pump needs (ziconotide: start low, undiluted only, rinse first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPumpRule {
    /// Highest starting daily dose, in the drug's unit per day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_start_dose: Option<f64>,
    /// The only concentration allowed in a new pump, in the drug's unit per mL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concentration: Option<f64>,
    /// The rinse before the first fill, added to the compounding worksheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rinse: Option<Rinse>,
    /// Soft or info.
    pub severity: Severity,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// A drug class this drug should not share a reservoir with (ziconotide with an opioid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvoidWith {
    /// The other drug's class, as in [`crate::engine::catalogue::library::DrugEntry::classes`].
    pub class: String,
    /// What the labelling says, in words.
    pub message: String,
    /// Soft or info.
    pub severity: Severity,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// The pumps a drug's labelling names (Prialt: SynchroMed II and III only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledPumps {
    /// Pump catalogue ids.
    pub pumps: Vec<String>,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// The commercial strengths of a drug, in its unit per mL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strengths {
    /// The strengths.
    pub values: Vec<f64>,
    /// Where they come from.
    pub source: String,
    /// How far they have been checked.
    pub mark: Mark,
}

/// When a piece of guidance is shown as a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuidanceWhen {
    /// Whenever the drug is in the reservoir.
    #[default]
    Always,
    /// At the first fill of a new pump.
    NewPump,
    /// When the drug is in the current programme but not in the proposed one.
    Stopping,
    /// Shown with the drug only, never as a finding.
    Reference,
}

/// Label guidance shown with the drug and, when it applies, as an info finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guidance {
    /// What the labelling says.
    pub text: String,
    /// When it becomes a finding.
    #[serde(default)]
    pub when: GuidanceWhen,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// A sourced number (a suggested alarm volume, an equivalence factor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcedNumber {
    /// The number, in the unit the field's name states.
    pub value: f64,
    /// The top of its range, when the source gives a range (`value` is then the bottom).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

impl TitrationRule {
    /// Whether the rule applies in `region` (a rule with no region applies everywhere).
    pub fn applies_in(&self, region: &str) -> bool {
        crate::engine::catalogue::library::in_regions(&self.regions, region)
    }

    /// Whether the rule applies to a drug given for `condition` (a rule with no condition always
    /// applies; with no condition stated for the drug, every rule applies).
    pub fn applies_to(&self, condition: Option<&str>) -> bool {
        crate::engine::catalogue::library::for_condition(&self.condition, condition)
    }

    /// Checks the rule's numbers; `at` names the rule in the message.
    ///
    /// # Errors
    /// A message naming the field when no bound is set or a bound is not a positive number.
    pub fn validate(&self, at: &str) -> Result<(), String> {
        if self.max_step.is_none()
            && self.max_percent.is_none()
            && self.min_hours_between.is_none()
            && self.max_increases_per_week.is_none()
        {
            return Err(format!("{at}: set at least one bound"));
        }
        for (name, value) in [
            ("max_step", self.max_step),
            ("max_percent", self.max_percent),
            ("min_hours_between", self.min_hours_between),
        ] {
            if let Some(v) = value
                && !(v.is_finite() && v > 0.0)
            {
                return Err(format!("{at}.{name}: {v} must be a positive number"));
            }
        }
        if self.max_increases_per_week == Some(0) {
            return Err(format!("{at}.max_increases_per_week: must be at least 1"));
        }
        if self.severity == Severity::Hard && self.mark == Mark::Unverified {
            return Err(format!(
                "{at}.severity: an unverified (U) value cannot be a hard limit; make it soft or verify it"
            ));
        }
        Ok(())
    }
}

impl AvoidWith {
    /// Checks the rule.
    ///
    /// # Errors
    /// A message naming the field: an unverified rule cannot be hard.
    pub fn validate(&self, at: &str) -> Result<(), String> {
        if self.severity == Severity::Hard && self.mark == Mark::Unverified {
            return Err(format!(
                "{at}.severity: an unverified (U) value cannot be a hard limit; make it soft or verify it"
            ));
        }
        Ok(())
    }
}

impl NewPumpRule {
    /// Checks the rule's numbers.
    ///
    /// # Errors
    /// A message naming the field.
    pub fn validate(&self) -> Result<(), String> {
        for (name, value) in [
            ("new_pump.max_start_dose", self.max_start_dose),
            ("new_pump.concentration", self.concentration),
            ("new_pump.rinse.volume_ml", self.rinse.map(|r| r.volume_ml)),
        ] {
            if let Some(v) = value
                && !(v.is_finite() && v > 0.0)
            {
                return Err(format!("{name}: {v} must be a positive number"));
            }
        }
        if self.rinse.is_some_and(|r| r.times == 0) {
            return Err("new_pump.rinse.times: must be at least 1".into());
        }
        if self.severity == Severity::Hard && self.mark == Mark::Unverified {
            return Err(
                "new_pump.severity: an unverified (U) value cannot be a hard limit; make it soft or verify it".into(),
            );
        }
        Ok(())
    }
}
