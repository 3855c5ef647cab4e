//! The reservoir depletion chart: volume in the reservoir against date, from the fill to empty,
//! for each patient-bolus scenario, with the flow-accuracy band, the low-reservoir alarm volume,
//! and markers at the refill-by, alarm and empty dates.

use jiff::civil::DateTime;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::palette;
use crate::engine::report::{MarkerKind, ReservoirChartText, axis_date, axis_volume};
use crate::engine::{Outcome, PatientUse, Polyline};

/// A line on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Legend label.
    pub label: String,
    /// (days after fill, mL).
    pub points: Vec<(f64, f64)>,
    /// Which scenario (for colour).
    pub scenario: PatientUse,
}

/// A vertical marker.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Days after the fill.
    pub day: f64,
    /// Label drawn at the top.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
}

/// What the reservoir chart shows: the outcome's numbers with the report's words.
#[derive(Debug, Clone, PartialEq)]
pub struct ReservoirChart {
    /// When the pump was filled (x = 0).
    pub filled_at: DateTime,
    /// Pump capacity (top of the y axis), mL.
    pub capacity_ml: f64,
    /// Alarm volume, mL.
    pub alarm_ml: f64,
    /// One line per scenario, nominal first.
    pub lines: Vec<Line>,
    /// Flow-accuracy band of the nominal line (more flow, less flow).
    pub band: Option<(Polyline, Polyline)>,
    /// Refill-by, alarm and empty markers.
    pub markers: Vec<Marker>,
    /// Text alternative.
    pub description: String,
    /// MRI window (start, scan end, latest restart), days after the fill.
    pub mri: Option<(f64, f64, f64)>,
}

fn days_between(from: DateTime, to: DateTime) -> f64 {
    from.duration_until(to).as_secs_f64() / 86_400.0
}

impl ReservoirChart {
    /// The chart of an outcome, worded by its report (no model maths: the engine computed every
    /// point, the report every label).
    pub fn new(outcome: &Outcome, text: &ReservoirChartText) -> Option<Self> {
        let nominal = outcome.nominal()?;
        let filled_at = outcome.fill.filled_at;
        // A pump emptied before an MRI (Prometra) is drawn falling to 0 at the scan.
        let emptied = outcome
            .mri
            .as_ref()
            .filter(|m| m.removed.is_some())
            .map(|m| days_between(filled_at, m.from));
        let lines = outcome
            .scenarios
            .iter()
            .zip(&text.legend)
            .map(|(p, label)| Line {
                label: label.clone(),
                points: emptied.map_or_else(|| p.vertices.clone(), |day| p.emptied_at(day)),
                scenario: p.scenario,
            })
            .collect();
        let markers = text
            .markers
            .iter()
            .map(|m| Marker {
                day: m.day,
                label: m.label.clone(),
                colour: match m.kind {
                    MarkerKind::RefillBy => palette::REFILL,
                    MarkerKind::Alarm => palette::ALARM,
                    MarkerKind::Empty => palette::EMPTY,
                },
            })
            .collect();
        let mri = outcome.mri.as_ref().map(|m| {
            let end = m.restart_latest.unwrap_or(m.to);
            (
                days_between(filled_at, m.from),
                days_between(filled_at, m.to),
                days_between(filled_at, end),
            )
        });
        Some(Self {
            filled_at,
            capacity_ml: outcome.pump.capacity.value(),
            alarm_ml: outcome.fill.low_reservoir_alarm.value(),
            lines,
            band: outcome.pump.accuracy_percent.map(|a| nominal.band_vertices(a)),
            markers,
            description: text.description.clone(),
            mri,
        })
    }

    /// A text alternative for the chart, for screen readers and printouts.
    pub fn description(&self) -> String {
        self.description.clone()
    }

    fn x_end(&self) -> f64 {
        let last = |pts: &[(f64, f64)]| pts.last().map_or(0.0, |p| p.0);
        let lines = self.lines.iter().map(|l| last(&l.points)).fold(0.0, f64::max);
        let band = self.band.as_ref().map_or(0.0, |(a, b)| last(a).max(last(b)));
        (lines.max(band) * 1.05).max(1.0)
    }

    /// The date `day` days after the fill, as an axis label.
    pub fn date_label(&self, day: f64) -> String {
        axis_date(self.filled_at, day)
    }
}

fn scenario_colour(scenario: PatientUse) -> RGBColor {
    match scenario {
        PatientUse::None => palette::RESERVOIR,
        PatientUse::Typical(_) => palette::TYPICAL,
        PatientUse::AllAllowed => palette::ALL_ALLOWED,
    }
}

/// The chart's coordinate mapping, for hover read-outs: pixel → (days after fill, mL).
pub type Mapping = Cartesian2d<RangedCoordf64, RangedCoordf64>;

