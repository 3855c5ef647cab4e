//! The CSF model inputs (catheter, residual, solution being replaced, MRI) and the modelled
//! concentration charts, one per drug, each captioned as a model estimate.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::AppState;
use super::field::ErrorList;
use super::schedule::FormInput;
use crate::chart::concentration;
use crate::engine::format::{Display as _, format_date_time};
use crate::engine::{CsfReport, Days, Hours, concentration_series_for};

/// Catheter, residual, weight and MRI inputs.
#[component]
pub fn CsfInputs() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    // The catalogue's own catheter volume per cm, offered only for pumps whose catheter has one
    // (Prometra); Medtronic catheters are trimmed and their volume per cm comes from their labelling.
    let catheter = move || {
        form.with(|f| {
            state.catalogue.with_value(|c| {
                c.get(&f.pump_id)
                    .and_then(|p| p.catheter_ml_per_cm.clone().map(|s| (p.name.clone(), s)))
            })
        })
    };
    // Open when the saved or imported plan already has CSF settings, so they are not hidden.
    let open = form.with_untracked(|f| f.csf != crate::form::CsfForm::default());
    view! {
        <details class="csf-inputs" id="csf-inputs" open=open>
            <summary>"Catheter, refill residual and MRI (CSF model)"</summary>
            <div>
                <FormInput id="csf-tubing" label="Pump tubing ahead of the catheter (mL; unverified, from your pump; not the catheter access port)" get=|f| f.csf.pump_tubing.clone() set=|f, v| f.csf.pump_tubing = v />
                <FormInput id="csf-length" label="Catheter length implanted (cm)" get=|f| f.csf.catheter_length_cm.clone() set=|f, v| f.csf.catheter_length_cm = v />
                <FormInput id="csf-per-cm" label="Catheter volume per cm (mL/cm)" get=|f| f.csf.catheter_ml_per_cm.clone() set=|f, v| f.csf.catheter_ml_per_cm = v />
                {move || catheter().map(|(pump, s)| {
                    let value = crate::engine::format::format_number(s.value);
                    let text = value.clone();
                    view! {
                        <button type="button" class="secondary" id="csf-prometra-catheter" on:click=move |_| { let v = value.clone(); form.update(|f| f.csf.catheter_ml_per_cm = v); }>
                            {format!("Use the {pump} catheter: {text} mL/cm ({}, {})", s.mark.letter(), s.source)}
                        </button>
                    }
                })}
                <FormInput id="csf-residual" label="Residual left after aspiration, which mixes with the fill (mL)" get=|f| f.csf.residual.clone() set=|f, v| f.csf.residual = v />
                <FormInput id="csf-weight" label="Patient weight (kg; morphine CSF volume \u{2248} 1 mL/kg)" get=|f| f.csf.weight_kg.clone() set=|f, v| f.csf.weight_kg = v />
                <FormInput id="mri-date" label="MRI date" kind="date" get=|f| f.csf.mri_date.clone() set=|f, v| f.csf.mri_date = v />
                <FormInput id="mri-time" label="MRI time" kind="time" get=|f| f.csf.mri_time.clone() set=|f, v| f.csf.mri_time = v />
                <FormInput id="mri-minutes" label="MRI duration (min)" get=|f| f.csf.mri_minutes.clone() set=|f, v| f.csf.mri_minutes = v />
                <p class="hint">"Per drug, the concentration being replaced and model parameters are under each drug."</p>
                <ErrorList ids=vec!["pk".into()] />
            </div>
        </details>
    }
}

fn chart_view(report: CsfReport, index: usize, filled_at: jiff::civil::DateTime) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    let Some(series) = report.series.get(index).cloned() else {
        return ().into_any();
    };
    let description = concentration::description(&report, &series);
    let title = format!("{}: modelled mean CSF concentration", series.display_name);
    let id = format!("csf-chart-{index}");
    let report_for_draw = report.clone();
    let series_for_draw = series.clone();
    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else { return };
        if let Some(backend) = CanvasBackend::with_canvas_object(canvas) {
            let _ = concentration::draw(
                &backend.into_drawing_area(),
                &report_for_draw,
                &series_for_draw,
                filled_at,
                640,
            );
        }
    });
    view! {
        <figure class="chart">
            <figcaption id=format!("{id}-title")>{title}</figcaption>
            <canvas node_ref=canvas_ref id=id.clone() width="760" height="300" role="img"
                aria-labelledby=format!("{id}-title") aria-describedby=format!("{id}-text")></canvas>
            <p class="chart-text" id=format!("{id}-text")>{description}</p>
        </figure>
    }
    .into_any()
}

