//! The app's state: a store of the form as typed (each input reads and writes its own field), the
//! catalogue and the library in force, and the evaluation, read-only and derived: the plan, its
//! outcome and its report. The last valid result stays on screen while the input is corrected.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;
use reactive_stores::Store;

use crate::engine::report::{self, Report};
use crate::engine::{Catalogue, CurrentTotal, DrugLibrary, Error, Outcome, Plan, evaluate, roll_forward};
use crate::form::{PlanForm, PlanFormStoreFields};

/// What the current input evaluates to.
#[derive(Clone, PartialEq)]
pub struct Evaluation {
    /// The plan, when the form converts.
    pub plan: Option<Plan>,
    /// The outcome and its report (shared: readers clone a pointer, not the report), or every
    /// error found.
    pub result: Result<Arc<Shown>, Vec<Error>>,
}

/// A valid evaluation as shown: the typed outcome and its report.
#[derive(Clone, PartialEq)]
pub struct Shown {
    /// The plan it came from.
    pub plan: Plan,
    /// The typed outcome (charts read its numbers).
    pub outcome: Outcome,
    /// Its words and figures.
    pub report: Report,
}

/// The plan as it was when a session began, and the workflow that began it (saved with the work).
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    /// The workflow's name ("Refill visit").
    pub workflow: String,
    /// The form when the session began.
    pub form: PlanForm,
}

/// App-wide state handed to components.
#[derive(Clone, Copy)]
pub struct AppState {
    /// What the user typed.
    pub form: Store<PlanForm>,
    /// The pump catalogue (compiled in).
    pub catalogue: StoredValue<Catalogue>,
    /// The drug library in force.
    pub library: RwSignal<DrugLibrary>,
    /// The current input's evaluation.
    pub evaluation: Memo<Evaluation>,
    /// The last valid result, kept on screen while the input is corrected.
    pub last_valid: Memo<Option<Arc<Shown>>>,
    /// The current input's errors.
    pub errors: Memo<Vec<Error>>,
    /// Whether what is shown is the last valid result, not the current input.
    pub stale: Signal<bool>,
    /// Inputs the user has touched: an empty input shows no message until then.
    pub touched: RwSignal<BTreeSet<String>>,
    /// The plan as it was when this session began (the current programme), captured when a
    /// workflow opens; cleared when the session is confirmed or discarded.
    pub baseline: RwSignal<Option<Baseline>>,
    /// The baseline's evaluation (none: no session, or a baseline that is not a valid plan).
    pub current: Memo<Option<Arc<Shown>>>,
    /// The current input after its refill: the plan rolled forward to the new fill, when a visit
    /// with a new fill is entered (an error while it cannot be).
    pub rolled: Memo<Option<Result<Arc<Shown>, Vec<Error>>>>,
    /// A visit is entered and the programme was changed in this session in a way that changes its
    /// expected residual: the visit must be reconciled against the programme in force since the
    /// last fill, so the refill is confirmed first and the change in a session of its own.
    pub visit_moved: Memo<bool>,
    /// Bumped when the plan on screen is another patient's (new patient, import): the last valid
    /// result of the previous one is not kept.
    pub epoch: RwSignal<u32>,
    /// The browser is printing (between `beforeprint` and `afterprint`): charts draw their
    /// vector copies for paper only then.
    pub printing: RwSignal<bool>,
}

