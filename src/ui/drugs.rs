//! The drug lines of the reservoir: drug, concentration, target dose and stock, each with an
//! explicit unit. A unit of the wrong family is shown as an error at the field, never converted.

use leptos::prelude::*;

use super::AppState;
use super::field::{ErrorList, has_error};
use crate::engine::{Field, MAX_DRUGS, MassFamily, element_id};
use crate::form::{DrugForm, FormMode};

fn family_from(value: &str) -> MassFamily {
    if value == "mcg" {
        MassFamily::Mcg
    } else {
        MassFamily::Mg
    }
}

/// One number input of a drug line with its unit select.
#[component]
fn DrugNumber(
    /// Drug line.
    index: usize,
    /// Which field.
    field: Field,
    /// Visible label.
    label: &'static str,
    /// "/mL" or "/day".
    suffix: &'static str,
    /// Reads the text.
    get: fn(&DrugForm) -> &String,
    /// Writes the text.
    set: fn(&mut DrugForm, String),
    /// Reads the unit.
    get_unit: fn(&DrugForm) -> MassFamily,
    /// Writes the unit.
    set_unit: fn(&mut DrugForm, MassFamily),
    /// Further element ids whose errors belong here.
    #[prop(optional)]
    also: Vec<String>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let id = element_id(field, Some(index));
    let unit_id = format!("{id}-unit");
    let mut ids = vec![id.clone()];
    ids.extend(also);
    let ids_for_invalid = ids.clone();
    let invalid = Signal::derive(move || has_error(&state, &ids_for_invalid));
    let value = move || form.with(|f| f.drugs.get(index).map(|d| get(d).clone()).unwrap_or_default());
    let unit = move || form.with(|f| f.drugs.get(index).map_or(MassFamily::Mg, get_unit));
    view! {
        <div class="field drug-number" class:invalid=invalid>
            <label for=id.clone()>{label}</label>
            <div class="input-with-unit">
                <input id=id.clone() type="text" inputmode="decimal" autocomplete="off" spellcheck="false"
                    aria-describedby=format!("{id}-error")
                    aria-invalid=move || invalid.get().to_string()
                    prop:value=value
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| if let Some(d) = f.drugs.get_mut(index) { set(d, v) }); } />
                <label class="visually-small" for=unit_id.clone()>{format!("{label} unit")}</label>
                <select id=unit_id
                    prop:value=move || unit().symbol().to_owned()
                    on:change=move |ev| { let v = family_from(&event_target_value(&ev)); form.update(|f| if let Some(d) = f.drugs.get_mut(index) { set_unit(d, v) }); }>
                    <option value="mg" selected=move || unit() == MassFamily::Mg>{format!("mg{suffix}")}</option>
                    <option value="mcg" selected=move || unit() == MassFamily::Mcg>{format!("mcg{suffix}")}</option>
                </select>
            </div>
            <ErrorList ids=ids />
        </div>
    }
}

