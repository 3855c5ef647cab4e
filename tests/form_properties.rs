//! No non-empty field of the form is ever silently dropped between the form and the plan: every
//! conversion either succeeds, with every entered value in the plan, or reports an error at its
//! field (a safety requirement: a typed bolus, visit or MRI scan that vanishes is a wrong answer
//! shown as a right one).
#![cfg(not(target_arch = "wasm32"))]

use itdose::engine::{Catalogue, Cycle, DrugLibrary, MassFamily, PkModel, Plan};
use itdose::form::{
    DrugForm, FlexForm, FlexStepForm, PatientForm, Per, PeriodicForm, PlanForm, ProcedureForm, SingleForm,
};
use proptest::prelude::*;

/// "1" followed by 400 zeros: above `f64::MAX`.
fn huge() -> String {
    format!("1{}", "0".repeat(400))
}

/// Numbers that parse and are positive (valid in every numeric field).
fn good_numbers() -> Vec<String> {
    ["1", "2.5", "0.0000001", "1000000", " 3 "].map(str::to_owned).to_vec()
}

/// Every text of the pool, good and bad: empty, zero, negative, a comma, letters, an exponent,
/// blank, above `f64::MAX`.
fn all_numbers() -> Vec<String> {
    let mut all = good_numbers();
    all.extend(["", "0", "-1", "1,5", "abc", "1e3", " "].map(str::to_owned));
    all.push(huge());
    all
}

/// How often a field takes any text of the pool instead of a valid one: each case draws a noise
/// level, so some forms are nearly clean (and mostly convert) and some are mostly noise.
type Noise = u32;

const GOOD: u32 = 40;

/// A value of a required field: valid, or (with weight `noise`) anything of the pool.
fn req(noise: Noise) -> impl Strategy<Value = String> {
    prop_oneof![
        GOOD => prop::sample::select(good_numbers()),
        noise => prop::sample::select(all_numbers()),
    ]
}

/// A value of an optional field: empty, valid or anything.
fn opt(noise: Noise) -> impl Strategy<Value = String> {
    prop_oneof![
        GOOD / 2 => Just(String::new()),
        GOOD => prop::sample::select(good_numbers()),
        noise => prop::sample::select(all_numbers()),
    ]
}

/// A whole count (a zero is valid).
fn count(noise: Noise) -> impl Strategy<Value = String> {
    prop_oneof![
        GOOD => prop::sample::select(vec!["0", "1", " 3 ", "1000000"]).prop_map(str::to_owned),
        noise => prop::sample::select(all_numbers()),
    ]
}

fn opt_count(noise: Noise) -> impl Strategy<Value = String> {
    prop_oneof![GOOD / 2 => Just(String::new()), GOOD => count(noise)]
}

fn date(noise: Noise) -> impl Strategy<Value = String> {
    prop_oneof![
        GOOD => prop::sample::select(vec!["2026-11-26", "2026-12-01", " 2027-01-04 "]),
        noise => prop::sample::select(vec!["", "2026-02-30", "26/11/2026", "abc"]),
    ]
    .prop_map(str::to_owned)
}

fn opt_date(noise: Noise) -> impl Strategy<Value = String> {
    prop_oneof![GOOD / 2 => Just(String::new()), GOOD => date(noise)]
}

/// A start time: valid, or empty, out of range ("25:00", "12:60") or not HH:MM.
fn time(noise: Noise) -> impl Strategy<Value = String> {
    prop_oneof![
        GOOD => prop::sample::select(vec!["09:00", "23:59", "00:00"]),
        noise => prop::sample::select(vec!["", "25:00", "9", "12:60"]),
    ]
    .prop_map(str::to_owned)
}

fn opt_time(noise: Noise) -> impl Strategy<Value = String> {
    prop_oneof![GOOD / 2 => Just(String::new()), GOOD => time(noise)]
}

/// A flex-step dose: also "1" followed by 308 zeros, finite per day but infinite × 24 per hour.
fn flex_dose(noise: Noise) -> impl Strategy<Value = String> {
    prop_oneof![
        GOOD => req(noise),
        noise => Just(format!("1{}", "0".repeat(308))),
    ]
}

fn non_empty(text: &str) -> bool {
    !text.trim().is_empty()
}

