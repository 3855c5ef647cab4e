//! The form that shows a plan (an import; later records and share links). Numbers are written back at full
//! precision: an import must never round the plan's values to the display's four figures.

use super::parts::{
    CsfForm, DrugCsfForm, FlexForm, FlexStepForm, PatientForm, Per, PeriodicForm, ProcedureForm, SingleForm,
    TitrationForm, VisitForm,
};
use super::{DrugForm, FormMode, PlanForm};
use crate::engine::format::{iso_date, iso_time};
use crate::engine::{
    AnyConcentration, AnyDoseRate, DrugLibrary, MassFamily, Millilitres, MlPerDay, PkModel, Plan, Programme,
};

/// The shortest text that reads back as exactly this number (Rust never uses an exponent here).
pub fn number_text(value: f64) -> String {
    format!("{}", value + 0.0)
}

fn text(v: Option<f64>) -> String {
    v.map(number_text).unwrap_or_default()
}

/// The form showing `plan`. Unit families come from the plan's values, or the library's family
/// for the drug where the plan has no value.
pub(super) fn form_of(plan: &Plan, library: &DrugLibrary) -> PlanForm {
    let (mode, lead, flow_rate) = match &plan.programme {
        Programme::LeadDose { lead } => (FormMode::LeadDose, *lead, String::new()),
        Programme::Rate { flow_rate } => (FormMode::Rate, 0, number_text(flow_rate.value())),
        Programme::ConstantFlow => (FormMode::LeadDose, 0, String::new()),
    };
    PlanForm {
        pump_id: plan.pump.model.clone(),
        custom_capacity: text(plan.pump.capacity.map(Millilitres::value)),
        fixed_rate: text(plan.pump.fixed_rate.map(MlPerDay::value)),
        fill_volume: number_text(plan.fill.volume.value()),
        low_reservoir_alarm: number_text(plan.fill.low_reservoir_alarm.value()),
        fill_date: iso_date(plan.fill.filled_at),
        fill_time: iso_time(plan.fill.filled_at),
        mode,
        lead,
        flow_rate,
        drugs: plan.drugs.iter().map(|line| drug_form(plan, line, library)).collect(),
        extra_volume: text(plan.extra_volume.map(Millilitres::value)),
        acknowledgements: plan.acknowledgements.clone(),
        new_pump: Some(plan.fill.new_pump),
        end_of_service: plan.pump.end_of_service.map(iso_date).unwrap_or_default(),
        end_of_service_time: plan
            .pump
            .end_of_service
            .filter(|at| at.time() != jiff::civil::Time::midnight())
            .map(iso_time)
            .unwrap_or_default(),
        flex: flex_form(plan),
        periodic: periodic_forms(plan),
        single: single_forms(plan),
        patient: patient_form(plan),
        current_programme: plan.current_programme.clone(),
        titration: titration_form(plan),
        priming: plan
            .boluses
            .priming
            .as_ref()
            .map_or_else(ProcedureForm::default, |p| ProcedureForm {
                enabled: true,
                date: iso_date(p.at),
                time: iso_time(p.at),
                duration_minutes: number_text(p.duration.value() * 60.0),
            }),
        bridge: plan
            .boluses
            .bridge
            .as_ref()
            .map_or_else(ProcedureForm::default, |b| ProcedureForm {
                enabled: true,
                date: iso_date(b.at),
                time: iso_time(b.at),
                duration_minutes: String::new(),
            }),
        visit: visit_form(plan),
        visits: plan.visits.clone(),
        sessions: plan.sessions.clone(),
        record: None,
        csf: csf_form(plan),
    }
}

fn drug_form(plan: &Plan, line: &crate::engine::DrugLine, library: &DrugLibrary) -> DrugForm {
    let family = library.get(&line.drug).map_or(MassFamily::Mg, |d| d.family);
    DrugForm {
        drug_id: line.drug.clone(),
        concentration: text(line.concentration.map(AnyConcentration::value)),
        concentration_unit: line.concentration.map_or(family, AnyConcentration::family),
        daily_dose: text(line.daily_dose.map(AnyDoseRate::value)),
        dose_unit: line.daily_dose.map_or(family, AnyDoseRate::family),
        stock: text(line.stock.map(AnyConcentration::value)),
        stock_unit: line.stock.map_or(family, AnyConcentration::family),
        csf: drug_csf_form(plan, &line.drug),
        condition: line.condition.clone().unwrap_or_default(),
    }
}

