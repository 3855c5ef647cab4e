//! The programme: how it is set (lead drug's dose or rate) and the drug lines of the reservoir:
//! drug, concentration, target dose and stock, each with an explicit unit (a unit of the wrong
//! family is an error at the field, never converted), the condition where the library's rules
//! differ by it, and the drug's CSF-model inputs.

use leptos::prelude::*;
use reactive_stores::{Field as StoreField, StoreFieldIterator};

use super::input::{Input, Messages, UnitSelect};
use super::state::AppState;
use crate::engine::report::drug_hint;
use crate::engine::{Field, Location, MAX_DRUGS, MassFamily, element_id};
use crate::form::{
    DrugCsfFormStoreFields, DrugForm, DrugFormStoreFields, FlexFormStoreFields, FormMode, PlanFormStoreFields,
};

fn at(index: usize) -> Option<Location> {
    Some(Location::Drug(index))
}

/// The drug line at `index` as a store field.
fn line(state: AppState, index: usize) -> StoreField<DrugForm> {
    state.form.drugs().at_unkeyed(index).into()
}

/// The drug select: choosing another drug resets the line to the drug's unit family.
#[component]
fn DrugSelect(index: usize) -> impl IntoView {
    let state = expect_context::<AppState>();
    let line = line(state, index);
    let drug_id = move || line.try_with(|d| d.drug_id.clone()).unwrap_or_default();
    let options = move || {
        state.library.with(|l| {
            l.drugs
                .iter()
                .map(|d| (d.id.clone(), d.display_name.clone()))
                .collect::<Vec<_>>()
        })
    };
    // Choosing another drug starts its line afresh in that drug's unit family. A line whose drug
    // was not chosen yet (work carried over from the first version, a plan from another library)
    // keeps everything typed, units included: a value in the other family is then refused at its
    // field, never converted.
    let on_drug = move |ev| {
        let id = event_target_value(&ev);
        let family = state.library.with(|l| l.get(&id).map_or(MassFamily::Mg, |d| d.family));
        let unchosen = state
            .library
            .with(|l| line.try_with(|d| l.get(&d.drug_id).is_none()).unwrap_or(true));
        if unchosen {
            line.try_update(|d| d.drug_id = id.clone());
        } else {
            line.try_set(DrugForm {
                drug_id: id.clone(),
                ..DrugForm::for_drug(&id, family)
            });
        }
    };
    let hint = move || state.library.with(|l| l.get(&drug_id()).map(drug_hint));
    let id = element_id(Field::Drug, at(index));
    view! {
        <div class="field">
            <label for=id.clone()>"Drug (from the library)"</label>
            <select id=id.clone() on:change=on_drug prop:value=drug_id>
                // A line whose drug is not in the library (work carried over from the first
                // version, a plan from another library) shows that, never the first drug listed.
                {move || {
                    let current = drug_id();
                    let known = options().iter().any(|(id, _)| *id == current);
                    (!known).then(|| {
                        let text = if current.is_empty() { "Choose a drug".to_owned() } else { format!("{current} (not in the library in force)") };
                        view! { <option value=current.clone() selected=true disabled=true>{text}</option> }
                    })
                }}
                {move || options().into_iter().map(|(id, name)| {
                    let this = id.clone();
                    view! { <option value=id selected=move || drug_id() == this>{name}</option> }
                }).collect_view()}
            </select>
            <p class="hint">{hint}</p>
            <Messages ids=vec![id] shown=true />
        </div>
    }
}