impl AppState {
    /// State for `form`, with the catalogue and library in force.
    pub fn new(form: PlanForm, catalogue: Catalogue, library: DrugLibrary) -> Self {
        let form = Store::new(form);
        let catalogue = StoredValue::new(catalogue);
        let library = RwSignal::new(library);
        let evaluation =
            Memo::new(move |_| form.with(|f| catalogue.with_value(|c| library.with(|l| evaluate_form(f, c, l)))));
        // The last valid result is kept while the input is corrected, but never across patients:
        // a new patient or an imported plan starts a new epoch.
        let epoch = RwSignal::new(0_u32);
        let kept = Memo::new(move |previous: Option<&(u32, Option<Arc<Shown>>)>| {
            let now = epoch.get();
            evaluation.with(|e| match &e.result {
                Ok(shown) => (now, Some(shown.clone())),
                Err(_) => (
                    now,
                    previous.filter(|(then, _)| *then == now).and_then(|(_, s)| s.clone()),
                ),
            })
        });
        let last_valid = Memo::new(move |_| kept.with(|(_, s)| s.clone()));
        let errors = Memo::new(move |_| evaluation.with(|e| e.result.as_ref().err().cloned().unwrap_or_default()));
        let stale = Signal::derive(move || evaluation.with(|e| e.result.is_err()) && last_valid.with(Option::is_some));
        // Version-1 acknowledgement keys (saved work, an import) matched to today's findings are
        // written back as structured keys, so the form holds what the plan uses (and Withdraw
        // removes exactly that one).
        Effect::new(move |_| {
            let upgraded = evaluation.with(|e| e.plan.as_ref().map(|p| p.acknowledgements.clone()));
            if let Some(acks) = upgraded {
                let field = form.acknowledgements();
                if field.with_untracked(|current| *current != acks) {
                    field.set(acks);
                }
            }
        });
        let baseline = RwSignal::new(None::<Baseline>);
        let current = Memo::new(move |_| {
            baseline.with(|b| {
                b.as_ref().and_then(|b| {
                    let f = &b.form;
                    catalogue.with_value(|c| library.with(|l| evaluate_form(f, c, l).result.ok()))
                })
            })
        });
        let rolled = Memo::new(move |_| {
            evaluation.with(|e| {
                let shown = e.result.as_ref().ok()?;
                shown.plan.visit.as_ref()?.new_fill?;
                // The solution in the pump is the one in force since the last fill: the baseline's.
                let replaced = current.with(|c| c.as_ref().map(|c| c.plan.clone()));
                let replaced = replaced.as_ref().unwrap_or(&shown.plan);
                Some(catalogue.with_value(|c| library.with(|l| roll(&shown.plan, &shown.outcome, replaced, c, l))))
            })
        });
        let visit_moved = visit_moved(evaluation, baseline, form, catalogue, library);
        // The current programme is the baseline's: captured automatically, never by a button; none
        // when the baseline is not a valid plan (a new patient: starting doses are checked).
        Effect::new(move |_| {
            if baseline.with(Option::is_none) {
                return;
            }
            let totals = current.with(|c| c.as_ref().map(|c| current_totals(&c.outcome)).unwrap_or_default());
            let field = form.current_programme();
            if field.with_untracked(|t| *t != totals) {
                field.set(totals);
            }
        });
        AppState {
            form,
            catalogue,
            library,
            evaluation,
            last_valid,
            errors,
            stale,
            touched: RwSignal::new(BTreeSet::new()),
            baseline,
            current,
            rolled,
            visit_moved,
            epoch,
            printing: RwSignal::new(false),
        }
    }

    /// What the session proposes: the input rolled forward to its new fill when a refill is
    /// entered, else the input itself.
    pub fn proposed(self) -> Result<Arc<Shown>, Vec<Error>> {
        match self.rolled.get() {
            Some(rolled) => rolled,
            None => self.evaluation.with(|e| e.result.clone()),
        }
    }

    /// Starts a session from `workflow` when none is open: `before`, the plan as it was before the
    /// first change, becomes the current programme.
    pub fn begin_session(self, workflow: &str, before: PlanForm) {
        if self.baseline.with_untracked(Option::is_some) {
            return;
        }
        // The current programme's totals are written into the baseline and the form at once, so
        // the form does not differ from the baseline before anything is typed. The baseline is
        // evaluated without a current programme of its own (one in the wrong unit family, from an
        // old import, would otherwise never go away).
        let mut form = before;
        form.current_programme.clear();
        let totals = self.catalogue.with_value(|c| {
            self.library.with_untracked(|l| {
                evaluate_form(&form, c, l)
                    .result
                    .map(|s| current_totals(&s.outcome))
                    .unwrap_or_default()
            })
        });
        form.current_programme = totals.clone();
        self.form.current_programme().set(totals);
        self.baseline.set(Some(Baseline {
            workflow: workflow.to_owned(),
            form,
        }));
    }

    /// Ends the session without recording it.
    pub fn end_session(self) {
        self.baseline.set(None);
    }

    /// Puts another patient's plan on screen (a new patient, an imported plan): no session, no
    /// kept result and no touched field of the previous one carries over.
    pub fn replace_plan(self, form: PlanForm) {
        self.end_session();
        self.touched.set(Default::default());
        super::persist::drop_plan_drafts();
        self.epoch.update(|e| *e = e.wrapping_add(1));
        self.form.set(form);
        super::persist::save_now(self.form);
    }

