//! The CSF model inputs (catheter, residual, weight, MRI) and the modelled concentration charts,
//! one per drug, each captioned as a model estimate. The series is computed once the user pauses
//! typing (gloo-timers); each chart redraws only when its own series changes.

use gloo_timers::callback::Timeout;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::input::{FigureList, Input, Kind, Messages};
use super::state::AppState;
use crate::chart::concentration;
use crate::engine::report::{CsfChartText, CsfSection, catheter_offer, csf_section};
use crate::engine::{
    CsfOutcome, CsfSeries, Field, Hours, Location, PatientUse, Window, concentration_series, element_id, window_days,
};
use crate::form::{CsfFormStoreFields, PlanFormStoreFields};

/// Quiet time after the last change before the CSF series is computed again.
pub const CSF_PAUSE_MS: u32 = 300;
/// Plot width in pixels, for the min/max reduction of the series.
const PLOT_COLUMNS: usize = 640;

/// Catheter, residual, weight and MRI inputs.
#[component]
pub fn CsfInputs() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let csf = form.csf();
    let offer = move || {
        let id = form.pump_id().get();
        state.catalogue.with_value(|c| c.get(&id).and_then(catheter_offer))
    };
    // Open when the saved or imported plan already has CSF settings, so they are not hidden.
    let open = form.with_untracked(|f| f.csf != crate::form::CsfForm::default());
    let at = |field| element_id(field, Some(Location::Catheter));
    view! {
        <details class="csf-inputs" id="csf-inputs" open=open>
            <summary>"Catheter, refill residual and MRI (CSF model)"</summary>
            <div>
                <Input id=at(Field::Tubing) label="Pump tubing ahead of the catheter (unverified, from your pump; not the catheter access port)" unit="mL" value=csf.pump_tubing().into() />
                <Input id=at(Field::Length) label="Catheter length implanted" unit="cm" value=csf.catheter_length_cm().into() />
                <Input id=at(Field::PerCm) label="Catheter volume per cm" unit="mL/cm" value=csf.catheter_ml_per_cm().into() />
                {move || offer().map(|(text, value)| view! {
                    <button type="button" class="secondary" id="csf-prometra-catheter"
                        on:click=move |_| csf.catheter_ml_per_cm().set(crate::form::number_text(value))>
                        {text}
                    </button>
                })}
                <Input id=at(Field::Residual) label="Residual left after aspiration, which mixes with the fill" unit="mL" value=csf.residual().into() />
                <Input id=at(Field::Weight) label="Patient weight (morphine CSF volume \u{2248} 1 mL/kg)" unit="kg" value=csf.weight_kg().into() />
                <MriInputs />
                <p class="hint">"Per drug, the concentration being replaced and model parameters are under each drug."</p>
                <Messages ids=vec![element_id(Field::Pk, None)] shown=true />
            </div>
        </details>
    }
}

/// The MRI scan's date, time and length.
#[component]
pub fn MriInputs() -> impl IntoView {
    let csf = expect_context::<AppState>().form.csf();
    let mri = |field| element_id(field, Some(Location::Mri));
    view! {
        <div class="field-row">
            <Input id=mri(Field::Date) label="MRI date" kind=Kind::Date value=csf.mri_date().into() />
            <Input id=mri(Field::Time) label="MRI time" kind=Kind::Time value=csf.mri_time().into() />
            <Input id=mri(Field::Duration) label="MRI duration" unit="min" value=csf.mri_minutes().into() />
        </div>
    }
}

/// The modelled series with its words.
#[derive(Clone, PartialEq)]
struct Modelled {
    outcome: CsfOutcome,
    section: CsfSection,
}

