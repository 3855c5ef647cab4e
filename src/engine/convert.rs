//! From systemic opioids to intrathecal: a home regimen of several opioids to a total morphine
//! milligram equivalent (MME) with the CDC 2022 factors, then to a proposed intrathecal morphine
//! (or HYDROmorphone) daily dose at a ratio and a reduction the clinician chooses. The factors,
//! ratios and the HYDROmorphone potency are data with their sources and marks
//! (`data/opioids.json`). The result is a proposal: it is checked against the drug library's
//! starting range and limits, and never enters a pump programme by itself.

use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::{Bound, DrugLibrary, LimitQuantity, Severity};
use crate::engine::catalogue::pump::Mark;
use crate::engine::error::{Error, Field, Location, Problem, read_json};
use crate::engine::quantities::format::{format_number, with_unit};

/// The built-in table.
const BUILTIN: &str = include_str!("../../data/opioids.json");
/// The table's format tag.
pub const OPIOIDS_FORMAT: &str = "itdose-opioids";
/// At most this many opioids in one regimen.
pub const MAX_ITEMS: usize = 12;
/// At most this many bytes of factor-table JSON: the built-in table is 5 KB, and the table in
/// force is kept in the browser's local storage (5 MB, shared with the patient records).
pub const MAX_TABLE_BYTES: usize = 256 * 1024;
/// Ratios outside 10 : 1 to 1,000 : 1 are refused (our design: nothing sourced lies below
/// 10 : 1, and 3 typed for 300 would give 100 times the dose).
pub const RATIO_RANGE: (f64, f64) = (10.0, 1_000.0);
/// HYDROmorphone potencies outside 1 to 10 times intrathecal morphine are refused (our design).
pub const POTENCY_RANGE: (f64, f64) = (1.0, 10.0);
/// Reductions above 90 % are refused (our design: the clinician chooses, 0 to 90 %).
pub const MAX_REDUCTION_PERCENT: f64 = 90.0;
/// Daily amounts above this are refused as a likely unit slip (our design): mg/day.
pub const MAX_MG_PER_DAY: f64 = 10_000.0;
/// Patch rates above this are refused as a likely unit slip (our design): mcg/h.
pub const MAX_MCG_PER_HOUR: f64 = 1_000.0;

/// The unit a home opioid is taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegimenUnit {
    /// Oral daily total.
    #[serde(rename = "mg/day")]
    MgPerDay,
    /// Transdermal patch rate.
    #[serde(rename = "mcg/h")]
    McgPerHour,
}

impl RegimenUnit {
    /// "mg/day", "mcg/h".
    pub fn symbol(self) -> &'static str {
        match self {
            RegimenUnit::MgPerDay => "mg/day",
            RegimenUnit::McgPerHour => "mcg/h",
        }
    }

    fn max(self) -> f64 {
        match self {
            RegimenUnit::MgPerDay => MAX_MG_PER_DAY,
            RegimenUnit::McgPerHour => MAX_MCG_PER_HOUR,
        }
    }
}

/// One systemic opioid and its MME factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opioid {
    /// Id ("oxycodone", "fentanyl-patch").
    pub id: String,
    /// Display name, Tall Man where ISMP lists one.
    pub display_name: String,
    /// The unit its amount is given in.
    pub unit: RegimenUnit,
    /// MME per unit (mg/day of oral morphine per mg/day, or per mcg/h).
    pub factor: f64,
    /// The source's extra caution for this opioid (empty: none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caution: String,
    /// Where the factor comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// A sourced number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcedValue {
    /// The value.
    pub value: f64,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// An oral : intrathecal morphine ratio offered for choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    /// Id.
    pub id: String,
    /// In words.
    pub label: String,
    /// Oral mg per intrathecal mg.
    pub value: f64,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// A note with a threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdNote {
    /// The threshold, mg/day of intrathecal morphine.
    pub value: f64,
    /// The note.
    pub text: String,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// The conversion table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpioidTable {
    /// Always [`OPIOIDS_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// The systemic opioids.
    pub opioids: Vec<Opioid>,
    /// The ratios offered.
    pub ratios: Vec<Ratio>,
    /// Intrathecal HYDROmorphone's potency relative to intrathecal morphine.
    pub hydromorphone_potency: SourcedValue,
    /// The caution every conversion carries.
    pub general_caution: String,
    /// Its source.
    pub general_source: String,
    /// Serum morphine above a daily intrathecal dose.
    pub serum_note: ThresholdNote,
}

