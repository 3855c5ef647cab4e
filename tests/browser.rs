//! Browser tests: mount the app in headless Chromium, type, and check what the user sees.
#![cfg(target_arch = "wasm32")]
// A browser test that cannot find its element should stop loudly, naming it.
#![allow(clippy::expect_used, clippy::panic)]

use gloo_storage::{LocalStorage, Storage};
use gloo_timers::future::TimeoutFuture;
use itdose::ui::{App, CSF_PAUSE_MS, DRAFTS_KEY, LIBRARY_KEY, SESSION_KEY, STORAGE_KEY};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{
    CanvasRenderingContext2d, Element, Event, EventInit, HtmlCanvasElement, HtmlElement, HtmlInputElement,
    HtmlSelectElement,
};

wasm_bindgen_test_configure!(run_in_browser);

/// A mounted app; dropping it removes its element, then unmounts the view.
struct Mounted<H> {
    root: HtmlElement,
    _handle: H,
}

impl<H> Drop for Mounted<H> {
    fn drop(&mut self) {
        self.root.remove();
    }
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

/// Mounts the app into a fresh element. `keep_saved` keeps what a previous mount saved.
fn mount(keep_saved: bool) -> Mounted<impl Sized> {
    if !keep_saved {
        LocalStorage::delete(STORAGE_KEY);
        LocalStorage::delete(LIBRARY_KEY);
        LocalStorage::delete(SESSION_KEY);
        LocalStorage::delete(DRAFTS_KEY);
    }
    // The one-page plan: every input and result (the workflows show parts of it).
    let _ = web_sys::window().expect("window").location().set_hash("/plan");
    let root: HtmlElement = document().create_element("div").expect("div").unchecked_into();
    document().body().expect("body").append_child(&root).expect("append");
    let handle = leptos::mount::mount_to(root.clone(), App);
    Mounted { root, _handle: handle }
}

/// Opens a screen by its address ("plan", "library", "" for the start), as a link does.
async fn show(screen: &str) {
    let _ = web_sys::window()
        .expect("window")
        .location()
        .set_hash(&format!("/{screen}"));
    TimeoutFuture::new(50).await;
}

async fn tick() {
    TimeoutFuture::new(0).await;
}

/// Waits for the pause after which the CSF model is computed again.
async fn pause() {
    TimeoutFuture::new(CSF_PAUSE_MS + 100).await;
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no element {selector}"))
}

fn bubbling(kind: &str) -> Event {
    let init = EventInit::new();
    init.set_bubbles(true);
    Event::new_with_event_init_dict(kind, &init).expect("event")
}

async fn type_into(root: &Element, id: &str, text: &str) {
    let input: HtmlInputElement = find(root, &format!("#{id}")).unchecked_into();
    input.set_value(text);
    input.dispatch_event(&bubbling("input")).expect("dispatch");
    tick().await;
}

async fn choose(root: &Element, select_id: &str, value: &str) {
    let select: HtmlSelectElement = find(root, &format!("#{select_id}")).unchecked_into();
    select.set_value(value);
    select.dispatch_event(&bubbling("change")).expect("dispatch");
    tick().await;
}

async fn choose_pump(root: &Element, id: &str) {
    choose(root, "pump", id).await;
}

async fn click(root: &Element, id: &str) {
    let button: HtmlElement = find(root, &format!("#{id}")).unchecked_into();
    button.click();
    tick().await;
}

/// The `<dd>` for the `<dt>` named `name` in the `<dl>` with id `list`.
fn figure(root: &Element, list: &str, name: &str) -> Option<String> {
    let items = root.query_selector_all(&format!("#{list} dt")).ok()?;
    (0..items.length())
        .filter_map(|i| items.item(i)?.dyn_into::<Element>().ok())
        .find_map(|dt| {
            (dt.text_content().as_deref() == Some(name))
                .then(|| dt.next_element_sibling().and_then(|dd| dd.text_content()))
                .flatten()
        })
}

/// The `<dd>` text for the `<dt>` named `name` in the overall results list.
fn result(root: &Element, name: &str) -> Option<String> {
    figure(root, "results", name)
}

fn text_of(root: &Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

/// Opaque pixels on the canvas that are not white: proof that something was drawn. (A fresh
/// canvas is transparent black, so alpha must be checked too.)
fn inked_pixels(root: &Element) -> usize {
    inked_in(root, "#reservoir-chart")
}

/// Opaque non-white pixels on the canvas `selector`.
fn inked_in(root: &Element, selector: &str) -> usize {
    let canvas: HtmlCanvasElement = find(root, selector).unchecked_into();
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .expect("2d context")
        .unchecked_into();
    let data = ctx
        .get_image_data(0.0, 0.0, f64::from(canvas.width()), f64::from(canvas.height()))
        .expect("pixels")
        .data();
    data.chunks(4)
        .filter(|px| px.get(3).is_some_and(|&a| a > 0) && px.iter().take(3).any(|&c| c < 200))
        .count()
}

async fn enter_issue_example(root: &Element) {
    choose_pump(root, "synchromed-ii-40").await;
    type_into(root, "fill_date", "2026-11-25").await;
    type_into(root, "fill_time", "09:00").await;
    type_into(root, "fill_volume", "40").await;
    // Aspirated to empty: no residual, so 40 mL fills the 40 mL reservoir exactly.
    type_into(root, "csf-residual", "0").await;
    type_into(root, "drug-0-concentration", "10").await;
    type_into(root, "drug-0-daily_dose", "2").await;
    type_into(root, "low_reservoir_alarm", "2").await;
}

#[wasm_bindgen_test]
async fn issue_example_shows_rate_days_dates_and_draws_the_chart() {
    let app = mount(false);
    let root: &Element = &app.root;
    tick().await;
    assert!(inked_pixels(root) == 0, "nothing should be drawn before valid input");
    enter_issue_example(root).await;
    // 2 mg/day ÷ 10 mg/mL = 0.2 mL/day; (40 − 2) mL ÷ 0.2 mL/day = 190 days
    assert_eq!(result(root, "Flow rate").as_deref(), Some("0.2 mL/day"));
    assert_eq!(result(root, "Days to low-reservoir alarm").as_deref(), Some("190 days"));
    assert_eq!(
        result(root, "Low-reservoir alarm date").as_deref(),
        Some("Thu 3 Jun 2027, 09:00")
    );
    assert_eq!(result(root, "Empty date").as_deref(), Some("Sun 13 Jun 2027, 09:00"));
    tick().await;
    let inked = inked_pixels(root);
    assert!(inked > 2000, "the chart should be drawn, {inked} inked pixels");
    assert!(
        text_of(root, "#reservoir-chart-text").contains("low-reservoir alarm volume of 2 mL on Thu 3 Jun 2027, 09:00")
    );
}

#[wasm_bindgen_test]
async fn bad_input_shows_a_message_at_the_field_and_keeps_the_last_result() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_issue_example(root).await;
    type_into(root, "fill_volume", "4o").await;
    let message = text_of(root, "#fill_volume-error");
    assert!(message.contains("\u{201c}4o\u{201d} is not a number"), "{message}");
    assert_eq!(
        find(root, "#fill_volume").get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        result(root, "Flow rate").as_deref(),
        Some("0.2 mL/day"),
        "last valid result stays"
    );
    assert!(text_of(root, "#stale-banner").contains("last valid result"));
    // Correcting the input clears the message and the banner.
    type_into(root, "fill_volume", "30").await;
    assert_eq!(text_of(root, "#fill_volume-error"), "");
    assert!(root.query_selector("#stale-banner").ok().flatten().is_none());
    // (30 − 2) ÷ 0.2 = 140 days
    assert_eq!(result(root, "Days to low-reservoir alarm").as_deref(), Some("140 days"));
}

#[wasm_bindgen_test]
async fn fill_above_capacity_is_blocked_with_the_bound() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_issue_example(root).await;
    choose_pump(root, "synchromed-ii-20").await;
    assert_eq!(
        text_of(root, "#fill_volume-error"),
        "Fill volume: 40 mL is above the pump capacity of 20 mL"
    );
    // 0.2 mg/day ÷ 10 mg/mL = 0.02 mL/day, below the 0.048 mL/day minimum: shown at the dose.
    choose_pump(root, "synchromed-ii-40").await;
    type_into(root, "drug-0-daily_dose", "0.2").await;
    assert_eq!(
        text_of(root, "#drug-0-daily_dose-error"),
        "Flow rate: 0.02 mL/day is below the pump's minimum rate of 0.048 mL/day"
    );
}

