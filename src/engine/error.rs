//! The engine's one error type. Every error names the field it is about and, where there is one,
//! the bound that was crossed, in words a clinician can act on.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::quantities::units::QuantityError;

/// An input (or derived figure) the engine checks. The UI uses [`Field::key`] to put a message
/// next to the right input.
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
    /// The delivery schedule (flex steps, boluses).
    Schedule,
    /// A refill visit.
    Visit,
    /// A pharmacokinetic parameter or input.
    Pk,
    /// Whether this is the first fill of a new pump.
    NewPump,
}

impl Field {
    /// Every field, in form order.
    pub const ALL: [Field; 23] = [
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
        Field::Schedule,
        Field::Visit,
        Field::Pk,
        Field::NewPump,
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
            Field::Schedule => "schedule",
            Field::Visit => "visit",
            Field::Pk => "pk",
            Field::NewPump => "new_pump",
        }
    }

    /// The name shown to the user, capitalised as a label.
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
            Field::Schedule => "Schedule",
            Field::Visit => "Refill visit",
            Field::Pk => "CSF model",
            Field::NewPump => "First fill of a new pump",
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

/// An invalid input: which field (of which drug line, for per-drug fields), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Error {
    /// The field the error is about.
    pub field: Field,
    /// The drug line (0-based) for per-drug fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drug: Option<usize>,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.drug {
            Some(i) => write!(
                f,
                "Drug {}, {}: {}",
                i + 1,
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
            drug: None,
            problem,
        }
    }

    /// The same error, about drug line `index` (0-based).
    #[must_use]
    pub fn for_drug(mut self, index: usize) -> Self {
        self.drug = Some(index);
        self
    }

    /// An error described in words.
    pub fn invalid(field: Field, detail: impl Into<String>) -> Self {
        Self::new(field, Problem::Invalid { detail: detail.into() })
    }

    /// The id of the element this error belongs next to: "fill_volume", "drug-1-concentration".
    pub fn element_id(&self) -> String {
        element_id(self.field, self.drug)
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

/// The id of the input for `field` (of drug line `drug`): "fill_volume", "drug-1-concentration".
pub fn element_id(field: Field, drug: Option<usize>) -> String {
    match drug {
        Some(i) => format!("drug-{i}-{}", field.key()),
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
