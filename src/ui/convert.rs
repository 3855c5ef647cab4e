//! Conversion from systemic opioids: the home regimen, the ratio and the reduction the clinician
//! chooses, the MME and the proposed intrathecal dose with the arithmetic in the engine's words,
//! the cautions and the library checks. The proposal enters the plan only by an explicit action,
//! confirmed, which opens a session (reviewed before it is confirmed). What was typed is kept in
//! this browser.

use std::collections::BTreeSet;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::persist::stored;
use super::route::{Screen, go};
use super::state::AppState;
use crate::engine::convert::{Conversion, ConversionInput, OpioidTable, RegimenItem, Target, convert, library_checks};
use crate::engine::report::convert::{arithmetic, cautions};
use crate::engine::{Error, Field, Location, MassFamily, element_id, format::format_number, parse_number};
use crate::form::DrugForm;

/// The key of the conversion as typed.
pub const CONVERT_KEY: &str = "itdose.convert.v1";

/// One line of the regimen as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ItemForm {
    opioid: String,
    amount: String,
}

/// The conversion as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct ConvertForm {
    items: Vec<ItemForm>,
    /// A table ratio's id, or "custom".
    ratio: String,
    custom_ratio: String,
    reduction: String,
    target: Target,
    /// HYDROmorphone's potency (times intrathecal morphine), as typed.
    potency: String,
    /// The systemic taper: percent of the starting total per step, days between, first date.
    taper_percent: String,
    taper_days: String,
    taper_start: String,
}

impl Default for ConvertForm {
    fn default() -> Self {
        Self {
            items: vec![ItemForm::default()],
            ratio: String::new(),
            custom_ratio: String::new(),
            reduction: String::new(),
            target: Target::Morphine,
            potency: String::new(),
            taper_percent: String::new(),
            taper_days: String::new(),
            taper_start: String::new(),
        }
    }
}

