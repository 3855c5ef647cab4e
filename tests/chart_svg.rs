//! The reservoir chart rendered natively to SVG: the same drawing code the canvas uses.
#![cfg(not(target_arch = "wasm32"))]

use itdose::chart::reservoir::{ReservoirChart, draw};
use itdose::engine::{Catalogue, DrugLibrary, Hours, Millilitres, PatientBolus, evaluate, load, report};
use plotters::prelude::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The docs example (SynchroMed II 20 mL, ±14.5 %), optionally with patient boluses.
fn render(with_ptm: bool) -> Result<(String, ReservoirChart), Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/example-plan.json"))?;
    let catalogue = Catalogue::builtin()?;
    let library = DrugLibrary::builtin()?;
    let mut plan = load(&text, &catalogue, &library)?.plan;
    if with_ptm {
        plan.boluses.patient = Some(PatientBolus {
            volume: Millilitres::new(0.05)?,
            duration: Hours::new(0.25)?,
            lockout: Hours::new(4.0)?,
            max_per_day: 4,
        });
        plan.boluses.typical_per_day = Some(2);
    }
    let outcome = evaluate(&plan, &catalogue, &library).map_err(|e| format!("{e:?}"))?;
    let report = report::build(&outcome);
    let chart = ReservoirChart::new(&outcome, &report.reservoir_chart).ok_or("no chart")?;
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (760, 380)).into_drawing_area();
        draw(&area, &chart).map_err(|e| e.to_string())?;
    }
    Ok((svg, chart))
}

fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').and_then(|(_, rest)| rest.split_once("</text>")))
        .map(|(s, _)| s.trim().to_owned())
        .collect()
}

#[test]
fn labels_are_ismp_formatted() -> TestResult {
    let (svg, _) = render(false)?;
    let labels = texts(&svg);
    assert!(labels.iter().any(|l| l == "20 mL"), "{labels:?}");
    assert!(labels.iter().any(|l| l == "0 mL"), "{labels:?}");
    for label in &labels {
        assert!(
            !label.contains(".0 ") && !label.ends_with(".0"),
            "trailing zero in {label:?}"
        );
        assert!(!label.contains('µ') && !label.contains("cc"), "{label:?}");
        assert!(
            !label.contains(" .") && !label.starts_with('.'),
            "no leading zero in {label:?}"
        );
    }
    Ok(())
}

/// Alarm after 90 days (23 Feb 2027), empty after 100 days (5 Mar 2027) at the programmed
/// 0.2 mL/day. Refill-by is the alarm at the fast edge of the flow accuracy (±14.5 %):
/// 18 mL ÷ (0.2 × 1.145 = 0.229 mL/day) = 78.60 days → Thu 11 Feb 2027, before morphine's
/// 90-day stability; the marker is drawn there.
#[test]
fn markers_band_and_description() -> TestResult {
    let (svg, chart) = render(false)?;
    let labels = texts(&svg);
    for expected in [
        "Alarm 23 Feb 2027",
        "Empty 5 Mar 2027",
        "Refill by 11 Feb 2027",
        "25 Nov 2026",
    ] {
        assert!(
            labels.iter().any(|l| l == expected),
            "{expected} missing from {labels:?}"
        );
    }
    assert!(svg.contains("<polygon"), "the accuracy band is drawn");
    assert!(chart.band.is_some());
    assert!(chart.description().starts_with(
        "Reservoir volume falls from 20 mL at the fill on Wed 25 Nov 2026, 09:00 to the low-reservoir alarm volume of 2 mL on Tue 23 Feb 2027, 09:00, and the reservoir is empty on Fri 5 Mar 2027, 09:00."
    ));
    Ok(())
}

#[test]
fn three_scenarios_with_a_legend() -> TestResult {
    let (svg, chart) = render(true)?;
    assert_eq!(chart.lines.len(), 3);
    let labels = texts(&svg);
    for expected in [
        "No patient boluses",
        "Typical: 2 patient boluses a day",
        "All allowed patient boluses",
    ] {
        assert!(
            labels.iter().any(|l| l == expected),
            "{expected} missing from legend {labels:?}"
        );
    }
    assert!(
        chart
            .description()
            .contains("With every allowed patient bolus the alarm comes on")
    );
    Ok(())
}
