//! The drug library in force: every drug, limit, stability and PK default with its source and
//! mark; export, and all-or-nothing import (a rejected file leaves the library in force).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::AppState;
use super::files::{download, read_chosen_file};
use super::persist::Flash;
use crate::engine::format::{format_number, with_unit};
use crate::engine::{DrugEntry, DrugLibrary};

fn drug_rows(drug: &DrugEntry) -> Vec<(String, String)> {
    let mut rows = vec![(
        "Unit family".to_owned(),
        format!(
            "{} (entries in the other family are blocked)",
            drug.family.symbol()
        ),
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
            format!(
                "{} days [{}] {}",
                format_number(s.days),
                s.mark.letter(),
                s.source
            ),
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
                format!(
                    "{} [{}] {}",
                    with_unit(v.value, unit),
                    v.mark.letter(),
                    v.source
                ),
            ));
        }
    }
    if !drug.notes.is_empty() {
        rows.push(("Notes".into(), drug.notes.clone()));
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
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
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
                    flash.show(format!(
                        "Library \u{201c}{name}\u{201d} imported and in force"
                    ));
                }
                Err(e) => {
                    import_error.set(Some(format!("{e}. The previous library stays in force.")))
                }
            }
        });
    };
    let reset = move |_| {
        if let Ok(builtin) = DrugLibrary::builtin() {
            library.set(builtin);
            flash.show("The built-in library is in force".into());
        }
    };
    view! {
        <h2 id="library-heading">"Drug library in force: "{move || library.with(|l| l.name.clone())}</h2>
        <p class="hint">{move || library.with(|l| l.note.clone())}</p>
        <p class="hint">"Marks: V verified in the cited source; S secondary source; U unverified \u{2014} confirm against current labelling / your institution's drug library. U values are soft limits only."</p>
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
                view! {
                    <section class="library-drug" id=format!("library-{}", d.id)>
                        <h3>{d.display_name.clone()}</h3>
                        <dl class="sourced">
                            {rows.into_iter().map(|(k, v)| view! { <div class="result-row"><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
                        </dl>
                    </section>
                }
            }).collect_view())}
        </div>
    }
}
