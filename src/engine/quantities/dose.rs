//! Drug quantities whose unit family is known only at run time (a drug chosen from the library),
//! with the unit stated explicitly on every value, in files and on screen.
//!
//! The unit is part of the value: `{"unit": "mcg/mL", "value": 100}`. Operations between two
//! values of different families do not convert; they fail with [`FamilyMismatch`].

use serde::{Deserialize, Serialize};

use crate::engine::quantities::format::Display as _;
use crate::engine::quantities::units::{
    Concentration, DoseRate, Mass, MassFamily, Mcg, Mg, Millilitres, MlPerDay, QuantityError,
};

/// Two values of different unit families met (mg with mcg). Never converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{} expected, {} given", expected.symbol(), found.symbol())]
pub struct FamilyMismatch {
    /// The family that was required.
    pub expected: MassFamily,
    /// The family that was given.
    pub found: MassFamily,
}

/// A concentration in mg/mL or mcg/mL.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "unit",
    content = "value",
    expecting = "a concentration such as {\"unit\": \"mg/mL\", \"value\": 10} (unit mg/mL or mcg/mL)"
)]
pub enum AnyConcentration {
    /// mg/mL
    #[serde(rename = "mg/mL")]
    Mg(Concentration<Mg>),
    /// mcg/mL
    #[serde(rename = "mcg/mL")]
    Mcg(Concentration<Mcg>),
}

/// A daily dose in mg/day or mcg/day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "unit",
    content = "value",
    expecting = "a daily dose such as {\"unit\": \"mg/day\", \"value\": 1} (unit mg/day or mcg/day)"
)]
pub enum AnyDoseRate {
    /// mg/day
    #[serde(rename = "mg/day")]
    Mg(DoseRate<Mg>),
    /// mcg/day
    #[serde(rename = "mcg/day")]
    Mcg(DoseRate<Mcg>),
}

/// An amount of drug in mg or mcg.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "unit",
    content = "value",
    expecting = "an amount such as {\"unit\": \"mg\", \"value\": 0.5} (unit mg or mcg)"
)]
pub enum AnyMass {
    /// mg
    #[serde(rename = "mg")]
    Mg(Mass<Mg>),
    /// mcg
    #[serde(rename = "mcg")]
    Mcg(Mass<Mcg>),
}

macro_rules! any_common {
    ($name:ident) => {
        impl $name {
            /// Makes a value in `family`.
            ///
            /// # Errors
            /// [`QuantityError`] for NaN, infinities and negatives.
            pub fn new(family: MassFamily, value: f64) -> Result<Self, QuantityError> {
                Ok(match family {
                    MassFamily::Mg => $name::Mg(<_>::try_from(value)?),
                    MassFamily::Mcg => $name::Mcg(<_>::try_from(value)?),
                })
            }

            /// The unit family.
            pub fn family(self) -> MassFamily {
                match self {
                    $name::Mg(_) => MassFamily::Mg,
                    $name::Mcg(_) => MassFamily::Mcg,
                }
            }

            /// The number, in this value's own unit (for display and limit comparison in the same family).
            pub fn value(self) -> f64 {
                match self {
                    $name::Mg(q) => q.value(),
                    $name::Mcg(q) => q.value(),
                }
            }

            /// ISMP display with unit.
            pub fn ismp(self) -> String {
                match self {
                    $name::Mg(q) => q.ismp(),
                    $name::Mcg(q) => q.ismp(),
                }
            }

            /// The unit symbol.
            pub fn symbol(self) -> String {
                match self {
                    $name::Mg(q) => q.symbol(),
                    $name::Mcg(q) => q.symbol(),
                }
            }

            /// Refuses a value of the wrong family.
            ///
            /// # Errors
            /// [`FamilyMismatch`] when `self` is not in `family`.
            pub fn require(self, family: MassFamily) -> Result<Self, FamilyMismatch> {
                if self.family() == family {
                    Ok(self)
                } else {
                    Err(FamilyMismatch {
                        expected: family,
                        found: self.family(),
                    })
                }
            }
        }
    };
}

