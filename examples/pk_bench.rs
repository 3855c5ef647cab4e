//! Prints how long the exact CSF solver takes for the issue-5 benchmark: a 30-day, 1-minute series
//! (43,201 points) with a continuous infusion and three boluses a day, for both models.
//! A figure to read, not a test: `cargo run --release --example pk_bench [DIR]`. With DIR, each
//! model's series is also written there (`one.f64`, `two.f64`, little-endian f64) for
//! `scripts/pk_numpy.py` to compare with numpy's closed form.

use std::time::Instant;

use itdose::engine::{Hours, Mg, MgPerDay, Millilitres, PerHour, PkModel, TipInput, simulate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let days = 30;
    let grid: Vec<Hours> = (0..=days * 24 * 60)
        .map(|m| Hours::new(f64::from(m) / 60.0))
        .collect::<Result<_, _>>()?;
    let mut inputs = vec![TipInput::<Mg> {
        from: Hours::ZERO,
        to: Hours::new(f64::from(days) * 24.0)?,
        rate: MgPerDay::new(1.0)?,
    }];
    for day in 0..days {
        for start in [2.0, 10.0, 18.0] {
            let from = f64::from(day) * 24.0 + start;
            inputs.push(TipInput {
                from: Hours::new(from)?,
                to: Hours::new(from + 0.5)?,
                rate: MgPerDay::new(4.8)?,
            });
        }
    }
    let models = [
        (
            "one compartment",
            PkModel::OneCompartment {
                half_life: Hours::new(3.0)?,
                volume: Millilitres::new(140.0)?,
            },
        ),
        (
            "two compartments",
            PkModel::TwoCompartment {
                volume: Millilitres::new(140.0)?,
                k10: PerHour::new(0.2)?,
                k12: PerHour::new(0.3)?,
                k21: PerHour::new(0.1)?,
            },
        ),
    ];
    let dir = std::env::args().nth(1);
    for (name, model) in models {
        if let Some(dir) = &dir {
            let series = simulate(&model, &inputs, &grid)?;
            let bytes: Vec<u8> = series.iter().flat_map(|c| c.value().to_le_bytes()).collect();
            let file = name.split(' ').next().unwrap_or(name);
            std::fs::write(std::path::Path::new(dir).join(format!("{file}.f64")), bytes)?;
        }
        let runs = 200;
        let start = Instant::now();
        let mut checksum = 0.0;
        for _ in 0..runs {
            let series = simulate(&model, &inputs, &grid)?;
            checksum += series.last().map_or(0.0, |c| c.value());
        }
        let per_run = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
        println!(
            "native, {name}: {per_run:.2} ms per 30-day 1-minute series ({} points; mean of {runs} runs; checksum {checksum:.6e})",
            grid.len()
        );
    }
    Ok(())
}
