//! The engine never panics, on any input: random text in every field of the form, through the
//! same path the app takes (form → plan → evaluation → CSF series).
#![cfg(not(target_arch = "wasm32"))]

use itdose::engine::{Catalogue, Days, DrugLibrary, Hours, concentration_series, evaluate};
use itdose::form::{DrugForm, PatientForm, PeriodicForm, PlanForm};
use proptest::prelude::*;

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (0.0f64..50.0).prop_map(|v| format!("{v}")),
        (0.0f64..1e-6).prop_map(|v| format!("{v}")),
        (1e6f64..1e300).prop_map(|v| format!("{v:.0}")),
        Just("0".to_owned()),
        Just("-1".to_owned()),
        ".{0,6}",
    ]
}

fn drug_id() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "morphine",
        "hydromorphone",
        "fentanyl",
        "sufentanil",
        "bupivacaine",
        "clonidine",
        "ziconotide",
        "baclofen",
        "heroin",
    ])
    .prop_map(str::to_owned)
}

fn pump_id() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "synchromed-ii-20",
        "synchromed-ii-40",
        "prometra-20",
        "prometra-ii-40",
        "constant-flow",
        "custom",
        "nope",
    ])
    .prop_map(str::to_owned)
}

prop_compose! {
    fn form()(pump in pump_id(), capacity in number_text(), fixed in number_text(), fill in number_text(), alarm in number_text(),
              drugs in prop::collection::vec((drug_id(), number_text(), number_text(), number_text(), any::<bool>(), number_text()), 1..5),
              lead in 0usize..5, rate_mode in any::<bool>(), rate in number_text(),
              periodic in prop::option::of((number_text(), number_text(), number_text())),
              ptm in prop::option::of((number_text(), number_text(), number_text(), "[0-9]{0,4}", "[0-9]{0,3}")),
              tubing in number_text(), length in number_text(), per_cm in number_text(), residual in number_text(),
              mri in prop::option::of(number_text()), visit in prop::option::of(number_text()))
        -> PlanForm {
        let mut f = PlanForm {
            pump_id: pump,
            custom_capacity: capacity,
            fixed_rate: fixed,
            fill_volume: fill,
            low_reservoir_alarm: alarm,
            fill_date: "2026-11-25".into(),
            fill_time: "09:00".into(),
            lead,
            flow_rate: rate,
            ..PlanForm::default()
        };
        if rate_mode { f.mode = itdose::form::FormMode::Rate; }
        f.drugs = drugs.into_iter().map(|(id, c, d, s, mcg, prev)| {
            let family = if mcg { itdose::engine::MassFamily::Mcg } else { itdose::engine::MassFamily::Mg };
            let mut line = DrugForm::for_drug(&id, family);
            line.concentration = c; line.daily_dose = d; line.stock = s; line.csf.previous = prev;
            line
        }).collect();
        if let Some((v, d, i)) = periodic {
            f.periodic.push(PeriodicForm { volume: v, duration_minutes: d, interval_hours: i, first_date: "2026-11-25".into(), first_time: "10:00".into() });
        }
        if let Some((v, d, l, m, t)) = ptm {
            f.patient = PatientForm { enabled: true, volume: v, duration_minutes: d, lockout_hours: l, max_per_day: m, typical_per_day: t };
        }
        f.csf.pump_tubing = tubing; f.csf.catheter_length_cm = length; f.csf.catheter_ml_per_cm = per_cm; f.csf.residual = residual;
        if let Some(minutes) = mri { f.csf.mri_date = "2026-12-01".into(); f.csf.mri_time = "09:00".into(); f.csf.mri_minutes = minutes; }
        if let Some(w) = visit { f.visit.date = "2027-01-01".into(); f.visit.time = "09:00".into(); f.visit.withdrawn = w; }
        f
    }
}

fn check(f: PlanForm) -> Result<(), TestCaseError> {
    let catalogue = Catalogue::builtin().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let library = DrugLibrary::builtin().map_err(|e| TestCaseError::fail(e.to_string()))?;
    if let Ok(plan) = f.to_plan(&catalogue, &library)
        && let Ok(report) = evaluate(&plan, &catalogue, &library)
    {
        // Every figure shown is finite text, never "NaN" or "inf".
        for figure in report
            .figures
            .iter()
            .chain(report.drugs.iter().flat_map(|d| &d.figures))
        {
            prop_assert!(
                !figure.display.contains("NaN")
                    && !figure.display.contains("inf")
                    && !figure.display.contains("not a number"),
                "{}",
                figure.display
            );
        }
        let days = Days::new(2.0).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let step = Hours::new(0.5).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let _ = concentration_series(&plan, &report, &library, days, step);
    }
    Ok(())
}

#[test]
fn any_form_evaluates_or_errors_without_panicking() {
    // proptest's nested strategy types need more than the 2 MiB test-thread stack in debug builds
    // (a stack overflow in the test harness, not in the engine): run the cases on a larger stack.
    let outcome = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let config = ProptestConfig {
                cases: 400,
                failure_persistence: None,
                ..ProptestConfig::default()
            };
            proptest::test_runner::TestRunner::new(config)
                .run(&form(), check)
                .map_err(|e| e.to_string())
        })
        .map_err(|e| e.to_string())
        .and_then(|h| h.join().map_err(|_| "the engine panicked".to_owned()));
    assert_eq!(outcome, Ok(Ok(())));
}
