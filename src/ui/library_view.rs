//! The drug library in force: every drug, limit, stability and PK default with its source and
//! mark; export, and all-or-nothing import (a rejected file leaves the library in force).

use leptos::prelude::*;

use super::files::{download, on_file_chosen};
use super::persist::Flash;
use super::state::AppState;
use crate::engine::report::{drug_rows, limit_text, region_text};
use crate::engine::{DrugLibrary, Field, Severity, parse_number};

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
    let id = format!("lib-{drug_id}-{index}");
    // What is typed is kept until it is set: a reload does not lose it.
    let text = super::persist::draft(format!("{id}-value"), crate::form::number_text(value));
    let hard = RwSignal::new(severity == Severity::Hard);
    let error = RwSignal::new(None::<String>);
    let apply = move |_| {
        let value = match parse_number(Field::Drugs, &text.get()) {
            Ok(v) => v,
            Err(e) => return error.set(Some(format!("Limit: {}", e.problem))),
        };
        // The box says hard or not: unticked keeps a soft or information-only limit as it was
        // (an info limit set to its own value became a soft one, asking for acknowledgements),
        // and makes a hard one soft.
        let severity = match (hard.get(), severity) {
            (true, _) => Severity::Hard,
            (false, Severity::Hard) => Severity::Soft,
            (false, kept) => kept,
        };
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
        on_file_chosen(&ev, move |text| {
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
                {move || library.with(|l| l.regions()).into_iter().map(|r| {
                    let (this, value) = (r.clone(), r.clone());
                    view! { <option value=value selected=move || library.with(|l| l.region.eq_ignore_ascii_case(&this))>{r}</option> }
                }).collect_view()}
            </select>
        </div>
        <p class="hint" id="library-region-text">{move || library.with(|l| region_text(&l.region))}</p>
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
                        <LimitEditor drug_id=d.id.clone() index=i description=limit_text(d, limit)
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
