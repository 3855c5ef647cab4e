//! The therapy timeline: pain now (0 to 10) and systemic MME by visit over the months of a patient
//! record, with the mild and severe thresholds drawn, and each confirmed session (fills, refills,
//! programme changes, MRIs) as a marker; below it, one strip per intrathecal drug with its daily
//! dose as a step line from session to session. Drawing only: the record and the engine's
//! evaluation of each session hold the numbers, the engine's formatter every label.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette;
use crate::engine::format::format_number;
use crate::engine::outcomes::{DosesFrom, Thresholds};
use crate::engine::record::Record;
use crate::engine::report::axis_date;

fn days(from: jiff::civil::DateTime, to: jiff::civil::DateTime) -> f64 {
    from.duration_until(to).as_secs_f64() / 86_400.0
}

/// Height of the pain and MME panel, pixels.
pub const MAIN_HEIGHT: u32 = 320;
/// Height of each intrathecal drug's strip, pixels.
pub const STRIP_HEIGHT: u32 = 110;

/// The drugs of `doses` (Tall Man name and dose unit), in order of first appearance.
fn drugs(doses: &[DosesFrom]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for d in doses.iter().flat_map(|f| &f.doses) {
        let Some(daily) = d.daily else { continue };
        let key = (d.display_name.clone(), daily.symbol());
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// The timeline's height for these doses: the main panel and one strip per drug.
pub fn height(doses: &[DosesFrom]) -> u32 {
    MAIN_HEIGHT + STRIP_HEIGHT * u32::try_from(drugs(doses).len()).unwrap_or(0)
}

/// Draws the timeline of `record` on `area`: the pain and MME panel, and under it one strip per
/// drug of `doses` (the intrathecal daily doses in force from each session).
///
/// # Errors
/// Whatever the backend reports.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    record: &Record,
    doses: &[DosesFrom],
    thresholds: &Thresholds,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let strips = drugs(doses);
    let main_height = i32::try_from(area.dim_in_pixel().1).unwrap_or(0)
        - i32::try_from(STRIP_HEIGHT).unwrap_or(0) * i32::try_from(strips.len()).unwrap_or(0);
    let (main, rest) = area.split_vertically(main_height.max(0));
    let mut dates: Vec<_> = record.outcomes.iter().map(|o| o.at).collect();
    dates.extend(record.history.iter().map(|h| h.at));
    let (Some(start), Some(end)) = (dates.iter().min().copied(), dates.iter().max().copied()) else {
        return Ok(());
    };
    let x_end = days(start, end).max(7.0) * 1.05;
    draw_main(&main, record, thresholds, (start, x_end))?;
    let sessions: Vec<f64> = record.history.iter().map(|h| days(start, h.at)).collect();
    let mut below = rest;
    for (i, (name, unit)) in strips.iter().enumerate() {
        let (strip, next) = below.split_vertically(i32::try_from(STRIP_HEIGHT).unwrap_or(0));
        below = next;
        let steps = dose_steps(doses, name, unit, start, x_end);
        let dated = i + 1 == strips.len();
        draw_strip(
            &strip,
            &steps,
            &crate::engine::report::outcomes::dose_strip_label(name, unit),
            (start, x_end, dated),
            &sessions,
        )?;
    }
    area.present()
}

/// The pain and MME panel: both thresholds, a marker per session, pain now and systemic MME.
fn draw_main<DB: DrawingBackend>(
    main: &DrawingArea<DB, Shift>,
    record: &Record,
    thresholds: &Thresholds,
    (start, x_end): (jiff::civil::DateTime, f64),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let mme_top = record
        .outcomes
        .iter()
        .filter_map(|o| o.systemic_mme)
        .fold(10.0_f64, f64::max)
        * 1.1;
    let mut ctx = ChartBuilder::on(main)
        .margin(16)
        .margin_top(28)
        .x_label_area_size(40)
        .y_label_area_size(48)
        .right_y_label_area_size(64)
        .build_cartesian_2d(0.0..x_end, 0.0..10.0)?
        .set_secondary_coord(0.0..x_end, 0.0..mme_top);
    let x_label = |d: &f64| axis_date(start, *d);
    let y_label = |v: &f64| format_number(*v);
    ctx.configure_mesh()
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .x_desc("Date")
        .y_desc("Pain now (0 to 10)")
        .axis_desc_style(("sans-serif", 14).into_font().color(&palette::INK))
        .label_style(("sans-serif", 12).into_font().color(&palette::INK))
        .light_line_style(palette::GRID)
        .bold_line_style(palette::GRID)
        .axis_style(palette::INK)
        .draw()?;
    ctx.configure_secondary_axes()
        .y_desc("Systemic MME (mg/day)")
        .y_label_formatter(&y_label)
        .label_style(("sans-serif", 12).into_font().color(&palette::TYPICAL))
        .axis_desc_style(("sans-serif", 14).into_font().color(&palette::TYPICAL))
        .draw()?;
    for (value, colour, words) in [
        (thresholds.mild_below.value, palette::REFILL, "mild below"),
        (thresholds.severe_from.value, palette::EMPTY, "severe from"),
    ] {
        ctx.draw_series(DashedLineSeries::new(
            [(0.0, value), (x_end, value)],
            8,
            5,
            colour.stroke_width(2),
        ))?;
        ctx.draw_series([Text::new(
            format!("{words} {}", format_number(value)),
            (x_end * 0.01, value + 0.15),
            ("sans-serif", 12).into_font().color(&colour),
        )])?;
    }
    for h in &record.history {
        let d = days(start, h.at);
        ctx.draw_series([PathElement::new(
            [(d, 0.0), (d, 10.0)],
            palette::ALARM.mix(0.6).stroke_width(1),
        )])?;
        let initial: String = h.workflow.chars().take(1).collect();
        ctx.draw_series([Text::new(
            initial,
            (d, 9.7),
            ("sans-serif", 12).into_font().color(&palette::ALARM),
        )])?;
    }
    let mut pain: Vec<(f64, f64)> = record
        .outcomes
        .iter()
        .filter_map(|o| o.pain_now.map(|p| (days(start, o.at), p)))
        .collect();
    pain.sort_by(|a, b| a.0.total_cmp(&b.0));
    ctx.draw_series(LineSeries::new(
        pain.iter().copied(),
        palette::RESERVOIR.stroke_width(3),
    ))?;
    ctx.draw_series(pain.iter().map(|p| Circle::new(*p, 4, palette::RESERVOIR.filled())))?;
    let mut mme: Vec<(f64, f64)> = record
        .outcomes
        .iter()
        .filter_map(|o| o.systemic_mme.map(|m| (days(start, o.at), m)))
        .collect();
    mme.sort_by(|a, b| a.0.total_cmp(&b.0));
    ctx.draw_secondary_series(LineSeries::new(mme.iter().copied(), palette::TYPICAL.stroke_width(2)))?;
    ctx.draw_secondary_series(
        mme.iter()
            .map(|p| TriangleMarker::new(*p, 5, palette::TYPICAL.filled())),
    )?;
    Ok(())
}

/// One drug's daily dose as runs of a step line: (day, dose) points, a new run where the drug is
/// absent from a session.
fn dose_steps(
    doses: &[DosesFrom],
    name: &str,
    unit: &str,
    start: jiff::civil::DateTime,
    x_end: f64,
) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for (i, from) in doses.iter().enumerate() {
        let until = doses.get(i + 1).map_or(x_end, |n| days(start, n.at));
        let found = from
            .doses
            .iter()
            .filter_map(|d| d.daily.filter(|daily| d.display_name == name && daily.symbol() == unit))
            .next();
        match found {
            Some(daily) => {
                let v = daily.value();
                current.push((days(start, from.at), v));
                current.push((until, v));
            }
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// One drug's strip: its daily dose as a step line on its own axis, in its unit.
fn draw_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[Vec<(f64, f64)>],
    label: &str,
    (start, x_end, dated): (jiff::civil::DateTime, f64, bool),
    sessions: &[f64],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let top = runs.iter().flatten().map(|p| p.1).fold(0.0_f64, f64::max);
    let top = if top > 0.0 { top * 1.4 } else { 1.0 };
    let mut ctx = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(16)
        .margin_top(4)
        .margin_bottom(4)
        .x_label_area_size(if dated { 28 } else { 0 })
        .y_label_area_size(48)
        .right_y_label_area_size(64)
        .build_cartesian_2d(0.0..x_end, 0.0..top)?;
    let x_label = |d: &f64| axis_date(start, *d);
    let y_label = |v: &f64| format_number(*v);
    ctx.configure_mesh()
        .x_labels(if dated { 6 } else { 0 })
        .y_labels(4)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .label_style(("sans-serif", 12).into_font().color(&palette::INK))
        .light_line_style(palette::GRID)
        .bold_line_style(palette::GRID)
        .axis_style(palette::INK)
        .draw()?;
    ctx.draw_series([Text::new(
        label.to_owned(),
        (x_end * 0.01, top * 0.98),
        ("sans-serif", 12).into_font().color(&palette::DOSE),
    )])?;
    for d in sessions {
        ctx.draw_series([PathElement::new(
            [(*d, 0.0), (*d, top)],
            palette::ALARM.mix(0.6).stroke_width(1),
        )])?;
    }
    for run in runs {
        ctx.draw_series(LineSeries::new(run.iter().copied(), palette::DOSE.stroke_width(2)))?;
    }
    Ok(())
}

/// The timeline as SVG text, `width` pixels wide and [`height`] high (empty text when it cannot be
/// drawn).
pub fn svg(record: &Record, doses: &[DosesFrom], thresholds: &Thresholds, width: u32) -> String {
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (width, height(doses))).into_drawing_area();
        if draw(&area, record, doses, thresholds).is_err() {
            return String::new();
        }
    }
    out
}