/// One drug's chart: it redraws only when its own series or words change.
#[component]
fn CsfChart(
    /// Position in the modelled series (for the element id).
    index: usize,
    /// The series, its chart words and the whole outcome (for the transit and MRI markers).
    data: Memo<Option<(CsfSeries, CsfChartText, CsfOutcome)>>,
    /// Greyed as the last valid series (the plan or the window is not valid).
    stale: Signal<bool>,
) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    let id = format!("csf-chart-{index}");
    Effect::new(move |_| {
        let (Some(canvas), Some((series, text, outcome))) = (canvas_ref.get(), data.get()) else {
            return;
        };
        if let Some(backend) = CanvasBackend::with_canvas_object(canvas) {
            // A failed draw leaves the canvas blank; the text alternative below still holds.
            let _ = concentration::draw(&backend.into_drawing_area(), &outcome, &series, &text, PLOT_COLUMNS);
        }
    });
    let words = move || {
        data.with(|d| {
            d.as_ref()
                .map(|(_, t, _)| (t.title.clone(), t.description.clone()))
                .unwrap_or_default()
        })
    };
    let printing = expect_context::<AppState>().printing;
    // For paper: the same chart as SVG, drawn only while the browser prints.
    let paper = move || {
        if !printing.get() {
            return None;
        }
        data.with(|d| {
            let (series, text, outcome) = d.as_ref()?;
            let mut svg = String::new();
            let area = plotters::prelude::SVGBackend::with_string(&mut svg, (760, 300)).into_drawing_area();
            concentration::draw(&area, outcome, series, text, PLOT_COLUMNS).ok()?;
            drop(area);
            Some(super::input::svg_data_url(&svg))
        })
    };
    view! {
        <figure class="chart" class:stale=stale>
            <figcaption id=format!("{id}-title")>{move || words().0}</figcaption>
            <canvas node_ref=canvas_ref id=id.clone() width="760" height="300" role="img"
                aria-labelledby=format!("{id}-title") aria-describedby=format!("{id}-text")></canvas>
            {move || paper().map(|src| view! { <img class="print-only chart-print" src=src alt=move || words().0 /> })}
            <p class="chart-text" id=format!("{id}-text")>{move || words().1}</p>
        </figure>
    }
}

fn scenario_of(choice: &str) -> Option<PatientUse> {
    match choice {
        "none" => Some(PatientUse::None),
        "all" => Some(PatientUse::AllAllowed),
        _ => None,
    }
}

/// Computes the series of the last valid plan, after a pause in typing.
fn modelled(
    state: AppState,
    window_text: RwSignal<String>,
    scenario: RwSignal<String>,
) -> RwSignal<Option<Result<Modelled, String>>> {
    let result = RwSignal::new(None::<Result<Modelled, String>>);
    let pending = StoredValue::new_local(None::<Timeout>);
    let first = StoredValue::new(true);
    Effect::new(move |_| {
        let Ok(days) = window_text.with(|t| window_days(t)) else {
            // An invalid window cancels a computation still waiting for the pause.
            pending.set_value(None);
            return;
        };
        let chosen = scenario_of(&scenario.get());
        // A pointer to the result, not a copy; the library is read when the model runs.
        let shown = state.last_valid.get();
        state.library.track();
        let library = state.library;
        let compute = move || {
            let (Some(shown), Ok(step)) = (shown, Hours::new(1.0 / 60.0)) else {
                return;
            };
            let window = Window {
                days,
                step,
                scenario: chosen,
            };
            let next = library
                .with_untracked(|l| concentration_series(&shown.plan, &shown.outcome, l, window))
                .map(|outcome| Modelled {
                    section: csf_section(&outcome),
                    outcome,
                })
                .map_err(|e| e.to_string());
            result.set(Some(next));
        };
        if first.get_value() {
            // The page opens with the model drawn; later changes wait for a pause.
            first.set_value(false);
            compute();
        } else {
            // Replacing the stored Timeout drops (cancels) the previous one: that is the debounce.
            pending.set_value(Some(Timeout::new(CSF_PAUSE_MS, compute)));
        }
    });
    result
}