/// The typed conversion read into the engine's input, or every error at its field.
fn read(form: &ConvertForm, table: &OpioidTable) -> Result<ConversionInput, Vec<Error>> {
    let mut errors = Vec::new();
    let mut items = Vec::new();
    for (i, item) in form.items.iter().enumerate() {
        if item.opioid.is_empty() {
            errors.push(Error::invalid(Field::RegimenOpioid, "choose the opioid").located(Location::Regimen(i)));
            continue;
        }
        match parse_number(Field::RegimenAmount, &item.amount) {
            Ok(amount) => items.push(RegimenItem {
                opioid: item.opioid.clone(),
                amount,
            }),
            Err(e) => errors.push(e.located(Location::Regimen(i))),
        }
    }
    let ratio = match form.ratio.as_str() {
        "custom" => parse_number(Field::ConversionRatio, &form.custom_ratio),
        "" => Err(Error::invalid(Field::ConversionRatio, "choose a ratio")),
        id => table
            .ratios
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.value)
            .ok_or_else(|| Error::invalid(Field::ConversionRatio, "choose a ratio")),
    };
    let reduction = parse_number(Field::Reduction, &form.reduction);
    let (ratio, reduction) = match (ratio, reduction) {
        (Ok(r), Ok(d)) => (r, d),
        (r, d) => {
            errors.extend(r.err());
            errors.extend(d.err());
            return Err(errors);
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let potency = match form.target {
        Target::Hydromorphone => Some(parse_number(Field::Potency, &form.potency).map_err(|e| vec![e])?),
        Target::Morphine => None,
    };
    Ok(ConversionInput {
        items,
        ratio,
        reduction_percent: reduction,
        target: form.target,
        potency,
    })
}

/// The total MME of the conversion as last typed on the conversion screen, when it converts
/// (with the factor table in force).
pub fn saved_total_mme() -> Option<f64> {
    let form = stored(CONVERT_KEY).and_then(|t| serde_json::from_str::<ConvertForm>(&t).ok())?;
    let table = super::factors::table_in_force().ok()?.0;
    let input = read(&form, &table).ok()?;
    convert(&input, &table).ok().map(|c| c.total_mme)
}

#[derive(Clone, Copy)]
struct Ctx {
    form: RwSignal<ConvertForm>,
    touched: RwSignal<BTreeSet<String>>,
    errors: Memo<Vec<Error>>,
    table: RwSignal<OpioidTable>,
}

impl Ctx {
    fn messages(self, id: &str) -> Vec<String> {
        let shown = self.touched.with(|t| t.contains(id));
        if !shown {
            return Vec::new();
        }
        self.errors.with(|e| {
            e.iter()
                .filter(|e| e.element_id() == id)
                .map(ToString::to_string)
                .collect()
        })
    }

    /// Marks `id` as touched. A blur also fires when the screen is left and its inputs removed:
    /// by then the screen's state may be gone, and that is not an error.
    fn touch(self, id: &str) {
        if self.touched.try_with_untracked(|t| !t.contains(id)) == Some(true) {
            self.touched.try_update(|t| {
                t.insert(id.to_owned());
            });
        }
    }
}

/// A message list next to the input `id`.
fn messages(ctx: Ctx, id: String) -> impl IntoView {
    let list_id = format!("{id}-error");
    view! {
        <div class="field-error" id=list_id aria-live="polite">
            {move || ctx.messages(&id).into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
        </div>
    }
}

/// The conversion screen.
#[component]
pub fn ConvertScreen() -> impl IntoView {
    let state = expect_context::<AppState>();
    let (table, table_note) = match super::factors::table_in_force() {
        Ok(t) => t,
        Err(e) => return view! { <p class="banner banner-error" role="alert">{e.to_string()}</p> }.into_any(),
    };
    let mut saved = stored(CONVERT_KEY)
        .and_then(|t| serde_json::from_str::<ConvertForm>(&t).ok())
        .unwrap_or_default();
    if saved.potency.trim().is_empty() {
        // The table's unverified default, shown in the field so that it is seen and can be changed.
        saved.potency = format_number(table.hydromorphone_potency.value);
    }
    let form = RwSignal::new(saved);
    Effect::new(move |_| {
        if let Ok(json) = form.with(serde_json::to_string) {
            let _ = LocalStorage::raw().set_item(CONVERT_KEY, &json);
        }
    });
    let table = RwSignal::new(table);
    let result = Memo::new(move |_| form.with(|f| table.with(|t| read(f, t).and_then(|input| convert(&input, t)))));
    let errors = Memo::new(move |_| result.with(|r| r.as_ref().err().cloned().unwrap_or_default()));
    let touched = RwSignal::new(BTreeSet::new());
    // Typed values count as touched on return (nothing red before the user has typed).
    form.with_untracked(|f| {
        let mut t = BTreeSet::new();
        for (i, item) in f.items.iter().enumerate() {
            if !item.amount.is_empty() {
                t.insert(element_id(Field::RegimenAmount, Some(Location::Regimen(i))));
            }
        }
        touched.set(t);
    });
    let ctx = Ctx {
        form,
        touched,
        errors,
        table,
    };
    let kept = Memo::new(move |previous: Option<&Option<Conversion>>| match result.get() {
        Ok(c) => Some(c),
        Err(_) => previous.cloned().flatten(),
    });
    let _ = state;
    view! {
        <div class="layout">
            <section class="panel inputs" aria-labelledby="screen-heading">
                <h2 id="screen-heading" tabindex="-1">"Conversion from systemic opioids"</h2>
                <ol class="steps">
                    <li>"The home regimen: each systemic opioid and its daily amount."</li>
                    <li>"The ratio to intrathecal morphine, and the reduction for incomplete cross-tolerance: your choice."</li>
                    <li>"Check the arithmetic, the cautions and the drug library; only then use the dose."</li>
                </ol>
                <Regimen ctx=ctx />
                <RatioChoice ctx=ctx />
            </section>
            <section class="panel outputs" aria-labelledby="conversion-heading">
                <h2 id="conversion-heading">"The proposal"</h2>
                <Proposal ctx=ctx kept=kept stale=Signal::derive(move || result.with(Result::is_err)) />
                <TaperPlan ctx=ctx kept=kept />
                <super::factors::FactorTable table=table note=table_note />
            </section>
        </div>
    }
    .into_any()
}

/// The home regimen: one row per opioid.
#[component]
fn Regimen(ctx: Ctx) -> impl IntoView {
    let count = Memo::new(move |_| ctx.form.with(|f| f.items.len()));
    let add = move |_| ctx.form.update(|f| f.items.push(ItemForm::default()));
    view! {
        <fieldset>
            <legend>"Home regimen"</legend>
            <For each=move || 0..count.get() key=|i| *i let(i)>
                <RegimenRow ctx=ctx i=i />
            </For>
            <button type="button" class="secondary" id="regimen-add" on:click=add>"Add an opioid"</button>
        </fieldset>
    }
}

/// One opioid of the regimen.
#[component]
fn RegimenRow(ctx: Ctx, i: usize) -> impl IntoView {
    let opioid_id = element_id(Field::RegimenOpioid, Some(Location::Regimen(i)));
    let amount_id = element_id(Field::RegimenAmount, Some(Location::Regimen(i)));
    let options = ctx.table.with(|t| t.opioids.clone());
    let chosen = move || {
        ctx.form
            .with(|f| f.items.get(i).map(|x| x.opioid.clone()).unwrap_or_default())
    };
    let unit = move || {
        let id = chosen();
        ctx.table
            .with(|t| t.get(&id).map(|o| o.unit.symbol().to_owned()))
            .unwrap_or_default()
    };
    let set = move |f: &dyn Fn(&mut ItemForm)| {
        ctx.form.update(|form| {
            if let Some(x) = form.items.get_mut(i) {
                f(x);
            }
        });
    };
    let remove = move |_| {
        ctx.form.update(|f| {
            if f.items.len() > 1 && i < f.items.len() {
                f.items.remove(i);
            }
        });
    };
    let (o_blur, a_blur) = (opioid_id.clone(), amount_id.clone());
    view! {
        <div class="field-row regimen-row">
            <div class="field">
                <label for=opioid_id.clone()>{format!("Opioid {}", i + 1)}</label>
                <select id=opioid_id.clone() aria-describedby=format!("{opioid_id}-error")
                    prop:value=chosen
                    on:change=move |ev| { let v = event_target_value(&ev); set(&|x| x.opioid = v.clone()); }
                    on:blur=move |_| ctx.touch(&o_blur)>
                    <option value="">"Choose\u{2026}"</option>
                    {options.into_iter().map(|o| view! { <option value=o.id.clone()>{o.display_name.clone()}</option> }).collect_view()}
                </select>
                {messages(ctx, opioid_id.clone())}
            </div>
            <div class="field">
                <label for=amount_id.clone()>"Amount " <span class="unit">{move || format!("({})", unit())}</span></label>
                <input id=amount_id.clone() inputmode="decimal" autocomplete="off" aria-describedby=format!("{amount_id}-error")
                    prop:value=move || ctx.form.with(|f| f.items.get(i).map(|x| x.amount.clone()).unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); set(&|x| x.amount = v.clone()); }
                    on:blur=move |_| ctx.touch(&a_blur) />
                {messages(ctx, amount_id.clone())}
            </div>
            <button type="button" class="secondary small" id=format!("regimen-{i}-remove") on:click=remove
                prop:disabled=move || ctx.form.with(|f| f.items.len() < 2)>{format!("Remove opioid {}", i + 1)}</button>
        </div>
    }
}

/// The ratio (sourced or custom), the reduction and the intrathecal drug.
#[component]
fn RatioChoice(ctx: Ctx) -> impl IntoView {
    let ratios = ctx.table.with(|t| t.ratios.clone());
    let choose = move |id: String| ctx.form.update(|f| f.ratio = id);
    let ratio_id = element_id(Field::ConversionRatio, None);
    let reduction_id = element_id(Field::Reduction, None);
    let (r_blur, d_blur) = (ratio_id.clone(), reduction_id.clone());
    view! {
        <fieldset>
            <legend>"Oral : intrathecal morphine ratio"</legend>
            {ratios.into_iter().map(|r| {
                let id = format!("ratio-{}", r.id);
                let label_for = id.clone();
                let value = r.id.clone();
                let checked = r.id.clone();
                view! {
                    <label class="radio" for=label_for>
                        <input type="radio" name="ratio" id=id prop:checked=move || ctx.form.with(|f| f.ratio == checked)
                            on:change=move |_| choose(value.clone()) />
                        {r.label.clone()}" "<span class=format!("mark mark-{}", r.mark.letter().to_lowercase())>{r.mark.letter()}</span>
                    </label>
                    <p class="hint source">{r.source.clone()}</p>
                }
            }).collect_view()}
            <label class="radio" for="ratio-custom">
                <input type="radio" name="ratio" id="ratio-custom" prop:checked=move || ctx.form.with(|f| f.ratio == "custom")
                    on:change=move |_| choose("custom".into()) />
                "Another ratio (yours)"
            </label>
            <div class="field">
                <label for=ratio_id.clone()>"Your ratio, oral mg per intrathecal mg " <span class="unit">"(: 1)"</span></label>
                <input id=ratio_id.clone() inputmode="decimal" autocomplete="off" aria-describedby=format!("{ratio_id}-error")
                    prop:value=move || ctx.form.with(|f| f.custom_ratio.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); ctx.form.update(|f| { f.custom_ratio = v; f.ratio = "custom".into(); }); }
                    on:blur=move |_| ctx.touch(&r_blur) />
                {messages(ctx, ratio_id.clone())}
            </div>
        </fieldset>
        <div class="field">
            <label for=reduction_id.clone()>"Reduction for incomplete cross-tolerance " <span class="unit">"(%)"</span></label>
            <input id=reduction_id.clone() inputmode="decimal" autocomplete="off" aria-describedby=format!("{reduction_id}-error")
                prop:value=move || ctx.form.with(|f| f.reduction.clone())
                on:input=move |ev| { let v = event_target_value(&ev); ctx.form.update(|f| f.reduction = v); }
                on:blur=move |_| ctx.touch(&d_blur) />
            {messages(ctx, reduction_id.clone())}
        </div>
        <fieldset>
            <legend>"Intrathecal drug"</legend>
            <label class="radio" for="target-morphine">
                <input type="radio" name="target" id="target-morphine" prop:checked=move || ctx.form.with(|f| f.target == Target::Morphine)
                    on:change=move |_| ctx.form.update(|f| f.target = Target::Morphine) />"morphine"
            </label>
            <label class="radio" for="target-hydromorphone">
                <input type="radio" name="target" id="target-hydromorphone" prop:checked=move || ctx.form.with(|f| f.target == Target::Hydromorphone)
                    on:change=move |_| ctx.form.update(|f| f.target = Target::Hydromorphone) />"HYDROmorphone (potency unverified)"
            </label>
            <Show when=move || ctx.form.with(|f| f.target == Target::Hydromorphone)>
                <Potency ctx=ctx />
            </Show>
        </fieldset>
    }
}

