//! The drug library in force: every drug, limit, stability and PK default with its source and
//! mark; export, and all-or-nothing import (a rejected file leaves the library in force).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::AppState;
use super::files::{download, read_chosen_file};
use super::persist::Flash;
use crate::engine::format::{format_number, with_unit};
use crate::engine::{DrugEntry, DrugLibrary, Field, Severity, parse_number};

/// One limit of the library in force: shown with its source and mark, and editable in place
/// (the institution's value; an invalid edit changes nothing and says why).
#[component]
fn LimitEditor(
    /// Drug id.
    drug_id: String,
    /// Index of the limit in the drug's list.
    index: usize,
    /// "daily dose max 15 mg/day (soft)".
    description: String,
    /// "[U] PACC …".
    source: String,
    /// Current value.
    value: f64,
    /// Current severity.
    severity: Severity,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let text = RwSignal::new(format_number(value).replace(',', ""));
    let hard = RwSignal::new(severity == Severity::Hard);
    let error = RwSignal::new(None::<String>);
    let id = format!("lib-{drug_id}-{index}");
    let apply = move |_| {
        let value = match parse_number(Field::Drugs, &text.get()) {
            Ok(v) => v,
            Err(e) => return error.set(Some(format!("Limit: {}", e.problem))),
        };
        let severity = if hard.get() { Severity::Hard } else { Severity::Soft };
        let mut candidate = state.library.get_untracked();
        match candidate.edit_limit(&drug_id, index, value, severity, super::persist::now().date()) {
            Ok(()) => {
                error.set(None);
                state.library.set(candidate);
            }
            Err(e) => error.set(Some(format!("{e}. The library is unchanged."))),
        }
    };
    view! {
        <div class="result-row">
            <dt>{format!("Limit: {description}")}</dt>
            <dd>
                {source}
                <div class="limit-editor no-print">
                    <label for=format!("{id}-value")>"Institution's value"</label>
                    <input id=format!("{id}-value") type="text" inputmode="decimal" autocomplete="off"
                        prop:value=text on:input=move |ev| text.set(event_target_value(&ev)) />
                    <label class="radio" for=format!("{id}-hard")>
                        <input type="checkbox" id=format!("{id}-hard") prop:checked=hard on:change=move |ev| hard.set(event_target_checked(&ev)) />
                        "hard (blocks)"
                    </label>
                    <button type="button" class="secondary" id=format!("{id}-set") on:click=apply>"Set"</button>
                </div>
                <p class="field-error" id=format!("{id}-error") aria-live="polite">{move || error.get()}</p>
            </dd>
        </div>
    }
}

fn drug_rows(drug: &DrugEntry) -> Vec<(String, String)> {
    let mut rows = vec![(
        "Unit family".to_owned(),
        format!("{} (entries in the other family are blocked)", drug.family.symbol()),
    )];
    if let Some(r) = &drug.start_dose_per_day {
        rows.push((
            "Usual starting dose".into(),
            format!(
                "{}\u{2013}{} [{}] {}",
                format_number(r.low),
                with_unit(r.high, &format!("{}/day", drug.family.symbol())),
                r.mark.letter(),
                r.source
            ),
        ));
    }
    for limit in &drug.limits {
        rows.push((
            format!("Limit: {}", drug.describe_limit(limit)),
            format!("[{}] {}", limit.mark.letter(), limit.source),
        ));
    }
    if !drug.has_low_concentration_limit() {
        rows.push((
            "Low-concentration limit".into(),
            "none set \u{2014} set one in your institution's library (ISMP)".into(),
        ));
    }
    for s in &drug.stability {
        rows.push((
            format!("Stability ({})", s.condition),
            format!("{} days [{}] {}", format_number(s.days), s.mark.letter(), s.source),
        ));
    }
    let pk = &drug.pk;
    for (name, value, unit) in [
        ("CSF half-life", &pk.csf_half_life_hours, "h"),
        ("CSF volume", &pk.csf_volume_ml, "mL"),
        ("CSF clearance", &pk.csf_clearance_ml_per_min, "mL/min"),
    ] {
        if let Some(v) = value {
            rows.push((
                name.into(),
                format!("{} [{}] {}", with_unit(v.value, unit), v.mark.letter(), v.source),
            ));
        }
    }
    rows.extend(rule_rows(drug));
    if !drug.notes.is_empty() {
        rows.push(("Notes".into(), drug.notes.clone()));
    }
    rows
}