/// The condition the drug is given for, offered when the library's limits or titration rules
/// differ by condition (baclofen: spinal or cerebral origin). Not stated: every rule applies.
#[component]
fn ConditionSelect(index: usize) -> impl IntoView {
    let state = expect_context::<AppState>();
    let condition = line(state, index).condition();
    let conditions = move || {
        let id = line(state, index).try_with(|d| d.drug_id.clone()).unwrap_or_default();
        state
            .library
            .with(|l| l.get(&id).map(|d| d.conditions.clone()).unwrap_or_default())
    };
    let id = element_id(Field::Condition, at(index));
    // Also shown when the line states a condition the library does not name (an imported plan):
    // its message is here, and choosing "not stated" clears it.
    let stated = move || condition.try_with(|c| !c.is_empty()).unwrap_or(false);
    let unknown = move || {
        let c = condition.try_get().unwrap_or_default();
        (!c.is_empty() && !conditions().contains(&c)).then_some(c)
    };
    view! {
        <Show when=move || !conditions().is_empty() || stated()>
            <div class="field">
                <label for=id.clone()>"Given for (the library's rules differ)"</label>
                <select id=id.clone() prop:value=move || condition.try_get().unwrap_or_default()
                    on:change=move |ev| { condition.try_set(event_target_value(&ev)); }>
                    <option value="">"not stated: every rule applies"</option>
                    {move || unknown().map(|c| {
                        let label = format!("{c} (not in the library)");
                        view! { <option value=c selected=true>{label}</option> }
                    })}
                    {move || conditions().into_iter().map(|c| {
                        let label = c.clone();
                        view! { <option value=c>{label}</option> }
                    }).collect_view()}
                </select>
                <Messages ids=vec![id.clone()] shown=true />
            </div>
        </Show>
    }
}

/// A number of a drug line with its unit select.
#[component]
fn DrugNumber(
    index: usize,
    field: Field,
    label: &'static str,
    suffix: &'static str,
    value: StoreField<String>,
    unit: StoreField<MassFamily>,
    #[prop(optional)] also: Vec<String>,
) -> impl IntoView {
    let id = element_id(field, at(index));
    view! {
        <div class="drug-number">
            <Input id=id.clone() label=label value=value also=also />
            <UnitSelect id=format!("{id}-unit") label=format!("{label} unit") suffix=suffix value=unit />
        </div>
    }
}

/// One drug line's CSF-model inputs: the solution being replaced and the model's parameters.
#[component]
fn DrugCsf(index: usize) -> impl IntoView {
    let state = expect_context::<AppState>();
    let csf = line(state, index).csf();
    let id = |f: Field| element_id(f, at(index));
    view! {
        <details class="drug-csf">
            <summary>"CSF model and the solution being replaced"</summary>
            <Input id=id(Field::Previous) label="Concentration in the solution being replaced (same unit as above)" value=csf.previous().into() compact=true />
            <Input id=id(Field::HalfLife) label="CSF half-life (empty: library)" unit="h" value=csf.half_life_hours().into() compact=true />
            <Input id=id(Field::CsfVolume) label="CSF volume (empty: library)" unit="mL" value=csf.volume_ml().into() compact=true />
            <Input id=id(Field::K12) label="Two compartments: k12" unit="/h" value=csf.k12().into() compact=true />
            <Input id=id(Field::K21) label="k21" unit="/h" value=csf.k21().into() compact=true />
            <p class="hint">"Half-life and volume together replace the library's values for this plan; with k12 and k21 the model has two compartments (the half-life is then the central elimination half-life)."</p>
        </details>
    }
}

