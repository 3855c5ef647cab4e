//! Typed physical quantities.
//!
//! Every quantity that crosses the engine's public API is one of these types, never a bare `f64`.
//! A value can only be made through a constructor that rejects NaN, infinities and negatives, so a
//! quantity in hand is always finite and non-negative.
//!
//! Drug amounts are generic over their mass unit ([`Mg`] or [`Mcg`]): a `Concentration<Mg>` times a
//! flow rate gives a `DoseRate<Mg>`, and nothing converts milligrams to micrograms behind the
//! user's back. Mixing the two families is a compile error, not a 1,000-fold dose error.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Div, Mul};

use serde::{Deserialize, Serialize};

/// Why a number cannot be a quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// NaN or an infinity.
    #[error("must be a finite number")]
    NotFinite,
    /// Below zero.
    #[error("cannot be negative")]
    Negative,
}

/// A drug mass unit family. Implemented by [`Mg`] and [`Mcg`] only.
pub trait MassUnit: Copy + fmt::Debug + PartialEq + Default + 'static {
    /// The ISMP symbol: "mg" or "mcg" (never "µg").
    const SYMBOL: &'static str;
    /// Which family this is, for code that must branch at run time (drug library, display).
    const FAMILY: MassFamily;
}

/// The two drug mass unit families used in intrathecal therapy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MassFamily {
    /// Milligrams: morphine, HYDROmorphone, bupivacaine.
    #[default]
    Mg,
    /// Micrograms: ziconotide, fentaNYL, SUFentanil, cloNIDine, baclofen.
    Mcg,
}

impl MassFamily {
    /// The ISMP symbol of the family.
    pub fn symbol(self) -> &'static str {
        match self {
            MassFamily::Mg => Mg::SYMBOL,
            MassFamily::Mcg => Mcg::SYMBOL,
        }
    }
}

/// Milligrams (marker type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mg;
/// Micrograms (marker type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mcg;

impl MassUnit for Mg {
    const SYMBOL: &'static str = "mg";
    const FAMILY: MassFamily = MassFamily::Mg;
}
impl MassUnit for Mcg {
    const SYMBOL: &'static str = "mcg";
    const FAMILY: MassFamily = MassFamily::Mcg;
}

fn checked(value: f64) -> Result<f64, QuantityError> {
    if !value.is_finite() {
        Err(QuantityError::NotFinite)
    } else if value < 0.0 {
        Err(QuantityError::Negative)
    } else {
        // Normalise -0.0 so it never displays as "-0".
        Ok(value + 0.0)
    }
}

/// Defines a validated, serialisable quantity type with a fixed unit symbol.
macro_rules! quantity {
    ($(#[$doc:meta])* $name:ident, $symbol:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(try_from = "f64", into = "f64")]
        pub struct $name(f64);

        impl $name {
            /// Zero of this quantity.
            pub const ZERO: Self = Self(0.0);
            /// The unit symbol used for display.
            pub const SYMBOL: &'static str = $symbol;

            /// Makes a quantity from a number in this unit.
            ///
            /// # Errors
            /// [`QuantityError`] if the number is NaN, infinite or negative.
            pub fn new(value: f64) -> Result<Self, QuantityError> {
                checked(value).map(Self)
            }

            /// The number in this unit.
            pub fn value(self) -> f64 {
                self.0
            }

            /// The unit symbol used for display.
            pub fn symbol(self) -> &'static str {
                Self::SYMBOL
            }

            /// Difference, floored at zero (quantities are never negative).
            pub fn saturating_sub(self, other: Self) -> Self {
                Self((self.0 - other.0).max(0.0))
            }
        }

        impl TryFrom<f64> for $name {
            type Error = QuantityError;
            fn try_from(value: f64) -> Result<Self, QuantityError> {
                Self::new(value)
            }
        }

        impl From<$name> for f64 {
            fn from(q: $name) -> f64 {
                q.0
            }
        }
    };
}

/// A change of volume, which may be negative (a refill discrepancy). Finite only.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct VolumeChange(f64);

impl VolumeChange {
    /// Makes a change from a number of mL.
    ///
    /// # Errors
    /// [`QuantityError::NotFinite`] for NaN and infinities.
    pub fn new(ml: f64) -> Result<Self, QuantityError> {
        if ml.is_finite() {
            Ok(Self(ml + 0.0))
        } else {
            Err(QuantityError::NotFinite)
        }
    }

