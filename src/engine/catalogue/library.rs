//! The drug library: what a smart-pump "drug library" holds, as data the user can see, export,
//! edit and import. Display names use Tall Man lettering; every number carries its source and mark.
//!
//! Import is all-or-nothing: a library that fails validation is rejected with a message naming the
//! drug and the field, and the library in force stays in force (the caller keeps it; [`DrugLibrary::from_json`]
//! never returns a partial library).

use serde::{Deserialize, Serialize};

use crate::engine::catalogue::drug_rules::{
    AvoidWith, Guidance, LabelledPumps, NewPumpRule, SourcedNumber, Strengths, TitrationRule,
};
use crate::engine::catalogue::pump::Mark;
use crate::engine::error::read_json;
use crate::engine::quantities::format::with_unit;
use crate::engine::quantities::units::MassFamily;

/// The file format tag of a drug library export.
pub const LIBRARY_FORMAT: &str = "itdose-drug-library";
/// The library file format version this build writes. Version 1 and 2 files are read and
/// migrated ([`DrugLibrary::from_json`]).
pub const LIBRARY_VERSION: u32 = 3;
/// The region whose labelling a library follows when it does not say (version 1 files).
pub const DEFAULT_REGION: &str = "US";
/// At most this many bytes of library JSON: the built-in library is 16 KB, and the library in
/// force is kept in the browser's local storage (5 MB, shared with the patient records), which a
/// 3 MB file would all but fill.
pub const MAX_LIBRARY_BYTES: usize = 512 * 1024;

/// Which figure a limit applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitQuantity {
    /// Concentration in the reservoir (mg/mL or mcg/mL in the drug's family).
    Concentration,
    /// Daily dose (mg/day or mcg/day in the drug's family): the maximum possible 24-hour total.
    DailyDose,
    /// The dose of one bolus (mg or mcg in the drug's family).
    BolusDose,
}

impl LimitQuantity {
    /// Words for messages.
    pub fn name(self) -> &'static str {
        match self {
            LimitQuantity::Concentration => "concentration",
            LimitQuantity::DailyDose => "daily dose",
            LimitQuantity::BolusDose => "bolus dose",
        }
    }

    /// The unit in a family: "mg/mL", "mcg/day".
    pub fn unit(self, family: MassFamily) -> String {
        match self {
            LimitQuantity::Concentration => format!("{}/mL", family.symbol()),
            LimitQuantity::DailyDose => format!("{}/day", family.symbol()),
            LimitQuantity::BolusDose => family.symbol().to_owned(),
        }
    }
}

/// Upper or lower bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The value may not exceed the limit.
    Max,
    /// The value may not fall below the limit.
    Min,
}

/// How a limit is enforced, as dose error reduction software does it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Shown for information.
    Info,
    /// Needs an explicit, recorded acknowledgement with a reason.
    Soft,
    /// Blocks: the plan is not valid.
    Hard,
}

/// One limit of one drug.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limit {
    /// Concentration or daily dose.
    pub quantity: LimitQuantity,
    /// Max or min.
    pub bound: Bound,
    /// Hard or soft.
    pub severity: Severity,
    /// The limit, in the drug's unit family.
    pub value: f64,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
    /// When the limit applies, in words ("spasticity of spinal origin"); empty: always.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
    /// Regions whose labelling gives this limit (e.g. `["US"]`); empty: every region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
}

/// Whether a rule tagged with `regions` applies in `region` (no region: everywhere). Shared by
/// limits and titration rules.
pub(crate) fn in_regions(regions: &[String], region: &str) -> bool {
    regions.is_empty() || regions.iter().any(|r| r.trim().eq_ignore_ascii_case(region.trim()))
}

/// Whether a rule for `rule_condition` applies to a drug given for `stated` (a rule with no
/// condition always applies; with no condition stated, every rule applies). Shared by limits and
/// titration rules.
pub(crate) fn for_condition(rule_condition: &str, stated: Option<&str>) -> bool {
    rule_condition.is_empty() || stated.is_none_or(|c| c == rule_condition)
}