any_common!(AnyConcentration);
any_common!(AnyDoseRate);
any_common!(AnyMass);

impl AnyConcentration {
    /// Daily dose delivered at `rate`: rate × concentration, in the same family.
    pub fn dose_at(self, rate: MlPerDay) -> AnyDoseRate {
        match self {
            AnyConcentration::Mg(c) => AnyDoseRate::Mg(rate * c),
            AnyConcentration::Mcg(c) => AnyDoseRate::Mcg(rate * c),
        }
    }

    /// Drug in `volume` at this concentration.
    pub fn amount_in(self, volume: Millilitres) -> AnyMass {
        match self {
            AnyConcentration::Mg(c) => AnyMass::Mg(volume * c),
            AnyConcentration::Mcg(c) => AnyMass::Mcg(volume * c),
        }
    }

    /// Flow rate that delivers `dose` at this concentration (`None` for a zero concentration).
    ///
    /// # Errors
    /// [`FamilyMismatch`] if `dose` is in another family.
    pub fn rate_for(self, dose: AnyDoseRate) -> Result<Option<MlPerDay>, FamilyMismatch> {
        match (self, dose) {
            (AnyConcentration::Mg(c), AnyDoseRate::Mg(d)) => Ok(d / c),
            (AnyConcentration::Mcg(c), AnyDoseRate::Mcg(d)) => Ok(d / c),
            _ => Err(FamilyMismatch {
                expected: self.family(),
                found: dose.family(),
            }),
        }
    }
}

impl AnyDoseRate {
    /// Concentration that delivers this dose at `rate` (constant-flow pumps): dose ÷ rate.
    /// `None` for a zero rate.
    pub fn concentration_at(self, rate: MlPerDay) -> Option<AnyConcentration> {
        if rate.value() <= 0.0 {
            return None;
        }
        let value = self.value() / rate.value();
        AnyConcentration::new(self.family(), value).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_explicit_in_json() -> Result<(), Box<dyn std::error::Error>> {
        let c = AnyConcentration::new(MassFamily::Mcg, 100.0)?;
        assert_eq!(serde_json::to_string(&c)?, r#"{"unit":"mcg/mL","value":100.0}"#);
        let back: AnyConcentration = serde_json::from_str(r#"{"unit":"mg/mL","value":10}"#)?;
        assert_eq!(back.ismp(), "10 mg/mL");
        assert!(serde_json::from_str::<AnyConcentration>(r#"{"unit":"µg/mL","value":10}"#).is_err());
        assert!(serde_json::from_str::<AnyConcentration>(r#"{"unit":"mg/mL","value":-1}"#).is_err());
        Ok(())
    }

    #[test]
    fn families_never_mix() -> Result<(), Box<dyn std::error::Error>> {
        let clonidine = AnyConcentration::new(MassFamily::Mcg, 100.0)?;
        let dose_in_mg = AnyDoseRate::new(MassFamily::Mg, 0.02)?;
        assert_eq!(
            clonidine.rate_for(dose_in_mg),
            Err(FamilyMismatch {
                expected: MassFamily::Mcg,
                found: MassFamily::Mg
            })
        );
        assert!(clonidine.require(MassFamily::Mg).is_err());
        // 0.2 mL/day × 100 mcg/mL = 20 mcg/day
        assert_eq!(clonidine.dose_at(MlPerDay::new(0.2)?).ismp(), "20 mcg/day");
        // 20 mcg/day ÷ 0.5 mL/day = 40 mcg/mL
        let c = AnyDoseRate::new(MassFamily::Mcg, 20.0)?.concentration_at(MlPerDay::new(0.5)?);
        assert_eq!(c.map(AnyConcentration::ismp).as_deref(), Some("40 mcg/mL"));
        Ok(())
    }
}
