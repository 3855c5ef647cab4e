//! Screens by URL fragment ("#/refill"): a deep link opens its workflow on any static host, under
//! any sub-path, with no server rewrite rules (the fragment never reaches the server).
//! `leptos_router` needs the host to serve index.html for every path, so it is not used.

use leptos::prelude::*;

/// A screen of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Choose the task.
    Start,
    /// A refill visit: reconcile, refill, roll the plan forward.
    Refill,
    /// Change the programme: dose, flex, boluses, myPTM.
    Change,
    /// A new pump or a catheter revision: priming, first fill.
    NewPump,
    /// An MRI scan.
    Mri,
    /// The drug library.
    Library,
    /// Conversion from systemic opioids: MME and an intrathecal starting proposal.
    Convert,
    /// Review before confirming, and the printout.
    Review,
    /// The patient card.
    Card,
    /// Patient records kept in this browser.
    Records,
    /// Every input and result on one page.
    Plan,
}

impl Screen {
    /// Every screen, in the order of the navigation.
    pub const ALL: [Screen; 11] = [
        Screen::Start,
        Screen::Refill,
        Screen::Change,
        Screen::NewPump,
        Screen::Mri,
        Screen::Review,
        Screen::Card,
        Screen::Records,
        Screen::Library,
        Screen::Convert,
        Screen::Plan,
    ];

    /// Its fragment path.
    pub fn path(self) -> &'static str {
        match self {
            Screen::Start => "",
            Screen::Refill => "refill",
            Screen::Change => "change",
            Screen::NewPump => "new-pump",
            Screen::Mri => "mri",
            Screen::Library => "library",
            Screen::Convert => "convert",
            Screen::Review => "review",
            Screen::Card => "card",
            Screen::Records => "records",
            Screen::Plan => "plan",
        }
    }

    /// Its link ("#/refill").
    pub fn href(self) -> String {
        format!("#/{}", self.path())
    }

    /// Its name in the navigation.
    pub fn title(self) -> &'static str {
        match self {
            Screen::Start => "Start",
            Screen::Refill => "Refill visit",
            Screen::Change => "Change the programme",
            Screen::NewPump => "New pump or catheter revision",
            Screen::Mri => "MRI",
            Screen::Library => "Drug library",
            Screen::Convert => "Conversion from systemic opioids",
            Screen::Review => "Review and confirm",
            Screen::Card => "Patient card",
            Screen::Records => "Patient records",
            Screen::Plan => "Everything on one page",
        }
    }

    /// Whether the screen changes the plan (opening it starts a session).
    pub fn edits(self) -> bool {
        matches!(
            self,
            Screen::Refill | Screen::Change | Screen::NewPump | Screen::Mri | Screen::Plan
        )
    }

    /// The screen of a fragment ("#/refill", "#refill", ""); `None` for one the app does not know.
    pub fn from_hash(hash: &str) -> Option<Screen> {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        // A later fragment parameter (a share link) does not change the screen.
        let path = path.split(['?', '&']).next().unwrap_or_default();
        Screen::ALL.into_iter().find(|s| s.path() == path)
    }
}

fn current_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// The screen the address names, following the address as it changes (links, back, forward, a
/// pasted link), and a note when the address names no screen.
pub fn screen_signal() -> (ReadSignal<Screen>, ReadSignal<Option<String>>) {
    let read = |hash: &str| match Screen::from_hash(hash) {
        Some(s) => (s, None),
        None => (
            Screen::Start,
            Some(format!(
                "The address names no screen (\u{201c}{hash}\u{201d}): choose one below."
            )),
        ),
    };
    let (first, first_note) = read(&current_hash());
    let (screen, set_screen) = signal(first);
    let (note, set_note) = signal(first_note);
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        let hash = current_hash();
        // An in-page anchor ("#fill_volume") is not a screen: stay.
        if !(hash.is_empty() || hash.starts_with("#/")) {
            return;
        }
        let (s, n) = read(&hash);
        set_screen.set(s);
        set_note.set(n);
        // A new screen starts at its top, with focus on its heading for screen readers and
        // keyboards (after it is drawn).
        focus_later("screen-heading");
        window().scroll_to_with_x_and_y(0.0, 0.0);
    });
    on_cleanup(move || handle.remove());
    (screen, note)
}

/// Moves focus to the element `id` once the screen is redrawn (a new screen's heading; the
/// confirmation that replaced the button that had focus).
pub fn focus_later(id: &'static str) {
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(id)
            && let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el)
        {
            let _ = el.focus();
        }
    });
}

/// Opens `screen`.
pub fn go(screen: Screen) {
    let _ = window().location().set_hash(&format!("/{}", screen.path()));
}
