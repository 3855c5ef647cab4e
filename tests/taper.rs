//! The systemic taper plan: equal steps of the starting total, set by the clinician, to zero.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{TestResult, at};
use itdose::engine::Field;
use itdose::engine::report::convert::taper_rows;
use itdose::engine::taper::{TaperInput, taper};

/// 120 MME, 25 % of it (30 mg/day) every 7 days from Tue 1 Dec 2026: 120 − 30 = 90 on 1 Dec,
/// 60 on 8 Dec, 30 on 15 Dec, 0 on 22 Dec (100 ÷ 25 = 4 steps).
#[test]
fn a_taper_in_equal_steps_to_zero() -> TestResult {
    let steps = taper(&TaperInput {
        start_mme: 120.0,
        percent_per_step: 25.0,
        days_between: 7.0,
        start: at(2026, 12, 1, 9, 0),
    })?;
    let rows = taper_rows(&steps);
    let expected = [
        ("Tue 1 Dec 2026, 09:00", "90 mg/day MME"),
        ("Tue 8 Dec 2026, 09:00", "60 mg/day MME"),
        ("Tue 15 Dec 2026, 09:00", "30 mg/day MME"),
        ("Tue 22 Dec 2026, 09:00", "0 mg/day MME"),
    ];
    assert_eq!(
        rows,
        expected
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect::<Vec<_>>()
    );
    // 30 % a step: 70, 40, 10, then 0 (the last step ends the taper).
    let uneven = taper(&TaperInput {
        start_mme: 100.0,
        percent_per_step: 30.0,
        days_between: 3.0,
        start: at(2026, 12, 1, 9, 0),
    })?;
    let mme: Vec<f64> = uneven.iter().map(|s| s.mme).collect();
    for (got, want) in mme.iter().zip([70.0, 40.0, 10.0, 0.0]) {
        assert!((got - want).abs() < 1e-9, "{mme:?}");
    }
    assert_eq!(mme.len(), 4);
    Ok(())
}

/// A step under 1 % or over 100 %, days outside 1 to 90, no starting MME: refused at the field.
#[test]
fn a_bad_taper_is_refused_at_its_field() {
    let base = TaperInput {
        start_mme: 120.0,
        percent_per_step: 25.0,
        days_between: 7.0,
        start: at(2026, 12, 1, 9, 0),
    };
    for (input, field) in [
        (
            TaperInput {
                percent_per_step: 0.5,
                ..base.clone()
            },
            Field::TaperPercent,
        ),
        (
            TaperInput {
                percent_per_step: 150.0,
                ..base.clone()
            },
            Field::TaperPercent,
        ),
        (
            TaperInput {
                days_between: 0.0,
                ..base.clone()
            },
            Field::TaperDays,
        ),
        (
            TaperInput {
                days_between: f64::NAN,
                ..base.clone()
            },
            Field::TaperDays,
        ),
        (
            TaperInput {
                start_mme: 0.0,
                ..base.clone()
            },
            Field::SystemicMme,
        ),
    ] {
        assert_eq!(taper(&input).err().map(|e| e.field), Some(field));
    }
}
