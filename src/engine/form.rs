//! The single-drug form as the user typed it (text), and its evaluation into a plan.
//!
//! Keeping the raw text (not parsed numbers) is what lets the app save and restore work that is
//! not yet valid: a half-typed "0." survives a reload exactly as typed. Evaluation reports every
//! field's parse error at once, then the engine's first plan error.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use super::continuous::{ContinuousInput, ContinuousPlan, plan_continuous};
use super::error::{Error, Field, Problem};
use super::format::{iso_date, iso_time};
use super::input::{parse_date, parse_number, parse_time};
use super::pump::Catalogue;
use super::units::{Concentration, DoseRate, Mg, Millilitres};

/// The pump selected when nothing has been chosen yet.
pub const DEFAULT_PUMP_ID: &str = "synchromed-ii-40";

/// What the user typed, field by field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContinuousForm {
    /// Catalogue id of the pump.
    pub pump_id: String,
    /// Capacity of a custom pump, mL.
    pub custom_capacity: String,
    /// Fill volume, mL.
    pub fill_volume: String,
    /// Concentration, mg/mL.
    pub concentration: String,
    /// Daily dose, mg/day.
    pub daily_dose: String,
    /// Low-reservoir alarm, mL.
    pub low_reservoir_alarm: String,
    /// Fill date, YYYY-MM-DD.
    pub fill_date: String,
    /// Fill time, HH:MM.
    pub fill_time: String,
}

impl Default for ContinuousForm {
    fn default() -> Self {
        Self {
            pump_id: DEFAULT_PUMP_ID.to_owned(),
            custom_capacity: String::new(),
            fill_volume: String::new(),
            concentration: String::new(),
            daily_dose: String::new(),
            // The manufacturer-recommended alarm (pump catalogue, mark S); the user may change it.
            low_reservoir_alarm: "2".to_owned(),
            fill_date: String::new(),
            fill_time: String::new(),
        }
    }
}

impl ContinuousForm {
    /// A blank form filled on `now` (the caller's clock; the engine has none).
    pub fn blank_at(now: DateTime) -> Self {
        Self {
            fill_date: iso_date(now),
            fill_time: iso_time(now),
            ..Self::default()
        }
    }