#[wasm_bindgen_test]
async fn comma_decimal_is_refused_not_misread() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_issue_example(root).await;
    type_into(root, "drug-0-concentration", "0,5").await;
    assert!(text_of(root, "#drug-0-concentration-error").contains("use a decimal point, not a comma"));
    assert_eq!(result(root, "Flow rate").as_deref(), Some("0.2 mL/day"));
}

#[wasm_bindgen_test]
async fn work_survives_a_remount_through_local_storage() {
    {
        let app = mount(false);
        enter_issue_example(&app.root).await;
        type_into(&app.root, "drug-0-daily_dose", "2.").await; // half-typed, invalid-looking text is kept as typed
        TimeoutFuture::new(700).await; // past the 400 ms autosave debounce
        assert_eq!(text_of(&app.root, "#save-status"), "Saved on this device");
    }
    let app = mount(true);
    tick().await;
    let dose: HtmlInputElement = find(&app.root, "#drug-0-daily_dose").unchecked_into();
    assert_eq!(dose.value(), "2.");
    let fill: HtmlInputElement = find(&app.root, "#fill_volume").unchecked_into();
    assert_eq!(fill.value(), "40");
    assert_eq!(result(&app.root, "Flow rate").as_deref(), Some("0.2 mL/day"));
}

#[wasm_bindgen_test]
async fn pump_catalogue_values_show_source_and_mark() {
    let app = mount(false);
    let root: &Element = &app.root;
    choose_pump(root, "synchromed-ii-20").await;
    let info = text_of(root, ".pump-info");
    assert!(info.contains("20 mL"), "{info}");
    assert!(info.contains("0.048 mL/day"), "{info}");
    assert!(info.contains("Medtronic DE HCP product page"), "{info}");
    assert!(
        info.contains("unverified"),
        "the 24 mL/day maximum is marked unverified: {info}"
    );
    // Every input has a visible label bound to it.
    let inputs = root.query_selector_all("input, select").expect("inputs");
    for i in 0..inputs.length() {
        let id = inputs
            .item(i)
            .and_then(|n| n.dyn_into::<Element>().ok())
            .map(|e| e.id())
            .unwrap_or_default();
        assert!(
            root.query_selector(&format!("label[for='{id}']"))
                .ok()
                .flatten()
                .is_some(),
            "no label for #{id}"
        );
    }
}