impl Limit {
    /// Whether the limit applies in `region` (a limit with no region applies everywhere).
    pub fn applies_in(&self, region: &str) -> bool {
        in_regions(&self.regions, region)
    }

    /// Whether the limit applies to a drug given for `condition` (a limit with no condition always
    /// applies; with no condition stated for the drug, every limit applies).
    pub fn applies_to(&self, condition: Option<&str>) -> bool {
        for_condition(&self.condition, condition)
    }
}

/// A usual starting range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartRange {
    /// Lowest usual starting daily dose.
    pub low: f64,
    /// Highest usual starting daily dose.
    pub high: f64,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// When a stability limit applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Applies {
    /// Always.
    #[default]
    Always,
    /// Only to the first fill of a new pump.
    NewPump,
    /// When the drug is diluted (concentration below its stock's).
    Diluted,
    /// When the drug is undiluted (concentration equal to its stock's).
    Undiluted,
}

/// How long the drug is stable in the pump, under a condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stability {
    /// Days.
    pub days: f64,
    /// When it applies.
    #[serde(default)]
    pub applies: Applies,
    /// When this applies ("in the pump", "undiluted").
    pub condition: String,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// A sourced PK number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PkValue {
    /// The value in the unit its field name states.
    pub value: f64,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// PK defaults for the CSF model (used from issue 5 on). Absent means unknown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PkDefaults {
    /// CSF elimination half-life, hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csf_half_life_hours: Option<PkValue>,
    /// CSF volume of distribution, mL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csf_volume_ml: Option<PkValue>,
    /// CSF clearance, mL/min.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csf_clearance_ml_per_min: Option<PkValue>,
    /// CSF volume of distribution per kg of body weight, mL/kg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csf_volume_ml_per_kg: Option<PkValue>,
    /// Two-compartment rate central → peripheral, per hour (none shipped: no source found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k12_per_hour: Option<PkValue>,
    /// Two-compartment rate peripheral → central, per hour (none shipped: no source found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k21_per_hour: Option<PkValue>,
}

/// One drug in the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrugEntry {
    /// Stable identifier, used in plans.
    pub id: String,
    /// Display name in Tall Man letters where they apply (HYDROmorphone, fentaNYL, SUFentanil, cloNIDine).
    pub display_name: String,
    /// mg or mcg: the only unit family accepted for this drug.
    pub family: MassFamily,
    /// Usual starting daily dose range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_dose_per_day: Option<StartRange>,
    /// The conditions the drug's limits and titration rules may be restricted to, in the words a
    /// plan states them (baclofen: "spasticity of spinal origin"). Every condition a limit or rule
    /// names must be one of these (version 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// Limits.
    #[serde(default)]
    pub limits: Vec<Limit>,
    /// Stability in the pump.
    #[serde(default)]
    pub stability: Vec<Stability>,
    /// PK defaults.
    #[serde(default)]
    pub pk: PkDefaults,
    /// Free-text notes shown with the drug.
    #[serde(default)]
    pub notes: String,
    /// Drug classes, for combination rules ("opioid").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// How fast the daily dose may rise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub titration: Vec<TitrationRule>,
    /// What the first fill of a new pump needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_pump: Option<NewPumpRule>,
    /// Drug classes this drug should not share a reservoir with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub avoid_with: Vec<AvoidWith>,
    /// Commercial strengths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strengths: Option<Strengths>,
    /// Label guidance (screening, first dose, boxed warnings, tapering).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guidance: Vec<Guidance>,
    /// A low-reservoir alarm volume suggested for this drug, mL (baclofen: 4 mL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_reservoir_alarm_ml: Option<SourcedNumber>,
    /// mg of intrathecal morphine per unit (mg or mcg) of this drug, for comparing a change of drug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intrathecal_morphine_equivalent: Option<SourcedNumber>,
    /// The pumps the drug's labelling names; another pump is off-label for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labelled_pumps: Option<LabelledPumps>,
}

