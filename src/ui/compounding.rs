//! The compounding worksheet (with the rinse of a new pump), as the report words it, for the fill
//! being prepared. Printable.

use leptos::prelude::*;

use super::input::FigureList;
use super::state::AppState;

/// The worksheet as a `<dl>`.
#[component]
pub fn Worksheet() -> impl IntoView {
    let state = expect_context::<AppState>();
    // For the fill being prepared: after a refill is entered, the new fill's (rolled forward).
    let kept = state.section(|r| r.worksheet.clone());
    let rows = Signal::derive(move || match state.rolled.get() {
        Some(Ok(next)) => next.report.worksheet.clone(),
        _ => kept.get(),
    });
    view! {
        <Show when=move || !rows.get().is_empty()>
            <section class="worksheet" aria-labelledby="worksheet-heading">
                <h3 id="worksheet-heading">"Compounding worksheet"</h3>
                <FigureList id="worksheet" label="Compounding worksheet" figures=rows stale=state.stale />
                <p class="note">"Check every volume independently before compounding. Diluent per your institution's practice (preservative-free)."</p>
            </section>
        </Show>
    }
}
