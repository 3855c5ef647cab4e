//! The reservoir depletion chart: volume in the reservoir against date, from the fill to empty,
//! with the low-reservoir alarm volume as a line and the alarm date marked.

use jiff::SignedDuration;
use jiff::civil::DateTime;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette;
use crate::engine::ReservoirProjection;
use crate::engine::format::{format_date, format_date_time, format_number};

/// What the reservoir chart shows, read off a computed plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ReservoirChart {
    /// When the pump was filled (x = 0).
    pub filled_at: DateTime,
    /// Pump capacity (top of the y axis), mL.
    pub capacity_ml: f64,
    /// (days since fill, mL in reservoir) vertices of the volume line.
    pub volume_points: Vec<(f64, f64)>,
    /// Alarm volume, mL.
    pub alarm_ml: f64,
    /// Days from fill to alarm, and when.
    pub alarm_day: f64,
    /// When the alarm sounds.
    pub alarm_at: DateTime,
    /// Days from fill to empty.
    pub empty_day: f64,
    /// When the reservoir is empty.
    pub empty_at: DateTime,
}

impl ReservoirChart {
    /// Reads the chart's figures off a reservoir projection (a constant rate: a straight line
    /// from fill to empty).
    pub fn from_projection(p: &ReservoirProjection) -> Self {
        let fill = p.fill_volume.value();
        let empty_day = p.days_to_empty.value();
        Self {
            filled_at: p.filled_at,
            capacity_ml: p.capacity.value(),
            volume_points: vec![(0.0, fill), (empty_day, 0.0)],
            alarm_ml: p.low_reservoir_alarm.value(),
            alarm_day: p.days_to_alarm.value(),
            alarm_at: p.alarm_at,
            empty_day,
            empty_at: p.empty_at,
        }
    }

    /// A text alternative for the chart, for screen readers and printouts.
    pub fn description(&self) -> String {
        format!(
            "Reservoir volume falls from {} mL at the fill on {} to the low-reservoir alarm volume of {} mL on {}, and the reservoir is empty on {}.",
            format_number(self.volume_points.first().map_or(0.0, |p| p.1)),
            format_date_time(self.filled_at),
            format_number(self.alarm_ml),
            format_date_time(self.alarm_at),
            format_date_time(self.empty_at),
        )
    }

    fn date_label(&self, day: f64) -> String {
        let minutes = (day * 1440.0).round();
        if !minutes.is_finite() || minutes.abs() > 1e9 {
            return String::new();
        }
        self.filled_at
            .checked_add(SignedDuration::from_mins(minutes as i64))
            .map(format_date)
            .unwrap_or_default()
    }
}

/// Draws the reservoir chart into `area`.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ReservoirChart,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let x_end = (chart.empty_day * 1.08).max(1.0);
    let y_end = chart.capacity_ml.max(1.0);
    let mut ctx = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_end, 0.0..y_end)?;

    let x_label = |day: &f64| chart.date_label(*day);
    let y_label = |ml: &f64| format!("{} mL", format_number(*ml));
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

    // The alarm volume across the chart, and the moment the reservoir reaches it.
    ctx.draw_series(DashedLineSeries::new(
        [(0.0, chart.alarm_ml), (x_end, chart.alarm_ml)],
        8,
        5,
        palette::ALARM.stroke_width(2),
    ))?;
    ctx.draw_series(LineSeries::new(
        chart.volume_points.iter().copied(),
        palette::RESERVOIR.stroke_width(3),
    ))?;
    ctx.draw_series(DashedLineSeries::new(
        [(chart.alarm_day, 0.0), (chart.alarm_day, y_end)],
        4,
        4,
        palette::ALARM.stroke_width(1),
    ))?;
    ctx.draw_series([Circle::new(
        (chart.alarm_day, chart.alarm_ml),
        5,
        palette::ALARM.filled(),
    )])?;
    ctx.draw_series(DashedLineSeries::new(
        [(chart.empty_day, 0.0), (chart.empty_day, y_end)],
        4,
        4,
        palette::EMPTY.stroke_width(1),
    ))?;
    ctx.draw_series([Circle::new(
        (chart.empty_day, 0.0),
        5,
        palette::EMPTY.filled(),
    )])?;

    let label_style = ("sans-serif", 13).into_font().color(&palette::ALARM);
    let alarm_text = format!(
        "Low-reservoir alarm {} mL: {}",
        format_number(chart.alarm_ml),
        format_date(chart.alarm_at)
    );
    // Put the label left of the alarm line so it stays inside the plot.
    let (px, py) = ctx.backend_coord(&(chart.alarm_day, y_end * 0.92));
    let width = i32::try_from(alarm_text.chars().count())
        .unwrap_or(0)
        .saturating_mul(7);
    area.draw(&Text::new(
        alarm_text,
        (px.saturating_sub(width + 6).max(70), py),
        label_style,
    ))?;

    // The empty label sits under the alarm label, clear of the lines near the x axis.
    let empty_text = format!("Empty: {}", format_date(chart.empty_at));
    let empty_width = i32::try_from(empty_text.chars().count())
        .unwrap_or(0)
        .saturating_mul(7);
    let (ex, _) = ctx.backend_coord(&(chart.empty_day, 0.0));
    area.draw(&Text::new(
        empty_text,
        (
            ex.saturating_sub(empty_width + 6).max(70),
            py.saturating_add(18),
        ),
        ("sans-serif", 13).into_font().color(&palette::EMPTY),
    ))?;

    area.present()
}