impl DrugEntry {
    /// The limits on one quantity.
    pub fn limits_on(&self, quantity: LimitQuantity) -> impl Iterator<Item = &Limit> {
        self.limits.iter().filter(move |l| l.quantity == quantity)
    }

    /// The limits on one quantity that apply in `region`.
    pub fn limits_in<'a>(&'a self, quantity: LimitQuantity, region: &'a str) -> impl Iterator<Item = &'a Limit> {
        self.limits_on(quantity).filter(move |l| l.applies_in(region))
    }

    /// Whether the drug belongs to `class` ("opioid").
    pub fn is_in_class(&self, class: &str) -> bool {
        self.classes.iter().any(|c| c.eq_ignore_ascii_case(class))
    }

    /// Whether the library sets a lower concentration limit (ISMP: without one, a concentration
    /// entered lower than the real one is an unguarded overdose path).
    pub fn has_low_concentration_limit(&self) -> bool {
        self.limits_on(LimitQuantity::Concentration)
            .any(|l| l.bound == Bound::Min)
    }

    fn error(&self, field: &str, problem: String) -> LibraryError {
        LibraryError(format!("drug \u{201c}{}\u{201d}, {field}: {problem}", self.id))
    }

    fn positive(&self, field: &str, value: f64) -> Result<(), LibraryError> {
        if value.is_finite() && value > 0.0 {
            Ok(())
        } else {
            Err(self.error(field, format!("{value} must be a positive number")))
        }
    }

    /// Checks the entry: names, numbers, limits, conditions and rules.
    fn validate(&self) -> Result<(), LibraryError> {
        if self.display_name.trim().is_empty() {
            return Err(self.error("display_name", "is empty".into()));
        }
        if let Some(range) = &self.start_dose_per_day {
            self.positive("start_dose_per_day.low", range.low)?;
            self.positive("start_dose_per_day.high", range.high)?;
            if range.low > range.high {
                return Err(self.error(
                    "start_dose_per_day",
                    format!("low {} is above high {}", range.low, range.high),
                ));
            }
        }
        self.validate_limits()?;
        self.validate_conditions()?;
        self.validate_rules()?;
        let pk = &self.pk;
        for (name, value) in [
            (
                "low_reservoir_alarm_ml",
                self.low_reservoir_alarm_ml.as_ref().map(|v| v.value),
            ),
            (
                "intrathecal_morphine_equivalent",
                self.intrathecal_morphine_equivalent.as_ref().map(|v| v.value),
            ),
            (
                "pk.csf_half_life_hours",
                pk.csf_half_life_hours.as_ref().map(|v| v.value),
            ),
            ("pk.csf_volume_ml", pk.csf_volume_ml.as_ref().map(|v| v.value)),
            (
                "pk.csf_clearance_ml_per_min",
                pk.csf_clearance_ml_per_min.as_ref().map(|v| v.value),
            ),
            (
                "pk.csf_volume_ml_per_kg",
                pk.csf_volume_ml_per_kg.as_ref().map(|v| v.value),
            ),
            ("pk.k12_per_hour", pk.k12_per_hour.as_ref().map(|v| v.value)),
            ("pk.k21_per_hour", pk.k21_per_hour.as_ref().map(|v| v.value)),
            (
                "intrathecal_morphine_equivalent.high",
                self.intrathecal_morphine_equivalent.as_ref().and_then(|v| v.high),
            ),
            (
                "low_reservoir_alarm_ml.high",
                self.low_reservoir_alarm_ml.as_ref().and_then(|v| v.high),
            ),
        ] {
            if let Some(v) = value {
                self.positive(name, v)?;
            }
        }
        Ok(())
    }