#[wasm_bindgen_test]
async fn custom_pump_asks_for_its_capacity() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_issue_example(root).await;
    assert!(
        root.query_selector("#pump_capacity").ok().flatten().is_none(),
        "no capacity input for a catalogue pump"
    );
    choose_pump(root, "custom").await;
    // No message before the user has touched the empty field; the status says the input is not
    // valid, and the summary links every error to its field.
    assert_eq!(text_of(root, "#pump_capacity-error"), "");
    assert!(text_of(root, "#stale-banner").contains("last valid result"));
    let link = find(root, "#error-summary a");
    assert_eq!(link.get_attribute("href").as_deref(), Some("#pump_capacity"));
    assert_eq!(link.text_content().as_deref(), Some("Pump capacity: enter a value"));
    find(root, "#pump_capacity")
        .dispatch_event(&Event::new("blur").expect("event"))
        .expect("dispatch");
    tick().await;
    assert_eq!(text_of(root, "#pump_capacity-error"), "Pump capacity: enter a value");
    assert_eq!(
        find(root, "#pump_capacity").get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    type_into(root, "pump_capacity", "35").await;
    assert_eq!(
        text_of(root, "#fill_volume-error"),
        "Fill volume: 40 mL is above the pump capacity of 35 mL"
    );
    type_into(root, "fill_volume", "35").await;
    // (35 − 2) mL ÷ 0.2 mL/day = 165 days
    assert_eq!(result(root, "Days to low-reservoir alarm").as_deref(), Some("165 days"));
}

/// Morphine 5 mg/mL (lead) + bupivacaine 2.5 mg/mL + cloNIDine 100 mcg/mL in a 20 mL pump:
/// 1 mg/day ÷ 5 mg/mL = 0.2 mL/day → bupivacaine 0.5 mg/day, cloNIDine 20 mcg/day; at 2 mg/day
/// everything doubles.
async fn enter_admixture(root: &Element) {
    choose_pump(root, "synchromed-ii-20").await;
    type_into(root, "fill_date", "2026-11-25").await;
    type_into(root, "fill_time", "09:00").await;
    type_into(root, "fill_volume", "20").await;
    type_into(root, "drug-0-concentration", "5").await;
    type_into(root, "drug-0-daily_dose", "1").await;
    click(root, "add-drug").await;
    choose(root, "drug-1-drug", "bupivacaine").await;
    type_into(root, "drug-1-concentration", "2.5").await;
    click(root, "add-drug").await;
    choose(root, "drug-2-drug", "clonidine").await;
    type_into(root, "drug-2-concentration", "100").await;
}

#[wasm_bindgen_test]
async fn admixture_doses_follow_the_lead_drug() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_admixture(root).await;
    assert_eq!(result(root, "Flow rate").as_deref(), Some("0.2 mL/day"));
    assert_eq!(
        figure(root, "drug-1-results", "bupivacaine daily dose").as_deref(),
        Some("0.5 mg/day")
    );
    assert_eq!(
        figure(root, "drug-2-results", "cloNIDine daily dose").as_deref(),
        Some("20 mcg/day")
    );
    type_into(root, "drug-0-daily_dose", "2").await;
    assert_eq!(result(root, "Flow rate").as_deref(), Some("0.4 mL/day"));
    assert_eq!(
        figure(root, "drug-1-results", "bupivacaine daily dose").as_deref(),
        Some("1 mg/day")
    );
    assert_eq!(
        figure(root, "drug-2-results", "cloNIDine daily dose").as_deref(),
        Some("40 mcg/day")
    );
    // Bupivacaine, cloNIDine and any admixture are off-label in a SynchroMed II (FDA 2018): a
    // caution to acknowledge, never a block.
    assert!(text_of(root, "#plan-status").starts_with("Not yet valid"));
    assert!(text_of(root, "#findings").contains("Admixture of morphine, bupivacaine, cloNIDine"));
}

#[wasm_bindgen_test]
async fn wrong_unit_family_is_blocked_at_the_field() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_admixture(root).await;
    choose(root, "drug-2-concentration-unit", "mg").await;
    assert_eq!(
        text_of(root, "#drug-2-concentration-error"),
        "Drug 3, concentration: mg/mL was entered, but cloNIDine is dosed in mcg/mL: re-enter it in mcg/mL (nothing is converted)"
    );
    assert!(text_of(root, "#stale-banner").contains("last valid result"));
}

#[wasm_bindgen_test]
async fn prometra_ii_40_shows_catalogue_values_with_sources() {
    let app = mount(false);
    let root: &Element = &app.root;
    choose_pump(root, "prometra-ii-40").await;
    let values = text_of(root, "#pump-values");
    for expected in [
        "40 mL",
        "Prometra MRI safety information PL-21604-02",
        "3 mL",
        "0.0026 mL/cm",
        "Empty the pump before MRI",
    ] {
        assert!(values.contains(expected), "{expected} missing from {values}");
    }
    // The alarm field follows the pump's refill-rule volume.
    let alarm: HtmlInputElement = find(root, "#low_reservoir_alarm").unchecked_into();
    assert_eq!(alarm.value(), "3");
}