impl OpioidTable {
    /// The built-in table.
    ///
    /// # Errors
    /// At the conversion table when it is invalid (a test guarantees it is not).
    pub fn builtin() -> Result<Self, Error> {
        Self::parse(BUILTIN)
    }

    /// Reads and checks a table.
    ///
    /// # Errors
    /// At the conversion table: not JSON, another format, or a factor, ratio or potency that is
    /// not a positive number.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let mut table = Self::parse(text)?;
        let builtin = Self::parse(BUILTIN)?;
        let bad = |d: String| Error::invalid(Field::OpioidTable, d);
        for o in &mut table.opioids {
            let (low, high) = factor_range(&builtin, &o.id);
            if o.factor < low || o.factor > high {
                return Err(bad(format!(
                    "{}: the factor {} is outside {} to {}",
                    o.id,
                    format_number(o.factor),
                    format_number(low),
                    format_number(high)
                )));
            }
            let Some(default) = builtin.get(&o.id) else { continue };
            // A factor that is not the built-in one is the institution's, whatever the file says.
            if (o.factor - default.factor).abs() > 1e-12 && o.mark != Mark::Institution {
                o.source = format!(
                    "changed in an imported table (default {} [{}]: {})",
                    format_number(default.factor),
                    default.mark.letter(),
                    default.source
                );
                o.mark = Mark::Institution;
            }
            // The source's extra cautions are never lost with an imported table.
            if o.caution.trim().is_empty() {
                o.caution.clone_from(&default.caution);
            }
        }
        if table.general_caution.trim().is_empty() {
            table.general_caution = builtin.general_caution;
        }
        let (low, high) = RATIO_RANGE;
        if let Some(r) = table.ratios.iter().find(|r| r.value < low || r.value > high) {
            return Err(bad(format!(
                "ratio {}: {} : 1 is outside {} : 1 to {} : 1",
                r.id,
                format_number(r.value),
                format_number(low),
                format_number(high)
            )));
        }
        let (low, high) = POTENCY_RANGE;
        let potency = table.hydromorphone_potency.value;
        if !(low..=high).contains(&potency) {
            return Err(bad(format!(
                "the HYDROmorphone potency {} is outside {} to {}",
                format_number(potency),
                format_number(low),
                format_number(high)
            )));
        }
        Ok(table)
    }

    /// Reads a table and checks its form: JSON of this format and version, every number positive.
    fn parse(text: &str) -> Result<Self, Error> {
        let bad = |d: String| Error::invalid(Field::OpioidTable, d);
        if text.len() > MAX_TABLE_BYTES {
            return Err(bad(format!(
                "the file has {} bytes, more than the {MAX_TABLE_BYTES} a factor table may have",
                text.len()
            )));
        }
        let table: OpioidTable = read_json(text).map_err(|p| bad(format!("not a valid table: {p}")))?;
        if table.format != OPIOIDS_FORMAT || table.version != 1 {
            return Err(bad(format!("expected {OPIOIDS_FORMAT} version 1")));
        }
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if let Some(o) = table
            .opioids
            .iter()
            .find(|o| !positive(o.factor) || o.factor > MAX_FACTOR)
        {
            return Err(bad(format!(
                "{}: the factor must be a positive number up to {}",
                o.id,
                format_number(MAX_FACTOR)
            )));
        }
        if let Some(r) = table.ratios.iter().find(|r| !positive(r.value)) {
            return Err(bad(format!("ratio {}: must be a positive number", r.id)));
        }
        if !positive(table.hydromorphone_potency.value) {
            return Err(bad("the HYDROmorphone potency must be a positive number".into()));
        }
        Ok(table)
    }

    /// The opioid `id`.
    pub fn get(&self, id: &str) -> Option<&Opioid> {
        self.opioids.iter().find(|o| o.id == id)
    }

    /// Sets the factor of opioid `id` to the clinician's or institution's `value` on `on`: the
    /// source then says so and keeps the default with its mark and source; the mark becomes
    /// "set by your institution". Nothing changes on an error.
    ///
    /// # Errors
    /// At the conversion table: an unknown opioid, or a factor that is not a positive number in
    /// [`factor_range`].
    pub fn edit_factor(&mut self, id: &str, value: f64, on: jiff::civil::Date) -> Result<(), Error> {
        if !(value.is_finite() && value > 0.0) {
            return Err(Error::invalid(
                Field::OpioidTable,
                "the factor must be a positive number",
            ));
        }
        let builtin = Self::parse(BUILTIN)?;
        let (low, high) = factor_range(&builtin, id);
        if value < low || value > high {
            return Err(Error::invalid(
                Field::OpioidTable,
                format!(
                    "{id}: the factor {} is outside {} to {} (a tenth to four times the CDC's; check the decimal point)",
                    format_number(value),
                    format_number(low),
                    format_number(high)
                ),
            ));
        }
        let opioid = self.opioids.iter_mut().find(|o| o.id == id).ok_or_else(|| {
            Error::invalid(
                Field::OpioidTable,
                format!("no opioid \u{201c}{id}\u{201d} in the table"),
            )
        })?;
        let date = crate::engine::quantities::format::iso_date(on.to_datetime(jiff::civil::Time::midnight()));
        // A factor set before keeps the original default, not the previous setting.
        let default = match builtin.get(id) {
            Some(d) => format!(
                "(default {} [{}]: {})",
                format_number(d.factor),
                d.mark.letter(),
                d.source
            ),
            None => format!(
                "(before: {} [{}]: {})",
                format_number(opioid.factor),
                opioid.mark.letter(),
                opioid.source
            ),
        };
        opioid.source = format!("set in itdose on {date} {default}");
        opioid.factor = value;
        opioid.mark = Mark::Institution;
        Ok(())
    }

    /// The table as pretty JSON (the format [`OpioidTable::from_json`] reads).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The largest MME factor accepted for an opioid the built-in table does not have (our design: the