/// Draws the reservoir chart into `area` and returns the coordinate mapping.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ReservoirChart,
) -> Result<Mapping, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let x_end = chart.x_end();
    let y_end = chart.capacity_ml.max(1.0);
    let mut ctx = ChartBuilder::on(area)
        .margin(16)
        .margin_top(40)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_end, 0.0..y_end)?;

    let x_label = |day: &f64| chart.date_label(*day);
    let y_label = |ml: &f64| axis_volume(*ml);
    ctx.configure_mesh()
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .x_desc("Date")
        .y_desc("Volume in reservoir")
        .axis_desc_style(("sans-serif", 14).into_font().color(&palette::INK))
        .label_style(("sans-serif", 12).into_font().color(&palette::INK))
        .light_line_style(palette::GRID)
        .bold_line_style(palette::GRID)
        .axis_style(palette::INK)
        .draw()?;

    if let Some((fast, slow)) = &chart.band {
        // The band: the area between the more-flow and less-flow lines.
        let mut polygon: Vec<(f64, f64)> = fast.clone();
        polygon.extend(slow.iter().rev().copied());
        ctx.draw_series([Polygon::new(polygon, palette::BAND.mix(0.35).filled())])?;
    }
    ctx.draw_series(DashedLineSeries::new(
        [(0.0, chart.alarm_ml), (x_end, chart.alarm_ml)],
        8,
        5,
        palette::ALARM.stroke_width(2),
    ))?;
    if let Some((from, to, latest)) = chart.mri {
        ctx.draw_series([Rectangle::new(
            [(from, 0.0), (to.max(from + x_end / 400.0), y_end)],
            palette::ALARM.mix(0.35).filled(),
        )])?;
        if latest > to {
            ctx.draw_series([Rectangle::new(
                [(to, 0.0), (latest, y_end)],
                palette::ALARM.mix(0.15).filled(),
            )])?;
        }
    }
    for line in chart.lines.iter().rev() {
        let colour = scenario_colour(line.scenario);
        ctx.draw_series(LineSeries::new(
            line.points.iter().copied(),
            colour.stroke_width(if line.scenario == PatientUse::None { 3 } else { 2 }),
        ))?;
    }
    for marker in &chart.markers {
        ctx.draw_series(DashedLineSeries::new(
            [(marker.day, 0.0), (marker.day, y_end)],
            4,
            4,
            marker.colour.stroke_width(1),
        ))?;
    }
    let (right, top) = ctx.backend_coord(&(x_end, y_end));
    draw_legend(area, chart, right, top)?;

    // Marker labels along the top, staggered so neighbours do not overlap.
    for (i, marker) in chart.markers.iter().enumerate() {
        let (px, _) = ctx.backend_coord(&(marker.day, y_end));
        let width = label_width(&marker.label);
        let y = 4 + i32::try_from(i).unwrap_or(0) * 13;
        area.draw(&Text::new(
            marker.label.clone(),
            (px.saturating_sub(width / 2).max(64), y),
            ("sans-serif", 12).into_font().color(&marker.colour),
        ))?;
    }
    let mapping = ctx.as_coord_spec().clone();
    area.present()?;
    Ok(mapping)
}

/// Width of a legend or marker label, estimated from its length (about 7 px a character at 12 px):
/// plotters' own legend measures each label in the page's layout, which costs a forced layout of
/// the whole page on every redraw.
fn label_width(text: &str) -> i32 {
    i32::try_from(text.chars().count()).unwrap_or(0).saturating_mul(7)
}

/// The legend, in the plotting area's upper-right corner: one swatch and label per scenario.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ReservoirChart,
    right: i32,
    top: i32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    if chart.lines.is_empty() {
        return Ok(());
    }
    let widest = chart.lines.iter().map(|l| label_width(&l.label)).max().unwrap_or(0);
    let rows = i32::try_from(chart.lines.len()).unwrap_or(0);
    let (width, height) = (widest + 40, rows * 18 + 8);
    let (x0, y0) = (right - width - 8, top + 8);
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + width, y0 + height)],
        WHITE.mix(0.85).filled(),
    ))?;
    area.draw(&Rectangle::new([(x0, y0), (x0 + width, y0 + height)], palette::GRID))?;
    for (i, line) in chart.lines.iter().enumerate() {
        let y = y0 + 13 + i32::try_from(i).unwrap_or(0) * 18;
        let colour = scenario_colour(line.scenario);
        area.draw(&PathElement::new([(x0 + 8, y), (x0 + 26, y)], colour.stroke_width(3)))?;
        area.draw(&Text::new(
            line.label.clone(),
            (x0 + 32, y - 7),
            ("sans-serif", 12).into_font().color(&palette::INK),
        ))?;
    }
    Ok(())
}