#[wasm_bindgen_test]
async fn hard_limit_blocks_the_plan() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_issue_example(root).await;
    choose(root, "drug-0-drug", "ziconotide").await;
    // Ziconotide has rules for a new pump: the question must be answered, not defaulted.
    assert!(text_of(root, "#new_pump-error").contains("answer whether this is the first fill of a new pump"));
    click(root, "new-pump-no").await;
    type_into(root, "drug-0-concentration", "100").await;
    type_into(root, "drug-0-daily_dose", "25").await;
    assert!(text_of(root, "#plan-status").starts_with("Not valid: a hard limit is crossed"));
    assert!(
        text_of(root, "#findings")
            .contains("ziconotide daily dose 25 mcg/day is above the hard limit of 19.2 mcg/day (US labelling).")
    );
    show("").await;
    let export: web_sys::HtmlButtonElement = find(root, "#export-plan").unchecked_into();
    assert!(export.disabled(), "a blocked plan cannot be exported");
    show("plan").await;
    assert!(
        root.query_selector("#finding-0-ack").ok().flatten().is_none(),
        "a hard limit offers no acknowledgement"
    );
}

#[wasm_bindgen_test]
async fn soft_limit_needs_an_acknowledgement_that_is_recorded() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_issue_example(root).await;
    type_into(root, "drug-0-daily_dose", "16").await;
    assert!(text_of(root, "#plan-status").starts_with("Not yet valid"));
    assert!(text_of(root, "#findings").contains("morphine daily dose 16 mg/day is above the soft limit of 15 mg/day."));
    // With no current programme, 16 mg/day is also checked as a start (Infumorph: at most 1 mg/day).
    assert!(text_of(root, "#findings").contains("16 mg/day is above the starting dose of at most 1 mg/day"));
    show("").await;
    let export: web_sys::HtmlButtonElement = find(root, "#export-plan").unchecked_into();
    assert!(export.disabled());
    show("plan").await;
    // No reason, no acknowledgement.
    click(root, "finding-0-ack").await;
    assert!(text_of(root, "#findings").contains("Give a reason"));
    type_into(root, "finding-0-reason", "opioid-tolerant, titrated over 6 months").await;
    // A reason half-typed for the second finding survives the first being acknowledged.
    type_into(
        root,
        "finding-1-reason",
        "restarting at the dose of a pump removed last week",
    )
    .await;
    click(root, "finding-0-ack").await;
    tick().await;
    assert_eq!(
        find(root, "#finding-1-reason")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "restarting at the dose of a pump removed last week"
    );
    click(root, "finding-1-ack").await;
    tick().await;
    let findings = text_of(root, "#findings");
    assert!(
        findings.contains("Acknowledged") && findings.contains("opioid-tolerant, titrated over 6 months"),
        "{findings}"
    );
    // 16 mg/day is below the 20 mg/day label caution, so these were the only soft limits.
    assert!(
        text_of(root, "#plan-status").starts_with("Valid"),
        "{}",
        text_of(root, "#plan-status")
    );
    show("").await;
    let export: web_sys::HtmlButtonElement = find(root, "#export-plan").unchecked_into();
    assert!(!export.disabled(), "an acknowledged plan can be exported");
    TimeoutFuture::new(700).await;
    let saved: serde_json::Value = LocalStorage::get(STORAGE_KEY).expect("saved form");
    assert_eq!(
        saved.pointer("/acknowledgements/0/reason").and_then(|v| v.as_str()),
        Some("opioid-tolerant, titrated over 6 months")
    );
    assert!(
        saved.pointer("/acknowledgements/0/at").is_some(),
        "the time is recorded"
    );
}

#[wasm_bindgen_test]
async fn institution_sets_a_library_limit_in_place() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_issue_example(root).await;
    type_into(root, "drug-0-daily_dose", "13").await;
    assert!(
        !text_of(root, "#findings").contains("soft limit of 15 mg/day")
            && !text_of(root, "#plan-status").starts_with("Not valid"),
        "13 mg/day is under the 15 mg/day default"
    );
    // An invalid value is refused and changes nothing.
    show("library").await;
    type_into(root, "lib-morphine-0-value", "-1").await;
    click(root, "lib-morphine-0-set").await;
    assert!(
        text_of(root, "#lib-morphine-0-error")
            .contains("limits[0].value: -1 must be a positive number. The library is unchanged."),
        "{}",
        text_of(root, "#lib-morphine-0-error")
    );
    // The institution's own 12 mg/day hard limit blocks 13 mg/day.
    type_into(root, "lib-morphine-0-value", "12").await;
    let hard: HtmlInputElement = find(root, "#lib-morphine-0-hard").unchecked_into();
    hard.set_checked(true);
    hard.dispatch_event(&bubbling("change")).expect("dispatch");
    click(root, "lib-morphine-0-set").await;
    show("plan").await;
    assert!(
        text_of(root, "#plan-status").starts_with("Not valid"),
        "{}",
        text_of(root, "#plan-status")
    );
    show("library").await;
    let card = text_of(root, "#library-morphine");
    assert!(
        card.contains("daily dose max 12 mg/day (hard)") && card.contains("[I] set in itdose on"),
        "{card}"
    );
}

