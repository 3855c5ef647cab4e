//! The issue-5 benchmark in headless Chromium: the 30-day, 1-minute series for both models.
//! Prints the time (a figure, never asserted); asserts only that the series is complete.
//! Run alone with `bash scripts/benchmark.sh` (with every other speed figure).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used)]

use itdose::engine::{Hours, Mg, MgPerDay, Millilitres, PerHour, PkModel, TipInput, simulate};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn thirty_day_one_minute_series_in_the_browser() {
    let days = 30;
    let grid: Vec<Hours> = (0..=days * 24 * 60)
        .map(|m| Hours::new(f64::from(m) / 60.0).expect("finite"))
        .collect();
    let mut inputs = vec![TipInput::<Mg> {
        from: Hours::ZERO,
        to: Hours::new(f64::from(days) * 24.0).expect("finite"),
        rate: MgPerDay::new(1.0).expect("finite"),
    }];
    for day in 0..days {
        for start in [2.0, 10.0, 18.0] {
            let from = f64::from(day) * 24.0 + start;
            inputs.push(TipInput {
                from: Hours::new(from).expect("finite"),
                to: Hours::new(from + 0.5).expect("finite"),
                rate: MgPerDay::new(4.8).expect("finite"),
            });
        }
    }
    let models = [
        (
            "one compartment",
            PkModel::OneCompartment {
                half_life: Hours::new(3.0).expect("literal"),
                volume: Millilitres::new(140.0).expect("literal"),
            },
        ),
        (
            "two compartments",
            PkModel::TwoCompartment {
                volume: Millilitres::new(140.0).expect("literal"),
                k10: PerHour::new(0.2).expect("literal"),
                k12: PerHour::new(0.3).expect("literal"),
                k21: PerHour::new(0.1).expect("literal"),
            },
        ),
    ];
    let performance = web_sys::window().and_then(|w| w.performance()).expect("performance");
    for (name, model) in models {
        let runs = 10;
        // One run first, not timed: the browser compiles hot wasm functions again with its
        // optimising tier while they run; the figure is the steady speed.
        let _ = simulate(&model, &inputs, &grid);
        let start = performance.now();
        let mut points = 0;
        for _ in 0..runs {
            points = simulate(&model, &inputs, &grid).expect("valid").len();
        }
        let per_run = (performance.now() - start) / f64::from(runs);
        let build = if cfg!(debug_assertions) { "debug" } else { "release" };
        console_log!(
            "browser (wasm, {build} build), {name}: {per_run:.2} ms per 30-day 1-minute series ({points} points; mean of {runs} runs)"
        );
        assert_eq!(points, grid.len());
    }
}
