//! Share links in the app: make one from the plan on screen, and open one (on start-up, or pasted
//! into an open tab). A link is read through the engine exactly like an imported file; the plan on
//! screen is replaced only when there is none, or when the user says so. The payload is removed
//! from the address once read.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::state::AppState;
use crate::engine::report::import_note;
use crate::engine::share;
use crate::form::PlanForm;

/// A shared plan waiting for the user's answer, or the reason a link was refused.
#[derive(Clone, PartialEq)]
enum Shared {
    /// Read and valid as a file: replace the plan on screen?
    Waiting(Box<PlanForm>, Option<String>),
    /// Opened (with the import note, if any).
    Opened(Option<String>),
    /// Refused, with the reason; nothing on screen changed.
    Refused(String),
}

/// Whether the form holds work (a fill or any drug's concentration or dose typed).
fn has_work(form: &PlanForm) -> bool {
    !form.fill_volume.trim().is_empty()
        || form
            .drugs
            .iter()
            .any(|d| !d.concentration.trim().is_empty() || !d.daily_dose.trim().is_empty())
}

/// Reads the share link in the address, if any, and removes its payload from the address.
fn read_fragment(state: AppState, shared: RwSignal<Option<Shared>>) {
    let hash = window().location().hash().unwrap_or_default();
    let Some(value) = share::in_fragment(&hash) else {
        return;
    };
    let result = state.catalogue.with_value(|c| {
        state.library.with_untracked(|l| {
            share::decode(value, c, l).map(|loaded| (PlanForm::from_plan(&loaded.plan, l), import_note(&loaded)))
        })
    });
    let _ = window()
        .history()
        .and_then(|h| h.replace_state_with_url(&JsValue::NULL, "", Some("#/plan")));
    shared.set(Some(match result {
        Err(e) => Shared::Refused(format!("{e}. The plan on screen is unchanged.")),
        Ok((form, note)) if !state.form.with_untracked(has_work) => {
            state.replace_plan(form);
            Shared::Opened(note)
        }
        Ok((form, note)) => Shared::Waiting(Box::new(form), note),
    }));
}

/// The banner of a shared plan: opened, refused, or waiting for the user's answer. Reads the
/// address on start-up and whenever it changes (a link pasted into an open tab).
#[component]
pub fn SharedPlanBanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    let shared = RwSignal::new(None::<Shared>);
    read_fragment(state, shared);
    let handle = window_event_listener(leptos::ev::hashchange, move |_| read_fragment(state, shared));
    on_cleanup(move || handle.remove());
    let open = move |_| {
        if let Some(Shared::Waiting(form, note)) = shared.get_untracked() {
            state.replace_plan(*form);
            shared.set(Some(Shared::Opened(note)));
        }
    };
    move || {
        shared.get().map(|s| match s {
            Shared::Opened(note) => view! {
                <p class="banner banner-ok" role="status" id="shared-plan">
                    "The shared plan is on screen, checked as an imported file would be. "{note.unwrap_or_default()}
                </p>
            }
            .into_any(),
            Shared::Refused(why) => view! {
                <p class="banner banner-error" role="alert" id="shared-plan">{format!("The shared link was not opened: {why}")}</p>
            }
            .into_any(),
            Shared::Waiting(..) => view! {
                <div class="banner banner-stale confirm-box" role="group" aria-labelledby="shared-plan-question" id="shared-plan">
                    <p id="shared-plan-question">"A shared plan was opened from a link. Open it in place of the plan on screen? Export the plan on screen first to keep it."</p>
                    <button type="button" id="shared-plan-open" on:click=open>"Open the shared plan"</button>
                    <button type="button" class="secondary" id="shared-plan-keep" on:click=move |_| shared.set(None)>"Keep the plan on screen"</button>
                </div>
            }
            .into_any(),
        })
    }
}

/// Makes a share link of the plan on screen (valid input only), shown to copy.
#[component]
pub fn ShareLinkMaker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let link = RwSignal::new(None::<Result<String, String>>);
    let make = move |_| {
        let made = state.evaluation.with_untracked(|e| match &e.result {
            Ok(shown) => share::encode(&shown.plan).map_err(|e| e.to_string()),
            Err(_) => Err("The input is not valid: correct it first.".to_owned()),
        });
        let base = window().location().href().unwrap_or_default();
        let base = base.split('#').next().unwrap_or_default().to_owned();
        link.set(Some(made.map(|v| format!("{base}#/plan?{}{v}", share::SHARE_PARAM))));
    };
    view! {
        <div class="share-link no-print">
            <button type="button" class="secondary" id="make-share-link" on:click=make prop:disabled=move || state.stale.get()>"Make a share link"</button>
            {move || link.get().map(|l| match l {
                Ok(url) => view! {
                    <div class="field">
                        <label for="share-link">"Share link: the plan only, with no patient identifier; it stays in the address, never sent to a server"</label>
                        <input id="share-link" type="text" readonly prop:value=url />
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="field-error" id="share-link-error" role="alert">{e}</p> }.into_any(),
            })}
        </div>
    }
}
