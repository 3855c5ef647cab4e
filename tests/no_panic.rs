//! Properties over generated inputs: the engine never panics — random text in every field of the
//! form through the path the app takes (form → plan → evaluation → report → CSF series), and any
//! numbers at all in a plan — and no figure or message ever shows NaN, infinity or "not a number";
//! every valid plan keeps its invariants (dose = rate × concentration, delivered + alarm = fill,
//! the alarm before empty, the reservoir never rising, more boluses never later); ISMP formatting
//! and strict parsing hold for any input.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::shown::{finite_text, shown_text};
use common::{MG, dose, hours, ml, per_day};
use itdose::engine::report;
use itdose::engine::{
    AnyConcentration, AnyDoseRate, Basal, Catalogue, Cycle, Days, DrugLibrary, Field, Fill, FlexStep, Millilitres,
    PatientBolus, PatientUse, PeriodicBolus, Plan, PlanStatus, Programme, PumpChoice, Schedule, Severity, Window,
    concentration_series, evaluate, format::format_number, parse_number,
};
use itdose::form::{DrugForm, PatientForm, PeriodicForm, PlanForm};
use jiff::civil::{DateTime, date, time};
use proptest::prelude::*;

// -------------------------------------------------------------------------------------------------
// Random text in every field of the form.
// -------------------------------------------------------------------------------------------------

/// A field's text: empty, ordinary, tiny, huge (up to 1e308), zero, negative, or any six characters.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (0.0f64..50.0).prop_map(|v| format!("{v}")),
        (0.0f64..1e-6).prop_map(|v| format!("{v}")),
        (1e6f64..1e308).prop_map(|v| format!("{v:.0}")),
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
        "synchromed-iii",
        "prometra-20",
        "prometra-ii-40",
        "constant-flow",
        "custom",
        "nope",
    ])
    .prop_map(str::to_owned)
}

prop_compose! {
    /// A form with random text in its fields, on any pump, with one to four drug lines.
    fn form()(pump in pump_id(), capacity in number_text(), fixed in number_text(), fill in number_text(), alarm in number_text(),
              drugs in prop::collection::vec((drug_id(), number_text(), number_text(), number_text(), any::<bool>(), number_text()), 1..5),
              lead in 0usize..5, rate_mode in any::<bool>(), rate in number_text(), new_pump in any::<bool>(),
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
            new_pump: Some(new_pump),
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

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

fn check_form(f: PlanForm) -> Result<(), TestCaseError> {
    let catalogue = Catalogue::builtin().map_err(fail)?;
    let library = DrugLibrary::builtin().map_err(fail)?;
    if let Ok(plan) = f.to_plan(&catalogue, &library)
        && let Ok(outcome) = evaluate(&plan, &catalogue, &library)
    {
        let report = report::build(&outcome);
        for text in shown_text(&report) {
            prop_assert!(finite_text(&text), "{}", text);
        }
        let window = Window {
            days: Days::new(2.0).map_err(fail)?,
            step: hours(0.5),
            scenario: None,
        };
        if let Ok(csf) = concentration_series(&plan, &outcome, &library, window) {
            prop_assert!(csf.series.iter().all(|s| s.values.iter().all(|v| v.is_finite())));
        }
    }
    Ok(())
}

/// Random text in every field of the form (400 forms): the conversion, the evaluation, the report
/// and the CSF series give a result or an error, never a panic, and no text shown is NaN or
/// infinite.
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
                .run(&form(), check_form)
                .map_err(|e| e.to_string())
        })
        .map_err(|e| e.to_string())
        .and_then(|h| h.join().map_err(|_| "the engine panicked".to_owned()));
    assert_eq!(outcome, Ok(Ok(())));
}

// -------------------------------------------------------------------------------------------------
// Any numbers in a plan.
// -------------------------------------------------------------------------------------------------

/// Any number: any f64 (negative, NaN, infinite, up to the largest), small, zero, the smallest
/// positive, the largest.
fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::MAX),
        (0.0..1e6f64),
        (0.0..50.0f64),
        Just(0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::MIN_POSITIVE),
        Just(1e100),
    ]
}