/// The valid base: SynchroMed II 40 mL, 40 mL of morphine 10 mg/mL at 2 mg/day.
fn base() -> PlanForm {
    PlanForm {
        pump_id: "synchromed-ii-40".into(),
        fill_volume: "40".into(),
        low_reservoir_alarm: "2".into(),
        fill_date: "2026-11-25".into(),
        fill_time: "09:00".into(),
        drugs: vec![DrugForm {
            concentration: "10".into(),
            concentration_unit: MassFamily::Mg,
            daily_dose: "2".into(),
            dose_unit: MassFamily::Mg,
            ..DrugForm::for_drug("morphine", MassFamily::Mg)
        }],
        new_pump: Some(false),
        ..PlanForm::default()
    }
}

type Step = (u8, String, String, bool, bool);
type Flex = (bool, Vec<Step>);
type Periodic = (String, String, String, String, String);
type Single = (String, String, String, String);
type Patient = (String, String, String, String, String);
type Procedure = (String, String, String);
type Titration = (String, String, String);
type Visit = (String, String, String, String, String, String, String);
type Csf = (String, String, String, String, String, String, String, String);
type DrugCsf = (String, String, String, String, String);

/// Enabled (or filled in) about a third of the time.
fn maybe<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
    prop::option::weighted(0.35, s)
}

fn flex(n: Noise) -> impl Strategy<Value = Flex> {
    let step = (0u8..7, time(n), flex_dose(n), any::<bool>(), any::<bool>());
    (any::<bool>(), prop::collection::vec(step, 1..=3))
}

/// The visit: a withdrawn volume (sometimes missing, while other fields are filled) and the
/// optional fields.
fn visit(n: Noise) -> impl Strategy<Value = Visit> {
    (date(n), time(n), req(n), opt(n), opt(n), opt_count(n), opt(n))
}

/// The CSF settings; the MRI date is sometimes missing while its time or duration is entered.
fn csf(n: Noise) -> impl Strategy<Value = Csf> {
    (
        opt(n),
        opt(n),
        opt(n),
        opt(n),
        opt(n),
        prop_oneof![GOOD => opt_date(n), n => Just(String::new())],
        time(n),
        req(n),
    )
}

/// A drug line's CSF inputs: the half-life and volume (and k12 and k21) usually both or neither.
fn drug_csf(n: Noise) -> impl Strategy<Value = DrugCsf> {
    let pair = move || {
        prop_oneof![
            GOOD => Just((String::new(), String::new())),
            GOOD => (req(n), req(n)),
            n => (opt(n), opt(n)),
        ]
    };
    (opt(n), pair(), pair()).prop_map(|(previous, (half, volume), (k12, k21))| (previous, half, volume, k12, k21))
}

fn form_at(n: Noise) -> impl Strategy<Value = PlanForm> {
    (
        maybe(flex(n)),
        prop::collection::vec((req(n), req(n), req(n), date(n), time(n)), 0..=2),
        prop::collection::vec((req(n), req(n), date(n), time(n)), 0..=2),
        maybe((req(n), req(n), req(n), count(n), opt_count(n))),
        maybe((date(n), time(n), req(n))),
        maybe((date(n), time(n))),
        (opt_date(n), opt_time(n), opt_count(n)),
        maybe(visit(n)),
        maybe(csf(n)),
        (maybe(drug_csf(n)), maybe(maybe(drug_csf(n)))),
    )
        .prop_map(
            |(flex, periodic, single, patient, priming, bridge, titration, visit, csf, drugs)| {
                build(
                    flex, periodic, single, patient, priming, bridge, titration, visit, csf, drugs,
                )
            },
        )
}

/// Random forms, at a random noise level.
fn form() -> impl Strategy<Value = PlanForm> {
    prop::sample::select(vec![1, 4, 16]).prop_flat_map(form_at)
}