/// A systemic taper as SVG: the total MME stepping down from `start_mme` at each step's date
/// (empty text when it cannot be drawn).
pub fn taper_svg(steps: &[crate::engine::taper::TaperStep], start_mme: f64, width: u32, height: u32) -> String {
    let Some(first) = steps.first().map(|s| s.at) else {
        return String::new();
    };
    let mut points = vec![(0.0, start_mme)];
    let mut before = start_mme;
    for s in steps {
        let d = days(first, s.at);
        points.push((d, before));
        points.push((d, s.mme));
        before = s.mme;
    }
    let x_end = points.last().map_or(7.0, |p| p.0).max(7.0) * 1.1;
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        let drawn = (|| -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
            area.fill(&WHITE)?;
            let mut ctx = ChartBuilder::on(&area)
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(56)
                .build_cartesian_2d(0.0..x_end, 0.0..start_mme.max(1.0) * 1.05)?;
            let x_label = |d: &f64| axis_date(first, *d);
            let y_label = |v: &f64| format_number(*v);
            ctx.configure_mesh()
                .x_labels(5)
                .y_labels(5)
                .x_label_formatter(&x_label)
                .y_label_formatter(&y_label)
                .y_desc("Systemic MME (mg/day)")
                .label_style(("sans-serif", 12).into_font().color(&palette::INK))
                .light_line_style(palette::GRID)
                .bold_line_style(palette::GRID)
                .axis_style(palette::INK)
                .draw()?;
            ctx.draw_series(LineSeries::new(
                points.iter().copied(),
                palette::TYPICAL.stroke_width(3),
            ))?;
            area.present()
        })();
        if drawn.is_err() {
            return String::new();
        }
    }
    out
}