/// A morphine plan from generated numbers, or `None` when a number cannot be a quantity (the
/// quantity types refuse it before any plan exists).
fn generated_plan(
    custom: bool,
    capacity: f64,
    fill: f64,
    conc: f64,
    daily: f64,
    alarm: f64,
    filled_at: DateTime,
) -> Option<Plan> {
    let mut p = Plan::new(
        PumpChoice {
            model: if custom { "custom" } else { "synchromed-ii-40" }.into(),
            capacity: Some(Millilitres::new(capacity).ok()?),
            fixed_rate: None,
            end_of_service: None,
        },
        Fill {
            volume: Millilitres::new(fill).ok()?,
            low_reservoir_alarm: Millilitres::new(alarm).ok()?,
            filled_at,
            new_pump: false,
        },
        vec![common::line("morphine", MG, 1.0, Some(1.0))],
        Programme::LeadDose { lead: 0 },
    );
    if let Some(l) = p.drugs.first_mut() {
        l.concentration = Some(AnyConcentration::new(MG, conc).ok()?);
        l.daily_dose = Some(AnyDoseRate::new(MG, daily).ok()?);
    }
    Some(p)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any numbers at all (a custom pump of any capacity, or a SynchroMed II 40 mL; any fill,
    /// concentration, dose and alarm; any fill date from year −9999 to 9999) give an outcome or an
    /// error, never a panic. Every outcome keeps its invariants:
    ///   dose = rate × concentration; delivered to the alarm + the alarm = the fill;
    ///   the fill ≤ the capacity; fill ≤ alarm date ≤ empty date; the earliest possible empty
    ///   date is not after the nominal one; "Refill by" is the earliest constraint; the plan is
    ///   blocked exactly when a finding is hard; no text shown is NaN or infinite.
    #[test]
    fn any_numbers_evaluate_or_error_without_panicking(custom in any::<bool>(), capacity in any_f64(), fill in any_f64(), conc in any_f64(),
                                                       daily in any_f64(), alarm in any_f64(), year in -9999i16..=9999, day_offset in 0i64..400) {
        let Some(filled_at) = date(year, 1, 1).at(0, 0, 0, 0).checked_add(jiff::SignedDuration::from_hours(day_offset * 24)).ok() else {
            return Ok(());
        };
        let Some(plan) = generated_plan(custom, capacity, fill, conc, daily, alarm, filled_at) else { return Ok(()) };
        let catalogue = Catalogue::builtin().map_err(fail)?;
        let library = DrugLibrary::builtin().map_err(fail)?;
        let Ok(outcome) = evaluate(&plan, &catalogue, &library) else { return Ok(()) };
        let drug = outcome.drugs.first().ok_or_else(|| fail("no drug"))?;
        let rate = outcome.flow_rate.value();
        prop_assert!((rate * drug.concentration.value() - drug.daily_dose.value()).abs() <= 1e-9 * drug.daily_dose.value());
        let nominal = outcome.nominal().ok_or_else(|| fail("no projection"))?;
        // (≤, not <: at 1e-227 mL a 1e-308 mL alarm is below float resolution)
        prop_assert!(nominal.days_to_alarm <= nominal.days_to_empty);
        prop_assert!(filled_at <= nominal.alarm_at && nominal.alarm_at <= nominal.empty_at);
        // (Days below f64's normal range underflow to 0: the balance is checked when they do not.)
        if nominal.days_to_alarm.value().is_normal() {
            let delivered = rate * nominal.days_to_alarm.value();
            prop_assert!((delivered + alarm - fill).abs() <= 1e-9 * fill);
        }
        prop_assert!(fill <= outcome.pump.capacity.value());
        prop_assert!(outcome.earliest_empty <= nominal.empty_at);
        prop_assert_eq!(Some(outcome.refill_by.binding.at), outcome.refill_by.candidates.iter().map(|c| c.at).min());
        prop_assert_eq!(outcome.status == PlanStatus::Blocked, outcome.findings.iter().any(|f| f.severity == Severity::Hard));
        for text in shown_text(&report::build(&outcome)) {
            prop_assert!(finite_text(&text), "{}", text);
        }
    }

    /// The reservoir never rises as time passes (SynchroMed II 40 mL, 40 mL of morphine 10 mg/mL
    /// at 0.5 to 20 mg/day).
    #[test]
    fn the_reservoir_never_rises(daily in 0.5f64..20.0, t1 in 0.0f64..400.0, dt in 0.0f64..400.0) {
        let mut p = common::morphine_40();
        if let Some(l) = p.drugs.first_mut() {
            l.daily_dose = Some(dose(MG, daily));
        }
        let catalogue = Catalogue::builtin().map_err(fail)?;
        let library = DrugLibrary::builtin().map_err(fail)?;
        let outcome = evaluate(&p, &catalogue, &library).map_err(|e| fail(format!("{e:?}")))?;
        let nominal = outcome.nominal().ok_or_else(|| fail("no projection"))?;
        prop_assert!(nominal.volume_at(t1 + dt) <= nominal.volume_at(t1));
    }

    /// ISMP formatting never panics, never shows a trailing zero, an exponent or a bare leading point.
    #[test]
    fn formatting_is_ismp(value in any_f64()) {
        let text = format_number(value);
        if value.is_finite() {
            prop_assert!(!text.contains('e') && !text.contains('E'), "{}", text);
            prop_assert!(!text.starts_with('.') && !text.starts_with("-."), "{}", text);
            if text.contains('.') {
                prop_assert!(!text.ends_with('0') && !text.ends_with('.'), "{}", text);
            }
        }
    }

    /// Parsing arbitrary text never panics; anything accepted is finite.
    #[test]
    fn parsing_never_panics(text in ".{0,24}") {
        if let Ok(v) = parse_number(Field::FillVolume, &text) {
            prop_assert!(v.is_finite());
        }
    }
}

/// A daily dose the form accepts (1.7976931348623157e308 mg/day, the largest f64) at 380,102.8
/// mg/mL in a custom pump: the rate is finite (4.73e302 mL/day) but rate × concentration is not.
/// The plan must be refused (or the dose shown as a number), never shown as "not a number mg/day".
#[test]
fn a_daily_dose_near_the_f64_maximum_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    let Some(mut plan) = generated_plan(
        true,
        f64::MAX,
        257_622.842_171_648_66,
        380_102.829_414_722_04,
        f64::MAX,
        f64::MIN_POSITIVE,
        filled(),
    ) else {
        return Err("not a plan".into());
    };
    plan.fill.low_reservoir_alarm = ml(1.0);
    match evaluate(&plan, &Catalogue::builtin()?, &DrugLibrary::builtin()?) {
        Ok(outcome) => {
            let texts = shown_text(&report::build(&outcome));
            Err(format!("evaluated: {:?}", texts.iter().find(|t| !finite_text(t))).into())
        }
        Err(errors) => {
            let ids: Vec<String> = errors.iter().map(itdose::engine::Error::element_id).collect();
            assert_eq!(ids, ["drug-0-daily_dose"], "{errors:?}");
            assert!(
                errors
                    .iter()
                    .all(|e| e.to_string().contains("beyond the largest number")),
                "{errors:?}"
            );
            Ok(())
        }
    }
}