#[allow(clippy::too_many_arguments)]
fn build(
    flex: Option<Flex>,
    periodic: Vec<Periodic>,
    single: Vec<Single>,
    patient: Option<Patient>,
    priming: Option<Procedure>,
    bridge: Option<(String, String)>,
    titration: Titration,
    visit: Option<Visit>,
    csf: Option<Csf>,
    drugs: (Option<DrugCsf>, Option<Option<DrugCsf>>),
) -> PlanForm {
    let mut f = base();
    if let Some((week, steps)) = flex {
        f.flex = FlexForm {
            enabled: true,
            cycle: if week { Cycle::Week } else { Cycle::Day },
            steps: steps
                .into_iter()
                .map(|(day, start, dose, mcg, hour)| FlexStepForm {
                    day,
                    start,
                    dose,
                    unit: if mcg { MassFamily::Mcg } else { MassFamily::Mg },
                    per: if hour { Per::Hour } else { Per::Day },
                })
                .collect(),
        };
    }
    f.periodic = periodic
        .into_iter()
        .map(
            |(volume, duration_minutes, interval_hours, first_date, first_time)| PeriodicForm {
                volume,
                duration_minutes,
                interval_hours,
                first_date,
                first_time,
            },
        )
        .collect();
    f.single = single
        .into_iter()
        .map(|(volume, duration_minutes, date, time)| SingleForm {
            volume,
            duration_minutes,
            date,
            time,
        })
        .collect();
    if let Some((volume, duration_minutes, lockout_hours, max_per_day, typical_per_day)) = patient {
        f.patient = PatientForm {
            enabled: true,
            volume,
            duration_minutes,
            lockout_hours,
            max_per_day,
            typical_per_day,
        };
    }
    if let Some((date, time, duration_minutes)) = priming {
        f.priming = ProcedureForm {
            enabled: true,
            date,
            time,
            duration_minutes,
        };
    }
    if let Some((date, time)) = bridge {
        f.bridge = ProcedureForm {
            enabled: true,
            date,
            time,
            duration_minutes: String::new(),
        };
    }
    (
        f.titration.last_change_date,
        f.titration.last_change_time,
        f.titration.increases_past_week,
    ) = titration;
    if let Some((date, time, withdrawn, new_fill, pump_expected, patient_boluses, confirmed)) = visit {
        f.visit.date = date;
        f.visit.time = time;
        f.visit.withdrawn = withdrawn;
        f.visit.new_fill = new_fill;
        f.visit.pump_expected = pump_expected;
        f.visit.patient_boluses = patient_boluses;
        f.visit.confirmed_after_refill = confirmed;
    }
    if let Some((tubing, length, per_cm, residual, weight, mri_date, mri_time, mri_minutes)) = csf {
        f.csf.pump_tubing = tubing;
        f.csf.catheter_length_cm = length;
        f.csf.catheter_ml_per_cm = per_cm;
        f.csf.residual = residual;
        f.csf.weight_kg = weight;
        f.csf.mri_date = mri_date;
        f.csf.mri_time = mri_time;
        f.csf.mri_minutes = mri_minutes;
    }
    let (first, second) = drugs;
    if let Some(second) = second {
        // A second, non-lead line (no daily dose needed in lead-dose mode).
        let mut line = DrugForm::for_drug("clonidine", MassFamily::Mcg);
        line.concentration = "100".into();
        if let Some(csf) = second {
            set_drug_csf(&mut line, csf);
        }
        f.drugs.push(line);
    }
    if let (Some(csf), Some(line)) = (first, f.drugs.first_mut()) {
        set_drug_csf(line, csf);
    }
    f
}

fn set_drug_csf(line: &mut DrugForm, (previous, half_life_hours, volume_ml, k12, k21): DrugCsf) {
    line.csf.previous = previous;
    line.csf.half_life_hours = half_life_hours;
    line.csf.volume_ml = volume_ml;
    line.csf.k12 = k12;
    line.csf.k21 = k21;
}

/// Fails the case unless `ok`.
fn require(ok: bool, what: &str) -> Result<(), TestCaseError> {
    if ok {
        Ok(())
    } else {
        Err(TestCaseError::fail(format!("silently dropped: {what}")))
    }
}