/// The flex step typed per hour: current programme 2 mg/day; steps 00:00 2 mg/day, 08:00
/// 2 mg per HOUR (48 mg/day), 20:00 2 mg/day → 2 × 8/24 + 48 × 12/24 + 2 × 4/24 = 25 mg in 24 h,
/// 12.5 times the current: named, and it needs an acknowledgement.
#[wasm_bindgen_test]
async fn flex_step_per_hour_shows_the_24_hour_total_and_the_jump() {
    // The example as a saved plan with no session open (as after an import or a confirmation).
    let app = mount(false);
    enter_issue_example(&app.root).await;
    TimeoutFuture::new(700).await;
    drop(app);
    LocalStorage::delete(SESSION_KEY);
    let app = mount(true);
    let root: &Element = &app.root;
    // The first change on a screen that edits the plan captures the current programme (no button
    // to press first).
    show("change").await;
    let flex: HtmlInputElement = find(root, "#flex-enabled").unchecked_into();
    flex.set_checked(true);
    flex.dispatch_event(&bubbling("change")).expect("dispatch");
    tick().await;
    type_into(root, "flex-0-start", "00:00").await;
    type_into(root, "flex-0-dose", "2").await;
    click(root, "add-flex-step").await;
    type_into(root, "flex-1-start", "08:00").await;
    type_into(root, "flex-1-dose", "2").await;
    choose(root, "flex-1-per", "hour").await;
    click(root, "add-flex-step").await;
    type_into(root, "flex-2-start", "20:00").await;
    type_into(root, "flex-2-dose", "2").await;
    assert_eq!(
        figure(root, "drug-0-results", "morphine daily dose").as_deref(),
        Some("25 mg/day")
    );
    assert!(
        text_of(root, "#findings")
            .contains("from 2 mg/day (current programme) to 25 mg/day (proposed): +1,150 %, 12.5 times the current."),
        "{}",
        text_of(root, "#findings")
    );
    assert!(text_of(root, "#plan-status").starts_with("Not yet valid"));
    assert_eq!(result(root, "Flow rate").as_deref(), Some("flex: 0.2 to 4.8 mL/day"));
}

/// 40 mL at 0.2 mL/day, visit after 100 days: expected 20 mL, threshold 2.9 mL (±14.5 % of 20 mL).
#[wasm_bindgen_test]
async fn refill_visit_reconciles_and_flags() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_issue_example(root).await;
    type_into(root, "visit-date", "2027-03-05").await;
    type_into(root, "visit-time", "09:00").await;
    type_into(root, "visit-withdrawn", "18").await;
    assert_eq!(
        figure(root, "reconciliation", "Expected residual").as_deref(),
        Some("20 mL")
    );
    assert_eq!(
        figure(root, "reconciliation", "Reconciliation").as_deref(),
        Some("within the threshold")
    );
    type_into(root, "visit-withdrawn", "16.5").await;
    assert!(figure(root, "reconciliation", "Reconciliation").is_some_and(|t| t.starts_with("FLAGGED")));
    // While any input is invalid the kept reconciliation cannot be recorded.
    type_into(root, "fill_volume", "4o").await;
    let record: web_sys::HtmlButtonElement = find(root, "#record-visit").unchecked_into();
    assert!(record.disabled(), "a stale reconciliation cannot be recorded");
    type_into(root, "fill_volume", "40").await;
    assert!(!record.disabled());
    click(root, "record-visit").await;
    assert!(text_of(root, "#visit-log").contains("discrepancy -3.5 mL (flagged)"));
}

/// 40 mL SynchroMed II at 0.2 mL/day; visit 100 days after the fill with the pump's own expected
/// volume of 19 mL: withdrawn 18.5 mL → −0.5 mL, within min(2, 0.145 × 21 = 3.045) = 2 mL; basis
/// named. After the refill: 38 mL injected, 35.9 mL confirmed → −2.1 mL, beyond 2 mL (40 mL pump,
/// Maino 2017): possible pocket fill.
#[wasm_bindgen_test]
async fn refill_visit_names_its_basis_and_checks_the_refill() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_issue_example(root).await;
    type_into(root, "visit-date", "2027-03-05").await;
    type_into(root, "visit-time", "09:00").await;
    type_into(root, "visit-pump_expected", "19").await;
    type_into(root, "visit-withdrawn", "18.5").await;
    assert_eq!(
        figure(root, "reconciliation", "Expected from").as_deref(),
        Some("the pump's expected volume (programmer)")
    );
    assert_eq!(
        figure(root, "reconciliation", "Reconciliation").as_deref(),
        Some("within the threshold")
    );
    assert!(
        figure(root, "reconciliation", "Flag threshold").is_some_and(|t| t.starts_with("2 mL (the smaller of 2 mL")),
        "{:?}",
        figure(root, "reconciliation", "Flag threshold")
    );
    type_into(root, "visit-new_fill", "38").await;
    type_into(root, "visit-confirmed", "35.9").await;
    assert!(
        figure(root, "reconciliation", "After the refill: confirmed")
            .is_some_and(|t| t.contains("discrepancy -2.1 mL") && t.ends_with("FLAGGED"))
    );
    assert!(text_of(root, "#findings").contains("possible pocket fill"));
    // A withdrawn volume the pump cannot hold is refused at the visit.
    type_into(root, "visit-withdrawn", "45").await;
    let message = text_of(root, "#visit-withdrawn-error");
    assert!(
        message.contains("45 mL is above the pump capacity of 40 mL"),
        "{message}"
    );
}

