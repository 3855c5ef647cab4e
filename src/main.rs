//! Entry point: mounts the app in the browser; natively, the command-line entry.

#[cfg(target_arch = "wasm32")]
fn main() {
    itdose::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    // The native report command arrives with the plan file format (issue 3). Until then the native
    // binary only says what it is, so `cargo run` is not a silent no-op.
    println!(
        "itdose {}: open the app with `bash scripts/serve.sh`; see README.md",
        env!("CARGO_PKG_VERSION")
    );
}