/// Every non-empty input is present in `plan`. `strict` adds the fields the audit did not name
/// (the visit date and time, the titration time, k12 and k21 without a half-life and volume),
/// which this property found dropped; they are errors now (regression tests below).
fn nothing_dropped(f: &PlanForm, plan: &Plan, strict: bool) -> Result<(), TestCaseError> {
    if f.flex.enabled {
        require(
            plan.flex.as_ref().map(|p| p.steps.len()) == Some(f.flex.steps.len()),
            "a flex step",
        )?;
    }
    require(plan.boluses.periodic.len() == f.periodic.len(), "a periodic bolus")?;
    require(plan.boluses.single.len() == f.single.len(), "a single bolus")?;
    if f.patient.enabled {
        require(plan.boluses.patient.is_some(), "the patient bolus")?;
        if non_empty(&f.patient.typical_per_day) {
            require(
                plan.boluses.typical_per_day.is_some(),
                "the typical patient boluses per day",
            )?;
        }
    }
    if f.priming.enabled {
        require(plan.boluses.priming.is_some(), "the priming bolus")?;
    }
    if f.bridge.enabled {
        require(plan.boluses.bridge.is_some(), "the bridge bolus")?;
    }
    let titration = plan.titration.as_ref();
    if non_empty(&f.titration.last_change_date) {
        require(
            titration.is_some_and(|t| t.last_change.is_some()),
            "the last dose change",
        )?;
    }
    if non_empty(&f.titration.increases_past_week) {
        require(
            titration.is_some_and(|t| t.increases_past_week.is_some()),
            "the rises in the past 7 days",
        )?;
    }
    if strict && !non_empty(&f.titration.last_change_date) {
        require(
            !non_empty(&f.titration.last_change_time),
            "a last-change time without a date",
        )?;
    }
    let v = &f.visit;
    let others = [
        &v.new_fill,
        &v.pump_expected,
        &v.patient_boluses,
        &v.confirmed_after_refill,
    ];
    if non_empty(&v.withdrawn) {
        let visit = plan.visit.as_ref();
        require(visit.is_some(), "the visit")?;
        let checks = [
            (&v.new_fill, visit.is_some_and(|p| p.new_fill.is_some()), "the new fill"),
            (
                &v.pump_expected,
                visit.is_some_and(|p| p.pump_expected.is_some()),
                "the pump's expected volume",
            ),
            (
                &v.patient_boluses,
                visit.is_some_and(|p| p.patient_boluses.is_some()),
                "the patient boluses logged",
            ),
            (
                &v.confirmed_after_refill,
                visit.is_some_and(|p| p.confirmed_after_refill.is_some()),
                "the volume confirmed after the refill",
            ),
        ];
        for (text, present, what) in checks {
            if non_empty(text) {
                require(present, what)?;
            }
        }
    } else {
        require(
            !others.iter().any(|t| non_empty(t)),
            "a visit field without a withdrawn volume",
        )?;
        if strict {
            require(
                !non_empty(&v.date) && !non_empty(&v.time),
                "a visit date or time without a withdrawn volume",
            )?;
        }
    }
    let c = &f.csf;
    let csf = &plan.csf;
    for (text, present, what) in [
        (&c.pump_tubing, csf.pump_tubing.is_some(), "the pump tubing volume"),
        (
            &c.catheter_length_cm,
            csf.catheter_length_cm.is_some(),
            "the catheter length",
        ),
        (
            &c.catheter_ml_per_cm,
            csf.catheter_ml_per_cm.is_some(),
            "the catheter volume per cm",
        ),
        (&c.residual, csf.residual.is_some(), "the residual"),
        (&c.weight_kg, csf.weight_kg.is_some(), "the weight"),
    ] {
        if non_empty(text) {
            require(present, what)?;
        }
    }
    if non_empty(&c.mri_date) {
        require(csf.mri.is_some(), "the MRI scan")?;
    } else {
        require(
            !non_empty(&c.mri_time) && !non_empty(&c.mri_minutes),
            "an MRI time or duration without a date",
        )?;
    }
    for d in &f.drugs {
        if non_empty(&d.csf.previous) {
            require(
                csf.previous.iter().any(|p| p.drug == d.drug_id),
                "the concentration being replaced",
            )?;
        }
        if non_empty(&d.csf.half_life_hours) && non_empty(&d.csf.volume_ml) {
            let model = csf.models.iter().find(|m| m.drug == d.drug_id).map(|m| m.model);
            let two = non_empty(&d.csf.k12) && non_empty(&d.csf.k21);
            require(
                match model {
                    Some(PkModel::TwoCompartment { .. }) => two,
                    Some(PkModel::OneCompartment { .. }) => !two,
                    None => false,
                },
                "the CSF model override",
            )?;
        } else if strict && (non_empty(&d.csf.k12) || non_empty(&d.csf.k21)) {
            require(
                csf.models.iter().any(|m| m.drug == d.drug_id),
                "k12 or k21 without a half-life and volume",
            )?;
        }
    }
    Ok(())
}

