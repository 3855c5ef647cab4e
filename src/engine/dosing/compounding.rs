//! The compounding worksheet: how much of each stock and of diluent makes the fill.
//!
//! For each drug, stock volume = target concentration × total volume ÷ stock strength, where the
//! total volume is the fill volume plus any extra compounded to prime the refill kit. Diluent makes
//! up the rest. A stock weaker than its target, or stocks that together exceed the total volume,
//! cannot make the admixture: that is an error, never a silently stronger or weaker bag.

use serde::{Deserialize, Serialize};

use crate::engine::error::{Error, Field, Problem};
use crate::engine::quantities::dose::{AnyConcentration, AnyMass};
use crate::engine::quantities::format::Display as _;
use crate::engine::quantities::units::Millilitres;

/// One drug to compound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompoundingLine {
    /// Display name (Tall Man).
    pub drug: String,
    /// Target concentration in the reservoir.
    pub target: AnyConcentration,
    /// Strength of the stock vial.
    pub stock: AnyConcentration,
}

/// One line of the worksheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorksheetLine {
    /// Display name.
    pub drug: String,
    /// Target concentration.
    pub target: AnyConcentration,
    /// Stock strength.
    pub stock: AnyConcentration,
    /// Volume of stock to draw up.
    pub stock_volume: Millilitres,
    /// Drug in the total volume.
    pub amount: AnyMass,
}

/// The worksheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Worksheet {
    /// Fill volume.
    pub fill_volume: Millilitres,
    /// Extra volume for priming the refill kit.
    pub extra_volume: Millilitres,
    /// Fill + extra.
    pub total_volume: Millilitres,
    /// Per drug.
    pub lines: Vec<WorksheetLine>,
    /// Diluent (preservative-free 0.9 % sodium chloride, per institutional practice) to add.
    pub diluent_volume: Millilitres,
}

/// Computes the worksheet.
///
/// # Errors
/// [`Field::StockStrength`] for a stock of the wrong unit family, a zero stock, a stock weaker than
/// its target, or stocks whose volumes add up to more than the total volume.
pub fn worksheet(
    fill_volume: Millilitres,
    extra_volume: Millilitres,
    lines: &[CompoundingLine],
) -> Result<Worksheet, Error> {
    let total = Millilitres::new(fill_volume.value() + extra_volume.value()).map_err(|e| e.at(Field::ExtraVolume))?;
    let mut out = Vec::with_capacity(lines.len());
    let mut stock_total = 0.0;
    for (i, line) in lines.iter().enumerate() {
        let stock = line.stock.require(line.target.family()).map_err(|m| {
            Error::new(
                Field::StockStrength,
                Problem::WrongFamily {
                    drug: line.drug.clone(),
                    expected: format!("{}/mL", m.expected.symbol()),
                    found: format!("{}/mL", m.found.symbol()),
                },
            )
            .for_drug(i)
        })?;
        if stock.value() == 0.0 {
            return Err(Error::new(Field::StockStrength, Problem::Zero).for_drug(i));
        }
        if stock.value() < line.target.value() {
            return Err(Error::below(
                Field::StockStrength,
                stock.ismp(),
                line.target.ismp(),
                &format!("the target concentration of {}", line.drug),
            )
            .for_drug(i));
        }
        let volume = line.target.value() * total.value() / stock.value();
        let stock_volume = Millilitres::new(volume).map_err(|e| e.at(Field::StockStrength).for_drug(i))?;
        stock_total += volume;
        out.push(WorksheetLine {
            drug: line.drug.clone(),
            target: line.target,
            stock,
            stock_volume,
            amount: line.target.amount_in(total),
        });
    }
    // A relative tolerance so that stocks exactly filling the volume (no diluent) are not refused
    // over float noise.
    let diluent = total.value() - stock_total;
    if diluent < -1e-9 * total.value() {
        return Err(Error::invalid(
            Field::StockStrength,
            format!(
                "the stocks are too dilute: together they need {} of stock for {} in total",
                Millilitres::new(stock_total).map(|v| v.ismp()).unwrap_or_default(),
                total.ismp()
            ),
        ));
    }
    Ok(Worksheet {
        fill_volume,
        extra_volume,
        total_volume: total,
        lines: out,
        diluent_volume: Millilitres::new(diluent.max(0.0)).map_err(|e| e.at(Field::StockStrength))?,
    })
}
