//! The engine's one error type. Every error names the field it is about and, where there is one,
//! the bound that was crossed, in words a clinician can act on.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::quantities::units::QuantityError;

/// An input (or derived figure) the engine checks. With a [`Location`], [`element_id`] names the
/// input an error belongs next to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The pump's reservoir capacity.
    PumpCapacity,
    /// The pump's minimum programmable flow rate.
    PumpMinimumRate,
    /// Volume put into the reservoir at this fill.
    FillVolume,
    /// Drug concentration in the reservoir.
    Concentration,
    /// Target daily dose.
    DailyDose,
    /// Flow rate (entered or derived from dose and concentration).
    FlowRate,
    /// Reservoir volume at which the low-reservoir alarm sounds.
    LowReservoirAlarm,
    /// Date of the fill.
    FillDate,
    /// Time of day of the fill.
    FillTime,
    /// Which pump model.
    Pump,
    /// The fixed rate of a constant-flow pump.
    FixedRate,
    /// The list of drugs in the reservoir.
    Drugs,
    /// Which drug (from the library) a line is.
    Drug,
    /// Which drug leads the titration.
    LeadDrug,
    /// How the programme is set (lead dose, rate, constant flow).
    Programme,
    /// Strength of a stock vial for compounding.
    StockStrength,
    /// Extra volume compounded to prime the refill kit.
    ExtraVolume,
    /// An acknowledgement of a soft limit.
    Acknowledgement,
    /// The plan file as a whole (format, version).
    PlanFile,
    /// A share link (its version, size, compression).
    ShareLink,
    /// A patient record (file or stored text) as a whole.
    RecordFile,
    /// A patient record's implant date.
    ImplantDate,
    /// The home regimen of systemic opioids as a whole.
    Regimen,
    /// A systemic opioid of the regimen.
    RegimenOpioid,
    /// Its amount (mg/day, or mcg/h for a patch).
    RegimenAmount,
    /// The oral : intrathecal morphine ratio.
    ConversionRatio,
    /// The reduction for incomplete cross-tolerance, percent.
    Reduction,
    /// The conversion table (MME factors, ratios).
    OpioidTable,
    /// Intrathecal HYDROmorphone's potency relative to intrathecal morphine.
    Potency,
    /// A visit's date in the outcome log.
    OutcomeDate,
    /// A visit's time in the outcome log.
    OutcomeTime,
    /// Pain now, 0 to 10.
    PainNow,
    /// Worst pain since the last visit, 0 to 10.
    PainWorst,
    /// Systemic opioids, MME in mg/day.
    SystemicMme,
    /// The outcome markers' thresholds (data).
    OutcomeThresholds,
    /// The titration planner's target daily dose.
    TitrationTarget,
    /// The titration planner's first date.
    TitrationStart,
    /// A systemic taper's step, percent of the starting total.
    TaperPercent,
    /// Days between a systemic taper's steps.
    TaperDays,
    /// A systemic taper's first date.
    TaperStart,
    /// The titration rule the planner follows (the library's, or the clinician's own).
    TitrationRule,
    /// The clinician's own rule: the largest rise per step, in the drug's unit per day.
    OwnStep,
    /// The clinician's own rule: the largest rise per step, percent of the dose.
    OwnPercent,
    /// The clinician's own rule: days between rises.
    OwnDays,
    /// The delivery schedule as a whole.
    Schedule,
    /// A refill visit as a whole.
    Visit,
    /// The CSF model as a whole.
    Pk,
    /// The condition a drug is given for.
    Condition,
    /// The CSF model's window, days.
    Window,
    /// Whether this is the first fill of a new pump.
    NewPump,
    /// The device end-of-service date.
    EndOfService,
    /// The time of day of the device's end of service.
    EndOfServiceTime,
    /// A flex step's start time.
    Start,
    /// A flex step's dose.
    Dose,
    /// A bolus volume.
    Volume,
    /// A bolus or scan duration.
    Duration,
    /// A periodic bolus interval.
    Interval,
    /// A date (of a bolus, visit, scan or change).
    Date,
    /// A time of day (of a bolus, visit, scan or change).
    Time,
    /// A patient bolus lockout.
    Lockout,
    /// Patient boluses allowed per 24 hours.
    MaxPerDay,
    /// Typical patient boluses a day.
    TypicalPerDay,
    /// Volume withdrawn at a visit.
    Withdrawn,
    /// Volume injected at a visit.
    NewFill,
    /// The pump's expected reservoir volume at a visit.
    PumpExpected,
    /// Patient boluses the pump logged since the fill.
    PatientBoluses,
    /// Volume confirmed in the reservoir after a refill.
    Confirmed,
    /// Pump tubing ahead of the catheter.
    Tubing,
    /// Implanted catheter length.
    Length,
    /// Catheter volume per cm.
    PerCm,
    /// Residual left in the pump after aspiration.
    Residual,
    /// Patient weight.
    Weight,
    /// A drug's concentration in the solution being replaced.
    Previous,
    /// A CSF half-life override.
    HalfLife,
    /// A CSF volume override.
    CsfVolume,
    /// A two-compartment rate, central to peripheral.
    K12,
    /// A two-compartment rate, peripheral to central.
    K21,
    /// Dose rises in the 7 days before this change.
    Rises,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 78] = [
        Field::EndOfServiceTime,
        Field::Condition,
        Field::Window,
        Field::PumpCapacity,
        Field::PumpMinimumRate,
        Field::FillVolume,
        Field::Concentration,
        Field::DailyDose,
        Field::FlowRate,
        Field::LowReservoirAlarm,
        Field::FillDate,
        Field::FillTime,
        Field::Pump,
        Field::FixedRate,
        Field::Drugs,
        Field::Drug,
        Field::LeadDrug,
        Field::Programme,
        Field::StockStrength,
        Field::ExtraVolume,
        Field::Acknowledgement,
        Field::PlanFile,
        Field::ShareLink,
        Field::RecordFile,
        Field::ImplantDate,
        Field::Regimen,
        Field::RegimenOpioid,
        Field::RegimenAmount,
        Field::ConversionRatio,
        Field::Reduction,
        Field::OpioidTable,
        Field::Potency,
        Field::OutcomeDate,
        Field::OutcomeTime,
        Field::PainNow,
        Field::PainWorst,
        Field::SystemicMme,
        Field::OutcomeThresholds,
        Field::TitrationTarget,
        Field::TitrationStart,
        Field::TaperPercent,
        Field::TaperDays,
        Field::TaperStart,
        Field::TitrationRule,
        Field::OwnStep,
        Field::OwnPercent,
        Field::OwnDays,
        Field::Schedule,
        Field::Visit,
        Field::Pk,
        Field::NewPump,
        Field::EndOfService,
        Field::Start,
        Field::Dose,
        Field::Volume,
        Field::Duration,
        Field::Interval,
        Field::Date,
        Field::Time,
        Field::Lockout,
        Field::MaxPerDay,
        Field::TypicalPerDay,
        Field::Withdrawn,
        Field::NewFill,
        Field::PumpExpected,
        Field::PatientBoluses,
        Field::Confirmed,
        Field::Tubing,
        Field::Length,
        Field::PerCm,
        Field::Residual,
        Field::Weight,
        Field::Previous,
        Field::HalfLife,
        Field::CsfVolume,
        Field::K12,
        Field::K21,
        Field::Rises,
    ];

    /// A stable key, used for element ids and in saved files.
    pub fn key(self) -> &'static str {
        match self {
            Field::PumpCapacity => "pump_capacity",
            Field::PumpMinimumRate => "pump_minimum_rate",
            Field::FillVolume => "fill_volume",
            Field::Concentration => "concentration",
            Field::DailyDose => "daily_dose",
            Field::FlowRate => "flow_rate",
            Field::LowReservoirAlarm => "low_reservoir_alarm",
            Field::FillDate => "fill_date",
            Field::FillTime => "fill_time",
            Field::Pump => "pump",
            Field::FixedRate => "fixed_rate",
            Field::Drugs => "drugs",
            Field::Drug => "drug",
            Field::LeadDrug => "lead_drug",
            Field::Programme => "programme",
            Field::StockStrength => "stock_strength",
            Field::ExtraVolume => "extra_volume",
            Field::Acknowledgement => "acknowledgement",
            Field::PlanFile => "plan_file",
            Field::ShareLink => "share_link",
            Field::RecordFile => "record_file",
            Field::ImplantDate => "implanted_on",
            Field::Regimen => "regimen",
            Field::RegimenOpioid => "opioid",
            Field::RegimenAmount => "amount",
            Field::ConversionRatio => "conversion_ratio",
            Field::Reduction => "reduction",
            Field::OpioidTable => "opioid_table",
            Field::Potency => "potency",
            Field::OutcomeDate => "outcome_date",
            Field::OutcomeTime => "outcome_time",
            Field::PainNow => "pain_now",
            Field::PainWorst => "pain_worst",
            Field::SystemicMme => "systemic_mme",
            Field::OutcomeThresholds => "outcome_thresholds",
            Field::TitrationTarget => "titration_target",
            Field::TitrationStart => "titration_start",
            Field::TaperPercent => "taper_percent",
            Field::TaperDays => "taper_days",
            Field::TaperStart => "taper_start",
            Field::TitrationRule => "titration_rule",
            Field::OwnStep => "own_step",
            Field::OwnPercent => "own_percent",
            Field::OwnDays => "own_days",
            Field::Schedule => "schedule",
            Field::Visit => "visit",
            Field::Pk => "pk",
            Field::Condition => "condition",
            Field::Window => "csf_window",
            Field::NewPump => "new_pump",
            Field::EndOfService => "end_of_service",
            Field::EndOfServiceTime => "end_of_service_time",
            Field::Start => "start",
            Field::Dose => "dose",
            Field::Volume => "volume",
            Field::Duration => "duration",
            Field::Interval => "interval",
            Field::Date => "date",
            Field::Time => "time",
            Field::Lockout => "lockout",
            Field::MaxPerDay => "max_per_day",
            Field::TypicalPerDay => "typical_per_day",
            Field::Withdrawn => "withdrawn",
            Field::NewFill => "new_fill",
            Field::PumpExpected => "pump_expected",
            Field::PatientBoluses => "patient_boluses",
            Field::Confirmed => "confirmed",
            Field::Tubing => "tubing",
            Field::Length => "length",
            Field::PerCm => "per_cm",
            Field::Residual => "residual",
            Field::Weight => "weight",
            Field::Previous => "previous",
            Field::HalfLife => "half_life",
            Field::CsfVolume => "csf_volume",
            Field::K12 => "k12",
            Field::K21 => "k21",
            Field::Rises => "rises",
        }
    }

    /// The name shown to the user.
    pub fn label(self) -> &'static str {
        match self {
            Field::PumpCapacity => "Pump capacity",
            Field::PumpMinimumRate => "Pump minimum rate",
            Field::FillVolume => "Fill volume",
            Field::Concentration => "Concentration",
            Field::DailyDose => "Daily dose",
            Field::FlowRate => "Flow rate",
            Field::LowReservoirAlarm => "Low-reservoir alarm",
            Field::FillDate => "Fill date",
            Field::FillTime => "Fill time",
            Field::Pump => "Pump",
            Field::FixedRate => "Fixed flow rate",
            Field::Drugs => "Drugs",
            Field::Drug => "Drug",
            Field::LeadDrug => "Lead drug",
            Field::Programme => "Programme",
            Field::StockStrength => "Stock strength",
            Field::ExtraVolume => "Extra volume to prime the refill kit",
            Field::Acknowledgement => "Acknowledgement",
            Field::PlanFile => "Plan file",
            Field::ShareLink => "Share link",
            Field::RecordFile => "Patient record",
            Field::ImplantDate => "Implant date",
            Field::Regimen => "Home regimen",
            Field::RegimenOpioid => "Opioid",
            Field::RegimenAmount => "Amount",
            Field::ConversionRatio => "Oral : intrathecal ratio",
            Field::Reduction => "Reduction",
            Field::OpioidTable => "Conversion table",
            Field::Potency => "HYDROmorphone potency",
            Field::OutcomeDate => "Visit date",
            Field::OutcomeTime => "Visit time",
            Field::PainNow => "Pain now",
            Field::PainWorst => "Worst pain",
            Field::SystemicMme => "Systemic MME",
            Field::OutcomeThresholds => "Outcome thresholds",
            Field::TitrationTarget => "Target daily dose",
            Field::TitrationStart => "First rise no earlier than",
            Field::TaperPercent => "Step",
            Field::TaperDays => "Days between steps",
            Field::TaperStart => "First step on",
            Field::TitrationRule => "Titration rule",
            Field::OwnStep => "Your largest rise per step",
            Field::OwnPercent => "Your largest rise per step (%)",
            Field::OwnDays => "Your days between rises",
            Field::Schedule => "Schedule",
            Field::Visit => "Refill visit",
            Field::Pk => "CSF model",
            Field::Condition => "condition",
            Field::Window => "Model window",
            Field::NewPump => "First fill of a new pump",
            Field::EndOfService => "Device end of service",
            Field::EndOfServiceTime => "Device end of service time",
            Field::Start => "start",
            Field::Dose => "dose",
            Field::Volume => "volume",
            Field::Duration => "duration",
            Field::Interval => "interval",
            Field::Date => "date",
            Field::Time => "time",
            Field::Lockout => "lockout",
            Field::MaxPerDay => "maximum per 24 h",
            Field::TypicalPerDay => "typical per day",
            Field::Withdrawn => "withdrawn volume",
            Field::NewFill => "new fill",
            Field::PumpExpected => "pump's expected volume",
            Field::PatientBoluses => "patient boluses logged",
            Field::Confirmed => "volume confirmed after the refill",
            Field::Tubing => "pump tubing",
            Field::Length => "catheter length",
            Field::PerCm => "catheter volume per cm",
            Field::Residual => "residual",
            Field::Weight => "weight",
            Field::Previous => "concentration being replaced",
            Field::HalfLife => "CSF half-life",
            Field::CsfVolume => "CSF volume",
            Field::K12 => "k12",
            Field::K21 => "k21",
            Field::Rises => "rises in the past 7 days",
        }
    }
}