/// Either a plan with every entered value, or errors each at a field.
fn check(f: &PlanForm, catalogue: &Catalogue, library: &DrugLibrary, strict: bool) -> Result<bool, TestCaseError> {
    match f.to_plan(catalogue, library) {
        Ok(plan) => {
            nothing_dropped(f, &plan, strict)?;
            Ok(true)
        }
        Err(errors) => {
            prop_assert!(!errors.is_empty(), "an error without any error");
            for e in &errors {
                prop_assert!(!e.element_id().is_empty(), "an error at no field: {e}");
            }
            Ok(false)
        }
    }
}

const CASES: u32 = 2_000;

/// Runs the property on `CASES` random forms; the number that converted to a plan.
fn run(strict: bool) -> Result<u32, String> {
    // proptest's nested strategy types need more than the 2 MiB test-thread stack in debug builds
    // (a stack overflow in the test harness, not in the engine): run the cases on a larger stack.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let catalogue = Catalogue::builtin().map_err(|e| e.to_string())?;
            let library = DrugLibrary::builtin().map_err(|e| e.to_string())?;
            let config = ProptestConfig {
                cases: CASES,
                failure_persistence: None,
                ..ProptestConfig::default()
            };
            let converted = std::cell::Cell::new(0u32);
            proptest::test_runner::TestRunner::new(config)
                .run(&form(), |f| {
                    if check(&f, &catalogue, &library, strict)? {
                        converted.set(converted.get() + 1);
                    }
                    Ok(())
                })
                .map_err(|e| e.to_string())?;
            Ok(converted.get())
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "to_plan panicked".to_owned())?
}

#[test]
fn every_field_reaches_the_plan_or_reports_an_error() {
    let converted = run(false);
    // Enough of the forms convert for the property to mean something (about a quarter do).
    assert!(
        matches!(&converted, Ok(n) if *n >= CASES / 20),
        "the property failed, or too few forms converted: {converted:?}"
    );
    if let Ok(n) = converted {
        eprintln!("{n} of {CASES} random forms converted to a plan");
    }
}

#[test]
fn every_field_reaches_the_plan_or_reports_an_error_strictly() {
    let converted = run(true);
    assert!(converted.is_ok(), "{converted:?}");
}

fn errors_of(f: &PlanForm) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let catalogue = Catalogue::builtin()?;
    let library = DrugLibrary::builtin()?;
    match f.to_plan(&catalogue, &library) {
        Ok(plan) => Err(format!("converted, to {plan:?}").into()),
        Err(errors) => Ok(errors.iter().map(ToString::to_string).collect()),
    }
}

#[test]
fn the_base_form_converts() -> Result<(), Box<dyn std::error::Error>> {
    let plan = base()
        .to_plan(&Catalogue::builtin()?, &DrugLibrary::builtin()?)
        .map_err(|e| format!("{e:?}"))?;
    assert!(plan.flex.is_none() && plan.visit.is_none() && plan.csf.mri.is_none());
    Ok(())
}

#[test]
fn a_per_hour_flex_dose_that_overflows_is_an_error_not_a_missing_step() -> Result<(), Box<dyn std::error::Error>> {
    let mut f = base();
    f.flex = FlexForm {
        enabled: true,
        cycle: Cycle::Day,
        steps: vec![FlexStepForm {
            day: 0,
            start: "09:00".into(),
            // Finite per hour (1e308), infinite × 24.
            dose: format!("1{}", "0".repeat(308)),
            unit: MassFamily::Mg,
            per: Per::Hour,
        }],
    };
    let errors = errors_of(&f)?;
    assert!(errors.iter().any(|e| e.starts_with("Flex step 1, dose:")), "{errors:?}");
    Ok(())
}