/// largest of the CDC 2022 factors offered is 5, HYDROmorphone; a factor of hundreds is a slipped
/// decimal point).
pub const MAX_FACTOR: f64 = 100.0;

/// The factors accepted for opioid `id`: a tenth to four times the built-in (CDC) factor (our
/// design: institutional tables differ from the CDC's by less, e.g. methadone's dose-dependent
/// factors of older tables reach about 2.5 times 4.7; a tenfold slip is refused either way);
/// above 0 and at most [`MAX_FACTOR`] for an opioid the built-in table does not have.
pub fn factor_range(builtin: &OpioidTable, id: &str) -> (f64, f64) {
    builtin
        .get(id)
        .map_or((f64::MIN_POSITIVE, MAX_FACTOR), |o| (o.factor / 10.0, o.factor * 4.0))
}

/// The intrathecal drug proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Intrathecal morphine.
    Morphine,
    /// Intrathecal HYDROmorphone (ratio unverified).
    Hydromorphone,
}

impl Target {
    /// Its name, Tall Man.
    pub fn display_name(self) -> &'static str {
        match self {
            Target::Morphine => "morphine",
            Target::Hydromorphone => "HYDROmorphone",
        }
    }

    /// The drug library id.
    pub fn drug(self) -> &'static str {
        match self {
            Target::Morphine => "morphine",
            Target::Hydromorphone => "hydromorphone",
        }
    }
}

/// One line of the home regimen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegimenItem {
    /// Opioid id.
    pub opioid: String,
    /// Amount in the opioid's unit.
    pub amount: f64,
}