/// Where in the plan a field is: which drug line, flex step, bolus, or which part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "in", content = "index", rename_all = "snake_case")]
pub enum Location {
    /// A drug line (0-based).
    Drug(usize),
    /// A flex step (0-based).
    FlexStep(usize),
    /// A periodic bolus (0-based).
    PeriodicBolus(usize),
    /// A single bolus (0-based).
    SingleBolus(usize),
    /// The patient-activated bolus.
    PatientBolus,
    /// The priming bolus.
    Priming,
    /// The bridge bolus.
    Bridge,
    /// The titration history of the current programme.
    Titration,
    /// The refill visit.
    Visit,
    /// The catheter, residual and weight of the CSF model.
    Catheter,
    /// The MRI scan.
    Mri,
    /// A systemic opioid of the home regimen (0-based).
    Regimen(usize),
}

impl Location {
    /// The prefix of the element ids of this location's inputs: "drug-0", "flex-1", "visit".
    pub fn prefix(self) -> String {
        match self {
            Location::Drug(i) => format!("drug-{i}"),
            Location::FlexStep(i) => format!("flex-{i}"),
            Location::PeriodicBolus(i) => format!("periodic-{i}"),
            Location::SingleBolus(i) => format!("single-{i}"),
            Location::PatientBolus => "ptm".into(),
            Location::Priming => "priming".into(),
            Location::Bridge => "bridge".into(),
            Location::Titration => "titration".into(),
            Location::Visit => "visit".into(),
            Location::Catheter => "csf".into(),
            Location::Mri => "mri".into(),
            Location::Regimen(i) => format!("regimen-{i}"),
        }
    }

