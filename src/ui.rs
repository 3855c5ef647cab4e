//! The Leptos single-page app (wasm32 only): thin components that hold what the user typed,
//! call the engine, and show its results. No dosing maths here.

mod compounding;
mod csf;
mod drugs;
mod field;
mod files;
mod findings;
mod library_view;
mod persist;
mod pump_info;
mod reservoir_chart;
mod results;
mod schedule;
mod visit;

use leptos::prelude::*;

use crate::engine::format::format_date_time;
use crate::engine::{Catalogue, DrugLibrary, Error, Field, Plan, Report, evaluate, parse_date, parse_time};
use crate::form::{FormMode, PlanForm};
use field::{ErrorList, NumberField};
pub use persist::{LIBRARY_KEY, STORAGE_KEY};

/// Mounts the app on the page body. Called by `main` in the browser.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// What the current input evaluates to.
#[derive(Clone, PartialEq)]
pub(crate) struct Evaluation {
    /// The plan, when the form parses.
    pub plan: Option<Plan>,
    /// The report, when the plan evaluates.
    pub report: Result<Report, Vec<Error>>,
}

/// App-wide state handed to components.
#[derive(Clone, Copy)]
pub(crate) struct AppState {
    pub form: RwSignal<PlanForm>,
    pub catalogue: StoredValue<Catalogue>,
    pub library: RwSignal<DrugLibrary>,
    pub evaluation: Memo<Evaluation>,
    /// The last report computed from valid input; stays on screen while the input is corrected.
    pub last_valid: Memo<Option<Report>>,
    pub errors: Signal<Vec<Error>>,
    pub stale: Signal<bool>,
}