/// The library follows one region's labelling: ziconotide 20 mcg/day is above the US maximum of
/// 19.2 mcg/day (hard, blocks) but within the EU maximum of 21.6 mcg/day.
#[wasm_bindgen_test]
async fn the_library_region_selects_the_regional_maximum() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_issue_example(root).await;
    choose(root, "drug-0-drug", "ziconotide").await;
    click(root, "new-pump-no").await;
    type_into(root, "drug-0-concentration", "25").await;
    type_into(root, "drug-0-daily_dose", "20").await;
    assert!(text_of(root, "#plan-status").starts_with("Not valid: a hard limit is crossed"));
    show("library").await;
    choose(root, "library-region", "EU").await;
    assert!(text_of(root, "#library-region-text").starts_with("Region: EU."));
    show("plan").await;
    assert!(!text_of(root, "#plan-status").starts_with("Not valid"));
}

#[wasm_bindgen_test]
async fn reservoir_chart_names_scenarios_band_and_refill_by() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_issue_example(root).await;
    let ptm: HtmlInputElement = find(root, "#ptm-enabled").unchecked_into();
    ptm.set_checked(true);
    ptm.dispatch_event(&bubbling("change")).expect("dispatch");
    tick().await;
    for (id, value) in [
        ("ptm-volume", "0.1"),
        ("ptm-duration", "10"),
        ("ptm-lockout", "4"),
        ("ptm-max_per_day", "4"),
        ("ptm-typical_per_day", "2"),
    ] {
        type_into(root, id, value).await;
    }
    tick().await;
    let description = text_of(root, "#reservoir-chart-text");
    assert!(
        description.contains("With every allowed patient bolus the alarm comes on"),
        "{description}"
    );
    assert!(description.contains("Refill by"), "{description}");
    assert!(result(root, "Low-reservoir alarm, flow accuracy band").is_some_and(|b| b.ends_with("(±14.5 %)")));
    assert!(inked_pixels(root) > 4000);
}

/// Ziconotide 25 mcg/mL at 2.4 mcg/day in a SynchroMed II 20 mL: 18.6 mL filled onto the 1.4 mL
/// left of 10 mcg/mL (18.6 + 1.4 = 20 mL, the capacity); a refill, not a new pump.
async fn enter_ziconotide_refill(root: &Element) {
    choose_pump(root, "synchromed-ii-20").await;
    type_into(root, "fill_date", "2026-11-25").await;
    type_into(root, "fill_time", "09:00").await;
    type_into(root, "fill_volume", "18.6").await;
    choose(root, "drug-0-drug", "ziconotide").await;
    click(root, "new-pump-no").await;
    type_into(root, "drug-0-concentration", "25").await;
    type_into(root, "drug-0-daily_dose", "2.4").await;
    type_into(root, "csf-residual", "1.4").await;
    type_into(root, "drug-0-previous", "10").await;
    tick().await;
}

/// Prometra II, morphine 10 mg/mL at 1 mg/day (0.1 mL/day) replacing 5 mg/mL, with the Prometra
/// catheter (the catalogue's 0.0026 mL/cm, offered only for Prometra pumps) implanted 89 cm:
/// 89 × 0.0026 = 0.2314 mL ahead; the new solution reaches the tip 0.2314 ÷ 0.1 = 2.314 days
/// = 3,332.16 min after the fill → Fri 27 Nov 2026 16:32 (rounded down).
async fn enter_prometra_refill(root: &Element) {
    choose_pump(root, "prometra-ii-20").await;
    type_into(root, "fill_date", "2026-11-25").await;
    type_into(root, "fill_time", "09:00").await;
    type_into(root, "fill_volume", "20").await;
    click(root, "new-pump-no").await;
    type_into(root, "drug-0-concentration", "10").await;
    type_into(root, "drug-0-daily_dose", "1").await;
    type_into(root, "csf-length", "89").await;
    click(root, "csf-prometra-catheter").await;
    type_into(root, "csf-weight", "70").await;
    type_into(root, "drug-0-previous", "5").await;
    pause().await;
}

#[wasm_bindgen_test]
async fn refill_with_a_new_concentration_shows_the_transit_delay() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_prometra_refill(root).await;
    assert_eq!(
        find(root, "#csf-per_cm").unchecked_into::<HtmlInputElement>().value(),
        "0.0026"
    );
    assert_eq!(
        figure(root, "csf-figures", "New solution reaches the catheter tip").as_deref(),
        Some("Fri 27 Nov 2026, 16:32 (2.314 days after the fill)")
    );
    let text = text_of(root, "#csf-chart-0-text");
    assert!(
        text.contains("not a measurement") && text.contains("reaches the catheter tip 2.314 days after the fill"),
        "{text}"
    );
    // The Prometra catheter is not offered for a SynchroMed II (its catheters are trimmed and
    // their volume per cm comes from their own labelling).
    choose_pump(root, "synchromed-ii-40").await;
    assert!(root.query_selector("#csf-prometra-catheter").ok().flatten().is_none());
    pause().await;
    let inked = inked_in(root, "#csf-chart-0");
    assert!(inked > 2000, "concentration chart drawn: {inked}");
}