// -------------------------------------------------------------------------------------------------
// Schedules.
// -------------------------------------------------------------------------------------------------

fn filled() -> DateTime {
    common::filled()
}

fn generated_schedule() -> impl Strategy<Value = (Schedule, u32)> {
    (
        prop::collection::vec((0u8..24, 0u8..60, 0.05f64..5.0), 1..5),
        prop::option::of((0.01f64..0.5, 0.1f64..2.0, 1.0f64..12.0, 0.25f64..2.0)),
        prop::option::of((0.01f64..0.5, 0.05f64..1.0, 1u32..12)),
        0u32..12,
    )
        .prop_map(|(steps, periodic, patient, typical)| {
            let mut seen = std::collections::BTreeSet::new();
            let steps: Vec<FlexStep> = steps
                .into_iter()
                .filter(|(h, m, _)| seen.insert((*h, *m)))
                .map(|(h, m, r)| FlexStep {
                    day: 0,
                    start: time(i8::try_from(h).unwrap_or(0), i8::try_from(m).unwrap_or(0), 0, 0),
                    rate: per_day(r),
                })
                .collect();
            let schedule = Schedule {
                basal: Basal::Flex {
                    cycle: Cycle::Day,
                    steps,
                },
                periodic: periodic
                    .map(|(v, d, i, _)| PeriodicBolus {
                        volume: ml(v),
                        duration: hours(d.min(i)),
                        interval: hours(i),
                        first: filled(),
                    })
                    .into_iter()
                    .collect(),
                single: vec![],
                patient: patient.map(|(v, d, max)| PatientBolus {
                    volume: ml(v),
                    duration: hours(d),
                    lockout: hours(d.max(1.0)),
                    max_per_day: max,
                }),
                pauses: vec![],
            };
            (schedule, typical)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// The reservoir never rises; it starts at the fill and ends at zero (delivered + left = filled);
    /// the alarm comes before empty and within its accuracy band.
    #[test]
    fn the_projection_never_rises_and_balances((schedule, typical) in generated_schedule(), fill in 1.0f64..40.0) {
        let p = schedule.project(ml(fill), filled(), ml(fill / 10.0), ml(fill / 10.0), PatientUse::Typical(typical), Some(14.5))
            .map_err(fail)?;
        prop_assert!(p.vertices.windows(2).all(|w| matches!(w, [a, b] if b.1 <= a.1 + 1e-12 && b.0 >= a.0)));
        prop_assert!(p.vertices.first().is_some_and(|v| common::close(v.1, fill)));
        prop_assert!(p.vertices.last().is_some_and(|v| v.1 == 0.0));
        prop_assert!(p.alarm_at <= p.empty_at);
        let (early, late) = p.alarm_band.ok_or_else(|| fail("no band"))?;
        prop_assert!(early <= p.days_to_alarm && p.days_to_alarm <= late);
    }

    /// More patient boluses never make the alarm (or empty) later.
    #[test]
    fn more_patient_boluses_never_make_the_alarm_later((schedule, typical) in generated_schedule(), fill in 1.0f64..40.0) {
        let run = |s| schedule.project(ml(fill), filled(), ml(fill / 10.0), ml(fill / 10.0), s, None).map_err(fail);
        let none = run(PatientUse::None)?;
        let some = run(PatientUse::Typical(typical))?;
        let all = run(PatientUse::AllAllowed)?;
        prop_assert!(some.alarm_at <= none.alarm_at && all.alarm_at <= some.alarm_at);
        prop_assert!(some.empty_at <= none.empty_at && all.empty_at <= some.empty_at);
    }
}