/// The modelled concentration charts and the transit, bridge, priming and MRI figures.
#[component]
pub fn CsfCharts() -> impl IntoView {
    let state = expect_context::<AppState>();
    let window_days = RwSignal::new("14".to_owned());
    let scenario = RwSignal::new("typical".to_owned());
    let has_ptm = move || {
        state
            .last_valid
            .with(|r| r.as_ref().is_some_and(|r| r.schedule.patient.is_some()))
    };
    let csf = Memo::new(move |previous: Option<&Option<Result<CsfReport, String>>>| {
        let days = window_days
            .get()
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|d| *d > 0.0 && *d <= 120.0)
            .unwrap_or(14.0);
        let result = state.evaluation.with(|e| match (&e.plan, &e.report) {
            (Some(plan), Ok(report)) => state.library.with(|l| {
                let (Ok(d), Ok(step)) = (Days::new(days), Hours::new(1.0 / 60.0)) else {
                    return None;
                };
                let chosen = match scenario.get().as_str() {
                    "none" => Some(crate::engine::PatientUse::None),
                    "all" => Some(crate::engine::PatientUse::AllAllowed),
                    _ => None,
                };
                Some(concentration_series_for(plan, report, l, d, step, chosen).map_err(|e| e.to_string()))
            }),
            _ => None,
        });
        result.or_else(|| previous.cloned().flatten())
    });
    let filled_at = move || state.last_valid.with(|r| r.as_ref().map(|r| r.filled_at));
    view! {
        <section class="csf" aria-labelledby="csf-heading">
            <h3 id="csf-heading">"Modelled CSF concentration"</h3>
            <p class="banner banner-stale model-caption">{crate::engine::MODEL_CAPTION}" At pump flow rates drug mixes poorly in CSF: the concentration falls 5\u{2013}10-fold within 5\u{2013}10 cm of the catheter tip (Flack & Bernards 2010). These curves illustrate time to steady state, bolus peaks and the transit delay."</p>
            <div class="field compact no-print">
                <label for="csf-window">"Window (days)"</label>
                <input id="csf-window" type="text" inputmode="decimal" prop:value=window_days on:input=move |ev| window_days.set(event_target_value(&ev)) />
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
            {move || match (csf.get(), filled_at()) {
                (Some(Ok(report)), Some(filled_at)) => {
                    let mut rows: Vec<(String, String)> = vec![
                        ("Volume ahead of the new solution (tubing + catheter)".into(), report.dead_volume.ismp()),
                        ("New solution reaches the catheter tip".into(), format!("{} ({} after the fill)", format_date_time(report.tip_arrival), report.tip_days.ismp())),
                    ];
                                        for s in &report.series {
                        rows.push((format!("{} in the reservoir after the fill (mixed with the residual)", s.display_name), s.reservoir_concentration.ismp()));
                        rows.push((format!("{} modelled steady state", s.display_name), crate::engine::format::with_unit(s.steady_state, &s.unit)));
                        rows.push((format!("{} modelled peak / trough in the window", s.display_name), format!("{} / {}", crate::engine::format::with_unit(s.peak, &s.unit), crate::engine::format::with_unit(s.trough, &s.unit))));
                        rows.push((
                            format!("{} time to 90 % of steady state after the change", s.display_name),
                            s.time_to_90_percent.map_or_else(|| "not reached in the window".to_owned(), |d| d.to_hours().ismp()),
                        ));
                    }
                    if let Some(b) = report.bridge {
                        rows.push(("Bridge bolus (old solution at the rate that keeps the lead drug's dose as now programmed)".into(), format!("{} at {} for {} (old drug delivered meanwhile: {})", b.volume.ismp(), b.rate.ismp(), b.duration.ismp(), b.old_drug_delivered.ismp())));
                    }
                    if let Some(p) = report.priming {
                        rows.push(("Priming bolus (after implant or catheter revision)".into(), format!("{} ({} of drug in it). At priming rates drug and fluid mix: drug can reach the patient before the priming bolus ends, and the concentration afterwards is reduced (Medtronic labelling update). Prime under medical supervision.", p.volume.ismp(), p.drug_in_dead_volume.ismp())));
                    }
                    let missing = report.missing.clone();
                    let count = report.series.len();
                    view! {
                        <dl class="results" id="csf-figures">
                            {rows.into_iter().map(|(k, v)| view! { <div class="result-row"><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
                        </dl>
                        <ul class="cautions">{missing.into_iter().map(|m| view! { <li>{format!("Not modelled: {m}")}</li> }).collect_view()}</ul>
                        {(0..count).map(|i| chart_view(report.clone(), i, filled_at)).collect_view()}
                    }.into_any()
                }
                (Some(Err(e)), _) => view! { <p class="banner banner-error">{e}</p> }.into_any(),
                _ => view! { <p class="placeholder">"The model appears once the plan is valid."</p> }.into_any(),
            }}
            <MriChecklist />
        </section>
    }
}

/// What to do about the MRI scan, from the report.
#[component]
fn MriChecklist() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.last_valid.with(|r| r.as_ref().and_then(|r| r.mri.clone())).map(|m| {
            view! {
                <section class="mri" aria-labelledby="mri-heading">
                    <h3 id="mri-heading">{format!("MRI {}", format_date_time(m.from))}</h3>
                    <dl class="results" id="mri-figures">
                        <div class="result-row"><dt>"No delivery"</dt><dd>{format!("{} to {}{}", format_date_time(m.from), format_date_time(m.to), m.restart_latest.map(|l| format!(" (restart possibly as late as {})", format_date_time(l))).unwrap_or_default())}</dd></div>
                        {m.empty_if_late.map(|e| view! { <div class="result-row"><dt>"Empty date if the restart is 24 h late"</dt><dd>{format_date_time(e)}</dd></div> })}
                        {m.removed.map(|v| view! { <div class="result-row"><dt>"Removed before the scan"</dt><dd>{format!("{} ({})", v.ismp(), m.removed_drug.join(", "))}</dd></div> })}
                    </dl>
                    <ol class="checklist" id="mri-checklist">{m.checklist.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ol>
                </section>
            }
        })
    }
}
