//! The Leptos single-page app (wasm32 only): thin components that bind inputs to the form's store,
//! and render the engine's report. No dosing maths and no clinical figure formatted here.

mod card;
mod compounding;
mod convert;
mod csf;
mod drugs;
mod factors;
mod files;
mod findings;
mod input;
mod library_view;
mod outcomes;
mod persist;
mod pump_info;
mod records;
mod reservoir_chart;
mod results;
mod review;
mod route;
mod schedule;
mod setup;
mod share;
mod state;
mod titration;
mod update;
mod visit;
mod workflow;

use leptos::prelude::*;

use crate::engine::{Catalogue, DrugLibrary};
pub use crate::form::stored::STORAGE_KEY;
pub use csf::CSF_PAUSE_MS;
pub use persist::{DRAFTS_KEY, LIBRARY_KEY, SESSION_KEY};
use route::Screen;
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
    persist::keep_session(state.baseline);
    records::provide(state);
    update::provide();
    let (hash_screen, route_note) = route::screen_signal();
    let screen = Memo::new(move |_| hash_screen.get());
    // The first change on a screen that edits the plan starts a session: the plan as it was just
    // before becomes the current programme (no button to press first, and looking changes nothing).
    let before = StoredValue::new(state.form.get_untracked());
    Effect::new(move |_| {
        let now = state.form.get();
        let was = before.try_update_value(|b| std::mem::replace(b, now.clone()));
        let s = screen.get_untracked();
        if let Some(was) = was
            && was != now
            && s.edits()
            && state.baseline.with_untracked(Option::is_none)
        {
            state.begin_session(s.title(), was);
        }
    });
    let notes = StoredValue::new(notes);
    let before = window_event_listener(leptos::ev::beforeprint, move |_| state.printing.set(true));
    let after = window_event_listener(leptos::ev::afterprint, move |_| state.printing.set(false));
    on_cleanup(move || {
        before.remove();
        after.remove();
    });
    view! {
        <header class="app-header">
            <h1>"itdose"</h1>
            <p class="tagline">"Intrathecal pump dosing calculator \u{2014} decision support only: check every figure against the pump's labelling and your institution's protocols."</p>
            <workflow::Nav screen=screen />
            <update::UpdateOffer />
        </header>
        <Show when=move || !matches!(screen.get(), Screen::Start | Screen::Library | Screen::Convert | Screen::Records)>
            <workflow::Summary />
        </Show>
        <share::SharedPlanBanner />
        <main id="main">
            {move || match screen.get() {
                Screen::Start => view! { <workflow::StartScreen note=route_note notes=notes.get_value() /> }.into_any(),
                Screen::Refill => view! { <workflow::RefillScreen /> }.into_any(),
                Screen::Change => view! { <workflow::ChangeScreen /> }.into_any(),
                Screen::NewPump => view! { <workflow::NewPumpScreen /> }.into_any(),
                Screen::Mri => view! { <workflow::MriScreen /> }.into_any(),
                Screen::Library => view! { <workflow::LibraryScreen /> }.into_any(),
                Screen::Convert => view! { <convert::ConvertScreen /> }.into_any(),
                Screen::Review => view! { <review::ReviewScreen /> }.into_any(),
                Screen::Card => view! { <card::CardScreen /> }.into_any(),
                Screen::Records => view! { <records::RecordsScreen /> }.into_any(),
                Screen::Plan => view! { <Everything /> }.into_any(),
            }}
        </main>
        <footer class="app-footer">
            <persist::SaveStatus />
            <p>"Runs entirely in this browser; nothing is sent anywhere. Not a medical device."</p>
            <persist::StorageNote />
        </footer>
    }
    .into_any()
}

/// Every input and result on one page (for a plan that fits no workflow, and for checking all of it).
#[component]
fn Everything() -> impl IntoView {
    view! {
        <div class="layout">
            <section class="panel inputs" aria-labelledby="screen-heading">
                <h2 id="screen-heading" tabindex="-1">"Pump and programme"</h2>
                <setup::PumpAndFill />
                <drugs::Programme />
                <schedule::ScheduleEditor />
                <csf::CsfInputs />
                <pump_info::PumpInfo />
            </section>
            <section class="panel outputs" aria-labelledby="results-heading">
                <h2 id="results-heading">"Results"</h2>
                <results::Results />
                <findings::Findings />
                <reservoir_chart::ReservoirChartView />
                <visit::VisitSection />
                <csf::CsfCharts />
                <compounding::Worksheet />
            </section>
        </div>
    }
}

fn fatal(message: String) -> AnyView {
    view! { <main><p class="banner banner-error" role="alert">{message}</p></main> }.into_any()
}