    fn validate_limits(&self) -> Result<(), LibraryError> {
        for (i, limit) in self.limits.iter().enumerate() {
            let field = format!("limits[{i}]");
            self.positive(&format!("{field}.value"), limit.value)?;
            if limit.severity == Severity::Hard && limit.mark == Mark::Unverified {
                // An unverified value ships only as an editable default, never as a hard limit.
                return Err(self.error(
                    &format!("{field}.severity"),
                    "an unverified (U) value cannot be a hard limit; make it soft or verify it".into(),
                ));
            }
        }
        for quantity in [LimitQuantity::Concentration, LimitQuantity::DailyDose] {
            let lowest_max = self
                .limits_on(quantity)
                .filter(|l| l.bound == Bound::Max)
                .map(|l| l.value)
                .fold(f64::INFINITY, f64::min);
            let highest_min = self
                .limits_on(quantity)
                .filter(|l| l.bound == Bound::Min)
                .map(|l| l.value)
                .fold(0.0, f64::max);
            if highest_min >= lowest_max {
                return Err(self.error(
                    "limits",
                    format!(
                        "{} minimum {highest_min} is not below its maximum {lowest_max}",
                        quantity.name()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Every condition a limit or a titration rule names is one the drug declares.
    fn validate_conditions(&self) -> Result<(), LibraryError> {
        let named = self
            .limits
            .iter()
            .enumerate()
            .map(|(i, l)| (format!("limits[{i}].condition"), &l.condition))
            .chain(
                self.titration
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (format!("titration[{i}].condition"), &t.condition)),
            );
        for (field, condition) in named {
            if !condition.is_empty() && !self.conditions.contains(condition) {
                let declared = if self.conditions.is_empty() {
                    "none declared".to_owned()
                } else {
                    self.conditions.join("; ")
                };
                return Err(self.error(
                    &field,
                    format!("\u{201c}{condition}\u{201d} is not one of the drug's conditions ({declared})"),
                ));
            }
        }
        Ok(())
    }

    fn validate_rules(&self) -> Result<(), LibraryError> {
        for (i, s) in self.stability.iter().enumerate() {
            self.positive(&format!("stability[{i}].days"), s.days)?;
        }
        for (i, rule) in self.titration.iter().enumerate() {
            rule.validate(&format!("titration[{i}]"))
                .map_err(|m| self.error("titration", m))?;
        }
        if let Some(rule) = &self.new_pump {
            rule.validate().map_err(|m| self.error("new_pump", m))?;
        }
        for (i, rule) in self.avoid_with.iter().enumerate() {
            rule.validate(&format!("avoid_with[{i}]"))
                .map_err(|m| self.error("avoid_with", m))?;
        }
        if let Some(strengths) = &self.strengths {
            for (i, v) in strengths.values.iter().enumerate() {
                self.positive(&format!("strengths.values[{i}]"), *v)?;
            }
        }
        Ok(())
    }
}

/// The drug library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrugLibrary {
    /// Always [`LIBRARY_FORMAT`].
    pub format: String,
    /// File format version.
    pub version: u32,
    /// Name of this library (an institution's own, for example).
    pub name: String,
    /// A note shown with the library.
    #[serde(default)]
    pub note: String,
    /// The region whose labelling the library follows ("US", "EU"): limits and rules tagged with
    /// other regions do not apply.
    #[serde(default = "default_region")]
    pub region: String,
    /// The drugs.
    pub drugs: Vec<DrugEntry>,
}

fn default_region() -> String {
    DEFAULT_REGION.to_owned()
}

/// Why a library was refused. Names the drug and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("drug library rejected: {0}")]
pub struct LibraryError(pub String);

const BUILTIN_LIBRARY: &str = include_str!("../../../data/drugs.json");

impl DrugLibrary {
    /// The library shipped with itdose (`data/drugs.json`).
    ///
    /// # Errors
    /// [`LibraryError`] if it is invalid (a test guarantees it is not).
    pub fn builtin() -> Result<Self, LibraryError> {
        Self::from_json(BUILTIN_LIBRARY)
    }

    /// Reads and validates a library. All or nothing.
    ///
    /// # Errors
    /// [`LibraryError`] naming the drug and field of the first problem, or the JSON position.
    pub fn from_json(text: &str) -> Result<Self, LibraryError> {
        if text.len() > MAX_LIBRARY_BYTES {
            return Err(LibraryError(format!(
                "the file has {} bytes, more than the {MAX_LIBRARY_BYTES} a drug library may have",
                text.len()
            )));
        }
        let mut library: DrugLibrary =
            read_json(text).map_err(|p| LibraryError(format!("not a valid library file: {p}")))?;
        if library.format == LIBRARY_FORMAT && library.version == 1 {
            library = library.migrate_v1()?;
        }
        if library.format == LIBRARY_FORMAT && library.version == 2 {
            library = library.migrate_v2();
        }
        library.validate()?;
        Ok(library)
    }

    /// Version 1 → 2. Version 1 had limits, stability and PK values only; the drug-specific rules
    /// of version 2 (titration, new pump, combinations, strengths, guidance, suggested alarm,
    /// equivalence) are taken from the built-in library for drugs with the same id. The file's
    /// own values (limits included) are kept exactly; the note says what was added.
    fn migrate_v1(mut self) -> Result<Self, LibraryError> {
        let builtin: DrugLibrary =
            read_json(BUILTIN_LIBRARY).map_err(|p| LibraryError(format!("built-in library: {p}")))?;
        let mut added = Vec::new();
        for drug in &mut self.drugs {
            let Some(b) = builtin.get(&drug.id) else { continue };
            drug.classes.clone_from(&b.classes);
            drug.titration.clone_from(&b.titration);
            drug.new_pump.clone_from(&b.new_pump);
            drug.avoid_with.clone_from(&b.avoid_with);
            drug.strengths.clone_from(&b.strengths);
            drug.guidance.clone_from(&b.guidance);
            drug.low_reservoir_alarm_ml.clone_from(&b.low_reservoir_alarm_ml);
            drug.intrathecal_morphine_equivalent
                .clone_from(&b.intrathecal_morphine_equivalent);
            drug.labelled_pumps.clone_from(&b.labelled_pumps);
            added.push(drug.display_name.clone());
        }
        self.version = 2;
        if !added.is_empty() {
            let line = format!(
                "Migrated from a version-1 library: the built-in drug rules (titration, new pump, combinations, strengths, guidance) were added for {}; every limit and value of the file is unchanged.",
                added.join(", ")
            );
            self.note = if self.note.is_empty() {
                line
            } else {
                format!("{} {line}", self.note)
            };
        }
        Ok(self)
    }

    /// Version 2 → 3. Version 2 named conditions in each limit and rule without declaring them;
    /// the built-in library worded its baclofen limits "maintenance, spasticity of … origin" and
    /// its titration rules "spasticity of … origin", so stating one condition switched the other
    /// set off. The former wording is read as the latter, and each drug's conditions are those its
    /// limits and rules name. Every value is unchanged.
    fn migrate_v2(mut self) -> Self {
        let mut renamed = false;
        for drug in &mut self.drugs {
            for limit in &mut drug.limits {
                if let Some(rest) = limit.condition.strip_prefix("maintenance, ") {
                    limit.condition = rest.to_owned();
                    renamed = true;
                }
            }
            if drug.conditions.is_empty() {
                let named = drug
                    .limits
                    .iter()
                    .map(|l| &l.condition)
                    .chain(drug.titration.iter().map(|t| &t.condition));
                for condition in named {
                    if !condition.is_empty() && !drug.conditions.contains(condition) {
                        drug.conditions.push(condition.clone());
                    }
                }
            }
        }
        self.version = LIBRARY_VERSION;
        if renamed {
            let line = "Migrated from a version-2 library: limits worded \u{201c}maintenance, spasticity of \u{2026} origin\u{201d} now name the condition as its titration rules do (\u{201c}spasticity of \u{2026} origin\u{201d}); every value is unchanged.";
            self.note = if self.note.is_empty() {
                line.to_owned()
            } else {
                format!("{} {line}", self.note)
            };
        }
        self
    }

    /// Replaces this library with an imported one, all or nothing: on any error `self` is left
    /// exactly as it was, so the library in force stays in force.
    ///
    /// # Errors
    /// [`LibraryError`] naming the drug and field.
    pub fn import(&mut self, text: &str) -> Result<(), LibraryError> {
        *self = Self::from_json(text)?;
        Ok(())
    }

    /// Sets one limit to an institution's value and severity, all or nothing. The limit's mark
    /// becomes [`Mark::Institution`] and its source records the edit, the date (passed in: the
    /// engine has no clock) and the default it replaced.
    ///
    /// # Errors
    /// [`LibraryError`] naming the drug and field when there is no such limit or the edited
    /// library would be invalid; `self` is then unchanged.
    pub fn edit_limit(
        &mut self,
        drug_id: &str,
        index: usize,
        value: f64,
        severity: Severity,
        on: jiff::civil::Date,
    ) -> Result<(), LibraryError> {
        let mut candidate = self.clone();
        let drug = candidate
            .drugs
            .iter_mut()
            .find(|d| d.id == drug_id)
            .ok_or_else(|| LibraryError(format!("no drug \u{201c}{drug_id}\u{201d}")))?;
        let family = drug.family;
        let limit = drug.limits.get_mut(index).ok_or_else(|| {
            LibraryError(format!(
                "drug \u{201c}{drug_id}\u{201d}, limits[{index}]: no such limit"
            ))
        })?;
        let unit = limit.quantity.unit(family);
        limit.source = format!(
            "set in itdose on {} (default {} [{}]: {})",
            crate::engine::quantities::format::iso_date(on.to_datetime(jiff::civil::Time::midnight())),
            with_unit(limit.value, &unit),
            limit.mark.letter(),
            limit.source
        );
        limit.value = value;
        limit.severity = severity;
        limit.mark = Mark::Institution;
        candidate.validate()?;
        *self = candidate;
        Ok(())
    }

    /// The library as pretty JSON, for export.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The drug with this id.
    pub fn get(&self, id: &str) -> Option<&DrugEntry> {
        self.drugs.iter().find(|d| d.id == id)
    }

    /// The regions the library's limits and rules name.
    pub fn regions(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .drugs
            .iter()
            .flat_map(|d| {
                d.limits
                    .iter()
                    .flat_map(|l| l.regions.iter())
                    .chain(d.titration.iter().flat_map(|t| t.regions.iter()))
            })
            .map(|r| r.trim().to_uppercase())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The region must be one the library's rules name: an unknown region would switch off every
    /// regional limit (ziconotide's hard maximum among them) without a word.
    fn validate_region(&self) -> Result<(), LibraryError> {
        let region = self.region.trim().to_uppercase();
        let known = self.regions();
        if region.is_empty() || (!known.is_empty() && !known.contains(&region)) {
            return Err(LibraryError(format!(
                "region: \u{201c}{}\u{201d} is not one of the regions its limits and rules name ({})",
                self.region,
                known.join(", ")
            )));
        }
        Ok(())
    }

    /// Checks every entry.
    ///
    /// # Errors
    /// [`LibraryError`] naming the drug and field.
    pub fn validate(&self) -> Result<(), LibraryError> {
        if self.format != LIBRARY_FORMAT {
            return Err(LibraryError(format!(
                "format is \u{201c}{}\u{201d}, expected \u{201c}{LIBRARY_FORMAT}\u{201d}",
                self.format
            )));
        }
        if self.version != LIBRARY_VERSION {
            return Err(LibraryError(format!(
                "version {} is not supported (this build reads versions 1 to {LIBRARY_VERSION})",
                self.version
            )));
        }
        self.validate_region()?;
        if self.drugs.is_empty() {
            return Err(LibraryError("the library has no drugs".into()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for drug in &self.drugs {
            if drug.id.trim().is_empty() {
                return Err(LibraryError("a drug has an empty id".into()));
            }
            if !seen.insert(drug.id.as_str()) {
                return Err(drug.error("id", "appears twice".into()));
            }
            drug.validate()?;
        }
        Ok(())
    }
}
