//! The reservoir chart rendered natively to SVG: the same drawing code the canvas uses.
#![cfg(not(target_arch = "wasm32"))]

use itdose::chart::reservoir::{ReservoirChart, draw};
use itdose::engine::{Catalogue, Millilitres, MlPerDay, project_reservoir};
use jiff::civil::date;
use plotters::prelude::*;

fn render() -> Result<(String, ReservoirChart), Box<dyn std::error::Error>> {
    let catalogue = Catalogue::builtin()?;
    let pump = catalogue
        .get("synchromed-ii-40")
        .ok_or("no pump")?
        .spec(None)?;
    // 40 mL at 0.2 mL/day, alarm 2 mL: the worked example.
    let projection = project_reservoir(
        &pump,
        Millilitres::new(40.0)?,
        Millilitres::new(2.0)?,
        MlPerDay::new(0.2)?,
        date(2026, 11, 25).at(9, 0, 0, 0),
    )?;
    let chart = ReservoirChart::from_projection(&projection);
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (720, 360)).into_drawing_area();
        draw(&area, &chart).map_err(|e| e.to_string())?;
    }
    Ok((svg, chart))
}

fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            t.split_once('>')
                .and_then(|(_, rest)| rest.split_once("</text>"))
        })
        .map(|(s, _)| s.trim().to_owned())
        .collect()
}

#[test]
fn labels_are_ismp_formatted() -> Result<(), Box<dyn std::error::Error>> {
    let (svg, _) = render()?;
    let labels = texts(&svg);
    assert!(labels.iter().any(|l| l == "40 mL"), "{labels:?}");
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

#[test]
fn alarm_date_is_marked_and_axis_shows_dates() -> Result<(), Box<dyn std::error::Error>> {
    let (svg, chart) = render()?;
    let labels = texts(&svg);
    assert!(
        labels
            .iter()
            .any(|l| l == "Low-reservoir alarm 2 mL: 3 Jun 2027"),
        "{labels:?}"
    );
    assert!(
        labels.iter().any(|l| l == "Empty: 13 Jun 2027"),
        "{labels:?}"
    );
    assert!(labels.iter().any(|l| l == "25 Nov 2026"), "{labels:?}");
    assert!(
        svg.contains("<polyline") || svg.contains("<path"),
        "no volume line drawn"
    );
    assert_eq!(
        chart.description(),
        "Reservoir volume falls from 40 mL at the fill on Wed 25 Nov 2026, 09:00 to the low-reservoir alarm volume of 2 mL on Thu 3 Jun 2027, 09:00, and the reservoir is empty on Sun 13 Jun 2027, 09:00."
    );
    Ok(())
}