    /// The location in words: "Drug 1", "Flex step 2", "Refill visit".
    pub fn label(self) -> String {
        match self {
            Location::Drug(i) => format!("Drug {}", i + 1),
            Location::FlexStep(i) => format!("Flex step {}", i + 1),
            Location::PeriodicBolus(i) => format!("Periodic bolus {}", i + 1),
            Location::SingleBolus(i) => format!("Single bolus {}", i + 1),
            Location::PatientBolus => "Patient bolus".into(),
            Location::Priming => "Priming bolus".into(),
            Location::Bridge => "Bridge bolus".into(),
            Location::Titration => "Last dose change".into(),
            Location::Visit => "Refill visit".into(),
            Location::Catheter => "Catheter".into(),
            Location::Mri => "MRI".into(),
            Location::Regimen(i) => format!("Opioid {}", i + 1),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What is wrong with a field's value. Values and bounds are carried already ISMP-formatted with
/// their unit, so the message reads exactly as the screen shows numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// Empty input.
    Missing,
    /// Text that is not a plain decimal number.
    NotANumber {
        /// What the user typed.
        text: String,
        /// Why it was refused.
        hint: String,
    },
    /// Text that is not a date or a time of the form asked for, or a day that does not exist.
    NotADateOrTime {
        /// What the user typed.
        text: String,
        /// "a date" or "a time".
        what: String,
        /// Why it was refused.
        hint: String,
    },
    /// NaN or infinite.
    NotFinite,
    /// Below zero.
    Negative,
    /// Zero where only a positive value makes sense.
    Zero,
    /// Above a bound.
    Above {
        /// The value, with unit.
        value: String,
        /// The bound, with unit.
        bound: String,
        /// What the bound is, e.g. "the pump capacity".
        bound_name: String,
    },
    /// Below a bound.
    Below {
        /// The value, with unit.
        value: String,
        /// The bound, with unit.
        bound: String,
        /// What the bound is, e.g. "the pump's minimum rate".
        bound_name: String,
    },
    /// Not strictly below a bound (equal counts as a violation).
    NotBelow {
        /// The value, with unit.
        value: String,
        /// The bound, with unit.
        bound: String,
        /// What the bound is, e.g. "the fill volume".
        bound_name: String,
    },
    /// A value entered in the other unit family (mg for a mcg drug, or the reverse). Never converted.
    WrongFamily {
        /// The drug's display name.
        drug: String,
        /// The unit the drug is dosed in, e.g. "mcg/mL".
        expected: String,
        /// The unit that was entered.
        found: String,
    },
    /// Anything else, in words.
    Invalid {
        /// What is wrong.
        detail: String,
    },
    /// Outside what can be represented (a date beyond year 9999, for example).
    OutOfRange {
        /// What went out of range.
        detail: String,
    },
}

/// An invalid input: which field (where: which drug line, flex step, bolus, …), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Error {
    /// The field the error is about.
    pub field: Field,
    /// Where the field is, when it is not a top-level input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Location>,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => write!(
                f,
                "{}, {}: {}",
                at.label(),
                self.field.label().to_lowercase(),
                self.problem
            ),
            None => write!(f, "{}: {}", self.field, self.problem),
        }
    }
}

