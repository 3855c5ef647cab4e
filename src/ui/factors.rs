//! The MME factor table in force on the conversion screen: every factor with its source and mark,
//! editable in place (the clinician's or institution's value: the source then keeps the default
//! with its mark), exported and imported as a file (all or nothing), and restored to the CDC 2022
//! factors by an explicit action. The table is kept in this browser (`itdose-opioids` version 1);
//! a saved table that cannot be read is left where it is and the built-in table is used, with a
//! note that says so.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use super::files::{download, on_file_chosen};
use super::persist::{Flash, stored};
use crate::engine::Error;
use crate::engine::Field;
use crate::engine::convert::{Opioid, OpioidTable};
use crate::engine::parse_number;

/// The key of the factor table in force, when it is not the built-in one.
pub const OPIOIDS_KEY: &str = "itdose.opioids.v1";

/// The table in force: the saved one when there is a valid one, else the built-in one, with a note
/// when a saved table could not be used (it stays saved, untouched, until the user changes the table).
///
/// # Errors
/// The built-in table is invalid (a native test guarantees it is not).
pub fn table_in_force() -> Result<(OpioidTable, Option<String>), Error> {
    let builtin = OpioidTable::builtin()?;
    Ok(match stored(OPIOIDS_KEY) {
        Some(text) => match OpioidTable::from_json(&text) {
            Ok(table) => (table, None),
            Err(e) => (
                builtin,
                Some(format!(
                    "The saved MME factor table could not be used ({e}); the CDC 2022 factors are in force. The saved table is kept until you change the factors."
                )),
            ),
        },
        None => (builtin, None),
    })
}

/// Puts `candidate` in force and keeps it in this browser.
fn put(table: RwSignal<OpioidTable>, candidate: OpioidTable) -> Result<(), String> {
    LocalStorage::raw()
        .set_item(OPIOIDS_KEY, &candidate.to_json())
        .map_err(|_| "the browser refused to save the table".to_owned())?;
    table.set(candidate);
    Ok(())
}

/// One factor: shown with its source and mark, and editable in place.
#[component]
fn FactorEditor(table: RwSignal<OpioidTable>, opioid: Opioid) -> impl IntoView {
    let id = format!("factor-{}", opioid.id);
    // What is typed is kept until it is set: a reload does not lose it.
    let text = super::persist::draft(format!("{id}-value"), crate::form::number_text(opioid.factor));
    let error = RwSignal::new(None::<String>);
    let opioid_id = opioid.id.clone();
    let apply = move |_| {
        let value = match parse_number(Field::OpioidTable, &text.get()) {
            Ok(v) => v,
            Err(e) => return error.set(Some(format!("Factor: {}", e.problem))),
        };
        let mut candidate = table.get_untracked();
        match candidate
            .edit_factor(&opioid_id, value, super::persist::now().date())
            .map_err(|e| e.to_string())
            .and_then(|()| put(table, candidate))
        {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(format!("{e}. The table is unchanged."))),
        }
    };
    view! {
        <dt>{opioid.display_name.clone()}</dt>
        <dd>
            <span class="value">{crate::engine::report::convert::factor_text(&opioid)}</span>" "
            <span class=format!("mark mark-{}", opioid.mark.letter().to_lowercase())>{opioid.mark.letter()}</span>" "
            <span class="source">{opioid.source.clone()}</span>
            <div class="limit-editor no-print">
                <label for=format!("{id}-value")>{format!("Factor ({})", opioid.unit.symbol())}</label>
                <input id=format!("{id}-value") type="text" inputmode="decimal" autocomplete="off"
                    prop:value=text on:input=move |ev| text.set(event_target_value(&ev)) />
                <button type="button" class="secondary" id=format!("{id}-set") on:click=apply>"Set"</button>
            </div>
            <p class="field-error" id=format!("{id}-error") aria-live="polite">{move || error.get()}</p>
        </dd>
    }
}

/// The factors in force, with their sources and marks, editable; export, import and restore.
#[component]
pub fn FactorTable(
    /// The table in force.
    table: RwSignal<OpioidTable>,
    /// Why a saved table is not in force, when it could not be used.
    note: Option<String>,
) -> impl IntoView {
    let flash = Flash::new();
    let problem = RwSignal::new(note);
    let export = move |_| match download("itdose-mme-factors.json", &table.with(OpioidTable::to_json)) {
        Ok(()) => flash.show("Factor table exported".into()),
        Err(e) => problem.set(Some(format!("Could not export: {e}"))),
    };
    let import = move |ev: leptos::ev::Event| {
        on_file_chosen(&ev, move |text| {
            match text
                .and_then(|t| OpioidTable::from_json(&t).map_err(|e| e.to_string()))
                .and_then(|candidate| put(table, candidate))
            {
                Ok(()) => {
                    problem.set(None);
                    flash.show("Factor table imported and in force".into());
                }
                Err(e) => problem.set(Some(format!("{e}. The table in force is unchanged."))),
            }
        });
    };
    let restore = move |_| {
        if let Ok(builtin) = OpioidTable::builtin() {
            LocalStorage::delete(OPIOIDS_KEY);
            table.set(builtin);
            problem.set(None);
            flash.show("The CDC 2022 factors are in force".into());
        }
    };
    view! {
        <details class="pump-info" id="conversion-factors">
            <summary>"MME factors, with their sources (editable)"</summary>
            <p class="hint">"Each factor converts the opioid's daily amount into oral morphine milligram equivalents. A factor you set is marked I and keeps the default with its source."</p>
            {move || problem.get().map(|p| view! { <p class="field-error" id="factors-problem" role="alert">{p}</p> })}
            <dl class="sourced">
                {move || table.with(|t| t.opioids.clone()).into_iter().map(|o| view! {
                    <FactorEditor table=table opioid=o />
                }).collect_view()}
            </dl>
            <div class="buttons no-print">
                <button type="button" class="secondary" id="factors-export" on:click=export>"Export the table"</button>
                <label class="file-button" for="factors-import">"Import a table"</label>
                <input type="file" id="factors-import" accept=".json,application/json" on:change=import />
                <button type="button" class="secondary" id="factors-restore" on:click=restore>"Restore the CDC 2022 factors"</button>
            </div>
            <p class="save-status" role="status" id="factors-status">{move || flash.get().unwrap_or_default()}</p>
        </details>
    }
}