#[wasm_bindgen_test]
async fn mri_shows_the_interruption_on_both_charts() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_ziconotide_refill(root).await;
    type_into(root, "mri-date", "2026-12-03").await;
    type_into(root, "mri-time", "09:00").await;
    type_into(root, "mri-duration", "120").await;
    pause().await;
    let reservoir = text_of(root, "#reservoir-chart-text");
    assert!(
        reservoir.contains(
            "MRI from Thu 3 Dec 2026, 09:00 to Thu 3 Dec 2026, 11:00, restart possibly as late as Fri 4 Dec 2026, 11:00"
        ),
        "{reservoir}"
    );
    assert!(text_of(root, "#csf-chart-0-text").contains("MRI interruption"));
    assert!(text_of(root, "#mri-checklist").contains("Interrogate the pump after the scan"));
}

/// A Prometra is emptied before an MRI (the field can open both valves): a caution among the
/// findings, the refill-by date is the scan, and the reservoir line falls to 0 there.
#[wasm_bindgen_test]
async fn prometra_emptied_for_an_mri() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_prometra_refill(root).await;
    type_into(root, "mri-date", "2026-12-03").await;
    type_into(root, "mri-time", "09:00").await;
    type_into(root, "mri-duration", "60").await;
    pause().await;
    let findings = text_of(root, "#findings");
    assert!(
        findings.contains("MRI Thu 3 Dec 2026, 09:00: empty the Prometra II (20 mL) before the scan"),
        "{findings}"
    );
    assert!(
        result(root, "Refill by").is_some_and(|t| t.starts_with("Thu 3 Dec 2026, 09:00 (MRI: the pump is emptied")),
        "{:?}",
        result(root, "Refill by")
    );
    assert!(
        text_of(root, "#reservoir-chart-text").contains("The pump is emptied for the MRI on Thu 3 Dec 2026, 09:00")
    );
    assert!(text_of(root, "#mri-figures").contains("aspirate until empty"));
    assert!(text_of(root, "#csf-chart-0-text").contains("not a measurement"));
}

/// The CSF model is computed again once the user pauses typing; the reservoir figures are instant.
/// Doubling the catheter: 178 cm × 0.0026 mL/cm = 0.4628 mL ahead of the new solution, at
/// 0.1 mL/day = 4.628 days = 6,664.32 min after Wed 25 Nov 2026 09:00 → Mon 30 Nov 2026, 00:04.
#[wasm_bindgen_test]
async fn the_csf_model_follows_after_a_pause_in_typing() {
    let app = mount(false);
    let root: &Element = &app.root;
    enter_prometra_refill(root).await;
    let before = "Fri 27 Nov 2026, 16:32 (2.314 days after the fill)";
    assert_eq!(
        figure(root, "csf-figures", "New solution reaches the catheter tip").as_deref(),
        Some(before)
    );
    type_into(root, "csf-length", "178").await;
    type_into(root, "fill_volume", "19").await;
    // Instantly: (19 − 3) mL ÷ 0.1 mL/day = 160 days to the alarm (the Prometra's 3 mL alarm). The
    // model still shows the last pause.
    assert_eq!(result(root, "Days to low-reservoir alarm").as_deref(), Some("160 days"));
    assert_eq!(
        figure(root, "csf-figures", "New solution reaches the catheter tip").as_deref(),
        Some(before)
    );
    pause().await;
    assert_eq!(
        figure(root, "csf-figures", "New solution reaches the catheter tip").as_deref(),
        Some("Mon 30 Nov 2026, 00:04 (4.628 days after the fill)")
    );
}

/// Baclofen's rules differ by condition: the line asks what it is given for, and the cerebral-origin
/// maintenance maximum (703 mcg/day) applies to a line given for cerebral origin, the spinal one
/// (800 mcg/day) to spinal origin. 750 mcg/day = 1.5 mL/day of 500 mcg/mL.
#[wasm_bindgen_test]
async fn baclofen_asks_for_its_condition_and_applies_its_limits() {
    let app = mount(false);
    let root: &Element = &app.root;
    choose_pump(root, "synchromed-ii-20").await;
    type_into(root, "fill_date", "2026-11-25").await;
    type_into(root, "fill_time", "09:00").await;
    type_into(root, "fill_volume", "20").await;
    choose(root, "drug-0-drug", "baclofen").await;
    click(root, "new-pump-no").await;
    type_into(root, "drug-0-concentration", "500").await;
    type_into(root, "drug-0-daily_dose", "750").await;
    let options = text_of(root, "#drug-0-condition");
    assert!(
        options.contains("spasticity of spinal origin") && options.contains("spasticity of cerebral origin"),
        "{options}"
    );
    choose(root, "drug-0-condition", "spasticity of cerebral origin").await;
    assert!(text_of(root, "#findings").contains("above the soft limit of 703 mcg/day (spasticity of cerebral origin)"));
    choose(root, "drug-0-condition", "spasticity of spinal origin").await;
    let findings = text_of(root, "#findings");
    assert!(!findings.contains("703 mcg/day"), "{findings}");
}

