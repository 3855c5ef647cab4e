//! The reservoir chart on a canvas, with its text alternative and a read-out of date and volume
//! under the pointer (or moved with the arrow keys when the chart has focus). The outcome gives the
//! numbers, the report every word.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::coord::ReverseCoordTranslate;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::state::AppState;
use crate::chart::reservoir::{Mapping, ReservoirChart, draw};
use crate::engine::report;

/// Canvas size in CSS pixels.
const WIDTH: u32 = 760;
const HEIGHT: u32 = 380;

/// The chart as an SVG `data:` URL for paper.
fn paper_svg(data: &ReservoirChart) -> Option<String> {
    let mut svg = String::new();
    draw(
        &SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area(),
        data,
    )
    .ok()?;
    Some(super::input::svg_data_url(&svg))
}

/// The projected reservoir depletion chart.
#[component]
pub fn ReservoirChartView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let stale = state.stale;
    let canvas_ref = NodeRef::<Canvas>::new();
    let chart = Memo::new(move |_| {
        state.last_valid.with(|shown| {
            shown
                .as_ref()
                .and_then(|s| ReservoirChart::new(&s.outcome, &s.report.reservoir_chart))
        })
    });
    let draw_error = RwSignal::new(None::<String>);
    let mapping = StoredValue::new_local(None::<Mapping>);
    let readout_day = RwSignal::new(None::<f64>);

    // Drawing on a canvas is a side effect on the outside world: an Effect.
    Effect::new(move |_| {
        let (Some(canvas), Some(data)) = (canvas_ref.get(), chart.get()) else {
            return;
        };
        let Some(backend) = CanvasBackend::with_canvas_object(canvas) else {
            draw_error.set(Some("This browser cannot draw on a canvas.".into()));
            return;
        };
        match draw(&backend.into_drawing_area(), &data) {
            Ok(m) => {
                mapping.set_value(Some(m));
                draw_error.set(None);
            }
            Err(e) => draw_error.set(Some(e.to_string())),
        }
    });

    let on_move = move |ev: leptos::ev::MouseEvent| {
        let Some(canvas) = canvas_ref.get_untracked() else {
            return;
        };
        // The canvas may be scaled by CSS: convert to canvas pixels first.
        let scale = f64::from(canvas.width()) / f64::from(canvas.client_width().max(1));
        let x = (f64::from(ev.offset_x()) * scale) as i32;
        let y = (f64::from(ev.offset_y()) * scale) as i32;
        let day = mapping.with_value(|m| m.as_ref().and_then(|m| m.reverse_translate((x, y))).map(|(d, _)| d));
        readout_day.set(day.filter(|d| *d >= 0.0));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let step = match ev.key().as_str() {
            "ArrowRight" => 1.0,
            "ArrowLeft" => -1.0,
            "PageUp" => 7.0,
            "PageDown" => -7.0,
            _ => return,
        };
        ev.prevent_default();
        readout_day.update(|d| *d = Some((d.unwrap_or(0.0) + step).max(0.0)));
    };
    let readout = move || {
        let day = readout_day.get()?;
        state
            .last_valid
            .with(|shown| shown.as_ref().and_then(|s| report::readout(&s.outcome, day)))
    };

    // For paper: the same chart as SVG (vector, sharp at any print resolution), drawn only while
    // the browser prints.
    let paper = move || {
        if !state.printing.get() {
            return None;
        }
        chart.with(|c| c.as_ref().and_then(paper_svg))
    };
    view! {
        <figure class="chart" class:stale=move || stale.get() class:hidden=move || chart.with(Option::is_none)>
            <figcaption id="reservoir-chart-title">"Projected reservoir volume"</figcaption>
            <canvas
                node_ref=canvas_ref
                id="reservoir-chart"
                width=WIDTH
                height=HEIGHT
                role="img"
                tabindex="0"
                aria-labelledby="reservoir-chart-title"
                aria-describedby="reservoir-chart-text reservoir-readout"
                on:mousemove=on_move
                on:keydown=on_key
            ></canvas>
            {move || paper().map(|src| view! { <img class="print-only chart-print" id="reservoir-chart-print" src=src alt="Projected reservoir volume (see the description below)" /> })}
            <p class="readout" id="reservoir-readout" aria-live="polite">
                {move || readout().unwrap_or_else(|| "Point at the chart (or focus it and use \u{2190} \u{2192}) to read the date and volume.".into())}
            </p>
            <p class="chart-text" id="reservoir-chart-text">
                {move || chart.with(|c| c.as_ref().map(ReservoirChart::description).unwrap_or_default())}
            </p>
            {move || draw_error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
        </figure>
    }
}
