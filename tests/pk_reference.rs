//! The exact CSF solver against an independent ODE solution (scipy solve_ivp, DOP853, rtol 1e-13,
//! restarted at every discontinuity; the generating script was not kept in the repository, its
//! output is committed in `tests/fixtures/`; `scripts/pk_numpy.py` is a second, closed-form check). 30 days on a 1-minute grid, continuous infusion plus three boluses a day.
#![cfg(not(target_arch = "wasm32"))]
// Test helpers build parameters from literal constants; a bad literal should stop the test loudly.
#![allow(clippy::expect_used)]

use itdose::engine::{Hours, Mg, MgPerDay, Millilitres, PerHour, PkModel, TipInput, simulate};

const DAYS: usize = 30;

fn grid() -> Vec<Hours> {
    (0..=DAYS * 24 * 60)
        .map(|m| Hours::new(m as f64 / 60.0).expect("finite"))
        .collect()
}

/// The generator's scenario: 1 mg/day from t = 0; 0.1 mg over 30 min at 02:00, 10:00, 18:00 daily.
fn inputs() -> Vec<TipInput<Mg>> {
    let h = |v: f64| Hours::new(v).expect("finite");
    let mut out = vec![TipInput {
        from: h(0.0),
        to: h(DAYS as f64 * 24.0),
        rate: MgPerDay::new(1.0).expect("finite"),
    }];
    for day in 0..DAYS {
        for start in [2.0, 10.0, 18.0] {
            let from = day as f64 * 24.0 + start;
            // 0.1 mg over 0.5 h = 0.2 mg/h = 4.8 mg/day
            out.push(TipInput {
                from: h(from),
                to: h(from + 0.5),
                rate: MgPerDay::new(4.8).expect("finite"),
            });
        }
    }
    out
}

fn reference(name: &str) -> Vec<f64> {
    let bytes =
        std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture present");
    bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(<[u8; 8]>::try_from(c).expect("8 bytes")))
        .collect()
}

fn max_relative_error(model: &PkModel, fixture: &str) -> f64 {
    let expected = reference(fixture);
    let actual = simulate(model, &inputs(), &grid()).expect("valid model");
    assert_eq!(actual.len(), expected.len(), "grid length");
    actual
        .iter()
        .zip(&expected)
        .filter(|(_, e)| **e > 0.0)
        .map(|(a, e)| (a.value() - e).abs() / e.abs())
        .fold(0.0, f64::max)
}

#[test]
fn one_compartment_matches_the_ode_reference() {
    let model = PkModel::OneCompartment {
        half_life: Hours::new(3.0).expect("literal"),
        volume: Millilitres::new(140.0).expect("literal"),
    };
    let error = max_relative_error(&model, "pk_one_compartment.f64");
    println!("one compartment: max relative error {error:e} over 43,201 minutes");
    assert!(error <= 1e-9, "max relative error {error:e}");
}

#[test]
fn two_compartment_matches_the_ode_reference() {
    let model = PkModel::TwoCompartment {
        volume: Millilitres::new(140.0).expect("literal"),
        k10: PerHour::new(0.2).expect("literal"),
        k12: PerHour::new(0.3).expect("literal"),
        k21: PerHour::new(0.1).expect("literal"),
    };
    let error = max_relative_error(&model, "pk_two_compartment.f64");
    println!("two compartments: max relative error {error:e} over 43,201 minutes");
    assert!(error <= 1e-9, "max relative error {error:e}");
}

/// Hand-computed: 1 mg/day into one compartment (t½ 3 h, 140 mL) reaches
/// C_ss = R ÷ (k V) = (1/24 mg/h) ÷ (ln 2/3 h⁻¹ × 140 mL) = 0.04167 ÷ 32.35 = 0.001288 mg/mL; after 3 half-lives
/// (9 h) it is at 1 − 2⁻³ = 87.5 % of that.
#[test]
fn one_compartment_hand_computed() {
    let model = PkModel::OneCompartment {
        half_life: Hours::new(3.0).expect("literal"),
        volume: Millilitres::new(140.0).expect("literal"),
    };
    let input = [TipInput::<Mg> {
        from: Hours::ZERO,
        to: Hours::new(1000.0).expect("literal"),
        rate: MgPerDay::new(1.0).expect("literal"),
    }];
    let c = simulate(
        &model,
        &input,
        &[Hours::new(9.0).expect("literal"), Hours::new(500.0).expect("literal")],
    )
    .expect("valid");
    let css = (1.0 / 24.0) / (std::f64::consts::LN_2 / 3.0 * 140.0);
    assert!((css - 0.001_288).abs() < 1e-6, "{css}");
    let at = |i: usize| c.get(i).map_or(f64::NAN, |v| v.value());
    assert!((at(0) - 0.875 * css).abs() < 1e-15, "{} vs {}", at(0), 0.875 * css);
    assert!((at(1) - css).abs() < 1e-15);
}
