//! The selected pump's catalogue values, each with its source and verification mark.

use leptos::prelude::*;

use super::state::AppState;
use crate::engine::Mark;
use crate::engine::report::pump_rows;
use crate::form::PlanFormStoreFields;

/// A `<dl>` of the selected pump's catalogue values.
#[component]
pub fn PumpInfo() -> impl IntoView {
    let state = expect_context::<AppState>();
    let rows = move || {
        let id = state.form.pump_id().get();
        state
            .catalogue
            .with_value(|c| c.get(&id).map(|p| (p.name.clone(), pump_rows(p))))
    };
    view! {
        <details class="pump-info" open>
            <summary>"Pump catalogue values and sources"</summary>
            {move || match rows() {
                None => view! { <p>"Unknown pump."</p> }.into_any(),
                Some((_, rows)) if rows.is_empty() => view! {
                    <p>"A custom pump has no catalogue values: enter its capacity from its labelling. No minimum or maximum rate is checked."</p>
                }.into_any(),
                Some((name, rows)) => view! {
                    <dl class="sourced" id="pump-values" aria-label=format!("Catalogue values for {name}")>
                        {rows.into_iter().map(|r| {
                            let mark_class = match r.mark { Mark::Verified => "mark mark-v", Mark::Secondary => "mark mark-s", Mark::Unverified => "mark mark-u", Mark::Institution => "mark mark-i" };
                            view! {
                                <div class="result-row">
                                    <dt>{r.name}</dt>
                                    <dd>
                                        <span class="value">{r.value}</span>" "
                                        <span class=mark_class title=r.mark.describe()>{r.mark.letter()}</span>
                                        <span class="source">{format!(" {} \u{2014} {}", r.mark.describe(), r.source)}</span>
                                    </dd>
                                </div>
                            }
                        }).collect_view()}
                    </dl>
                }.into_any(),
            }}
        </details>
    }
}
