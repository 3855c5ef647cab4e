//! Entry point: mounts the app in the browser; natively, the `itdose` command.

#[cfg(target_arch = "wasm32")]
fn main() {
    itdose::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (code, out, err) = itdose::cli::run(&args, |path| std::fs::read_to_string(path).map_err(|e| e.to_string()));
    print!("{out}");
    eprint!("{err}");
    std::process::ExitCode::from(code)
}
