//! The reservoir chart on a canvas, with its text alternative.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::AppState;
use crate::chart::reservoir::{ReservoirChart, draw};

/// Canvas size in CSS pixels.
const WIDTH: u32 = 760;
const HEIGHT: u32 = 380;

/// The projected reservoir depletion chart.
#[component]
pub fn ReservoirChartView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let stale = state.stale;
    let canvas_ref = NodeRef::<Canvas>::new();
    let chart = Memo::new(move |_| {
        state.last_valid.with(|r| {
            r.as_ref()
                .map(|r| ReservoirChart::from_projection(&r.reservoir))
        })
    });
    let draw_error = RwSignal::new(None::<String>);

    // Drawing on a canvas is a side effect on the outside world: an Effect.
    Effect::new(move |_| {
        let (Some(canvas), Some(data)) = (canvas_ref.get(), chart.get()) else {
            return;
        };
        let Some(backend) = CanvasBackend::with_canvas_object(canvas) else {
            draw_error.set(Some("This browser cannot draw on a canvas.".into()));
            return;
        };
        let result = draw(&backend.into_drawing_area(), &data).map_err(|e| e.to_string());
        draw_error.set(result.err());
    });

    view! {
        <figure class="chart" class:stale=move || stale.get() class:hidden=move || chart.with(Option::is_none)>
            <figcaption id="reservoir-chart-title">"Projected reservoir volume"</figcaption>
            <canvas
                node_ref=canvas_ref
                id="reservoir-chart"
                width=WIDTH
                height=HEIGHT
                role="img"
                aria-labelledby="reservoir-chart-title"
                aria-describedby="reservoir-chart-text"
            ></canvas>
            <p class="chart-text" id="reservoir-chart-text">
                {move || chart.with(|c| c.as_ref().map(ReservoirChart::description).unwrap_or_default())}
            </p>
            {move || draw_error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
        </figure>
    }
}