#[test]
fn a_two_compartment_override_with_a_zero_half_life_is_an_error_not_a_missing_model()
-> Result<(), Box<dyn std::error::Error>> {
    let mut f = base();
    if let Some(line) = f.drugs.first_mut() {
        set_drug_csf(
            line,
            (String::new(), "0".into(), "140".into(), "0.5".into(), "0.3".into()),
        );
    }
    let errors = errors_of(&f)?;
    assert!(errors.iter().any(|e| e.contains("half-life")), "{errors:?}");
    Ok(())
}

#[test]
fn a_zero_mri_duration_is_an_error_not_a_missing_scan() -> Result<(), Box<dyn std::error::Error>> {
    let mut f = base();
    f.csf.mri_date = "2026-12-01".into();
    f.csf.mri_time = "09:00".into();
    f.csf.mri_minutes = "0".into();
    let errors = errors_of(&f)?;
    assert!(errors.iter().any(|e| e.starts_with("MRI, duration:")), "{errors:?}");
    Ok(())
}

#[test]
fn a_new_fill_without_a_withdrawn_volume_is_an_error_not_a_missing_visit() -> Result<(), Box<dyn std::error::Error>> {
    let mut f = base();
    f.visit.date = "2027-01-04".into();
    f.visit.time = "09:00".into();
    f.visit.new_fill = "40".into();
    let errors = errors_of(&f)?;
    assert!(errors.iter().any(|e| e.contains("withdrawn")), "{errors:?}");
    Ok(())
}

/// A form with every section filled in validly.
fn full() -> PlanForm {
    let good = |t: &str| t.to_owned();
    build(
        Some((false, vec![(0, good("09:00"), good("2"), false, true)])),
        vec![(good("0.5"), good("10"), good("24"), good("2026-11-26"), good("10:00"))],
        vec![(good("0.5"), good("10"), good("2026-11-27"), good("10:00"))],
        Some((good("0.1"), good("5"), good("2"), good("4"), good("2"))),
        Some((good("2026-11-25"), good("09:30"), good("30"))),
        Some((good("2026-11-25"), good("09:30"))),
        (good("2026-11-20"), good("09:00"), good("1")),
        Some((
            good("2027-01-04"),
            good("09:00"),
            good("3"),
            good("40"),
            good("3.5"),
            good("2"),
            good("40.5"),
        )),
        Some((
            good("0.2"),
            good("40"),
            good("0.0026"),
            good("1"),
            good("70"),
            good("2026-12-01"),
            good("09:00"),
            good("45"),
        )),
        (
            Some((good("5"), good("3"), good("140"), good("0.5"), good("0.3"))),
            Some(Some((good("50"), good("4"), good("140"), String::new(), String::new()))),
        ),
    )
}

#[test]
fn the_check_sees_each_dropped_part() -> Result<(), Box<dyn std::error::Error>> {
    let f = full();
    let plan = f
        .to_plan(&Catalogue::builtin()?, &DrugLibrary::builtin()?)
        .map_err(|e| format!("{e:?}"))?;
    assert!(nothing_dropped(&f, &plan, true).is_ok());
    type Drop = fn(&mut Plan);
    let drops: [(&str, Drop); 22] = [
        ("flex step", |p| {
            if let Some(flex) = &mut p.flex {
                flex.steps.clear();
            }
        }),
        ("periodic", |p| p.boluses.periodic.clear()),
        ("single", |p| p.boluses.single.clear()),
        ("patient", |p| p.boluses.patient = None),
        ("typical", |p| p.boluses.typical_per_day = None),
        ("priming", |p| p.boluses.priming = None),
        ("bridge", |p| p.boluses.bridge = None),
        ("last change", |p| {
            if let Some(t) = &mut p.titration {
                t.last_change = None;
            }
        }),
        ("rises", |p| {
            if let Some(t) = &mut p.titration {
                t.increases_past_week = None;
            }
        }),
        ("visit", |p| p.visit = None),
        ("new fill", |p| {
            if let Some(v) = &mut p.visit {
                v.new_fill = None;
            }
        }),
        ("pump expected", |p| {
            if let Some(v) = &mut p.visit {
                v.pump_expected = None;
            }
        }),
        ("patient boluses", |p| {
            if let Some(v) = &mut p.visit {
                v.patient_boluses = None;
            }
        }),
        ("confirmed", |p| {
            if let Some(v) = &mut p.visit {
                v.confirmed_after_refill = None;
            }
        }),
        ("tubing", |p| p.csf.pump_tubing = None),
        ("length", |p| p.csf.catheter_length_cm = None),
        ("per cm", |p| p.csf.catheter_ml_per_cm = None),
        ("residual", |p| p.csf.residual = None),
        ("weight", |p| p.csf.weight_kg = None),
        ("mri", |p| p.csf.mri = None),
        ("previous", |p| p.csf.previous.retain(|d| d.drug != "clonidine")),
        ("model", |p| p.csf.models.retain(|m| m.drug != "morphine")),
    ];
    for (what, drop) in drops {
        let mut dropped = plan.clone();
        drop(&mut dropped);
        assert_ne!(dropped, plan, "{what}: nothing was removed");
        assert!(nothing_dropped(&f, &dropped, false).is_err(), "{what} not noticed");
    }
    Ok(())
}