impl std::error::Error for Error {}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing => f.write_str("enter a value"),
            Problem::NotANumber { text, hint } => {
                write!(f, "\u{201c}{text}\u{201d} is not a number ({hint})")
            }
            Problem::NotADateOrTime { text, what, hint } => {
                write!(f, "\u{201c}{text}\u{201d} is not {what} ({hint})")
            }
            Problem::NotFinite => f.write_str("must be a finite number"),
            Problem::Negative => f.write_str("cannot be negative"),
            Problem::Zero => f.write_str("must be greater than 0"),
            Problem::Above {
                value,
                bound,
                bound_name,
            } => {
                write!(f, "{value} is above {bound_name} of {bound}")
            }
            Problem::Below {
                value,
                bound,
                bound_name,
            } => {
                write!(f, "{value} is below {bound_name} of {bound}")
            }
            Problem::NotBelow {
                value,
                bound,
                bound_name,
            } => {
                write!(f, "{value} must be below {bound_name} of {bound}")
            }
            Problem::OutOfRange { detail } => write!(f, "out of range: {detail}"),
            Problem::WrongFamily { drug, expected, found } => write!(
                f,
                "{found} was entered, but {drug} is dosed in {expected}: re-enter it in {expected} (nothing is converted)"
            ),
            Problem::Invalid { detail } => f.write_str(detail),
        }
    }
}

