//! The compounding worksheet, shown when every drug line has a stock strength. Printable.

use leptos::prelude::*;

use super::AppState;
use crate::engine::format::Display as _;

/// The worksheet as a `<dl>`, with the rinse of a new pump when one applies.
#[component]
pub fn Worksheet() -> impl IntoView {
    let state = expect_context::<AppState>();
    let worksheet = Memo::new(move |_| {
        state
            .last_valid
            .with(|r| r.as_ref().map(|r| (r.compounding.clone(), r.rinse.clone())))
    });
    move || {
        worksheet.get().and_then(|(w, rinse)| {
            let rinse_rows: Vec<(String, String)> = rinse
                .map(|r| {
                    vec![(
                        format!("Rinse the new pump first ({})", r.drug),
                        format!(
                            "{} \u{d7} {} of {} ({} in all, {}) before the first fill [{}] {}",
                            r.times,
                            r.each.ismp(),
                            r.concentration.ismp(),
                            r.total.ismp(),
                            r.amount.ismp(),
                            r.mark.letter(),
                            r.source
                        ),
                    )]
                })
                .unwrap_or_default();
            if w.is_none() && rinse_rows.is_empty() {
                return None;
            }
            let mut rows = rinse_rows;
            if let Some(w) = w {
                rows.extend(worksheet_rows(&w));
            }
            Some(view! {
                <section class="worksheet" aria-labelledby="worksheet-heading">
                    <h3 id="worksheet-heading">"Compounding worksheet"</h3>
                    <dl class="results" id="worksheet">
                        {rows.into_iter().map(|(k, v)| view! { <div class="result-row"><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
                    </dl>
                    <p class="note">"Check every volume independently before compounding. Diluent per your institution's practice (preservative-free)."</p>
                </section>
            })
        })
    }
}

fn worksheet_rows(w: &crate::engine::Worksheet) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = vec![(
        "Total volume to compound".into(),
        format!(
            "{} ({} fill + {} to prime the refill kit)",
            w.total_volume.ismp(),
            w.fill_volume.ismp(),
            w.extra_volume.ismp()
        ),
    )];
    for line in &w.lines {
        rows.push((
            format!("{} stock to draw up", line.drug),
            format!(
                "{} of {} (target {}; {} in total)",
                line.stock_volume.ismp(),
                line.stock.ismp(),
                line.target.ismp(),
                line.amount.ismp()
            ),
        ));
    }
    rows.push(("Diluent".into(), w.diluent_volume.ismp()));
    rows
}