/// One drug line.
#[component]
fn DrugRow(index: usize, constant_flow: Signal<bool>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let l = line(state, index);
    let is_lead = move || form.mode().get() == FormMode::LeadDose && form.lead().get() == index;
    let shows_dose = move || constant_flow.get() || (is_lead() && !form.flex().enabled().get());
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
            <legend>{format!("Drug {}", index + 1)}</legend>
            <DrugSelect index=index />
            <ConditionSelect index=index />
            <Show when=move || !constant_flow.get() && form.mode().get() == FormMode::LeadDose>
                <label class="radio" for=lead_id.clone()>
                    <input type="radio" name="lead-drug" id=lead_id.clone() prop:checked=is_lead
                        on:change=move |_| form.lead().set(index) />
                    "Lead drug (its dose sets the rate)"
                </label>
            </Show>
            <Show when=move || !constant_flow.get()>
                <DrugNumber index=index field=Field::Concentration label="Concentration" suffix="/mL"
                    value=l.concentration().into() unit=l.concentration_unit().into() />
            </Show>
            <Show when=shows_dose>
                <DrugNumber index=index field=Field::DailyDose label="Daily dose" suffix="/day"
                    value=l.daily_dose().into() unit=l.dose_unit().into() also=vec!["flow_rate".to_owned()] />
            </Show>
            <Show when=move || is_lead() && form.flex().enabled().get()>
                <p class="hint">"Flex dosing is on: the lead drug's dose is set step by step below."</p>
            </Show>
            <DrugNumber index=index field=Field::StockStrength label="Stock strength (compounding)" suffix="/mL"
                value=l.stock().into() unit=l.stock_unit().into() />
            <DrugCsf index=index />
            <Show when=move || form.drugs().with(|d| d.len() > 1)>
                <button type="button" class="secondary" id=format!("drug-{index}-remove") on:click=remove>
                    {format!("Remove drug {}", index + 1)}
                </button>
            </Show>
        </fieldset>
    }
}

/// How the programme is set, and every drug line, with "Add a drug".
#[component]
pub fn Programme() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let constant_flow = Signal::derive(move || {
        let id = form.pump_id().get();
        state
            .catalogue
            .with_value(|c| c.get(&id).is_some_and(|m| m.is_constant_flow()))
    });
    let count = move || form.drugs().with(Vec::len);
    let add = move |_| {
        let next = form.drugs().with(|lines| {
            state.library.with(|l| {
                l.drugs
                    .iter()
                    .find(|d| !lines.iter().any(|x| x.drug_id == d.id))
                    .map(|d| (d.id.clone(), d.family))
            })
        });
        if let Some((id, family)) = next {
            form.drugs().update(|d| {
                if d.len() < MAX_DRUGS {
                    d.push(DrugForm::for_drug(&id, family));
                }
            });
        }
    };
    let mode_radio = move |mode: FormMode, label: &'static str, id: &'static str| {
        view! {
            <label class="radio" for=id>
                <input type="radio" id=id name="programme-mode" prop:checked=move || form.mode().get() == mode
                    on:change=move |_| form.mode().set(mode) />
                {label}
            </label>
        }
    };
    view! {
        <h3>"Programme"</h3>
        <Show when=move || !constant_flow.get() fallback=|| view! {
            <p class="hint" id="constant-flow-note">"Constant-flow pump: the rate is fixed. Enter each drug's target daily dose; its concentration is computed."</p>
        }>
            <fieldset class="mode">
                <legend>"Set the programme by"</legend>
                {mode_radio(FormMode::LeadDose, "the lead drug's daily dose", "mode-lead")}
                {mode_radio(FormMode::Rate, "the flow rate", "mode-rate")}
            </fieldset>
            <Show when=move || form.mode().get() == FormMode::Rate>
                <Input id=element_id(Field::FlowRate, None) label="Flow rate" unit="mL/day" value=form.flow_rate().into() />
            </Show>
        </Show>
        <div class="drugs" id="drugs">
            <For each=move || 0..count() key=|i| *i children=move |i| view! { <DrugRow index=i constant_flow=constant_flow /> } />
            <Show when=move || { count() < MAX_DRUGS }>
                <button type="button" id="add-drug" on:click=add>"Add a drug to the reservoir"</button>
            </Show>
        </div>
        <Messages ids=vec!["drugs".into(), "programme".into(), "lead_drug".into(), "pump".into()] shown=true />
        <Input id=element_id(Field::ExtraVolume, None) label="Extra volume to prime the refill kit (compounding)" unit="mL" value=form.extra_volume().into() />
    }
}