impl Error {
    /// An error about `field`.
    pub fn new(field: Field, problem: Problem) -> Self {
        Self {
            field,
            at: None,
            problem,
        }
    }

    /// The same error, about drug line `index` (0-based).
    #[must_use]
    pub fn for_drug(self, index: usize) -> Self {
        self.located(Location::Drug(index))
    }

    /// The same error, at `location`.
    #[must_use]
    pub fn located(mut self, location: Location) -> Self {
        self.at = Some(location);
        self
    }

    /// An error described in words.
    pub fn invalid(field: Field, detail: impl Into<String>) -> Self {
        Self::new(field, Problem::Invalid { detail: detail.into() })
    }

    /// The id of the element this error belongs next to: "fill_volume", "drug-1-concentration",
    /// "flex-0-start".
    pub fn element_id(&self) -> String {
        element_id(self.field, self.at)
    }

    /// "value is above bound_name of bound".
    pub fn above(field: Field, value: String, bound: String, bound_name: &str) -> Self {
        Self::new(
            field,
            Problem::Above {
                value,
                bound,
                bound_name: bound_name.to_owned(),
            },
        )
    }

    /// "value is below bound_name of bound".
    pub fn below(field: Field, value: String, bound: String, bound_name: &str) -> Self {
        Self::new(
            field,
            Problem::Below {
                value,
                bound,
                bound_name: bound_name.to_owned(),
            },
        )
    }
}