    /// Evaluates the form.
    ///
    /// # Errors
    /// Every field that does not parse, or else the plan's first error.
    pub fn evaluate(&self, catalogue: &Catalogue) -> Result<ContinuousPlan<Mg>, Vec<Error>> {
        let mut errors = Vec::new();
        let mut number = |field: Field, text: &str| -> Option<f64> {
            parse_number(field, text).map_err(|e| errors.push(e)).ok()
        };
        let fill = number(Field::FillVolume, &self.fill_volume);
        let concentration = number(Field::Concentration, &self.concentration);
        let dose = number(Field::DailyDose, &self.daily_dose);
        let alarm = number(Field::LowReservoirAlarm, &self.low_reservoir_alarm);

        let model = catalogue.get(&self.pump_id);
        let custom_capacity = match model {
            Some(m) if m.is_custom() => number(Field::PumpCapacity, &self.custom_capacity),
            _ => None,
        };
        let date = parse_date(Field::FillDate, &self.fill_date)
            .map_err(|e| errors.push(e))
            .ok();
        let time = parse_time(Field::FillTime, &self.fill_time)
            .map_err(|e| errors.push(e))
            .ok();
        let Some(model) = model else {
            errors.push(Error::new(
                Field::PumpCapacity,
                Problem::OutOfRange {
                    detail: format!("unknown pump \u{201c}{}\u{201d}", self.pump_id),
                },
            ));
            return Err(errors);
        };
        if model.is_custom() && custom_capacity.is_none() {
            // The capacity's own parse error is already in the list.
            return Err(errors);
        }

        let quantities = (|| {
            let quantity = |field: Field, value: Option<f64>| {
                value.map(|v| Millilitres::new(v).map_err(|e| e.at(field)))
            };
            let pump = match custom_capacity {
                Some(c) => model.spec(Some(
                    Millilitres::new(c).map_err(|e| e.at(Field::PumpCapacity))?,
                )),
                None => model.spec(None),
            };
            Ok::<_, Error>((
                pump?,
                quantity(Field::FillVolume, fill).transpose()?,
                concentration
                    .map(|v| Concentration::<Mg>::new(v).map_err(|e| e.at(Field::Concentration)))
                    .transpose()?,
                dose.map(|v| DoseRate::<Mg>::new(v).map_err(|e| e.at(Field::DailyDose)))
                    .transpose()?,
                quantity(Field::LowReservoirAlarm, alarm).transpose()?,
            ))
        })();
        let (pump, fill, concentration, dose, alarm) = match quantities {
            Ok(q) => q,
            Err(e) => {
                errors.push(e);
                return Err(errors);
            }
        };
        match (fill, concentration, dose, alarm, date, time) {
            (
                Some(fill_volume),
                Some(concentration),
                Some(daily_dose),
                Some(low_reservoir_alarm),
                Some(d),
                Some(t),
            ) if errors.is_empty() => plan_continuous(&ContinuousInput {
                pump,
                fill_volume,
                concentration,
                daily_dose,
                low_reservoir_alarm,
                filled_at: d.to_datetime(t),
            })
            .map_err(|e| vec![e]),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> ContinuousForm {
        ContinuousForm {
            fill_volume: "40".into(),
            concentration: "10".into(),
            daily_dose: "2".into(),
            fill_date: "2026-11-25".into(),
            fill_time: "09:00".into(),
            ..ContinuousForm::default()
        }
    }

    #[test]
    fn the_issue_example_evaluates() -> Result<(), Box<dyn std::error::Error>> {
        let catalogue = Catalogue::builtin()?;
        let plan = example()
            .evaluate(&catalogue)
            .map_err(|e| format!("{e:?}"))?;
        // 2 mg/day ÷ 10 mg/mL = 0.2 mL/day; (40 − 2) ÷ 0.2 = 190 days
        assert!((plan.flow_rate.value() - 0.2).abs() < 1e-12);
        assert!((plan.days_to_alarm.value() - 190.0).abs() < 1e-9);
        Ok(())
    }

    #[test]
    fn every_bad_field_is_reported_at_once() -> Result<(), Box<dyn std::error::Error>> {
        let catalogue = Catalogue::builtin()?;
        let form = ContinuousForm {
            fill_volume: "4o".into(),
            daily_dose: "".into(),
            fill_time: "9".into(),
            ..example()
        };
        let errors = form.evaluate(&catalogue).err().unwrap_or_default();
        let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![Field::FillVolume, Field::DailyDose, Field::FillTime]
        );
        Ok(())
    }

    #[test]
    fn negative_and_over_capacity_are_reported_at_their_field()
    -> Result<(), Box<dyn std::error::Error>> {
        let catalogue = Catalogue::builtin()?;
        let negative = ContinuousForm {
            concentration: "-10".into(),
            ..example()
        }
        .evaluate(&catalogue);
        assert_eq!(
            negative.err(),
            Some(vec![Error::new(Field::Concentration, Problem::Negative)])
        );
        let over = ContinuousForm {
            pump_id: "synchromed-ii-20".into(),
            ..example()
        }
        .evaluate(&catalogue);
        assert_eq!(
            over.err().and_then(|e| e.first().map(ToString::to_string)),
            Some("Fill volume: 40 mL is above the pump capacity of 20 mL".into())
        );
        Ok(())
    }

    #[test]
    fn custom_pump_uses_entered_capacity() -> Result<(), Box<dyn std::error::Error>> {
        let catalogue = Catalogue::builtin()?;
        let missing = ContinuousForm {
            pump_id: "custom".into(),
            ..example()
        }
        .evaluate(&catalogue);
        assert_eq!(
            missing.err(),
            Some(vec![Error::new(Field::PumpCapacity, Problem::Missing)])
        );
        let ok = ContinuousForm {
            pump_id: "custom".into(),
            custom_capacity: "50".into(),
            ..example()
        }
        .evaluate(&catalogue);
        assert_eq!(ok.map(|p| p.input.pump.capacity.value()).ok(), Some(50.0));
        Ok(())
    }

    #[test]
    fn blank_form_takes_the_callers_clock_and_round_trips_as_json()
    -> Result<(), Box<dyn std::error::Error>> {
        let form = ContinuousForm::blank_at(jiff::civil::date(2026, 11, 25).at(14, 7, 31, 0));
        assert_eq!(
            (form.fill_date.as_str(), form.fill_time.as_str()),
            ("2026-11-25", "14:07")
        );
        let half_typed = ContinuousForm {
            fill_volume: "0.".into(),
            ..form
        };
        let json = serde_json::to_string(&half_typed)?;
        assert_eq!(serde_json::from_str::<ContinuousForm>(&json)?, half_typed);
        // A saved form missing fields (an older version) still loads, with defaults.
        assert_eq!(
            serde_json::from_str::<ContinuousForm>(r#"{"fill_volume":"20"}"#)?.low_reservoir_alarm,
            "2"
        );
        Ok(())
    }
}
