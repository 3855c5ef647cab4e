//! The modelled CSF concentration chart of one drug: the series reduced to min and max per pixel
//! column (no bolus peak lost), the steady-state line, the marker where the new solution reaches
//! the catheter tip, and the MRI band. Always captioned as a model estimate.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette;
use crate::engine::report::{CsfChartText, axis_date, axis_value};
use crate::engine::{CsfOutcome, CsfSeries, min_max_per_column};

/// Draws one drug's series; `columns` is the plot width in pixels for the min/max reduction.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &CsfOutcome,
    series: &CsfSeries,
    text: &CsfChartText,
    columns: usize,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let filled_at = report.filled_at;
    area.fill(&WHITE)?;
    let x_end = series.days.last().copied().unwrap_or(1.0).max(1e-6);
    let top = series.peak.max(series.steady_state).max(f64::MIN_POSITIVE) * 1.15;
    let mut ctx = ChartBuilder::on(area)
        .margin(12)
        .margin_top(30)
        .x_label_area_size(40)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..x_end, 0.0..top)?;
    let date_label = |day: &f64| axis_date(filled_at, *day);
    let unit = text.unit.clone();
    let y_label = move |c: &f64| axis_value(*c, &unit);
    ctx.configure_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&date_label)
        .y_label_formatter(&y_label)
        .x_desc("Date")
        .y_desc(text.axis.clone())
        .axis_desc_style(("sans-serif", 13).into_font().color(&palette::INK))
        .label_style(("sans-serif", 11).into_font().color(&palette::INK))
        .light_line_style(palette::GRID)
        .bold_line_style(palette::GRID)
        .axis_style(palette::INK)
        .draw()?;
    if let Some((from, to, latest)) = report.mri_days {
        ctx.draw_series([Rectangle::new(
            [(from, 0.0), (to, top)],
            palette::ALARM.mix(0.35).filled(),
        )])?;
        if latest > to {
            ctx.draw_series([Rectangle::new(
                [(to, 0.0), (latest, top)],
                palette::ALARM.mix(0.15).filled(),
            )])?;
        }
    }
    ctx.draw_series(DashedLineSeries::new(
        [(0.0, series.steady_state), (x_end, series.steady_state)],
        6,
        4,
        palette::REFILL.stroke_width(1),
    ))?;
    // Min/max per pixel column, drawn as a vertical bar per column joined by the mean path.
    let reduced = min_max_per_column(&series.days, &series.values, columns.max(1));
    ctx.draw_series(
        reduced
            .iter()
            .map(|&(t, lo, hi)| PathElement::new([(t, lo), (t, hi)], palette::RESERVOIR.stroke_width(1))),
    )?;
    ctx.draw_series(LineSeries::new(
        reduced.iter().map(|&(t, lo, hi)| (t, (lo + hi) / 2.0)),
        palette::RESERVOIR.stroke_width(2),
    ))?;
    let tip = report.tip_days.value();
    if let Some(label) = text.tip_label.as_ref().filter(|_| tip > 0.0 && tip < x_end) {
        ctx.draw_series(DashedLineSeries::new(
            [(tip, 0.0), (tip, top)],
            4,
            4,
            palette::TYPICAL.stroke_width(2),
        ))?;
        let (px, _) = ctx.backend_coord(&(tip, top));
        area.draw(&Text::new(
            label.clone(),
            (px.saturating_sub(90).max(90), 6),
            ("sans-serif", 12).into_font().color(&palette::TYPICAL),
        ))?;
    }
    if let Some((from, _, _)) = report.mri_days {
        let (px, _) = ctx.backend_coord(&(from, top));
        area.draw(&Text::new(
            "MRI",
            (px, 18),
            ("sans-serif", 12).into_font().color(&palette::ALARM),
        ))?;
    }
    area.present()
}