/// HYDROmorphone's potency: an unverified, editable default.
#[component]
fn Potency(ctx: Ctx) -> impl IntoView {
    let id = element_id(Field::Potency, None);
    let blur = id.clone();
    let source = ctx.table.with(|t| t.hydromorphone_potency.source.clone());
    view! {
        <div class="field">
            <label for=id.clone()>"HYDROmorphone potency, times intrathecal morphine " <span class="unit">"(unverified)"</span></label>
            <input id=id.clone() inputmode="decimal" autocomplete="off" aria-describedby=format!("{id}-error")
                prop:value=move || ctx.form.with(|f| f.potency.clone())
                on:input=move |ev| { let v = event_target_value(&ev); ctx.form.update(|f| f.potency = v); }
                on:blur=move |_| ctx.touch(&blur) />
            <p class="hint source">{source}" "<span class="mark mark-u">"U"</span></p>
            {messages(ctx, id.clone())}
        </div>
    }
}

/// The MME, the proposed dose, the arithmetic, the cautions, the library checks, and the action
/// that puts the dose into the plan.
#[component]
fn Proposal(ctx: Ctx, kept: Memo<Option<Conversion>>, stale: Signal<bool>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let asking = RwSignal::new(false);
    let text = move || {
        kept.get().map(|c| {
            let (arith, cautions) = ctx.table.with(|t| (arithmetic(&c), cautions(&c, t)));
            let checks = state.library.with(|l| library_checks(&c, l));
            (c, arith, cautions, checks)
        })
    };
    view! {
        {move || stale.get().then(|| view! {
            <p class="banner banner-stale" role="status" id="conversion-stale">"The input is not complete or not valid: the last valid proposal is shown, dimmed, until it is corrected."</p>
        })}
        {move || match text() {
            None => view! { <p class="placeholder" id="conversion-empty">"Enter the regimen, choose the ratio and the reduction."</p> }.into_any(),
            Some((c, arith, cautions, checks)) => {
                view! {
                    <dl class="results" id="conversion" class:stale=move || stale.get()>
                        {crate::engine::report::convert::figures(&c).into_iter().map(|(name, value)| view! {
                            <dt>{name}</dt><dd>{value}</dd>
                        }).collect_view()}
                    </dl>
                    <h3>"The arithmetic"</h3>
                    <ol class="arithmetic" id="conversion-arithmetic">{arith.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ol>
                    <h3>"Cautions"</h3>
                    <ul class="cautions" id="conversion-cautions">{cautions.into_iter().chain(checks).map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                    <ApplyDose c=c asking=asking stale=stale />
                }.into_any()
            }
        }}
    }
}

/// Where the dose may go in the plan on screen: the line of the target drug when it is the lead
/// drug of a lead-dose programme without flex steps, or line 1 of a plan with no drug chosen yet.
/// Anything else is changed by hand on the programme screen (never a drug replaced silently).
fn target_line(form: &crate::form::PlanForm, drug: &str, name: &str) -> Result<usize, String> {
    if form.mode != crate::form::FormMode::LeadDose || form.flex.enabled {
        return Err(
            "The plan on screen sets the flow rate or flex steps: put the dose in by hand on Change the programme."
                .to_owned(),
        );
    }
    if form.drugs.len() == 1 && form.drugs.first().is_some_and(|d| d.drug_id.is_empty()) {
        return Ok(0);
    }
    match form.drugs.iter().position(|d| d.drug_id == drug) {
        Some(i) if i == form.lead => Ok(i),
        Some(i) => Err(format!(
            "{name} is drug line {} but not the lead drug: change the programme by hand.",
            i + 1
        )),
        None => Err(format!(
            "The plan on screen has no {name} line: start from New patient (start screen), or change the drugs by hand."
        )),
    }
}

/// "Use this dose": asks first, showing the line, its dose now and the new one, then puts the dose
/// in that line in a session (the plan as it was is the current programme) and opens the new-pump
/// screen.
#[component]
fn ApplyDose(c: Conversion, asking: RwSignal<bool>, stale: Signal<bool>) -> impl IntoView {
    let state = expect_context::<AppState>();
    // The input gets the number at full precision, without separators (the question shows it the
    // ISMP way).
    let dose = crate::form::number_text(c.daily_dose);
    let shown = format_number(c.daily_dose);
    let drug = c.target.drug();
    let name = c.target.display_name();
    let line = Memo::new(move |_| {
        // The proposal is in mg/day: a library that doses the drug otherwise gets it by hand.
        if !state
            .library
            .with(|l| l.get(drug).is_some_and(|d| d.family == MassFamily::Mg))
        {
            return Err(format!(
                "The drug library does not dose {name} in mg: put the dose in by hand."
            ));
        }
        state.form.with(|f| target_line(f, drug, name))
    });
    let question = {
        move || {
            // What is typed in the line now, with the line's own units.
            let (i, now, conc) = state.form.with(|f| {
                let i = line.get().unwrap_or(0);
                let d = f.drugs.get(i).filter(|d| d.drug_id == drug);
                let typed =
                    |text: &str, unit: String| (!text.trim().is_empty()).then(|| format!("{} {unit}", text.trim()));
                let now = d.and_then(|d| typed(&d.daily_dose, format!("{}/day", d.dose_unit.symbol())));
                let conc = d.and_then(|d| typed(&d.concentration, format!("{}/mL", d.concentration_unit.symbol())));
                (i, now, conc)
            });
            format!(
                "Drug line {}: {name} daily dose {} \u{2192} {shown} mg/day. The concentration ({}) is not changed: check it on the next screen. A session opens; review it before confirming.",
                i + 1,
                now.unwrap_or_else(|| "not set".to_owned()),
                conc.unwrap_or_else(|| "not set".to_owned()),
            )
        }
    };
    let apply = move |_| {
        let Ok(i) = line.get_untracked() else { return };
        let before = state.form.get_untracked();
        state.begin_session(Screen::Convert.title(), before);
        state.form.update(|f| {
            if f.drugs.get(i).is_some_and(|d| d.drug_id.is_empty()) {
                if let Some(slot) = f.drugs.get_mut(i) {
                    *slot = DrugForm::for_drug(drug, MassFamily::Mg);
                }
                f.lead = i;
            }
            if let Some(d) = f.drugs.get_mut(i) {
                d.daily_dose = dose.clone();
                d.dose_unit = MassFamily::Mg;
            }
        });
        asking.set(false);
        go(Screen::NewPump);
    };
    view! {
        <Show when=move || asking.get() fallback=move || view! {
            <button type="button" id="conversion-use" prop:disabled=move || stale.get() || line.with(Result::is_err) on:click=move |_| asking.set(true)>"Use this dose in the plan\u{2026}"</button>
            <p class="hint" id="conversion-use-why">{move || line.get().err()}</p>
        }>
            <div role="group" class="confirm-box" aria-labelledby="conversion-question">
                <p id="conversion-question">{question.clone()}</p>
                <button type="button" id="conversion-use-confirm" on:click=apply.clone()>"Put it in the plan"</button>
                <button type="button" class="secondary" id="conversion-use-cancel" on:click=move |_| asking.set(false)>"Cancel"</button>
            </div>
        </Show>
    }
}

/// The taper plan as typed, read: (percent, days, first date), or every error, each at its input.
fn read_taper(f: &ConvertForm) -> Result<(f64, f64, jiff::civil::DateTime), Vec<Error>> {
    let percent = parse_number(Field::TaperPercent, &f.taper_percent);
    let days = parse_number(Field::TaperDays, &f.taper_days);
    let start = crate::engine::parse_date(Field::TaperStart, &f.taper_start).map(|d| d.at(9, 0, 0, 0));
    match (percent, days, start) {
        (Ok(percent), Ok(days), Ok(start)) => Ok((percent, days, start)),
        (p, d, s) => Err([p.err(), d.err(), s.err()].into_iter().flatten().collect()),
    }
}

/// The taper's steps from a total MME.
type Tapered = (f64, Vec<crate::engine::taper::TaperStep>);

/// One input of the taper plan, with its messages once it has been left or holds text.
fn taper_field(
    ctx: Ctx,
    errors: Memo<Vec<Error>>,
    id: String,
    label: &'static str,
    get: fn(&ConvertForm) -> String,
    set: fn(&mut ConvertForm, String),
) -> impl IntoView {
    let (mine, blur) = (id.clone(), id.clone());
    let messages = Signal::derive(move || {
        let shown = ctx.form.with(|f| !get(f).trim().is_empty()) || ctx.touched.with(|t| t.contains(&mine));
        if !shown {
            return Vec::new();
        }
        errors.with(|l| {
            l.iter()
                .filter(|e| e.element_id() == mine)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        })
    });
    let invalid = move || messages.with(|m| !m.is_empty());
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id.clone()>{label}</label>
            <input id=id.clone() autocomplete="off" aria-describedby=format!("{id}-error")
                aria-invalid=move || invalid().to_string() prop:value=move || ctx.form.with(get)
                on:input=move |ev| { let v = event_target_value(&ev); ctx.form.update(|f| set(f, v)); }
                on:blur=move |_| ctx.touch(&blur) />
            <div class="field-error" id=format!("{id}-error") aria-live="polite">
                {move || messages.get().into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
            </div>
        </div>
    }
}

/// An optional systemic taper from the regimen's total MME: equal steps the clinician sets, with
/// their dates and a small chart. No default rate (the reference gives none). A bad input gets
/// its message at the input, and the last valid taper stays, dimmed, until it is corrected.
#[component]
fn TaperPlan(ctx: Ctx, kept: Memo<Option<Conversion>>) -> impl IntoView {
    let inputs = [Field::TaperPercent, Field::TaperDays, Field::TaperStart].map(|f| element_id(f, None));
    let result = Memo::new(move |_| {
        let total = kept.with(|k| k.as_ref().map(|c| c.total_mme))?;
        let typed = ctx
            .form
            .with(|f| !f.taper_percent.trim().is_empty() || !f.taper_days.trim().is_empty());
        if !typed {
            return None;
        }
        Some(ctx.form.with(read_taper).and_then(|(percent, days, start)| {
            crate::engine::taper::taper(&crate::engine::taper::TaperInput {
                start_mme: total,
                percent_per_step: percent,
                days_between: days,
                start,
            })
            .map(|steps| (total, steps))
            .map_err(|e| vec![e])
        }))
    });
    let errors = Memo::new(move |_| match result.get() {
        Some(Err(list)) => list,
        _ => Vec::new(),
    });
    let at_inputs = {
        let inputs = inputs.clone();
        move |e: &Error| inputs.contains(&e.element_id())
    };
    let taper_kept = Memo::new(move |previous: Option<&Option<Tapered>>| match result.get() {
        Some(Ok(t)) => Some(t),
        Some(Err(list)) if list.iter().all(&at_inputs) => previous.cloned().flatten(),
        _ => None,
    });
    let stale = move || result.with(|r| matches!(r, Some(Err(_)))) && taper_kept.with(Option::is_some);
    // An error about the regimen's total (not a taper input) is said once, under the inputs.
    let other = {
        let inputs = inputs.clone();
        move || {
            errors.with(|l| {
                l.iter()
                    .find(|e| !inputs.contains(&e.element_id()))
                    .map(ToString::to_string)
            })
        }
    };
    let field = move |id, label, get, set| taper_field(ctx, errors, id, label, get, set);
    let [percent_id, days_id, start_id] = inputs;
    view! {
        <details class="pump-info" id="taper-plan">
            <summary>"Systemic taper plan (optional)"</summary>
            <p class="hint">"The regimen's total MME brought to zero in equal steps you choose; no rate is suggested."</p>
            <div class="field-row">
                {field(percent_id, "Each step, % of the starting total", |f| f.taper_percent.clone(), |f, v| f.taper_percent = v)}
                {field(days_id, "Days between steps", |f| f.taper_days.clone(), |f, v| f.taper_days = v)}
                {field(start_id, "First step on (YYYY-MM-DD)", |f| f.taper_start.clone(), |f, v| f.taper_start = v)}
            </div>
            {move || other().map(|e| view! { <p class="field-error" id="taper-error" role="alert">{e}</p> })}
            {move || stale().then(|| view! {
                <p class="banner banner-stale" role="status" id="taper-stale">"A taper input is not valid: the last valid taper is shown, dimmed, until it is corrected."</p>
            })}
            {move || taper_kept.get().map(|(total, steps)| {
                let svg = crate::chart::timeline::taper_svg(&steps, total, 520, 220);
                view! {
                    <dl class="results" id="taper-steps" class:stale=stale>
                        {crate::engine::report::convert::taper_rows(&steps).into_iter().map(|(at, mme)| view! {
                            <dt>{at}</dt><dd>{mme}</dd>
                        }).collect_view()}
                    </dl>
                    <img src=super::input::svg_data_url(&svg) width="520" height="220" class:stale=stale
                        alt="The systemic taper: total MME stepping down to zero at each step's date; the same steps are listed above." />
                }
            })}
        </details>
    }
}