/// Reads a JSON text into `T` as `serde_json::from_str` does, but a refusal also says where in the
/// file it is: the keys and indexes down to the place the reader stopped
/// ("drugs[0].concentration"), then the reader's own message as [`json_problem`] gives it (with its
/// line and column). A path of a hostile file (a key of 1 MB) is cut short like the message.
///
/// The path is found again in the text from the reader's line and column ([`json_path_at`]), not
/// by a tracking reader (`serde_path_to_error`): measured, that crate's wrappers of every derived
/// reader added 39 KB gzip to the app for this one message.
///
/// # Errors
/// That message, when the text is not JSON or does not fit `T`.
pub fn read_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    read_json_within(text, None)
}

/// [`read_json`] for a text taken out of a larger file (a plan inside a record): `within` is where
/// it was in that file ("history[2].plan"). The path is said from the file's top, and the line and
/// column are left out: they would count in the text taken out, not in the file.
///
/// # Errors
/// As [`read_json`].
pub fn read_json_within<T: serde::de::DeserializeOwned>(text: &str, within: Option<&str>) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| {
        let mut problem = json_problem(&e);
        let mut path = json_path_at(text, e.line(), e.column());
        if let Some(outer) = within {
            let position = format!(" at line {} column {}", e.line(), e.column());
            if let Some(short) = problem.strip_suffix(&position) {
                problem = short.to_owned();
            }
            path = match path.chars().next() {
                None => outer.to_owned(),
                Some('[') => format!("{outer}{path}"),
                Some(_) => format!("{outer}.{path}"),
            };
        }
        if path.is_empty() {
            problem
        } else if path.chars().count() <= 120 {
            format!("{path}: {problem}")
        } else {
            format!("{}\u{2026}: {problem}", path.chars().take(80).collect::<String>())
        }
    })
}