/// "First fill of a new pump?" as an explicit yes or no: some drugs (ziconotide) have rules for a
/// new pump, so the answer is never a silent default.
#[component]
fn NewPumpQuestion() -> impl IntoView {
    let form = expect_context::<AppState>().form;
    let choice = move |answer: bool, id: &'static str, label: &'static str| {
        view! {
            <label class="radio" for=id>
                <input type="radio" id=id name="new-pump"
                    prop:checked=move || form.with(|f| f.new_pump == Some(answer))
                    on:change=move |_| form.update(|f| f.new_pump = Some(answer)) />
                {label}
            </label>
        }
    };
    view! {
        <fieldset class="new-pump" id="new_pump" aria-describedby="new_pump-error">
            <legend>"Is this the first fill of a new pump?"</legend>
            {choice(true, "new-pump-yes", "Yes: the first fill after implant")}
            {choice(false, "new-pump-no", "No: a refill or a programme change")}
            <ErrorList ids=vec!["new_pump".into()] />
        </fieldset>
    }
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    // The catalogue and library are compiled in; tests guarantee they parse. Should either ever
    // not, the app says so instead of computing with a guess.
    let (catalogue, builtin_library) = match (Catalogue::builtin(), DrugLibrary::builtin()) {
        (Ok(c), Ok(l)) => (c, l),
        (Err(e), _) => {
            return view! { <main><p class="banner banner-error" role="alert">{e.to_string()}</p></main> }.into_any();
        }
        (_, Err(e)) => {
            return view! { <main><p class="banner banner-error" role="alert">{e.to_string()}</p></main> }.into_any();
        }
    };
    let catalogue = StoredValue::new(catalogue);
    let (saved_library, library_note) = persist::load_library(builtin_library);
    let library = RwSignal::new(saved_library);
    let form = RwSignal::new(persist::load_form());
    persist::autosave(form, library);

    let evaluation = Memo::new(move |_| {
        form.with(|f| {
            catalogue.with_value(|c| {
                library.with(|l| match f.to_plan(c, l) {
                    Ok(plan) => {
                        let report = evaluate(&plan, c, l);
                        Evaluation {
                            plan: Some(plan),
                            report,
                        }
                    }
                    Err(errors) => Evaluation {
                        plan: None,
                        report: Err(errors),
                    },
                })
            })
        })
    });
    let last_valid: Memo<Option<Report>> =
        Memo::new(
            move |previous: Option<&Option<Report>>| match evaluation.with(|e| e.report.clone()) {
                Ok(report) => Some(report),
                Err(_) => previous.cloned().flatten(),
            },
        );
    let errors: Signal<Vec<Error>> =
        Signal::derive(move || evaluation.with(|e| e.report.as_ref().err().cloned().unwrap_or_default()));
    let stale = Signal::derive(move || evaluation.with(|e| e.report.is_err()) && last_valid.with(Option::is_some));
    let state = AppState {
        form,
        catalogue,
        library,
        evaluation,
        last_valid,
        errors,
        stale,
    };
    provide_context(state);

    let model = move || form.with(|f| catalogue.with_value(|c| c.get(&f.pump_id).cloned()));
    let needs_capacity = Signal::derive(move || model().is_some_and(|m| m.is_custom()));
    let constant_flow = Signal::derive(move || model().is_some_and(|m| m.is_constant_flow()));
    let text = move |read: fn(&PlanForm) -> &String| Signal::derive(move || form.with(|f| read(f).clone()));
    let set = move |apply: fn(&mut PlanForm, String)| move |value: String| form.update(|f| apply(f, value));

    // The browser shows a date input in its own locale ("11/25/2026" reads as two different days in
    // two countries); this echo names the month.
    let fill_echo = move || {
        form.with(|f| {
            let date = parse_date(Field::FillDate, &f.fill_date).ok()?;
            let time = parse_time(Field::FillTime, &f.fill_time).ok()?;
            Some(format!("Filled {}", format_date_time(date.to_datetime(time))))
        })
    };
    let pump_options = catalogue.with_value(|c| {
        c.pumps
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect::<Vec<_>>()
    });
    let on_pump = move |ev| {
        let id = event_target_value(&ev);
        let default_alarm =
            catalogue.with_value(|c| c.get(&id).and_then(|m| m.default_alarm().map(|a| a.value.value())));
        form.update(|f| {
            f.pump_id = id;
            // The alarm field follows the pump's recommended value; the user can still change it.
            if let Some(v) = default_alarm {
                f.low_reservoir_alarm = crate::engine::format::format_number(v);
            }
        });
    };
    let mode_radio = move |mode: FormMode, label: &'static str, id: &'static str| {
        view! {
            <label class="radio" for=id>
                <input type="radio" id=id name="programme-mode"
                    prop:checked=move || form.with(|f| f.mode == mode)
                    on:change=move |_| form.update(|f| f.mode = mode) />
                {label}
            </label>
        }
    };

    view! {
        <header class="app-header">
            <h1>"itdose"</h1>
            <p class="tagline">"Intrathecal pump dosing calculator \u{2014} decision support only: check every figure against the pump's labelling and your institution's protocols."</p>
        </header>
        <main class="layout">
            <section class="panel inputs" aria-labelledby="inputs-heading">
                <h2 id="inputs-heading">"Pump and programme"</h2>
                <div class="field">
                    <label for="pump">"Pump"</label>
                    <select id="pump" on:change=on_pump prop:value=move || form.with(|f| f.pump_id.clone())>
                        {pump_options.into_iter().map(|(id, name)| {
                            let selected_id = id.clone();
                            view! { <option value=id selected=move || form.with(|f| f.pump_id == selected_id)>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <Show when=move || needs_capacity.get()>
                    <NumberField id="pump_capacity" label="Pump capacity" unit="mL" value=text(|f| &f.custom_capacity)
                        on_input=set(|f, v| f.custom_capacity = v) />
                </Show>
                <Show when=move || constant_flow.get()>
                    <NumberField id="fixed_rate" label="Fixed flow rate (label or last measured)" unit="mL/day" value=text(|f| &f.fixed_rate)
                        on_input=set(|f, v| f.fixed_rate = v) />
                </Show>
                <NumberField id="fill_volume" label="Fill volume" unit="mL" value=text(|f| &f.fill_volume)
                    on_input=set(|f, v| f.fill_volume = v) />
                <NumberField id="low_reservoir_alarm" label="Low-reservoir alarm" unit="mL" value=text(|f| &f.low_reservoir_alarm)
                    on_input=set(|f, v| f.low_reservoir_alarm = v) />
                <div class="field-row">
                    <div class="field">
                        <label for="fill_date">"Fill date"</label>
                        <input id="fill_date" type="date" aria-describedby="fill_date-error"
                            prop:value=text(|f| &f.fill_date)
                            on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.fill_date = v); } />
                        <ErrorList ids=vec!["fill_date".into()] />
                    </div>
                    <div class="field">
                        <label for="fill_time">"Fill time"</label>
                        <input id="fill_time" type="time" aria-describedby="fill_time-error"
                            prop:value=text(|f| &f.fill_time)
                            on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.fill_time = v); } />
                        <ErrorList ids=vec!["fill_time".into()] />
                    </div>
                </div>
                                <p class="hint" id="fill-echo">{move || fill_echo().unwrap_or_default()}</p>
                <NewPumpQuestion />
                <schedule::FormInput id="end_of_service" label="Device end of service (optional)" kind="date"
                    get=|f| f.end_of_service.clone() set=|f, v| f.end_of_service = v />

                <h3>"Programme"</h3>
                <Show when=move || !constant_flow.get() fallback=|| view! {
                    <p class="hint" id="constant-flow-note">"Constant-flow pump: the rate is fixed. Enter each drug's target daily dose; its concentration is computed."</p>
                }>
                    <fieldset class="mode">
                        <legend>"Set the programme by"</legend>
                        {mode_radio(FormMode::LeadDose, "the lead drug's daily dose", "mode-lead")}
                        {mode_radio(FormMode::Rate, "the flow rate", "mode-rate")}
                    </fieldset>
                    <Show when=move || form.with(|f| f.mode == FormMode::Rate)>
                        <NumberField id="flow_rate" label="Flow rate" unit="mL/day" value=text(|f| &f.flow_rate)
                            on_input=set(|f, v| f.flow_rate = v) />
                    </Show>
                </Show>
                                <drugs::DrugRows constant_flow=constant_flow />
                                <schedule::ScheduleEditor constant_flow=constant_flow />
                <csf::CsfInputs />
                <ErrorList ids=vec!["drugs".into(), "programme".into(), "lead_drug".into(), "pump".into()] />
                <NumberField id="extra_volume" label="Extra volume to prime the refill kit (compounding)" unit="mL" value=text(|f| &f.extra_volume)
                    on_input=set(|f, v| f.extra_volume = v) />
                <persist::SaveStatus />
                <pump_info::PumpInfo />
            </section>
            <section class="panel outputs" aria-labelledby="results-heading">
                <h2 id="results-heading">"Results"</h2>
                <results::Results />
                <findings::Findings />
                <files::PlanFiles library_note=library_note />
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