fn drug_csf_form(plan: &Plan, drug: &str) -> DrugCsfForm {
    let mut form = DrugCsfForm::default();
    if let Some(p) = plan.csf.previous.iter().find(|p| p.drug == drug) {
        form.previous = number_text(p.concentration.value());
    }
    match plan.csf.models.iter().find(|m| m.drug == drug).map(|m| m.model) {
        Some(PkModel::OneCompartment { half_life, volume }) => {
            form.half_life_hours = number_text(half_life.value());
            form.volume_ml = number_text(volume.value());
        }
        Some(PkModel::TwoCompartment { volume, k10, k12, k21 }) => {
            form.half_life_hours = number_text(std::f64::consts::LN_2 / k10.value());
            form.volume_ml = number_text(volume.value());
            form.k12 = number_text(k12.value());
            form.k21 = number_text(k21.value());
        }
        None => {}
    }
    form
}

fn flex_form(plan: &Plan) -> FlexForm {
    plan.flex.as_ref().map_or_else(FlexForm::default, |f| FlexForm {
        enabled: true,
        cycle: f.cycle,
        steps: f
            .steps
            .iter()
            .map(|s| FlexStepForm {
                day: s.day,
                start: s.start.clone(),
                dose: number_text(s.daily_dose.value()),
                unit: s.daily_dose.family(),
                per: Per::Day,
            })
            .collect(),
    })
}

fn periodic_forms(plan: &Plan) -> Vec<PeriodicForm> {
    plan.boluses
        .periodic
        .iter()
        .map(|p| PeriodicForm {
            volume: number_text(p.volume.value()),
            duration_minutes: number_text(p.duration.value() * 60.0),
            interval_hours: number_text(p.interval.value()),
            first_date: iso_date(p.first),
            first_time: iso_time(p.first),
        })
        .collect()
}

fn single_forms(plan: &Plan) -> Vec<SingleForm> {
    plan.boluses
        .single
        .iter()
        .map(|b| SingleForm {
            volume: number_text(b.volume.value()),
            duration_minutes: number_text(b.duration.value() * 60.0),
            date: iso_date(b.at),
            time: iso_time(b.at),
        })
        .collect()
}

fn patient_form(plan: &Plan) -> PatientForm {
    plan.boluses
        .patient
        .as_ref()
        .map_or_else(PatientForm::default, |p| PatientForm {
            enabled: true,
            volume: number_text(p.volume.value()),
            duration_minutes: number_text(p.duration.value() * 60.0),
            lockout_hours: number_text(p.lockout.value()),
            max_per_day: p.max_per_day.to_string(),
            typical_per_day: plan.boluses.typical_per_day.map(|n| n.to_string()).unwrap_or_default(),
        })
}

fn titration_form(plan: &Plan) -> TitrationForm {
    plan.titration
        .as_ref()
        .map_or_else(TitrationForm::default, |t| TitrationForm {
            last_change_date: t.last_change.map(iso_date).unwrap_or_default(),
            last_change_time: t.last_change.map(iso_time).unwrap_or_default(),
            increases_past_week: t.increases_past_week.map(|n| n.to_string()).unwrap_or_default(),
        })
}

fn visit_form(plan: &Plan) -> VisitForm {
    plan.visit.as_ref().map_or_else(VisitForm::default, |v| VisitForm {
        date: iso_date(v.at),
        time: iso_time(v.at),
        withdrawn: number_text(v.withdrawn.value()),
        new_fill: text(v.new_fill.map(Millilitres::value)),
        pump_expected: text(v.pump_expected.map(Millilitres::value)),
        patient_boluses: v.patient_boluses.map(|n| n.to_string()).unwrap_or_default(),
        confirmed_after_refill: text(v.confirmed_after_refill.map(Millilitres::value)),
    })
}

fn csf_form(plan: &Plan) -> CsfForm {
    let csf = &plan.csf;
    CsfForm {
        pump_tubing: text(csf.pump_tubing.map(Millilitres::value)),
        catheter_length_cm: text(csf.catheter_length_cm),
        catheter_ml_per_cm: text(csf.catheter_ml_per_cm),
        residual: text(csf.residual.map(Millilitres::value)),
        weight_kg: text(csf.weight_kg),
        mri_date: csf.mri.as_ref().map(|m| iso_date(m.at)).unwrap_or_default(),
        mri_time: csf.mri.as_ref().map(|m| iso_time(m.at)).unwrap_or_default(),
        mri_minutes: csf
            .mri
            .as_ref()
            .map(|m| number_text(m.duration.value() * 60.0))
            .unwrap_or_default(),
    }
}