/// The keys and indexes that lead to line `line`, column `column` (1-based, in bytes, as
/// serde_json counts them) of a JSON text: `drugs[0].concentration`; empty at the top level.
/// It follows the text's nesting only (objects, arrays, strings with their escapes): it reads no
/// values and never fails; text that is not JSON gives the path as far as it went. Where the reader
/// stopped past a closing bracket or brace (a value checked after the last element or key was
/// read, a tagged programme read whole before its fields are checked), the path names that array
/// or object, not the element inside it: shorter, never another key.
pub fn json_path_at(text: &str, line: usize, column: usize) -> String {
    enum Frame {
        /// An object, and the key whose value is being read (None before the first key, and
        /// between a comma and the next key).
        Object(Option<String>),
        /// An array and the index of the element being read.
        Array(usize),
    }
    let bytes = text.as_bytes();
    // The byte offset of (line, column).
    let mut start = 0;
    for _ in 1..line {
        match bytes
            .get(start..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let end = start.saturating_add(column).min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut expecting_key = false;
    // A comma counts only once the next element or key begins: a reader that checks a value
    // after reading it may stop just past the comma that follows it.
    let mut comma = false;
    let mut i = 0;
    while i < end {
        let Some(&b) = bytes.get(i) else { break };
        if comma && !b.is_ascii_whitespace() {
            comma = false;
            match stack.last_mut() {
                Some(Frame::Array(index)) => *index += 1,
                Some(Frame::Object(key)) => {
                    *key = None;
                    expecting_key = true;
                }
                None => {}
            }
        }
        match b {
            b'{' => {
                stack.push(Frame::Object(None));
                expecting_key = true;
            }
            b'[' => {
                stack.push(Frame::Array(0));
                expecting_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expecting_key = false;
            }
            b',' => comma = true,
            b'"' => {
                // A string: up to the closing quote that is not escaped.
                let mut j = i + 1;
                while let Some(&c) = bytes.get(j) {
                    match c {
                        b'\\' => j += 2,
                        b'"' => break,
                        _ => j += 1,
                    }
                }
                if expecting_key && let Some(Frame::Object(key)) = stack.last_mut() {
                    let raw = bytes.get(i + 1..j.min(bytes.len())).unwrap_or_default();
                    *key = Some(String::from_utf8_lossy(raw).into_owned());
                    expecting_key = false;
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object(None) => break,
            Frame::Array(index) => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// A JSON reader's message about a file, short enough to read: the reader quotes what it found,
/// and a string of 1 MB where a number belongs was quoted whole. Its start, and where it is.
pub fn json_problem(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.chars().count() <= 200 {
        return text;
    }
    let start: String = text.chars().take(120).collect();
    format!("{start}\u{2026} at line {} column {}", e.line(), e.column())
}

/// The id of the input for `field` at `at`: "fill_volume", "drug-1-concentration", "flex-0-start".
pub fn element_id(field: Field, at: Option<Location>) -> String {
    match at {
        Some(at) => format!("{}-{}", at.prefix(), field.key()),
        None => field.key().to_owned(),
    }
}

impl QuantityError {
    /// Attaches the field this value was entered in.
    pub fn at(self, field: Field) -> Error {
        let problem = match self {
            QuantityError::NotFinite => Problem::NotFinite,
            QuantityError::Negative => Problem::Negative,
        };
        Error::new(field, problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde_json's own error position, located again in the text.
    fn located<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
        match read_json::<T>(text) {
            Ok(v) => format!("read: {v:?}"),
            Err(message) => message,
        }
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Dose {
        unit: String,
        value: f64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Drug {
        name: String,
        dose: Dose,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct File {
        drugs: Vec<Drug>,
        note: String,
    }

    #[test]
    fn a_refused_file_names_the_key_that_does_not_fit() {
        // A wrong type two levels down, in the second element.
        let text = "{\n  \"drugs\": [\n    {\"name\": \"a\", \"dose\": {\"unit\": \"mg\", \"value\": 1}},\n    {\"name\": \"b\", \"dose\": {\"unit\": \"mg\", \"value\": \"ten\"}}\n  ],\n  \"note\": \"\"\n}";
        let message = located::<File>(text);
        assert!(
            message.starts_with("drugs[1].dose.value: invalid type: string \"ten\""),
            "{message}"
        );
        // Line 4, through the closing quote of "ten": 4 spaces + `{"name": "b", ` 14 + `"dose": ` 8
        // + `{"unit": "mg", ` 15 + `"value": ` 9 + `"ten"` 5 = 55.
        assert!(message.ends_with("at line 4 column 55"), "{message}");
        // Brackets, braces, commas and escaped quotes inside strings are text, not structure; a
        // key with multi-byte letters counts its bytes as serde_json does.
        let text =
            r#"{"note": "a [ { , \" } ]", "drugs": [{"name": "µ-\"x\" [", "dose": {"unit": "µg", "vålue": 1}}]}"#;
        let message = located::<File>(text);
        assert!(
            message.starts_with("drugs[0].dose.vålue: unknown field `vålue`"),
            "{message}"
        );
        // A missing field is said of the object it is missing from.
        let message = located::<File>(r#"{"drugs": [{"name": "a", "dose": {"unit": "mg"}}], "note": ""}"#);
        assert!(message.starts_with("drugs[0].dose: missing field `value`"), "{message}");
        // At the top level there is no path: the message alone.
        let message = located::<File>(r#"{"drugs": []}"#);
        assert!(message.starts_with("missing field `note`"), "{message}");
        let message = located::<File>("{ not json");
        assert!(message.starts_with("key must be a string"), "{message}");
        // After a comma, before the next key: the object itself.
        let message = located::<File>(r#"{"drugs": [], "note": "", }"#);
        assert!(message.starts_with("trailing comma"), "{message}");
        assert_eq!(
            located::<File>(r#"{"drugs": [], "note": "n"}"#),
            r#"read: File { drugs: [], note: "n" }"#
        );
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Volumes {
        each: Vec<crate::engine::quantities::units::Millilitres>,
        last: crate::engine::quantities::units::Millilitres,
    }

    #[test]
    fn a_value_checked_after_it_is_read_is_named_itself() {
        // A volume is checked once read (it must not be negative), and serde_json says where it
        // stopped: past the comma that follows. The element, not the next one.
        let message = located::<Volumes>(r#"{"each": [1, -2, 3], "last": 1}"#);
        assert!(
            message.starts_with("each[1]: cannot be negative at line 1 column 17"),
            "{message}"
        );
        // Past a closing bracket or brace, the array or object itself: shorter, never another key.
        let message = located::<Volumes>(r#"{"each": [-1], "last": 1}"#);
        assert!(message.starts_with("each: cannot be negative"), "{message}");
        let message = located::<Volumes>(r#"{"each": [], "last": -1}"#);
        assert!(message.starts_with("cannot be negative"), "{message}");
        // Inside a plan taken out of a record: said from the record's top, without the line and
        // column of the text taken out.
        let message = read_json_within::<Volumes>(r#"{"each": [1, -2, 3], "last": 1}"#, Some("history[3].plan"))
            .err()
            .unwrap_or_default();
        assert_eq!(message, "history[3].plan.each[1]: cannot be negative");
    }

    #[test]
    fn the_path_finder_never_fails_and_is_cut_short() {
        // Any text, any position: a path or nothing, never a panic.
        for text in [
            "",
            "\"",
            "\\",
            "[[[[",
            "}}}]]]",
            "{\"a\":{\"b\":[1,2,{\"c",
            "{\"\\",
            "\u{fffd}\"\u{e9}",
        ] {
            for line in 0..3 {
                for column in [0, 1, 2, 5, usize::MAX] {
                    let _ = json_path_at(text, line, column);
                }
            }
        }
        assert_eq!(json_path_at(r#"{"a": {"b": [1, 2, {"c": 3}]}}"#, 1, 24), "a.b[2].c");
        assert_eq!(json_path_at(r#"{"a": {"b": [1, 2, {"c": 3}]}}"#, 1, 14), "a.b[0]");
        // A key of 10,000 characters is not repeated back whole.
        let key = "k".repeat(10_000);
        let message = located::<File>(&format!(r#"{{"drugs": [], "note": "", "{key}": 1}}"#));
        assert!(message.chars().count() < 400, "{} characters", message.chars().count());
        assert!(
            message.starts_with(&format!("{}\u{2026}: unknown field", "k".repeat(80))),
            "{message:.200}"
        );
    }

    #[test]
    fn messages_name_the_field_and_the_bound() {
        let e = Error::above(Field::FillVolume, "45 mL".into(), "40 mL".into(), "the pump capacity");
        assert_eq!(e.to_string(), "Fill volume: 45 mL is above the pump capacity of 40 mL");
        assert_eq!(
            QuantityError::Negative.at(Field::DailyDose).to_string(),
            "Daily dose: cannot be negative"
        );
    }

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<_> = Field::ALL.iter().map(|f| f.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Field::ALL.len());
    }
}