/// What to convert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionInput {
    /// The home regimen.
    pub items: Vec<RegimenItem>,
    /// Oral : intrathecal morphine ratio (300 for 300 : 1).
    pub ratio: f64,
    /// Reduction for incomplete cross-tolerance, percent.
    pub reduction_percent: f64,
    /// The intrathecal drug.
    pub target: Target,
    /// HYDROmorphone's potency relative to intrathecal morphine, as the clinician set it (none:
    /// the table's unverified default).
    #[serde(default)]
    pub potency: Option<f64>,
}

/// One converted line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    /// The opioid.
    pub opioid: Opioid,
    /// Its amount, in its unit.
    pub amount: f64,
    /// amount × factor, mg/day of oral morphine.
    pub mme: f64,
}

/// The conversion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    /// Each line.
    pub items: Vec<ItemResult>,
    /// The sum of the lines' MME, mg/day.
    pub total_mme: f64,
    /// The ratio used.
    pub ratio: f64,
    /// The reduction used, percent.
    pub reduction_percent: f64,
    /// total ÷ ratio, mg/day of intrathecal morphine.
    pub it_morphine_unreduced: f64,
    /// After the reduction, mg/day of intrathecal morphine.
    pub it_morphine: f64,
    /// The drug proposed.
    pub target: Target,
    /// The HYDROmorphone potency used (HYDROmorphone only).
    pub potency: Option<SourcedValue>,
    /// The proposed intrathecal daily dose of the target, mg/day.
    pub daily_dose: f64,
}

fn amount_error(i: usize, problem: Problem) -> Error {
    Error::new(Field::RegimenAmount, problem).located(Location::Regimen(i))
}