/// The modelled concentration charts and the transit, bridge and priming figures.
#[component]
pub fn CsfCharts() -> impl IntoView {
    let state = expect_context::<AppState>();
    let window_text = RwSignal::new("14".to_owned());
    let scenario = RwSignal::new("typical".to_owned());
    let window_error = move || window_text.with(|t| window_days(t).err().map(|e| e.to_string()));
    // An invalid window leaves the last series on screen: marked as such, as for an invalid plan.
    let stale = Signal::derive(move || state.stale.get() || window_text.with(|t| window_days(t).is_err()));
    let has_ptm = move || {
        state
            .last_valid
            .with(|s| s.as_ref().is_some_and(|s| s.outcome.schedule.patient.is_some()))
    };
    let modelled = modelled(state, window_text, scenario);
    let section =
        Memo::new(move |_| modelled.with(|m| m.as_ref().and_then(|r| r.as_ref().ok()).map(|m| m.section.clone())));
    let figures = Signal::derive(move || section.with(|s| s.as_ref().map(|s| s.figures.clone()).unwrap_or_default()));
    let count = Memo::new(move |_| {
        modelled.with(|m| {
            m.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map_or(0, |m| m.outcome.series.len())
        })
    });
    let chart_data = move |index: usize| {
        Memo::new(move |_| {
            modelled.with(|m| {
                let m = m.as_ref()?.as_ref().ok()?;
                Some((
                    m.outcome.series.get(index)?.clone(),
                    m.section.charts.get(index)?.clone(),
                    m.outcome.clone(),
                ))
            })
        })
    };
    let window_id = element_id(Field::Window, None);
    view! {
        <section class="csf" aria-labelledby="csf-heading">
            <h3 id="csf-heading">"Modelled CSF concentration"</h3>
            <p class="banner banner-stale model-caption">{crate::engine::report::MODEL_CAPTION}" "{crate::engine::report::MODEL_WHY}</p>
            <div class="field compact no-print" class:invalid=move || window_error().is_some()>
                <label for=window_id.clone()>"Window " <span class="unit">"(days)"</span></label>
                <input id=window_id.clone() type="text" inputmode="decimal" autocomplete="off"
                    aria-describedby=format!("{window_id}-error")
                    aria-invalid=move || window_error().is_some().to_string()
                    prop:value=window_text on:input=move |ev| window_text.set(event_target_value(&ev)) />
                <div class="field-error" id=format!("{window_id}-error") aria-live="polite">
                    {move || window_error().map(|e| view! { <p>{e}</p> })}
                </div>
            </div>
            <Show when=has_ptm>
                <div class="field compact no-print">
                    <label for="csf-scenario">"Patient boluses in the model"</label>
                    <select id="csf-scenario" on:change=move |ev| scenario.set(event_target_value(&ev))>
                        <option value="typical" selected=move || scenario.get() == "typical">"typical"</option>
                        <option value="none" selected=move || scenario.get() == "none">"none"</option>
                        <option value="all" selected=move || scenario.get() == "all">"all allowed"</option>
                    </select>
                </div>
            </Show>
            {move || match modelled.with(|m| m.as_ref().map(|r| r.as_ref().err().cloned())) {
                None => view! { <p class="placeholder">"The model appears once the plan is valid."</p> }.into_any(),
                Some(Some(e)) => view! { <p class="banner banner-error">{e}</p> }.into_any(),
                Some(None) => ().into_any(),
            }}
            <FigureList id="csf-figures" label="Modelled CSF figures" figures=figures stale=stale />
            <ul class="cautions" id="csf-missing">
                {move || section.with(|s| s.as_ref().map(|s| s.missing.clone()).unwrap_or_default()).into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
            <For each=move || 0..count.get() key=|i| *i let:index>
                <CsfChart index=index data=chart_data(index) stale=stale />
            </For>
            <MriChecklist />
        </section>
    }
}

/// What to do about the MRI scan, from the report.
#[component]
pub fn MriChecklist() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.last_valid.with(|s| s.as_ref().and_then(|s| s.report.mri.clone())).map(|m| {
            view! {
                <section class="mri" aria-labelledby="mri-heading">
                    <h3 id="mri-heading">{m.title}</h3>
                    <FigureList id="mri-figures" label="MRI figures" figures=Signal::stored(m.figures) stale=state.stale />
                    <ol class="checklist" id="mri-checklist">{m.checklist.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ol>
                </section>
            }
        })
    }
}