/// One drug line.
#[component]
fn DrugRow(
    /// Line index.
    index: usize,
    /// Whether the pump is constant-flow.
    constant_flow: Signal<bool>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let library = state.library;
    let drug_id = move || form.with(|f| f.drugs.get(index).map(|d| d.drug_id.clone()).unwrap_or_default());
    let is_lead = move || form.with(|f| f.mode == FormMode::LeadDose && f.lead == index);
    let shows_dose = move || constant_flow.get() || is_lead();
    let options = move || {
        library.with(|l| {
            l.drugs
                .iter()
                .map(|d| (d.id.clone(), d.display_name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let describe = move || {
        library.with(|l| {
            l.get(&drug_id()).map(|d| {
                let start = d.start_dose_per_day.as_ref().map(|r| {
                    format!(
                        "; usual start {}\u{2013}{} ({}, {})",
                        crate::engine::format::format_number(r.low),
                        crate::engine::format::with_unit(r.high, &format!("{}/day", d.family.symbol())),
                        r.mark.letter(),
                        r.source
                    )
                });
                format!("Dosed in {}{}", d.family.symbol(), start.unwrap_or_default())
            })
        })
    };
    let select_id = element_id(Field::Drug, Some(index));
    let on_drug = move |ev| {
        let id = event_target_value(&ev);
        let family = library.with(|l| l.get(&id).map_or(MassFamily::Mg, |d| d.family));
        form.update(|f| {
            if let Some(d) = f.drugs.get_mut(index) {
                *d = DrugForm {
                    drug_id: id,
                    ..DrugForm::for_drug("", family)
                };
            }
        });
    };
    let remove = move |_| {
        form.update(|f| {
            if f.drugs.len() > 1 && index < f.drugs.len() {
                f.drugs.remove(index);
                if f.lead == index {
                    f.lead = 0;
                } else if f.lead > index {
                    f.lead -= 1;
                }
            }
        })
    };
    let lead_id = format!("drug-{index}-lead");
    view! {
        <fieldset class="drug-row">
            <legend>{move || format!("Drug {}", index + 1)}</legend>
            <div class="field">
                <label for=select_id.clone()>"Drug (from the library)"</label>
                <select id=select_id.clone() on:change=on_drug prop:value=drug_id>
                    {move || options().into_iter().map(|(id, name)| {
                        let this = id.clone();
                        view! { <option value=id selected=move || drug_id() == this>{name}</option> }
                    }).collect_view()}
                </select>
                <p class="hint">{describe}</p>
                <ErrorList ids=vec![select_id] />
            </div>
            <Show when=move || !constant_flow.get() && form.with(|f| f.mode == FormMode::LeadDose)>
                <label class="radio" for=lead_id.clone()>
                    <input type="radio" name="lead-drug" id=lead_id.clone()
                        prop:checked=is_lead
                        on:change=move |_| form.update(|f| f.lead = index) />
                    "Lead drug (its dose sets the rate)"
                </label>
            </Show>
            <Show when=move || !constant_flow.get()>
                <DrugNumber index=index field=Field::Concentration label="Concentration" suffix="/mL"
                    get=|d| &d.concentration set=|d, v| d.concentration = v
                    get_unit=|d| d.concentration_unit set_unit=|d, u| d.concentration_unit = u />
            </Show>
            <Show when=shows_dose>
                <DrugNumber index=index field=Field::DailyDose label="Daily dose" suffix="/day"
                    get=|d| &d.daily_dose set=|d, v| d.daily_dose = v
                    get_unit=|d| d.dose_unit set_unit=|d, u| d.dose_unit = u
                    also=vec!["flow_rate".to_owned()] />
            </Show>
            <DrugNumber index=index field=Field::StockStrength label="Stock strength (compounding)" suffix="/mL"
                get=|d| &d.stock set=|d, v| d.stock = v
                get_unit=|d| d.stock_unit set_unit=|d, u| d.stock_unit = u />
                        <details class="drug-csf">
                <summary>"CSF model and the solution being replaced"</summary>
                <super::schedule::FormInput id=format!("drug-{index}-previous") label="Concentration in the solution being replaced (same unit as above)"
                    get=move |f| f.drugs.get(index).map(|d| d.csf.previous.clone()).unwrap_or_default()
                    set=move |f, v| if let Some(d) = f.drugs.get_mut(index) { d.csf.previous = v } />
                <super::schedule::FormInput id=format!("drug-{index}-half-life") label="CSF half-life (h; empty: library)"
                    get=move |f| f.drugs.get(index).map(|d| d.csf.half_life_hours.clone()).unwrap_or_default()
                    set=move |f, v| if let Some(d) = f.drugs.get_mut(index) { d.csf.half_life_hours = v } />
                <super::schedule::FormInput id=format!("drug-{index}-volume") label="CSF volume (mL; empty: library)"
                    get=move |f| f.drugs.get(index).map(|d| d.csf.volume_ml.clone()).unwrap_or_default()
                    set=move |f, v| if let Some(d) = f.drugs.get_mut(index) { d.csf.volume_ml = v } />
                <super::schedule::FormInput id=format!("drug-{index}-k12") label="Two compartments: k12 (/h)"
                    get=move |f| f.drugs.get(index).map(|d| d.csf.k12.clone()).unwrap_or_default()
                    set=move |f, v| if let Some(d) = f.drugs.get_mut(index) { d.csf.k12 = v } />
                <super::schedule::FormInput id=format!("drug-{index}-k21") label="k21 (/h)"
                    get=move |f| f.drugs.get(index).map(|d| d.csf.k21.clone()).unwrap_or_default()
                    set=move |f, v| if let Some(d) = f.drugs.get_mut(index) { d.csf.k21 = v } />
                <p class="hint">"Half-life and volume together replace the library's values for this plan; with k12 and k21 the model has two compartments (the half-life is then the central elimination half-life)."</p>
            </details>
            <Show when=move || form.with(|f| f.drugs.len() > 1)>
                <button type="button" class="secondary" id=format!("drug-{index}-remove") on:click=remove>
                    {move || format!("Remove drug {}", index + 1)}
                </button>
            </Show>
        </fieldset>
    }
}

/// All drug lines, with "Add a drug".
#[component]
pub fn DrugRows(
    /// Whether the pump is constant-flow.
    constant_flow: Signal<bool>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let library = state.library;
    let count = move || form.with(|f| f.drugs.len());
    let add = move |_| {
        let next = form.with(|f| {
            library.with(|l| {
                l.drugs
                    .iter()
                    .find(|d| !f.drugs.iter().any(|x| x.drug_id == d.id))
                    .map(|d| (d.id.clone(), d.family))
            })
        });
        if let Some((id, family)) = next {
            form.update(|f| {
                if f.drugs.len() < MAX_DRUGS {
                    f.drugs.push(DrugForm::for_drug(&id, family));
                }
            });
        }
    };
    view! {
        <div class="drugs" id="drugs">
            <For each=move || 0..count() key=|i| *i children=move |i| view! { <DrugRow index=i constant_flow=constant_flow /> } />
            <Show when=move || { count() < MAX_DRUGS }>
                <button type="button" id="add-drug" on:click=add>"Add a drug to the reservoir"</button>
            </Show>
        </div>
    }
}