/// The drug's rules (titration, new pump, combinations, strengths, guidance), each with its mark.
fn rule_rows(drug: &DrugEntry) -> Vec<(String, String)> {
    let per_day = format!("{}/day", drug.family.symbol());
    let per_ml = format!("{}/mL", drug.family.symbol());
    let sourced =
        |text: String, mark: crate::engine::Mark, source: &str| format!("{text} [{}] {source}", mark.letter());
    let mut rows = Vec::new();
    if !drug.classes.is_empty() {
        rows.push(("Class".to_owned(), drug.classes.join(", ")));
    }
    for rule in &drug.titration {
        let mut parts = Vec::new();
        if let Some(v) = rule.max_step {
            parts.push(format!("rise at most {} per change", with_unit(v, &per_day)));
        }
        if let Some(v) = rule.max_percent {
            parts.push(format!("rise at most {} % per 24 h", format_number(v)));
        }
        if let Some(v) = rule.min_hours_between {
            parts.push(format!("at least {} h apart", format_number(v)));
        }
        if let Some(v) = rule.max_increases_per_week {
            parts.push(format!("at most {v} rises a week"));
        }
        let mut scope = Vec::new();
        if !rule.condition.is_empty() {
            scope.push(rule.condition.clone());
        }
        if !rule.regions.is_empty() {
            scope.push(rule.regions.join(", "));
        }
        let label = if scope.is_empty() {
            "Titration".to_owned()
        } else {
            format!("Titration ({})", scope.join("; "))
        };
        rows.push((label, sourced(parts.join("; "), rule.mark, &rule.source)));
    }
    if let Some(rule) = &drug.new_pump {
        let mut parts = Vec::new();
        if let Some(v) = rule.max_start_dose {
            parts.push(format!("start at most {}", with_unit(v, &per_day)));
        }
        if let Some(v) = rule.concentration {
            parts.push(format!("undiluted {} only in a new pump", with_unit(v, &per_ml)));
        }
        if let Some(r) = rule.rinse {
            parts.push(format!(
                "rinse {} \u{d7} {} mL first",
                r.times,
                format_number(r.volume_ml)
            ));
        }
        rows.push((
            "New pump or start".into(),
            sourced(parts.join("; "), rule.mark, &rule.source),
        ));
    }
    for a in &drug.avoid_with {
        rows.push((
            format!("With an {}", a.class),
            sourced(a.message.clone(), a.mark, &a.source),
        ));
    }
    if let Some(st) = &drug.strengths {
        let values: Vec<String> = st.values.iter().map(|v| with_unit(*v, &per_ml)).collect();
        rows.push(("Strengths".into(), sourced(values.join(", "), st.mark, &st.source)));
    }
    for g in &drug.guidance {
        rows.push(("Guidance".into(), sourced(g.text.clone(), g.mark, &g.source)));
    }
    if let Some(a) = &drug.low_reservoir_alarm_ml {
        rows.push((
            "Suggested low-reservoir alarm".into(),
            sourced(with_unit(a.value, "mL"), a.mark, &a.source),
        ));
    }
    if let Some(e) = &drug.intrathecal_morphine_equivalent {
        rows.push((
            "Intrathecal morphine equivalent".into(),
            sourced(
                format!("1 {} = {} mg morphine", drug.family.symbol(), format_number(e.value)),
                e.mark,
                &e.source,
            ),
        ));
    }
    rows
}

