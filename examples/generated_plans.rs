//! The long run of generated plans (issue 13): COUNT plans (default 1,000,000) from the generator
//! the short run uses (`tests/common/generate.rs`), each held to every invariant of
//! `tests/common/check.rs`, each behind `catch_unwind`, so a panic is counted and its input
//! printed instead of ending the run. Prints the count, valid and refused plans, hostile files
//! loaded and refused, records round-tripped, panics, invariant breaks by kind (the first few of
//! each with their input), the most frequent refusals, and the time taken.
//!
//! Run it with `bash scripts/long-run.sh [COUNT] [SEED] [THREADS]`: a release build with panics
//! that unwind (the release profile aborts on panic, so the script sets
//! `CARGO_PROFILE_RELEASE_PANIC=unwind`). With THREADS (default 1) the count is shared out, thread
//! k drawing from seed SEED + k. Exits non-zero when any panic or invariant break was seen.

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/common/check.rs"]
mod check;
#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/common/generate.rs"]
mod generate;
#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/common/shown.rs"]
mod shown;

/// The run, natively: proptest (the generator's engine) is a native dev-dependency.
#[cfg(not(target_arch = "wasm32"))]
mod long_run {
    use super::{check, generate};
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::process::ExitCode;
    use std::time::Instant;

    use itdose::engine::evaluate;
    use proptest::strategy::{Strategy as _, ValueTree as _};
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    /// How many inputs of each kind of failure are printed in full.
    const SHOWN: usize = 3;