    /// The id of the patient record the plan on screen belongs to (kept in the form, saved with
    /// it), tracked.
    pub fn record_id(self) -> Option<String> {
        self.form.record().get()
    }

    /// The same, untracked.
    pub fn record_id_untracked(self) -> Option<String> {
        self.form.record().get_untracked()
    }

    /// Ties the plan on screen to a record (or to none), saved at once with the plan.
    pub fn set_record(self, id: Option<String>) {
        self.form.record().set(id);
        super::persist::save_now(self.form);
    }

    /// One section of the last valid report as a memo: a figure list redraws only when its own
    /// figures change.
    pub fn section(self, read: fn(&Report) -> Vec<crate::engine::Figure>) -> Signal<Vec<crate::engine::Figure>> {
        let last_valid = self.last_valid;
        Signal::from(Memo::new(move |_| {
            last_valid.with(|r| r.as_ref().map(|r| read(&r.report)).unwrap_or_default())
        }))
    }

    /// Marks an input as touched.
    pub fn touch(&self, id: &str) {
        if !self.touched.with_untracked(|t| t.contains(id)) {
            self.touched.update(|t| {
                t.insert(id.to_owned());
            });
        }
    }

    /// The current errors whose element id is one of `ids`, as messages.
    pub fn messages_for(&self, ids: &[String]) -> Vec<String> {
        self.errors.with(|list| {
            list.iter()
                .filter(|e| ids.contains(&e.element_id()))
                .map(ToString::to_string)
                .collect()
        })
    }
}

/// Whether the visit's expected residual differs between the input and the baseline (the
/// programme was changed in the session after the visit was entered).
fn visit_moved(
    evaluation: Memo<Evaluation>,
    baseline: RwSignal<Option<Baseline>>,
    form: Store<PlanForm>,
    catalogue: StoredValue<Catalogue>,
    library: RwSignal<DrugLibrary>,
) -> Memo<bool> {
    Memo::new(move |_| {
        let Some(expected) = evaluation.with(|e| {
            e.result
                .as_ref()
                .ok()
                .and_then(|s| s.outcome.reconciliation.as_ref().map(|r| r.expected))
        }) else {
            return false;
        };
        baseline.with(|b| {
            let Some(b) = b else { return false };
            let mut with_visit = b.form.clone();
            with_visit.visit = form.visit().get();
            let on_baseline = catalogue.with_value(|c| {
                library.with(|l| {
                    evaluate_form(&with_visit, c, l)
                        .result
                        .ok()
                        .and_then(|s| s.outcome.reconciliation.as_ref().map(|r| r.expected))
                })
            });
            on_baseline.is_some_and(|x| x != expected)
        })
    })
}

/// Each drug's maximum 24-hour total under `outcome`.
pub fn current_totals(outcome: &Outcome) -> Vec<CurrentTotal> {
    outcome
        .drugs
        .iter()
        .map(|d| CurrentTotal {
            drug: d.id.clone(),
            daily_maximum: d.daily_maximum,
        })
        .collect()
}

fn roll(
    plan: &Plan,
    outcome: &Outcome,
    replaced: &Plan,
    catalogue: &Catalogue,
    library: &DrugLibrary,
) -> Result<Arc<Shown>, Vec<Error>> {
    let next = roll_forward(plan, outcome, replaced).map_err(|e| vec![e])?;
    let outcome = evaluate(&next, catalogue, library)?;
    Ok(Arc::new(Shown {
        report: report::build(&outcome),
        plan: next,
        outcome,
    }))
}

fn evaluate_form(form: &PlanForm, catalogue: &Catalogue, library: &DrugLibrary) -> Evaluation {
    match form.to_plan(catalogue, library) {
        Ok(mut plan) => {
            // Work saved before plan format 2 may hold version-1 acknowledgement keys.
            crate::engine::upgrade_acknowledgements(&mut plan, catalogue, library);
            let result = evaluate(&plan, catalogue, library).map(|outcome| {
                Arc::new(Shown {
                    report: report::build(&outcome),
                    plan: plan.clone(),
                    outcome,
                })
            });
            Evaluation {
                plan: Some(plan),
                result,
            }
        }
        Err(errors) => Evaluation {
            plan: None,
            result: Err(errors),
        },
    }
}
