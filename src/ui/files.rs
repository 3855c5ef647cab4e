//! Plan files: export the current plan as a proposed programme (only when it is valid), import a
//! plan (printing is on the review screen). Shared helpers to download text and read a chosen file.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::persist::Flash;
use super::state::AppState;
use crate::engine::report::import_note;
use crate::engine::{PlanStatus, load};
use crate::form::PlanForm;

/// Offers `text` as a file download.
pub fn download(filename: &str, text: &str) -> Result<(), String> {
    let fail = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a").map_err(fail)?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(filename);
    anchor.click();
    web_sys::Url::revoke_object_url(&url).map_err(fail)
}

/// The text of the file chosen in a file input.
async fn read_chosen_file(input: &web_sys::HtmlInputElement) -> Result<String, String> {
    let file = input.files().and_then(|files| files.get(0)).ok_or("no file chosen")?;
    let text = JsFuture::from(file.text()).await.map_err(|e| format!("{e:?}"))?;
    text.as_string().ok_or_else(|| "the file is not text".to_owned())
}

/// The `change` handler of a file input: reads the chosen file, clears the input (the same file
/// can be chosen again) and gives `then` the text or why it could not be read.
pub fn on_file_chosen(ev: &leptos::ev::Event, then: impl FnOnce(Result<String, String>) + 'static) {
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
        return;
    };
    leptos::task::spawn_local(async move {
        let text = read_chosen_file(&input).await;
        input.set_value("");
        then(text);
    });
}

/// Export and import.
#[component]
pub fn PlanFiles(
    /// Notes from loading (saved work migrated or unreadable, a saved library that could not be used).
    notes: Vec<String>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let flash = Flash::new();
    let import_error = RwSignal::new(None::<String>);
    let import_note_text = RwSignal::new(None::<String>);
    // Export only a plan that is valid now: current input, no hard limit, every soft limit acknowledged.
    let exportable = Memo::new(move |_| {
        state.evaluation.with(|e| match &e.result {
            // Every acknowledgement is kept, those of findings the plan no longer has included:
            // nothing recorded is dropped, and a key that matches no finding clears nothing.
            Ok(shown) if shown.outcome.status == PlanStatus::Valid => Some(shown.plan.clone()),
            _ => None,
        })
    });
    let export = move |_| {
        if let Some(plan) = exportable.get() {
            match download("itdose-plan.json", &plan.to_json()) {
                Ok(()) => flash.show("Plan exported".into()),
                Err(e) => import_error.set(Some(format!("Could not export: {e}"))),
            }
        }
    };
    let import = move |ev: leptos::ev::Event| {
        on_file_chosen(&ev, move |text| {
            let result = text.and_then(|text| {
                state.catalogue.with_value(|c| {
                    state
                        .library
                        .with_untracked(|l| {
                            load(&text, c, l).map(|loaded| (PlanForm::from_plan(&loaded.plan, l), import_note(&loaded)))
                        })
                        .map_err(|e| e.to_string())
                })
            });
            match result {
                Ok((form, note)) => {
                    // An imported plan is another plan: nothing of the previous one carries over.
                    state.replace_plan(form);
                    import_error.set(None);
                    import_note_text.set(note);
                    flash.show("Plan imported".into());
                }
                // The work on screen is kept as it was.
                Err(e) => import_error.set(Some(format!("{e}. The plan on screen is unchanged."))),
            }
        });
    };
    let why_not = move || {
        state.evaluation.with(|e| match &e.result {
            Err(_) => Some("Export is available once the input is valid."),
            Ok(r) if r.outcome.status == PlanStatus::Blocked => {
                Some("A hard limit blocks this plan: it cannot be exported as a proposed programme.")
            }
            Ok(r) if r.outcome.status == PlanStatus::NeedsAcknowledgement => {
                Some("Acknowledge each soft finding (with a reason) to export.")
            }
            Ok(_) => None,
        })
    };
    view! {
        <div class="plan-files no-print">
            <h3>"Plan file"</h3>
            <div class="buttons">
                <button type="button" id="export-plan" on:click=export prop:disabled=move || exportable.with(Option::is_none)>"Export plan (JSON)"</button>
                <label class="file-button" for="import-plan">"Import plan (JSON)"</label>
                <input type="file" id="import-plan" accept=".json,application/json" on:change=import />
                <a class="button secondary" href="#/review">"Print (from Review and confirm)"</a>
            </div>
            <p class="hint" id="export-why-not">{why_not}</p>
            <super::share::ShareLinkMaker />
            <p class="field-error" id="import-plan-error" role="alert">{move || import_error.get()}</p>
            <p class="save-status" role="status" id="plan-files-status">{move || flash.get().unwrap_or_default()}</p>
            <p class="hint" id="import-note">{move || import_note_text.get()}</p>
            {notes.into_iter().map(|n| view! { <p class="banner banner-stale" role="status">{n}</p> }).collect_view()}
        </div>
    }
}
