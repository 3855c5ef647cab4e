//! Properties over generated inputs: the engine never panics, and its figures are consistent.
#![cfg(not(target_arch = "wasm32"))]

use itdose::engine::{
    ContinuousInput, Field, Mark, MgPerDay, MgPerMl, Millilitres, MlPerDay, PumpSpec, Sourced, format::format_number,
    parse_number, plan_continuous,
};
use jiff::civil::date;
use proptest::prelude::*;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        (0.0..1e6f64),
        (0.0..50.0f64),
        Just(0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::MIN_POSITIVE),
        Just(f64::MAX),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any numbers at all, through the same path the UI takes, give a plan or an error, never a panic.
    #[test]
    fn plan_never_panics(capacity in any_f64(), min_rate in any_f64(), fill in any_f64(), conc in any_f64(),
                         dose in any_f64(), alarm in any_f64(), year in -9999i16..=9999, day_offset in 0i64..400) {
        let result = (|| -> Result<_, itdose::engine::Error> {
            let pump = PumpSpec {
                name: "generated".into(),
                capacity: Millilitres::new(capacity).map_err(|e| e.at(Field::PumpCapacity))?,
                minimum_rate: Some(MlPerDay::new(min_rate).map_err(|e| e.at(Field::PumpMinimumRate))?),
                maximum_rate: Some(Sourced { value: MlPerDay::new(24.0).map_err(|e| e.at(Field::FlowRate))?, source: "test".into(), mark: Mark::Verified }),
                recommended_alarm: None,
                fixed_rate: None,
            };
            let filled_at = date(year, 1, 1).at(0, 0, 0, 0)
                .checked_add(jiff::SignedDuration::from_hours(day_offset * 24))
                .map_err(|_| itdose::engine::Error::new(Field::FillDate, itdose::engine::Problem::Missing))?;
            plan_continuous(&ContinuousInput {
                pump,
                fill_volume: Millilitres::new(fill).map_err(|e| e.at(Field::FillVolume))?,
                concentration: MgPerMl::new(conc).map_err(|e| e.at(Field::Concentration))?,
                daily_dose: MgPerDay::new(dose).map_err(|e| e.at(Field::DailyDose))?,
                low_reservoir_alarm: Millilitres::new(alarm).map_err(|e| e.at(Field::LowReservoirAlarm))?,
                filled_at,
            })
        })();
        if let Ok(plan) = result {
            // Invariants of every valid plan:
            // dose = rate × concentration
            let dose_back = plan.flow_rate.value() * plan.input.concentration.value();
            prop_assert!((dose_back - plan.input.daily_dose.value()).abs() <= 1e-9 * plan.input.daily_dose.value());
            // the alarm comes before empty, both after the fill
            // (≤, not <: at 1e-227 mL a 1e-308 mL alarm is below float resolution)
            prop_assert!(plan.days_to_alarm <= plan.days_to_empty);
            prop_assert!(plan.input.filled_at <= plan.alarm_at && plan.alarm_at <= plan.empty_at);
            // volume delivered to the alarm + alarm volume = fill volume
            let delivered = plan.flow_rate.value() * plan.days_to_alarm.value();
            let fill = plan.input.fill_volume.value();
            prop_assert!((delivered + plan.input.low_reservoir_alarm.value() - fill).abs() <= 1e-9 * fill);
            // hard limits hold
            prop_assert!(plan.input.fill_volume <= plan.input.pump.capacity);
            prop_assert!(plan.flow_rate.value() <= 24.0);
        }
    }

    /// The reservoir never rises as time passes.
    #[test]
    fn reservoir_never_rises(dose in 0.5f64..20.0, t1 in 0.0f64..400.0, dt in 0.0f64..400.0) {
        let catalogue = itdose::engine::Catalogue::builtin().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let pump = catalogue.get("synchromed-ii-40").ok_or_else(|| TestCaseError::fail("no pump"))?
            .spec(None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let input = ContinuousInput {
            pump,
            fill_volume: Millilitres::new(40.0).map_err(|e| TestCaseError::fail(e.to_string()))?,
            concentration: MgPerMl::new(10.0).map_err(|e| TestCaseError::fail(e.to_string()))?,
            daily_dose: MgPerDay::new(dose).map_err(|e| TestCaseError::fail(e.to_string()))?,
            low_reservoir_alarm: Millilitres::new(2.0).map_err(|e| TestCaseError::fail(e.to_string()))?,
            filled_at: date(2026, 11, 25).at(9, 0, 0, 0),
        };
        let plan = plan_continuous(&input).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let at = |d: f64| itdose::engine::Days::new(d).map(|d| plan.volume_at(d));
        let (v1, v2) = (at(t1), at(t1 + dt));
        prop_assert!(matches!((v1, v2), (Ok(a), Ok(b)) if b <= a));
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
