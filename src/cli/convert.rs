//! `itdose convert --reduction PERCENT [--ratio N] [--to morphine|hydromorphone] [--potency N] [--table FILE] [--text] ITEM...`
//!
//! `--table FILE` uses a factor table exported from the app's conversion screen (format
//! `itdose-opioids` version 1) instead of the built-in CDC 2022 factors.
//!
//! An ITEM is `DRUG=AMOUNT` with its unit: `oxycodone=40mg/day`, `fentanyl-patch=25mcg/h`. Prints
//! the conversion as JSON (`total_mme`, `items`, `intrathecal`, `arithmetic`, `cautions`,
//! `library_checks`), or a readable table with `--text`. The reduction must be given (the clinician
//! chooses it; 0 is allowed and said); the ratio defaults to 300 : 1 (the lower dose of the two
//! offered), which the cautions say. Exit status: 0 with a proposal; 1 for an unknown drug, a
//! wrong unit or a bad number (the message names the item); 2 for a usage error.

use std::fmt::Write as _;

use crate::engine::convert::{ConversionInput, OpioidTable, RegimenItem, Target, convert, library_checks};
use crate::engine::report::convert::{arithmetic, cautions, json};
use crate::engine::{DrugLibrary, Field, parse_number};

const USAGE: &str = "usage: itdose convert --reduction PERCENT [--ratio N] [--to morphine|hydromorphone] [--potency N] [--table FILE] [--text] DRUG=AMOUNT...\n       e.g. itdose convert --ratio 100 --reduction 30 oxycodone=40mg/day fentanyl-patch=25mcg/h\n";

fn usage(message: &str) -> (u8, String, String) {
    (2, String::new(), format!("{message}\n{USAGE}"))
}

fn refused(message: String) -> (u8, String, String) {
    (1, String::new(), format!("{message}\n"))
}

/// One ITEM, read against the table.
fn item(text: &str, table: &OpioidTable) -> Result<RegimenItem, String> {
    let (drug, amount) = text
        .split_once('=')
        .ok_or_else(|| format!("{text}: write DRUG=AMOUNT with its unit, e.g. oxycodone=40mg/day"))?;
    let opioid = table.get(drug.trim()).ok_or_else(|| {
        let known: Vec<&str> = table.opioids.iter().map(|o| o.id.as_str()).collect();
        format!(
            "{text}: unknown drug \u{201c}{drug}\u{201d} (known: {})",
            known.join(", ")
        )
    })?;
    let unit = opioid.unit.symbol();
    let number = amount.trim().strip_suffix(unit).ok_or_else(|| {
        format!(
            "{text}: {} is given in {unit} (e.g. {drug}=10{unit})",
            opioid.display_name
        )
    })?;
    let value = parse_number(Field::RegimenAmount, number).map_err(|e| format!("{text}: {e}"))?;
    Ok(RegimenItem {
        opioid: opioid.id.clone(),
        amount: value,
    })
}

/// The command line read: the input, `--text`, and whether a ratio was given.
struct Parsed {
    input: ConversionInput,
    text: bool,
    ratio_given: bool,
}

/// Reads the arguments after "convert".
fn parse(args: &[String], table: &OpioidTable) -> Result<Parsed, (u8, String, String)> {
    let mut input = ConversionInput {
        items: Vec::new(),
        ratio: 300.0,
        reduction_percent: 0.0,
        target: Target::Morphine,
        potency: None,
    };
    let mut text = false;
    let mut ratio_given = false;
    let mut reduction_given = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--text" => text = true,
            "--ratio" | "--reduction" | "--potency" => {
                let Some(value) = iter.next() else {
                    return Err(usage(&format!("{arg} needs a number")));
                };
                let field = match arg.as_str() {
                    "--ratio" => Field::ConversionRatio,
                    "--potency" => Field::Potency,
                    _ => Field::Reduction,
                };
                match (parse_number(field, value), field) {
                    (Ok(v), Field::ConversionRatio) => {
                        input.ratio = v;
                        ratio_given = true;
                    }
                    (Ok(v), Field::Potency) => input.potency = Some(v),
                    (Ok(v), _) => {
                        input.reduction_percent = v;
                        reduction_given = true;
                    }
                    (Err(e), _) => return Err(refused(format!("{arg} {value}: {e}"))),
                }
            }
            "--to" => {
                input.target = match iter.next().map(String::as_str) {
                    Some("morphine") => Target::Morphine,
                    Some("hydromorphone") => Target::Hydromorphone,
                    _ => return Err(usage("--to needs morphine or hydromorphone")),
                }
            }
            "-h" | "--help" => return Err((0, USAGE.to_owned(), String::new())),
            other if other.starts_with('-') => return Err(usage(&format!("unknown option {other}"))),
            other => match item(other, table) {
                Ok(i) => input.items.push(i),
                Err(e) => return Err(refused(e)),
            },
        }
    }
    if input.items.is_empty() {
        return Err(usage("name at least one DRUG=AMOUNT"));
    }
    if !reduction_given {
        return Err(usage(
            "--reduction is required: choose the reduction for incomplete cross-tolerance (0 to 90 %)",
        ));
    }
    Ok(Parsed {
        input,
        text,
        ratio_given,
    })
}

/// The factor table (`--table FILE`, or the built-in one) and the other arguments.
fn table(args: &[String]) -> Result<(OpioidTable, Vec<String>), (u8, String, String)> {
    let Some(at) = args.iter().position(|a| a == "--table") else {
        return OpioidTable::builtin()
            .map(|t| (t, args.to_vec()))
            .map_err(|e| (2, String::new(), format!("{e}\n")));
    };
    let path = args
        .get(at + 1)
        .ok_or_else(|| (2, String::new(), format!("--table needs a file\n{USAGE}")))?;
    let table = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| OpioidTable::from_json(&text).map_err(|e| e.to_string()))
        .map_err(|e| (1, String::new(), format!("{path}: {e}\n")))?;
    let rest = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != at && *i != at + 1)
        .map(|(_, a)| a.clone())
        .collect();
    Ok((table, rest))
}

/// Runs `itdose convert` with the arguments after "convert".
pub fn run(args: &[String]) -> (u8, String, String) {
    let (table, args) = match table(args) {
        Ok(t) => t,
        Err(done) => return done,
    };
    let Parsed {
        input,
        text,
        ratio_given,
    } = match parse(&args, &table) {
        Ok(p) => p,
        Err(done) => return done,
    };
    let conversion = match convert(&input, &table) {
        Ok(c) => c,
        Err(errors) => {
            let mut err = String::new();
            for e in errors {
                let item =
                    e.at.and_then(|l| match l {
                        crate::engine::Location::Regimen(i) => args.iter().filter(|a| a.contains('=')).nth(i),
                        _ => None,
                    })
                    .map(|a| format!("{a}: "))
                    .unwrap_or_default();
                let _ = writeln!(err, "{item}{e}");
            }
            return (1, String::new(), err);
        }
    };
    let mut library = DrugLibrary::builtin()
        .map(|l| library_checks(&conversion, &l))
        .unwrap_or_default();
    if !ratio_given {
        library.insert(
            0,
            "No --ratio was given: 300 : 1 by default (the lower dose of the two sourced ratios).".to_owned(),
        );
    }
    if text {
        let mut out = String::new();
        for line in arithmetic(&conversion) {
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out, "\nCautions:");
        for line in cautions(&conversion, &table).iter().chain(&library) {
            let _ = writeln!(out, "- {line}");
        }
        return (0, out, String::new());
    }
    let mut report = json(&conversion, &table);
    report.library_checks = library;
    (
        0,
        serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        String::new(),
    )
}