    /// The change in mL.
    pub fn value(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for VolumeChange {
    type Error = QuantityError;
    fn try_from(value: f64) -> Result<Self, QuantityError> {
        Self::new(value)
    }
}

impl From<VolumeChange> for f64 {
    fn from(q: VolumeChange) -> f64 {
        q.0
    }
}

/// Defines a validated quantity generic over the drug mass unit.
macro_rules! drug_quantity {
    ($(#[$doc:meta])* $name:ident, $suffix:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(try_from = "f64", into = "f64", bound = "U: MassUnit")]
        pub struct $name<U: MassUnit> {
            value: f64,
            unit: PhantomData<U>,
        }

        impl<U: MassUnit> $name<U> {
            /// Zero of this quantity.
            pub const ZERO: Self = Self { value: 0.0, unit: PhantomData };

            /// Makes a quantity from a number in this unit.
            ///
            /// # Errors
            /// [`QuantityError`] if the number is NaN, infinite or negative.
            pub fn new(value: f64) -> Result<Self, QuantityError> {
                checked(value).map(|value| Self { value, unit: PhantomData })
            }

            /// The number in this unit.
            pub fn value(self) -> f64 {
                self.value
            }

            /// The unit symbol used for display, e.g. "mg/mL".
            pub fn symbol(self) -> String {
                Self::unit_symbol()
            }

            /// The unit symbol used for display, e.g. "mg/mL".
            pub fn unit_symbol() -> String {
                format!("{}{}", U::SYMBOL, $suffix)
            }

            #[allow(dead_code)] // not every quantity is the result of an operation
            fn raw(value: f64) -> Self {
                Self { value, unit: PhantomData }
            }
        }

        impl<U: MassUnit> TryFrom<f64> for $name<U> {
            type Error = QuantityError;
            fn try_from(value: f64) -> Result<Self, QuantityError> {
                Self::new(value)
            }
        }

        impl<U: MassUnit> From<$name<U>> for f64 {
            fn from(q: $name<U>) -> f64 {
                q.value
            }
        }
    };
}

quantity!(
    /// A volume in millilitres (mL).
    Millilitres,
    "mL"
);
quantity!(
    /// A flow rate in millilitres per day (mL/day).
    MlPerDay,
    "mL/day"
);
quantity!(
    /// A duration in days.
    Days,
    "days"
);
quantity!(
    /// A duration in hours.
    Hours,
    "h"
);
quantity!(
    /// A first-order rate constant, per hour.
    PerHour,
    "/h"
);

drug_quantity!(
    /// An amount of drug, in mg or mcg.
    Mass,
    ""
);
drug_quantity!(
    /// A drug concentration per millilitre: mg/mL or mcg/mL.
    Concentration,
    "/mL"
);
drug_quantity!(
    /// A drug dose per day: mg/day or mcg/day.
    DoseRate,
    "/day"
);

/// Milligrams of drug.
pub type Milligrams = Mass<Mg>;
/// Micrograms of drug.
pub type Micrograms = Mass<Mcg>;
/// Milligrams per millilitre.
pub type MgPerMl = Concentration<Mg>;
/// Micrograms per millilitre.
pub type McgPerMl = Concentration<Mcg>;
/// Milligrams per day.
pub type MgPerDay = DoseRate<Mg>;
/// Micrograms per day.
pub type McgPerDay = DoseRate<Mcg>;

impl Days {
    /// The same duration in hours.
    pub fn to_hours(self) -> Hours {
        Hours(self.0 * 24.0)
    }
}

impl Hours {
    /// The same duration in days.
    pub fn to_days(self) -> Days {
        Days(self.0 / 24.0)
    }
}

// Only the products and quotients that mean something clinically are defined. Products of two
// finite values can overflow to infinity; the engine's functions check their results.

/// flow rate × concentration = daily dose
impl<U: MassUnit> Mul<Concentration<U>> for MlPerDay {
    type Output = DoseRate<U>;
    fn mul(self, rhs: Concentration<U>) -> DoseRate<U> {
        DoseRate::raw(self.0 * rhs.value)
    }
}

/// volume × concentration = drug amount
impl<U: MassUnit> Mul<Concentration<U>> for Millilitres {
    type Output = Mass<U>;
    fn mul(self, rhs: Concentration<U>) -> Mass<U> {
        Mass::raw(self.0 * rhs.value)
    }
}

/// flow rate × duration = volume
impl Mul<Days> for MlPerDay {
    type Output = Millilitres;
    fn mul(self, rhs: Days) -> Millilitres {
        Millilitres(self.0 * rhs.0)
    }
}

/// daily dose ÷ concentration = flow rate (`None` for a zero concentration)
impl<U: MassUnit> Div<Concentration<U>> for DoseRate<U> {
    type Output = Option<MlPerDay>;
    fn div(self, rhs: Concentration<U>) -> Option<MlPerDay> {
        let rate = self.value / rhs.value;
        rate.is_finite().then_some(MlPerDay(rate))
    }
}

/// volume ÷ flow rate = duration (`None` for a zero rate)
impl Div<MlPerDay> for Millilitres {
    type Output = Option<Days>;
    fn div(self, rhs: MlPerDay) -> Option<Days> {
        let days = self.0 / rhs.0;
        days.is_finite().then_some(Days(days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_reject_nan_infinity_and_negatives() {
        assert_eq!(Millilitres::new(f64::NAN), Err(QuantityError::NotFinite));
        assert_eq!(MlPerDay::new(f64::INFINITY), Err(QuantityError::NotFinite));
        assert_eq!(MgPerMl::new(f64::NEG_INFINITY), Err(QuantityError::NotFinite));
        assert_eq!(McgPerDay::new(-0.1), Err(QuantityError::Negative));
        assert!(Millilitres::new(0.0).is_ok());
    }

    #[test]
    fn negative_zero_is_normalised() {
        let zero = Millilitres::new(-0.0).map(f64::from);
        assert_eq!(zero.map(|v| v.is_sign_positive()), Ok(true));
    }

    #[test]
    fn unit_symbols_follow_ismp() {
        assert_eq!(MgPerMl::unit_symbol(), "mg/mL");
        assert_eq!(McgPerDay::unit_symbol(), "mcg/day");
        assert_eq!(Micrograms::unit_symbol(), "mcg");
        assert_eq!(MlPerDay::SYMBOL, "mL/day");
    }

    #[test]
    fn serde_rejects_invalid_numbers() {
        let bad: Result<Millilitres, _> = serde_json::from_str("-1");
        assert!(bad.is_err());
        let good: Result<MgPerMl, _> = serde_json::from_str("10");
        assert_eq!(good.map(f64::from).ok(), Some(10.0));
    }
}
