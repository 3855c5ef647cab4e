//! The service worker (`sw.js`, next to the page): registered by release builds only (a
//! development server must never be cached), so that after one visit the app loads and computes
//! offline. A new version installs in the background and waits; the page offers it, and only
//! when the user accepts does it take over: the work is saved first and the page reloads with it.

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::state::AppState;

fn get(target: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn set(target: &JsValue, name: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(name), value);
}

fn container() -> Option<JsValue> {
    web_sys::window()
        .and_then(|w| get(&w.into(), "navigator"))
        .and_then(|n| get(&n, "serviceWorker"))
}

fn call(target: &JsValue, method: &str, argument: &JsValue) -> Option<JsValue> {
    let f = get(target, method)?.dyn_into::<js_sys::Function>().ok()?;
    f.call1(target, argument).ok()
}

/// A new version is waiting: the registration that holds it.
#[derive(Clone, Copy)]
pub struct Update {
    registration: StoredValue<Option<JsValue>, leptos::prelude::LocalStorage>,
    waiting: RwSignal<bool>,
}

/// Registers the worker (release builds) and follows new versions.
pub fn provide() {
    let update = Update {
        registration: StoredValue::new_local(None),
        waiting: RwSignal::new(false),
    };
    provide_context(update);
    if cfg!(debug_assertions) {
        return;
    }
    // Not before the first screen is up: installing the worker downloads and caches every file of
    // the build again, which on a 2-core machine competed with the first render (scripts/perf.mjs'
    // first render of #/plan, 12 fresh loads each: median 498 ms with the worker registered at
    // start, 397 ms with none). So: the first animation frame (the screen is built and its chart
    // drawn; a tab opened in the background has none until it is shown), then a pause.
    request_animation_frame(move || {
        Timeout::new(REGISTER_AFTER_MS, move || register(update)).forget();
    });
}

/// How long after the first frame the worker is registered.
const REGISTER_AFTER_MS: u32 = 1000;

fn register(update: Update) {
    let Some(workers) = container() else { return };
    // Updates are checked against the server, not the HTTP cache, for the worker and the asset
    // list it imports (a new build changes only the list).
    let options = js_sys::Object::new();
    set(&options, "updateViaCache", &JsValue::from_str("none"));
    let Some(promise) = get(&workers, "register")
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call2(&workers, &JsValue::from_str("./sw.js"), &options).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        // A failed registration only means no offline copy; the app works as before.
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(promise).await else {
            return;
        };
        update.registration.set_value(Some(registration.clone()));
        // A new version counts only when one is already in control (the first install is not an
        // update).
        let controlled = move || container().and_then(|c| get(&c, "controller")).is_some();
        // A worker being installed is waiting once installed.
        let watch = move |installing: JsValue| {
            let worker = installing.clone();
            let changed = Closure::<dyn Fn()>::new(move || {
                if get(&worker, "state").and_then(|s| s.as_string()).as_deref() == Some("installed") && controlled() {
                    update.waiting.set(true);
                }
            });
            set(&installing, "onstatechange", &changed.into_js_value());
        };
        let reg = registration.clone();
        let found = Closure::<dyn Fn()>::new(move || {
            if let Some(installing) = get(&reg, "installing") {
                watch(installing);
            }
        });
        set(&registration, "onupdatefound", &found.into_js_value());
        // The browser checks for a new version on its own when the page loads, before this
        // registration (made after the first frame) could listen: a version already being
        // installed, or already waiting, is offered too.
        if let Some(installing) = get(&registration, "installing") {
            watch(installing);
        }
        if get(&registration, "waiting").is_some() && controlled() {
            update.waiting.set(true);
        }
    });
}

/// "A new version is ready": taking it saves the work, lets the new worker take over and reloads.
#[component]
pub fn UpdateOffer() -> impl IntoView {
    let state = expect_context::<AppState>();
    let update = expect_context::<Update>();
    let take = move |_| {
        let waiting = update
            .registration
            .with_value(|r| r.as_ref().and_then(|r| get(r, "waiting")));
        let (Some(worker), Some(container)) = (waiting, container()) else {
            update.waiting.set(false);
            return;
        };
        super::persist::save_now(state.form);
        // Only this tab's own request reloads it, and the work is saved again just before.
        let form = state.form;
        let reload = Closure::<dyn Fn()>::new(move || {
            super::persist::save_now(form);
            let _ = window().location().reload();
        });
        set(&container, "oncontrollerchange", &reload.into_js_value());
        let _ = call(&worker, "postMessage", &JsValue::from_str("take-over"));
    };
    view! {
        <Show when=move || update.waiting.get()>
            <p class="banner banner-stale no-print" role="status" id="update-offer">
                "A new version of itdose is ready. The plan on screen and an open session are saved and come back after the update; finish what you are typing elsewhere (a reason, record details) first. "
                <button type="button" class="small" id="update-take" on:click=take>"Use the new version"</button>
            </p>
        </Show>
    }
}