/// Silent drops found by the strict property, fixed: each is an error at its field now.
#[test]
fn a_visit_date_without_a_withdrawn_volume_is_an_error() -> Result<(), Box<dyn std::error::Error>> {
    let mut f = base();
    f.visit.date = "2027-01-04".into();
    f.visit.time = "09:00".into();
    errors_of(&f).map(|_| ())
}

#[test]
fn a_titration_time_without_a_date_is_an_error() -> Result<(), Box<dyn std::error::Error>> {
    let mut f = base();
    f.titration.last_change_time = "09:00".into();
    errors_of(&f).map(|_| ())
}

#[test]
fn k12_and_k21_without_a_half_life_and_volume_are_an_error() -> Result<(), Box<dyn std::error::Error>> {
    let mut f = base();
    if let Some(line) = f.drugs.first_mut() {
        line.csf.k12 = "0.5".into();
        line.csf.k21 = "0.3".into();
    }
    errors_of(&f).map(|_| ())
}

/// A page of digits pasted into every text field of the form (the bad-input matrix's 10,000
/// characters): every field is refused at its own input, and each message quotes the paste by its
/// start, so it stays a line next to its field (it quoted all 10,000 characters).
#[test]
fn a_10000_character_paste_gets_a_short_message_at_every_field() -> Result<(), Box<dyn std::error::Error>> {
    let paste = "1234567890".repeat(1000);
    let mut f = base();
    for text in [
        &mut f.fill_volume,
        &mut f.low_reservoir_alarm,
        &mut f.fill_date,
        &mut f.fill_time,
        &mut f.extra_volume,
        &mut f.end_of_service,
        &mut f.end_of_service_time,
    ] {
        text.clone_from(&paste);
    }
    if let Some(line) = f.drugs.first_mut() {
        for text in [
            &mut line.concentration,
            &mut line.daily_dose,
            &mut line.stock,
            &mut line.csf.previous,
            &mut line.csf.half_life_hours,
            &mut line.csf.volume_ml,
            &mut line.csf.k12,
            &mut line.csf.k21,
        ] {
            text.clone_from(&paste);
        }
    }
    f.patient = PatientForm {
        enabled: true,
        volume: paste.clone(),
        duration_minutes: paste.clone(),
        lockout_hours: paste.clone(),
        max_per_day: paste.clone(),
        typical_per_day: paste.clone(),
    };
    f.visit.date = "2026-12-01".into();
    f.visit.time = "09:00".into();
    f.visit.withdrawn.clone_from(&paste);
    f.visit.patient_boluses.clone_from(&paste);
    f.titration.last_change_date = "2026-11-01".into();
    f.titration.last_change_time = "09:00".into();
    f.titration.increases_past_week.clone_from(&paste);
    let messages = errors_of(&f)?;
    assert!(messages.len() >= 15, "{} errors", messages.len());
    for m in &messages {
        assert!(m.chars().count() < 200, "{} characters: {m:.200}", m.chars().count());
    }
    assert!(
        messages
            .iter()
            .any(|m| m == "Patient bolus, maximum per 24 h: \u{201c}123456789012345678901234\u{2026}\u{201d} is not a whole number"),
        "{messages:#?}"
    );
    Ok(())
}
