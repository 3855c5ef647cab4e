//! Work saved in the browser: whatever bytes are in storage either load as a form or are set aside
//! (reported, kept, offered for download by the app), never lost, never a panic.
#![cfg(not(target_arch = "wasm32"))]

use itdose::form::PlanForm;
use itdose::form::stored::{Restored, note, restore};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Any text under today's key is a form or set aside with a message; never nothing.
    #[test]
    fn any_stored_text_loads_or_is_set_aside(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        match restore(Some(&text), None) {
            Restored::Form(_) => {}
            r @ Restored::Unreadable(_) => prop_assert!(note(&r).is_some_and(|n| n.contains("kept aside"))),
            other => prop_assert!(false, "{text:?} became {other:?}"),
        }
    }

    /// Any text under the first version's key alone is carried over or set aside with a message.
    #[test]
    fn any_first_version_text_migrates_or_is_set_aside(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let r = restore(None, Some(&text));
        prop_assert!(matches!(r, Restored::Migrated(_) | Restored::Unreadable(_)), "{text:?} became {r:?}");
        prop_assert!(note(&r).is_some());
    }

    /// A saved form reads back as the same form, whatever was typed in its fields.
    #[test]
    fn a_saved_form_reads_back_the_same(volume in ".{0,12}", dose in ".{0,12}", date in ".{0,12}") {
        let form = PlanForm { fill_volume: volume, fill_date: date, ..PlanForm::default() };
        let mut form = form;
        if let Some(line) = form.drugs.first_mut() {
            line.daily_dose = dose;
        }
        let text = serde_json::to_string(&form).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(restore(Some(&text), None), Restored::Form(form));
    }
}

/// Truncated and wrong-shape saves are set aside, each with the message.
#[test]
fn truncated_and_wrong_shaped_saves_are_set_aside() {
    let whole = serde_json::to_string(&PlanForm::default()).unwrap_or_default();
    let half = whole.get(..whole.len() / 2).unwrap_or_default();
    for text in [half, "[1,2,3]", "null", "\"text\"", "{\"drugs\": 5}"] {
        let r = restore(Some(text), None);
        assert!(matches!(r, Restored::Unreadable(_)), "{text} became {r:?}");
    }
}