/// Converts `input` with `table`.
///
/// # Errors
/// Every problem found: an empty regimen or more than [`MAX_ITEMS`] lines; at each line an
/// unknown opioid or an amount that is not a positive number within its bound; a ratio outside
/// [`RATIO_RANGE`]; a reduction outside 0 to [`MAX_REDUCTION_PERCENT`] %.
pub fn convert(input: &ConversionInput, table: &OpioidTable) -> Result<Conversion, Vec<Error>> {
    let mut errors = Vec::new();
    let items = read_items(input, table, &mut errors);
    check_parameters(input, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    finish(input, table, items)
}

/// Each line of the regimen, checked; the problems are added to `errors`.
fn read_items(input: &ConversionInput, table: &OpioidTable, errors: &mut Vec<Error>) -> Vec<ItemResult> {
    if input.items.is_empty() {
        errors.push(Error::invalid(Field::Regimen, "add at least one opioid"));
    }
    if input.items.len() > MAX_ITEMS {
        errors.push(Error::invalid(Field::Regimen, format!("at most {MAX_ITEMS} opioids")));
    }
    let mut items = Vec::new();
    for (i, item) in input.items.iter().enumerate() {
        let Some(opioid) = table.get(&item.opioid) else {
            errors.push(
                Error::invalid(
                    Field::RegimenOpioid,
                    format!("\u{201c}{}\u{201d} is not in the table", item.opioid),
                )
                .located(Location::Regimen(i)),
            );
            continue;
        };
        let a = item.amount;
        let unit = opioid.unit;
        if !a.is_finite() {
            errors.push(amount_error(i, Problem::NotFinite));
        } else if a < 0.0 {
            errors.push(amount_error(i, Problem::Negative));
        } else if a <= 0.0 {
            errors.push(amount_error(i, Problem::Zero));
        } else if a > unit.max() {
            errors.push(amount_error(
                i,
                Problem::Above {
                    value: with_unit(a, unit.symbol()),
                    bound: with_unit(unit.max(), unit.symbol()),
                    bound_name: "the largest amount accepted (check the unit)".into(),
                },
            ));
        } else {
            items.push(ItemResult {
                opioid: opioid.clone(),
                amount: a,
                mme: a * opioid.factor,
            });
        }
    }
    items
}

/// The ratio, the reduction and the potency, checked; the problems are added to `errors`.
fn check_parameters(input: &ConversionInput, errors: &mut Vec<Error>) {
    let (low, high) = RATIO_RANGE;
    if !(input.ratio.is_finite() && input.ratio >= low && input.ratio <= high) {
        errors.push(Error::invalid(
            Field::ConversionRatio,
            format!(
                "{} : 1 is outside {} : 1 to {} : 1",
                format_number(input.ratio),
                format_number(low),
                format_number(high)
            ),
        ));
    }
    let r = input.reduction_percent;
    if !(r.is_finite() && (0.0..=MAX_REDUCTION_PERCENT).contains(&r)) {
        errors.push(Error::invalid(
            Field::Reduction,
            format!(
                "{} % is outside 0 to {} %",
                format_number(r),
                format_number(MAX_REDUCTION_PERCENT)
            ),
        ));
    }
    let (plow, phigh) = POTENCY_RANGE;
    if let Some(p) = input.potency
        && !(p.is_finite() && (plow..=phigh).contains(&p))
    {
        errors.push(Error::invalid(
            Field::Potency,
            format!(
                "{} times is outside {} to {} times",
                format_number(p),
                format_number(plow),
                format_number(phigh)
            ),
        ));
    }
}

/// The arithmetic, on checked input.
fn finish(input: &ConversionInput, table: &OpioidTable, items: Vec<ItemResult>) -> Result<Conversion, Vec<Error>> {
    let r = input.reduction_percent;
    let total_mme: f64 = items.iter().map(|i| i.mme).sum();
    let it_morphine_unreduced = total_mme / input.ratio;
    let it_morphine = it_morphine_unreduced * (100.0 - r) / 100.0;
    let (potency, daily_dose) = match input.target {
        Target::Morphine => (None, it_morphine),
        Target::Hydromorphone => {
            let mut p = table.hydromorphone_potency.clone();
            if let Some(v) = input.potency {
                p.value = v;
            }
            let dose = it_morphine / p.value;
            (Some(p), dose)
        }
    };
    Ok(Conversion {
        items,
        total_mme,
        ratio: input.ratio,
        reduction_percent: r,
        it_morphine_unreduced,
        it_morphine,
        target: input.target,
        potency,
        daily_dose,
    })
}

/// How the proposed dose stands against the drug library: its usual starting range and its
/// daily-dose limits in `region`, each in words with its source and mark.
pub fn library_checks(conversion: &Conversion, library: &DrugLibrary) -> Vec<String> {
    let Some(drug) = library.get(conversion.target.drug()) else {
        return vec![format!(
            "The drug library has no {}: the proposal cannot be checked against it.",
            conversion.target.display_name()
        )];
    };
    let dose = conversion.daily_dose;
    let unit = "mg/day";
    if drug.family != crate::engine::quantities::units::MassFamily::Mg {
        return vec![format!(
            "The drug library doses {} in {}, not mg: the proposal (in mg/day) is not checked against it.",
            drug.display_name,
            drug.family.symbol()
        )];
    }
    let mut out = Vec::new();
    if let Some(start) = &drug.start_dose_per_day {
        let place = if dose < start.low {
            "below"
        } else if dose > start.high {
            "above"
        } else {
            "within"
        };
        out.push(format!(
            "{} is {place} the drug library's starting range for {} ({} to {}; {}, mark {}). A patient converted from systemic opioids is opioid-tolerant: read which patients the range is for.",
            with_unit(dose, unit),
            drug.display_name,
            format_number(start.low),
            with_unit(start.high, unit),
            start.source,
            start.mark.letter()
        ));
    }
    for limit in drug
        .limits
        .iter()
        .filter(|l| l.quantity == LimitQuantity::DailyDose && l.applies_in(&library.region))
    {
        let crossed = match limit.bound {
            Bound::Max => dose > limit.value,
            Bound::Min => dose < limit.value,
        };
        if crossed {
            let severity = match limit.severity {
                Severity::Hard => "hard",
                Severity::Soft => "soft",
                Severity::Info => "information",
            };
            out.push(format!(
                "{} crosses the library's {severity} {} limit of {} ({}, mark {}).",
                with_unit(dose, unit),
                if limit.bound == Bound::Max {
                    "maximum"
                } else {
                    "minimum"
                },
                with_unit(limit.value, unit),
                limit.source,
                limit.mark.letter()
            ));
        }
    }
    out
}