    thread_local! {
        /// The last panic's message and place on this thread, kept by the panic hook for the report.
        static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    #[derive(Default)]
    struct Tally {
        plans: u64,
        valid: u64,
        refused: u64,
        hostile_loaded: u64,
        hostile_refused: u64,
        records: u64,
        panics: u64,
        breaks: BTreeMap<&'static str, u64>,
        refusals: BTreeMap<String, u64>,
    }

    impl Tally {
        fn merge(&mut self, other: Tally) {
            self.plans += other.plans;
            self.valid += other.valid;
            self.refused += other.refused;
            self.hostile_loaded += other.hostile_loaded;
            self.hostile_refused += other.hostile_refused;
            self.records += other.records;
            self.panics += other.panics;
            for (k, n) in other.breaks {
                *self.breaks.entry(k).or_default() += n;
            }
            for (k, n) in other.refusals {
                *self.refusals.entry(k).or_default() += n;
            }
        }
    }

    fn arguments() -> Result<(u64, u8, u8), String> {
        let mut args = std::env::args().skip(1);
        let count = match args.next() {
            Some(text) => text
                .parse()
                .map_err(|_| format!("COUNT must be a whole number, not {text:?}"))?,
            None => 1_000_000,
        };
        let seed = match args.next() {
            Some(text) => text
                .parse()
                .map_err(|_| format!("SEED must be 0 to 255, not {text:?}"))?,
            None => 13,
        };
        let threads = match args.next() {
            Some(text) => text
                .parse()
                .map_err(|_| format!("THREADS must be 1 to 255, not {text:?}"))?,
            None => 1,
        };
        Ok((count, seed, threads))
    }

    /// The element id of the first error a refused plan gets (for the refusal figures).
    fn first_refusal(case: &generate::Case, tools: &check::Tools) -> String {
        match evaluate(&case.plan, &tools.catalogue, &tools.library) {
            Err(errors) => errors.first().map_or_else(|| "none".into(), |e| e.element_id()),
            Ok(_) => "valid".into(),
        }
    }

    fn run_one(spec: &generate::Spec, tools: &check::Tools, tally: &mut Tally) {
        LAST_PANIC.with(|last| last.replace(None));
        let result = catch_unwind(AssertUnwindSafe(|| {
            let case = spec.build(&tools.catalogue, &tools.library);
            let checked = check::check(&case, tools);
            let refusal = match &checked {
                Ok(seen) if !seen.valid => Some(first_refusal(&case, tools)),
                _ => None,
            };
            (checked, refusal)
        }));
        tally.plans += 1;
        match result {
            Ok((Ok(seen), refusal)) => {
                if seen.valid {
                    tally.valid += 1;
                } else {
                    tally.refused += 1;
                }
                match seen.hostile_file_loaded {
                    Some(true) => tally.hostile_loaded += 1,
                    Some(false) => tally.hostile_refused += 1,
                    None => {}
                }
                tally.records += u64::from(seen.record_round_tripped);
                if let Some(r) = refusal {
                    *tally.refusals.entry(r).or_default() += 1;
                }
            }
            Ok((Err(b), _)) => {
                let seen = tally.breaks.entry(b.invariant).or_default();
                *seen += 1;
                if *seen as usize <= SHOWN {
                    let plan = spec.build(&tools.catalogue, &tools.library).plan.to_json();
                    let plan = plan.replace(&generate::long_text(), "<10,000 characters>");
                    println!("INVARIANT BREAK {b}\n{spec:#?}\nplan file:\n{plan}\n");
                }
            }
            Err(_) => {
                tally.panics += 1;
                if tally.panics as usize <= SHOWN {
                    let message = LAST_PANIC.with(|last| last.borrow().clone());
                    println!("PANIC {}\n{spec:#?}\n", message.unwrap_or_default());
                }
            }
        }
    }

    fn report(tally: &Tally, seed: u8, threads: u8, seconds: f64) {
        let breaks: u64 = tally.breaks.values().sum();
        println!("generated plans: {}", tally.plans);
        println!("  valid (evaluated): {}", tally.valid);
        println!("  refused (every error at its field): {}", tally.refused);
        println!(
            "  hostile files loaded / refused: {} / {}",
            tally.hostile_loaded, tally.hostile_refused
        );
        println!("  records round-tripped (file and stored): {}", tally.records);
        println!("  panics caught: {}", tally.panics);
        println!("  invariant breaks: {breaks}");
        for (invariant, n) in &tally.breaks {
            println!("    {invariant}: {n}");
        }
        let mut refusals: Vec<(&String, &u64)> = tally.refusals.iter().collect();
        refusals.sort_by(|a, b| b.1.cmp(a.1));
        let top: Vec<String> = refusals.iter().take(8).map(|(id, n)| format!("{id} {n}")).collect();
        println!("  most frequent first refusals: {}", top.join(", "));
        println!(
            "  seed {seed}, {threads} thread(s); {seconds:.1} s ({:.0} plans/s)",
            tally.plans as f64 / seconds.max(1e-9)
        );
    }

    /// `count` plans from seed `seed` on this thread.
    fn run_many(count: u64, seed: u8, tools: &check::Tools, start: Instant) -> Result<Tally, String> {
        let mut runner =
            TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]));
        let strategy = generate::spec();
        let mut tally = Tally::default();
        for i in 0..count {
            let tree = strategy
                .new_tree(&mut runner)
                .map_err(|e| format!("the generator failed: {e}"))?;
            run_one(&tree.current(), tools, &mut tally);
            if (i + 1) % 100_000 == 0 {
                eprintln!("seed {seed}: {} plans, {:.0} s", i + 1, start.elapsed().as_secs_f64());
            }
        }
        Ok(tally)
    }

    pub fn main() -> ExitCode {
        let (count, seed, threads) = match arguments() {
            Ok(a) => a,
            Err(e) => {
                eprintln!("usage: generated_plans [COUNT] [SEED] [THREADS]: {e}");
                return ExitCode::from(2);
            }
        };
        let tools = match check::Tools::builtin() {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        std::panic::set_hook(Box::new(|info| {
            LAST_PANIC.with(|last| last.replace(Some(info.to_string())));
        }));
        let threads = threads.max(1);
        let start = Instant::now();
        let results: Vec<Result<Tally, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|k| {
                    // Thread k draws count ÷ threads plans (the first takes the remainder) from seed + k.
                    let share = count / u64::from(threads) + if k == 0 { count % u64::from(threads) } else { 0 };
                    let tools = &tools;
                    scope.spawn(move || run_many(share, seed.wrapping_add(k), tools, start))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err("a thread failed".into())))
                .collect()
        });
        let mut tally = Tally::default();
        for result in results {
            match result {
                Ok(t) => tally.merge(t),
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(2);
                }
            }
        }
        report(&tally, seed, threads, start.elapsed().as_secs_f64());
        if tally.panics == 0 && tally.breaks.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    long_run::main()
}

/// Nothing to run in a browser: the long run is native.
#[cfg(target_arch = "wasm32")]
fn main() {}