/// The drug library panel.
#[component]
pub fn LibraryView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let library = state.library;
    let flash = Flash::new();
    let import_error = RwSignal::new(None::<String>);
    let export = move |_| {
        let json = library.with(DrugLibrary::to_json);
        match download("itdose-drug-library.json", &json) {
            Ok(()) => flash.show("Library exported".into()),
            Err(e) => import_error.set(Some(format!("Could not export: {e}"))),
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let text = read_chosen_file(input.clone()).await;
            input.set_value("");
            let mut candidate = library.get_untracked();
            match text
                .map_err(|e| e.to_string())
                .and_then(|t| candidate.import(&t).map_err(|e| e.to_string()))
            {
                Ok(()) => {
                    let name = candidate.name.clone();
                    library.set(candidate);
                    import_error.set(None);
                    flash.show(format!("Library \u{201c}{name}\u{201d} imported and in force"));
                }
                Err(e) => import_error.set(Some(format!("{e}. The previous library stays in force."))),
            }
        });
    };
    let reset = move |_| {
        if let Ok(builtin) = DrugLibrary::builtin() {
            library.set(builtin);
            flash.show("The built-in library is in force".into());
        }
    };
    let set_region = move |ev: leptos::ev::Event| {
        let region = event_target_value(&ev);
        library.update(|l| l.region = region);
        flash.show("Region changed: limits and rules of that region's labelling apply".into());
    };
    view! {
        <h2 id="library-heading">"Drug library in force: "{move || library.with(|l| l.name.clone())}</h2>
        <p class="hint">{move || library.with(|l| l.note.clone())}</p>
        <div class="field compact no-print">
            <label for="library-region">"Labelling region the library follows"</label>
            <select id="library-region" on:change=set_region>
                {["US", "EU"].into_iter().map(|r| view! {
                    <option value=r selected=move || library.with(|l| l.region.eq_ignore_ascii_case(r))>{r}</option>
                }).collect_view()}
            </select>
        </div>
        <p class="hint" id="library-region-text">{move || library.with(|l| format!("Region: {}. Limits and titration rules tagged with another region do not apply (ziconotide: US maximum 19.2 mcg/day, EU 21.6 mcg/day).", l.region))}</p>
        <p class="hint">"Marks: V verified in the cited source; S secondary source; U unverified \u{2014} confirm against current labelling / your institution's drug library (U values are soft limits only); I set by your institution. Set a limit to your institution's value below, or export the library, edit it and import it."</p>
        <div class="buttons no-print">
            <button type="button" id="export-library" on:click=export>"Export library (JSON)"</button>
            <label class="file-button" for="import-library">"Import library (JSON)"</label>
            <input type="file" id="import-library" accept=".json,application/json" on:change=import />
            <button type="button" class="secondary" id="reset-library" on:click=reset>"Use the built-in library"</button>
        </div>
        <p class="field-error" id="import-library-error" role="alert">{move || import_error.get()}</p>
        <p class="save-status" role="status" id="library-status">{move || flash.get().unwrap_or_default()}</p>
        <div class="library-grid">
            {move || library.with(|l| l.drugs.iter().map(|d| {
                let rows = drug_rows(d);
                let limits: Vec<_> = d.limits.iter().enumerate().map(|(i, limit)| {
                    view! {
                        <LimitEditor drug_id=d.id.clone() index=i description=d.describe_limit(limit)
                            source=format!("[{}] {}", limit.mark.letter(), limit.source) value=limit.value severity=limit.severity />
                    }
                }).collect();
                view! {
                    <section class="library-drug" id=format!("library-{}", d.id)>
                        <h3>{d.display_name.clone()}</h3>
                        <dl class="sourced">
                            {rows.into_iter().map(|(k, v)| view! { <div class="result-row"><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
                            {limits}
                        </dl>
                    </section>
                }
            }).collect_view())}
        </div>
    }
}
