//! The Leptos single-page app (wasm32 only): thin components that bind inputs to the form's store,
//! and render the engine's report. No dosing maths and no clinical figure formatted here.

mod compounding;
mod csf;
mod drugs;
mod files;
mod findings;
mod input;
mod library_view;
mod persist;
mod pump_info;
mod reservoir_chart;
mod results;
mod schedule;
mod setup;
mod state;
mod visit;

use leptos::prelude::*;

use crate::engine::{Catalogue, DrugLibrary};
pub use crate::form::stored::STORAGE_KEY;
pub use csf::CSF_PAUSE_MS;
pub use persist::LIBRARY_KEY;
use state::AppState;

/// Mounts the app on the page body. Called by `main` in the browser.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    // The catalogue and library are compiled in; tests guarantee they parse. Should either ever
    // not, the app says so instead of computing with a guess.
    let (catalogue, builtin_library) = match (Catalogue::builtin(), DrugLibrary::builtin()) {
        (Ok(c), Ok(l)) => (c, l),
        (Err(e), _) => return fatal(e.to_string()),
        (_, Err(e)) => return fatal(e.to_string()),
    };
    let (library, library_note) = persist::load_library(builtin_library);
    let (form, form_note) = persist::load_form();
    let notes: Vec<String> = form_note.into_iter().chain(library_note).collect();
    let state = AppState::new(form, catalogue, library);
    provide_context(state);
    persist::autosave(state.form, state.library);
    view! {
        <header class="app-header">
            <h1>"itdose"</h1>
            <p class="tagline">"Intrathecal pump dosing calculator \u{2014} decision support only: check every figure against the pump's labelling and your institution's protocols."</p>
        </header>
        <main class="layout">
            <section class="panel inputs" aria-labelledby="inputs-heading">
                <h2 id="inputs-heading">"Pump and programme"</h2>
                <setup::PumpAndFill />
                <drugs::Programme />
                <schedule::ScheduleEditor />
                <csf::CsfInputs />
                <persist::SaveStatus />
                <pump_info::PumpInfo />
            </section>
            <section class="panel outputs" aria-labelledby="results-heading">
                <h2 id="results-heading">"Results"</h2>
                <results::Results />
                <findings::Findings />
                <files::PlanFiles notes=notes />
                <reservoir_chart::ReservoirChartView />
                <visit::VisitSection />
                <csf::CsfCharts />
                <compounding::Worksheet />
            </section>
        </main>
        <section class="panel library-panel" aria-labelledby="library-heading">
            <library_view::LibraryView />
        </section>
        <footer class="app-footer">
            <p>"Runs entirely in this browser; nothing is sent anywhere. Work is saved on this device only. Not a medical device."</p>
        </footer>
    }
    .into_any()
}

fn fatal(message: String) -> AnyView {
    view! { <main><p class="banner banner-error" role="alert">{message}</p></main> }.into_any()
}