/// Every stored patient record and the open record's id, removed.
fn clear_records() {
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("local storage");
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with("itdose.record.") || k.starts_with("itdose.open-record."))
        .collect();
    for k in keys {
        let _ = storage.remove_item(&k);
    }
}

#[wasm_bindgen_test]
async fn a_record_is_kept_only_of_a_complete_confirmed_plan_and_the_summary_names_it() {
    clear_records();
    let app = mount(false);
    show("records").await;
    type_into(&app.root, "record-name", "Test Patient").await;
    click(&app.root, "save-record").await;
    assert!(
        text_of(&app.root, "#record-details-error").starts_with("The plan on screen is not complete"),
        "{}",
        text_of(&app.root, "#record-details-error")
    );
    assert_eq!(
        text_of(&app.root, "#open-record-heading"),
        "Keep the plan on screen as a record"
    );
    show("plan").await;
    enter_issue_example(&app.root).await;
    // A start within Infumorph's starting dose (at most 1 mg/day): nothing to acknowledge.
    type_into(&app.root, "drug-0-daily_dose", "1").await;
    // Typing opened a session: a record starts from a confirmed plan.
    show("records").await;
    type_into(&app.root, "record-name", "Test Patient").await;
    click(&app.root, "save-record").await;
    assert!(
        text_of(&app.root, "#record-details-error").starts_with("A session is open"),
        "{}",
        text_of(&app.root, "#record-details-error")
    );
    show("review").await;
    assert_eq!(text_of(&app.root, "#confirm-why"), "", "nothing blocks confirming");
    click(&app.root, "confirm").await;
    show("records").await;
    type_into(&app.root, "record-name", "Test Patient").await;
    click(&app.root, "save-record").await;
    tick().await;
    assert_eq!(text_of(&app.root, "#open-record-heading"), "Open record: Test Patient");
    assert_eq!(text_of(&app.root, "#record-details-error"), "");
    assert!(text_of(&app.root, ".record-history").contains("Record created"));
    // A visit's outcome: 11 of 10 is refused at the field and stays as typed; 8 is recorded.
    type_into(&app.root, "outcome_date", "2026-12-01").await;
    type_into(&app.root, "pain_now", "11").await;
    click(&app.root, "outcome-add").await;
    assert!(
        text_of(&app.root, "#pain_now-error").contains("10 of 10"),
        "{}",
        text_of(&app.root, "#pain_now-error")
    );
    assert_eq!(
        find(&app.root, "#pain_now")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "11"
    );
    type_into(&app.root, "pain_now", "8").await;
    click(&app.root, "outcome-add").await;
    tick().await;
    assert!(
        text_of(&app.root, "#outcome-log").contains("severe pain"),
        "{}",
        text_of(&app.root, "#outcome-log")
    );
    show("plan").await;
    assert_eq!(
        figure(&app.root, "summary", "Patient record").as_deref(),
        Some("Test Patient")
    );
    drop(app);
    clear_records();
}

#[wasm_bindgen_test]
async fn conversion_shows_the_mme_and_marks_a_bad_amount_at_its_field() {
    let _ = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .map(|s| s.remove_item("itdose.convert.v1"));
    let app = mount(false);
    show("convert").await;
    choose(&app.root, "regimen-0-opioid", "methadone").await;
    type_into(&app.root, "regimen-0-amount", "20").await;
    let ratio: HtmlInputElement = find(&app.root, "#ratio-100").unchecked_into();
    ratio.set_checked(true);
    ratio.dispatch_event(&bubbling("change")).expect("dispatch");
    tick().await;
    type_into(&app.root, "reduction", "50").await;
    // 20 × 4.7 = 94 MME; ÷ 100 = 0.94 mg/day; × 0.5 = 0.47 mg/day.
    assert_eq!(
        figure(&app.root, "conversion", "Total MME").as_deref(),
        Some("94 mg/day")
    );
    assert_eq!(
        figure(&app.root, "conversion", "Proposed intrathecal morphine").as_deref(),
        Some("0.47 mg/day")
    );
    assert!(text_of(&app.root, "#conversion-cautions").contains("Methadone: the CDC asks for extra caution"));
    // Nothing at the field before it is left; the message once it is.
    type_into(&app.root, "regimen-0-amount", "-1").await;
    assert_eq!(text_of(&app.root, "#regimen-0-amount-error"), "");
    let amount: HtmlElement = find(&app.root, "#regimen-0-amount").unchecked_into();
    amount.dispatch_event(&bubbling("blur")).expect("blur");
    tick().await;
    assert!(
        text_of(&app.root, "#regimen-0-amount-error").contains("negative"),
        "{}",
        text_of(&app.root, "#regimen-0-amount-error")
    );
    // The last valid proposal stays, marked.
    assert_eq!(
        figure(&app.root, "conversion", "Total MME").as_deref(),
        Some("94 mg/day")
    );
    assert!(text_of(&app.root, "#conversion-stale").starts_with("The input is not complete"));
}
